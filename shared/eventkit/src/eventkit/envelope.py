"""The event envelope: what is stored in the event store and sent on Kafka."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any
from uuid import UUID

from eventkit.clock import Clock
from eventkit.context import current_trace
from eventkit.events import DomainEvent, EventRegistry
from eventkit.ids import uuid7


@dataclass(frozen=True, slots=True)
class Envelope:
    event_id: UUID
    type: str
    schema_version: int
    tenant_id: str
    aggregate_type: str
    aggregate_id: str
    aggregate_version: int
    occurred_at: datetime
    correlation_id: str
    causation_id: str | None
    producer: str
    payload: dict[str, Any] = field(default_factory=dict)
    partition_key: str = ""

    @property
    def stream_id(self) -> str:
        return stream_id(self.aggregate_type, self.tenant_id, self.aggregate_id)

    def decode(self, registry: EventRegistry) -> DomainEvent:
        return registry.decode(self.type, self.schema_version, self.payload)

    def with_version(self, version: int) -> Envelope:
        return replace(self, aggregate_version=version)


def stream_id(aggregate_type: str, tenant_id: str, aggregate_id: str) -> str:
    """Streams are tenant-scoped by construction: no two tenants can share one."""
    return f"{aggregate_type}|{tenant_id}|{aggregate_id}"


def new_envelope(
    event: DomainEvent,
    *,
    tenant_id: str,
    aggregate_type: str,
    aggregate_id: str,
    aggregate_version: int,
    clock: Clock,
    producer: str,
    partition_key: str | None = None,
    occurred_at: datetime | None = None,
) -> Envelope:
    event_id = uuid7()
    trace = current_trace(default_correlation=str(event_id))
    return Envelope(
        event_id=event_id,
        type=event.event_type,
        schema_version=event.schema_version,
        tenant_id=tenant_id,
        aggregate_type=aggregate_type,
        aggregate_id=aggregate_id,
        aggregate_version=aggregate_version,
        occurred_at=occurred_at or clock.now(),
        correlation_id=trace.correlation_id,
        causation_id=trace.causation_id,
        producer=producer,
        payload=event.to_payload(),
        partition_key=partition_key or f"{tenant_id}:{aggregate_id}",
    )

"""Writing dunning events from inside a transaction that is not a command's unit of work: the
daily sweep and the reactions to invoicing events. Every event is keyed by its debtor, so one
debtor's dunning events stay in order on ``dunning.case.events``."""

from __future__ import annotations

from datetime import date, datetime
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from dunning_service.domain.holds import DebtorAggregate
from eventkit.clock import start_of_business_day
from eventkit.envelope import Envelope, new_envelope, stream_id
from eventkit.events import DomainEvent
from eventkit.ids import uuid7
from eventkit.runtime import Runtime

A = TypeVar("A", bound=DebtorAggregate)


def new_id() -> str:
    return str(uuid7())


def business_moment(rt: Runtime, business_date: date) -> datetime:
    """The moment a business day's sweep events are stamped with (08:00 local time)."""
    return start_of_business_day(business_date, rt.settings.business_timezone)


def single_event(
    rt: Runtime,
    event: DomainEvent,
    *,
    tenant_id: str,
    debtor_ref: str,
    aggregate_type: str,
    aggregate_id: str,
    occurred_at: datetime | None = None,
) -> Envelope:
    """An event that is the whole stream of its own aggregate (a reminder, a hand-over)."""
    return new_envelope(
        event,
        tenant_id=tenant_id,
        aggregate_type=aggregate_type,
        aggregate_id=aggregate_id,
        aggregate_version=1,
        clock=rt.clock,
        producer=rt.definition.name,
        partition_key=f"{tenant_id}:{debtor_ref}",
        occurred_at=occurred_at,
    )


async def load(session: AsyncSession, rt: Runtime, cls: type[A], tenant_id: str, key: str) -> A:
    aggregate = cls(tenant_id, key)
    for env in await rt.store.load(session, stream_id(cls.aggregate_type, tenant_id, key)):
        aggregate.replay(env.decode(rt.registry), env.aggregate_version)
    return aggregate


def pending_envelopes(
    rt: Runtime, aggregate: DebtorAggregate, occurred_at: datetime | None = None
) -> list[Envelope]:
    """The aggregate's new events as envelopes (versions after the stored ones)."""
    base = aggregate.version - len(aggregate.pending)
    envelopes = [
        new_envelope(
            event,
            tenant_id=aggregate.tenant_id,
            aggregate_type=aggregate.aggregate_type,
            aggregate_id=aggregate.aggregate_id,
            aggregate_version=base + i,
            clock=rt.clock,
            producer=rt.definition.name,
            partition_key=f"{aggregate.tenant_id}:{aggregate.debtor_ref}",
            occurred_at=occurred_at,
        )
        for i, event in enumerate(aggregate.pending, start=1)
    ]
    aggregate.pending.clear()
    aggregate.stored_version = aggregate.version
    return envelopes

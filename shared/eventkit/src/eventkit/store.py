"""The event store: load a stream, append atomically with optimistic concurrency."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Row, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from eventkit.db import event_store
from eventkit.envelope import Envelope


class ConcurrencyError(Exception):
    """Another writer appended to the stream since it was loaded."""

    def __init__(self, stream_ids: Sequence[str]) -> None:
        self.stream_ids = list(stream_ids)
        super().__init__(f"concurrent append to {', '.join(self.stream_ids)}")


def _row(env: Envelope, recorded_at: datetime) -> dict[str, object]:
    return {
        "stream_id": env.stream_id,
        "version": env.aggregate_version,
        "event_id": str(env.event_id),
        "event_type": env.type,
        "schema_version": env.schema_version,
        "tenant_id": env.tenant_id,
        "aggregate_type": env.aggregate_type,
        "aggregate_id": env.aggregate_id,
        "occurred_at": env.occurred_at,
        "recorded_at": recorded_at,
        "correlation_id": env.correlation_id,
        "causation_id": env.causation_id,
        "producer": env.producer,
        "partition_key": env.partition_key,
        "payload": env.payload,
    }


def envelope_from_row(row: Row[Any]) -> Envelope:
    m = row._mapping
    return Envelope(
        event_id=UUID(m["event_id"]),
        type=m["event_type"],
        schema_version=m["schema_version"],
        tenant_id=m["tenant_id"],
        aggregate_type=m["aggregate_type"],
        aggregate_id=m["aggregate_id"],
        aggregate_version=m["version"],
        occurred_at=m["occurred_at"],
        correlation_id=m["correlation_id"],
        causation_id=m["causation_id"],
        producer=m["producer"],
        payload=m["payload"],
        partition_key=m["partition_key"],
    )


class SqlEventStore:
    """Event store on the service's own database (PostgreSQL or SQLite)."""

    async def append(
        self, session: AsyncSession, envelopes: Sequence[Envelope], recorded_at: datetime
    ) -> None:
        """Insert all envelopes in one statement. Versions must be the stream's next ones;
        a clash with a concurrent writer raises ``ConcurrencyError`` (the transaction is then
        unusable and must be rolled back by the caller)."""
        if not envelopes:
            return
        _check_contiguous(envelopes)
        try:
            async with session.begin_nested():
                await session.execute(
                    insert(event_store), [_row(e, recorded_at) for e in envelopes]
                )
        except IntegrityError as exc:
            raise ConcurrencyError(sorted({e.stream_id for e in envelopes})) from exc

    async def load(
        self, session: AsyncSession, stream: str, after_version: int = 0
    ) -> list[Envelope]:
        result = await session.execute(
            select(event_store)
            .where(event_store.c.stream_id == stream, event_store.c.version > after_version)
            .order_by(event_store.c.version)
        )
        return [envelope_from_row(r) for r in result]

    async def current_version(self, session: AsyncSession, stream: str) -> int:
        result = await session.execute(
            select(event_store.c.version)
            .where(event_store.c.stream_id == stream)
            .order_by(event_store.c.version.desc())
            .limit(1)
        )
        return result.scalar_one_or_none() or 0

    async def read_all(
        self, session: AsyncSession, after_position: int = 0, limit: int = 1000
    ) -> list[tuple[int, Envelope]]:
        """Every event in commit-independent position order (rebuilds of own projections)."""
        result = await session.execute(
            select(event_store)
            .where(event_store.c.position > after_position)
            .order_by(event_store.c.position)
            .limit(limit)
        )
        return [(r.position, envelope_from_row(r)) for r in result]


def _check_contiguous(envelopes: Sequence[Envelope]) -> None:
    last: dict[str, int] = {}
    for env in envelopes:
        previous = last.get(env.stream_id)
        if previous is not None and env.aggregate_version != previous + 1:
            raise ValueError(f"versions of {env.stream_id} are not contiguous")
        last[env.stream_id] = env.aggregate_version

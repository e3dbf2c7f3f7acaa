"""Unit of work: aggregates' new events, their outbox rows and inline read models are
committed in one transaction."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from types import TracebackType
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from eventkit.aggregate import Aggregate
from eventkit.clock import Clock
from eventkit.db import Database
from eventkit.envelope import Envelope, new_envelope, stream_id
from eventkit.events import EventRegistry
from eventkit.outbox import OutboxWriter
from eventkit.store import ConcurrencyError, SqlEventStore

A = TypeVar("A", bound=Aggregate)
T = TypeVar("T")


class EventWriter:
    """Appends envelopes to the event store and the outbox within the caller's transaction."""

    def __init__(self, store: SqlEventStore, outbox: OutboxWriter, clock: Clock) -> None:
        self.store = store
        self.outbox = outbox
        self.clock = clock

    async def write(self, session: AsyncSession, envelopes: Sequence[Envelope]) -> None:
        now = self.clock.now()
        await self.store.append(session, envelopes, now)
        await self.outbox.add(session, envelopes, now)


class UnitOfWork:
    def __init__(
        self,
        db: Database,
        writer: EventWriter,
        registry: EventRegistry,
        *,
        producer: str,
        partition_key: Callable[[Aggregate], str] | None = None,
        session: AsyncSession | None = None,
    ) -> None:
        """With ``session``, the unit of work joins that transaction (a consumer handler's):
        it writes its events there and leaves the commit to the owner."""
        self._joined = session
        self._db = db
        self._writer = writer
        self._registry = registry
        self._producer = producer
        self._partition_key = partition_key
        self._tracked: list[Aggregate] = []
        self._tracked_ids: set[int] = set()
        self._extra: list[Envelope] = []
        self._cm: AbstractAsyncContextManager[AsyncSession] | None = None
        self.session: AsyncSession
        self.committed_envelopes: list[Envelope] = []

    @property
    def clock(self) -> Clock:
        return self._writer.clock

    async def __aenter__(self) -> UnitOfWork:
        if self._joined is not None:
            self.session = self._joined
            return self
        self._cm = self._db.transaction()
        self.session = await self._cm.__aenter__()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._joined is not None:
            if exc is None:
                await self._flush_events()
                # the owner commits; the relay's poll (or NOTIFY) picks the rows up then
            return
        cm = self._cm
        if cm is None:
            raise RuntimeError("unit of work was not entered")
        if exc is None:
            try:
                await self._flush_events()
            except BaseException as flush_exc:
                await cm.__aexit__(type(flush_exc), flush_exc, flush_exc.__traceback__)
                raise
        await cm.__aexit__(exc_type, exc, tb)
        if exc is None and self.committed_envelopes:
            self._writer.outbox.committed()

    async def load(self, cls: type[A], tenant_id: str, aggregate_id: str) -> A:
        aggregate = cls(tenant_id, aggregate_id)
        envelopes = await self._writer.store.load(
            self.session, stream_id(cls.aggregate_type, tenant_id, aggregate_id)
        )
        for env in envelopes:
            aggregate.replay(env.decode(self._registry), env.aggregate_version)
        self.track(aggregate)
        return aggregate

    def track(self, aggregate: Aggregate) -> None:
        if id(aggregate) not in self._tracked_ids:
            self._tracked_ids.add(id(aggregate))
            self._tracked.append(aggregate)

    def emit(self, envelopes: Sequence[Envelope]) -> None:
        """Envelopes built outside an aggregate (set-based sweeps)."""
        self._extra.extend(envelopes)

    def envelopes_of(self, aggregate: Aggregate) -> list[Envelope]:
        base = aggregate.version - len(aggregate.pending)
        key = self._partition_key(aggregate) if self._partition_key else None
        return [
            new_envelope(
                event,
                tenant_id=aggregate.tenant_id,
                aggregate_type=aggregate.aggregate_type,
                aggregate_id=aggregate.aggregate_id,
                aggregate_version=base + i,
                clock=self.clock,
                producer=self._producer,
                partition_key=key,
            )
            for i, event in enumerate(aggregate.pending, start=1)
        ]

    async def _flush_events(self) -> None:
        envelopes: list[Envelope] = []
        for aggregate in self._tracked:
            envelopes.extend(self.envelopes_of(aggregate))
        envelopes.extend(self._extra)
        await self._writer.write(self.session, envelopes)
        for aggregate in self._tracked:
            aggregate.pending.clear()
            aggregate.stored_version = aggregate.version
        self.committed_envelopes = envelopes


async def retry_on_conflict(attempt: Callable[[], Awaitable[T]], *, attempts: int = 5) -> T:
    """Run a command again after a ``ConcurrencyError`` (it reloads the aggregates)."""
    for remaining in range(attempts, 0, -1):
        try:
            return await attempt()
        except ConcurrencyError:
            if remaining == 1:
                raise
    raise AssertionError("unreachable")

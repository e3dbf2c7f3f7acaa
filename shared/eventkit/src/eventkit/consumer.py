"""Kafka consumer loop with exactly-once effects on the service database.

Per batch and partition: the effects, the inbox rows and the checkpoint are committed in one
database transaction; only then is the Kafka offset committed. On (re)assignment the consumer
seeks to the database checkpoint, so the database (not the broker) decides where to resume and a
rebalance can at worst deliver a record twice, which the inbox absorbs. A record that keeps
failing is retried with backoff a bounded number of times, then sent to ``<group>.dlq``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, TopicPartition
from sqlalchemy import Table, delete
from sqlalchemy.ext.asyncio import AsyncSession

from eventkit.clock import Clock, SystemClock
from eventkit.codec import UndecodableMessage, decode
from eventkit.context import causation_id_var, correlation_id_var, tenant_id_var
from eventkit.db import Database
from eventkit.envelope import Envelope
from eventkit.inbox import load_checkpoints, mark_processed, reset_group, save_checkpoint
from eventkit.kafka import Publisher
from eventkit.topics import dlq_topic

log = logging.getLogger(__name__)

Handler = Callable[[AsyncSession, Envelope], Awaitable[None]]


@dataclass(frozen=True)
class Subscription:
    """A consumer group, its topics and the handler applied to every event."""

    group: str
    topics: Sequence[str]
    handler: Handler
    after_commit: Callable[[Sequence[Envelope]], Awaitable[None]] | None = None
    # The read-model tables this group alone writes; a rebuild empties them and replays.
    projection_tables: Sequence[Table] = ()


@dataclass
class ConsumerStats:
    processed: int = 0
    duplicates: int = 0
    dead_lettered: int = 0
    retries: int = 0
    positions: dict[str, int] = field(default_factory=dict)


class _SeekToCheckpoint(ConsumerRebalanceListener):  # type: ignore[misc]  # aiokafka is untyped
    def __init__(self, owner: EventConsumer) -> None:
        self._owner = owner

    async def on_partitions_revoked(self, revoked: Any) -> None:
        return None

    async def on_partitions_assigned(self, assigned: Any) -> None:
        await self._owner.seek_to_checkpoints(list(assigned))


class EventConsumer:
    def __init__(
        self,
        db: Database,
        subscription: Subscription,
        *,
        bootstrap_servers: str,
        publisher: Publisher,
        client_id: str = "",
        max_retries: int = 5,
        retry_backoff: float = 0.2,
        max_batch: int = 500,
        session_timeout_ms: int = 10000,
        clock: Clock | None = None,
    ) -> None:
        self._session_timeout_ms = session_timeout_ms
        self._db = db
        self.subscription = subscription
        self._bootstrap = bootstrap_servers
        self._publisher = publisher
        self._client_id = client_id or subscription.group
        self._max_retries = max_retries
        self._backoff = retry_backoff
        self._max_batch = max_batch
        self._clock = clock or SystemClock()
        self._consumer: Any = None
        self.stats = ConsumerStats()
        self.assigned = asyncio.Event()

    @property
    def group(self) -> str:
        return self.subscription.group

    async def seek_to_checkpoints(self, partitions: list[Any]) -> None:
        if self._consumer is None:  # stopping: the new owner seeks for itself
            return
        # aiokafka may start fetching from the broker's committed offsets while we read the
        # database; pause until the positions come from our own checkpoints.
        self._consumer.pause(*partitions)
        async with self._db.reading() as session:
            checkpoints = await load_checkpoints(session, self.group)
        consumer = self._consumer
        if consumer is None:
            return
        for tp in partitions:
            offset = checkpoints.get((tp.topic, tp.partition))
            if offset is None:
                await consumer.seek_to_beginning(tp)
            else:
                consumer.seek(tp, offset + 1)
        consumer.resume(*partitions)
        if partitions:
            self.assigned.set()

    async def start(self) -> None:
        self._consumer = AIOKafkaConsumer(
            bootstrap_servers=self._bootstrap,
            group_id=self.group,
            client_id=self._client_id,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_poll_records=self._max_batch,
            session_timeout_ms=self._session_timeout_ms,
            heartbeat_interval_ms=max(100, self._session_timeout_ms // 6),
            metadata_max_age_ms=5000,
            # The broker answers a fetch as soon as data is there; the wait only bounds how long
            # an idle fetch is held, which is also the latency of the next record.
            fetch_max_wait_ms=100,
        )
        await self._consumer.start()
        self._consumer.subscribe(list(self.subscription.topics), listener=_SeekToCheckpoint(self))

    async def stop(self) -> None:
        if self._consumer is not None:
            consumer, self._consumer = self._consumer, None
            with contextlib.suppress(Exception):
                await consumer.stop()

    async def run(self, stop: asyncio.Event) -> None:
        backoff = self._backoff
        while not stop.is_set():
            try:
                if self._consumer is None:
                    await self.start()
                batches = await self._consumer.getmany(timeout_ms=200, max_records=self._max_batch)
                for tp, records in batches.items():
                    if records:
                        await self._process(tp, records)
                backoff = self._backoff
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("consumer %s failed; restarting", self.group)
                await self.stop()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=backoff)
                backoff = min(backoff * 2, 5.0)
        await self.stop()

    async def _process(self, tp: Any, records: Sequence[Any]) -> None:
        decoded: list[tuple[Any, Envelope | None]] = []
        for record in records:
            try:
                decoded.append((record, decode(record.headers, record.value)))
            except UndecodableMessage:
                decoded.append((record, None))
        handled: list[Envelope] = []
        if all(env is not None for _, env in decoded):
            try:
                handled = await self._apply(tp, decoded)
            except Exception:
                log.warning("batch on %s failed; handling records one by one", tp, exc_info=True)
                handled = await self._one_by_one(tp, decoded)
        else:
            handled = await self._one_by_one(tp, decoded)
        last = records[-1].offset
        self.stats.positions[f"{tp.topic}:{tp.partition}"] = last
        await self._commit_offset(tp, last + 1)
        if handled and self.subscription.after_commit is not None:
            try:
                await self.subscription.after_commit(handled)
            except Exception:
                log.exception("after-commit hook of %s failed", self.group)

    async def _apply(self, tp: Any, items: Sequence[tuple[Any, Envelope | None]]) -> list[Envelope]:
        handled: list[Envelope] = []
        duplicates = 0
        async with self._db.transaction() as session:
            now = self._clock.now()
            for _record, env in items:
                if env is None:
                    raise UndecodableMessage("record is not an event of this product")
                if not await mark_processed(session, self.group, str(env.event_id), now):
                    duplicates += 1
                    continue
                tokens = (
                    correlation_id_var.set(env.correlation_id),
                    causation_id_var.set(str(env.event_id)),
                    tenant_id_var.set(env.tenant_id),
                )
                try:
                    await self.subscription.handler(session, env)
                finally:
                    correlation_id_var.reset(tokens[0])
                    causation_id_var.reset(tokens[1])
                    tenant_id_var.reset(tokens[2])
                handled.append(env)
            await save_checkpoint(
                session, self.group, tp.topic, tp.partition, items[-1][0].offset, now
            )
        self.stats.processed += len(handled)
        self.stats.duplicates += duplicates
        return handled

    async def _one_by_one(
        self, tp: Any, items: Sequence[tuple[Any, Envelope | None]]
    ) -> list[Envelope]:
        handled: list[Envelope] = []
        for record, env in items:
            attempt = 0
            while True:
                try:
                    if env is None:
                        raise UndecodableMessage("record is not an event of this product")
                    handled.extend(await self._apply(tp, [(record, env)]))
                    break
                except UndecodableMessage as exc:
                    await self._dead_letter(tp, record, env, exc)
                    break
                except Exception as exc:
                    attempt += 1
                    self.stats.retries += 1
                    if attempt >= self._max_retries:
                        log.error(
                            "event %s failed %d times in %s; dead-lettering",
                            env.event_id if env else "?",
                            attempt,
                            self.group,
                            exc_info=True,
                        )
                        await self._dead_letter(tp, record, env, exc)
                        break
                    await asyncio.sleep(self._backoff * (2 ** (attempt - 1)))
        return handled

    async def _dead_letter(
        self, tp: Any, record: Any, env: Envelope | None, error: BaseException
    ) -> None:
        headers = list(record.headers or ())
        headers += [
            ("dlq_error", repr(error)[:1000].encode()),
            ("dlq_topic", tp.topic.encode()),
            ("dlq_partition", str(tp.partition).encode()),
            ("dlq_offset", str(record.offset).encode()),
            ("dlq_group", self.group.encode()),
        ]
        delay = self._backoff
        while True:  # a dead letter must not be lost: keep trying until the broker takes it
            try:
                await self._publisher.send_and_wait(
                    dlq_topic(self.group),
                    key=(record.key or b"").decode(errors="replace"),
                    value=record.value or b"",
                    headers=headers,
                )
                break
            except Exception:
                log.exception("could not write dead letter for %s; retrying", self.group)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
        async with self._db.transaction() as session:
            now = self._clock.now()
            if env is not None:
                await mark_processed(session, self.group, str(env.event_id), now)
            await save_checkpoint(session, self.group, tp.topic, tp.partition, record.offset, now)
        self.stats.dead_lettered += 1

    async def _commit_offset(self, tp: Any, offset: int) -> None:
        try:
            await self._consumer.commit({TopicPartition(tp.topic, tp.partition): offset})
        except Exception:
            # The database checkpoint is authoritative; a lost broker commit costs nothing.
            log.warning("offset commit failed for %s %s", self.group, tp, exc_info=True)


async def rebuild_projection(db: Database, subscription: Subscription) -> None:
    """Forget what the group consumed and empty its tables, in one transaction. The group's
    next start replays its topics from the beginning (event topics keep their history)."""
    async with db.transaction() as session:
        for table in subscription.projection_tables:
            await session.execute(delete(table))
        await reset_group(session, subscription.group)

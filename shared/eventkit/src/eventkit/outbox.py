"""Transactional outbox: events and their Kafka records are written in the command's
transaction; the relay publishes them afterwards in id order and marks them after the ack."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from eventkit.clock import Clock, SystemClock
from eventkit.codec import encode_value, header_pairs, to_kafka_headers
from eventkit.db import Database, affected, dialect_of, outbox, service_lease
from eventkit.envelope import Envelope
from eventkit.kafka import Publisher

log = logging.getLogger(__name__)

TopicRouter = Callable[[Envelope], str]


def router_from_map(topics: Mapping[str, str]) -> TopicRouter:
    """Route by aggregate type (``{"invoice": "invoicing.invoice.events"}``)."""

    def route(env: Envelope) -> str:
        try:
            return topics[env.aggregate_type]
        except KeyError as exc:
            raise LookupError(f"no topic for aggregate type {env.aggregate_type!r}") from exc

    return route


def notify_channel(service: str) -> str:
    return "outbox_" + "".join(ch if ch.isalnum() else "_" for ch in service)


class OutboxWriter:
    def __init__(self, router: TopicRouter, service: str) -> None:
        self._router = router
        self._channel = notify_channel(service)
        self.wakeup = asyncio.Event()

    async def add(
        self, session: AsyncSession, envelopes: Sequence[Envelope], created_at: datetime
    ) -> None:
        if not envelopes:
            return
        rows = [
            {
                "event_id": str(env.event_id),
                "topic": self._router(env),
                "partition_key": env.partition_key,
                "headers": header_pairs(env),
                "value": encode_value(env),
                "created_at": created_at,
                "published_at": None,
            }
            for env in envelopes
        ]
        await session.execute(insert(outbox), rows)
        if dialect_of(session) == "postgresql":
            await session.execute(text(f"NOTIFY {self._channel}"))

    def committed(self) -> None:
        """Called after the transaction commits: wake the in-process relay at once."""
        self.wakeup.set()


class Lease:
    """One active relay per service: a row whose holder renews it before it expires."""

    def __init__(self, db: Database, name: str, ttl: timedelta, clock: Clock | None = None):
        self._db = db
        self._name = name
        self._ttl = ttl
        self._clock = clock or SystemClock()
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{id(self)}"

    async def acquire(self) -> bool:
        now = self._clock.now()
        async with self._db.transaction() as session:
            result = await session.execute(
                update(service_lease)
                .where(
                    service_lease.c.name == self._name,
                    (service_lease.c.holder == self.holder) | (service_lease.c.expires_at < now),
                )
                .values(holder=self.holder, expires_at=now + self._ttl)
            )
            if affected(result):
                return True
            exists = await session.scalar(
                select(func.count()).where(service_lease.c.name == self._name)
            )
            if exists:
                return False
            await session.execute(
                insert(service_lease).values(
                    name=self._name, holder=self.holder, expires_at=now + self._ttl
                )
            )
            return True

    async def release(self) -> None:
        async with self._db.transaction() as session:
            await session.execute(
                update(service_lease)
                .where(service_lease.c.name == self._name, service_lease.c.holder == self.holder)
                .values(expires_at=self._clock.now() - timedelta(seconds=1))
            )


class OutboxRelay:
    def __init__(
        self,
        db: Database,
        publisher: Publisher,
        writer: OutboxWriter,
        *,
        service: str,
        batch_size: int = 500,
        poll_seconds: float = 0.2,
        lease_seconds: float = 10.0,
        clock: Clock | None = None,
    ) -> None:
        self._db = db
        self._publisher = publisher
        self._writer = writer
        self._service = service
        self._batch_size = batch_size
        self._poll = poll_seconds
        self._clock = clock or SystemClock()
        self.lease = Lease(db, f"outbox-relay:{service}", timedelta(seconds=lease_seconds))
        self.published_total = 0

    async def backlog(self) -> int:
        async with self._db.reading() as session:
            count = await session.scalar(
                select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
            )
            return int(count or 0)

    async def publish_pending(self) -> int:
        """Publish one batch in id order; mark only what the broker acknowledged, in order."""
        async with self._db.reading() as session:
            rows = (
                await session.execute(
                    select(outbox)
                    .where(outbox.c.published_at.is_(None))
                    .order_by(outbox.c.id)
                    .limit(self._batch_size)
                )
            ).all()
        if not rows:
            return 0
        futures: list[asyncio.Future[Any]] = []
        for row in rows:
            futures.append(
                await self._publisher.send(
                    row.topic,
                    key=row.partition_key,
                    value=row.value.encode(),
                    headers=to_kafka_headers(row.headers),
                )
            )
        results = await asyncio.gather(*futures, return_exceptions=True)
        acked: list[int] = []
        failure: BaseException | None = None
        for row, result in zip(rows, results, strict=True):
            if isinstance(result, BaseException):
                failure = result
                break
            acked.append(row.id)
        if acked:
            async with self._db.transaction() as session:
                await session.execute(
                    update(outbox)
                    .where(outbox.c.id.in_(acked))
                    .values(published_at=self._clock.now())
                )
            self.published_total += len(acked)
        if failure is not None:
            raise failure
        return len(acked)

    async def run(self, stop: asyncio.Event) -> None:
        listener = await self._listen()
        backoff = self._poll
        try:
            while not stop.is_set():
                # Clear before reading the outbox: a commit landing during the publish then
                # still wakes the next round instead of waiting for the poll.
                self._writer.wakeup.clear()
                try:
                    if await self.lease.acquire():
                        while await self.publish_pending() >= self._batch_size:
                            await self.lease.acquire()
                    backoff = self._poll
                except Exception:
                    log.exception("outbox relay failed; retrying")
                    backoff = min(backoff * 2, 5.0)
                await _wait_any(stop, self._writer.wakeup, backoff)
        finally:
            if listener is not None:
                with contextlib.suppress(Exception):
                    await listener.close()
            with contextlib.suppress(Exception):
                await self.lease.release()

    async def _listen(self) -> Any:
        """On PostgreSQL, LISTEN so that commits from any process wake the relay."""
        if self._db.is_sqlite:
            return None
        import asyncpg

        url = self._db.engine.url.set(drivername="postgresql")
        try:
            conn = await asyncpg.connect(url.render_as_string(hide_password=False))
            await conn.add_listener(
                notify_channel(self._service), lambda *_: self._writer.wakeup.set()
            )
            return conn
        except Exception:
            log.warning("LISTEN unavailable; relying on polling", exc_info=True)
            return None


async def _wait_any(stop: asyncio.Event, wake: asyncio.Event, seconds: float) -> None:
    tasks = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(wake.wait())]
    try:
        await asyncio.wait(tasks, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()

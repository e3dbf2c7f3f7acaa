"""Contract test suites every storage backend must pass (event store, outbox, inbox).

Subclass a suite in a test module and provide an async ``db`` fixture yielding an
``eventkit.db.Database`` whose infrastructure tables exist; pytest collects the inherited tests.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from eventkit.clock import SimulatedClock
from eventkit.db import Database, outbox
from eventkit.envelope import Envelope, new_envelope, stream_id
from eventkit.events import DomainEvent
from eventkit.inbox import load_checkpoints, mark_processed, reset_group, save_checkpoint
from eventkit.outbox import OutboxRelay, OutboxWriter
from eventkit.store import ConcurrencyError, SqlEventStore
from eventkit.testing.fakes import FakePublisher

CLOCK = SimulatedClock(datetime(2026, 1, 5, 9, 0, tzinfo=UTC))


class Noted(DomainEvent):
    event_type = "test.Noted"
    text: str


def envelopes(aggregate_id: str, versions: range, tenant: str = "t1") -> list[Envelope]:
    return [
        new_envelope(
            Noted(text=f"note {v}"),
            tenant_id=tenant,
            aggregate_type="note",
            aggregate_id=aggregate_id,
            aggregate_version=v,
            clock=CLOCK,
            producer="test",
        )
        for v in versions
    ]


def fresh_id() -> str:
    return uuid.uuid4().hex


class EventStoreContract:
    store = SqlEventStore()

    async def test_appended_events_load_in_version_order(self, db: Database) -> None:
        aid = fresh_id()
        async with db.transaction() as s:
            await self.store.append(s, envelopes(aid, range(1, 4)), CLOCK.now())
        async with db.reading() as s:
            loaded = await self.store.load(s, stream_id("note", "t1", aid))
            assert [e.aggregate_version for e in loaded] == [1, 2, 3]
            assert loaded[0].payload == {"text": "note 1"}
            assert loaded[0].occurred_at.tzinfo is not None
            assert await self.store.current_version(s, stream_id("note", "t1", aid)) == 3

    async def test_streams_are_tenant_scoped(self, db: Database) -> None:
        aid = fresh_id()
        async with db.transaction() as s:
            await self.store.append(s, envelopes(aid, range(1, 2), tenant="a"), CLOCK.now())
            await self.store.append(s, envelopes(aid, range(1, 2), tenant="b"), CLOCK.now())
        async with db.reading() as s:
            assert len(await self.store.load(s, stream_id("note", "a", aid))) == 1
            assert len(await self.store.load(s, stream_id("note", "b", aid))) == 1

    async def test_expected_version_clash_raises_concurrency_error(self, db: Database) -> None:
        aid = fresh_id()
        async with db.transaction() as s:
            await self.store.append(s, envelopes(aid, range(1, 2)), CLOCK.now())
        with pytest.raises(ConcurrencyError):
            async with db.transaction() as s:
                await self.store.append(s, envelopes(aid, range(1, 2)), CLOCK.now())
        async with db.reading() as s:
            assert len(await self.store.load(s, stream_id("note", "t1", aid))) == 1

    async def test_concurrent_appends_one_wins(self, db: Database) -> None:
        aid = fresh_id()

        async def writer(text: str) -> str:
            try:
                async with db.transaction() as s:
                    version = await self.store.current_version(s, stream_id("note", "t1", aid))
                    batch = envelopes(aid, range(version + 1, version + 2))
                    await asyncio.sleep(0.05)  # both writers read version 0 before appending
                    await self.store.append(s, batch, CLOCK.now())
                return "ok"
            except ConcurrencyError:
                return "conflict"

        results = await asyncio.gather(*(writer(str(i)) for i in range(5)))
        async with db.reading() as s:
            versions = [
                e.aggregate_version for e in await self.store.load(s, stream_id("note", "t1", aid))
            ]
        assert versions == list(range(1, results.count("ok") + 1))
        assert results.count("ok") >= 1
        if not db.is_sqlite:  # SQLite serialises writers (BEGIN IMMEDIATE): no clash possible
            assert results.count("ok") == 1

    async def test_append_is_atomic(self, db: Database) -> None:
        aid = fresh_id()
        async with db.transaction() as s:
            await self.store.append(s, envelopes(aid, range(1, 3)), CLOCK.now())
        with pytest.raises(ConcurrencyError):
            async with db.transaction() as s:
                # versions 3 and 4 are new, 2 clashes: none of them may be stored
                batch = envelopes(aid, range(2, 5))
                await self.store.append(s, batch, CLOCK.now())
        async with db.reading() as s:
            assert len(await self.store.load(s, stream_id("note", "t1", aid))) == 2

    async def test_non_contiguous_batch_is_refused(self, db: Database) -> None:
        batch = envelopes(fresh_id(), range(1, 2)) + envelopes(fresh_id(), range(1, 2))
        bad = [batch[0], batch[0].with_version(3)]
        with pytest.raises(ValueError):
            async with db.transaction() as s:
                await self.store.append(s, bad, CLOCK.now())


class OutboxContract:
    async def _write(self, db: Database, writer: OutboxWriter, count: int) -> list[Envelope]:
        batch = envelopes(fresh_id(), range(1, count + 1))
        async with db.transaction() as s:
            await SqlEventStore().append(s, batch, CLOCK.now())
            await writer.add(s, batch, CLOCK.now())
        return batch

    def _relay(self, db: Database, publisher: FakePublisher, writer: OutboxWriter) -> OutboxRelay:
        return OutboxRelay(db, publisher, writer, service=f"svc-{fresh_id()}", batch_size=50)

    async def _drain(self, relay: OutboxRelay) -> None:
        while await relay.publish_pending():
            pass

    async def test_relay_publishes_in_id_order_and_marks_published(self, db: Database) -> None:
        writer = OutboxWriter(lambda env: "topic.a", "svc")
        publisher = FakePublisher()
        relay = self._relay(db, publisher, writer)
        await self._drain(relay)  # earlier tests' rows
        publisher.sent.clear()
        batch = await self._write(db, writer, 120)
        await self._drain(relay)
        assert publisher.ids() == [str(e.event_id) for e in batch]
        assert await relay.backlog() == 0
        headers = dict(publisher.sent[0].headers)
        assert headers["ce_type"] == b"test.Noted"
        assert headers["ce_specversion"] == b"1.0"

    async def test_broker_failure_loses_nothing_and_keeps_order(self, db: Database) -> None:
        writer = OutboxWriter(lambda env: "topic.a", "svc")
        publisher = FakePublisher()
        relay = self._relay(db, publisher, writer)
        await self._drain(relay)
        publisher.sent.clear()
        batch = await self._write(db, writer, 30)
        publisher.fail_after = 10  # the broker goes away after 10 acks
        with pytest.raises(ConnectionError):
            await relay.publish_pending()
        assert await relay.backlog() == 20
        publisher.reset_failures()
        await self._drain(relay)
        assert publisher.ids() == [str(e.event_id) for e in batch]
        assert await relay.backlog() == 0

    async def test_crash_between_publish_and_mark_republishes(self, db: Database) -> None:
        """At-least-once: a relay that dies after the ack but before marking publishes again;
        consumers drop the duplicate through their inbox."""
        writer = OutboxWriter(lambda env: "topic.a", "svc")
        publisher = FakePublisher()
        relay = self._relay(db, publisher, writer)
        await self._drain(relay)
        publisher.sent.clear()
        batch = await self._write(db, writer, 5)
        original_transaction = db.transaction
        crashed = False

        def crashing_transaction():  # type: ignore[no-untyped-def]
            nonlocal crashed
            crashed = True
            raise RuntimeError("process died before marking")

        db.transaction = crashing_transaction  # type: ignore[method-assign]
        try:
            with pytest.raises(RuntimeError):
                await relay.publish_pending()
        finally:
            db.transaction = original_transaction  # type: ignore[method-assign]
        assert crashed and len(publisher.sent) == 5
        await self._drain(relay)
        ids = [str(e.event_id) for e in batch]
        assert publisher.ids() == ids + ids
        assert await relay.backlog() == 0

    async def test_rolled_back_command_leaves_no_outbox_row(self, db: Database) -> None:
        writer = OutboxWriter(lambda env: "topic.a", "svc")
        batch = envelopes(fresh_id(), range(1, 3))
        with pytest.raises(RuntimeError):
            async with db.transaction() as s:
                await writer.add(s, batch, CLOCK.now())
                raise RuntimeError("command failed")
        async with db.reading() as s:
            found = await s.scalar(
                select(func.count()).where(outbox.c.event_id.in_([str(e.event_id) for e in batch]))
            )
        assert found == 0

    async def test_only_one_relay_holds_the_lease(self, db: Database) -> None:
        writer = OutboxWriter(lambda env: "topic.a", "svc")
        service = f"svc-{fresh_id()}"
        first = OutboxRelay(db, FakePublisher(), writer, service=service)
        second = OutboxRelay(db, FakePublisher(), writer, service=service)
        assert await first.lease.acquire()
        assert not await second.lease.acquire()
        assert await first.lease.acquire()  # renewal
        await first.lease.release()
        assert await second.lease.acquire()


class InboxContract:
    async def test_second_delivery_is_recognised(self, db: Database) -> None:
        event_id = fresh_id()
        async with db.transaction() as s:
            assert await mark_processed(s, "g1", event_id, CLOCK.now())
        async with db.transaction() as s:
            assert not await mark_processed(s, "g1", event_id, CLOCK.now())
            assert await mark_processed(s, "g2", event_id, CLOCK.now())

    async def test_inbox_row_rolls_back_with_the_effect(self, db: Database) -> None:
        event_id = fresh_id()
        with pytest.raises(RuntimeError):
            async with db.transaction() as s:
                await mark_processed(s, "g1", event_id, CLOCK.now())
                raise RuntimeError("effect failed")
        async with db.transaction() as s:
            assert await mark_processed(s, "g1", event_id, CLOCK.now())

    async def test_checkpoint_never_moves_backwards(self, db: Database) -> None:
        group = f"g-{fresh_id()}"
        async with db.transaction() as s:
            await save_checkpoint(s, group, "t", 0, 10, CLOCK.now())
            await save_checkpoint(s, group, "t", 0, 7, CLOCK.now())
            await save_checkpoint(s, group, "t", 1, 3, CLOCK.now())
        async with db.reading() as s:
            assert await load_checkpoints(s, group) == {("t", 0): 10, ("t", 1): 3}
        async with db.transaction() as s:
            await reset_group(s, group)
        async with db.reading() as s:
            assert await load_checkpoints(s, group) == {}

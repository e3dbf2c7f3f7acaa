"""A unit of work joined to a caller's transaction writes there and commits with it."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from eventkit.db import Database, event_store, outbox
from eventkit.events import EventRegistry
from eventkit.outbox import OutboxWriter
from eventkit.store import SqlEventStore
from eventkit.testing.contracts import CLOCK, envelopes
from eventkit.uow import EventWriter, UnitOfWork


def writer() -> EventWriter:
    return EventWriter(SqlEventStore(), OutboxWriter(lambda env: "topic.a", "svc"), CLOCK)


async def counts(db: Database, ids: list[str]) -> tuple[int, int]:
    async with db.reading() as s:
        stored = await s.scalar(select(func.count()).where(event_store.c.event_id.in_(ids)))
        queued = await s.scalar(select(func.count()).where(outbox.c.event_id.in_(ids)))
    return int(stored or 0), int(queued or 0)


async def test_joined_unit_of_work_commits_and_rolls_back_with_its_owner(db: Database) -> None:
    kept = envelopes(uuid.uuid4().hex, range(1, 3))
    async with (
        db.transaction() as session,
        UnitOfWork(db, writer(), EventRegistry(), producer="t", session=session) as uow,
    ):
        uow.emit(kept)
    assert await counts(db, [str(e.event_id) for e in kept]) == (2, 2)

    dropped = envelopes(uuid.uuid4().hex, range(1, 3))
    with pytest.raises(RuntimeError):
        async with db.transaction() as session:
            async with UnitOfWork(
                db, writer(), EventRegistry(), producer="t", session=session
            ) as uow:
                uow.emit(dropped)
            raise RuntimeError("the consumer's effect failed after the events were written")
    assert await counts(db, [str(e.event_id) for e in dropped]) == (0, 0)

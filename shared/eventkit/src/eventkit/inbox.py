"""Idempotent consumption: an inbox row per (consumer group, event id), written in the same
transaction as the effect, and a per-partition checkpoint that only moves forward."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from eventkit.db import affected, dialect_of, inbox, projection_checkpoint


def _is_pg(session: AsyncSession) -> bool:
    return dialect_of(session) == "postgresql"


async def mark_processed(
    session: AsyncSession, group: str, event_id: str, processed_at: datetime
) -> bool:
    """Record the event as handled by ``group``. False when it was handled before."""
    values = {"consumer_group": group, "event_id": event_id, "processed_at": processed_at}
    keys = ["consumer_group", "event_id"]
    stmt = (
        pg_insert(inbox).values(values).on_conflict_do_nothing(index_elements=keys)
        if _is_pg(session)
        else sqlite_insert(inbox).values(values).on_conflict_do_nothing(index_elements=keys)
    )
    result = await session.execute(stmt)
    return affected(result) > 0


async def was_processed(session: AsyncSession, group: str, event_id: str) -> bool:
    found = await session.scalar(
        select(func.count()).where(inbox.c.consumer_group == group, inbox.c.event_id == event_id)
    )
    return bool(found)


async def save_checkpoint(
    session: AsyncSession, group: str, topic: str, partition: int, offset: int, at: datetime
) -> None:
    """Remember the last handled offset; never move it backwards (a revoked consumer finishing
    an old batch must not undo the new owner's progress)."""
    values = {
        "consumer_group": group,
        "topic": topic,
        "partition": partition,
        "offset": offset,
        "updated_at": at,
    }
    keys = ["consumer_group", "topic", "partition"]
    current = projection_checkpoint.c.offset
    if _is_pg(session):
        pg = pg_insert(projection_checkpoint).values(values)
        await session.execute(
            pg.on_conflict_do_update(
                index_elements=keys,
                set_={"offset": func.greatest(current, pg.excluded.offset), "updated_at": at},
            )
        )
    else:
        lite = sqlite_insert(projection_checkpoint).values(values)
        await session.execute(
            lite.on_conflict_do_update(
                index_elements=keys,
                set_={"offset": func.max(current, lite.excluded.offset), "updated_at": at},
            )
        )


async def load_checkpoints(session: AsyncSession, group: str) -> dict[tuple[str, int], int]:
    rows = await session.execute(
        select(
            projection_checkpoint.c.topic,
            projection_checkpoint.c.partition,
            projection_checkpoint.c.offset,
        ).where(projection_checkpoint.c.consumer_group == group)
    )
    return {(r.topic, r.partition): r.offset for r in rows}


async def reset_group(session: AsyncSession, group: str) -> None:
    """Forget everything ``group`` consumed (projection rebuild)."""
    await session.execute(delete(inbox).where(inbox.c.consumer_group == group))
    await session.execute(
        delete(projection_checkpoint).where(projection_checkpoint.c.consumer_group == group)
    )

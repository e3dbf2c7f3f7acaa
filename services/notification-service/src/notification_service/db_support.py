"""Small SQL helpers that read the same on PostgreSQL and SQLite."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from eventkit.db import dialect_of


async def upsert(
    session: AsyncSession, table: Table, values: dict[str, Any], *, key: Sequence[str]
) -> None:
    insert = pg_insert if dialect_of(session) == "postgresql" else sqlite_insert
    stmt = insert(table).values(**values)
    changes = {k: stmt.excluded[k] for k in values if k not in key}
    await session.execute(stmt.on_conflict_do_update(index_elements=list(key), set_=changes))

"""Writes of the dossier projection."""

from __future__ import annotations

from dataclasses import asdict

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from eventkit.db import dialect_of
from notification_service.domain.dossier import DossierEntry
from notification_service.projections.tables import dossier_entries

KEY = ["tenant_id", "event_id"]


async def record_entry(session: AsyncSession, entry: DossierEntry) -> None:
    """Insert the entry unless this tenant's dossier already holds the event."""
    insert = pg_insert if dialect_of(session) == "postgresql" else sqlite_insert
    stmt = insert(dossier_entries).values(asdict(entry))
    await session.execute(stmt.on_conflict_do_nothing(index_elements=KEY))

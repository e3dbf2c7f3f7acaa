"""Reading the debtor dossier, newest entry first, a page at a time."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from eventkit.api import FieldProblem, Problem, not_found
from notification_service.projections.tables import dossier_entries as d


def _entry_view(row: Any) -> dict[str, Any]:
    return {
        "event_id": row.event_id,
        "type": row.event_type,
        "occurred_at": row.occurred_at,
        "aggregate_type": row.aggregate_type,
        "aggregate_id": row.aggregate_id,
        "summary": row.summary,
        "payload": row.payload,
        "correlation_id": row.correlation_id,
    }


async def read_dossier(
    session: AsyncSession, tenant_id: str, debtor_ref: str, *, limit: int, before: str | None
) -> dict[str, Any]:
    """Entries ordered by (occurred_at, event_id) descending. ``before`` is the event id of the
    last entry of the previous page; the page continues with the entries older than it."""
    of_debtor = (d.c.tenant_id == tenant_id, d.c.debtor_ref == debtor_ref)
    query = select(d).where(*of_debtor)
    if before is not None:
        cursor = (
            await session.execute(
                select(d.c.occurred_at, d.c.event_id).where(*of_debtor, d.c.event_id == before)
            )
        ).first()
        if cursor is None:
            await _require_debtor(session, tenant_id, debtor_ref)
            raise Problem(
                422,
                "Invalid request",
                "the cursor names no entry of this dossier",
                kind="validation",
                errors=[FieldProblem("before", "no entry with this event id", "query")],
            )
        query = query.where(
            or_(
                d.c.occurred_at < cursor.occurred_at,
                and_(d.c.occurred_at == cursor.occurred_at, d.c.event_id < cursor.event_id),
            )
        )
    query = query.order_by(d.c.occurred_at.desc(), d.c.event_id.desc()).limit(limit)
    rows = (await session.execute(query)).all()
    if not rows and before is None:  # no entry at all: the service never heard of this debtor
        raise not_found("debtor", debtor_ref)
    return {"debtor_ref": debtor_ref, "entries": [_entry_view(r) for r in rows]}


async def _require_debtor(session: AsyncSession, tenant_id: str, debtor_ref: str) -> None:
    known = await session.scalar(
        select(exists().where(d.c.tenant_id == tenant_id, d.c.debtor_ref == debtor_ref))
    )
    if not known:
        raise not_found("debtor", debtor_ref)

"""Reading the debtor dossier, newest entry first, a page at a time."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from eventkit.api import FieldProblem, Problem, not_found
from notification_service.projections.tables import dossier_entries as d
from notification_service.projections.tables import message_attempts, messages


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
    told = await read_messages(session, tenant_id, debtor_ref) if before is None else []
    return {
        "debtor_ref": debtor_ref,
        "entries": [_entry_view(r) for r in rows],
        "messages": told,
    }


async def _require_debtor(session: AsyncSession, tenant_id: str, debtor_ref: str) -> None:
    known = await session.scalar(
        select(exists().where(d.c.tenant_id == tenant_id, d.c.debtor_ref == debtor_ref))
    )
    if not known:
        raise not_found("debtor", debtor_ref)


# --- messages ------------------------------------------------------------------------------


def message_view(
    row: Any, attempts: list[Any] | None = None, *, full: bool = False
) -> dict[str, Any]:
    """A message as the dossier shows it: content, channel, state, times and proof."""
    view: dict[str, Any] = {
        "message_id": row.message_id,
        "debtor_ref": row.debtor_ref,
        "channel": row.channel,
        "recipient": row.recipient,
        "status": row.status,
        "template_key": row.template_key,
        "language": row.language,
        "subject": row.subject,
        "text": row.body_text,
        "caused_by": {"event_id": row.caused_by, "type": row.cause_type, "key": row.cause_key},
        "correlation_id": row.correlation_id,
        "created_at": row.created_at,
        "sent_at": row.sent_at,
        "delivered_at": row.delivered_at,
        "failed_at": row.failed_at,
        "failure_reason": row.failure_reason,
        "attempts": row.attempts,
        "proof": row.proof,
        "pdf_sha256": row.pdf_sha256 if row.channel in ("email", "letter") else None,
        "pdf_url": (
            f"/v1/messages/{row.message_id}/pdf"
            if row.pdf_sha256 and row.channel in ("email", "letter")
            else None
        ),
        "fallback_of": row.fallback_of,
        "fallback_channels": row.fallback_channels,
    }
    if attempts is not None:
        view["attempt_log"] = [
            {
                "attempt": a.attempt,
                "at": a.at,
                "outcome": a.outcome,
                "status_code": a.status_code,
                "detail": a.detail,
            }
            for a in attempts
        ]
    if full:
        view["html"] = row.body_html
    return view


async def attempts_of(session: AsyncSession, message_ids: list[str]) -> dict[str, list[Any]]:
    a = message_attempts
    found: dict[str, list[Any]] = {mid: [] for mid in message_ids}
    if not message_ids:
        return found
    rows = (
        await session.execute(
            select(a).where(a.c.message_id.in_(message_ids)).order_by(a.c.message_id, a.c.attempt)
        )
    ).all()
    for r in rows:
        found[r.message_id].append(r)
    return found


async def read_messages(
    session: AsyncSession, tenant_id: str, debtor_ref: str, *, limit: int = 500
) -> list[dict[str, Any]]:
    msg = messages
    columns = [c for c in msg.c if c.name != "pdf"]
    rows = (
        await session.execute(
            select(*columns)
            .where(msg.c.tenant_id == tenant_id, msg.c.debtor_ref == debtor_ref)
            .order_by(msg.c.created_at.desc(), msg.c.message_id)
            .limit(limit)
        )
    ).all()
    attempts = await attempts_of(session, [r.message_id for r in rows])
    return [message_view(r, attempts[r.message_id]) for r in rows]


async def read_message(session: AsyncSession, tenant_id: str, message_id: str) -> dict[str, Any]:
    msg = messages
    columns = [c for c in msg.c if c.name != "pdf"]
    row = (
        await session.execute(
            select(*columns).where(msg.c.tenant_id == tenant_id, msg.c.message_id == message_id)
        )
    ).first()
    if row is None:
        raise not_found("message", message_id)
    attempts = await attempts_of(session, [message_id])
    return message_view(row, attempts[message_id], full=True)

"""What people do with messages: report a delivery or bounce, resolve a flagged message."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Literal

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from contracts.notification import NotificationFailed
from eventkit.api import FieldProblem, Problem, not_found
from notification_service.application.messaging import (
    Messaging,
    append_event,
    load_message,
    mark_delivered,
    mark_failed,
    mark_sent,
    retry_later,
)
from notification_service.projections.tables import messages

DeliveryOutcome = Literal["delivered", "bounced", "failed"]
Resolution = Literal["mark_sent", "resend", "cancel"]


def _conflict(detail: str) -> Problem:
    return Problem(409, "Conflict", detail, kind="conflict")


async def report_delivery(
    m: Messaging,
    session: AsyncSession,
    tenant_id: str,
    msg_id: str,
    outcome: DeliveryOutcome,
    detail: str,
    proof: dict[str, Any],
) -> dict[str, Any]:
    """A delivery receipt (registered mail, DSN, SMS report) or a bounce. A bounce fails the
    message and queues the next fallback channel (no e-mail? then a letter)."""
    row = await load_message(session, msg_id, tenant_id)
    if row is None:
        raise not_found("message", msg_id)
    if row["status"] not in ("sent", "delivered"):
        raise _conflict(
            f"message is {row['status']}; only a sent message can be delivered or bounce"
        )
    if outcome == "delivered":
        if row["status"] == "delivered":
            return row
        await mark_delivered(m, session, row, {"detail": detail, **proof})
        return row
    fallback = await mark_failed(m, session, row, f"{outcome}: {detail}")
    row["fallback"] = fallback["message_id"] if fallback else None
    return row


async def resolve(
    m: Messaging,
    session: AsyncSession,
    tenant_id: str,
    msg_id: str,
    action: Resolution,
    note: str,
    by: str,
) -> dict[str, Any]:
    row = await load_message(session, msg_id, tenant_id)
    if row is None:
        raise not_found("message", msg_id)
    if row["status"] not in ("needs_ops", "dead"):
        raise _conflict(f"message is {row['status']}; only a flagged message can be resolved")
    if action == "mark_sent":
        await mark_sent(m, session, row, {"resolved_by": by, "note": note})
    elif action == "resend":
        if int(row["attempts"]) == 0 or not row["body_text"]:
            raise Problem(
                422,
                "Invalid request",
                "this message was never attempted: its content or a legal check failed; fix "
                "the cause (template, sender profile) and cancel it",
                kind="validation",
                errors=[FieldProblem("action", "resend needs a message that was attempted")],
            )
        await retry_later(m, session, row, f"resend requested by {by}: {note}", timedelta(0))
    else:
        await _cancel(m, session, row, f"cancelled by {by}: {note}")
    return row


async def _cancel(m: Messaging, session: AsyncSession, row: dict[str, Any], reason: str) -> None:
    await session.execute(
        update(messages)
        .where(messages.c.message_id == row["message_id"])
        .values(status="cancelled", failure_reason=reason[:1000])
    )
    row.update(status="cancelled", failure_reason=reason)
    await append_event(
        m,
        session,
        row,
        NotificationFailed(
            message_id=row["message_id"],
            debtor_ref=row["debtor_ref"],
            channel=row["channel"],
            reason=reason[:1000],
            needs_ops=False,
        ),
    )

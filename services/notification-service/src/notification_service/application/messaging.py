"""Message state changes and the events that record them.

Every change of a message's state happens in one database transaction together with the
event that announces it (NotificationSent / Delivered / Failed, through the outbox), the
attempt log and, for a failure, the message on the fallback channel. The events of one
message form the stream ``message|tenant|message_id``; its version is kept on the row, so
two writers announcing the same change collide in the event store instead of both passing.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from contracts.notification import (
    NotificationDelivered,
    NotificationFailed,
    NotificationSent,
)
from eventkit.clock import Clock, SystemClock
from eventkit.context import causation_id_var, correlation_id_var
from eventkit.db import dialect_of
from eventkit.envelope import Envelope, new_envelope
from eventkit.events import DomainEvent
from eventkit.uow import EventWriter
from notification_service.domain.catalog import Defaults
from notification_service.domain.messages import Contact, message_id, recipient_for
from notification_service.domain.rendering import Renderer
from notification_service.projections.tables import message_attempts, messages, webhook_endpoints
from notification_service.settings import Settings

log = logging.getLogger(__name__)

AGGREGATE = "message"
Row = dict[str, Any]


@dataclass
class Messaging:
    """What the consumers, the sender and the API share."""

    writer: EventWriter
    clock: Clock  # business time: what the dossier and the events say
    settings: Settings
    defaults: Defaults
    renderer: Renderer
    producer: str
    # Wall time for leases and retry schedules: they are about processes, not business days
    # (a simulated clock stands still between ClockAdvanced events).
    wall: Clock = field(default_factory=SystemClock)
    wakeup: asyncio.Event = field(default_factory=asyncio.Event)

    def committed(self) -> None:
        """After a commit that wrote messages or events: wake the sender and the relay."""
        self.wakeup.set()
        self.writer.outbox.committed()


async def insert_message(session: AsyncSession, row: Row) -> bool:
    """Record a message unless its id exists; True when this call recorded it."""
    insert_ = pg_insert if dialect_of(session) == "postgresql" else sqlite_insert
    stmt = insert_(messages).values(**row).on_conflict_do_nothing(index_elements=["message_id"])
    result = await session.execute(stmt)
    return bool(getattr(result, "rowcount", 0))


async def load_message(
    session: AsyncSession, msg_id: str, tenant_id: str | None = None
) -> Row | None:
    query = select(messages).where(messages.c.message_id == msg_id)
    if tenant_id is not None:
        query = query.where(messages.c.tenant_id == tenant_id)
    row = (await session.execute(query)).mappings().first()
    return dict(row) if row is not None else None


async def record_attempt(
    session: AsyncSession,
    msg_id: str,
    attempt: int,
    at: datetime,
    outcome: str,
    detail: str,
    status_code: int | None = None,
) -> None:
    insert_ = pg_insert if dialect_of(session) == "postgresql" else sqlite_insert
    stmt = insert_(message_attempts).values(
        message_id=msg_id,
        attempt=attempt,
        at=at,
        outcome=outcome,
        status_code=status_code,
        detail=detail[:2000],
    )
    await session.execute(stmt.on_conflict_do_nothing(index_elements=["message_id", "attempt"]))


async def append_event(m: Messaging, session: AsyncSession, row: Row, event: DomainEvent) -> None:
    """Write the event of a message (version = row's next) and fan it out to webhooks."""
    version = int(row["event_version"]) + 1
    tokens = (
        correlation_id_var.set(row["correlation_id"]),
        causation_id_var.set(row["caused_by"]),
    )
    try:
        env = new_envelope(
            event,
            tenant_id=row["tenant_id"],
            aggregate_type=AGGREGATE,
            aggregate_id=row["message_id"],
            aggregate_version=version,
            clock=m.clock,
            producer=m.producer,
            partition_key=f"{row['tenant_id']}:{row['debtor_ref']}",
        )
    finally:
        correlation_id_var.reset(tokens[0])
        causation_id_var.reset(tokens[1])
    await m.writer.write(session, [env])
    await session.execute(
        update(messages)
        .where(messages.c.message_id == row["message_id"])
        .values(event_version=version)
    )
    row["event_version"] = version
    if row["channel"] != "webhook":  # a webhook about a webhook would never end
        await plan_webhooks(m, session, env, debtor_ref=row["debtor_ref"])


# --- webhooks ------------------------------------------------------------------------------


def webhook_body(env: Envelope, debtor_ref: str | None) -> dict[str, Any]:
    """Standard Webhooks payload: ``type``, ``timestamp`` and ``data``."""
    data = dict(env.payload)
    data.setdefault("debtor_ref", debtor_ref)
    data["event_id"] = str(env.event_id)
    data["tenant_id"] = env.tenant_id
    data["aggregate_type"] = env.aggregate_type
    data["aggregate_id"] = env.aggregate_id
    data["correlation_id"] = env.correlation_id
    return {"type": env.type, "timestamp": env.occurred_at.isoformat(), "data": data}


async def plan_webhooks(
    m: Messaging, session: AsyncSession, env: Envelope, *, debtor_ref: str | None
) -> int:
    """One webhook message per active endpoint of the tenant that asked for this type."""
    rows = (
        await session.execute(
            select(webhook_endpoints).where(
                webhook_endpoints.c.tenant_id == env.tenant_id,
                webhook_endpoints.c.active.is_(True),
            )
        )
    ).mappings()
    planned = 0
    now = m.clock.now()
    for endpoint in rows:
        if env.type not in endpoint["event_types"] and "*" not in endpoint["event_types"]:
            continue
        cause = f"event:{env.event_id}"
        body = webhook_body(env, debtor_ref)
        planned += await insert_message(
            session,
            {
                "message_id": message_id(env.tenant_id, cause, "webhook", endpoint["endpoint_id"]),
                "tenant_id": env.tenant_id,
                "debtor_ref": debtor_ref or "",
                "cause_key": cause,
                "caused_by": str(env.event_id),
                "cause_type": env.type,
                "correlation_id": env.correlation_id,
                "channel": "webhook",
                "recipient": endpoint["endpoint_id"],
                "template_key": "webhook",
                "language": "",
                "status": "pending",
                "subject": env.type,
                "body_text": json.dumps(body, separators=(",", ":"), sort_keys=True),
                "body_html": None,
                "payload": {"kind": endpoint["kind"], "url": endpoint["url"]},
                "pdf": None,
                "pdf_sha256": None,
                "fallback_channels": [],
                "fallback_of": None,
                "attempts": 0,
                "next_attempt_at": m.wall.now(),
                "created_at": now,
                "event_version": 0,
            },
        )
    return planned


# --- state changes -------------------------------------------------------------------------


async def _set(session: AsyncSession, row: Row, **values: Any) -> None:
    await session.execute(
        update(messages).where(messages.c.message_id == row["message_id"]).values(**values)
    )
    row.update(values)


def _proof_text(proof: Mapping[str, Any]) -> str:
    return json.dumps(dict(proof), sort_keys=True, separators=(",", ":"), default=str)[:2000]


async def mark_sent(
    m: Messaging,
    session: AsyncSession,
    row: Row,
    proof: Mapping[str, Any],
    *,
    delivered: bool = False,
) -> None:
    now = m.clock.now()
    values: dict[str, Any] = {
        "status": "delivered" if delivered else "sent",
        "sent_at": now,
        "proof": dict(proof),
        "claimed_at": None,
        "next_attempt_at": None,
        "failure_reason": None,
    }
    if delivered:
        values["delivered_at"] = now
    await _set(session, row, **values)
    await append_event(
        m,
        session,
        row,
        NotificationSent(
            message_id=row["message_id"],
            debtor_ref=row["debtor_ref"],
            channel=row["channel"],
            recipient=row["recipient"],
            template_key=row["template_key"],
            language=row["language"],
            caused_by=row["caused_by"],
            proof=_proof_text(proof),
        ),
    )
    if delivered:
        await append_event(
            m,
            session,
            row,
            NotificationDelivered(
                message_id=row["message_id"], debtor_ref=row["debtor_ref"], channel=row["channel"]
            ),
        )


async def mark_delivered(
    m: Messaging, session: AsyncSession, row: Row, proof: Mapping[str, Any]
) -> None:
    merged = {**(row.get("proof") or {}), "delivery": dict(proof)}
    await _set(session, row, status="delivered", delivered_at=m.clock.now(), proof=merged)
    await append_event(
        m,
        session,
        row,
        NotificationDelivered(
            message_id=row["message_id"], debtor_ref=row["debtor_ref"], channel=row["channel"]
        ),
    )


async def mark_needs_ops(m: Messaging, session: AsyncSession, row: Row, reason: str) -> None:
    await _set(
        session,
        row,
        status="needs_ops",
        failure_reason=reason[:1000],
        failed_at=m.clock.now(),
        claimed_at=None,
        next_attempt_at=None,
    )
    await append_event(
        m,
        session,
        row,
        NotificationFailed(
            message_id=row["message_id"],
            debtor_ref=row["debtor_ref"],
            channel=row["channel"],
            reason=reason[:1000],
            needs_ops=True,
        ),
    )


async def mark_dead(m: Messaging, session: AsyncSession, row: Row, reason: str) -> None:
    await _set(
        session,
        row,
        status="dead",
        failure_reason=reason[:1000],
        failed_at=m.clock.now(),
        claimed_at=None,
        next_attempt_at=None,
    )
    await append_event(
        m,
        session,
        row,
        NotificationFailed(
            message_id=row["message_id"],
            debtor_ref=row["debtor_ref"],
            channel=row["channel"],
            reason=reason[:1000],
            needs_ops=True,
        ),
    )


async def mark_failed(m: Messaging, session: AsyncSession, row: Row, reason: str) -> Row | None:
    """A permanent failure: record it and queue the message on the next fallback channel.
    Returns the fallback message (None when there is none left)."""
    fallback = await _fallback_row(session, row, m)
    await _set(
        session,
        row,
        status="failed",
        failure_reason=reason[:1000],
        failed_at=m.clock.now(),
        claimed_at=None,
        next_attempt_at=None,
    )
    await append_event(
        m,
        session,
        row,
        NotificationFailed(
            message_id=row["message_id"],
            debtor_ref=row["debtor_ref"],
            channel=row["channel"],
            reason=reason[:1000],
            fallback_channel=fallback["channel"] if fallback else None,
            needs_ops=fallback is None and row["channel"] != "webhook",
        ),
    )
    return fallback


async def _fallback_row(session: AsyncSession, row: Row, m: Messaging) -> Row | None:
    payload = row.get("payload") or {}
    contact_data = payload.get("contact") or {}
    contact = Contact(
        name=contact_data.get("name", ""),
        email=contact_data.get("email"),
        phone=contact_data.get("phone"),
        address=tuple(contact_data.get("address") or ()),
    )
    remaining = list(row.get("fallback_channels") or [])
    while remaining:
        channel = remaining.pop(0)
        recipient = recipient_for(channel, contact)
        if recipient is None:
            continue
        body = payload.get("sms_text", "") if channel == "sms" else payload.get("letter_text", "")
        fallback = {
            **{k: v for k, v in row.items() if k in messages.c},
            "message_id": message_id(row["tenant_id"], row["cause_key"], channel, recipient),
            "channel": channel,
            "recipient": recipient,
            "status": "pending",
            "body_text": body or row["body_text"],
            "fallback_channels": remaining,
            "fallback_of": row["message_id"],
            "attempts": 0,
            "next_attempt_at": m.wall.now(),
            "claimed_at": None,
            "claimed_by": None,
            "created_at": m.clock.now(),
            "sent_at": None,
            "delivered_at": None,
            "failed_at": None,
            "proof": None,
            "failure_reason": None,
            "event_version": 0,
        }
        if await insert_message(session, fallback):
            return fallback
        return None  # that fallback exists already: it was planned before
    return None


async def retry_later(
    m: Messaging, session: AsyncSession, row: Row, reason: str, delay: timedelta
) -> None:
    await _set(
        session,
        row,
        status="pending",
        failure_reason=reason[:1000],
        claimed_at=None,
        claimed_by=None,
        next_attempt_at=m.wall.now() + delay,
    )


async def new_attempt_number(session: AsyncSession, msg_id: str) -> int:
    found = await session.scalar(
        select(func.max(message_attempts.c.attempt)).where(message_attempts.c.message_id == msg_id)
    )
    return int(found or 0) + 1

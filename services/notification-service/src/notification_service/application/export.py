"""The dossier as a document for a collection agency or a court: every event about the
debtor, every message with its content, delivery state and proof, and the letters exactly as
they were sent (with their SHA-256). JSON for systems, PDF for people; both carry the checksum
of their content so a copy can be verified."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from eventkit.api import not_found
from notification_service.adapters.pdf import DossierLine, DossierMessage, dossier_pdf
from notification_service.application.queries import attempts_of, message_view
from notification_service.application.store import load_creditor
from notification_service.projections.tables import dossier_entries as d
from notification_service.projections.tables import messages as msg

EXPORT_LIMIT = 10_000


def _canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str).encode()


async def dossier_export(
    session: AsyncSession, tenant_id: str, debtor_ref: str, generated_at: datetime
) -> tuple[dict[str, Any], dict[str, bytes]]:
    """The JSON export and the letter PDFs by message id."""
    entries = (
        await session.execute(
            select(d)
            .where(d.c.tenant_id == tenant_id, d.c.debtor_ref == debtor_ref)
            .order_by(d.c.occurred_at, d.c.event_id)
            .limit(EXPORT_LIMIT)
        )
    ).all()
    rows = (
        await session.execute(
            select(msg)
            .where(msg.c.tenant_id == tenant_id, msg.c.debtor_ref == debtor_ref)
            .order_by(msg.c.created_at, msg.c.message_id)
            .limit(EXPORT_LIMIT)
        )
    ).all()
    if not entries and not rows:
        raise not_found("debtor", debtor_ref)
    creditor, _ = await load_creditor(session, tenant_id)
    attempts = await attempts_of(session, [r.message_id for r in rows])
    letters: dict[str, bytes] = {}
    messages: list[dict[str, Any]] = []
    for r in rows:
        view = message_view(r, attempts[r.message_id], full=True)
        if r.pdf is not None and r.channel in ("email", "letter"):
            letters[r.message_id] = bytes(r.pdf)
            view["pdf_base64"] = base64.b64encode(bytes(r.pdf)).decode()
        messages.append(view)
    content = {
        "debtor_ref": debtor_ref,
        "tenant_id": tenant_id,
        "creditor": {"name": creditor.name, "enterprise_number": creditor.enterprise_number},
        "generated_at": generated_at,
        "entries": [
            {
                "event_id": e.event_id,
                "type": e.event_type,
                "occurred_at": e.occurred_at,
                "aggregate_type": e.aggregate_type,
                "aggregate_id": e.aggregate_id,
                "summary": e.summary,
                "payload": e.payload,
                "correlation_id": e.correlation_id,
                "causation_id": e.causation_id,
            }
            for e in entries
        ],
        "messages": messages,
    }
    normal = json.loads(_canonical(content))
    normal["content_sha256"] = hashlib.sha256(_canonical(normal)).hexdigest()
    return normal, letters


def _when(value: Any) -> str:
    return str(value)[:19].replace("T", " ") if value else "-"


def export_pdf(export: dict[str, Any], letters: dict[str, bytes], created: datetime) -> bytes:
    timeline = [
        DossierLine(_when(e["occurred_at"]), e["type"], e["summary"]) for e in export["entries"]
    ]
    described: list[DossierMessage] = []
    appended: list[tuple[str, bytes]] = []
    for m in export["messages"]:
        attempts = "; ".join(
            f"#{a['attempt']} {_when(a['at'])} {a['outcome']} {a['detail'][:120]}"
            for a in m.get("attempt_log", [])
        )
        facts = [
            ("Message id", m["message_id"]),
            ("Channel", f"{m['channel']} to {m['recipient']}".replace("\n", ", ")),
            ("State", m["status"]),
            ("Template", f"{m['template_key']} ({m['language']})"),
            ("Caused by", f"{m['caused_by']['type']} {m['caused_by']['event_id']}"),
            ("Recorded", _when(m["created_at"])),
            ("Sent", _when(m["sent_at"])),
            ("Delivered", _when(m["delivered_at"])),
            ("Failed", f"{_when(m['failed_at'])} {m['failure_reason'] or ''}".strip()),
            ("Proof", json.dumps(m["proof"], sort_keys=True) if m["proof"] else "-"),
            ("Letter SHA-256", m["pdf_sha256"] or "-"),
            ("Attempts", attempts or "-"),
        ]
        described.append(
            DossierMessage(
                heading=f"Message {m['message_id']}",
                facts=facts,
                subject=m["subject"],
                body=m["text"],
            )
        )
        if m["message_id"] in letters:
            appended.append((f"Letter {m['message_id']}", letters[m["message_id"]]))
    facts = [
        ("Debtor", export["debtor_ref"]),
        (
            "Creditor",
            f"{export['creditor']['name']} {export['creditor']['enterprise_number'] or ''}",
        ),
        ("Generated", _when(export["generated_at"])),
        ("Events", str(len(export["entries"]))),
        ("Messages", str(len(export["messages"]))),
        ("Content SHA-256", export["content_sha256"]),
    ]
    return dossier_pdf(
        title=f"Dossier {export['debtor_ref']}",
        facts=facts,
        timeline=timeline,
        messages=described,
        letters=appended,
        created=created,
    )

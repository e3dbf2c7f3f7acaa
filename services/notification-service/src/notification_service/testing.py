"""Builders for tests and benchmarks: dunning events as dunning-service would publish them."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from contracts.dunning import ReminderDue, ReminderItem, ReminderTotals
from eventkit.clock import Clock, SystemClock
from eventkit.envelope import Envelope, new_envelope
from eventkit.events import DomainEvent


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def reminder_due(
    debtor: str,
    *,
    amount: str = "1234.56",
    language: str = "nl",
    pack: str = "BE_B2C",
    template_key: str = "first_reminder",
    action: str = "reminder",
    channel: str = "email",
    email: str | None = "debtor@example.org",
    phone: str | None = None,
    address: tuple[str, ...] = ("Kerkstraat 1", "2000 Antwerpen"),
    business_date: date | None = None,
    deadline_days: int | None = 16,
    step: int = 1,
    fees: str = "0.00",
    interest: str = "0.00",
    reminder_id: str | None = None,
    invoice_number: str | None = None,
    name: str = "Jan Peeters",
) -> ReminderDue:
    today = business_date or SystemClock().today()
    principal = Decimal(amount)
    fee, rent = Decimal(fees), Decimal(interest)
    number = invoice_number or f"F-{uuid.uuid4().hex[:6].upper()}"
    values: dict[str, Any] = {
        "reminder_id": reminder_id or unique("R"),
        "debtor_ref": debtor,
        "debtor_name": name,
        "language": language,
        "email": email,
        "phone": phone,
        "postal_address": list(address),
        "pack": pack,
        "policy_id": "P-1",
        "policy_version": 1,
        "step": step,
        "action": action,
        "channel": channel,
        "template_key": template_key,
        "business_date": today,
        "deadline": today + timedelta(days=deadline_days) if deadline_days is not None else None,
        "items": [
            ReminderItem(
                invoice_number=number,
                issue_date=today - timedelta(days=45),
                due_date=today - timedelta(days=15),
                days_overdue=15,
                currency="EUR",
                open_amount=principal,
                interest=rent,
                fees=fee,
            )
        ],
        "totals": [
            ReminderTotals(
                currency="EUR",
                principal=principal,
                interest=rent,
                fees=fee,
                total=principal + rent + fee,
            )
        ],
    }
    return ReminderDue.model_validate(values)


def envelope_of(
    event: DomainEvent,
    debtor: str,
    *,
    tenant: str = "acme",
    clock: Clock | None = None,
    aggregate_type: str = "case",
) -> Envelope:
    return new_envelope(
        event,
        tenant_id=tenant,
        aggregate_type=aggregate_type,
        aggregate_id=debtor,
        aggregate_version=1,
        clock=clock or SystemClock(),
        producer="dunning-service",
        partition_key=f"{tenant}:{debtor}",
    )

"""Builders for tests and benchmarks: dunning events as dunning-service would publish them."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from contracts.calendar import next_business_day
from contracts.dunning import Charge, ReminderDue, ReminderItem, ReminderTotals
from contracts.letters import template_spec
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
    template_key: str | None = None,
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
    announced: dict[str, str] | None = None,
    reminders_before: int = 0,
) -> ReminderDue:
    """A reminder as dunning would publish it: dated on a working day, its deadline too, the
    item's interest and fees as the charges of the pack, and in a consumer's first claim the
    amounts it announces (by default those of the default amount, 1,234.56)."""
    if template_key is None:  # the pack's first claim, as the shipped policies name it
        template_key = {
            "BE_B2C": "be_b2c_first_reminder",
            "NL_B2C": "nl_b2c_fourteen_day_letter",
        }.get(pack, "first_reminder")
    today = next_business_day(business_date or SystemClock().today())
    principal = Decimal(amount)
    fee, rent = Decimal(fees), Decimal(interest)
    number = invoice_number or f"F-{uuid.uuid4().hex[:6].upper()}"
    fee_kind = {"BE_B2C": "flat_damages", "NL_B2C": "collection_costs"}.get(
        pack, "fixed_compensation"
    )
    charges = [
        Charge(kind=kind, invoice_number=number, currency="EUR", amount=value, legal_basis="-")
        for kind, value in (("interest", rent), (fee_kind, fee))
        if value > 0
    ]
    if announced is None:
        announced = {
            "be_b2c_first_reminder": {"flat_damages": "101.73"},
            "nl_b2c_fourteen_day_letter": {"collection_costs": "185.18"},
        }.get(template_key, {})
    spec = template_spec(template_key)
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
        "deadline": next_business_day(today + timedelta(days=deadline_days))
        if deadline_days is not None
        else None,
        "step_kind": spec.step_kind if spec else None,
        "charges": charges,
        "announced": [
            Charge(kind=k, currency="EUR", amount=Decimal(v), legal_basis="-")
            for k, v in announced.items()
        ],
        "reminders_before": reminders_before,
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

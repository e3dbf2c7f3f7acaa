"""What a template sees: plain data built from the event that caused the message.

Every key exists in every context (``None`` when it does not apply), so that templates may
test ``{% if promise %}`` under ``StrictUndefined``. Amounts stay ``Decimal``; templates format
them with the ``money``, ``date``, ``number`` and ``percent`` filters in the debtor's locale.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from contracts.dunning import (
    Charge,
    DebtorEscalatedToCollection,
    DisputeResolved,
    PaymentPlanAgreed,
    PromiseToPayMade,
    ReminderDue,
    ReminderItem,
    ReminderTotals,
)
from contracts.invoicing import PostalAddress
from notification_service.domain.locale import LocaleFormat
from notification_service.domain.wording import charge_name, country_name


@dataclass(frozen=True, slots=True)
class Creditor:
    """The tenant as sender of its letters (PUT /v1/settings/sender)."""

    name: str
    enterprise_number: str | None = None
    vat_number: str | None = None
    address: tuple[str, ...] = ()
    email: str | None = None
    phone: str | None = None
    iban: str | None = None
    bic: str | None = None
    website: str | None = None
    city: str | None = None
    country: str = "BE"
    postal_code: str | None = None

    def as_context(self) -> dict[str, Any]:
        return {
            "country": self.country,
            "postal_code": self.postal_code,
            "name": self.name,
            "enterprise_number": self.enterprise_number,
            "vat_number": self.vat_number,
            "address": list(self.address),
            "email": self.email,
            "phone": self.phone,
            "iban": self.iban,
            "bic": self.bic,
            "website": self.website,
            "city": self.city,
        }


@dataclass(frozen=True, slots=True)
class Debtor:
    ref: str
    name: str
    language: str
    kind: str | None = None
    country: str | None = None
    email: str | None = None
    phone: str | None = None
    address: tuple[str, ...] = field(default_factory=tuple)
    postal: PostalAddress | None = None  # the master data the lines were made from

    def as_context(self) -> dict[str, Any]:
        return {
            "ref": self.ref,
            "name": self.name,
            "language": self.language,
            "kind": self.kind,
            "country": self.country,
            "email": self.email,
            "phone": self.phone,
            "address": list(self.address),
        }


def pack_for(kind: str | None, country: str | None) -> str:
    if country in ("BE", "NL") and kind in ("B2B", "B2C"):
        return f"{country}_{kind}"
    return "EU_DEFAULT"


def _charge(charge: Charge, pack: str, language: str) -> dict[str, Any]:
    return {
        "kind": charge.kind,
        "name": charge_name(charge.kind, pack, language) or "",
        "invoice_number": charge.invoice_number,
        "currency": charge.currency,
        "amount": charge.amount,
    }


def _item(item: ReminderItem, charges: Sequence[dict[str, Any]]) -> dict[str, Any]:
    own = [c for c in charges if c["invoice_number"] == item.invoice_number]
    return {
        "invoice_number": item.invoice_number,
        "issue_date": item.issue_date,
        "due_date": item.due_date,
        "days_overdue": item.days_overdue,
        "currency": item.currency,
        "open_amount": item.open_amount,
        "interest": item.interest,
        "fees": item.fees,
        "total": item.open_amount + item.interest + item.fees,
        "charges": own,
    }


def _total(total: ReminderTotals) -> dict[str, Any]:
    return {
        "currency": total.currency,
        "principal": total.principal,
        "interest": total.interest,
        "fees": total.fees,
        "total": total.total,
    }


def _base(
    *,
    creditor: Creditor,
    debtor: Debtor,
    pack: str,
    fmt: LocaleFormat,
    business_date: date,
) -> dict[str, Any]:
    return {
        "creditor": creditor.as_context(),
        "debtor": debtor.as_context(),
        "language": debtor.language,
        "locale": fmt.locale,
        "locale_format": fmt,
        "pack": pack,
        "country": pack[:2] if pack[:2] in ("BE", "NL") else debtor.country,
        "consumer": pack.endswith("B2C"),
        "business_date": business_date,
        "today": business_date,
        "reminder": None,
        "step": None,
        "action": None,
        "deadline": None,
        "items": [],
        "totals": [],
        "total": None,
        "legal": {"damages": None, "collection_costs": None, "currency": "EUR"},
        "charges": [],
        "claim_charges": [],
        "announced": [],
        "reminders_before": 0,
        "step_kind": None,
        "promise": None,
        "plan": None,
        "agency": None,
        "dispute": None,
    }


def _announced(charges: Sequence[dict[str, Any]], kind: str) -> Decimal | None:
    amounts = [c["amount"] for c in charges if c["kind"] == kind]
    return sum(amounts, Decimal(0)) if amounts else None


def address_block(
    name: str,
    address: PostalAddress | None,
    lines: Sequence[str],
    sender_country: str,
    language: str,
) -> list[str]:
    """The recipient as a window envelope shows it: the name once, the street, postal code
    and city, and the country written out in the letter's language when it is not the
    sender's."""
    if address is None:
        return [name, *(line for line in lines if line and line != name)]
    city = f"{address.postal_code} {address.city}".strip()
    block = [name, *(line for line in (address.street, city) if line)]
    if address.country and address.country.upper() != sender_country.upper():
        block.append(country_name(address.country, language).upper())
    return block


def reminder_context(
    event: ReminderDue, creditor: Creditor, fmt: LocaleFormat, debtor_kind: str | None = None
) -> dict[str, Any]:
    debtor = Debtor(
        ref=event.debtor_ref,
        name=event.debtor_name,
        language=event.language,
        kind=debtor_kind or (event.pack[3:] if event.pack != "EU_DEFAULT" else None),
        email=event.email,
        phone=event.phone,
        address=tuple(event.postal_address),
    )
    ctx = _base(
        creditor=creditor,
        debtor=debtor,
        pack=event.pack,
        fmt=fmt,
        business_date=event.business_date,
    )
    totals = [_total(t) for t in event.totals]
    charges = [_charge(c, event.pack, event.language) for c in event.charges]
    announced = [_charge(c, event.pack, event.language) for c in event.announced]
    ctx.update(
        {
            "charges": charges,
            "claim_charges": [c for c in charges if c["invoice_number"] is None],
            "announced": announced,
            "reminders_before": event.reminders_before,
            "step_kind": event.step_kind,
            "reminder": {
                "id": event.reminder_id,
                "step": event.step,
                "action": event.action,
                "channel": event.channel,
                "policy_id": event.policy_id,
                "policy_version": event.policy_version,
                "template_key": event.template_key,
            },
            "step": event.step,
            "action": event.action,
            "deadline": event.deadline,
            "items": [_item(i, charges) for i in event.items],
            "totals": totals,
            "total": totals[0] if totals else None,
            "legal": {
                "currency": "EUR",
                "damages": _announced(announced, "flat_damages"),
                "collection_costs": _announced(announced, "collection_costs"),
            },
        }
    )
    return ctx


def promise_context(
    event: PromiseToPayMade, creditor: Creditor, debtor: Debtor, pack: str, fmt: LocaleFormat
) -> dict[str, Any]:
    ctx = _base(creditor=creditor, debtor=debtor, pack=pack, fmt=fmt, business_date=event.made_on)
    ctx["promise"] = {
        "id": event.promise_id,
        "amount": event.amount,
        "currency": event.currency,
        "promised_date": event.promised_date,
        "invoice_numbers": list(event.invoice_numbers),
        "made_on": event.made_on,
    }
    return ctx


def plan_context(
    event: PaymentPlanAgreed, creditor: Creditor, debtor: Debtor, pack: str, fmt: LocaleFormat
) -> dict[str, Any]:
    ctx = _base(creditor=creditor, debtor=debtor, pack=pack, fmt=fmt, business_date=event.agreed_on)
    instalments = [{"due_date": i.due_date, "amount": i.amount} for i in event.instalments]
    ctx["plan"] = {
        "id": event.plan_id,
        "currency": event.currency,
        "instalments": instalments,
        "total": sum((i.amount for i in event.instalments), Decimal(0)),
        "grace_days": event.grace_days,
        "invoice_numbers": list(event.invoice_numbers),
        "agreed_on": event.agreed_on,
    }
    return ctx


def handover_context(
    event: DebtorEscalatedToCollection,
    creditor: Creditor,
    debtor: Debtor,
    pack: str,
    fmt: LocaleFormat,
) -> dict[str, Any]:
    ctx = _base(
        creditor=creditor, debtor=debtor, pack=pack, fmt=fmt, business_date=event.escalated_on
    )
    totals = [_total(t) for t in event.totals]
    charges = [_charge(c, pack, debtor.language) for c in event.charges]
    ctx.update(
        {
            "agency": event.agency,
            "charges": charges,
            "claim_charges": [c for c in charges if c["invoice_number"] is None],
            "items": [_item(i, charges) for i in event.items],
            "totals": totals,
            "total": totals[0] if totals else None,
        }
    )
    return ctx


def dispute_context(
    event: DisputeResolved, creditor: Creditor, debtor: Debtor, pack: str, fmt: LocaleFormat
) -> dict[str, Any]:
    ctx = _base(
        creditor=creditor, debtor=debtor, pack=pack, fmt=fmt, business_date=event.resolved_on
    )
    ctx["dispute"] = {
        "id": event.dispute_id,
        "invoice_number": event.invoice_number,
        "outcome": event.outcome,
        "resolved_on": event.resolved_on,
    }
    return ctx


# What a consumer's first claim announces in the sample case (1,234.56 open): Book XIX damages
# 65 + 5 % × 734.56, the WIK scale's 15 %. The figures come from dunning in a real reminder.
SAMPLE_ANNOUNCED = {
    "BE_B2C": ("flat_damages", "F-2026-0042", Decimal("101.73")),
    "NL_B2C": ("collection_costs", None, Decimal("185.18")),
}


def sample_reminder(
    pack: str, language: str, creditor: Creditor | None = None, key: str = "first_reminder"
) -> ReminderDue:
    """A realistic reminder to check tenant templates against (PUT validation)."""
    announced = [
        Charge(kind=kind, invoice_number=number, currency="EUR", amount=amount, legal_basis="-")
        for p, (kind, number, amount) in SAMPLE_ANNOUNCED.items()
        if p == pack
    ]
    today = date(2026, 3, 2)
    return ReminderDue(
        reminder_id="R-SAMPLE",
        debtor_ref="D-SAMPLE",
        debtor_name="Jan Peeters",
        language=language,
        email="jan.peeters@example.org",
        phone="+32470123456",
        postal_address=["Kerkstraat 1", "2000 Antwerpen"],
        pack=pack,
        policy_id="P-SAMPLE",
        policy_version=1,
        step=2,
        action="reminder",
        channel="email",
        template_key=key,
        announced=announced,
        reminders_before=1,
        address=PostalAddress(
            street="Kerkstraat 1", postal_code="2000", city="Antwerpen", country="BE"
        ),
        business_date=today,
        deadline=date(2026, 3, 17),
        items=[
            ReminderItem(
                invoice_number="F-2026-0042",
                issue_date=date(2026, 1, 15),
                due_date=date(2026, 2, 14),
                days_overdue=16,
                currency="EUR",
                open_amount=Decimal("1234.56"),
                interest=Decimal("0.00"),
                fees=Decimal("0.00"),
            )
        ],
        totals=[
            ReminderTotals(
                currency="EUR",
                principal=Decimal("1234.56"),
                interest=Decimal("0.00"),
                fees=Decimal("0.00"),
                total=Decimal("1234.56"),
            )
        ],
        legal_notes=[],
    )


SAMPLE_CREDITOR = Creditor(
    name="Voorbeeld Leverancier NV",
    enterprise_number="0999.888.777",
    vat_number="BE0999888777",
    address=("Voorbeeldlaan 1", "1000 Brussel"),
    email="boekhouding@example.org",
    iban="BE68 5390 0754 7034",
    city="Brussel",
)


def sample_context(key: str, pack: str, language: str, creditor: Creditor) -> dict[str, Any]:
    """A realistic context for template ``key`` (checks of tenant templates before saving)."""
    from contracts.dunning import DebtorEscalatedToCollection, Instalment

    event = sample_reminder(pack, language, key=key)
    fmt = LocaleFormat.for_debtor(language, pack)
    debtor = Debtor(
        ref=event.debtor_ref,
        name=event.debtor_name,
        language=language,
        kind=pack[3:] if pack != "EU_DEFAULT" else None,
        country=pack[:2] if pack != "EU_DEFAULT" else None,
        email=event.email,
        address=tuple(event.postal_address),
    )
    if key == "promise_confirmation":
        promise = PromiseToPayMade(
            promise_id="PTP-SAMPLE",
            debtor_ref=debtor.ref,
            invoice_numbers=["F-2026-0042"],
            amount=Decimal("500.00"),
            currency="EUR",
            promised_date=date(2026, 3, 20),
            made_on=event.business_date,
        )
        return promise_context(promise, creditor, debtor, pack, fmt)
    if key == "payment_plan_confirmation":
        plan = PaymentPlanAgreed(
            plan_id="PLAN-SAMPLE",
            debtor_ref=debtor.ref,
            invoice_numbers=["F-2026-0042"],
            currency="EUR",
            instalments=[
                Instalment(due_date=date(2026, 4, 1), amount=Decimal("617.28")),
                Instalment(due_date=date(2026, 5, 1), amount=Decimal("617.28")),
            ],
            grace_days=5,
            agreed_on=event.business_date,
        )
        return plan_context(plan, creditor, debtor, pack, fmt)
    if key == "dispute_outcome":
        resolved = DisputeResolved(
            dispute_id="DSP-SAMPLE",
            debtor_ref=debtor.ref,
            invoice_number="F-2026-0042",
            outcome="rejected",
            resolved_on=event.business_date,
        )
        return dispute_context(resolved, creditor, debtor, pack, fmt)
    if key == "handover_notice":
        escalation = DebtorEscalatedToCollection(
            debtor_ref=debtor.ref,
            debtor_name=debtor.name,
            agency="Voorbeeld Incasso BV",
            escalated_on=event.business_date,
            items=event.items,
            totals=event.totals,
            history=[],
        )
        return handover_context(escalation, creditor, debtor, pack, fmt)
    return reminder_context(event, creditor, fmt)

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
    DebtorEscalatedToCollection,
    PaymentPlanAgreed,
    PromiseToPayMade,
    ReminderDue,
    ReminderItem,
    ReminderTotals,
)
from notification_service.domain.legal import be_b2c_damages, nl_collection_costs
from notification_service.domain.locale import LocaleFormat


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

    def as_context(self) -> dict[str, Any]:
        return {
            "country": self.country,
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


def _item(item: ReminderItem) -> dict[str, Any]:
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
        "explanations": [
            {"rule": e.rule, "detail": e.detail, "amount": e.amount} for e in item.explanations
        ],
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
        "legal_notes": [],
        "legal": {"damages": None, "collection_costs": None, "currency": "EUR"},
        "promise": None,
        "plan": None,
        "agency": None,
    }


def _legal_amounts(pack: str, totals: Sequence[ReminderTotals], on: date) -> dict[str, Any]:
    eur = next((t for t in totals if t.currency == "EUR"), None)
    principal = eur.principal if eur else Decimal(0)
    return {
        "currency": "EUR",
        "damages": be_b2c_damages(principal, on) if pack == "BE_B2C" and eur else None,
        "collection_costs": (
            nl_collection_costs(principal, on) if pack == "NL_B2C" and eur else None
        ),
    }


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
    ctx.update(
        {
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
            "items": [_item(i) for i in event.items],
            "totals": totals,
            "total": totals[0] if totals else None,
            "legal_notes": list(event.legal_notes),
            "legal": _legal_amounts(event.pack, event.totals, event.business_date),
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
    ctx.update(
        {
            "agency": event.agency,
            "items": [_item(i) for i in event.items],
            "totals": totals,
            "total": totals[0] if totals else None,
        }
    )
    return ctx


def sample_reminder(pack: str, language: str, creditor: Creditor | None = None) -> ReminderDue:
    """A realistic reminder to check tenant templates against (PUT validation)."""
    from contracts.dunning import Explanation

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
        template_key="first_reminder",
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
                explanations=[Explanation(rule="sample", detail="-", amount=Decimal("0"))],
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

    event = sample_reminder(pack, language)
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

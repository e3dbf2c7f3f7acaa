"""Realistic cases for every legal pack: a sender, a debtor per pack with its address, one
invoice, and the shipped policy's steps on the dates the daily sweep would run them.

The reminders are composed by dunning-service's own domain code (the cost table, the legal
packs, the calendar) and rendered by notification-service's templates, exactly as the running
services do, only in one process.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from contracts.calendar import next_business_day
from contracts.dunning import (
    DebtorEscalatedToCollection,
    DisputeResolved,
    Instalment,
    PaymentPlanAgreed,
    PromiseToPayMade,
    ReminderDue,
)
from contracts.invoicing import PostalAddress
from dunning_service.application.composition import (
    DebtorContact,
    address_lines,
    compose_group,
    escalation_event,
    reminder_event,
)
from dunning_service.domain.policies import Policy, default_policies
from dunning_service.domain.reminders import DueItem
from notification_service.domain.context import Creditor

PACKS = ("BE_B2B", "BE_B2C", "NL_B2B", "NL_B2C")

SENDER = Creditor(
    name="Atelier Verhaeghe NV",
    enterprise_number="0417.497.106",
    vat_number="BE0417497106",
    address=("Kortrijksesteenweg 1120",),
    postal_code="9051",
    city="Gent",
    country="BE",
    email="debiteuren@verhaeghe.example",
    phone="+32 9 210 45 00",
    iban="BE71 0961 2345 6769",
    bic="GKCCBEBB",
    website="www.verhaeghe.example",
)


@dataclass(frozen=True, slots=True)
class Case:
    pack: str
    debtor_ref: str
    name: str
    address: PostalAddress
    invoice_number: str
    amount: Decimal
    issue_date: date = date(2026, 1, 5)
    due_date: date = date(2026, 2, 4)


CASES: dict[str, Case] = {
    "BE_B2B": Case(
        "BE_B2B",
        "D-BEB",
        "Brasserie De Kroon BV",
        PostalAddress(street="Grote Markt 7", postal_code="2000", city="Antwerpen", country="BE"),
        "F-2026-0101",
        Decimal("1250.00"),
    ),
    "BE_B2C": Case(
        "BE_B2C",
        "D-BEC",
        "Sophie Lambert",
        PostalAddress(street="Rue des Tanneurs 14", postal_code="4000", city="Liège", country="BE"),
        "F-2026-0102",
        Decimal("300.00"),
    ),
    "NL_B2B": Case(
        "NL_B2B",
        "D-NLB",
        "Van Dijk Installaties B.V.",
        PostalAddress(
            street="Keizersgracht 123", postal_code="1015 CJ", city="Amsterdam", country="NL"
        ),
        "F-2026-0103",
        Decimal("2000.00"),
    ),
    "NL_B2C": Case(
        "NL_B2C",
        "D-NLC",
        "Pieter de Vries",
        PostalAddress(street="Oudegracht 45", postal_code="3511 AB", city="Utrecht", country="NL"),
        "F-2026-0104",
        Decimal("750.00"),
    ),
}


def shipped_policy(pack: str) -> Policy:
    return next(p for p in default_policies() if p.policy_id == f"default-{pack}")


@dataclass(frozen=True, slots=True)
class Step:
    number: int
    on: date
    event: ReminderDue | DebtorEscalatedToCollection


def contact_of(case: Case, language: str) -> DebtorContact:
    """The debtor as dunning-service knows it from the master data."""
    country, kind = case.pack.split("_")
    return DebtorContact(
        name=case.name,
        kind=kind,
        country=country,
        language=language,
        email="debiteur@example.org",
        phone=None,
        postal_address=address_lines(case.address),
        address=case.address,
    )


def steps_of(case: Case, language: str) -> Iterator[Step]:
    """The shipped policy's steps for the case's one invoice, on the days they fall (a step
    due on a weekend or holiday goes out on the next working day, like the sweep's), as the
    events dunning-service publishes."""
    policy = shipped_policy(case.pack)
    contact = contact_of(case, language)
    first_claim_on: date | None = None
    claims = 0
    previous: date | None = None
    for number, step in enumerate(policy.steps, start=1):
        planned = case.due_date + timedelta(days=step.offset_days)
        if previous is not None:
            business, consumer = policy.gaps(number - 1)
            gap = consumer if case.pack.endswith("B2C") else business
            planned = max(planned, previous + timedelta(days=gap))
        on = next_business_day(planned)
        item = DueItem(
            case.invoice_number,
            case.issue_date,
            case.due_date,
            "EUR",
            case.amount,
            first_claim_on=first_claim_on,
            first_claim_channel="email" if first_claim_on else None,
            claims_sent=claims,
        )
        composed = compose_group(contact, policy, number, [item], on, False)
        if step.action == "agency_handover":
            yield Step(
                number,
                on,
                escalation_event(
                    debtor_ref=case.debtor_ref,
                    contact=contact,
                    agency=step.agency or "default-agency",
                    composed=composed,
                    business_date=on,
                    history=[],
                ),
            )
            return
        event = reminder_event(
            reminder_id=f"R-{case.debtor_ref}-{number}",
            debtor_ref=case.debtor_ref,
            contact=contact,
            policy=policy,
            step_number=number,
            composed=composed,
            business_date=on,
        )
        yield Step(number, on, event)
        if step.is_claim:
            claims += 1
            first_claim_on = first_claim_on or on
        previous = on


def other_letters(case: Case) -> list[PromiseToPayMade | PaymentPlanAgreed | DisputeResolved]:
    """The letters no policy step sends: confirmations and a dispute's outcomes."""
    on = date(2026, 2, 16)
    return [
        PromiseToPayMade(
            promise_id=f"PTP-{case.debtor_ref}",
            debtor_ref=case.debtor_ref,
            invoice_numbers=[case.invoice_number],
            amount=case.amount,
            currency="EUR",
            promised_date=date(2026, 2, 27),
            made_on=on,
        ),
        PaymentPlanAgreed(
            plan_id=f"PLAN-{case.debtor_ref}",
            debtor_ref=case.debtor_ref,
            invoice_numbers=[case.invoice_number],
            currency="EUR",
            instalments=[
                Instalment(due_date=date(2026, 3, 2), amount=case.amount / 2),
                Instalment(due_date=date(2026, 4, 1), amount=case.amount / 2),
            ],
            grace_days=5,
            agreed_on=on,
        ),
        *(
            DisputeResolved(
                dispute_id=f"DSP-{case.debtor_ref}-{outcome}",
                debtor_ref=case.debtor_ref,
                invoice_number=case.invoice_number,
                outcome=outcome,
                resolved_on=on,
            )
            for outcome in ("rejected", "credited", "withdrawn")
        ),
    ]

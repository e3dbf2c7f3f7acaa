"""Render one event as notification-service would: the template of its key in the debtor's
language, the address block from master data, the sender's letterhead, the letter PDF and the
legal checks that would hold a letter back for ops."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from functools import cache
from typing import Any

from contracts.dunning import (
    DebtorEscalatedToCollection,
    DisputeResolved,
    PaymentPlanAgreed,
    PromiseToPayMade,
    ReminderDue,
)
from gallery.cases import SENDER, Case
from notification_service.application.compose import compose
from notification_service.domain.catalog import shipped_defaults, template_problem
from notification_service.domain.context import (
    Debtor,
    address_block,
    dispute_context,
    handover_context,
    plan_context,
    promise_context,
    reminder_context,
)
from notification_service.domain.legal import LetterFacts, reminder_facts, violations
from notification_service.domain.locale import LocaleFormat
from notification_service.domain.rendering import Renderer

Event = (
    ReminderDue
    | DebtorEscalatedToCollection
    | PromiseToPayMade
    | PaymentPlanAgreed
    | DisputeResolved
)
CREATED = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Letter:
    pack: str
    language: str
    template_key: str
    business_date: Any
    recipient: list[str]
    subject: str
    text: str
    pdf: bytes
    problems: list[str]


@cache
def _renderer() -> Renderer:
    return Renderer(partials=shipped_defaults().partials)


def _key_and_context(event: Event, case: Case, language: str) -> tuple[str, dict[str, Any]]:
    fmt = LocaleFormat.for_debtor(language, case.pack)
    debtor = Debtor(
        ref=case.debtor_ref,
        name=case.name,
        language=language,
        kind=case.pack[3:],
        country=case.pack[:2],
        postal=case.address,
    )
    match event:
        case ReminderDue():
            return event.template_key, reminder_context(event, SENDER, fmt)
        case DebtorEscalatedToCollection():
            return "handover_notice", handover_context(event, SENDER, debtor, case.pack, fmt)
        case PromiseToPayMade():
            return "promise_confirmation", promise_context(event, SENDER, debtor, case.pack, fmt)
        case PaymentPlanAgreed():
            return "payment_plan_confirmation", plan_context(event, SENDER, debtor, case.pack, fmt)
        case DisputeResolved():
            return "dispute_outcome", dispute_context(event, SENDER, debtor, case.pack, fmt)
    raise TypeError(type(event))


def render(event: Event, case: Case, language: str) -> Letter:
    key, context = _key_and_context(event, case, language)
    problems: list[str] = []
    unusable = template_problem(key)
    if unusable:
        problems.append(unusable)
    source = shipped_defaults().get(key, language)
    recipient = address_block(case.name, case.address, [], SENDER.country, language)
    business_date = context["business_date"]
    subject = text = ""
    pdf = b""
    if source is not None and not problems:
        composed = compose(
            _renderer(),
            source,
            context,
            creditor=SENDER,
            recipient=recipient,
            business_date=business_date,
            reference=f"{case.debtor_ref}-{business_date:%Y%m%d}",
            created=CREATED,
        )
        subject, text, pdf = composed.rendered.subject, composed.rendered.text, composed.pdf
    if isinstance(event, ReminderDue):
        problems += violations(
            LetterFacts(
                pack=event.pack,
                template_key=key,
                channel=event.channel,
                business_date=event.business_date,
                deadline=event.deadline,
                fees=sum((i.fees for i in event.items), Decimal(0)),
                creditor_name=SENDER.name,
                creditor_enterprise_number=SENDER.enterprise_number,
                **reminder_facts(event),
            )
        )
    return Letter(
        pack=case.pack,
        language=language,
        template_key=key,
        business_date=business_date,
        recipient=recipient,
        subject=subject,
        text=text,
        pdf=pdf,
        problems=problems,
    )

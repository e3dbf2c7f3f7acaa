"""Recording what to send: the consumer's half of a notification.

Runs inside the consumer's transaction, after the inbox accepted the event: it renders the
message, checks the legal rules and records the intent as a ``messages`` row in ``pending``
(or ``needs_ops`` when it may not go out as it is). It never talks to the outside world --
the sender does that after the commit -- and it never raises for a problem with the message
itself: a reminder that cannot be sent is recorded and flagged, not retried into the DLQ.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from contracts.calendar import next_business_day
from contracts.dunning import (
    DebtorEscalatedToCollection,
    DisputeResolved,
    PaymentPlanAgreed,
    PromiseToPayMade,
    ReminderDue,
)
from contracts.notification import NotificationFailed
from eventkit.envelope import Envelope
from eventkit.events import DomainEvent, EventRegistry, UnknownEventType
from notification_service.application.compose import compose
from notification_service.application.messaging import (
    Messaging,
    Row,
    append_event,
    insert_message,
    plan_webhooks,
)
from notification_service.application.store import (
    load_creditor,
    load_debtor,
    load_preferences,
    template_in_force,
)
from notification_service.domain.catalog import template_problem
from notification_service.domain.context import (
    Creditor,
    Debtor,
    address_block,
    dispute_context,
    handover_context,
    pack_for,
    plan_context,
    promise_context,
    reminder_context,
)
from notification_service.domain.legal import LetterFacts, reminder_facts, violations
from notification_service.domain.locale import LocaleFormat
from notification_service.domain.messages import (
    Contact,
    channel_chain,
    message_id,
    recipient_for,
)
from notification_service.domain.rendering import TemplateProblem
from notification_service.projections.tables import messages

log = logging.getLogger(__name__)

NO_RECIPIENT = "(no address known)"


@dataclass
class Intent:
    """One thing to tell a debtor, before channels and rendering are decided."""

    env: Envelope
    debtor_ref: str
    cause_key: str
    template_key: str
    language: str
    pack: str
    requested_channel: str
    business_date: date
    deadline: date | None
    contact: Contact
    context: dict[str, Any]
    creditor: Creditor
    fees: Decimal = Decimal(0)
    letter_first: bool = False
    extra: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # known before rendering
    recipient_block: list[str] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)  # LetterFacts beyond the basics


async def _cause_known(session: AsyncSession, tenant_id: str, cause_key: str) -> bool:
    found = await session.scalar(
        select(exists().where(messages.c.tenant_id == tenant_id, messages.c.cause_key == cause_key))
    )
    return bool(found)


def _base_row(m: Messaging, intent: Intent) -> Row:
    env = intent.env
    return {
        "tenant_id": env.tenant_id,
        "debtor_ref": intent.debtor_ref,
        "cause_key": intent.cause_key,
        "caused_by": str(env.event_id),
        "cause_type": env.type,
        "correlation_id": env.correlation_id,
        "template_key": intent.template_key,
        "language": intent.language,
        "body_html": None,
        "pdf": None,
        "pdf_sha256": None,
        "fallback_of": None,
        "attempts": 0,
        "next_attempt_at": m.wall.now(),
        "created_at": m.clock.now(),
        "event_version": 0,
    }


async def record_intent(m: Messaging, session: AsyncSession, intent: Intent) -> Row | None:
    """Record the message of an intent once per cause; None when it was recorded before."""
    tenant = intent.env.tenant_id
    if await _cause_known(session, tenant, intent.cause_key):
        return None
    preferences, email, phone = await load_preferences(session, tenant, intent.debtor_ref)
    contact = Contact(
        name=intent.contact.name,
        email=email or intent.contact.email,
        phone=phone or intent.contact.phone,
        address=intent.contact.address,
    )
    chain = channel_chain(
        intent.requested_channel,
        contact,
        preferences,
        sms_available=bool(m.settings.sms_provider_url),
        always_letter=intent.letter_first,
    )
    problems: list[str] = list(intent.problems)
    source = (
        None
        if problems
        else await template_in_force(
            session, m.defaults, tenant, intent.template_key, intent.language
        )
    )
    row = _base_row(m, intent)
    language = intent.language
    row["language"] = language
    rendered_text = rendered_sms = ""
    subject = ""
    if source is None:
        if not problems:
            problems.append(f"no template {intent.template_key!r} in {intent.language}")
    else:
        try:
            composed = compose(
                m.renderer,
                source,
                intent.context,
                creditor=intent.creditor,
                recipient=intent.recipient_block or [contact.name, *contact.address],
                business_date=intent.business_date,
                # the cause's id without its kind ("reminder:…"): no English in the footer
                reference=intent.cause_key.split(":", 1)[-1],
                created=row["created_at"],
            )
        except TemplateProblem as problem:
            where = f"template {intent.template_key}/{language} {problem.field}"
            problems.append(f"{where}: {problem.describe()}")
        except Exception as exc:  # a letter that cannot be laid out is flagged, not dead-lettered
            log.exception("composing %s for %s failed", intent.template_key, intent.cause_key)
            problems.append(f"the letter could not be composed: {type(exc).__name__}: {exc}")
        else:
            subject = composed.rendered.subject
            rendered_text = composed.rendered.text
            rendered_sms = composed.rendered.sms
            row.update(
                body_html=composed.rendered.html,
                pdf=composed.pdf,
                pdf_sha256=composed.pdf_sha256,
            )
    if not rendered_sms and "sms" in chain:
        chain = [c for c in chain if c != "sms"]
    channel = chain[0] if chain else "letter"
    recipient = recipient_for(channel, contact) or NO_RECIPIENT
    if not chain:
        problems.append("the debtor has no e-mail address and no postal address we may use")
    problems += violations(
        LetterFacts(
            pack=intent.pack,
            template_key=intent.template_key,
            channel=channel,
            business_date=intent.business_date,
            deadline=intent.deadline,
            fees=intent.fees,
            creditor_name=intent.creditor.name,
            creditor_enterprise_number=intent.creditor.enterprise_number,
            **intent.facts,
        )
    )
    problems = list(dict.fromkeys(problems))
    status = "needs_ops" if problems else "pending"
    max_age = timedelta(days=m.settings.reminder_max_age_days)
    stale = intent.business_date < m.clock.today() - max_age
    if stale and not problems:
        status = "skipped"
        problems.append(
            f"not sent: due on {intent.business_date.isoformat()}, older than "
            f"{m.settings.reminder_max_age_days} days when it arrived (replayed history)"
        )
    row.update(
        message_id=message_id(tenant, intent.cause_key, channel, recipient),
        channel=channel,
        recipient=recipient,
        status=status,
        subject=subject,
        body_text=rendered_sms if channel == "sms" else rendered_text,
        payload={
            "contact": {
                "name": contact.name,
                "email": contact.email,
                "phone": contact.phone,
                "address": list(contact.address),
            },
            "letter_text": rendered_text,
            "sms_text": rendered_sms,
            "requested_channel": intent.requested_channel,
            "sender_name": intent.creditor.name,
            "pack": intent.pack,
            "template_origin": source.origin if source else None,
            **intent.extra,
        },
        fallback_channels=list(chain[1:]),
        failure_reason="; ".join(problems)[:1000] or None,
        failed_at=m.clock.now() if problems else None,
        next_attempt_at=None if problems else row["next_attempt_at"],
    )
    if not await insert_message(session, row):
        return None
    if problems:
        await append_event(
            m,
            session,
            row,
            NotificationFailed(
                message_id=row["message_id"],
                debtor_ref=row["debtor_ref"],
                channel=channel,
                reason=row["failure_reason"],
                needs_ops=status == "needs_ops",
            ),
        )
    return row


def _fmt(language: str, pack: str, country: str | None) -> LocaleFormat:
    return LocaleFormat.for_debtor(language, pack, country)


async def _reminder_intent(
    m: Messaging, session: AsyncSession, env: Envelope, event: ReminderDue, preview: bool
) -> Intent | None:
    if not preview and (event.action == "phone_call" or event.channel == "phone"):
        return None  # a call is a worklist task of dunning-service, not a message
    if not preview and event.action == "agency_handover":
        return None  # the debtor's hand-over notice follows DebtorEscalatedToCollection
    creditor, _configured = await load_creditor(session, env.tenant_id)
    key = event.template_key
    problems: list[str] = []
    unusable = template_problem(key)
    if unusable is not None:
        problems.append(unusable)
    fmt = _fmt(event.language, event.pack, None)
    context = reminder_context(event, creditor, fmt)
    fees = sum((i.fees for i in event.items), Decimal(0))
    requested = event.channel if event.channel in ("email", "letter", "sms") else "email"
    return Intent(
        env=env,
        debtor_ref=event.debtor_ref,
        cause_key=f"reminder:{event.reminder_id}",
        template_key=key,
        language=event.language,
        pack=event.pack,
        requested_channel=requested,
        business_date=event.business_date,
        deadline=event.deadline,
        contact=Contact(
            name=event.debtor_name,
            email=event.email,
            phone=event.phone,
            address=tuple(event.postal_address),
        ),
        context=context,
        creditor=creditor,
        fees=fees,
        letter_first=key == "formal_notice" and event.channel == "letter",
        extra={"reminder_id": event.reminder_id, "step": event.step, "action": event.action},
        problems=problems,
        recipient_block=address_block(
            event.debtor_name,
            event.address,
            event.postal_address,
            creditor.country,
            event.language,
        ),
        facts=reminder_facts(event),
    )


async def _debtor_intent(
    m: Messaging,
    session: AsyncSession,
    env: Envelope,
    *,
    debtor_ref: str,
    cause_key: str,
    template_key: str,
    business_date: date,
    build: Any,
    language: str | None,
) -> Intent | None:
    creditor, _configured = await load_creditor(session, env.tenant_id)
    debtor = await load_debtor(session, env.tenant_id, debtor_ref)
    if debtor is None:
        debtor = Debtor(ref=debtor_ref, name=debtor_ref, language="en")
    if language is not None:
        debtor = replace(debtor, language=language)
    pack = pack_for(debtor.kind, debtor.country)
    fmt = _fmt(debtor.language, pack, debtor.country)
    # A letter of our own (a confirmation, a dispute's outcome) is dated on a working day.
    business_date = next_business_day(business_date)
    return Intent(
        env=env,
        debtor_ref=debtor_ref,
        cause_key=cause_key,
        template_key=template_key,
        language=debtor.language,
        pack=pack,
        requested_channel="email",
        business_date=business_date,
        deadline=None,
        contact=Contact(
            name=debtor.name, email=debtor.email, phone=debtor.phone, address=debtor.address
        ),
        context=build(creditor, debtor, pack, fmt),
        creditor=creditor,
        recipient_block=address_block(
            debtor.name, debtor.postal, debtor.address, creditor.country, debtor.language
        ),
    )


async def intent_for(
    m: Messaging,
    session: AsyncSession,
    env: Envelope,
    event: DomainEvent,
    *,
    language: str | None = None,
    preview: bool = False,
) -> Intent | None:
    """What the event asks to tell the debtor; ``language`` and ``preview`` serve the preview
    endpoint (another language; an intent even for calls and hand-over steps)."""
    match event:
        case ReminderDue():
            if language is not None:
                event = event.model_copy(update={"language": language})
            return await _reminder_intent(m, session, env, event, preview)
        case PromiseToPayMade():
            return await _debtor_intent(
                m, session, env,
                debtor_ref=event.debtor_ref,
                cause_key=f"promise:{event.promise_id}",
                template_key="promise_confirmation",
                business_date=event.made_on,
                build=lambda c, d, p, f: promise_context(event, c, d, p, f),
                language=language,
            )  # fmt: skip
        case PaymentPlanAgreed():
            return await _debtor_intent(
                m, session, env,
                debtor_ref=event.debtor_ref,
                cause_key=f"plan:{event.plan_id}",
                template_key="payment_plan_confirmation",
                business_date=event.agreed_on,
                build=lambda c, d, p, f: plan_context(event, c, d, p, f),
                language=language,
            )  # fmt: skip
        case DisputeResolved():
            return await _debtor_intent(
                m, session, env,
                debtor_ref=event.debtor_ref,
                cause_key=f"dispute:{event.dispute_id}",
                template_key="dispute_outcome",
                business_date=event.resolved_on,
                build=lambda c, d, p, f: dispute_context(event, c, d, p, f),
                language=language,
            )  # fmt: skip
        case DebtorEscalatedToCollection():
            return await _debtor_intent(
                m, session, env,
                debtor_ref=event.debtor_ref,
                cause_key=f"handover:{event.debtor_ref}:{event.escalated_on.isoformat()}",
                template_key="handover_notice",
                business_date=event.escalated_on,
                build=lambda c, d, p, f: handover_context(event, c, d, p, f),
                language=language,
            )  # fmt: skip
    return None


MESSAGE_EVENTS = frozenset(
    {
        ReminderDue.event_type,
        PromiseToPayMade.event_type,
        PaymentPlanAgreed.event_type,
        DisputeResolved.event_type,
        DebtorEscalatedToCollection.event_type,
    }
)


async def plan_messages(
    m: Messaging,
    session: AsyncSession,
    env: Envelope,
    registry: EventRegistry,
    debtor_ref: str | None,
) -> int:
    """The messages and webhooks an event calls for; the number recorded."""
    planned = await plan_webhooks(m, session, env, debtor_ref=debtor_ref)
    if env.type not in MESSAGE_EVENTS:
        return planned
    try:
        event = env.decode(registry)
    except (UnknownEventType, ValueError):
        log.warning("cannot decode %s %s: no message planned", env.type, env.event_id)
        return planned
    intent = await intent_for(m, session, env, event)
    if intent is None:
        return planned
    return planned + (1 if await record_intent(m, session, intent) else 0)

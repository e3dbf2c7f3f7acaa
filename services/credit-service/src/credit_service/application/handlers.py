"""The account consumer: applies invoicing and dunning events to the projections, then runs the
debtor's credit-account rules in the same transaction (their events commit with the inbox row).
Every other type is ignored."""

from __future__ import annotations

import logging
from datetime import date
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from contracts import topics
from contracts.dunning import (
    DebtorEscalatedToCollection,
    DisputeOpened,
    DisputeResolved,
    PaymentPlanDefaulted,
    PromiseToPayBroken,
)
from contracts.invoicing import (
    DebtorRegistered,
    DebtorUpdated,
    InvoiceCancelled,
    InvoiceIssued,
    InvoicePaid,
    InvoicePartiallyPaid,
    InvoiceReopened,
    InvoiceWrittenOff,
    PaymentAllocated,
    PaymentAllocationReversed,
    PaymentOverdue,
)
from credit_service.application.accounts import reevaluate
from credit_service.projections import projector
from credit_service.projections.tables import (
    credit_debtors,
    credit_disputes,
    credit_dunning_incidents,
    credit_invoices,
    credit_settlements,
)
from eventkit.consumer import Handler, Subscription
from eventkit.envelope import Envelope
from eventkit.events import DomainEvent, EventRegistry
from eventkit.runtime import Runtime

log = logging.getLogger(__name__)

# The group name predates the accounts; it is the one contracts.topics declares (with its DLQ).
EXPOSURE_GROUP = "credit-service.exposure"
EXPOSURE_TOPICS = (topics.INVOICING_INVOICE, topics.INVOICING_DEBTOR, topics.DUNNING_CASE)
# CreditNoteIssued is left out on purpose: a credit note lowers the exposure through the
# PaymentAllocated events (source_kind "credit_note") of the invoices it is applied to.
PROJECTED_TYPES: tuple[type[DomainEvent], ...] = (
    DebtorRegistered,
    DebtorUpdated,
    InvoiceIssued,
    PaymentOverdue,
    PaymentAllocated,
    PaymentAllocationReversed,
    InvoicePartiallyPaid,
    InvoicePaid,
    InvoiceReopened,
    InvoiceCancelled,
    InvoiceWrittenOff,
    DisputeOpened,
    DisputeResolved,
    PromiseToPayBroken,
    PaymentPlanDefaulted,
    DebtorEscalatedToCollection,
)
EXPOSURE_EVENTS = frozenset(cls.event_type for cls in PROJECTED_TYPES)
# After these the debtor's account rules run again. Master data changes nothing the rules see;
# InvoicePartiallyPaid, InvoicePaid and InvoiceReopened follow, on the same partition, the
# allocation or reversal that already brought the balance they state.
REEVALUATING_EVENTS = EXPOSURE_EVENTS - {
    DebtorRegistered.event_type,
    DebtorUpdated.event_type,
    InvoicePartiallyPaid.event_type,
    InvoicePaid.event_type,
    InvoiceReopened.event_type,
}


async def apply_to_exposure(session: AsyncSession, env: Envelope, event: DomainEvent) -> None:
    """The projections' part: debtors, invoices and their dated settlements, dunning facts."""
    tenant_id = env.tenant_id
    match event:
        case DebtorRegistered() | DebtorUpdated():
            await projector.upsert_debtor(
                session, tenant_id, event.debtor_ref, event.profile, env.occurred_at
            )
        case InvoiceIssued():
            await projector.record_invoice(session, tenant_id, event)
        case PaymentOverdue():
            await projector.mark_overdue(session, tenant_id, event)
        case PaymentAllocated():
            await _set_open_amount(
                session, env, event.invoice_number, event.open_amount_after, event.allocated_on
            )
            await _settle(
                session,
                env,
                event,
                event.source_kind,
                event.allocated_on,
                event.currency,
                amount=event.amount + event.discount,
                source_id=event.source_id,
            )
        case PaymentAllocationReversed():
            await _set_open_amount(
                session, env, event.invoice_number, event.open_amount_after, event.reversed_on
            )
            await _settle(
                session,
                env,
                event,
                f"{event.source_kind}_reversal",
                event.reversed_on,
                event.currency,
                amount=-(event.amount + event.discount),
                source_id=event.source_id,
            )
        case InvoicePartiallyPaid() | InvoiceReopened():
            await _set_open_amount(session, env, event.invoice_number, event.open_amount)
        case InvoicePaid():
            # Nothing is owed any more: an open amount of 0 takes it out of the exposure.
            await _set_open_amount(
                session, env, event.invoice_number, projector.ZERO, event.paid_on
            )
        case InvoiceCancelled():
            known = await projector.open_amount_of(session, tenant_id, event.invoice_number)
            if known is not None and known[0] > 0:
                open_amount, currency = known
                await _settle(
                    session,
                    env,
                    event,
                    "cancelled",
                    event.cancelled_on,
                    currency,
                    amount=open_amount,
                )
            await _set_open_amount(
                session, env, event.invoice_number, projector.ZERO, event.cancelled_on
            )
        case InvoiceWrittenOff():
            await _settle(
                session,
                env,
                event,
                "written_off",
                event.written_off_on,
                event.currency,
                amount=event.amount,
            )
            await _set_open_amount(
                session, env, event.invoice_number, projector.ZERO, event.written_off_on
            )
        case DisputeOpened():
            await projector.dispute_opened(
                session,
                tenant_id,
                event.dispute_id,
                event.debtor_ref,
                event.invoice_number,
                event.opened_on,
            )
        case DisputeResolved():
            await projector.dispute_resolved(
                session,
                tenant_id,
                event.dispute_id,
                event.debtor_ref,
                event.invoice_number,
                event.resolved_on,
            )
        case PromiseToPayBroken():
            await _incident(
                session, env, event.debtor_ref, "broken_promise", event.promise_id, event.broken_on
            )
        case PaymentPlanDefaulted():
            await _incident(
                session, env, event.debtor_ref, "defaulted_plan", event.plan_id, event.defaulted_on
            )
        case DebtorEscalatedToCollection():
            await _incident(
                session, env, event.debtor_ref, "escalation", event.agency, event.escalated_on
            )


async def _settle(
    session: AsyncSession,
    env: Envelope,
    event: PaymentAllocated | PaymentAllocationReversed | InvoiceCancelled | InvoiceWrittenOff,
    kind: str,
    on: date,
    currency: str,
    *,
    amount: Decimal,
    source_id: str | None = None,
) -> None:
    await projector.record_settlement(
        session,
        env.tenant_id,
        str(env.event_id),
        invoice_number=event.invoice_number,
        debtor_ref=event.debtor_ref,
        currency=currency,
        kind=kind,
        source_id=source_id,
        settled_on=on,
        amount=amount,
    )


async def _incident(
    session: AsyncSession, env: Envelope, debtor_ref: str, kind: str, reference: str, on: date
) -> None:
    await projector.record_incident(
        session,
        env.tenant_id,
        str(env.event_id),
        debtor_ref=debtor_ref,
        kind=kind,
        reference=reference,
        occurred_on=on,
    )


async def _set_open_amount(
    session: AsyncSession,
    env: Envelope,
    invoice_number: str,
    open_amount: Decimal,
    settled_on: date | None = None,
) -> None:
    if not await projector.set_open_amount(
        session, env.tenant_id, invoice_number, open_amount, settled_on
    ):
        # Cannot happen within one partition of the invoice topic; keep going anyway.
        log.warning(
            "%s %s for unknown invoice %r of tenant %r; nothing recorded",
            env.type.rpartition(".")[2],
            env.event_id,
            invoice_number,
            env.tenant_id,
        )


def _debtor_of(event: DomainEvent) -> str:
    debtor_ref = getattr(event, "debtor_ref", None)  # every projected type names its debtor
    if not isinstance(debtor_ref, str):
        raise TypeError(f"{event.event_type} names no debtor")
    return debtor_ref


def exposure_handler(registry: EventRegistry) -> Handler:
    """The projections alone (no account rules)."""

    async def handle(session: AsyncSession, env: Envelope) -> None:
        if env.type not in EXPOSURE_EVENTS:
            return  # the topics carry more than credit needs, and will carry new types
        # Decoded through the registry so that older schema versions are upcast first.
        event = registry.decode(env.type, env.schema_version, env.payload)
        await apply_to_exposure(session, env, event)

    return handle


def account_handler(rt: Runtime) -> Handler:
    """The projections, then the debtor's account rules, in the consumer's transaction."""

    async def handle(session: AsyncSession, env: Envelope) -> None:
        if env.type not in EXPOSURE_EVENTS:
            return
        event = rt.registry.decode(env.type, env.schema_version, env.payload)
        await apply_to_exposure(session, env, event)
        if env.type in REEVALUATING_EVENTS:
            escalated_on = (
                event.escalated_on if isinstance(event, DebtorEscalatedToCollection) else None
            )
            await reevaluate(
                session, rt, env.tenant_id, _debtor_of(event), escalated_on=escalated_on
            )

    return handle


def subscriptions(rt: Runtime) -> list[Subscription]:
    return [
        Subscription(
            group=EXPOSURE_GROUP,
            topics=EXPOSURE_TOPICS,
            handler=account_handler(rt),
            projection_tables=[
                credit_debtors,
                credit_invoices,
                credit_settlements,
                credit_disputes,
                credit_dunning_incidents,
            ],
        )
    ]

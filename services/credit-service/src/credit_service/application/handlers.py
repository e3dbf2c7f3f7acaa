"""The exposure consumer: applies invoicing events to the projection, ignores every other type."""

from __future__ import annotations

import logging
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from contracts import topics
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
from credit_service.projections import projector
from credit_service.projections.tables import credit_debtors, credit_invoices
from eventkit.consumer import Handler, Subscription
from eventkit.envelope import Envelope
from eventkit.events import DomainEvent, EventRegistry
from eventkit.runtime import Runtime

log = logging.getLogger(__name__)

EXPOSURE_GROUP = "credit-service.exposure"
EXPOSURE_TOPICS = (topics.INVOICING_INVOICE, topics.INVOICING_DEBTOR)
# CreditNoteIssued is left out on purpose: a credit note lowers the exposure through the
# PaymentAllocated events (source_kind "credit_note") of the invoices it is applied to.
EXPOSURE_EVENTS = frozenset(
    cls.event_type
    for cls in (
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
    )
)


async def apply_to_exposure(session: AsyncSession, env: Envelope, event: DomainEvent) -> None:
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
        case PaymentAllocated() | PaymentAllocationReversed():
            await _set_open_amount(session, env, event.invoice_number, event.open_amount_after)
        case InvoicePartiallyPaid() | InvoiceReopened():
            await _set_open_amount(session, env, event.invoice_number, event.open_amount)
        case InvoicePaid() | InvoiceCancelled() | InvoiceWrittenOff():
            # Nothing is owed any more: an open amount of 0 takes the invoice out of the exposure.
            await _set_open_amount(session, env, event.invoice_number, projector.ZERO)


async def _set_open_amount(
    session: AsyncSession, env: Envelope, invoice_number: str, open_amount: Decimal
) -> None:
    if not await projector.set_open_amount(session, env.tenant_id, invoice_number, open_amount):
        # Cannot happen within one partition of the invoice topic; keep going anyway.
        log.warning(
            "%s %s for unknown invoice %r of tenant %r; nothing recorded",
            env.type.rpartition(".")[2],
            env.event_id,
            invoice_number,
            env.tenant_id,
        )


def exposure_handler(registry: EventRegistry) -> Handler:
    async def handle(session: AsyncSession, env: Envelope) -> None:
        if env.type not in EXPOSURE_EVENTS:
            return  # the topics carry more than exposure needs, and will carry new types
        # Decoded through the registry so that older schema versions are upcast first.
        event = registry.decode(env.type, env.schema_version, env.payload)
        await apply_to_exposure(session, env, event)

    return handle


def subscriptions(rt: Runtime) -> list[Subscription]:
    return [
        Subscription(
            group=EXPOSURE_GROUP,
            topics=EXPOSURE_TOPICS,
            handler=exposure_handler(rt.registry),
            projection_tables=[credit_debtors, credit_invoices],
        )
    ]

"""Reactions of dunning-service to invoicing events: keep the debtors and open items current.

The handler runs inside the consumer's transaction after the inbox deduplicated the event, so
each effect happens once per event."""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession

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
from dunning_service.projections.projector import (
    CANCELLED,
    PAID,
    WRITTEN_OFF,
    add_open_item,
    close,
    mark_overdue,
    reopen,
    set_open_amount,
    upsert_debtor,
)
from eventkit.consumer import Handler
from eventkit.envelope import Envelope
from eventkit.events import DomainEvent, EventRegistry

log = logging.getLogger(__name__)

PROJECTED_EVENTS: frozenset[str] = frozenset(
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


def open_items_handler(registry: EventRegistry) -> Handler:
    """The handler of the ``dunning-service.open-items`` group; other event types are ignored
    (decoding through the registry upcasts older schema versions)."""

    async def handle(session: AsyncSession, env: Envelope) -> None:
        if env.type not in PROJECTED_EVENTS:
            return
        event = registry.decode(env.type, env.schema_version, env.payload)
        await project(session, env, event)

    return handle


async def project(session: AsyncSession, env: Envelope, event: DomainEvent) -> None:
    """Apply one event. The invoice's events arrive in stream order (one partition per debtor),
    so each money event simply states the balance the ledger reached. Credit notes reach the
    open items through their PaymentAllocated events, not through CreditNoteIssued."""
    tenant, at = env.tenant_id, env.occurred_at
    match event:
        case DebtorRegistered() | DebtorUpdated():
            await upsert_debtor(session, tenant, event.debtor_ref, event.profile, at)
            return
        case InvoiceIssued():
            await add_open_item(session, tenant, event, at)
            return
        case PaymentOverdue():
            found = await mark_overdue(
                session, tenant, event.invoice_number, event.overdue_since, at
            )
        case PaymentAllocated():
            found = await set_open_amount(
                session, tenant, event.invoice_number, event.open_amount_after, at
            )
        case InvoicePartiallyPaid():
            found = await set_open_amount(
                session, tenant, event.invoice_number, event.open_amount, at
            )
        case PaymentAllocationReversed():
            found = await reopen(session, tenant, event.invoice_number, event.open_amount_after, at)
        case InvoiceReopened():
            found = await reopen(session, tenant, event.invoice_number, event.open_amount, at)
        case InvoicePaid():
            found = await close(session, tenant, event.invoice_number, PAID, at)
        case InvoiceCancelled():
            found = await close(session, tenant, event.invoice_number, CANCELLED, at)
        case InvoiceWrittenOff():
            found = await close(session, tenant, event.invoice_number, WRITTEN_OFF, at)
        case _:
            return
    if not found:
        # Cannot happen within one partition of the invoice topic; keep going anyway.
        log.warning(
            "%s %s for unknown invoice %r of tenant %r; nothing recorded",
            env.type.rpartition(".")[2],
            env.event_id,
            event.invoice_number,
            tenant,
        )

"""Reactions of dunning-service to invoicing events: keep the debtors and open items current.

The handler runs inside the consumer's transaction after the inbox deduplicated the event, so
each effect happens once per event."""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession

from contracts.invoicing import DebtorRegistered, DebtorUpdated, InvoiceIssued, PaymentOverdue
from dunning_service.projections.projector import add_open_item, mark_overdue, upsert_debtor
from eventkit.consumer import Handler
from eventkit.envelope import Envelope
from eventkit.events import DomainEvent, EventRegistry

log = logging.getLogger(__name__)

PROJECTED_EVENTS: frozenset[str] = frozenset(
    cls.event_type for cls in (DebtorRegistered, DebtorUpdated, InvoiceIssued, PaymentOverdue)
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
    tenant, at = env.tenant_id, env.occurred_at
    match event:
        case DebtorRegistered() | DebtorUpdated():
            await upsert_debtor(session, tenant, event.debtor_ref, event.profile, at)
        case InvoiceIssued():
            await add_open_item(session, tenant, event, at)
        case PaymentOverdue():
            if not await mark_overdue(
                session, tenant, event.invoice_number, event.overdue_since, at
            ):
                # Cannot happen within one partition of the invoice topic; keep going anyway.
                log.warning(
                    "PaymentOverdue %s for unknown invoice %r of tenant %r; nothing recorded",
                    env.event_id,
                    event.invoice_number,
                    tenant,
                )

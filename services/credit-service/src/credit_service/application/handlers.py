"""The exposure consumer: applies invoicing events to the projection, ignores every other type."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from contracts import topics
from contracts.invoicing import DebtorRegistered, DebtorUpdated, InvoiceIssued, PaymentOverdue
from credit_service.projections import projector
from credit_service.projections.tables import credit_debtors, credit_invoices
from eventkit.consumer import Handler, Subscription
from eventkit.envelope import Envelope
from eventkit.events import DomainEvent, EventRegistry
from eventkit.runtime import Runtime

EXPOSURE_GROUP = "credit-service.exposure"
EXPOSURE_TOPICS = (topics.INVOICING_INVOICE, topics.INVOICING_DEBTOR)
EXPOSURE_EVENTS = frozenset(
    cls.event_type for cls in (DebtorRegistered, DebtorUpdated, InvoiceIssued, PaymentOverdue)
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

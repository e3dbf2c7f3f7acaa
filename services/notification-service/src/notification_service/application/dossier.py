"""Keeping the debtor dossier: every event about a debtor becomes an entry."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from contracts import topics
from eventkit.consumer import Handler, Subscription
from eventkit.envelope import Envelope
from eventkit.events import EventRegistry
from notification_service.domain.dossier import entry_for
from notification_service.projections.projector import record_entry
from notification_service.projections.tables import dossier_entries

DOSSIER_GROUP = "notification-service.dossier"
DOSSIER_TOPICS = (
    topics.INVOICING_DEBTOR,
    topics.INVOICING_INVOICE,
    topics.DUNNING_CASE,
    topics.CREDIT_ACCOUNT,
)


def record_in_dossier(registry: EventRegistry) -> Handler:
    async def handler(session: AsyncSession, env: Envelope) -> None:
        entry = entry_for(env, registry)
        if entry is not None:  # events that concern no debtor have no dossier
            await record_entry(session, entry)

    return handler


def dossier_subscription(registry: EventRegistry) -> Subscription:
    return Subscription(
        group=DOSSIER_GROUP,
        topics=list(DOSSIER_TOPICS),
        handler=record_in_dossier(registry),
        projection_tables=[dossier_entries],
    )

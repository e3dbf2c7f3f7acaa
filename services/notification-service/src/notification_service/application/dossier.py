"""Keeping the debtor dossier: every event about a debtor becomes an entry, and the events
that call for a message (reminders, confirmations, hand-over) record its send intent.

Both happen in the one consumer group ``notification-service.dossier``: the contracts list
its dead-letter topic, and a replay that rebuilds the dossier finds every message already
recorded (deterministic ids, one cause = one message), so a rebuild never sends twice.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from contracts import topics
from eventkit.consumer import Handler, Subscription
from eventkit.envelope import Envelope
from eventkit.events import EventRegistry
from notification_service.application.messaging import Messaging
from notification_service.application.planning import plan_messages
from notification_service.domain.dossier import debtor_ref_of, entry_for
from notification_service.projections.projector import record_entry
from notification_service.projections.tables import dossier_entries

DOSSIER_GROUP = "notification-service.dossier"
DOSSIER_TOPICS = (
    topics.INVOICING_DEBTOR,
    topics.INVOICING_INVOICE,
    topics.DUNNING_CASE,
    topics.CREDIT_ACCOUNT,
)


def record_in_dossier(registry: EventRegistry, messaging: Messaging | None = None) -> Handler:
    async def handler(session: AsyncSession, env: Envelope) -> None:
        entry = entry_for(env, registry)
        if entry is not None:  # events that concern no debtor have no dossier
            await record_entry(session, entry)
        if messaging is not None:
            debtor_ref = debtor_ref_of(env.payload, env.partition_key)
            await plan_messages(messaging, session, env, registry, debtor_ref)

    return handler


def dossier_subscription(
    registry: EventRegistry, messaging: Messaging | None = None
) -> Subscription:
    async def after_commit(_handled: Sequence[Envelope]) -> None:
        if messaging is not None:
            messaging.committed()

    return Subscription(
        group=DOSSIER_GROUP,
        topics=list(DOSSIER_TOPICS),
        handler=record_in_dossier(registry, messaging),
        after_commit=after_commit,
        projection_tables=[dossier_entries],
    )

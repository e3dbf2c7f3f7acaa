"""Every topic of the product. Names follow ``<context>.<aggregate>.events``."""

from __future__ import annotations

from eventkit.topics import TopicSpec

INVOICING_DEBTOR = "invoicing.debtor.events"
INVOICING_INVOICE = "invoicing.invoice.events"
INVOICING_PAYMENT = "invoicing.payment.events"
DUNNING_CASE = "dunning.case.events"
CREDIT_ACCOUNT = "credit.account.events"
NOTIFICATION_MESSAGE = "notification.message.events"
SYSTEM_CLOCK = "system.clock.events"

# Partition counts for production; the local broker uses the same names.
EVENT_TOPICS: tuple[TopicSpec, ...] = (
    TopicSpec(INVOICING_DEBTOR, partitions=6),
    TopicSpec(INVOICING_INVOICE, partitions=6),
    TopicSpec(INVOICING_PAYMENT, partitions=6),
    TopicSpec(DUNNING_CASE, partitions=6),
    TopicSpec(CREDIT_ACCOUNT, partitions=6),
    TopicSpec(NOTIFICATION_MESSAGE, partitions=6),
    TopicSpec(SYSTEM_CLOCK, partitions=1),
)

# Consumer groups (``<service>.<projection-or-policy>``); each has a ``<group>.dlq`` topic.
CONSUMER_GROUPS: tuple[str, ...] = (
    "invoice-service.clock",
    "dunning-service.open-items",
    "dunning-service.clock",
    "credit-service.exposure",
    "credit-service.clock",
    "notification-service.dossier",
    "notification-service.clock",
)


def all_topics() -> tuple[TopicSpec, ...]:
    """Event topics plus one dead-letter topic per consumer group."""
    dlqs = tuple(TopicSpec(f"{group}.dlq", partitions=1) for group in CONSUMER_GROUPS)
    return EVENT_TOPICS + dlqs

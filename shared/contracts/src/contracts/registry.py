"""The registry of every public event type, the topic each travels on and who publishes it."""

from __future__ import annotations

from types import ModuleType

from contracts import credit, dunning, invoicing, notification, topics
from contracts.upcasters import register_upcasters
from eventkit.events import DomainEvent, EventRegistry
from eventkit.timekeeping import ClockAdvanced

PUBLIC_EVENTS: tuple[type[DomainEvent], ...] = (
    invoicing.DebtorRegistered,
    invoicing.DebtorUpdated,
    invoicing.InvoiceIssued,
    invoicing.PaymentOverdue,
    invoicing.InvoiceTermsSet,
    invoicing.CreditNoteIssued,
    invoicing.PaymentReceived,
    invoicing.PaymentAllocated,
    invoicing.PaymentAllocationReversed,
    invoicing.PaymentUnmatched,
    invoicing.PaymentReversed,
    invoicing.ReversalUnmatched,
    invoicing.ReversalResolved,
    invoicing.InvoicePartiallyPaid,
    invoicing.InvoicePaid,
    invoicing.InvoiceReopened,
    invoicing.InvoiceCancelled,
    invoicing.InvoiceWrittenOff,
    dunning.ReminderDue,
    dunning.DisputeOpened,
    dunning.DisputeResolved,
    dunning.PromiseToPayMade,
    dunning.PromiseToPayKept,
    dunning.PromiseToPayBroken,
    dunning.PaymentPlanAgreed,
    dunning.InstalmentMissed,
    dunning.PaymentPlanDefaulted,
    dunning.PaymentPlanCompleted,
    dunning.DunningPaused,
    dunning.DunningResumed,
    dunning.DebtorEscalatedToCollection,
    dunning.AgencyCaseUpdated,
    dunning.NoteRecorded,
    credit.CreditLimitChanged,
    credit.CreditLimitExceeded,
    credit.CreditHoldPlaced,
    credit.CreditHoldLifted,
    credit.RiskClassChanged,
    credit.PaymentBehaviourDeteriorated,
    credit.CreditReviewDue,
    notification.NotificationSent,
    notification.NotificationDelivered,
    notification.NotificationFailed,
    ClockAdvanced,
)


def build_registry() -> EventRegistry:
    """Every public event type with the upcasters that bring older schema versions up to date."""
    registry = EventRegistry()
    for cls in PUBLIC_EVENTS:
        registry.register(cls)
    register_upcasters(registry)
    return registry


DEBTOR_EVENTS = (invoicing.DebtorRegistered, invoicing.DebtorUpdated)
PAYMENT_EVENTS = (
    invoicing.PaymentReceived,
    invoicing.PaymentUnmatched,
    invoicing.PaymentReversed,
    invoicing.ReversalUnmatched,
    invoicing.ReversalResolved,
)

# Who publishes the events of a context (the ``ce_source`` header is ``urn:creditmgmt:<producer>``).
PRODUCERS = {
    "invoicing": "invoice-service",
    "dunning": "dunning-service",
    "credit": "credit-service",
    "notification": "notification-service",
    "system": "devstack",
}


def _events_of(module: ModuleType) -> list[type[DomainEvent]]:
    return [
        obj
        for obj in vars(module).values()
        if isinstance(obj, type)
        and issubclass(obj, DomainEvent)
        and obj is not DomainEvent
        and obj.__module__ == module.__name__
    ]


def topic_events() -> dict[str, list[type[DomainEvent]]]:
    """Which events travel on which topic (invoice-service routes by aggregate: debtors, invoices
    with their credit notes and allocations, payments)."""
    invoice_events = [
        e for e in _events_of(invoicing) if e not in DEBTOR_EVENTS and e not in PAYMENT_EVENTS
    ]
    return {
        topics.INVOICING_DEBTOR: list(DEBTOR_EVENTS),
        topics.INVOICING_INVOICE: invoice_events,
        topics.INVOICING_PAYMENT: list(PAYMENT_EVENTS),
        topics.DUNNING_CASE: _events_of(dunning),
        topics.CREDIT_ACCOUNT: _events_of(credit),
        topics.NOTIFICATION_MESSAGE: _events_of(notification),
        topics.SYSTEM_CLOCK: [ClockAdvanced],
    }


def topic_of(event_type: str) -> str:
    for topic, events in topic_events().items():
        if any(e.event_type == event_type for e in events):
            return topic
    raise LookupError(f"{event_type} travels on no topic")


def producer_of(event_type: str) -> str:
    return PRODUCERS[event_type.split(".", 1)[0]]


def sources_of(event_type: str) -> frozenset[str]:
    """Who may publish ``event_type``: its context's service; simulated time (``system.*``)
    comes from devstack or from any service's admin clock endpoint."""
    context = event_type.split(".", 1)[0]
    return frozenset(PRODUCERS.values()) if context == "system" else frozenset({PRODUCERS[context]})

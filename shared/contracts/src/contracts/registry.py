"""The registry of every public event type."""

from __future__ import annotations

from contracts import credit, dunning, invoicing, notification
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
    registry = EventRegistry()
    for cls in PUBLIC_EVENTS:
        registry.register(cls)
    return registry

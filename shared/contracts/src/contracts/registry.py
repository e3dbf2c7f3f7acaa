"""The registry of every public event type."""

from __future__ import annotations

from contracts import invoicing
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
    invoicing.InvoicePartiallyPaid,
    invoicing.InvoicePaid,
    invoicing.InvoiceReopened,
    invoicing.InvoiceCancelled,
    invoicing.InvoiceWrittenOff,
    ClockAdvanced,
)


def build_registry() -> EventRegistry:
    registry = EventRegistry()
    for cls in PUBLIC_EVENTS:
        registry.register(cls)
    return registry

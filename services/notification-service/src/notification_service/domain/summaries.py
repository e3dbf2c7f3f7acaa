"""One-line, human-readable descriptions of the events a debtor's dossier records."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from contracts.invoicing import DebtorRegistered, DebtorUpdated, InvoiceIssued, PaymentOverdue
from eventkit.events import DomainEvent

CENT = Decimal("0.01")


def money(amount: Decimal, currency: str) -> str:
    return f"{currency} {format(amount.quantize(CENT, rounding=ROUND_HALF_UP), 'f')}"


def describe(event: DomainEvent) -> str | None:
    """The summary of an event this build knows how to word; None for any other."""
    match event:
        case DebtorRegistered():
            return f"Debtor registered: {event.profile.legal_name}"
        case DebtorUpdated():
            changed = f" ({', '.join(event.changed)})" if event.changed else ""
            return f"Debtor updated: {event.profile.legal_name}{changed}"
        case InvoiceIssued():
            return (
                f"Invoice {event.invoice_number} issued: "
                f"{money(event.amount_due, event.currency)} due {event.due_date.isoformat()}"
            )
        case PaymentOverdue():
            return (
                f"Invoice {event.invoice_number} overdue since "
                f"{event.overdue_since.isoformat()}: "
                f"{money(event.open_amount, event.currency)} open"
            )
        case _:
            return None


def generic_summary(event_type: str, aggregate_type: str, aggregate_id: str) -> str:
    """For events the contracts do not describe (yet): still recorded, plainly worded."""
    return f"{event_type} on {aggregate_type} {aggregate_id}"

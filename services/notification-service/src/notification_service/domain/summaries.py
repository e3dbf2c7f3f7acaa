"""One-line, human-readable descriptions of the events a debtor's dossier records."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from contracts.invoicing import (
    CreditNoteIssued,
    DebtorRegistered,
    DebtorUpdated,
    InvoiceCancelled,
    InvoiceIssued,
    InvoicePaid,
    InvoicePartiallyPaid,
    InvoiceReopened,
    InvoiceTermsSet,
    InvoiceWrittenOff,
    PaymentAllocated,
    PaymentAllocationReversed,
    PaymentOverdue,
    PaymentReceived,
    PaymentReversed,
    PaymentUnmatched,
)
from eventkit.events import DomainEvent

CENT = Decimal("0.01")

# How an allocation was matched, as the dossier words it.
METHODS: dict[str, str] = {
    "structured_reference": "structured reference",
    "free_text": "free text",
    "iban_amount": "IBAN and amount",
    "manual": "manual",
    "credit_note": "credit note",
    "agency": "agency",
}


def money(amount: Decimal, currency: str) -> str:
    return f"{currency} {format(amount.quantize(CENT, rounding=ROUND_HALF_UP), 'f')}"


def _percent(value: Decimal) -> str:
    """2.00 -> "2%", 1.50 -> "1.5%" (never in exponent notation)."""
    return f"{format(value.normalize(), 'f')}%"


def _reason(reason: str | None) -> str:
    return f" ({reason})" if reason else ""


def _source(kind: str, source_id: str) -> str:
    """What was allocated: a payment (its id is the bank's business) or a credit note."""
    return f"Credit note {source_id}" if kind == "credit_note" else "Payment"


def _allocated(event: PaymentAllocated) -> str:
    method = "" if event.source_kind == "credit_note" else _reason(METHODS.get(event.method))
    discount = f", discount {money(event.discount, event.currency)}" if event.discount > 0 else ""
    return (
        f"{_source(event.source_kind, event.source_id)} of "
        f"{money(event.amount, event.currency)} allocated to {event.invoice_number}"
        f"{method}{discount}; {money(event.open_amount_after, event.currency)} open"
    )


def _allocation_reversed(event: PaymentAllocationReversed) -> str:
    discount = f" (discount {money(event.discount, event.currency)})" if event.discount > 0 else ""
    return (
        f"{_source(event.source_kind, event.source_id)} of "
        f"{money(event.amount, event.currency)}{discount} on {event.invoice_number} "
        f"reversed on {event.reversed_on.isoformat()}; "
        f"{money(event.open_amount_after, event.currency)} open"
    )


def _terms(event: InvoiceTermsSet) -> str:
    parts: list[str] = []
    if event.discount is not None:
        d = event.discount
        parts.append(
            f"{_percent(d.percent)} discount if paid by {d.until.isoformat()} "
            f"(pay {d.amount.quantize(CENT, rounding=ROUND_HALF_UP)})"
        )
    if event.warnings:
        parts.append(f"warnings: {', '.join(event.warnings)}")
    detail = f": {'; '.join(parts)}" if parts else ""
    return f"Invoice {event.invoice_number} terms set{detail}"


def _credit_note(event: CreditNoteIssued) -> str:
    invoices = f" for {', '.join(event.invoice_numbers)}" if event.invoice_numbers else ""
    return (
        f"Credit note {event.credit_note_number} issued: "
        f"{money(event.amount, event.currency)}{invoices}{_reason(event.reason)}"
    )


def _payment_received(event: PaymentReceived) -> str:
    payer = f" from {event.counterparty_name}" if event.counterparty_name else ""
    return f"Payment {event.payment_id} received: {money(event.amount, event.currency)}{payer}"


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
        case InvoiceTermsSet():
            return _terms(event)
        case CreditNoteIssued():
            return _credit_note(event)
        case PaymentReceived():
            return _payment_received(event)
        case PaymentAllocated():
            return _allocated(event)
        case PaymentAllocationReversed():
            return _allocation_reversed(event)
        case PaymentUnmatched():
            return (
                f"Payment {event.payment_id} unmatched: "
                f"{money(event.unallocated, event.currency)}{_reason(event.reason)}"
            )
        case PaymentReversed():
            return (
                f"Payment {event.payment_id} reversed on {event.reversed_on.isoformat()}: "
                f"{money(event.amount, event.currency)}"
            )
        case InvoicePartiallyPaid():
            return (
                f"Invoice {event.invoice_number} partially paid: "
                f"{money(event.open_amount, event.currency)} open"
            )
        case InvoicePaid():
            return f"Invoice {event.invoice_number} paid on {event.paid_on.isoformat()}"
        case InvoiceReopened():
            return (
                f"Invoice {event.invoice_number} reopened: "
                f"{money(event.open_amount, event.currency)} open"
            )
        case InvoiceCancelled():
            return (
                f"Invoice {event.invoice_number} cancelled on "
                f"{event.cancelled_on.isoformat()}{_reason(event.reason)}"
            )
        case InvoiceWrittenOff():
            return (
                f"Invoice {event.invoice_number} written off on "
                f"{event.written_off_on.isoformat()}: "
                f"{money(event.amount, event.currency)}{_reason(event.reason)}"
            )
        case _:
            return None


def generic_summary(event_type: str, aggregate_type: str, aggregate_id: str) -> str:
    """For events the contracts do not describe (yet): still recorded, plainly worded."""
    return f"{event_type} on {aggregate_type} {aggregate_id}"

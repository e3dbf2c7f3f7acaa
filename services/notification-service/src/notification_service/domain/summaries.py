"""One-line, human-readable descriptions of the events a debtor's dossier records."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

from contracts.dunning import (
    AgencyCaseUpdated,
    DebtorEscalatedToCollection,
    DisputeOpened,
    DisputeResolved,
    DunningPaused,
    DunningResumed,
    InstalmentMissed,
    NoteRecorded,
    PaymentPlanAgreed,
    PaymentPlanCompleted,
    PaymentPlanDefaulted,
    PromiseToPayBroken,
    PromiseToPayKept,
    PromiseToPayMade,
    ReminderDue,
    ReminderTotals,
)
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
from contracts.letters import template_spec
from contracts.notification import NotificationDelivered, NotificationFailed, NotificationSent
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


STEP_NAMES = {
    "pre_due_notice": "Pre-due notice",
    "reminder": "Reminder",
    "book_xix_first_reminder": "Free first reminder (Book XIX)",
    "fourteen_day_letter": "14-day letter (BW 6:96)",
    "formal_notice": "Formal notice",
    "phone_call": "Phone call",
    "agency_handover": "Hand-over",
}
PAUSES = {
    "dispute": "a dispute",
    "promise": "a promise to pay",
    "payment_plan": "a payment plan",
    "manual": "a manual hold",
}


def _numbers(numbers: list[str]) -> str:
    return ", ".join(numbers) if numbers else "no invoice"


def _totals(totals: list[ReminderTotals]) -> str:
    return " + ".join(money(t.total, t.currency) for t in totals) or "nothing"


def _reminder(event: ReminderDue) -> str:
    spec = template_spec(event.template_key)
    kind = STEP_NAMES.get(spec.step_kind if spec else "", "Step")
    deadline = f", to pay by {event.deadline.isoformat()}" if event.deadline else ""
    return (
        f"{kind} (step {event.step}, by {event.channel}) for "
        f"{_numbers([i.invoice_number for i in event.items])}: {_totals(event.totals)}{deadline}"
    )


def _dunning(event: DomainEvent) -> str | None:
    match event:
        case ReminderDue():
            return _reminder(event)
        case DisputeOpened():
            note = f": {event.note}" if event.note else ""
            return (
                f"Dispute opened on {event.invoice_number} "
                f"({event.reason.replace('_', ' ')}){note}; reminders paused for it"
            )
        case DisputeResolved():
            outcome = {
                "rejected": "rejected; reminders resume",
                "credited": "upheld; the invoice is credited",
                "withdrawn": "withdrawn; reminders resume",
            }[event.outcome]
            return f"Dispute on {event.invoice_number} {outcome}"
        case PromiseToPayMade():
            return (
                f"Promise to pay {money(event.amount, event.currency)} by "
                f"{event.promised_date.isoformat()} for {_numbers(event.invoice_numbers)}"
            )
        case PromiseToPayKept():
            return f"Promise to pay kept on {event.kept_on.isoformat()}"
        case PromiseToPayBroken():
            return (
                f"Promise to pay broken on {event.broken_on.isoformat()}: "
                f"{money(event.amount_missing, event.currency)} missing"
            )
        case PaymentPlanAgreed():
            total = sum((i.amount for i in event.instalments), Decimal(0))
            return (
                f"Payment plan agreed for {_numbers(event.invoice_numbers)}: "
                f"{len(event.instalments)} instalments, {money(total, event.currency)}"
            )
        case InstalmentMissed():
            return (
                f"Instalment of {event.instalment_due.isoformat()} missed: "
                f"{money(event.amount_missing, event.currency)} short"
            )
        case PaymentPlanDefaulted():
            return f"Payment plan defaulted on {event.defaulted_on.isoformat()}"
        case PaymentPlanCompleted():
            return f"Payment plan completed on {event.completed_on.isoformat()}"
        case DunningPaused():
            until = f" until {event.until.isoformat()}" if event.until else ""
            return (
                f"Reminders paused for {_numbers(event.invoice_numbers)} "
                f"because of {PAUSES.get(event.reason, event.reason)}{until}"
            )
        case DunningResumed():
            return f"Reminders resumed for {_numbers(event.invoice_numbers)} ({event.reason})"
        case DebtorEscalatedToCollection():
            return (
                f"File handed over to collection agency {event.agency} for "
                f"{_numbers([i.invoice_number for i in event.items])}: {_totals(event.totals)}"
            )
        case AgencyCaseUpdated():
            note = f": {event.note}" if event.note else ""
            return f"Collection agency {event.agency} reports status {event.status!r}{note}"
        case NoteRecorded():
            outcome = f" (outcome: {event.outcome})" if event.outcome else ""
            return f"Note by {event.author}: {event.text}{outcome}"
        case NotificationSent():
            what = event.template_key.replace("_", " ").capitalize()
            return f"{what} sent by {event.channel} to {event.recipient}"
        case NotificationDelivered():
            return f"Message delivered by {event.channel}"
        case NotificationFailed():
            held = " — needs ops" if event.needs_ops else ""
            return f"Message by {event.channel} not sent: {event.reason}{held}"
    return None


def describe(event: DomainEvent) -> str | None:
    """The summary of an event this build knows how to word; None for any other."""
    dunning = _dunning(event)
    if dunning is not None:
        return dunning
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
    """For events the contracts do not describe (yet): still recorded, worded as a sentence
    from the event's name ("credit.CreditReviewDue" → "Credit review due (credit account A-1)")."""
    context, _dot, name = event_type.rpartition(".")
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name).split()
    sentence = " ".join([words[0], *(w.lower() for w in words[1:])]) if words else event_type
    return f"{sentence} ({context or 'unknown'} {aggregate_type} {aggregate_id})"

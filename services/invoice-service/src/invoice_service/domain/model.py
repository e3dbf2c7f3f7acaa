"""Debtor and Invoice aggregates."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from contracts.invoicing import (
    AllocationMethod,
    CreditNoteIssued,
    DebtorProfile,
    DebtorRegistered,
    DebtorUpdated,
    EarlyPaymentDiscount,
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
    ReversalResolved,
    ReversalUnmatched,
)
from eventkit.aggregate import Aggregate
from eventkit.events import DomainEvent


class DomainError(Exception):
    pass


class Debtor(Aggregate):
    aggregate_type = "debtor"

    def __init__(self, tenant_id: str, aggregate_id: str) -> None:
        super().__init__(tenant_id, aggregate_id)
        self.profile: DebtorProfile | None = None

    @property
    def debtor_ref(self) -> str:
        return self.aggregate_id

    def apply(self, event: DomainEvent) -> None:
        match event:
            case DebtorRegistered() | DebtorUpdated():
                self.profile = event.profile

    def register_or_update(self, profile: DebtorProfile) -> bool:
        """Record what changed; False when the profile is identical (nothing recorded)."""
        if self.profile is None:
            self.record(DebtorRegistered(debtor_ref=self.debtor_ref, profile=profile))
            return True
        old = self.profile.model_dump()
        new = profile.model_dump()
        changed = sorted(k for k in new if new[k] != old.get(k))
        if not changed:
            return False
        self.record(DebtorUpdated(debtor_ref=self.debtor_ref, profile=profile, changed=changed))
        return True


OPEN = "open"
PARTIALLY_PAID = "partially_paid"
PAID = "paid"
CANCELLED = "cancelled"
WRITTEN_OFF = "written_off"
ZERO = Decimal("0.00")
SourceKind = Literal["payment", "credit_note"]


class Invoice(Aggregate):
    """An invoice and everything applied to it. The stream is the consistency boundary for its
    balance: two allocations that race on one invoice collide on the stream version."""

    aggregate_type = "invoice"

    def __init__(self, tenant_id: str, aggregate_id: str) -> None:
        super().__init__(tenant_id, aggregate_id)
        self.issued: InvoiceIssued | None = None
        self.open_amount = ZERO
        self.status = OPEN
        self.overdue_since: date | None = None
        self.discount: EarlyPaymentDiscount | None = None
        self.warnings: list[str] = []
        # (source_kind, source_id) -> (amount, discount) still applied
        self.applied: dict[tuple[str, str], tuple[Decimal, Decimal]] = {}

    @property
    def debtor_ref(self) -> str:
        return self.issued.debtor_ref if self.issued else ""

    @property
    def currency(self) -> str:
        return self.issued.currency if self.issued else ""

    @property
    def settled_total(self) -> Decimal:
        return sum((a + d for a, d in self.applied.values()), ZERO)

    def apply(self, event: DomainEvent) -> None:
        match event:
            case InvoiceIssued():
                self.issued = event
                self.open_amount = event.amount_due
            case InvoiceTermsSet():
                self.discount = event.discount
                self.warnings = list(event.warnings)
            case PaymentOverdue():
                self.overdue_since = event.overdue_since
            case PaymentAllocated():
                key = (event.source_kind, event.source_id)
                amount, discount = self.applied.get(key, (ZERO, ZERO))
                self.applied[key] = (amount + event.amount, discount + event.discount)
                self.open_amount = event.open_amount_after
                self.status = PAID if event.open_amount_after == 0 else PARTIALLY_PAID
            case PaymentAllocationReversed():
                self.applied.pop((event.source_kind, event.source_id), None)
                self.open_amount = event.open_amount_after
                self.status = OPEN if not self.applied else PARTIALLY_PAID
            case InvoiceCancelled():
                self.status = CANCELLED
                self.open_amount = ZERO
            case InvoiceWrittenOff():
                self.status = WRITTEN_OFF
                self.open_amount = ZERO

    def issue(self, event: InvoiceIssued, terms: InvoiceTermsSet | None = None) -> None:
        if self.issued is not None:
            raise DomainError(f"invoice {self.aggregate_id} was issued already")
        if event.due_date < event.issue_date:
            raise DomainError("due date before issue date")
        self.record(event)
        if terms is not None and (terms.discount or terms.warnings):
            self.record(terms)

    def discount_applies(self, amount: Decimal, on: date) -> bool:
        """A payment of exactly the discounted amount within the window settles the invoice."""
        d = self.discount
        return (
            d is not None
            and not self.applied
            and on <= d.until
            and amount == d.amount
            and self.open_amount == self.issued_amount
        )

    @property
    def issued_amount(self) -> Decimal:
        return self.issued.amount_due if self.issued else ZERO

    def allocate(
        self,
        *,
        source_kind: SourceKind,
        source_id: str,
        amount: Decimal,
        on: date,
        method: AllocationMethod,
        allow_discount: bool = True,
    ) -> Decimal:
        """Apply up to ``amount``; return what was used (never more than the open balance)."""
        if self.issued is None:
            raise DomainError(f"invoice {self.aggregate_id} does not exist")
        if self.status in (CANCELLED, WRITTEN_OFF, PAID):
            return ZERO
        if amount <= 0:
            return ZERO
        discount = ZERO
        if allow_discount and source_kind == "payment" and self.discount_applies(amount, on):
            used = amount
            discount = self.open_amount - amount
        else:
            used = min(amount, self.open_amount)
        after = self.open_amount - used - discount
        self.record(
            PaymentAllocated(
                source_kind=source_kind,
                source_id=source_id,
                invoice_number=self.aggregate_id,
                debtor_ref=self.debtor_ref,
                amount=used,
                discount=discount,
                currency=self.currency,
                allocated_on=on,
                method=method,
                open_amount_after=after,
            )
        )
        if after == 0:
            self.record(
                InvoicePaid(
                    invoice_number=self.aggregate_id,
                    debtor_ref=self.debtor_ref,
                    paid_on=on,
                    currency=self.currency,
                )
            )
        else:
            self.record(
                InvoicePartiallyPaid(
                    invoice_number=self.aggregate_id,
                    debtor_ref=self.debtor_ref,
                    open_amount=after,
                    currency=self.currency,
                )
            )
        return used

    def reverse_allocation(self, source_kind: SourceKind, source_id: str, on: date) -> Decimal:
        applied = self.applied.get((source_kind, source_id))
        if applied is None:
            return ZERO
        amount, discount = applied
        was_paid = self.status in (PAID, WRITTEN_OFF)
        after = self.open_amount + amount + discount
        self.record(
            PaymentAllocationReversed(
                source_kind=source_kind,
                source_id=source_id,
                invoice_number=self.aggregate_id,
                debtor_ref=self.debtor_ref,
                amount=amount,
                discount=discount,
                currency=self.currency,
                reversed_on=on,
                open_amount_after=after,
            )
        )
        if was_paid:
            self.record(
                InvoiceReopened(
                    invoice_number=self.aggregate_id,
                    debtor_ref=self.debtor_ref,
                    open_amount=after,
                    currency=self.currency,
                )
            )
        return amount

    def cancel(self, on: date, reason: str) -> None:
        if self.status == CANCELLED:
            return
        if self.applied or self.status != OPEN:
            raise DomainError(
                "only an invoice with nothing applied to it can be cancelled; "
                "issue a credit note instead"
            )
        self.record(
            InvoiceCancelled(
                invoice_number=self.aggregate_id,
                debtor_ref=self.debtor_ref,
                cancelled_on=on,
                reason=reason,
            )
        )

    def write_off(self, on: date, reason: str) -> Decimal:
        if self.status in (PAID, CANCELLED, WRITTEN_OFF):
            raise DomainError(f"invoice is {self.status}; nothing to write off")
        amount = self.open_amount
        self.record(
            InvoiceWrittenOff(
                invoice_number=self.aggregate_id,
                debtor_ref=self.debtor_ref,
                amount=amount,
                currency=self.currency,
                written_off_on=on,
                reason=reason,
            )
        )
        return amount


class CreditNote(Aggregate):
    aggregate_type = "credit_note"

    def __init__(self, tenant_id: str, aggregate_id: str) -> None:
        super().__init__(tenant_id, aggregate_id)
        self.issued: CreditNoteIssued | None = None

    @property
    def debtor_ref(self) -> str:
        return self.issued.debtor_ref if self.issued else ""

    def apply(self, event: DomainEvent) -> None:
        if isinstance(event, CreditNoteIssued):
            self.issued = event

    def issue(self, event: CreditNoteIssued) -> None:
        if self.issued is not None:
            raise DomainError(f"credit note {self.aggregate_id} was issued already")
        if event.amount <= 0:
            raise DomainError("a credit note amount must be positive")
        self.record(event)


class Payment(Aggregate):
    """Money received. Its allocations live on the invoices' streams."""

    aggregate_type = "payment"

    def __init__(self, tenant_id: str, aggregate_id: str) -> None:
        super().__init__(tenant_id, aggregate_id)
        self.received: PaymentReceived | None = None
        self.reversed = False

    @property
    def debtor_ref(self) -> str:
        if self.received and self.received.debtor_ref:
            return self.received.debtor_ref
        return "unidentified"

    def apply(self, event: DomainEvent) -> None:
        match event:
            case PaymentReceived():
                self.received = event
            case PaymentReversed():
                self.reversed = True

    def receive(self, event: PaymentReceived) -> None:
        if self.received is not None:
            raise DomainError(f"payment {self.aggregate_id} was registered already")
        if event.amount <= 0:
            raise DomainError("a payment amount must be positive")
        self.record(event)

    def leave_unmatched(self, unallocated: Decimal, reason: str) -> None:
        assert self.received is not None  # noqa: S101 - received before anything else
        self.record(
            PaymentUnmatched(
                payment_id=self.aggregate_id,
                debtor_ref=self.received.debtor_ref,
                unallocated=unallocated,
                currency=self.received.currency,
                reason=reason,
            )
        )

    def reverse(
        self, on: date, reversal_reference: str | None = None, identified_by: str | None = None
    ) -> None:
        if self.received is None or self.reversed:
            return
        self.record(
            PaymentReversed(
                payment_id=self.aggregate_id,
                debtor_ref=self.received.debtor_ref,
                amount=self.received.amount,
                currency=self.received.currency,
                reversed_on=on,
                bank_reference=self.received.bank_reference,
                reversal_reference=reversal_reference,
                identified_by=identified_by,
            )
        )


OPEN_REVERSAL = "open"


class UnmatchedReversal(Aggregate):
    """A bank reversal no payment could be tied to provably; a person resolves it."""

    aggregate_type = "reversal"

    def __init__(self, tenant_id: str, aggregate_id: str) -> None:
        super().__init__(tenant_id, aggregate_id)
        self.raised: ReversalUnmatched | None = None
        self.status = OPEN_REVERSAL

    def apply(self, event: DomainEvent) -> None:
        match event:
            case ReversalUnmatched():
                self.raised = event
            case ReversalResolved():
                self.status = "resolved" if event.resolution == "payment_reversed" else "dismissed"

    def raise_for_review(self, event: ReversalUnmatched) -> None:
        if self.raised is not None:
            raise DomainError(f"reversal {self.aggregate_id} is in the queue already")
        self.record(event)

    def resolve(self, payment_id: str | None, note: str | None) -> None:
        if self.raised is None:
            raise DomainError(f"reversal {self.aggregate_id} does not exist")
        if self.status != OPEN_REVERSAL:
            raise DomainError(f"reversal {self.aggregate_id} was {self.status} already")
        self.record(
            ReversalResolved(
                reversal_id=self.aggregate_id,
                resolution="payment_reversed" if payment_id else "dismissed",
                payment_id=payment_id,
                note=note,
            )
        )

"""Events published by invoice-service (context ``invoicing``)."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from contracts.money import Amount, Currency, Quantity
from contracts.references import PaymentReferenceScheme, scheme_of_canonical
from eventkit.events import DomainEvent

DebtorKind = Literal["B2B", "B2C"]
Language = Literal["nl", "fr", "en", "de"]


class PostalAddress(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    street: str = ""
    postal_code: str = ""
    city: str = ""
    country: str = ""


class DebtorProfile(BaseModel):
    """The debtor master data as the ERP knows it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    legal_name: str
    kind: DebtorKind
    country: str
    language: Language
    email: str | None = None
    phone: str | None = None
    vat_number: str | None = None
    enterprise_number: str | None = None
    address: PostalAddress = PostalAddress()
    payment_terms_days: int = 30
    po_required: bool = False
    iban: list[str] = Field(default_factory=list)


class DebtorRegistered(DomainEvent):
    event_type = "invoicing.DebtorRegistered"
    debtor_ref: str
    profile: DebtorProfile


class DebtorUpdated(DomainEvent):
    event_type = "invoicing.DebtorUpdated"
    debtor_ref: str
    profile: DebtorProfile
    changed: list[str]


class InvoiceLine(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    description: str
    quantity: Quantity
    unit_price: Quantity
    net_amount: Amount
    vat_rate: Amount
    vat_amount: Amount


class InvoiceIssued(DomainEvent):
    """An invoice entered the ledger. ``payment_reference`` is in canonical form and
    ``payment_reference_scheme`` names its scheme (see ``contracts.references``); payloads
    written before the scheme was carried get it from the reference's form."""

    event_type = "invoicing.InvoiceIssued"
    invoice_number: str
    debtor_ref: str
    debtor_kind: DebtorKind
    issue_date: date
    due_date: date
    currency: Currency
    net_total: Amount
    vat_total: Amount
    amount_due: Amount
    payment_reference: str
    payment_reference_scheme: PaymentReferenceScheme = "unstructured"
    po_number: str | None = None
    lines: list[InvoiceLine] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _scheme_from_reference(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("payment_reference_scheme") is None:
            reference = str(data.get("payment_reference") or "")
            return {**data, "payment_reference_scheme": scheme_of_canonical(reference)}
        return data


class PaymentOverdue(DomainEvent):
    """The day after the due date, when a balance is still open. Once per invoice."""

    event_type = "invoicing.PaymentOverdue"
    invoice_number: str
    debtor_ref: str
    due_date: date
    overdue_since: date
    open_amount: Amount
    currency: Currency


class EarlyPaymentDiscount(BaseModel):
    """Pay ``amount`` (the discounted amount) by ``until`` and the invoice is settled."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    percent: Amount
    until: date
    amount: Amount


class InvoiceTermsSet(DomainEvent):
    """Terms that came with the invoice beyond the due date (early-payment discount) and the
    intake findings that did not block it (warnings)."""

    event_type = "invoicing.InvoiceTermsSet"
    invoice_number: str
    debtor_ref: str
    discount: EarlyPaymentDiscount | None = None
    warnings: list[str] = Field(default_factory=list)


CreditNoteSource = Literal["credit_note", "negative_invoice"]
CreditSettlement = Literal["against_invoices", "open_credit"]


class CreditNoteIssued(DomainEvent):
    """A credit for the debtor. ``source`` says whether it came as a credit note or as an
    invoice with a negative amount (a Peppol correction); ``settlement`` whether it was applied
    against the invoices it references (``invoice_numbers``; what those no longer owe stays
    as credit) or stands as an open credit on the debtor's account."""

    event_type = "invoicing.CreditNoteIssued"
    credit_note_number: str
    debtor_ref: str
    issue_date: date
    currency: Currency
    amount: Amount
    invoice_numbers: list[str] = Field(default_factory=list)
    reason: str | None = None
    source: CreditNoteSource = "credit_note"
    settlement: CreditSettlement | None = None

    @model_validator(mode="after")
    def _settlement_from_references(self) -> CreditNoteIssued:
        if self.settlement is None:
            settled = "against_invoices" if self.invoice_numbers else "open_credit"
            object.__setattr__(self, "settlement", settled)
        return self


AllocationMethod = Literal[
    "structured_reference", "free_text", "iban_amount", "manual", "credit_note", "agency"
]


class PaymentReceived(DomainEvent):
    event_type = "invoicing.PaymentReceived"
    payment_id: str
    debtor_ref: str | None
    amount: Amount
    currency: Currency
    booking_date: date
    value_date: date | None = None
    source: Literal["manual", "bank_statement", "agency"]
    bank_reference: str | None = None
    structured_reference: str | None = None
    remittance_info: str | None = None
    counterparty_name: str | None = None
    counterparty_iban: str | None = None


class PaymentAllocated(DomainEvent):
    """Money (a payment or a credit note) applied to an invoice. On the invoice's stream."""

    event_type = "invoicing.PaymentAllocated"
    source_kind: Literal["payment", "credit_note"]
    source_id: str
    invoice_number: str
    debtor_ref: str
    amount: Amount
    discount: Amount
    currency: Currency
    allocated_on: date
    method: AllocationMethod
    open_amount_after: Amount


class PaymentAllocationReversed(DomainEvent):
    event_type = "invoicing.PaymentAllocationReversed"
    source_kind: Literal["payment", "credit_note"]
    source_id: str
    invoice_number: str
    debtor_ref: str
    amount: Amount
    discount: Amount
    currency: Currency
    reversed_on: date
    open_amount_after: Amount


class PaymentUnmatched(DomainEvent):
    """Money that could not be allocated (wholly or in part): it waits for ops."""

    event_type = "invoicing.PaymentUnmatched"
    payment_id: str
    debtor_ref: str | None
    unallocated: Amount
    currency: Currency
    reason: str


class PaymentReversed(DomainEvent):
    event_type = "invoicing.PaymentReversed"
    payment_id: str
    debtor_ref: str | None
    amount: Amount
    currency: Currency
    reversed_on: date
    bank_reference: str | None = None
    # the bank entry that took the money back, and how it was tied to this payment
    reversal_reference: str | None = None
    identified_by: str | None = None


class ReversalUnmatched(DomainEvent):
    """A bank reversal (return, reject, RvslInd, MT940 RC) that names no single payment
    provably: it changed nothing and waits for a person (the unmatched-reversal queue)."""

    event_type = "invoicing.ReversalUnmatched"
    reversal_id: str
    bank_reference: str
    account_iban: str | None = None
    amount: Amount
    currency: Currency
    booking_date: date
    end_to_end_id: str | None = None
    counterparty_iban: str | None = None
    return_reason: str | None = None
    reason: str
    candidates: list[str] = Field(default_factory=list)


class ReversalResolved(DomainEvent):
    """A person decided an unmatched reversal: it took back ``payment_id`` (reversed with
    it), or it concerns no payment in the ledger (dismissed)."""

    event_type = "invoicing.ReversalResolved"
    reversal_id: str
    resolution: Literal["payment_reversed", "dismissed"]
    payment_id: str | None = None
    note: str | None = None


class InvoicePartiallyPaid(DomainEvent):
    event_type = "invoicing.InvoicePartiallyPaid"
    invoice_number: str
    debtor_ref: str
    open_amount: Amount
    currency: Currency


class InvoicePaid(DomainEvent):
    event_type = "invoicing.InvoicePaid"
    invoice_number: str
    debtor_ref: str
    paid_on: date
    currency: Currency


class InvoiceReopened(DomainEvent):
    """A paid invoice has a balance again (a payment was reversed)."""

    event_type = "invoicing.InvoiceReopened"
    invoice_number: str
    debtor_ref: str
    open_amount: Amount
    currency: Currency


class InvoiceCancelled(DomainEvent):
    event_type = "invoicing.InvoiceCancelled"
    invoice_number: str
    debtor_ref: str
    cancelled_on: date
    reason: str


class InvoiceWrittenOff(DomainEvent):
    event_type = "invoicing.InvoiceWrittenOff"
    invoice_number: str
    debtor_ref: str
    amount: Amount
    currency: Currency
    written_off_on: date
    reason: str

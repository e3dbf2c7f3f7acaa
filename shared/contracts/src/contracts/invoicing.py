"""Events published by invoice-service (context ``invoicing``)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from contracts.money import Amount, Currency
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
    quantity: Amount
    unit_price: Amount
    net_amount: Amount
    vat_rate: Amount
    vat_amount: Amount


class InvoiceIssued(DomainEvent):
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
    po_number: str | None = None
    lines: list[InvoiceLine] = Field(default_factory=list)


class PaymentOverdue(DomainEvent):
    """The day after the due date, when a balance is still open. Once per invoice."""

    event_type = "invoicing.PaymentOverdue"
    invoice_number: str
    debtor_ref: str
    due_date: date
    overdue_since: date
    open_amount: Amount
    currency: Currency

"""Request and response bodies of the invoice-service API."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from contracts.invoicing import DebtorProfile
from contracts.references import PaymentReferenceScheme
from invoice_service.domain.identifiers import (
    MAX_DOCUMENT_NUMBER_LENGTH,
    canonical_document_number,
    document_number_problem,
)

Ref = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9][A-Za-z0-9._/-]*$")]


def _document_number(value: str) -> str:
    problem = document_number_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return canonical_document_number(value)


DocumentNumber = Annotated[
    str,
    Field(
        min_length=1,
        max_length=MAX_DOCUMENT_NUMBER_LENGTH,
        description="Any printable text, e.g. 2026/0001, A|17, #12, Facture 12 é. In a URL "
        "path it is percent-encoded (2026%2F0001).",
        examples=["2026/0001"],
    ),
    AfterValidator(_document_number),
]
Money = Annotated[Decimal, Field(max_digits=18, decimal_places=2)]


class DebtorBody(DebtorProfile):
    """Debtor master data (PUT replaces the whole profile). VAT, enterprise (KBO/BCE) and KvK
    numbers and IBANs are checked with their check digits and stored in compact form."""

    @field_validator("country")
    @classmethod
    def _country(cls, value: str) -> str:
        if len(value) != 2 or not value.isalpha():
            raise ValueError("ISO 3166-1 alpha-2 country code expected, e.g. BE")
        return value.upper()

    @field_validator("vat_number")
    @classmethod
    def _vat(cls, value: str | None) -> str | None:
        from stdnum.eu import vat

        if value is None or not value.strip():
            return None
        if not vat.is_valid(value):
            raise ValueError("not a valid EU VAT number (country prefix and check digits)")
        return str(vat.compact(value))

    @field_validator("enterprise_number")
    @classmethod
    def _enterprise(cls, value: str | None) -> str | None:
        from stdnum.be import vat as be_number

        if value is None or not value.strip():
            return None
        if be_number.is_valid(value):  # the KBO/BCE number is the VAT number's digits
            return str(be_number.compact(value))
        compact = re.sub(r"[\s.]", "", value)
        if re.fullmatch(r"\d{8}", compact):  # KvK numbers carry no check digit
            return compact
        raise ValueError("not a valid Belgian enterprise number (KBO/BCE) or Dutch KvK number")

    @field_validator("iban")
    @classmethod
    def _ibans(cls, value: list[str]) -> list[str]:
        from stdnum import iban

        bad = [v for v in value if not iban.is_valid(v)]
        if bad:
            raise ValueError(f"not a valid IBAN: {', '.join(bad)}")
        return [str(iban.compact(v)) for v in value]

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value.strip()):
            raise ValueError("not an e-mail address")
        return value.strip()


class LineBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    description: str = Field(min_length=1, max_length=500)
    quantity: Annotated[Decimal, Field(max_digits=18, decimal_places=6, gt=0)]
    unit_price: Annotated[Decimal, Field(max_digits=18, decimal_places=6)]
    vat_rate: Annotated[Decimal, Field(ge=0, le=100, decimal_places=2)]
    net_amount: Money | None = None
    vat_amount: Money | None = None


class PaymentTermsBody(BaseModel):
    """Net days (when no due date is given) and an optional early-payment discount, e.g.
    2 % within 10 days: ``{"net_days": 30, "discount_percent": "2", "discount_days": 10}``."""

    model_config = ConfigDict(extra="forbid")

    net_days: int | None = Field(default=None, ge=0, le=365)
    discount_percent: Annotated[Decimal, Field(gt=0, lt=100, decimal_places=2)] | None = None
    discount_days: int | None = Field(default=None, ge=0, le=365)

    @model_validator(mode="after")
    def _discount_complete(self) -> PaymentTermsBody:
        if (self.discount_percent is None) != (self.discount_days is None):
            raise ValueError("discount_percent and discount_days go together")
        return self


class InvoiceBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    invoice_number: DocumentNumber
    debtor_ref: Ref
    issue_date: date
    due_date: date | None = None
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    lines: list[LineBody] = Field(min_length=1, max_length=1000)
    net_total: Money | None = None
    vat_total: Money | None = None
    amount_due: Money
    payment_reference: str | None = Field(default=None, max_length=40)
    po_number: str | None = Field(default=None, max_length=100)
    payment_terms: PaymentTermsBody | None = None
    debtor: DebtorBody | None = None

    @field_validator("currency")
    @classmethod
    def _currency(cls, value: str) -> str:
        from babel.numbers import get_currency_name

        if get_currency_name(value, locale="en") == value:
            raise ValueError(f"{value} is not an ISO 4217 currency")
        return value


class InvoiceView(BaseModel):
    invoice_number: str
    debtor_ref: str
    issue_date: date
    due_date: date
    currency: str
    amount_due: str
    open_amount: str
    payment_reference: str
    payment_reference_scheme: PaymentReferenceScheme
    status: str
    overdue_since: date | None
    version: int
    early_payment_discount: dict[str, Any] | None = None
    warnings: list[str] = []


class InvoiceDetail(InvoiceView):
    document: dict[str, Any]
    history: list[dict[str, Any]]


class DebtorView(BaseModel):
    debtor_ref: str
    profile: DebtorProfile
    version: int


class BatchBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    invoices: list[dict[str, Any]] = Field(min_length=1, max_length=1000)


class CreditNoteBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    credit_note_number: DocumentNumber
    debtor_ref: Ref
    issue_date: date
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    amount: Money = Field(gt=0)
    invoice_numbers: list[DocumentNumber] = Field(default_factory=list, max_length=100)
    reason: str | None = Field(default=None, max_length=500)


class AllocationBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    invoice_number: DocumentNumber
    amount: Money = Field(gt=0)


class PaymentBody(BaseModel):
    """A payment registered by hand (or by a connector). Without ``allocations`` it is matched
    automatically: reference, then invoice numbers in the remittance text, then debtor + amount."""

    model_config = ConfigDict(extra="forbid")

    payment_id: Ref | None = None
    amount: Money = Field(gt=0)
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    booking_date: date
    value_date: date | None = None
    debtor_ref: Ref | None = None
    reference: str | None = Field(default=None, max_length=60)
    remittance_info: str | None = Field(default=None, max_length=1000)
    counterparty_name: str | None = Field(default=None, max_length=300)
    counterparty_iban: str | None = Field(default=None, max_length=40)
    allocations: list[AllocationBody] | None = Field(default=None, max_length=100)


class AllocationsBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    allocations: list[AllocationBody] = Field(min_length=1, max_length=100)


class ReasonBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=500)


class ReversalBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reversed_on: date | None = None


class PaymentReferenceSettingsBody(BaseModel):
    """The creditor's country decides which reference new invoices get (BE → OGM, NL →
    betalingskenmerk, any other → RF); ``scheme`` overrides that choice."""

    model_config = ConfigDict(extra="forbid")

    creditor_country: str = Field(pattern=r"^[A-Za-z]{2}$")
    scheme: PaymentReferenceScheme | None = None

    @field_validator("creditor_country")
    @classmethod
    def _upper(cls, value: str) -> str:
        return value.upper()

    @field_validator("scheme")
    @classmethod
    def _generated(cls, value: PaymentReferenceScheme | None) -> PaymentReferenceScheme | None:
        if value == "unstructured":
            raise ValueError(
                "new invoices get a structured reference: be_ogm, iso11649 or nl_betalingskenmerk"
            )
        return value

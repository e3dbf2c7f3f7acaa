"""Request and response bodies of the invoice-service API."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from contracts.invoicing import DebtorProfile

Ref = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9][A-Za-z0-9._/-]*$")]
Money = Annotated[Decimal, Field(max_digits=18, decimal_places=2)]


class DebtorBody(DebtorProfile):
    """Debtor master data (PUT replaces the whole profile)."""

    @field_validator("country")
    @classmethod
    def _country(cls, value: str) -> str:
        if len(value) != 2 or not value.isalpha():
            raise ValueError("ISO 3166-1 alpha-2 country code expected, e.g. BE")
        return value.upper()


class LineBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    description: str = Field(min_length=1, max_length=500)
    quantity: Annotated[Decimal, Field(max_digits=18, decimal_places=4, gt=0)]
    unit_price: Annotated[Decimal, Field(max_digits=18, decimal_places=4)]
    vat_rate: Annotated[Decimal, Field(ge=0, le=100, decimal_places=2)]
    net_amount: Money | None = None
    vat_amount: Money | None = None


class InvoiceBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    invoice_number: Ref
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
    status: str
    overdue_since: date | None
    version: int


class InvoiceDetail(InvoiceView):
    document: dict[str, Any]
    history: list[dict[str, Any]]


class DebtorView(BaseModel):
    debtor_ref: str
    profile: DebtorProfile
    version: int

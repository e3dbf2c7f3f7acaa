"""Response bodies of the credit-service API."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, Field

from credit_service.domain.exposure import CurrencyExposure, DebtorExposure, DebtorIdentity


def _amount(value: Decimal) -> str:
    return format(value, "f")


class DebtorIdentityView(BaseModel):
    legal_name: str
    kind: str
    country: str

    @classmethod
    def of(cls, debtor: DebtorIdentity) -> DebtorIdentityView:
        return cls(legal_name=debtor.legal_name, kind=debtor.kind, country=debtor.country)


class CurrencyExposureView(BaseModel):
    currency: str
    open_amount: str = Field(examples=["1210.00"])
    overdue_amount: str = Field(examples=["0.00"])
    open_items: int
    overdue_items: int
    oldest_overdue_since: date | None

    @classmethod
    def of(cls, line: CurrencyExposure) -> CurrencyExposureView:
        return cls(
            currency=line.currency,
            open_amount=_amount(line.open_amount),
            overdue_amount=_amount(line.overdue_amount),
            open_items=line.open_items,
            overdue_items=line.overdue_items,
            oldest_overdue_since=line.oldest_overdue_since,
        )


class DebtorExposureView(BaseModel):
    debtor_ref: str
    debtor: DebtorIdentityView | None = Field(
        description="null while the debtor's master data has not arrived yet"
    )
    as_of: date = Field(description="the business date the exposure was computed on")
    exposure: list[CurrencyExposureView] = Field(description="one line per currency, sorted")

    @classmethod
    def of(cls, exposure: DebtorExposure) -> DebtorExposureView:
        return cls(
            debtor_ref=exposure.debtor_ref,
            debtor=DebtorIdentityView.of(exposure.debtor) if exposure.debtor else None,
            as_of=exposure.as_of,
            exposure=[CurrencyExposureView.of(line) for line in exposure.exposure],
        )

"""A debtor's credit exposure: what it owes the tenant, per currency, on a business date.

An item is *open* while its open amount is positive; it is *overdue* once invoicing has flagged
it (PaymentOverdue) and it is still open. Amounts of different currencies are never added up.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class DebtorIdentity:
    """Who the debtor is, as invoicing last described it."""

    legal_name: str
    kind: str
    country: str


@dataclass(frozen=True, slots=True)
class CurrencyExposure:
    currency: str
    open_amount: Decimal
    overdue_amount: Decimal
    open_items: int
    overdue_items: int
    oldest_overdue_since: date | None

    def __post_init__(self) -> None:
        if self.overdue_items > self.open_items or self.overdue_amount > self.open_amount:
            raise ValueError(f"{self.currency}: more overdue than open")


@dataclass(frozen=True, slots=True)
class DebtorExposure:
    debtor_ref: str
    debtor: DebtorIdentity | None
    as_of: date
    exposure: tuple[CurrencyExposure, ...]


def currency_exposure(
    currency: str,
    *,
    open_amount: Decimal | None,
    overdue_amount: Decimal | None,
    open_items: int,
    overdue_items: int,
    oldest_overdue_since: date | None,
) -> CurrencyExposure:
    """One currency's totals as the aggregate query returns them (sums may come back empty)."""
    return CurrencyExposure(
        currency=currency,
        open_amount=money(open_amount or Decimal(0)),
        overdue_amount=money(overdue_amount or Decimal(0)),
        open_items=open_items,
        overdue_items=overdue_items,
        oldest_overdue_since=oldest_overdue_since if overdue_items else None,
    )


def assess_exposure(
    debtor_ref: str,
    debtor: DebtorIdentity | None,
    per_currency: Iterable[CurrencyExposure],
    *,
    as_of: date,
) -> DebtorExposure | None:
    """The debtor's exposure, or None when the tenant knows neither the debtor nor any of its
    invoices (``per_currency`` holds a line for every currency the debtor was ever invoiced in,
    settled or not). Currencies without an open item carry no exposure and are left out."""
    known_currencies = tuple(per_currency)
    if debtor is None and not known_currencies:
        return None
    lines = sorted((c for c in known_currencies if c.open_items > 0), key=lambda c: c.currency)
    return DebtorExposure(debtor_ref, debtor, as_of, tuple(lines))

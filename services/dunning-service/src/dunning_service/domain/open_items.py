"""A debtor's open items as dunning sees them: what is owed, since when it is late, and the
totals per currency. Pure logic: no database, no clock (the business date is passed in)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class OpenItem:
    invoice_number: str
    issue_date: date
    due_date: date
    currency: str
    amount_due: Decimal
    open_amount: Decimal
    payment_reference: str
    overdue_since: date | None

    @property
    def overdue(self) -> bool:
        """Overdue once invoicing said so (PaymentOverdue); dunning does not second-guess the
        ledger's own judgement of payment terms and balance."""
        return self.overdue_since is not None

    def days_overdue(self, as_of: date) -> int:
        return days_overdue(self.due_date, self.overdue_since, as_of)


def days_overdue(due_date: date, overdue_since: date | None, as_of: date) -> int:
    """Days past the due date on ``as_of``; 0 while the item is not overdue. Counted from the
    due date (not from ``overdue_since``, which may lag when a sweep ran late), never negative."""
    if overdue_since is None:
        return 0
    return max((as_of - due_date).days, 0)


@dataclass(frozen=True, slots=True)
class CurrencyTotal:
    currency: str
    open_amount: Decimal
    overdue_amount: Decimal
    items: int


def totals_by_currency(items: Iterable[OpenItem]) -> list[CurrencyTotal]:
    """One total per currency (amounts of different currencies are never added), by currency."""
    open_: dict[str, Decimal] = {}
    overdue: dict[str, Decimal] = {}
    counts: dict[str, int] = {}
    for item in items:
        open_[item.currency] = open_.get(item.currency, ZERO) + item.open_amount
        overdue.setdefault(item.currency, ZERO)
        if item.overdue:
            overdue[item.currency] += item.open_amount
        counts[item.currency] = counts.get(item.currency, 0) + 1
    return [
        CurrencyTotal(
            currency=currency,
            open_amount=money(open_[currency]),
            overdue_amount=money(overdue[currency]),
            items=counts[currency],
        )
        for currency in sorted(open_)
    ]


def in_dunning_order(items: Sequence[OpenItem]) -> list[OpenItem]:
    """Oldest due date first, then by invoice number: the order a reminder lists them in."""
    return sorted(items, key=lambda item: (item.due_date, item.invoice_number))

"""Money for legal claims: a Decimal amount with its currency, never a float.

Amounts of different currencies are never added or compared (``CurrencyMismatch``). An amount
may carry more than two decimals while a claim is being computed (interest per period is kept
unrounded); ``rounded()`` brings it to cents, half up, which is how every total is shown.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
_CURRENCY = re.compile(r"[A-Z]{3}")


class CurrencyMismatch(ValueError):
    """Two amounts of different currencies were combined."""


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Decimal) or not self.amount.is_finite():
            raise TypeError(f"money needs a finite Decimal amount, got {self.amount!r}")
        if not _CURRENCY.fullmatch(self.currency):
            raise ValueError(f"currency must be an ISO 4217 code, got {self.currency!r}")

    @classmethod
    def of(cls, amount: str | int | Decimal, currency: str = "EUR") -> Money:
        """``Money.of("10.50")``: strings and ints only, so no float ever sneaks in."""
        if isinstance(amount, float):  # pragma: no cover - guarded by the type too
            raise TypeError("money from a float would be inexact")
        return cls(Decimal(amount), currency)

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(Decimal("0"), currency)

    def _same_currency(self, other: Money) -> None:
        if other.currency != self.currency:
            raise CurrencyMismatch(f"cannot combine {self.currency} with {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.amount - other.amount, self.currency)

    def __lt__(self, other: Money) -> bool:
        self._same_currency(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._same_currency(other)
        return self.amount <= other.amount

    def __gt__(self, other: Money) -> bool:
        self._same_currency(other)
        return self.amount > other.amount

    def __ge__(self, other: Money) -> bool:
        self._same_currency(other)
        return self.amount >= other.amount

    def times(self, factor: Decimal) -> Money:
        return Money(self.amount * factor, self.currency)

    def rounded(self) -> Money:
        """To cents, half up (0.005 → 0.01): the rounding every legal total uses here."""
        return Money(self.amount.quantize(CENT, rounding=ROUND_HALF_UP), self.currency)

    def __str__(self) -> str:
        return f"{self.currency} {self.rounded().amount:,.2f}"


def total(amounts: Iterable[Money], currency: str) -> Money:
    """Sum in ``currency``; an amount of another currency is refused, not skipped."""
    result = Money.zero(currency)
    for amount in amounts:
        result = result + amount
    return result

"""Which open items a payment pays, decided on amounts (the reference lookups are done by the
application layer, which hands the candidates in). Pure functions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

MAX_COMBINATION_ITEMS = 16


@dataclass(frozen=True)
class Candidate:
    invoice_number: str
    debtor_ref: str
    currency: str
    open_amount: Decimal
    due_date: date
    discount_amount: Decimal | None = None
    discount_until: date | None = None

    def settles_with_discount(self, amount: Decimal, on: date) -> bool:
        return (
            self.discount_amount is not None
            and self.discount_until is not None
            and on <= self.discount_until
            and amount == self.discount_amount
        )


def choose_by_amount(
    amount: Decimal, on: date, candidates: Sequence[Candidate]
) -> list[Candidate] | None:
    """Items of one debtor that this amount pays exactly: one item, one item at its discounted
    amount, or a combination of items (oldest first preferred). None when nothing fits."""
    ordered = sorted(candidates, key=lambda c: (c.due_date, c.invoice_number))
    for item in ordered:
        if item.open_amount == amount:
            return [item]
    for item in ordered:
        if item.settles_with_discount(amount, on):
            return [item]
    pool = [c for c in ordered if c.open_amount < amount][:MAX_COMBINATION_ITEMS]
    return _subset_summing_to(amount, pool)


def _subset_summing_to(target: Decimal, items: Sequence[Candidate]) -> list[Candidate] | None:
    """Smallest-first search over cents (dynamic programming keeps it polynomial)."""
    cents_target = int(target * 100)
    reachable: dict[int, tuple[int, ...]] = {0: ()}
    for index, item in enumerate(items):
        cents = int(item.open_amount * 100)
        for total, chosen in list(reachable.items()):
            new_total = total + cents
            if new_total <= cents_target and new_total not in reachable:
                reachable[new_total] = (*chosen, index)
        if cents_target in reachable:
            return [items[i] for i in reachable[cents_target]]
    return None

"""Pure exposure rules: who is known, which currencies count, how amounts are rounded."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from credit_service.domain.exposure import (
    CurrencyExposure,
    DebtorIdentity,
    assess_exposure,
    currency_exposure,
)

TODAY = date(2026, 12, 15)
JANSSENS = DebtorIdentity("Brouwerij Janssens BV", "B2B", "BE")


def line(
    currency: str,
    open_amount: str,
    open_items: int,
    *,
    overdue_amount: str = "0",
    overdue_items: int = 0,
    since: date | None = None,
) -> CurrencyExposure:
    return currency_exposure(
        currency,
        open_amount=Decimal(open_amount),
        overdue_amount=Decimal(overdue_amount),
        open_items=open_items,
        overdue_items=overdue_items,
        oldest_overdue_since=since,
    )


def test_a_debtor_known_neither_by_master_data_nor_by_invoices_has_no_exposure() -> None:
    assert assess_exposure("D-1", None, [], as_of=TODAY) is None


def test_a_registered_debtor_without_invoices_owes_nothing() -> None:
    exposure = assess_exposure("D-1", JANSSENS, [], as_of=TODAY)
    assert exposure is not None
    assert exposure.debtor == JANSSENS
    assert exposure.exposure == ()
    assert exposure.as_of == TODAY


def test_invoices_make_a_debtor_known_before_its_master_data_arrives() -> None:
    exposure = assess_exposure("D-1", None, [line("EUR", "100", 1)], as_of=TODAY)
    assert exposure is not None
    assert exposure.debtor is None
    assert [c.currency for c in exposure.exposure] == ["EUR"]


def test_settled_currencies_are_left_out_and_the_rest_sorted() -> None:
    lines = [line("USD", "50", 1), line("CHF", "0", 0), line("EUR", "10", 2)]
    exposure = assess_exposure("D-1", None, lines, as_of=TODAY)
    assert exposure is not None
    assert [c.currency for c in exposure.exposure] == ["EUR", "USD"]


def test_a_debtor_with_only_settled_invoices_is_known_with_no_exposure() -> None:
    exposure = assess_exposure("D-1", None, [line("EUR", "0", 0)], as_of=TODAY)
    assert exposure is not None
    assert exposure.exposure == ()


def test_amounts_are_rounded_to_cents_and_empty_sums_are_zero() -> None:
    c = currency_exposure(
        "EUR",
        open_amount=Decimal("1210.005"),
        overdue_amount=None,
        open_items=1,
        overdue_items=0,
        oldest_overdue_since=None,
    )
    assert c.open_amount == Decimal("1210.01")
    assert str(c.overdue_amount) == "0.00"


def test_no_overdue_date_without_overdue_items() -> None:
    c = line("EUR", "100", 1, since=date(2026, 12, 2))
    assert c.oldest_overdue_since is None
    overdue = line("EUR", "100", 1, overdue_amount="100", overdue_items=1, since=date(2026, 12, 2))
    assert overdue.oldest_overdue_since == date(2026, 12, 2)


def test_more_overdue_than_open_is_refused() -> None:
    with pytest.raises(ValueError, match="more overdue than open"):
        line("EUR", "100", 1, overdue_amount="200", overdue_items=1, since=TODAY)

"""Days overdue, order and totals of a debtor's open items (pure logic)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from dunning_service.domain.open_items import (
    CurrencyTotal,
    OpenItem,
    days_overdue,
    in_dunning_order,
    totals_by_currency,
)


def item(
    number: str,
    *,
    due: date = date(2026, 12, 1),
    amount: str = "100.00",
    currency: str = "EUR",
    overdue_since: date | None = None,
) -> OpenItem:
    return OpenItem(
        invoice_number=number,
        issue_date=date(2026, 11, 1),
        due_date=due,
        currency=currency,
        amount_due=Decimal(amount),
        open_amount=Decimal(amount),
        payment_reference="+++090/9337/55493+++",
        overdue_since=overdue_since,
    )


def test_days_overdue_count_from_the_due_date() -> None:
    due = date(2026, 12, 1)
    assert days_overdue(due, date(2026, 12, 2), as_of=date(2026, 12, 2)) == 1
    assert days_overdue(due, date(2026, 12, 2), as_of=date(2027, 1, 1)) == 31
    # A sweep that ran late does not shorten the count.
    assert days_overdue(due, date(2026, 12, 9), as_of=date(2026, 12, 10)) == 9


def test_an_item_not_flagged_overdue_has_zero_days_even_past_its_due_date() -> None:
    assert days_overdue(date(2026, 12, 1), None, as_of=date(2026, 12, 20)) == 0
    assert not item("A").overdue
    assert item("A").days_overdue(date(2026, 12, 20)) == 0


def test_days_overdue_never_negative_when_the_business_date_lags() -> None:
    assert days_overdue(date(2026, 12, 1), date(2026, 12, 2), as_of=date(2026, 11, 30)) == 0


def test_items_are_ordered_by_due_date_then_invoice_number() -> None:
    items = [
        item("INV-3", due=date(2026, 12, 1)),
        item("INV-10", due=date(2026, 11, 1)),
        item("INV-2", due=date(2026, 12, 1)),
    ]
    assert [i.invoice_number for i in in_dunning_order(items)] == ["INV-10", "INV-2", "INV-3"]


def test_totals_are_per_currency_and_split_out_the_overdue_part() -> None:
    items = [
        item("A", amount="1210.00", overdue_since=date(2026, 12, 2)),
        item("B", amount="500.10"),
        item("C", amount="99.99", currency="USD", overdue_since=date(2026, 11, 16)),
        item("D", amount="0.01", currency="USD"),
    ]
    assert totals_by_currency(items) == [
        CurrencyTotal("EUR", Decimal("1710.10"), Decimal("1210.00"), 2),
        CurrencyTotal("USD", Decimal("100.00"), Decimal("99.99"), 2),
    ]


def test_no_items_no_totals() -> None:
    assert totals_by_currency([]) == []


def test_a_currency_with_nothing_overdue_totals_zero_overdue() -> None:
    [total] = totals_by_currency([item("A", amount="10")])
    assert total.overdue_amount == Decimal("0.00")
    assert format(total.open_amount, "f") == "10.00"

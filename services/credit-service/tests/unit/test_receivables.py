"""Dated receivable facts from projected rows: only what was dated by ``as_of`` counts, reversals
net against the source they reverse, cancellations and write-offs are no payments."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from credit_service.domain.behaviour import paid_invoices
from credit_service.domain.kpis import aging, open_amount_as_of
from credit_service.domain.receivables import InvoiceRecord, SettlementRecord, receivable_facts

D = Decimal
INV = InvoiceRecord("INV-1", "EUR", D("1000.00"), date(2026, 1, 1), date(2026, 1, 31))


def row(kind: str, on: date, amount: str, source: str | None = "PAY-1") -> SettlementRecord:
    return SettlementRecord("INV-1", kind, source, on, D(amount))


def settlements_of(rows: list[SettlementRecord], as_of: date, **kw: bool) -> list[tuple[date, D]]:
    (fact,) = receivable_facts([INV], rows, as_of, **kw)
    return list(fact.settlements)


def test_only_rows_dated_by_as_of_count() -> None:
    rows = [row("payment", date(2026, 2, 10), "400.00"), row("payment", date(2026, 3, 1), "600.00")]
    assert settlements_of(rows, date(2026, 2, 28)) == [(date(2026, 2, 10), D("400.00"))]
    (fact,) = receivable_facts([INV], rows, date(2026, 3, 1))
    assert open_amount_as_of(fact, date(2026, 3, 1)) == 0
    # Facts for a past date are the same whether or not later rows exist.
    assert receivable_facts([INV], rows[:1], date(2026, 2, 28)) == receivable_facts(
        [INV], rows, date(2026, 2, 28)
    )


def test_a_reversal_cancels_its_own_source_latest_application_first() -> None:
    rows = [
        row("payment", date(2026, 2, 1), "300.00", "PAY-1"),
        row("payment", date(2026, 2, 5), "200.00", "PAY-1"),
        row("payment", date(2026, 2, 6), "100.00", "PAY-2"),
        row("payment_reversal", date(2026, 2, 20), "-250.00", "PAY-1"),
    ]
    assert settlements_of(rows, date(2026, 2, 19)) == [
        (date(2026, 2, 1), D("300.00")),
        (date(2026, 2, 5), D("200.00")),
        (date(2026, 2, 6), D("100.00")),
    ]
    assert settlements_of(rows, date(2026, 2, 20)) == [
        (date(2026, 2, 1), D("250.00")),
        (date(2026, 2, 6), D("100.00")),
    ]


def test_a_same_day_reversal_finds_its_application() -> None:
    rows = [
        row("credit_note_reversal", date(2026, 2, 1), "-100.00", "CN-1"),
        row("credit_note", date(2026, 2, 1), "100.00", "CN-1"),
    ]
    assert settlements_of(rows, date(2026, 2, 1)) == []


def test_write_offs_and_cancellations_settle_ar_but_are_not_payments() -> None:
    rows = [
        row("payment", date(2026, 2, 10), "400.00"),
        row("written_off", date(2026, 4, 1), "600.00", None),
    ]
    (fact,) = receivable_facts([INV], rows, date(2026, 4, 1))
    assert open_amount_as_of(fact, date(2026, 4, 1)) == 0
    assert aging([fact], date(2026, 4, 1)).lines == ()
    paid_facts = receivable_facts([INV], rows, date(2026, 4, 1), paid_only=True)
    assert paid_invoices(paid_facts, date(2026, 4, 1)) == []
    cancelled = [row("cancelled", date(2026, 1, 5), "1000.00", None)]
    assert (
        paid_invoices(
            receivable_facts([INV], cancelled, date(2026, 2, 1), paid_only=True), date(2026, 2, 1)
        )
        == []
    )


def test_more_applied_than_invoiced_is_clipped_and_future_invoices_left_out() -> None:
    rows = [row("payment", date(2026, 2, 1), "900.00"), row("payment", date(2026, 2, 2), "300.00")]
    assert settlements_of(rows, date(2026, 3, 1)) == [
        (date(2026, 2, 1), D("900.00")),
        (date(2026, 2, 2), D("100.00")),
    ]
    assert receivable_facts([INV], rows, date(2025, 12, 31)) == []


def test_an_invoice_paid_in_full_is_paid_on_the_day_of_its_last_payment() -> None:
    rows = [
        row("payment", date(2026, 2, 10), "400.00"),
        row("credit_note", date(2026, 2, 20), "600.00", "CN-1"),
    ]
    (paid,) = paid_invoices(
        receivable_facts([INV], rows, date(2026, 3, 1), paid_only=True), date(2026, 3, 1)
    )
    assert (paid.paid_on, paid.days_to_pay, paid.days_late) == (date(2026, 2, 20), 50, 20)

"""Rate tables and amounts as effective-dated package data; Money never mixes currencies."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from dunning_service.domain.legal.amounts import in_force_on, load_amounts
from dunning_service.domain.legal.money import CurrencyMismatch, Money
from dunning_service.domain.legal.rates import (
    LegalDataError,
    RateNotKnown,
    load_rate_tables,
    parse_rate_tables,
    rate_table,
)


def rates(series: str) -> list[tuple[date, str]]:
    return [(e.effective_from, str(e.rate)) for e in rate_table(series).entries]


def test_the_packaged_rate_series() -> None:
    assert set(load_rate_tables()) == {
        "be_b2b_late_payment",
        "nl_commercial",
        "nl_consumer",
        "eu_default",
    }
    assert rates("be_b2b_late_payment") == [
        (date(2023, 1, 1), "10.50"),
        (date(2023, 7, 1), "12.00"),
        (date(2024, 1, 1), "12.50"),
        (date(2024, 7, 1), "12.50"),
        (date(2025, 1, 1), "11.50"),
        (date(2025, 7, 1), "10.50"),
        (date(2026, 1, 1), "10.50"),
    ]
    assert rates("nl_commercial") == [
        (date(2024, 1, 1), "12.50"),
        (date(2024, 7, 1), "12.25"),
        (date(2025, 1, 1), "11.15"),
        (date(2025, 7, 1), "10.15"),
        (date(2026, 1, 1), "10.15"),
    ]
    assert rates("nl_consumer") == [
        (date(2024, 1, 1), "7.00"),
        (date(2025, 1, 1), "6.00"),
        (date(2026, 1, 1), "4.00"),
    ]
    # The directive's ECB + 8 without rounding: the NL commercial figures from 2024 on.
    assert rates("eu_default")[2:] == rates("nl_commercial")


def test_rates_from_secondary_sources_are_marked_verify() -> None:
    be = {e.effective_from: e.verify for e in rate_table("be_b2b_late_payment").entries}
    assert be[date(2026, 1, 1)] and be[date(2025, 1, 1)] and not be[date(2024, 7, 1)]
    nl = {e.effective_from: e.verify for e in rate_table("nl_commercial").entries}
    assert nl[date(2025, 7, 1)] and nl[date(2026, 1, 1)] and not nl[date(2024, 1, 1)]
    assert rate_table("nl_consumer").entries[-1].verify
    assert all(e.verify for e in rate_table("eu_default").entries)
    assert all(e.source for table in load_rate_tables().values() for e in table.entries)


def test_rate_on_a_day_is_the_last_row_starting_on_or_before_it() -> None:
    be = rate_table("be_b2b_late_payment")
    assert be.rate_on(date(2024, 12, 31)) == Decimal("12.50")
    assert be.rate_on(date(2025, 1, 1)) == Decimal("11.50")
    assert be.rate_on(date(2030, 1, 1)) == Decimal("10.50")  # the last row stays in force
    with pytest.raises(RateNotKnown):
        be.rate_on(date(2022, 12, 31))


def test_periods_between_two_days_split_at_each_row() -> None:
    periods = rate_table("nl_consumer").periods(date(2024, 12, 20), date(2025, 1, 5))
    assert [(p.start, p.end, p.days, p.entry.rate) for p in periods] == [
        (date(2024, 12, 20), date(2024, 12, 31), 12, Decimal("7.00")),
        (date(2025, 1, 1), date(2025, 1, 5), 5, Decimal("6.00")),
    ]
    assert rate_table("nl_consumer").periods(date(2025, 1, 5), date(2025, 1, 4)) == []


def row(**changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {"from": "2025-01-01", "rate": "1.00", "source": "s", "verify": False}
    values.update(changes)
    return values


@pytest.mark.parametrize(
    "rows",
    [
        [row(rate=10.5)],  # a JSON number would pass through float
        [row(rate="ten")],
        [row(rate="-1")],
        [row(source="")],
        [row(verify="no")],
        [row(**{"from": "2025-13-01"})],
        [row(), row(**{"from": "2024-07-01"})],  # out of order
        [],
    ],
)
def test_malformed_rate_data_is_refused_at_load(rows: list[dict[str, Any]]) -> None:
    with pytest.raises(LegalDataError):
        parse_rate_tables({"series": rows})


def test_the_packaged_amounts_are_effective_dated() -> None:
    amounts = load_amounts()
    fixed = in_force_on(amounts.fixed_compensation_b2b, date(2025, 1, 1), "fixed")
    assert fixed.amount == Money(Decimal("40.00"), "EUR")
    cap = in_force_on(amounts.be_b2c_later_reminder_fee_cap, date(2025, 1, 1), "cap")
    assert cap.amount == Money(Decimal("7.50"), "EUR")
    assert cap.effective_from == date(2023, 9, 1)
    wik = in_force_on(amounts.nl_wik_scale, date(2025, 1, 1), "wik")
    assert (wik.minimum, wik.maximum) == (Decimal("40.00"), Decimal("6775.00"))
    damages = in_force_on(amounts.be_b2c_max_damages, date(2025, 1, 1), "damages")
    assert damages.maximum == Decimal("2000.00")


def test_money_refuses_mixing_currencies() -> None:
    eur, usd = Money(Decimal("1"), "EUR"), Money(Decimal("1"), "USD")
    with pytest.raises(CurrencyMismatch):
        _ = eur + usd
    with pytest.raises(CurrencyMismatch):
        _ = eur < usd
    assert eur + eur == Money(Decimal("2"), "EUR")


def test_money_refuses_floats_and_bad_currencies() -> None:
    with pytest.raises(TypeError):
        Money(1.5, "EUR")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        Money(Decimal("1"), "euro")


def test_money_rounds_half_up_to_cents() -> None:
    assert Money(Decimal("2.345"), "EUR").rounded() == Money(Decimal("2.35"), "EUR")
    assert Money(Decimal("2.345"), "EUR").rounded().amount.as_tuple().exponent == -2
    assert str(Money(Decimal("10229.04"), "EUR")) == "EUR 10,229.04"

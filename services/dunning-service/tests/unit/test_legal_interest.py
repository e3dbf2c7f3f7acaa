"""Statutory interest: simple (BE, EU) and compounded yearly (NL), explainable per period.

Every expected figure is written out as the per-period arithmetic
``base × rate × days / (100 × 365)``, summed unrounded and rounded once, half up.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest

from dunning_service.domain.legal.interest import compound_yearly_interest, simple_interest
from dunning_service.domain.legal.money import Money
from dunning_service.domain.legal.rates import RateEntry, RateNotKnown, RateTable, rate_table

BE = rate_table("be_b2b_late_payment")
NL_COMMERCIAL = rate_table("nl_commercial")


def eur(amount: str) -> Money:
    return Money(Decimal(amount), "EUR")


def per_period(base: Decimal | str, rate: str, days: int) -> Decimal:
    return Decimal(base) * Decimal(rate) * days / (100 * 365)


def cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def flat_table(rate: str) -> RateTable:
    return RateTable(
        series="test_flat",
        entries=(RateEntry(date(2020, 1, 1), Decimal(rate), source="test", verify=False),),
    )


def test_domain_example_be_b2b_10000_due_1_march_paid_30_april_is_189_04() -> None:
    result = simple_interest(eur("10000"), date(2025, 3, 1), date(2025, 4, 30), BE)

    assert result.amount == eur("189.04")
    [period] = result.periods
    # From the day after the due date up to and including the payment date: 30 + 30 days.
    assert (period.start, period.end, period.days) == (date(2025, 3, 2), date(2025, 4, 30), 60)
    assert period.rate == Decimal("11.50")
    assert period.base == eur("10000")
    assert period.amount.amount == per_period("10000", "11.50", 60)  # 189.0410958…
    assert result.days == 60
    assert "60 days × 11.50 %" in result.explanation()


def test_periods_split_where_the_rate_changes_and_only_the_total_is_rounded() -> None:
    # Due 2024-11-30, paid 2025-02-14: December at 12.50 %, then 45 days of 2025 at 11.50 %.
    result = simple_interest(eur("10000"), date(2024, 11, 30), date(2025, 2, 14), BE)

    december = per_period("10000", "12.50", 31)  # 106.1643835…
    new_year = per_period("10000", "11.50", 45)  # 141.7808219…
    assert [(p.start, p.end, p.days, p.rate) for p in result.periods] == [
        (date(2024, 12, 1), date(2024, 12, 31), 31, Decimal("12.50")),
        (date(2025, 1, 1), date(2025, 2, 14), 45, Decimal("11.50")),
    ]
    assert [p.amount.amount for p in result.periods] == [december, new_year]
    assert result.amount.amount == cents(december + new_year) == Decimal("247.95")
    # Rounding each period first would lose a cent: 106.16 + 141.78 = 247.94.
    assert cents(december) + cents(new_year) == Decimal("247.94")
    assert result.unrounded.amount == december + new_year


def test_each_half_year_publication_is_its_own_period_even_at_the_same_rate() -> None:
    result = simple_interest(eur("5000"), date(2024, 6, 15), date(2025, 1, 10), BE)

    h1 = per_period("5000", "12.50", 15)  # 16–30 June 2024
    h2 = per_period("5000", "12.50", 184)  # July–December 2024
    h3 = per_period("5000", "11.50", 10)  # 1–10 January 2025
    assert [(p.start, p.days, p.rate) for p in result.periods] == [
        (date(2024, 6, 16), 15, Decimal("12.50")),
        (date(2024, 7, 1), 184, Decimal("12.50")),
        (date(2025, 1, 1), 10, Decimal("11.50")),
    ]
    assert result.amount.amount == cents(h1 + h2 + h3) == Decimal("356.51")
    assert all(p.source for p in result.periods)


def test_a_leap_year_counts_366_days_over_365() -> None:
    result = simple_interest(eur("10000"), date(2023, 12, 31), date(2024, 12, 31), BE)

    assert result.days == 366
    assert result.amount.amount == cents(per_period("10000", "12.50", 366)) == Decimal("1253.42")


def test_the_total_is_rounded_half_up_not_half_even() -> None:
    # 365.00 × 0.50 % × 1 day / 365 = 0.005 exactly.
    result = simple_interest(eur("365.00"), date(2024, 1, 1), date(2024, 1, 2), flat_table("0.50"))

    assert result.unrounded.amount == Decimal("0.005")
    assert result.amount == eur("0.01")


def test_no_interest_on_or_before_the_due_date() -> None:
    for end in (date(2025, 3, 1), date(2025, 2, 1)):
        result = simple_interest(eur("10000"), date(2025, 3, 1), end, BE)
        assert result.amount == eur("0.00")
        assert result.periods == ()


def test_a_day_before_the_first_recorded_rate_is_refused_not_guessed() -> None:
    with pytest.raises(RateNotKnown):
        simple_interest(eur("100"), date(2022, 12, 1), date(2023, 1, 31), BE)


def test_a_negative_principal_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        simple_interest(eur("-1"), date(2025, 3, 1), date(2025, 4, 30), BE)


def test_interest_is_in_the_principal_currency() -> None:
    result = simple_interest(Money(Decimal("1000"), "USD"), date(2025, 3, 1), date(2025, 4, 30), BE)
    assert result.amount.currency == "USD"


def test_nl_interest_is_added_to_the_principal_after_each_full_year() -> None:
    # EUR 10,000 due 2023-12-31, paid 2026-03-31: two full years of default, then 90 days.
    result = compound_yearly_interest(
        eur("10000"), date(2023, 12, 31), date(2026, 3, 31), NL_COMMERCIAL
    )

    year_1 = per_period("10000", "12.50", 182) + per_period("10000", "12.25", 184)
    base_2 = Decimal("10000") + year_1
    year_2 = per_period(base_2, "11.15", 181) + per_period(base_2, "10.15", 184)
    base_3 = base_2 + year_2
    year_3 = per_period(base_3, "10.15", 90)

    assert [(p.start, p.end, p.days, p.rate, p.base.amount) for p in result.periods] == [
        (date(2024, 1, 1), date(2024, 6, 30), 182, Decimal("12.50"), Decimal("10000")),
        (date(2024, 7, 1), date(2024, 12, 31), 184, Decimal("12.25"), Decimal("10000")),
        (date(2025, 1, 1), date(2025, 6, 30), 181, Decimal("11.15"), base_2),
        (date(2025, 7, 1), date(2025, 12, 31), 184, Decimal("10.15"), base_2),
        (date(2026, 1, 1), date(2026, 3, 31), 90, Decimal("10.15"), base_3),
    ]
    assert result.amount.amount == cents(year_1 + year_2 + year_3)
    assert result.amount == eur("2748.79")
    simple = simple_interest(eur("10000"), date(2023, 12, 31), date(2026, 3, 31), NL_COMMERCIAL)
    assert result.amount > simple.amount  # interest on interest


def test_nl_interest_within_the_first_year_is_simple() -> None:
    start, end = date(2024, 3, 15), date(2025, 3, 15)  # exactly one year: nothing added yet
    compound = compound_yearly_interest(eur("2000"), start, end, NL_COMMERCIAL)
    simple = simple_interest(eur("2000"), start, end, NL_COMMERCIAL)
    assert compound.periods == simple.periods
    assert compound.amount == simple.amount


def test_a_default_starting_on_29_february_completes_its_year_on_28_february() -> None:
    result = compound_yearly_interest(
        eur("1000"), date(2024, 2, 28), date(2025, 3, 2), flat_table("10")
    )

    year_1 = Decimal("1000") * 10 * 366 / 36500
    assert [(p.start, p.end, p.days, p.base.amount) for p in result.periods] == [
        (date(2024, 2, 29), date(2025, 2, 28), 366, Decimal("1000")),
        (date(2025, 3, 1), date(2025, 3, 2), 2, Decimal("1000") + year_1),
    ]
    assert result.amount.amount == cents(year_1 + (Decimal("1000") + year_1) * 10 * 2 / 36500)

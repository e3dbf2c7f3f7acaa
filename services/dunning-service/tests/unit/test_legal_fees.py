"""Statutory fees: BE B2C damages brackets, NL WIK scale, the EUR 40 B2B compensation."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from dunning_service.domain.legal.amounts import RuleNotInForce
from dunning_service.domain.legal.fees import (
    be_b2c_max_damages,
    be_b2c_reminder_fees,
    fixed_compensation_b2b,
    nl_wik_costs,
)
from dunning_service.domain.legal.money import CurrencyMismatch, Money

ON = date(2025, 6, 1)


def eur(amount: str) -> Money:
    return Money(Decimal(amount), "EUR")


def test_domain_example_wik_on_6000_is_675() -> None:
    costs = nl_wik_costs(eur("6000"), ON)

    assert costs.amount == eur("675.00")  # 375 + 250 + 50
    assert costs.basis == eur("6000")
    assert costs.steps == (
        "15 % of 2,500 (0–2,500) = 375",
        "10 % of 2,500 (2,500–5,000) = 250",
        "5 % of 1,000 (5,000–6,000) = 50",
    )
    assert "WIK" in costs.rule
    assert "675.00" in costs.explanation()


@pytest.mark.parametrize(
    ("principal", "expected", "limit_step"),
    [
        ("100.00", "40.00", "raised to the minimum 40"),  # 15.00
        ("266.66", "40.00", "raised to the minimum 40"),  # 39.999
        ("266.67", "40.00", None),  # 40.0005: the scale itself, no minimum needed
        ("2500.00", "375.00", None),
        ("10000.00", "875.00", None),  # 375 + 250 + 250
        ("200000.00", "2775.00", None),  # 875 + 1,900
        ("1000000.00", "6775.00", None),  # 2,775 + 4,000: exactly the maximum
        ("1200000.00", "6775.00", "capped at the maximum 6,775"),  # 7,775
    ],
)
def test_wik_scale_edges(principal: str, expected: str, limit_step: str | None) -> None:
    costs = nl_wik_costs(eur(principal), ON)
    assert costs.amount == eur(expected)
    if limit_step is None:
        assert not any("minimum" in s or "maximum" in s for s in costs.steps)
    else:
        assert costs.steps[-1] == limit_step


def test_wik_above_200000_uses_half_a_percent() -> None:
    costs = nl_wik_costs(eur("300000"), ON)
    assert costs.amount == eur("3275.00")  # 2,775 + 0.5 % × 100,000
    assert costs.steps[-1] == "0.5 % of 100,000 (200,000–300,000) = 500"


def test_wik_on_nothing_owed_is_nothing() -> None:
    assert nl_wik_costs(eur("0"), ON).amount == eur("0.00")


def test_wik_is_a_euro_scale_and_refuses_other_currencies() -> None:
    with pytest.raises(CurrencyMismatch):
        nl_wik_costs(Money(Decimal("6000"), "USD"), ON)


@pytest.mark.parametrize(
    ("balance", "expected"),
    [
        ("10.00", "20.00"),
        ("150.00", "20.00"),  # up to 150: flat 20
        ("150.01", "30.00"),  # 30 + 10 % × 0.01 = 30.001
        ("300.00", "45.00"),  # 30 + 10 % × 150
        ("500.00", "65.00"),  # 30 + 10 % × 350
        ("500.01", "65.00"),  # 65 + 5 % × 0.01 = 65.0005
        ("1000.00", "90.00"),  # 65 + 5 % × 500
        ("39200.00", "2000.00"),  # 65 + 5 % × 38,700 = 2,000: the cap exactly
        ("50000.00", "2000.00"),  # 65 + 5 % × 49,500 = 2,540 → capped
    ],
)
def test_be_b2c_damages_brackets(balance: str, expected: str) -> None:
    assert be_b2c_max_damages(eur(balance), ON).amount == eur(expected)


def test_be_b2c_damages_explain_the_bracket_and_the_cap() -> None:
    assert be_b2c_max_damages(eur("150"), ON).steps == ("balance up to 150: flat 20",)
    assert be_b2c_max_damages(eur("150.01"), ON).steps == (
        "balance above 150: 30 + 10 % × (150.01 − 150) = 30.001",
    )
    capped = be_b2c_max_damages(eur("50000"), ON)
    assert capped.steps == (
        "balance above 500: 65 + 5 % × (50,000 − 500) = 2,540",
        "capped at 2,000",
    )
    assert "Book XIX" in capped.source


def test_be_b2c_damages_do_not_exist_before_book_xix() -> None:
    with pytest.raises(RuleNotInForce):
        be_b2c_max_damages(eur("1000"), date(2023, 8, 31))
    assert be_b2c_max_damages(eur("1000"), date(2023, 9, 1)).amount == eur("90.00")


def test_be_b2c_damages_on_nothing_owed_are_nothing() -> None:
    assert be_b2c_max_damages(eur("0"), ON).amount == eur("0.00")


def test_fixed_b2b_compensation_is_40_euro_per_late_invoice() -> None:
    one = fixed_compensation_b2b(ON)
    assert one.amount == eur("40.00")
    assert "C-585/20" in one.source
    assert fixed_compensation_b2b(ON, late_invoices=3).amount == eur("120.00")


def test_be_b2c_later_reminders_cost_at_most_7_50_each() -> None:
    fees = be_b2c_reminder_fees(2, ON)
    assert fees.amount == eur("15.00")
    assert "postage not included" in fees.steps[0]

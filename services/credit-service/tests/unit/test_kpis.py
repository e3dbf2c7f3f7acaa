"""CRF receivables KPIs on a quarter computed by hand.

The example ledger (EUR, 30-day terms), Q1 2026 = Jan 31 + Feb 28 + Mar 31 = 90 days:

    inv  issued      due         amount  applied               open 2025-12-31  open 2026-03-31
    D1   2025-11-15  2025-12-15  15,000  10,000 on 2026-01-10  15,000           5,000 (106 dpd)
    D2   2025-12-10  2026-01-09  30,000  30,000 on 2026-02-05  30,000           0
    J1   2026-01-10  2026-02-09  20,000  15,000 on 2026-02-20  —                5,000 (50 dpd)
    F1   2026-02-05  2026-03-07  10,000  —                     —                10,000 (24 dpd)
    F2   2026-02-20  2026-03-22  20,000  20,000 on 2026-03-25  —                0
    M1   2026-03-05  2026-04-04  15,000  —                     —                15,000 (current)
    M2   2026-03-20  2026-04-19  25,000   5,000 on 2026-03-28  —                20,000 (current)

    beginning AR (end of 2025-12-31) = 15,000 + 30,000              = 45,000
    credit sales Q1 = Jan 20,000 + Feb 30,000 + Mar 40,000          = 90,000
    ending AR (2026-03-31) = 5,000 + 5,000 + 10,000 + 15,000 + 20,000 = 55,000
    ending current AR = M1 15,000 + M2 20,000                        = 35,000

    DSO standard  = 55,000 / 90,000 × 90                              = 55.00
    DSO countback: March sales 40,000 < 55,000 → +31 days, 15,000 left;
                   February sales 30,000 ≥ 15,000 → +15,000/30,000 × 28 = 14 → 31 + 14 = 45.00
    BPDSO         = 35,000 / 90,000 × 90                              = 35.00
    ADD           = 55.00 − 35.00                                     = 20.00
    CEI, N = 3: (45,000 + 30,000 − 55,000) / (45,000 + 30,000 − 35,000) × 100
                = 20,000 / 40,000 × 100                               = 50.00
    Aging 2026-03-31: current 35,000 · 1-30 10,000 · 31-60 5,000 · 61-90 0 · >90 5,000 = 55,000
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from credit_service.domain.kpis import (
    AgingBucket,
    ReceivableFact,
    Settlement,
    aging,
    average_days_delinquent,
    best_possible_dso,
    cei,
    dso_countback,
    dso_standard,
    open_amount_as_of,
)

Q1_START = date(2026, 1, 1)
Q1_END = date(2026, 3, 31)


def invoice(
    number: str,
    issued: date,
    due: date,
    amount: str,
    *settlements: tuple[date, str],
    currency: str = "EUR",
) -> ReceivableFact:
    return ReceivableFact(
        number,
        currency,
        Decimal(amount),
        issued,
        due,
        [(on, Decimal(paid)) for on, paid in settlements],
    )


LEDGER = [
    invoice("D1", date(2025, 11, 15), date(2025, 12, 15), "15000", (date(2026, 1, 10), "10000")),
    invoice("D2", date(2025, 12, 10), date(2026, 1, 9), "30000", (date(2026, 2, 5), "30000")),
    invoice("J1", date(2026, 1, 10), date(2026, 2, 9), "20000", (date(2026, 2, 20), "15000")),
    invoice("F1", date(2026, 2, 5), date(2026, 3, 7), "10000"),
    invoice("F2", date(2026, 2, 20), date(2026, 3, 22), "20000", (date(2026, 3, 25), "20000")),
    invoice("M1", date(2026, 3, 5), date(2026, 4, 4), "15000"),
    invoice("M2", date(2026, 3, 20), date(2026, 4, 19), "25000", (date(2026, 3, 28), "5000")),
]


def amounts(buckets: tuple[AgingBucket, ...]) -> dict[str, Decimal]:
    return {b.label: b.amount for b in buckets}


# ------------------------------------------------------------------------------ open amount


def test_open_amount_counts_only_what_was_applied_by_then() -> None:
    j1 = LEDGER[2]
    assert open_amount_as_of(j1, date(2026, 1, 9)) == 0  # not issued yet
    assert open_amount_as_of(j1, date(2026, 2, 19)) == Decimal(20000)
    assert open_amount_as_of(j1, date(2026, 2, 20)) == Decimal(5000)  # applied that day


def test_settlements_given_as_pairs_are_kept_as_settlements() -> None:
    assert LEDGER[0].settlements == (Settlement(date(2026, 1, 10), Decimal(10000)),)


def test_more_applied_than_invoiced_is_rejected() -> None:
    with pytest.raises(ValueError, match="more applied than invoiced"):
        invoice("X", Q1_START, Q1_END, "100", (Q1_START, "60"), (Q1_END, "60"))


# ------------------------------------------------------------------------------------ aging


def test_aging_at_quarter_end_buckets_by_days_past_due_and_sums_to_total_ar() -> None:
    report = aging(LEDGER, Q1_END)
    [eur] = report.lines
    assert eur.currency == "EUR"
    assert amounts(eur.buckets) == {
        "current": Decimal(35000),  # M1 15,000 + M2 20,000
        "1-30": Decimal(10000),  # F1, 24 days
        "31-60": Decimal(5000),  # J1, 50 days
        "61-90": Decimal(0),
        "over 90": Decimal(5000),  # D1, 106 days
    }
    assert eur.total == Decimal(55000)
    assert sum(b.amount for b in eur.buckets) == eur.total
    assert [b.items for b in eur.buckets] == [2, 1, 1, 0, 1]
    assert eur.past_due == Decimal(20000)


def test_aging_boundaries_the_due_date_is_current_the_day_after_is_one_day_late() -> None:
    due = date(2026, 3, 31)
    facts = [invoice("B1", date(2026, 1, 1), due, "1")]
    assert aging(facts, due).lines[0].current == 1
    cases = {
        1: "1-30",
        30: "1-30",
        31: "31-60",
        60: "31-60",
        61: "61-90",
        90: "61-90",
        91: "over 90",
    }
    for days, label in cases.items():
        as_of = date.fromordinal(due.toordinal() + days)
        line = aging(facts, as_of).lines[0]
        assert line.bucket(label).amount == 1, (days, label)


def test_aging_keeps_currencies_apart() -> None:
    usd = invoice("U1", date(2026, 3, 1), date(2026, 3, 15), "1234.56", currency="USD")
    report = aging([*LEDGER, usd], Q1_END)
    assert [line.currency for line in report.lines] == ["EUR", "USD"]
    usd_line = report.for_currency("USD")
    assert usd_line is not None
    assert usd_line.total == Decimal("1234.56")
    assert usd_line.bucket("1-30").amount == Decimal("1234.56")  # 16 days past due
    eur_line = report.for_currency("EUR")
    assert eur_line is not None and eur_line.total == Decimal(55000)


def test_aging_as_of_a_past_date_is_what_it_was_then() -> None:
    # 2026-02-15: D1 5,000 (62 dpd → 61-90), D2 paid 02-05, J1 20,000 (6 dpd: its 15,000 came
    # on 02-20), F1 10,000 (due 03-07, current), F2/M1/M2 not issued yet → total 35,000.
    past = date(2026, 2, 15)
    before = aging(LEDGER, past)
    [eur] = before.lines
    assert amounts(eur.buckets) == {
        "current": Decimal(10000),
        "1-30": Decimal(20000),
        "31-60": Decimal(0),
        "61-90": Decimal(5000),
        "over 90": Decimal(0),
    }
    assert eur.total == Decimal(35000)

    # A later payment (D1's disputed rest, settled on 2026-04-10) changes today's figures only.
    d1_settled = invoice(
        "D1",
        date(2025, 11, 15),
        date(2025, 12, 15),
        "15000",
        (date(2026, 1, 10), "10000"),
        (date(2026, 4, 10), "5000"),
    )
    later = [d1_settled, *LEDGER[1:]]
    assert aging(later, past) == before
    assert aging(later, Q1_END) == aging(LEDGER, Q1_END)
    after_line = aging(later, date(2026, 4, 10)).for_currency("EUR")
    assert after_line is not None and after_line.bucket("over 90").amount == 0


# ----------------------------------------------------------------------------- ratio KPIs


def test_dso_standard_on_the_quarter() -> None:
    dso = dso_standard(LEDGER, Q1_START, Q1_END)
    assert dso.value == Decimal("55.00")
    assert dso.currency == "EUR"
    assert dso.explanation["ending_total_ar"] == Decimal(55000)
    assert dso.explanation["credit_sales"] == Decimal(90000)
    assert dso.explanation["days"] == 90


def test_dso_countback_walks_march_then_a_part_of_february() -> None:
    dso = dso_countback(LEDGER, Q1_END, months=3)
    assert dso.value == Decimal("45.00")
    assert [(s.month, s.sales, s.ar_to_explain, s.days_added) for s in dso.steps] == [
        ("2026-03", Decimal(40000), Decimal(55000), Decimal(31)),
        ("2026-02", Decimal(30000), Decimal(15000), Decimal(14)),
    ]
    assert dso.explanation["horizon_exhausted"] is False
    assert dso.explanation["unexplained_ar"] == 0


def test_dso_countback_a_later_payment_does_not_change_a_past_figure() -> None:
    later_payment = invoice(
        "F1", date(2026, 2, 5), date(2026, 3, 7), "10000", (date(2026, 4, 2), "10000")
    )
    changed = [*LEDGER[:3], later_payment, *LEDGER[4:]]
    assert dso_countback(changed, Q1_END, months=3) == dso_countback(LEDGER, Q1_END, months=3)


def test_dso_countback_mid_month_counts_only_the_days_so_far() -> None:
    # As of 2026-03-10: open D1 5,000 + J1 5,000 + F1 10,000 + F2 20,000 + M1 15,000 = 55,000.
    # March 1–10: sales 15,000 (M1) < 55,000 → +10 days, 40,000 left;
    # February: sales 30,000 < 40,000 → +28 days, 10,000 left;
    # January: sales 20,000 ≥ 10,000 → +10,000/20,000 × 31 = 15.5 → 10 + 28 + 15.5 = 53.50.
    dso = dso_countback(LEDGER, date(2026, 3, 10))
    assert dso.value == Decimal("53.50")
    assert [s.days_added for s in dso.steps] == [10, 28, Decimal("15.5")]


def test_dso_countback_extrapolates_and_says_so_when_the_horizon_runs_out() -> None:
    # One month only: 55,000 against March's 40,000 sales → 55/40 × 31 = 42.625 → 42.63.
    dso = dso_countback(LEDGER, Q1_END, months=1)
    assert dso.value == Decimal("42.63")
    assert dso.explanation["horizon_exhausted"] is True


def test_best_possible_dso_and_average_days_delinquent() -> None:
    bpdso = best_possible_dso(LEDGER, Q1_START, Q1_END)
    assert bpdso.value == Decimal("35.00")
    assert bpdso.explanation["ending_current_ar"] == Decimal(35000)
    add = average_days_delinquent(LEDGER, Q1_START, Q1_END)
    assert add.value == Decimal("20.00")
    assert add.explanation["dso"] == Decimal("55.00")
    assert add.explanation["best_possible_dso"] == Decimal("35.00")


def test_cei_on_the_quarter() -> None:
    index = cei(LEDGER, Q1_START, Q1_END)
    assert index.value == Decimal("50.00")
    assert index.explanation["beginning_ar"] == Decimal(45000)
    assert index.explanation["months"] == 3
    assert index.explanation["ending_current_ar"] == Decimal(35000)


def test_cei_of_a_single_month() -> None:
    # January: beginning 45,000; sales 20,000 (N = 1); ending AR at 01-31 = D1 5,000 + D2 30,000
    # + J1 20,000 = 55,000; current = D2? due 01-09 → past due; J1 due 02-09 → 20,000 current.
    # (45,000 + 20,000 − 55,000) / (45,000 + 20,000 − 20,000) × 100 = 10,000/45,000 = 22.22
    assert cei(LEDGER, Q1_START, date(2026, 1, 31)).value == Decimal("22.22")


def test_ratio_kpis_without_sales_are_undefined_not_a_crash() -> None:
    dso = dso_standard(LEDGER, date(2026, 6, 1), date(2026, 6, 30))
    assert dso.value is None
    assert dso.explanation["undefined"] == "no credit sales in the period"
    assert average_days_delinquent(LEDGER, date(2026, 6, 1), date(2026, 6, 30)).value is None


def test_ratio_kpis_refuse_to_mix_currencies() -> None:
    usd = invoice("U1", date(2026, 3, 1), date(2026, 3, 31), "500", currency="USD")
    with pytest.raises(ValueError, match="one currency"):
        dso_standard([*LEDGER, usd], Q1_START, Q1_END)
    only_usd = dso_standard([*LEDGER, usd], Q1_START, Q1_END, currency="USD")
    # 500 open / 500 sales × 90 days
    assert (only_usd.currency, only_usd.value) == ("USD", Decimal("90.00"))

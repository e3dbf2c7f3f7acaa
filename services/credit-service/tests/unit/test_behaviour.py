"""Payment behaviour figures and the deterioration rule on synthetic payment histories."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from credit_service.domain.behaviour import (
    DeteriorationRule,
    PaidInvoice,
    detect_deterioration,
    paid_invoices,
    payment_behaviour,
)
from credit_service.domain.kpis import ReceivableFact

AS_OF = date(2026, 6, 30)
# Default windows as of 2026-06-30: recent = 2026-04-02 … 2026-06-30 (90 days),
# baseline = 2025-04-02 … 2026-04-01 (the 12 months before).
TERMS = 30


def paid(number: str, issued: date, days_to_pay: int, amount: str = "1000") -> PaidInvoice:
    return PaidInvoice(
        number,
        "EUR",
        Decimal(amount),
        issued,
        issued + timedelta(days=TERMS),
        issued + timedelta(days=days_to_pay),
    )


def history(*, first_issue: date, switch_on: date, before: int, after: int) -> list[PaidInvoice]:
    """An invoice every 14 days from ``first_issue``; invoices issued before ``switch_on`` are
    paid in ``before`` days, later ones in ``after`` days; only those paid by AS_OF."""
    invoices = []
    issued = first_issue
    while issued <= AS_OF:
        days = before if issued < switch_on else after
        if issued + timedelta(days=days) <= AS_OF:
            invoices.append(paid(f"INV-{issued.isoformat()}", issued, days))
        issued += timedelta(days=14)
    return invoices


# -------------------------------------------------------------------------------- figures


def test_behaviour_figures_by_hand() -> None:
    # A 1,000: issued 01-01, due 01-31, paid 02-10 → 40 days to pay, 10 late
    # B 3,000: issued 01-01, due 01-31, paid 01-21 → 20 days to pay,  0 late
    # C 1,000: issued 01-15, due 02-14, paid 03-01 → 45 days to pay, 15 late
    # average days to pay = (40 + 20 + 45) / 3                      = 35.00
    # weighted days to pay = (1,000×40 + 3,000×20 + 1,000×45) / 5,000 = 145,000 / 5,000 = 29.00
    # weighted days late   = (1,000×10 + 0 + 1,000×15) / 5,000      = 5.00
    # share paid late      = 2 / 3                                   = 66.67 %
    invoices = [
        paid("A", date(2026, 1, 1), 40),
        paid("B", date(2026, 1, 1), 20, amount="3000"),
        paid("C", date(2026, 1, 15), 45),
    ]
    figures = payment_behaviour(invoices, date(2026, 3, 31))
    assert figures is not None
    assert figures.invoices == 3
    assert figures.amount == Decimal(5000)
    assert figures.average_days_to_pay == Decimal("35.00")
    assert figures.weighted_days_to_pay == Decimal("29.00")
    assert figures.weighted_days_late == Decimal("5.00")
    assert figures.share_paid_late == Decimal("66.67")


def test_behaviour_ignores_payments_after_as_of() -> None:
    invoices = [paid("A", date(2026, 1, 1), 40), paid("C", date(2026, 1, 15), 45)]
    figures = payment_behaviour(invoices, date(2026, 2, 28))  # C was paid on 03-01
    assert figures is not None and figures.invoices == 1
    assert payment_behaviour(invoices, date(2026, 1, 31)) is None


def test_paid_invoices_are_dated_by_the_settlement_that_cleared_them() -> None:
    facts = [
        ReceivableFact(
            "P1",
            "EUR",
            Decimal(1000),
            date(2026, 1, 1),
            date(2026, 1, 31),
            [(date(2026, 1, 20), Decimal(400)), (date(2026, 2, 5), Decimal(600))],
        ),
        ReceivableFact(
            "P2",
            "EUR",
            Decimal(500),
            date(2026, 1, 1),
            date(2026, 1, 31),
            [(date(2026, 1, 9), Decimal(100))],
        ),
    ]
    [p1] = paid_invoices(facts, date(2026, 3, 1))
    assert (p1.invoice_number, p1.paid_on, p1.days_to_pay, p1.days_late) == (
        "P1",
        date(2026, 2, 5),
        35,
        5,
    )
    assert paid_invoices(facts, date(2026, 2, 4)) == []  # the last 600 came later


def test_mixed_currencies_need_a_choice() -> None:
    usd = PaidInvoice(
        "U", "USD", Decimal(10), date(2026, 1, 1), date(2026, 1, 31), date(2026, 1, 5)
    )
    invoices = [paid("A", date(2026, 1, 1), 40), usd]
    with pytest.raises(ValueError, match="pass currency"):
        payment_behaviour(invoices, AS_OF)
    only_usd = payment_behaviour(invoices, AS_OF, currency="USD")
    assert only_usd is not None and only_usd.weighted_days_to_pay == Decimal("4.00")


# --------------------------------------------------------------------------- deterioration


def test_a_twenty_day_payer_who_starts_paying_in_fifty_days_is_detected() -> None:
    # Invoices every 14 days from 2025-03-01. Issued before 2026-02-15: paid in 20 days (10 days
    # early) → the last (issued 2026-02-14) paid 2026-03-06, inside the baseline. Issued from
    # 2026-02-15 (the first on 2026-02-28): paid in 50 days (20 late) → paid 2026-04-19 onwards,
    # inside the recent window.
    # Baseline 20.00 days, 0 % late; recent 50.00 days, 100 % late, 20.00 days late:
    # +30 days ≥ 15 and +150 % ≥ 50 % → first leg; +100 points ≥ 30 with 20 ≥ 5 days late → second.
    invoices = history(
        first_issue=date(2025, 3, 1), switch_on=date(2026, 2, 15), before=20, after=50
    )
    found = detect_deterioration(invoices, AS_OF)
    assert found is not None
    assert found.baseline.weighted_days_to_pay == Decimal("20.00")
    assert found.recent.weighted_days_to_pay == Decimal("50.00")
    assert found.increase_days == Decimal("30.00")
    assert found.increase_pct == Decimal("150.00")
    assert found.late_share_rise_points == Decimal("100.00")
    assert found.recent.invoices >= 3 and found.baseline.invoices >= 6
    assert found.recent.window_start == date(2026, 4, 2)
    assert found.baseline.window_start == date(2025, 4, 2)
    assert found.baseline.window_end == date(2026, 4, 1)
    assert len(found.triggers) == 2
    assert "from 20.00 to 50.00" in found.triggers[0]
    assert found.detected_on == AS_OF
    assert "baseline 12m" in found.rule


def test_a_noisy_twenty_day_payer_turning_fifty_is_still_detected() -> None:
    invoices = history(
        first_issue=date(2025, 3, 1), switch_on=date(2026, 2, 15), before=20, after=50
    )
    jitter = (-3, 0, 4, -1, 2)
    noisy = [
        paid(inv.invoice_number, inv.issue_date, inv.days_to_pay + jitter[i % len(jitter)])
        for i, inv in enumerate(invoices)
    ]
    assert detect_deterioration(noisy, AS_OF) is not None


def test_a_steady_payer_is_not_flagged() -> None:
    invoices = history(
        first_issue=date(2025, 3, 1), switch_on=date(2026, 2, 15), before=20, after=21
    )
    assert detect_deterioration(invoices, AS_OF) is None


def test_too_few_recent_invoices_give_no_verdict() -> None:
    # The baseline as above, but only two invoices paid in the recent window (at 50 days).
    baseline = history(
        first_issue=date(2025, 3, 1), switch_on=date(2026, 2, 15), before=20, after=20
    )
    baseline = [i for i in baseline if i.paid_on < date(2026, 4, 2)]
    recent = [paid("R1", date(2026, 3, 1), 50), paid("R2", date(2026, 4, 1), 50)]
    assert detect_deterioration([*baseline, *recent], AS_OF) is None
    third = paid("R3", date(2026, 5, 1), 50)
    assert detect_deterioration([*baseline, *recent, third], AS_OF) is not None


def test_too_short_a_baseline_gives_no_verdict() -> None:
    # A new debtor: five invoices in the baseline, the rest recent and slow.
    invoices = history(
        first_issue=date(2025, 12, 15), switch_on=date(2026, 2, 15), before=20, after=50
    )
    baseline_count = sum(1 for i in invoices if i.paid_on < date(2026, 4, 2))
    assert baseline_count == 5
    assert detect_deterioration(invoices, AS_OF) is None


def test_paying_late_more_often_triggers_only_when_it_is_more_than_a_few_days() -> None:
    # 28 days (never late) → 36 days (6 late): +8 days is below 15, but the share paid late
    # rises 0 → 100 % and the recent weighted days late is 6 ≥ 5 → the second leg fires.
    six_late = history(
        first_issue=date(2025, 3, 1), switch_on=date(2026, 2, 15), before=28, after=36
    )
    found = detect_deterioration(six_late, AS_OF)
    assert found is not None
    assert len(found.triggers) == 1 and found.triggers[0].startswith("share paid late")
    # 28 → 31 days (1 late): the share rises as much, but a day late is no alarm.
    one_late = history(
        first_issue=date(2025, 3, 1), switch_on=date(2026, 2, 15), before=28, after=31
    )
    assert detect_deterioration(one_late, AS_OF) is None


def test_thresholds_are_data() -> None:
    invoices = history(
        first_issue=date(2025, 3, 1), switch_on=date(2026, 3, 10), before=20, after=30
    )
    assert detect_deterioration(invoices, AS_OF) is None  # +10 days < 15
    lenient = DeteriorationRule(min_increase_days=Decimal(10))
    found = detect_deterioration(invoices, AS_OF, rule=lenient)
    assert found is not None and found.increase_pct == Decimal("50.00")

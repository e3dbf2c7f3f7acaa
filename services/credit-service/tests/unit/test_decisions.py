"""Order-time credit decisions: hold, headroom, risk class, overdue items."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest

from credit_service.domain.decisions import CreditAccountSnapshot, DecisionPolicy, decide

AS_OF = date(2026, 6, 30)
# Limit 50,000 EUR, 30,000 open → 20,000 of the limit left.
JANSSENS = CreditAccountSnapshot(
    debtor_ref="D-1",
    limits={"EUR": Decimal(50000)},
    exposure={"EUR": Decimal(30000)},
    risk_class="B",
)


def test_an_order_within_the_headroom_of_a_sound_debtor_is_approved() -> None:
    decision = decide(JANSSENS, Decimal(10000), "EUR", AS_OF)
    assert decision.outcome == "approve"
    assert decision.headroom == Decimal(10000)  # 50,000 − 30,000 − 10,000
    assert decision.prepayment_pct is None
    assert decision.codes == ["within_limit"]


def test_a_debtor_on_credit_hold_is_refused() -> None:
    held = replace(JANSSENS, on_hold=True, hold_reasons=("payment plan defaulted",))
    decision = decide(held, Decimal(100), "EUR", AS_OF)
    assert decision.outcome == "refuse"
    assert decision.codes[0] == "credit_hold"
    assert "payment plan defaulted" in decision.reasons[0].message


def test_no_headroom_left_is_a_refusal() -> None:
    full = replace(JANSSENS, exposure={"EUR": Decimal(50000)})
    decision = decide(full, Decimal(100), "EUR", AS_OF)
    assert decision.outcome == "refuse"
    assert decision.codes == ["no_headroom"]
    assert decision.headroom == Decimal(-100)
    over = replace(JANSSENS, exposure={"EUR": Decimal(52000)})
    assert decide(over, Decimal(100), "EUR", AS_OF).codes == ["no_headroom"]


def test_an_order_larger_than_the_headroom_needs_the_uncovered_part_prepaid() -> None:
    # 20,000 left for 25,000: 5,000 / 25,000 = 20 % prepaid → 5,000.00
    decision = decide(JANSSENS, Decimal(25000), "EUR", AS_OF)
    assert decision.outcome == "approve_with_prepayment"
    assert (decision.prepayment_pct, decision.prepayment_amount) == (20, Decimal("5000.00"))
    assert decision.headroom == Decimal(-5000)
    # 20,000 left for 30,000: 10,000 / 30,000 = 33.3 % → rounded up to 35 % → 10,500.00
    decision = decide(JANSSENS, Decimal(30000), "EUR", AS_OF)
    assert (decision.prepayment_pct, decision.prepayment_amount) == (35, Decimal("10500.00"))


def test_a_weak_class_pays_part_up_front() -> None:
    weak = replace(JANSSENS, risk_class="D")
    decision = decide(weak, Decimal("999.99"), "EUR", AS_OF)
    assert decision.outcome == "approve_with_prepayment"
    # 50 % of 999.99 = 499.995 → rounded up to 500.00 (never ask too little)
    assert (decision.prepayment_pct, decision.prepayment_amount) == (50, Decimal("500.00"))
    assert decision.codes == ["weak_risk_class", "within_limit"]
    # The larger of the class's 50 % and the uncovered 60 % (20,000 left for 50,000) applies.
    assert decide(weak, Decimal(50000), "EUR", AS_OF).prepayment_pct == 60


def test_the_worst_class_is_refused() -> None:
    decision = decide(replace(JANSSENS, risk_class="E"), Decimal(100), "EUR", AS_OF)
    assert decision.outcome == "refuse"
    assert decision.codes == ["risk_class", "within_limit"]


def test_an_item_overdue_beyond_the_policy_is_a_refusal() -> None:
    # overdue since = the day after the due date; 30 days past due is allowed, 31 is not.
    thirty = replace(JANSSENS, oldest_overdue_since=AS_OF - timedelta(days=29))
    assert decide(thirty, Decimal(100), "EUR", AS_OF).outcome == "approve"
    thirty_one = replace(JANSSENS, oldest_overdue_since=AS_OF - timedelta(days=30))
    decision = decide(thirty_one, Decimal(100), "EUR", AS_OF)
    assert decision.outcome == "refuse"
    assert "31 days past due" in decision.reasons[0].message
    lenient = DecisionPolicy(max_days_past_due=45)
    assert decide(thirty_one, Decimal(100), "EUR", AS_OF, policy=lenient).outcome == "approve"


def test_no_limit_in_the_order_currency_is_a_refusal() -> None:
    decision = decide(JANSSENS, Decimal(100), "USD", AS_OF)
    assert (decision.outcome, decision.codes, decision.headroom) == ("refuse", ["no_limit"], None)


def test_every_obstacle_is_reported_not_just_the_first() -> None:
    bad = replace(
        JANSSENS,
        on_hold=True,
        risk_class="E",
        exposure={"EUR": Decimal(60000)},
        oldest_overdue_since=AS_OF - timedelta(days=90),
    )
    decision = decide(bad, Decimal(100), "EUR", AS_OF)
    assert decision.codes == ["credit_hold", "risk_class", "overdue", "no_headroom"]


def test_an_order_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        decide(JANSSENS, Decimal(0), "EUR", AS_OF)


def test_a_decision_takes_microseconds() -> None:
    weak = replace(JANSSENS, risk_class="D")
    started = time.perf_counter()
    for _ in range(10_000):
        decide(weak, Decimal(25000), "EUR", AS_OF)
    per_decision = (time.perf_counter() - started) / 10_000
    assert per_decision < 100e-6  # generous: ~a few µs on a laptop

"""Credit score parts, class boundaries and explanations."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from credit_service.domain.scoring import (
    DunningRecord,
    ExternalCreditReport,
    ScoringInputs,
    risk_class,
    score,
)

AS_OF = date(2026, 6, 30)


def report(
    value: str,
    *,
    on: date = date(2026, 1, 15),
    scale: tuple[str, str] = ("0", "100"),
    advice: str | None = None,
    advice_currency: str | None = None,
    higher_is_better: bool = True,
) -> ExternalCreditReport:
    return ExternalCreditReport(
        provider="Graydon",
        score=Decimal(value),
        scale_min=Decimal(scale[0]),
        scale_max=Decimal(scale[1]),
        reported_on=on,
        higher_is_better=higher_is_better,
        limit_advice=None if advice is None else Decimal(advice),
        limit_advice_currency=None if advice is None else (advice_currency or "EUR"),
    )


# Everything at full points: 0 days late, nothing overdue, 20 % of the limit used,
# no dunning incidents, a top external score.
EXEMPLARY = ScoringInputs(
    currency="EUR",
    exposure=Decimal(10000),
    overdue=Decimal(0),
    limit=Decimal(50000),
    weighted_days_late=Decimal(0),
    paid_invoices=24,
    dunning=DunningRecord(),
    report=report("100"),
)


def exemplary(**changes: Any) -> ScoringInputs:
    return replace(EXEMPLARY, **changes)


def points(inputs: ScoringInputs) -> dict[str, Decimal]:
    return {p.name: p.points for p in score(inputs, AS_OF).parts}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (100, "A"),
        (80, "A"),
        (79, "B"),
        (60, "B"),
        (59, "C"),
        (40, "C"),
        (39, "D"),
        (20, "D"),
        (19, "E"),
        (0, "E"),
    ],
)
def test_risk_class_boundaries(value: int, expected: str) -> None:
    assert risk_class(value) == expected


def test_an_exemplary_debtor_scores_100_and_class_a() -> None:
    result = score(exemplary(), AS_OF)
    assert (result.score, result.risk_class) == (100, "A")
    assert [p.name for p in result.parts] == [
        "payment behaviour",
        "overdue ratio",
        "limit usage",
        "dunning outcomes",
        "external report",
    ]
    assert sum(p.max_points for p in result.parts) == 100
    assert all(p.points == p.max_points for p in result.parts)


def test_class_boundary_at_80_rounds_half_up() -> None:
    # Everything else full (70 points); behaviour = 30 × (1 − d/60) = 30 − d/2.
    # d = 40 → 10 → 80.0 → A;  d = 41 → 9.5 → 79.5 → rounds to 80 → A;  d = 42 → 9 → 79 → B.
    for days, expected_score, expected_class in [(40, 80, "A"), (41, 80, "A"), (42, 79, "B")]:
        result = score(exemplary(weighted_days_late=Decimal(days)), AS_OF)
        assert (result.score, result.risk_class) == (expected_score, expected_class), days


def test_a_new_debtor_without_evidence_starts_neutral() -> None:
    # behaviour 15 (neutral) + overdue 25 (nothing open) + limit 7.5 (none set)
    # + dunning 15 + report 7.5 (none) = 70 → B
    result = score(ScoringInputs(currency="EUR", exposure=Decimal(0), overdue=Decimal(0)), AS_OF)
    assert (result.score, result.risk_class) == (70, "B")
    reasons = {p.name: p.reason for p in result.parts}
    assert "neutral" in reasons["payment behaviour"]
    assert "neutral" in reasons["limit usage"]
    assert "neutral" in reasons["external report"]


def test_a_middling_debtor_by_hand() -> None:
    # behaviour: 12 days late          → 30 × (1 − 12/60)            = 24.00
    # overdue:   8,000 of 40,000 = 20 % → 25 × (1 − 0.20/0.50)        = 15.00
    # limit:     40,000 / 50,000 = 80 % → 15 − 20 × (0.80 − 0.50)      =  9.00
    # dunning:   1 broken promise, 1 open dispute → 15 − 5 − 2        =  8.00
    # report:    450 on 0…600 = 75 % → 11.25; exposure 40,000 > advice 30,000 → halved = 5.63
    # total 24 + 15 + 9 + 8 + 5.63 = 61.63 → 62 → B
    inputs = exemplary(
        exposure=Decimal(40000),
        overdue=Decimal(8000),
        weighted_days_late=Decimal(12),
        dunning=DunningRecord(broken_promises=1, open_disputes=1),
        report=report("450", scale=("0", "600"), advice="30000"),
    )
    assert points(inputs) == {
        "payment behaviour": Decimal("24.00"),
        "overdue ratio": Decimal("15.00"),
        "limit usage": Decimal("9.00"),
        "dunning outcomes": Decimal("8.00"),
        "external report": Decimal("5.63"),
    }
    result = score(inputs, AS_OF)
    assert (result.score, result.risk_class) == (62, "B")
    reasons = dict(zip([p.name for p in result.parts], result.reasons, strict=True))
    assert "12 days late" in reasons["payment behaviour"]
    assert "(20.00 %)" in reasons["overdue ratio"]
    assert "80.00 % of the limit" in reasons["limit usage"]
    assert "1 broken promises" in reasons["dunning outcomes"]
    assert "exceeds the advised limit 30000: halved" in reasons["external report"]


def test_the_worst_debtor_scores_0_and_class_e() -> None:
    # 60+ days late, half the exposure overdue, over the limit, escalated, bottom bureau score.
    inputs = exemplary(
        exposure=Decimal(60000),
        overdue=Decimal(30000),
        weighted_days_late=Decimal(75),
        dunning=DunningRecord(escalations=1, defaulted_plans=1),
        report=report("0"),
    )
    result = score(inputs, AS_OF)
    assert (result.score, result.risk_class) == (0, "E")
    assert "over the limit" in result.parts[2].reason


def test_a_report_older_than_twelve_months_is_ignored() -> None:
    stale = score(exemplary(report=report("0", on=date(2025, 6, 29))), AS_OF)
    assert stale.parts[4].points == Decimal("7.50")
    assert "older than 12 months: ignored" in stale.parts[4].reason
    fresh = score(exemplary(report=report("0", on=date(2025, 6, 30))), AS_OF)
    assert fresh.parts[4].points == Decimal("0.00")


def test_a_report_where_lower_is_better_is_inverted() -> None:
    # Risk grade 3 on 1…10 (1 best): (3 − 1)/9 = 0.2222 → inverted 0.7778 × 15 = 11.67
    inputs = exemplary(report=report("3", scale=("1", "10"), higher_is_better=False))
    assert points(inputs)["external report"] == Decimal("11.67")


def test_a_limit_advice_in_another_currency_is_not_compared() -> None:
    inputs = exemplary(report=report("100", advice="1", advice_currency="USD"))
    result = score(inputs, AS_OF)
    assert result.parts[4].points == Decimal("15.00")
    assert "limit advice in USD not comparable" in result.parts[4].reason


def test_dunning_penalties_floor_at_zero() -> None:
    inputs = exemplary(dunning=DunningRecord(broken_promises=2, defaulted_plans=1))
    assert points(inputs)["dunning outcomes"] == Decimal("0.00")  # 15 − 10 − 8 < 0


def test_inconsistent_inputs_are_rejected() -> None:
    with pytest.raises(ValueError, match="overdue"):
        ScoringInputs(currency="EUR", exposure=Decimal(10), overdue=Decimal(20))

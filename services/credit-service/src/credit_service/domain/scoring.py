"""A debtor's credit score (0–100) and risk class, from weighted parts that explain themselves.

Score = the sum of five parts, rounded half-up to a whole number (100 = best). Each part has a
maximum (its weight) and earns points on a straight line between the anchors below; a part
without evidence earns half its weight ("neutral"), so a new debtor starts in the middle:

| part               | max | full points              | zero points                        |
|--------------------|-----|--------------------------|------------------------------------|
| payment behaviour  | 30  | 0 days late (weighted)   | ≥ 60 days late                     |
| overdue ratio      | 25  | nothing overdue          | ≥ 50 % of the exposure overdue     |
| limit usage        | 15  | exposure ≤ 50 % of limit | 100 % of limit → 5; over limit → 0 |
| dunning outcomes   | 15  | no incidents             | −5 per broken promise, −8 per      |
|                    |     |                          | defaulted plan, −10 per escalation |
|                    |     |                          | to collection, −2 per open dispute |
| external report    | 15  | best score of its scale  | worst score of its scale           |

- payment behaviour: 30 × max(0, 1 − weighted days late / 60); no paid invoice yet → 15.
- overdue ratio r = overdue / exposure: 25 × max(0, 1 − 2r); nothing open → 25.
- limit usage u = exposure / limit: u ≤ 0.5 → 15; 0.5 < u ≤ 1 → 15 − 20 × (u − 0.5); u > 1 → 0;
  no limit set → 7.5; a zero limit with exposure → 0.
- dunning outcomes (incidents of the last 12 months, counted by the caller):
  max(0, 15 − 5b − 8d − 10e − 2o). Open disputes weigh little: a dispute is not a refusal to pay.
- external report: 15 × the score normalised to 0…1 on its provider's scale (inverted when lower
  is better); halved when the exposure exceeds the report's limit advice (same currency only).
  A report dated more than 12 months before ``as_of`` is ignored → 7.5; no report → 7.5.

Risk class on the rounded score: A ≥ 80, B ≥ 60, C ≥ 40, D ≥ 20, E < 20.
Points per part are Decimal, 2 places; all amounts share the inputs' currency.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from credit_service.domain.behaviour import months_before

RiskClass = Literal["A", "B", "C", "D", "E"]

CENT = Decimal("0.01")
ZERO = Decimal(0)
ONE = Decimal(1)

BEHAVIOUR_WEIGHT = Decimal(30)
OVERDUE_WEIGHT = Decimal(25)
LIMIT_WEIGHT = Decimal(15)
DUNNING_WEIGHT = Decimal(15)
REPORT_WEIGHT = Decimal(15)

DAYS_LATE_FOR_ZERO = Decimal(60)
OVERDUE_RATIO_FOR_ZERO = Decimal("0.5")
PENALTY_BROKEN_PROMISE = Decimal(5)
PENALTY_DEFAULTED_PLAN = Decimal(8)
PENALTY_ESCALATION = Decimal(10)
PENALTY_OPEN_DISPUTE = Decimal(2)
REPORT_MAX_AGE_MONTHS = 12

CLASS_FLOORS: tuple[tuple[int, RiskClass], ...] = ((80, "A"), (60, "B"), (40, "C"), (20, "D"))


def _points(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _clamp(value: Decimal, low: Decimal = ZERO, high: Decimal = ONE) -> Decimal:
    return max(low, min(high, value))


@dataclass(frozen=True, slots=True)
class DunningRecord:
    """Dunning incidents of the last 12 months (open disputes: those open now)."""

    broken_promises: int = 0
    defaulted_plans: int = 0
    escalations: int = 0
    open_disputes: int = 0


@dataclass(frozen=True, slots=True)
class ExternalCreditReport:
    """A credit bureau's verdict: its score on its own scale, and optionally a limit advice."""

    provider: str
    score: Decimal
    scale_min: Decimal
    scale_max: Decimal
    reported_on: date
    higher_is_better: bool = True
    limit_advice: Decimal | None = None
    limit_advice_currency: str | None = None

    def __post_init__(self) -> None:
        if self.scale_max <= self.scale_min:
            raise ValueError(f"{self.provider}: empty score scale")
        if (self.limit_advice is None) != (self.limit_advice_currency is None):
            raise ValueError(f"{self.provider}: a limit advice needs its currency")


@dataclass(frozen=True, slots=True)
class ScoringInputs:
    """What scoring looks at, amounts in ``currency``.

    ``weighted_days_late`` is the amount-weighted days late of the paid invoices
    (``behaviour.PaymentBehaviour.weighted_days_late``), None when nothing was paid yet.
    """

    currency: str
    exposure: Decimal
    overdue: Decimal
    limit: Decimal | None = None
    weighted_days_late: Decimal | None = None
    paid_invoices: int = 0
    dunning: DunningRecord = field(default_factory=DunningRecord)
    report: ExternalCreditReport | None = None

    def __post_init__(self) -> None:
        if self.exposure < 0 or self.overdue < 0 or self.overdue > self.exposure:
            raise ValueError("overdue must lie between 0 and the exposure")
        if self.limit is not None and self.limit < 0:
            raise ValueError("a credit limit cannot be negative")


@dataclass(frozen=True, slots=True)
class ScorePart:
    name: str
    points: Decimal
    max_points: Decimal
    reason: str


@dataclass(frozen=True, slots=True)
class Score:
    as_of: date
    currency: str
    score: int
    risk_class: RiskClass
    parts: tuple[ScorePart, ...]

    @property
    def reasons(self) -> list[str]:
        return [f"{p.name}: {p.points}/{p.max_points} — {p.reason}" for p in self.parts]


def risk_class(score: int) -> RiskClass:
    """A ≥ 80, B ≥ 60, C ≥ 40, D ≥ 20, E below."""
    for floor, klass in CLASS_FLOORS:
        if score >= floor:
            return klass
    return "E"


def _behaviour_part(inputs: ScoringInputs) -> ScorePart:
    name, weight = "payment behaviour", BEHAVIOUR_WEIGHT
    if inputs.weighted_days_late is None:
        return ScorePart(name, _points(weight / 2), weight, "no paid invoices yet: neutral")
    late = inputs.weighted_days_late
    points = weight * _clamp(ONE - late / DAYS_LATE_FOR_ZERO)
    return ScorePart(
        name,
        _points(points),
        weight,
        f"paid {late} days late on average (amount-weighted, {inputs.paid_invoices} invoices);"
        f" 0 days = {weight}, ≥ {DAYS_LATE_FOR_ZERO} days = 0",
    )


def _overdue_part(inputs: ScoringInputs) -> ScorePart:
    name, weight = "overdue ratio", OVERDUE_WEIGHT
    if inputs.exposure == 0:
        return ScorePart(name, weight, weight, "nothing open")
    ratio = inputs.overdue / inputs.exposure
    points = weight * _clamp(ONE - ratio / OVERDUE_RATIO_FOR_ZERO)
    return ScorePart(
        name,
        _points(points),
        weight,
        f"{inputs.currency} {inputs.overdue} of {inputs.exposure} overdue "
        f"({_points(ratio * 100)} %); ≥ 50 % = 0",
    )


def _limit_part(inputs: ScoringInputs) -> ScorePart:
    name, weight = "limit usage", LIMIT_WEIGHT
    if inputs.limit is None:
        return ScorePart(name, _points(weight / 2), weight, "no credit limit set: neutral")
    if inputs.limit == 0:
        if inputs.exposure == 0:
            return ScorePart(name, weight, weight, "zero limit and nothing open")
        return ScorePart(name, ZERO, weight, f"exposure {inputs.exposure} against a zero limit")
    usage = inputs.exposure / inputs.limit
    if usage <= Decimal("0.5"):
        points = weight
    elif usage <= 1:
        points = weight - 20 * (usage - Decimal("0.5"))
    else:
        points = ZERO
    return ScorePart(
        name,
        _points(points),
        weight,
        f"exposure {inputs.currency} {inputs.exposure} is {_points(usage * 100)} % of the limit "
        f"{inputs.limit}" + ("; over the limit" if usage > 1 else ""),
    )


def _dunning_part(inputs: ScoringInputs) -> ScorePart:
    name, weight = "dunning outcomes", DUNNING_WEIGHT
    d = inputs.dunning
    penalty = (
        PENALTY_BROKEN_PROMISE * d.broken_promises
        + PENALTY_DEFAULTED_PLAN * d.defaulted_plans
        + PENALTY_ESCALATION * d.escalations
        + PENALTY_OPEN_DISPUTE * d.open_disputes
    )
    if penalty == 0:
        return ScorePart(name, weight, weight, "no broken promises, defaulted plans, escalations")
    return ScorePart(
        name,
        _points(max(ZERO, weight - penalty)),
        weight,
        f"{d.broken_promises} broken promises (−{PENALTY_BROKEN_PROMISE} each), "
        f"{d.defaulted_plans} defaulted plans (−{PENALTY_DEFAULTED_PLAN}), "
        f"{d.escalations} escalations (−{PENALTY_ESCALATION}), "
        f"{d.open_disputes} open disputes (−{PENALTY_OPEN_DISPUTE})",
    )


def _report_part(inputs: ScoringInputs, as_of: date) -> ScorePart:
    name, weight = "external report", REPORT_WEIGHT
    report = inputs.report
    neutral = _points(weight / 2)
    if report is None:
        return ScorePart(name, neutral, weight, "no external report: neutral")
    if report.reported_on < months_before(as_of, REPORT_MAX_AGE_MONTHS):
        return ScorePart(
            name,
            neutral,
            weight,
            f"{report.provider} report of {report.reported_on} is older than "
            f"{REPORT_MAX_AGE_MONTHS} months: ignored, neutral",
        )
    normalised = _clamp((report.score - report.scale_min) / (report.scale_max - report.scale_min))
    if not report.higher_is_better:
        normalised = ONE - normalised
    points = weight * normalised
    reason = (
        f"{report.provider} score {report.score} on {report.scale_min}…{report.scale_max} "
        f"({report.reported_on}) = {_points(normalised * 100)} %"
    )
    if report.limit_advice is not None:
        if report.limit_advice_currency != inputs.currency:
            reason += f"; limit advice in {report.limit_advice_currency} not comparable"
        elif inputs.exposure > report.limit_advice:
            points /= 2
            reason += (
                f"; exposure {inputs.exposure} exceeds the advised limit "
                f"{report.limit_advice}: halved"
            )
        else:
            reason += f"; within the advised limit {report.limit_advice}"
    return ScorePart(name, _points(points), weight, reason)


def score(inputs: ScoringInputs, as_of: date) -> Score:
    """The debtor's score and risk class on ``as_of``, with every part's points and reason."""
    parts = (
        _behaviour_part(inputs),
        _overdue_part(inputs),
        _limit_part(inputs),
        _dunning_part(inputs),
        _report_part(inputs, as_of),
    )
    total = sum((p.points for p in parts), ZERO)
    value = max(0, min(100, int(total.quantize(ONE, rounding=ROUND_HALF_UP))))
    return Score(as_of, inputs.currency, value, risk_class(value), parts)

"""Receivables KPIs as the Credit Research Foundation defines them (DOMAIN.md §7).

Every figure is computed *as of* a date from plain receivable facts: a fact dated after that
date (an invoice issued later, a payment or credit applied later) is ignored, so adding a later
payment never changes a figure already reported for the past. Amounts of different currencies
are never added: aging is reported per currency, and the ratio KPIs work on one currency at a
time (pass ``currency=`` when the facts hold several).

Definitions (AR = the sum of open amounts at the end of a day; *current* AR = the open amount
of items not yet past due, i.e. whose due date is on or after that day; credit sales = the
amounts of invoices issued in the period; days = calendar days in the period, both ends
included):

- DSO (standard)   = ending total AR / credit sales × days
- DSO (countback)  = walk back month by month from ``as_of``: while the AR still to explain
  exceeds the month's credit sales, subtract those sales and add the month's days; the month
  that exhausts it adds ``remainder / that month's sales × its days``
- Best possible DSO = ending current AR / credit sales × days
- Average days delinquent = DSO − best possible DSO
- CEI = (beginning AR + credit sales / N − ending total AR)
        / (beginning AR + credit sales / N − ending current AR) × 100,
  N = the number of calendar months the period touches, beginning AR = AR at the end of the
  day before the period starts.

Results are ``Decimal`` rounded half-up to 2 places, with the inputs they came from; a ratio
whose denominator is zero has no value (``None``) and says why.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

CENT = Decimal("0.01")
ZERO = Decimal(0)

ExplanationValue = Decimal | int | date | str | bool | None
Explanation = Mapping[str, ExplanationValue]


def _round2(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _is_cents(value: Decimal) -> bool:
    return value == value.quantize(CENT)


class Settlement(NamedTuple):
    """A payment or credit note applied to an invoice, on the day it was applied."""

    on: date
    amount: Decimal


@dataclass(frozen=True, slots=True)
class ReceivableFact:
    """An invoice with everything applied to it so far.

    ``settlements`` may be given as plain ``(date, amount)`` pairs; they are kept as
    :class:`Settlement` tuples. Applied amounts never exceed the invoice (allocation's rule),
    so an open amount is never negative.
    """

    invoice_number: str
    currency: str
    amount: Decimal
    issue_date: date
    due_date: date
    settlements: Sequence[tuple[date, Decimal]] = ()

    def __post_init__(self) -> None:
        settlements = tuple(Settlement(on, amount) for on, amount in self.settlements)
        object.__setattr__(self, "settlements", settlements)
        if len(self.currency) != 3 or not self.currency.isalpha() or not self.currency.isupper():
            raise ValueError(f"{self.invoice_number}: currency {self.currency!r} is not ISO 4217")
        if self.amount <= 0 or not _is_cents(self.amount):
            raise ValueError(f"{self.invoice_number}: amount must be positive whole cents")
        if self.due_date < self.issue_date:
            raise ValueError(f"{self.invoice_number}: due before it was issued")
        if any(s.amount <= 0 or not _is_cents(s.amount) for s in settlements):
            raise ValueError(f"{self.invoice_number}: settlements must be positive whole cents")
        if sum((s.amount for s in settlements), ZERO) > self.amount:
            raise ValueError(f"{self.invoice_number}: more applied than invoiced")


def open_amount_as_of(fact: ReceivableFact, as_of: date) -> Decimal:
    """What was still owed on the invoice at the end of ``as_of`` (0 before it was issued)."""
    if fact.issue_date > as_of:
        return ZERO
    applied = sum((amount for on, amount in fact.settlements if on <= as_of), ZERO)
    return fact.amount - applied


def days_past_due(fact: ReceivableFact, as_of: date) -> int:
    """0 up to and including the due date, then 1 on the day after it."""
    return max(0, (as_of - fact.due_date).days)


# --------------------------------------------------------------------------------------- aging


@dataclass(frozen=True, slots=True)
class AgingBucket:
    """Open amount of the items ``min_days``…``max_days`` past due (``max_days`` None: no end)."""

    label: str
    min_days: int
    max_days: int | None
    amount: Decimal
    items: int


BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("current", 0, 0),
    ("1-30", 1, 30),
    ("31-60", 31, 60),
    ("61-90", 61, 90),
    ("over 90", 91, None),
)


@dataclass(frozen=True, slots=True)
class AgingLine:
    """One currency's aging; the buckets always add up to ``total``."""

    currency: str
    buckets: tuple[AgingBucket, ...]
    total: Decimal

    def __post_init__(self) -> None:
        if sum((b.amount for b in self.buckets), ZERO) != self.total:
            raise ValueError(f"{self.currency}: aging buckets do not add up to total AR")

    def bucket(self, label: str) -> AgingBucket:
        return next(b for b in self.buckets if b.label == label)

    @property
    def current(self) -> Decimal:
        return self.bucket("current").amount

    @property
    def past_due(self) -> Decimal:
        return self.total - self.current


@dataclass(frozen=True, slots=True)
class Aging:
    as_of: date
    lines: tuple[AgingLine, ...]

    def for_currency(self, currency: str) -> AgingLine | None:
        return next((line for line in self.lines if line.currency == currency), None)


def _bucket_index(days: int) -> int:
    for index, (_, low, high) in enumerate(BUCKETS):
        if low <= days and (high is None or days <= high):
            return index
    raise ValueError(f"no aging bucket for {days} days")  # unreachable: buckets cover 0…∞


def aging(facts: Iterable[ReceivableFact], as_of: date) -> Aging:
    """Open AR per currency by days past due, as it stood at the end of ``as_of``.

    Items fully settled by then are left out, and so are currencies with nothing open.
    """
    amounts: dict[str, list[Decimal]] = {}
    counts: dict[str, list[int]] = {}
    for fact in facts:
        open_amount = open_amount_as_of(fact, as_of)
        if open_amount == 0:
            continue
        index = _bucket_index(days_past_due(fact, as_of))
        amounts.setdefault(fact.currency, [ZERO] * len(BUCKETS))[index] += open_amount
        counts.setdefault(fact.currency, [0] * len(BUCKETS))[index] += 1
    lines = tuple(
        AgingLine(
            currency,
            tuple(
                AgingBucket(label, low, high, amounts[currency][i], counts[currency][i])
                for i, (label, low, high) in enumerate(BUCKETS)
            ),
            sum(amounts[currency], ZERO),
        )
        for currency in sorted(amounts)
    )
    return Aging(as_of, lines)


# ----------------------------------------------------------------------------------- ratio KPIs


@dataclass(frozen=True, slots=True)
class CountbackStep:
    """One month walked back: the AR still to explain when entering it, and the days it adds."""

    month: str
    sales: Decimal
    ar_to_explain: Decimal
    days_added: Decimal


@dataclass(frozen=True, slots=True)
class KpiResult:
    """A KPI value (None when undefined) and the inputs it was computed from."""

    kpi: str
    currency: str
    value: Decimal | None
    explanation: Explanation
    steps: tuple[CountbackStep, ...] = field(default=())


def _single_currency(
    facts: Iterable[ReceivableFact], currency: str | None
) -> tuple[str, list[ReceivableFact]]:
    facts = list(facts)
    if currency is not None:
        return currency, [f for f in facts if f.currency == currency]
    currencies = {f.currency for f in facts}
    if len(currencies) != 1:
        raise ValueError(
            f"KPIs need exactly one currency, got {sorted(currencies)}: pass currency=..."
        )
    return currencies.pop(), facts


def _check_period(period_start: date, period_end: date) -> int:
    if period_end < period_start:
        raise ValueError("the period ends before it starts")
    return (period_end - period_start).days + 1


def total_ar(facts: Iterable[ReceivableFact], as_of: date) -> Decimal:
    return sum((open_amount_as_of(f, as_of) for f in facts), ZERO)


def current_ar(facts: Iterable[ReceivableFact], as_of: date) -> Decimal:
    """The open amount not yet past due at the end of ``as_of``."""
    return sum((open_amount_as_of(f, as_of) for f in facts if f.due_date >= as_of), ZERO)


def credit_sales(facts: Iterable[ReceivableFact], start: date, end: date) -> Decimal:
    """Invoiced amounts issued from ``start`` through ``end``."""
    return sum((f.amount for f in facts if start <= f.issue_date <= end), ZERO)


def _months_touched(start: date, end: date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month + 1


def _days_of_sales(ar: Decimal, sales: Decimal, days: int) -> Decimal | None:
    return None if sales == 0 else ar / sales * days


def _undefined(explanation: dict[str, ExplanationValue], why: str) -> dict[str, ExplanationValue]:
    explanation["undefined"] = why
    return explanation


def dso_standard(
    facts: Iterable[ReceivableFact],
    period_start: date,
    period_end: date,
    *,
    currency: str | None = None,
) -> KpiResult:
    """DSO = ending total AR / credit sales in the period × days in the period."""
    days = _check_period(period_start, period_end)
    currency, facts = _single_currency(facts, currency)
    ending = total_ar(facts, period_end)
    sales = credit_sales(facts, period_start, period_end)
    raw = _days_of_sales(ending, sales, days)
    explanation: dict[str, ExplanationValue] = {
        "formula": "ending total AR / credit sales × days",
        "period_start": period_start,
        "period_end": period_end,
        "ending_total_ar": ending,
        "credit_sales": sales,
        "days": days,
    }
    if raw is None:
        _undefined(explanation, "no credit sales in the period")
    return KpiResult("dso_standard", currency, None if raw is None else _round2(raw), explanation)


def best_possible_dso(
    facts: Iterable[ReceivableFact],
    period_start: date,
    period_end: date,
    *,
    currency: str | None = None,
) -> KpiResult:
    """Best possible DSO = ending current AR / credit sales in the period × days in the period."""
    days = _check_period(period_start, period_end)
    currency, facts = _single_currency(facts, currency)
    ending_current = current_ar(facts, period_end)
    sales = credit_sales(facts, period_start, period_end)
    raw = _days_of_sales(ending_current, sales, days)
    explanation: dict[str, ExplanationValue] = {
        "formula": "ending current AR / credit sales × days",
        "period_start": period_start,
        "period_end": period_end,
        "ending_current_ar": ending_current,
        "credit_sales": sales,
        "days": days,
    }
    if raw is None:
        _undefined(explanation, "no credit sales in the period")
    return KpiResult(
        "best_possible_dso", currency, None if raw is None else _round2(raw), explanation
    )


def average_days_delinquent(
    facts: Iterable[ReceivableFact],
    period_start: date,
    period_end: date,
    *,
    currency: str | None = None,
) -> KpiResult:
    """ADD = DSO (standard) − best possible DSO, both as reported (rounded), so the three
    figures on a report always add up."""
    facts = list(facts)
    dso = dso_standard(facts, period_start, period_end, currency=currency)
    bpdso = best_possible_dso(facts, period_start, period_end, currency=currency)
    explanation: dict[str, ExplanationValue] = {
        "formula": "DSO − best possible DSO",
        "period_start": period_start,
        "period_end": period_end,
        "dso": dso.value,
        "best_possible_dso": bpdso.value,
    }
    if dso.value is None or bpdso.value is None:
        _undefined(explanation, "no credit sales in the period")
        return KpiResult("average_days_delinquent", dso.currency, None, explanation)
    return KpiResult("average_days_delinquent", dso.currency, dso.value - bpdso.value, explanation)


def _month_back(year: int, month: int) -> tuple[int, int]:
    return (year - 1, 12) if month == 1 else (year, month - 1)


def dso_countback(
    facts: Iterable[ReceivableFact],
    as_of: date,
    *,
    months: int = 12,
    currency: str | None = None,
) -> KpiResult:
    """Countback DSO at the end of ``as_of``.

    The first month walked is ``as_of``'s own month from its 1st through ``as_of`` (a full
    month when ``as_of`` is a month end), then whole calendar months before it, at most
    ``months`` in all. When the AR is still not explained by the oldest month allowed, that
    month's sales are extrapolated (its fraction exceeds 1) and ``horizon_exhausted`` says so;
    if that month had no sales the figure is undefined.
    """
    if months < 1:
        raise ValueError("countback needs at least one month")
    currency, facts = _single_currency(facts, currency)
    ending = total_ar(facts, as_of)
    remaining = ending
    value = ZERO
    steps: list[CountbackStep] = []
    year, month = as_of.year, as_of.month
    exhausted = False
    for walked in range(1, months + 1):
        first = date(year, month, 1)
        last = as_of if walked == 1 else date(year, month, calendar.monthrange(year, month)[1])
        days = (last - first).days + 1
        sales = credit_sales(facts, first, last)
        label = f"{year:04d}-{month:02d}"
        if remaining > sales and walked < months:
            steps.append(CountbackStep(label, sales, remaining, Decimal(days)))
            value += days
            remaining -= sales
            year, month = _month_back(year, month)
            continue
        exhausted = remaining > sales
        if remaining == 0:
            added = ZERO
        elif sales == 0:
            steps.append(CountbackStep(label, sales, remaining, ZERO))
            explanation = _countback_explanation(as_of, months, ending, remaining, exhausted=True)
            _undefined(explanation, f"AR unexplained after {months} months and no sales in {label}")
            return KpiResult("dso_countback", currency, None, explanation, tuple(steps))
        else:
            added = remaining / sales * days
        steps.append(CountbackStep(label, sales, remaining, added))
        value += added
        remaining = ZERO
        break
    explanation = _countback_explanation(as_of, months, ending, remaining, exhausted=exhausted)
    return KpiResult("dso_countback", currency, _round2(value), explanation, tuple(steps))


def _countback_explanation(
    as_of: date, months: int, ending: Decimal, remaining: Decimal, *, exhausted: bool
) -> dict[str, ExplanationValue]:
    return {
        "formula": "walk back monthly: AR > sales → add month's days; else remainder/sales × days",
        "as_of": as_of,
        "months": months,
        "ending_total_ar": ending,
        "unexplained_ar": remaining,
        "horizon_exhausted": exhausted,
    }


def cei(
    facts: Iterable[ReceivableFact],
    period_start: date,
    period_end: date,
    *,
    currency: str | None = None,
) -> KpiResult:
    """Collection effectiveness index, in percent (100 = everything collectable collected)."""
    _check_period(period_start, period_end)
    currency, facts = _single_currency(facts, currency)
    beginning = total_ar(facts, period_start - timedelta(days=1))
    sales = credit_sales(facts, period_start, period_end)
    n = _months_touched(period_start, period_end)
    ending = total_ar(facts, period_end)
    ending_current = current_ar(facts, period_end)
    collectable = beginning + sales / n
    denominator = collectable - ending_current
    explanation: dict[str, ExplanationValue] = {
        "formula": "(beginning AR + sales/N − ending total AR) "
        "/ (beginning AR + sales/N − ending current AR) × 100",
        "period_start": period_start,
        "period_end": period_end,
        "beginning_ar": beginning,
        "credit_sales": sales,
        "months": n,
        "ending_total_ar": ending,
        "ending_current_ar": ending_current,
    }
    if denominator == 0:
        _undefined(explanation, "nothing was collectable in the period")
        return KpiResult("cei", currency, None, explanation)
    value = (collectable - ending) / denominator * 100
    return KpiResult("cei", currency, _round2(value), explanation)

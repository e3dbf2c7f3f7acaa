"""A debtor's payment behaviour ("betaalgedrag") from the invoices it has paid.

Figures over a set of paid invoices (one currency: amounts weight the averages, and amounts of
different currencies are never added):

- days to pay   = paid on − issue date (calendar days)
- days late     = max(0, paid on − due date)
- average days to pay             = plain mean of days to pay
- weighted days to pay / days late = Σ(amount × days) / Σ amount (large invoices count more)
- share paid late                 = invoices paid after their due date / invoices × 100 (count)

An invoice counts as paid on the day the last payment or credit settled it, and only once that
day is on or before ``as_of`` (a later payment never rewrites the past).

Deterioration rule (defaults of :class:`DeteriorationRule`, data rather than code so a tenant
can tune it): compare the *recent* window — invoices paid in the 90 days ending ``as_of`` — with
the *baseline* — invoices paid in the 12 months before that window. It needs at least 3 recent
and 6 baseline invoices (fewer: not enough evidence, no verdict). Behaviour has deteriorated when

- the recent weighted days to pay exceeds the baseline by ≥ 15 days AND by ≥ 50 %, or
- the share paid late rises by ≥ 30 percentage points AND the recent weighted days late is
  ≥ 5 days (so a run of invoices paid a day or two late is not an alarm).

Known blind spot: a debtor that stops paying altogether has no recent *paid* invoices, so this
rule stays silent; the overdue ratio in scoring and the aging catch that case.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from credit_service.domain.kpis import ReceivableFact

CENT = Decimal("0.01")
ZERO = Decimal(0)
HUNDRED = Decimal(100)


def _round2(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class PaidInvoice:
    invoice_number: str
    currency: str
    amount: Decimal
    issue_date: date
    due_date: date
    paid_on: date

    def __post_init__(self) -> None:
        if self.amount <= 0:
            raise ValueError(f"{self.invoice_number}: amount must be positive")
        if self.due_date < self.issue_date:
            raise ValueError(f"{self.invoice_number}: due before it was issued")

    @property
    def days_to_pay(self) -> int:
        return (self.paid_on - self.issue_date).days

    @property
    def days_late(self) -> int:
        return max(0, (self.paid_on - self.due_date).days)


def paid_invoices(facts: Iterable[ReceivableFact], as_of: date) -> list[PaidInvoice]:
    """The facts fully settled by the end of ``as_of``, each paid on its settling day."""
    paid: list[PaidInvoice] = []
    for fact in facts:
        if fact.issue_date > as_of:
            continue
        applied = ZERO
        for on, amount in sorted(fact.settlements):
            if on > as_of:
                break
            applied += amount
            if applied >= fact.amount:
                paid.append(
                    PaidInvoice(
                        fact.invoice_number,
                        fact.currency,
                        fact.amount,
                        fact.issue_date,
                        fact.due_date,
                        on,
                    )
                )
                break
    return paid


@dataclass(frozen=True, slots=True)
class PaymentBehaviour:
    """Figures over the invoices paid from ``window_start`` through ``window_end``."""

    currency: str
    window_start: date | None
    window_end: date
    invoices: int
    amount: Decimal
    average_days_to_pay: Decimal
    weighted_days_to_pay: Decimal
    weighted_days_late: Decimal
    share_paid_late: Decimal


def _single_currency(
    history: Iterable[PaidInvoice], currency: str | None
) -> tuple[str | None, list[PaidInvoice]]:
    invoices = list(history)
    if currency is not None:
        return currency, [i for i in invoices if i.currency == currency]
    currencies = {i.currency for i in invoices}
    if len(currencies) > 1:
        raise ValueError(f"payment history in {sorted(currencies)}: pass currency=...")
    return (currencies.pop() if currencies else None), invoices


def _summarise(
    currency: str, invoices: list[PaidInvoice], start: date | None, end: date
) -> PaymentBehaviour:
    """Figures over a non-empty list of invoices."""
    amount = sum((i.amount for i in invoices), ZERO)
    count = len(invoices)
    return PaymentBehaviour(
        currency=currency,
        window_start=start,
        window_end=end,
        invoices=count,
        amount=amount,
        average_days_to_pay=_round2(Decimal(sum(i.days_to_pay for i in invoices)) / count),
        weighted_days_to_pay=_round2(
            sum((i.amount * i.days_to_pay for i in invoices), ZERO) / amount
        ),
        weighted_days_late=_round2(sum((i.amount * i.days_late for i in invoices), ZERO) / amount),
        share_paid_late=_round2(
            Decimal(sum(1 for i in invoices if i.days_late > 0)) * HUNDRED / count
        ),
    )


def _paid_between(invoices: list[PaidInvoice], start: date | None, end: date) -> list[PaidInvoice]:
    return [i for i in invoices if (start is None or start <= i.paid_on) and i.paid_on <= end]


def payment_behaviour(
    history: Iterable[PaidInvoice],
    as_of: date,
    *,
    since: date | None = None,
    currency: str | None = None,
) -> PaymentBehaviour | None:
    """Behaviour over the invoices paid from ``since`` (default: ever) through ``as_of``;
    None when there are none."""
    found, invoices = _single_currency(history, currency)
    paid = _paid_between(invoices, since, as_of)
    if found is None or not paid:
        return None
    return _summarise(found, paid, since, as_of)


def months_before(day: date, months: int) -> date:
    """The same day ``months`` calendar months earlier (clamped to the month's last day)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True, slots=True)
class DeteriorationRule:
    recent_days: int = 90
    min_recent_invoices: int = 3
    baseline_months: int = 12
    min_baseline_invoices: int = 6
    min_increase_days: Decimal = Decimal(15)
    min_increase_pct: Decimal = Decimal(50)
    min_late_share_rise_points: Decimal = Decimal(30)
    min_recent_days_late: Decimal = Decimal(5)

    @property
    def name(self) -> str:
        return (
            f"recent {self.recent_days}d (≥{self.min_recent_invoices}) vs baseline "
            f"{self.baseline_months}m (≥{self.min_baseline_invoices}): weighted days to pay "
            f"+{self.min_increase_days}d and +{self.min_increase_pct}%, or paid-late share "
            f"+{self.min_late_share_rise_points}pt with ≥{self.min_recent_days_late}d late"
        )


DEFAULT_RULE = DeteriorationRule()


@dataclass(frozen=True, slots=True)
class Deterioration:
    currency: str
    detected_on: date
    baseline: PaymentBehaviour
    recent: PaymentBehaviour
    increase_days: Decimal
    increase_pct: Decimal | None  # None when the baseline paid in 0 days
    late_share_rise_points: Decimal
    triggers: tuple[str, ...]
    rule: str


def detect_deterioration(
    history: Iterable[PaidInvoice],
    as_of: date,
    *,
    currency: str | None = None,
    rule: DeteriorationRule = DEFAULT_RULE,
) -> Deterioration | None:
    """The deterioration found as of ``as_of`` under ``rule``, or None (steady, improving, or
    too few invoices in either window to tell). Compares the figures as reported (2 places)."""
    found, invoices = _single_currency(history, currency)
    if found is None:
        return None
    recent_start = as_of - timedelta(days=rule.recent_days - 1)
    baseline_end = recent_start - timedelta(days=1)
    baseline_start = months_before(recent_start, rule.baseline_months)
    recent_paid = _paid_between(invoices, recent_start, as_of)
    baseline_paid = _paid_between(invoices, baseline_start, baseline_end)
    if (
        len(recent_paid) < rule.min_recent_invoices
        or len(baseline_paid) < rule.min_baseline_invoices
    ):
        return None
    recent = _summarise(found, recent_paid, recent_start, as_of)
    baseline = _summarise(found, baseline_paid, baseline_start, baseline_end)

    increase = recent.weighted_days_to_pay - baseline.weighted_days_to_pay
    increase_pct = (
        None
        if baseline.weighted_days_to_pay == 0
        else _round2(increase / baseline.weighted_days_to_pay * HUNDRED)
    )
    late_rise = recent.share_paid_late - baseline.share_paid_late
    triggers: list[str] = []
    slower_by_pct = increase > 0 if increase_pct is None else increase_pct >= rule.min_increase_pct
    if increase >= rule.min_increase_days and slower_by_pct:
        triggers.append(
            f"weighted days to pay rose from {baseline.weighted_days_to_pay} to "
            f"{recent.weighted_days_to_pay} (+{increase} days"
            + ("" if increase_pct is None else f", +{increase_pct}%")
            + ")"
        )
    if (
        late_rise >= rule.min_late_share_rise_points
        and recent.weighted_days_late >= rule.min_recent_days_late
    ):
        triggers.append(
            f"share paid late rose from {baseline.share_paid_late}% to {recent.share_paid_late}% "
            f"(+{late_rise} points), {recent.weighted_days_late} days late on average"
        )
    if not triggers:
        return None
    return Deterioration(
        currency=found,
        detected_on=as_of,
        baseline=baseline,
        recent=recent,
        increase_days=increase,
        increase_pct=increase_pct,
        late_share_rise_points=late_rise,
        triggers=tuple(triggers),
        rule=rule.name,
    )

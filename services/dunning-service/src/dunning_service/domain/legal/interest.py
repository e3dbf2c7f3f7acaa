"""Statutory late-payment interest, explainable to the day.

Conventions (both methods):

* ``start`` is the due date: interest runs from the **day after** it, up to and **including**
  ``end`` (the payment date, or the date the claim is computed for). So the number of interest
  days is ``(end - start).days``: EUR 10,000 due 2025-03-01, paid 2025-04-30 → 2025-03-02 …
  2025-04-30 = 60 days.
* Day count **actual/365**: each day earns ``rate / 100 / 365`` of the base, leap years included
  (BE B2B and the directive count actual/365; ``day_count`` can be changed per call).
* The days are split wherever the rate table has a row (rate change or new publication); each
  period keeps the rate, its source, its days and its base.
* Rounding: every period amount is computed and kept **unrounded** (``Decimal``, 28 significant
  digits); only the total is rounded, to cents, **half up**. Period amounts shown rounded may
  therefore not add up to the total by a cent; the unrounded ones do.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from dunning_service.domain.legal.money import Money, total
from dunning_service.domain.legal.rates import RateTable

ONE_DAY = timedelta(days=1)
HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True)
class InterestPeriod:
    """``days`` days (``start``..``end``, both included) at ``rate`` % per year on ``base``."""

    start: date
    end: date
    days: int
    rate: Decimal
    base: Money
    amount: Money  # unrounded: base × rate / 100 × days / day_count
    day_count: int
    source: str
    verify: bool

    def explanation(self) -> str:
        return (
            f"{self.start}..{self.end}: {self.days} days × {self.rate} % × {self.base} "
            f"/ {self.day_count} = {self.amount} ({self.source})"
        )


@dataclass(frozen=True, slots=True)
class InterestResult:
    principal: Money
    start: date  # the due date; interest runs from the day after
    end: date  # included
    method: str
    periods: tuple[InterestPeriod, ...]
    amount: Money  # the sum of the periods, rounded to cents half up

    @property
    def unrounded(self) -> Money:
        return total((period.amount for period in self.periods), self.principal.currency)

    @property
    def days(self) -> int:
        return sum(period.days for period in self.periods)

    @property
    def verify(self) -> bool:
        """True when any rate used is marked (verify) in the data."""
        return any(period.verify for period in self.periods)

    def explanation(self) -> str:
        lines = [
            f"{self.method} interest on {self.principal} from the day after {self.start} "
            f"to {self.end} included: {self.amount}"
        ]
        lines += [f"  {period.explanation()}" for period in self.periods]
        return "\n".join(lines)


def _check(principal: Money, day_count: int) -> None:
    if principal.amount < 0:
        raise ValueError(f"interest on a negative principal ({principal}) makes no sense")
    if day_count <= 0:
        raise ValueError("day_count must be positive")


def _accrue(
    base: Money, first_day: date, last_day: date, table: RateTable, day_count: int
) -> list[InterestPeriod]:
    periods = []
    for period in table.periods(first_day, last_day):
        rate = period.entry.rate
        amount = base.amount * rate * period.days / (HUNDRED * day_count)
        periods.append(
            InterestPeriod(
                start=period.start,
                end=period.end,
                days=period.days,
                rate=rate,
                base=base,
                amount=Money(amount, base.currency),
                day_count=day_count,
                source=period.entry.source,
                verify=period.entry.verify,
            )
        )
    return periods


def _result(
    principal: Money, start: date, end: date, method: str, periods: list[InterestPeriod]
) -> InterestResult:
    unrounded = total((period.amount for period in periods), principal.currency)
    return InterestResult(
        principal=principal,
        start=start,
        end=end,
        method=method,
        periods=tuple(periods),
        amount=unrounded.rounded(),
    )


def simple_interest(
    principal: Money, start: date, end: date, table: RateTable, day_count: int = 365
) -> InterestResult:
    """Simple interest (BE, EU directive): the base stays ``principal`` throughout.

    Interest from the day after ``start`` (the due date) up to and including ``end``, per day at
    the rate in force on that day, actual/``day_count``; total rounded to cents half up. Nothing
    is due when ``end`` is on or before ``start``.
    """
    _check(principal, day_count)
    periods = _accrue(principal, start + ONE_DAY, end, table, day_count)
    return _result(principal, start, end, f"simple, actual/{day_count}", periods)


def anniversary(first_day: date, years: int) -> date:
    """``first_day`` moved ``years`` years on; 29 February becomes 1 March in other years, so a
    year of default is never shorter than 365 days."""
    try:
        return first_day.replace(year=first_day.year + years)
    except ValueError:
        return date(first_day.year + years, 3, 1)


def compound_yearly_interest(
    principal: Money, start: date, end: date, table: RateTable, day_count: int = 365
) -> InterestResult:
    """Interest compounded yearly (NL, BW 6:119 lid 2 and 6:119a lid 2).

    Default starts the day after ``start`` (the due date). After each **full** year of default
    the interest of that year is added to the base ("telkens na afloop van een jaar"); within a
    year interest is simple, per day at the rate in force, actual/``day_count``, split at rate
    changes and at year ends. The interest added to the base is the unrounded year interest
    (rounding happens once, on the total). A year starts on the anniversary of the first day of
    default (29 February → 1 March). Interest up to and including ``end``.
    """
    _check(principal, day_count)
    first_day = start + ONE_DAY
    base = principal
    periods: list[InterestPeriod] = []
    years = 0
    year_start = first_day
    while year_start <= end:
        next_year_start = anniversary(first_day, years + 1)
        year_end = min(end, next_year_start - ONE_DAY)
        year_periods = _accrue(base, year_start, year_end, table, day_count)
        periods += year_periods
        if year_end == next_year_start - ONE_DAY:
            base = base + total((period.amount for period in year_periods), base.currency)
        years += 1
        year_start = next_year_start
    return _result(principal, start, end, f"compounded yearly, actual/{day_count}", periods)

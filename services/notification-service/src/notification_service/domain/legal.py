"""What a reminder must say, and must not do, under each legal pack.

The amounts a letter announces (Book XIX damages, Dutch WIK collection costs) are computed
here from effective-dated scales: the *wording* is notification-service's responsibility, and a
letter that states the wrong consequence is worthless in court. dunning-service decides the
claim itself; both follow DOMAIN.md §3.

``violations`` is the last check before a legal letter is queued: a reminder that breaks a
rule is not sent but flagged for ops (a defective first reminder costs the creditor the right
to damages; a second, corrected letter would restart the term).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ONE_DAY = timedelta(days=1)


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class Bracket:
    up_to: Decimal | None  # upper bound of the bracket (None: no bound)
    fixed: Decimal  # amount for the brackets below
    rate: Decimal  # fraction of the part above the previous bound
    base: Decimal  # the previous bound


@dataclass(frozen=True, slots=True)
class Scale:
    in_force_from: date
    source: str
    brackets: tuple[Bracket, ...]
    minimum: Decimal
    maximum: Decimal


def _apply(scale: Scale, amount: Decimal) -> Decimal:
    for bracket in scale.brackets:
        if bracket.up_to is None or amount <= bracket.up_to:
            value = bracket.fixed + bracket.rate * (amount - bracket.base)
            return _cents(min(max(value, scale.minimum), scale.maximum))
    raise AssertionError("the last bracket has no bound")


def _in_force(scales: Sequence[Scale], on: date) -> Scale | None:
    found = [s for s in scales if s.in_force_from <= on]
    return max(found, key=lambda s: s.in_force_from) if found else None


D = Decimal
# Code of Economic Law, art. XIX.4 (consumer debts, since 1 September 2023).
BE_B2C_DAMAGES: tuple[Scale, ...] = (
    Scale(
        in_force_from=date(2023, 9, 1),
        source="WER/CDE art. XIX.4 §2",
        brackets=(
            Bracket(D("150"), D("20"), D("0"), D("0")),
            Bracket(D("500"), D("30"), D("0.10"), D("150")),
            Bracket(None, D("65"), D("0.05"), D("500")),
        ),
        minimum=D("20"),
        maximum=D("2000"),
    ),
)
# Besluit vergoeding voor buitengerechtelijke incassokosten (WIK scale, BW 6:96).
NL_WIK: tuple[Scale, ...] = (
    Scale(
        in_force_from=date(2012, 7, 1),
        source="BW 6:96 lid 5; Besluit vergoeding buitengerechtelijke incassokosten art. 2",
        brackets=(
            Bracket(D("2500"), D("0"), D("0.15"), D("0")),
            Bracket(D("5000"), D("375"), D("0.10"), D("2500")),
            Bracket(D("10000"), D("625"), D("0.05"), D("5000")),
            Bracket(D("200000"), D("875"), D("0.01"), D("10000")),
            Bracket(None, D("2775"), D("0.005"), D("200000")),
        ),
        minimum=D("40"),
        maximum=D("6775"),
    ),
)


def be_b2c_damages(balance: Decimal, on: date) -> Decimal | None:
    """The most a Belgian consumer may be charged as flat damages on ``balance``."""
    scale = _in_force(BE_B2C_DAMAGES, on)
    if scale is None or balance <= 0:
        return None
    if balance <= D("150"):
        return _cents(D("20"))
    return _apply(scale, balance)


def nl_collection_costs(principal: Decimal, on: date) -> Decimal | None:
    """Dutch extrajudicial collection costs (WIK) on the sum of the open claims."""
    scale = _in_force(NL_WIK, on)
    if scale is None or principal <= 0:
        return None
    return _apply(scale, principal)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5


def working_day_after(day: date, count: int) -> date:
    found = 0
    while found < count:
        day += ONE_DAY
        if is_working_day(day):
            found += 1
    return day


def be_b2c_earliest_deadline(sent_on: date, channel: str) -> date:
    """Book XIX: at least 14 calendar days, from the day after an e-mail or from the third
    working day after a letter is posted."""
    first = sent_on + ONE_DAY if channel == "email" else working_day_after(sent_on, 3)
    return first + timedelta(days=13)


NL_FOURTEEN_DAY_SAFE_DAYS = 16

# The template keys whose content the law prescribes.
FIRST_REMINDER = "first_reminder"
FOURTEEN_DAY_LETTER = "nl_14_day_letter"
FORMAL_NOTICE = "formal_notice"


@dataclass(frozen=True, slots=True)
class LetterFacts:
    pack: str
    template_key: str
    channel: str
    business_date: date
    deadline: date | None
    fees: Decimal
    creditor_name: str | None
    creditor_enterprise_number: str | None


def violations(facts: LetterFacts) -> list[str]:
    """Why this letter may not go out as it is; empty when it may."""
    found: list[str] = []
    legal_channel = facts.channel in ("email", "letter")
    if facts.pack == "BE_B2C" and facts.template_key == FIRST_REMINDER and legal_channel:
        if facts.fees > 0:
            found.append("Book XIX: the first reminder to a consumer must be free of charge")
        if not facts.creditor_name or not facts.creditor_enterprise_number:
            found.append(
                "Book XIX: the first reminder must state the creditor's name and enterprise "
                "number; configure them in PUT /v1/settings/sender"
            )
        earliest = be_b2c_earliest_deadline(facts.business_date, facts.channel)
        if facts.deadline is None:
            found.append("Book XIX: the first reminder must give a payment deadline")
        elif facts.deadline < earliest:
            found.append(
                f"Book XIX: the deadline {facts.deadline.isoformat()} is shorter than 14 days "
                f"by {facts.channel} (at the earliest {earliest.isoformat()})"
            )
    if facts.pack == "NL_B2C" and facts.template_key == FOURTEEN_DAY_LETTER and facts.deadline:
        earliest_nl = facts.business_date + timedelta(days=NL_FOURTEEN_DAY_SAFE_DAYS)
        if facts.deadline < earliest_nl:
            found.append(
                f"BW 6:96 lid 6: the 14-day letter names {facts.deadline.isoformat()}, earlier "
                f"than 14 days after receipt (at the earliest {earliest_nl.isoformat()})"
            )
    if facts.template_key == FORMAL_NOTICE and facts.deadline is None:
        found.append("a formal notice must give a final payment term")
    return found

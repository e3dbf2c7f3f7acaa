"""What a reminder must say, and must not do, under each legal pack.

dunning-service decides the claim and every amount in it, from its cost table (which charge
each pack allows at which step, with its source), and publishes them as data: the charges
claimed and, in a consumer's first claim, the amounts announced. This module only checks that
the letter about to go out says what the law requires; the *wording* is the templates'.

``violations`` is the last check before a legal letter is queued: a reminder that breaks a
rule is not sent but flagged for ops (a defective first reminder costs the creditor the right
to damages; a second, corrected letter would restart the term).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from contracts.calendar import COUNTRIES, is_business_day
from contracts.dunning import ReminderDue
from notification_service.domain.wording import charge_name

ONE_DAY = timedelta(days=1)


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
FIRST_REMINDER = "be_b2c_first_reminder"
FOURTEEN_DAY_LETTER = "nl_b2c_fourteen_day_letter"
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
    # per currency: principal, the charges claimed and the total the letter states
    principal: dict[str, Decimal] = field(default_factory=dict)
    charges: Sequence[tuple[str, str, Decimal]] = ()  # (kind, currency, amount)
    totals: dict[str, Decimal] = field(default_factory=dict)
    announced: Sequence[str] = ()  # kinds announced with an amount
    unnamed_charges: Sequence[str] = ()  # kinds the letter's language has no legal name for


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
    country = facts.pack[:2] if facts.pack[:2] in COUNTRIES else None
    countries = (country,) if country else COUNTRIES
    if not is_business_day(facts.business_date, countries):
        found.append(
            f"the letter would be dated {facts.business_date.isoformat()}, not a working day"
        )
    if facts.deadline is not None and not is_business_day(facts.deadline, countries):
        found.append(
            f"the deadline {facts.deadline.isoformat()} is a weekend day or public holiday"
        )
    if facts.template_key == FORMAL_NOTICE and facts.deadline is None:
        found.append("a formal notice must give a final payment term")
    if facts.template_key == FIRST_REMINDER and facts.charges:
        kinds = ", ".join(sorted({kind for kind, _c, _a in facts.charges}))
        found.append(f"Book XIX: the free first reminder claims {kinds}")
    if facts.template_key == FIRST_REMINDER and "flat_damages" not in facts.announced:
        found.append("Book XIX: the first reminder must state the damages that will be claimed")
    if facts.template_key == FOURTEEN_DAY_LETTER:
        if "collection_costs" not in facts.announced:
            found.append("BW 6:96 lid 6: the 14-day letter must name the collection costs")
        if any(kind == "collection_costs" for kind, _c, _a in facts.charges):
            found.append("BW 6:96 lid 6: collection costs claimed in the 14-day letter itself")
    for kind in facts.unnamed_charges:
        found.append(f"the letter cannot name the charge {kind!r} for {facts.pack}")
    for currency, total in facts.totals.items():
        lines = facts.principal.get(currency, Decimal(0)) + sum(
            (a for _k, c, a in facts.charges if c == currency), Decimal(0)
        )
        if lines != total:
            found.append(f"the letter's lines add up to {currency} {lines}, its total says {total}")
    return found


def reminder_facts(event: ReminderDue) -> dict[str, Any]:
    """The ``LetterFacts`` a reminder adds to the basics: its principal, charges and totals
    per currency, the kinds it announces and those the letter's language cannot name."""
    principal: dict[str, Decimal] = {}
    for item in event.items:
        principal[item.currency] = principal.get(item.currency, Decimal(0)) + item.open_amount
    named = {c.kind for c in event.charges} | {c.kind for c in event.announced}
    return {
        "principal": principal,
        "charges": [(c.kind, c.currency, c.amount) for c in event.charges],
        "totals": {t.currency: t.total for t in event.totals},
        "announced": [c.kind for c in event.announced],
        "unnamed_charges": sorted(
            k for k in named if charge_name(k, event.pack, event.language) is None
        ),
    }

"""Statutory waiting periods of consumer reminders, as dates (no clock: the sending date is
passed in). Weekends are never working days; public holidays are not known here and can be
passed in as ``holidays``.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, timedelta
from typing import Literal

Channel = Literal["email", "letter"]

ONE_DAY = timedelta(days=1)
BE_B2C_MIN_DAYS = 14
BE_B2C_LETTER_WORKING_DAYS = 3
NL_FOURTEEN_DAY_LETTER_SAFE_DAYS = 16


def is_working_day(day: date, holidays: Collection[date] = ()) -> bool:
    return day.weekday() < 5 and day not in holidays


def working_day_after(day: date, count: int, holidays: Collection[date] = ()) -> date:
    """The ``count``-th working day after ``day`` (Friday + 1 → Monday)."""
    if count < 1:
        raise ValueError("count must be at least 1")
    found = 0
    while found < count:
        day += ONE_DAY
        if is_working_day(day, holidays):
            found += 1
    return day


def on_or_next_working_day(day: date, holidays: Collection[date] = ()) -> date:
    while not is_working_day(day, holidays):
        day += ONE_DAY
    return day


def be_b2c_deadline(sent_on: date, channel: Channel, holidays: Collection[date] = ()) -> date:
    """The earliest deadline a BE B2C first (free) reminder may give: the last day of at least
    14 calendar days (Code of Economic Law Book XIX) that start the day after an e-mail, or on
    the 3rd working day after a paper letter was posted (Friday post → Wednesday).

    Interest, damages and fees may be claimed only from the day after. A deadline that would
    fall on a weekend (or a passed-in holiday) is moved to the next working day: the law asks
    for *at least* 14 days, so later is always compliant, and the Civil Code moves a term
    ending on such a day anyway.
    """
    if channel == "email":
        first_day = sent_on + ONE_DAY
    elif channel == "letter":
        first_day = working_day_after(sent_on, BE_B2C_LETTER_WORKING_DAYS, holidays)
    else:
        raise ValueError(f"unknown channel {channel!r}: 'email' or 'letter'")
    last_day = first_day + timedelta(days=BE_B2C_MIN_DAYS - 1)
    return on_or_next_working_day(last_day, holidays)


def nl_fourteen_day_deadline(dispatched_on: date, holidays: Collection[date] = ()) -> date:
    """The deadline to state in an NL consumer 14-day letter (veertiendagenbrief, BW 6:96 lid 6):
    the debtor has 14 days from the day after *receipt*; assuming receipt up to two days after
    dispatch, the safe deadline is 16 days after dispatch, moved past a weekend (or passed-in
    holiday) as the Algemene termijnenwet does. WIK costs may be claimed from the day after.
    """
    deadline = dispatched_on + timedelta(days=NL_FOURTEEN_DAY_LETTER_SAFE_DAYS)
    return on_or_next_working_day(deadline, holidays)

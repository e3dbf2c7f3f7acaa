"""Public holidays of Belgium and the Netherlands, for letter dates and deadlines (dunning
dates its steps and terms with it, notification-service the letters it writes on its own).

A term that ends on a Saturday, Sunday or public holiday moves to the next working day (BE
Judicial Code art. 53; NL Algemene termijnenwet art. 1 and 3). The holidays are the ones those
rules name:
* BE (Act of 4 January 1974 on public holidays): 1 January, Easter Monday, 1 May, Ascension Day,
  Whit Monday, 21 July, 15 August, 1 November, 11 November, 25 December.
* NL (Algemene termijnenwet art. 3): New Year's Day, Easter Monday, Ascension Day, Whit Monday,
  Christmas Day and Boxing Day, King's Day (27 April, 26 April when the 27th is a Sunday) and
  Liberation Day (5 May).
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

COUNTRIES = ("BE", "NL")


def easter_sunday(year: int) -> date:
    """Gregorian Easter (the anonymous Gregorian algorithm, Meeus/Jones/Butcher)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    la = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * la) // 451
    month, day = divmod(h + la - 7 * m + 114, 31)
    return date(year, month, day + 1)


@cache
def public_holidays(country: str, year: int) -> frozenset[date]:
    easter = easter_sunday(year)
    movable = {easter + timedelta(days=1), easter + timedelta(days=39), easter + timedelta(days=50)}
    if country == "BE":
        fixed = {(1, 1), (5, 1), (7, 21), (8, 15), (11, 1), (11, 11), (12, 25)}
        return frozenset(movable | {date(year, m, d) for m, d in fixed})
    if country == "NL":
        kings_day = date(year, 4, 27)
        if kings_day.weekday() == 6:
            kings_day = date(year, 4, 26)
        fixed = {(1, 1), (5, 5), (12, 25), (12, 26)}
        return frozenset(movable | {kings_day} | {date(year, m, d) for m, d in fixed})
    return frozenset()


def holidays_around(country: str, day: date) -> frozenset[date]:
    """The holidays of ``country`` in the year of ``day`` and the next (a term may cross it)."""
    return public_holidays(country, day.year) | public_holidays(country, day.year + 1)


def is_business_day(day: date, countries: tuple[str, ...] = COUNTRIES) -> bool:
    """Not a weekend and not a public holiday in any of ``countries``."""
    if day.weekday() >= 5:
        return False
    return not any(day in public_holidays(country, day.year) for country in countries)


def term_end(day: date, country: str) -> date:
    """``day`` as the last day of a term in ``country``: moved past weekends and holidays."""
    return next_business_day(day, (country,))


def next_business_day(day: date, countries: tuple[str, ...] = COUNTRIES) -> date:
    """``day`` itself when it is a working day, else the next one."""
    while not is_business_day(day, countries):
        day += timedelta(days=1)
    return day

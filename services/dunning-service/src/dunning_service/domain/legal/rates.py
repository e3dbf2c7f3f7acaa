"""Statutory interest rates as effective-dated tables (package data ``rates.json``).

A table is a list of rows ``{"from": "YYYY-MM-DD", "rate": "10.50", "source": ..., "verify": ...}``;
a row applies from its date until the next row's date. ``verify`` marks a rate taken from a
secondary source: it is used, but whoever reads a claim built on it can see that it is unconfirmed.
Rates change by editing the data, never the code.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any

ONE_DAY = timedelta(days=1)
_PACKAGE = __name__.rpartition(".")[0]


class LegalDataError(ValueError):
    """The packaged legal data is malformed (a bug in the data, caught at load time)."""


class RateNotKnown(LookupError):
    """No rate is recorded for a day (before the table's first row)."""


@dataclass(frozen=True, slots=True)
class RateEntry:
    effective_from: date
    rate: Decimal  # percent per year, e.g. Decimal("11.50")
    source: str
    verify: bool


@dataclass(frozen=True, slots=True)
class RatePeriod:
    """Consecutive days (``start`` and ``end`` both included) on which one table row applies."""

    start: date
    end: date
    entry: RateEntry

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass(frozen=True, slots=True)
class RateTable:
    series: str
    entries: tuple[RateEntry, ...]

    def __post_init__(self) -> None:
        if not self.entries:
            raise LegalDataError(f"rate table {self.series!r} has no rows")
        for earlier, later in zip(self.entries, self.entries[1:], strict=False):
            if later.effective_from <= earlier.effective_from:
                raise LegalDataError(
                    f"rate table {self.series!r}: rows must be in strictly increasing date "
                    f"order ({earlier.effective_from} then {later.effective_from})"
                )

    def entry_on(self, day: date) -> RateEntry:
        found: RateEntry | None = None
        for entry in self.entries:
            if entry.effective_from > day:
                break
            found = entry
        if found is None:
            raise RateNotKnown(
                f"no {self.series} rate recorded for {day} "
                f"(table starts {self.entries[0].effective_from})"
            )
        return found

    def rate_on(self, day: date) -> Decimal:
        return self.entry_on(day).rate

    def periods(self, first_day: date, last_day: date) -> list[RatePeriod]:
        """The days ``first_day``..``last_day`` (both included) split wherever a row starts.

        Split at every row, even when two rows carry the same rate (BE H1 and H2 2024): each
        period then names the publication its rate comes from. Empty when ``last_day`` is before
        ``first_day``.
        """
        if last_day < first_day:
            return []
        periods: list[RatePeriod] = []
        start = first_day
        while start <= last_day:
            entry = self.entry_on(start)
            later = [e.effective_from for e in self.entries if e.effective_from > start]
            end = min(last_day, later[0] - ONE_DAY) if later else last_day
            periods.append(RatePeriod(start=start, end=end, entry=entry))
            start = end + ONE_DAY
        return periods


def parse_day(value: Any, where: str) -> date:
    if not isinstance(value, str):
        raise LegalDataError(f"{where}: a date must be a 'YYYY-MM-DD' string, got {value!r}")
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise LegalDataError(f"{where}: {value!r} is not a date") from exc


def parse_decimal(value: Any, where: str) -> Decimal:
    """Decimals are written as strings in the data: a JSON number would pass through float."""
    if not isinstance(value, str):
        raise LegalDataError(f'{where}: a number must be a string like "10.50", got {value!r}')
    try:
        number = Decimal(value)
    except InvalidOperation as exc:
        raise LegalDataError(f"{where}: {value!r} is not a decimal number") from exc
    if not number.is_finite() or number < 0:
        raise LegalDataError(f"{where}: {value!r} must be a finite, non-negative number")
    return number


def parse_provenance(row: Mapping[str, Any], where: str) -> tuple[str, bool]:
    source, verify = row.get("source"), row.get("verify")
    if not isinstance(source, str) or not source.strip():
        raise LegalDataError(f"{where}: every row needs a 'source'")
    if not isinstance(verify, bool):
        raise LegalDataError(f"{where}: 'verify' must be true or false")
    return source, verify


def parse_rate_tables(document: Any) -> dict[str, RateTable]:
    if not isinstance(document, dict):
        raise LegalDataError("rates: expected an object of series")
    tables: dict[str, RateTable] = {}
    for series, rows in document.items():
        if not isinstance(rows, list):
            raise LegalDataError(f"rates.{series}: expected a list of rows")
        entries: list[RateEntry] = []
        for index, row in enumerate(rows):
            where = f"rates.{series}[{index}]"
            if not isinstance(row, dict):
                raise LegalDataError(f"{where}: expected an object")
            source, verify = parse_provenance(row, where)
            entries.append(
                RateEntry(
                    effective_from=parse_day(row.get("from"), where),
                    rate=parse_decimal(row.get("rate"), where),
                    source=source,
                    verify=verify,
                )
            )
        tables[series] = RateTable(series=series, entries=tuple(entries))
    return tables


def read_package_json(name: str) -> Any:
    return json.loads(resources.files(_PACKAGE).joinpath(name).read_text(encoding="utf-8"))


@cache
def load_rate_tables() -> Mapping[str, RateTable]:
    """Every rate table shipped in ``rates.json``, by series name (read once)."""
    return MappingProxyType(parse_rate_tables(read_package_json("rates.json")))


def rate_table(series: str) -> RateTable:
    try:
        return load_rate_tables()[series]
    except KeyError:
        raise KeyError(f"no rate table {series!r} in rates.json") from None

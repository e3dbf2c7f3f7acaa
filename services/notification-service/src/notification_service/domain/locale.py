"""Amounts and dates as the debtor reads them: the debtor's language in the country of the
legal pack (``nl`` + BE → ``nl_BE``: ``€ 1.234,56``, ``1 december 2026``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal

CENT = Decimal("0.01")
# Where a pack says nothing about the country (EU default), the language's home in our market.
HOME_COUNTRY = {"nl": "BE", "fr": "BE", "de": "BE", "en": "BE"}


def country_of_pack(pack: str | None) -> str | None:
    if pack and pack[:2] in ("BE", "NL"):
        return pack[:2]
    return None


def resolve_locale(language: str, country: str | None) -> str:
    """``language_COUNTRY`` when CLDR knows it, else the language alone (``fr`` + NL → ``fr``)."""
    for candidate in (f"{language}_{country}" if country else None, language):
        if candidate is None:
            continue
        try:
            return str(Locale.parse(candidate))
        except (UnknownLocaleError, ValueError):
            continue
    return "en"


@dataclass(frozen=True, slots=True)
class LocaleFormat:
    locale: str

    @classmethod
    def for_debtor(
        cls, language: str, pack: str | None, country: str | None = None
    ) -> LocaleFormat:
        where = country_of_pack(pack) or country or HOME_COUNTRY.get(language)
        return cls(resolve_locale(language, where))

    def money(self, amount: Decimal | str | int, currency: str = "EUR") -> str:
        value = Decimal(str(amount)).quantize(CENT, rounding=ROUND_HALF_UP)
        return str(format_currency(value, currency, locale=self.locale))

    def date(self, day: date | str | None, style: str = "long") -> str:
        if day is None:
            return ""
        if isinstance(day, str):
            day = date.fromisoformat(day)
        return str(format_date(day, format=style, locale=self.locale))

    def number(self, value: Decimal | str | int, places: int | None = None) -> str:
        number = Decimal(str(value))
        if places is not None:
            number = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        return str(format_decimal(number, locale=self.locale))

    def percent(self, value: Decimal | str | int) -> str:
        """11.5 → ``11,5 %`` in nl_BE (the value is a percentage, not a fraction)."""
        return f"{self.number(Decimal(str(value)).normalize())}\u00a0%"

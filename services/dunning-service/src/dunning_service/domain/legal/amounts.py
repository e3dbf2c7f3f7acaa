"""Statutory amounts as effective-dated data (package data ``amounts.json``): the EUR 40 fixed
compensation, the BE B2C reminder fee cap, the BE B2C damages brackets and the NL WIK scale.

Each rule is a list of versions, each applying from its ``from`` date until the next version;
the version in force on a given day is picked with ``in_force_on``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any, Protocol, TypeVar

from dunning_service.domain.legal.money import Money
from dunning_service.domain.legal.rates import (
    LegalDataError,
    parse_day,
    parse_decimal,
    parse_provenance,
    read_package_json,
)


class RuleNotInForce(LookupError):
    """The rule had no version in force on the day asked about."""


@dataclass(frozen=True, slots=True)
class FixedAmount:
    effective_from: date
    amount: Money
    source: str
    verify: bool


@dataclass(frozen=True, slots=True)
class Bracket:
    """For a basis above ``over``: ``fixed`` + ``percent`` % of (basis − ``over``)."""

    over: Decimal
    fixed: Decimal
    percent: Decimal


@dataclass(frozen=True, slots=True)
class BracketTable:
    """Pick the one bracket the basis falls in (BE B2C damages), then cap at ``maximum``."""

    effective_from: date
    currency: str
    brackets: tuple[Bracket, ...]  # by increasing ``over``; the first has ``over`` 0
    maximum: Decimal
    source: str
    verify: bool


@dataclass(frozen=True, slots=True)
class Tier:
    """``percent`` % of the part of the basis up to ``up_to`` (above the previous tier)."""

    up_to: Decimal | None  # None: no upper bound
    percent: Decimal


@dataclass(frozen=True, slots=True)
class TieredScale:
    """Add up every tier the basis reaches (NL WIK), then clamp to ``minimum``..``maximum``."""

    effective_from: date
    currency: str
    tiers: tuple[Tier, ...]
    minimum: Decimal
    maximum: Decimal
    source: str
    verify: bool


@dataclass(frozen=True, slots=True)
class Amounts:
    fixed_compensation_b2b: tuple[FixedAmount, ...]
    be_b2c_later_reminder_fee_cap: tuple[FixedAmount, ...]
    be_b2c_max_damages: tuple[BracketTable, ...]
    nl_wik_scale: tuple[TieredScale, ...]


class _EffectiveDated(Protocol):
    @property
    def effective_from(self) -> date: ...


Version = TypeVar("Version", bound=_EffectiveDated)


def in_force_on(versions: Sequence[Version], day: date, rule: str) -> Version:
    """The version of ``rule`` in force on ``day`` (the latest one starting on or before it)."""
    found = [version for version in versions if version.effective_from <= day]
    if not found:
        raise RuleNotInForce(f"{rule} was not in force on {day}")
    return max(found, key=lambda version: version.effective_from)


def _rows(document: Mapping[str, Any], rule: str) -> list[tuple[str, dict[str, Any]]]:
    rows = document.get(rule)
    if not isinstance(rows, list) or not rows:
        raise LegalDataError(f"amounts.{rule}: expected a non-empty list of versions")
    result: list[tuple[str, dict[str, Any]]] = []
    for index, row in enumerate(rows):
        where = f"amounts.{rule}[{index}]"
        if not isinstance(row, dict):
            raise LegalDataError(f"{where}: expected an object")
        result.append((where, row))
    starts = [parse_day(row.get("from"), where) for where, row in result]
    if starts != sorted(set(starts)):
        raise LegalDataError(f"amounts.{rule}: versions must be in strictly increasing date order")
    return result


def _currency(row: Mapping[str, Any], where: str) -> str:
    currency = row.get("currency")
    if not isinstance(currency, str):
        raise LegalDataError(f"{where}: 'currency' missing")
    return currency


def _fixed(document: Mapping[str, Any], rule: str) -> tuple[FixedAmount, ...]:
    versions: list[FixedAmount] = []
    for where, row in _rows(document, rule):
        source, verify = parse_provenance(row, where)
        versions.append(
            FixedAmount(
                effective_from=parse_day(row.get("from"), where),
                amount=Money(parse_decimal(row.get("amount"), where), _currency(row, where)),
                source=source,
                verify=verify,
            )
        )
    return tuple(versions)


def _bracket_tables(document: Mapping[str, Any], rule: str) -> tuple[BracketTable, ...]:
    versions: list[BracketTable] = []
    for where, row in _rows(document, rule):
        source, verify = parse_provenance(row, where)
        raw = row.get("brackets")
        if not isinstance(raw, list) or not raw:
            raise LegalDataError(f"{where}: 'brackets' must be a non-empty list")
        brackets = tuple(
            Bracket(
                over=parse_decimal(b.get("over"), f"{where}.brackets[{i}]"),
                fixed=parse_decimal(b.get("fixed"), f"{where}.brackets[{i}]"),
                percent=parse_decimal(b.get("percent"), f"{where}.brackets[{i}]"),
            )
            for i, b in enumerate(raw)
        )
        overs = [bracket.over for bracket in brackets]
        if overs[0] != 0 or overs != sorted(set(overs)):
            raise LegalDataError(f"{where}: brackets must start over 0 and increase")
        versions.append(
            BracketTable(
                effective_from=parse_day(row.get("from"), where),
                currency=_currency(row, where),
                brackets=brackets,
                maximum=parse_decimal(row.get("maximum"), where),
                source=source,
                verify=verify,
            )
        )
    return tuple(versions)


def _tiered_scales(document: Mapping[str, Any], rule: str) -> tuple[TieredScale, ...]:
    versions: list[TieredScale] = []
    for where, row in _rows(document, rule):
        source, verify = parse_provenance(row, where)
        raw = row.get("tiers")
        if not isinstance(raw, list) or not raw:
            raise LegalDataError(f"{where}: 'tiers' must be a non-empty list")
        tiers = tuple(
            Tier(
                up_to=None
                if t.get("up_to") is None
                else parse_decimal(t.get("up_to"), f"{where}.tiers[{i}]"),
                percent=parse_decimal(t.get("percent"), f"{where}.tiers[{i}]"),
            )
            for i, t in enumerate(raw)
        )
        bounds = [tier.up_to for tier in tiers[:-1] if tier.up_to is not None]
        if len(bounds) != len(tiers) - 1 or tiers[-1].up_to is not None:
            raise LegalDataError(f"{where}: only the last tier may (and must) be open-ended")
        if bounds != sorted(set(bounds)) or (bounds and bounds[0] <= 0):
            raise LegalDataError(f"{where}: tier bounds must be positive and increase")
        minimum = parse_decimal(row.get("minimum"), where)
        maximum = parse_decimal(row.get("maximum"), where)
        if minimum > maximum:
            raise LegalDataError(f"{where}: minimum above maximum")
        versions.append(
            TieredScale(
                effective_from=parse_day(row.get("from"), where),
                currency=_currency(row, where),
                tiers=tiers,
                minimum=minimum,
                maximum=maximum,
                source=source,
                verify=verify,
            )
        )
    return tuple(versions)


def parse_amounts(document: Any) -> Amounts:
    if not isinstance(document, dict):
        raise LegalDataError("amounts: expected an object of rules")
    return Amounts(
        fixed_compensation_b2b=_fixed(document, "fixed_compensation_b2b"),
        be_b2c_later_reminder_fee_cap=_fixed(document, "be_b2c_later_reminder_fee_cap"),
        be_b2c_max_damages=_bracket_tables(document, "be_b2c_max_damages"),
        nl_wik_scale=_tiered_scales(document, "nl_wik_scale"),
    )


@cache
def load_amounts() -> Amounts:
    """The statutory amounts shipped in ``amounts.json`` (read once)."""
    return parse_amounts(read_package_json("amounts.json"))

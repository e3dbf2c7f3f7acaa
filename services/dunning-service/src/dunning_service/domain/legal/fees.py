"""Statutory fees and compensation, each returned with the rule and the brackets applied.

The figures come from ``amounts.json`` (the version in force on the day passed in); the
arithmetic is unrounded and only the result is rounded to cents, half up.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from dunning_service.domain.legal.amounts import in_force_on, load_amounts
from dunning_service.domain.legal.money import CurrencyMismatch, Money

HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True)
class Amount:
    """A legal amount and why: the rule, the basis it was computed on and each step taken."""

    amount: Money
    rule: str
    basis: Money | None
    steps: tuple[str, ...]
    source: str
    verify: bool

    def explanation(self) -> str:
        head = f"{self.rule}: {self.amount}"
        if self.basis is not None:
            head += f" on {self.basis}"
        return "\n".join([head, *(f"  {step}" for step in self.steps), f"  source: {self.source}"])


def _plain(value: Decimal) -> str:
    return f"{value.normalize():,f}"


def _same_currency(basis: Money, currency: str, rule: str) -> None:
    if basis.currency != currency:
        raise CurrencyMismatch(f"{rule} is defined in {currency}, not {basis.currency}")


def fixed_compensation_b2b(on: date, late_invoices: int = 1) -> Amount:
    """EUR 40 per late invoice (Directive 2011/7/EU art. 6, CJEU C-585/20; BE and NL B2B),
    due without a reminder as soon as interest is due. ``on``: the day it became due."""
    if late_invoices < 0:
        raise ValueError("late_invoices cannot be negative")
    rule = "fixed compensation for recovery costs (B2B), per late invoice"
    version = in_force_on(load_amounts().fixed_compensation_b2b, on, rule)
    return Amount(
        amount=version.amount.times(Decimal(late_invoices)).rounded(),
        rule=rule,
        basis=None,
        steps=(f"{version.amount} × {late_invoices} late invoice(s)",),
        source=version.source,
        verify=version.verify,
    )


def be_b2c_reminder_fees(later_reminders: int, on: date) -> Amount:
    """BE B2C: the maximum for the reminders after the free first one, EUR 7.50 each (postage
    may be added at cost and is not included here)."""
    if later_reminders < 0:
        raise ValueError("later_reminders cannot be negative")
    rule = "BE B2C later reminders: fee cap per reminder, plus postage"
    version = in_force_on(load_amounts().be_b2c_later_reminder_fee_cap, on, rule)
    return Amount(
        amount=version.amount.times(Decimal(later_reminders)).rounded(),
        rule=rule,
        basis=None,
        steps=(f"{version.amount} × {later_reminders} later reminder(s); postage not included",),
        source=version.source,
        verify=version.verify,
    )


def be_b2c_max_damages(balance: Money, on: date) -> Amount:
    """BE B2C maximum flat damages on the balance B (Code of Economic Law Book XIX):
    B ≤ 150 → 20; 150.01–500 → 30 + 10 % of (B − 150); > 500 → 65 + 5 % of (B − 500);
    at most 2,000 (figures from the data version in force ``on``). Nothing when nothing is owed.
    """
    rule = "BE B2C maximum flat damages"
    table = in_force_on(load_amounts().be_b2c_max_damages, on, rule)
    _same_currency(balance, table.currency, rule)
    if balance.amount <= 0:
        return Amount(
            amount=Money.zero(balance.currency).rounded(),
            rule=rule,
            basis=balance,
            steps=("nothing owed",),
            source=table.source,
            verify=table.verify,
        )
    bracket = [b for b in table.brackets if balance.amount > b.over][-1]
    value = bracket.fixed + bracket.percent * (balance.amount - bracket.over) / HUNDRED
    if bracket.percent:
        step = (
            f"balance above {_plain(bracket.over)}: {_plain(bracket.fixed)} + "
            f"{_plain(bracket.percent)} % × ({_plain(balance.amount)} − {_plain(bracket.over)})"
            f" = {_plain(value)}"
        )
    else:
        upper = [b.over for b in table.brackets if b.over > bracket.over]
        limit = f"up to {_plain(upper[0])}" if upper else f"above {_plain(bracket.over)}"
        step = f"balance {limit}: flat {_plain(bracket.fixed)}"
    steps = [step]
    if value > table.maximum:
        steps.append(f"capped at {_plain(table.maximum)}")
        value = table.maximum
    return Amount(
        amount=Money(value, balance.currency).rounded(),
        rule=rule,
        basis=balance,
        steps=tuple(steps),
        source=table.source,
        verify=table.verify,
    )


def nl_wik_costs(principal: Money, on: date) -> Amount:
    """NL extrajudicial collection costs (WIK scale, BW 6:96 lid 5) on the principal: 15 % of
    the first 2,500; 10 % of the next 2,500; 5 % of the next 5,000; 1 % of the next 190,000;
    0.5 % above 200,000; at least 40, at most 6,775 (the data version in force ``on``).
    Example: 6,000 → 375 + 250 + 50 = 675.00. For a consumer only after an expired 14-day
    letter, and on the sum of all claims in that letter (see ``packs.claim_for``). VAT on the
    costs (for a creditor that cannot deduct it) is not included.
    """
    rule = "NL WIK scale (buitengerechtelijke incassokosten)"
    scale = in_force_on(load_amounts().nl_wik_scale, on, rule)
    _same_currency(principal, scale.currency, rule)
    if principal.amount <= 0:
        return Amount(
            amount=Money.zero(principal.currency).rounded(),
            rule=rule,
            basis=principal,
            steps=("nothing owed",),
            source=scale.source,
            verify=scale.verify,
        )
    steps: list[str] = []
    value = Decimal(0)
    lower = Decimal(0)
    for tier in scale.tiers:
        if principal.amount <= lower:
            break
        upper = principal.amount if tier.up_to is None else min(principal.amount, tier.up_to)
        part = upper - lower
        cost = part * tier.percent / HUNDRED
        value += cost
        steps.append(
            f"{_plain(tier.percent)} % of {_plain(part)} "
            f"({_plain(lower)}–{_plain(upper)}) = {_plain(cost)}"
        )
        if tier.up_to is None:
            break
        lower = tier.up_to
    if value < scale.minimum:
        steps.append(f"raised to the minimum {_plain(scale.minimum)}")
        value = scale.minimum
    elif value > scale.maximum:
        steps.append(f"capped at the maximum {_plain(scale.maximum)}")
        value = scale.maximum
    return Amount(
        amount=Money(value, principal.currency).rounded(),
        rule=rule,
        basis=principal,
        steps=tuple(steps),
        source=scale.source,
        verify=scale.verify,
    )

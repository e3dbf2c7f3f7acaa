"""Legal rule packs (BE/NL, B2B/B2C, EU default) and the claim they allow on overdue invoices.

A pack says *which* rules apply (interest method and rate table, fees, waiting periods); the
figures themselves are effective-dated data (``rates.json``, ``amounts.json``). ``claim_for``
computes the maximum the law allows on a set of overdue invoices on a given date, every line
with its explanation. Contracts may stipulate less (BE B2C interest and damages must even be
stipulated to be claimable); that is for the caller to apply.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from dunning_service.domain.legal.deadlines import (
    Channel,
    be_b2c_deadline,
    nl_fourteen_day_deadline,
)
from dunning_service.domain.legal.fees import (
    Amount,
    be_b2c_max_damages,
    be_b2c_reminder_fees,
    fixed_compensation_b2b,
    nl_wik_costs,
)
from dunning_service.domain.legal.interest import (
    InterestResult,
    compound_yearly_interest,
    simple_interest,
)
from dunning_service.domain.legal.money import Money, total
from dunning_service.domain.legal.rates import RateTable, rate_table

__all__ = [
    "BE_B2B",
    "BE_B2C",
    "EU_DEFAULT",
    "NL_B2B",
    "NL_B2C",
    "PACKS",
    "Claim",
    "ClaimLine",
    "FirstReminder",
    "Kind",
    "OverdueItem",
    "RulePack",
    "be_b2c_deadline",
    "claim_for",
    "nl_fourteen_day_deadline",
    "select_pack",
]

Kind = Literal["B2B", "B2C"]
InterestMethod = Literal["simple", "compound_yearly"]
LineKind = Literal[
    "principal", "interest", "compensation", "damages", "reminder_fees", "collection_costs"
]
ONE_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class RulePack:
    code: str
    title: str
    interest_method: InterestMethod
    rate_series: str  # a table in rates.json
    fixed_compensation_per_invoice: bool  # EUR 40 per late invoice (B2B)
    first_reminder_free: bool  # BE B2C
    min_days_after_first_reminder: int | None  # BE B2C: 14 calendar days (be_b2c_deadline)
    later_reminder_fees: bool  # BE B2C: capped per reminder after the first
    flat_damages: bool  # BE B2C: damages brackets on the balance
    collection_costs_after_fourteen_day_letter: bool  # NL B2C: WIK scale on the sum of claims
    max_contract_term_days: int | None
    day_count: int = 365
    first_reminder_must_state: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def rate_table(self) -> RateTable:
        return rate_table(self.rate_series)

    def interest(self, principal: Money, start: date, end: date) -> InterestResult:
        """Interest from the day after ``start`` up to and including ``end``."""
        method = simple_interest if self.interest_method == "simple" else compound_yearly_interest
        return method(principal, start, end, self.rate_table, self.day_count)


BE_B2B = RulePack(
    code="BE_B2B",
    title="Belgium B2B (Act of 2 August 2002 on late payment in commercial transactions)",
    interest_method="simple",
    rate_series="be_b2b_late_payment",
    fixed_compensation_per_invoice=True,
    first_reminder_free=False,
    min_days_after_first_reminder=None,
    later_reminder_fees=False,
    flat_damages=False,
    collection_costs_after_fourteen_day_letter=False,
    max_contract_term_days=60,
    notes=(
        "Interest from the day after the due date, without a reminder.",
        "EUR 40 per invoice as soon as interest is due.",
        "Fast bailiff procedure only for undisputed debts.",
    ),
)

BE_B2C = RulePack(
    code="BE_B2C",
    title="Belgium B2C (Code of Economic Law, Book XIX, since 1 September 2023)",
    interest_method="simple",
    rate_series="be_b2b_late_payment",  # a ceiling: consumer interest may not exceed it
    fixed_compensation_per_invoice=False,
    first_reminder_free=True,
    min_days_after_first_reminder=14,
    later_reminder_fees=True,
    flat_damages=True,
    collection_costs_after_fourteen_day_letter=False,
    max_contract_term_days=None,
    first_reminder_must_state=(
        "creditor name and enterprise number",
        "balance due",
        "product or service",
        "due date",
        "damages that will be claimed",
        "deadline of at least 14 calendar days",
    ),
    notes=(
        "Nothing beyond the balance until the free first reminder's deadline has expired.",
        "Interest and damages only if the contract stipulates them; figures are maxima.",
        "Interest runs from the day after the first reminder was sent for an SME creditor, "
        "from the day after its deadline otherwise (verify).",
        "Regular supply contracts: the reminders for three missed due dates a year are free "
        "(not modelled here).",
    ),
)

NL_B2B = RulePack(
    code="NL_B2B",
    title="Netherlands B2B (BW 6:119a wettelijke handelsrente, 6:96 lid 4)",
    interest_method="compound_yearly",
    rate_series="nl_commercial",
    fixed_compensation_per_invoice=True,
    first_reminder_free=False,
    min_days_after_first_reminder=None,
    later_reminder_fees=False,
    flat_damages=False,
    collection_costs_after_fourteen_day_letter=False,
    max_contract_term_days=60,
    notes=(
        "Interest from the day after the due date, compounded yearly.",
        "Minimum EUR 40 collection costs per invoice, due without a reminder.",
        "Large company paying an SME: 30 days maximum term.",
    ),
)

NL_B2C = RulePack(
    code="NL_B2C",
    title="Netherlands B2C (BW 6:119 wettelijke rente, 6:96 lid 5-6 WIK)",
    interest_method="compound_yearly",
    rate_series="nl_consumer",
    fixed_compensation_per_invoice=False,
    first_reminder_free=False,
    min_days_after_first_reminder=None,
    later_reminder_fees=False,
    flat_damages=False,
    collection_costs_after_fourteen_day_letter=True,
    max_contract_term_days=None,
    notes=(
        "Interest only while in default; from the day after the due date when that date is a "
        "fixed term (BW 6:83 a).",
        "Collection costs (WIK scale) only after an expired 14-day letter, on the sum of all "
        "open claims in that one letter.",
    ),
)

EU_DEFAULT = RulePack(
    code="EU_DEFAULT",
    title="EU default (Directive 2011/7/EU, B2B and public authorities)",
    interest_method="simple",
    rate_series="eu_default",
    fixed_compensation_per_invoice=True,
    first_reminder_free=False,
    min_days_after_first_reminder=None,
    later_reminder_fees=False,
    flat_damages=False,
    collection_costs_after_fourteen_day_letter=False,
    max_contract_term_days=60,
    notes=(
        "ECB main refinancing rate + 8 points, simple interest from the day after the due date.",
        "EUR 40 per late invoice plus reasonable further recovery costs.",
        "Default term 30 days after receipt; above 60 days only if expressly agreed.",
    ),
)

PACKS: dict[tuple[str, Kind], RulePack] = {
    ("BE", "B2B"): BE_B2B,
    ("BE", "B2C"): BE_B2C,
    ("NL", "B2B"): NL_B2B,
    ("NL", "B2C"): NL_B2C,
}


def select_pack(country: str, kind: Kind) -> RulePack:
    """The pack for a debtor's country (ISO 3166 alpha-2) and kind; outside BE/NL the EU
    directive defaults apply."""
    if kind not in ("B2B", "B2C"):
        raise ValueError(f"unknown debtor kind {kind!r}: 'B2B' or 'B2C'")
    return PACKS.get((country.strip().upper(), kind), EU_DEFAULT)


@dataclass(frozen=True, slots=True)
class OverdueItem:
    invoice_number: str
    due_date: date
    open_amount: Money


@dataclass(frozen=True, slots=True)
class FirstReminder:
    """When and how the (BE B2C free) first reminder went out."""

    sent_on: date
    channel: Channel


@dataclass(frozen=True, slots=True)
class ClaimLine:
    kind: LineKind
    invoice_number: str | None  # None: a line for the whole claim (WIK costs, reminder fees)
    amount: Money
    explanation: str
    interest: InterestResult | None = None
    fee: Amount | None = None

    @property
    def verify(self) -> bool:
        """The amount rests on data marked (verify)."""
        if self.interest is not None:
            return self.interest.verify
        return self.fee.verify if self.fee is not None else False


@dataclass(frozen=True, slots=True)
class Claim:
    pack: str
    as_of: date
    lines: tuple[ClaimLine, ...]
    notes: tuple[str, ...]  # why something was not claimed

    def lines_for(self, invoice_number: str | None) -> tuple[ClaimLine, ...]:
        return tuple(line for line in self.lines if line.invoice_number == invoice_number)

    def line(self, kind: LineKind, invoice_number: str | None = None) -> ClaimLine | None:
        found = [
            line
            for line in self.lines
            if line.kind == kind and line.invoice_number == invoice_number
        ]
        return found[0] if found else None

    def totals(self) -> dict[str, Money]:
        """One total per currency (the EUR 40 stays EUR on a USD invoice), never mixed."""
        result: dict[str, Money] = {}
        for line in self.lines:
            currency = line.amount.currency
            result[currency] = result.get(currency, Money.zero(currency)) + line.amount
        return {currency: result[currency].rounded() for currency in sorted(result)}

    def total(self, currency: str = "EUR") -> Money:
        return self.totals().get(currency, Money.zero(currency).rounded())

    @property
    def verify(self) -> bool:
        return any(line.verify for line in self.lines)


def _interest_line(pack: RulePack, item: OverdueItem, start: date, as_of: date) -> ClaimLine:
    result = pack.interest(item.open_amount, start, as_of)
    return ClaimLine(
        kind="interest",
        invoice_number=item.invoice_number,
        amount=result.amount,
        explanation=result.explanation(),
        interest=result,
    )


def _fee_line(kind: LineKind, invoice_number: str | None, fee: Amount) -> ClaimLine:
    return ClaimLine(
        kind=kind,
        invoice_number=invoice_number,
        amount=fee.amount,
        explanation=fee.explanation(),
        fee=fee,
    )


def _be_b2c_interest_start(
    item: OverdueItem, first_reminder: FirstReminder, creditor_is_sme: bool
) -> date:
    """The day after which BE B2C interest runs: the sending day of the first reminder for an
    SME creditor, the end of its deadline for others (never before the due date)."""
    if creditor_is_sme:
        after = first_reminder.sent_on
    else:
        after = be_b2c_deadline(first_reminder.sent_on, first_reminder.channel)
    return max(item.due_date, after)


def claim_for(
    pack: RulePack,
    items: Sequence[OverdueItem],
    as_of: date,
    fourteen_day_letter_expired: bool,
    reminders_sent: int,
    *,
    first_reminder: FirstReminder | None = None,
    creditor_is_sme: bool = False,
) -> Claim:
    """What may be claimed on ``as_of`` under ``pack`` for ``items``: per invoice the open
    amount, interest up to and including ``as_of`` (with its periods), the fixed compensation or
    flat damages; per claim the reminder fees (BE B2C) and the WIK costs (NL B2C, on the sum of
    all open claims).

    ``fourteen_day_letter_expired``: NL B2C, the 14-day letter's term has passed; BE B2C, the
    free first reminder's deadline has passed (before that nothing beyond the balance may be
    claimed). ``reminders_sent`` counts reminders including the first. ``first_reminder`` (BE
    B2C) dates the interest; without it BE B2C interest is left out and a note says why.
    Items not yet due on ``as_of`` or with nothing open are left out, with a note.
    """
    if reminders_sent < 0:
        raise ValueError("reminders_sent cannot be negative")
    lines: list[ClaimLine] = []
    notes: list[str] = []
    due: list[OverdueItem] = []
    for item in sorted(items, key=lambda i: (i.due_date, i.invoice_number)):
        if item.open_amount.amount <= 0:
            notes.append(f"{item.invoice_number}: nothing open")
        elif item.due_date >= as_of:
            notes.append(f"{item.invoice_number}: not overdue on {as_of} (due {item.due_date})")
        else:
            due.append(item)

    consumer_waiting = pack.first_reminder_free and not fourteen_day_letter_expired
    if consumer_waiting:
        notes.append(
            "first reminder is free: nothing beyond the balance may be claimed before its "
            f"deadline of at least {pack.min_days_after_first_reminder} days has expired"
        )
    if pack.flat_damages and not consumer_waiting and first_reminder is None:
        notes.append("interest left out: it runs from the first reminder, whose date is unknown")

    for item in due:
        number = item.invoice_number
        lines.append(
            ClaimLine(
                kind="principal",
                invoice_number=number,
                amount=item.open_amount,
                explanation=f"open amount of {number}, due {item.due_date}",
            )
        )
        if consumer_waiting:
            continue
        if not pack.first_reminder_free:
            lines.append(_interest_line(pack, item, item.due_date, as_of))
        elif first_reminder is not None:
            start = _be_b2c_interest_start(item, first_reminder, creditor_is_sme)
            lines.append(_interest_line(pack, item, start, as_of))
        if pack.fixed_compensation_per_invoice:
            fee = fixed_compensation_b2b(on=item.due_date + ONE_DAY)
            lines.append(_fee_line("compensation", number, fee))
        if pack.flat_damages:
            lines.append(_fee_line("damages", number, be_b2c_max_damages(item.open_amount, as_of)))

    if pack.later_reminder_fees and not consumer_waiting and reminders_sent > 1:
        lines.append(
            _fee_line("reminder_fees", None, be_b2c_reminder_fees(reminders_sent - 1, as_of))
        )

    if pack.collection_costs_after_fourteen_day_letter and due:
        if fourteen_day_letter_expired:
            currency = due[0].open_amount.currency
            principal = total((item.open_amount for item in due), currency)
            lines.append(_fee_line("collection_costs", None, nl_wik_costs(principal, as_of)))
        else:
            notes.append("collection costs (WIK) only after an expired 14-day letter")

    return Claim(pack=pack.code, as_of=as_of, lines=tuple(lines), notes=tuple(notes))

"""Which charges each legal pack allows at which step, in which combination, and why.

This table is the one place that says it. ``claim_for`` computes the statutory maximum of every
charge; ``reminders.compose`` keeps the charges this table allows on the business date, leaves
out the ones another charge excludes, and announces in a consumer's first claim what will be
claimed once its term has passed. The figures themselves are effective-dated data
(``rates.json``, ``amounts.json``); the kinds are the published vocabulary
(``contracts.letters.ChargeKind``) that letters name with the law's own words.

Stages: ``due_date`` — from the day after the due date, without a reminder (B2B, and NL
consumer interest on a fixed due date); ``first_claim_term`` — only after the term of the
consumer's first claim has expired (BE free first reminder, NL 14-day letter).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from contracts.letters import ChargeKind

Stage = Literal["due_date", "first_claim_term"]
Per = Literal["invoice", "claim"]


@dataclass(frozen=True, slots=True)
class ChargeRule:
    kind: ChargeKind
    per: Per
    from_stage: Stage
    source: str
    not_with: tuple[ChargeKind, ...] = ()  # never claimed together with these
    announced: bool = False  # stated, with its amount, in the consumer's first claim
    verify: bool = False  # the reading of the source is to be confirmed by counsel


ACT_2002 = "BE Act of 2 August 2002 on late payment in commercial transactions"
BOOK_XIX = "BE Code of Economic Law, Book XIX (consumer debts), in force 1 September 2023"

COSTS: Mapping[str, tuple[ChargeRule, ...]] = {
    "BE_B2B": (
        ChargeRule(
            "interest",
            "invoice",
            "due_date",
            f"{ACT_2002}, art. 5: ECB rate + 8 points rounded up to the next half point, "
            "by operation of law from the day after the due date",
        ),
        ChargeRule(
            "fixed_compensation",
            "invoice",
            "due_date",
            f"{ACT_2002}, art. 6: EUR 40 per invoice as soon as interest is due",
        ),
        ChargeRule(
            "administrative_costs",
            "claim",
            "due_date",
            f"{ACT_2002}, art. 6: further reasonable recovery costs (the policy's step fees)",
        ),
    ),
    "BE_B2C": (
        ChargeRule(
            "interest",
            "invoice",
            "first_claim_term",
            f"{BOOK_XIX}, art. XIX.4: late-payment interest as agreed, at most the rate of the "
            f"{ACT_2002}; nothing before the free first reminder's term has expired",
            announced=True,
        ),
        ChargeRule(
            "flat_damages",
            "invoice",
            "first_claim_term",
            f"{BOOK_XIX}, art. XIX.4: flat damages on the balance (EUR 20 up to 150; 30 + 10 % "
            "above 150 up to 500; 65 + 5 % above 500, at most 2,000) once the term has expired",
            announced=True,
        ),
        ChargeRule(
            "reminder_costs",
            "claim",
            "first_claim_term",
            f"{BOOK_XIX}: at most EUR 7.50 plus postage per reminder after the free first one; "
            "no other compensation beside the flat damages, so never together with them",
            not_with=("flat_damages",),
            verify=True,
        ),
    ),
    "NL_B2B": (
        ChargeRule(
            "interest",
            "invoice",
            "due_date",
            "NL BW 6:119a: wettelijke handelsrente from the day after the due date, "
            "compounded yearly",
        ),
        ChargeRule(
            "fixed_compensation",
            "invoice",
            "due_date",
            "NL BW 6:96 lid 4: at least EUR 40 collection costs per invoice, without a reminder",
        ),
    ),
    "NL_B2C": (
        ChargeRule(
            "interest",
            "invoice",
            "due_date",
            "NL BW 6:119 and 6:83 a: wettelijke rente from the day after a fixed due date, "
            "compounded yearly",
        ),
        ChargeRule(
            "collection_costs",
            "claim",
            "first_claim_term",
            "NL BW 6:96 lid 5-6 and Besluit vergoeding voor buitengerechtelijke incassokosten: "
            "the WIK scale on the sum of the claims, only after the 14-day letter's term",
            announced=True,
        ),
    ),
    "EU_DEFAULT": (
        ChargeRule(
            "interest",
            "invoice",
            "due_date",
            "Directive 2011/7/EU art. 3: ECB rate + 8 points from the day after the due date",
        ),
        ChargeRule(
            "fixed_compensation",
            "invoice",
            "due_date",
            "Directive 2011/7/EU art. 6: EUR 40 per late invoice",
        ),
        ChargeRule(
            "administrative_costs",
            "claim",
            "due_date",
            "Directive 2011/7/EU art. 6(3): further reasonable recovery costs (policy fees)",
        ),
    ),
}


def rules_for(pack: str) -> tuple[ChargeRule, ...]:
    return COSTS.get(pack, COSTS["EU_DEFAULT"])


def rule_for(pack: str, kind: ChargeKind) -> ChargeRule | None:
    return next((rule for rule in rules_for(pack) if rule.kind == kind), None)


def allowed(pack: str, kind: ChargeKind, *, term_expired: bool) -> bool:
    """May ``kind`` be claimed under ``pack`` now (``term_expired``: the consumer's first
    claim's term has passed; always true where the pack has no such term)?"""
    rule = rule_for(pack, kind)
    if rule is None:
        return False
    return rule.from_stage == "due_date" or term_expired


def excluded_by(pack: str, kind: ChargeKind, claimed: set[ChargeKind]) -> ChargeKind | None:
    """The charge already claimed that ``kind`` may not be combined with, if any."""
    rule = rule_for(pack, kind)
    if rule is None:
        return None
    return next((other for other in rule.not_with if other in claimed), None)


def announced_kinds(pack: str) -> tuple[ChargeKind, ...]:
    return tuple(rule.kind for rule in rules_for(pack) if rule.announced)


def source_of(pack: str, kind: ChargeKind) -> str:
    rule = rule_for(pack, kind)
    return rule.source if rule is not None else "not provided for by this pack"

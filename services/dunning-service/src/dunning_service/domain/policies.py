"""Dunning policies: per tenant, versioned, effective-dated sequences of steps.

A step happens ``offset_days`` after the invoice's due date (negative: a pre-due reminder) or
after the previous step. Each step names an action, a template, a fee and a final term. A
policy also states the minimum open amount per currency below which an item is left alone.

The gap a step must keep before the next one (its final term, and for consumers the statutory
waiting period of the first claim) is derived here, once, when a version is saved, so that the
daily sweep can compute every next step date in SQL. Pure logic: no database, no clock.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Literal

from contracts.dunning import Action, Channel, PackName
from contracts.letters import template_spec, unknown_key_reason
from dunning_service.domain.legal import be_b2c_deadline, nl_fourteen_day_deadline

RelativeTo = Literal["due_date", "previous_step"]

ACTIONS: tuple[Action, ...] = (
    "pre_due_reminder",
    "reminder",
    "letter",
    "sms",
    "phone_call",
    "formal_notice",
    "agency_handover",
)
DEFAULT_CHANNEL: Mapping[Action, Channel] = {
    "pre_due_reminder": "email",
    "reminder": "email",
    "letter": "letter",
    "sms": "sms",
    "phone_call": "phone",
    "formal_notice": "letter",
    "agency_handover": "agency",
}
# Steps that claim the money (and may carry interest and fees); a pre-due reminder, a phone
# call and the hand-over are not claims addressed to the debtor.
CLAIM_ACTIONS: frozenset[str] = frozenset({"reminder", "letter", "sms", "formal_notice"})
BUILTIN_TENANT = "*"  # shipped policies are visible to every tenant
MAX_STEPS = 20
MAX_OFFSET_DAYS = 3650
# Public holidays can move a consumer's term by up to two more days (Christmas and Boxing Day).
HOLIDAY_MARGIN_DAYS = 2


@dataclass(frozen=True, slots=True)
class PolicyProblem:
    field: str
    reason: str


class InvalidPolicy(ValueError):
    def __init__(self, problems: Sequence[PolicyProblem]) -> None:
        super().__init__("; ".join(f"{p.field}: {p.reason}" for p in problems))
        self.problems = list(problems)


@dataclass(frozen=True, slots=True)
class PolicyStep:
    action: Action
    offset_days: int
    relative_to: RelativeTo = "due_date"
    template_key: str = ""
    channel: Channel | None = None
    fee: Decimal = Decimal("0.00")
    final_term_days: int = 0
    approval_required: bool = False
    agency: str | None = None

    @property
    def effective_channel(self) -> Channel:
        return self.channel or DEFAULT_CHANNEL[self.action]

    @property
    def is_claim(self) -> bool:
        return self.action in CLAIM_ACTIONS


@dataclass(frozen=True, slots=True)
class Policy:
    policy_id: str
    name: str
    steps: tuple[PolicyStep, ...]
    effective_from: date
    version: int = 1
    tenant_id: str = BUILTIN_TENANT
    currency: str = "EUR"  # the currency of the step fees
    minimum_amounts: Mapping[str, Decimal] = field(default_factory=dict)
    claim_interest: bool = True
    claim_costs: bool = True

    def step(self, number: int) -> PolicyStep:
        """Steps are numbered from 1."""
        return self.steps[number - 1]

    @property
    def first_claim_step(self) -> int | None:
        for number, step in enumerate(self.steps, start=1):
            if step.is_claim:
                return number
        return None

    def formal_notice_step(self) -> int | None:
        for number, step in enumerate(self.steps, start=1):
            if step.action == "formal_notice":
                return number
        return None

    def cumulative_fees(self, up_to_step: int) -> Decimal:
        """The policy fees of the claim steps 1..``up_to_step``."""
        return sum((s.fee for s in self.steps[:up_to_step] if s.is_claim), Decimal("0.00"))

    def gaps(self, number: int) -> tuple[int, int]:
        """Minimum days between step ``number`` and the next: for business debtors (the final
        term, plus one day) and for consumers (also the statutory waiting period when the step
        is the first claim: BE Book XIX's 14 days, the NL 14-day letter)."""
        step = self.step(number)
        business = step.final_term_days + 1 if step.final_term_days else 1
        consumer = business
        if number == self.first_claim_step:
            consumer = max(business, consumer_waiting_days(step.effective_channel) + 1)
        return business, consumer


def consumer_waiting_days(channel: Channel) -> int:
    """The longest a BE B2C first reminder's deadline or an NL 14-day letter's deadline can lie
    after the sending day, over every weekday it can be sent on (weekends move deadlines)."""
    legal_channel: Literal["email", "letter"] = "letter" if channel == "letter" else "email"
    monday = date(2024, 1, 1)
    longest = 0
    for weekday in range(7):
        sent = monday + timedelta(days=weekday)
        for deadline in (be_b2c_deadline(sent, legal_channel), nl_fourteen_day_deadline(sent)):
            longest = max(longest, (deadline - sent).days)
    return longest + HOLIDAY_MARGIN_DAYS


def validate(policy: Policy) -> list[PolicyProblem]:
    """Every finding at once."""
    problems: list[PolicyProblem] = []
    if not policy.steps:
        problems.append(PolicyProblem("steps", "a policy needs at least one step"))
    if len(policy.steps) > MAX_STEPS:
        problems.append(PolicyProblem("steps", f"at most {MAX_STEPS} steps"))
    previous_anchor: int | None = None
    for i, step in enumerate(policy.steps):
        where = f"steps[{i}]"
        if step.action not in ACTIONS:
            problems.append(PolicyProblem(f"{where}.action", f"unknown action {step.action!r}"))
        if abs(step.offset_days) > MAX_OFFSET_DAYS:
            problems.append(PolicyProblem(f"{where}.offset_days", "more than ten years"))
        if step.relative_to == "previous_step":
            if i == 0:
                problems.append(
                    PolicyProblem(f"{where}.relative_to", "the first step has no previous step")
                )
            elif step.offset_days < 1:
                problems.append(
                    PolicyProblem(f"{where}.offset_days", "must be at least 1 after a step")
                )
        elif previous_anchor is not None and step.offset_days <= previous_anchor:
            problems.append(
                PolicyProblem(
                    f"{where}.offset_days",
                    f"must come after the previous step (day {previous_anchor} after the due date)",
                )
            )
        if step.relative_to == "due_date":
            previous_anchor = step.offset_days
        elif previous_anchor is not None:
            previous_anchor += step.offset_days
        if step.action == "pre_due_reminder" and not (
            step.relative_to == "due_date" and step.offset_days < 0
        ):
            problems.append(
                PolicyProblem(
                    f"{where}.offset_days", "a pre-due reminder comes before the due date"
                )
            )
        if (
            step.action != "pre_due_reminder"
            and step.relative_to == "due_date"
            and (step.offset_days < 1)
        ):
            problems.append(
                PolicyProblem(
                    f"{where}.offset_days", "only a pre-due reminder comes before the due date"
                )
            )
        spec = template_spec(step.template_key)
        if spec is None:
            problems.append(
                PolicyProblem(f"{where}.template_key", unknown_key_reason(step.template_key))
            )
        elif step.action not in spec.actions:
            problems.append(
                PolicyProblem(
                    f"{where}.template_key",
                    f"{step.template_key!r} is not for a {step.action} step "
                    f"(it is for: {', '.join(spec.actions) or 'no policy step'})",
                )
            )
        if step.fee < 0:
            problems.append(PolicyProblem(f"{where}.fee", "cannot be negative"))
        if step.fee and not step.is_claim:
            problems.append(PolicyProblem(f"{where}.fee", f"a {step.action} step carries no fee"))
        if step.final_term_days < 0 or step.final_term_days > 365:
            problems.append(PolicyProblem(f"{where}.final_term_days", "between 0 and 365"))
        if step.approval_required and step.action == "pre_due_reminder":
            problems.append(
                PolicyProblem(f"{where}.approval_required", "a pre-due reminder needs no approval")
            )
        if step.action == "agency_handover" and i != len(policy.steps) - 1:
            problems.append(PolicyProblem(f"{where}.action", "the hand-over must be the last step"))
    for currency, amount in policy.minimum_amounts.items():
        if amount < 0:
            problems.append(PolicyProblem(f"minimum_amounts.{currency}", "cannot be negative"))
    return problems


# --- shipped defaults, one per legal pack ----------------------------------------------------

DEFAULTS_EFFECTIVE_FROM = date(2023, 9, 1)  # BE Book XIX in force
# Version 2: template keys from the published vocabulary (contracts.letters), no BE consumer
# reminder fee next to the Book XIX damages. Version 1 stays stored for the cases that use it.
DEFAULTS_VERSION = 2
DEFAULT_MINIMUM = {"EUR": Decimal("5.00"), "USD": Decimal("5.00"), "GBP": Decimal("5.00")}


def _business_steps() -> tuple[PolicyStep, ...]:
    return (
        PolicyStep("pre_due_reminder", -5, template_key="pre_due_reminder"),
        PolicyStep("reminder", 3, template_key="first_reminder", final_term_days=8),
        PolicyStep("reminder", 17, template_key="second_reminder", final_term_days=6),
        PolicyStep("phone_call", 24, template_key="phone_call"),
        PolicyStep(
            "formal_notice",
            35,
            template_key="formal_notice",
            final_term_days=10,
            approval_required=True,
        ),
        PolicyStep("agency_handover", 50, template_key="handover_notice", agency="default-agency"),
    )


def _be_b2c_steps() -> tuple[PolicyStep, ...]:
    # The first reminder is free and gives at least 14 days; the next step waits for them.
    return (
        PolicyStep("pre_due_reminder", -5, template_key="pre_due_reminder"),
        PolicyStep("reminder", 3, template_key="be_b2c_first_reminder", final_term_days=14),
        # No reminder fee: the Book XIX flat damages claimed from here on cover the costs of
        # recovery (see legal/costs.py).
        PolicyStep("reminder", 22, template_key="second_reminder", final_term_days=6),
        PolicyStep("phone_call", 29, template_key="phone_call"),
        PolicyStep(
            "formal_notice",
            40,
            template_key="formal_notice",
            final_term_days=10,
            approval_required=True,
        ),
        PolicyStep("agency_handover", 55, template_key="handover_notice", agency="default-agency"),
    )


def _nl_b2c_steps() -> tuple[PolicyStep, ...]:
    # The first claim is the 14-day letter: no collection costs before its term has run out.
    return (
        PolicyStep("pre_due_reminder", -5, template_key="pre_due_reminder"),
        PolicyStep("reminder", 3, template_key="nl_b2c_fourteen_day_letter", final_term_days=14),
        PolicyStep("reminder", 22, template_key="second_reminder", final_term_days=6),
        PolicyStep("phone_call", 29, template_key="phone_call"),
        PolicyStep(
            "formal_notice",
            38,
            template_key="formal_notice",
            final_term_days=10,
            approval_required=True,
        ),
        PolicyStep("agency_handover", 53, template_key="handover_notice", agency="default-agency"),
    )


def default_policy_id(pack: PackName | str) -> str:
    return f"default-{pack}"


def default_policies() -> list[Policy]:
    steps: dict[PackName, tuple[PolicyStep, ...]] = {
        "BE_B2B": _business_steps(),
        "BE_B2C": _be_b2c_steps(),
        "NL_B2B": _business_steps(),
        "NL_B2C": _nl_b2c_steps(),
        "EU_DEFAULT": _business_steps(),
    }
    return [
        Policy(
            policy_id=default_policy_id(pack),
            name=f"Default cadence ({pack})",
            steps=pack_steps,
            effective_from=DEFAULTS_EFFECTIVE_FROM,
            version=DEFAULTS_VERSION,
            minimum_amounts=dict(DEFAULT_MINIMUM),
        )
        for pack, pack_steps in steps.items()
    ]

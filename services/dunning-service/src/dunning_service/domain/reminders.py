"""What one dunning step says to a debtor: the due items it groups, with the interest and fees
the legal pack allows on the business date, each amount with its explanation, the totals per
currency and the deadline. Pure logic over the legal packs: no database, no clock.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from contracts.dunning import Explanation, ReminderItem, ReminderTotals
from dunning_service.domain.legal import (
    Claim,
    ClaimLine,
    FirstReminder,
    Money,
    OverdueItem,
    RulePack,
    be_b2c_deadline,
    claim_for,
    nl_fourteen_day_deadline,
)
from dunning_service.domain.policies import Policy, PolicyStep

ZERO = Decimal("0.00")
ITEM_FEE_KINDS = frozenset({"compensation", "damages"})
COST_KINDS = frozenset({"compensation", "damages", "reminder_fees", "collection_costs"})


@dataclass(frozen=True, slots=True)
class DueItem:
    """An item as the sweep found it, with what dunning already did to it."""

    invoice_number: str
    issue_date: date
    due_date: date
    currency: str
    open_amount: Decimal
    first_claim_on: date | None = None
    first_claim_channel: str | None = None
    claims_sent: int = 0  # claim steps done before this one


@dataclass(frozen=True, slots=True)
class ComposedReminder:
    items: list[ReminderItem]
    totals: list[ReminderTotals]
    legal_notes: list[str]
    deadline: date | None
    skipped: list[str]  # invoice numbers the step no longer fits (a pre-due reminder once due)

    @property
    def empty(self) -> bool:
        return not self.items


def first_claim_deadline(pack: RulePack, sent_on: date, channel: str) -> date | None:
    """The statutory deadline of a consumer's first claim (BE free first reminder, NL 14-day
    letter); None where the pack sets none."""
    if pack.first_reminder_free:
        return be_b2c_deadline(sent_on, "letter" if channel == "letter" else "email")
    if pack.collection_costs_after_fourteen_day_letter:
        return nl_fourteen_day_deadline(sent_on)
    return None


def step_deadline(
    pack: RulePack, step: PolicyStep, business_date: date, *, first_claim: bool
) -> date | None:
    deadline = (
        business_date + timedelta(days=step.final_term_days) if step.final_term_days else None
    )
    if first_claim:
        legal = first_claim_deadline(pack, business_date, step.effective_channel)
        if legal is not None and (deadline is None or legal > deadline):
            deadline = legal
    return deadline


@dataclass(frozen=True, slots=True)
class _History:
    first_claim_on: date | None
    first_claim_channel: str | None
    claims_sent: int


def _history(item: DueItem, step: PolicyStep, business_date: date) -> _History:
    """The item's legal history including this step."""
    first_on, first_channel = item.first_claim_on, item.first_claim_channel
    sent = item.claims_sent
    if step.is_claim:
        sent += 1
        if first_on is None:
            first_on, first_channel = business_date, step.effective_channel
    return _History(first_on, first_channel, sent)


def _waiting_over(pack: RulePack, history: _History, business_date: date) -> bool:
    if history.first_claim_on is None:
        return False
    deadline = first_claim_deadline(
        pack, history.first_claim_on, history.first_claim_channel or "email"
    )
    return deadline is not None and deadline < business_date


def _explanation(line: ClaimLine) -> Explanation:
    if line.interest is not None:
        rule = f"statutory interest ({line.interest.method})"
    elif line.fee is not None:
        rule = line.fee.rule
    else:
        rule = line.kind
    detail = line.explanation + (" [rate or amount marked verify]" if line.verify else "")
    return Explanation(rule=rule, detail=detail, amount=line.amount.rounded().amount)


def _policy_fee_line(
    pack: RulePack, policy: Policy, step_number: int, claim: Claim
) -> tuple[Money | None, str | None]:
    """The policy's own step fees (claim level), as far as the pack allows them."""
    cumulative = policy.cumulative_fees(step_number)
    if cumulative <= 0:
        return None, None
    currency = policy.currency
    if pack.collection_costs_after_fourteen_day_letter:
        return None, (
            f"policy fees of {currency} {cumulative} not claimed: NL consumers owe only the WIK "
            "collection costs"
        )
    if pack.later_reminder_fees:
        statutory = claim.line("reminder_fees")
        if statutory is None:
            return None, "policy fees not claimed: the first reminder is free"
        amount = min(statutory.amount.amount, cumulative)
        return Money(amount, currency), (
            f"reminder fees {currency} {amount:.2f}: policy fees {cumulative} within the "
            f"statutory cap ({statutory.explanation.splitlines()[0]})"
        )
    steps = [
        f"step {n} {s.action} {s.fee}"
        for n, s in enumerate(policy.steps[:step_number], start=1)
        if s.is_claim and s.fee
    ]
    note = f"administrative fees per policy {policy.policy_id} v{policy.version}: " + ", ".join(
        steps
    )
    return Money(cumulative, currency), note


def compose(
    pack: RulePack,
    policy: Policy,
    step_number: int,
    items: Sequence[DueItem],
    business_date: date,
    *,
    creditor_is_sme: bool = False,
) -> ComposedReminder:
    """The reminder of step ``step_number`` for ``items`` (one debtor) on ``business_date``."""
    step = policy.step(step_number)
    skipped: list[str] = []
    kept: list[DueItem] = []
    for item in sorted(items, key=lambda i: (i.due_date, i.invoice_number)):
        if (
            step.action == "pre_due_reminder" and item.due_date <= business_date
        ) or item.open_amount <= 0:
            skipped.append(item.invoice_number)
        else:
            kept.append(item)

    # Items with the same legal history share one claim (WIK is computed on their sum).
    partitions: dict[_History, list[DueItem]] = defaultdict(list)
    for item in kept:
        partitions[_history(item, step, business_date)].append(item)
    claims: list[Claim] = []
    for history, members in partitions.items():
        first = (
            FirstReminder(
                sent_on=history.first_claim_on,
                channel="letter" if history.first_claim_channel == "letter" else "email",
            )
            if history.first_claim_on is not None
            else None
        )
        claims.append(
            claim_for(
                pack,
                [
                    OverdueItem(m.invoice_number, m.due_date, Money(m.open_amount, m.currency))
                    for m in members
                ],
                business_date,
                _waiting_over(pack, history, business_date),
                history.claims_sent,
                first_reminder=first,
                creditor_is_sme=creditor_is_sme,
            )
        )

    notes: list[str] = []
    claim_level: list[tuple[Money, str]] = []
    by_item: dict[str, list[ClaimLine]] = defaultdict(list)
    for claim in claims:
        for note in claim.notes:
            if note not in notes:
                notes.append(note)
        for line in claim.lines:
            if line.kind == "interest" and not policy.claim_interest:
                continue
            if line.kind in COST_KINDS and not policy.claim_costs:
                continue
            if line.kind == "reminder_fees":
                continue  # applied through the policy's fees below
            if line.invoice_number is None:
                claim_level.append(
                    (line.amount.rounded(), f"{_explanation(line).rule}: {line.explanation}")
                )
            else:
                by_item[line.invoice_number].append(line)
    if policy.claim_costs and claims:
        # The fees of the claim steps so far (a phone call or the hand-over states them too),
        # once per reminder whatever the partitions: a fee is the reminder's, not an item's.
        fee, fee_note = _policy_fee_line(pack, policy, step_number, claims[0])
        if fee is not None and fee_note is not None:
            claim_level.append((fee.rounded(), fee_note))
        elif fee_note is not None:
            notes.append(fee_note)
    if not policy.claim_interest:
        notes.append("interest not claimed under this policy")

    reminder_items: list[ReminderItem] = []
    for item in kept:
        lines = by_item.get(item.invoice_number, [])
        interest = sum((ln.amount.amount for ln in lines if ln.kind == "interest"), ZERO)
        fees = sum((ln.amount.amount for ln in lines if ln.kind in ITEM_FEE_KINDS), ZERO)
        reminder_items.append(
            ReminderItem(
                invoice_number=item.invoice_number,
                issue_date=item.issue_date,
                due_date=item.due_date,
                days_overdue=max((business_date - item.due_date).days, 0),
                currency=item.currency,
                open_amount=item.open_amount,
                interest=interest,
                fees=fees,
                explanations=[_explanation(ln) for ln in lines if ln.kind != "principal"],
            )
        )

    totals = _totals(reminder_items, claim_level)
    for amount, text in claim_level:
        notes.append(f"{amount}: {text}")
    first_claim = step.is_claim and all(i.first_claim_on is None for i in kept)
    deadline = step_deadline(pack, step, business_date, first_claim=first_claim)
    if first_claim and pack.first_reminder_must_state:
        notes.append("this first reminder states: " + "; ".join(pack.first_reminder_must_state))
    return ComposedReminder(
        items=reminder_items,
        totals=totals,
        legal_notes=notes,
        deadline=deadline,
        skipped=skipped,
    )


def _totals(
    items: Sequence[ReminderItem], claim_level: Sequence[tuple[Money, str]]
) -> list[ReminderTotals]:
    principal: dict[str, Decimal] = defaultdict(lambda: ZERO)
    interest: dict[str, Decimal] = defaultdict(lambda: ZERO)
    fees: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for item in items:
        principal[item.currency] += item.open_amount
        interest[item.currency] += item.interest
        fees[item.currency] += item.fees
    if items:
        for amount, _text in claim_level:
            fees[amount.currency] += amount.amount
    currencies = sorted(set(principal) | set(fees))
    return [
        ReminderTotals(
            currency=c,
            principal=principal[c],
            interest=interest[c],
            fees=fees[c],
            total=principal[c] + interest[c] + fees[c],
        )
        for c in currencies
    ]

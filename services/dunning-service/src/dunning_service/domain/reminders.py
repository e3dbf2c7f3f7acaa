"""What one dunning step says to a debtor: the due items it groups, with the interest and fees
the legal pack allows on the business date, each amount with its explanation, the totals per
currency and the deadline. Pure logic over the legal packs: no database, no clock.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from contracts.calendar import COUNTRIES, holidays_around
from contracts.dunning import Charge, Explanation, ReminderItem, ReminderTotals
from contracts.letters import ChargeKind, LegalStepKind, template_spec
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
from dunning_service.domain.legal.costs import (
    allowed,
    announced_kinds,
    excluded_by,
    source_of,
)
from dunning_service.domain.legal.deadlines import on_or_next_working_day
from dunning_service.domain.policies import Policy, PolicyStep

ZERO = Decimal("0.00")
ITEM_FEE_KINDS = frozenset({"compensation", "damages"})
COST_KINDS = frozenset({"compensation", "damages", "reminder_fees", "collection_costs"})
# A claim line's kind as the published charge vocabulary names it.
CHARGE_OF: dict[str, ChargeKind] = {
    "interest": "interest",
    "compensation": "fixed_compensation",
    "damages": "flat_damages",
    "reminder_fees": "reminder_costs",
    "collection_costs": "collection_costs",
}


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
    charges: list[Charge] = field(default_factory=list)
    announced: list[Charge] = field(default_factory=list)
    reminders_before: int = 0
    step_kind: LegalStepKind | None = None

    @property
    def empty(self) -> bool:
        return not self.items


def holidays_for(pack: RulePack, around: date) -> frozenset[date]:
    """The public holidays that move the pack's deadlines (BE or NL; both for the EU default)."""
    countries = [pack.code[:2]] if pack.code[:2] in COUNTRIES else list(COUNTRIES)
    found: frozenset[date] = frozenset()
    for country in countries:
        found |= holidays_around(country, around)
    return found


def first_claim_deadline(
    pack: RulePack, sent_on: date, channel: str, holidays: Collection[date] = ()
) -> date | None:
    """The statutory deadline of a consumer's first claim (BE free first reminder, NL 14-day
    letter); None where the pack sets none."""
    holidays = holidays or holidays_for(pack, sent_on)
    if pack.first_reminder_free:
        return be_b2c_deadline(sent_on, "letter" if channel == "letter" else "email", holidays)
    if pack.collection_costs_after_fourteen_day_letter:
        return nl_fourteen_day_deadline(sent_on, holidays)
    return None


def step_deadline(
    pack: RulePack,
    step: PolicyStep,
    business_date: date,
    *,
    first_claim: bool,
    holidays: Collection[date] = (),
) -> date | None:
    """The step's payment term: its final term days, for a consumer's first claim at least the
    statutory term; a term never ends on a weekend or public holiday (BE Judicial Code art. 53,
    NL Algemene termijnenwet): it moves to the next working day."""
    holidays = holidays or holidays_for(pack, business_date)
    deadline = (
        business_date + timedelta(days=step.final_term_days) if step.final_term_days else None
    )
    if first_claim:
        legal = first_claim_deadline(pack, business_date, step.effective_channel, holidays)
        if legal is not None and (deadline is None or legal > deadline):
            deadline = legal
    return on_or_next_working_day(deadline, holidays) if deadline is not None else None


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


def _policy_fee(
    pack: RulePack, policy: Policy, step_number: int, claim: Claim, claimed: set[ChargeKind]
) -> tuple[Charge | None, str | None]:
    """The policy's own step fees (claim level), as far as the cost table allows them: a
    consumer's reminder costs within the statutory cap and never beside the flat damages, a
    business debtor's administrative costs, nothing where the pack provides for neither."""
    cumulative = policy.cumulative_fees(step_number)
    if cumulative <= 0:
        return None, None
    currency = policy.currency
    kind: ChargeKind = "reminder_costs" if pack.later_reminder_fees else "administrative_costs"
    if not allowed(pack.code, kind, term_expired=True):
        return None, (
            f"policy fees of {currency} {cumulative} not claimed: {pack.code} provides for no "
            f"{kind.replace('_', ' ')}"
        )
    other = excluded_by(pack.code, kind, claimed)
    if other is not None:
        return None, (
            f"policy fees of {currency} {cumulative} not claimed: {kind.replace('_', ' ')} are "
            f"not combined with the {other.replace('_', ' ')} ({source_of(pack.code, kind)})"
        )
    amount = cumulative
    if kind == "reminder_costs":
        statutory = claim.line("reminder_fees")
        if statutory is None:
            return None, "policy fees not claimed: the first reminder is free"
        amount = min(statutory.amount.amount, cumulative)
    charge = Charge(
        kind=kind,
        invoice_number=None,
        currency=currency,
        amount=Money(amount, currency).rounded().amount,
        legal_basis=source_of(pack.code, kind),
    )
    steps = ", ".join(
        f"step {n} {s.action} {s.fee}"
        for n, s in enumerate(policy.steps[:step_number], start=1)
        if s.is_claim and s.fee
    )
    return (
        charge,
        f"{kind.replace('_', ' ')} per policy {policy.policy_id} v{policy.version}: {steps}",
    )


def _charge(pack: RulePack, line: ClaimLine) -> Charge:
    kind = CHARGE_OF[line.kind]
    return Charge(
        kind=kind,
        invoice_number=line.invoice_number,
        currency=line.amount.currency,
        amount=line.amount.rounded().amount,
        legal_basis=source_of(pack.code, kind),
    )


def _announced(
    pack: RulePack, items: Sequence[DueItem], deadline: date | None, sent_on: date, channel: str
) -> list[Charge]:
    """What a consumer's first claim announces with its amount: the charges the cost table
    marks ``announced`` as they will stand the day after the term (interest, which grows by
    the day, is announced in words only)."""
    kinds = set(announced_kinds(pack.code)) - {"interest"}
    if deadline is None or not kinds:
        return []
    claim = claim_for(
        pack,
        [
            OverdueItem(i.invoice_number, i.due_date, Money(i.open_amount, i.currency))
            for i in items
        ],
        deadline + timedelta(days=1),
        True,
        1,
        first_reminder=FirstReminder(sent_on, "letter" if channel == "letter" else "email"),
    )
    return [_charge(pack, line) for line in claim.lines if CHARGE_OF.get(line.kind) in kinds]


def compose(
    pack: RulePack,
    policy: Policy,
    step_number: int,
    items: Sequence[DueItem],
    business_date: date,
    *,
    creditor_is_sme: bool = False,
    holidays: Collection[date] = (),
) -> ComposedReminder:
    """The reminder of step ``step_number`` for ``items`` (one debtor) on ``business_date``:
    the charges the cost table allows (``legal.costs``), each with its source, and for a
    consumer's first claim what will be claimed once its term has passed."""
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
    claims: list[tuple[Claim, bool]] = []
    for history, members in partitions.items():
        first = (
            FirstReminder(
                sent_on=history.first_claim_on,
                channel="letter" if history.first_claim_channel == "letter" else "email",
            )
            if history.first_claim_on is not None
            else None
        )
        waiting_over = _waiting_over(pack, history, business_date)
        claim = claim_for(
            pack,
            [
                OverdueItem(m.invoice_number, m.due_date, Money(m.open_amount, m.currency))
                for m in members
            ],
            business_date,
            waiting_over,
            history.claims_sent,
            first_reminder=first,
            creditor_is_sme=creditor_is_sme,
        )
        has_term = pack.first_reminder_free or pack.collection_costs_after_fourteen_day_letter
        claims.append((claim, waiting_over or not has_term))

    notes: list[str] = []
    charges: list[Charge] = []
    explanations: dict[str, list[ClaimLine]] = defaultdict(list)
    claim_level: list[tuple[Money, str]] = []
    for claim, term_expired in claims:
        for note in claim.notes:
            if note not in notes:
                notes.append(note)
        for line in claim.lines:
            kind = CHARGE_OF.get(line.kind)
            if kind is None or kind == "reminder_costs":
                continue  # the principal; reminder costs come from the policy's fees below
            if kind == "interest" and not policy.claim_interest:
                continue
            if kind != "interest" and not policy.claim_costs:
                continue
            if not allowed(pack.code, kind, term_expired=term_expired):
                notes.append(
                    f"{kind.replace('_', ' ')} not claimed yet: {source_of(pack.code, kind)}"
                )
                continue
            if line.amount.amount <= 0:
                continue
            charges.append(_charge(pack, line))
            if line.invoice_number is None:
                claim_level.append(
                    (line.amount.rounded(), f"{_explanation(line).rule}: {line.explanation}")
                )
            else:
                explanations[line.invoice_number].append(line)
    if policy.claim_costs and claims:
        # The fees of the claim steps so far (a phone call or the hand-over states them too),
        # once per reminder whatever the partitions: a fee is the reminder's, not an item's.
        fee, fee_note = _policy_fee(
            pack, policy, step_number, claims[0][0], {c.kind for c in charges}
        )
        if fee is not None:
            charges.append(fee)
            claim_level.append((Money(fee.amount, fee.currency), fee_note or ""))
        elif fee_note is not None:
            notes.append(fee_note)
    if not policy.claim_interest:
        notes.append("interest not claimed under this policy")

    reminder_items: list[ReminderItem] = []
    for item in kept:
        own = [c for c in charges if c.invoice_number == item.invoice_number]
        reminder_items.append(
            ReminderItem(
                invoice_number=item.invoice_number,
                issue_date=item.issue_date,
                due_date=item.due_date,
                days_overdue=max((business_date - item.due_date).days, 0),
                currency=item.currency,
                open_amount=item.open_amount,
                interest=sum((c.amount for c in own if c.kind == "interest"), ZERO),
                fees=sum((c.amount for c in own if c.kind != "interest"), ZERO),
                explanations=[_explanation(ln) for ln in explanations.get(item.invoice_number, [])],
            )
        )

    totals = _totals(reminder_items, claim_level)
    for amount, text in claim_level:
        notes.append(f"{amount}: {text}")
    first_claim = step.is_claim and all(i.first_claim_on is None for i in kept)
    deadline = step_deadline(pack, step, business_date, first_claim=first_claim, holidays=holidays)
    announced: list[Charge] = []
    if first_claim:
        announced = _announced(pack, kept, deadline, business_date, step.effective_channel)
        if pack.first_reminder_must_state:
            notes.append("this first reminder states: " + "; ".join(pack.first_reminder_must_state))
    spec = template_spec(step.template_key)
    return ComposedReminder(
        items=reminder_items,
        totals=totals,
        legal_notes=notes,
        deadline=deadline,
        skipped=skipped,
        charges=charges,
        announced=announced,
        reminders_before=max((i.claims_sent for i in kept), default=0),
        step_kind=spec.step_kind if spec is not None else None,
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

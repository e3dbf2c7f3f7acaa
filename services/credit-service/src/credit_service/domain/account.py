"""A debtor's credit account: limits, credit hold, score and risk class, the behaviour flag and
the review dates — and the rules that move them.

The account is *state-stored*: its state lives on the ``credit_accounts`` row, loaded and saved
with every command and rule evaluation, and every change others must know about is recorded as
a credit event (appended to the account's stream and published in the same transaction; the
row's version is the stream's version). The events are the account's public history; the row
adds what no event carries: which currencies are over their limit right now, which hold
reasons ops overrode, the latest score when the class did not change.

Rules (``evaluate``, after every relevant event; ``daily``, in the daily sweep):

* **limit exceeded** — exposure above the limit in a currency: CreditLimitExceeded once, when
  it goes over (again after it came back within the limit);
* **credit hold** — placed by the rules while any of: a limit is exceeded; the oldest overdue
  item is more than ``hold_overdue_days`` past due; the debtor was escalated to collection and
  still has overdue items. CreditHoldPlaced carries every reason; it is published again when
  the set of reasons changes; CreditHoldLifted when none is left. Ops can place a hold by hand
  (reason ``manual``: only ops lift it) and lift any hold with a reason: the rule reasons active
  at that moment are then overridden until they stop applying (a reason that comes back after
  that, or a new reason, places the hold again);
* **risk class** — the score is computed per currency the debtor is active in (open items or
  payments in the scoring window; a currency without payments borrows the debtor's worst payment
  behaviour in another) and the worst one counts; RiskClassChanged when the class moves. A worse
  class brings the next review forward;
* **payment behaviour** (daily) — ``behaviour.detect_deterioration`` per currency;
  PaymentBehaviourDeteriorated at most once per recent window (a debtor that stays slow is
  flagged again when the next window is just as bad);
* **review** (daily) — CreditReviewDue once per due date; setting a limit, posting a credit
  report or recording a review sets the next date from the class's review interval.

The payment-behaviour input of the score is the amount-weighted days late of the invoices paid
in the last 12 months — or of those paid in the recent window (``deterioration.recent_days``)
when it holds at least ``min_recent_invoices`` and is worse: new slowness counts at once, old
slowness fades out over a year.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from contracts.credit import (
    CreditHoldLifted,
    CreditHoldPlaced,
    CreditLimitChanged,
    CreditLimitExceeded,
    CreditReviewDue,
    PaymentBehaviourDeteriorated,
    RiskClassChanged,
)
from credit_service.domain.behaviour import (
    DEFAULT_RULE,
    DeteriorationRule,
    PaidInvoice,
    detect_deterioration,
    months_before,
    payment_behaviour,
)
from credit_service.domain.exposure import CurrencyExposure
from credit_service.domain.scoring import (
    DunningRecord,
    ExternalCreditReport,
    RiskClass,
    Score,
    ScoringInputs,
    score,
)
from eventkit.aggregate import Aggregate
from eventkit.events import DomainEvent

ZERO = Decimal(0)

HOLD_LIMIT = "limit_exceeded"
HOLD_OVERDUE = "overdue"
HOLD_ESCALATED = "escalated_to_collection"
HOLD_MANUAL = "manual"

DEFAULT_REVIEW_INTERVALS: Mapping[str, int] = {"A": 365, "B": 180, "C": 90, "D": 30, "E": 30}


class AccountError(Exception):
    """A command the account's state does not allow."""


class SecondPersonRequired(AccountError):
    """Four eyes: whoever asked for a limit cannot also approve it."""


def reason_code(reason: str) -> str:
    """Hold reasons read ``<code>: <detail>``."""
    return reason.split(":", 1)[0].strip()


@dataclass(frozen=True, slots=True)
class CreditPolicy:
    """The tenant's credit rules, as data."""

    hold_overdue_days: int = 60
    review_interval_days: Mapping[str, int] = field(
        default_factory=lambda: dict(DEFAULT_REVIEW_INTERVALS)
    )
    limit_approval_threshold: Decimal = Decimal(50000)
    deterioration: DeteriorationRule = DEFAULT_RULE
    scoring_months: int = 12
    default_currency: str = "EUR"

    def review_interval(self, risk_class: str | None) -> timedelta:
        days = self.review_interval_days.get(
            risk_class or "", max(self.review_interval_days.values())
        )
        return timedelta(days=days)

    def needs_second_approval(self, limit: Decimal, current: Decimal | None) -> bool:
        """Raising a limit above the threshold takes a second person; lowering one never does
        (the same figure in every currency: a policy choice, not an exchange rate)."""
        return limit > self.limit_approval_threshold and (current is None or limit > current)


def check_second_person(requested_by: str, approved_by: str) -> None:
    if requested_by.strip().casefold() == approved_by.strip().casefold():
        raise SecondPersonRequired("the person who requested a limit cannot approve it")


@dataclass(frozen=True, slots=True)
class CurrencyStanding:
    """The payment-behaviour input of the score in one currency."""

    weighted_days_late: Decimal | None
    paid_invoices: int


@dataclass(frozen=True, slots=True)
class AccountFacts:
    """What the read models say about the debtor when the rules run."""

    exposure: Mapping[str, CurrencyExposure] = field(default_factory=dict)
    standing: Mapping[str, CurrencyStanding] = field(default_factory=dict)
    dunning: DunningRecord = field(default_factory=DunningRecord)
    report: ExternalCreditReport | None = None

    def open_amount(self, currency: str) -> Decimal:
        line = self.exposure.get(currency)
        return line.open_amount if line else ZERO

    @property
    def oldest_overdue_since(self) -> date | None:
        dates = [c.oldest_overdue_since for c in self.exposure.values() if c.oldest_overdue_since]
        return min(dates) if dates else None

    @property
    def has_overdue(self) -> bool:
        return any(c.overdue_items for c in self.exposure.values())


def standing_of(
    paid: Sequence[PaidInvoice], currency: str, today: date, policy: CreditPolicy
) -> CurrencyStanding:
    """Weighted days late over the scoring window, or over the recent window when that has
    enough invoices and is worse."""
    year = payment_behaviour(
        paid, today, since=months_before(today, policy.scoring_months), currency=currency
    )
    if year is None:
        return CurrencyStanding(None, 0)
    rule = policy.deterioration
    recent = payment_behaviour(
        paid, today, since=today - timedelta(days=rule.recent_days - 1), currency=currency
    )
    if (
        recent is not None
        and recent.invoices >= rule.min_recent_invoices
        and recent.weighted_days_late > year.weighted_days_late
    ):
        return CurrencyStanding(recent.weighted_days_late, recent.invoices)
    return CurrencyStanding(year.weighted_days_late, year.invoices)


def _standing_in(currency: str, standing: Mapping[str, CurrencyStanding]) -> CurrencyStanding:
    """The currency's own payment behaviour; for a currency with no payments yet, the worst of
    the others (paying habits belong to the debtor, not to a currency)."""
    own = standing.get(currency)
    if own is not None and own.paid_invoices:
        return own
    known = [s for s in standing.values() if s.paid_invoices and s.weighted_days_late is not None]
    return max(known, key=lambda s: s.weighted_days_late or ZERO, default=CurrencyStanding(None, 0))


def account_score(
    limits: Mapping[str, Decimal], facts: AccountFacts, today: date, policy: CreditPolicy
) -> Score:
    """The worst of the scores of the currencies the debtor is active in (open items or
    payments in the scoring window); without activity, those it has a limit in; else a neutral
    score in the default currency."""
    paying = {c for c, s in facts.standing.items() if s.paid_invoices}
    currencies = sorted(set(facts.exposure) | paying) or sorted(limits)
    results = []
    for currency in currencies or [policy.default_currency]:
        line = facts.exposure.get(currency)
        standing = _standing_in(currency, facts.standing)
        results.append(
            score(
                ScoringInputs(
                    currency=currency,
                    exposure=line.open_amount if line else ZERO,
                    overdue=line.overdue_amount if line else ZERO,
                    limit=limits.get(currency),
                    weighted_days_late=standing.weighted_days_late,
                    paid_invoices=standing.paid_invoices,
                    dunning=facts.dunning,
                    report=facts.report,
                ),
                today,
            )
        )
    return min(results, key=lambda s: s.score)


class CreditAccount(Aggregate):
    aggregate_type = "account"

    def __init__(self, tenant_id: str, aggregate_id: str) -> None:
        super().__init__(tenant_id, aggregate_id)
        self.limits: dict[str, Decimal] = {}
        self.over_limit: set[str] = set()
        self.hold_reasons: tuple[str, ...] = ()
        self.hold_placed_by: str | None = None
        self.hold_since: date | None = None
        self.overridden: set[str] = set()
        self.escalated_since: date | None = None
        self.risk_class: RiskClass | None = None
        self.latest_score: Score | None = None
        self.deteriorated_on: date | None = None
        self.reviewed_on: date | None = None
        self.review_due_on: date | None = None
        self.review_flagged_for: date | None = None

    @property
    def debtor_ref(self) -> str:
        return self.aggregate_id

    @property
    def on_hold(self) -> bool:
        return bool(self.hold_reasons)

    def apply(self, event: DomainEvent) -> None:
        match event:
            case CreditLimitChanged():
                self.limits[event.currency] = event.limit
            case CreditLimitExceeded():
                self.over_limit.add(event.currency)
            case CreditHoldPlaced():
                self.hold_reasons = tuple(event.reasons)
                self.hold_placed_by = event.placed_by
            case CreditHoldLifted():
                self.hold_reasons = ()
                self.hold_placed_by = None
                self.hold_since = None
            case RiskClassChanged():
                self.risk_class = event.risk_class
            case PaymentBehaviourDeteriorated():
                self.deteriorated_on = event.detected_on
            case CreditReviewDue():
                self.review_flagged_for = event.due_on

    # --- commands ------------------------------------------------------------------------

    def set_limit(
        self,
        currency: str,
        limit: Decimal,
        *,
        set_by: str,
        approved_by: str | None,
        today: date,
        policy: CreditPolicy,
    ) -> bool:
        """Set the limit in ``currency`` (a review too); False when it is that already."""
        if limit < 0:
            raise AccountError("a credit limit cannot be negative")
        self.record_review(today, policy)
        previous = self.limits.get(currency)
        if previous == limit:
            return False
        self.record(
            CreditLimitChanged(
                debtor_ref=self.debtor_ref,
                currency=currency,
                limit=limit,
                previous=previous,
                set_by=set_by,
                approved_by=approved_by,
            )
        )
        return True

    def place_hold(self, reason: str, *, by: str, today: date) -> None:
        """A hold by hand: it stays until ops lift it, whatever the rules say."""
        kept = [r for r in self.hold_reasons if reason_code(r) != HOLD_MANUAL]
        self._hold([*kept, f"{HOLD_MANUAL}: {reason}"], placed_by=f"ops:{by}", today=today)

    def lift_hold(self, reason: str, *, by: str) -> None:
        """Lift every hold; the rule reasons active now stay overridden while they apply."""
        if not self.on_hold:
            raise AccountError("the debtor is not on credit hold")
        self.overridden = {reason_code(r) for r in self.hold_reasons} - {HOLD_MANUAL}
        self.record(
            CreditHoldLifted(debtor_ref=self.debtor_ref, reason=reason, lifted_by=f"ops:{by}")
        )

    def mark_escalated(self, on: date) -> None:
        if self.escalated_since is None:
            self.escalated_since = on

    def record_review(self, today: date, policy: CreditPolicy) -> None:
        self.reviewed_on = today
        self.review_due_on = today + policy.review_interval(self.risk_class)

    # --- rules ---------------------------------------------------------------------------

    def evaluate(self, facts: AccountFacts, today: date, policy: CreditPolicy) -> None:
        """Limits, hold and risk class against the facts of ``today``."""
        self._check_limits(facts)
        self._apply_hold_rules(facts, today, policy)
        self._rescore(facts, today, policy)
        if self.review_due_on is None:
            self.review_due_on = today + policy.review_interval(self.risk_class)

    def daily(
        self,
        facts: AccountFacts,
        paid: Mapping[str, Sequence[PaidInvoice]],
        today: date,
        policy: CreditPolicy,
    ) -> None:
        """The day's evaluation: the rules, payment behaviour, and the review date."""
        self.evaluate(facts, today, policy)
        self._detect_deterioration(paid, today, policy.deterioration)
        if (
            self.review_due_on is not None
            and self.review_due_on <= today
            and self.review_flagged_for != self.review_due_on
        ):
            self.record(
                CreditReviewDue(
                    debtor_ref=self.debtor_ref,
                    due_on=self.review_due_on,
                    risk_class=self.risk_class,
                )
            )

    def _check_limits(self, facts: AccountFacts) -> None:
        over = {c for c, limit in self.limits.items() if facts.open_amount(c) > limit}
        for currency in sorted(over - self.over_limit):
            self.record(
                CreditLimitExceeded(
                    debtor_ref=self.debtor_ref,
                    currency=currency,
                    limit=self.limits[currency],
                    exposure=facts.open_amount(currency),
                )
            )
        self.over_limit = over

    def _rule_reasons(self, facts: AccountFacts, today: date, policy: CreditPolicy) -> list[str]:
        reasons: list[str] = []
        if self.over_limit:
            reasons.append(
                f"{HOLD_LIMIT}: "
                + "; ".join(
                    f"{c} exposure {facts.open_amount(c)} is over the limit {self.limits[c]}"
                    for c in sorted(self.over_limit)
                )
            )
        oldest = facts.oldest_overdue_since
        if oldest is not None:
            days = (today - oldest).days + 1
            if days > policy.hold_overdue_days:
                reasons.append(
                    f"{HOLD_OVERDUE}: the oldest open item is {days} days past due "
                    f"(more than {policy.hold_overdue_days})"
                )
        if self.escalated_since is not None:
            if facts.has_overdue:
                reasons.append(
                    f"{HOLD_ESCALATED}: handed over to collection on {self.escalated_since}"
                )
            else:
                self.escalated_since = None  # what was escalated is settled
        return reasons

    def _apply_hold_rules(self, facts: AccountFacts, today: date, policy: CreditPolicy) -> None:
        active = self._rule_reasons(facts, today, policy)
        self.overridden &= {reason_code(r) for r in active}
        wanted = [r for r in active if reason_code(r) not in self.overridden]
        wanted += [r for r in self.hold_reasons if reason_code(r) == HOLD_MANUAL]
        before = {reason_code(r) for r in self.hold_reasons}
        if {reason_code(r) for r in wanted} == before:
            return
        if wanted:
            self._hold(wanted, placed_by="rules", today=today)
        else:
            self.record(
                CreditHoldLifted(
                    debtor_ref=self.debtor_ref,
                    reason="no longer applies: " + ", ".join(sorted(before)),
                    lifted_by="rules",
                )
            )

    def _hold(self, reasons: list[str], *, placed_by: str, today: date) -> None:
        if not self.on_hold:
            self.hold_since = today
        self.record(
            CreditHoldPlaced(debtor_ref=self.debtor_ref, reasons=reasons, placed_by=placed_by)
        )

    def _rescore(self, facts: AccountFacts, today: date, policy: CreditPolicy) -> None:
        result = account_score(self.limits, facts, today, policy)
        self.latest_score = result
        if result.risk_class == self.risk_class:
            return
        self.record(
            RiskClassChanged(
                debtor_ref=self.debtor_ref,
                risk_class=result.risk_class,
                previous=self.risk_class,
                score=result.score,
                reasons=result.reasons,
            )
        )
        due = today + policy.review_interval(result.risk_class)
        if self.review_due_on is None or due < self.review_due_on:
            self.review_due_on = due

    def _detect_deterioration(
        self, paid: Mapping[str, Sequence[PaidInvoice]], today: date, rule: DeteriorationRule
    ) -> None:
        if self.deteriorated_on is not None and (
            (today - self.deteriorated_on).days < rule.recent_days
        ):
            return
        for currency in sorted(paid):
            found = detect_deterioration(paid[currency], today, currency=currency, rule=rule)
            if found is None:
                continue
            self.record(
                PaymentBehaviourDeteriorated(
                    debtor_ref=self.debtor_ref,
                    baseline_days_to_pay=found.baseline.weighted_days_to_pay,
                    recent_days_to_pay=found.recent.weighted_days_to_pay,
                    detected_on=today,
                    rule=f"{currency}: " + "; ".join(found.triggers) + f" (rule: {found.rule})",
                )
            )
            return

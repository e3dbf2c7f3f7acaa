"""The credit account's rules on plain facts: limits, holds (rules, by hand, overridden), risk
class, reviews and the payment-behaviour flag. No database: the aggregate records events."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from contracts.credit import (
    CreditHoldLifted,
    CreditHoldPlaced,
    CreditLimitChanged,
    CreditLimitExceeded,
    CreditReviewDue,
    PaymentBehaviourDeteriorated,
    RiskClassChanged,
)
from credit_service.domain.account import (
    AccountError,
    AccountFacts,
    CreditAccount,
    CreditPolicy,
    CurrencyStanding,
    SecondPersonRequired,
    account_score,
    check_second_person,
    reason_code,
    standing_of,
)
from credit_service.domain.behaviour import PaidInvoice
from credit_service.domain.exposure import CurrencyExposure
from credit_service.domain.scoring import DunningRecord
from eventkit.events import DomainEvent

D = Decimal
TODAY = date(2027, 3, 1)
POLICY = CreditPolicy()


def line(open_amount: str, overdue: str = "0", since: date | None = None) -> CurrencyExposure:
    overdue_items = 1 if D(overdue) > 0 else 0
    return CurrencyExposure("EUR", D(open_amount), D(overdue), 1, overdue_items, since)


def facts(
    open_amount: str = "0",
    overdue: str = "0",
    since: date | None = None,
    *,
    days_late: str | None = None,
    dunning: DunningRecord | None = None,
) -> AccountFacts:
    exposure = {"EUR": line(open_amount, overdue, since)} if D(open_amount) > 0 else {}
    standing = {"EUR": CurrencyStanding(D(days_late), 12)} if days_late is not None else {}
    return AccountFacts(exposure=exposure, standing=standing, dunning=dunning or DunningRecord())


def account(limit: str | None = None) -> CreditAccount:
    acc = CreditAccount("acme", "D-1")
    if limit is not None:
        acc.set_limit("EUR", D(limit), set_by="an", approved_by=None, today=TODAY, policy=POLICY)
    acc.evaluate(facts(), TODAY, POLICY)
    acc.pending.clear()
    return acc


def drained(acc: CreditAccount) -> list[DomainEvent]:
    events = list(acc.pending)
    acc.pending.clear()
    return events


def kinds(events: list[DomainEvent]) -> list[str]:
    return [type(e).__name__ for e in events]


def test_a_new_account_gets_a_class_and_a_review_date() -> None:
    acc = CreditAccount("acme", "D-1")
    acc.evaluate(facts("1000.00"), TODAY, POLICY)
    (changed,) = drained(acc)
    assert isinstance(changed, RiskClassChanged)
    assert changed.previous is None and changed.risk_class == acc.risk_class
    assert changed.reasons and all(":" in r for r in changed.reasons)
    assert acc.review_due_on == TODAY + POLICY.review_interval(acc.risk_class)


def test_over_the_limit_once_a_hold_until_paid_then_over_again() -> None:
    acc = account(limit="1000.00")
    acc.evaluate(facts("1500.00"), TODAY, POLICY)
    events = drained(acc)
    assert kinds(events)[:2] == ["CreditLimitExceeded", "CreditHoldPlaced"]
    exceeded, placed = events[0], events[1]
    assert isinstance(exceeded, CreditLimitExceeded) and exceeded.exposure == D("1500.00")
    assert isinstance(placed, CreditHoldPlaced) and placed.placed_by == "rules"
    assert [reason_code(r) for r in placed.reasons] == ["limit_exceeded"]
    assert acc.on_hold and acc.hold_since == TODAY

    acc.evaluate(facts("1600.00"), TODAY, POLICY)  # still over: nothing new
    assert [e for e in drained(acc) if not isinstance(e, RiskClassChanged)] == []

    acc.evaluate(facts("900.00"), TODAY, POLICY)  # paid down: the hold lifts itself
    lifted = [e for e in drained(acc) if isinstance(e, CreditHoldLifted)]
    assert len(lifted) == 1 and lifted[0].lifted_by == "rules"
    assert "limit_exceeded" in lifted[0].reason and not acc.on_hold

    acc.evaluate(facts("1200.00"), TODAY, POLICY)  # over again: a new fact
    assert kinds(drained(acc))[:2] == ["CreditLimitExceeded", "CreditHoldPlaced"]


def test_an_item_more_than_the_threshold_past_due_places_a_hold() -> None:
    acc = account()
    due = TODAY - timedelta(days=POLICY.hold_overdue_days)
    acc.evaluate(facts("100.00", "100.00", due + timedelta(days=1)), TODAY, POLICY)
    assert not any(isinstance(e, CreditHoldPlaced) for e in drained(acc))  # exactly 60 days
    acc.evaluate(facts("100.00", "100.00", due), TODAY, POLICY)  # 61 days
    (placed,) = [e for e in drained(acc) if isinstance(e, CreditHoldPlaced)]
    assert placed.reasons == ["overdue: the oldest open item is 61 days past due (more than 60)"]


def test_escalation_holds_while_overdue_items_remain() -> None:
    acc = account()
    acc.mark_escalated(date(2027, 2, 20))
    acc.evaluate(facts("500.00", "500.00", date(2027, 1, 15)), TODAY, POLICY)
    (placed,) = [e for e in drained(acc) if isinstance(e, CreditHoldPlaced)]
    assert [reason_code(r) for r in placed.reasons] == ["escalated_to_collection"]
    acc.evaluate(facts("200.00"), TODAY, POLICY)  # the escalated items are settled
    assert [type(e) for e in drained(acc) if not isinstance(e, RiskClassChanged)] == [
        CreditHoldLifted
    ]
    assert acc.escalated_since is None
    acc.evaluate(facts("200.00", "200.00", date(2027, 2, 25)), TODAY, POLICY)
    assert not any(isinstance(e, CreditHoldPlaced) for e in drained(acc))


def test_reasons_are_published_again_when_they_change() -> None:
    acc = account(limit="100.00")
    acc.evaluate(facts("150.00"), TODAY, POLICY)
    drained(acc)
    acc.evaluate(facts("150.00", "150.00", date(2026, 12, 1)), TODAY, POLICY)
    (placed,) = [e for e in drained(acc) if isinstance(e, CreditHoldPlaced)]
    assert [reason_code(r) for r in placed.reasons] == ["limit_exceeded", "overdue"]


def test_a_manual_hold_outlives_the_rules_and_only_ops_lift_it() -> None:
    acc = account(limit="100.00")
    acc.place_hold("bankruptcy rumours", by="an", today=TODAY)
    (placed,) = drained(acc)
    assert isinstance(placed, CreditHoldPlaced)
    assert placed.reasons == ["manual: bankruptcy rumours"] and placed.placed_by == "ops:an"
    acc.evaluate(facts("150.00"), TODAY, POLICY)
    acc.evaluate(facts("50.00"), TODAY, POLICY)
    assert acc.on_hold and [reason_code(r) for r in acc.hold_reasons] == ["manual"]
    drained(acc)
    acc.lift_hold("rumours denied", by="bo")
    (lifted,) = drained(acc)
    assert isinstance(lifted, CreditHoldLifted) and lifted.lifted_by == "ops:bo"
    assert not acc.on_hold
    with pytest.raises(AccountError):
        acc.lift_hold("again", by="bo")


def test_an_ops_lift_overrides_the_reasons_active_until_they_stop_applying() -> None:
    acc = account(limit="100.00")
    acc.evaluate(facts("150.00"), TODAY, POLICY)
    drained(acc)
    acc.lift_hold("order approved by the CFO", by="an")
    drained(acc)
    acc.evaluate(facts("170.00"), TODAY, POLICY)  # still over the limit: stays lifted
    assert not acc.on_hold and acc.overridden == {"limit_exceeded"}
    assert [e for e in drained(acc) if isinstance(e, CreditHoldPlaced)] == []
    acc.evaluate(facts("170.00", "170.00", date(2026, 12, 1)), TODAY, POLICY)  # a new reason
    (placed,) = [e for e in drained(acc) if isinstance(e, CreditHoldPlaced)]
    assert [reason_code(r) for r in placed.reasons] == ["overdue"]
    acc.evaluate(facts("50.00"), TODAY, POLICY)  # everything settled: the override ends
    assert not acc.on_hold and acc.overridden == set()
    drained(acc)
    acc.evaluate(facts("150.00"), TODAY, POLICY)  # over the limit again: held again
    assert kinds(drained(acc))[:2] == ["CreditLimitExceeded", "CreditHoldPlaced"]


def test_setting_a_limit_is_an_event_and_a_review() -> None:
    acc = CreditAccount("acme", "D-1")
    assert acc.set_limit(
        "EUR", D("5000.00"), set_by="an", approved_by=None, today=TODAY, policy=POLICY
    )
    assert not acc.set_limit(
        "EUR", D("5000.00"), set_by="an", approved_by=None, today=TODAY, policy=POLICY
    )
    acc.set_limit("EUR", D("80000.00"), set_by="an", approved_by="bo", today=TODAY, policy=POLICY)
    first, second = drained(acc)
    assert isinstance(first, CreditLimitChanged) and first.previous is None
    assert isinstance(second, CreditLimitChanged)
    assert (second.previous, second.limit, second.approved_by) == (
        D("5000.00"),
        D("80000.00"),
        "bo",
    )
    assert acc.reviewed_on == TODAY
    with pytest.raises(AccountError):
        acc.set_limit("EUR", D("-1"), set_by="an", approved_by=None, today=TODAY, policy=POLICY)


def test_raising_a_limit_above_the_threshold_takes_a_second_person() -> None:
    assert not POLICY.needs_second_approval(D("50000.00"), None)
    assert POLICY.needs_second_approval(D("50000.01"), None)
    assert POLICY.needs_second_approval(D("90000.00"), D("60000.00"))
    assert not POLICY.needs_second_approval(D("70000.00"), D("90000.00"))  # lowering
    with pytest.raises(SecondPersonRequired):
        check_second_person("An.Peeters@acme.example ", "an.peeters@acme.example")
    check_second_person("an", "bo")


def test_a_worse_class_brings_the_review_forward_and_reviews_fall_due_once() -> None:
    acc = account()
    assert acc.risk_class in ("A", "B")
    first_due = acc.review_due_on
    bad = DunningRecord(broken_promises=2, defaulted_plans=1, escalations=1)
    acc.evaluate(facts("100.00", "100.00", TODAY, days_late="45", dunning=bad), TODAY, POLICY)
    (changed,) = [e for e in drained(acc) if isinstance(e, RiskClassChanged)]
    assert changed.risk_class in ("C", "D", "E") and changed.previous in ("A", "B")
    assert acc.review_due_on is not None and first_due is not None
    assert acc.review_due_on < first_due
    due = acc.review_due_on
    acc.daily(facts(), {}, due - timedelta(days=1), POLICY)
    assert not any(isinstance(e, CreditReviewDue) for e in drained(acc))
    acc.daily(facts(), {}, due, POLICY)
    (review,) = [e for e in drained(acc) if isinstance(e, CreditReviewDue)]
    assert review.due_on == due and review.risk_class == acc.risk_class
    acc.daily(facts(), {}, due + timedelta(days=1), POLICY)
    assert not any(isinstance(e, CreditReviewDue) for e in drained(acc))
    acc.record_review(due + timedelta(days=2), POLICY)
    assert acc.review_due_on == due + timedelta(days=2) + POLICY.review_interval(acc.risk_class)


def paid_history(start: date, months: int, days_to_pay: int, *, prefix: str) -> list[PaidInvoice]:
    """One invoice of 1000 a month, due after 30 days, paid ``days_to_pay`` after issue."""
    history = []
    for n in range(months):
        issued = start + timedelta(days=30 * n)
        history.append(
            PaidInvoice(
                f"{prefix}-{n}",
                "EUR",
                D("1000.00"),
                issued,
                issued + timedelta(days=30),
                issued + timedelta(days=days_to_pay),
            )
        )
    return history


def test_a_debtor_paying_later_than_its_own_history_is_flagged_once_per_window() -> None:
    steady = paid_history(date(2026, 1, 5), 10, 20, prefix="S")
    slow = paid_history(date(2026, 11, 1), 3, 50, prefix="L")
    acc = account()
    acc.daily(facts(), {"EUR": steady}, TODAY, POLICY)
    assert not any(isinstance(e, PaymentBehaviourDeteriorated) for e in drained(acc))
    acc.daily(facts(), {"EUR": steady + slow}, TODAY, POLICY)
    (flag,) = [e for e in drained(acc) if isinstance(e, PaymentBehaviourDeteriorated)]
    assert flag.baseline_days_to_pay == D("20.00") and flag.recent_days_to_pay == D("50.00")
    assert flag.detected_on == TODAY and flag.rule.startswith("EUR: weighted days to pay rose")
    later = TODAY + timedelta(days=30)
    acc.daily(facts(), {"EUR": steady + slow}, later, POLICY)
    assert not any(isinstance(e, PaymentBehaviourDeteriorated) for e in drained(acc))


def test_recent_slowness_weighs_on_the_score_at_once() -> None:
    history = paid_history(date(2026, 1, 5), 10, 20, prefix="S") + paid_history(
        date(2026, 11, 1), 3, 50, prefix="L"
    )
    standing = standing_of(history, "EUR", TODAY, POLICY)
    assert standing == CurrencyStanding(D("20.00"), 3)  # the recent window, not the year's
    usd = CurrencyExposure("USD", D("900.00"), D("900.00"), 1, 1, TODAY)
    worst = account_score(
        {}, AccountFacts(exposure={"EUR": line("100.00"), "USD": usd}), TODAY, POLICY
    )
    assert worst.currency == "USD"


def test_the_score_looks_at_the_currencies_the_debtor_is_active_in() -> None:
    eur_habits = {"EUR": CurrencyStanding(D("30.00"), 8)}
    # A limit alone in a currency the debtor never used does not drag the score down.
    limits = {"EUR": D("10000.00"), "USD": D("5000.00")}
    result = account_score(limits, AccountFacts(standing=eur_habits), TODAY, POLICY)
    assert result.currency == "EUR"
    # A first invoice in a new currency carries the debtor's habits, not a neutral guess.
    usd = CurrencyExposure("USD", D("100.00"), D("0.00"), 1, 0, None)
    facts_now = AccountFacts(exposure={"USD": usd}, standing=eur_habits)
    parts = {p.name: p for p in account_score(limits, facts_now, TODAY, POLICY).parts}
    assert parts["payment behaviour"].points == D("15.00")  # 30 days late, not "no invoices"
    assert account_score({}, AccountFacts(), TODAY, POLICY).currency == "EUR"

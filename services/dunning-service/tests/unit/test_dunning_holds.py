"""Holds as aggregates, instalment checks and the worklist priority."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from contracts.dunning import Instalment
from dunning_service.domain.holds import (
    Dispute,
    HoldError,
    PaymentPlan,
    PromiseToPay,
    first_missed_instalment,
)
from dunning_service.domain.worklist import Urgency, priority

D = Decimal
ON = date(2026, 3, 1)


def test_a_dispute_pauses_one_invoice_and_credited_waits_for_the_credit_note() -> None:
    dispute = Dispute("acme", "DSP-1")
    dispute.open("DEB", "INV-1", "wrong_price", "price list 2025", ON)
    assert [type(e).__name__ for e in dispute.pending] == ["DisputeOpened", "DunningPaused"]
    dispute.resolve("credited", "", ON)
    assert dispute.status == "awaiting_credit"
    assert type(dispute.pending[-1]).__name__ == "DisputeResolved"
    with pytest.raises(HoldError):
        dispute.resolve("rejected", "", ON)
    assert dispute.credit_received()
    assert type(dispute.pending[-1]).__name__ == "DunningResumed"
    assert not dispute.credit_received()


def test_rejected_dispute_resumes_at_once() -> None:
    dispute = Dispute("acme", "DSP-2")
    dispute.open("DEB", "INV-1", "not_delivered", "", ON)
    dispute.resolve("rejected", "delivery note signed", ON)
    assert [type(e).__name__ for e in dispute.pending][-2:] == ["DisputeResolved", "DunningResumed"]


def test_a_promise_is_kept_or_broken_once() -> None:
    promise = PromiseToPay("acme", "P-1")
    promise.make("DEB", ["INV-1"], D("100.00"), "EUR", date(2026, 3, 10), ON)
    promise.break_(date(2026, 3, 11), D("40.00"), ["INV-1"])
    assert promise.status == "broken"
    with pytest.raises(HoldError):
        promise.keep(date(2026, 3, 12), [])


def test_instalments_are_checked_cumulatively_after_the_grace_days() -> None:
    plan = [
        Instalment(due_date=date(2026, 3, 1), amount=D("100.00")),
        Instalment(due_date=date(2026, 4, 1), amount=D("100.00")),
    ]
    assert first_missed_instalment(plan, 5, D("0"), date(2026, 3, 6)) is None  # grace
    missed = first_missed_instalment(plan, 5, D("60.00"), date(2026, 3, 7))
    assert missed is not None and missed.amount_missing == D("40.00")
    assert first_missed_instalment(plan, 5, D("100.00"), date(2026, 4, 6)) is None
    late = first_missed_instalment(plan, 5, D("150.00"), date(2026, 4, 7))
    assert late is not None and late.instalment_due == date(2026, 4, 1)
    agreed = PaymentPlan("acme", "PP-1")
    agreed.agree("DEB", ["INV-1"], "EUR", plan, 5, ON)
    agreed.default(late, date(2026, 4, 7), ["INV-1"])
    assert [type(e).__name__ for e in agreed.pending][-3:] == [
        "InstalmentMissed",
        "PaymentPlanDefaulted",
        "DunningResumed",
    ]


def test_priority_weighs_amount_days_and_risk() -> None:
    small = priority("phone_call", Urgency(D("100"), 10, "A"))
    large = priority("phone_call", Urgency(D("100000"), 10, "A"))
    older = priority("phone_call", Urgency(D("100"), 60, "A"))
    risky = priority("phone_call", Urgency(D("100"), 10, "E"))
    assert small < large and small < older and small < risky
    assert priority("plan_defaulted", Urgency(D("100"), 10, "A")) > small
    # 10 × log10(4001) + 50/3 + 20 (D) + 15 = 87.7
    assert priority("plan_defaulted", Urgency(D("4000"), 50, "D")) == D("87.7")

"""What a reminder states, per legal pack: interest, fees and deadlines, each explained."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from dunning_service.domain.legal import BE_B2B, BE_B2C, NL_B2C
from dunning_service.domain.policies import Policy, default_policies
from dunning_service.domain.reminders import DueItem, compose

D = Decimal
DUE = date(2026, 2, 4)


def default(pack: str) -> Policy:
    return {p.policy_id: p for p in default_policies()}[f"default-{pack}"]


def item(number: str, amount: str, **history: object) -> DueItem:
    return DueItem(number, date(2026, 1, 5), DUE, "EUR", D(amount), **history)  # type: ignore[arg-type]


def test_a_pre_due_reminder_leaves_out_what_is_due_already() -> None:
    composed = compose(BE_B2B, default("BE_B2B"), 1, [item("A", "100.00")], date(2026, 2, 4))
    assert composed.empty and composed.skipped == ["A"]
    composed = compose(BE_B2B, default("BE_B2B"), 1, [item("A", "100.00")], date(2026, 1, 30))
    assert [i.invoice_number for i in composed.items] == ["A"]
    assert composed.totals[0].total == D("100.00") and composed.deadline is None


def test_be_b2b_interest_and_compensation_with_explanations() -> None:
    composed = compose(BE_B2B, default("BE_B2B"), 2, [item("A", "10000.00")], date(2026, 3, 6))
    [line] = composed.items
    # 30 days × 10.50 % × 10,000 / 365 = 86.30; EUR 40 per late invoice
    assert line.interest == D("86.30") and line.fees == D("40.00")
    rules = [e.rule for e in line.explanations]
    assert rules[0].startswith("statutory interest (simple")
    assert "30 days × 10.50 %" in line.explanations[0].detail
    assert "fixed compensation" in rules[1]
    assert composed.deadline == date(2026, 3, 14)  # final term 8 days


def test_be_b2c_first_reminder_is_free_with_a_fourteen_day_deadline() -> None:
    sent = date(2026, 2, 7)  # a Saturday: 02-08 + 13 = Saturday 02-21 → Monday 02-23
    composed = compose(BE_B2C, default("BE_B2C"), 2, [item("C", "300.00")], sent)
    assert composed.totals[0].total == D("300.00")
    assert composed.deadline == date(2026, 2, 23)
    assert any("first reminder is free" in n for n in composed.legal_notes)
    assert any("enterprise number" in n for n in composed.legal_notes)
    # The second reminder, after the deadline: interest from the day after it, damages, fee.
    later = item("C", "300.00", first_claim_on=sent, first_claim_channel="email", claims_sent=1)
    composed = compose(BE_B2C, default("BE_B2C"), 3, [later], date(2026, 2, 26))
    [line] = composed.items
    assert line.interest == D("0.26")  # 3 days × 10.50 % × 300 / 365
    assert line.fees == D("45.00")  # damages 30 + 10 % × (300 − 150)
    assert composed.totals[0].fees == D("52.50")  # + the EUR 7.50 later-reminder fee
    assert any("7.50" in n and "statutory cap" in n for n in composed.legal_notes)


def test_nl_b2c_collection_costs_only_after_the_fourteen_day_letter_on_the_sum() -> None:
    letter = date(2026, 2, 7)
    items = [item("F", "500.00"), item("G", "250.00")]
    composed = compose(NL_B2C, default("NL_B2C"), 2, items, letter)
    assert composed.deadline == date(2026, 2, 23)
    assert composed.totals[0].fees == D("0.00")
    assert any("14-day letter" in n for n in composed.legal_notes)
    sent = [
        item(
            i.invoice_number,
            format(i.open_amount, "f"),
            first_claim_on=letter,
            first_claim_channel="email",
            claims_sent=1,
        )
        for i in items
    ]
    before = compose(NL_B2C, default("NL_B2C"), 3, sent, date(2026, 2, 23))
    assert before.totals[0].fees == D("0.00")  # the deadline day itself: not yet
    after = compose(NL_B2C, default("NL_B2C"), 3, sent, date(2026, 2, 26))
    assert after.totals[0].fees == D("112.50")  # WIK 15 % of 750, once for the letter
    assert after.totals[0].interest == D("1.81")  # 22 days × 4 %: 1.21 + 0.60


def test_a_policy_may_claim_less_than_the_law_allows() -> None:
    base = default("BE_B2B")
    modest = Policy(
        policy_id="modest",
        name="modest",
        steps=base.steps,
        effective_from=base.effective_from,
        claim_interest=False,
        claim_costs=False,
    )
    composed = compose(BE_B2B, modest, 3, [item("A", "1000.00")], date(2026, 3, 6))
    assert composed.totals[0].total == D("1000.00")
    assert "interest not claimed under this policy" in composed.legal_notes

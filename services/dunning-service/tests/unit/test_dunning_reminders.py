"""What a reminder states, per legal pack: interest, fees and deadlines, each explained."""

from __future__ import annotations

from dataclasses import replace
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
    # final term 8 days: Saturday 03-14, so the term ends on Monday 03-16
    assert composed.deadline == date(2026, 3, 16)
    assert [(c.kind, c.amount) for c in composed.charges] == [
        ("interest", D("86.30")),
        ("fixed_compensation", D("40.00")),
    ]
    assert "Act of 2 August 2002" in composed.charges[1].legal_basis


def test_be_b2c_first_reminder_is_free_with_a_fourteen_day_deadline() -> None:
    sent = date(2026, 2, 7)  # a Saturday: 02-08 + 13 = Saturday 02-21 → Monday 02-23
    composed = compose(BE_B2C, default("BE_B2C"), 2, [item("C", "300.00")], sent)
    assert composed.totals[0].total == D("300.00")
    assert composed.deadline == date(2026, 2, 23)
    assert any("first reminder is free" in n for n in composed.legal_notes)
    assert any("enterprise number" in n for n in composed.legal_notes)
    assert composed.charges == [] and composed.step_kind == "book_xix_first_reminder"
    # It announces the damages due once its term has passed: 30 + 10 % × (300 − 150).
    assert [(c.kind, c.amount) for c in composed.announced] == [("flat_damages", D("45.00"))]
    # The second reminder, after the deadline: interest from the day after it, damages.
    later = item("C", "300.00", first_claim_on=sent, first_claim_channel="email", claims_sent=1)
    composed = compose(BE_B2C, default("BE_B2C"), 3, [later], date(2026, 2, 26))
    [line] = composed.items
    assert line.interest == D("0.26")  # 3 days × 10.50 % × 300 / 365
    assert line.fees == D("45.00")  # damages 30 + 10 % × (300 − 150)
    assert composed.totals[0].fees == D("45.00")
    assert composed.reminders_before == 1
    assert sum(c.amount for c in composed.charges) + D("300.00") == composed.totals[0].total


def test_be_b2c_reminder_costs_never_beside_the_flat_damages() -> None:
    base = default("BE_B2C")
    steps = list(base.steps)
    steps[2] = replace(steps[2], fee=D("7.50"))
    with_fee = replace(base, policy_id="with-fee", steps=tuple(steps))
    later = item(
        "C", "300.00", first_claim_on=date(2026, 2, 9), first_claim_channel="email", claims_sent=1
    )
    composed = compose(BE_B2C, with_fee, 3, [later], date(2026, 2, 26))
    assert [c.kind for c in composed.charges] == ["interest", "flat_damages"]
    assert any("not combined with the flat damages" in n for n in composed.legal_notes)
    without_damages = replace(with_fee, claim_costs=False)
    composed = compose(BE_B2C, without_damages, 3, [later], date(2026, 2, 26))
    assert [c.kind for c in composed.charges] == ["interest"]


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
    # The 14-day letter named that amount before it was claimed.
    assert [(c.kind, c.amount, c.invoice_number) for c in composed.announced] == [
        ("collection_costs", D("112.50"), None)
    ]
    assert [c.kind for c in after.charges].count("collection_costs") == 1


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

"""Policies: validation, the derived gaps between steps, the shipped defaults."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from dunning_service.domain.policies import (
    Policy,
    PolicyStep,
    consumer_waiting_days,
    default_policies,
    default_policy_id,
    validate,
)

ON = date(2026, 1, 1)


def policy(*steps: PolicyStep) -> Policy:
    return Policy(policy_id="p", name="p", steps=steps, effective_from=ON)


def test_the_default_cadence_of_each_pack() -> None:
    by_id = {p.policy_id: p for p in default_policies()}
    assert set(by_id) == {
        default_policy_id(pack) for pack in ("BE_B2B", "BE_B2C", "NL_B2B", "NL_B2C", "EU_DEFAULT")
    }
    be_b2b = by_id["default-BE_B2B"]
    assert [(s.action, s.offset_days) for s in be_b2b.steps] == [
        ("pre_due_reminder", -5),
        ("reminder", 3),
        ("reminder", 17),
        ("phone_call", 24),
        ("formal_notice", 35),
        ("agency_handover", 50),
    ]
    assert be_b2b.step(5).final_term_days == 10 and be_b2b.step(5).approval_required
    # BE B2C: the first reminder is free and gives at least 14 days.
    be_b2c = by_id["default-BE_B2C"]
    assert be_b2c.step(2).fee == 0 and be_b2c.step(2).final_term_days >= 14
    assert be_b2c.step(3).fee == 0  # the flat damages cover the costs (legal/costs.py)
    # NL B2C: the first claim is the 14-day letter, before any collection costs.
    assert by_id["default-NL_B2C"].step(2).template_key == "nl_b2c_fourteen_day_letter"
    for p in default_policies():
        assert validate(p) == [], p.policy_id
        assert p.minimum_amounts["EUR"] == Decimal("5.00")


def test_gaps_hold_the_final_term_and_for_consumers_the_statutory_wait() -> None:
    p = {q.policy_id: q for q in default_policies()}["default-BE_B2B"]
    assert p.first_claim_step == 2
    assert p.gaps(2) == (9, consumer_waiting_days("email") + 1)  # final term 8
    assert p.gaps(3) == (7, 7)  # later steps: the final term only
    assert p.gaps(4) == (1, 1)  # a phone call has no term
    # An e-mail's BE deadline is at most 16 days, an NL 14-day letter's at most 18 (weekend);
    # a BE letter's 14 days start on the 3rd working day after posting: up to 19.
    assert consumer_waiting_days("email") == 18 + 2  # two days for public holidays
    assert consumer_waiting_days("letter") == 19 + 2


@pytest.mark.parametrize(
    ("steps", "field", "reason"),
    [
        ((), "steps", "at least one step"),
        (
            (
                PolicyStep("reminder", 3, template_key="first_reminder"),
                PolicyStep("reminder", 3, template_key="first_reminder"),
            ),
            "steps[1].offset_days",
            "after the previous step",
        ),
        (
            (PolicyStep("pre_due_reminder", 2, template_key="pre_due_reminder"),),
            "steps[0].offset_days",
            "before the due date",
        ),
        (
            (PolicyStep("reminder", -2, template_key="first_reminder"),),
            "steps[0].offset_days",
            "only a pre-due",
        ),
        (
            (
                PolicyStep(
                    "reminder", 3, template_key="first_reminder", relative_to="previous_step"
                ),
            ),
            "steps[0].relative_to",
            "no previous step",
        ),
        (
            (PolicyStep("phone_call", 3, template_key="phone_call", fee=Decimal("5.00")),),
            "steps[0].fee",
            "carries no fee",
        ),
        (
            (
                PolicyStep("agency_handover", 40, template_key="handover_notice"),
                PolicyStep("reminder", 50, template_key="first_reminder"),
            ),
            "steps[0].action",
            "last step",
        ),
    ],
)
def test_invalid_policies_are_refused_with_field_and_reason(
    steps: tuple[PolicyStep, ...], field: str, reason: str
) -> None:
    problems = validate(policy(*steps))
    assert any(p.field == field and reason in p.reason for p in problems), problems


def test_steps_relative_to_the_previous_one() -> None:
    p = policy(
        PolicyStep("reminder", 3, template_key="first_reminder"),
        PolicyStep("reminder", 10, template_key="first_reminder", relative_to="previous_step"),
        PolicyStep("formal_notice", 14, template_key="formal_notice", final_term_days=10),
    )
    assert validate(p) == []
    # 3 + 10 = day 13 after the due date; a due-date offset of 12 would come before it
    bad = policy(
        PolicyStep("reminder", 3, template_key="first_reminder"),
        PolicyStep("reminder", 10, template_key="first_reminder", relative_to="previous_step"),
        PolicyStep("formal_notice", 12, template_key="formal_notice"),
    )
    assert [x.field for x in validate(bad)] == ["steps[2].offset_days"]
    assert p.cumulative_fees(3) == Decimal("0.00")

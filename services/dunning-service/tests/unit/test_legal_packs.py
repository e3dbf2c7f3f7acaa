"""Rule packs: selection, waiting periods and the claim they allow on overdue invoices."""

from __future__ import annotations

import ast
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

import dunning_service.domain.legal as legal
from dunning_service.domain.legal import deadlines, interest, packs
from dunning_service.domain.legal.money import CurrencyMismatch, Money
from dunning_service.domain.legal.packs import (
    BE_B2B,
    BE_B2C,
    EU_DEFAULT,
    NL_B2B,
    NL_B2C,
    FirstReminder,
    OverdueItem,
    be_b2c_deadline,
    claim_for,
    nl_fourteen_day_deadline,
    select_pack,
)


def eur(amount: str) -> Money:
    return Money(Decimal(amount), "EUR")


def item(number: str, due: date, amount: str, currency: str = "EUR") -> OverdueItem:
    return OverdueItem(number, due, Money(Decimal(amount), currency))


def per_period(base: str, rate: str, days: int) -> Decimal:
    return Decimal(base) * Decimal(rate) * days / (100 * 365)


# -- selection ---------------------------------------------------------------------------------


def test_packs_are_selected_by_country_and_kind() -> None:
    assert select_pack("BE", "B2B") is BE_B2B
    assert select_pack("be ", "B2C") is BE_B2C
    assert select_pack("NL", "B2B") is NL_B2B
    assert select_pack("nl", "B2C") is NL_B2C
    assert select_pack("DE", "B2B") is EU_DEFAULT
    assert select_pack("FR", "B2C") is EU_DEFAULT


def test_an_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="kind"):
        select_pack("BE", "B2X")  # type: ignore[arg-type]


def test_packs_carry_their_rules() -> None:
    assert (BE_B2B.interest_method, BE_B2B.rate_table.series) == ("simple", "be_b2b_late_payment")
    assert (NL_B2B.interest_method, NL_B2B.rate_table.series) == (
        "compound_yearly",
        "nl_commercial",
    )
    assert (NL_B2C.interest_method, NL_B2C.rate_table.series) == ("compound_yearly", "nl_consumer")
    assert EU_DEFAULT.rate_table.series == "eu_default"
    assert BE_B2C.rate_table.series == "be_b2b_late_payment"  # the ceiling for consumers
    assert BE_B2C.first_reminder_free and BE_B2C.min_days_after_first_reminder == 14
    assert not any(p.first_reminder_free for p in (BE_B2B, NL_B2B, NL_B2C, EU_DEFAULT))
    assert [p.max_contract_term_days for p in (BE_B2B, NL_B2B, EU_DEFAULT)] == [60, 60, 60]
    assert [p.fixed_compensation_per_invoice for p in (BE_B2B, NL_B2B, EU_DEFAULT)] == [True] * 3
    assert not BE_B2C.fixed_compensation_per_invoice and not NL_B2C.fixed_compensation_per_invoice
    assert NL_B2C.collection_costs_after_fourteen_day_letter
    assert "deadline of at least 14 calendar days" in BE_B2C.first_reminder_must_state


# -- waiting periods ---------------------------------------------------------------------------


def test_be_b2c_deadline_by_email_starts_the_next_day() -> None:
    # Monday e-mail: 14 days from Tuesday 4 March → Monday 17 March.
    assert be_b2c_deadline(date(2025, 3, 3), "email") == date(2025, 3, 17)
    # Friday e-mail: from Saturday 8 March → Friday 21 March.
    assert be_b2c_deadline(date(2025, 3, 7), "email") == date(2025, 3, 21)


def test_be_b2c_deadline_by_letter_starts_the_third_working_day_after_posting() -> None:
    # Monday post: Tue, Wed, Thu 6 March → 14 days end Wednesday 19 March.
    assert be_b2c_deadline(date(2025, 3, 3), "letter") == date(2025, 3, 19)
    # Friday post: Mon, Tue, Wed 12 March (the weekend does not count) → Tuesday 25 March.
    assert be_b2c_deadline(date(2025, 3, 7), "letter") == date(2025, 3, 25)
    # A letter gives more time than an e-mail sent the same day.
    assert be_b2c_deadline(date(2025, 3, 7), "letter") > be_b2c_deadline(date(2025, 3, 7), "email")


def test_be_b2c_deadline_ending_on_a_weekend_moves_to_monday() -> None:
    # Saturday e-mail: from Sunday 2 March the 14th day is Saturday 15 March → Monday 17 March.
    assert be_b2c_deadline(date(2025, 3, 1), "email") == date(2025, 3, 17)


def test_be_b2c_deadline_skips_holidays_passed_in() -> None:
    easter_monday = date(2025, 4, 21)
    posted = date(2025, 4, 17)  # Thursday: Fri 18, (Mon 21), Tue 22, Wed 23
    assert be_b2c_deadline(posted, "letter") == date(2025, 5, 5)
    assert be_b2c_deadline(posted, "letter", holidays={easter_monday}) == date(2025, 5, 6)


def test_be_b2c_deadline_gives_at_least_14_days_for_every_sending_day() -> None:
    for offset in range(21):
        sent = date(2025, 3, 1) + timedelta(days=offset)
        assert (be_b2c_deadline(sent, "email") - sent).days >= 14
        # Day 1 of 14 is the 3rd working day after posting, at least 3 days later.
        assert (be_b2c_deadline(sent, "letter") - sent).days >= 3 + 13
        assert be_b2c_deadline(sent, "letter").weekday() < 5


def test_nl_fourteen_day_letter_deadline_is_16_days_after_dispatch() -> None:
    assert nl_fourteen_day_deadline(date(2025, 3, 3)) == date(2025, 3, 19)  # a Wednesday
    # 16 days after Thursday 6 March is Saturday 22 March → Monday 24 March.
    assert nl_fourteen_day_deadline(date(2025, 3, 6)) == date(2025, 3, 24)
    for offset in range(14):
        dispatched = date(2025, 3, 1) + timedelta(days=offset)
        assert 16 <= (nl_fourteen_day_deadline(dispatched) - dispatched).days <= 18


# -- claims ------------------------------------------------------------------------------------


def test_domain_example_be_b2b_claim_is_189_04_interest_plus_40() -> None:
    claim = claim_for(
        BE_B2B, [item("INV-1", date(2025, 3, 1), "10000")], date(2025, 4, 30), False, 0
    )

    interest_line = claim.line("interest", "INV-1")
    compensation = claim.line("compensation", "INV-1")
    assert interest_line is not None and compensation is not None
    assert interest_line.amount == eur("189.04")
    assert interest_line.interest is not None and interest_line.interest.days == 60
    assert compensation.amount == eur("40.00")
    assert claim.total() == eur("10229.04")
    assert all(line.explanation for line in claim.lines)
    assert "11.50 %" in interest_line.explanation


def test_b2b_compensation_is_per_late_invoice() -> None:
    claim = claim_for(
        BE_B2B,
        [item("A", date(2025, 3, 1), "100"), item("B", date(2025, 3, 10), "200")],
        date(2025, 4, 30),
        False,
        0,
    )
    assert [line.invoice_number for line in claim.lines if line.kind == "compensation"] == [
        "A",
        "B",
    ]


def test_items_not_yet_overdue_are_left_out_with_a_note() -> None:
    claim = claim_for(BE_B2B, [item("LATER", date(2025, 5, 1), "100")], date(2025, 4, 30), False, 0)
    assert claim.lines == ()
    assert claim.notes == ("LATER: not overdue on 2025-04-30 (due 2025-05-01)",)


def test_eu_default_uses_ecb_plus_8_simple_interest_and_40_euro() -> None:
    claim = claim_for(
        select_pack("DE", "B2B"),
        [item("D-1", date(2025, 3, 1), "10000")],
        date(2025, 4, 30),
        False,
        0,
    )
    interest_line = claim.line("interest", "D-1")
    assert interest_line is not None
    assert interest_line.amount == eur("183.29")  # 10,000 × 11.15 % × 60 / 365 = 183.2876…
    assert interest_line.verify  # eu_default rates are marked (verify)
    assert claim.line("compensation", "D-1") is not None


def test_nl_b2b_claim_compounds_yearly_and_adds_40_per_invoice() -> None:
    claim = claim_for(NL_B2B, [item("N-1", date(2024, 3, 31), "1000")], date(2025, 5, 31), False, 0)
    line = claim.line("interest", "N-1")
    assert line is not None and line.interest is not None
    # Year 1: 1 Apr 2024 – 31 Mar 2025, then 61 days on principal + year-1 interest.
    year_1 = (
        per_period("1000", "12.50", 91)
        + per_period("1000", "12.25", 184)
        + per_period("1000", "11.15", 90)
    )
    base_2 = Decimal("1000") + year_1
    year_2 = base_2 * Decimal("11.15") * 61 / 36500
    assert line.interest.periods[-1].base.amount == base_2
    assert line.amount.amount == (year_1 + year_2).quantize(Decimal("0.01"))
    compensation = claim.line("compensation", "N-1")
    assert compensation is not None and compensation.amount == eur("40.00")


def test_nl_b2c_wik_costs_are_computed_once_on_the_sum_of_all_claims() -> None:
    items = [item("A", date(2025, 3, 1), "2500"), item("B", date(2025, 3, 1), "3500")]
    claim = claim_for(NL_B2C, items, date(2025, 4, 30), True, 1)

    costs = [line for line in claim.lines if line.kind == "collection_costs"]
    assert len(costs) == 1
    assert costs[0].invoice_number is None
    assert costs[0].amount == eur("675.00")  # on 6,000; separately it would be 375 + 475 = 850
    assert costs[0].fee is not None and costs[0].fee.basis == eur("6000")
    assert claim.line("compensation", "A") is None  # no EUR 40 for consumers
    # Consumer interest: 2,500 × 6.00 % × 60 / 365 = 24.657…
    interest_a = claim.line("interest", "A")
    assert interest_a is not None and interest_a.amount == eur("24.66")


def test_nl_b2c_no_wik_costs_before_the_fourteen_day_letter_expired() -> None:
    claim = claim_for(NL_B2C, [item("A", date(2025, 3, 1), "6000")], date(2025, 4, 30), False, 1)
    assert claim.line("collection_costs") is None
    assert claim.line("interest", "A") is not None  # statutory interest needs no letter
    assert "collection costs (WIK) only after an expired 14-day letter" in claim.notes


def test_nl_b2c_refuses_to_add_up_claims_in_different_currencies() -> None:
    items = [item("A", date(2025, 3, 1), "100"), item("B", date(2025, 3, 1), "100", "USD")]
    with pytest.raises(CurrencyMismatch):
        claim_for(NL_B2C, items, date(2025, 4, 30), True, 1)


def test_totals_stay_per_currency() -> None:
    claim = claim_for(
        BE_B2B, [item("U-1", date(2025, 3, 1), "10000", "USD")], date(2025, 4, 30), False, 0
    )
    assert claim.totals() == {"EUR": eur("40.00"), "USD": Money(Decimal("10189.04"), "USD")}


def test_be_b2c_first_reminder_is_free() -> None:
    items = [item("C-1", date(2025, 3, 1), "1000")]
    claim = claim_for(BE_B2C, items, date(2025, 3, 12), False, 1)

    assert [line.kind for line in claim.lines] == ["principal"]
    assert claim.total() == eur("1000.00")
    assert any("first reminder is free" in note for note in claim.notes)


def test_be_b2c_after_the_deadline_damages_reminder_fees_and_interest_from_its_end() -> None:
    first = FirstReminder(sent_on=date(2025, 3, 10), channel="email")  # deadline Mon 24 March
    items = [item("C-1", date(2025, 3, 1), "1000")]
    claim = claim_for(BE_B2C, items, date(2025, 4, 30), True, 3, first_reminder=first)

    interest_line = claim.line("interest", "C-1")
    assert interest_line is not None and interest_line.interest is not None
    assert interest_line.interest.periods[0].start == date(2025, 3, 25)
    assert interest_line.amount == eur("11.66")  # 1,000 × 11.50 % × 37 / 365 = 11.657…
    damages = claim.line("damages", "C-1")
    assert damages is not None and damages.amount == eur("90.00")
    fees = claim.line("reminder_fees")
    assert fees is not None and fees.amount == eur("15.00")  # 2 later reminders, the first free
    assert claim.total() == eur("1116.66")


def test_be_b2c_sme_creditor_counts_interest_from_the_day_after_the_first_reminder() -> None:
    first = FirstReminder(sent_on=date(2025, 3, 10), channel="email")
    claim = claim_for(
        BE_B2C,
        [item("C-1", date(2025, 3, 1), "1000")],
        date(2025, 4, 30),
        True,
        1,
        first_reminder=first,
        creditor_is_sme=True,
    )
    line = claim.line("interest", "C-1")
    assert line is not None and line.interest is not None
    assert line.interest.days == 51  # 11 March – 30 April
    assert line.amount == eur("16.07")  # 1,000 × 11.50 % × 51 / 365 = 16.068…
    assert claim.line("reminder_fees") is None  # only the free first reminder was sent


def test_be_b2c_interest_is_left_out_when_the_first_reminder_date_is_unknown() -> None:
    claim = claim_for(BE_B2C, [item("C-1", date(2025, 3, 1), "1000")], date(2025, 4, 30), True, 2)
    assert claim.line("interest", "C-1") is None
    assert claim.line("damages", "C-1") is not None
    assert any("interest left out" in note for note in claim.notes)


# -- no wall clock -----------------------------------------------------------------------------

LEGAL_DIR = Path(legal.__file__).parent
CLOCK_CALLS = {"now", "today", "utcnow", "time", "monotonic", "perf_counter", "time_ns"}


def test_no_module_of_the_legal_package_reads_the_wall_clock() -> None:
    sources = sorted(LEGAL_DIR.glob("*.py"))
    assert len(sources) >= 7
    for source in sources:
        tree = ast.parse(source.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                assert all(alias.name != "time" for alias in node.names), source.name
            if isinstance(node, ast.ImportFrom):
                assert node.module != "time", source.name
                if node.module == "datetime":
                    assert {a.name for a in node.names} <= {"date", "timedelta"}, source.name
            if isinstance(node, ast.Attribute):
                assert node.attr not in CLOCK_CALLS, f"{source.name}:{node.lineno} .{node.attr}"


class _NoClockDate(date):
    @classmethod
    def today(cls) -> _NoClockDate:
        raise AssertionError("the wall clock was read")


def test_claims_compute_with_date_today_made_unusable(monkeypatch: pytest.MonkeyPatch) -> None:
    for module in (packs, interest, deadlines):
        monkeypatch.setattr(module, "date", _NoClockDate)
    claim = claim_for(
        BE_B2B, [item("INV-1", date(2025, 3, 1), "10000")], date(2025, 4, 30), False, 0
    )
    assert claim.total() == eur("10229.04")

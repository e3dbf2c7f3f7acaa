"""Channel choice, message identity, the legal guard and webhook signatures."""

from __future__ import annotations

import base64
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from notification_service.adapters.http_channels import new_webhook_secret, sign, verify
from notification_service.adapters.pdf import LetterHead, letter_pdf, pdf_text, printable
from notification_service.domain.legal import (
    LetterFacts,
    be_b2c_earliest_deadline,
    violations,
)
from notification_service.domain.messages import (
    Contact,
    Preferences,
    channel_chain,
    message_id,
    smtp_message_id,
)

D = Decimal
ON = date(2026, 3, 2)  # a Monday
FULL = Contact("Jan", "jan@example.org", "+32470000000", ("Kerkstraat 1", "2000 Antwerpen"))


@pytest.mark.parametrize(
    ("requested", "contact", "preferences", "sms", "expected"),
    [
        ("email", FULL, Preferences(), False, ["email", "letter"]),
        ("email", Contact("Jan", None, None, ("Kerkstraat 1",)), Preferences(), False, ["letter"]),
        ("email", Contact("Jan", "jan@example.org"), Preferences(), False, ["email"]),
        ("letter", FULL, Preferences(), False, ["letter", "email"]),
        ("sms", FULL, Preferences(), True, ["sms", "email", "letter"]),
        ("sms", FULL, Preferences(), False, ["email", "letter"]),  # no provider configured
        ("email", FULL, Preferences(), True, ["email", "letter"]),  # SMS only when asked for
        ("email", FULL, Preferences(("letter",)), False, ["letter"]),  # opted out of e-mail
        (
            "letter",
            FULL,
            Preferences(("email",)),
            False,
            ["letter", "email"],
        ),  # letter: last resort
        ("email", Contact("Jan"), Preferences(), False, []),
    ],
)
def test_channels_follow_request_preferences_and_what_is_known(
    requested: str,
    contact: Contact,
    preferences: Preferences,
    sms: bool,
    expected: list[str],
) -> None:
    assert channel_chain(requested, contact, preferences, sms_available=sms) == expected


def test_formal_notices_go_by_post_first() -> None:
    chain = channel_chain("email", FULL, Preferences(), sms_available=False, always_letter=True)
    assert chain == ["letter", "email"]


def test_a_message_id_is_derived_from_cause_channel_and_recipient() -> None:
    one = message_id("acme", "reminder:R-1", "email", "Jan@Example.org ")
    assert one == message_id("acme", "reminder:R-1", "email", "jan@example.org")
    assert one != message_id("globex", "reminder:R-1", "email", "jan@example.org")
    assert one != message_id("acme", "reminder:R-1", "letter", "jan@example.org")
    assert one != message_id("acme", "reminder:R-2", "email", "jan@example.org")
    assert smtp_message_id(one, "mail.example") == f"<{one}@mail.example>"


def test_book_xix_terms_start_the_day_after_an_email_or_the_third_working_day_after_a_letter() -> (
    None
):
    assert be_b2c_earliest_deadline(ON, "email") == date(2026, 3, 16)
    # posted Friday 6 March: 3rd working day is Wednesday 11 March, + 13 days
    assert be_b2c_earliest_deadline(date(2026, 3, 6), "letter") == date(2026, 3, 24)


def facts(**changes: object) -> LetterFacts:
    values: dict[str, object] = {
        "pack": "BE_B2C",
        "template_key": "be_b2c_first_reminder",
        "channel": "email",
        "business_date": ON,
        "deadline": date(2026, 3, 16),
        "fees": D("0"),
        "creditor_name": "Acme NV",
        "creditor_enterprise_number": "0123.456.789",
        "announced": ["flat_damages"],
    }
    values.update(changes)
    return LetterFacts(**values)  # type: ignore[arg-type]


def test_the_legal_guard() -> None:
    assert violations(facts()) == []
    assert "free of charge" in violations(facts(fees=D("7.50")))[0]
    assert "shorter than 14 days" in violations(facts(deadline=date(2026, 3, 15)))[0]
    assert "shorter than 14 days" in violations(facts(channel="letter"))[0]
    assert "enterprise number" in violations(facts(creditor_enterprise_number=None))[0]
    assert "payment deadline" in violations(facts(deadline=None))[0]
    assert violations(facts(pack="BE_B2B", fees=D("40"), deadline=None)) == []
    nl = facts(
        pack="NL_B2C",
        template_key="nl_b2c_fourteen_day_letter",
        deadline=date(2026, 3, 10),
        announced=["collection_costs"],
    )
    assert "14 days after receipt" in violations(nl)[0]
    assert "must name the collection costs" in " ".join(
        violations(facts(pack="NL_B2C", template_key="nl_b2c_fourteen_day_letter", deadline=None))
    )
    assert (
        "final payment term"
        in violations(facts(pack="BE_B2B", template_key="formal_notice", deadline=None))[0]
    )


def test_standard_webhooks_signature() -> None:
    # The example of the Standard Webhooks specification.
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    body = '{"test": 2432232314}'
    expected = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    assert sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body) == expected
    headers = {
        "webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek",
        "webhook-timestamp": "1614265330",
        "webhook-signature": f"v1,bm9wZQ== {expected}",
    }
    assert verify(secret, headers, body)
    assert not verify(secret, headers, body + " ")
    fresh = new_webhook_secret()
    assert fresh.startswith("whsec_") and len(base64.b64decode(fresh[6:])) == 24


def test_letters_print_euro_accents_and_what_the_font_lacks() -> None:
    assert printable("€\u202f1 234,56 – Çà") == "€\u00a01 234,56 – Çà"
    assert printable("Łódź Ŝ") == "Łódz S".replace("Ł", "L")
    pdf = letter_pdf(
        head=LetterHead("Acme NV", ["Ondernemingsnummer 0123.456.789"]),
        recipient=["Jan Peeters", "Kerkstraat 1"],
        place_and_date="Brussel, 2 maart 2026",
        subject="Herinnering",
        body="Totaal te betalen: €\u00a01.234,56.",
        reference="reminder:R-1",
        created=datetime(2026, 3, 2, 8, tzinfo=UTC),
    )
    text = pdf_text(pdf)
    assert "Totaal te betalen" in text and "1.234,56" in text and "Jan Peeters" in text
    again = letter_pdf(
        head=LetterHead("Acme NV", ["Ondernemingsnummer 0123.456.789"]),
        recipient=["Jan Peeters", "Kerkstraat 1"],
        place_and_date="Brussel, 2 maart 2026",
        subject="Herinnering",
        body="Totaal te betalen: €\u00a01.234,56.",
        reference="reminder:R-1",
        created=datetime(2026, 3, 2, 8, tzinfo=UTC),
    )
    assert again == pdf  # same input, same bytes: the checksum proves the content


def test_the_guard_holds_back_free_reminders_that_claim_and_letters_that_do_not_add_up() -> None:
    claiming = facts(charges=[("interest", "EUR", D("1.00"))])
    assert any("claims interest" in v for v in violations(claiming))
    assert any("damages that will be claimed" in v for v in violations(facts(announced=[])))
    sums = facts(
        pack="BE_B2B",
        template_key="second_reminder",
        principal={"EUR": D("100.00")},
        charges=[("interest", "EUR", D("1.00")), ("fixed_compensation", "EUR", D("40.00"))],
        totals={"EUR": D("148.50")},
    )
    assert violations(sums) == ["the letter's lines add up to EUR 141.00, its total says 148.50"]
    # A deadline on a Sunday, on Easter Monday (BE) or on King's Day (NL).
    for pack, day in (("BE_B2B", date(2026, 3, 15)), ("BE_B2B", date(2026, 4, 6)),
                      ("NL_B2B", date(2026, 4, 27))):  # fmt: skip
        found = violations(facts(pack=pack, template_key="second_reminder", deadline=day))
        assert found == [f"the deadline {day.isoformat()} is a weekend day or public holiday"]
    saturday = facts(pack="BE_B2B", template_key="second_reminder", business_date=date(2026, 3, 7))
    assert "not a working day" in violations(saturday)[0]

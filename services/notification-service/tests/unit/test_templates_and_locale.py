"""Shipped templates, the sandbox and the debtor's locale (no database, no network)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from notification_service.application.templates import check_template
from notification_service.domain.catalog import (
    LANGUAGES,
    TEMPLATE_KEYS,
    shipped_defaults,
    template_problem,
)
from notification_service.domain.context import SAMPLE_CREDITOR, sample_context
from notification_service.domain.locale import LocaleFormat
from notification_service.domain.rendering import Renderer, TemplateProblem, TemplateSource

NBSP, NNBSP = "\u00a0", "\u202f"
PACKS = ("BE_B2C", "BE_B2B", "NL_B2C", "NL_B2B", "EU_DEFAULT")
DEFAULTS = shipped_defaults()
RENDERER = Renderer(DEFAULTS.partials)


@pytest.mark.parametrize(
    ("language", "pack", "money", "day"),
    [
        ("nl", "BE_B2C", f"€{NBSP}1.234,56", "1 december 2026"),
        ("fr", "BE_B2B", f"1{NNBSP}234,56{NBSP}€", "1 décembre 2026"),
        ("de", "BE_B2C", f"1.234,56{NBSP}€", "1. Dezember 2026"),
        ("nl", "NL_B2C", f"€{NBSP}1.234,56", "1 december 2026"),
        ("en", "NL_B2B", f"€{NBSP}1.234,56", "1 December 2026"),
        ("fr", "NL_B2C", f"1{NNBSP}234,56{NBSP}€", "1 décembre 2026"),  # no fr_NL in CLDR
    ],
)
def test_amounts_and_dates_read_as_the_debtor_writes_them(
    language: str, pack: str, money: str, day: str
) -> None:
    fmt = LocaleFormat.for_debtor(language, pack)
    assert fmt.money(Decimal("1234.555"), "EUR") == money
    assert fmt.date(date(2026, 12, 1)) == day


def test_money_rounds_half_up_to_cents() -> None:
    fmt = LocaleFormat.for_debtor("nl", "BE_B2B")
    assert fmt.money(Decimal("0.005")) == f"€{NBSP}0,01"
    assert fmt.money(Decimal("1E+3")) == f"€{NBSP}1.000,00"


def test_every_key_is_shipped_in_every_language_and_renders_for_every_pack() -> None:
    assert {(k, lang) for k in TEMPLATE_KEYS for lang in LANGUAGES} == set(DEFAULTS.templates)
    for (key, language), source in DEFAULTS.templates.items():
        for pack in PACKS:
            rendered = RENDERER.render(source, sample_context(key, pack, language, SAMPLE_CREDITOR))
            assert rendered.subject and rendered.text.strip() and rendered.sms, (key, language)
            assert "None" not in rendered.text, (key, language, pack)
            assert len(rendered.sms) <= 320, (key, language, len(rendered.sms))


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("key", list(TEMPLATE_KEYS))
def test_every_shipped_template_passes_the_checks_a_tenant_template_must(
    key: str, language: str
) -> None:
    source = DEFAULTS.get(key, language)
    assert source is not None
    assert check_template(RENDERER, source) == []


def _render(key: str, language: str, pack: str) -> str:
    source = DEFAULTS.get(key, language)
    assert source is not None
    context = sample_context(key, pack, language, SAMPLE_CREDITOR)
    rendered = RENDERER.render(source, context)
    return f"{rendered.subject}\n{rendered.text}".replace("\n", " ")


@pytest.mark.parametrize(
    ("language", "phrases"),
    [
        ("nl", ["Deze eerste herinnering is kosteloos.", "ondernemingsnummer 0999.888.777",
                "ten minste veertien kalenderdagen", f"€{NBSP}101,73", "boek XIX"]),
        ("fr", ["Ce premier rappel est gratuit.", "numéro d'entreprise 0999.888.777",
                "au moins quatorze jours calendrier", f"101,73{NBSP}€", "livre XIX"]),
        ("en", ["This first reminder is free of charge.", "enterprise number 0999.888.777",
                "at least fourteen calendar days", "Book XIX"]),
        ("de", ["Diese erste Zahlungserinnerung ist kostenlos.", "Unternehmensnummer 0999.888.777",
                "mindestens vierzehn Kalendertage", "Buch XIX"]),
    ],
)  # fmt: skip
def test_be_consumer_first_reminder_states_what_book_xix_requires(
    language: str, phrases: list[str]
) -> None:
    text = _render("be_b2c_first_reminder", language, "BE_B2C")
    for phrase in phrases:
        assert phrase in text, phrase
    assert "F-2026-0042" in text  # the invoice: what was sold


def test_first_reminders_of_other_packs_carry_their_own_law() -> None:
    be_b2b = _render("first_reminder", "nl", "BE_B2B")
    assert "wet van 2 augustus 2002" in be_b2b and f"€{NBSP}40,00 per factuur" in be_b2b
    assert "kosteloos" not in be_b2b
    nl_b2b = _render("first_reminder", "nl", "NL_B2B")
    assert "artikel 6:119a BW" in nl_b2b and "6:96 lid 4 BW" in nl_b2b
    assert "boek XIX" not in _render("first_reminder", "nl", "EU_DEFAULT")


def test_the_dutch_fourteen_day_letter_uses_the_statutory_wording_and_wik_amount() -> None:
    text = _render("nl_b2c_fourteen_day_letter", "nl", "NL_B2C")
    assert "binnen veertien dagen na de dag waarop u deze brief heeft ontvangen" in text
    # WIK on 1,234.56: 15 % = 185.18 (minimum 40)
    assert f"buitengerechtelijke incassokosten verschuldigd van €{NBSP}185,18" in text
    assert "artikel 6:96 BW" in text


@pytest.mark.parametrize(
    ("language", "phrase"),
    [
        ("nl", "Bij deze stellen wij u formeel in gebreke"),
        ("fr", "nous vous mettons formellement en demeure"),
        ("en", "formally give you notice of default"),
        ("de", "setzen wir Sie förmlich in Verzug"),
    ],
)
def test_formal_notice_is_worded_as_one(language: str, phrase: str) -> None:
    assert phrase in _render("formal_notice", language, "BE_B2B")


def test_an_unknown_key_is_never_replaced_by_another_letter() -> None:
    assert template_problem("second_reminder") is None
    for unknown in ("veertiendagenbrief", "reminder_2", "nl_14_day_letter", "?"):
        reason = template_problem(unknown)
        assert reason is not None and "not in the published vocabulary" in reason
    assert template_problem("phone_call") == "template key 'phone_call' sends no message"


def tenant(text: str, subject: str = "Herinnering", html: str | None = None) -> TemplateSource:
    return TemplateSource("second_reminder", "nl", subject, text, html=html, origin="tenant")


CONTEXT = sample_context("second_reminder", "BE_B2B", "nl", SAMPLE_CREDITOR)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("{{ ''.__class__.__mro__[1].__subclasses__() }}", "unsafe"),
        ("{{ debtor.__class__ }}", "unsafe"),
        ("{% for i in range(100001) %}x{% endfor %}", "range too big"),
        ("{% for i in range(90000) %}{% for j in range(90000) %}{% endfor %}{% endfor %}", "calls"),
        ("{{ 'x' * 1000000 }}", "repetition"),
        ("{{ 10 ** 100000 }}", "exponent"),
        ("{% set x = items.append(1) %}", "immutable"),
    ],
)
def test_the_sandbox_refuses_what_a_template_may_not_do(text: str, reason: str) -> None:
    with pytest.raises(TemplateProblem) as caught:
        RENDERER.render(tenant(text), CONTEXT)
    assert caught.value.field == "text", reason


def test_problems_name_the_field_and_the_line() -> None:
    [syntax] = RENDERER.check_syntax(tenant("a\nb\n{{ debtor.name }\n"))
    assert (syntax.field, syntax.line) == ("text", 3)
    with pytest.raises(TemplateProblem) as caught:
        RENDERER.render(tenant("a\n\n{{ debtor.nmae }}"), CONTEXT)
    assert (caught.value.field, caught.value.line) == ("text", 3)
    with pytest.raises(TemplateProblem) as subject:
        RENDERER.render(tenant("ok", subject="{{ nope }}"), CONTEXT)
    assert subject.value.field == "subject"


def test_html_is_escaped_and_text_is_not() -> None:
    ctx = {**CONTEXT, "debtor": {**CONTEXT["debtor"], "name": "<b>Jan & Co</b>"}}
    rendered = RENDERER.render(tenant("Beste {{ debtor.name }}"), ctx)
    assert "Beste <b>Jan & Co</b>" in rendered.text
    assert "&lt;b&gt;Jan &amp; Co&lt;/b&gt;" in rendered.html
    own_html = RENDERER.render(tenant("x", html="<p>{{ debtor.name }}</p>"), ctx)
    assert own_html.html == "<p>&lt;b&gt;Jan &amp; Co&lt;/b&gt;</p>"


def test_a_tenant_template_missing_book_xix_content_is_refused() -> None:
    source = TemplateSource(
        "be_b2c_first_reminder",
        "nl",
        "Herinnering",
        "Betaal {{ total.total|money }}.",
        origin="tenant",
    )
    reasons = " ".join(p.reason for p in check_template(RENDERER, source))
    for what in ("enterprise number", "the due date", "the payment deadline", "damages"):
        assert what in reasons

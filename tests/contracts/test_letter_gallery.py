"""Every legal pack × step of its shipped policy × language, composed by dunning's domain code
and rendered by notification's templates in one process (the gallery ``make letters`` writes):
no letter is held back by a legal check, none is dated on a weekend or holiday, none speaks
another language or shows internal text, and the address block is the master data."""

from __future__ import annotations

from contracts.calendar import is_business_day
from contracts.letters import LETTER_LANGUAGES
from gallery.__main__ import _letters, build
from gallery.cases import CASES, PACKS, SENDER
from gallery.checks import reader_problems
from notification_service.adapters.pdf import pdf_text

DATA = (SENDER.email or "", SENDER.website or "", "debiteur@example.org")


def test_every_letter_of_the_matrix_reads_right() -> None:
    checked = 0
    for pack in PACKS:
        case = CASES[pack]
        for language in LETTER_LANGUAGES:
            for label, letter in _letters(case, language):
                where = (pack, language, label, letter.template_key)
                assert letter.problems == [], where
                assert is_business_day(letter.business_date), where
                assert letter.recipient[0] == case.name and case.name not in letter.recipient[1:]
                assert letter.recipient[1] == case.address.street
                assert letter.recipient[2] == f"{case.address.postal_code} {case.address.city}"
                foreign = case.address.country != SENDER.country
                assert len(letter.recipient) == (4 if foreign else 3), where
                text = f"{letter.subject}\n{letter.text}"
                assert reader_problems(text, language, DATA) == [], where
                assert reader_problems(pdf_text(letter.pdf), language, DATA) == [], where
                checked += 1
    assert checked == 4 * 4 * 10  # 5 letters of the policy + 2 confirmations + 3 outcomes


def test_make_letters_writes_the_gallery_with_an_index(tmp_path: object) -> None:
    from pathlib import Path

    assert isinstance(tmp_path, Path)
    count, held = build(tmp_path)
    assert (count, held) == (160, 0)
    index = (tmp_path / "index.html").read_text()
    assert index.count("<tr>") == count + 1
    assert len(list(tmp_path.glob("*.pdf"))) == count


def test_the_reader_check_catches_what_letters_used_to_show() -> None:
    leaked = [
        "first reminder is free: nothing beyond the balance may be claimed before its deadline",
        "collection costs (WIK) only after an expired 14-day letter",
        "EUR 145.20: NL WIK scale (buitengerechtelijke incassokosten): 15 % of 968",
        "EUR 7.50: reminder fees EUR 7.50: policy fees 7.50 within the statutory cap",
        "Ref. be_b2c_first_reminder",
    ]
    for text in leaked:
        for language in ("nl", "fr", "de"):
            assert reader_problems(text, language), (text, language)

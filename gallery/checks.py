"""What a reader of a letter checks, as code: no word of another language, no internal text.

Used on the gallery (in one process) and on the e-mails received in the end-to-end matrix."""

from __future__ import annotations

import re

# Words that occur in English sentences and in none of our Dutch, French or German letters
# (``of`` and ``is`` are Dutch too, ``source`` French, so they are not listed).
ENGLISH_ONLY = frozenset(
    {
        "the",
        "and",
        "please",
        "your",
        "you",
        "will",
        "with",
        "which",
        "been",
        "have",
        "has",
        "this",
        "that",
        "from",
        "before",
        "after",
        "claimed",
        "statutory",
        "policy",
        "reminder",
        "reminders",
        "invoice",
        "invoices",
        "deadline",
        "fee",
        "fees",
        "costs",
        "balance",
        "amount",
        "interest",
        "damages",
        "compensation",
        "step",
        "first",
        "second",
        "notice",
        "verify",
        "days",
        "nothing",
        "beyond",
        "expired",
        "scale",
        "caps",
        "cap",
        "within",
    }
)
# Pieces of internal explanations and identifiers that must never reach a debtor.
INTERNAL = (
    re.compile(r"\b[a-z]+_[a-z_]+\b"),  # flat_damages, be_b2c_first_reminder, default-agency ids
    re.compile(r"\bEUR \d"),  # the explanations' "EUR 145.20" (letters write € 145,20)
    re.compile(r"\bsource:"),
    re.compile(r"\[rate or amount"),
    re.compile(r"\bv\d+\b"),  # policy versions
    re.compile(r"\bNone\b"),
)
WORD = re.compile(r"[A-Za-zÀ-ÿ]+")


def english_words(text: str) -> list[str]:
    return sorted({w for w in WORD.findall(text) if w.lower() in ENGLISH_ONLY})


def internal_text(text: str) -> list[str]:
    found: list[str] = []
    for pattern in INTERNAL:
        found += pattern.findall(text)
    return found


def reader_problems(text: str, language: str, ignore: tuple[str, ...] = ()) -> list[str]:
    """Why a reader of ``language`` would stumble over ``text``; ``ignore``: strings that are
    data, not words (e-mail addresses, names)."""
    for value in ignore:
        text = text.replace(value, " ")
    problems = [f"internal text {piece!r}" for piece in internal_text(text)]
    if language != "en":
        problems += [f"English word {word!r}" for word in english_words(text)]
    return problems


# Words only one of our letter languages uses: a Dutch letter with "facture" or "Rechnung" in
# it has a sentence of another language.
MARKERS = {
    "nl": frozenset({"factuur", "wij", "uw", "herinnering", "betaling", "gelieve", "bedrag"}),
    "fr": frozenset({"facture", "nous", "vous", "votre", "rappel", "paiement", "montant"}),
    "de": frozenset({"rechnung", "wir", "ihnen", "zahlung", "betrag", "bitte", "sehr"}),
    "en": ENGLISH_ONLY,
}


def other_language_words(text: str, language: str) -> list[str]:
    """Words of another of the letter languages in a letter written in ``language``."""
    words = {w.lower() for w in WORD.findall(text)}
    found: list[str] = []
    for other, markers in MARKERS.items():
        if other != language:
            found += [f"{other}:{w}" for w in sorted(words & markers)]
    return found

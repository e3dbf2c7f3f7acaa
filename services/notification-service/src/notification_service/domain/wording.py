"""The law's own names for what a letter claims, in the debtor's language.

dunning-service names every charge by its kind (``contracts.letters.ChargeKind``); a letter
names it as the statute that allows it does, in nl, fr, de and en. The English is for English
letters only: a Dutch, French or German letter never shows a developer's wording.
"""

from __future__ import annotations

from collections.abc import Mapping

from babel import Locale

from contracts.letters import CHARGE_KINDS, LETTER_LANGUAGES

# (language, pack) -> charge kind -> name. Packs not listed use the EU default's names.
_BE_B2B = {
    "nl": {
        "interest": "verwijlintresten (wet van 2 augustus 2002, art. 5)",
        "fixed_compensation": "forfaitaire vergoeding voor invorderingskosten "
        "(wet van 2 augustus 2002, art. 6)",
        "administrative_costs": "administratieve kosten (wet van 2 augustus 2002, art. 6)",
    },
    "fr": {
        "interest": "intérêts de retard (loi du 2 août 2002, art. 5)",
        "fixed_compensation": "indemnité forfaitaire pour frais de recouvrement "
        "(loi du 2 août 2002, art. 6)",
        "administrative_costs": "frais administratifs (loi du 2 août 2002, art. 6)",
    },
    "de": {
        "interest": "Verzugszinsen (Gesetz vom 2. August 2002, Art. 5)",
        "fixed_compensation": "Pauschalentschädigung für Beitreibungskosten "
        "(Gesetz vom 2. August 2002, Art. 6)",
        "administrative_costs": "Verwaltungskosten (Gesetz vom 2. August 2002, Art. 6)",
    },
    "en": {
        "interest": "late-payment interest (Act of 2 August 2002, art. 5)",
        "fixed_compensation": "fixed compensation for recovery costs "
        "(Act of 2 August 2002, art. 6)",
        "administrative_costs": "administrative costs (Act of 2 August 2002, art. 6)",
    },
}
_BE_B2C = {
    "nl": {
        "interest": "verwijlintresten (boek XIX WER)",
        "flat_damages": "forfaitaire schadevergoeding (boek XIX WER)",
        "reminder_costs": "herinneringskosten (boek XIX WER)",
    },
    "fr": {
        "interest": "intérêts de retard (livre XIX CDE)",
        "flat_damages": "indemnité forfaitaire (livre XIX CDE)",
        "reminder_costs": "frais de rappel (livre XIX CDE)",
    },
    "de": {
        "interest": "Verzugszinsen (Buch XIX WGB)",
        "flat_damages": "pauschaler Schadensersatz (Buch XIX WGB)",
        "reminder_costs": "Mahnkosten (Buch XIX WGB)",
    },
    "en": {
        "interest": "late-payment interest (Book XIX Code of Economic Law)",
        "flat_damages": "flat-rate damages (Book XIX Code of Economic Law)",
        "reminder_costs": "reminder costs (Book XIX Code of Economic Law)",
    },
}
_NL_B2B = {
    "nl": {
        "interest": "wettelijke handelsrente (art. 6:119a BW)",
        "fixed_compensation": "vergoeding voor incassokosten (art. 6:96 lid 4 BW)",
    },
    "fr": {
        "interest": "intérêt légal commercial (art. 6:119a du Code civil néerlandais)",
        "fixed_compensation": "indemnité pour frais de recouvrement "
        "(art. 6:96, al. 4, du Code civil néerlandais)",
    },
    "de": {
        "interest": "gesetzliche Handelszinsen (Art. 6:119a niederländisches BW)",
        "fixed_compensation": "Entschädigung für Inkassokosten "
        "(Art. 6:96 Abs. 4 niederländisches BW)",
    },
    "en": {
        "interest": "statutory commercial interest (Dutch Civil Code art. 6:119a)",
        "fixed_compensation": "compensation for collection costs (Dutch Civil Code art. 6:96(4))",
    },
}
_NL_B2C = {
    "nl": {
        "interest": "wettelijke rente (art. 6:119 BW)",
        "collection_costs": "buitengerechtelijke incassokosten (art. 6:96 BW)",
    },
    "fr": {
        "interest": "intérêt légal (art. 6:119 du Code civil néerlandais)",
        "collection_costs": "frais de recouvrement extrajudiciaires "
        "(art. 6:96 du Code civil néerlandais)",
    },
    "de": {
        "interest": "gesetzliche Zinsen (Art. 6:119 niederländisches BW)",
        "collection_costs": "außergerichtliche Inkassokosten (Art. 6:96 niederländisches BW)",
    },
    "en": {
        "interest": "statutory interest (Dutch Civil Code art. 6:119)",
        "collection_costs": "extrajudicial collection costs (Dutch Civil Code art. 6:96)",
    },
}
_EU = {
    "nl": {
        "interest": "interest wegens laattijdige betaling (richtlijn 2011/7/EU)",
        "fixed_compensation": "forfaitaire vergoeding voor invorderingskosten "
        "(richtlijn 2011/7/EU)",
        "administrative_costs": "administratieve kosten",
    },
    "fr": {
        "interest": "intérêts pour retard de paiement (directive 2011/7/UE)",
        "fixed_compensation": "indemnité forfaitaire pour frais de recouvrement "
        "(directive 2011/7/UE)",
        "administrative_costs": "frais administratifs",
    },
    "de": {
        "interest": "Verzugszinsen (Richtlinie 2011/7/EU)",
        "fixed_compensation": "Pauschale für Beitreibungskosten (Richtlinie 2011/7/EU)",
        "administrative_costs": "Verwaltungskosten",
    },
    "en": {
        "interest": "late-payment interest (Directive 2011/7/EU)",
        "fixed_compensation": "fixed compensation for recovery costs (Directive 2011/7/EU)",
        "administrative_costs": "administrative costs",
    },
}
CHARGE_NAMES: Mapping[str, Mapping[str, Mapping[str, str]]] = {
    "BE_B2B": _BE_B2B,
    "BE_B2C": _BE_B2C,
    "NL_B2B": _NL_B2B,
    "NL_B2C": _NL_B2C,
    "EU_DEFAULT": _EU,
}


def charge_name(kind: str, pack: str, language: str) -> str | None:
    """The law's name of a charge in ``language``; None when the pack has no such charge (the
    letter is then not sent: a charge without its legal name is not claimed)."""
    names = CHARGE_NAMES.get(pack, _EU).get(language, {})
    return names.get(kind)


def known_charge_kinds(pack: str) -> set[str]:
    return set(CHARGE_NAMES.get(pack, _EU)["en"]) & set(CHARGE_KINDS)


def country_name(code: str, language: str) -> str:
    """``BE`` in French is ``Belgique``; an unknown code stays as it is."""
    if language not in LETTER_LANGUAGES:
        language = "en"
    name = Locale.parse(language).territories.get(code.upper())
    return str(name) if name else code

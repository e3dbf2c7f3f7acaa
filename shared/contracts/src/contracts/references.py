"""Payment reference schemes: the shared vocabulary.

An invoice's payment reference travels in events with the name of its scheme, so that every
service (and every letter) can show it in the form the debtor's bank expects:

* ``be_ogm`` — Belgian structured communication (OGM/VCS): 10 digits and a mod-97 check,
  printed ``+++123/4567/89002+++``; banking apps ask for the 12 digits.
* ``iso11649`` — ISO 11649 creditor reference ``RF`` + 2 check digits + up to 21 characters,
  printed in groups of four (``RF18 5390 0754 7034``); the SEPA structured reference.
* ``nl_betalingskenmerk`` — Dutch payment reference: 16 digits (weighted mod-11 check digit),
  9–14 digits with a length code, or 7 digits without check; printed in groups of four.
* ``unstructured`` — anything else: a free text the payer copies into the remittance field.

The references themselves are checked where they are issued (invoice-service); this module only
names the schemes and prints a canonical reference.
"""

from __future__ import annotations

from typing import Literal, get_args

PaymentReferenceScheme = Literal["be_ogm", "iso11649", "nl_betalingskenmerk", "unstructured"]
PAYMENT_REFERENCE_SCHEMES: tuple[PaymentReferenceScheme, ...] = get_args(PaymentReferenceScheme)

# How each scheme is named for people (letters, consoles); keys are the scheme names above.
SCHEME_LABELS: dict[PaymentReferenceScheme, str] = {
    "be_ogm": "Belgian structured communication (OGM/VCS)",
    "iso11649": "ISO 11649 creditor reference (RF)",
    "nl_betalingskenmerk": "Dutch betalingskenmerk",
    "unstructured": "free-text reference",
}


def _groups_of_four(text: str) -> str:
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def display_reference(scheme: PaymentReferenceScheme, reference: str) -> str:
    """The canonical reference as a person copies it into a banking app.

    Canonical forms (as events carry them): ``+++ddd/dddd/ddddd+++`` for an OGM, compact
    upper-case ``RF…`` for ISO 11649, bare digits for a betalingskenmerk, and the text as given
    for an unstructured reference."""
    if scheme == "iso11649" or (scheme == "nl_betalingskenmerk" and len(reference) == 16):
        return _groups_of_four(reference)
    return reference


def wire_reference(scheme: PaymentReferenceScheme, reference: str) -> str:
    """The reference as it goes into a credit transfer's remittance field: the 12 digits of an
    OGM, the compact RF or betalingskenmerk, an unstructured reference unchanged."""
    if scheme == "be_ogm":
        return "".join(ch for ch in reference if ch.isdigit())
    return reference


def scheme_of_canonical(reference: str) -> PaymentReferenceScheme:
    """The scheme of a reference stored in canonical form before events carried its scheme
    (upcasting): ``+++…+++`` was an OGM, a checksum-valid compact ``RF…`` an ISO 11649
    reference; nothing else was recognised then."""
    if reference.startswith("+++") and reference.endswith("+++"):
        return "be_ogm"
    if _is_rf(reference):
        return "iso11649"
    return "unstructured"


def _is_rf(reference: str) -> bool:
    if not (5 <= len(reference) <= 25 and reference[:2] == "RF" and reference[2:4].isdigit()):
        return False
    body = reference[4:] + reference[:4]
    if not body.isascii() or not body.isalnum():
        return False
    digits = "".join(str(int(ch, 36)) for ch in body.upper())
    return int(digits) % 97 == 1

"""Payment references: one place that knows every scheme.

* :func:`classify_reference` tells what a reference given with an invoice is: a Belgian
  structured communication (OGM/VCS), an ISO 11649 RF creditor reference, a Dutch
  betalingskenmerk, or unstructured text. Only a reference that *claims* a scheme by its form
  (``+++…+++``/``***…***`` or ``ddd/dddd/ddddd``, or ``RF`` + two digits) and fails that
  scheme's check is refused; anything else is kept as unstructured with a warning.
* :func:`generate_reference` issues a new reference in the creditor's scheme: OGM for
  Belgian creditors, betalingskenmerk for Dutch ones, RF otherwise (:func:`scheme_for_country`).
* :func:`reference_keys` gives the canonical forms a reference quoted on a payment can denote
  (matching compares canonical forms).
* Dutch *betalingskenmerk* (Betaalvereniging Nederland / Currence specification): 16 digits
  (check digit + 15 digits), 9–14 digits (check digit + length code + 7–12 digits) or
  7 digits (no check information at all).  The check digit is a weighted modulus 11 over
  every digit after it, weights 2, 4, 8, 5, 10, 9, 7, 3, 6, 1 from the right, repeating;
  ``C = 11 - (sum mod 11)`` with 10 → 1 and 11 → 0.
* :func:`find_references` scans free text (``RmtInf/Ustrd``) for checksum-valid Belgian
  structured communications (OGM/VCS), ISO 11649 RF creditor references and 16-digit
  Dutch betalingskenmerken.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Literal

from stdnum import iso11649
from stdnum.be import ogm_vcs

from contracts.references import PaymentReferenceScheme

ReferenceKind = Literal["ogm", "rf", "nl"]
SCHEME_OF_KIND: dict[ReferenceKind, PaymentReferenceScheme] = {
    "ogm": "be_ogm",
    "rf": "iso11649",
    "nl": "nl_betalingskenmerk",
}
MAX_REFERENCE_LENGTH = 40

_NL_WEIGHTS = (2, 4, 8, 5, 10, 9, 7, 3, 6, 1)
_NL_SEPARATORS = re.compile(r"[ .]")


def _nl_check_digit(digits: str) -> int:
    """Check digit over ``digits`` (everything after the check digit position)."""
    total = sum(
        int(digit) * _NL_WEIGHTS[position % len(_NL_WEIGHTS)]
        for position, digit in enumerate(reversed(digits))
    )
    check = 11 - total % 11
    if check == 10:
        return 1
    if check == 11:
        return 0
    return check


def nl_payment_reference_is_valid(ref: str) -> bool:
    """Whether ``ref`` is a valid Dutch betalingskenmerk.

    Spaces and dots between digit groups (``5000 0567 8901 2345``) are ignored.

    * 16 digits: check digit + 15 digits.
    * 9–14 digits: check digit + length code + N digits, where the length code is N mod 10
      (9 → 7, 10 → 8, 11 → 9, 12 → 0, 13 → 1, 14 → 2); the length code is included in the
      check digit computation.
    * 7 digits: carries no check information, so any 7 digits are accepted.
    * Any other length (including 8 and 15) is invalid.
    """
    compact = _NL_SEPARATORS.sub("", ref.strip())
    if not compact.isascii() or not compact.isdigit():
        return False
    length = len(compact)
    if length == 7:
        return True
    if length == 16:
        return int(compact[0]) == _nl_check_digit(compact[1:])
    if 9 <= length <= 14:
        if int(compact[1]) != (length - 2) % 10:
            return False
        return int(compact[0]) == _nl_check_digit(compact[1:])
    return False


def nl_payment_reference(base_digits: str) -> str:
    """A valid 16-digit betalingskenmerk: check digit + ``base_digits`` left-padded to 15."""
    if not base_digits.isascii() or not base_digits.isdigit() or len(base_digits) > 15:
        raise ValueError("base_digits must be 1 to 15 digits")
    body = base_digits.rjust(15, "0")
    return f"{_nl_check_digit(body)}{body}"


@dataclass(frozen=True, slots=True)
class FoundReference:
    """A checksum-valid payment reference found in free text.

    ``value`` is normalised: OGM as ``+++ddd/dddd/ddddd+++``, RF compact upper-case,
    NL as 16 digits.
    """

    kind: ReferenceKind
    value: str

    @property
    def scheme(self) -> PaymentReferenceScheme:
        return SCHEME_OF_KIND[self.kind]


# Boundaries: a bare number must not be glued to letters or digits (IBANs, invoice numbers).
_NOT_ALNUM_BEFORE = r"(?<![0-9A-Za-z])"
_NOT_ALNUM_AFTER = r"(?![0-9A-Za-z])"

_OGM_DELIMITED = re.compile(
    r"(?P<delim>\+{3}|\*{3})\s*(?P<a>\d{3})\s*/?\s*(?P<b>\d{4})\s*/?\s*(?P<c>\d{5})\s*(?P=delim)"
)
_OGM_SLASHED = re.compile(
    r"(?<![0-9A-Za-z/])(?P<a>\d{3})\s?/\s?(?P<b>\d{4})\s?/\s?(?P<c>\d{5})(?![0-9A-Za-z/])"
)
_OGM_BARE = re.compile(_NOT_ALNUM_BEFORE + r"(?P<digits>\d{12})" + _NOT_ALNUM_AFTER)
# 16 digits, contiguous or as four groups of four separated by one space or dot.  A group
# preceded by "<digit><separator>" or followed by "<separator><digit>" is part of a longer
# number (e.g. a spaced IBAN such as ``DE89 3704 0044 0532 0130 00``) and is skipped.
_NL_16 = re.compile(
    _NOT_ALNUM_BEFORE
    + r"(?<!\d[ .])(?P<ref>\d{16}|\d{4}(?P<sep>[ .])\d{4}(?P=sep)\d{4}(?P=sep)\d{4})"
    + _NOT_ALNUM_AFTER
    + r"(?![ .]\d)"
)
# RF + 2 check digits + up to 21 alphanumerics, possibly printed in groups of four separated
# by single spaces.  The longest prefix of groups that passes the checksum wins.
_RF_START = re.compile(_NOT_ALNUM_BEFORE + r"RF\d{2}", re.IGNORECASE)
_RF_GROUP = re.compile(r"[0-9A-Za-z]+")
_RF_MAX_LENGTH = 25


@dataclass(frozen=True, slots=True)
class _Hit:
    start: int
    end: int
    reference: FoundReference


def _ogm_value(digits: str) -> str | None:
    if not ogm_vcs.is_valid(digits):
        return None
    return f"+++{digits[:3]}/{digits[3:7]}/{digits[7:]}+++"


def _ogm_hits(text: str) -> list[_Hit]:
    hits: list[_Hit] = []
    for pattern in (_OGM_DELIMITED, _OGM_SLASHED):
        for match in pattern.finditer(text):
            value = _ogm_value(match["a"] + match["b"] + match["c"])
            if value is not None:
                hits.append(_Hit(match.start(), match.end(), FoundReference("ogm", value)))
    for match in _OGM_BARE.finditer(text):
        value = _ogm_value(match["digits"])
        if value is not None:
            hits.append(_Hit(match.start(), match.end(), FoundReference("ogm", value)))
    return hits


def _rf_groups(text: str, start: int) -> list[str]:
    """The RF candidate starting at ``start``, split into its space-separated groups.

    ISO 11649 prints references in groups of four separated by one space (the last group may
    be shorter), so a continuation needs a four-character group before it and is itself at
    most four characters.  A continuation group without any digit is taken to be a word
    (``DANK U``, ``dank u``): bank free text is often upper-cased, and a word that happens to
    extend the reference to a checksum-valid one must not be swallowed.  The price is that
    an RF reference printed with an all-letter group after the first is not found.
    """
    first = _RF_GROUP.match(text, start)
    if first is None:  # pragma: no cover - _RF_START guarantees a match
        return []
    groups = [first.group()]
    position = first.end()
    length = len(groups[0])
    while len(groups[-1]) == 4 and length < _RF_MAX_LENGTH and text.startswith(" ", position):
        group = _RF_GROUP.match(text, position + 1)
        if group is None:
            break
        value = group.group()
        if len(value) > 4 or not any(char.isdigit() for char in value):
            break
        groups.append(value)
        length += len(value)
        position = group.end()
    return groups


def _rf_hits(text: str) -> list[_Hit]:
    hits: list[_Hit] = []
    for start in _RF_START.finditer(text):
        groups = _rf_groups(text, start.start())
        for count in range(len(groups), 0, -1):
            candidate = " ".join(groups[:count])
            compact = candidate.replace(" ", "").upper()
            if len(compact) <= _RF_MAX_LENGTH and iso11649.is_valid(compact):
                reference = FoundReference("rf", compact)
                hits.append(_Hit(start.start(), start.start() + len(candidate), reference))
                break
    return hits


def _nl_hits(text: str) -> list[_Hit]:
    hits: list[_Hit] = []
    for match in _NL_16.finditer(text):
        digits = _NL_SEPARATORS.sub("", match["ref"])
        if nl_payment_reference_is_valid(digits):
            hits.append(_Hit(match.start(), match.end(), FoundReference("nl", digits)))
    return hits


def find_references(text: str) -> list[FoundReference]:
    """Checksum-valid OGM, RF and 16-digit NL references in ``text``.

    Results are in order of appearance, without duplicates.  Overlapping candidates are
    resolved in favour of the one that starts first (then the longest); references with an
    invalid checksum are never returned.
    """
    hits = _ogm_hits(text) + _rf_hits(text) + _nl_hits(text)
    hits.sort(key=lambda hit: (hit.start, -(hit.end - hit.start)))
    found: list[FoundReference] = []
    covered_until = -1
    for hit in hits:
        if hit.start < covered_until:
            continue
        covered_until = hit.end
        if hit.reference not in found:
            found.append(hit.reference)
    return found


# --- classification of a reference given with an invoice -------------------------------------


class ReferenceRejected(ValueError):
    """The reference claims a scheme by its form and fails that scheme's check."""


@dataclass(frozen=True, slots=True)
class ClassifiedReference:
    """A reference in canonical form with its scheme; ``warning`` is set when it is kept as
    unstructured text (it then matches only where a payment quotes it literally)."""

    scheme: PaymentReferenceScheme
    value: str
    warning: str | None = None


_OGM_CLAIM = re.compile(r"^(\+{3}|\*{3}).*|^\d{3}\s?/\s?\d{4}\s?/\s?\d{5}$", re.DOTALL)
_RF_CLAIM = re.compile(r"^RF\d{2}", re.IGNORECASE)
_DIGIT_GROUPS = re.compile(r"^\d+(?:[ .]\d+)*$")


def _ogm_canonical(digits: str) -> str:
    return f"+++{digits[:3]}/{digits[3:7]}/{digits[7:]}+++"


def classify_reference(text: str, creditor_country: str | None = None) -> ClassifiedReference:
    """Classify ``text`` (see the module docstring); raises :class:`ReferenceRejected` only for
    a reference that claims a scheme and fails it.

    All-digit references are read as what they pass: 12 digits with a valid mod-97 check are an
    OGM, 16 (or 9–14 with a length code) digits with a valid weighted check digit a
    betalingskenmerk. Twelve digits may pass both; the creditor's country decides (NL →
    betalingskenmerk, else OGM). Seven digits are the check-less Dutch form for a Dutch
    creditor and plain text for anyone else."""
    given = text.strip()
    country = (creditor_country or "").upper()
    if _OGM_CLAIM.match(given):
        compact = re.sub(r"[+*/\s.]", "", given)
        if len(compact) != 12 or not compact.isdigit():
            raise ReferenceRejected(
                "a structured communication (OGM/VCS) has 12 digits: +++ddd/dddd/ddddd+++"
            )
        if not ogm_vcs.is_valid(compact):
            raise ReferenceRejected(
                "structured communication (OGM/VCS) with a wrong check digit: the last two "
                "digits must be the first ten modulo 97"
            )
        return ClassifiedReference("be_ogm", _ogm_canonical(compact))
    if _RF_CLAIM.match(given):
        compact = re.sub(r"\s", "", given).upper()
        if len(compact) > 25 or not compact.isascii() or not compact.isalnum():
            raise ReferenceRejected(
                "an ISO 11649 reference is RF, two check digits and at most 21 letters or digits"
            )
        if not iso11649.is_valid(compact):
            raise ReferenceRejected("ISO 11649 (RF) reference with wrong check digits")
        return ClassifiedReference("iso11649", compact)
    if _DIGIT_GROUPS.match(given):
        digits = _NL_SEPARATORS.sub("", given)
        ogm = len(digits) == 12 and ogm_vcs.is_valid(digits)
        nl = nl_payment_reference_is_valid(digits) and (len(digits) != 7 or country == "NL")
        if ogm and (not nl or country != "NL"):
            return ClassifiedReference("be_ogm", _ogm_canonical(digits))
        if nl:
            return ClassifiedReference("nl_betalingskenmerk", digits)
        return ClassifiedReference(
            "unstructured",
            given,
            f"payment reference {given!r} passes no structured check (not an OGM, RF or "
            "betalingskenmerk): kept as free text, matched only where a payment quotes it",
        )
    return ClassifiedReference(
        "unstructured",
        given,
        f"payment reference {given!r} is not structured (OGM, RF or betalingskenmerk): kept as "
        "free text, matched only where a payment quotes it",
    )


def reference_keys(text: str) -> list[str]:
    """Every canonical form a reference quoted on a payment can denote, most likely first.
    Never raises: a payer's typo is simply a reference that matches nothing."""
    given = text.strip()
    if not given:
        return []
    keys: list[str] = []
    for country in ("BE", "NL"):
        try:
            value = classify_reference(given, country).value
        except ReferenceRejected:
            value = given
        if value not in keys:
            keys.append(value)
    return keys


# --- generation -------------------------------------------------------------------------------


def scheme_for_country(country: str) -> PaymentReferenceScheme:
    """The reference a creditor in ``country`` issues: what its debtors' banks expect."""
    upper = country.upper()
    if upper == "BE":
        return "be_ogm"
    if upper == "NL":
        return "nl_betalingskenmerk"
    return "iso11649"


def _digits_from(seed: str, attempt: int, count: int) -> str:
    material = seed if attempt == 0 else f"{seed}#{attempt}"
    return f"{int(hashlib.sha256(material.encode()).hexdigest(), 16) % 10**count:0{count}d}"


def rf_reference(body: str) -> str:
    """An ISO 11649 reference for ``body`` (1–21 letters or digits)."""
    compact = body.upper()
    if not 1 <= len(compact) <= 21 or not compact.isascii() or not compact.isalnum():
        raise ValueError("an RF body is 1 to 21 letters or digits")
    numeric = "".join(str(int(ch, 36)) for ch in compact + "RF00")
    return f"RF{98 - int(numeric) % 97:02d}{compact}"


def generate_reference(
    scheme: PaymentReferenceScheme, tenant_id: str, invoice_number: str, attempt: int = 0
) -> str:
    """A new canonical reference of ``scheme`` for this invoice; ``attempt`` > 0 gives another
    one when the first is taken already.

    RF references carry the invoice number itself when it has at most 21 letters and digits
    (the payer recognises it); other schemes and collisions use digits derived from tenant and
    invoice number."""
    seed = f"{tenant_id}/{invoice_number}"
    if scheme == "be_ogm":
        base = _digits_from(seed, attempt, 10)
        return _ogm_canonical(f"{base}{int(base) % 97 or 97:02d}")
    if scheme == "nl_betalingskenmerk":
        return nl_payment_reference(_digits_from(seed, attempt, 15))
    if scheme == "iso11649":
        readable = re.sub(r"[^0-9A-Za-z]", "", invoice_number)
        if attempt == 0 and 1 <= len(readable) <= 21 and readable.isascii():
            return rf_reference(readable)
        return rf_reference(_digits_from(seed, attempt, 21))
    raise ValueError(f"no reference is generated for {scheme!r}")

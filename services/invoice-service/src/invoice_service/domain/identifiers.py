"""Document numbers (invoices, credit notes): any printable text the issuer uses.

Belgian and Dutch numbering is often ``2026/0001``; ERPs also produce ``|``, ``#``, spaces and
accented letters. A number is stored and compared in Unicode NFC form, so the same text typed
on two systems (composed or decomposed accents) names the same document.

:func:`document_number_problem` is the one rule every entry point applies (JSON bodies, UBL
documents, path parameters); extend it there, nowhere else.
"""

from __future__ import annotations

import unicodedata

MAX_DOCUMENT_NUMBER_LENGTH = 100


def canonical_document_number(value: str) -> str:
    return unicodedata.normalize("NFC", value)


def document_number_problem(value: str) -> str | None:
    """Why ``value`` cannot be a document number, or None when it can."""
    if not value:
        return "must not be empty"
    if len(value) > MAX_DOCUMENT_NUMBER_LENGTH:
        return f"at most {MAX_DOCUMENT_NUMBER_LENGTH} characters"
    if not value.isprintable():
        return "only printable characters (no control characters, tabs or line breaks)"
    if value != value.strip():
        return "no leading or trailing spaces"
    return None

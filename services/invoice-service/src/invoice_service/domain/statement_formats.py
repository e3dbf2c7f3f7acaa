"""Which bank statement format a file is, told from its content: ISO 20022 camt.053 (XML),
CODA 2.x (Belgium) or SWIFT MT940 (the Netherlands)."""

from __future__ import annotations

from invoice_service.domain.bank_statement import BankStatement, StatementError
from invoice_service.domain.camt053 import parse_camt053_statements
from invoice_service.domain.coda import decode_coda, looks_like_coda, parse_coda
from invoice_service.domain.mt940 import decode_mt940, looks_like_mt940, parse_mt940

FORMATS = ("camt.053", "CODA", "MT940")


def detect_format(data: bytes) -> str:
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<"):
        return "camt.053"
    text = head.decode("latin-1")
    if looks_like_coda(text):
        return "CODA"
    if looks_like_mt940(text):
        return "MT940"
    if not head:
        raise StatementError("the file is empty", 1)
    first = text.split("\n", 1)[0].rstrip("\r")[:40]
    raise StatementError(
        f"unknown format: {first!r} starts neither a camt.053 document (XML), a CODA file "
        "(record 0) nor an MT940 statement (:20:)",
        1,
    )


def parse_bank_statements(data: bytes) -> tuple[str, list[BankStatement]]:
    """The format and every statement of the file; :class:`StatementError` otherwise."""
    kind = detect_format(data)
    if kind == "camt.053":
        return kind, parse_camt053_statements(data)
    if kind == "CODA":
        return kind, parse_coda(decode_coda(data))
    return kind, parse_mt940(decode_mt940(data))

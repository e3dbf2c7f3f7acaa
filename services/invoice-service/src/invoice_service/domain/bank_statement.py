"""Bank statements as the ledger reads them, whatever the format (camt.053, CODA, MT940).

Each parser turns a file into :class:`BankStatement` values or raises :class:`StatementError`
naming the line (or element) at fault; nothing is imported from a file that fails to parse.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal


class StatementError(ValueError):
    """The file is not an acceptable bank statement; ``line`` is 1-based where known."""

    def __init__(self, message: str, line: int | None = None) -> None:
        self.message = message
        self.line = line
        super().__init__(f"line {line}: {message}" if line is not None else message)


@dataclass(frozen=True, slots=True)
class CreditorReference:
    """A structured reference and who issued its scheme (camt ``CdtrRefInf``, CODA type 101,
    MT940 ``/REMI/STRD/CUR/`` or ``/CDTRREF/``)."""

    ref: str
    issuer: str | None  # e.g. "BBA" (Belgian OGM), "CUR" (Dutch), "ISO"
    type_code: str | None  # normally "SCOR"


@dataclass(frozen=True, slots=True)
class BankTransaction:
    """One transaction of an entry (camt ``TxDtls``, a CODA detail movement, an MT940 line)."""

    key: str  # unique per account: the import's idempotency key
    amount: Decimal | None  # None only in a multi-transaction entry without per-tx amounts
    currency: str
    end_to_end_id: str | None
    debtor_name: str | None
    debtor_iban: str | None
    structured_references: tuple[CreditorReference, ...]
    unstructured: tuple[str, ...]
    instruction_id: str | None = None
    transaction_id: str | None = None
    return_reason: str | None = None  # ISO 20022 reason (AC04, AC06, MD06, MS02, …)
    servicer_reference: str | None = None  # the bank's own reference of the transaction

    @property
    def structured_reference(self) -> str | None:
        return self.structured_references[0].ref if self.structured_references else None

    @property
    def reference_issuer(self) -> str | None:
        return self.structured_references[0].issuer if self.structured_references else None


@dataclass(frozen=True, slots=True)
class BankEntry:
    """One booked movement. ``key`` is the idempotency key of the entry."""

    key: str
    entry_reference: str | None
    account_servicer_reference: str | None
    amount: Decimal
    currency: str
    credit: bool  # money in
    reversal: bool  # takes back an earlier movement (camt RvslInd, MT940 RC, CODA returns)
    status: str  # BOOK, PDNG, INFO, ...
    booking_date: date | None
    value_date: date | None
    bank_transaction_code: str | None
    transactions: tuple[BankTransaction, ...]
    line: int | None = None  # where the entry starts in the file (CODA, MT940)


@dataclass(frozen=True, slots=True)
class BankStatement:
    statement_id: str
    account_iban: str
    currency: str
    created_at: datetime | None
    entries: tuple[BankEntry, ...]
    format: str = "camt.053"

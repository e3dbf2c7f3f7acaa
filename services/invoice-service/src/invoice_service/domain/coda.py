"""CODA 2.x (Febelfin "Coded statement of account"), the Belgian banks' statement format.

Fixed records of 128 characters: 0 header, 1 old balance, 2.1/2.2/2.3 movement, 3.1/3.2/3.3
information, 4 free communication, 8 new balance, 9 trailer; one file may hold several
statements (0 … 9 repeated). What is read (positions 1-based, as in the standard):

* 1: account structure (2), account and currency (6–42), old balance sign and amount (43–58);
* 2.1: continuous sequence and detail number (3–10), bank reference (11–31), sign (32: 0 credit,
  1 debit), amount (33–47, three decimals), value date (48–53), transaction code (54–61: type,
  family, transaction, category), communication type (62: 1 = structured) and zone (63–115;
  structured type 101/102 carries the OGM in 66–77), entry date (116–121), globalisation
  code (125);
* 2.2: communication continued (11–63), end-to-end reference (64–98), counterparty BIC
  (99–109), R-transaction type (113) and ISO reason (114–117);
* 2.3: counterparty account (11–47) and name (48–82), communication continued (83–125);
* 3.x and 4: further communication; 8: new balance (42–57); 9: record count (17–22),
  debit and credit totals (23–37, 38–52).

Checks that refuse the file with the line at fault: record length and order, a movement
record continuing another movement than the one open, dates and amounts, old balance + booked
movements = new balance, and the trailer's record count and totals — so a truncated file or
one missing a record never imports half.

Globalisation: a total (transaction type 1, 2 or 3) followed by its details (types 5–9) is
booked as the details, never as the total; a total without details is booked as itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from stdnum import iban as iban_number

from invoice_service.domain.bank_statement import (
    BankEntry,
    BankStatement,
    BankTransaction,
    CreditorReference,
    StatementError,
)

RECORD_LENGTH = 128
BOOKED_TYPES = frozenset("0123")  # amounts booked on the account; 5–9 are their details
R_TYPES = {"1": "reject", "2": "return", "3": "refund", "4": "reversal", "5": "cancellation"}
_DIGITS = re.compile(r"\d+")


def looks_like_coda(text: str) -> bool:
    first = text.lstrip("\ufeff").split("\n", 1)[0].rstrip("\r")
    return len(first) >= 16 and first.startswith("0000") and first[4:16].isdigit()


def decode_coda(data: bytes) -> str:
    """CODA files are Latin-1/Windows-1252 text; UTF-8 is accepted too."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


@dataclass
class _Movement:
    line: int
    sequence: str
    detail: str
    bank_reference: str
    credit: bool
    amount: Decimal
    value_date: date | None
    entry_date: date | None
    transaction_code: str
    structured: str | None
    communication: list[str] = field(default_factory=list)
    end_to_end_id: str | None = None
    counterparty_bic: str | None = None
    r_type: str | None = None
    reason: str | None = None
    counterparty_account: str | None = None
    counterparty_name: str | None = None

    @property
    def kind(self) -> str:
        return self.transaction_code[0]


@dataclass
class _Statement:
    header_line: int
    created: date
    account: str = ""
    currency: str = ""
    paper_number: str = ""
    old_balance: Decimal = Decimal(0)
    new_balance: Decimal | None = None
    new_balance_line: int = 0
    movements: list[_Movement] = field(default_factory=list)
    records: int = 0  # records 1, 2, 3, 4 and 8, for the trailer's count


def parse_coda(text: str) -> list[BankStatement]:
    """Parse every statement of a CODA file; raises :class:`StatementError` naming the line."""
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines:
        raise StatementError("empty CODA file", 1)
    statements: list[BankStatement] = []
    current: _Statement | None = None
    expect = "0"
    for number, raw in enumerate(lines, start=1):
        if len(raw) > RECORD_LENGTH:
            raise StatementError(f"CODA record of {len(raw)} characters (128 expected)", number)
        record = raw.ljust(RECORD_LENGTH)
        identification = record[0]
        if not raw.strip():
            raise StatementError("empty line inside a CODA file", number)
        if identification == "0":
            if expect != "0":
                raise StatementError("new header (record 0) before the trailer (record 9)", number)
            if record[127] not in "2":
                raise StatementError(
                    f"CODA version {record[127]!r}: only version 2 files are read", number
                )
            current = _Statement(number, _date(record[5:11], number, "creation date") or date.min)
            expect = "1"
            continue
        if current is None:
            raise StatementError("a CODA file starts with a header record (0)", number)
        if identification == "1":
            if expect != "1":
                raise StatementError("old balance (record 1) out of place", number)
            _old_balance(current, record, number)
            expect = "movements"
        elif identification == "4" and expect in ("movements", "after-8"):
            current.records += 1  # free communication: before or after the new balance
            if expect == "movements" and current.movements:
                current.movements[-1].communication.append(record[32:112])
        elif identification in "234":
            if expect != "movements":
                raise StatementError(f"record {identification} out of place", number)
            _movement_record(current, record, number)
        elif identification == "8":
            if expect != "movements":
                raise StatementError("new balance (record 8) out of place", number)
            current.records += 1
            current.new_balance = _signed(record[41], record[42:57], number, "new balance")
            current.new_balance_line = number
            expect = "after-8"
        elif identification == "9":
            if expect != "after-8":
                raise StatementError("trailer (record 9) without a new balance (record 8)", number)
            statements.append(_finish(current, record, number))
            current = None
            expect = "0"
        else:
            raise StatementError(f"unknown CODA record type {identification!r}", number)
    if expect != "0":
        raise StatementError(
            "the file ends before the trailer record (9): it is truncated", len(lines)
        )
    return statements


def _old_balance(statement: _Statement, record: str, line: int) -> None:
    statement.records += 1
    structure = record[1]
    if structure == "0":
        account, currency = record[5:17], record[18:21]
    elif structure == "1":
        account, currency = record[5:39], record[39:42]
    elif structure == "2":
        account, currency = record[5:21], record[39:42]
    elif structure == "3":
        account, currency = record[5:39], record[39:42]
    else:
        raise StatementError(f"unknown account structure {structure!r}", line)
    statement.account = "".join(account.split()).upper()
    statement.currency = currency.strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", statement.currency):
        raise StatementError(f"invalid currency {currency!r}", line)
    if not statement.account:
        raise StatementError("no account number", line)
    statement.paper_number = record[2:5].strip()
    statement.old_balance = _signed(record[42], record[43:58], line, "old balance")


def _movement_record(statement: _Statement, record: str, line: int) -> None:
    identification, article = record[0], record[1]
    statement.records += 1
    if identification == "3":
        if article not in "123":
            raise StatementError(f"unknown information record 3.{article}", line)
        if statement.movements and statement.movements[-1].sequence == record[2:6]:
            zone = {"1": record[40:113], "2": record[10:115], "3": record[10:100]}[article]
            statement.movements[-1].communication.append(zone)
        return
    if article == "1":
        statement.movements.append(_movement(record, line))
        return
    if article not in "23":
        raise StatementError(f"unknown movement record 2.{article}", line)
    if not statement.movements:
        raise StatementError(f"movement record 2.{article} without a record 2.1", line)
    movement = statement.movements[-1]
    if record[2:6] != movement.sequence or record[6:10] != movement.detail:
        raise StatementError(
            f"record 2.{article} continues movement {record[2:6]}/{record[6:10]}, but "
            f"{movement.sequence}/{movement.detail} is open",
            line,
        )
    if article == "2":
        movement.communication.append(record[10:63])
        movement.end_to_end_id = record[63:98].strip() or None
        movement.counterparty_bic = record[98:109].strip() or None
        movement.r_type = R_TYPES.get(record[112])
        movement.reason = record[113:117].strip() or None
    else:
        account = record[10:22] if record[22] == " " else record[10:44]
        movement.counterparty_account = "".join(account.split()).upper() or None
        movement.counterparty_name = record[47:82].strip() or None
        movement.communication.append(record[82:125])


def _movement(record: str, line: int) -> _Movement:
    sign = record[31]
    if sign not in "01":
        raise StatementError(f"movement sign must be 0 or 1, not {sign!r}", line)
    code = record[53:61]
    if not code.isdigit():
        raise StatementError(f"transaction code {code!r} is not numeric", line)
    structured: str | None = None
    free = record[62:115]
    if record[61] == "1":
        kind = record[62:65]
        if kind in ("101", "102"):
            digits = record[65:77]
            if not digits.isdigit():
                raise StatementError(f"structured communication {digits!r} is not 12 digits", line)
            structured = digits
            free = ""
        else:
            free = record[65:115]
    elif record[61] not in "0 ":
        raise StatementError(f"communication type must be 0 or 1, not {record[61]!r}", line)
    return _Movement(
        line=line,
        sequence=record[2:6],
        detail=record[6:10],
        bank_reference=record[10:31].strip(),
        credit=sign == "0",
        amount=_amount(record[32:47], line, "amount"),
        value_date=_date(record[47:53], line, "value date"),
        entry_date=_date(record[115:121], line, "entry date"),
        transaction_code=code,
        structured=structured,
        communication=[free],
    )


def _finish(statement: _Statement, trailer: str, line: int) -> BankStatement:
    booked = [m for m in statement.movements if m.kind in BOOKED_TYPES]
    net = sum((m.amount if m.credit else -m.amount for m in booked), Decimal(0))
    assert statement.new_balance is not None  # noqa: S101 - record 8 precedes the trailer
    if statement.old_balance + net != statement.new_balance:
        raise StatementError(
            f"old balance {statement.old_balance} + movements {net} ≠ new balance "
            f"{statement.new_balance}: a movement is missing or wrong",
            statement.new_balance_line,
        )
    count_text = trailer[16:22]
    if not count_text.isdigit():
        raise StatementError(f"record count {count_text!r} is not numeric", line)
    if int(count_text) != statement.records:
        raise StatementError(
            f"the trailer counts {int(count_text)} records, the file has {statement.records}",
            line,
        )
    debit = _amount(trailer[22:37], line, "debit total")
    credit = _amount(trailer[37:52], line, "credit total")
    sums = {
        (
            sum((m.amount for m in movements if not m.credit), Decimal(0)),
            sum((m.amount for m in movements if m.credit), Decimal(0)),
        )
        for movements in (booked, statement.movements)
    }
    if (debit, credit) not in sums:
        raise StatementError(
            f"trailer totals debit {debit} / credit {credit} do not match the movements", line
        )
    return BankStatement(
        statement_id=f"CODA {statement.account} {statement.created.isoformat()} "
        f"#{statement.paper_number}",
        account_iban=statement.account,
        currency=statement.currency,
        created_at=None,
        entries=tuple(_entries(statement)),
        format="CODA",
    )


def _entries(statement: _Statement) -> list[BankEntry]:
    """One entry per booked movement, with the movements to import: its details when it was
    globalised, else itself."""
    groups: dict[str, list[_Movement]] = {}
    for movement in statement.movements:
        groups.setdefault(movement.sequence, []).append(movement)
    entries = []
    for sequence, movements in groups.items():
        totals = [m for m in movements if m.kind in BOOKED_TYPES]
        details = [m for m in movements if m.kind not in BOOKED_TYPES]
        if {"9"} & {m.kind for m in details}:
            details = [m for m in details if m.kind != "7"]  # 7 is itself detailed by 9s
        leaves = details or totals
        head = totals[0] if totals else movements[0]
        key_base = head.bank_reference or (
            f"{statement.created.isoformat()}/{statement.paper_number}/{sequence}"
        )
        transactions = tuple(_transaction(key_base, m, statement.currency) for m in leaves)
        entries.append(
            BankEntry(
                key=key_base,
                entry_reference=sequence,
                account_servicer_reference=head.bank_reference or None,
                amount=sum((t.amount or Decimal(0) for t in transactions), Decimal(0)),
                currency=statement.currency,
                credit=head.credit,
                reversal=head.r_type is not None or any(m.r_type for m in leaves),
                status="BOOK",
                booking_date=head.entry_date,
                value_date=head.value_date,
                bank_transaction_code=head.transaction_code,
                transactions=transactions,
                line=head.line,
            )
        )
    return entries


def _transaction(key_base: str, movement: _Movement, currency: str) -> BankTransaction:
    text = " ".join(" ".join(part for part in movement.communication).split())
    references = (
        (CreditorReference(movement.structured, "BBA", "SCOR"),) if movement.structured else ()
    )
    account = movement.counterparty_account
    return BankTransaction(
        key=f"{key_base}/{movement.detail}",
        amount=movement.amount,
        currency=currency,
        end_to_end_id=movement.end_to_end_id,
        debtor_name=movement.counterparty_name,
        debtor_iban=account if account and iban_number.is_valid(account) else None,
        structured_references=references,
        unstructured=(text,) if text else (),
        return_reason=movement.reason,
        servicer_reference=movement.bank_reference or None,
    )


def _amount(text: str, line: int, what: str) -> Decimal:
    if not _DIGITS.fullmatch(text):
        raise StatementError(f"{what} {text!r} is not 15 digits", line)
    return Decimal(int(text)) / 1000


def _signed(sign: str, text: str, line: int, what: str) -> Decimal:
    if sign not in "01":
        raise StatementError(f"{what} sign must be 0 or 1, not {sign!r}", line)
    value = _amount(text, line, what)
    return -value if sign == "1" else value


def _date(text: str, line: int, what: str) -> date | None:
    if text in ("000000", "      "):
        return None
    if not text.isdigit():
        raise StatementError(f"{what} {text!r} is not DDMMYY", line)
    try:
        return date(2000 + int(text[4:6]), int(text[2:4]), int(text[0:2]))
    except ValueError as exc:
        raise StatementError(f"{what} {text!r} is not a date", line) from exc

"""SWIFT MT940 customer statements as Dutch banks deliver them (ING, Rabobank, ABN AMRO).

Tags read: ``:20:`` reference, ``:25:`` account (IBAN, possibly followed by the currency),
``:28C:`` statement number, ``:60F:``/``:60M:`` opening balance, ``:61:`` statement line,
``:86:`` information to the account owner, ``:62F:``/``:62M:`` closing balance. SWIFT block
headers (``{1:…}{2:…}{4:``, ``-}``) and bank file headers before the first ``:20:`` (ABN AMRO's
``ABNANL2A``/``940`` lines, Rabobank's ``:940:``) are skipped.

``:61:``: value date YYMMDD, entry date MMDD, mark ``C``/``D``/``RC``/``RD`` (reversal of a
credit is a debit that takes a payment back), amount with a decimal comma, transaction type
(``N``/``S``/``F`` + 3), customer reference, ``//`` bank reference, supplementary details on
the next line (ING: ``/TRCD/…/``; Rabobank: the counterparty's IBAN).

``:86:`` layouts, detected from the content:

* structured subfields ``/KEY/value``: ING (``/EREF/…//CNTP/IBAN/BIC/name/city//REMI/USTD//text/``
  or ``/REMI/STRD/CUR/<betalingskenmerk>/``, ``/RTRN/<reason>``), Rabobank (``/EREF/ /ORDP/
  /BENM/ /NAME/ /REMI/`` with ``/CDTRREFTP//CD/SCOR/ISSR/CUR/CDTRREF/<reference>``), ABN AMRO
  SEPA (``/TRTP/SEPA OVERBOEKING/IBAN/…/BIC/…/NAME/…/REMI/…/EREF/…``);
* ABN AMRO's free layout with labels (``IBAN: … BIC: … NAAM: … OMSCHRIJVING: … KENMERK: …``,
  ``BETALINGSKENM.:``);
* anything else is kept as free text (where references and invoice numbers are looked for).

Refused with the line at fault: a statement without closing balance (a truncated file), a
``:61:`` that does not parse, opening balance + lines ≠ closing balance, unknown currencies.
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

_TAG = re.compile(r"^:(?P<tag>\d{2}[A-Z]?|NS):(?P<value>.*)$")
_BALANCE = re.compile(r"^(?P<mark>[CD])(?P<date>\d{6})(?P<currency>[A-Z]{3})(?P<amount>\d+,\d*)$")
_LINE61 = re.compile(
    r"^(?P<value_date>\d{6})(?P<entry_date>\d{4})?(?P<mark>R?[CD])(?P<funds>[A-Z])?"
    r"(?P<amount>\d+,\d{0,2})(?P<type>[NSF][A-Z0-9]{3})(?P<customer>.*?)"
    r"(?://(?P<bank>.*))?$"
)
_SUBFIELD_KEYS = (
    "EREF|PREF|MARF|CSID|CNTP|REMI|RTRN|ORDP|BENM|NAME|IBAN|BIC|TRTP|ADDR|ISDT|PURP|"
    "CDTRREFTP|CDTRREF|ULTB|ULTD|ULTC|SUM|IREF|OREF|EXCH|CHGS|SVCL|TRCD|ID"
)
_SUBFIELD = re.compile(rf"/({_SUBFIELD_KEYS})/")
_LABELS = re.compile(
    r"\b(IBAN|BIC|NAAM|OMSCHRIJVING|KENMERK|BETALINGSKENM\.|MACHTIGING|INCASSANT):\s*",
    re.IGNORECASE,
)
_IBAN_TOKEN = re.compile(r"[A-Z]{2}\d{2}[A-Z0-9]{9,30}")


def looks_like_mt940(text: str) -> bool:
    head = text.lstrip("\ufeff")[:2000]
    return head.startswith("{1:") or re.search(r"^:20:", head, re.MULTILINE) is not None


def decode_mt940(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


@dataclass
class _Tag:
    tag: str
    line: int
    lines: list[str]

    @property
    def first(self) -> str:
        return self.lines[0]

    def joined(self) -> str:
        """Continuation lines are wrapped at a fixed width: join them without a separator."""
        return "".join(self.lines)


@dataclass
class _Line:
    tag: _Tag
    details: _Tag | None = None


@dataclass
class _Message:
    start: int
    tags: dict[str, _Tag] = field(default_factory=dict)
    lines: list[_Line] = field(default_factory=list)


def _tags(text: str) -> list[_Tag]:
    tags: list[_Tag] = []
    started = False
    for number, raw in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        line = raw.rstrip()
        if not started:
            if line.startswith(":20:") or (line.startswith("{4:") and ":20:" in line):
                started = True
                line = line[line.index(":20:") :]
            else:
                continue  # SWIFT blocks 1-3, bank file headers
        if line.startswith("{4:"):
            line = line[3:]
        if line in ("-}", "-", "}") or (line.startswith("{") and ":20:" not in line):
            continue  # end of a SWIFT message, block headers of the next one
        if line.startswith("{"):
            line = line[line.index(":20:") :]
        match = _TAG.match(line)
        if match:
            tags.append(_Tag(match["tag"], number, [match["value"]]))
        elif tags:
            tags[-1].lines.append(line)
        elif line.strip():
            raise StatementError("text before the first tag", number)
    if not tags:
        raise StatementError("no :20: tag: not an MT940 statement", 1)
    return tags


def _messages(tags: list[_Tag]) -> list[_Message]:
    messages: list[_Message] = []
    current: _Message | None = None
    for tag in tags:
        name = tag.tag
        if name == "20":
            current = _Message(tag.line)
            messages.append(current)
        if current is None:  # pragma: no cover - _tags starts at :20:
            raise StatementError("tag before :20:", tag.line)
        if name == "61":
            if "62" in current.tags:
                raise StatementError(":61: after the closing balance", tag.line)
            current.lines.append(_Line(tag))
        elif name == "86" and current.lines and "62" not in current.tags:
            last = current.lines[-1]
            if last.details is None:
                last.details = tag
            else:
                last.details.lines.extend(tag.lines)
        else:
            key = {"28C": "28", "60F": "60", "60M": "60", "62F": "62", "62M": "62"}.get(name, name)
            current.tags.setdefault(key, tag)
    return messages


def parse_mt940(text: str) -> list[BankStatement]:
    """Every statement (message) of an MT940 file; raises :class:`StatementError`."""
    return [_statement(message) for message in _messages(_tags(text))]


@dataclass(frozen=True)
class _Balance:
    credit: bool
    on: date
    currency: str
    amount: Decimal

    @property
    def signed(self) -> Decimal:
        return self.amount if self.credit else -self.amount


def _balance(tag: _Tag) -> _Balance:
    match = _BALANCE.match(tag.first.strip())
    if match is None:
        raise StatementError(f"balance :{tag.tag}: {tag.first!r} does not parse", tag.line)
    return _Balance(
        match["mark"] == "C",
        _yymmdd(match["date"], tag.line),
        match["currency"],
        _comma_amount(match["amount"], tag.line),
    )


def _statement(message: _Message) -> BankStatement:
    for needed, what in (("25", "account (:25:)"), ("60", "opening balance (:60F:)")):
        if needed not in message.tags:
            raise StatementError(
                f"the statement starting here has no {what}: the file is truncated or damaged",
                message.start,
            )
    if "62" not in message.tags:
        raise StatementError(
            "the statement starting here has no closing balance (:62F:): the file is truncated",
            message.start,
        )
    reference = message.tags["20"].first.strip()
    number = message.tags["28"].first.strip() if "28" in message.tags else ""
    account = _account(message.tags["25"])
    opening = _balance(message.tags["60"])
    closing = _balance(message.tags["62"])
    if opening.currency != closing.currency:
        raise StatementError(
            "opening and closing balance in different currencies", message.tags["62"].line
        )
    entries = [
        _entry(line, account, reference, number, index, opening)
        for index, line in enumerate(message.lines, start=1)
    ]
    net = sum((e.amount if e.credit else -e.amount for e in entries), Decimal(0))
    if opening.signed + net != closing.signed:
        raise StatementError(
            f"opening balance {opening.signed} + lines {net} ≠ closing balance "
            f"{closing.signed}: a line is missing or wrong",
            message.tags["62"].line,
        )
    return BankStatement(
        statement_id=f"{reference}/{number}" if number else reference,
        account_iban=account,
        currency=opening.currency,
        created_at=None,
        entries=tuple(entries),
        format="MT940",
    )


def _account(tag: _Tag) -> str:
    text = "".join(tag.joined().split()).upper()
    for token in _IBAN_TOKEN.findall(text):
        for candidate in (token, token[:-3]):
            if iban_number.is_valid(candidate):
                return str(candidate)
    compact = re.sub(r"[^0-9A-Z]", "", text.split("/")[-1])
    if not compact:
        raise StatementError(f"account {tag.first!r} is empty", tag.line)
    return compact


def _entry(
    line: _Line, account: str, reference: str, number: str, index: int, opening: _Balance
) -> BankEntry:
    tag = line.tag
    match = _LINE61.match(tag.first.strip())
    if match is None:
        raise StatementError(f"statement line :61:{tag.first} does not parse", tag.line)
    value_date = _yymmdd(match["value_date"], tag.line)
    entry_date = _entry_date(match["entry_date"], value_date, tag.line)
    mark = match["mark"]
    amount = _comma_amount(match["amount"], tag.line)
    supplementary = " ".join(part.strip() for part in tag.lines[1:]).strip()
    bank_reference = (match["bank"] or "").strip() or None
    customer = match["customer"].strip() or None
    details = parse_details(line.details.joined() if line.details else "")
    iban = details.iban or _iban_in(supplementary)
    credit = mark in ("C", "RD")
    # A return reason marks a returned payment: on a debit, money a debtor paid goes back (a
    # reversal of a credit); on a credit, an outgoing payment of ours came back.
    reversal = mark in ("RC", "RD") or details.return_reason is not None
    key_base = (
        bank_reference
        if bank_reference and bank_reference.upper() != "NONREF"
        else f"{reference}/{number}/{index}"
    )
    transaction = BankTransaction(
        key=f"{key_base}/1",
        amount=amount,
        currency=opening.currency,
        end_to_end_id=details.end_to_end_id
        or (customer if customer and customer.upper() not in _NO_REFERENCE else None),
        debtor_name=details.name,
        debtor_iban=iban,
        structured_references=details.references,
        unstructured=(details.text,) if details.text else (),
        return_reason=details.return_reason,
        servicer_reference=bank_reference,
        instruction_id=details.instruction_id,
    )
    return BankEntry(
        key=key_base,
        entry_reference=customer,
        account_servicer_reference=bank_reference,
        amount=amount,
        currency=opening.currency,
        credit=credit,
        reversal=reversal,
        status="BOOK",
        booking_date=entry_date,
        value_date=value_date,
        bank_transaction_code=match["type"],
        transactions=(transaction,),
        line=tag.line,
    )


_NO_REFERENCE = {"NONREF", "EREF", "PREF", "NOTPROVIDED", "MARF", "OTHR"}


@dataclass(frozen=True)
class Details:
    """What an ``:86:`` says about the counterparty and the payment."""

    text: str = ""
    name: str | None = None
    iban: str | None = None
    end_to_end_id: str | None = None
    instruction_id: str | None = None
    return_reason: str | None = None
    references: tuple[CreditorReference, ...] = ()


def parse_details(raw: str) -> Details:
    text = raw.strip()
    if not text:
        return Details()
    if text.startswith("/") and _SUBFIELD.search(text):
        return _subfields(text)
    if _LABELS.search(text):
        return _labelled(text)
    return Details(text=" ".join(text.split()))


def _subfields(text: str) -> Details:
    parts = _SUBFIELD.split(text)
    fields: dict[str, str] = {}
    for key, value in zip(parts[1::2], parts[2::2], strict=True):
        fields.setdefault(key, value)
    name = _clean(fields.get("NAME"))
    iban = _iban_in(fields.get("IBAN", ""))
    counterparty = fields.get("CNTP")
    if counterparty is not None:  # ING: IBAN/BIC/name/city
        pieces = counterparty.split("/")
        iban = iban or _iban_in(pieces[0])
        if len(pieces) > 2 and not name:
            name = _clean(pieces[2])
    references: list[CreditorReference] = []
    remittance = fields.get("REMI", "")
    free = remittance
    structured = re.match(r"^STRD/(?P<issuer>[A-Z]*)/(?P<ref>[^/]+)", remittance)
    if structured:  # ING: /REMI/STRD/CUR/<reference>/
        references.append(CreditorReference(structured["ref"], structured["issuer"] or None, None))
        free = ""
    elif remittance.startswith("USTD//"):
        free = remittance[6:]
    if "CDTRREF" in fields:  # Rabobank / ABN AMRO: /CDTRREFTP//CD/SCOR/ISSR/CUR/CDTRREF/<ref>
        issuer = re.search(r"ISSR/([A-Z]+)", fields.get("CDTRREFTP", ""))
        ref = _clean(fields["CDTRREF"])
        if ref:
            references.append(CreditorReference(ref, issuer[1] if issuer else None, "SCOR"))
    end_to_end = _clean(fields.get("EREF"))
    return Details(
        text=" ".join(free.strip("/ ").split()),
        name=name,
        iban=iban,
        end_to_end_id=end_to_end if end_to_end and end_to_end.upper() != "NOTPROVIDED" else None,
        instruction_id=_clean(fields.get("PREF")),
        return_reason=_clean(fields.get("RTRN")),
        references=tuple(references),
    )


def _labelled(text: str) -> Details:
    """ABN AMRO's free layout: ``LABEL: value`` pairs padded with spaces."""
    parts = _LABELS.split(text)
    fields: dict[str, str] = {}
    for label, value in zip(parts[1::2], parts[2::2], strict=True):
        fields.setdefault(label.upper(), " ".join(value.split()))
    references: tuple[CreditorReference, ...] = ()
    reference = fields.get("BETALINGSKENM.")
    if reference:
        references = (CreditorReference(reference.replace(" ", ""), "CUR", "SCOR"),)
    kenmerk = fields.get("KENMERK")
    if kenmerk and kenmerk.upper() == "NOTPROVIDED":
        kenmerk = None
    remittance = " ".join(part for part in (fields.get("OMSCHRIJVING"), kenmerk) if part)
    return Details(
        text=remittance or " ".join(parts[0].split()),
        name=fields.get("NAAM"),
        iban=_iban_in(fields.get("IBAN", "")),
        end_to_end_id=kenmerk,
        references=references,
    )


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    cleaned = value.strip("/ ").strip()
    return cleaned or None


def _iban_in(text: str) -> str | None:
    for token in _IBAN_TOKEN.findall("".join(text.split()).upper()):
        if iban_number.is_valid(token):
            return str(token)
    return None


def _comma_amount(text: str, line: int) -> Decimal:
    whole, _, fraction = text.partition(",")
    if not whole.isdigit() or (fraction and not fraction.isdigit()):
        raise StatementError(f"amount {text!r} is not digits with a decimal comma", line)
    return Decimal(f"{int(whole)}.{fraction or '0'}")


def _yymmdd(text: str, line: int) -> date:
    try:
        return date(2000 + int(text[0:2]), int(text[2:4]), int(text[4:6]))
    except ValueError as exc:
        raise StatementError(f"date {text!r} is not YYMMDD", line) from exc


def _entry_date(text: str | None, value_date: date, line: int) -> date:
    if not text or not text.strip():
        return value_date
    try:
        entry = date(value_date.year, int(text[0:2]), int(text[2:4]))
    except ValueError as exc:
        raise StatementError(f"entry date {text!r} is not MMDD", line) from exc
    # an entry booked in January for a December value date belongs to the next year
    if (entry - value_date).days < -180:
        entry = entry.replace(year=entry.year + 1)
    elif (entry - value_date).days > 180:
        entry = entry.replace(year=entry.year - 1)
    return entry

"""ISO 20022 camt.053 (bank to customer statement) parsing.

Supports camt.053.001.02 up to camt.053.001.13: the elements used here have the same
paths in every version, except that from .001.08 on the entry status is ``<Sts><Cd>``
(instead of ``<Sts>`` text) and related parties are ``Dbtr/Pty/Nm`` (instead of
``Dbtr/Nm``); both spellings are accepted in every version.

Hostile input is refused: the document size is checked before parsing, and DTDs (hence
entity declarations, entity expansion bombs and external entities) are forbidden.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date, datetime
from decimal import Decimal

from defusedxml import (
    DefusedXmlException,
)
from defusedxml import (
    ElementTree as SafeElementTree,
)

from invoice_service.domain.bank_statement import (
    BankEntry,
    BankStatement,
    BankTransaction,
    CreditorReference,
    StatementError,
)

__all__ = [
    "BankEntry",
    "BankStatement",
    "BankTransaction",
    "CamtError",
    "CreditorReference",
    "parse_camt053",
    "parse_camt053_statements",
]

MAX_CAMT_BYTES = 20 * 1024 * 1024

_NAMESPACE = re.compile(r"urn:iso:std:iso:20022:tech:xsd:camt\.053\.001\.(\d{2})")
_MIN_VERSION = 2
_MAX_VERSION = 13
_AMOUNT = re.compile(r"\d{1,18}(\.\d{1,5})?")
_CURRENCY = re.compile(r"[A-Z]{3}")


class CamtError(StatementError):
    """The document is not an acceptable camt.053 bank statement."""


def parse_camt053(data: bytes) -> BankStatement:
    """Parse a camt.053 document holding exactly one statement."""
    statements = parse_camt053_statements(data)
    if len(statements) != 1:
        raise CamtError(f"expected exactly one statement, found {len(statements)}")
    return statements[0]


def parse_camt053_statements(data: bytes) -> list[BankStatement]:
    """Parse every ``Stmt`` of a camt.053 document (some banks send one per account)."""
    root = _parse_xml(data)
    reader = _Reader(_namespace_of(root))
    envelope = reader.find(root, "BkToCstmrStmt")
    if envelope is None:
        raise CamtError("missing BkToCstmrStmt")
    group_created = reader.text(envelope, "GrpHdr/CreDtTm")
    statements = reader.findall(envelope, "Stmt")
    if not statements:
        raise CamtError("no Stmt in BkToCstmrStmt")
    return [_statement(reader, stmt, group_created) for stmt in statements]


def _parse_xml(data: bytes) -> ET.Element:
    if not isinstance(data, bytes | bytearray):
        raise TypeError("camt.053 data must be bytes")
    if len(data) > MAX_CAMT_BYTES:
        raise CamtError(f"document larger than {MAX_CAMT_BYTES} bytes")
    try:
        root: ET.Element = SafeElementTree.fromstring(
            bytes(data), forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
    except DefusedXmlException as exc:
        raise CamtError(f"forbidden XML construct: {type(exc).__name__}") from exc
    except ET.ParseError as exc:
        raise CamtError(f"malformed XML: {exc}", line=exc.position[0]) from exc
    return root


def _namespace_of(root: ET.Element) -> str:
    if not root.tag.startswith("{"):
        raise CamtError("document has no namespace")
    namespace, _, local = root.tag[1:].partition("}")
    match = _NAMESPACE.fullmatch(namespace)
    if match is None or local != "Document":
        raise CamtError(f"not a camt.053 document: {root.tag}")
    if not _MIN_VERSION <= int(match.group(1)) <= _MAX_VERSION:
        raise CamtError(f"unsupported camt.053 version: {namespace}")
    return namespace


class _Reader:
    """Namespace-aware access by slash-separated local names."""

    def __init__(self, namespace: str) -> None:
        self._prefix = f"{{{namespace}}}"

    def _path(self, path: str) -> str:
        return "/".join(self._prefix + part for part in path.split("/"))

    def find(self, element: ET.Element, path: str) -> ET.Element | None:
        return element.find(self._path(path))

    def findall(self, element: ET.Element, path: str) -> list[ET.Element]:
        return element.findall(self._path(path))

    def text(self, element: ET.Element, path: str) -> str | None:
        node = self.find(element, path)
        if node is None or node.text is None:
            return None
        return node.text.strip() or None

    def texts(self, element: ET.Element, path: str) -> tuple[str, ...]:
        values = (node.text.strip() for node in self.findall(element, path) if node.text)
        return tuple(value for value in values if value)


def _statement(reader: _Reader, stmt: ET.Element, group_created: str | None) -> BankStatement:
    statement_id = reader.text(stmt, "Id")
    if statement_id is None:
        raise CamtError("statement without Id")
    iban = reader.text(stmt, "Acct/Id/IBAN")
    if iban is None:
        raise CamtError(f"statement {statement_id}: account has no IBAN")
    created_text = reader.text(stmt, "CreDtTm") or group_created
    if created_text is None:
        raise CamtError(f"statement {statement_id}: no creation date-time")
    currency = reader.text(stmt, "Acct/Ccy")
    if currency is None:
        balance_amount = reader.find(stmt, "Bal/Amt")
        currency = balance_amount.get("Ccy") if balance_amount is not None else None
    if currency is None:
        raise CamtError(f"statement {statement_id}: no account currency")
    entries = tuple(
        _entry(reader, ntry, statement_id, index)
        for index, ntry in enumerate(reader.findall(stmt, "Ntry"), start=1)
    )
    return BankStatement(
        statement_id=statement_id,
        account_iban=_compact_iban(iban),
        currency=_currency(currency),
        created_at=_datetime(created_text),
        entries=entries,
    )


def _entry(reader: _Reader, ntry: ET.Element, statement_id: str, index: int) -> BankEntry:
    where = f"statement {statement_id} entry {index}"
    amount, currency = _amount(reader.find(ntry, "Amt"), where)
    if amount is None or currency is None:
        raise CamtError(f"{where}: missing Amt")
    indicator = reader.text(ntry, "CdtDbtInd")
    if indicator not in ("CRDT", "DBIT"):
        raise CamtError(f"{where}: CdtDbtInd must be CRDT or DBIT, not {indicator!r}")
    reversal_text = reader.text(ntry, "RvslInd")
    status = (
        reader.text(ntry, "Sts/Cd") or reader.text(ntry, "Sts/Prtry") or reader.text(ntry, "Sts")
    )
    if status is None:
        raise CamtError(f"{where}: missing Sts")
    servicer_ref = reader.text(ntry, "AcctSvcrRef")
    key = servicer_ref if servicer_ref is not None else f"{statement_id}#{index}"
    details = reader.findall(ntry, "NtryDtls/TxDtls")
    if details:
        transactions = tuple(
            _transaction(reader, tx, key, tx_index, amount if len(details) == 1 else None, currency)
            for tx_index, tx in enumerate(details, start=1)
        )
    else:
        transactions = (
            BankTransaction(
                key=f"{key}/1",
                amount=amount,
                currency=currency,
                end_to_end_id=None,
                debtor_name=None,
                debtor_iban=None,
                structured_references=(),
                unstructured=(),
            ),
        )
    return BankEntry(
        key=key,
        entry_reference=reader.text(ntry, "NtryRef"),
        account_servicer_reference=servicer_ref,
        amount=amount,
        currency=currency,
        credit=indicator == "CRDT",
        reversal=_boolean(reversal_text, where) if reversal_text is not None else False,
        status=status,
        booking_date=_date_choice(reader, ntry, "BookgDt", where),
        value_date=_date_choice(reader, ntry, "ValDt", where),
        bank_transaction_code=_bank_transaction_code(reader, ntry),
        transactions=transactions,
    )


def _transaction(
    reader: _Reader,
    tx: ET.Element,
    entry_key: str,
    index: int,
    entry_amount: Decimal | None,
    entry_currency: str,
) -> BankTransaction:
    where = f"transaction {entry_key}/{index}"
    amount, currency = _amount(reader.find(tx, "AmtDtls/TxAmt/Amt"), where)
    if amount is None:
        amount, currency = _amount(reader.find(tx, "Amt"), where)  # .001.04 and later
    if amount is None:
        amount, currency = entry_amount, entry_currency
    references = tuple(
        CreditorReference(
            ref=ref,
            issuer=reader.text(info, "Tp/Issr"),
            type_code=reader.text(info, "Tp/CdOrPrtry/Cd"),
        )
        for info in reader.findall(tx, "RmtInf/Strd/CdtrRefInf")
        if (ref := reader.text(info, "Ref")) is not None
    )
    debtor_iban = reader.text(tx, "RltdPties/DbtrAcct/Id/IBAN")
    debtor_name = reader.text(tx, "RltdPties/Dbtr/Pty/Nm") or reader.text(tx, "RltdPties/Dbtr/Nm")
    return BankTransaction(
        key=f"{entry_key}/{index}",
        amount=amount,
        currency=currency or entry_currency,
        end_to_end_id=reader.text(tx, "Refs/EndToEndId"),
        debtor_name=debtor_name,
        debtor_iban=_compact_iban(debtor_iban) if debtor_iban is not None else None,
        structured_references=references,
        unstructured=reader.texts(tx, "RmtInf/Ustrd"),
        instruction_id=reader.text(tx, "Refs/InstrId"),
        transaction_id=reader.text(tx, "Refs/TxId"),
        return_reason=reader.text(tx, "RtrInf/Rsn/Cd") or reader.text(tx, "RtrInf/Rsn/Prtry"),
    )


def _amount(node: ET.Element | None, where: str) -> tuple[Decimal | None, str | None]:
    if node is None:
        return None, None
    text = (node.text or "").strip()
    if _AMOUNT.fullmatch(text) is None:
        raise CamtError(f"{where}: invalid amount {text!r}")
    currency = node.get("Ccy")
    if currency is None:
        raise CamtError(f"{where}: amount without Ccy")
    return Decimal(text), _currency(currency)


def _currency(text: str) -> str:
    currency = text.strip()
    if _CURRENCY.fullmatch(currency) is None:
        raise CamtError(f"invalid currency {text!r}")
    return currency


def _boolean(text: str, where: str) -> bool:
    if text in ("true", "1"):
        return True
    if text in ("false", "0"):
        return False
    raise CamtError(f"{where}: invalid boolean {text!r}")


def _date_choice(reader: _Reader, element: ET.Element, name: str, where: str) -> date | None:
    day = reader.text(element, f"{name}/Dt")
    if day is not None:
        try:
            return date.fromisoformat(day)
        except ValueError as exc:
            raise CamtError(f"{where}: invalid {name} {day!r}") from exc
    moment = reader.text(element, f"{name}/DtTm")
    if moment is not None:
        return _datetime(moment).date()
    return None


def _datetime(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError as exc:
        raise CamtError(f"invalid date-time {text!r}") from exc


def _bank_transaction_code(reader: _Reader, ntry: ET.Element) -> str | None:
    domain = reader.text(ntry, "BkTxCd/Domn/Cd")
    family = reader.text(ntry, "BkTxCd/Domn/Fmly/Cd")
    sub_family = reader.text(ntry, "BkTxCd/Domn/Fmly/SubFmlyCd")
    if domain is None:
        return None
    return "/".join(code for code in (domain, family, sub_family) if code is not None)


def _compact_iban(iban: str) -> str:
    return "".join(iban.split()).upper()

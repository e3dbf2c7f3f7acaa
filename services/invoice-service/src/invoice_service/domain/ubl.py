"""UBL 2.1 / Peppol BIS Billing 3.0 Invoice and CreditNote documents, read from untrusted bytes.

Pure domain code: bytes in, an immutable :class:`UblDocument` out (or a :class:`UblError` that
lists every finding), plus :func:`check_totals` for the BIS 3.0 document-level arithmetic.

XML from outside is hostile (DOMAIN.md §6). The defences, in order:

1. the body is refused above :data:`MAX_XML_BYTES` *before* any byte reaches a parser;
2. it is parsed by ``defusedxml.ElementTree.fromstring`` with ``forbid_dtd=True``,
   ``forbid_entities=True`` and ``forbid_external=True``: expat calls back on the DOCTYPE
   declaration itself, so a document with any DTD — internal subset or external — is refused
   before a single entity is declared, let alone expanded. That rules out billion laughs
   (entity expansion), XXE (``SYSTEM "file:///…"`` / ``http://…``) and DTD retrieval;
3. ElementTree never processes XInclude, XSLT or schema locations, and does no network I/O.

Why defusedxml over the stdlib module rather than ``lxml``: ``defusedxml.lxml`` is deprecated;
hardening a bare ``lxml.etree.XMLParser`` (``resolve_entities=False, no_network=True,
load_dtd=False, huge_tree=False``) still lets libxml2 *read* the DTD, so it needs a separate
DOCTYPE check to refuse it, and the safety then rests on four flags nobody may later drop. The
defusedxml wrapper refuses a DTD by construction, is a small pure-Python layer over expat, and a
UBL document never legitimately carries a DTD. ``lxml`` stays a dependency for later XSD /
Schematron validation, which this module does not do.

Everything else is read leniently but checked strictly: numbers must be ``xsd:decimal`` lexical
forms (no exponents, NaN or infinities), dates ``YYYY-MM-DD``, and every amount read must be in
the document currency (Peppol rule R051; a second ``cac:TaxTotal`` in the tax currency is
allowed and skipped).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Literal
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as _defused_fromstring

from invoice_service.domain.identifiers import canonical_document_number, document_number_problem

MAX_XML_BYTES = 5 * 1024 * 1024

INVOICE_NS = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
CREDIT_NOTE_NS = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
CAC_NS = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC_NS = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
NS = {"cac": CAC_NS, "cbc": CBC_NS}

CENT = Decimal("0.01")
_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:Z|[+-]\d{2}:\d{2})?")
_MAX_NUMBER_CHARS = 40

Finding = tuple[str, str]
Kind = Literal["invoice", "credit_note"]


class UblError(ValueError):
    """The document cannot be accepted; ``findings`` lists every ``(field, reason)`` at once."""

    def __init__(self, findings: list[Finding]) -> None:
        self.findings: list[Finding] = list(findings)
        super().__init__("; ".join(f"{field}: {reason}" for field, reason in self.findings))


@dataclass(frozen=True)
class UblParty:
    """A ``cac:Party``; ``registration_name`` is the legal name (BT-27 / BT-44)."""

    registration_name: str | None
    trading_name: str | None
    endpoint_id: str | None
    endpoint_scheme: str | None
    company_id: str | None
    vat_number: str | None
    street: str | None
    city: str | None
    postal_code: str | None
    country: str | None


@dataclass(frozen=True)
class UblLine:
    id: str
    description: str
    quantity: Decimal
    unit_code: str | None
    unit_price: Decimal
    line_extension_amount: Decimal
    vat_category: str | None
    vat_rate: Decimal | None


@dataclass(frozen=True)
class UblDocument:
    kind: Kind
    number: str
    issue_date: date
    due_date: date | None
    type_code: str | None
    currency: str
    buyer_reference: str | None
    order_reference: str | None
    payment_reference: str | None
    payment_terms_note: str | None
    billing_references: tuple[str, ...]
    buyer: UblParty
    seller: UblParty
    lines: tuple[UblLine, ...]
    tax_total: Decimal | None
    line_extension_total: Decimal | None
    tax_exclusive: Decimal | None
    tax_inclusive: Decimal | None
    allowance_total: Decimal | None
    charge_total: Decimal | None
    prepaid: Decimal | None
    rounding: Decimal | None
    payable_amount: Decimal

    @property
    def root(self) -> str:
        return "Invoice" if self.kind == "invoice" else "CreditNote"

    @property
    def buyer_name(self) -> str:
        """The buyer's legal name; :func:`parse_ubl` refuses a document without one."""
        return self.buyer.registration_name or ""

    @property
    def seller_name(self) -> str | None:
        return self.seller.registration_name or self.seller.trading_name

    @property
    def seller_vat(self) -> str | None:
        return self.seller.vat_number


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


# --- parsing ---------------------------------------------------------------------------------


def parse_ubl(data: bytes) -> UblDocument:
    """Parse a UBL 2.1 Invoice or CreditNote. Raises :class:`UblError` (and nothing else) for an
    oversized, hostile, malformed, non-UBL or incomplete document."""
    if not isinstance(data, bytes | bytearray):
        raise UblError([("/", "the document must be given as bytes")])
    if len(data) > MAX_XML_BYTES:
        raise UblError([("/", f"document is {len(data)} bytes, above the {MAX_XML_BYTES} limit")])
    root = _parse_xml(bytes(data))
    if root.tag == f"{{{INVOICE_NS}}}Invoice":
        kind: Kind = "invoice"
    elif root.tag == f"{{{CREDIT_NOTE_NS}}}CreditNote":
        kind = "credit_note"
    else:
        raise UblError(
            [("/", f"root element {root.tag} is neither a UBL 2.1 Invoice nor a CreditNote")]
        )
    return _Reader(root, kind).document()


def _parse_xml(data: bytes) -> Element:
    try:
        root: Element = _defused_fromstring(
            data, forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
    except DefusedXmlException as exc:
        raise UblError(
            [("/", f"forbidden XML construct (DTD, entity or external): {exc}")]
        ) from exc
    except ParseError as exc:
        raise UblError([("/", f"malformed XML: {exc}")]) from exc
    except (ValueError, LookupError) as exc:  # e.g. an unknown encoding declaration
        raise UblError([("/", f"unreadable XML: {exc}")]) from exc
    return root


class _Reader:
    """Reads one document, collecting every finding instead of stopping at the first."""

    def __init__(self, root: Element, kind: Kind) -> None:
        self.root = root
        self.kind: Kind = kind
        self.prefix = "/Invoice" if kind == "invoice" else "/CreditNote"
        self.findings: list[Finding] = []
        self.currency: str | None = None

    # -- primitives ---------------------------------------------------------------------------

    def field(self, path: str, base: str | None = None) -> str:
        return f"{base or self.prefix}/{path}"

    def text(self, node: Element, path: str) -> str | None:
        found = node.find(path, NS)
        if found is None or found.text is None:
            return None
        value = found.text.strip()
        return value or None

    def attribute(self, node: Element, path: str, name: str) -> str | None:
        found = node.find(path, NS)
        value = (found.get(name) or "").strip() if found is not None else ""
        return value or None

    def required_text(self, node: Element, path: str, base: str | None = None) -> str:
        value = self.text(node, path)
        if value is None:
            self.findings.append((self.field(path, base), "missing"))
            return ""
        return value

    def decimal(self, node: Element, path: str, base: str | None = None) -> Decimal | None:
        found = node.find(path, NS)
        if found is None or found.text is None or not found.text.strip():
            return None
        raw = found.text.strip()
        if len(raw) > _MAX_NUMBER_CHARS or not _DECIMAL.fullmatch(raw):
            self.findings.append((self.field(path, base), f"{raw[:50]!r} is not a decimal number"))
            return None
        try:
            return Decimal(raw)
        except InvalidOperation:  # pragma: no cover - the pattern admits only valid literals
            self.findings.append((self.field(path, base), f"{raw!r} is not a decimal number"))
            return None

    def amount(self, node: Element, path: str, base: str | None = None) -> Decimal | None:
        value = self.decimal(node, path, base)
        found = node.find(path, NS)
        if value is not None and found is not None:
            currency = (found.get("currencyID") or "").strip()
            if currency and self.currency and currency != self.currency:
                self.findings.append(
                    (
                        self.field(path, base) + "/@currencyID",
                        f"{currency} differs from the document currency {self.currency}",
                    )
                )
        return value

    def date_of(self, node: Element, path: str) -> date | None:
        raw = self.text(node, path)
        if raw is None:
            return None
        match = _DATE.fullmatch(raw)
        if match:
            try:
                return date(int(match[1]), int(match[2]), int(match[3]))
            except ValueError:
                pass
        self.findings.append((self.field(path), f"{raw[:50]!r} is not a date (YYYY-MM-DD)"))
        return None

    # -- document -----------------------------------------------------------------------------

    def document(self) -> UblDocument:
        root = self.root
        invoice = self.kind == "invoice"
        self.at_most_once()
        number = self.document_number(root, "cbc:ID")
        issue_date = self.date_of(root, "cbc:IssueDate")
        if issue_date is None and self.text(root, "cbc:IssueDate") is None:
            self.findings.append((self.field("cbc:IssueDate"), "missing"))
        due_date = self.date_of(root, "cbc:DueDate")
        if due_date is None and self.text(root, "cbc:DueDate") is None:
            due_date = self.date_of(root, "cac:PaymentMeans/cbc:PaymentDueDate")
        currency = self.required_text(root, "cbc:DocumentCurrencyCode")
        if currency and not re.fullmatch(r"[A-Z]{3}", currency):
            self.findings.append(
                (self.field("cbc:DocumentCurrencyCode"), f"{currency[:50]!r} is not ISO 4217")
            )
        self.currency = currency or None

        buyer_base = "cac:AccountingCustomerParty/cac:Party"
        buyer = self.party(buyer_base)
        if buyer.registration_name is None:
            self.findings.append(
                (self.field(f"{buyer_base}/cac:PartyLegalEntity/cbc:RegistrationName"), "missing")
            )
        seller = self.party("cac:AccountingSupplierParty/cac:Party")

        line_tag = "cac:InvoiceLine" if invoice else "cac:CreditNoteLine"
        quantity_tag = "cbc:InvoicedQuantity" if invoice else "cbc:CreditedQuantity"
        line_nodes = root.findall(line_tag, NS)
        if not line_nodes:
            self.findings.append((self.field(line_tag), "at least one line is required"))
        lines: list[UblLine] = []
        for i, node in enumerate(line_nodes, start=1):
            line = self.line(node, f"{self.prefix}/{line_tag}[{i}]", quantity_tag)
            if line is not None:
                lines.append(line)

        totals = "cac:LegalMonetaryTotal"
        payable = self.amount(root, f"{totals}/cbc:PayableAmount")
        if payable is None and self.text(root, f"{totals}/cbc:PayableAmount") is None:
            self.findings.append((self.field(f"{totals}/cbc:PayableAmount"), "missing"))
        document = UblDocument(
            kind=self.kind,
            number=number,
            issue_date=issue_date or date.min,
            due_date=due_date,
            type_code=self.text(
                root, "cbc:InvoiceTypeCode" if invoice else "cbc:CreditNoteTypeCode"
            ),
            currency=currency,
            buyer_reference=self.text(root, "cbc:BuyerReference"),
            order_reference=self.text(root, "cac:OrderReference/cbc:ID"),
            payment_reference=self.text(root, "cac:PaymentMeans/cbc:PaymentID"),
            payment_terms_note=self.text(root, "cac:PaymentTerms/cbc:Note"),
            billing_references=self.billing_references(),
            buyer=buyer,
            seller=seller,
            lines=tuple(lines),
            tax_total=self.tax_total(),
            line_extension_total=self.amount(root, f"{totals}/cbc:LineExtensionAmount"),
            tax_exclusive=self.amount(root, f"{totals}/cbc:TaxExclusiveAmount"),
            tax_inclusive=self.amount(root, f"{totals}/cbc:TaxInclusiveAmount"),
            allowance_total=self.amount(root, f"{totals}/cbc:AllowanceTotalAmount"),
            charge_total=self.amount(root, f"{totals}/cbc:ChargeTotalAmount"),
            prepaid=self.amount(root, f"{totals}/cbc:PrepaidAmount"),
            rounding=self.amount(root, f"{totals}/cbc:PayableRoundingAmount"),
            payable_amount=payable if payable is not None else Decimal("0"),
        )
        if self.findings:
            raise UblError(self.findings)
        return document

    def at_most_once(self) -> None:
        """BIS 3.0 elements of cardinality 0..1 or 1..1 that a document repeats make it
        ambiguous (which currency, which total?): refused, never first-one-wins."""
        type_code = "cbc:InvoiceTypeCode" if self.kind == "invoice" else "cbc:CreditNoteTypeCode"
        totals = "cac:LegalMonetaryTotal"
        for path in (
            "cbc:ID",
            "cbc:IssueDate",
            "cbc:DueDate",
            type_code,
            "cbc:DocumentCurrencyCode",
            "cbc:TaxCurrencyCode",
            "cbc:BuyerReference",
            "cac:AccountingSupplierParty",
            "cac:AccountingCustomerParty",
            totals,
            f"{totals}/cbc:LineExtensionAmount",
            f"{totals}/cbc:TaxExclusiveAmount",
            f"{totals}/cbc:TaxInclusiveAmount",
            f"{totals}/cbc:AllowanceTotalAmount",
            f"{totals}/cbc:ChargeTotalAmount",
            f"{totals}/cbc:PrepaidAmount",
            f"{totals}/cbc:PayableRoundingAmount",
            f"{totals}/cbc:PayableAmount",
        ):
            count = len(self.root.findall(path, NS))
            if count > 1:
                self.findings.append(
                    (self.field(path), f"appears {count} times; at most once is allowed")
                )

    def document_number(self, node: Element, path: str) -> str:
        number = self.required_text(node, path)
        problem = document_number_problem(number) if number else None
        if problem is not None:
            self.findings.append((self.field(path), problem))
        return canonical_document_number(number)

    def billing_references(self) -> tuple[str, ...]:
        path = "cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID"
        numbers: list[str] = []
        for i, ref in enumerate(self.root.findall(path, NS), start=1):
            number = (ref.text or "").strip()
            if not number:
                continue
            problem = document_number_problem(number)
            if problem is not None:
                self.findings.append((f"{self.prefix}/cac:BillingReference[{i}]", problem))
            numbers.append(canonical_document_number(number))
        return tuple(numbers)

    def party(self, path: str) -> UblParty:
        node = self.root.find(path, NS)
        if node is None:
            return UblParty(*([None] * 10))
        address = "cac:PostalAddress"
        return UblParty(
            registration_name=self.text(node, "cac:PartyLegalEntity/cbc:RegistrationName"),
            trading_name=self.text(node, "cac:PartyName/cbc:Name"),
            endpoint_id=self.text(node, "cbc:EndpointID"),
            endpoint_scheme=self.attribute(node, "cbc:EndpointID", "schemeID"),
            company_id=self.text(node, "cac:PartyLegalEntity/cbc:CompanyID"),
            vat_number=self.vat_number(node),
            street=self.text(node, f"{address}/cbc:StreetName"),
            city=self.text(node, f"{address}/cbc:CityName"),
            postal_code=self.text(node, f"{address}/cbc:PostalZone"),
            country=self.text(node, f"{address}/cac:Country/cbc:IdentificationCode"),
        )

    def vat_number(self, party: Element) -> str | None:
        """``cac:PartyTaxScheme/cbc:CompanyID`` of the VAT scheme (a party may list others)."""
        schemes = party.findall("cac:PartyTaxScheme", NS)
        for scheme in schemes:
            if (self.text(scheme, "cac:TaxScheme/cbc:ID") or "").upper() == "VAT":
                return self.text(scheme, "cbc:CompanyID")
        return self.text(schemes[0], "cbc:CompanyID") if schemes else None

    def line(self, node: Element, base: str, quantity_tag: str) -> UblLine | None:
        before = len(self.findings)
        line_id = self.required_text(node, "cbc:ID", base)
        quantity = self.decimal(node, quantity_tag, base)
        if quantity is None and self.text(node, quantity_tag) is None:
            self.findings.append((f"{base}/{quantity_tag}", "missing"))
        extension = self.amount(node, "cbc:LineExtensionAmount", base)
        if extension is None and self.text(node, "cbc:LineExtensionAmount") is None:
            self.findings.append((f"{base}/cbc:LineExtensionAmount", "missing"))
        price = self.amount(node, "cac:Price/cbc:PriceAmount", base)
        if price is None and self.text(node, "cac:Price/cbc:PriceAmount") is None:
            self.findings.append((f"{base}/cac:Price/cbc:PriceAmount", "missing"))
        base_quantity = self.decimal(node, "cac:Price/cbc:BaseQuantity", base)
        if price is not None and base_quantity is not None:
            if base_quantity == 0:
                self.findings.append((f"{base}/cac:Price/cbc:BaseQuantity", "must not be zero"))
            else:
                price = _plain(price / base_quantity)
        category = "cac:Item/cac:ClassifiedTaxCategory"
        if len(self.findings) > before or quantity is None or extension is None or price is None:
            return None
        return UblLine(
            id=line_id,
            description=self.text(node, "cac:Item/cbc:Description")
            or self.text(node, "cac:Item/cbc:Name")
            or "",
            quantity=quantity,
            unit_code=self.attribute(node, quantity_tag, "unitCode"),
            unit_price=price,
            line_extension_amount=extension,
            vat_category=self.text(node, f"{category}/cbc:ID"),
            vat_rate=self.decimal(node, f"{category}/cbc:Percent", base),
        )

    def tax_total(self) -> Decimal | None:
        """``cac:TaxTotal/cbc:TaxAmount`` in the document currency; a second ``cac:TaxTotal`` in
        the tax currency (BT-111) is skipped."""
        totals = self.root.findall("cac:TaxTotal", NS)
        chosen: int | None = None
        for i, total in enumerate(totals):
            amount = total.find("cbc:TaxAmount", NS)
            currency = (amount.get("currencyID") or "").strip() if amount is not None else ""
            if amount is not None and currency == self.currency:
                chosen = i
                break
            if amount is not None and not currency and chosen is None:
                chosen = i
        if chosen is None:
            foreign = sorted(
                {
                    (amount.get("currencyID") or "").strip()
                    for total in totals
                    if (amount := total.find("cbc:TaxAmount", NS)) is not None
                }
            )
            if (
                foreign and self.currency
            ):  # only tax-currency amounts: none in the document currency (R051/R053)
                self.findings.append(
                    (
                        self.field("cac:TaxTotal/cbc:TaxAmount/@currencyID"),
                        f"{', '.join(foreign)} but no tax amount in the document currency "
                        f"{self.currency}",
                    )
                )
            return None  # no tax amount at all: check_totals reports it missing
        base = f"{self.prefix}/cac:TaxTotal[{chosen + 1}]"
        return self.amount(totals[chosen], "cbc:TaxAmount", base)


def _plain(value: Decimal) -> Decimal:
    """``Decimal('1E+2')`` → ``Decimal('100')`` (division may produce a positive exponent)."""
    exponent = value.as_tuple().exponent
    return value.quantize(Decimal(1)) if isinstance(exponent, int) and exponent > 0 else value


# --- BIS 3.0 arithmetic ----------------------------------------------------------------------


def check_totals(doc: UblDocument) -> list[Finding]:
    """The BIS 3.0 document-level arithmetic, each side rounded to the cent:

    * BR-CO-10: Σ line extension amounts = LineExtensionAmount
    * BR-CO-13: TaxExclusiveAmount = LineExtensionAmount − AllowanceTotal + ChargeTotal
    * BR-CO-15: TaxInclusiveAmount = TaxExclusiveAmount + TaxAmount (document currency)
    * BR-CO-16: PayableAmount = TaxInclusiveAmount − PrepaidAmount + PayableRoundingAmount

    Absent optional totals (allowances, charges, prepaid, rounding) count as zero; an absent
    mandatory one (line extension, tax exclusive, tax inclusive, tax amount) is a finding.
    Returns the findings, empty when the document is coherent."""
    findings: list[Finding] = []
    totals = f"/{doc.root}/cac:LegalMonetaryTotal"
    zero = Decimal("0")

    def present(value: Decimal | None, field: str) -> Decimal | None:
        if value is None:
            findings.append((field, "missing"))
        return value

    line_extension = present(doc.line_extension_total, f"{totals}/cbc:LineExtensionAmount")
    tax_exclusive = present(doc.tax_exclusive, f"{totals}/cbc:TaxExclusiveAmount")
    tax_inclusive = present(doc.tax_inclusive, f"{totals}/cbc:TaxInclusiveAmount")
    tax_amount = present(doc.tax_total, f"/{doc.root}/cac:TaxTotal/cbc:TaxAmount")

    lines_sum = money(sum((line.line_extension_amount for line in doc.lines), zero))
    if line_extension is not None and money(line_extension) != lines_sum:
        findings.append(
            (
                f"{totals}/cbc:LineExtensionAmount",
                f"the lines add up to {lines_sum}, not {money(line_extension)}",
            )
        )
    if line_extension is not None and tax_exclusive is not None:
        expected = money(
            line_extension - (doc.allowance_total or zero) + (doc.charge_total or zero)
        )
        if money(tax_exclusive) != expected:
            findings.append(
                (
                    f"{totals}/cbc:TaxExclusiveAmount",
                    f"line extension − allowances + charges is {expected}, "
                    f"not {money(tax_exclusive)}",
                )
            )
    if tax_exclusive is not None and tax_amount is not None and tax_inclusive is not None:
        expected = money(tax_exclusive + tax_amount)
        if money(tax_inclusive) != expected:
            findings.append(
                (
                    f"{totals}/cbc:TaxInclusiveAmount",
                    f"tax exclusive + tax amount is {expected}, not {money(tax_inclusive)}",
                )
            )
    if tax_inclusive is not None:
        expected = money(tax_inclusive - (doc.prepaid or zero) + (doc.rounding or zero))
        if money(doc.payable_amount) != expected:
            findings.append(
                (
                    f"{totals}/cbc:PayableAmount",
                    f"tax inclusive − prepaid + rounding is {expected}, "
                    f"not {money(doc.payable_amount)}",
                )
            )
    return findings

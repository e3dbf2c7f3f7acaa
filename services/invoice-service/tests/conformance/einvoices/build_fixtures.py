"""Derives the Peppol BIS Billing 3.0 documents of the corpus that OpenPEPPOL publishes no
example for, from the official ``vat-category-Z.xml`` (OpenPEPPOL/peppol-bis-invoice-3,
rules/examples): the same parties and line, with the VAT category, rate, exemption reason,
currency, payment reference or customisation that the case needs, totals recomputed so that
BR-CO-10…16 hold. Regenerate with:

    uv run python services/invoice-service/tests/conformance/einvoices/build_fixtures.py
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).parent
BASE = (HERE / "vat-category-Z.xml").read_text()
NET = Decimal("1200.00")


def derive(
    number: str,
    *,
    category: str = "Z",
    percent: Decimal = Decimal("0"),
    reason_code: str | None = None,
    currency: str = "GBP",
    payment_id: str | None = None,
    customization: str | None = None,
    tax_currency: tuple[str, Decimal] | None = None,
    comment: str,
) -> str:
    tax = (NET * percent / 100).quantize(Decimal("0.01"))
    text = BASE.replace(
        "<!-- PEPPOL BIS Billing, testfile showing the use of VAT category Z "
        "(Zero rated goods) -->",
        f"<!-- Derived from OpenPEPPOL vat-category-Z.xml: {comment} -->",
    )
    text = text.replace("<cbc:ID>Vat-Z</cbc:ID>", f"<cbc:ID>{number}</cbc:ID>")
    text = text.replace("GBP", currency)
    reason = (
        f"\n                <cbc:TaxExemptionReasonCode>{reason_code}</cbc:TaxExemptionReasonCode>"
    )
    text = text.replace(
        "            <cac:TaxCategory>\n                <cbc:ID>Z</cbc:ID>",
        f"            <cac:TaxCategory>\n                <cbc:ID>{category}</cbc:ID>"
        + (reason if reason_code else ""),
    )
    text = text.replace(
        "<cac:ClassifiedTaxCategory>\n                <cbc:ID>Z</cbc:ID>",
        f"<cac:ClassifiedTaxCategory>\n                <cbc:ID>{category}</cbc:ID>",
    )
    text = text.replace("<cbc:Percent>0</cbc:Percent>", f"<cbc:Percent>{percent}</cbc:Percent>")
    text = text.replace(
        f'<cbc:TaxAmount currencyID="{currency}">0.00</cbc:TaxAmount>',
        f'<cbc:TaxAmount currencyID="{currency}">{tax}</cbc:TaxAmount>',
    )
    for total in ("TaxInclusiveAmount", "PayableAmount"):
        text = text.replace(
            f'<cbc:{total} currencyID="{currency}">1200.00</cbc:{total}>',
            f'<cbc:{total} currencyID="{currency}">{NET + tax}</cbc:{total}>',
        )
    if payment_id is not None:
        text = text.replace(
            "<cbc:PaymentMeansCode>30</cbc:PaymentMeansCode>",
            f"<cbc:PaymentMeansCode>30</cbc:PaymentMeansCode>\n"
            f"        <cbc:PaymentID>{payment_id}</cbc:PaymentID>",
        )
    if customization is not None:
        text = text.replace(
            "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0",
            customization,
        )
    if tax_currency is not None:
        code, rate = tax_currency
        text = text.replace(
            f"<cbc:DocumentCurrencyCode>{currency}</cbc:DocumentCurrencyCode>",
            f"<cbc:DocumentCurrencyCode>{currency}</cbc:DocumentCurrencyCode>\n"
            f"    <cbc:TaxCurrencyCode>{code}</cbc:TaxCurrencyCode>",
        )
        text = text.replace(
            "    <cac:LegalMonetaryTotal>",
            f'    <cac:TaxTotal>\n        <cbc:TaxAmount currencyID="{code}">'
            f"{(tax * rate).quantize(Decimal('0.01'))}</cbc:TaxAmount>\n    </cac:TaxTotal>\n"
            "    <cac:LegalMonetaryTotal>",
            1,
        )
    return text


def write(name: str, text: str) -> None:
    (HERE / name).write_text(text)


def main() -> None:
    eur = {"currency": "EUR"}
    write(
        "vat-category-AE.xml",
        derive(
            "Vat-AE",
            category="AE",
            reason_code="VATEX-EU-AE",
            comment="category AE (reverse charge)",
            **eur,
        ),
    )
    write(
        "vat-category-K.xml",
        derive(
            "Vat-K",
            category="K",
            reason_code="VATEX-EU-IC",
            comment="category K (intra-community supply)",
            **eur,
        ),
    )
    write(
        "vat-category-G.xml",
        derive(
            "Vat-G",
            category="G",
            reason_code="VATEX-EU-G",
            comment="category G (export outside the EU)",
            **eur,
        ),
    )
    write(
        "vat-category-L.xml",
        derive(
            "Vat-L",
            category="L",
            percent=Decimal("7"),
            comment="category L (Canary Islands IGIC, 7 %)",
            **eur,
        ),
    )
    write(
        "vat-category-M.xml",
        derive(
            "Vat-M",
            category="M",
            percent=Decimal("4"),
            comment="category M (Ceuta and Melilla IPSI, 4 %)",
            **eur,
        ),
    )
    write(
        "foreign-currency-tax-currency.xml",
        derive(
            "FX-USD-1",
            category="S",
            percent=Decimal("21"),
            currency="USD",
            tax_currency=("EUR", Decimal("0.9210")),
            comment="USD invoice, VAT also stated in the tax currency EUR (BT-6, BT-111)",
        ),
    )
    write(
        "be-ogm-payment-id.xml",
        derive(
            "BE-2026/0001",
            category="S",
            percent=Decimal("21"),
            payment_id="+++090/9337/55493+++",
            comment="Belgian invoice: number with a slash, OGM/VCS as PaymentID",
            **eur,
        ),
    )
    write(
        "nl-cius-betalingskenmerk.xml",
        derive(
            "NL-CIUS-1",
            category="S",
            percent=Decimal("21"),
            payment_id="5000056789012345",
            customization="urn:cen.eu:en16931:2017#compliant#urn:fdc:nen.nl:nlcius:v1.0",
            comment="NLCIUS (SI-UBL 2.0) invoice with a betalingskenmerk as PaymentID",
            **eur,
        ),
    )
    write(
        "payment-id-unstructured.xml",
        derive(
            "UNSTR-1",
            category="S",
            percent=Decimal("21"),
            payment_id="Order 4711 / customer 0815",
            comment="free-text PaymentID: kept with a warning",
            **eur,
        ),
    )
    write(
        "payment-id-bad-ogm.xml",
        derive(
            "BADOGM-1",
            category="S",
            percent=Decimal("21"),
            payment_id="+++090/9337/55494+++",
            comment="PaymentID claims an OGM with a wrong check digit",
            **eur,
        ),
    )
    write(
        "payment-id-bad-rf.xml",
        derive(
            "BADRF-1",
            category="S",
            percent=Decimal("21"),
            payment_id="RF19539007547034",
            comment="PaymentID claims ISO 11649 with wrong check digits",
            **eur,
        ),
    )
    duplicate = derive("DUPCUR-1", comment="DocumentCurrencyCode twice", **eur).replace(
        "<cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>",
        "<cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>\n"
        "    <cbc:DocumentCurrencyCode>USD</cbc:DocumentCurrencyCode>",
    )
    write("duplicate-document-currency.xml", duplicate)
    write(
        "totals-do-not-add-up.xml",
        derive(
            "TOTALS-1",
            category="S",
            percent=Decimal("21"),
            comment="payable amount off by 0.01",
            **eur,
        ).replace("1452.00</cbc:PayableAmount>", "1452.01</cbc:PayableAmount>"),
    )
    full = derive("TRUNC-1", comment="cut in the middle", **eur)
    write("truncated.xml", full[: len(full) // 2])
    write(
        "dtd-entity.xml",
        derive("XXE-1", comment="a DOCTYPE with an external entity", **eur)
        .replace(
            '<?xml version="1.0" encoding="UTF-8"?>',
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<!DOCTYPE Invoice [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
        )
        .replace("<cbc:Note>Payment within 30 days</cbc:Note>", "<cbc:Note>&xxe;</cbc:Note>"),
    )
    negative_open = (HERE / "base-negative-inv-correction.xml").read_text()
    start = negative_open.index("    <cac:BillingReference>")
    end = negative_open.index("    <cac:AccountingSupplierParty>")
    write(
        "negative-invoice-open-credit.xml",
        "<!-- Derived from OpenPEPPOL base-negative-inv-correction.xml without its "
        "BillingReference -->\n"
        + (negative_open[:start] + negative_open[end:])
        .replace("<cbc:ID>Correction1</cbc:ID>", "<cbc:ID>Correction2</cbc:ID>", 1)
        .replace('<?xml version="1.0" encoding="UTF-8"?>\n', "", 1),
    )


if __name__ == "__main__":
    main()

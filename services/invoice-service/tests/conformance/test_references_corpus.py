"""Conformance: payment references on intake and in payments (references.yaml)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest

from invoice_service.domain.payment_refs import classify_reference

from .conftest import TENANTS, Corpus, headers, load_cases

CASES = load_cases("references.yaml")


def _invoice(case: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = {
        "invoice_number": f"REF-{case['id']}",
        "debtor_ref": f"D-{case['id']}"[:100],
        "issue_date": "2026-01-05",
        "due_date": "2026-02-04",
        "currency": "EUR",
        "lines": [{"description": "x", "quantity": "1", "unit_price": "121.00", "vat_rate": "0"}],
        "amount_due": "121.00",
        "debtor": {"legal_name": case["id"], "kind": "B2B", "country": "BE", "language": "nl"},
    }
    if "reference" in case:
        body["payment_reference"] = case["reference"]
    return body


def _quoted(how: str, stored: str) -> str:
    digits = "".join(ch for ch in stored if ch.isalnum())
    if how == "as_stored":
        return stored
    if how == "digits":
        return digits
    if how == "spaced":
        return " ".join(digits[i : i + 4] for i in range(0, len(digits), 4))
    return how


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
async def test_reference_case(corpus: Corpus, case: dict[str, Any]) -> None:
    client, tenant, expect = corpus.client, case["tenant"], case["expect"]
    r = await client.post("/v1/invoices", json=_invoice(case), headers=headers(tenant))
    assert r.status_code == expect["status"], r.text
    if expect["status"] == 422:
        problem = r.json()
        assert r.headers["content-type"] == "application/problem+json"
        fields = {e["field"]: e["reason"] for e in problem["errors"]}
        assert expect["field"] in fields, problem
        assert expect["reason"] in fields[expect["field"]], problem
        missing = await client.get(
            f"/v1/invoices/{quote(_invoice(case)['invoice_number'], safe='')}",
            headers=headers(tenant),
        )
        assert missing.status_code == 404  # nothing half-written
        return
    invoice = r.json()
    assert invoice["payment_reference_scheme"] == expect["scheme"]
    if expect["value"] == "valid":
        assert (
            classify_reference(invoice["payment_reference"], TENANTS[tenant]).scheme
            == (expect["scheme"])
        )
    else:
        assert invoice["payment_reference"] == expect["value"]
    assert bool(invoice["warnings"]) == expect["warning"], invoice["warnings"]
    detail = (
        await client.get(
            f"/v1/invoices/{quote(invoice['invoice_number'], safe='')}", headers=headers(tenant)
        )
    ).json()
    issued = next(h for h in detail["history"] if h["type"] == "invoicing.InvoiceIssued")
    assert issued["payload"]["payment_reference"] == invoice["payment_reference"]
    assert issued["payload"]["payment_reference_scheme"] == expect["scheme"]
    if "pay_with" not in case:
        return
    quoted = _quoted(case["pay_with"], invoice["payment_reference"])
    r = await client.post(
        "/v1/payments",
        json={
            "amount": "121.00",
            "currency": "EUR",
            "booking_date": "2026-01-20",
            "reference": quoted if case["pay_with"] in ("as_stored", "digits", "spaced") else None,
            "remittance_info": None
            if case["pay_with"] in ("as_stored", "digits", "spaced")
            else quoted,
        },
        headers=headers(tenant),
    )
    assert r.status_code == 201, r.text
    payment = r.json()
    assert payment["status"] == "allocated", payment
    assert [a["invoice_number"] for a in payment["allocations"]] == [invoice["invoice_number"]]

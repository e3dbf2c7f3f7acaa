"""Conformance: Peppol BIS Billing 3.0 invoices and credit notes (einvoices.yaml)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest

from .conftest import CORPUS, EINVOICE_TENANTS, Corpus, headers, load_cases

CASES = load_cases("einvoices.yaml")
FILES = CORPUS / "einvoices"
assert len(CASES) <= len(EINVOICE_TENANTS)
XML = {"Content-Type": "application/xml"}


@pytest.mark.parametrize(("index", "case"), list(enumerate(CASES)), ids=[c["id"] for c in CASES])
async def test_einvoice_case(corpus: Corpus, index: int, case: dict[str, Any]) -> None:
    client, expect = corpus.client, case["expect"]
    tenant = EINVOICE_TENANTS[index]
    for name in case.get("before", []):
        r = await client.post(
            "/v1/einvoices", content=(FILES / name).read_bytes(), headers=headers(tenant, **XML)
        )
        assert r.status_code in (200, 201), r.text
    r = await client.post(
        "/v1/einvoices",
        content=(FILES / case["file"]).read_bytes(),
        headers=headers(tenant, **XML),
    )
    assert r.status_code == expect["status"], r.text
    if expect["status"] == 422:
        fields = {e["field"]: e["reason"] for e in r.json()["errors"]}
        assert expect["field"] in fields, fields
        assert expect["reason"] in fields[expect["field"]], fields
        invoices = (await client.get("/v1/invoices", headers=headers(tenant))).json()
        assert invoices == []  # nothing half-written
        return
    body = r.json()
    assert body["kind"] == expect["kind"]
    if expect["kind"] == "invoice":
        assert (body["invoice_number"], body["amount_due"], body["currency"]) == (
            expect["number"],
            expect["amount"],
            expect["currency"],
        )
        assert body["payment_reference_scheme"] == expect["scheme"]
        if "reference" in expect:
            assert body["payment_reference"] == expect["reference"]
        assert bool(body["warnings"]) == expect["warning"], body["warnings"]
        stored = await client.get(
            f"/v1/invoices/{quote(expect['number'], safe='')}", headers=headers(tenant)
        )
        assert stored.status_code == 200
    else:
        assert (body["credit_note_number"], body["amount"], body["currency"]) == (
            expect["number"],
            expect["amount"],
            expect["currency"],
        )
        assert (body["source"], body["settlement"]) == (expect["source"], expect["settlement"])
    for number, amount in expect.get("open", {}).items():
        got = await client.get(f"/v1/invoices/{quote(number, safe='')}", headers=headers(tenant))
        assert got.json()["open_amount"] == amount, got.json()
    # the same document again is a replay, not a second document
    again = await client.post(
        "/v1/einvoices", content=(FILES / case["file"]).read_bytes(), headers=headers(tenant, **XML)
    )
    assert again.status_code == 200, again.text

"""Conformance: bank statement files (statements.yaml) — camt.053, CODA and MT940."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx
import pytest

from .conftest import CORPUS, Corpus, headers, load_cases

CASES = load_cases("statements.yaml")
FILES = CORPUS / "statements"


def _content(case: dict[str, Any]) -> bytes:
    if "file" in case:
        return (FILES / case["file"]).read_bytes()
    return str(case["content"]).encode("utf-8")


async def _import(client: httpx.AsyncClient, tenant: str, data: bytes) -> httpx.Response:
    return await client.post(
        "/v1/bank-statements",
        content=data,
        headers=headers(tenant, **{"Content-Type": "application/octet-stream"}),
    )


async def _setup(client: httpx.AsyncClient, tenant: str, setup: dict[str, Any]) -> None:
    for ref, ibans in setup.get("debtors", {}).items():
        r = await client.put(
            f"/v1/debtors/{ref}",
            json={
                "legal_name": ref,
                "kind": "B2B",
                "country": "BE",
                "language": "nl",
                "iban": ibans,
            },
            headers=headers(tenant),
        )
        assert r.status_code in (200, 201), r.text
    for number, debtor, amount, reference in setup.get("invoices", []):
        body: dict[str, Any] = {
            "invoice_number": number,
            "debtor_ref": debtor,
            "issue_date": "2026-01-05",
            "due_date": "2026-02-04",
            "currency": "EUR",
            "lines": [{"description": "x", "quantity": "1", "unit_price": amount, "vat_rate": "0"}],
            "amount_due": amount,
        }
        if reference not in (None, "generated"):
            body["payment_reference"] = reference
        r = await client.post("/v1/invoices", json=body, headers=headers(tenant))
        assert r.status_code == 201, r.text
        if reference == "generated":
            assert not r.json()["warnings"], r.json()
    for name in setup.get("statements", []):
        r = await _import(client, tenant, (FILES / name).read_bytes())
        assert r.status_code == 200, r.text
        assert "unmatched" not in {t["outcome"] for t in r.json()["transactions"]}, r.text


def _label(transaction: dict[str, Any]) -> str:
    outcome = transaction["outcome"]
    if outcome == "matched":
        return f"matched/{transaction['match_method']}"
    if outcome == "reversed":
        return f"reversed/{transaction['identified_by']}"
    return str(outcome)


async def _state(client: httpx.AsyncClient, tenant: str) -> tuple[Any, ...]:
    payments = (await client.get("/v1/payments?limit=1000", headers=headers(tenant))).json()
    queue = (
        await client.get("/v1/unmatched-reversals?status=open&limit=1000", headers=headers(tenant))
    ).json()
    return (
        sorted((p["payment_id"], p["status"], p["unallocated"]) for p in payments),
        sorted(item["reversal_id"] for item in queue),
    )


async def _open_amounts(
    client: httpx.AsyncClient, tenant: str, numbers: list[str]
) -> dict[str, str]:
    found = {}
    for number in numbers:
        r = await client.get(f"/v1/invoices/{quote(number, safe='')}", headers=headers(tenant))
        assert r.status_code == 200, r.text
        found[number] = r.json()["open_amount"]
    return found


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
async def test_statement_case(corpus: Corpus, case: dict[str, Any]) -> None:
    client, tenant, expect = corpus.client, case["tenant"], case["expect"]
    await _setup(client, tenant, case.get("setup", {}))
    before = await _state(client, tenant)
    r = await _import(client, tenant, _content(case))
    assert r.status_code == expect["status"], r.text
    if expect["status"] == 422:
        problem = r.json()
        assert r.headers["content-type"] == "application/problem+json"
        assert expect["reason"] in problem["detail"], problem
        if "line" in expect:
            assert problem["line"] == expect["line"], problem
            assert problem["errors"][0]["field"] == f"line {expect['line']}", problem
        assert await _state(client, tenant) == before  # nothing half-written
        return
    result = r.json()
    assert result["format"] == expect["format"]
    assert [_label(t) for t in result["transactions"]] == expect["outcomes"], result
    opened = await _open_amounts(client, tenant, list(expect["open"]))
    assert opened == expect["open"]
    queue_before, queue_after = before[1], (await _state(client, tenant))[1]
    assert len(queue_after) - len(queue_before) == expect["unmatched_reversals"]
    # importing the same file again changes nothing
    settled = await _state(client, tenant)
    again = await _import(client, tenant, _content(case))
    assert again.status_code == 200, again.text
    assert {t["outcome"] for t in again.json()["transactions"]} <= {"duplicate", "ignored"}
    assert await _state(client, tenant) == settled
    assert await _open_amounts(client, tenant, list(expect["open"])) == expect["open"]

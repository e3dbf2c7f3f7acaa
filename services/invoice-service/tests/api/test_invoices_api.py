"""invoice-service over HTTP with a migrated database (SQLite and PostgreSQL) and the broker."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from eventkit.localbroker import LocalBroker
from eventkit.runtime import Runtime
from eventkit.testing.databases import fresh_database
from eventkit.testing.service import OTHER_TENANT_KEY, auth, running_service
from invoice_service.bootstrap import definition
from invoice_service.settings import Settings


@pytest.fixture
async def service(
    backend: str, tmp_path: Path, kafka_broker: LocalBroker
) -> AsyncIterator[tuple[Runtime, httpx.AsyncClient]]:
    async with (
        fresh_database(backend, tmp_path) as url,
        running_service(
            definition(),
            Settings,
            database_url=url,
            bootstrap_servers=kafka_broker.bootstrap_servers,
        ) as pair,
    ):
        yield pair


def debtor_body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "legal_name": "Brouwerij Janssens BV",
        "kind": "B2B",
        "country": "BE",
        "language": "nl",
        "email": "ap@janssens.example",
        "payment_terms_days": 30,
    }
    body.update(changes)
    return body


def invoice_body(number: str, debtor: str, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "invoice_number": number,
        "debtor_ref": debtor,
        "issue_date": "2026-11-01",
        "currency": "EUR",
        "lines": [{"description": "Hops", "quantity": "10", "unit_price": "100", "vat_rate": "21"}],
        "amount_due": "1210.00",
    }
    body.update(changes)
    return body


async def test_issue_invoice_is_idempotent_on_its_number(
    service: tuple[Runtime, httpx.AsyncClient],
) -> None:
    _rt, client = service
    debtor = f"D-{uuid.uuid4().hex[:6]}"
    r = await client.put(f"/v1/debtors/{debtor}", json=debtor_body(), headers=auth())
    assert r.status_code == 201, r.text
    r = await client.put(f"/v1/debtors/{debtor}", json=debtor_body(), headers=auth())
    assert r.status_code == 200
    first = await client.post("/v1/invoices", json=invoice_body("INV-1", debtor), headers=auth())
    assert first.status_code == 201, first.text
    assert first.json()["due_date"] == "2026-12-01"
    again = await client.post("/v1/invoices", json=invoice_body("INV-1", debtor), headers=auth())
    assert again.status_code == 200
    assert again.json() == first.json()
    other = await client.post(
        "/v1/invoices", json=invoice_body("INV-1", debtor, issue_date="2026-11-02"), headers=auth()
    )
    assert other.status_code == 409
    assert other.headers["content-type"] == "application/problem+json"
    detail = await client.get("/v1/invoices/INV-1", headers=auth())
    assert [h["type"] for h in detail.json()["history"]] == ["invoicing.InvoiceIssued"]


async def test_invalid_invoice_lists_every_finding_and_stores_nothing(
    service: tuple[Runtime, httpx.AsyncClient],
) -> None:
    _rt, client = service
    debtor = f"D-{uuid.uuid4().hex[:6]}"
    await client.put(f"/v1/debtors/{debtor}", json=debtor_body(po_required=True), headers=auth())
    r = await client.post(
        "/v1/invoices",
        json=invoice_body(
            "INV-BAD",
            debtor,
            amount_due="999.00",
            due_date="2026-10-01",
            payment_reference="+++000/0000/00100+++",
        ),
        headers=auth(),
    )
    assert r.status_code == 422
    fields = {e["field"] for e in r.json()["errors"]}
    assert fields == {"amount_due", "due_date", "payment_reference", "po_number"}
    assert (await client.get("/v1/invoices/INV-BAD", headers=auth())).status_code == 404


async def test_tenants_and_scopes_are_enforced(service: tuple[Runtime, httpx.AsyncClient]) -> None:
    _rt, client = service
    debtor = f"D-{uuid.uuid4().hex[:6]}"
    assert (await client.put(f"/v1/debtors/{debtor}", json=debtor_body())).status_code == 401
    r = await client.put(f"/v1/debtors/{debtor}", json=debtor_body(), headers=auth("acme-ops-key"))
    assert r.status_code == 403
    await client.put(f"/v1/debtors/{debtor}", json=debtor_body(), headers=auth("acme-erp-key"))
    await client.post("/v1/invoices", json=invoice_body("INV-T", debtor), headers=auth())
    assert (
        await client.get(f"/v1/debtors/{debtor}", headers=auth(OTHER_TENANT_KEY))
    ).status_code == 404
    assert (
        await client.get("/v1/invoices/INV-T", headers=auth(OTHER_TENANT_KEY))
    ).status_code == 404
    listed = await client.get("/v1/invoices", headers=auth(OTHER_TENANT_KEY))
    assert listed.json() == []

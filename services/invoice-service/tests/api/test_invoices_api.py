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


async def test_debtor_list_searches_pages_and_stays_in_the_tenant(
    service: tuple[Runtime, httpx.AsyncClient],
) -> None:
    _rt, client = service
    run = uuid.uuid4().hex[:6]
    names = {
        f"L{run}-1": "Brouwerij Janssens BV",
        f"L{run}-2": "Boulangerie Dupont SRL",
        f"L{run}-3": "Dupont_100% Trading",
    }
    for ref, name in names.items():
        r = await client.put(
            f"/v1/debtors/{ref}", json=debtor_body(legal_name=name), headers=auth()
        )
        assert r.status_code == 201, r.text
    # the ops console's search: part of the name, any case; wildcards are plain characters
    found = await client.get("/v1/debtors", params={"q": "DUPONT"}, headers=auth("acme-ops-key"))
    assert found.status_code == 200, found.text
    assert [d["debtor_ref"] for d in found.json()] == [f"L{run}-2", f"L{run}-3"]
    assert found.json()[0]["profile"]["legal_name"] == "Boulangerie Dupont SRL"
    literal = await client.get("/v1/debtors", params={"q": "_100%"}, headers=auth())
    assert [d["debtor_ref"] for d in literal.json()] == [f"L{run}-3"]
    by_ref = await client.get("/v1/debtors", params={"q": f"l{run}-1"}, headers=auth())
    assert [d["debtor_ref"] for d in by_ref.json()] == [f"L{run}-1"]
    # pages in reference order
    first = await client.get("/v1/debtors", params={"q": run, "limit": 2}, headers=auth())
    assert [d["debtor_ref"] for d in first.json()] == [f"L{run}-1", f"L{run}-2"]
    rest = await client.get(
        "/v1/debtors", params={"q": run, "limit": 2, "after": f"L{run}-2"}, headers=auth()
    )
    assert [d["debtor_ref"] for d in rest.json()] == [f"L{run}-3"]
    # another tenant sees none of them; no key, no list; a bad limit is a 422 naming the field
    other = await client.get("/v1/debtors", params={"q": run}, headers=auth(OTHER_TENANT_KEY))
    assert other.status_code == 200 and other.json() == []
    assert (await client.get("/v1/debtors")).status_code == 401
    bad = await client.get("/v1/debtors", params={"limit": 0}, headers=auth())
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "limit"


async def test_clock_moves_only_in_simulated_time_and_only_for_admins(
    service: tuple[Runtime, httpx.AsyncClient],
) -> None:
    _rt, client = service
    forbidden = await client.post(
        "/v1/admin/clock:advance", json={"days": 1}, headers=auth("acme-ops-key")
    )
    assert forbidden.status_code == 403
    refused = await client.post("/v1/admin/clock:advance", json={"days": 1}, headers=auth())
    assert refused.status_code == 409
    assert refused.json()["type"].endswith("/clock-not-simulated")
    both = await client.post(
        "/v1/admin/clock:advance",
        json={"days": 1, "to": "2030-01-01T00:00:00+00:00"},
        headers=auth(),
    )
    assert both.status_code == 422
    too_far = await client.post("/v1/admin/clock:advance", json={"days": 401}, headers=auth())
    assert too_far.status_code == 422 and too_far.json()["errors"][0]["field"] == "days"

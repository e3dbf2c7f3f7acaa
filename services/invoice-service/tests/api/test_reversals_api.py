"""Reversals undo only the payment they provably name: an anonymous return entry (no account,
no reference, no end-to-end id) after two debtors paid the same amount changes no payment and
raises one unmatched-reversal item, which a person then resolves."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from eventkit.db import outbox
from eventkit.envelope import stream_id
from eventkit.localbroker import LocalBroker
from eventkit.runtime import Runtime
from eventkit.testing.databases import BACKENDS, fresh_database
from eventkit.testing.service import auth
from eventkit.testing.waiting import eventually

from ..conformance.statements.build_fixtures import Tx, camt
from ..support.http_service import served_over_http

ACCOUNT = "BE68539007547034"
XML = {"Content-Type": "application/xml"}


@pytest.fixture(scope="module", params=BACKENDS)
async def service(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    kafka_broker: LocalBroker,
) -> AsyncIterator[tuple[Runtime, httpx.AsyncClient]]:
    async with (
        fresh_database(str(request.param), tmp_path_factory.mktemp("reversals")) as url,
        served_over_http(url, kafka_broker.bootstrap_servers) as pair,
    ):
        yield pair


async def _ledger(client: httpx.AsyncClient) -> None:
    for ref, iban, number, ogm in (
        ("D-ALPHA", "BE71096123456769", "RV-A-1", "+++260/1200/00183+++"),
        ("D-BETA", "BE43068999999501", "RV-B-1", "+++260/1200/00284+++"),
    ):
        r = await client.put(
            f"/v1/debtors/{ref}",
            json={
                "legal_name": ref,
                "kind": "B2B",
                "country": "BE",
                "language": "nl",
                "iban": [iban],
            },
            headers=auth(),
        )
        assert r.status_code in (200, 201), r.text
        r = await client.post(
            "/v1/invoices",
            json={
                "invoice_number": number,
                "debtor_ref": ref,
                "issue_date": "2026-01-05",
                "due_date": "2026-02-04",
                "currency": "EUR",
                "payment_reference": ogm,
                "lines": [
                    {"description": "x", "quantity": "1", "unit_price": "250.00", "vat_rate": "0"}
                ],
                "amount_due": "250.00",
            },
            headers=auth(),
        )
        assert r.status_code == 201, r.text


async def _statement(client: httpx.AsyncClient, txs: list[Tx], name: str) -> dict[str, Any]:
    body = camt("08", ACCOUNT, "2026-01-20", txs, name)
    r = await client.post("/v1/bank-statements", content=body.encode(), headers={**auth(), **XML})
    assert r.status_code == 200, r.text
    return dict(r.json())


async def _payments(client: httpx.AsyncClient) -> dict[str, tuple[str, str]]:
    listed = (await client.get("/v1/payments?limit=1000", headers=auth())).json()
    return {p["payment_id"]: (p["status"], p["unallocated"]) for p in listed}


async def test_anonymous_return_changes_no_payment_and_raises_one_item(
    service: tuple[Runtime, httpx.AsyncClient],
) -> None:
    rt, client = service
    await _ledger(client)
    paid = await _statement(
        client,
        [
            Tx(
                Decimal("250.00"),
                ogm="260120000183",
                iban="BE71096123456769",
                name="Alpha",
                end_to_end="E2E-ALPHA",
                bank_reference="RV-0001",
            ),
            Tx(
                Decimal("250.00"),
                ogm="260120000284",
                iban="BE43068999999501",
                name="Beta",
                end_to_end="E2E-BETA",
                bank_reference="RV-0002",
            ),
        ],
        "RV-STATEMENT-1",
    )
    assert [t["outcome"] for t in paid["transactions"]] == ["matched", "matched"]
    before = await _payments(client)

    returned = await _statement(
        client,
        [
            Tx(
                Decimal("250.00"),
                credit=False,
                reversal=True,
                reason="AC06",
                bank_reference="RV-0003",
            ),
        ],
        "RV-STATEMENT-2",
    )
    (outcome,) = returned["transactions"]
    assert outcome["outcome"] == "unmatched_reversal", outcome
    assert await _payments(client) == before  # no payment changed
    for number in ("RV-A-1", "RV-B-1"):
        invoice = (await client.get(f"/v1/invoices/{number}", headers=auth())).json()
        assert invoice["status"] == "paid", invoice
    queue = (await client.get("/v1/unmatched-reversals", headers=auth())).json()
    assert len(queue) == 1
    item = queue[0]
    assert item["reversal_id"] == outcome["reversal_id"]
    assert (item["amount"], item["return_reason"], item["status"]) == ("250.00", "AC06", "open")
    assert "no end-to-end" in item["reason"]

    # the item is evented: ReversalUnmatched on the reversal's stream, published by the relay
    async def published() -> bool:
        async with rt.db.reading() as session:
            stored = await rt.store.load(
                session, stream_id("reversal", "acme", item["reversal_id"])
            )
            rows = (
                await session.execute(
                    select(outbox.c.published_at).where(
                        outbox.c.event_id.in_([str(env.event_id) for env in stored])
                    )
                )
            ).all()
        return (
            [e.type for e in stored] == ["invoicing.ReversalUnmatched"]
            and len(rows) == 1
            and all(r.published_at is not None for r in rows)
        )

    await eventually(published, within=20, what="ReversalUnmatched published")

    # importing the same return again changes nothing and raises nothing new
    again = await _statement(
        client,
        [
            Tx(
                Decimal("250.00"),
                credit=False,
                reversal=True,
                reason="AC06",
                bank_reference="RV-0003",
            ),
        ],
        "RV-STATEMENT-2",
    )
    assert again["transactions"][0]["outcome"] == "duplicate"
    assert len((await client.get("/v1/unmatched-reversals", headers=auth())).json()) == 1

    # a person names the payment: it is reversed, its invoice reopened, the item resolved
    alpha = next(
        t["payment_id"]
        for t in paid["transactions"]
        if t["allocations"][0]["invoice_number"] == "RV-A-1"
    )
    bad = await client.post(
        f"/v1/unmatched-reversals/{item['reversal_id']}:resolve", json={}, headers=auth()
    )
    assert bad.status_code == 422
    r = await client.post(
        f"/v1/unmatched-reversals/{item['reversal_id']}:resolve",
        json={"payment_id": alpha, "note": "Alpha's bank confirmed the return"},
        headers=auth(),
    )
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["resolved_payment_id"]) == ("resolved", alpha)
    assert (await client.get(f"/v1/payments/{alpha}", headers=auth())).json()["status"] == (
        "reversed"
    )
    assert (await client.get("/v1/invoices/RV-A-1", headers=auth())).json()["status"] == "open"
    assert (await client.get("/v1/invoices/RV-B-1", headers=auth())).json()["status"] == "paid"
    twice = await client.post(
        f"/v1/unmatched-reversals/{item['reversal_id']}:resolve",
        json={"dismiss": True},
        headers=auth(),
    )
    assert twice.status_code == 409
    assert (await client.get("/v1/unmatched-reversals", headers=auth())).json() == []


async def test_reversal_naming_the_end_to_end_id_reverses_that_payment_only(
    service: tuple[Runtime, httpx.AsyncClient],
) -> None:
    _rt, client = service
    result = await _statement(
        client,
        [
            Tx(
                Decimal("250.00"),
                credit=False,
                reversal=True,
                reason="MD06",
                end_to_end="E2E-BETA",
                bank_reference="RV-0004",
            ),
        ],
        "RV-STATEMENT-3",
    )
    (outcome,) = result["transactions"]
    assert (outcome["outcome"], outcome["identified_by"]) == ("reversed", "end_to_end_id")
    assert (await client.get("/v1/invoices/RV-B-1", headers=auth())).json()["status"] == "open"

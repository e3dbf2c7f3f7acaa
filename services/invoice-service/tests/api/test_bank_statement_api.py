"""camt.053 import: a statement with structured, free-text and unreferenced credits, a batch
entry, a reversal and a debit is matched as specified; importing it twice changes nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from eventkit.localbroker import LocalBroker
from eventkit.runtime import Runtime
from eventkit.settings import DEV_API_KEY
from eventkit.testing.databases import BACKENDS, fresh_database
from eventkit.testing.service import OTHER_TENANT_KEY, auth, running_service
from invoice_service.bootstrap import definition
from invoice_service.settings import Settings

CAMT = Path(__file__).parents[1] / "fixtures" / "camt"
Service = tuple[Runtime, httpx.AsyncClient]


@pytest.fixture(scope="module", params=BACKENDS)
async def service(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    kafka_broker: LocalBroker,
) -> AsyncIterator[Service]:
    async with (
        fresh_database(str(request.param), tmp_path_factory.mktemp("camt")) as url,
        running_service(
            definition(),
            Settings,
            database_url=url,
            bootstrap_servers=kafka_broker.bootstrap_servers,
        ) as pair,
    ):
        yield pair


async def setup_ledger(client: httpx.AsyncClient, key: str) -> None:
    """Debtors and invoices the statement's credits refer to."""
    h = auth(key)
    debtors = {
        "D-OGM": [],
        "D-TEXT": [],
        "D-ACCOUNT": ["BE02363098765440"],
        "D-BATCH": [],
        "D-REVERSED": ["BE30143090123411"],
    }
    for ref, ibans in debtors.items():
        r = await client.put(
            f"/v1/debtors/{ref}",
            json={
                "legal_name": ref,
                "kind": "B2B",
                "country": "BE",
                "language": "nl",
                "iban": ibans,
            },
            headers=h,
        )
        assert r.status_code == 201, r.text
    invoices = [
        ("INV-2025-0031", "D-OGM", "1250.00", "+++025/0310/04287+++"),
        ("INV-2025-0043", "D-TEXT", "845.20", None),
        ("INV-2025-0050", "D-ACCOUNT", "312.40", None),
        ("INV-2025-0051", "D-ACCOUNT", "99.99", None),
        ("INV-2025-0052", "D-BATCH", "100.00", "+++025/0310/05196+++"),
        ("INV-2025-0053", "D-BATCH", "300.00", "RF1325310048"),
        ("INV-2025-0057", "D-BATCH", "75.25", None),
        ("INV-2025-0020", "D-REVERSED", "480.00", "+++025/0220/01980+++"),
    ]
    for number, debtor, amount, reference in invoices:
        body: dict[str, Any] = {
            "invoice_number": number,
            "debtor_ref": debtor,
            "issue_date": "2025-02-01",
            "due_date": "2025-03-03",
            "currency": "EUR",
            "lines": [{"description": "x", "quantity": "1", "unit_price": amount, "vat_rate": "0"}],
            "amount_due": amount,
        }
        if reference:
            body["payment_reference"] = reference
        r = await client.post("/v1/invoices", json=body, headers=h)
        assert r.status_code == 201, r.text
    # the credit that entry 5 reverses was booked on an earlier statement
    r = await client.post(
        "/v1/payments",
        json={
            "amount": "480.00",
            "currency": "EUR",
            "booking_date": "2025-03-10",
            "reference": "025022001980",
            "counterparty_iban": "BE30143090123411",
        },
        headers=h,
    )
    assert r.json()["status"] == "allocated"


async def open_amount(client: httpx.AsyncClient, key: str, number: str) -> str:
    r = await client.get(f"/v1/invoices/{number}", headers=auth(key))
    return str(r.json()["open_amount"])


@pytest.mark.parametrize(
    ("fixture", "key"),
    [("statement-v02.xml", DEV_API_KEY), ("statement-v08.xml", OTHER_TENANT_KEY)],
)
async def test_statement_is_matched_as_specified_and_idempotent(
    service: Service, fixture: str, key: str
) -> None:
    _rt, client = service
    await setup_ledger(client, key)
    xml = (CAMT / fixture).read_bytes()
    headers = {**auth(key), "Content-Type": "application/xml"}
    r = await client.post("/v1/bank-statements", content=xml, headers=headers)
    assert r.status_code == 200, r.text
    result = r.json()
    by_amount = {t.get("payment_id"): t for t in result["transactions"]}
    outcomes = [(t["outcome"], t.get("match_method")) for t in result["transactions"]]
    assert outcomes == [
        ("matched", "structured_reference"),  # 1: OGM in Strd
        ("matched", "free_text"),  # 2: invoice number in Ustrd
        ("matched", "iban_amount"),  # 3: no reference, known account + exact amount
        ("matched", "structured_reference"),  # 4a: batch, OGM
        ("matched", "structured_reference"),  # 4b: batch, RF
        ("matched", "free_text"),  # 4c: batch, invoice number and OGM in free text
        ("reversed", None),  # 5: reversal of the 2025-03-10 credit
        ("ignored", None),  # 6: outgoing payment
    ], outcomes
    assert by_amount  # every transaction has a result
    expected_open = {
        "INV-2025-0031": "0.00",
        "INV-2025-0043": "0.00",
        "INV-2025-0050": "0.00",
        "INV-2025-0051": "99.99",
        "INV-2025-0052": "0.00",
        "INV-2025-0053": "49.50",  # 250.50 paid of 300.00
        "INV-2025-0057": "0.00",
        "INV-2025-0020": "480.00",  # its payment was reversed
    }
    for number, amount in expected_open.items():
        assert await open_amount(client, key, number) == amount, number
    # importing the same statement again changes nothing
    again = (await client.post("/v1/bank-statements", content=xml, headers=headers)).json()
    assert {t["outcome"] for t in again["transactions"]} == {"duplicate", "ignored"}
    for number, amount in expected_open.items():
        assert await open_amount(client, key, number) == amount, number
    payments = (await client.get("/v1/payments?limit=1000", headers=auth(key))).json()
    assert len(payments) == 7  # six credits + the earlier one, nothing twice


async def test_invalid_statement_is_refused(service: Service) -> None:
    _rt, client = service
    r = await client.post(
        "/v1/bank-statements",
        content=b"<Document><BkToCstmrStmt/></Document>",
        headers={**auth(), "Content-Type": "application/xml"},
    )
    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"

"""The case API refuses bad input with problem details naming the field and the reason, keeps
tenants apart and checks scopes (ops for holds and the worklist, agency for the agency side)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from eventkit.testing.databases import fresh_database
from eventkit.testing.service import OTHER_TENANT_KEY, auth

from .case_support import DirectDunning, Ledger, direct_dunning

START = date(2026, 1, 5)
DUE = date(2026, 2, 4)
OPS = auth("acme-ops-key")


@pytest.fixture
async def dunning(backend: str, tmp_path: Path) -> AsyncIterator[DirectDunning]:
    async with fresh_database(backend, tmp_path) as url, direct_dunning(url, START) as service:
        yield service


@pytest.fixture
async def debtor(dunning: DirectDunning) -> tuple[str, str, str]:
    ledger = Ledger(clock=dunning.clock)
    ref, env = ledger.debtor("D", kind="B2B", country="BE")
    first, first_env = ledger.issue("I1", ref, "300.00", issued=START, due=DUE)
    second, second_env = ledger.issue("I2", ref, "200.00", issued=START, due=DUE)
    await dunning.feed([env, first_env, second_env])
    return ref, first, second


def fields(response: Any) -> dict[str, str]:
    assert response.headers["content-type"] == "application/problem+json", response.text
    return {e["field"]: e["reason"] for e in response.json().get("errors", [])}


async def test_bad_input_names_the_field_and_the_reason(
    dunning: DirectDunning, debtor: tuple[str, str, str]
) -> None:
    ref, first, second = debtor
    client = dunning.client
    response = await client.post(
        "/v1/disputes", json={"invoice_number": first, "reason": "too_expensive"}, headers=OPS
    )
    assert response.status_code == 422 and "reason" in fields(response)
    response = await client.post(
        "/v1/disputes", json={"invoice_number": "nope", "reason": "damaged"}, headers=OPS
    )
    assert response.status_code == 404
    promise = {
        "debtor_ref": ref,
        "invoice_numbers": [first],
        "amount": "300.01",
        "currency": "EUR",
        "promised_date": "2026-02-01",
    }
    response = await client.post("/v1/promises", json=promise, headers=OPS)
    assert response.status_code == 422 and "more than" in fields(response)["amount"]
    response = await client.post("/v1/promises", json={**promise, "amount": "1.234"}, headers=OPS)
    assert response.status_code == 422 and "amount" in fields(response)
    response = await client.post(
        "/v1/promises",
        json={**promise, "amount": "10.00", "promised_date": "2026-01-01"},
        headers=OPS,
    )
    assert response.status_code == 422 and "before today" in fields(response)["promised_date"]
    response = await client.post(
        "/v1/promises",
        json={**promise, "amount": "10.00", "invoice_numbers": ["zz"]},
        headers=OPS,
    )
    assert response.status_code == 422 and "invoice_numbers[0]" in fields(response)
    plan = {
        "debtor_ref": ref,
        "currency": "EUR",
        "instalments": [
            {"due_date": "2026-03-01", "amount": "250.00"},
            {"due_date": "2026-04-01", "amount": "200.00"},
        ],
    }
    response = await client.post("/v1/payment-plans", json=plan, headers=OPS)
    assert response.status_code == 422
    assert "500.00" in fields(response)["instalments"]  # the invoices add up to 500.00
    response = await client.post(
        "/v1/holds", json={"debtor_ref": ref, "until": "2025-12-31", "reason": "x"}, headers=OPS
    )
    assert response.status_code == 422 and "until" in fields(response)
    response = await client.post(
        f"/v1/debtors/{ref}/notes", json={"text": "", "outcome": "reached"}, headers=OPS
    )
    assert response.status_code == 422 and "text" in fields(response)
    # One promise or plan at a time per invoice.
    ok = await client.post("/v1/promises", json={**promise, "amount": "100.00"}, headers=OPS)
    assert ok.status_code == 201
    again = await client.post("/v1/promises", json={**promise, "amount": "100.00"}, headers=OPS)
    assert again.status_code == 409
    assert second  # untouched


async def test_scopes_and_tenants(dunning: DirectDunning, debtor: tuple[str, str, str]) -> None:
    ref, first, _second = debtor
    client = dunning.client
    body = {"invoice_number": first, "reason": "damaged"}
    assert (
        await client.post("/v1/disputes", json=body, headers=auth("acme-erp-key"))
    ).status_code == 403
    assert (
        await client.post("/v1/disputes", json=body, headers=auth("acme-agency-key"))
    ).status_code == 403
    assert (await client.get("/v1/worklist", headers=auth("acme-erp-key"))).status_code == 403
    # Another tenant does not know the invoice, the dispute or the debtor.
    other = auth(OTHER_TENANT_KEY)
    assert (await client.post("/v1/disputes", json=body, headers=other)).status_code == 404
    dispute = (await client.post("/v1/disputes", json=body, headers=OPS)).json()
    assert (
        await client.get(f"/v1/disputes/{dispute['dispute_id']}", headers=other)
    ).status_code == 404
    note = {"text": "called", "outcome": "no_answer"}
    assert (
        await client.post(f"/v1/debtors/{ref}/notes", json=note, headers=other)
    ).status_code == 404
    assert (
        await client.post(f"/v1/debtors/{ref}/notes", json=note, headers=OPS)
    ).status_code == 201
    # A dispute is opened once; resolving twice is a conflict.
    assert (await client.post("/v1/disputes", json=body, headers=OPS)).status_code == 409
    path = f"/v1/disputes/{dispute['dispute_id']}/resolution"
    assert (await client.post(path, json={"outcome": "withdrawn"}, headers=OPS)).status_code == 200
    assert (await client.post(path, json={"outcome": "rejected"}, headers=OPS)).status_code == 409
    # The agency only sees a case handed over to it.
    agency = auth("acme-agency-key")
    assert (await client.get(f"/v1/agency/cases/{ref}", headers=agency)).status_code == 409
    response = await client.post(
        f"/v1/agency/cases/{ref}/status", json={"status": "received"}, headers=agency
    )
    assert response.status_code == 409
    assert (await client.get(f"/v1/agency/cases/{ref}", headers=OPS)).status_code == 403


async def test_the_agency_receives_the_file_and_reports_back(
    dunning: DirectDunning, debtor: tuple[str, str, str]
) -> None:
    ref, first, second = debtor
    client = dunning.client
    day = START
    while day <= DUE + timedelta(days=60):
        await dunning.day(day)
        for task in (await client.get("/v1/worklist", headers=OPS)).json():
            if task["kind"] == "formal_notice_approval":
                approved = await client.post(f"/v1/worklist/{task['task_id']}/approve", headers=OPS)
                assert approved.json()["sent"]
            elif task["kind"] == "phone_call":
                note = {"text": "no answer", "outcome": "no_answer", "task_id": task["task_id"]}
                await client.post(f"/v1/debtors/{ref}/notes", json=note, headers=OPS)
        day += timedelta(days=1)
    [handover] = await dunning.published("dunning.DebtorEscalatedToCollection")
    file = handover.payload
    assert file["escalated_on"] == "2026-03-26" and file["agency"] == "default-agency"
    assert [i["invoice_number"] for i in file["items"]] == sorted([first, second])
    assert file["totals"][0]["fees"] == "80.00"  # EUR 40 per late invoice
    kinds = [(h["kind"], h["on"]) for h in file["history"]]
    assert kinds == [
        ("reminder", "2026-01-30"),
        ("reminder", "2026-02-09"),  # due Saturday 02-07: sent on Monday
        ("reminder", "2026-02-23"),  # due Saturday 02-21
        ("reminder", "2026-03-02"),  # due Saturday 02-28
        ("note", "2026-03-02"),
        ("reminder", "2026-03-11"),
    ]
    assert "by letter" in file["history"][-1]["summary"]
    agency = auth("acme-agency-key")
    seen = (await client.get(f"/v1/agency/cases/{ref}", headers=agency)).json()
    assert seen["status"] == "with_agency" and all(i["level"] == 6 for i in seen["items"])
    payments = f"/v1/agency/cases/{ref}/payments"
    payment = {"amount": "150.00", "currency": "EUR", "received_on": "2026-04-02"}
    keyed = {**agency, "Idempotency-Key": "payment:IN-2026-5531"}
    response = await client.post(payments, json=payment, headers=keyed)
    assert response.status_code == 201
    # The agency retries after a timeout, twice at once: the first report answers both.
    again = await asyncio.gather(
        *(client.post(payments, json={**payment, "amount": "150.0"}, headers=keyed) for _ in "ab")
    )
    assert [r.status_code for r in again] == [200, 200]
    assert all(r.json() == response.json() for r in again)
    reused = await client.post(payments, json={**payment, "amount": "15.00"}, headers=keyed)
    assert reused.status_code == 422
    assert reused.json()["errors"] == [
        {"field": "Idempotency-Key", "reason": "already used for another request", "in": "header"}
    ]
    [update] = await dunning.published("dunning.AgencyCaseUpdated")
    assert update.payload["status"] == "payment_collected"
    assert update.payload["note"] == "collected EUR 150.00 on 2026-04-02"
    status = {"status": "closed_paid", "note": "paid in full"}
    statuses = [
        await client.post(
            f"/v1/agency/cases/{ref}/status", json=status, headers={**agency, "Idempotency-Key": k}
        )
        for k in ("s1", "s1", "s2")
    ]
    assert [r.status_code for r in statuses] == [201, 200, 201]
    case = (await client.get(f"/v1/agency/cases/{ref}", headers=agency)).json()
    assert [(u["status"], u["amount"]) for u in case["agency_updates"]] == [
        ("payment_collected", "150.00"),
        ("closed_paid", None),
        ("closed_paid", None),
    ]
    assert len(await dunning.published("dunning.AgencyCaseUpdated")) == 3
    # Nothing more is sent after the hand-over.
    await dunning.day(DUE + timedelta(days=90))
    assert len(await dunning.published("dunning.ReminderDue")) == 5

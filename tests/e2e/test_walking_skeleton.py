"""Invoices posted to invoice-service reach the projections of the other three services, and
simulated time makes PaymentOverdue appear in dunning's open items — across processes."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from typing import Any

import httpx

from devstack.clock import advance_clock
from devstack.stack import Stack
from eventkit.settings import DEV_API_KEY
from eventkit.testing.waiting import eventually

AUTH = {"Authorization": f"Bearer {DEV_API_KEY}"}
DEBTORS = 20
INVOICES_PER_DEBTOR = 10
POST_RATE = 40.0  # invoices per second


def debtor_body(name: str) -> dict[str, Any]:
    return {
        "legal_name": name,
        "kind": "B2B",
        "country": "BE",
        "language": "nl",
        "email": "ap@example.test",
        "payment_terms_days": 30,
    }


def invoice_body(number: str, debtor: str, due: str = "2026-02-04") -> dict[str, Any]:
    return {
        "invoice_number": number,
        "debtor_ref": debtor,
        "issue_date": "2026-01-05",
        "due_date": due,
        "currency": "EUR",
        "lines": [
            {"description": "Consulting", "quantity": "2", "unit_price": "50.00", "vat_rate": "21"}
        ],
        "amount_due": "121.00",
    }


async def _seen(client: httpx.AsyncClient, stack: Stack, debtor: str) -> dict[str, set[str]]:
    dun, cre, notif = await asyncio.gather(
        client.get(f"{stack.url('dunning-service')}/v1/debtors/{debtor}/open-items", headers=AUTH),
        client.get(f"{stack.url('credit-service')}/v1/debtors/{debtor}/exposure", headers=AUTH),
        client.get(
            f"{stack.url('notification-service')}/v1/debtors/{debtor}/dossier", headers=AUTH
        ),
    )
    seen: dict[str, set[str]] = {"dunning": set(), "credit": set(), "notification": set()}
    if dun.status_code == 200:
        seen["dunning"] = {i["invoice_number"] for i in dun.json()["items"]}
    if cre.status_code == 200:
        exposure = cre.json()["exposure"]
        count = sum(int(e["open_items"]) for e in exposure)
        seen["credit"] = {f"#{n}" for n in range(count)}
    if notif.status_code == 200:
        seen["notification"] = {
            e["aggregate_id"]
            for e in notif.json()["entries"]
            if e["type"] == "invoicing.InvoiceIssued"
        }
    return seen


async def _latencies(stack: Stack, n_debtors: int, per_debtor: int) -> list[float]:
    """Post invoices and time each until all three other services show it."""
    run = uuid.uuid4().hex[:6]
    debtors = [f"E2E-{run}-{d:02d}" for d in range(n_debtors)]
    posted_at: dict[tuple[str, str], float] = {}
    arrived: dict[tuple[str, str], float] = {}
    inv = stack.url("invoice-service")
    async with httpx.AsyncClient(timeout=10) as client:
        for debtor in debtors:
            r = await client.put(
                f"{inv}/v1/debtors/{debtor}", json=debtor_body(debtor), headers=AUTH
            )
            assert r.status_code == 201, r.text
        done = asyncio.Event()

        async def watch() -> None:
            while not done.is_set():
                waiting = sorted({d for (d, n) in posted_at if (d, n) not in arrived})
                views = await asyncio.gather(*(_seen(client, stack, d) for d in waiting))
                now = time.monotonic()
                for debtor, seen in zip(waiting, views, strict=True):
                    for (d, number), _t in list(posted_at.items()):
                        if d != debtor or (d, number) in arrived:
                            continue
                        index = int(number.rsplit("-", 1)[1])
                        if (
                            number in seen["dunning"]
                            and number in seen["notification"]
                            and len(seen["credit"]) > index
                        ):
                            arrived[(d, number)] = now
                if len(arrived) == n_debtors * per_debtor:
                    done.set()
                await asyncio.sleep(0.05)

        watcher = asyncio.create_task(watch())
        began = time.monotonic()
        sent = 0
        for i in range(per_debtor):
            for debtor in debtors:
                # a steady ERP feed of POST_RATE invoices/s, not an unbounded burst
                await asyncio.sleep(max(0.0, began + sent / POST_RATE - time.monotonic()))
                sent += 1
                number = f"{debtor}-{i}"
                r = await client.post(
                    f"{inv}/v1/invoices", json=invoice_body(number, debtor), headers=AUTH
                )
                assert r.status_code == 201, r.text
                posted_at[(debtor, number)] = time.monotonic()
        try:
            await asyncio.wait_for(done.wait(), timeout=240)
        finally:
            done.set()
            await watcher
    return sorted(arrived[k] - posted_at[k] for k in posted_at)


async def test_invoices_reach_every_projection(stack: Stack) -> None:
    """Every invoice fed at a steady rate reaches dunning, credit and notification.

    Arrival and correctness only: how fast is a figure for ``bench/`` (a timing assertion here
    would fail whenever the machine is busy)."""
    latencies = await _latencies(stack, DEBTORS, INVOICES_PER_DEBTOR)
    assert len(latencies) == DEBTORS * INVOICES_PER_DEBTOR


async def test_simulated_time_makes_invoices_overdue_in_dunning(stack: Stack) -> None:
    debtor = f"E2E-OD-{uuid.uuid4().hex[:6]}"
    inv = stack.url("invoice-service")
    dun = stack.url("dunning-service")
    async with httpx.AsyncClient(timeout=10) as client:
        await client.put(f"{inv}/v1/debtors/{debtor}", json=debtor_body(debtor), headers=AUTH)
        for number, due in ((f"{debtor}-A", "2026-01-20"), (f"{debtor}-B", "2026-03-31")):
            r = await client.post(
                f"{inv}/v1/invoices", json=invoice_body(number, debtor, due), headers=AUTH
            )
            assert r.status_code == 201, r.text

        async def open_items() -> dict[str, Any]:
            r = await client.get(f"{dun}/v1/debtors/{debtor}/open-items", headers=AUTH)
            return r.json() if r.status_code == 200 else {"items": []}

        items = await eventually(open_items, until=lambda b: len(b["items"]) == 2)
        assert not any(i["overdue"] for i in items["items"])

        start = stack.options.simulated_start
        assert start is not None
        await advance_clock(stack.broker.bootstrap_servers, start + timedelta(days=17))

        def a_overdue(body: dict[str, Any]) -> bool:
            # dunning's own clock follows the same tick through its own consumer group
            return body.get("as_of") == "2026-01-22" and any(i["overdue"] for i in body["items"])

        body = await eventually(open_items, until=a_overdue, within=20, what="overdue item")
        by_number = {i["invoice_number"]: i for i in body["items"]}
        assert by_number[f"{debtor}-A"]["overdue_since"] == "2026-01-21"
        assert by_number[f"{debtor}-A"]["days_overdue"] >= 1
        assert by_number[f"{debtor}-B"]["overdue"] is False
        detail = (await client.get(f"{inv}/v1/invoices/{debtor}-A", headers=AUTH)).json()
        assert [h["type"] for h in detail["history"]] == [
            "invoicing.InvoiceIssued",
            "invoicing.PaymentOverdue",
        ]


async def test_rebuilt_projection_equals_the_live_one(stack: Stack) -> None:
    """Stop dunning-service, empty its open-items projection with the rebuild command, start it
    again: it replays the invoicing topics and answers exactly as before."""
    debtor = f"E2E-RB-{uuid.uuid4().hex[:6]}"
    inv = stack.url("invoice-service")
    dun = stack.url("dunning-service")
    async with httpx.AsyncClient(timeout=10) as client:
        await client.put(f"{inv}/v1/debtors/{debtor}", json=debtor_body(debtor), headers=AUTH)
        for n in range(3):
            r = await client.post(
                f"{inv}/v1/invoices", json=invoice_body(f"{debtor}-{n}", debtor), headers=AUTH
            )
            assert r.status_code == 201

        async def open_items() -> dict[str, Any]:
            r = await client.get(f"{dun}/v1/debtors/{debtor}/open-items", headers=AUTH)
            return r.json() if r.status_code == 200 else {"items": []}

        before = await eventually(
            open_items, until=lambda b: len(b["items"]) == 3 and b["debtor"] is not None
        )
        spec = stack.services["dunning-service"].spec
        stack.stop_service(spec.name)
        rebuild = await asyncio.to_thread(
            subprocess.run,
            [
                sys.executable,
                "-m",
                f"{spec.package}.entrypoints.main",
                "--rebuild",
                "dunning-service.open-items",
            ],
            env=stack.env_for(spec),
            capture_output=True,
            timeout=60,
            check=False,
        )
        assert rebuild.returncode == 0, rebuild.stderr.decode()
        stack.start_service(spec)
        stack.wait_ready(60, names=[spec.name])
        after = await eventually(open_items, until=lambda b: b == before, within=30)
        assert after == before


async def test_a_payment_lifts_the_item_everywhere(stack: Stack) -> None:
    """Paid in invoice-service → gone from dunning's open items and credit's exposure, and
    recorded in the dossier — across processes, through the broker only."""
    debtor = f"E2E-PAY-{uuid.uuid4().hex[:6]}"
    inv = stack.url("invoice-service")
    async with httpx.AsyncClient(timeout=10) as client:
        await client.put(f"{inv}/v1/debtors/{debtor}", json=debtor_body(debtor), headers=AUTH)
        paid = (
            await client.post(
                f"{inv}/v1/invoices", json=invoice_body(f"{debtor}-P", debtor), headers=AUTH
            )
        ).json()
        await client.post(
            f"{inv}/v1/invoices", json=invoice_body(f"{debtor}-O", debtor), headers=AUTH
        )
        r = await client.post(
            f"{inv}/v1/payments",
            json={
                "amount": "121.00",
                "currency": "EUR",
                "booking_date": "2026-01-10",
                "reference": paid["payment_reference"],
            },
            headers=AUTH,
        )
        assert r.json()["status"] == "allocated", r.text

        async def views() -> tuple[set[str], str, set[str]]:
            seen = await _seen(client, stack, debtor)
            exposure = await client.get(
                f"{stack.url('credit-service')}/v1/debtors/{debtor}/exposure", headers=AUTH
            )
            dossier = await client.get(
                f"{stack.url('notification-service')}/v1/debtors/{debtor}/dossier", headers=AUTH
            )
            lines = exposure.json().get("exposure", []) if exposure.status_code == 200 else []
            types = (
                {e["type"] for e in dossier.json()["entries"]}
                if dossier.status_code == 200
                else set()
            )
            return seen["dunning"], lines[0]["open_amount"] if lines else "", types

        _dunning, _exposure, types = await eventually(
            views,
            until=lambda v: (
                v[0] == {f"{debtor}-O"} and v[1] == "121.00" and "invoicing.InvoicePaid" in v[2]
            ),
            within=20,
            what="payment reflected in every service",
        )
        assert "invoicing.PaymentAllocated" in types

"""The example agency client (Node.js, kafkajs; deploy/examples/agency-client) against the real
stack: the four services as processes and the embedded broker.

A tenant policy hands an overdue invoice to the agency ``incasso-noord`` three days after its due
date. The client, in its own consumer group on ``dunning.case.events``, receives
``DebtorEscalatedToCollection``, fetches the case file over the agency API with an agency-only
key and confirms receipt; then it reports the money it collected and closes the file. Everything
shows in dunning-service (the case's agency updates, ``AgencyCaseUpdated`` on the topic), exactly
once although the hand-over is delivered twice (a second consumer group replays it) and one
payment report is sent twice.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from contracts.topics import DUNNING_CASE, EVENT_TOPICS
from devstack.clock import advance_clock
from devstack.conformance import read_topics
from devstack.stack import Stack
from eventkit.settings import DEV_API_KEY
from eventkit.testing.waiting import eventually

from .conftest import AGENCY_KEY, ERP_KEY

CLIENT = Path(__file__).resolve().parents[2] / "deploy" / "examples" / "agency-client"
AGENCY = "incasso-noord"
AUTH = {"Authorization": f"Bearer {DEV_API_KEY}"}
CLIENT_SECONDS = 120.0


async def run_client(stack: Stack, *args: str) -> tuple[int, list[dict[str, Any]], str]:
    """Run the client's CLI to completion (at most CLIENT_SECONDS): exit status, the JSON lines
    it printed, its stderr."""
    node = shutil.which("node")
    if node is None or not (CLIENT / "node_modules" / "kafkajs").is_dir():
        pytest.fail("the agency client is not installed: run `make node-install`")
    process = await asyncio.create_subprocess_exec(
        node,
        "src/cli.mjs",
        *args,
        cwd=CLIENT,
        env={
            "PATH": str(Path(node).parent),
            "KAFKA_BROKERS": stack.broker.bootstrap_servers,
            "DUNNING_API_URL": stack.url("dunning-service"),
            "AGENCY_NAME": AGENCY,
            "TENANT": "acme",
            "CASES_DIR": str(stack.options.data_dir / "agency-cases"),
        },
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        out, err = await asyncio.wait_for(process.communicate(), CLIENT_SECONDS)
    except TimeoutError:
        process.kill()
        out, err = await process.communicate()
        pytest.fail(f"agency client {args[0]} did not finish in {CLIENT_SECONDS} s: {err.decode()}")
    lines = [json.loads(line) for line in out.decode().splitlines() if line.strip()]
    return process.returncode or 0, lines, err.decode()


async def agency_events(stack: Stack, debtor: str) -> list[dict[str, Any]]:
    topic = [t for t in EVENT_TOPICS if t.name == DUNNING_CASE]
    records = await read_topics(stack.broker.bootstrap_servers, topic, idle_seconds=0.5)
    found = []
    for record in records:
        headers = {k: v.decode() for k, v in record.headers}
        if headers["ce_type"] == "dunning.AgencyCaseUpdated":
            payload = json.loads(record.value or b"{}")
            if payload["debtor_ref"] == debtor:
                found.append(payload)
    return found


async def test_the_agency_client_takes_the_file_and_reports_back(stack: Stack) -> None:
    run = uuid.uuid4().hex[:6]
    debtor, invoice = f"AGY-{run}", f"AGY-{run}-1"
    inv, dun = stack.url("invoice-service"), stack.url("dunning-service")
    start = stack.options.simulated_start
    assert start is not None
    due = start.date() + timedelta(days=1)

    async with httpx.AsyncClient(timeout=15) as client:

        async def call(method: str, url: str, body: dict[str, Any]) -> Any:
            response = await client.request(method, url, json=body, headers=AUTH)
            assert response.status_code < 300, f"{url}: {response.text}"
            return response.json()

        await call(
            "PUT",
            f"{dun}/v1/policies/agency-{run}",
            {
                "name": "Straight to the agency",
                "effective_from": "2026-01-01",
                "steps": [
                    {"action": "reminder", "offset_days": 1, "template_key": "first_reminder"},
                    {
                        "action": "agency_handover",
                        "offset_days": 3,
                        "template_key": "handover_notice",
                        "agency": AGENCY,
                    },
                ],
            },
        )
        await call(
            "POST",
            f"{dun}/v1/policy-assignments",
            {"policy_id": f"agency-{run}", "debtor_ref": debtor},
        )
        await call(
            "PUT",
            f"{inv}/v1/debtors/{debtor}",
            {
                "legal_name": f"Brouwerij Peeters {run}",
                "kind": "B2B",
                "country": "BE",
                "language": "nl",
                "email": "ap@peeters.example",
            },
        )
        await call(
            "POST",
            f"{inv}/v1/invoices",
            {
                "invoice_number": invoice,
                "debtor_ref": debtor,
                "issue_date": (due - timedelta(days=30)).isoformat(),
                "due_date": due.isoformat(),
                "currency": "EUR",
                "lines": [
                    {
                        "description": "Hop pellets",
                        "quantity": "10",
                        "unit_price": "100.00",
                        "vat_rate": "21",
                    }
                ],
                "amount_due": "1210.00",
            },
        )

        async def open_items() -> list[str]:
            response = await client.get(f"{dun}/v1/debtors/{debtor}/open-items", headers=AUTH)
            return (
                [i["invoice_number"] for i in response.json()["items"]]
                if response.is_success
                else []
            )

        await eventually(open_items, until=lambda items: invoice in items, within=30)

        # The agency's client is listening before the hand-over happens.
        listener = asyncio.create_task(
            run_client(
                stack,
                "listen",
                "--key",
                AGENCY_KEY,
                "--group",
                f"agency.{AGENCY}.{run}",
                "--session-timeout-ms",
                "6000",
                "--exit-after",
                "1",
            )
        )
        await advance_clock(stack.broker.bootstrap_servers, start + timedelta(days=5, hours=3))
        code, lines, err = await listener
        assert code == 0, err
        received = [line for line in lines if line["action"] == "received"]
        assert len(received) == 1, lines
        handover = received[0]
        assert handover["debtor_ref"] == debtor and handover["items"] == [invoice]
        assert handover["case_status"] == "with_agency"
        assert handover["confirmation"]["status"] == "received"
        total = handover["totals"][0]
        assert total["currency"] == "EUR" and total["principal"] == "1210.00"
        kept = json.loads(await asyncio.to_thread(Path(handover["file"]).read_text))
        assert kept["case_file"]["items"][0]["invoice_number"] == invoice

        # Money collected, reported twice (a retry after a timeout), then the file is closed.
        payment = [
            "report-payment",
            "--key",
            AGENCY_KEY,
            "--debtor",
            debtor,
            "--amount",
            total["total"],
            "--currency",
            "EUR",
            "--received-on",
            (due + timedelta(days=4)).isoformat(),
            "--invoice",
            invoice,
            "--reference",
            f"IN-{run}",
        ]
        first = await run_client(stack, *payment)
        again = await run_client(stack, *payment)
        closed = await run_client(
            stack,
            "report-status",
            "--key",
            AGENCY_KEY,
            "--debtor",
            debtor,
            "--status",
            "closed_paid",
            "--note",
            "paid in full",
        )
        assert [r[0] for r in (first, again, closed)] == [0, 0, 0], [
            r[2] for r in (first, again, closed)
        ]
        assert first[1][0]["replayed"] is False and again[1][0]["replayed"] is True
        assert again[1][0]["update_id"] == first[1][0]["update_id"]

        # Offsets lost (a new consumer group): the hand-over arrives again, receipt is not
        # recorded twice.
        code, lines, err = await run_client(
            stack,
            "listen",
            "--key",
            AGENCY_KEY,
            "--group",
            f"agency.{AGENCY}.{run}.replay",
            "--session-timeout-ms",
            "6000",
            "--exit-after",
            "1",
        )
        assert code == 0, err
        assert [line["replayed"] for line in lines if line["action"] == "received"] == [True]

        # A key without the agency scope does not get the file.
        code, _lines, err = await run_client(stack, "case", "--key", ERP_KEY, "--debtor", debtor)
        assert code == 1 and "403" in err

        case = (await client.get(f"{dun}/v1/cases/{debtor}", headers=AUTH)).json()

    assert case["status"] == "with_agency" and case["agency"] == AGENCY
    assert [(u["status"], u["amount"]) for u in case["agency_updates"]] == [
        ("received", None),
        ("payment_collected", total["total"]),
        ("closed_paid", None),
    ]
    events = await eventually(
        lambda: agency_events(stack, debtor), until=lambda e: len(e) >= 3, within=20
    )
    assert [(e["agency"], e["status"]) for e in events] == [
        (AGENCY, "received"),
        (AGENCY, "payment_collected"),
        (AGENCY, "closed_paid"),
    ]
    assert date.fromisoformat(events[1]["on"]) >= due

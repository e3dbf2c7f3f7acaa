"""Dunning across real processes: the four services and the broker as devstack starts them,
simulated time moved by ``ClockAdvanced`` events, invoices, payments and credit notes posted to
invoice-service, holds posted to dunning-service. About 120 simulated days; the reminders
dunning-service publishes must match the table, and nothing goes out for an item that was
paid, credited, disputed or promised at the time.

The clock only stops on the days something is done by hand; every day in between is swept by
each service in order, so reminders keep their own dates.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime, time
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from devstack.clock import advance_clock
from devstack.stack import SERVICES, Stack, StackOptions
from eventkit.db import event_store
from eventkit.localbroker import free_port
from eventkit.settings import DEV_API_KEY
from eventkit.testing.databases import fresh_postgres_database
from eventkit.testing.waiting import eventually

AUTH = {"Authorization": f"Bearer {DEV_API_KEY}"}
START = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)

# business date, debtor, step, action, items, principal, interest, fees, total, deadline
EXPECTED = [
    ("01-30", "BEB", 1, "pre_due_reminder", "P1+P2", "1500.00", "0.00", "0.00", "1500.00", ""),
    ("01-30", "BEC", 1, "pre_due_reminder", "C1", "300.00", "0.00", "0.00", "300.00", ""),
    ("01-30", "NLB", 1, "pre_due_reminder", "E1", "2000.00", "0.00", "0.00", "2000.00", ""),
    ("01-30", "NLC", 1, "pre_due_reminder", "N1", "500.00", "0.00", "0.00", "500.00", ""),
    # P2 was paid on 02-06: the first reminder is about P1 alone.
    ("02-07", "BEB", 2, "reminder", "P1", "1000.00", "0.86", "40.00", "1040.86", "02-15"),
    ("02-07", "BEC", 2, "reminder", "C1", "300.00", "0.00", "0.00", "300.00", "02-23"),
    ("02-07", "NLB", 2, "reminder", "E1", "2000.00", "1.67", "40.00", "2041.67", "02-15"),
    ("02-07", "NLC", 2, "reminder", "N1", "500.00", "0.16", "0.00", "500.16", "02-23"),
    ("02-21", "BEB", 3, "reminder", "P1", "1000.00", "4.89", "40.00", "1044.89", "02-27"),
    ("02-21", "NLB", 3, "reminder", "E1", "2000.00", "9.45", "40.00", "2049.45", "02-27"),
    # C1 was disputed from 02-10 to 02-20; its second reminder was not due before 02-26.
    ("02-26", "BEC", 3, "reminder", "C1", "300.00", "0.26", "52.50", "352.76", "03-04"),
    ("02-26", "NLC", 3, "reminder", "N1", "500.00", "1.21", "75.00", "576.21", "03-04"),
    ("02-28", "BEB", 4, "phone_call", "P1", "1000.00", "6.90", "40.00", "1046.90", ""),
    # E1 credited on 02-25; N1 promised on 02-27 and paid on 03-04: nothing more for them.
    ("03-05", "BEC", 4, "phone_call", "C1", "300.00", "0.86", "52.50", "353.36", ""),
    ("03-11", "BEB", 5, "formal_notice", "P1", "1000.00", "10.07", "40.00", "1050.07", "03-21"),
    ("03-16", "BEC", 5, "formal_notice", "C1", "300.00", "1.81", "60.00", "361.81", "03-26"),
    ("03-26", "BEB", "agency", "default-agency", "P1", "1000.00", "14.38", "40.00", "1054.38", ""),
    ("03-31", "BEC", "agency", "default-agency", "C1", "300.00", "3.11", "60.00", "363.11", ""),
]
BLOCKED = {
    "P2": ("02-06", "12-31"),
    "C1": ("02-11", "02-20"),
    "E1": ("02-25", "12-31"),
    "N1": ("02-28", "12-31"),
}


def _backends() -> list[str]:
    """``E2E_DATABASE`` as for the repository's end-to-end tests: sqlite (default),
    postgresql or both."""
    choice = os.environ.get("E2E_DATABASE", "sqlite")
    return ["sqlite", "postgresql"] if choice == "both" else [choice]


@contextlib.asynccontextmanager
async def _databases(backend: str) -> AsyncIterator[dict[str, str]]:
    if backend == "sqlite":
        yield {}
        return
    async with contextlib.AsyncExitStack() as exits:
        yield {
            spec.name: await exits.enter_async_context(fresh_postgres_database("dune2e"))
            for spec in SERVICES
        }


@pytest.fixture(scope="module", params=_backends())
def stack(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    loop = asyncio.new_event_loop()
    databases = _databases(str(request.param))
    try:
        urls = loop.run_until_complete(databases.__aenter__())
        options = StackOptions(
            data_dir=tmp_path_factory.mktemp(f"dunning-stack-{request.param}"),
            ports={spec.name: free_port() for spec in SERVICES},
            clock_mode="simulated",
            simulated_start=START,
            database_urls=urls,
        )
        with Stack(options) as running:
            yield running
    finally:
        loop.run_until_complete(databases.__aexit__(None, None, None))
        loop.close()


def noon(day: str) -> datetime:
    return datetime.combine(date.fromisoformat(f"2026-{day}"), time(11, 0), tzinfo=UTC)


async def test_dunning_across_processes(stack: Stack) -> None:
    run = uuid.uuid4().hex[:6]
    inv, dun = stack.url("invoice-service"), stack.url("dunning-service")
    names: dict[str, str] = {}
    debtors: dict[str, str] = {}

    async with httpx.AsyncClient(timeout=15) as client:

        async def call(method: str, url: str, body: dict[str, Any] | None = None) -> Any:
            response = await client.request(method, url, json=body, headers=AUTH)
            assert response.status_code < 300, f"{url}: {response.text}"
            return response.json() if response.content else None

        async def debtor(name: str, kind: str, country: str) -> str:
            ref = f"{name}-{run}"
            debtors[ref] = name
            await call(
                "PUT",
                f"{inv}/v1/debtors/{ref}",
                {
                    "legal_name": f"{name} {run}",
                    "kind": kind,
                    "country": country,
                    "language": "nl",
                    "email": "ap@example.test",
                },
            )
            return ref

        async def invoice(name: str, debtor_ref: str, amount: str) -> str:
            number = f"{name}-{run}"
            names[number] = name
            await call(
                "POST",
                f"{inv}/v1/invoices",
                {
                    "invoice_number": number,
                    "debtor_ref": debtor_ref,
                    "issue_date": "2026-01-05",
                    "due_date": "2026-02-04",
                    "currency": "EUR",
                    "lines": [
                        {
                            "description": "Goods",
                            "quantity": "1",
                            "unit_price": amount,
                            "vat_rate": "0",
                        }
                    ],
                    "amount_due": amount,
                },
            )
            return number

        async def open_amount(debtor_ref: str, number: str) -> str | None:
            response = await client.get(f"{dun}/v1/debtors/{debtor_ref}/open-items", headers=AUTH)
            if response.status_code != 200:
                return None
            found = [i for i in response.json()["items"] if i["invoice_number"] == number]
            return found[0]["open_amount"] if found else "closed"

        async def pay(debtor_ref: str, number: str, amount: str, on: str) -> None:
            await call(
                "POST",
                f"{inv}/v1/payments",
                {
                    "amount": amount,
                    "currency": "EUR",
                    "booking_date": f"2026-{on}",
                    "debtor_ref": debtor_ref,
                    "allocations": [{"invoice_number": number, "amount": amount}],
                },
            )
            await eventually(
                lambda: open_amount(debtor_ref, number),
                until=lambda a: a == "closed",
                within=20,
                what=f"{number} closed in dunning",
            )

        async def move_to(day: str) -> None:
            await advance_clock(stack.broker.bootstrap_servers, noon(day))

            async def business_date() -> str:
                body = await call("GET", f"{dun}/v1/admin/status")
                return str(body["clock"]["business_date"])

            await eventually(
                business_date,
                until=lambda d: d == f"2026-{day}",
                within=30,
                what=f"dunning-service swept {day}",
            )

        async def approve_formal_notices() -> None:
            tasks = await call("GET", f"{dun}/v1/worklist?kind=formal_notice_approval")
            for task in tasks:
                if task["debtor_ref"] in debtors:
                    await call("POST", f"{dun}/v1/worklist/{task['task_id']}/approve")

        beb = await debtor("BEB", "B2B", "BE")
        bec = await debtor("BEC", "B2C", "BE")
        nlb = await debtor("NLB", "B2B", "NL")
        nlc = await debtor("NLC", "B2C", "NL")
        p1 = await invoice("P1", beb, "1000.00")
        p2 = await invoice("P2", beb, "500.00")
        c1 = await invoice("C1", bec, "300.00")
        e1 = await invoice("E1", nlb, "2000.00")
        n1 = await invoice("N1", nlc, "500.00")
        for ref, number in ((beb, p1), (nlc, n1)):
            await eventually(
                lambda ref=ref, number=number: open_amount(ref, number),
                until=lambda a: a not in (None, "closed"),
                within=20,
                what="invoices known to dunning",
            )

        await move_to("02-06")
        await pay(beb, p2, "500.00", "02-06")
        await move_to("02-10")
        dispute = await call(
            "POST", f"{dun}/v1/disputes", {"invoice_number": c1, "reason": "quality"}
        )
        await move_to("02-20")
        await call(
            "POST",
            f"{dun}/v1/disputes/{dispute['dispute_id']}/resolution",
            {"outcome": "rejected"},
        )
        await move_to("02-25")
        await call(
            "POST",
            f"{inv}/v1/credit-notes",
            {
                "credit_note_number": f"CN-{run}",
                "debtor_ref": nlb,
                "issue_date": "2026-02-25",
                "currency": "EUR",
                "amount": "2000.00",
                "invoice_numbers": [e1],
            },
        )
        await eventually(lambda: open_amount(nlb, e1), until=lambda a: a == "closed", within=20)
        await move_to("02-27")
        await call(
            "POST",
            f"{dun}/v1/promises",
            {
                "debtor_ref": nlc,
                "amount": "500.00",
                "currency": "EUR",
                "promised_date": "2026-03-06",
            },
        )
        await move_to("03-04")
        await pay(nlc, n1, "500.00", "03-04")
        for day in ("03-11", "03-16", "05-04"):
            await move_to(day)
            await approve_formal_notices()

    engine = create_async_engine(
        stack.database_url(next(s for s in SERVICES if s.name == "dunning-service")),
        poolclass=NullPool,
    )
    try:
        async with engine.connect() as conn:
            rows = (await conn.execute(select(event_store).order_by(event_store.c.position))).all()
    finally:
        await engine.dispose()
    table = []
    others = []
    for row in rows:
        p = row.payload
        if p.get("debtor_ref") not in debtors:
            continue
        if row.event_type in ("dunning.ReminderDue", "dunning.DebtorEscalatedToCollection"):
            [tot] = p["totals"]
            escalation = row.event_type.endswith("Collection")
            on = (p["escalated_on"] if escalation else p["business_date"])[5:]
            items = [names[i["invoice_number"]] for i in p["items"]]
            for name in items:
                if name in BLOCKED:
                    assert not BLOCKED[name][0] <= on <= BLOCKED[name][1], (name, on)
            table.append(
                (
                    on,
                    debtors[p["debtor_ref"]],
                    "agency" if escalation else p["step"],
                    p["agency"] if escalation else p["action"],
                    "+".join(items),
                    tot["principal"],
                    tot["interest"],
                    tot["fees"],
                    tot["total"],
                    "" if escalation else (p["deadline"] or "")[5:],
                )
            )
        else:
            others.append(row.event_type.split(".")[1])
    assert sorted(table) == sorted(EXPECTED)
    assert others == [
        "DisputeOpened",
        "DunningPaused",
        "DisputeResolved",
        "DunningResumed",
        "PromiseToPayMade",
        "DunningPaused",
        "PromiseToPayKept",
    ]

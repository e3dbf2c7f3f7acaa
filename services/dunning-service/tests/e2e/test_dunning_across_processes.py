"""Dunning across real processes: the four services and the broker as devstack starts them,
simulated time moved by ``ClockAdvanced`` events, invoices, payments and credit notes posted to
invoice-service, disputes, promises and a payment plan posted to dunning-service. About 120
simulated days (01-05 to 05-04) for four debtors (BE B2B, BE B2C, NL B2B, NL B2C): a payment
before the first reminder, a dispute, a kept and a broken promise, a defaulted payment plan, a
partial payment and a late credit note. Every reminder, fee, interest amount and hand-over
dunning-service publishes must match the table, so must its promise, plan and dispute events,
and nothing goes out for an item that was paid, credited, disputed or promised at the time.

The clock only stops on the days something is done by hand (after that day's sweep); every day
in between is swept by each service in order, so reminders keep their own dates.

How the figures come about (shipped default policies; rates 2026: BE 10.50 %, NL commercial
10.15 %, NL consumer 4.00 %; actual/365, interest per item rounded half up, from the day after
the due date on the amount open that day; see services/dunning-service/README.md). A step due
on a Saturday, Sunday or public holiday goes out on the next working day; a term ending on one
moves to the next working day:
* BEB, BE B2B. P1 1000.00 due 02-04: 1000 × 10.5 % / 365 = 0.28767 a day; 02-09 5 days → 1.44,
  02-23 19 → 5.47, 03-02 26 → 7.48, 03-11 35 → 10.07, 03-26 50 → 14.38; EUR 40 per invoice.
  P2 500.00 is paid on 02-06, after the pre-due reminder and before the first claim.
* BEC, BE B2C. C1 300.00: the free first reminder (Monday 02-09, e-mail) has a deadline of 14
  days from the day after, 02-23; interest from 02-24: 300 × 10.5 % / 365 = 0.08630 a day;
  03-02 7 days → 0.60, 03-09 14 → 1.21, 03-16 21 → 1.81, 03-31 36 → 3.11. Damages 30 + 10 % ×
  (300 − 150) = 45.00; no reminder fee beside them (legal/costs.py). Disputed 02-10, rejected
  02-20. D1 120.00 issued 01-20, due 02-19: pre-due Monday 02-16; 60.00 paid 02-20, so every
  claim is on 60.00. Free first reminder Monday 02-23, deadline 03-09; interest from 03-10:
  60 × 10.5 % / 365 = 0.017260 a day; 03-16 7 days → 0.12, 03-23 14 → 0.24, 03-31 22 → 0.38,
  04-15 37 → 0.64. Damages on 60 (≤ 150): 20.00.
* NLB, NL B2B. E1 2000.00 and E2 6000.00 due 02-04 share the first reminder: 02-09 5 days →
  2000 × 10.15 % × 5 / 365 = 2.78 and 6000 × … = 8.34 (11.12), 2 × EUR 40. E2 goes on a payment
  plan 02-10 (3 × 2000.00 on 02-20, 03-20, 04-20, 5 days' grace); E1 alone: 02-23 19 days →
  10.57; credited in full on 02-25. The first instalment is paid 02-19 (E2 open 4000.00), the
  second is not: on 03-26 the plan defaults (2000.00 missing) and E2 goes straight to the
  formal notice: 4000 × 10.15 % × 50 / 365 = 55.62, its term ending after Easter Monday on
  04-07; the hand-over 04-07: 62 days → 68.96.
* NLC, NL B2C. N1 500.00 and N2 250.00 due 02-04 in one 14-day letter 02-09 (deadline
  02-09 + 16 = 02-25): 5 days × 4 % → 0.27 + 0.14. Both promised 02-27 (separate promises,
  until 03-06): N1 is paid 03-04, its promise kept 03-05; N2's is broken 03-07 and its second
  reminder goes out on Monday 03-09 for N2 alone: 250 × 4 % / 365 = 0.027397 a day, 33 days →
  0.90, WIK 15 % × 250 = 37.50 raised to the minimum 40.00; phone call 03-16, formal notice
  03-17 41 days → 1.12; hand-over 03-30 54 days → 1.48.
* Formal notices wait for approval; the test approves them on their day. Hand-overs carry the
  whole file; their last column counts its entries (reminders sent so far, formal notices and
  earlier hand-overs included, disputes, promises, plans).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime, time, timedelta
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

# business date, debtor, step, action (or agency), items, principal, interest, fees, total,
# deadline (hand-overs: the number of case-file entries)
EXPECTED = [
    ("01-30", "BEB", 1, "pre_due_reminder", "P1+P2", "1500.00", "0.00", "0.00", "1500.00", ""),
    ("01-30", "BEC", 1, "pre_due_reminder", "C1", "300.00", "0.00", "0.00", "300.00", ""),
    ("01-30", "NLB", 1, "pre_due_reminder", "E1+E2", "8000.00", "0.00", "0.00", "8000.00", ""),
    ("01-30", "NLC", 1, "pre_due_reminder", "N1+N2", "750.00", "0.00", "0.00", "750.00", ""),
    # P2 was paid on 02-06: the first reminder (due Saturday 02-07, sent Monday) is about P1.
    ("02-09", "BEB", 2, "reminder", "P1", "1000.00", "1.44", "40.00", "1041.44", "02-17"),
    ("02-09", "BEC", 2, "reminder", "C1", "300.00", "0.00", "0.00", "300.00", "02-23"),
    ("02-09", "NLB", 2, "reminder", "E1+E2", "8000.00", "11.12", "80.00", "8091.12", "02-17"),
    ("02-09", "NLC", 2, "reminder", "N1+N2", "750.00", "0.41", "0.00", "750.41", "02-25"),
    ("02-16", "BEC", 1, "pre_due_reminder", "D1", "120.00", "0.00", "0.00", "120.00", ""),
    ("02-23", "BEB", 3, "reminder", "P1", "1000.00", "5.47", "40.00", "1045.47", "03-02"),
    # D1's partial payment on 02-20: its first claim is on the 60.00 left.
    ("02-23", "BEC", 2, "reminder", "D1", "60.00", "0.00", "0.00", "60.00", "03-09"),
    # E2 is on the payment plan: step 3 is about E1 alone.
    ("02-23", "NLB", 3, "reminder", "E1", "2000.00", "10.57", "40.00", "2050.57", "03-02"),
    ("03-02", "BEB", 4, "phone_call", "P1", "1000.00", "7.48", "40.00", "1047.48", ""),
    # C1 was disputed from 02-10 to 02-20: its second reminder, no earlier than 21 days after
    # the first, claims interest from the day after its term (02-23) and the damages.
    ("03-02", "BEC", 3, "reminder", "C1", "300.00", "0.60", "45.00", "345.60", "03-09"),
    ("03-09", "BEC", 4, "phone_call", "C1", "300.00", "1.21", "45.00", "346.21", ""),
    # N1 promised and paid; N2's promise broken on 03-07: its second reminder on Monday 03-09.
    ("03-09", "NLC", 3, "reminder", "N2", "250.00", "0.90", "40.00", "290.90", "03-16"),
    ("03-11", "BEB", 5, "formal_notice", "P1", "1000.00", "10.07", "40.00", "1050.07", "03-23"),
    ("03-16", "BEC", 3, "reminder", "D1", "60.00", "0.12", "20.00", "80.12", "03-23"),
    ("03-16", "BEC", 5, "formal_notice", "C1", "300.00", "1.81", "45.00", "346.81", "03-26"),
    ("03-16", "NLC", 4, "phone_call", "N2", "250.00", "1.10", "40.00", "291.10", ""),
    ("03-17", "NLC", 5, "formal_notice", "N2", "250.00", "1.12", "40.00", "291.12", "03-27"),
    ("03-23", "BEC", 4, "phone_call", "D1", "60.00", "0.24", "20.00", "80.24", ""),
    ("03-26", "BEB", "agency", "default-agency", "P1", "1000.00", "14.38", "40.00", "1054.38", "5"),
    # The plan defaulted on 03-26: E2 jumps to the formal notice; Easter Monday moves its term.
    ("03-26", "NLB", 5, "formal_notice", "E2", "4000.00", "55.62", "40.00", "4095.62", "04-07"),
    ("03-30", "NLC", "agency", "default-agency", "N2", "250.00", "1.48", "40.00", "291.48", "7"),
    ("03-31", "BEC", "agency", "default-agency", "C1", "300.00", "3.11", "45.00", "348.11", "10"),
    ("03-31", "BEC", 5, "formal_notice", "D1", "60.00", "0.38", "20.00", "80.38", "04-10"),
    ("04-07", "NLB", "agency", "default-agency", "E2", "4000.00", "68.96", "40.00", "4108.96", "5"),
    ("04-15", "BEC", "agency", "default-agency", "D1", "60.00", "0.64", "20.00", "80.64", "12"),
]
# business date, event, debtor, items (or what is missing), in the order dunning records them.
EVENTS = [
    ("02-10", "DisputeOpened", "BEC", "C1"),
    ("02-10", "DunningPaused", "BEC", "C1"),
    ("02-10", "PaymentPlanAgreed", "NLB", "E2"),
    ("02-10", "DunningPaused", "NLB", "E2"),
    ("02-20", "DisputeResolved", "BEC", "C1"),
    ("02-20", "DunningResumed", "BEC", "C1"),
    ("02-27", "PromiseToPayMade", "NLC", "N1"),
    ("02-27", "DunningPaused", "NLC", "N1"),
    ("02-27", "PromiseToPayMade", "NLC", "N2"),
    ("02-27", "DunningPaused", "NLC", "N2"),
    # N1 paid 03-04: kept on the next sweep; nothing left to resume.
    ("03-05", "PromiseToPayKept", "NLC", ""),
    # Nothing paid on N2 by 03-06.
    ("03-07", "PromiseToPayBroken", "NLC", "N2 250.00"),
    ("03-07", "DunningResumed", "NLC", "N2"),
    # 03-20 + 5 days' grace: 4000.00 paid of the 2 × 2000.00 due is 2000.00 short.
    ("03-26", "InstalmentMissed", "NLB", "03-20 2000.00"),
    ("03-26", "PaymentPlanDefaulted", "NLB", ""),
    ("03-26", "DunningResumed", "NLB", "E2"),
]
# Sweep days on which an item must not appear in any reminder or hand-over (both included).
BLOCKED = {
    "P2": ("02-06", "12-31"),  # paid on 02-06
    "C1": ("02-11", "02-20"),  # disputed after the 02-10 sweep, rejected after the 02-20 one
    "E1": ("02-25", "12-31"),  # credited in full on 02-25
    "E2": ("02-11", "03-25"),  # on the payment plan until it defaulted on 03-26
    "N1": ("02-28", "12-31"),  # promised after the 02-27 sweep, then paid (kept)
    "N2": ("02-28", "03-06"),  # promised after the 02-27 sweep; broken on 03-07
}
# Open amount an item's reminders must state from a sweep day on (partial payments).
OPEN_FROM = {
    "D1": [("01-20", "120.00"), ("02-21", "60.00")],
    "E2": [("01-05", "6000.00"), ("02-20", "4000.00")],
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


def _detail(payload: dict[str, Any], names: dict[str, str]) -> str:
    """What a hold event is about: its items, or the amount missing."""
    if "instalment_due" in payload:
        return f"{payload['instalment_due'][5:]} {payload['amount_missing']}"
    numbers = payload.get("invoice_numbers") or (
        [payload["invoice_number"]] if "invoice_number" in payload else []
    )
    detail = "+".join(names[n] for n in numbers)
    if "amount_missing" in payload:
        detail += f" {payload['amount_missing']}"
    return detail


async def test_dunning_across_processes(stack: Stack) -> None:
    run = uuid.uuid4().hex[:6]
    inv, dun = stack.url("invoice-service"), stack.url("dunning-service")
    names: dict[str, str] = {}
    debtors: dict[str, str] = {}
    tasks_on_0326: set[tuple[str, str]] = set()

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

        async def open_amount(debtor_ref: str, number: str) -> str | None:
            response = await client.get(f"{dun}/v1/debtors/{debtor_ref}/open-items", headers=AUTH)
            if response.status_code != 200:
                return None
            found = [i for i in response.json()["items"] if i["invoice_number"] == number]
            return found[0]["open_amount"] if found else "closed"

        async def invoice(
            name: str,
            debtor_ref: str,
            amount: str,
            issued: str = "01-05",
            due: str = "02-04",
        ) -> str:
            number = f"{name}-{run}"
            names[number] = name
            await call(
                "POST",
                f"{inv}/v1/invoices",
                {
                    "invoice_number": number,
                    "debtor_ref": debtor_ref,
                    "issue_date": f"2026-{issued}",
                    "due_date": f"2026-{due}",
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
            await eventually(
                lambda: open_amount(debtor_ref, number),
                until=lambda a: a == amount,
                within=20,
                what=f"{name} known to dunning",
            )
            return number

        async def pay(
            debtor_ref: str, number: str, amount: str, on: str, leaves: str = "closed"
        ) -> None:
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
                until=lambda a: a == leaves,
                within=20,
                what=f"{number} {leaves} in dunning",
            )

        async def promise(debtor_ref: str, number: str, amount: str, by: str) -> None:
            await call(
                "POST",
                f"{dun}/v1/promises",
                {
                    "debtor_ref": debtor_ref,
                    "invoice_numbers": [number],
                    "amount": amount,
                    "currency": "EUR",
                    "promised_date": f"2026-{by}",
                },
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
        await invoice("P1", beb, "1000.00")
        p2 = await invoice("P2", beb, "500.00")
        c1 = await invoice("C1", bec, "300.00")
        e1 = await invoice("E1", nlb, "2000.00")
        e2 = await invoice("E2", nlb, "6000.00")
        n1 = await invoice("N1", nlc, "500.00")
        n2 = await invoice("N2", nlc, "250.00")

        await move_to("01-20")
        d1 = await invoice("D1", bec, "120.00", issued="01-20", due="02-19")
        await move_to("02-06")
        await pay(beb, p2, "500.00", "02-06")
        await move_to("02-10")
        dispute = await call(
            "POST", f"{dun}/v1/disputes", {"invoice_number": c1, "reason": "quality"}
        )
        await call(
            "POST",
            f"{dun}/v1/payment-plans",
            {
                "debtor_ref": nlb,
                "invoice_numbers": [e2],
                "currency": "EUR",
                "grace_days": 5,
                "instalments": [
                    {"due_date": "2026-02-20", "amount": "2000.00"},
                    {"due_date": "2026-03-20", "amount": "2000.00"},
                    {"due_date": "2026-04-20", "amount": "2000.00"},
                ],
            },
        )
        await move_to("02-19")
        await pay(nlb, e2, "2000.00", "02-19", leaves="4000.00")  # the first instalment
        await move_to("02-20")
        await call(
            "POST",
            f"{dun}/v1/disputes/{dispute['dispute_id']}/resolution",
            {"outcome": "rejected"},
        )
        await pay(bec, d1, "60.00", "02-20", leaves="60.00")  # partial payment
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
        await promise(nlc, n1, "500.00", "03-06")  # kept: paid on 03-04
        await promise(nlc, n2, "250.00", "03-06")  # broken: nothing paid
        await move_to("03-04")
        await pay(nlc, n1, "500.00", "03-04")
        # Day by day from here: formal notices are approved on the day they are proposed.
        for offset in range(1, 62):
            day = (date(2026, 3, 4) + timedelta(days=offset)).isoformat()[5:]
            await move_to(day)
            await approve_formal_notices()
            if day == "03-26":
                tasks_on_0326 = {
                    (t["kind"], debtors[t["debtor_ref"]])
                    for t in await call("GET", f"{dun}/v1/worklist")
                    if t["debtor_ref"] in debtors
                }

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
    events = []
    for row in rows:
        p = row.payload
        if p.get("debtor_ref") not in debtors:
            continue
        if row.event_type in ("dunning.ReminderDue", "dunning.DebtorEscalatedToCollection"):
            [tot] = p["totals"]
            escalation = row.event_type.endswith("Collection")
            on = (p["escalated_on"] if escalation else p["business_date"])[5:]
            items = [names[i["invoice_number"]] for i in p["items"]]
            for item, name in zip(p["items"], items, strict=True):
                if name in BLOCKED:
                    assert not BLOCKED[name][0] <= on <= BLOCKED[name][1], (name, on)
                stated = [a for since, a in OPEN_FROM.get(name, []) if since <= on]
                assert not stated or item["open_amount"] == stated[-1], (name, on, item)
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
                    str(len(p["history"])) if escalation else (p["deadline"] or "")[5:],
                )
            )
        else:
            events.append(
                (
                    row.occurred_at.date().isoformat()[5:],
                    row.event_type.split(".")[1],
                    debtors[p["debtor_ref"]],
                    _detail(p, names),
                )
            )
    assert sorted(table, key=str) == sorted(EXPECTED, key=str)
    assert events == EVENTS
    # The sweep that broke the promise and defaulted the plan left a task for a collector.
    assert {("promise_broken", "NLC"), ("plan_defaulted", "NLB")} <= tasks_on_0326

"""Dunning reacts at once and holds lift themselves (SQLite and PostgreSQL; the consumer's
handler and the sweep called directly, the API through HTTP)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from eventkit.testing.databases import fresh_database
from eventkit.testing.service import auth

from .case_support import DirectDunning, Ledger, direct_dunning, noon

START = date(2026, 1, 5)
DUE = date(2026, 2, 4)
OPS = auth("acme-ops-key")


@pytest.fixture
async def dunning(backend: str, tmp_path: Path) -> AsyncIterator[DirectDunning]:
    async with fresh_database(backend, tmp_path) as url, direct_dunning(url, START) as service:
        yield service


async def run_until(dunning: DirectDunning, last: date) -> None:
    day = dunning.clock.today() + timedelta(days=1)
    while day <= last:
        await dunning.day(day)
        day += timedelta(days=1)


async def reminders(dunning: DirectDunning) -> list[tuple[str, int, list[str], str]]:
    return [
        (
            env.payload["business_date"],
            env.payload["step"],
            [i["invoice_number"] for i in env.payload["items"]],
            env.payload["totals"][0]["principal"],
        )
        for env in await dunning.published("dunning.ReminderDue")
    ]


async def types(dunning: DirectDunning) -> list[str]:
    return [env.type.split(".")[1] for env in await dunning.published()]


async def post(dunning: DirectDunning, path: str, body: dict[str, Any]) -> Any:
    response = await dunning.client.post(path, json=body, headers=OPS)
    assert response.status_code in (200, 201), response.text
    return response.json()


async def test_payment_credit_cancellation_dispute_or_promise_stop_todays_step(
    dunning: DirectDunning,
) -> None:
    ledger = Ledger(clock=dunning.clock)
    debtor, debtor_env = ledger.debtor("D", kind="B2B", country="BE")
    numbers, envs = [], []
    for name in ("PAID", "CREDITED", "CANCELLED", "DISPUTED", "PROMISED", "OPEN"):
        number, env = ledger.issue(name, debtor, "100.00", issued=START, due=DUE)
        numbers.append(number)
        envs.append(env)
    paid, credited, cancelled, disputed, promised, still_open = numbers
    await dunning.feed([debtor_env, *envs])
    await run_until(dunning, date(2026, 2, 8))
    assert await reminders(dunning) == [("2026-01-30", 1, sorted(numbers), "600.00")]

    # The first reminder, due Saturday 02-07, goes out on Monday 02-09: everything arrives
    # before that sweep runs.
    step_day = date(2026, 2, 9)
    dunning.clock.set(noon(step_day))
    await dunning.feed(ledger.allocate(paid, "100.00", step_day))
    await dunning.feed(ledger.credit_note(credited, "100.00", step_day))
    await dunning.feed([ledger.cancel(cancelled, step_day)])
    await post(dunning, "/v1/disputes", {"invoice_number": disputed, "reason": "damaged"})
    await post(
        dunning,
        "/v1/promises",
        {
            "debtor_ref": debtor,
            "invoice_numbers": [promised],
            "amount": "100.00",
            "currency": "EUR",
            "promised_date": "2026-02-20",
        },
    )
    assert await dunning.rt.timekeeper.sweep_now() == [step_day]
    assert (await reminders(dunning))[1:] == [("2026-02-09", 2, [still_open], "100.00")]


async def test_a_credited_dispute_waits_for_the_credit_note_then_resumes_for_the_rest(
    dunning: DirectDunning,
) -> None:
    ledger = Ledger(clock=dunning.clock)
    debtor, debtor_env = ledger.debtor("D", kind="B2B", country="NL")
    number, issued = ledger.issue("INV", debtor, "1000.00", issued=START, due=DUE)
    await dunning.feed([debtor_env, issued])
    await run_until(dunning, date(2026, 2, 9))  # pre-due and first reminder (Monday)
    dispute = await post(
        dunning, "/v1/disputes", {"invoice_number": number, "reason": "wrong_price"}
    )
    await run_until(dunning, date(2026, 2, 25))  # the second reminder (02-23) is held
    resolution = await post(
        dunning,
        f"/v1/disputes/{dispute['dispute_id']}/resolution",
        {"outcome": "credited", "note": "10 % price difference"},
    )
    assert resolution["status"] == "awaiting_credit"
    await run_until(dunning, date(2026, 3, 1))
    assert [r[1] for r in await reminders(dunning)] == [1, 2]  # still waiting
    credit_day = date(2026, 3, 2)
    dunning.clock.set(noon(credit_day))
    await dunning.feed(ledger.credit_note(number, "100.00", credit_day))
    await dunning.rt.timekeeper.sweep_now()
    assert (await reminders(dunning))[2] == ("2026-03-02", 3, [number], "900.00")
    assert (await types(dunning)).count("DunningResumed") == 1
    body = (await dunning.client.get(f"/v1/disputes/{dispute['dispute_id']}", headers=OPS)).json()
    assert body["status"] == "resolved" and body["outcome"] == "credited"


async def test_a_manual_hold_lifts_itself_after_its_end_date(dunning: DirectDunning) -> None:
    ledger = Ledger(clock=dunning.clock)
    debtor, debtor_env = ledger.debtor("D", kind="B2B", country="BE")
    number, issued = ledger.issue("INV", debtor, "500.00", issued=START, due=DUE)
    await dunning.feed([debtor_env, issued])
    await run_until(dunning, date(2026, 2, 1))
    hold = await post(
        dunning,
        "/v1/holds",
        {"debtor_ref": debtor, "until": "2026-02-10", "reason": "director on holiday"},
    )
    assert hold["invoice_numbers"] == [number]
    await run_until(dunning, date(2026, 2, 10))
    assert [r[1] for r in await reminders(dunning)] == [1]  # no reminder while held
    await run_until(dunning, date(2026, 2, 11))
    assert (await reminders(dunning))[1][:2] == ("2026-02-11", 2)
    assert (await types(dunning))[-2:] == ["DunningResumed", "ReminderDue"]


async def test_items_at_or_below_the_minimum_are_left_alone(dunning: DirectDunning) -> None:
    ledger = Ledger(clock=dunning.clock)
    debtor, debtor_env = ledger.debtor("D", kind="B2B", country="BE")
    small, small_env = ledger.issue("SMALL", debtor, "1000.00", issued=START, due=DUE)
    await dunning.feed([debtor_env, small_env])
    await run_until(dunning, date(2026, 2, 4))
    await dunning.feed(ledger.allocate(small, "995.00", date(2026, 2, 4)))  # 5.00 left
    await run_until(dunning, date(2026, 3, 31))
    assert [r[1] for r in await reminders(dunning)] == [1]


async def test_the_sweep_is_set_based(dunning: DirectDunning) -> None:
    """The statements one sweep day runs do not grow with the number of due invoices or
    debtors: selecting, composing and advancing are each one statement over all of them."""
    ledger = Ledger(clock=dunning.clock)
    engine = dunning.rt.db.engine.sync_engine
    counting = [False]
    counts: list[int] = []

    def count(*_args: Any) -> None:
        if counting[0]:
            counts[-1] += 1

    async def add_debtors(prefix: str, size: int, due: date) -> None:
        envs = []
        for i in range(size):
            debtor, debtor_env = ledger.debtor(f"{prefix}{i}", kind="B2B", country="BE")
            envs.append(debtor_env)
            for j in range(2):
                envs.append(
                    ledger.issue(f"{prefix}{i}-{j}", debtor, "100.00", issued=START, due=due)[1]
                )
        await dunning.feed(envs)

    async def counted_sweep(day: date) -> None:
        await run_until(dunning, day - timedelta(days=1))
        counts.append(0)
        counting[0] = True
        try:
            await run_until(dunning, day)
        finally:
            counting[0] = False

    event.listen(engine, "before_cursor_execute", count)
    try:
        await add_debtors("SMALL", 3, DUE)
        await counted_sweep(date(2026, 1, 30))  # 3 pre-due reminders, 6 items
        await add_debtors("LARGE", 120, DUE + timedelta(days=10))
        await counted_sweep(date(2026, 2, 9))  # 3 first reminders + 120 pre-due, 246 items
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(await dunning.published("dunning.ReminderDue")) == 3 + 3 + 120
    assert counts[0] == counts[1], counts  # 22 on both backends when written

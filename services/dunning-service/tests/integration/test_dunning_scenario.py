"""120 days of dunning in simulated time, in-process with the real broker (SQLite and
PostgreSQL): four debtors (BE B2B, BE B2C, NL B2B, NL B2C) with a dispute, a kept and a broken
promise, a defaulted payment plan, a partial payment, a payment before the first reminder and
a late credit note. Every reminder, fee, interest amount and escalation must match the table
below, and no reminder may ever name an item that was paid, credited, disputed or promised at
the time.

How the figures come about (rates: BE 10.50 %, NL commercial 10.15 % (verify), NL consumer
4.00 % (verify), all 2026; actual/365). Steps due on a Saturday, Sunday or public holiday go
out on the next working day, and terms ending on one move to the next working day:
* BE B2B A 1000.00 + B 2000.00 due 02-04: R1 due Saturday 02-07, sent Monday 02-09 = 5 days
  → 1.44 + 2.88 = 4.32, + 2 × EUR 40; term 8 days → 02-17.
* BE B2C C 300.00: the free first reminder 02-09 (deadline 02-23: 14 days from the day after
  the e-mail); its second reminder (02-26, at the earliest 21 days after the first: 03-02)
  never comes: C is promised on 02-27 and paid on 03-05.
* BE B2C D 60.00 (of 120.00): free first reminder 02-23, deadline 03-09; R2 03-16 claims
  interest from 03-10 (7 days → 0.12) and the Book XIX damages on 60.00: 20.00, without a
  reminder fee beside them (legal/costs.py).
* NL B2B E 6000.00: R1 5 days × 10.15 % → 8.34, + EUR 40.
* NL B2C F 500.00 + G 250.00 in one 14-day letter 02-09 (deadline 02-25). G is credited on
  03-01 and F promised on 02-27; the promise breaks on 03-07 and F's R2 (Monday 03-09) adds the
  WIK costs, 15 % × 500 = 75.00, and 33 days × 4 % of interest (1.81).
* NL B2B E: the plan's second instalment (03-20, 5 days' grace) is not paid: on 03-26 the plan
  defaults and E goes straight to the formal notice (4000.00 open, 50 days × 10.15 % = 55.62);
  its 10-day term ends on Easter Sunday 04-05, Easter Monday is a holiday: 04-07.
* Hand-overs carry the whole file; the last column counts its entries (reminders, dispute,
  promise, plan, notes).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from eventkit.localbroker import LocalBroker
from eventkit.testing.databases import fresh_database
from eventkit.testing.service import auth

from .case_support import BrokerDunning, Ledger, broker_dunning

START = date(2026, 1, 5)
END = START + timedelta(days=120)


# day, debtor, step, action (or agency), items, principal, interest, fees, total, deadline (or
# the number of case-file entries handed to the agency); other dunning events by type.
EXPECTED: list[tuple[Any, ...]] = [
    ("01-30", "BEB", 1, "pre_due_reminder", "A+B+H", "3500.00", "0.00", "0.00", "3500.00", ""),
    ("01-30", "BEC", 1, "pre_due_reminder", "C", "300.00", "0.00", "0.00", "300.00", ""),
    ("01-30", "NLB", 1, "pre_due_reminder", "E", "6000.00", "0.00", "0.00", "6000.00", ""),
    ("01-30", "NLC", 1, "pre_due_reminder", "F+G", "750.00", "0.00", "0.00", "750.00", ""),
    ("02-09", "BEB", 2, "reminder", "A+B", "3000.00", "4.32", "80.00", "3084.32", "02-17"),
    ("02-09", "BEC", 2, "reminder", "C", "300.00", "0.00", "0.00", "300.00", "02-23"),
    ("02-09", "NLB", 2, "reminder", "E", "6000.00", "8.34", "40.00", "6048.34", "02-17"),
    ("02-09", "NLC", 2, "reminder", "F+G", "750.00", "0.41", "0.00", "750.41", "02-25"),
    ("02-10", "DisputeOpened", "BEB"),
    ("02-10", "DunningPaused", "BEB"),
    ("02-10", "PaymentPlanAgreed", "NLB"),
    ("02-10", "DunningPaused", "NLB"),
    ("02-16", "BEC", 1, "pre_due_reminder", "D", "120.00", "0.00", "0.00", "120.00", ""),
    ("02-23", "BEB", 3, "reminder", "A", "1000.00", "5.47", "40.00", "1045.47", "03-02"),
    ("02-23", "BEC", 2, "reminder", "D", "60.00", "0.00", "0.00", "60.00", "03-09"),
    ("02-27", "PromiseToPayMade", "BEC"),
    ("02-27", "DunningPaused", "BEC"),
    ("02-27", "PromiseToPayMade", "NLC"),
    ("02-27", "DunningPaused", "NLC"),
    ("03-02", "BEB", 4, "phone_call", "A", "1000.00", "7.48", "40.00", "1047.48", ""),
    ("03-02", "NoteRecorded", "BEB"),
    ("03-02", "DisputeResolved", "BEB"),
    ("03-02", "DunningResumed", "BEB"),
    ("03-03", "BEB", 3, "reminder", "B", "2000.00", "15.53", "40.00", "2055.53", "03-09"),
    ("03-05", "PromiseToPayKept", "BEC"),
    ("03-07", "PromiseToPayBroken", "NLC"),
    ("03-07", "DunningResumed", "NLC"),
    ("03-09", "NLC", 3, "reminder", "F", "500.00", "1.81", "75.00", "576.81", "03-16"),
    ("03-10", "BEB", 4, "phone_call", "B", "2000.00", "19.56", "40.00", "2059.56", ""),
    ("03-11", "BEB", 5, "formal_notice", "A+B", "3000.00", "30.21", "80.00", "3110.21", "03-23"),
    ("03-16", "BEC", 3, "reminder", "D", "60.00", "0.12", "20.00", "80.12", "03-23"),
    ("03-16", "NLC", 4, "phone_call", "F", "500.00", "2.19", "75.00", "577.19", ""),
    ("03-17", "NLC", 5, "formal_notice", "F", "500.00", "2.25", "75.00", "577.25", "03-27"),
    ("03-23", "BEC", 4, "phone_call", "D", "60.00", "0.24", "20.00", "80.24", ""),
    ("03-26", "InstalmentMissed", "NLB"),
    ("03-26", "PaymentPlanDefaulted", "NLB"),
    ("03-26", "DunningResumed", "NLB"),
    (
        "03-26",
        "BEB",
        "agency",
        "default-agency",
        "A+B",
        "3000.00",
        "43.15",
        "80.00",
        "3123.15",
        "9",
    ),
    ("03-26", "NLB", 5, "formal_notice", "E", "4000.00", "55.62", "40.00", "4095.62", "04-07"),
    ("03-27", "AgencyCaseUpdated", "BEB"),
    ("03-30", "NLC", "agency", "default-agency", "F", "500.00", "2.96", "75.00", "577.96", "6"),
    ("03-31", "BEC", 5, "formal_notice", "D", "60.00", "0.38", "20.00", "80.38", "04-10"),
    ("04-07", "NLB", "agency", "default-agency", "E", "4000.00", "68.96", "40.00", "4108.96", "4"),
    ("04-10", "AgencyCaseUpdated", "BEB"),
    ("04-15", "BEC", "agency", "default-agency", "D", "60.00", "0.64", "20.00", "80.64", "8"),
]

# Sweep days on which an item must not appear in any reminder or hand-over (both included).
BLOCKED = {
    "H": ("02-05", "12-31"),  # paid the day after its due date
    "B": ("02-11", "03-02"),  # disputed after the 02-10 sweep, rejected after the 03-02 sweep
    "C": ("02-28", "12-31"),  # promised after the 02-27 sweep, then paid (promise kept)
    "F": ("02-28", "03-06"),  # promised after the 02-27 sweep; broken on 03-07
    "G": ("03-01", "12-31"),  # credited in full on 03-01 (late credit note)
    "E": ("02-11", "03-25"),  # payment plan until it defaulted on 03-26
}


@pytest.fixture
async def dunning(
    backend: str, tmp_path: Path, kafka_broker: LocalBroker
) -> AsyncIterator[BrokerDunning]:
    async with (
        fresh_database(backend, tmp_path) as url,
        broker_dunning(url, kafka_broker.bootstrap_servers, START) as service,
    ):
        yield service


def d(text: str) -> date:
    """'02-07' → 2026-02-07."""
    return date.fromisoformat(f"2026-{text}")


async def test_120_days_of_dunning(dunning: BrokerDunning) -> None:
    ledger = Ledger(clock=dunning.clock)
    beb, beb_env = ledger.debtor("BEB", kind="B2B", country="BE")
    bec, bec_env = ledger.debtor("BEC", kind="B2C", country="BE", language="fr")
    nlb, nlb_env = ledger.debtor("NLB", kind="B2B", country="NL")
    nlc, nlc_env = ledger.debtor("NLC", kind="B2C", country="NL")
    due = d("02-04")
    a, a_env = ledger.issue("A", beb, "1000.00", issued=START, due=due)
    b, b_env = ledger.issue("B", beb, "2000.00", issued=START, due=due)
    h, h_env = ledger.issue("H", beb, "500.00", issued=START, due=due)
    c, c_env = ledger.issue("C", bec, "300.00", issued=START, due=due)
    e, e_env = ledger.issue("E", nlb, "6000.00", issued=START, due=due)
    f, f_env = ledger.issue("F", nlc, "500.00", issued=START, due=due)
    g, g_env = ledger.issue("G", nlc, "250.00", issued=START, due=due)
    names = {a: "A", b: "B", h: "H", c: "C", e: "E", f: "F", g: "G"}
    debtor_names = {beb: "BEB", bec: "BEC", nlb: "NLB", nlc: "NLC"}

    ops = auth("acme-ops-key")
    agency = auth("acme-agency-key")
    notes: dict[str, Any] = {}

    async def post(path: str, body: dict[str, Any], key: dict[str, str] = ops) -> Any:
        response = await dunning.client.post(path, json=body, headers=key)
        assert response.status_code in (200, 201), response.text
        return response.json()

    async def approve_formal_notices() -> None:
        response = await dunning.client.get(
            "/v1/worklist", params={"kind": "formal_notice_approval"}, headers=ops
        )
        for task in response.json():
            await post(f"/v1/worklist/{task['task_id']}/approve", {})

    # What happens on which day, before that day's sweep (events) or after it (commands).
    async def before_sweep(day: date) -> None:
        if day == START:
            await dunning.feed([beb_env, bec_env, nlb_env, nlc_env])
            await dunning.feed([a_env, b_env, h_env, c_env, e_env, f_env, g_env])
            await dunning.feed([ledger.risk(nlb, "D")])
        elif day == d("01-20"):
            dd, dd_env = ledger.issue("D", bec, "120.00", issued=day, due=d("02-19"))
            names[dd] = "D"
            notes["D"] = dd
            await dunning.feed([dd_env])
        elif day == d("02-05"):
            await dunning.feed(
                [ledger.overdue(n, day) for n in (a, b, c, e, f, g)]
                + ledger.allocate(h, "500.00", day)  # paid the day after its due date
            )
        elif day == d("02-19"):
            await dunning.feed(ledger.allocate(e, "2000.00", day))  # first instalment
        elif day == d("02-20"):
            await dunning.feed(ledger.allocate(notes["D"], "60.00", day))  # partial payment
        elif day == d("03-01"):
            await dunning.feed(ledger.credit_note(g, "250.00", day))  # late credit note
        elif day == d("03-05"):
            await dunning.feed(ledger.allocate(c, "300.00", day))  # the kept promise

    async def after_sweep(day: date) -> None:
        if day == d("02-10"):
            notes["dispute"] = await post(
                "/v1/disputes", {"invoice_number": b, "reason": "not_delivered", "note": "pallet"}
            )
            await post(
                "/v1/payment-plans",
                {
                    "debtor_ref": nlb,
                    "currency": "EUR",
                    "grace_days": 5,
                    "instalments": [
                        {"due_date": "2026-02-20", "amount": "2000.00"},
                        {"due_date": "2026-03-20", "amount": "2000.00"},
                        {"due_date": "2026-04-20", "amount": "2000.00"},
                    ],
                },
            )
        elif day == d("02-27"):
            await post(
                "/v1/promises",
                {
                    "debtor_ref": bec,
                    "invoice_numbers": [c],
                    "amount": "300.00",
                    "currency": "EUR",
                    "promised_date": "2026-03-06",
                },
            )
            await post(
                "/v1/promises",
                {
                    "debtor_ref": nlc,
                    "invoice_numbers": [f],
                    "amount": "500.00",
                    "currency": "EUR",
                    "promised_date": "2026-03-06",
                },
            )
        elif day == d("03-02"):  # the phone call (due Saturday 02-28) is today's task
            [call] = [
                t
                for t in (await dunning.client.get("/v1/worklist", headers=ops)).json()
                if t["kind"] == "phone_call" and t["debtor_ref"] == beb
            ]
            await post(
                f"/v1/debtors/{beb}/notes",
                {
                    "text": "B not delivered says buyer; A will be paid",
                    "outcome": "reached",
                    "task_id": call["task_id"],
                },
            )
            dispute_id = notes["dispute"]["dispute_id"]
            await post(f"/v1/disputes/{dispute_id}/resolution", {"outcome": "rejected"})
        elif day == d("03-27"):
            await post(f"/v1/agency/cases/{beb}/status", {"status": "received"}, agency)
        elif day == d("04-10"):
            await post(
                f"/v1/agency/cases/{beb}/payments",
                {
                    "amount": "500.00",
                    "currency": "EUR",
                    "received_on": "2026-04-09",
                    "invoice_number": a,
                },
                agency,
            )
        await approve_formal_notices()
        if day == d("03-26"):
            response = await dunning.client.get("/v1/worklist", headers=ops)
            notes["worklist"] = [
                (t["kind"], debtor_names[t["debtor_ref"]], t["priority"])
                for t in response.json()
                if t["debtor_ref"] in debtor_names
            ]

    day = START
    while day <= END:
        await before_sweep(day)
        assert await dunning.day(day) == [day]
        await after_sweep(day)
        day += timedelta(days=1)

    # The broker is shared: other tests' debtors may be dunned here too; keep to ours.
    published = [
        env for env in await dunning.published() if env.payload.get("debtor_ref") in debtor_names
    ]
    rows = []
    for env in published:
        p = env.payload
        if env.type == "dunning.ReminderDue":
            [tot] = p["totals"]
            rows.append(
                (
                    p["business_date"][5:],
                    debtor_names[p["debtor_ref"]],
                    p["step"],
                    p["action"],
                    "+".join(names[i["invoice_number"]] for i in p["items"]),
                    tot["principal"],
                    tot["interest"],
                    tot["fees"],
                    tot["total"],
                    (p["deadline"] or "")[5:],
                )
            )
        elif env.type == "dunning.DebtorEscalatedToCollection":
            [tot] = p["totals"]
            rows.append(
                (
                    p["escalated_on"][5:],
                    debtor_names[p["debtor_ref"]],
                    "agency",
                    p["agency"],
                    "+".join(names[i["invoice_number"]] for i in p["items"]),
                    tot["principal"],
                    tot["interest"],
                    tot["fees"],
                    tot["total"],
                    str(len(p["history"])),
                )
            )
        else:
            short = env.type.split(".")[1]
            rows.append(
                (env.occurred_at.date().isoformat()[5:], short, debtor_names[p["debtor_ref"]])
            )
        if env.type in ("dunning.ReminderDue", "dunning.DebtorEscalatedToCollection"):
            on = rows[-1][0]
            for item in p["items"]:
                name = names[item["invoice_number"]]
                if name in BLOCKED:
                    first, last = BLOCKED[name]
                    assert not first <= on <= last, f"{name} named on {on} by {env.type}"
    assert rows == EXPECTED
    assert notes["worklist"] == [
        ("plan_defaulted", "NLB", "87.7"),  # risk class D, EUR 4000 overdue for 50 days
        ("phone_call", "BEB", "61.4"),
        ("promise_broken", "NLC", "60.7"),
        ("phone_call", "NLC", "53.7"),
        ("phone_call", "BEC", "39.5"),
    ]

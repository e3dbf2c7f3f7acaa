"""Simulated time across the four processes and the real broker: credit-service's drift and hold
rules reach dunning-service.

1. A debtor pays in 20 days for a year (6 invoices, ~8 weeks apart), then in 50 days (3 invoices).
   credit-service flags PaymentBehaviourDeteriorated and moves the risk class from A to B; both go
   out on ``credit.account.events`` and dunning-service consumes them. The tenant's policy for the
   worse classes (B–E) is not used while the debtor is in class A; the first case opened after the
   drift gets it.
2. A debtor with a credit limit goes over it: credit hold; once it pays, the hold lifts itself.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from devstack.clock import advance_clock
from devstack.stack import SERVICES, Stack
from eventkit.db import event_store, inbox
from eventkit.settings import DEV_API_KEY
from eventkit.testing.waiting import eventually

AUTH = {"Authorization": f"Bearer {DEV_API_KEY}"}
FOLLOWERS = ("invoice-service", "credit-service", "dunning-service")
DEFAULT_POLICY = "default-BE_B2B"
DUNNING_GROUP = "dunning-service.open-items"

Call = Callable[..., Awaitable[Any]]


def debtor_body(name: str) -> dict[str, Any]:
    return {
        "legal_name": name,
        "kind": "B2B",
        "country": "BE",
        "language": "nl",
        "email": "ap@example.test",
        "payment_terms_days": 30,
    }


def invoice_body(number: str, debtor: str, issued: date, quantity: int = 10) -> dict[str, Any]:
    """``quantity`` × 100.00 + 21 % VAT, due 30 days after ``issued``."""
    return {
        "invoice_number": number,
        "debtor_ref": debtor,
        "issue_date": issued.isoformat(),
        "due_date": (issued + timedelta(days=30)).isoformat(),
        "currency": "EUR",
        "lines": [
            {
                "description": "Consulting",
                "quantity": str(quantity),
                "unit_price": "100.00",
                "vat_rate": "21",
            }
        ],
        "amount_due": f"{quantity * 121}.00",
    }


async def _rows(stack: Stack, service: str, query: Any) -> list[Any]:
    spec = next(s for s in SERVICES if s.name == service)
    engine = create_async_engine(stack.database_url(spec), poolclass=NullPool)
    try:
        async with engine.connect() as conn:
            return list((await conn.execute(query)).all())
    finally:
        await engine.dispose()


class Scenario:
    def __init__(self, stack: Stack, client: httpx.AsyncClient) -> None:
        self.stack = stack
        self.client = client
        self.inv = stack.url("invoice-service")
        self.cre = stack.url("credit-service")
        self.dun = stack.url("dunning-service")

    async def call(self, method: str, url: str, body: Any = None, expect: int = 200) -> Any:
        r = await self.client.request(method, url, json=body, headers=AUTH)
        assert r.status_code == expect, f"{method} {url}: {r.status_code} {r.text}"
        return r.json() if r.content else None

    async def today(self) -> date:
        status = await self.call("GET", f"{self.inv}/v1/admin/status")
        return date.fromisoformat(status["clock"]["business_date"])

    async def move_to(self, day: date) -> None:
        """Advance simulated time to 08:00 UTC of ``day``; wait until every service following it
        swept up to that day (the sweep commits with the clock row, the API sees it after)."""
        target = datetime.combine(day, time(8, 0), tzinfo=UTC)
        await advance_clock(self.stack.broker.bootstrap_servers, target)

        async def clocks() -> list[str]:
            found = []
            for name in FOLLOWERS:
                r = await self.client.get(f"{self.stack.url(name)}/v1/admin/status", headers=AUTH)
                found.append(r.json()["clock"]["business_date"] if r.status_code == 200 else "")
            return found

        await eventually(
            clocks,
            until=lambda c: all(d == day.isoformat() for d in c),
            within=30,
            what=f"services at {day}",
        )

    async def account(self, debtor: str) -> dict[str, Any]:
        r = await self.client.get(f"{self.cre}/v1/debtors/{debtor}/credit-account", headers=AUTH)
        return r.json() if r.status_code == 200 else {}

    async def case(self, debtor: str) -> dict[str, Any]:
        r = await self.client.get(f"{self.dun}/v1/cases/{debtor}", headers=AUTH)
        return r.json() if r.status_code == 200 else {}

    async def settled(self, debtor: str, open_numbers: set[str]) -> None:
        """Wait until dunning's open items and credit's exposure show exactly these invoices."""

        async def views() -> tuple[set[str], int]:
            dun = await self.client.get(f"{self.dun}/v1/debtors/{debtor}/open-items", headers=AUTH)
            cre = await self.client.get(f"{self.cre}/v1/debtors/{debtor}/exposure", headers=AUTH)
            numbers = (
                {i["invoice_number"] for i in dun.json()["items"]}
                if dun.status_code == 200
                else {"?"}
            )
            count = (
                sum(int(e["open_items"]) for e in cre.json()["exposure"])
                if cre.status_code == 200
                else -1
            )
            return numbers, count

        await eventually(
            views,
            until=lambda v: v == (open_numbers, len(open_numbers)),
            within=20,
            what=f"{debtor}: open items {sorted(open_numbers)} in dunning and credit",
        )

    async def issue(self, number: str, debtor: str, issued: date, quantity: int = 10) -> str:
        body = await self.call(
            "POST",
            f"{self.inv}/v1/invoices",
            invoice_body(number, debtor, issued, quantity),
            expect=201,
        )
        return str(body["payment_reference"])

    async def pay(self, reference: str, amount: str, on: date) -> None:
        body = await self.call(
            "POST",
            f"{self.inv}/v1/payments",
            {
                "amount": amount,
                "currency": "EUR",
                "booking_date": on.isoformat(),
                "reference": reference,
            },
            expect=201,
        )
        assert body["status"] == "allocated", body


async def test_slower_payments_reach_dunning_and_switch_the_policy(stack: Stack) -> None:
    run = uuid.uuid4().hex[:6]
    debtor = f"E2E-DRIFT-{run}"
    policy_id = f"risky-{run}"
    async with httpx.AsyncClient(timeout=10) as client:
        s = Scenario(stack, client)
        start = await s.today()
        await s.call("PUT", f"{s.inv}/v1/debtors/{debtor}", debtor_body(debtor), expect=201)

        # The tenant dunns the worse risk classes harder: reminder at D+1, notice at D+10.
        await s.call(
            "PUT",
            f"{s.dun}/v1/policies/{policy_id}",
            {
                "name": "Risky debtors",
                "effective_from": start.isoformat(),
                "steps": [
                    {
                        "action": "reminder",
                        "offset_days": 1,
                        "template_key": "first_reminder",
                        "channel": "email",
                        "final_term_days": 7,
                    },
                    {
                        "action": "formal_notice",
                        "offset_days": 10,
                        "template_key": "formal_notice",
                        "channel": "letter",
                        "final_term_days": 10,
                        "approval_required": True,
                    },
                ],
            },
            expect=201,
        )

        # Baseline: six invoices of 1210.00, eight weeks apart, each paid 20 days after issue.
        baseline = [start + timedelta(days=56 * n) for n in range(6)]
        # Drift: three invoices two weeks apart, each paid 50 days after issue (20 days late).
        slow = [baseline[-1] + timedelta(days=35 + 21 * n) for n in range(3)]
        actions: dict[date, list[tuple[str, str]]] = {}
        for n, issued in enumerate(baseline + slow):
            number = f"{debtor}-{n:02d}"
            days = 20 if n < len(baseline) else 50
            actions.setdefault(issued, []).append(("issue", number))
            actions.setdefault(issued + timedelta(days=days), []).append(("pay", number))

        references: dict[str, str] = {}
        open_numbers: set[str] = set()
        policies_seen: dict[str, str | None] = {}  # invoice → policy its case got
        assigned = False
        for day in sorted(actions):
            if day != start:
                await s.move_to(day)
            # The case of each open invoice has resolved its policy on the sweep after its issue.
            case = await s.case(debtor)
            if case.get("policy"):
                for item in case["items"]:
                    policies_seen.setdefault(item["invoice_number"], case["policy"]["policy_id"])
            for kind, number in actions[day]:
                if kind == "issue":
                    references[number] = await s.issue(number, debtor, day)
                    open_numbers.add(number)
                else:
                    await s.pay(references[number], "1210.00", day)
                    open_numbers.discard(number)
            await s.settled(debtor, open_numbers)
            if not assigned and references and not open_numbers:
                # After the first payment the debtor is in class A; from now on B–E take the
                # tenant's policy (a new debtor starts in B: neutral behaviour, no limit).
                account = await eventually(
                    lambda: s.account(debtor),
                    until=lambda a: (a.get("score") or {}).get("risk_class") == "A",
                    what="class A after the first on-time payment",
                )
                assert account["deteriorated_on"] is None
                for risk_class in "BCDE":
                    await s.call(
                        "POST",
                        f"{s.dun}/v1/policy-assignments",
                        {"policy_id": policy_id, "risk_class": risk_class, "kind": "B2B"},
                        expect=201,
                    )
                assigned = True

        # The day after the third slow payment the daily sweep compares the windows.
        last_paid = max(actions)
        await s.move_to(last_paid + timedelta(days=1))
        account = await eventually(
            lambda: s.account(debtor),
            until=lambda a: (
                a.get("deteriorated_on") is not None
                and (a.get("score") or {}).get("risk_class") == "B"
            ),
            within=20,
            what="deterioration flagged and class B",
        )
        assert account["deteriorated_on"] == (last_paid + timedelta(days=1)).isoformat()
        parts = {p["name"]: p for p in account["score"]["parts"]}
        assert Decimal(parts["payment behaviour"]["points"]) == 20  # 20 days late weighted
        assert (
            Decimal(parts["overdue ratio"]["points"]) == 25
        )  # nothing open: only the drift counts

        # credit-service's stream holds both events; dunning-service consumed both.
        credit_events = await _rows(
            stack,
            "credit-service",
            select(event_store.c.event_id, event_store.c.event_type, event_store.c.payload)
            .where(event_store.c.aggregate_id.like(f"%{debtor}"))
            .order_by(event_store.c.position),
        )
        (flag,) = [
            e for e in credit_events if e.event_type == "credit.PaymentBehaviourDeteriorated"
        ]
        assert (flag.payload["baseline_days_to_pay"], flag.payload["recent_days_to_pay"]) == (
            "20.00",
            "50.00",
        )
        classes = [
            (e.payload["previous"], e.payload["risk_class"])
            for e in credit_events
            if e.event_type == "credit.RiskClassChanged"
        ]
        assert classes[0] == (None, "B") and ("B", "A") in classes
        assert classes[-1][1] == "B"
        last_class = next(
            e for e in reversed(credit_events) if e.event_type == "credit.RiskClassChanged"
        )

        async def consumed() -> set[str]:
            rows = await _rows(
                stack,
                "dunning-service",
                select(inbox.c.event_id).where(
                    inbox.c.consumer_group == DUNNING_GROUP,
                    inbox.c.event_id.in_([flag.event_id, last_class.event_id]),
                ),
            )
            return {r.event_id for r in rows}

        await eventually(
            consumed,
            until=lambda ids: ids == {flag.event_id, last_class.event_id},
            what="credit events consumed by dunning-service",
        )

        # Every case before the drift ran on the shipped default (class A, or before assigning).
        assert set(policies_seen) == {f"{debtor}-{n:02d}" for n in range(9)}, policies_seen
        assert set(policies_seen.values()) == {DEFAULT_POLICY}, policies_seen

        # The next invoice opens a new case: its policy is resolved with class B → switched.
        day = last_paid + timedelta(days=1)
        after = f"{debtor}-AFTER"
        await s.issue(after, debtor, day)
        await s.settled(debtor, {after})
        await s.move_to(day + timedelta(days=1))
        case = await eventually(
            lambda: s.case(debtor),
            until=lambda c: (c.get("policy") or {}).get("policy_id") is not None,
            what="the new case's policy",
        )
        assert case["status"] == "active"
        assert case["policy"] == {"policy_id": policy_id, "version": 1, "builtin": False}
        (item,) = [i for i in case["items"] if i["invoice_number"] == after]
        assert item["next_step_date"] == (day + timedelta(days=31)).isoformat()  # due + 1


async def test_a_debtor_over_its_limit_is_held_until_it_pays(stack: Stack) -> None:
    debtor = f"E2E-HOLD-{uuid.uuid4().hex[:6]}"
    async with httpx.AsyncClient(timeout=10) as client:
        s = Scenario(stack, client)
        today = await s.today()
        await s.call("PUT", f"{s.inv}/v1/debtors/{debtor}", debtor_body(debtor), expect=201)
        await eventually(
            lambda: s.account(debtor),
            until=lambda a: a.get("debtor") is not None,
            what="debtor known to credit-service",
        )
        await s.call(
            "PUT",
            f"{s.cre}/v1/debtors/{debtor}/credit-limits/EUR",
            {"limit": "2000.00", "requested_by": "e2e ops", "reason": "new customer"},
        )
        first = await s.issue(f"{debtor}-1", debtor, today)  # 1210.00: within the limit
        await s.settled(debtor, {f"{debtor}-1"})
        account = await s.account(debtor)
        assert account["hold"]["on_hold"] is False
        assert account["limits"][0]["headroom"] == "790.00"

        await s.issue(f"{debtor}-2", debtor, today)  # 2420.00 open > 2000.00
        held = await eventually(
            lambda: s.account(debtor),
            until=lambda a: a.get("hold", {}).get("on_hold") is True,
            what="credit hold",
        )
        assert held["hold"]["placed_by"] == "rules"
        assert [r.split(":")[0] for r in held["hold"]["reasons"]] == ["limit_exceeded"]
        assert held["limits"][0]["exceeded"] is True

        await s.pay(first, "1210.00", today)
        lifted = await eventually(
            lambda: s.account(debtor),
            until=lambda a: a.get("hold", {}).get("on_hold") is False,
            what="hold lifted",
        )
        assert lifted["hold"]["reasons"] == []
        assert lifted["limits"][0]["headroom"] == "790.00"
        events = await _rows(
            stack,
            "credit-service",
            select(event_store.c.event_type, event_store.c.payload)
            .where(event_store.c.aggregate_id.like(f"%{debtor}"))
            .order_by(event_store.c.position),
        )
        types = [e.event_type for e in events]
        assert types.count("credit.CreditHoldPlaced") == 1
        assert types.count("credit.CreditHoldLifted") == 1
        assert types.index("credit.CreditLimitExceeded") < types.index("credit.CreditHoldPlaced")
        assert types.index("credit.CreditHoldPlaced") < types.index("credit.CreditHoldLifted")
        (lift,) = [e for e in events if e.event_type == "credit.CreditHoldLifted"]
        assert lift.payload["lifted_by"] == "rules"

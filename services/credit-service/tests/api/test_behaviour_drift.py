"""Simulated time (SQLite and PostgreSQL, real broker): a debtor that paid in 20 days for a year
starts paying in 50. The daily sweep flags PaymentBehaviourDeteriorated and the risk class
moves; both go out on ``credit.account.events``, keyed by debtor, for dunning-service."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from credit_service.bootstrap import definition
from credit_service.settings import Settings
from eventkit.clock import SimulatedClock
from eventkit.db import inbox
from eventkit.envelope import Envelope
from eventkit.localbroker import LocalBroker
from eventkit.runtime import Runtime
from eventkit.testing.databases import BACKENDS, fresh_database
from eventkit.testing.service import auth, running_service
from eventkit.testing.waiting import eventually

from ..credit_support import Ledger, broker_publisher, published_credit_events

START = datetime(2027, 1, 4, 8, 0, tzinfo=UTC)  # the baseline year is behind us
OPS = auth("acme-ops-key")

Service = tuple[Runtime, httpx.AsyncClient, str]


@pytest.fixture(scope="module", params=BACKENDS)
async def service(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    kafka_broker: LocalBroker,
) -> AsyncIterator[Service]:
    async with (
        fresh_database(request.param, tmp_path_factory.mktemp("credit-drift")) as url,
        running_service(
            definition(),
            Settings,
            database_url=url,
            bootstrap_servers=kafka_broker.bootstrap_servers,
            clock=SimulatedClock(START),
        ) as (runtime, client),
    ):
        yield runtime, client, kafka_broker.bootstrap_servers


def morning(day: date) -> datetime:
    return datetime.combine(day, time(8, 0), tzinfo=UTC)


async def test_a_debtor_paying_later_than_it_used_to_is_flagged_and_reclassed(
    service: Service,
) -> None:
    rt, client, bootstrap = service
    clock = rt.clock
    assert isinstance(clock, SimulatedClock)
    (consumer,) = rt.consumers
    ledger = Ledger()
    d = ledger.debtor

    async def account() -> dict[str, Any]:
        r = await client.get(f"/v1/debtors/{d}/credit-account", headers=OPS)
        assert r.status_code == 200, r.text
        body: dict[str, Any] = r.json()
        return body

    async def handled(envelopes: list[Envelope]) -> None:
        """Wait until the consumer committed these events (their inbox rows exist); other
        modules' events replayed from the topics do not count."""
        ids = [str(e.event_id) for e in envelopes]

        async def processed() -> int:
            async with rt.db.reading() as session:
                found = await session.scalar(
                    select(func.count()).where(
                        inbox.c.consumer_group == consumer.group, inbox.c.event_id.in_(ids)
                    )
                )
            return int(found or 0)

        await eventually(processed, until=lambda n: n == len(ids), what="events handled")

    # 2026: an invoice of 1000 on the 5th of every month, due in 30 days, paid in 20.
    baseline: list[Envelope] = []
    for month in range(1, 13):
        invoice = ledger.issue("1000.00", date(2026, month, 5))
        paid_on = date(2026, month, 5) + timedelta(days=20)
        baseline += [invoice, *ledger.pay(ledger.number(invoice), "1000.00", paid_on)]
    # 2027: the same invoices, overdue the day after the due date, paid after 50 days.
    timeline: dict[date, list[Envelope]] = defaultdict(list)
    for month in range(1, 5):
        issued = date(2027, month, 5)
        invoice = ledger.issue("1000.00", issued)
        number = ledger.number(invoice)
        timeline[issued].append(invoice)
        timeline[issued + timedelta(days=31)].append(ledger.overdue(number))
        timeline[issued + timedelta(days=50)] += ledger.pay(
            number, "1000.00", issued + timedelta(days=50)
        )

    async with broker_publisher(bootstrap) as publish:
        await publish(*baseline)
        await handled(baseline)
        await rt.timekeeper.sweep_now()
        steady = await account()
        assert steady["score"]["risk_class"] == "A"
        (behaviour,) = steady["behaviour"]
        assert behaviour["last_12_months"]["weighted_days_to_pay"] == "20.00"
        assert steady["deteriorated_on"] is None

        for day in sorted(timeline):
            clock.set(morning(day))
            await rt.timekeeper.sweep_now()  # the day's sweep, then the day's events
            await publish(*timeline[day])
            await handled(timeline[day])
        clock.set(morning(max(timeline) + timedelta(days=1)))
        await rt.timekeeper.sweep_now()

    final = await account()
    events = await published_credit_events(
        bootstrap, "acme", d, until=lambda found: len(found) == final["version"]
    )
    (flag,) = [e for e in events if e.type == "credit.PaymentBehaviourDeteriorated"]
    assert flag.payload["detected_on"] == "2027-04-25"  # the day after the 3rd slow payment
    assert (flag.payload["baseline_days_to_pay"], flag.payload["recent_days_to_pay"]) == (
        "20.00",
        "50.00",
    )
    assert flag.payload["rule"].startswith("EUR: weighted days to pay rose from 20.00 to 50.00")
    classes = [
        (e.payload["previous"], e.payload["risk_class"])
        for e in events
        if e.type == "credit.RiskClassChanged"
    ]
    assert classes[0][0] is None  # the first class, on the first invoice
    assert ("A", "B") in classes  # from A (the steady year) down once an item is overdue
    # Nothing is open any more, but the recent slowness keeps the debtor out of class A.
    assert classes[-1][1] == "B" == final["score"]["risk_class"]
    parts = {p["name"]: p for p in final["score"]["parts"]}
    assert parts["payment behaviour"]["points"] == "20.00"
    assert final["deteriorated_on"] == "2027-04-25"
    # 50 days now against 22.73 in the 12 months before (the first slow payment is in them).
    assert final["behaviour"][0]["trend_days"] == "27.27"

"""Credit accounts on a migrated database (SQLite and PostgreSQL), the consumer's handler and
the ops commands called directly: the rules' events are appended to the account's stream and
the outbox in the same transaction as the projection, the account row follows."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from contracts import topics
from credit_service.application import ops
from credit_service.application.account_view import credit_account_view
from credit_service.application.handlers import account_handler
from credit_service.application.kpis import kpi_report
from credit_service.bootstrap import SERVICE_ROOT
from credit_service.projections.tables import credit_accounts, credit_settlements
from eventkit.clock import SimulatedClock
from eventkit.db import outbox
from eventkit.envelope import Envelope
from eventkit.runtime import Runtime
from eventkit.testing.databases import fresh_database, migrate

from ..credit_support import Ledger, account_stream, runtime_without_broker, types

D = Decimal
NOW = datetime(2027, 3, 15, 9, 0, tzinfo=UTC)
TODAY = date(2027, 3, 15)


@pytest.fixture
async def rt(backend: str, tmp_path: Path) -> AsyncIterator[Runtime]:
    async with fresh_database(backend, tmp_path) as url:
        await migrate(SERVICE_ROOT, url)
        runtime = runtime_without_broker(url, SimulatedClock(NOW))
        await runtime.timekeeper.initialise()
        try:
            yield runtime
        finally:
            await runtime.db.dispose()


async def apply(rt: Runtime, *envelopes: Envelope | list[Envelope]) -> None:
    handler = account_handler(rt)
    for item in envelopes:
        for env in item if isinstance(item, list) else [item]:
            async with rt.db.transaction() as session:
                await handler(session, env)


async def test_over_the_limit_holds_the_debtor_and_paying_lifts_it(rt: Runtime) -> None:
    ledger = Ledger()
    outcome, _ = await ops.set_credit_limit(
        rt, "acme", ledger.debtor, "EUR", D("1000.00"), requested_by="an", reason=None
    )
    assert outcome == "applied"
    first = ledger.issue("600.00", date(2027, 3, 1))
    second = ledger.issue("600.00", date(2027, 3, 10))
    await apply(rt, first, second)
    stream = await account_stream(rt, "acme", ledger.debtor)
    assert types(stream) == [
        "CreditLimitChanged",
        "RiskClassChanged",
        "CreditLimitExceeded",
        "CreditHoldPlaced",
    ]
    assert stream[2].payload["exposure"] == "1200.00"
    await apply(rt, ledger.pay(ledger.number(first), "600.00", TODAY))
    stream = await account_stream(rt, "acme", ledger.debtor)
    # Paid in time: the behaviour part earns full points, so the class may move as well.
    assert types(stream)[4] == "CreditHoldLifted"
    assert set(types(stream)[5:]) <= {"RiskClassChanged"}
    assert stream[4].payload["lifted_by"] == "rules"
    assert [e.aggregate_version for e in stream] == list(range(1, len(stream) + 1))
    async with rt.db.reading() as session:
        row = (
            await session.execute(
                select(credit_accounts).where(credit_accounts.c.debtor_ref == ledger.debtor)
            )
        ).one()
        published = (
            await session.execute(
                select(outbox.c.topic, outbox.c.partition_key).where(
                    outbox.c.event_id.in_([str(e.event_id) for e in stream])
                )
            )
        ).all()
    assert (row.version, row.on_hold, row.exposure) == (len(stream), False, {"EUR": "600.00"})
    assert set(published) == {(topics.CREDIT_ACCOUNT, f"acme:{ledger.debtor}")}
    assert len(published) == len(stream)


async def test_the_same_facts_twice_change_nothing(rt: Runtime) -> None:
    ledger = Ledger()
    await ops.set_credit_limit(
        rt, "acme", ledger.debtor, "EUR", D("100.00"), requested_by="an", reason=None
    )
    invoice = ledger.issue("150.00", date(2027, 3, 1))
    payment = ledger.pay(ledger.number(invoice), "40.00", TODAY, open_after="110.00")
    # The inbox stops a redelivered envelope; these are the projection's own guarantees.
    await apply(rt, invoice, invoice, payment, payment, ledger.issue("1.00", date(2027, 3, 2)))
    stream = await account_stream(rt, "acme", ledger.debtor)
    assert types(stream).count("CreditHoldPlaced") == 1
    async with rt.db.reading() as session:
        settled = await session.scalar(
            select(func.sum(credit_settlements.c.amount)).where(
                credit_settlements.c.debtor_ref == ledger.debtor
            )
        )
    assert settled == D("40.00")


async def test_dunning_outcomes_count_and_an_escalation_holds_until_settled(rt: Runtime) -> None:
    ledger = Ledger()
    invoice = ledger.issue("800.00", date(2027, 1, 10))
    number = ledger.number(invoice)
    await apply(
        rt,
        invoice,
        ledger.overdue(number),
        ledger.dispute("DSP-1", number, date(2027, 2, 15)),
        ledger.dispute("DSP-2", number, date(2027, 2, 16)),
        ledger.resolve("DSP-1", number, date(2027, 2, 20)),
        ledger.promise_broken(date(2027, 2, 25)),
        ledger.promise_broken(date(2025, 2, 25)),  # older than the scoring window
        ledger.plan_defaulted(date(2027, 3, 1)),
        ledger.escalated(date(2027, 3, 10)),
    )
    view = await credit_account_view(rt, "acme", ledger.debtor)
    assert view is not None
    d = view.dunning
    assert (d.open_disputes, d.broken_promises, d.defaulted_plans, d.escalations) == (1, 1, 1, 1)
    assert view.account.on_hold
    assert [r.split(":")[0] for r in view.account.hold_reasons] == ["escalated_to_collection"]
    parts = {p["name"]: p for p in view.account.score_parts}
    assert parts["dunning outcomes"]["points"] == "0.00"  # 15 − 5 − 8 − 10 − 2, floored
    await apply(rt, ledger.pay(number, "800.00", TODAY))
    stream = await account_stream(rt, "acme", ledger.debtor)
    assert types(stream)[-1] == "CreditHoldLifted" or "CreditHoldLifted" in types(stream)
    view = await credit_account_view(rt, "acme", ledger.debtor)
    assert view is not None and not view.account.on_hold
    assert view.account.escalated_since is None


async def test_aging_as_of_a_past_date_ignores_later_payments(rt: Runtime) -> None:
    ledger = Ledger(tenant=f"kpi-{id(rt)}")
    jan = ledger.issue("1000.00", date(2027, 1, 5))
    feb = ledger.issue("500.00", date(2027, 2, 5))
    await apply(
        rt,
        jan,
        feb,
        ledger.pay(ledger.number(jan), "400.00", date(2027, 2, 10), open_after="600.00"),
    )
    as_of = date(2027, 2, 28)

    async def buckets(day: date) -> dict[str, str]:
        report = await kpi_report(rt, ledger.tenant, as_of=day, period_start=date(2027, 1, 1))
        (line,) = report.lines
        if line.aging is None:  # nothing open
            return {}
        return {b.label: str(b.amount) for b in line.aging.buckets if b.amount}

    before = await buckets(as_of)
    assert before == {"current": "500.00", "1-30": "600.00"}
    await apply(
        rt,
        ledger.pay(ledger.number(jan), "600.00", date(2027, 3, 10)),
        ledger.pay(ledger.number(feb), "500.00", date(2027, 3, 12)),
    )
    assert await buckets(as_of) == before
    assert await buckets(TODAY) == {}


async def test_a_reversed_payment_is_owed_again_from_the_day_of_the_reversal(
    rt: Runtime,
) -> None:
    ledger = Ledger(tenant=f"rev-{id(rt)}")
    invoice = ledger.issue("1000.00", date(2027, 1, 5))
    number = ledger.number(invoice)
    await apply(
        rt,
        invoice,
        ledger.pay(number, "1000.00", date(2027, 2, 10), source="PAY-1"),
        ledger.reverse(number, "1000.00", date(2027, 3, 1), open_after="1000.00", source="PAY-1"),
    )

    async def total(day: date) -> Decimal:
        report = await kpi_report(rt, ledger.tenant, as_of=day, period_start=date(2027, 1, 1))
        (line,) = report.lines
        return line.aging.total if line.aging else Decimal(0)

    assert await total(date(2027, 2, 9)) == D("1000.00")
    assert await total(date(2027, 2, 20)) == 0
    assert await total(date(2027, 3, 5)) == D("1000.00")
    view = await credit_account_view(rt, ledger.tenant, ledger.debtor)
    assert view is not None and view.account.exposure == {"EUR": "1000.00"}
    assert view.behaviour == []  # paid, then not: no payment behaviour to speak of


async def test_time_alone_holds_an_old_overdue_item_and_brings_the_review(rt: Runtime) -> None:
    clock = rt.clock
    assert isinstance(clock, SimulatedClock)
    ledger = Ledger()
    invoice = ledger.issue("100.00", date(2027, 2, 1))
    await apply(rt, invoice, ledger.overdue(ledger.number(invoice)))
    view = await credit_account_view(rt, "acme", ledger.debtor)
    assert view is not None and not view.account.on_hold
    due_for_review = view.account.review_due_on
    clock.set(datetime(2027, 5, 3, 9, 0, tzinfo=UTC))  # due 2027-03-03: 61 days on May 3
    assert (await rt.timekeeper.sweep_now())[-1] == date(2027, 5, 3)
    stream = await account_stream(rt, "acme", ledger.debtor)
    assert "CreditHoldPlaced" in types(stream)
    assert stream[-1].payload["reasons"][0].startswith("overdue: the oldest open item is 61 days")
    clock.set(
        datetime.combine(due_for_review, datetime.min.time(), tzinfo=UTC) + timedelta(hours=9)
    )
    await rt.timekeeper.sweep_now()
    reviews = [
        e
        for e in await account_stream(rt, "acme", ledger.debtor)
        if e.type == "credit.CreditReviewDue"
    ]
    assert [e.payload["due_on"] for e in reviews] == [due_for_review.isoformat()]


async def test_concurrent_commands_on_one_account_take_turns(rt: Runtime) -> None:
    ledger = Ledger()
    limits = [f"{n}000.00" for n in range(1, 7)]
    await asyncio.gather(
        *(
            ops.set_credit_limit(
                rt, "acme", ledger.debtor, "EUR", D(v), requested_by="an", reason=None
            )
            for v in limits
        )
    )
    stream = await account_stream(rt, "acme", ledger.debtor)
    changes = [e for e in stream if e.type == "credit.CreditLimitChanged"]
    assert len(changes) == len(limits)
    assert [e.aggregate_version for e in stream] == list(range(1, len(stream) + 1))
    previous = [c.payload["previous"] for c in changes]
    assert previous[0] is None and previous[1:] == [c.payload["limit"] for c in changes[:-1]]
    view = await credit_account_view(rt, "acme", ledger.debtor)
    assert view is not None and view.account.limits == {"EUR": changes[-1].payload["limit"]}

"""The daily dunning sweep over 1,000,000 open invoices on PostgreSQL.

``uv run python -m bench.dunning_sweep [--quick] [--invoices N]``

A fresh PostgreSQL database (dropped afterwards) gets dunning-service's migrations and, by
set-based SQL, 100,000 debtors (BE/NL × B2B/B2C) with 10 open invoices each, all in running
cases on the shipped default policies, at every level of the cadence; one in thirty has a step
due on the business date, 1 % are disputed. Then it measures, on that data:

* the sweep of the business date as the runtime runs it (the timekeeper's transaction:
  policies, holds, the one SELECT of the due items, composing one reminder per debtor and
  step with the legal packs' interest and fees, the one UPDATE advancing every due item, and
  writing the events to the event store and outbox);
* its two set-based statements alone (select due, advance), in rolled-back transactions;
* scheduling all 1,000,000 items afresh (one UPDATE), in a rolled-back transaction.

No broker is needed: the relay is not started (the outbox backlog is reported). Figures are
printed and written to ``bench/results/dunning_sweep-<timestamp>.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, date, datetime
from datetime import time as day_time
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from dunning_service.application.policies import ensure_builtin_policies
from dunning_service.application.scheduling import advance_due, schedule_new_items, select_due
from dunning_service.bootstrap import SERVICE_ROOT, definition
from dunning_service.settings import Settings
from eventkit.clock import SimulatedClock
from eventkit.db import outbox
from eventkit.migrations import upgrade
from eventkit.runtime import Runtime
from eventkit.testing.service import api_keys_for_tests

PG_SERVER = os.environ.get("BENCH_POSTGRES", "postgresql+asyncpg://postgres@127.0.0.1:5432")
RESULTS_DIR = Path(__file__).resolve().parent / "results"
TENANT = "bench"
BUSINESS_DATE = date(2026, 3, 2)
INVOICES_PER_DEBTOR = 10

SEED_SQL = [
    # 4 segments: BE B2B, BE B2C, NL B2B, NL B2C
    """
    INSERT INTO dunning_debtors (tenant_id, debtor_ref, legal_name, kind, country, language,
                                 email, updated_at)
    SELECT :tenant, 'D' || n, 'Debtor ' || n,
           CASE WHEN n % 2 = 0 THEN 'B2B' ELSE 'B2C' END,
           CASE WHEN n % 4 < 2 THEN 'BE' ELSE 'NL' END,
           'nl', 'ap' || n || '@example.test', now()
    FROM generate_series(0, :debtors - 1) AS n
    """,
    """
    INSERT INTO dunning_debtor_contacts (tenant_id, debtor_ref, phone, postal_address,
                                         enterprise_number, updated_at)
    SELECT :tenant, 'D' || n, '+32 2 555 00 00',
           CAST('["Kerkstraat 1", "1000 Brussel"]' AS JSON), NULL, now()
    FROM generate_series(0, :debtors - 1) AS n
    """,
    """
    INSERT INTO dunning_cases (tenant_id, debtor_ref, status, policy_tenant, policy_id,
                               policy_version, updated_at)
    SELECT :tenant, 'D' || n, 'active', '*',
           'default-' || CASE WHEN n % 4 < 2 THEN 'BE' ELSE 'NL' END || '_'
                      || CASE WHEN n % 2 = 0 THEN 'B2B' ELSE 'B2C' END,
           1, now()
    FROM generate_series(0, :debtors - 1) AS n
    """,
    # invoice i = debtor n × 10 + k; its level (0-4) fixes how late it is
    """
    INSERT INTO open_items (tenant_id, invoice_number, debtor_ref, issue_date, due_date,
                            currency, amount_due, open_amount, payment_reference, status,
                            overdue_since, last_event_at)
    SELECT :tenant, 'INV' || i, 'D' || (i / 10), due - 30, due, 'EUR', amount, amount,
           '+++' || i || '+++', 'open',
           CASE WHEN due < CAST(:day AS DATE) THEN due + 1 END, now()
    FROM (
        SELECT i, (100 + (i % 997) * 7)::numeric(18, 2) AS amount,
               CAST(:day AS DATE) + CASE i % 5 WHEN 0 THEN 5 WHEN 1 THEN -3 WHEN 2 THEN -17
                                              WHEN 3 THEN -24 ELSE -35 END AS due
        FROM generate_series(0, :invoices - 1) AS i
    ) AS s
    """,
    """
    INSERT INTO dunning_items (tenant_id, invoice_number, debtor_ref, due_date, currency,
                               debtor_kind, policy_tenant, policy_id, policy_version, level,
                               next_step_date, last_step_on, first_claim_on,
                               first_claim_channel, claims_sent, awaiting_approval, dispute_id)
    SELECT o.tenant_id, o.invoice_number, o.debtor_ref, o.due_date, 'EUR', d.kind,
           c.policy_tenant, c.policy_id, c.policy_version, s.i % 5,
           CAST(:day AS DATE) + ((s.i / 5) % 30),
           CASE WHEN s.i % 5 > 0 THEN o.due_date END,
           CASE WHEN s.i % 5 >= 2 THEN o.due_date + 3 END,
           CASE WHEN s.i % 5 >= 2 THEN 'email' END,
           GREATEST(s.i % 5 - 1, 0), false,
           CASE WHEN s.i % 100 = 7 THEN 'DSP' || s.i END
    FROM open_items o
    CROSS JOIN LATERAL (SELECT CAST(substr(o.invoice_number, 4) AS integer) AS i) AS s
    JOIN dunning_debtors d ON d.tenant_id = o.tenant_id AND d.debtor_ref = o.debtor_ref
    JOIN dunning_cases c ON c.tenant_id = o.tenant_id AND c.debtor_ref = o.debtor_ref
    WHERE o.tenant_id = :tenant
    """,
]


async def _timed(label: str, fn: Callable[[], Awaitable[Any]], figures: dict[str, Any]) -> Any:
    started = time.perf_counter()
    result = await fn()
    figures[label] = round(time.perf_counter() - started, 3)
    print(f"  {label:<44} {figures[label]:>9.3f} s", flush=True)
    return result


async def run(invoices: int) -> dict[str, Any]:
    debtors = max(invoices // INVOICES_PER_DEBTOR, 1)
    invoices = debtors * INVOICES_PER_DEBTOR
    name = f"bench_dunning_{uuid.uuid4().hex[:8]}"
    admin = create_async_engine(
        f"{PG_SERVER}/postgres", poolclass=NullPool, isolation_level="AUTOCOMMIT"
    )
    async with admin.connect() as conn:
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = f"{PG_SERVER}/{name}"
    figures: dict[str, Any] = {"invoices": invoices, "debtors": debtors}
    try:
        await asyncio.to_thread(upgrade, SERVICE_ROOT, url)
        clock = SimulatedClock(datetime.combine(BUSINESS_DATE, day_time(12), tzinfo=UTC))
        settings = Settings(
            database_url=url,
            kafka_bootstrap_servers="127.0.0.1:1",
            api_keys=api_keys_for_tests(),
            environment="test",
        )
        rt = Runtime(definition(), settings, roles=(), clock=clock)
        print(f"== dunning sweep: {invoices:,} open invoices, {debtors:,} debtors", flush=True)

        async def seed() -> None:
            async with rt.db.transaction() as session:
                await ensure_builtin_policies(session, clock.now())
                params = {
                    "tenant": TENANT,
                    "debtors": debtors,
                    "invoices": invoices,
                    "day": BUSINESS_DATE,
                }
                for number, statement in enumerate(SEED_SQL):
                    started = time.perf_counter()
                    await session.execute(text(statement), params)
                    figures[f"seed_{number}"] = round(time.perf_counter() - started, 3)
            async with rt.db.engine.connect() as conn:
                await conn.execution_options(isolation_level="AUTOCOMMIT")
                await conn.execute(text("VACUUM ANALYZE"))

        await _timed("seed (set-based inserts + analyze)", seed, figures)
        await rt.timekeeper.initialise()

        async def due_count() -> int:
            async with rt.db.reading() as session:
                sub = select_due(BUSINESS_DATE, lock=False).subquery()
                return int(await session.scalar(select(func.count()).select_from(sub)) or 0)

        figures["due_items"] = await _timed("SELECT due items (count)", due_count, figures)

        async def select_only() -> int:
            async with rt.db.transaction() as session:
                rows = (await session.execute(select_due(BUSINESS_DATE, lock=True))).all()
                await session.rollback()
                return len(rows)

        await _timed("SELECT due items FOR UPDATE (rows fetched)", select_only, figures)

        async def advance_only() -> int:
            async with rt.db.transaction() as session:
                moved = await advance_due(session, BUSINESS_DATE)
                await session.rollback()
                return moved

        figures["advanced_in_one_update"] = await _timed(
            "UPDATE advancing every due item (rolled back)", advance_only, figures
        )

        async def reschedule_all() -> int:
            async with rt.db.transaction() as session:
                await session.execute(text("UPDATE dunning_items SET policy_id = NULL"))
                started = time.perf_counter()
                scheduled = await schedule_new_items(session)
                figures["schedule_update_alone_s"] = round(time.perf_counter() - started, 3)
                await session.rollback()
                return scheduled

        figures["scheduled_in_one_update"] = await _timed(
            "schedule every item afresh (1 UPDATE, rolled back)", reschedule_all, figures
        )

        swept = await _timed(
            "the business day's sweep (timekeeper)", rt.timekeeper.sweep_now, figures
        )
        assert swept == [BUSINESS_DATE], swept
        async with rt.db.reading() as session:
            counts: dict[str, int] = dict(
                (
                    await session.execute(
                        text("SELECT event_type, count(*) FROM event_store GROUP BY event_type")
                    )
                ).all()
            )
            figures["outbox_backlog"] = int(
                await session.scalar(select(func.count()).select_from(outbox)) or 0
            )
            tasks = await session.scalar(text("SELECT count(*) FROM worklist_tasks"))
        figures["events"] = counts
        figures["worklist_tasks"] = int(tasks or 0)
        print(f"  events written: {counts}; worklist tasks: {tasks}", flush=True)
        await rt.db.dispose()
    finally:
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()
    return figures


def main(quick: bool = False, argv: Sequence[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="python -m bench.dunning_sweep", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="20,000 invoices")
    parser.add_argument("--invoices", type=int, default=1_000_000)
    args = parser.parse_args(argv if argv is not None else [])
    invoices = 20_000 if (quick or args.quick) else args.invoices
    figures = asyncio.run(run(invoices))
    figures["machine"] = {"python": platform.python_version(), "cpus": os.cpu_count()}
    RESULTS_DIR.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out = RESULTS_DIR / f"dunning_sweep-{stamp}.json"
    out.write_text(json.dumps(figures, indent=2, default=str))
    print(f"  results: {out}")
    return figures


if __name__ == "__main__":
    import sys

    main(argv=sys.argv[1:])

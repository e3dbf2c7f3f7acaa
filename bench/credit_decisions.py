"""Credit decisions: ``POST /v1/credit-decisions`` at a constant arrival rate (open loop: each
request is sent at its scheduled moment whether or not earlier ones have answered) against a
loaded account table, on PostgreSQL.

Everything runs on 127.0.0.1: the local broker, a fresh PostgreSQL database (dropped
afterwards) and ONE credit-service process started like devstack starts it (API, consumer,
relay, timekeeper). The account table is loaded straight into the read model — accounts with
limits, exposure, risk classes, holds and overdue items, plus their invoices — as the consumer
would have left it; the daily sweep has already run for today (on the empty table, at start).
Latency is measured from each request's *scheduled* send time to its response, so a stalled
service shows up in the figures instead of slowing the load down. Every answered decision must
be recorded: the ``credit_decisions`` rows are counted afterwards.

Figures are printed and written to ``bench/results/credit_decisions-<timestamp>.json``; the
service and broker logs land next to it.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import os
import platform
import random
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from bench.intake import (
    PG_SERVER,
    RESULTS_DIR,
    Watched,
    _create_database,
    _drop_database,
    _git_head,
    _round,
    cpu_snapshot,
    cpu_usage,
    log_findings,
    percentile,
    stop_process_group,
    tail,
)
from contracts.topics import all_topics
from credit_service.projections.tables import credit_accounts, credit_decisions, credit_invoices
from eventkit.localbroker import LocalBroker, free_port
from eventkit.settings import DEV_API_KEY, dev_api_keys_env

HOST = "127.0.0.1"
TENANT = "acme"
READY_TIMEOUT_S = 60.0
REQUEST_TIMEOUT_S = 10.0
CONNECTIONS = 64
P99_TARGET_MS = 20.0
SEED = 20261124


@dataclass(frozen=True)
class Sizes:
    accounts: int
    invoices_per_account: int
    warmup_s: float
    phases: tuple[tuple[float, float], ...]  # (requests per second, seconds)


FULL = Sizes(accounts=20_000, invoices_per_account=5, warmup_s=3.0, phases=((200, 30), (400, 10)))
QUICK = Sizes(accounts=2_000, invoices_per_account=2, warmup_s=1.0, phases=((200, 5),))


@dataclass
class Phase:
    rate: float
    seconds: float
    requests: int = 0
    ok: int = 0
    latencies_ms: list[float] = field(default_factory=list)  # from the scheduled send time
    service_ms: list[float] = field(default_factory=list)  # from the actual send time
    late_sends_ms: list[float] = field(default_factory=list)  # client behind its schedule
    outcomes: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    error_samples: list[str] = field(default_factory=list)
    elapsed_s: float = 0.0
    cpu: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        lat = sorted(self.latencies_ms)
        service = sorted(self.service_ms)
        late = sorted(self.late_sends_ms)
        return {
            "target_rate": self.rate,
            "seconds": self.seconds,
            "requests": self.requests,
            "ok": self.ok,
            "achieved_rate": _round(self.requests / self.elapsed_s if self.elapsed_s else None),
            "latency_ms": _summary(lat),
            "service_latency_ms": _summary(service),
            "send_lag_ms": {
                "p99": _round(percentile(late, 99)),
                "max": _round(late[-1] if late else None),
            },
            "outcomes": dict(self.outcomes),
            "errors": dict(self.errors),
            "error_samples": self.error_samples,
            "cpu_per_wall_second": self.cpu,
        }


def _summary(values: list[float]) -> dict[str, float | None]:
    return {
        "p50": _round(percentile(values, 50)),
        "p95": _round(percentile(values, 95)),
        "p99": _round(percentile(values, 99)),
        "max": _round(values[-1] if values else None),
        "mean": _round(sum(values) / len(values) if values else None),
    }


# --- the loaded account table -------------------------------------------------------------------


def debtor_ref(n: int) -> str:
    return f"BENCH-C{n:06d}"


def _amount(value: float) -> str:
    return format(Decimal(str(round(value, 2))).quantize(Decimal("0.01")), "f")


def account_rows(
    rng: random.Random, count: int, today: date, now: datetime
) -> list[dict[str, Any]]:
    """Accounts as the consumer leaves them: most with a EUR limit, some also USD; exposure
    around the limit; classes A–E; 5 % on hold; 15 % with an overdue item."""
    rows = []
    for n in range(count):
        limit = rng.choice((5_000, 10_000, 25_000, 50_000, 100_000))
        limits = {"EUR": _amount(limit)}
        exposure = {"EUR": _amount(limit * rng.uniform(0.0, 1.1))}
        if n % 10 == 0:
            limits["USD"] = _amount(limit / 2)
            exposure["USD"] = _amount(limit * rng.uniform(0.0, 0.5))
        overdue_since = today - timedelta(days=rng.randint(1, 90)) if n % 7 == 0 else None
        on_hold = n % 20 == 0
        rows.append(
            {
                "tenant_id": TENANT,
                "debtor_ref": debtor_ref(n),
                "version": 3,
                "limits": limits,
                "over_limit": [],
                "exposure": exposure,
                "overdue": {},
                "oldest_overdue_since": overdue_since,
                "on_hold": on_hold,
                "hold_reasons": ["manual: bench"] if on_hold else [],
                "hold_placed_by": "ops:bench" if on_hold else None,
                "hold_since": today if on_hold else None,
                "overridden": [],
                "escalated_since": None,
                "risk_class": rng.choice("AABBBCCDE"),
                "score": rng.randint(10, 95),
                "score_currency": "EUR",
                "score_parts": [],
                "scored_on": today,
                "deteriorated_on": None,
                "reviewed_on": today,
                "review_due_on": today + timedelta(days=rng.randint(30, 365)),
                "review_flagged_for": None,
                "updated_at": now,
            }
        )
    return rows


def invoice_rows(
    rng: random.Random, accounts: int, per_account: int, today: date
) -> Iterator[dict[str, Any]]:
    for n in range(accounts):
        for i in range(per_account):
            issued = today - timedelta(days=rng.randint(0, 120))
            amount = _amount(rng.uniform(100, 10_000))
            open_amount = amount if rng.random() < 0.6 else "0.00"
            yield {
                "tenant_id": TENANT,
                "invoice_number": f"BENCH-I{n:06d}-{i}",
                "debtor_ref": debtor_ref(n),
                "currency": "EUR",
                "amount_due": amount,
                "open_amount": open_amount,
                "due_date": issued + timedelta(days=30),
                "overdue_since": None,
                "issue_date": issued,
                "closed_on": None if open_amount != "0.00" else issued + timedelta(days=20),
            }


async def load_tables(database_url: str, sizes: Sizes, rng: random.Random) -> dict[str, Any]:
    engine = create_async_engine(database_url, poolclass=NullPool)
    today = datetime.now(UTC).date()
    started = time.perf_counter()
    try:
        async with engine.begin() as conn:
            rows = account_rows(rng, sizes.accounts, today, datetime.now(UTC))
            for chunk in range(0, len(rows), 2000):
                await conn.execute(insert(credit_accounts), rows[chunk : chunk + 2000])
            invoices = list(invoice_rows(rng, sizes.accounts, sizes.invoices_per_account, today))
            for chunk in range(0, len(invoices), 5000):
                await conn.execute(insert(credit_invoices), invoices[chunk : chunk + 5000])
        async with engine.begin() as conn:
            await conn.exec_driver_sql("ANALYZE")
    finally:
        await engine.dispose()
    return {
        "accounts": sizes.accounts,
        "invoices": sizes.accounts * sizes.invoices_per_account,
        "seconds": round(time.perf_counter() - started, 2),
    }


async def count_decisions(database_url: str) -> int:
    engine = create_async_engine(database_url, poolclass=NullPool)
    try:
        async with engine.connect() as conn:
            return int(await conn.scalar(select(func.count()).select_from(credit_decisions)) or 0)
    finally:
        await engine.dispose()


# --- processes -----------------------------------------------------------------------------------


@contextlib.contextmanager
def fresh_database() -> Iterator[tuple[str, str]]:
    name = f"bench_credit_{uuid.uuid4().hex[:10]}"
    version = asyncio.run(_create_database(name))
    try:
        yield f"{PG_SERVER}/{name}", version
    finally:
        asyncio.run(_drop_database(name))


@contextlib.contextmanager
def credit_service(
    database_url: str, bootstrap: str, port: int, log_path: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """One credit-service process (API, consumer, relay, timekeeper), as devstack starts it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "HTTP_"))}
    env.update(
        {
            "ENVIRONMENT": "development",
            "DATABASE_URL": database_url,
            "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
            "KAFKA_IDEMPOTENCE": "false",
            "KAFKA_SESSION_TIMEOUT_MS": "2000",
            "API_KEYS": dev_api_keys_env(),
            "HTTP_HOST": HOST,
            "HTTP_PORT": str(port),
            "CLOCK_MODE": "system",
            "LOG_JSON": "false",
        }
    )
    with log_path.open("ab") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "credit_service.entrypoints.main", "--migrate"],
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield process
    finally:
        stop_process_group(process)


def wait_ready(url: str, process: subprocess.Popen[bytes], log_path: Path) -> float:
    started = time.monotonic()
    with httpx.Client(timeout=2.0) as client:
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"credit-service exited; log tail:\n{tail(log_path)}")
            with contextlib.suppress(httpx.HTTPError):
                if client.get(url + "/ready").status_code == 200:
                    return time.monotonic() - started
            if time.monotonic() - started > READY_TIMEOUT_S:
                raise RuntimeError(
                    f"credit-service not ready in {READY_TIMEOUT_S}s:\n{tail(log_path)}"
                )
            time.sleep(0.1)


# --- load ----------------------------------------------------------------------------------------


def order(rng: random.Random, accounts: int) -> dict[str, Any]:
    """A random order: a seeded debtor (2 % unknown ones), mostly EUR, 100…20,000."""
    n = rng.randrange(accounts)
    ref = debtor_ref(n) if rng.random() >= 0.02 else f"BENCH-NEW-{rng.randrange(10**6):06d}"
    currency = "USD" if n % 10 == 0 and rng.random() < 0.5 else "EUR"
    return {
        "debtor_ref": ref,
        "amount": _amount(rng.uniform(100, 20_000)),
        "currency": currency,
        "order_ref": f"SO-{rng.randrange(10**8):08d}",
    }


async def run_phase(
    client: httpx.AsyncClient,
    base: str,
    phase: Phase | None,
    rate: float,
    seconds: float,
    rng: random.Random,
    accounts: int,
) -> None:
    """Send ``rate`` requests per second for ``seconds``, each at its scheduled moment;
    ``phase`` None = warm-up (nothing recorded)."""
    total = int(rate * seconds)
    start = time.perf_counter() + 0.05
    tasks = []

    async def one(i: int, body: dict[str, Any]) -> None:
        scheduled = start + i / rate
        sent = time.perf_counter()
        try:
            resp = await client.post(f"{base}/v1/credit-decisions", json=body)
        except httpx.HTTPError as exc:
            if phase is not None:
                phase.requests += 1
                phase.errors[type(exc).__name__] += 1
                if len(phase.error_samples) < 5:
                    phase.error_samples.append(repr(exc)[:300])
            return
        done = time.perf_counter()
        if phase is None:
            return
        phase.requests += 1
        if resp.status_code == 201:
            phase.ok += 1
            phase.latencies_ms.append((done - scheduled) * 1000)
            phase.service_ms.append((done - sent) * 1000)
            phase.late_sends_ms.append(max(0.0, (sent - scheduled) * 1000))
            phase.outcomes[resp.json()["outcome"]] += 1
        else:
            phase.errors[f"HTTP {resp.status_code}"] += 1
            if len(phase.error_samples) < 5:
                phase.error_samples.append(resp.text[:300])

    # Requests are spawned at their moment (not all up front: thousands of waiting tasks
    # would make the client itself the bottleneck).
    began = time.perf_counter()
    for i in range(total):
        delay = start + i / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(i, order(rng, accounts))))
    await asyncio.gather(*tasks)
    if phase is not None:
        phase.elapsed_s = time.perf_counter() - began


async def measure(
    base: str, watched: Watched, sizes: Sizes, phases: list[Phase], rng: random.Random
) -> None:
    limits = httpx.Limits(max_connections=CONNECTIONS, max_keepalive_connections=CONNECTIONS)
    headers = {"Authorization": f"Bearer {DEV_API_KEY}"}
    async with httpx.AsyncClient(
        headers=headers, limits=limits, timeout=httpx.Timeout(REQUEST_TIMEOUT_S, connect=5.0)
    ) as client:
        print(f"   warm-up {sizes.warmup_s:.0f}s at {sizes.phases[0][0]:.0f}/s ...", flush=True)
        await run_phase(client, base, None, sizes.phases[0][0], sizes.warmup_s, rng, sizes.accounts)
        for phase in phases:
            print(f"   {phase.rate:.0f} requests/s for {phase.seconds:.0f}s ...", flush=True)
            before = cpu_snapshot(watched)
            await run_phase(client, base, phase, phase.rate, phase.seconds, rng, sizes.accounts)
            phase.cpu = cpu_usage(before, cpu_snapshot(watched))


# --- report --------------------------------------------------------------------------------------


def _fmt(value: float | None, spec: str = ".2f") -> str:
    return "-" if value is None else format(value, spec)


def render(result: dict[str, Any]) -> str:
    env = result["environment"]
    load = result["setup"].get("loaded", {})
    out = [
        "",
        f"Credit decisions: one credit-service process, PostgreSQL {env['postgresql']}, "
        f"{load.get('accounts', '?')} accounts / {load.get('invoices', '?')} invoices loaded, "
        f"{env['cpus']} CPUs shared by client and service ({result['size']} run)",
        "load average (1 min) at start / end: "
        f"{env['loadavg_at_start'][0]:.2f} / {env['loadavg_at_end'][0]:.2f}",
        "latency = scheduled send -> response (open loop); service = actual send -> response",
        "",
        f"{'rate/s':>7}{'sent':>7}{'ok':>7}{'errors':>7}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
        f"{'max ms':>9}{'svc p99':>9}{'lag p99':>9}  outcomes",
    ]
    for p in result["phases"]:
        lat, svc = p["latency_ms"], p["service_latency_ms"]
        out.append(
            f"{p['target_rate']:>7.0f}{p['requests']:>7}{p['ok']:>7}{sum(p['errors'].values()):>7}"
            f"{_fmt(lat['p50']):>9}{_fmt(lat['p95']):>9}{_fmt(lat['p99']):>9}{_fmt(lat['max']):>9}"
            f"{_fmt(svc['p99']):>9}{_fmt(p['send_lag_ms']['p99']):>9}  "
            + ", ".join(f"{k} {v}" for k, v in sorted(p["outcomes"].items()))
        )
    out += [
        "",
        f"{'CPU per wall second':<22}{'machine':>9}{'service':>9}{'client':>8}"
        f"{'pg (ours)':>11}{'foreign':>9}",
    ]
    for p in result["phases"]:
        cpu = p["cpu_per_wall_second"]
        out.append(
            f"{p['target_rate']:>7.0f}/s{'':<13}{_fmt(cpu.get('machine_busy')):>9}"
            f"{_fmt(cpu.get('service')):>9}{_fmt(cpu.get('client')):>8}"
            f"{_fmt(cpu.get('postgres_ours')):>11}{_fmt(cpu.get('foreign')):>9}"
        )
    out += [
        "",
        f"decisions recorded: {result['recorded']} of {result['answered']} answered "
        "(warm-up included)",
        f"p99 at 200/s: {_fmt(result['p99_at_200'])} ms (target < {P99_TARGET_MS:.0f} ms): "
        + ("MET" if result["target_met"] else "NOT MET"),
    ]
    for p in result["phases"]:
        for sample in p["error_samples"]:
            out.append(f"  error sample ({p['target_rate']:.0f}/s): {sample}")
    if result.get("service_log"):
        out += ["", "service log:"]
        for marker, info in result["service_log"].items():
            out.append(f"  {marker}: {info['count']} line(s); first: {info['first'][0]}")
    if result.get("aborted"):
        out += ["", f"ABORTED: {result['aborted']}"]
    return "\n".join(out)


# --- entry point ---------------------------------------------------------------------------------


def main(quick: bool = False) -> dict[str, Any]:
    started = time.monotonic()
    sizes = QUICK if quick else FULL
    rng = random.Random(SEED)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    log_dir = RESULTS_DIR / f"credit_decisions-{stamp}-logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    service_log = log_dir / "credit-service.log"
    phases = [Phase(rate, seconds) for rate, seconds in sizes.phases]
    setup: dict[str, Any] = {}
    result: dict[str, Any] = {
        "benchmark": "credit_decisions",
        "size": "quick" if quick else "full",
        "started_at": datetime.now(UTC).isoformat(),
        "sizes": {
            "accounts": sizes.accounts,
            "invoices_per_account": sizes.invoices_per_account,
            "warmup_s": sizes.warmup_s,
            "phases": sizes.phases,
        },
        "environment": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "git_head": _git_head(),
            "postgresql": None,
            "loadavg_at_start": os.getloadavg(),
        },
        "setup": setup,
        "aborted": None,
    }
    database_url = ""
    try:
        with contextlib.ExitStack() as stack:
            broker = stack.enter_context(LocalBroker(log_path=log_dir / "broker.log"))
            broker.create_topics(all_topics())
            database_url, version = stack.enter_context(fresh_database())
            result["environment"]["postgresql"] = version
            port = free_port()
            base = f"http://{HOST}:{port}"
            process = stack.enter_context(
                credit_service(database_url, broker.bootstrap_servers, port, service_log)
            )
            watched = Watched(process.pid, broker.pid, database_url.rsplit("/", 1)[1])
            setup["seconds_until_ready"] = round(wait_ready(base, process, service_log), 3)
            print(f"   credit-service ready on {base} (pid {process.pid})", flush=True)
            setup["loaded"] = asyncio.run(load_tables(database_url, sizes, rng))
            print(f"   loaded {setup['loaded']}", flush=True)
            # The load generator's own collector pauses would count as latency: keep them short.
            gc.collect()
            gc.freeze()
            asyncio.run(measure(base, watched, sizes, phases, rng))
            result["recorded"] = asyncio.run(count_decisions(database_url))
            if process.poll() is not None:
                result["aborted"] = (
                    f"credit-service exited with {process.returncode} during the run"
                )
    except Exception as exc:
        result["aborted"] = f"{type(exc).__name__}: {exc}"
        raise
    finally:
        result["seconds_total"] = round(time.monotonic() - started, 2)
        result["environment"]["loadavg_at_end"] = os.getloadavg()
        result["phases"] = [p.as_dict() for p in phases]
        warmup = int(sizes.phases[0][0] * sizes.warmup_s)
        result["answered"] = sum(p.ok for p in phases) + warmup
        result.setdefault("recorded", None)
        at_200 = next((p for p in result["phases"] if p["target_rate"] == 200), None)
        result["p99_at_200"] = at_200["latency_ms"]["p99"] if at_200 else None
        result["target_met"] = bool(
            at_200
            and at_200["latency_ms"]["p99"] is not None
            and at_200["latency_ms"]["p99"] < P99_TARGET_MS
            and not at_200["errors"]
        )
        result["service_log"] = log_findings(service_log)
        result["logs"] = str(log_dir)
        path = RESULTS_DIR / f"credit_decisions-{stamp}.json"
        path.write_text(json.dumps(result, indent=2, default=str))
        print(render(result))
        print(f"\nresults: {path}\nlogs:    {log_dir}\ntotal:   {result['seconds_total']}s")
    return result

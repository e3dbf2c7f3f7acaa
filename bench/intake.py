"""Invoice intake: single ``POST /v1/invoices`` (1 and 8 clients) against 1,000-invoice
``POST /v1/invoices:batch`` requests, and how long the outbox relay needs to publish what each
load left behind.

Everything runs on 127.0.0.1: the local broker, a fresh PostgreSQL database (dropped
afterwards) and ONE invoice-service process started like devstack starts it. The whole run
stops by itself within about three minutes; whatever was started is stopped in ``finally``.
Figures are printed and written to ``bench/results/intake-<timestamp>.json``; the service and
broker logs of the run land next to it (``intake-<timestamp>-logs/``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import os
import platform
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from contracts.topics import all_topics
from eventkit.localbroker import LocalBroker, free_port
from eventkit.settings import DEV_API_KEY, dev_api_keys_env

HOST = "127.0.0.1"
PG_SERVER = "postgresql+asyncpg://postgres@127.0.0.1:5432"
RESULTS_DIR = Path(__file__).resolve().parent / "results"

TOTAL_BUDGET_S = 175.0  # the whole run, setup and teardown included
TEARDOWN_RESERVE_S = 20.0  # kept free for stopping the service, the broker, dropping the db
READY_TIMEOUT_S = 60.0
SINGLE_TIMEOUT_S = 30.0
BATCH_TIMEOUT_S = 60.0
STATUS_TIMEOUT_S = 10.0
SINGLE_PHASE_CAP_S = 40.0
BATCH_PHASE_CAP_S = 60.0
DRAIN_CAP_S = 30.0
MONITOR_INTERVAL_S = 0.1
DEBTORS = 100
CONCURRENT_CLIENTS = 8
SAMPLES_PER_KIND = 3
SAMPLE_CHARS = 800


@dataclass(frozen=True)
class Sizes:
    singles: int
    batches: int
    batch_size: int


FULL = Sizes(singles=1000, batches=10, batch_size=1000)
QUICK = Sizes(singles=100, batches=2, batch_size=500)


# --- results ------------------------------------------------------------------------------------


@dataclass
class Drain:
    """The outbox after a load: backlog left, time until it is 0, relay rate meanwhile."""

    max_backlog_during_load: int | None = None
    backlog_at_end_of_load: int | None = None
    seconds_to_zero: float | None = None
    drained: bool = False
    seconds_watched: float | None = None
    final_backlog: int | None = None
    published_during_drain: int | None = None
    published_for_phase: int | None = None
    relay_events_per_s: float | None = None
    status_errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class Phase:
    name: str
    label: str
    clients: int
    planned_invoices: int
    planned_requests: int
    requests: int = 0
    ok_requests: int = 0
    invoices_created: int = 0
    elapsed_s: float = 0.0
    truncated: bool = False
    latencies_ms: list[float] = field(default_factory=list)  # successful requests only
    errors: Counter[str] = field(default_factory=Counter)
    error_samples: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    item_statuses: Counter[str] = field(default_factory=Counter)  # batch items
    item_samples: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    drain: Drain = field(default_factory=Drain)
    cpu: dict[str, Any] = field(default_factory=dict)  # CPU seconds per wall second

    @property
    def invoices_per_s(self) -> float | None:
        return self.invoices_created / self.elapsed_s if self.elapsed_s > 0 else None

    def error(self, kind: str, sample: dict[str, Any]) -> None:
        self.errors[kind] += 1
        samples = self.error_samples.setdefault(kind, [])
        if len(samples) < SAMPLES_PER_KIND:
            samples.append(sample)

    def as_dict(self) -> dict[str, Any]:
        lat = sorted(self.latencies_ms)
        return {
            "name": self.name,
            "label": self.label,
            "clients": self.clients,
            "planned_invoices": self.planned_invoices,
            "planned_requests": self.planned_requests,
            "requests": self.requests,
            "ok_requests": self.ok_requests,
            "invoices_created": self.invoices_created,
            "elapsed_s": round(self.elapsed_s, 4),
            "invoices_per_s": _round(self.invoices_per_s),
            "requests_per_s": _round(self.requests / self.elapsed_s if self.elapsed_s else None),
            "latency_ms": {
                "p50": _round(percentile(lat, 50)),
                "p95": _round(percentile(lat, 95)),
                "p99": _round(percentile(lat, 99)),
                "max": _round(lat[-1] if lat else None),
                "mean": _round(sum(lat) / len(lat) if lat else None),
            },
            "truncated": self.truncated,
            "errors": dict(self.errors),
            "error_samples": self.error_samples,
            "item_statuses": dict(self.item_statuses),
            "item_samples": self.item_samples,
            "drain": self.drain.as_dict(),
            "cpu_per_wall_second": self.cpu,
        }


def percentile(sorted_values: list[float], pct: float) -> float | None:
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_values:
        return None
    rank = max(1, math.ceil(pct / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


# --- request bodies -----------------------------------------------------------------------------


def debtor_ref(n: int) -> str:
    return f"BENCH-D{n:04d}"


def debtor_body(n: int) -> dict[str, Any]:
    return {
        "legal_name": f"Bench Debtor {n:04d} BV",
        "kind": "B2B",
        "country": "BE",
        "language": "nl",
        "email": f"ap{n:04d}@bench.example",
        "payment_terms_days": 30,
    }


def invoice_body(number: str, seq: int, issue: date) -> dict[str, Any]:
    """A two-line invoice whose totals add up exactly (21 % VAT on whole euros)."""
    qty = seq % 20 + 1
    net = Decimal(10 * qty) + Decimal(100)
    amount_due = (net * Decimal("1.21")).quantize(Decimal("0.01"))
    return {
        "invoice_number": number,
        "debtor_ref": debtor_ref(seq % DEBTORS + 1),
        "issue_date": issue.isoformat(),
        "due_date": (issue + timedelta(days=30)).isoformat(),
        "currency": "EUR",
        "lines": [
            {
                "description": "Consulting",
                "quantity": str(qty),
                "unit_price": "10.00",
                "vat_rate": "21",
            },
            {"description": "Travel", "quantity": "1", "unit_price": "100.00", "vat_rate": "21"},
        ],
        "amount_due": str(amount_due),
        "po_number": f"PO-{seq:06d}",
    }


# --- processes and database ---------------------------------------------------------------------


async def _create_database(name: str) -> str:
    admin = create_async_engine(
        f"{PG_SERVER}/postgres", poolclass=NullPool, isolation_level="AUTOCOMMIT"
    )
    try:
        async with admin.connect() as conn:
            version = str(await conn.scalar(text("SHOW server_version")))
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
        return version
    finally:
        await admin.dispose()


async def _drop_database(name: str) -> None:
    admin = create_async_engine(
        f"{PG_SERVER}/postgres", poolclass=NullPool, isolation_level="AUTOCOMMIT"
    )
    try:
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        await admin.dispose()


@contextlib.contextmanager
def fresh_database() -> Iterator[tuple[str, str]]:
    """A new empty database on the local server; yields (async URL, server version)."""
    name = f"bench_intake_{uuid.uuid4().hex[:10]}"
    version = asyncio.run(_create_database(name))
    try:
        yield f"{PG_SERVER}/{name}", version
    finally:
        asyncio.run(_drop_database(name))


@contextlib.contextmanager
def invoice_service(
    database_url: str, bootstrap: str, port: int, log_path: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """One invoice-service process (API, consumers, relay, scheduler), as devstack starts it."""
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
            [sys.executable, "-m", "invoice_service.entrypoints.main", "--migrate"],
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield process
    finally:
        stop_process_group(process)


def stop_process_group(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


def wait_ready(url: str, process: subprocess.Popen[bytes], log_path: Path) -> float:
    started = time.monotonic()
    with httpx.Client(timeout=2.0) as client:
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"invoice-service exited; log tail:\n{tail(log_path)}")
            with contextlib.suppress(httpx.HTTPError):
                if client.get(url + "/ready").status_code == 200:
                    return time.monotonic() - started
            if time.monotonic() - started > READY_TIMEOUT_S:
                raise RuntimeError(
                    f"invoice-service not ready in {READY_TIMEOUT_S}s:\n{tail(log_path)}"
                )
            time.sleep(0.1)


def tail(path: Path, lines: int = 40) -> str:
    with contextlib.suppress(FileNotFoundError):
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    return "(no log)"


def log_findings(path: Path) -> dict[str, Any]:
    """ERROR/WARNING/Traceback lines of the service log (first few of each)."""
    found: dict[str, Any] = {}
    with contextlib.suppress(FileNotFoundError):
        lines = path.read_text(errors="replace").splitlines()
        for marker in ("Traceback", "ERROR", "CRITICAL", "WARNING"):
            hits = [line for line in lines if marker in line]
            if hits:
                found[marker] = {"count": len(hits), "first": [h[:400] for h in hits[:5]]}
    return found


def _clock_ticks() -> int:
    try:
        return int(os.sysconf("SC_CLK_TCK"))
    except (ValueError, OSError, AttributeError):
        return 100


def _proc_cpu(pid: int | str, ticks: int) -> tuple[str, float]:
    """(command name, utime + stime in seconds) of one process."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    comm = stat[stat.index("(") + 1 : stat.rindex(")")]
    after_comm = stat.rsplit(")", 1)[1].split()
    return comm, (int(after_comm[11]) + int(after_comm[12])) / ticks


@dataclass(frozen=True)
class Watched:
    """What the CPU accounting tells apart: the service, the broker and our database."""

    service_pid: int
    broker_pid: int | None
    database: str


def cpu_snapshot(watched: Watched) -> dict[str, float] | None:
    """CPU seconds used so far (Linux /proc; None elsewhere): the whole machine (busy), the
    service, this benchmark process, the broker, the PostgreSQL backends serving our database
    and every PostgreSQL process (the server is shared). Processes that ended in between are
    not counted, so the per-process figures are lower bounds."""
    try:
        ticks = _clock_ticks()
        values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:9]]
        idle = values[3] + values[4]  # idle + iowait
        snap = {"machine_busy": (sum(values) - idle) / ticks, "postgres_ours": 0.0}
        snap["postgres_all"] = 0.0
        snap["service"] = _proc_cpu(watched.service_pid, ticks)[1]
        snap["broker"] = 0.0
        if watched.broker_pid is not None:
            with contextlib.suppress(OSError):
                snap["broker"] = _proc_cpu(watched.broker_pid, ticks)[1]
    except (OSError, ValueError, IndexError):
        return None
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, ValueError, IndexError):
            comm, used = _proc_cpu(entry.name, ticks)
            if comm != "postgres":
                continue
            snap["postgres_all"] += used
            title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            if f" {watched.database} " in title:
                snap["postgres_ours"] += used
    me = os.times()
    snap["client"] = me.user + me.system
    snap["wall"] = time.monotonic()
    return snap


def cpu_usage(before: dict[str, float] | None, after: dict[str, float] | None) -> dict[str, Any]:
    """CPU seconds per second of wall time during a phase. ``foreign`` is what the machine
    spent beyond the service, this client, the broker and PostgreSQL serving our database:
    other PostgreSQL work and unrelated processes. A high value means that row is distorted."""
    if before is None or after is None or after["wall"] <= before["wall"]:
        return {}
    wall = after["wall"] - before["wall"]
    keys = ("machine_busy", "service", "client", "broker", "postgres_ours", "postgres_all")
    used = {k: (after[k] - before[k]) / wall for k in keys}
    ours = used["service"] + used["client"] + used["broker"] + used["postgres_ours"]
    used["foreign"] = max(0.0, used["machine_busy"] - ours)
    return {k: round(v, 2) for k, v in used.items()}


# --- load ---------------------------------------------------------------------------------------


def _headers() -> dict[str, str]:
    return {"Authorization": f"Bearer {DEV_API_KEY}"}


def _client(timeout: float) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        headers=_headers(),
        timeout=httpx.Timeout(timeout, connect=5.0),
        limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
    )


def _sample(resp: httpx.Response | None, exc: BaseException | None, **where: Any) -> dict[str, Any]:
    sample: dict[str, Any] = dict(where)
    if resp is not None:
        sample["status"] = resp.status_code
        sample["body"] = resp.text[:SAMPLE_CHARS]
    if exc is not None:
        sample["exception"] = f"{type(exc).__name__}: {exc!r}"[:SAMPLE_CHARS]
    return sample


async def register_debtors(base: str) -> dict[str, Any]:
    started = time.perf_counter()
    failures: list[dict[str, Any]] = []
    async with _client(SINGLE_TIMEOUT_S) as client:
        for n in range(1, DEBTORS + 1):
            resp = await client.put(f"{base}/v1/debtors/{debtor_ref(n)}", json=debtor_body(n))
            if resp.status_code not in (200, 201):
                failures.append(_sample(resp, None, debtor=debtor_ref(n)))
    if failures:
        raise RuntimeError(f"{len(failures)} debtors could not be registered: {failures[:3]}")
    return {"debtors": DEBTORS, "seconds": round(time.perf_counter() - started, 3)}


async def outbox_status(client: httpx.AsyncClient, base: str) -> tuple[int, int]:
    resp = await client.get(f"{base}/v1/admin/status", timeout=STATUS_TIMEOUT_S)
    resp.raise_for_status()
    outbox = resp.json()["outbox"]
    return int(outbox["backlog"]), int(outbox["published"])


async def run_singles(
    base: str, phase: Phase, bodies: list[dict[str, Any]], deadline: float
) -> None:
    """``phase.clients`` workers, each on its own connection, post the bodies one by one."""
    queue = iter(enumerate(bodies))

    async def worker() -> None:
        async with _client(SINGLE_TIMEOUT_S) as client:
            for i, body in queue:
                if time.monotonic() >= deadline:
                    phase.truncated = True
                    return
                t0 = time.perf_counter()
                resp: httpx.Response | None = None
                try:
                    resp = await client.post(f"{base}/v1/invoices", json=body)
                except httpx.HTTPError as exc:
                    phase.requests += 1
                    phase.error(type(exc).__name__, _sample(None, exc, item=i, after_ms=_ms(t0)))
                    continue
                ms = _ms(t0)
                phase.requests += 1
                if resp.status_code == 201:
                    phase.ok_requests += 1
                    phase.invoices_created += 1
                    phase.latencies_ms.append(ms)
                else:
                    phase.error(
                        f"HTTP {resp.status_code}", _sample(resp, None, item=i, after_ms=ms)
                    )

    started = time.perf_counter()
    try:
        await asyncio.gather(*(worker() for _ in range(phase.clients)))
    except asyncio.CancelledError:
        phase.truncated = True
        raise
    finally:
        phase.elapsed_s = time.perf_counter() - started


async def run_batches(
    base: str, phase: Phase, batches: list[list[dict[str, Any]]], deadline: float
) -> None:
    started = time.perf_counter()
    try:
        await _post_batches(base, phase, batches, deadline)
    except asyncio.CancelledError:
        phase.truncated = True
        raise
    finally:
        phase.elapsed_s = time.perf_counter() - started


async def _post_batches(
    base: str, phase: Phase, batches: list[list[dict[str, Any]]], deadline: float
) -> None:
    async with _client(BATCH_TIMEOUT_S) as client:
        for b, batch in enumerate(batches):
            if time.monotonic() >= deadline:
                phase.truncated = True
                break
            t0 = time.perf_counter()
            try:
                resp = await client.post(f"{base}/v1/invoices:batch", json={"invoices": batch})
            except httpx.HTTPError as exc:
                phase.requests += 1
                phase.error(type(exc).__name__, _sample(None, exc, batch=b, after_ms=_ms(t0)))
                continue
            ms = _ms(t0)
            phase.requests += 1
            if resp.status_code != 200:
                phase.error(f"HTTP {resp.status_code}", _sample(resp, None, batch=b, after_ms=ms))
                continue
            payload = resp.json()
            phase.ok_requests += 1
            phase.latencies_ms.append(ms)
            phase.item_statuses.update(payload.get("summary", {}))
            phase.invoices_created += int(payload.get("summary", {}).get("created", 0))
            for result in payload.get("results", []):
                status = str(result.get("status"))
                if status != "created":
                    samples = phase.item_samples.setdefault(status, [])
                    if len(samples) < SAMPLES_PER_KIND:
                        samples.append({"batch": b, **result})


async def drain_outbox(base: str, cap_s: float, published_at_start: int | None) -> Drain:
    """Poll the admin status until the outbox backlog is 0 (or ``cap_s`` has passed)."""
    drain = Drain()
    async with httpx.AsyncClient(headers=_headers()) as client:
        started = time.perf_counter()
        try:
            backlog, published0 = await outbox_status(client, base)
        except (httpx.HTTPError, KeyError, ValueError) as exc:
            drain.status_errors.append(f"{type(exc).__name__}: {exc}")
            return drain
        drain.backlog_at_end_of_load = backlog
        published = published0
        while backlog > 0 and time.perf_counter() - started < cap_s:
            await asyncio.sleep(0.05)
            try:
                backlog, published = await outbox_status(client, base)
            except (httpx.HTTPError, KeyError, ValueError) as exc:
                drain.status_errors.append(f"{type(exc).__name__}: {exc}")
        elapsed = time.perf_counter() - started
        drain.final_backlog = backlog
        drain.seconds_watched = round(elapsed, 3)
        drain.drained = backlog == 0
        drain.seconds_to_zero = round(elapsed, 3) if drain.drained else None
        drain.published_during_drain = published - published0
        if published_at_start is not None:
            drain.published_for_phase = published - published_at_start
        if drain.published_during_drain and elapsed > 0:
            drain.relay_events_per_s = round(drain.published_during_drain / elapsed, 1)
    return drain


async def published_now(base: str) -> int | None:
    async with httpx.AsyncClient(headers=_headers()) as client:
        with contextlib.suppress(httpx.HTTPError, KeyError, ValueError):
            return (await outbox_status(client, base))[1]
    return None


def _ms(t0: float) -> float:
    return (time.perf_counter() - t0) * 1000


async def monitor_backlog(base: str, drain: Drain, stop: asyncio.Event) -> None:
    """During the load: the largest outbox backlog seen (polled every ``MONITOR_INTERVAL_S``)."""
    async with httpx.AsyncClient(headers=_headers()) as client:
        while not stop.is_set():
            try:
                backlog, _ = await outbox_status(client, base)
                drain.max_backlog_during_load = max(drain.max_backlog_during_load or 0, backlog)
            except (httpx.HTTPError, KeyError, ValueError) as exc:
                drain.status_errors.append(f"during load: {type(exc).__name__}: {exc}")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), MONITOR_INTERVAL_S)


async def measure(
    base: str,
    watched: Watched,
    sizes: Sizes,
    load_deadline: float,
    phases: list[Phase],
    setup: dict[str, Any],
) -> None:
    issue = datetime.now(UTC).date()
    setup["debtor_registration"] = await register_debtors(base)
    setup["drain_after_debtors"] = (await drain_outbox(base, DRAIN_CAP_S, None)).as_dict()

    single1, single8, batch = phases
    singles1 = [invoice_body(f"BENCH-S1-{i:06d}", i, issue) for i in range(sizes.singles)]
    singles8 = [invoice_body(f"BENCH-S8-{i:06d}", i, issue) for i in range(sizes.singles)]
    batches = [
        [
            invoice_body(f"BENCH-B{b:02d}-{i:05d}", b * sizes.batch_size + i, issue)
            for i in range(sizes.batch_size)
        ]
        for b in range(sizes.batches)
    ]
    plan: list[tuple[Phase, Callable[[float], Coroutine[Any, Any, None]], float]] = [
        (single1, lambda d: run_singles(base, single1, singles1, d), SINGLE_PHASE_CAP_S),
        (single8, lambda d: run_singles(base, single8, singles8, d), SINGLE_PHASE_CAP_S),
        (batch, lambda d: run_batches(base, batch, batches, d), BATCH_PHASE_CAP_S),
    ]
    for phase, load, cap in plan:
        if time.monotonic() >= load_deadline:
            phase.truncated = True
            continue
        print(f"   {phase.label}, {phase.clients} client(s) ...", flush=True)
        published0 = await published_now(base)
        seen = Drain()
        stop = asyncio.Event()
        monitor = asyncio.create_task(monitor_backlog(base, seen, stop))
        cpu_before = cpu_snapshot(watched)
        try:
            await load(min(load_deadline, time.monotonic() + cap))
        finally:
            phase.cpu = cpu_usage(cpu_before, cpu_snapshot(watched))
            stop.set()
            await monitor
        cap_drain = min(DRAIN_CAP_S, max(1.0, load_deadline - time.monotonic()))
        phase.drain = await drain_outbox(base, cap_drain, published0)
        phase.drain.max_backlog_during_load = max(
            seen.max_backlog_during_load or 0, phase.drain.backlog_at_end_of_load or 0
        )
        phase.drain.status_errors[:0] = seen.status_errors


# --- report -------------------------------------------------------------------------------------


def _fmt(value: float | int | None, spec: str = ".1f") -> str:
    return "-" if value is None else format(value, spec)


def render(result: dict[str, Any]) -> str:
    phases: list[dict[str, Any]] = result["phases"]
    env = result["environment"]
    out = [
        "",
        f"Invoice intake: one invoice-service process, PostgreSQL {env['postgresql']}, local "
        f"broker, {env['cpus']} CPUs shared by client and service ({result['size']} run)",
        "load average (1 min) at start / end: "
        f"{env['loadavg_at_start'][0]:.2f} / {env['loadavg_at_end'][0]:.2f}",
        "",
        f"{'mode':<26}{'clients':>8}{'invoices':>10}{'requests':>10}{'errors':>8}"
        f"{'elapsed s':>11}{'invoices/s':>12}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}",
    ]
    for p in phases:
        lat = p["latency_ms"]
        errors = sum(p["errors"].values())
        out.append(
            f"{p['label']:<26}{p['clients']:>8}{p['invoices_created']:>10}{p['requests']:>10}"
            f"{errors:>8}{_fmt(p['elapsed_s'], '.2f'):>11}{_fmt(p['invoices_per_s']):>12}"
            f"{_fmt(lat['p50']):>9}{_fmt(lat['p95']):>9}{_fmt(lat['max']):>9}"
            + ("  (truncated)" if p["truncated"] else "")
        )
    ratios = result["ratios"]
    out += [
        "",
        f"batch/single throughput: {_fmt(ratios['batch_vs_single_1_client'])}x vs 1 client, "
        f"{_fmt(ratios['batch_vs_single_8_clients'])}x vs {CONCURRENT_CLIENTS} clients",
        "",
        f"{'outbox (relay)':<26}{'clients':>8}{'max backlog':>13}{'at end':>8}{'to 0 s':>8}"
        f"{'events':>8}{'ev/inv':>8}{'ev/s drain':>12}{'ev/s phase':>12}",
    ]
    for p in phases:
        d = p["drain"]
        events = d["published_for_phase"]
        per_invoice = events / p["invoices_created"] if events and p["invoices_created"] else None
        span = p["elapsed_s"] + (d["seconds_watched"] or 0)
        overall = events / span if events and span else None
        to_zero = _fmt(d["seconds_to_zero"], ".2f") if d["drained"] else "not yet"
        if d["seconds_watched"] is None:
            to_zero = "-"
        out.append(
            f"{p['label']:<26}{p['clients']:>8}{_fmt(d['max_backlog_during_load'], 'd'):>13}"
            f"{_fmt(d['backlog_at_end_of_load'], 'd'):>8}{to_zero:>8}{_fmt(events, 'd'):>8}"
            f"{_fmt(per_invoice, '.2f'):>8}{_fmt(d['relay_events_per_s']):>12}{_fmt(overall):>12}"
        )
    out.append(
        "  max backlog = largest unpublished outbox count seen during the load (polled every "
        f"{MONITOR_INTERVAL_S}s); at end = when the\n  last response arrived; to 0 s = from then "
        "until backlog 0; events = published from phase start until drained;\n  ev/s drain = "
        "published after the load / time to 0; ev/s phase = events / (load + drain time)"
    )
    out += [
        "",
        f"{'CPU during the load':<26}{'clients':>8}{'machine':>9}{'service':>9}{'client':>8}"
        f"{'pg (ours)':>11}{'broker':>8}{'foreign':>9}",
    ]
    for p in phases:
        cpu = p["cpu_per_wall_second"]
        out.append(
            f"{p['label']:<26}{p['clients']:>8}{_fmt(cpu.get('machine_busy'), '.2f'):>9}"
            f"{_fmt(cpu.get('service'), '.2f'):>9}{_fmt(cpu.get('client'), '.2f'):>8}"
            f"{_fmt(cpu.get('postgres_ours'), '.2f'):>11}{_fmt(cpu.get('broker'), '.2f'):>8}"
            f"{_fmt(cpu.get('foreign'), '.2f'):>9}"
        )
    out.append(
        f"  CPU seconds per wall second (the machine has {env['cpus']}); pg (ours) = PostgreSQL "
        "backends of the benchmark database;\n  foreign = everything else that ran meanwhile "
        "(other databases' work, unrelated processes): a high value distorts that row"
    )
    problems = [p for p in phases if p["errors"] or set(p["item_statuses"]) - {"created"}]
    if problems:
        out += ["", "ERRORS"]
        for p in problems:
            for kind, count in p["errors"].items():
                out.append(f"  {p['label']} ({p['clients']} client(s)): {kind} x{count}")
                for sample in p["error_samples"].get(kind, []):
                    out.append(f"    {json.dumps(sample)[:SAMPLE_CHARS]}")
            for status, count in p["item_statuses"].items():
                if status != "created":
                    out.append(f"  {p['label']}: batch items {status} x{count}")
                    for sample in p["item_samples"].get(status, []):
                        out.append(f"    {json.dumps(sample)[:SAMPLE_CHARS]}")
    if result.get("service_log"):
        out += ["", "service log:"]
        for marker, info in result["service_log"].items():
            out.append(f"  {marker}: {info['count']} line(s); first: {info['first'][0]}")
    if result.get("aborted"):
        out += ["", f"ABORTED: {result['aborted']}"]
    return "\n".join(out)


def _git_head() -> str | None:
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        done = subprocess.run(
            ["git", "rev-parse", "HEAD"],  # noqa: S607 - git from PATH, read-only
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
            cwd=Path(__file__).resolve().parent,
        )
        return done.stdout.strip()
    return None


# --- entry point --------------------------------------------------------------------------------


def main(quick: bool = False) -> dict[str, Any]:
    started = time.monotonic()
    load_deadline = started + TOTAL_BUDGET_S - TEARDOWN_RESERVE_S
    sizes = QUICK if quick else FULL
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    log_dir = RESULTS_DIR / f"intake-{stamp}-logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    service_log = log_dir / "invoice-service.log"

    phases = [
        Phase("single_1", "single POST", 1, sizes.singles, sizes.singles),
        Phase("single_8", "single POST", CONCURRENT_CLIENTS, sizes.singles, sizes.singles),
        Phase(
            "batch",
            f"batch of {sizes.batch_size} (:batch)",
            1,
            sizes.batches * sizes.batch_size,
            sizes.batches,
        ),
    ]
    setup: dict[str, Any] = {}
    result: dict[str, Any] = {
        "benchmark": "intake",
        "size": "quick" if quick else "full",
        "started_at": datetime.now(UTC).isoformat(),
        "sizes": sizes.__dict__,
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
    try:
        with contextlib.ExitStack() as stack:
            broker = stack.enter_context(LocalBroker(log_path=log_dir / "broker.log"))
            broker.create_topics(all_topics())
            database_url, version = stack.enter_context(fresh_database())
            result["environment"]["postgresql"] = version
            port = free_port()
            base = f"http://{HOST}:{port}"
            process = stack.enter_context(
                invoice_service(database_url, broker.bootstrap_servers, port, service_log)
            )
            watched = Watched(process.pid, broker.pid, database_url.rsplit("/", 1)[1])
            setup["seconds_until_ready"] = round(wait_ready(base, process, service_log), 3)
            print(f"   invoice-service ready on {base} (pid {process.pid})", flush=True)
            try:
                asyncio.run(
                    _bounded(
                        measure(base, watched, sizes, load_deadline, phases, setup),
                        load_deadline,
                    )
                )
            except TimeoutError:
                result["aborted"] = (
                    f"time budget of {TOTAL_BUDGET_S:.0f}s exhausted during the load"
                )
            if process.poll() is not None:
                result["aborted"] = (
                    f"invoice-service exited with {process.returncode} during the run"
                )
    except Exception as exc:
        result["aborted"] = f"{type(exc).__name__}: {exc}"
        raise
    finally:
        result["seconds_total"] = round(time.monotonic() - started, 2)
        result["environment"]["loadavg_at_end"] = os.getloadavg()
        result["phases"] = [p.as_dict() for p in phases]
        single1, single8, batch = (p.invoices_per_s for p in phases)
        result["ratios"] = {
            "batch_vs_single_1_client": _round(batch / single1 if batch and single1 else None),
            "batch_vs_single_8_clients": _round(batch / single8 if batch and single8 else None),
        }
        result["service_log"] = log_findings(service_log)
        result["logs"] = str(log_dir)
        path = RESULTS_DIR / f"intake-{stamp}.json"
        path.write_text(json.dumps(result, indent=2, default=str))
        print(render(result))
        print(f"\nresults: {path}\nlogs:    {log_dir}\ntotal:   {result['seconds_total']}s")
    return result


async def _bounded(coro: Coroutine[Any, Any, None], deadline: float) -> None:
    async with asyncio.timeout(max(1.0, deadline - time.monotonic())):
        await coro

"""``devstack``: run the whole system locally (``make run``) and move simulated time."""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from devstack.clock import advance_clock
from devstack.console import CONSOLE_PORT, ensure_console_built
from devstack.demo import DEMO_START, load_demo
from devstack.stack import SERVICES, Stack, StackOptions
from eventkit.settings import DEV_API_KEY


def _say(text: str = "") -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def banner(stack: Stack, seconds: float) -> None:
    o = stack.options
    _say(f"\nCredit management is up in {seconds:.1f} s (clock: {o.clock_mode}).\n")
    for spec in SERVICES:
        url = stack.url(spec.name)
        _say(f"  {spec.name:<22} {url}   docs: {url}/docs")
    _say(f"  {'Kafka-protocol broker':<22} {stack.broker.bootstrap_servers}")
    _say(f"  {'SMTP sink':<22} {o.host}:{stack.smtp.port}   mail kept in {o.data_dir / 'mail'}")
    _say(f"  {'logs':<22} {o.data_dir / 'logs'}")
    if stack.console is not None:
        _say(f"\n  {'ops console':<22} {stack.console.url}   (development key prefilled)")
    inv = stack.url("invoice-service")
    dun = stack.url("dunning-service")
    _say(f"\nDevelopment API key (tenant 'acme', every scope): {DEV_API_KEY}\n")
    _say("Try it:")
    _say(f"  export KEY={DEV_API_KEY}")
    _say(
        f'  curl -s -X PUT {inv}/v1/debtors/D-1001 -H "Authorization: Bearer $KEY" '
        '-H \'Content-Type: application/json\' -d \'{"legal_name": "Brouwerij Janssens BV", '
        '"kind": "B2B", "country": "BE", "language": "nl", '
        '"email": "ap@janssens.example"}\''
    )
    _say(
        f'  curl -s -X POST {inv}/v1/invoices -H "Authorization: Bearer $KEY" '
        '-H \'Content-Type: application/json\' -d \'{"invoice_number": "INV-2026-0001", '
        '"debtor_ref": "D-1001", "issue_date": "2026-11-02", "due_date": '
        '"2026-12-02", "currency": "EUR", "lines": [{"description": "Hops", '
        '"quantity": "10", "unit_price": "100.00", "vat_rate": "21"}], '
        '"amount_due": "1210.00"}\''
    )
    _say(f'  curl -s {dun}/v1/debtors/D-1001/open-items -H "Authorization: Bearer $KEY"')
    _say("\nPress Ctrl-C to stop everything.")


def cmd_run(args: argparse.Namespace) -> int:
    data_dir = Path(args.data_dir).resolve()
    start = None
    if args.demo and args.clock != "simulated":
        args.clock, args.start = "simulated", args.start or DEMO_START.isoformat()
    if args.clock == "simulated":
        start = datetime.fromisoformat(args.start) if args.start else datetime.now(UTC)
    options = StackOptions(
        data_dir=data_dir,
        clock_mode=args.clock,
        simulated_start=start,
        broker_port=args.broker_port,
        smtp_port=args.smtp_port,
        console=not args.no_console,
        console_port=args.console_port + args.port_offset,
        ports={spec.name: spec.port + args.port_offset for spec in SERVICES},
    )
    stack = Stack(options)
    stopping = threading.Event()

    def on_signal(signum: int, _frame: object) -> None:
        stopping.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    began = time.monotonic()
    try:
        stack.start(timeout=args.timeout)
        banner(stack, time.monotonic() - began)
        if args.demo:
            _say("Loading the demo book and moving the clock 40 days…")
            load_demo({name: svc.url for name, svc in stack.services.items()})
            _say("Demo loaded.")
        while not stopping.is_set():
            for name, svc in stack.services.items():
                if svc.process.poll() is not None:
                    _say(f"{name} stopped unexpectedly; see {svc.log_path}")
                    stopping.set()
            stopping.wait(1.0)
    finally:
        _say("Stopping…")
        stack.stop()
        _say("Stopped.")
    return 0


def cmd_clock(args: argparse.Namespace) -> int:
    state_file = Path(args.data_dir) / "stack.json"
    if not state_file.exists():
        _say(f"no running stack found ({state_file} is missing); start it with 'make run'")
        return 2
    state = json.loads(state_file.read_text())
    invoice_url = state["services"]["invoice-service"]
    with httpx.Client() as client:
        status = client.get(
            invoice_url + "/v1/admin/status", headers={"Authorization": f"Bearer {DEV_API_KEY}"}
        ).json()
    now = datetime.fromisoformat(status["clock"]["now"])
    target = datetime.fromisoformat(args.to) if args.to else now + timedelta(days=args.days)
    if target.tzinfo is None:
        target = target.replace(tzinfo=UTC)
    asyncio.run(advance_clock(state["bootstrap_servers"], target))
    _say(f"clock advanced from {now.isoformat()} to {target.isoformat()}")
    return 0


def cmd_check_events(args: argparse.Namespace) -> int:
    from devstack.conformance import check_broker

    state_file = Path(args.data_dir) / "stack.json"
    if not state_file.exists():
        _say(f"no running stack found ({state_file} is missing); start it with 'make run'")
        return 2
    report = check_broker(json.loads(state_file.read_text())["bootstrap_servers"])
    for problem in report.problems:
        _say(problem)
    _say(report.summary())
    for name, count in sorted(report.events.items()):
        _say(f"  {name:<45} {count}")
    return 1 if report.problems else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="devstack", description=__doc__)
    parser.add_argument("--data-dir", default=".data", help="where databases, logs and mail go")
    sub = parser.add_subparsers(dest="command")
    run = sub.add_parser("run", help="start the whole system (the default)")
    run.add_argument("--clock", choices=["system", "simulated"], default="system")
    run.add_argument("--start", help="simulated start time (ISO 8601), default now")
    run.add_argument("--broker-port", type=int, default=None)
    run.add_argument("--smtp-port", type=int, default=None)
    run.add_argument("--timeout", type=float, default=60.0)
    run.add_argument(
        "--demo",
        action="store_true",
        help="simulated time from 2026-01-05, six debtors and their invoices, 40 days moved",
    )
    run.add_argument("--no-console", action="store_true", help="do not build or serve the console")
    run.add_argument("--console-port", type=int, default=CONSOLE_PORT)
    run.add_argument(
        "--port-offset",
        type=int,
        default=0,
        help="add this to every port (console 8000, services 8001-8004): a second stack",
    )
    clock = sub.add_parser("clock", help="advance simulated time of a running stack")
    group = clock.add_mutually_exclusive_group(required=True)
    group.add_argument("--days", type=int)
    group.add_argument("--to", help="ISO 8601 moment")
    sub.add_parser("build-console", help="install and build the ops console, each only when needed")
    sub.add_parser(
        "check-events",
        help="check every event on the running stack's topics against the committed schemas",
    )
    args = parser.parse_args(argv)
    if args.command == "clock":
        return cmd_clock(args)
    if args.command == "check-events":
        return cmd_check_events(args)
    if args.command == "build-console":
        began = time.monotonic()
        outcome = ensure_console_built()
        done = [w for w, did in (("npm ci", outcome.installed), ("build", outcome.built)) if did]
        _say(
            f"ops console {'(' + ' + '.join(done) + ')' if done else 'up to date'} in "
            f"{time.monotonic() - began:.1f} s: {outcome.dist}"
        )
        return 0
    if args.command is None:
        args = parser.parse_args([*(argv or sys.argv[1:]), "run"])
    return cmd_run(args)


if __name__ == "__main__":
    raise SystemExit(main())

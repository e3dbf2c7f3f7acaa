"""The whole system on one machine: broker, SMTP sink and the four services as processes.

Used by ``make run`` and by the end-to-end tests (which need real processes)."""

from __future__ import annotations

import concurrent.futures
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import httpx

from contracts.topics import all_topics
from devstack.console import (
    CONSOLE_PORT,
    BuildOutcome,
    ConsoleServer,
    console_config,
    ensure_console_built,
)
from devstack.smtp import SmtpSink
from eventkit.localbroker import LocalBroker, free_port
from eventkit.settings import DEV_API_KEY, dev_api_keys_env


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    package: str
    port: int

    @property
    def short(self) -> str:
        return self.name.removesuffix("-service")


SERVICES: tuple[ServiceSpec, ...] = (
    ServiceSpec("invoice-service", "invoice_service", 8001),
    ServiceSpec("dunning-service", "dunning_service", 8002),
    ServiceSpec("credit-service", "credit_service", 8003),
    ServiceSpec("notification-service", "notification_service", 8004),
)


@dataclass
class StackOptions:
    data_dir: Path
    host: str = "127.0.0.1"
    ports: Mapping[str, int] = field(default_factory=lambda: {s.name: s.port for s in SERVICES})
    broker_port: int | None = None
    smtp_port: int | None = None
    clock_mode: str = "system"
    simulated_start: datetime | None = None
    database_urls: Mapping[str, str] = field(default_factory=dict)
    api_keys: str = field(default_factory=dev_api_keys_env)
    log_json: bool = False
    extra_env: Mapping[str, str] = field(default_factory=dict)
    # The ops console: built when needed and served on this port (0: a free one); the services
    # then allow its origin (CORS) and nothing else.
    console: bool = False
    console_port: int = CONSOLE_PORT
    console_dir: Path | None = None


@dataclass
class RunningService:
    spec: ServiceSpec
    url: str
    process: subprocess.Popen[bytes]
    log_path: Path


class Stack:
    def __init__(self, options: StackOptions) -> None:
        self.options = options
        self.broker = LocalBroker(
            port=options.broker_port, log_path=options.data_dir / "logs" / "broker.log"
        )
        self.smtp = SmtpSink(
            host=options.host, port=options.smtp_port or 0, maildir=options.data_dir / "mail"
        )
        self.services: dict[str, RunningService] = {}
        self.console: ConsoleServer | None = None
        self.console_build: BuildOutcome | None = None
        self._console_port = (options.console_port or free_port()) if options.console else None

    @property
    def console_origin(self) -> str | None:
        if self._console_port is None:
            return None
        return f"http://{self.options.host}:{self._console_port}"

    def url(self, service: str) -> str:
        return self.services[service].url

    def database_url(self, spec: ServiceSpec) -> str:
        default = f"sqlite+aiosqlite:///{self.options.data_dir / 'db' / f'{spec.short}.db'}"
        return self.options.database_urls.get(spec.name, default)

    def env_for(self, spec: ServiceSpec) -> dict[str, str]:
        o = self.options
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "HTTP_"))}
        env.update(
            {
                "ENVIRONMENT": "development",
                "DATABASE_URL": self.database_url(spec),
                "KAFKA_BOOTSTRAP_SERVERS": self.broker.bootstrap_servers,
                "KAFKA_IDEMPOTENCE": "false",
                "KAFKA_SESSION_TIMEOUT_MS": "2000",
                "API_KEYS": o.api_keys,
                "HTTP_HOST": o.host,
                "HTTP_PORT": str(o.ports[spec.name]),
                "CLOCK_MODE": o.clock_mode,
                "LOG_JSON": "true" if o.log_json else "false",
                "RELAY_POLL_SECONDS": "0.1",
                "SMTP_HOST": o.host,
                "SMTP_PORT": str(self.smtp.port),
            }
        )
        if o.simulated_start is not None:
            env["SIMULATED_START"] = o.simulated_start.isoformat()
        if self.console_origin is not None:
            env["CORS_ALLOWED_ORIGINS"] = self.console_origin
        env.update(o.extra_env)
        return env

    def start(self, timeout: float = 60.0) -> None:
        (self.options.data_dir / "logs").mkdir(parents=True, exist_ok=True)
        (self.options.data_dir / "db").mkdir(parents=True, exist_ok=True)
        self.broker.start()
        self.broker.create_topics(all_topics())
        self.smtp.start()
        builder: concurrent.futures.Future[BuildOutcome] | None = None
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
            if self.options.console:  # built while the services start
                builder = pool.submit(ensure_console_built, self.options.console_dir)
            for spec in SERVICES:
                self.start_service(spec)
            self.wait_ready(timeout)
            if builder is not None:
                self.console_build = builder.result()
        if self.console_build is not None:
            self.start_console(self.console_build.dist)
        self._write_state()

    def start_console(self, dist: Path) -> ConsoleServer:
        assert self._console_port is not None  # noqa: S101 - only called with a console
        api_key = DEV_API_KEY if self.options.api_keys == dev_api_keys_env() else None
        self.console = ConsoleServer(
            dist,
            console_config(
                {name: svc.url for name, svc in self.services.items()},
                environment="development",
                clock_mode=self.options.clock_mode,
                api_key=api_key,
            ),
            host=self.options.host,
            port=self._console_port,
        )
        self.console.start()
        return self.console

    def start_service(self, spec: ServiceSpec) -> RunningService:
        log_path = self.options.data_dir / "logs" / f"{spec.short}.log"
        log_file = log_path.open("ab")
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", f"{spec.package}.entrypoints.main", "--migrate"],
            env=self.env_for(spec),
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log_file.close()
        url = f"http://{self.options.host}:{self.options.ports[spec.name]}"
        running = RunningService(spec, url, process, log_path)
        self.services[spec.name] = running
        return running

    def wait_ready(self, timeout: float = 60.0, names: list[str] | None = None) -> None:
        deadline = time.monotonic() + timeout
        pending = list(names or self.services)
        with httpx.Client(timeout=2.0) as client:
            while pending:
                name = pending[0]
                svc = self.services[name]
                if svc.process.poll() is not None:
                    raise RuntimeError(f"{name} exited; log tail:\n{_tail(svc.log_path)}")
                with contextlib.suppress(httpx.HTTPError):
                    if client.get(svc.url + "/ready").status_code == 200:
                        pending.pop(0)
                        continue
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{name} not ready in {timeout}s:\n{_tail(svc.log_path)}")
                time.sleep(0.1)

    def stop_service(self, name: str, *, kill: bool = False) -> None:
        svc = self.services[name]
        if svc.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(svc.process.pid, signal.SIGKILL if kill else signal.SIGTERM)
            try:
                svc.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(svc.process.pid, signal.SIGKILL)
                svc.process.wait(timeout=5)

    def stop(self) -> None:
        if self.console is not None:
            self.console.stop()
            self.console = None
        for name in list(self.services):
            with contextlib.suppress(Exception):
                self.stop_service(name)
        self.smtp.stop()
        self.broker.stop()
        with contextlib.suppress(FileNotFoundError):
            (self.options.data_dir / "stack.json").unlink()

    def _write_state(self) -> None:
        state = {
            "bootstrap_servers": self.broker.bootstrap_servers,
            "smtp": f"{self.options.host}:{self.smtp.port}",
            "services": {name: svc.url for name, svc in self.services.items()},
            "clock_mode": self.options.clock_mode,
            "console": self.console.url if self.console else None,
        }
        (self.options.data_dir / "stack.json").write_text(json.dumps(state, indent=2))

    def __enter__(self) -> Stack:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _tail(path: Path, lines: int = 40) -> str:
    with contextlib.suppress(FileNotFoundError):
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    return "(no log)"


@contextlib.contextmanager
def running_stack(options: StackOptions) -> Iterator[Stack]:
    with Stack(options) as stack:
        yield stack

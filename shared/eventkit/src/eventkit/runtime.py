"""Composition of a service process: database, clock, event writing, relay, consumers,
timekeeper and the HTTP app. One process runs every role by default; ``--role`` splits them."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from pydantic import AwareDatetime, BaseModel, Field, model_validator
from sqlalchemy.ext.asyncio import AsyncSession

from eventkit.aggregate import Aggregate
from eventkit.api import (
    AdminPrincipal,
    ApiKeyAuthenticator,
    FieldProblem,
    Problem,
    install_correlation_middleware,
    install_problem_handlers,
)
from eventkit.clock import Clock, SimulatedClock, SystemClock
from eventkit.codec import encode_value, header_pairs, to_kafka_headers
from eventkit.consumer import EventConsumer, Subscription, rebuild_projection
from eventkit.db import Database
from eventkit.envelope import Envelope
from eventkit.events import EventRegistry
from eventkit.kafka import KafkaPublisher
from eventkit.logs import configure_logging
from eventkit.migrations import upgrade
from eventkit.outbox import OutboxRelay, OutboxWriter, router_from_map
from eventkit.settings import ClockMode, ServiceSettings
from eventkit.store import SqlEventStore
from eventkit.timekeeping import Sweep, Timekeeper, clock_advanced
from eventkit.uow import EventWriter, UnitOfWork

log = logging.getLogger(__name__)

ROLES = ("api", "worker", "relay")
BackgroundTask = Callable[[asyncio.Event], Awaitable[None]]
SYSTEM_CLOCK_TOPIC = "system.clock.events"


@dataclass
class ServiceDefinition:
    """What makes a service itself; everything else is the shared runtime."""

    name: str
    title: str
    description: str
    service_root: Path
    registry: EventRegistry
    topic_map: Mapping[str, str]
    routers: Sequence[APIRouter] = ()
    subscriptions: Callable[[Runtime], Sequence[Subscription]] = lambda _rt: ()
    sweep: Callable[[Runtime], Sweep] | None = None
    partition_key: Callable[[Aggregate], str] | None = None
    extra_state: dict[str, Any] = field(default_factory=dict)
    # Further long-running worker tasks (e.g. a sender): each runs until the stop event is set.
    background: Callable[[Runtime], Sequence[BackgroundTask]] = lambda _rt: ()


class Runtime:
    def __init__(
        self,
        definition: ServiceDefinition,
        settings: ServiceSettings,
        *,
        roles: Sequence[str] = ROLES,
        clock: Clock | None = None,
    ) -> None:
        self.definition = definition
        self.settings = settings
        self.roles = set(roles)
        self.db = Database(settings.database_url)
        self.clock: Clock = clock or self._make_clock()
        self.registry = definition.registry
        self.publisher = KafkaPublisher(
            settings.kafka_bootstrap_servers,
            client_id=settings.kafka_client_id or definition.name,
            idempotence=settings.kafka_idempotence,
        )
        self.outbox = OutboxWriter(router_from_map(definition.topic_map), definition.name)
        self.store = SqlEventStore()
        self.writer = EventWriter(self.store, self.outbox, self.clock)
        self.relay = OutboxRelay(
            self.db,
            self.publisher,
            self.outbox,
            service=definition.name,
            batch_size=settings.relay_batch_size,
            poll_seconds=settings.relay_poll_seconds,
            lease_seconds=settings.relay_lease_seconds,
        )
        sweep = definition.sweep(self) if definition.sweep else None
        self.timekeeper = Timekeeper(
            self.db,
            self.clock,
            sweep=sweep,
            sink=self.writer.write,
            interval_seconds=settings.sweep_interval_seconds,
            business_tz=settings.business_timezone,
        )
        self.consumers = [self._consumer(s) for s in self._subscriptions()]
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    def _make_clock(self) -> Clock:
        if self.settings.clock_mode is ClockMode.SIMULATED:
            start = self.settings.simulated_start or SystemClock().now()
            return SimulatedClock(start, business_tz=self.settings.business_timezone)
        return SystemClock(self.settings.business_timezone)

    def _subscriptions(self) -> list[Subscription]:
        subs = list(self.definition.subscriptions(self))
        if self.settings.clock_mode is ClockMode.SIMULATED:
            subs.append(
                Subscription(
                    group=f"{self.definition.name}.clock",
                    topics=[SYSTEM_CLOCK_TOPIC],
                    handler=self.timekeeper.on_clock_event,
                    after_commit=self.timekeeper.after_clock_events,
                )
            )
        return subs

    def _consumer(self, subscription: Subscription) -> EventConsumer:
        return EventConsumer(
            self.db,
            subscription,
            bootstrap_servers=self.settings.kafka_bootstrap_servers,
            publisher=self.publisher,
            client_id=f"{self.definition.name}:{subscription.group}",
            max_retries=self.settings.consumer_max_retries,
            retry_backoff=self.settings.consumer_retry_backoff_seconds,
            session_timeout_ms=self.settings.kafka_session_timeout_ms,
        )

    def uow(self, session: AsyncSession | None = None) -> UnitOfWork:
        """A unit of work in its own transaction, or joined to ``session`` (consumer handlers:
        their events then commit atomically with the inbox row and the checkpoint)."""
        return UnitOfWork(
            self.db,
            self.writer,
            self.registry,
            producer=self.definition.name,
            partition_key=self.definition.partition_key,
            session=session,
        )

    async def emit(self, envelopes: Sequence[Envelope]) -> None:
        """Write envelopes built outside an aggregate in their own transaction."""
        async with self.db.transaction() as session:
            await self.writer.write(session, envelopes)
        self.outbox.committed()

    # --- life cycle ------------------------------------------------------------------------

    async def start(self) -> None:
        await self.timekeeper.initialise()
        if "relay" in self.roles:
            self._spawn(self.relay.run(self._stop), "relay")
        if "worker" in self.roles:
            for consumer in self.consumers:
                self._spawn(consumer.run(self._stop), consumer.group)
            self._spawn(self.timekeeper.run(self._stop), "timekeeper")
            for index, task in enumerate(self.definition.background(self)):
                self._spawn(task(self._stop), f"background-{index}")

    def _spawn(self, coro: Any, name: str) -> None:
        self._tasks.append(asyncio.create_task(coro, name=f"{self.definition.name}:{name}"))

    async def stop(self) -> None:
        self._stop.set()
        if self._tasks:
            _done, pending = await asyncio.wait(self._tasks, timeout=10)
            for task in pending:
                task.cancel()
            for task in pending:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        self._tasks.clear()
        await self.publisher.stop()
        await self.db.dispose()

    async def status(self) -> dict[str, Any]:
        return {
            "service": self.definition.name,
            "roles": sorted(self.roles),
            "clock": {
                "mode": self.settings.clock_mode.value,
                "now": self.clock.now().isoformat(),
                "business_date": self.clock.today().isoformat(),
            },
            "outbox": {
                "backlog": await self.relay.backlog(),
                "published": self.relay.published_total,
            },
            "consumers": {
                c.group: {
                    "processed": c.stats.processed,
                    "duplicates": c.stats.duplicates,
                    "retries": c.stats.retries,
                    "dead_lettered": c.stats.dead_lettered,
                    "positions": c.stats.positions,
                }
                for c in self.consumers
            },
        }

    # --- HTTP ------------------------------------------------------------------------------

    def create_app(self) -> FastAPI:
        runtime = self

        @contextlib.asynccontextmanager
        async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
            await runtime.start()
            try:
                yield
            finally:
                await runtime.stop()

        app = FastAPI(
            title=self.definition.title,
            description=self.definition.description,
            version="0.1.0",
            lifespan=lifespan,
        )
        app.state.runtime = self
        app.state.authenticator = ApiKeyAuthenticator(self.settings.api_keys)
        for key, value in self.definition.extra_state.items():
            setattr(app.state, key, value)
        install_problem_handlers(app)
        install_correlation_middleware(app)
        if self.settings.cors_allowed_origins:
            # Added last, so outermost: error answers carry the CORS headers too.
            app.add_middleware(
                CORSMiddleware,
                allow_origins=list(self.settings.cors_allowed_origins),
                allow_credentials=False,
                allow_methods=["GET", "POST", "PUT", "DELETE"],
                allow_headers=["Authorization", "Content-Type", "X-API-Key", "X-Correlation-ID"],
                expose_headers=[
                    "X-Correlation-ID",
                    "Location",
                    "Content-Disposition",
                    "X-Content-SHA256",
                ],
                max_age=600,
            )
        app.include_router(_health_router(self))
        for router in self.definition.routers:
            app.include_router(router)
        return app


class ClockAdvanceBody(BaseModel):
    """Either ``days`` (1–400) or ``to`` (a moment with its offset)."""

    model_config = {"extra": "forbid"}

    days: int | None = Field(default=None, ge=1, le=400)
    to: AwareDatetime | None = None

    @model_validator(mode="after")
    def _one_of(self) -> ClockAdvanceBody:
        if (self.days is None) == (self.to is None):
            raise ValueError("give either days or to")
        return self


def _health_router(runtime: Runtime) -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get("/health")
    async def health() -> dict[str, str]:
        """Alive: the process answers."""
        return {"status": "alive", "service": runtime.definition.name}

    @router.get("/ready", response_model=None)
    async def ready() -> JSONResponse:
        """Ready: database and broker reachable, and every consumer has its partitions."""
        checks: dict[str, str] = {}
        try:
            await runtime.db.ping()
            checks["database"] = "ok"
        except Exception as exc:
            checks["database"] = f"unreachable: {type(exc).__name__}"
        checks["broker"] = "ok" if await runtime.publisher.ping() else "unreachable"
        if "worker" in runtime.roles and runtime.consumers:
            waiting = [c.group for c in runtime.consumers if not c.assigned.is_set()]
            checks["consumers"] = "ok" if not waiting else "joining: " + ", ".join(waiting)
        ok = all(v == "ok" for v in checks.values())
        return JSONResponse(
            {"status": "ready" if ok else "not ready", "checks": checks},
            status_code=200 if ok else 503,
        )

    @router.get("/v1/admin/status")
    async def status(_principal: AdminPrincipal) -> dict[str, Any]:
        """Outbox backlog, consumer progress and business time of this service."""
        return await runtime.status()

    @router.post("/v1/admin/clock:advance", status_code=202)
    async def advance_clock(body: ClockAdvanceBody, _principal: AdminPrincipal) -> dict[str, Any]:
        """Simulated time only (development and demos): move every service's clock forward
        by publishing ``system.ClockAdvanced``; each service then sweeps every missed business
        day in order. Follow ``/v1/admin/status`` of each service to see it arrive."""
        if not isinstance(runtime.clock, SimulatedClock):
            raise Problem(
                409,
                "Clock not simulated",
                "this service runs on the system clock; start it with CLOCK_MODE=simulated",
                kind="clock-not-simulated",
            )
        now = runtime.clock.now()
        target = body.to if body.to is not None else now + timedelta(days=body.days or 0)
        if target <= now:
            raise Problem(
                422,
                "Invalid request",
                "simulated time only moves forward",
                kind="validation",
                errors=[
                    FieldProblem("to" if body.to else "days", f"is not after {now.isoformat()}")
                ],
            )
        envelope = clock_advanced(target, producer=runtime.definition.name)
        await runtime.publisher.send_and_wait(
            SYSTEM_CLOCK_TOPIC,
            key=envelope.partition_key,
            value=encode_value(envelope).encode(),
            headers=to_kafka_headers(header_pairs(envelope)),
        )
        return {"from": now.isoformat(), "to": target.isoformat()}

    return router


def run_service(
    definition_factory: Callable[[], ServiceDefinition],
    settings_factory: Callable[[], ServiceSettings],
    argv: Sequence[str] | None = None,
) -> None:
    """Console entry point of every service."""
    import uvicorn

    definition = definition_factory()
    parser = argparse.ArgumentParser(prog=definition.name, description=definition.description)
    parser.add_argument("--migrate", action="store_true", help="apply migrations, then serve")
    parser.add_argument("--migrate-only", action="store_true", help="apply migrations and exit")
    parser.add_argument("--role", action="append", choices=ROLES, help="roles to run (all)")
    parser.add_argument(
        "--rebuild",
        metavar="GROUP",
        help="empty the projection of this consumer group and replay it on the next start",
    )
    args = parser.parse_args(argv)
    settings = settings_factory()
    configure_logging(definition.name, level=settings.log_level, json_logs=settings.log_json)
    if args.rebuild:
        runtime = Runtime(definition, settings, roles=())
        groups = {c.group: c.subscription for c in runtime.consumers}
        if args.rebuild not in groups:
            parser.error(f"unknown group {args.rebuild!r}; known: {', '.join(sorted(groups))}")

        async def rebuild() -> None:
            await rebuild_projection(runtime.db, groups[args.rebuild])
            await runtime.db.dispose()

        asyncio.run(rebuild())
        log.info("projection %s emptied; it is replayed on the next start", args.rebuild)
        return
    if args.migrate or args.migrate_only:
        upgrade(definition.service_root, settings.database_url)
        log.info("migrations applied")
        if args.migrate_only:
            return
    runtime = Runtime(definition, settings, roles=args.role or ROLES)
    app = runtime.create_app()
    log.info("listening on http://%s:%s", settings.http_host, settings.http_port)
    uvicorn.run(
        app,
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=10,
    )


def parse_datetime(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))

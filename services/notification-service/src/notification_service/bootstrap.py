"""Composition root of notification-service.

The sender is a background task next to the runtime's own (relay, consumers, timekeeper).
``ServiceDefinition`` has no hook for extra tasks, so it is started by the lifespan of a
route-less router: FastAPI nests a router's lifespan inside the app's, so the sender starts
after ``Runtime.start()`` and stops before ``Runtime.stop()``. It runs only in the ``worker``
role.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

from fastapi import APIRouter, FastAPI

from contracts import topics
from contracts.registry import build_registry
from eventkit.consumer import Subscription
from eventkit.runtime import Runtime, ServiceDefinition
from notification_service.adapters.pdf import warm_up
from notification_service.api.routes import router
from notification_service.api.settings_routes import router as settings_router
from notification_service.api.template_routes import router as template_router
from notification_service.application.components import messaging_for, sender_for
from notification_service.application.dossier import dossier_subscription
from notification_service.settings import Settings

SERVICE_ROOT = Path(__file__).resolve().parents[2]
NAME = "notification-service"


def _subscriptions(rt: Runtime) -> Sequence[Subscription]:
    return [dossier_subscription(rt.registry, messaging_for(rt))]


@contextlib.asynccontextmanager
async def _sender_lifespan(app: FastAPI) -> AsyncIterator[None]:
    rt: Runtime = app.state.runtime
    if "worker" not in rt.roles:
        yield
        return
    stop = asyncio.Event()
    warm = asyncio.create_task(asyncio.to_thread(warm_up), name=f"{NAME}:pdf-warm-up")
    task = asyncio.create_task(sender_for(rt).run(stop), name=f"{NAME}:sender")
    try:
        yield
    finally:
        stop.set()
        try:
            await asyncio.wait_for(task, timeout=15)
        except (TimeoutError, asyncio.CancelledError):
            task.cancel()
        await asyncio.gather(warm, return_exceptions=True)


background = APIRouter(lifespan=_sender_lifespan)


def definition() -> ServiceDefinition:
    return ServiceDefinition(
        name=NAME,
        title="notification-service",
        description=(
            "Reminders and confirmations in the debtor's language by e-mail (with the letter "
            "as PDF), letter, SMS and signed webhooks; the debtor dossier that proves them."
        ),
        service_root=SERVICE_ROOT,
        registry=build_registry(),
        topic_map={"message": topics.NOTIFICATION_MESSAGE},
        routers=[router, template_router, settings_router, background],
        subscriptions=_subscriptions,
    )


def build(settings: Settings | None = None) -> Runtime:
    return Runtime(definition(), settings or Settings())

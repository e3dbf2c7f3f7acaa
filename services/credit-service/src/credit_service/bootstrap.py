"""Composition root of credit-service."""

from __future__ import annotations

import asyncio
import gc
from pathlib import Path

from contracts import topics
from contracts.registry import build_registry
from credit_service.api.decision_routes import router as decision_router
from credit_service.api.kpi_routes import router as kpi_router
from credit_service.api.limit_routes import router as limit_router
from credit_service.api.routes import router
from credit_service.application.handlers import subscriptions
from credit_service.application.sweep import account_sweep
from credit_service.settings import Settings
from eventkit.runtime import Runtime, ServiceDefinition

SERVICE_ROOT = Path(__file__).resolve().parents[2]
NAME = "credit-service"


async def freeze_startup_heap(stop: asyncio.Event) -> None:
    """Once started, move everything built so far (ORM metadata, schemas, routes, clients) out
    of the collector's reach: full collections then scan only what requests create, which keeps
    their pauses — the tail of the credit-decision latency — short."""
    gc.collect()
    gc.freeze()
    await stop.wait()


def definition() -> ServiceDefinition:
    return ServiceDefinition(
        name=NAME,
        title="credit-service",
        description="Credit accounts per debtor: exposure, limits, holds, score and risk class, "
        "payment behaviour, real-time credit decisions and receivables KPIs.",
        service_root=SERVICE_ROOT,
        registry=build_registry(),
        topic_map={"account": topics.CREDIT_ACCOUNT},
        routers=[router, limit_router, decision_router, kpi_router],
        subscriptions=subscriptions,
        sweep=account_sweep,
        background=lambda _rt: [freeze_startup_heap],
    )


def build(settings: Settings | None = None) -> Runtime:
    return Runtime(definition(), settings or Settings())

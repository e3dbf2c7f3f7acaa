"""Composition root of credit-service."""

from __future__ import annotations

from pathlib import Path

from contracts import topics
from contracts.registry import build_registry
from credit_service.api.routes import router
from credit_service.application.handlers import subscriptions
from credit_service.settings import Settings
from eventkit.runtime import Runtime, ServiceDefinition

SERVICE_ROOT = Path(__file__).resolve().parents[2]
NAME = "credit-service"


def definition() -> ServiceDefinition:
    return ServiceDefinition(
        name=NAME,
        title="credit-service",
        description="Credit risk per debtor: exposure from invoicing events; limits and holds.",
        service_root=SERVICE_ROOT,
        registry=build_registry(),
        topic_map={"account": topics.CREDIT_ACCOUNT},
        routers=[router],
        subscriptions=subscriptions,
    )


def build(settings: Settings | None = None) -> Runtime:
    return Runtime(definition(), settings or Settings())

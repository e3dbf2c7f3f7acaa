"""Composition root of notification-service."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from contracts import topics
from contracts.registry import build_registry
from eventkit.consumer import Subscription
from eventkit.runtime import Runtime, ServiceDefinition
from notification_service.api.routes import router
from notification_service.application.dossier import dossier_subscription
from notification_service.settings import Settings

SERVICE_ROOT = Path(__file__).resolve().parents[2]
NAME = "notification-service"


def _subscriptions(rt: Runtime) -> Sequence[Subscription]:
    return [dossier_subscription(rt.registry)]


def definition() -> ServiceDefinition:
    return ServiceDefinition(
        name=NAME,
        title="notification-service",
        description="Debtor dossier of every event seen; reminders and notifications to come.",
        service_root=SERVICE_ROOT,
        registry=build_registry(),
        topic_map={"message": topics.NOTIFICATION_MESSAGE},
        routers=[router],
        subscriptions=_subscriptions,
    )


def build(settings: Settings | None = None) -> Runtime:
    return Runtime(definition(), settings or Settings())

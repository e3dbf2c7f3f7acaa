"""Composition root of dunning-service."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from contracts import topics
from contracts.registry import build_registry
from dunning_service.api.routes import router
from dunning_service.application.invoicing_events import open_items_handler
from dunning_service.projections.tables import dunning_debtors, open_items
from dunning_service.settings import Settings
from eventkit.consumer import Subscription
from eventkit.runtime import Runtime, ServiceDefinition

SERVICE_ROOT = Path(__file__).resolve().parents[2]
NAME = "dunning-service"
OPEN_ITEMS_GROUP = f"{NAME}.open-items"


def subscriptions(rt: Runtime) -> Sequence[Subscription]:
    return [
        Subscription(
            group=OPEN_ITEMS_GROUP,
            topics=[topics.INVOICING_INVOICE, topics.INVOICING_DEBTOR],
            handler=open_items_handler(rt.registry),
            projection_tables=[dunning_debtors, open_items],
        )
    ]


def definition() -> ServiceDefinition:
    return ServiceDefinition(
        name=NAME,
        title="dunning-service",
        description="Collections: open items per debtor from invoicing events; dunning cases.",
        service_root=SERVICE_ROOT,
        registry=build_registry(),
        topic_map={"case": topics.DUNNING_CASE},
        routers=[router],
        subscriptions=subscriptions,
    )


def build(settings: Settings | None = None) -> Runtime:
    return Runtime(definition(), settings or Settings())

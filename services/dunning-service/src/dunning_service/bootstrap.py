"""Composition root of dunning-service."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from contracts import topics
from contracts.registry import build_registry
from dunning_service.api.case_routes import router as case_router
from dunning_service.api.routes import router
from dunning_service.application.case_reactions import case_reactions_handler, chain
from dunning_service.application.invoicing_events import open_items_handler
from dunning_service.application.sweep import dunning_sweep
from dunning_service.projections.case_tables import debtor_risk, dunning_debtor_contacts
from dunning_service.projections.tables import dunning_debtors, open_items
from dunning_service.settings import Settings
from eventkit.aggregate import Aggregate
from eventkit.consumer import Subscription
from eventkit.runtime import Runtime, ServiceDefinition

SERVICE_ROOT = Path(__file__).resolve().parents[2]
NAME = "dunning-service"
OPEN_ITEMS_GROUP = f"{NAME}.open-items"

# Every dunning aggregate publishes on the one case topic, keyed by debtor.
AGGREGATE_TYPES = (
    "case",
    "reminder",
    "escalation",
    "dispute",
    "promise",
    "payment_plan",
    "hold",
    "note",
    "agency_update",
)


def _partition_key(aggregate: Aggregate) -> str:
    debtor_ref = getattr(aggregate, "debtor_ref", "") or aggregate.aggregate_id
    return f"{aggregate.tenant_id}:{debtor_ref}"


def subscriptions(rt: Runtime) -> Sequence[Subscription]:
    # One group for the invoicing and credit facts dunning keeps (it existed before the cases;
    # its dead-letter topic is provisioned). The case reactions run in the same transaction,
    # right after the open items moved.
    return [
        Subscription(
            group=OPEN_ITEMS_GROUP,
            topics=[topics.INVOICING_INVOICE, topics.INVOICING_DEBTOR, topics.CREDIT_ACCOUNT],
            handler=chain(open_items_handler(rt.registry), case_reactions_handler(rt)),
            projection_tables=[dunning_debtors, open_items, dunning_debtor_contacts, debtor_risk],
        )
    ]


def definition() -> ServiceDefinition:
    return ServiceDefinition(
        name=NAME,
        title="dunning-service",
        description=(
            "Collections: open items per debtor from invoicing events; dunning cases with "
            "versioned policies, BE/NL legal packs, disputes, promises, payment plans, holds, "
            "a collector worklist and agency hand-over; the daily dunning sweep."
        ),
        service_root=SERVICE_ROOT,
        registry=build_registry(),
        topic_map={kind: topics.DUNNING_CASE for kind in AGGREGATE_TYPES},
        routers=[router, case_router],
        subscriptions=subscriptions,
        sweep=dunning_sweep,
        partition_key=_partition_key,
    )


def build(settings: Settings | None = None) -> Runtime:
    return Runtime(definition(), settings or Settings())

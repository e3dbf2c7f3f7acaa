"""Composition root of invoice-service."""

from __future__ import annotations

from pathlib import Path

from contracts import topics
from contracts.registry import build_registry
from eventkit.aggregate import Aggregate
from eventkit.runtime import Runtime, ServiceDefinition
from invoice_service.api.ledger_routes import router as ledger_router
from invoice_service.api.reversal_routes import router as reversal_router
from invoice_service.api.routes import router
from invoice_service.application.invoicing import overdue_sweep
from invoice_service.settings import Settings

SERVICE_ROOT = Path(__file__).resolve().parents[2]
NAME = "invoice-service"


def _partition_key(aggregate: Aggregate) -> str:
    debtor_ref = getattr(aggregate, "debtor_ref", aggregate.aggregate_id)
    return f"{aggregate.tenant_id}:{debtor_ref}"


def definition() -> ServiceDefinition:
    return ServiceDefinition(
        name=NAME,
        title="invoice-service",
        description="Receivables ledger: debtors, invoices, payments; publishes invoicing events.",
        service_root=SERVICE_ROOT,
        registry=build_registry(),
        topic_map={
            "debtor": topics.INVOICING_DEBTOR,
            "invoice": topics.INVOICING_INVOICE,
            "payment": topics.INVOICING_PAYMENT,
            "credit_note": topics.INVOICING_INVOICE,
            "reversal": topics.INVOICING_PAYMENT,
        },
        routers=[ledger_router, reversal_router, router],
        sweep=overdue_sweep,
        partition_key=_partition_key,
    )


def build(settings: Settings | None = None) -> Runtime:
    return Runtime(definition(), settings or Settings())

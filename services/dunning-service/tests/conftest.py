from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from contracts.invoicing import (
    DebtorProfile,
    DebtorRegistered,
    DebtorUpdated,
    InvoiceIssued,
    PaymentOverdue,
)
from eventkit.clock import SystemClock
from eventkit.envelope import Envelope, new_envelope
from eventkit.events import DomainEvent
from eventkit.testing.broker import kafka_broker  # noqa: F401 - pytest fixture, used by name
from eventkit.testing.databases import backend  # noqa: F401 - pytest fixture, used by name

TENANT = "acme"


class InvoiceRenumbered(DomainEvent):
    """An invoicing event type this build of dunning-service does not know."""

    event_type = "invoicing.InvoiceRenumbered"
    invoice_number: str
    new_number: str


class InvoicingEvents:
    """Envelopes as invoice-service's relay puts them on the wire (unique refs per test)."""

    def ref(self, prefix: str) -> str:
        return f"{prefix}-{uuid.uuid4().hex[:10]}"

    def envelope(
        self,
        event: DomainEvent,
        *,
        tenant: str,
        aggregate_type: str,
        aggregate_id: str,
        debtor_ref: str,
        version: int = 1,
    ) -> Envelope:
        return new_envelope(
            event,
            tenant_id=tenant,
            aggregate_type=aggregate_type,
            aggregate_id=aggregate_id,
            aggregate_version=version,
            clock=SystemClock(),
            producer="invoice-service",
            partition_key=f"{tenant}:{debtor_ref}",
        )

    def profile(self, **changes: Any) -> DebtorProfile:
        values: dict[str, Any] = {
            "legal_name": "Brouwerij Janssens BV",
            "kind": "B2B",
            "country": "BE",
            "language": "nl",
            "email": "ap@janssens.example",
        }
        values.update(changes)
        return DebtorProfile(**values)

    def debtor_registered(self, debtor_ref: str, tenant: str = TENANT, **profile: Any) -> Envelope:
        return self.envelope(
            DebtorRegistered(debtor_ref=debtor_ref, profile=self.profile(**profile)),
            tenant=tenant,
            aggregate_type="debtor",
            aggregate_id=debtor_ref,
            debtor_ref=debtor_ref,
        )

    def debtor_updated(
        self, debtor_ref: str, tenant: str = TENANT, version: int = 2, **profile: Any
    ) -> Envelope:
        return self.envelope(
            DebtorUpdated(
                debtor_ref=debtor_ref, profile=self.profile(**profile), changed=sorted(profile)
            ),
            tenant=tenant,
            aggregate_type="debtor",
            aggregate_id=debtor_ref,
            debtor_ref=debtor_ref,
            version=version,
        )

    def invoice_issued(
        self,
        number: str,
        debtor_ref: str,
        *,
        tenant: str = TENANT,
        issue_date: date = date(2026, 11, 1),
        due_date: date = date(2026, 12, 1),
        amount: str = "1210.00",
        currency: str = "EUR",
    ) -> Envelope:
        total = Decimal(amount)
        return self.envelope(
            InvoiceIssued(
                invoice_number=number,
                debtor_ref=debtor_ref,
                debtor_kind="B2B",
                issue_date=issue_date,
                due_date=due_date,
                currency=currency,
                net_total=total,
                vat_total=Decimal("0.00"),
                amount_due=total,
                payment_reference=f"REF/{number}",
            ),
            tenant=tenant,
            aggregate_type="invoice",
            aggregate_id=number,
            debtor_ref=debtor_ref,
        )

    def payment_overdue(
        self,
        number: str,
        debtor_ref: str,
        *,
        tenant: str = TENANT,
        due_date: date = date(2026, 12, 1),
        overdue_since: date = date(2026, 12, 2),
        amount: str = "1210.00",
        currency: str = "EUR",
    ) -> Envelope:
        return self.envelope(
            PaymentOverdue(
                invoice_number=number,
                debtor_ref=debtor_ref,
                due_date=due_date,
                overdue_since=overdue_since,
                open_amount=Decimal(amount),
                currency=currency,
            ),
            tenant=tenant,
            aggregate_type="invoice",
            aggregate_id=number,
            debtor_ref=debtor_ref,
            version=2,
        )

    def unknown_event(self, number: str, debtor_ref: str, *, tenant: str = TENANT) -> Envelope:
        return self.envelope(
            InvoiceRenumbered(invoice_number=number, new_number=f"{number}-X"),
            tenant=tenant,
            aggregate_type="invoice",
            aggregate_id=number,
            debtor_ref=debtor_ref,
            version=3,
        )


@pytest.fixture
def invoicing() -> InvoicingEvents:
    return InvoicingEvents()

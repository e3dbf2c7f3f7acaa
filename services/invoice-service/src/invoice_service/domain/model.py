"""Debtor and Invoice aggregates."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from contracts.invoicing import (
    DebtorProfile,
    DebtorRegistered,
    DebtorUpdated,
    InvoiceIssued,
    PaymentOverdue,
)
from eventkit.aggregate import Aggregate
from eventkit.events import DomainEvent


class DomainError(Exception):
    pass


class Debtor(Aggregate):
    aggregate_type = "debtor"

    def __init__(self, tenant_id: str, aggregate_id: str) -> None:
        super().__init__(tenant_id, aggregate_id)
        self.profile: DebtorProfile | None = None

    @property
    def debtor_ref(self) -> str:
        return self.aggregate_id

    def apply(self, event: DomainEvent) -> None:
        match event:
            case DebtorRegistered() | DebtorUpdated():
                self.profile = event.profile

    def register_or_update(self, profile: DebtorProfile) -> bool:
        """Record what changed; False when the profile is identical (nothing recorded)."""
        if self.profile is None:
            self.record(DebtorRegistered(debtor_ref=self.debtor_ref, profile=profile))
            return True
        old = self.profile.model_dump()
        new = profile.model_dump()
        changed = sorted(k for k in new if new[k] != old.get(k))
        if not changed:
            return False
        self.record(DebtorUpdated(debtor_ref=self.debtor_ref, profile=profile, changed=changed))
        return True


class Invoice(Aggregate):
    aggregate_type = "invoice"

    def __init__(self, tenant_id: str, aggregate_id: str) -> None:
        super().__init__(tenant_id, aggregate_id)
        self.issued: InvoiceIssued | None = None
        self.open_amount = Decimal("0")
        self.overdue_since: date | None = None

    @property
    def debtor_ref(self) -> str:
        return self.issued.debtor_ref if self.issued else ""

    def apply(self, event: DomainEvent) -> None:
        match event:
            case InvoiceIssued():
                self.issued = event
                self.open_amount = event.amount_due
            case PaymentOverdue():
                self.overdue_since = event.overdue_since

    def issue(self, event: InvoiceIssued) -> None:
        if self.issued is not None:
            raise DomainError(f"invoice {self.aggregate_id} was issued already")
        if event.due_date < event.issue_date:
            raise DomainError("due date before issue date")
        self.record(event)

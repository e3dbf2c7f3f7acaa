"""Holds that lift themselves: disputes, promises to pay, payment plans and manual holds.

Each is an event-sourced aggregate on ``dunning.case.events`` (partitioned by debtor). They
record what happened; the sweep and the commands decide when (the business date is passed in).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Literal

from contracts.dunning import (
    DisputeOpened,
    DisputeReason,
    DisputeResolved,
    DunningPaused,
    DunningResumed,
    Instalment,
    InstalmentMissed,
    PaymentPlanAgreed,
    PaymentPlanCompleted,
    PaymentPlanDefaulted,
    PromiseToPayBroken,
    PromiseToPayKept,
    PromiseToPayMade,
)
from eventkit.aggregate import Aggregate
from eventkit.events import DomainEvent

Outcome = Literal["rejected", "credited", "withdrawn"]


class HoldError(Exception):
    """A command that does not fit the hold's state (answered with 409)."""


class DebtorAggregate(Aggregate):
    def __init__(self, tenant_id: str, aggregate_id: str) -> None:
        super().__init__(tenant_id, aggregate_id)
        self.debtor_ref = ""
        self.invoice_numbers: list[str] = []
        self.status = ""


class Dispute(DebtorAggregate):
    """Pauses dunning of one invoice until resolved; 'credited' waits for the credit note."""

    aggregate_type = "dispute"

    def apply(self, event: DomainEvent) -> None:
        match event:
            case DisputeOpened():
                self.debtor_ref = event.debtor_ref
                self.invoice_numbers = [event.invoice_number]
                self.status = "open"
            case DisputeResolved():
                self.status = "awaiting_credit" if event.outcome == "credited" else "resolved"
            case DunningResumed():
                self.status = "resolved"

    def open(
        self, debtor_ref: str, invoice_number: str, reason: DisputeReason, note: str, on: date
    ) -> None:
        if self.exists:
            raise HoldError(f"dispute {self.aggregate_id} exists")
        self.record(
            DisputeOpened(
                dispute_id=self.aggregate_id,
                debtor_ref=debtor_ref,
                invoice_number=invoice_number,
                reason=reason,
                note=note,
                opened_on=on,
            )
        )
        self.record(
            DunningPaused(debtor_ref=debtor_ref, invoice_numbers=[invoice_number], reason="dispute")
        )

    def resolve(self, outcome: Outcome, note: str, on: date) -> None:
        if self.status != "open":
            raise HoldError(f"dispute {self.aggregate_id} is {self.status or 'unknown'}, not open")
        self.record(
            DisputeResolved(
                dispute_id=self.aggregate_id,
                debtor_ref=self.debtor_ref,
                invoice_number=self.invoice_numbers[0],
                outcome=outcome,
                note=note,
                resolved_on=on,
            )
        )
        if outcome != "credited":
            self.record(
                DunningResumed(
                    debtor_ref=self.debtor_ref,
                    invoice_numbers=list(self.invoice_numbers),
                    reason=f"dispute {outcome}",
                )
            )

    def credit_received(self) -> bool:
        """The credit note promised by a 'credited' resolution arrived: resume what is left."""
        if self.status != "awaiting_credit":
            return False
        self.record(
            DunningResumed(
                debtor_ref=self.debtor_ref,
                invoice_numbers=list(self.invoice_numbers),
                reason="credit note received",
            )
        )
        return True


class PromiseToPay(DebtorAggregate):
    aggregate_type = "promise"

    def __init__(self, tenant_id: str, aggregate_id: str) -> None:
        super().__init__(tenant_id, aggregate_id)
        self.amount = Decimal("0")
        self.currency = ""
        self.promised_date: date | None = None

    def apply(self, event: DomainEvent) -> None:
        match event:
            case PromiseToPayMade():
                self.debtor_ref = event.debtor_ref
                self.invoice_numbers = list(event.invoice_numbers)
                self.amount = event.amount
                self.currency = event.currency
                self.promised_date = event.promised_date
                self.status = "active"
            case PromiseToPayKept():
                self.status = "kept"
            case PromiseToPayBroken():
                self.status = "broken"

    def make(
        self,
        debtor_ref: str,
        invoice_numbers: Sequence[str],
        amount: Decimal,
        currency: str,
        promised_date: date,
        on: date,
    ) -> None:
        if self.exists:
            raise HoldError(f"promise {self.aggregate_id} exists")
        self.record(
            PromiseToPayMade(
                promise_id=self.aggregate_id,
                debtor_ref=debtor_ref,
                invoice_numbers=list(invoice_numbers),
                amount=amount,
                currency=currency,
                promised_date=promised_date,
                made_on=on,
            )
        )
        self.record(
            DunningPaused(
                debtor_ref=debtor_ref,
                invoice_numbers=list(invoice_numbers),
                reason="promise",
                until=promised_date,
            )
        )

    def keep(self, on: date, still_open: Sequence[str]) -> None:
        self._active()
        self.record(
            PromiseToPayKept(promise_id=self.aggregate_id, debtor_ref=self.debtor_ref, kept_on=on)
        )
        self._resume(still_open, "promise kept")

    def break_(self, on: date, missing: Decimal, still_open: Sequence[str]) -> None:
        self._active()
        self.record(
            PromiseToPayBroken(
                promise_id=self.aggregate_id,
                debtor_ref=self.debtor_ref,
                invoice_numbers=list(self.invoice_numbers),
                amount_missing=missing,
                currency=self.currency,
                broken_on=on,
            )
        )
        self._resume(still_open, "promise broken")

    def _active(self) -> None:
        if self.status != "active":
            raise HoldError(f"promise {self.aggregate_id} is {self.status or 'unknown'}")

    def _resume(self, still_open: Sequence[str], reason: str) -> None:
        if still_open:
            self.record(
                DunningResumed(
                    debtor_ref=self.debtor_ref, invoice_numbers=list(still_open), reason=reason
                )
            )


@dataclass(frozen=True, slots=True)
class Missed:
    instalment_due: date
    amount_missing: Decimal


def first_missed_instalment(
    instalments: Sequence[Instalment], grace_days: int, paid: Decimal, business_date: date
) -> Missed | None:
    """The first instalment whose grace period is over on ``business_date`` while the payments
    on the plan (``paid``, all money since the agreement) do not cover it and every earlier one."""
    cumulative = Decimal("0")
    for instalment in sorted(instalments, key=lambda i: i.due_date):
        cumulative += instalment.amount
        if instalment.due_date + timedelta(days=grace_days) >= business_date:
            return None
        if paid < cumulative:
            return Missed(instalment.due_date, cumulative - paid)
    return None


class PaymentPlan(DebtorAggregate):
    aggregate_type = "payment_plan"

    def __init__(self, tenant_id: str, aggregate_id: str) -> None:
        super().__init__(tenant_id, aggregate_id)
        self.currency = ""
        self.instalments: list[Instalment] = []
        self.grace_days = 0

    def apply(self, event: DomainEvent) -> None:
        match event:
            case PaymentPlanAgreed():
                self.debtor_ref = event.debtor_ref
                self.invoice_numbers = list(event.invoice_numbers)
                self.currency = event.currency
                self.instalments = list(event.instalments)
                self.grace_days = event.grace_days
                self.status = "active"
            case PaymentPlanDefaulted():
                self.status = "defaulted"
            case PaymentPlanCompleted():
                self.status = "completed"

    def agree(
        self,
        debtor_ref: str,
        invoice_numbers: Sequence[str],
        currency: str,
        instalments: Sequence[Instalment],
        grace_days: int,
        on: date,
    ) -> None:
        if self.exists:
            raise HoldError(f"payment plan {self.aggregate_id} exists")
        self.record(
            PaymentPlanAgreed(
                plan_id=self.aggregate_id,
                debtor_ref=debtor_ref,
                invoice_numbers=list(invoice_numbers),
                currency=currency,
                instalments=list(instalments),
                grace_days=grace_days,
                agreed_on=on,
            )
        )
        self.record(
            DunningPaused(
                debtor_ref=debtor_ref,
                invoice_numbers=list(invoice_numbers),
                reason="payment_plan",
                until=max(i.due_date for i in instalments),
            )
        )

    def default(self, missed: Missed, on: date, still_open: Sequence[str]) -> None:
        if self.status != "active":
            raise HoldError(f"payment plan {self.aggregate_id} is {self.status}")
        self.record(
            InstalmentMissed(
                plan_id=self.aggregate_id,
                debtor_ref=self.debtor_ref,
                instalment_due=missed.instalment_due,
                amount_missing=missed.amount_missing,
                currency=self.currency,
            )
        )
        self.record(
            PaymentPlanDefaulted(
                plan_id=self.aggregate_id, debtor_ref=self.debtor_ref, defaulted_on=on
            )
        )
        if still_open:
            self.record(
                DunningResumed(
                    debtor_ref=self.debtor_ref,
                    invoice_numbers=list(still_open),
                    reason="payment plan defaulted: escalated",
                )
            )

    def complete(self, on: date) -> None:
        if self.status != "active":
            raise HoldError(f"payment plan {self.aggregate_id} is {self.status}")
        self.record(
            PaymentPlanCompleted(
                plan_id=self.aggregate_id, debtor_ref=self.debtor_ref, completed_on=on
            )
        )


class ManualHold(DebtorAggregate):
    """Ops pause dunning of some items until a date; the hold lifts itself after it."""

    aggregate_type = "hold"

    def __init__(self, tenant_id: str, aggregate_id: str) -> None:
        super().__init__(tenant_id, aggregate_id)
        self.until: date | None = None

    def apply(self, event: DomainEvent) -> None:
        match event:
            case DunningPaused():
                self.debtor_ref = event.debtor_ref
                self.invoice_numbers = list(event.invoice_numbers)
                self.until = event.until
                self.status = "active"
            case DunningResumed():
                self.status = "lifted"

    def place(self, debtor_ref: str, invoice_numbers: Sequence[str], until: date) -> None:
        if self.exists:
            raise HoldError(f"hold {self.aggregate_id} exists")
        self.record(
            DunningPaused(
                debtor_ref=debtor_ref,
                invoice_numbers=list(invoice_numbers),
                reason="manual",
                until=until,
            )
        )

    def lift(self, reason: str) -> None:
        if self.status != "active":
            raise HoldError(f"hold {self.aggregate_id} is {self.status or 'unknown'}")
        self.record(
            DunningResumed(
                debtor_ref=self.debtor_ref,
                invoice_numbers=list(self.invoice_numbers),
                reason=reason,
            )
        )

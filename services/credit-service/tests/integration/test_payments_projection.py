"""Exposure follows the money (SQLite and PostgreSQL, handler called directly): allocations
lower the open amount, a paid, cancelled or written-off invoice drops out of the exposure at
once, a reversal brings it back; credit notes count once, through their allocations."""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Literal

import pytest
from sqlalchemy import func, select

from contracts.invoicing import (
    CreditNoteIssued,
    InvoiceCancelled,
    InvoiceIssued,
    InvoicePaid,
    InvoicePartiallyPaid,
    InvoiceReopened,
    InvoiceWrittenOff,
    PaymentAllocated,
    PaymentAllocationReversed,
    PaymentOverdue,
)
from contracts.registry import build_registry
from credit_service.application.handlers import exposure_handler
from credit_service.bootstrap import SERVICE_ROOT
from credit_service.domain.exposure import CurrencyExposure
from credit_service.projections.queries import exposure_by_currency
from credit_service.projections.tables import credit_invoices
from eventkit.clock import SystemClock
from eventkit.db import Database
from eventkit.envelope import Envelope, new_envelope
from eventkit.events import DomainEvent
from eventkit.testing.databases import fresh_database, migrate

TENANT = "acme"
T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
ON = date(2026, 11, 20)
D = Decimal
SourceKind = Literal["payment", "credit_note"]


@pytest.fixture
async def db(backend: str, tmp_path: Path) -> AsyncIterator[Database]:
    async with fresh_database(backend, tmp_path) as url:
        await migrate(SERVICE_ROOT, url)
        database = Database(url)
        try:
            yield database
        finally:
            await database.dispose()


class Ledger:
    """The invoice topic's events for one debtor, as invoice-service records them."""

    def __init__(self) -> None:
        self.debtor = f"D-{uuid.uuid4().hex[:8]}"
        self.versions: dict[str, int] = {}

    def _env(
        self,
        event: DomainEvent,
        aggregate_id: str,
        *,
        aggregate_type: str = "invoice",
        tenant: str = TENANT,
    ) -> Envelope:
        version = self.versions.get(aggregate_id, 0) + 1
        self.versions[aggregate_id] = version
        return new_envelope(
            event,
            tenant_id=tenant,
            aggregate_type=aggregate_type,
            aggregate_id=aggregate_id,
            aggregate_version=version,
            clock=SystemClock(),
            producer="invoice-service",
            partition_key=f"{tenant}:{self.debtor}",
            occurred_at=T0,
        )

    def issue(self, number: str, amount: str, *, tenant: str = TENANT) -> Envelope:
        return self._env(
            InvoiceIssued(
                invoice_number=number,
                debtor_ref=self.debtor,
                debtor_kind="B2B",
                issue_date=date(2026, 11, 1),
                due_date=date(2026, 12, 1),
                currency="EUR",
                net_total=D(amount),
                vat_total=D("0"),
                amount_due=D(amount),
                payment_reference="+++000/0000/00097+++",
            ),
            number,
            tenant=tenant,
        )

    def overdue(self, number: str, open_amount: str) -> Envelope:
        return self._env(
            PaymentOverdue(
                invoice_number=number,
                debtor_ref=self.debtor,
                due_date=date(2026, 12, 1),
                overdue_since=date(2026, 12, 2),
                open_amount=D(open_amount),
                currency="EUR",
            ),
            number,
        )

    def allocate(
        self,
        number: str,
        amount: str,
        after: str,
        *,
        kind: SourceKind = "payment",
        source: str = "PAY-1",
    ) -> Envelope:
        return self._env(
            PaymentAllocated(
                source_kind=kind,
                source_id=source,
                invoice_number=number,
                debtor_ref=self.debtor,
                amount=D(amount),
                discount=D("0.00"),
                currency="EUR",
                allocated_on=ON,
                method="credit_note" if kind == "credit_note" else "structured_reference",
                open_amount_after=D(after),
            ),
            number,
        )

    def reverse(self, number: str, amount: str, after: str, *, source: str = "PAY-1") -> Envelope:
        return self._env(
            PaymentAllocationReversed(
                source_kind="payment",
                source_id=source,
                invoice_number=number,
                debtor_ref=self.debtor,
                amount=D(amount),
                discount=D("0.00"),
                currency="EUR",
                reversed_on=ON,
                open_amount_after=D(after),
            ),
            number,
        )

    def partially_paid(self, number: str, open_amount: str) -> Envelope:
        return self._env(
            InvoicePartiallyPaid(
                invoice_number=number,
                debtor_ref=self.debtor,
                open_amount=D(open_amount),
                currency="EUR",
            ),
            number,
        )

    def paid(self, number: str) -> Envelope:
        return self._env(
            InvoicePaid(invoice_number=number, debtor_ref=self.debtor, paid_on=ON, currency="EUR"),
            number,
        )

    def reopened(self, number: str, open_amount: str) -> Envelope:
        return self._env(
            InvoiceReopened(
                invoice_number=number,
                debtor_ref=self.debtor,
                open_amount=D(open_amount),
                currency="EUR",
            ),
            number,
        )

    def cancelled(self, number: str) -> Envelope:
        return self._env(
            InvoiceCancelled(
                invoice_number=number, debtor_ref=self.debtor, cancelled_on=ON, reason="twice"
            ),
            number,
        )

    def written_off(self, number: str, amount: str) -> Envelope:
        return self._env(
            InvoiceWrittenOff(
                invoice_number=number,
                debtor_ref=self.debtor,
                amount=D(amount),
                currency="EUR",
                written_off_on=ON,
                reason="bankrupt",
            ),
            number,
        )

    def credit_note(self, number: str, amount: str, *invoices: str) -> Envelope:
        return self._env(
            CreditNoteIssued(
                credit_note_number=number,
                debtor_ref=self.debtor,
                issue_date=ON,
                currency="EUR",
                amount=D(amount),
                invoice_numbers=list(invoices),
            ),
            number,
            aggregate_type="credit_note",
        )


@pytest.fixture
def ledger() -> Ledger:
    return Ledger()


async def apply(db: Database, *envelopes: Envelope) -> None:
    handler = exposure_handler(build_registry())
    for env in envelopes:
        async with db.transaction() as session:
            await handler(session, env)


async def exposure(db: Database, debtor_ref: str, tenant: str = TENANT) -> list[CurrencyExposure]:
    async with db.reading() as session:
        return await exposure_by_currency(session, tenant, debtor_ref)


def eur(
    open_amount: str, open_items: int, overdue_amount: str = "0.00", overdue_items: int = 0
) -> list[CurrencyExposure]:
    return [
        CurrencyExposure(
            "EUR",
            D(open_amount),
            D(overdue_amount),
            open_items,
            overdue_items,
            date(2026, 12, 2) if overdue_items else None,
        )
    ]


async def test_a_partial_allocation_reduces_the_exposure(db: Database, ledger: Ledger) -> None:
    await apply(
        db,
        ledger.issue("INV-1", "1210.00"),
        ledger.issue("INV-2", "100.00"),
        ledger.overdue("INV-1", "1210.00"),
        ledger.allocate("INV-1", "300.00", "910.00"),
        ledger.partially_paid("INV-1", "910.00"),
    )
    assert await exposure(db, ledger.debtor) == eur("1010.00", 2, "910.00", 1)


async def test_a_fully_paid_invoice_drops_out_of_the_exposure(db: Database, ledger: Ledger) -> None:
    await apply(
        db,
        ledger.issue("INV-1", "1210.00"),
        ledger.issue("INV-2", "100.00"),
        ledger.overdue("INV-1", "1210.00"),
        ledger.allocate("INV-1", "300.00", "910.00"),
        ledger.partially_paid("INV-1", "910.00"),
        ledger.allocate("INV-1", "910.00", "0.00", source="PAY-2"),
        ledger.paid("INV-1"),
    )
    assert await exposure(db, ledger.debtor) == eur("100.00", 1)


async def test_a_credit_note_lowers_the_exposure_once(db: Database, ledger: Ledger) -> None:
    await apply(
        db,
        ledger.issue("INV-1", "121.00"),
        ledger.credit_note("CN-1", "50.00", "INV-1"),
        ledger.allocate("INV-1", "50.00", "71.00", kind="credit_note", source="CN-1"),
        ledger.partially_paid("INV-1", "71.00"),
    )
    assert await exposure(db, ledger.debtor) == eur("71.00", 1)


async def test_a_reversal_brings_a_paid_invoice_back(db: Database, ledger: Ledger) -> None:
    await apply(
        db,
        ledger.issue("INV-1", "1210.00"),
        ledger.overdue("INV-1", "1210.00"),
        ledger.allocate("INV-1", "300.00", "910.00"),
        ledger.partially_paid("INV-1", "910.00"),
        ledger.allocate("INV-1", "910.00", "0.00", source="PAY-2"),
        ledger.paid("INV-1"),
    )
    assert await exposure(db, ledger.debtor) == eur("0.00", 0)
    await apply(
        db,
        ledger.reverse("INV-1", "910.00", "910.00", source="PAY-2"),
        ledger.reopened("INV-1", "910.00"),
    )
    # Overdue again too: the flag stayed while the invoice was paid.
    assert await exposure(db, ledger.debtor) == eur("910.00", 1, "910.00", 1)
    await apply(db, ledger.reverse("INV-1", "300.00", "1210.00"))
    assert await exposure(db, ledger.debtor) == eur("1210.00", 1, "1210.00", 1)


async def test_cancelled_and_written_off_invoices_drop_out(db: Database, ledger: Ledger) -> None:
    await apply(
        db,
        ledger.issue("INV-1", "1210.00"),
        ledger.issue("INV-2", "500.00"),
        ledger.issue("INV-3", "42.00"),
        ledger.allocate("INV-2", "100.00", "400.00"),
        ledger.partially_paid("INV-2", "400.00"),
        ledger.overdue("INV-2", "400.00"),
    )
    assert await exposure(db, ledger.debtor) == eur("1652.00", 3, "400.00", 1)
    await apply(db, ledger.cancelled("INV-1"), ledger.written_off("INV-2", "400.00"))
    assert await exposure(db, ledger.debtor) == eur("42.00", 1)


async def test_money_events_for_an_unknown_invoice_write_nothing_and_warn(
    db: Database, ledger: Ledger, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="credit_service"):
        await apply(
            db,
            ledger.allocate("INV-GHOST-1", "10.00", "5.00"),
            ledger.paid("INV-GHOST-2"),
            ledger.reopened("INV-GHOST-3", "10.00"),
            ledger.cancelled("INV-GHOST-4"),
        )
    async with db.reading() as session:
        assert await session.scalar(select(func.count()).select_from(credit_invoices)) == 0
    assert await exposure(db, ledger.debtor) == []
    for n in range(1, 5):
        assert f"INV-GHOST-{n}" in caplog.text
    assert "PaymentAllocated" in caplog.text and "InvoiceCancelled" in caplog.text


async def test_another_tenants_invoice_of_the_same_number_is_untouched(
    db: Database, ledger: Ledger
) -> None:
    await apply(
        db,
        ledger.issue("INV-1", "1210.00", tenant="globex"),
        ledger.issue("INV-1", "1210.00"),
        ledger.paid("INV-1"),
    )
    assert await exposure(db, ledger.debtor) == eur("0.00", 0)
    assert await exposure(db, ledger.debtor, tenant="globex") == eur("1210.00", 1)

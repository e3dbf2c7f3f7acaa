"""Open items follow the money (SQLite and PostgreSQL, handler called directly): allocations
reduce the open amount, a paid, cancelled or written-off invoice leaves the open items at once,
a reversal brings it back."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import pytest
from sqlalchemy import func, select

from contracts.invoicing import (
    CreditNoteIssued,
    InvoiceCancelled,
    InvoicePaid,
    InvoicePartiallyPaid,
    InvoiceReopened,
    InvoiceWrittenOff,
    PaymentAllocated,
    PaymentAllocationReversed,
)
from contracts.registry import build_registry
from dunning_service.application.invoicing_events import open_items_handler
from dunning_service.application.open_items import open_items_of
from dunning_service.bootstrap import SERVICE_ROOT
from dunning_service.projections.tables import open_items
from eventkit.consumer import Handler
from eventkit.db import Database
from eventkit.envelope import Envelope
from eventkit.events import DomainEvent
from eventkit.testing.databases import fresh_database, migrate

AS_OF = date(2026, 12, 20)
TENANT = "acme"
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


@pytest.fixture
def handler() -> Handler:
    return open_items_handler(build_registry())


class Ledger:
    """The invoice stream's money events for one debtor, as invoice-service records them."""

    def __init__(self, invoicing: Any) -> None:
        self.invoicing = invoicing
        self.debtor = invoicing.ref("D")
        self.versions: dict[str, int] = {}

    def _env(self, event: DomainEvent, aggregate_type: str, aggregate_id: str) -> Envelope:
        version = self.versions.get(aggregate_id, 1) + 1
        self.versions[aggregate_id] = version
        env: Envelope = self.invoicing.envelope(
            event,
            tenant=TENANT,
            aggregate_type=aggregate_type,
            aggregate_id=aggregate_id,
            debtor_ref=self.debtor,
            version=version,
        )
        return env

    def issue(self, number: str, amount: str = "1210.00") -> Envelope:
        env: Envelope = self.invoicing.invoice_issued(number, self.debtor, amount=amount)
        return env

    def allocate(
        self,
        number: str,
        amount: str,
        after: str,
        *,
        kind: SourceKind = "payment",
        source: str = "PAY-1",
        discount: str = "0.00",
    ) -> Envelope:
        return self._env(
            PaymentAllocated(
                source_kind=kind,
                source_id=source,
                invoice_number=number,
                debtor_ref=self.debtor,
                amount=D(amount),
                discount=D(discount),
                currency="EUR",
                allocated_on=ON,
                method="credit_note" if kind == "credit_note" else "structured_reference",
                open_amount_after=D(after),
            ),
            "invoice",
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
            "invoice",
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
            "invoice",
            number,
        )

    def paid(self, number: str) -> Envelope:
        return self._env(
            InvoicePaid(invoice_number=number, debtor_ref=self.debtor, paid_on=ON, currency="EUR"),
            "invoice",
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
            "invoice",
            number,
        )

    def cancelled(self, number: str) -> Envelope:
        return self._env(
            InvoiceCancelled(
                invoice_number=number, debtor_ref=self.debtor, cancelled_on=ON, reason="twice"
            ),
            "invoice",
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
            "invoice",
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
            "credit_note",
            number,
        )


@pytest.fixture
def ledger(invoicing: Any) -> Ledger:
    return Ledger(invoicing)


async def deliver(db: Database, handler: Handler, *envelopes: Envelope) -> None:
    for env in envelopes:
        async with db.transaction() as session:
            await handler(session, env)


async def listed(db: Database, debtor_ref: str) -> dict[str, str]:
    """The debtor's open items on the endpoint's query: invoice number -> open amount."""
    async with db.reading() as session:
        found = await open_items_of(session, TENANT, debtor_ref, AS_OF)
    assert found is not None
    return {item.invoice_number: str(item.open_amount) for item in found.items}


async def row(db: Database, number: str) -> tuple[str, str]:
    async with db.reading() as session:
        found = (
            await session.execute(
                select(open_items.c.status, open_items.c.open_amount).where(
                    open_items.c.tenant_id == TENANT, open_items.c.invoice_number == number
                )
            )
        ).one()
    return found.status, str(found.open_amount)


async def test_a_partial_allocation_reduces_the_open_amount_and_keeps_the_item(
    db: Database, handler: Handler, ledger: Ledger
) -> None:
    await deliver(
        db,
        handler,
        ledger.issue("INV-1", "1210.00"),
        ledger.issue("INV-2", "100.00"),
        ledger.allocate("INV-1", "300.00", "910.00"),
        ledger.partially_paid("INV-1", "910.00"),
    )
    assert await listed(db, ledger.debtor) == {"INV-1": "910.00", "INV-2": "100.00"}
    assert await row(db, "INV-1") == ("open", "910.00")
    async with db.reading() as session:
        found = await open_items_of(session, TENANT, ledger.debtor, AS_OF)
    assert found is not None
    [eur] = found.totals
    assert (eur.open_amount, eur.items) == (D("1010.00"), 2)


async def test_a_fully_paid_invoice_leaves_the_open_items(
    db: Database, handler: Handler, ledger: Ledger
) -> None:
    await deliver(
        db,
        handler,
        ledger.issue("INV-1", "1210.00"),
        ledger.issue("INV-2", "100.00"),
        ledger.allocate("INV-1", "300.00", "910.00"),
        ledger.partially_paid("INV-1", "910.00"),
        ledger.allocate("INV-1", "910.00", "0.00", source="PAY-2"),
        ledger.paid("INV-1"),
    )
    assert await listed(db, ledger.debtor) == {"INV-2": "100.00"}
    assert await row(db, "INV-1") == ("paid", "0.00")


async def test_a_credit_note_counts_once_through_its_allocation(
    db: Database, handler: Handler, ledger: Ledger
) -> None:
    await deliver(
        db,
        handler,
        ledger.issue("INV-1", "121.00"),
        ledger.credit_note("CN-1", "50.00", "INV-1"),  # no effect of its own
        ledger.allocate("INV-1", "50.00", "71.00", kind="credit_note", source="CN-1"),
        ledger.partially_paid("INV-1", "71.00"),
    )
    assert await listed(db, ledger.debtor) == {"INV-1": "71.00"}


async def test_a_discounted_payment_settles_the_invoice(
    db: Database, handler: Handler, ledger: Ledger
) -> None:
    await deliver(
        db,
        handler,
        ledger.issue("INV-1", "121.00"),
        ledger.allocate("INV-1", "118.58", "0.00", discount="2.42"),
        ledger.paid("INV-1"),
    )
    async with db.reading() as session:
        found = await open_items_of(session, TENANT, ledger.debtor, AS_OF)
    assert found is not None  # the debtor is known through its invoice, with nothing open
    assert (found.items, found.totals) == ([], [])


async def test_a_reversal_brings_a_paid_invoice_back(
    db: Database, handler: Handler, ledger: Ledger
) -> None:
    await deliver(
        db,
        handler,
        ledger.issue("INV-1", "1210.00"),
        ledger.allocate("INV-1", "300.00", "910.00"),
        ledger.partially_paid("INV-1", "910.00"),
        ledger.allocate("INV-1", "910.00", "0.00", source="PAY-2"),
        ledger.paid("INV-1"),
        ledger.reverse("INV-1", "910.00", "910.00", source="PAY-2"),
        ledger.reopened("INV-1", "910.00"),
    )
    assert await listed(db, ledger.debtor) == {"INV-1": "910.00"}
    assert await row(db, "INV-1") == ("open", "910.00")

    await deliver(db, handler, ledger.reverse("INV-1", "300.00", "1210.00"))  # still open
    assert await listed(db, ledger.debtor) == {"INV-1": "1210.00"}


async def test_cancelled_and_written_off_invoices_leave_the_open_items(
    db: Database, handler: Handler, ledger: Ledger
) -> None:
    await deliver(
        db,
        handler,
        ledger.issue("INV-1", "1210.00"),
        ledger.issue("INV-2", "500.00"),
        ledger.issue("INV-3", "42.00"),
        ledger.allocate("INV-2", "100.00", "400.00"),
        ledger.partially_paid("INV-2", "400.00"),
        ledger.invoicing.payment_overdue("INV-2", ledger.debtor, amount="400.00"),
    )
    assert await listed(db, ledger.debtor) == {
        "INV-1": "1210.00",
        "INV-2": "400.00",
        "INV-3": "42.00",
    }
    await deliver(db, handler, ledger.cancelled("INV-1"), ledger.written_off("INV-2", "400.00"))
    assert await listed(db, ledger.debtor) == {"INV-3": "42.00"}
    assert await row(db, "INV-1") == ("cancelled", "0.00")
    assert await row(db, "INV-2") == ("written_off", "0.00")


async def test_a_reversal_after_a_write_off_reopens_like_the_ledger_does(
    db: Database, handler: Handler, ledger: Ledger
) -> None:
    # The ledger puts a written-off invoice back to open when a payment on it bounces (and
    # records no InvoiceReopened): the bounced money is owed again.
    await deliver(
        db,
        handler,
        ledger.issue("INV-1", "500.00"),
        ledger.allocate("INV-1", "100.00", "400.00"),
        ledger.partially_paid("INV-1", "400.00"),
        ledger.written_off("INV-1", "400.00"),
        ledger.reverse("INV-1", "100.00", "100.00"),
    )
    assert await listed(db, ledger.debtor) == {"INV-1": "100.00"}


async def test_money_events_for_an_unknown_invoice_write_nothing_and_warn(
    db: Database, handler: Handler, ledger: Ledger, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="dunning_service"):
        await deliver(
            db,
            handler,
            ledger.allocate("INV-GHOST-1", "10.00", "0.00"),
            ledger.paid("INV-GHOST-2"),
            ledger.reopened("INV-GHOST-3", "10.00"),
            ledger.written_off("INV-GHOST-4", "10.00"),
        )
    async with db.reading() as session:
        assert await session.scalar(select(func.count()).select_from(open_items)) == 0
        assert await open_items_of(session, TENANT, ledger.debtor, AS_OF) is None
    for n in range(1, 5):
        assert f"INV-GHOST-{n}" in caplog.text
    assert "PaymentAllocated" in caplog.text and "InvoiceWrittenOff" in caplog.text


async def test_other_tenants_invoice_of_the_same_number_is_untouched(
    db: Database, handler: Handler, ledger: Ledger
) -> None:
    other = ledger.invoicing.invoice_issued("INV-1", ledger.debtor, tenant="globex")
    await deliver(db, handler, other, ledger.issue("INV-1"), ledger.cancelled("INV-1"))
    async with db.reading() as session:
        globex = await open_items_of(session, "globex", ledger.debtor, AS_OF)
    assert globex is not None
    assert [(i.invoice_number, str(i.open_amount)) for i in globex.items] == [("INV-1", "1210.00")]

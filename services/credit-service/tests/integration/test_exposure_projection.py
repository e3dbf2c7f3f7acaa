"""The exposure projection on a migrated database (SQLite and PostgreSQL), driven through the
consumer's handler exactly as the consumer calls it: one transaction per event."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from contracts.invoicing import (
    DebtorProfile,
    DebtorRegistered,
    DebtorUpdated,
    InvoiceIssued,
    PaymentOverdue,
)
from contracts.registry import build_registry
from credit_service.application.handlers import exposure_handler
from credit_service.bootstrap import SERVICE_ROOT
from credit_service.domain.exposure import CurrencyExposure, DebtorIdentity
from credit_service.projections.queries import exposure_by_currency, find_debtor
from credit_service.projections.tables import credit_invoices
from eventkit.clock import SystemClock
from eventkit.db import Database
from eventkit.envelope import Envelope, new_envelope
from eventkit.testing.databases import fresh_database, migrate

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
async def db(backend: str, tmp_path: Path) -> AsyncIterator[Database]:
    async with fresh_database(backend, tmp_path) as url:
        await migrate(SERVICE_ROOT, url)
        database = Database(url)
        try:
            yield database
        finally:
            await database.dispose()


InvoicingEvent = DebtorRegistered | DebtorUpdated | InvoiceIssued | PaymentOverdue


def envelope(
    event: InvoicingEvent, *, tenant: str, debtor_ref: str, at: datetime = T0, version: int = 1
) -> Envelope:
    if isinstance(event, DebtorRegistered | DebtorUpdated):
        aggregate_type, aggregate_id = "debtor", event.debtor_ref
    else:
        aggregate_type, aggregate_id = "invoice", event.invoice_number
    return new_envelope(
        event,
        tenant_id=tenant,
        aggregate_type=aggregate_type,
        aggregate_id=aggregate_id,
        aggregate_version=version,
        clock=SystemClock(),
        producer="invoice-service",
        partition_key=f"{tenant}:{debtor_ref}",
        occurred_at=at,
    )


def profile(name: str = "Brouwerij Janssens BV", country: str = "BE") -> DebtorProfile:
    return DebtorProfile(legal_name=name, kind="B2B", country=country, language="nl")


def issued(number: str, debtor_ref: str, amount: str, currency: str = "EUR") -> InvoiceIssued:
    return InvoiceIssued(
        invoice_number=number,
        debtor_ref=debtor_ref,
        debtor_kind="B2B",
        issue_date=date(2026, 11, 1),
        due_date=date(2026, 12, 1),
        currency=currency,
        net_total=Decimal(amount),
        vat_total=Decimal("0"),
        amount_due=Decimal(amount),
        payment_reference="+++000/0000/00097+++",
    )


def overdue(
    number: str, debtor_ref: str, since: date, amount: str, currency: str = "EUR"
) -> PaymentOverdue:
    return PaymentOverdue(
        invoice_number=number,
        debtor_ref=debtor_ref,
        due_date=since - timedelta(days=1),
        overdue_since=since,
        open_amount=Decimal(amount),
        currency=currency,
    )


async def apply(db: Database, *envelopes: Envelope) -> None:
    handler = exposure_handler(build_registry())
    for env in envelopes:
        async with db.transaction() as session:
            await handler(session, env)


async def read(
    db: Database, tenant: str, debtor_ref: str
) -> tuple[DebtorIdentity | None, list[CurrencyExposure]]:
    async with db.reading() as session:
        return (
            await find_debtor(session, tenant, debtor_ref),
            await exposure_by_currency(session, tenant, debtor_ref),
        )


def ref() -> str:
    return f"D-{uuid.uuid4().hex[:8]}"


async def test_exposure_aggregates_open_and_overdue_items_per_currency(db: Database) -> None:
    d = ref()
    await apply(
        db,
        envelope(issued("INV-1", d, "1210.00"), tenant="acme", debtor_ref=d),
        envelope(issued("INV-2", d, "100.50"), tenant="acme", debtor_ref=d),
        envelope(issued("INV-3", d, "19.99"), tenant="acme", debtor_ref=d),
        envelope(issued("INV-4", d, "500.00", "USD"), tenant="acme", debtor_ref=d),
        envelope(overdue("INV-2", d, date(2026, 12, 3), "100.50"), tenant="acme", debtor_ref=d),
        envelope(overdue("INV-3", d, date(2026, 12, 2), "19.99"), tenant="acme", debtor_ref=d),
    )
    debtor, lines = await read(db, "acme", d)
    assert debtor is None  # the debtor topic has not delivered yet
    assert lines == [
        CurrencyExposure("EUR", Decimal("1330.49"), Decimal("120.49"), 3, 2, date(2026, 12, 2)),
        CurrencyExposure("USD", Decimal("500.00"), Decimal("0.00"), 1, 0, None),
    ]


async def test_debtor_and_invoices_project_in_either_order(db: Database) -> None:
    first_invoice, first_debtor = ref(), ref()
    await apply(
        db,
        envelope(issued("INV-A", first_invoice, "10.00"), tenant="acme", debtor_ref=first_invoice),
        envelope(
            DebtorRegistered(debtor_ref=first_invoice, profile=profile()),
            tenant="acme",
            debtor_ref=first_invoice,
        ),
        envelope(
            DebtorRegistered(debtor_ref=first_debtor, profile=profile("Acme NV")),
            tenant="acme",
            debtor_ref=first_debtor,
        ),
        envelope(issued("INV-B", first_debtor, "20.00"), tenant="acme", debtor_ref=first_debtor),
    )
    for d, name, amount in (
        (first_invoice, "Brouwerij Janssens BV", "10.00"),
        (first_debtor, "Acme NV", "20.00"),
    ):
        debtor, lines = await read(db, "acme", d)
        assert debtor == DebtorIdentity(name, "B2B", "BE")
        assert [(c.currency, c.open_amount) for c in lines] == [("EUR", Decimal(amount))]


async def test_a_newer_description_of_the_debtor_wins_an_older_one_is_ignored(
    db: Database,
) -> None:
    d = ref()
    registered = DebtorRegistered(debtor_ref=d, profile=profile())
    renamed = DebtorUpdated(
        debtor_ref=d, profile=profile("Janssens Brewing BV", "NL"), changed=["legal_name"]
    )
    await apply(
        db,
        envelope(registered, tenant="acme", debtor_ref=d, at=T0),
        envelope(renamed, tenant="acme", debtor_ref=d, at=T0 + timedelta(hours=1), version=2),
    )
    assert (await read(db, "acme", d))[0] == DebtorIdentity("Janssens Brewing BV", "B2B", "NL")
    await apply(db, envelope(registered, tenant="acme", debtor_ref=d, at=T0))  # a stale replay
    assert (await read(db, "acme", d))[0] == DebtorIdentity("Janssens Brewing BV", "B2B", "NL")


async def test_issuing_and_flagging_twice_has_one_effect(db: Database) -> None:
    d = ref()
    # Distinct envelopes (new event ids) of the same facts: the inbox cannot catch these, the
    # projection itself must be idempotent.
    await apply(
        db,
        envelope(issued("INV-1", d, "80.00"), tenant="acme", debtor_ref=d),
        envelope(issued("INV-1", d, "80.00"), tenant="acme", debtor_ref=d),
        envelope(overdue("INV-1", d, date(2026, 12, 2), "80.00"), tenant="acme", debtor_ref=d),
        envelope(overdue("INV-1", d, date(2026, 12, 9), "80.00"), tenant="acme", debtor_ref=d),
        envelope(issued("INV-1", d, "80.00"), tenant="acme", debtor_ref=d),
    )
    _, lines = await read(db, "acme", d)
    assert lines == [
        CurrencyExposure("EUR", Decimal("80.00"), Decimal("80.00"), 1, 1, date(2026, 12, 2))
    ]


async def test_rows_are_tenant_scoped(db: Database) -> None:
    d = ref()
    await apply(
        db,
        envelope(DebtorRegistered(debtor_ref=d, profile=profile()), tenant="acme", debtor_ref=d),
        envelope(issued("INV-1", d, "10.00"), tenant="acme", debtor_ref=d),
        envelope(issued("INV-1", d, "99.00"), tenant="globex", debtor_ref=d),
        envelope(overdue("INV-1", d, date(2026, 12, 2), "99.00"), tenant="globex", debtor_ref=d),
    )
    acme_debtor, acme = await read(db, "acme", d)
    globex_debtor, globex = await read(db, "globex", d)
    assert acme_debtor is not None
    assert globex_debtor is None
    assert [(c.open_amount, c.overdue_items) for c in acme] == [(Decimal("10.00"), 0)]
    assert [(c.open_amount, c.overdue_items) for c in globex] == [(Decimal("99.00"), 1)]
    assert await read(db, "initech", d) == (None, [])


async def test_an_overdue_flag_seen_before_its_invoice_loses_nothing(db: Database) -> None:
    # A consumer rewinding to its database checkpoint after reading ahead can see this order.
    d = ref()
    await apply(
        db,
        envelope(overdue("INV-1", d, date(2026, 12, 2), "60.00"), tenant="acme", debtor_ref=d),
        envelope(issued("INV-1", d, "100.00"), tenant="acme", debtor_ref=d),
    )
    async with db.reading() as session:
        row = (
            await session.execute(
                select(credit_invoices).where(
                    credit_invoices.c.tenant_id == "acme", credit_invoices.c.debtor_ref == d
                )
            )
        ).one()
    assert (row.amount_due, row.open_amount, row.overdue_since) == (
        Decimal("100.00"),
        Decimal("60.00"),
        date(2026, 12, 2),
    )
    _, lines = await read(db, "acme", d)
    assert lines == [
        CurrencyExposure("EUR", Decimal("60.00"), Decimal("60.00"), 1, 1, date(2026, 12, 2))
    ]

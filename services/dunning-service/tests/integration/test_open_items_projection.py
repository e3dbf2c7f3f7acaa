"""The open-items handler on a migrated database (SQLite and PostgreSQL), without the broker:
upserts that do not depend on cross-topic order, and the edge cases of the brief."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from contracts.registry import build_registry
from dunning_service.application.invoicing_events import open_items_handler
from dunning_service.application.open_items import OpenItemsStatement, open_items_of
from dunning_service.bootstrap import SERVICE_ROOT
from dunning_service.projections.tables import dunning_debtors, open_items
from eventkit.consumer import Handler
from eventkit.db import Database
from eventkit.envelope import Envelope
from eventkit.testing.databases import fresh_database, migrate

AS_OF = date(2026, 12, 20)


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


async def deliver(db: Database, handler: Handler, *envelopes: Envelope) -> None:
    for env in envelopes:
        async with db.transaction() as session:
            await handler(session, env)


async def statement(db: Database, debtor_ref: str, tenant: str = "acme") -> OpenItemsStatement:
    async with db.reading() as session:
        found = await open_items_of(session, tenant, debtor_ref, AS_OF)
    assert found is not None
    return found


async def test_invoices_before_their_debtor_and_debtor_updates_win(
    db: Database, handler: Handler, invoicing: Any
) -> None:
    debtor = invoicing.ref("D")
    await deliver(
        db,
        handler,
        invoicing.invoice_issued("INV-2", debtor, due_date=date(2026, 12, 31), amount="500.00"),
        invoicing.invoice_issued("INV-1", debtor),
        invoicing.payment_overdue("INV-1", debtor),
    )
    early = await statement(db, debtor)
    assert early.debtor is None
    assert [i.invoice_number for i in early.items] == ["INV-1", "INV-2"]

    await deliver(
        db,
        handler,
        invoicing.debtor_registered(debtor),
        invoicing.debtor_updated(debtor, language="fr", email=None),
    )
    later = await statement(db, debtor)
    assert later.debtor is not None
    assert (later.debtor.legal_name, later.debtor.language) == ("Brouwerij Janssens BV", "fr")
    assert [(i.invoice_number, i.overdue_since) for i in later.items] == [
        ("INV-1", date(2026, 12, 2)),
        ("INV-2", None),
    ]
    async with db.reading() as session:
        email = await session.scalar(
            select(dunning_debtors.c.email).where(dunning_debtors.c.debtor_ref == debtor)
        )
    assert email is None


async def test_a_second_invoice_issued_keeps_the_row_and_its_overdue_flag(
    db: Database, handler: Handler, invoicing: Any
) -> None:
    debtor = invoicing.ref("D")
    number = invoicing.ref("INV")
    await deliver(
        db,
        handler,
        invoicing.invoice_issued(number, debtor),
        invoicing.payment_overdue(number, debtor),
        invoicing.invoice_issued(number, debtor, amount="1.00"),  # another event id, same invoice
    )
    [item] = (await statement(db, debtor)).items
    assert (str(item.open_amount), item.overdue_since) == ("1210.00", date(2026, 12, 2))


async def test_payment_overdue_for_an_unknown_invoice_inserts_nothing_and_warns(
    db: Database, handler: Handler, invoicing: Any, caplog: pytest.LogCaptureFixture
) -> None:
    debtor = invoicing.ref("D")
    with caplog.at_level(logging.WARNING, logger="dunning_service"):
        await deliver(db, handler, invoicing.payment_overdue("INV-GHOST", debtor))
    async with db.reading() as session:
        rows = await session.scalar(select(func.count()).select_from(open_items))
        assert await open_items_of(session, "acme", debtor, AS_OF) is None
    assert rows == 0
    assert "INV-GHOST" in caplog.text


async def test_event_types_it_does_not_project_are_ignored(
    db: Database, handler: Handler, invoicing: Any
) -> None:
    debtor = invoicing.ref("D")
    await deliver(db, handler, invoicing.unknown_event("INV-1", debtor))
    async with db.reading() as session:
        assert await session.scalar(select(func.count()).select_from(open_items)) == 0
        assert await session.scalar(select(func.count()).select_from(dunning_debtors)) == 0


async def test_tenants_do_not_see_each_other(
    db: Database, handler: Handler, invoicing: Any
) -> None:
    debtor = invoicing.ref("D")
    await deliver(
        db,
        handler,
        invoicing.debtor_registered(debtor, tenant="globex"),
        invoicing.invoice_issued("INV-1", debtor, tenant="globex"),
    )
    async with db.reading() as session:
        assert await open_items_of(session, "acme", debtor, AS_OF) is None
    assert len((await statement(db, debtor, tenant="globex")).items) == 1

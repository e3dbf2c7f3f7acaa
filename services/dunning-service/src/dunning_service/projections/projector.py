"""Writes of the open-items projection. Every write is one set-based statement, an upsert or a
guarded update, so that it does not depend on the order in which the invoicing topics arrive."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Executable

from contracts.invoicing import DebtorProfile, InvoiceIssued
from dunning_service.projections.tables import dunning_debtors, open_items
from eventkit.db import affected, dialect_of

# Status of an open item. Partially paid invoices stay OPEN with a reduced open_amount.
OPEN = "open"
PAID = "paid"
CANCELLED = "cancelled"
WRITTEN_OFF = "written_off"
ZERO = Decimal("0.00")


def _insert(
    session: AsyncSession,
    table: Table,
    values: Mapping[str, Any],
    *,
    keys: Sequence[str],
    overwrite: Sequence[str] = (),
) -> Executable:
    """INSERT … ON CONFLICT on PostgreSQL and SQLite: overwrite ``overwrite`` or keep the row."""
    stmt = (
        pg_insert(table) if dialect_of(session) == "postgresql" else sqlite_insert(table)
    ).values(dict(values))
    if overwrite:
        return stmt.on_conflict_do_update(
            index_elements=list(keys), set_={name: stmt.excluded[name] for name in overwrite}
        )
    return stmt.on_conflict_do_nothing(index_elements=list(keys))


async def upsert_debtor(
    session: AsyncSession, tenant_id: str, debtor_ref: str, profile: DebtorProfile, at: datetime
) -> None:
    """The latest master data wins: one debtor's events are ordered within their topic."""
    values = {
        "tenant_id": tenant_id,
        "debtor_ref": debtor_ref,
        "legal_name": profile.legal_name,
        "kind": profile.kind,
        "country": profile.country,
        "language": profile.language,
        "email": profile.email,
        "updated_at": at,
    }
    await session.execute(
        _insert(
            session,
            dunning_debtors,
            values,
            keys=("tenant_id", "debtor_ref"),
            overwrite=("legal_name", "kind", "country", "language", "email", "updated_at"),
        )
    )


async def add_open_item(
    session: AsyncSession, tenant_id: str, issued: InvoiceIssued, at: datetime
) -> None:
    """Insert the invoice once. A row that exists already came from this invoice's issue and may
    carry later facts (overdue_since), so a second InvoiceIssued leaves it untouched."""
    values = {
        "tenant_id": tenant_id,
        "invoice_number": issued.invoice_number,
        "debtor_ref": issued.debtor_ref,
        "issue_date": issued.issue_date,
        "due_date": issued.due_date,
        "currency": issued.currency,
        "amount_due": issued.amount_due,
        "open_amount": issued.amount_due,
        "payment_reference": issued.payment_reference,
        "status": OPEN,
        "overdue_since": None,
        "last_event_at": at,
    }
    await session.execute(
        _insert(session, open_items, values, keys=("tenant_id", "invoice_number"))
    )


async def mark_overdue(
    session: AsyncSession, tenant_id: str, invoice_number: str, overdue_since: date, at: datetime
) -> bool:
    """Flag the invoice overdue. False when the invoice is unknown (nothing is written)."""
    result = await session.execute(
        update(open_items)
        .where(open_items.c.tenant_id == tenant_id, open_items.c.invoice_number == invoice_number)
        .values(overdue_since=overdue_since, last_event_at=at)
    )
    return affected(result) > 0


async def _update_item(
    session: AsyncSession,
    tenant_id: str,
    invoice_number: str,
    at: datetime,
    values: Mapping[str, Any],
) -> bool:
    """One UPDATE of the invoice's row, keyed by (tenant, invoice number). False when the
    invoice is unknown: nothing is written (no row is made up from a later event)."""
    result = await session.execute(
        update(open_items)
        .where(open_items.c.tenant_id == tenant_id, open_items.c.invoice_number == invoice_number)
        .values(**values, last_event_at=at)
    )
    return affected(result) > 0


async def set_open_amount(
    session: AsyncSession, tenant_id: str, invoice_number: str, open_amount: Decimal, at: datetime
) -> bool:
    """The balance after an allocation (PaymentAllocated, InvoicePartiallyPaid); the status is
    left as it is, so a partially paid invoice stays an open item."""
    return await _update_item(session, tenant_id, invoice_number, at, {"open_amount": open_amount})


async def reopen(
    session: AsyncSession, tenant_id: str, invoice_number: str, open_amount: Decimal, at: datetime
) -> bool:
    """The balance is back (PaymentAllocationReversed, InvoiceReopened): open again. The ledger
    puts the invoice back to open on every reversal, also one after a write-off (for which it
    records no InvoiceReopened), so the reversal reopens too."""
    return await _update_item(
        session, tenant_id, invoice_number, at, {"open_amount": open_amount, "status": OPEN}
    )


async def close(
    session: AsyncSession, tenant_id: str, invoice_number: str, status: str, at: datetime
) -> bool:
    """The invoice leaves the open items (paid, cancelled, written off): nothing is open."""
    return await _update_item(
        session, tenant_id, invoice_number, at, {"open_amount": ZERO, "status": status}
    )

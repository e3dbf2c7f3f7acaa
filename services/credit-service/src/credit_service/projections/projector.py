"""Effects of invoicing events on the credit read models. Each function is one statement and
runs inside the consumer's transaction, after the inbox has let the event through once.

The debtor topic and the invoice topic are not ordered with respect to each other, so debtors
and invoices are projected independently: an invoice may be known before its debtor."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Table, func, update
from sqlalchemy.dialects.postgresql import Insert as PgInsert
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import Insert as SqliteInsert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from contracts.invoicing import DebtorProfile, InvoiceIssued, PaymentOverdue
from credit_service.projections.tables import credit_debtors, credit_invoices
from eventkit.db import dialect_of

ZERO = Decimal("0.00")


def _insert(session: AsyncSession, table: Table) -> PgInsert | SqliteInsert:
    return pg_insert(table) if dialect_of(session) == "postgresql" else sqlite_insert(table)


async def upsert_debtor(
    session: AsyncSession,
    tenant_id: str,
    debtor_ref: str,
    profile: DebtorProfile,
    described_at: datetime,
) -> None:
    """Insert or replace the debtor's identity; an older description never overwrites a newer
    one (replays of old history stay harmless)."""
    stmt = _insert(session, credit_debtors).values(
        tenant_id=tenant_id,
        debtor_ref=debtor_ref,
        legal_name=profile.legal_name,
        kind=profile.kind,
        country=profile.country,
        updated_at=described_at,
    )
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=[credit_debtors.c.tenant_id, credit_debtors.c.debtor_ref],
            set_={
                "legal_name": stmt.excluded.legal_name,
                "kind": stmt.excluded.kind,
                "country": stmt.excluded.country,
                "updated_at": stmt.excluded.updated_at,
            },
            where=credit_debtors.c.updated_at <= stmt.excluded.updated_at,
        )
    )


async def record_invoice(session: AsyncSession, tenant_id: str, event: InvoiceIssued) -> None:
    """A new open item for the full amount. Issuing is a one-time fact: when the invoice is
    already known, only the issued amount is taken from it; its open amount and overdue flag
    stay as later events left them."""
    stmt = _insert(session, credit_invoices).values(
        tenant_id=tenant_id,
        invoice_number=event.invoice_number,
        debtor_ref=event.debtor_ref,
        currency=event.currency,
        amount_due=event.amount_due,
        open_amount=event.amount_due,
        due_date=event.due_date,
        overdue_since=None,
    )
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=[credit_invoices.c.tenant_id, credit_invoices.c.invoice_number],
            set_={"amount_due": stmt.excluded.amount_due},
        )
    )


async def mark_overdue(session: AsyncSession, tenant_id: str, event: PaymentOverdue) -> None:
    """Flag the invoice overdue; the first flag wins.

    InvoiceIssued precedes PaymentOverdue on the invoice topic, but a consumer whose database
    checkpoint lags the group's broker offset (a rebuild, a fresh replica) may see later records
    before it rewinds. So an unknown invoice is recorded from what this event carries; its
    InvoiceIssued then fills in the issued amount (see ``record_invoice``)."""
    stmt = _insert(session, credit_invoices).values(
        tenant_id=tenant_id,
        invoice_number=event.invoice_number,
        debtor_ref=event.debtor_ref,
        currency=event.currency,
        amount_due=event.open_amount,
        open_amount=event.open_amount,
        due_date=event.due_date,
        overdue_since=event.overdue_since,
    )
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=[credit_invoices.c.tenant_id, credit_invoices.c.invoice_number],
            set_={
                "overdue_since": func.coalesce(
                    credit_invoices.c.overdue_since, stmt.excluded.overdue_since
                )
            },
        )
    )


async def set_open_amount(
    session: AsyncSession, tenant_id: str, invoice_number: str, open_amount: Decimal
) -> bool:
    """The balance the ledger reached (an allocation, its reversal, a reopening; 0 once the
    invoice is paid, cancelled or written off, which takes it out of the exposure). One UPDATE
    keyed by (tenant, invoice number); False when the invoice is unknown and nothing is written:
    these events carry no due date, so no row can be made up from them."""
    result = await session.execute(
        update(credit_invoices)
        .where(
            credit_invoices.c.tenant_id == tenant_id,
            credit_invoices.c.invoice_number == invoice_number,
        )
        .values(open_amount=open_amount)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]

"""Effects of invoicing and dunning events on the credit read models. Each function runs inside
the consumer's transaction, after the inbox has let the event through once.

The debtor topic and the invoice topic are not ordered with respect to each other, so debtors
and invoices are projected independently: an invoice may be known before its debtor."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Table, func, select, update
from sqlalchemy.dialects.postgresql import Insert as PgInsert
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import Insert as SqliteInsert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from contracts.invoicing import DebtorProfile, InvoiceIssued, PaymentOverdue
from credit_service.projections.tables import (
    credit_debtors,
    credit_disputes,
    credit_dunning_incidents,
    credit_invoices,
    credit_settlements,
)
from eventkit.db import affected, dialect_of

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
    already known, only the issued amount and date are taken from it; its open amount and
    overdue flag stay as later events left them."""
    stmt = _insert(session, credit_invoices).values(
        tenant_id=tenant_id,
        invoice_number=event.invoice_number,
        debtor_ref=event.debtor_ref,
        currency=event.currency,
        amount_due=event.amount_due,
        open_amount=event.amount_due,
        due_date=event.due_date,
        overdue_since=None,
        issue_date=event.issue_date,
        closed_on=None,
    )
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=[credit_invoices.c.tenant_id, credit_invoices.c.invoice_number],
            set_={"amount_due": stmt.excluded.amount_due, "issue_date": stmt.excluded.issue_date},
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
        issue_date=None,
        closed_on=None,
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
    session: AsyncSession,
    tenant_id: str,
    invoice_number: str,
    open_amount: Decimal,
    settled_on: date | None = None,
) -> bool:
    """The balance the ledger reached (an allocation, its reversal, a reopening; 0 once the
    invoice is paid, cancelled or written off, which takes it out of the exposure). One UPDATE
    keyed by (tenant, invoice number); False when the invoice is unknown and nothing is written:
    these events carry no due date, so no row can be made up from them.

    ``closed_on`` follows: the day it was settled (``settled_on``, else the one already known)
    while nothing is open, null again once something is."""
    closed_on = (
        (settled_on if settled_on is not None else credit_invoices.c.closed_on)
        if open_amount <= 0
        else None
    )
    result = await session.execute(
        update(credit_invoices)
        .where(
            credit_invoices.c.tenant_id == tenant_id,
            credit_invoices.c.invoice_number == invoice_number,
        )
        .values(open_amount=open_amount, closed_on=closed_on)
    )
    return bool(affected(result))


async def open_amount_of(
    session: AsyncSession, tenant_id: str, invoice_number: str
) -> tuple[Decimal, str] | None:
    """The invoice's open amount and currency; None when it is unknown."""
    row = (
        await session.execute(
            select(credit_invoices.c.open_amount, credit_invoices.c.currency).where(
                credit_invoices.c.tenant_id == tenant_id,
                credit_invoices.c.invoice_number == invoice_number,
            )
        )
    ).first()
    return (row.open_amount, row.currency) if row is not None else None


async def record_settlement(
    session: AsyncSession,
    tenant_id: str,
    event_id: str,
    *,
    invoice_number: str,
    debtor_ref: str,
    currency: str,
    kind: str,
    source_id: str | None,
    settled_on: date,
    amount: Decimal,
) -> None:
    """One dated change to what is applied to an invoice, keyed by the event that made it."""
    stmt = _insert(session, credit_settlements).values(
        tenant_id=tenant_id,
        event_id=event_id,
        invoice_number=invoice_number,
        debtor_ref=debtor_ref,
        currency=currency,
        kind=kind,
        source_id=source_id,
        settled_on=settled_on,
        amount=amount,
    )
    await session.execute(
        stmt.on_conflict_do_nothing(
            index_elements=[credit_settlements.c.tenant_id, credit_settlements.c.event_id]
        )
    )


async def dispute_opened(
    session: AsyncSession,
    tenant_id: str,
    dispute_id: str,
    debtor_ref: str,
    invoice_number: str,
    opened_on: date,
) -> None:
    stmt = _insert(session, credit_disputes).values(
        tenant_id=tenant_id,
        dispute_id=dispute_id,
        debtor_ref=debtor_ref,
        invoice_number=invoice_number,
        opened_on=opened_on,
        resolved_on=None,
    )
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=[credit_disputes.c.tenant_id, credit_disputes.c.dispute_id],
            set_={"opened_on": stmt.excluded.opened_on},
        )
    )


async def dispute_resolved(
    session: AsyncSession,
    tenant_id: str,
    dispute_id: str,
    debtor_ref: str,
    invoice_number: str,
    resolved_on: date,
) -> None:
    """Resolved; recorded even when the opening was not seen (it then never counts as open)."""
    stmt = _insert(session, credit_disputes).values(
        tenant_id=tenant_id,
        dispute_id=dispute_id,
        debtor_ref=debtor_ref,
        invoice_number=invoice_number,
        opened_on=None,
        resolved_on=resolved_on,
    )
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=[credit_disputes.c.tenant_id, credit_disputes.c.dispute_id],
            set_={"resolved_on": stmt.excluded.resolved_on},
        )
    )


async def record_incident(
    session: AsyncSession,
    tenant_id: str,
    event_id: str,
    *,
    debtor_ref: str,
    kind: str,
    reference: str,
    occurred_on: date,
) -> None:
    stmt = _insert(session, credit_dunning_incidents).values(
        tenant_id=tenant_id,
        event_id=event_id,
        debtor_ref=debtor_ref,
        kind=kind,
        reference=reference,
        occurred_on=occurred_on,
    )
    await session.execute(
        stmt.on_conflict_do_nothing(
            index_elements=[
                credit_dunning_incidents.c.tenant_id,
                credit_dunning_incidents.c.event_id,
            ]
        )
    )

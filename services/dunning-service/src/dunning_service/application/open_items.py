"""Queries on the open-items projection."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from dunning_service.domain.open_items import (
    CurrencyTotal,
    OpenItem,
    in_dunning_order,
    totals_by_currency,
)
from dunning_service.projections.projector import OPEN
from dunning_service.projections.tables import dunning_debtors, open_items


@dataclass(frozen=True, slots=True)
class DebtorSummary:
    legal_name: str
    kind: str
    country: str
    language: str


@dataclass(frozen=True, slots=True)
class OpenItemsStatement:
    debtor_ref: str
    debtor: DebtorSummary | None
    as_of: date
    items: list[OpenItem]
    totals: list[CurrencyTotal]


async def open_items_of(
    session: AsyncSession, tenant_id: str, debtor_ref: str, as_of: date
) -> OpenItemsStatement | None:
    """The debtor's open items on business date ``as_of``; None when the tenant knows neither
    the debtor nor any item of it. The debtor may be unknown while its invoices are known
    (the debtor topic is consumed independently of the invoice topic). Only items with status
    'open' are listed (a partially paid invoice among them, with what is still open); paid,
    cancelled and written-off ones are not, yet they still make the debtor known."""
    debtor_row = (
        await session.execute(
            select(
                dunning_debtors.c.legal_name,
                dunning_debtors.c.kind,
                dunning_debtors.c.country,
                dunning_debtors.c.language,
            ).where(
                dunning_debtors.c.tenant_id == tenant_id,
                dunning_debtors.c.debtor_ref == debtor_ref,
            )
        )
    ).first()
    rows = (
        await session.execute(
            select(
                open_items.c.invoice_number,
                open_items.c.issue_date,
                open_items.c.due_date,
                open_items.c.currency,
                open_items.c.amount_due,
                open_items.c.open_amount,
                open_items.c.payment_reference,
                open_items.c.overdue_since,
            ).where(
                open_items.c.tenant_id == tenant_id,
                open_items.c.debtor_ref == debtor_ref,
                open_items.c.status == OPEN,
            )
        )
    ).all()
    if debtor_row is None and not rows and not await _has_items(session, tenant_id, debtor_ref):
        return None
    # Ordered here rather than in SQL: string collation differs between the backends.
    items = in_dunning_order(
        [
            OpenItem(
                invoice_number=r.invoice_number,
                issue_date=r.issue_date,
                due_date=r.due_date,
                currency=r.currency,
                amount_due=Decimal(r.amount_due),
                open_amount=Decimal(r.open_amount),
                payment_reference=r.payment_reference,
                overdue_since=r.overdue_since,
            )
            for r in rows
        ]
    )
    return OpenItemsStatement(
        debtor_ref=debtor_ref,
        debtor=DebtorSummary(
            legal_name=debtor_row.legal_name,
            kind=debtor_row.kind,
            country=debtor_row.country,
            language=debtor_row.language,
        )
        if debtor_row is not None
        else None,
        as_of=as_of,
        items=items,
        totals=totals_by_currency(items),
    )


async def _has_items(session: AsyncSession, tenant_id: str, debtor_ref: str) -> bool:
    """Whether the tenant knows any item of the debtor, whatever its status."""
    return bool(
        await session.scalar(
            select(
                exists().where(
                    open_items.c.tenant_id == tenant_id, open_items.c.debtor_ref == debtor_ref
                )
            )
        )
    )

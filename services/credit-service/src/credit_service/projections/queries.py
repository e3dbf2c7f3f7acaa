"""Reads of the credit read models, always scoped to one tenant."""

from __future__ import annotations

from sqlalchemy import Numeric, and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from credit_service.domain.exposure import CurrencyExposure, DebtorIdentity, currency_exposure
from credit_service.projections.tables import credit_debtors, credit_invoices


async def find_debtor(
    session: AsyncSession, tenant_id: str, debtor_ref: str
) -> DebtorIdentity | None:
    row = (
        await session.execute(
            select(
                credit_debtors.c.legal_name, credit_debtors.c.kind, credit_debtors.c.country
            ).where(
                credit_debtors.c.tenant_id == tenant_id,
                credit_debtors.c.debtor_ref == debtor_ref,
            )
        )
    ).first()
    return DebtorIdentity(row.legal_name, row.kind, row.country) if row is not None else None


async def exposure_by_currency(
    session: AsyncSession, tenant_id: str, debtor_ref: str
) -> list[CurrencyExposure]:
    """One aggregate over the debtor's invoices: a line per currency it was ever invoiced in."""
    inv = credit_invoices.c
    is_open = inv.open_amount > 0
    is_overdue = and_(is_open, inv.overdue_since.is_not(None))
    amount = Numeric(18, 2)
    query = (
        select(
            inv.currency,
            func.sum(case((is_open, inv.open_amount), else_=0), type_=amount).label("open_amount"),
            func.sum(case((is_overdue, inv.open_amount), else_=0), type_=amount).label(
                "overdue_amount"
            ),
            func.count(case((is_open, 1))).label("open_items"),
            func.count(case((is_overdue, 1))).label("overdue_items"),
            func.min(case((is_overdue, inv.overdue_since))).label("oldest_overdue_since"),
        )
        .where(inv.tenant_id == tenant_id, inv.debtor_ref == debtor_ref)
        .group_by(inv.currency)
        .order_by(inv.currency)
    )
    rows = (await session.execute(query)).all()
    return [
        currency_exposure(
            r.currency,
            open_amount=r.open_amount,
            overdue_amount=r.overdue_amount,
            open_items=r.open_items,
            overdue_items=r.overdue_items,
            oldest_overdue_since=r.oldest_overdue_since,
        )
        for r in rows
    ]

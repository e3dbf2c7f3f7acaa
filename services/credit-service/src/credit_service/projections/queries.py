"""Reads of the credit read models, always scoped to one tenant.

The statements the consumer runs for every event are built once, with bind parameters:
building and keying a SQLAlchemy statement costs more than running it on a warm connection.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Numeric,
    Select,
    and_,
    bindparam,
    case,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession

from credit_service.domain.exposure import CurrencyExposure, DebtorIdentity, currency_exposure
from credit_service.domain.receivables import InvoiceRecord, SettlementRecord
from credit_service.domain.scoring import DunningRecord, ExternalCreditReport
from credit_service.projections.tables import (
    credit_debtors,
    credit_disputes,
    credit_dunning_incidents,
    credit_invoices,
    credit_reports,
    credit_settlements,
)

_inv = credit_invoices.c
_st = credit_settlements.c
_TENANT: BindParameter[str] = bindparam("tenant_id")
_DEBTOR: BindParameter[str] = bindparam("debtor_ref")


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


def _exposure_statement() -> Select[Any]:
    is_open = _inv.open_amount > 0
    is_overdue = and_(is_open, _inv.overdue_since.is_not(None))
    amount = Numeric(18, 2)
    return (
        select(
            _inv.currency,
            func.sum(case((is_open, _inv.open_amount), else_=0), type_=amount).label("open_amount"),
            func.sum(case((is_overdue, _inv.open_amount), else_=0), type_=amount).label(
                "overdue_amount"
            ),
            func.count(case((is_open, 1))).label("open_items"),
            func.count(case((is_overdue, 1))).label("overdue_items"),
            func.min(case((is_overdue, _inv.overdue_since))).label("oldest_overdue_since"),
        )
        .where(_inv.tenant_id == _TENANT, _inv.debtor_ref == _DEBTOR)
        .group_by(_inv.currency)
        .order_by(_inv.currency)
    )


EXPOSURE = _exposure_statement()


async def exposure_by_currency(
    session: AsyncSession, tenant_id: str, debtor_ref: str
) -> list[CurrencyExposure]:
    """One aggregate over the debtor's invoices: a line per currency it was ever invoiced in."""
    rows = (
        await session.execute(EXPOSURE, {"tenant_id": tenant_id, "debtor_ref": debtor_ref})
    ).all()
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


# --- credit-account facts ---------------------------------------------------------------------


@cache
def _receivables_statement(
    by_debtor: bool, by_currency: bool, issued: bool, still_open: bool, closed: bool
) -> Select[Any]:
    """Invoices with their settlement rows dated by ``as_of`` (left join), for one combination
    of filters; built once per combination."""
    conditions: list[ColumnElement[bool]] = [
        _inv.tenant_id == _TENANT,
        _inv.issue_date.is_not(None),
        _inv.issue_date <= bindparam("as_of"),
    ]
    if by_debtor:
        conditions.append(_inv.debtor_ref == _DEBTOR)
    if by_currency:
        conditions.append(_inv.currency == bindparam("currency"))
    relevant: list[ColumnElement[bool]] = []
    if issued:
        relevant.append(_inv.issue_date >= bindparam("issued_since"))
    if still_open:
        open_since: BindParameter[date] = bindparam("open_since")
        relevant.append(or_(_inv.closed_on.is_(None), _inv.closed_on >= open_since))
    if closed:
        relevant.append(_inv.closed_on >= bindparam("closed_since"))
    if relevant:
        conditions.append(or_(*relevant))
    return (
        select(
            _inv.invoice_number,
            _inv.currency,
            _inv.amount_due,
            _inv.issue_date,
            _inv.due_date,
            _st.kind,
            _st.source_id,
            _st.settled_on,
            _st.amount,
        )
        .join_from(
            credit_invoices,
            credit_settlements,
            and_(
                _st.tenant_id == _inv.tenant_id,
                _st.invoice_number == _inv.invoice_number,
                _st.settled_on <= bindparam("as_of"),
            ),
            isouter=True,
        )
        .where(*conditions)
    )


async def receivables(
    session: AsyncSession,
    tenant_id: str,
    *,
    as_of: date,
    debtor_ref: str | None = None,
    currency: str | None = None,
    issued_since: date | None = None,
    open_since: date | None = None,
    closed_since: date | None = None,
) -> tuple[list[InvoiceRecord], list[SettlementRecord]]:
    """Invoices issued by ``as_of`` that are either issued from ``issued_since``, or were open
    at some point from ``open_since`` (not settled before it), or were settled from
    ``closed_since``; with their settlement rows dated by ``as_of``. One statement."""
    statement = _receivables_statement(
        debtor_ref is not None,
        currency is not None,
        issued_since is not None,
        open_since is not None,
        closed_since is not None,
    )
    params = {
        "tenant_id": tenant_id,
        "as_of": as_of,
        "debtor_ref": debtor_ref,
        "currency": currency,
        "issued_since": issued_since,
        "open_since": open_since,
        "closed_since": closed_since,
    }
    used = {k: v for k, v in params.items() if v is not None}
    invoices: dict[str, InvoiceRecord] = {}
    settlements: list[SettlementRecord] = []
    for r in (await session.execute(statement, used)).all():
        if r.invoice_number not in invoices:
            invoices[r.invoice_number] = InvoiceRecord(
                r.invoice_number, r.currency, Decimal(r.amount_due), r.issue_date, r.due_date
            )
        if r.kind is not None:
            settlements.append(
                SettlementRecord(
                    r.invoice_number, r.kind, r.source_id, r.settled_on, Decimal(r.amount)
                )
            )
    return list(invoices.values()), settlements


def _dunning_statement() -> Any:
    inc = credit_dunning_incidents.c
    dis = credit_disputes.c
    counts = (
        select(inc.kind, func.count().label("n"))
        .where(
            inc.tenant_id == _TENANT,
            inc.debtor_ref == _DEBTOR,
            inc.occurred_on >= bindparam("since"),
            inc.occurred_on <= bindparam("as_of"),
        )
        .group_by(inc.kind)
    )
    open_disputes = select(literal("open_dispute").label("kind"), func.count().label("n")).where(
        dis.tenant_id == _TENANT,
        dis.debtor_ref == _DEBTOR,
        dis.opened_on.is_not(None),
        dis.resolved_on.is_(None),
    )
    return union_all(counts, open_disputes)


DUNNING = _dunning_statement()


async def dunning_record(
    session: AsyncSession, tenant_id: str, debtor_ref: str, *, since: date, as_of: date
) -> DunningRecord:
    """Incidents dated ``since`` … ``as_of`` and the disputes open now. One statement."""
    params = {"tenant_id": tenant_id, "debtor_ref": debtor_ref, "since": since, "as_of": as_of}
    found = {r.kind: r.n for r in (await session.execute(DUNNING, params)).all()}
    return DunningRecord(
        broken_promises=found.get("broken_promise", 0),
        defaulted_plans=found.get("defaulted_plan", 0),
        escalations=found.get("escalation", 0),
        open_disputes=found.get("open_dispute", 0),
    )


_rep = credit_reports.c
LATEST_REPORT = (
    select(credit_reports)
    .where(
        _rep.tenant_id == _TENANT,
        _rep.debtor_ref == _DEBTOR,
        _rep.reported_on <= bindparam("as_of"),
    )
    .order_by(_rep.reported_on.desc(), _rep.received_at.desc())
    .limit(1)
)


async def latest_report(
    session: AsyncSession, tenant_id: str, debtor_ref: str, as_of: date
) -> ExternalCreditReport | None:
    params = {"tenant_id": tenant_id, "debtor_ref": debtor_ref, "as_of": as_of}
    row = (await session.execute(LATEST_REPORT, params)).first()
    return report_of(row) if row is not None else None


def report_of(row: Any) -> ExternalCreditReport:
    return ExternalCreditReport(
        provider=row.source,
        score=Decimal(row.score),
        scale_min=Decimal(row.scale_min),
        scale_max=Decimal(row.scale_max),
        reported_on=row.reported_on,
        higher_is_better=row.higher_is_better,
        limit_advice=Decimal(row.limit_advice) if row.limit_advice is not None else None,
        limit_advice_currency=row.limit_advice_currency,
    )

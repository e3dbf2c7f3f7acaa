"""Receivables KPIs as of any date."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request

from credit_service.api.principals import CreditReader
from credit_service.api.schemas import KpiReportView
from credit_service.application.kpis import default_period_start, kpi_report
from eventkit.api import FieldProblem, Problem
from eventkit.runtime import Runtime

router = APIRouter(prefix="/v1", tags=["KPIs"])


def _rt(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


@router.get("/kpis", response_model=KpiReportView)
async def get_kpis(
    principal: CreditReader,
    request: Request,
    as_of: Annotated[date | None, Query(description="default: today's business date")] = None,
    period_start: Annotated[
        date | None,
        Query(
            alias="from",
            description="first day of the DSO/CEI period (default: the 1st of the month two "
            "months before as_of's)",
        ),
    ] = None,
    debtor_ref: Annotated[str | None, Query(min_length=1, max_length=100)] = None,
    currency: Annotated[str | None, Query(pattern=r"^[A-Z]{3}$")] = None,
) -> KpiReportView:
    """Aging (current, 1–30, 31–60, 61–90, over 90 days past due; the buckets add up to the
    total AR), DSO standard and countback, best possible DSO, average days delinquent and CEI,
    per currency, for the tenant or one debtor, as of any past date (from dated facts: later
    payments do not change an earlier figure)."""
    rt = _rt(request)
    today = rt.clock.today()
    as_of = as_of or today
    if as_of > today:
        raise Problem(
            422,
            "Invalid request",
            "KPIs are computed for today or a past date",
            kind="validation",
            errors=[FieldProblem("as_of", f"is after today ({today})", "query")],
        )
    start = period_start or default_period_start(as_of)
    if start > as_of:
        raise Problem(
            422,
            "Invalid request",
            "the period must start on or before as_of",
            kind="validation",
            errors=[FieldProblem("from", f"is after as_of ({as_of})", "query")],
        )
    report = await kpi_report(
        rt,
        principal.tenant,
        as_of=as_of,
        period_start=start,
        debtor_ref=debtor_ref,
        currency=currency,
    )
    return KpiReportView.of(report)

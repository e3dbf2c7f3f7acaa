"""Receivables KPIs as of a date, per tenant, per debtor and per currency, from dated facts.

The facts are the projected invoices with their dated settlements (``domain.receivables``), so
a figure as of a past date ignores everything dated after it: a payment recorded today does not
change last month's aging. Only the invoices that can matter are read: those issued within the
period or the countback horizon, and those not settled before the period began.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from credit_service.domain import kpis
from credit_service.domain.behaviour import months_before
from credit_service.domain.receivables import receivable_facts
from credit_service.projections.queries import receivables
from eventkit.runtime import Runtime

COUNTBACK_MONTHS = 12


@dataclass(frozen=True)
class CurrencyKpis:
    currency: str
    aging: kpis.AgingLine | None
    dso_standard: kpis.KpiResult
    dso_countback: kpis.KpiResult
    best_possible_dso: kpis.KpiResult
    average_days_delinquent: kpis.KpiResult
    cei: kpis.KpiResult


@dataclass(frozen=True)
class KpiReport:
    as_of: date
    period_start: date
    debtor_ref: str | None
    currency: str | None
    lines: tuple[CurrencyKpis, ...]


def default_period_start(as_of: date) -> date:
    """The three calendar months ending with ``as_of``'s month (that month up to ``as_of``)."""
    return months_before(as_of.replace(day=1), 2)


def _countback_start(as_of: date) -> date:
    return months_before(as_of.replace(day=1), COUNTBACK_MONTHS - 1)


async def kpi_report(
    rt: Runtime,
    tenant_id: str,
    *,
    as_of: date,
    period_start: date,
    debtor_ref: str | None = None,
    currency: str | None = None,
) -> KpiReport:
    async with rt.db.reading() as session:
        invoices, settlements = await receivables(
            session,
            tenant_id,
            as_of=as_of,
            debtor_ref=debtor_ref,
            currency=currency,
            issued_since=min(period_start, _countback_start(as_of)),
            open_since=period_start - timedelta(days=1),
        )
    facts = receivable_facts(invoices, settlements, as_of)
    aging = kpis.aging(facts, as_of)
    lines = []
    for code in sorted({f.currency for f in facts}):
        lines.append(
            CurrencyKpis(
                currency=code,
                aging=aging.for_currency(code),
                dso_standard=kpis.dso_standard(facts, period_start, as_of, currency=code),
                dso_countback=kpis.dso_countback(
                    facts, as_of, months=COUNTBACK_MONTHS, currency=code
                ),
                best_possible_dso=kpis.best_possible_dso(facts, period_start, as_of, currency=code),
                average_days_delinquent=kpis.average_days_delinquent(
                    facts, period_start, as_of, currency=code
                ),
                cei=kpis.cei(facts, period_start, as_of, currency=code),
            )
        )
    return KpiReport(as_of, period_start, debtor_ref, currency, tuple(lines))

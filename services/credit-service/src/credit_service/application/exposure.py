"""Queries of credit-service."""

from __future__ import annotations

from credit_service.domain.exposure import DebtorExposure, assess_exposure
from credit_service.projections.queries import exposure_by_currency, find_debtor
from eventkit.runtime import Runtime


async def debtor_exposure(rt: Runtime, tenant_id: str, debtor_ref: str) -> DebtorExposure | None:
    """The debtor's exposure on today's business date; None when the tenant does not know it."""
    async with rt.db.reading() as session:
        debtor = await find_debtor(session, tenant_id, debtor_ref)
        per_currency = await exposure_by_currency(session, tenant_id, debtor_ref)
    return assess_exposure(debtor_ref, debtor, per_currency, as_of=rt.clock.today())

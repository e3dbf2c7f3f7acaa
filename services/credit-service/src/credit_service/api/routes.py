"""HTTP API of credit-service."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request

from credit_service.api.schemas import DebtorExposureView
from credit_service.application.exposure import debtor_exposure
from eventkit.api import ReaderPrincipal, not_found
from eventkit.runtime import Runtime

router = APIRouter(prefix="/v1")


def _rt(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


@router.get(
    "/debtors/{debtor_ref}/exposure",
    response_model=DebtorExposureView,
    tags=["exposure"],
    responses={404: {"description": "the tenant knows neither the debtor nor its invoices"}},
)
async def get_exposure(
    debtor_ref: Annotated[str, Path(min_length=1, max_length=100)],
    principal: ReaderPrincipal,
    request: Request,
) -> DebtorExposureView:
    """What the debtor owes, per currency, on today's business date: open and overdue amounts
    and items, and since when the oldest overdue item is overdue."""
    exposure = await debtor_exposure(_rt(request), principal.tenant, debtor_ref)
    if exposure is None:
        raise not_found("debtor", debtor_ref)
    return DebtorExposureView.of(exposure)

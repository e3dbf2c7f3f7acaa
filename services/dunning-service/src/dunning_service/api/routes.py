"""HTTP API of dunning-service."""

from __future__ import annotations

from fastapi import APIRouter, Request

from dunning_service.api.schemas import OpenItemsView
from dunning_service.application.open_items import open_items_of
from eventkit.api import ReaderPrincipal, not_found
from eventkit.runtime import Runtime

router = APIRouter(prefix="/v1")


def _rt(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


@router.get(
    "/debtors/{debtor_ref}/open-items",
    response_model=OpenItemsView,
    tags=["open items"],
    responses={404: {"description": "the tenant knows neither the debtor nor any of its items"}},
)
async def get_open_items(
    debtor_ref: str, principal: ReaderPrincipal, request: Request
) -> OpenItemsView:
    """The debtor's open invoices with days overdue and totals per currency, as of the
    current business date."""
    rt = _rt(request)
    async with rt.db.reading() as session:
        statement = await open_items_of(session, principal.tenant, debtor_ref, rt.clock.today())
    if statement is None:
        raise not_found("debtor", debtor_ref)
    return OpenItemsView.of(statement)

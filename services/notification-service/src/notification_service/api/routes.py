"""HTTP API of notification-service."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from eventkit.api import ReaderPrincipal
from eventkit.runtime import Runtime
from notification_service.api.schemas import DossierView
from notification_service.application.queries import read_dossier

router = APIRouter(prefix="/v1")


def _rt(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


@router.get(
    "/debtors/{debtor_ref}/dossier",
    response_model=DossierView,
    tags=["dossier"],
    responses={404: {"description": "no event about this debtor was seen"}, 422: {}},
)
async def get_dossier(
    debtor_ref: str,
    principal: ReaderPrincipal,
    request: Request,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    before: Annotated[
        str | None,
        Query(max_length=36, description="event id of the last entry of the previous page"),
    ] = None,
) -> dict[str, Any]:
    """Everything the service saw about the debtor, newest first."""
    async with _rt(request).db.reading() as session:
        return await read_dossier(session, principal.tenant, debtor_ref, limit=limit, before=before)

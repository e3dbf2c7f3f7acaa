"""Credit limit requests waiting for a second person."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request

from credit_service.api.schemas import LimitDecisionBody, LimitRequestView
from credit_service.application import ops
from eventkit.api import OpsPrincipal
from eventkit.runtime import Runtime

router = APIRouter(prefix="/v1/credit-limit-requests", tags=["credit limits"])

RequestId = Annotated[str, Path(min_length=1, max_length=36)]


def _rt(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


@router.get("", response_model=list[LimitRequestView])
async def list_limit_requests(
    principal: OpsPrincipal,
    request: Request,
    status: Annotated[Literal["pending", "approved", "rejected"] | None, Query()] = "pending",
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[LimitRequestView]:
    found = await ops.list_limit_requests(_rt(request), principal.tenant, status, limit)
    return [LimitRequestView.of(r) for r in found]


@router.get("/{request_id}", response_model=LimitRequestView)
async def get_limit_request(
    request_id: RequestId, principal: OpsPrincipal, request: Request
) -> LimitRequestView:
    return LimitRequestView.of(
        await ops.find_limit_request(_rt(request), principal.tenant, request_id)
    )


@router.post(
    "/{request_id}:approve",
    response_model=LimitRequestView,
    responses={403: {"description": "the requester cannot approve"}, 409: {}},
)
async def approve_limit_request(
    request_id: RequestId, body: LimitDecisionBody, principal: OpsPrincipal, request: Request
) -> LimitRequestView:
    """A second person approves: the limit is set (CreditLimitChanged with ``approved_by``)."""
    decided = await ops.decide_limit_request(
        _rt(request), principal.tenant, request_id, approve=True, by=body.by, note=body.note
    )
    return LimitRequestView.of(decided)


@router.post("/{request_id}:reject", response_model=LimitRequestView, responses={409: {}})
async def reject_limit_request(
    request_id: RequestId, body: LimitDecisionBody, principal: OpsPrincipal, request: Request
) -> LimitRequestView:
    decided = await ops.decide_limit_request(
        _rt(request), principal.tenant, request_id, approve=False, by=body.by, note=body.note
    )
    return LimitRequestView.of(decided)

"""HTTP API of credit-service: a debtor's exposure and credit account, and the ops commands on
the account (limits, holds, reviews, external credit reports)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response

from credit_service.api.principals import CreditReader
from credit_service.api.schemas import (
    CreditAccountView,
    CreditReportBody,
    CreditReportOutcomeView,
    DebtorExposureView,
    HoldBody,
    LimitBody,
    LimitOutcomeView,
    LimitRequestView,
    ReviewBody,
    ReviewItemView,
)
from credit_service.application import ops
from credit_service.application.account_view import credit_account_view, reviews_due
from credit_service.application.exposure import debtor_exposure
from eventkit.api import OpsPrincipal, ReaderPrincipal, not_found
from eventkit.runtime import Runtime

router = APIRouter(prefix="/v1")

DebtorRef = Annotated[str, Path(min_length=1, max_length=100)]
CurrencyCode = Annotated[str, Path(pattern=r"^[A-Z]{3}$", description="ISO 4217")]
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"description": "the tenant knows nothing about this debtor"}
}


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
    debtor_ref: DebtorRef, principal: ReaderPrincipal, request: Request
) -> DebtorExposureView:
    """What the debtor owes, per currency, on today's business date: open and overdue amounts
    and items, and since when the oldest overdue item is overdue."""
    exposure = await debtor_exposure(_rt(request), principal.tenant, debtor_ref)
    if exposure is None:
        raise not_found("debtor", debtor_ref)
    return DebtorExposureView.of(exposure)


async def _account(rt: Runtime, tenant: str, debtor_ref: str) -> CreditAccountView:
    view = await credit_account_view(rt, tenant, debtor_ref)
    if view is None:
        raise not_found("debtor", debtor_ref)
    return CreditAccountView.of(view)


@router.get(
    "/debtors/{debtor_ref}/credit-account",
    response_model=CreditAccountView,
    tags=["credit accounts"],
    responses=NOT_FOUND,
)
async def get_credit_account(
    debtor_ref: DebtorRef, principal: CreditReader, request: Request
) -> CreditAccountView:
    """The debtor's credit account: exposure, limits, hold, score with its parts, payment
    behaviour and its trend, dunning outcomes, the latest credit report, the review dates."""
    return await _account(_rt(request), principal.tenant, debtor_ref)


@router.put(
    "/debtors/{debtor_ref}/credit-limits/{currency}",
    response_model=LimitOutcomeView,
    tags=["credit accounts"],
    responses={202: {"description": "above the threshold: waiting for a second person"}},
)
async def put_credit_limit(
    debtor_ref: DebtorRef,
    currency: CurrencyCode,
    body: LimitBody,
    principal: OpsPrincipal,
    request: Request,
    response: Response,
) -> LimitOutcomeView:
    """Set the debtor's credit limit in a currency (CreditLimitChanged). Raising it above the
    tenant's approval threshold files a request instead (202) that another person approves."""
    rt = _rt(request)
    outcome, pending = await ops.set_credit_limit(
        rt,
        principal.tenant,
        debtor_ref,
        currency,
        body.limit,
        requested_by=body.requested_by,
        reason=body.reason,
    )
    if pending is not None:
        response.status_code = 202
    return LimitOutcomeView(
        outcome=outcome,
        request=LimitRequestView.of(pending) if pending else None,
        account=await _account(rt, principal.tenant, debtor_ref),
    )


@router.post(
    "/debtors/{debtor_ref}/credit-hold",
    response_model=CreditAccountView,
    tags=["credit accounts"],
)
async def place_credit_hold(
    debtor_ref: DebtorRef, body: HoldBody, principal: OpsPrincipal, request: Request
) -> CreditAccountView:
    """Put the debtor on credit hold by hand (CreditHoldPlaced, reason ``manual``). Only ops
    lift it."""
    rt = _rt(request)
    await ops.place_hold(rt, principal.tenant, debtor_ref, body.reason, body.by)
    return await _account(rt, principal.tenant, debtor_ref)


@router.post(
    "/debtors/{debtor_ref}/credit-hold:lift",
    response_model=CreditAccountView,
    tags=["credit accounts"],
    responses={409: {"description": "the debtor is not on credit hold"}},
)
async def lift_credit_hold(
    debtor_ref: DebtorRef, body: HoldBody, principal: OpsPrincipal, request: Request
) -> CreditAccountView:
    """Lift the hold, with a reason (CreditHoldLifted). The rule reasons active now are
    overridden while they keep applying; a new or returning reason places the hold again."""
    rt = _rt(request)
    await ops.lift_hold(rt, principal.tenant, debtor_ref, body.reason, body.by)
    return await _account(rt, principal.tenant, debtor_ref)


@router.post(
    "/debtors/{debtor_ref}/credit-reviews",
    response_model=CreditAccountView,
    tags=["credit accounts"],
)
async def record_credit_review(
    debtor_ref: DebtorRef, body: ReviewBody, principal: OpsPrincipal, request: Request
) -> CreditAccountView:
    """The account was reviewed today: the next review is due after the risk class's
    interval."""
    rt = _rt(request)
    await ops.record_review(rt, principal.tenant, debtor_ref)
    return await _account(rt, principal.tenant, debtor_ref)


@router.post(
    "/debtors/{debtor_ref}/credit-reports",
    response_model=CreditReportOutcomeView,
    status_code=201,
    tags=["credit accounts"],
    responses={200: {"description": "the same report posted again"}, 409: {}},
)
async def post_credit_report(
    debtor_ref: DebtorRef,
    body: CreditReportBody,
    principal: OpsPrincipal,
    request: Request,
    response: Response,
) -> CreditReportOutcomeView:
    """External credit data (score on the provider's scale, limit advice, source, date). The
    debtor is scored again with it at once; it counts as a review."""
    rt = _rt(request)
    outcome, report_id = await ops.post_credit_report(
        rt,
        principal.tenant,
        debtor_ref,
        ops.ReportInput(
            report_id=body.report_id,
            source=body.source,
            score=body.score,
            scale_min=body.scale_min,
            scale_max=body.scale_max,
            higher_is_better=body.higher_is_better,
            limit_advice=body.limit_advice,
            currency=body.currency,
            reported_on=body.reported_on,
        ),
    )
    if outcome == "replayed":
        response.status_code = 200
    return CreditReportOutcomeView(
        report_id=report_id,
        outcome=outcome,
        account=await _account(rt, principal.tenant, debtor_ref),
    )


@router.get("/credit-reviews", response_model=list[ReviewItemView], tags=["credit accounts"])
async def list_credit_reviews(
    principal: OpsPrincipal,
    request: Request,
    due_by: Annotated[date | None, Query(description="default: today")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[ReviewItemView]:
    """The review worklist: accounts whose periodic review is due, most overdue first."""
    rt = _rt(request)
    items = await reviews_due(rt, principal.tenant, due_by or rt.clock.today(), limit)
    return [ReviewItemView.of(item) for item in items]

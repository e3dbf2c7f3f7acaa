"""Real-time credit decisions for the ERP."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request

from credit_service.api.principals import CreditReader
from credit_service.api.schemas import DecisionBody, DecisionView
from credit_service.application.decisions import decide_order, find_decision
from eventkit.runtime import Runtime

router = APIRouter(prefix="/v1/credit-decisions", tags=["credit decisions"])


def _rt(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


@router.post("", response_model=DecisionView, status_code=201)
async def post_credit_decision(
    body: DecisionBody,
    principal: CreditReader,
    request: Request,
) -> DecisionView:
    """May this order be accepted on credit? ``approve``, ``approve_with_prepayment`` (with the
    share to ask up front) or ``refuse``, with every reason, from the live account. Every
    decision is recorded (``GET /v1/credit-decisions/{id}``)."""
    recorded = await decide_order(
        _rt(request), principal.tenant, body.debtor_ref, body.amount, body.currency, body.order_ref
    )
    return DecisionView.of(recorded)


@router.get("/{decision_id}", response_model=DecisionView)
async def get_credit_decision(
    decision_id: Annotated[str, Path(min_length=1, max_length=36)],
    principal: CreditReader,
    request: Request,
) -> DecisionView:
    return DecisionView.of(await find_decision(_rt(request), principal.tenant, decision_id))

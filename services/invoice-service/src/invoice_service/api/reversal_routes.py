"""HTTP API of the unmatched-reversal queue: bank reversals that named no single payment."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import select

from eventkit.api import OpsPrincipal, Principal, require_scope
from eventkit.runtime import Runtime
from invoice_service.application.reversals import (
    resolve_unmatched_reversal,
    unmatched_reversal,
    unmatched_reversal_view,
)
from invoice_service.projections.tables import unmatched_reversals

router = APIRouter(prefix="/v1", tags=["payments"])
# The queue is the finance team's (ops) and the ERP's that imports the statements.
QueuePrincipal = Annotated[Principal, Depends(require_scope("ops", "erp"))]


def _rt(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


class ResolveReversalBody(BaseModel):
    """Name the payment the bank took back (it is reversed now), or dismiss the item when it
    concerns no payment in the ledger."""

    model_config = ConfigDict(extra="forbid")

    payment_id: str | None = Field(default=None, min_length=1, max_length=100)
    dismiss: bool = False
    note: str | None = Field(default=None, max_length=500)

    @model_validator(mode="after")
    def _one_decision(self) -> ResolveReversalBody:
        if (self.payment_id is None) == (not self.dismiss):
            raise ValueError("give either payment_id or dismiss: true")
        return self


@router.get("/unmatched-reversals")
async def list_unmatched_reversals(
    principal: QueuePrincipal,
    request: Request,
    status: Annotated[Literal["open", "resolved", "dismissed"] | None, Query()] = "open",
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[dict[str, Any]]:
    """The queue (open items by default): each says why no payment could be identified and
    which payments it might concern."""
    query = select(unmatched_reversals).where(unmatched_reversals.c.tenant_id == principal.tenant)
    if status:
        query = query.where(unmatched_reversals.c.status == status)
    query = query.order_by(
        unmatched_reversals.c.booking_date, unmatched_reversals.c.reversal_id
    ).limit(limit)
    async with _rt(request).db.reading() as session:
        rows = (await session.execute(query)).all()
    return [unmatched_reversal_view(r) for r in rows]


@router.get("/unmatched-reversals/{reversal_id}")
async def get_unmatched_reversal(
    reversal_id: str, principal: QueuePrincipal, request: Request
) -> dict[str, Any]:
    async with _rt(request).db.reading() as session:
        return unmatched_reversal_view(
            await unmatched_reversal(session, principal.tenant, reversal_id)
        )


@router.post("/unmatched-reversals/{reversal_id}:resolve")
async def post_resolve_reversal(
    reversal_id: str, body: ResolveReversalBody, principal: OpsPrincipal, request: Request
) -> dict[str, Any]:
    """Resolve by hand (ReversalResolved; PaymentReversed when a payment is named)."""
    return await resolve_unmatched_reversal(
        _rt(request), principal.tenant, reversal_id, body.payment_id, body.note
    )

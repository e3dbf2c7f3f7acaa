"""HTTP API of notification-service: the dossier, its export and the messages."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import select

from eventkit.api import OpsPrincipal, ReaderPrincipal, not_found
from eventkit.runtime import Runtime
from notification_service.api.schemas import (
    DeliveryReportIn,
    DossierView,
    MessageList,
    MessageView,
    ResolutionIn,
)
from notification_service.application.components import messaging_for
from notification_service.application.export import dossier_export, export_pdf
from notification_service.application.operations import report_delivery, resolve
from notification_service.application.queries import (
    attempts_of,
    message_view,
    read_dossier,
    read_message,
)
from notification_service.projections.tables import messages

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
    """Everything the service saw about the debtor, newest first, and every message sent."""
    async with _rt(request).db.reading() as session:
        return await read_dossier(session, principal.tenant, debtor_ref, limit=limit, before=before)


@router.get(
    "/debtors/{debtor_ref}/dossier/export",
    tags=["dossier"],
    response_model=None,
    responses={
        200: {"content": {"application/json": {}, "application/pdf": {}}},
        404: {"description": "no event about this debtor was seen"},
    },
)
async def export_dossier(
    debtor_ref: str,
    principal: ReaderPrincipal,
    request: Request,
    format: Annotated[Literal["json", "pdf"], Query()] = "json",
) -> Response:
    """The whole file for an agency or a court: events, messages with content, delivery
    state and proof, and (PDF) the letters as sent, each with its SHA-256."""
    rt = _rt(request)
    now = rt.clock.now()
    async with rt.db.reading() as session:
        export, letters = await dossier_export(session, principal.tenant, debtor_ref, now)
    name = f"dossier-{debtor_ref}-{now.date().isoformat()}"
    if format == "pdf":
        pdf = export_pdf(export, letters, now)
        return Response(
            pdf,
            media_type="application/pdf",
            headers={"content-disposition": f'attachment; filename="{name}.pdf"'},
        )
    return JSONResponse(
        export, headers={"content-disposition": f'attachment; filename="{name}.json"'}
    )


@router.get("/messages", response_model=MessageList, tags=["messages"])
async def list_messages(
    principal: ReaderPrincipal,
    request: Request,
    status: Annotated[
        Literal[
            "pending",
            "sending",
            "sent",
            "delivered",
            "failed",
            "needs_ops",
            "dead",
            "skipped",
            "cancelled",
        ],
        Query(description="e.g. needs_ops: the ops worklist"),
    ] = "needs_ops",
    channel: Annotated[Literal["email", "letter", "sms", "webhook"] | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> dict[str, Any]:
    """Messages of the tenant in one state, oldest first (``status=sent&channel=letter`` is
    the print queue)."""
    columns = [c for c in messages.c if c.name != "pdf"]
    query = select(*columns).where(
        messages.c.tenant_id == principal.tenant, messages.c.status == status
    )
    if channel is not None:
        query = query.where(messages.c.channel == channel)
    async with _rt(request).db.reading() as session:
        rows = (await session.execute(query.order_by(messages.c.created_at).limit(limit))).all()
        attempts = await attempts_of(session, [r.message_id for r in rows])
    return {"messages": [message_view(r, attempts[r.message_id]) for r in rows]}


@router.get("/messages/{message_id}", response_model=MessageView, tags=["messages"])
async def get_message(message_id: str, principal: ReaderPrincipal, request: Request) -> Any:
    async with _rt(request).db.reading() as session:
        return await read_message(session, principal.tenant, message_id)


@router.get(
    "/messages/{message_id}/pdf",
    tags=["messages"],
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}, 404: {}},
)
async def get_message_pdf(
    message_id: str, principal: ReaderPrincipal, request: Request
) -> Response:
    """The letter exactly as it was attached or queued for print."""
    async with _rt(request).db.reading() as session:
        row = (
            await session.execute(
                select(messages.c.pdf, messages.c.pdf_sha256).where(
                    messages.c.tenant_id == principal.tenant,
                    messages.c.message_id == message_id,
                )
            )
        ).first()
    if row is None or row.pdf is None:
        raise not_found("letter of message", message_id)
    return Response(
        bytes(row.pdf),
        media_type="application/pdf",
        headers={"x-content-sha256": row.pdf_sha256 or ""},
    )


@router.post(
    "/messages/{message_id}/delivery-reports", response_model=MessageView, tags=["messages"]
)
async def post_delivery_report(
    message_id: str, body: DeliveryReportIn, principal: OpsPrincipal, request: Request
) -> Any:
    """A delivery receipt or a bounce (a bounce triggers the fallback channel)."""
    rt = _rt(request)
    m = messaging_for(rt)
    async with rt.db.transaction() as session:
        await report_delivery(
            m, session, principal.tenant, message_id, body.outcome, body.detail, body.proof
        )
    m.committed()
    async with rt.db.reading() as session:
        return await read_message(session, principal.tenant, message_id)


@router.post("/messages/{message_id}/resolution", response_model=MessageView, tags=["messages"])
async def post_resolution(
    message_id: str, body: ResolutionIn, principal: OpsPrincipal, request: Request
) -> Any:
    """Resolve a message flagged for ops: it was sent after all (``mark_sent``), send it again
    (``resend``, same Message-ID) or drop it (``cancel``)."""
    rt = _rt(request)
    m = messaging_for(rt)
    async with rt.db.transaction() as session:
        await resolve(
            m, session, principal.tenant, message_id, body.action, body.note,
            principal.key_name or principal.tenant,
        )  # fmt: skip
    m.committed()
    async with rt.db.reading() as session:
        return await read_message(session, principal.tenant, message_id)

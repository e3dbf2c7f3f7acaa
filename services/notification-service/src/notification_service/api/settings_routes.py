"""Tenant configuration: the sender profile, debtors' channel preferences, webhook endpoints."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from sqlalchemy import select, update

from eventkit.api import AdminPrincipal, Principal, ReaderPrincipal, not_found, require_scope
from eventkit.runtime import Runtime
from notification_service.adapters.http_channels import new_webhook_secret
from notification_service.api.schemas import (
    ChannelPreferences,
    ChannelPreferencesView,
    SenderProfile,
    WebhookEndpointIn,
    WebhookEndpointView,
)
from notification_service.application.store import sender_profile
from notification_service.db_support import upsert
from notification_service.projections.tables import (
    channel_preferences,
    tenant_senders,
    webhook_endpoints,
)

router = APIRouter(prefix="/v1")
ErpOrOps = Annotated[Principal, Depends(require_scope("erp", "ops"))]


def _rt(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


@router.get("/settings/sender", response_model=SenderProfile, tags=["settings"])
async def get_sender(principal: ReaderPrincipal, request: Request) -> dict[str, Any]:
    async with _rt(request).db.reading() as session:
        profile = await sender_profile(session, principal.tenant)
    if profile is None:
        raise not_found("sender profile of tenant", principal.tenant)
    return profile


@router.put("/settings/sender", response_model=SenderProfile, tags=["settings"])
async def put_sender(body: SenderProfile, principal: AdminPrincipal, request: Request) -> Any:
    """The tenant as the sender of its letters: name and enterprise number (Book XIX requires
    both on a consumer's first reminder), address, bank account, contact."""
    rt = _rt(request)
    async with rt.db.transaction() as session:
        await upsert(
            session,
            tenant_senders,
            {
                "tenant_id": principal.tenant,
                "profile": body.model_dump(),
                "updated_at": rt.clock.now(),
            },
            key=["tenant_id"],
        )
    return body


@router.put(
    "/debtors/{debtor_ref}/channel-preferences",
    response_model=ChannelPreferencesView,
    tags=["settings"],
)
async def put_preferences(
    debtor_ref: str, body: ChannelPreferences, principal: ErpOrOps, request: Request
) -> dict[str, Any]:
    """The channels the debtor wants, in order; a letter stays the last resort of any legal
    notice. ``email``/``phone`` replace the master data's for messages."""
    rt = _rt(request)
    async with rt.db.transaction() as session:
        await upsert(
            session,
            channel_preferences,
            {
                "tenant_id": principal.tenant,
                "debtor_ref": debtor_ref,
                "channels": list(dict.fromkeys(body.channels)),
                "email": body.email,
                "phone": body.phone,
                "updated_at": rt.clock.now(),
            },
            key=["tenant_id", "debtor_ref"],
        )
    return {"debtor_ref": debtor_ref, **body.model_dump()}


@router.get(
    "/debtors/{debtor_ref}/channel-preferences",
    response_model=ChannelPreferencesView,
    tags=["settings"],
)
async def get_preferences(
    debtor_ref: str, principal: ReaderPrincipal, request: Request
) -> dict[str, Any]:
    async with _rt(request).db.reading() as session:
        row = (
            (
                await session.execute(
                    select(channel_preferences).where(
                        channel_preferences.c.tenant_id == principal.tenant,
                        channel_preferences.c.debtor_ref == debtor_ref,
                    )
                )
            )
            .mappings()
            .first()
        )
    if row is None:
        raise not_found("channel preferences of debtor", debtor_ref)
    return {k: row[k] for k in ("debtor_ref", "channels", "email", "phone")}


def _endpoint_view(row: Any, secret: str | None = None) -> dict[str, Any]:
    return {
        "endpoint_id": row["endpoint_id"],
        "kind": row["kind"],
        "url": row["url"],
        "event_types": row["event_types"],
        "active": row["active"],
        "created_at": row["created_at"],
        "secret": secret,
    }


@router.post(
    "/webhook-endpoints", response_model=WebhookEndpointView, status_code=201, tags=["webhooks"]
)
async def create_endpoint(
    body: WebhookEndpointIn, principal: AdminPrincipal, request: Request
) -> dict[str, Any]:
    """An ERP or collection-agency endpoint. Events of the listed types (``*`` = all;
    e.g. ``dunning.DebtorEscalatedToCollection``, ``notification.NotificationSent``) are
    POSTed signed per Standard Webhooks, retried with exponential backoff, then dead-lettered.
    The secret is shown in this answer only."""
    rt = _rt(request)
    row = {
        "tenant_id": principal.tenant,
        "endpoint_id": str(uuid.uuid4()),
        "kind": body.kind,
        "url": str(body.url),
        "secret": body.secret or new_webhook_secret(),
        "event_types": list(dict.fromkeys(body.event_types)),
        "active": True,
        "created_at": rt.clock.now(),
    }
    async with rt.db.transaction() as session:
        await session.execute(webhook_endpoints.insert().values(**row))
    return _endpoint_view(row, secret=str(row["secret"]))


@router.get("/webhook-endpoints", response_model=list[WebhookEndpointView], tags=["webhooks"])
async def list_endpoints(principal: AdminPrincipal, request: Request) -> list[dict[str, Any]]:
    async with _rt(request).db.reading() as session:
        rows = (
            await session.execute(
                select(webhook_endpoints)
                .where(webhook_endpoints.c.tenant_id == principal.tenant)
                .order_by(webhook_endpoints.c.created_at)
            )
        ).mappings()
        return [_endpoint_view(r) for r in rows]


@router.delete(
    "/webhook-endpoints/{endpoint_id}", status_code=204, response_class=Response, tags=["webhooks"]
)
async def deactivate_endpoint(
    endpoint_id: str, principal: AdminPrincipal, request: Request
) -> Response:
    """Stop sending to an endpoint (pending deliveries to it are dead-lettered)."""
    async with _rt(request).db.transaction() as session:
        result = await session.execute(
            update(webhook_endpoints)
            .where(
                webhook_endpoints.c.tenant_id == principal.tenant,
                webhook_endpoints.c.endpoint_id == endpoint_id,
            )
            .values(active=False)
        )
    if not getattr(result, "rowcount", 0):
        raise not_found("webhook endpoint", endpoint_id)
    return Response(status_code=204)

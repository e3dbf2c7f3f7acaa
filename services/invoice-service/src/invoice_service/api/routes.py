"""HTTP API of invoice-service."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Path, Query, Request, Response
from sqlalchemy import func, or_, select

from eventkit.api import AdminPrincipal, ErpPrincipal, ReaderPrincipal, not_found
from eventkit.envelope import stream_id
from eventkit.runtime import Runtime
from invoice_service.api.schemas import (
    DebtorBody,
    DebtorView,
    InvoiceBody,
    InvoiceDetail,
    InvoiceView,
    PaymentReferenceSettingsBody,
)
from invoice_service.application.invoicing import (
    IssueInvoice,
    LineInput,
    ReferencePolicy,
    default_creditor_country,
    invoice_view,
    issue_invoice,
    reference_policy,
    register_debtor,
    set_reference_policy,
)
from invoice_service.domain.identifiers import canonical_document_number
from invoice_service.domain.model import Invoice
from invoice_service.projections.tables import debtors, invoices

router = APIRouter(prefix="/v1")

NUMBER_IN_PATH = (
    "The invoice number, percent-encoded as one path segment (RFC 3986): `2026/0001` is sent "
    "as `2026%2F0001`, `A|7 #2` as `A%7C7%20%232`, `Façade-1` as `Fa%C3%A7ade-1`. The rest of "
    "the path after `/v1/invoices/` up to the action suffix (`:cancel`, `:write-off`) is the "
    "number, so an unencoded `/` works too; `#` and `?` must be encoded."
)
InvoiceNumberPath = Annotated[
    str, Path(description=NUMBER_IN_PATH, examples=["2026/0001"], min_length=1)
]


def invoice_location(number: str) -> str:
    """The URL path of an invoice (the number as one percent-encoded segment)."""
    return f"/v1/invoices/{quote(number, safe='')}"


def _rt(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


@router.put("/debtors/{debtor_ref}", response_model=DebtorView, tags=["debtors"])
async def put_debtor(
    debtor_ref: str, body: DebtorBody, principal: ErpPrincipal, request: Request, response: Response
) -> DebtorView:
    """Register a debtor or replace its master data (DebtorRegistered / DebtorUpdated)."""
    rt = _rt(request)
    outcome = await register_debtor(rt, principal.tenant, debtor_ref, body)
    response.status_code = 201 if outcome == "created" else 200
    return await get_debtor(debtor_ref, principal, request)


@router.get("/debtors", response_model=list[DebtorView], tags=["debtors"])
async def list_debtors(
    principal: ReaderPrincipal,
    request: Request,
    q: Annotated[
        str | None,
        Query(min_length=1, max_length=100, description="part of the reference or legal name"),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    after: Annotated[
        str | None, Query(max_length=100, description="reference to go on after")
    ] = None,
) -> list[DebtorView]:
    """The tenant's debtors in reference order, optionally those whose reference or legal name
    contains ``q`` (any case); page on with ``after`` = the last reference of a page."""
    query = select(debtors.c.debtor_ref, debtors.c.profile, debtors.c.version).where(
        debtors.c.tenant_id == principal.tenant
    )
    if q:
        pattern = (
            "%" + q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        )
        query = query.where(
            or_(
                func.lower(debtors.c.debtor_ref).like(pattern, escape="\\"),
                func.lower(debtors.c.legal_name).like(pattern, escape="\\"),
            )
        )
    if after:
        query = query.where(debtors.c.debtor_ref > after)
    query = query.order_by(debtors.c.debtor_ref).limit(limit)
    async with _rt(request).db.reading() as session:
        rows = (await session.execute(query)).all()
    return [DebtorView(debtor_ref=r.debtor_ref, profile=r.profile, version=r.version) for r in rows]


@router.get("/debtors/{debtor_ref}", response_model=DebtorView, tags=["debtors"])
async def get_debtor(debtor_ref: str, principal: ReaderPrincipal, request: Request) -> DebtorView:
    async with _rt(request).db.reading() as session:
        row = (
            await session.execute(
                select(debtors.c.profile, debtors.c.version).where(
                    debtors.c.tenant_id == principal.tenant, debtors.c.debtor_ref == debtor_ref
                )
            )
        ).first()
    if row is None:
        raise not_found("debtor", debtor_ref)
    return DebtorView(debtor_ref=debtor_ref, profile=row.profile, version=row.version)


def command_from(body: InvoiceBody, tenant: str) -> IssueInvoice:
    return IssueInvoice(
        tenant_id=tenant,
        invoice_number=body.invoice_number,
        debtor_ref=body.debtor_ref,
        issue_date=body.issue_date,
        due_date=body.due_date,
        currency=body.currency,
        lines=[
            LineInput(
                description=ln.description,
                quantity=ln.quantity,
                unit_price=ln.unit_price,
                vat_rate=ln.vat_rate,
                net_amount=ln.net_amount,
                vat_amount=ln.vat_amount,
            )
            for ln in body.lines
        ],
        amount_due=body.amount_due,
        net_total=body.net_total,
        vat_total=body.vat_total,
        payment_reference=body.payment_reference,
        po_number=body.po_number,
        debtor=DebtorBody.model_validate(body.debtor.model_dump()) if body.debtor else None,
        request_body=body.model_dump(mode="json"),
        net_days=body.payment_terms.net_days if body.payment_terms else None,
        discount_percent=body.payment_terms.discount_percent if body.payment_terms else None,
        discount_days=body.payment_terms.discount_days if body.payment_terms else None,
    )


@router.post(
    "/invoices",
    response_model=InvoiceView,
    status_code=201,
    tags=["invoices"],
    responses={200: {"description": "same invoice posted again"}, 409: {}, 422: {}},
)
async def post_invoice(
    body: InvoiceBody, principal: ErpPrincipal, request: Request, response: Response
) -> dict[str, Any]:
    """Issue an invoice. Idempotent on the invoice number: the same body again answers 200 with
    the stored invoice; a different body under the same number answers 409."""
    result = await issue_invoice(_rt(request), command_from(body, principal.tenant))
    if result.outcome == "replayed":
        response.status_code = 200
    response.headers["Location"] = invoice_location(body.invoice_number)
    return result.invoice


@router.get("/invoices", response_model=list[InvoiceView], tags=["invoices"])
async def list_invoices(
    principal: ReaderPrincipal,
    request: Request,
    status: Annotated[
        Literal["open", "partially_paid", "paid", "cancelled", "written_off"] | None, Query()
    ] = None,
    debtor_ref: Annotated[str | None, Query(max_length=100)] = None,
    overdue: Annotated[bool | None, Query()] = None,
    due_from: Annotated[date | None, Query()] = None,
    due_to: Annotated[date | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    after: Annotated[str | None, Query(description="invoice number to continue after")] = None,
) -> list[dict[str, Any]]:
    query = select(invoices).where(invoices.c.tenant_id == principal.tenant)
    if status:
        query = query.where(invoices.c.status == status)
    if debtor_ref:
        query = query.where(invoices.c.debtor_ref == debtor_ref)
    if overdue is not None:
        query = query.where(
            invoices.c.overdue_since.is_not(None) if overdue else invoices.c.overdue_since.is_(None)
        )
    if due_from:
        query = query.where(invoices.c.due_date >= due_from)
    if due_to:
        query = query.where(invoices.c.due_date <= due_to)
    if after:
        query = query.where(invoices.c.invoice_number > after)
    query = query.order_by(invoices.c.invoice_number).limit(limit)
    async with _rt(request).db.reading() as session:
        rows = (await session.execute(query)).all()
    return [invoice_view(r) for r in rows]


@router.get("/invoices/{invoice_number:path}", response_model=InvoiceDetail, tags=["invoices"])
async def get_invoice(
    invoice_number: InvoiceNumberPath, principal: ReaderPrincipal, request: Request
) -> dict[str, Any]:
    """The invoice with its full event history."""
    rt = _rt(request)
    invoice_number = canonical_document_number(invoice_number)
    async with rt.db.reading() as session:
        row = (
            await session.execute(
                select(invoices).where(
                    invoices.c.tenant_id == principal.tenant,
                    invoices.c.invoice_number == invoice_number,
                )
            )
        ).first()
        if row is None:
            raise not_found("invoice", invoice_number)
        history = await rt.store.load(
            session, stream_id(Invoice.aggregate_type, principal.tenant, invoice_number)
        )
    view = invoice_view(row)
    view["document"] = row.document
    view["history"] = [
        {
            "version": env.aggregate_version,
            "type": env.type,
            "occurred_at": env.occurred_at.isoformat(),
            "event_id": str(env.event_id),
            "payload": env.payload,
        }
        for env in history
    ]
    return view


# --- settings ----------------------------------------------------------------------------------


def _policy_view(policy: ReferencePolicy) -> dict[str, str]:
    return {"creditor_country": policy.creditor_country, "scheme": policy.scheme}


@router.get("/settings/payment-references", tags=["settings"])
async def get_reference_settings(principal: ReaderPrincipal, request: Request) -> dict[str, str]:
    """The creditor country and the scheme of the references new invoices get."""
    rt = _rt(request)
    async with rt.db.reading() as session:
        policy = await reference_policy(session, principal.tenant, default_creditor_country(rt))
    return _policy_view(policy)


@router.put("/settings/payment-references", tags=["settings"])
async def put_reference_settings(
    body: PaymentReferenceSettingsBody, principal: AdminPrincipal, request: Request
) -> dict[str, str]:
    """Set the creditor's country: new invoices without a reference get a Belgian OGM (BE), a
    Dutch betalingskenmerk (NL) or an ISO 11649 RF reference (any other country), unless
    ``scheme`` names one explicitly. Invoices issued earlier keep their reference."""
    policy = await set_reference_policy(
        _rt(request), principal.tenant, body.creditor_country, body.scheme
    )
    return _policy_view(policy)

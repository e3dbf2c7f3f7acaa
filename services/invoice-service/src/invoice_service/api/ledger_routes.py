"""HTTP API of the ledger: credit notes, payments, bank statements, e-invoices, batches."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import ValidationError
from sqlalchemy import select

from contracts.invoicing import DebtorProfile, PostalAddress
from eventkit.api import (
    ErpPrincipal,
    FieldProblem,
    OpsPrincipal,
    Principal,
    Problem,
    ReaderPrincipal,
    not_found,
    read_body_limited,
    require_scope,
)
from eventkit.runtime import Runtime
from invoice_service.api.routes import InvoiceNumberPath, command_from
from invoice_service.api.schemas import (
    AllocationsBody,
    BatchBody,
    CreditNoteBody,
    InvoiceBody,
    PaymentBody,
    ReasonBody,
    ReversalBody,
)
from invoice_service.application.batch import issue_batch
from invoice_service.application.invoicing import (
    IssueInvoice,
    LineInput,
    issue_invoice,
    register_debtor,
)
from invoice_service.application.ledger import (
    IssueCreditNote,
    ManualAllocation,
    ReceivePayment,
    allocate_payment,
    cancel_invoice,
    issue_credit_note,
    payment_view,
    receive_payment,
    reverse_payment,
    statement_of_account,
    write_off_invoice,
)
from invoice_service.application.statements import import_bank_statement
from invoice_service.domain.identifiers import canonical_document_number
from invoice_service.domain.ubl import MAX_XML_BYTES, UblDocument, UblError, check_totals, parse_ubl
from invoice_service.projections.tables import debtors, payments

router = APIRouter(prefix="/v1")
ErpOrOps = Annotated[Principal, Depends(require_scope("erp", "ops"))]


def _rt(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


# --- bulk intake ------------------------------------------------------------------------------


@router.post("/invoices:batch", tags=["invoices"])
async def post_invoice_batch(
    body: BatchBody, principal: ErpPrincipal, request: Request
) -> dict[str, Any]:
    """Up to 1,000 invoices; each item gets its own result (created, replayed, rejected with
    its findings, or conflict). Valid items are stored even when others are rejected."""
    results: list[dict[str, Any]] = []
    commands: list[tuple[int, IssueInvoice]] = []
    for index, raw in enumerate(body.invoices):
        try:
            parsed = InvoiceBody.model_validate(raw)
        except ValidationError as exc:
            results.append(
                {
                    "index": index,
                    "invoice_number": raw.get("invoice_number"),
                    "status": "rejected",
                    "errors": [
                        {
                            "field": ".".join(str(p) for p in err["loc"]),
                            "reason": err["msg"],
                        }
                        for err in exc.errors()
                    ],
                }
            )
            continue
        commands.append((index, command_from(parsed, principal.tenant)))
    results.extend(await issue_batch(_rt(request), principal.tenant, commands))
    results.sort(key=lambda r: int(r["index"]))
    summary: dict[str, int] = {}
    for r in results:
        summary[r["status"]] = summary.get(r["status"], 0) + 1
    return {"summary": summary, "results": results}


# --- e-invoices (UBL 2.1 / Peppol BIS Billing 3.0) --------------------------------------------

LANGUAGE_BY_COUNTRY = {"BE": "nl", "NL": "nl", "FR": "fr", "LU": "fr", "DE": "de", "AT": "de"}


def _ref_for(doc: UblDocument) -> str:
    buyer = doc.buyer
    raw = buyer.vat_number or buyer.company_id or buyer.endpoint_id or buyer.registration_name
    return re.sub(r"[^A-Za-z0-9._/-]", "", raw or "")[:100] or "UNKNOWN"


async def _debtor_for(rt: Runtime, tenant: str, doc: UblDocument, given: str | None) -> str:
    """The debtor named in the query, else the one with the buyer's VAT or company number,
    else a new debtor registered from the buyer party."""
    if given:
        return given
    buyer = doc.buyer
    async with rt.db.reading() as session:
        rows = (
            await session.execute(
                select(debtors.c.debtor_ref, debtors.c.profile).where(debtors.c.tenant_id == tenant)
            )
        ).all()
    for row in rows:
        profile = row.profile or {}
        if buyer.vat_number and profile.get("vat_number") == buyer.vat_number:
            return str(row.debtor_ref)
        if buyer.company_id and profile.get("enterprise_number") == buyer.company_id:
            return str(row.debtor_ref)
    ref = _ref_for(doc)
    if any(r.debtor_ref == ref for r in rows):
        return ref
    country = (buyer.country or "BE").upper()
    await register_debtor(
        rt,
        tenant,
        ref,
        DebtorProfile(
            legal_name=doc.buyer_name,
            kind="B2B",
            country=country,
            language=LANGUAGE_BY_COUNTRY.get(country, "en"),
            vat_number=buyer.vat_number,
            enterprise_number=buyer.company_id,
            address=PostalAddress(
                street=buyer.street or "",
                postal_code=buyer.postal_code or "",
                city=buyer.city or "",
                country=country,
            ),
        ),
    )
    return ref


@router.post(
    "/einvoices",
    tags=["invoices"],
    status_code=201,
    openapi_extra={"requestBody": {"content": {"application/xml": {"schema": {"type": "string"}}}}},
)
async def post_einvoice(
    principal: ErpPrincipal,
    request: Request,
    response: Response,
    debtor_ref: Annotated[str | None, Query(max_length=100)] = None,
) -> dict[str, Any]:
    """A UBL 2.1 / Peppol BIS 3.0 Invoice or CreditNote. Hostile XML (DTDs, entities,
    oversized bodies) is refused before anything is stored."""
    data = await read_body_limited(request, MAX_XML_BYTES)
    try:
        doc = parse_ubl(data)
    except UblError as exc:
        raise Problem(
            422,
            "E-invoice rejected",
            "the document is not an acceptable UBL invoice or credit note; nothing was stored",
            kind="einvoice-validation",
            errors=[FieldProblem(f, r) for f, r in exc.findings],
        ) from exc
    findings = check_totals(doc)
    if findings:
        raise Problem(
            422,
            "E-invoice rejected",
            "the document's totals do not add up; nothing was stored",
            kind="einvoice-validation",
            errors=[FieldProblem(f, r) for f, r in findings],
        )
    rt = _rt(request)
    tenant = principal.tenant
    debtor = await _debtor_for(rt, tenant, doc, debtor_ref)
    negative = doc.kind == "invoice" and doc.payable_amount < 0
    if doc.kind == "credit_note" or negative:
        # BIS 3.0 lets an Invoice with a negative amount correct an earlier one: it is a credit
        # against the invoice its BillingReference names, or an open credit without one.
        outcome, note = await issue_credit_note(
            rt,
            IssueCreditNote(
                tenant_id=tenant,
                credit_note_number=doc.number,
                debtor_ref=debtor,
                issue_date=doc.issue_date,
                currency=doc.currency,
                amount=abs(doc.payable_amount),
                invoice_numbers=list(doc.billing_references),
                reason=doc.payment_terms_note,
                request_body={"ubl": data.decode("utf-8", errors="replace")},
                source="negative_invoice" if negative else "credit_note",
            ),
        )
        response.status_code = 201 if outcome == "created" else 200
        return {"kind": "credit_note", **note}
    tax_exclusive = doc.tax_exclusive if doc.tax_exclusive is not None else Decimal(0)
    result = await issue_invoice(
        rt,
        IssueInvoice(
            tenant_id=tenant,
            invoice_number=doc.number,
            debtor_ref=debtor,
            issue_date=doc.issue_date,
            due_date=doc.due_date,
            currency=doc.currency,
            lines=[
                LineInput(
                    description=line.description or line.id,
                    quantity=line.quantity,
                    unit_price=line.unit_price,
                    vat_rate=line.vat_rate if line.vat_rate is not None else Decimal(0),
                    net_amount=line.line_extension_amount,
                )
                for line in doc.lines
            ],
            amount_due=doc.payable_amount,
            net_total=tax_exclusive,
            vat_total=doc.tax_total,
            payment_reference=doc.payment_reference,
            po_number=doc.order_reference or doc.buyer_reference,
            request_body={"ubl": data.decode("utf-8", errors="replace")},
            external_totals=True,
        ),
    )
    response.status_code = 201 if result.outcome == "created" else 200
    return {"kind": "invoice", **result.invoice}


# --- credit notes -----------------------------------------------------------------------------


@router.post("/credit-notes", tags=["credit notes"], status_code=201)
async def post_credit_note(
    body: CreditNoteBody, principal: ErpPrincipal, request: Request, response: Response
) -> dict[str, Any]:
    """Reduces the referenced invoices (in the order given); what is left, or an unreferenced
    credit note, stays on the debtor's account as an open credit. Idempotent on its number."""
    outcome, view = await issue_credit_note(
        _rt(request),
        IssueCreditNote(
            tenant_id=principal.tenant,
            credit_note_number=body.credit_note_number,
            debtor_ref=body.debtor_ref,
            issue_date=body.issue_date,
            currency=body.currency,
            amount=body.amount,
            invoice_numbers=body.invoice_numbers,
            reason=body.reason,
            request_body=body.model_dump(mode="json"),
        ),
    )
    response.status_code = 201 if outcome == "created" else 200
    return view


# --- payments ---------------------------------------------------------------------------------


@router.post("/payments", tags=["payments"], status_code=201)
async def post_payment(
    body: PaymentBody, principal: ErpOrOps, request: Request, response: Response
) -> dict[str, Any]:
    """Register money received. Idempotent on ``payment_id`` when given."""
    outcome = await receive_payment(
        _rt(request),
        ReceivePayment(
            tenant_id=principal.tenant,
            payment_id=body.payment_id,
            amount=body.amount,
            currency=body.currency,
            booking_date=body.booking_date,
            value_date=body.value_date,
            debtor_ref=body.debtor_ref,
            structured_reference=body.reference,
            remittance_info=body.remittance_info,
            counterparty_name=body.counterparty_name,
            counterparty_iban=body.counterparty_iban,
            allocations=[ManualAllocation(a.invoice_number, a.amount) for a in body.allocations]
            if body.allocations is not None
            else None,
            request_body=body.model_dump(mode="json"),
        ),
    )
    response.status_code = 201 if outcome.outcome == "created" else 200
    return outcome.payment


@router.get("/payments", tags=["payments"])
async def list_payments(
    principal: ReaderPrincipal,
    request: Request,
    status: Annotated[
        Literal["unmatched", "partially_allocated", "allocated", "reversed"] | None, Query()
    ] = None,
    debtor_ref: Annotated[str | None, Query(max_length=100)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[dict[str, Any]]:
    """The unmatched queue is ``?status=unmatched``."""
    query = select(payments.c.payment_id).where(payments.c.tenant_id == principal.tenant)
    if status:
        query = query.where(payments.c.status == status)
    if debtor_ref:
        query = query.where(payments.c.debtor_ref == debtor_ref)
    query = query.order_by(payments.c.booking_date, payments.c.payment_id).limit(limit)
    async with _rt(request).db.reading() as session:
        ids = (await session.execute(query)).scalars().all()
        return [await payment_view(session, principal.tenant, pid) for pid in ids]


@router.get("/payments/{payment_id}", tags=["payments"])
async def get_payment(
    payment_id: str, principal: ReaderPrincipal, request: Request
) -> dict[str, Any]:
    async with _rt(request).db.reading() as session:
        return await payment_view(session, principal.tenant, payment_id)


@router.post("/payments/{payment_id}/allocations", tags=["payments"])
async def post_allocations(
    payment_id: str, body: AllocationsBody, principal: OpsPrincipal, request: Request
) -> dict[str, Any]:
    """Manual allocation of a payment's unallocated amount (the unmatched queue's action)."""
    return await allocate_payment(
        _rt(request),
        principal.tenant,
        payment_id,
        [ManualAllocation(a.invoice_number, a.amount) for a in body.allocations],
    )


@router.post("/payments/{payment_id}:reverse", tags=["payments"])
async def post_reverse_payment(
    payment_id: str, body: ReversalBody, principal: OpsPrincipal, request: Request
) -> dict[str, Any]:
    rt = _rt(request)
    return await reverse_payment(
        rt, principal.tenant, payment_id, body.reversed_on or rt.clock.today()
    )


@router.post(
    "/bank-statements",
    tags=["payments"],
    openapi_extra={
        "requestBody": {
            "content": {
                "application/xml": {"schema": {"type": "string"}},
                "text/plain": {"schema": {"type": "string"}},
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
            }
        }
    },
)
async def post_bank_statement(principal: ErpOrOps, request: Request) -> dict[str, Any]:
    """A bank statement file as the bank delivers it, the format told from its content: ISO
    20022 camt.053 (.001.02 to .001.13), CODA 2.x (Belgium) or MT940 (ING, Rabobank, ABN AMRO).
    Every credit transaction is registered and matched; a reversal undoes the one payment it
    provably names, else it waits in the unmatched-reversal queue; importing the same file
    again changes nothing (each transaction is keyed by account and bank reference). A file
    that does not parse answers 422 naming the line at fault, and nothing is stored."""
    from invoice_service.domain.camt053 import MAX_CAMT_BYTES

    data = await read_body_limited(request, MAX_CAMT_BYTES)
    return await import_bank_statement(_rt(request), principal.tenant, data)


# --- invoice life cycle and statement ---------------------------------------------------------


@router.post("/invoices/{invoice_number:path}:cancel", tags=["invoices"], status_code=204)
async def post_cancel(
    invoice_number: InvoiceNumberPath, body: ReasonBody, principal: ErpPrincipal, request: Request
) -> Response:
    """Cancel an invoice nothing was applied to yet (InvoiceCancelled)."""
    number = canonical_document_number(invoice_number)
    await cancel_invoice(_rt(request), principal.tenant, number, body.reason)
    return Response(status_code=204)


@router.post("/invoices/{invoice_number:path}:write-off", tags=["invoices"], status_code=204)
async def post_write_off(
    invoice_number: InvoiceNumberPath, body: ReasonBody, principal: OpsPrincipal, request: Request
) -> Response:
    """Write off the open balance (InvoiceWrittenOff)."""
    number = canonical_document_number(invoice_number)
    await write_off_invoice(_rt(request), principal.tenant, number, body.reason)
    return Response(status_code=204)


@router.get("/debtors/{debtor_ref}/statement", tags=["debtors"])
async def get_statement(
    debtor_ref: str,
    principal: ReaderPrincipal,
    request: Request,
    as_of: Annotated[date | None, Query()] = None,
) -> dict[str, Any]:
    """Statement of account: open items, open credits and the balance per currency."""
    rt = _rt(request)
    async with rt.db.reading() as session:
        statement = await statement_of_account(
            session, principal.tenant, debtor_ref, as_of or rt.clock.today()
        )
    if statement is None:
        raise not_found("debtor", debtor_ref)
    return statement

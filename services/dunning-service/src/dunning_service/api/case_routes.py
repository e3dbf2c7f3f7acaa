"""HTTP API of the dunning cases: policies (admin), holds and the worklist (ops), the agency's
side of a handed-over case (agency). Entry points only parse, call the application and shape
the answer."""

from __future__ import annotations

from dataclasses import asdict
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from dunning_service.api.case_schemas import (
    AgencyPaymentBody,
    AgencyStatusBody,
    AssignmentBody,
    DisputeBody,
    HoldBody,
    MigrationBody,
    NoteBody,
    PlanBody,
    PolicyBody,
    PromiseBody,
    ResolutionBody,
    TaskCompletionBody,
)
from dunning_service.application import holds, policies, worklist
from dunning_service.application.holds import conflict
from dunning_service.application.streams import new_id
from dunning_service.domain.policies import (
    InvalidPolicy,
    Policy,
    PolicyStep,
    validate,
)
from dunning_service.projections.case_tables import dunning_cases
from eventkit.api import (
    AdminPrincipal,
    FieldProblem,
    OpsPrincipal,
    Principal,
    Problem,
    ReaderPrincipal,
    not_found,
    require_scope,
)
from eventkit.runtime import Runtime

AgencyPrincipal = Annotated[Principal, Depends(require_scope("agency"))]

router = APIRouter(prefix="/v1")


def _rt(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


# --- policies --------------------------------------------------------------------------------


@router.put("/policies/{policy_id}", status_code=201, tags=["policies"])
async def put_policy(
    policy_id: str, body: PolicyBody, principal: AdminPrincipal, request: Request
) -> dict[str, Any]:
    """Save a new version of the tenant's policy (versions never change). Cases that run keep
    the version they started with; new cases take the version in force on their first sweep."""
    if not policy_id or len(policy_id) > 100 or policy_id.startswith("default-"):
        raise Problem(
            422,
            "Invalid request",
            "policy ids starting with 'default-' are the shipped ones",
            kind="validation",
            errors=[FieldProblem("policy_id", "reserved or invalid", "path")],
        )
    rt = _rt(request)
    async with rt.db.transaction() as session:
        version = await policies.next_version(session, principal.tenant, policy_id)
        policy = Policy(
            policy_id=policy_id,
            name=body.name,
            version=version,
            tenant_id=principal.tenant,
            effective_from=body.effective_from,
            currency=body.currency,
            minimum_amounts=dict(body.minimum_amounts),
            claim_interest=body.claim_interest,
            claim_costs=body.claim_costs,
            steps=tuple(
                PolicyStep(
                    action=s.action,
                    offset_days=s.offset_days,
                    relative_to=s.relative_to,
                    template_key=s.template_key,
                    channel=s.channel,
                    fee=s.fee,
                    final_term_days=s.final_term_days,
                    approval_required=s.approval_required,
                    agency=s.agency,
                )
                for s in body.steps
            ),
        )
        problems = validate(policy)
        if problems:
            raise Problem(
                422,
                "Invalid policy",
                str(InvalidPolicy(problems)),
                kind="validation",
                errors=[FieldProblem(p.field, p.reason) for p in problems],
            )
        try:
            async with session.begin_nested():
                await policies.insert_policy(session, policy, rt.clock.now())
        except IntegrityError as exc:
            raise conflict(f"version {version} of {policy_id!r} was saved concurrently") from exc
    return policies.policy_document(policy)


@router.get("/policies", tags=["policies"])
async def list_policies(principal: ReaderPrincipal, request: Request) -> list[dict[str, Any]]:
    """Every policy version the tenant can assign: the shipped defaults and its own."""
    rt = _rt(request)
    async with rt.db.transaction() as session:
        await policies.ensure_builtin_policies(session, rt.clock.now())
        return await policies.policy_documents(session, principal.tenant)


@router.post("/policy-assignments", status_code=201, tags=["policies"])
async def post_assignment(
    body: AssignmentBody, principal: AdminPrincipal, request: Request
) -> dict[str, Any]:
    """Which policy a new case gets: for one debtor, or for a segment (kind, country, risk
    class); a debtor's own assignment wins, then higher priority, then more criteria."""
    rt = _rt(request)
    async with rt.db.transaction() as session:
        await policies.ensure_builtin_policies(session, rt.clock.now())
        if await policies.policy_exists(session, principal.tenant, body.policy_id) is None:
            raise Problem(
                422,
                "Invalid request",
                f"no policy {body.policy_id!r}",
                kind="validation",
                errors=[FieldProblem("policy_id", "unknown policy")],
            )
        if await policies.policy_exists(session, principal.tenant, body.policy_id) != (
            principal.tenant
        ):
            raise Problem(
                422,
                "Invalid request",
                "assign the tenant's own policies; the defaults apply without assignment",
                kind="validation",
                errors=[FieldProblem("policy_id", "a shipped default cannot be assigned")],
            )
        assignment = policies.Assignment(
            assignment_id=new_id(),
            policy_id=body.policy_id,
            priority=body.priority,
            debtor_ref=body.debtor_ref,
            kind=body.kind,
            country=body.country,
            risk_class=body.risk_class,
        )
        await policies.add_assignment(session, principal.tenant, assignment, rt.clock.now())
    return asdict(assignment)


@router.get("/policy-assignments", tags=["policies"])
async def get_assignments(principal: ReaderPrincipal, request: Request) -> list[dict[str, Any]]:
    async with _rt(request).db.reading() as session:
        return [asdict(a) for a in await policies.list_assignments(session, principal.tenant)]


@router.delete("/policy-assignments/{assignment_id}", status_code=204, tags=["policies"])
async def delete_assignment(
    assignment_id: str, principal: AdminPrincipal, request: Request
) -> Response:
    async with _rt(request).db.transaction() as session:
        if not await policies.remove_assignment(session, principal.tenant, assignment_id):
            raise not_found("assignment", assignment_id)
    return Response(status_code=204)


@router.post("/cases/{debtor_ref}/policy", tags=["cases"])
async def migrate_case(
    debtor_ref: str, body: MigrationBody, principal: AdminPrincipal, request: Request
) -> dict[str, Any]:
    """Move a running case to another policy version explicitly (items keep their level)."""
    rt = _rt(request)
    async with rt.db.transaction() as session:
        exists = await session.scalar(
            select(dunning_cases.c.status).where(
                dunning_cases.c.tenant_id == principal.tenant,
                dunning_cases.c.debtor_ref == debtor_ref,
            )
        )
        if exists is None:
            raise not_found("case", debtor_ref)
        await policies.ensure_builtin_policies(session, rt.clock.now())
        owner = await policies.policy_exists(session, principal.tenant, body.policy_id)
        if owner is None:
            raise Problem(
                422,
                "Invalid request",
                f"no policy {body.policy_id!r}",
                kind="validation",
                errors=[FieldProblem("policy_id", "unknown policy")],
            )
        version = body.version or await policies.version_in_force(
            session, owner, body.policy_id, rt.clock.today()
        )
        known = await policies.load_policies(session, [(owner, body.policy_id, version or 0)])
        if version is None or not known:
            raise Problem(
                422,
                "Invalid request",
                "no such version in force",
                kind="validation",
                errors=[FieldProblem("version", "unknown or not yet in force")],
            )
        moved = await policies.migrate_case(
            session, principal.tenant, debtor_ref, owner, body.policy_id, version, rt.clock.now()
        )
    return {
        "debtor_ref": debtor_ref,
        "policy_id": body.policy_id,
        "version": version,
        "items_moved": moved,
    }


@router.get("/cases/{debtor_ref}", tags=["cases"])
async def get_case(debtor_ref: str, principal: ReaderPrincipal, request: Request) -> dict[str, Any]:
    """The debtor's dunning case: policy, items with level, next step and holds, history."""
    return await worklist.case_file(_rt(request), principal.tenant, debtor_ref)


# --- holds -----------------------------------------------------------------------------------


@router.post("/disputes", status_code=201, tags=["holds"])
async def post_dispute(
    body: DisputeBody, principal: OpsPrincipal, request: Request
) -> dict[str, Any]:
    """Dispute one invoice: dunning pauses for that invoice only."""
    return await holds.open_dispute(
        _rt(request), principal.tenant, body.invoice_number, body.reason, body.note
    )


@router.get("/disputes/{dispute_id}", tags=["holds"])
async def get_dispute(
    dispute_id: str, principal: ReaderPrincipal, request: Request
) -> dict[str, Any]:
    return await holds.dispute_view(_rt(request), principal.tenant, dispute_id)


@router.post("/disputes/{dispute_id}/resolution", tags=["holds"])
async def resolve_dispute(
    dispute_id: str, body: ResolutionBody, principal: OpsPrincipal, request: Request
) -> dict[str, Any]:
    """Rejected or withdrawn: dunning resumes. Credited: it waits for the credit note."""
    return await holds.resolve_dispute(
        _rt(request), principal.tenant, dispute_id, body.outcome, body.note
    )


@router.post("/promises", status_code=201, tags=["holds"])
async def post_promise(
    body: PromiseBody, principal: OpsPrincipal, request: Request
) -> dict[str, Any]:
    """The debtor promises to pay ``amount`` by ``promised_date``: dunning of the items pauses;
    kept or broken is decided from the payments by the sweep."""
    return await holds.make_promise(
        _rt(request),
        principal.tenant,
        body.debtor_ref,
        body.invoice_numbers,
        body.amount,
        body.currency,
        body.promised_date,
    )


@router.post("/payment-plans", status_code=201, tags=["holds"])
async def post_plan(body: PlanBody, principal: OpsPrincipal, request: Request) -> dict[str, Any]:
    """Instalments covering the items' open amount; a missed instalment (after the grace days)
    defaults the plan and escalates the items to the formal notice."""
    return await holds.agree_plan(
        _rt(request),
        principal.tenant,
        body.debtor_ref,
        body.invoice_numbers,
        body.currency,
        body.instalments,
        body.grace_days,
    )


@router.post("/holds", status_code=201, tags=["holds"])
async def post_hold(body: HoldBody, principal: OpsPrincipal, request: Request) -> dict[str, Any]:
    """Pause dunning of the debtor's items (or the named ones) until a date, included."""
    return await holds.place_hold(
        _rt(request),
        principal.tenant,
        body.debtor_ref,
        body.invoice_numbers,
        body.until,
        body.reason,
    )


@router.delete("/holds/{hold_id}", status_code=204, tags=["holds"])
async def delete_hold(hold_id: str, principal: OpsPrincipal, request: Request) -> Response:
    await holds.lift_hold(_rt(request), principal.tenant, hold_id)
    return Response(status_code=204)


# --- worklist and notes ----------------------------------------------------------------------


@router.get("/worklist", tags=["worklist"])
async def get_worklist(
    principal: OpsPrincipal,
    request: Request,
    kind: Annotated[
        Literal[
            "phone_call", "promise_broken", "plan_defaulted", "dispute", "formal_notice_approval"
        ]
        | None,
        Query(),
    ] = None,
) -> list[dict[str, Any]]:
    """What needs a collector, most urgent first (amount, days overdue, risk class)."""
    items = await worklist.worklist(_rt(request), principal.tenant, kind)
    return [
        {
            **asdict(w),
            "created_on": w.created_on.isoformat(),
            "priority": format(w.priority, "f"),
            "overdue_amount": format(w.overdue_amount.quantize(Decimal("0.01")), "f"),
        }
        for w in items
    ]


@router.post("/worklist/{task_id}/approve", tags=["worklist"])
async def approve(task_id: str, principal: OpsPrincipal, request: Request) -> dict[str, Any]:
    """Send the formal notice the sweep prepared (for what is still open and not on hold)."""
    reminder_id = await worklist.approve_formal_notice(_rt(request), principal.tenant, task_id)
    return {"task_id": task_id, "reminder_id": reminder_id, "sent": reminder_id is not None}


@router.post("/worklist/{task_id}/complete", tags=["worklist"])
async def complete(
    task_id: str, body: TaskCompletionBody, principal: OpsPrincipal, request: Request
) -> dict[str, Any]:
    await worklist.complete_task(_rt(request), principal.tenant, task_id, body.outcome)
    return {"task_id": task_id, "status": "done", "outcome": body.outcome}


@router.post("/debtors/{debtor_ref}/notes", status_code=201, tags=["worklist"])
async def post_note(
    debtor_ref: str, body: NoteBody, principal: OpsPrincipal, request: Request
) -> dict[str, Any]:
    """A call note with its outcome (completing the task it answers, if named)."""
    author = body.author or principal.key_name or "ops"
    return await worklist.record_note(
        _rt(request), principal.tenant, debtor_ref, author, body.text, body.outcome, body.task_id
    )


# --- agency ----------------------------------------------------------------------------------


async def _agency_case(rt: Runtime, tenant: str, debtor_ref: str) -> dict[str, Any]:
    case = await worklist.case_file(rt, tenant, debtor_ref)
    if case["status"] != "with_agency":
        raise conflict(f"the case of {debtor_ref!r} is not with an agency")
    return case


@router.get("/agency/cases/{debtor_ref}", tags=["agency"])
async def agency_case(
    debtor_ref: str, principal: AgencyPrincipal, request: Request
) -> dict[str, Any]:
    """The handed-over case as the agency sees it."""
    return await _agency_case(_rt(request), principal.tenant, debtor_ref)


IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        description="the agency's key for this report: a repeat answers 200 with the first "
        "report instead of recording it again; the same key with another body answers 422",
    ),
]


@router.post(
    "/agency/cases/{debtor_ref}/status",
    status_code=201,
    tags=["agency"],
    responses={200: {"description": "the same report again (same Idempotency-Key)"}},
)
async def agency_status(
    debtor_ref: str,
    body: AgencyStatusBody,
    principal: AgencyPrincipal,
    request: Request,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """Progress of the handed-over case (received, in progress, closed, returned, ...)."""
    update, replayed = await worklist.agency_update(
        _rt(request),
        principal.tenant,
        debtor_ref,
        body.status,
        body.note,
        idempotency_key=idempotency_key,
    )
    if replayed:
        response.status_code = 200
    return update


@router.post(
    "/agency/cases/{debtor_ref}/payments",
    status_code=201,
    tags=["agency"],
    responses={200: {"description": "the same report again (same Idempotency-Key)"}},
)
async def agency_payment(
    debtor_ref: str,
    body: AgencyPaymentBody,
    principal: AgencyPrincipal,
    request: Request,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """Money the agency collected; published as AgencyCaseUpdated('payment_collected'). Send
    the agency's own reference of the payment as ``Idempotency-Key`` (or in ``reference``)."""
    amount = body.amount.quantize(Decimal("0.01"))
    note = f"collected {body.currency} {amount:f} on {body.received_on}"
    if body.invoice_number:
        note += f" for {body.invoice_number}"
    if body.reference:
        note += f" (ref {body.reference})"
    update, replayed = await worklist.agency_update(
        _rt(request),
        principal.tenant,
        debtor_ref,
        "payment_collected",
        note,
        amount=amount,
        currency=body.currency,
        idempotency_key=idempotency_key,
    )
    if replayed:
        response.status_code = 200
    return update

"""Ops commands on credit accounts: limits (with a second person above the threshold), holds by
hand, reviews and external credit reports. Each runs through ``run_command``: one transaction,
the account's rules evaluated afterwards, its events published with it."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from credit_service.application.accounts import run_command
from credit_service.domain.account import CreditAccount, CreditPolicy, check_second_person
from credit_service.projections.tables import credit_limit_requests, credit_reports
from eventkit.api import FieldProblem, Problem, not_found
from eventkit.ids import uuid7
from eventkit.runtime import Runtime

LimitOutcome = Literal["applied", "unchanged", "pending_approval"]


@dataclass(frozen=True)
class LimitRequest:
    request_id: str
    debtor_ref: str
    currency: str
    limit: Decimal
    reason: str | None
    requested_by: str
    requested_at: datetime
    status: str
    decided_by: str | None = None
    decided_at: datetime | None = None
    decision_note: str | None = None


def _request_of(row: Any) -> LimitRequest:
    return LimitRequest(
        request_id=row.request_id,
        debtor_ref=row.debtor_ref,
        currency=row.currency,
        limit=Decimal(row.limit),
        reason=row.reason,
        requested_by=row.requested_by,
        requested_at=row.requested_at,
        status=row.status,
        decided_by=row.decided_by,
        decided_at=row.decided_at,
        decision_note=row.decision_note,
    )


# --- limits -----------------------------------------------------------------------------------


async def set_credit_limit(
    rt: Runtime,
    tenant_id: str,
    debtor_ref: str,
    currency: str,
    limit: Decimal,
    *,
    requested_by: str,
    reason: str | None,
) -> tuple[LimitOutcome, LimitRequest | None]:
    """Set the limit at once, or — raising it above the approval threshold — file a request
    that a second person approves."""

    async def command(
        session: AsyncSession, account: CreditAccount, today: date, policy: CreditPolicy
    ) -> tuple[LimitOutcome, LimitRequest | None]:
        if policy.needs_second_approval(limit, account.limits.get(currency)):
            request = LimitRequest(
                request_id=str(uuid7()),
                debtor_ref=debtor_ref,
                currency=currency,
                limit=limit,
                reason=reason,
                requested_by=requested_by,
                requested_at=rt.clock.now(),
                status="pending",
            )
            await session.execute(
                insert(credit_limit_requests).values(tenant_id=tenant_id, **request.__dict__)
            )
            return "pending_approval", request
        changed = account.set_limit(
            currency, limit, set_by=requested_by, approved_by=None, today=today, policy=policy
        )
        return ("applied" if changed else "unchanged"), None

    return await run_command(rt, tenant_id, debtor_ref, command)


async def find_limit_request(rt: Runtime, tenant_id: str, request_id: str) -> LimitRequest:
    async with rt.db.reading() as session:
        row = (
            await session.execute(
                select(credit_limit_requests).where(
                    credit_limit_requests.c.tenant_id == tenant_id,
                    credit_limit_requests.c.request_id == request_id,
                )
            )
        ).first()
    if row is None:
        raise not_found("credit limit request", request_id)
    return _request_of(row)


async def list_limit_requests(
    rt: Runtime, tenant_id: str, status: str | None, limit: int
) -> list[LimitRequest]:
    query = select(credit_limit_requests).where(credit_limit_requests.c.tenant_id == tenant_id)
    if status is not None:
        query = query.where(credit_limit_requests.c.status == status)
    query = query.order_by(credit_limit_requests.c.requested_at).limit(limit)
    async with rt.db.reading() as session:
        return [_request_of(r) for r in (await session.execute(query)).all()]


async def decide_limit_request(
    rt: Runtime,
    tenant_id: str,
    request_id: str,
    *,
    approve: bool,
    by: str,
    note: str | None,
) -> LimitRequest:
    """Approve (a second person: the limit is set) or reject a pending request."""
    request = await find_limit_request(rt, tenant_id, request_id)

    async def command(
        session: AsyncSession, account: CreditAccount, today: date, policy: CreditPolicy
    ) -> None:
        status = await session.scalar(
            select(credit_limit_requests.c.status)
            .where(
                credit_limit_requests.c.tenant_id == tenant_id,
                credit_limit_requests.c.request_id == request_id,
            )
            .with_for_update()
        )
        if status != "pending":
            raise Problem(
                409,
                "Conflict",
                f"credit limit request {request_id!r} is {status}, not pending",
                kind="limit-request-decided",
            )
        if approve:
            check_second_person(request.requested_by, by)
            account.set_limit(
                request.currency,
                request.limit,
                set_by=request.requested_by,
                approved_by=by,
                today=today,
                policy=policy,
            )
        await session.execute(
            update(credit_limit_requests)
            .where(
                credit_limit_requests.c.tenant_id == tenant_id,
                credit_limit_requests.c.request_id == request_id,
            )
            .values(
                status="approved" if approve else "rejected",
                decided_by=by,
                decided_at=rt.clock.now(),
                decision_note=note,
            )
        )

    await run_command(rt, tenant_id, request.debtor_ref, command)
    return await find_limit_request(rt, tenant_id, request_id)


# --- holds and reviews ------------------------------------------------------------------------


async def place_hold(rt: Runtime, tenant_id: str, debtor_ref: str, reason: str, by: str) -> None:
    async def command(
        _session: AsyncSession, account: CreditAccount, today: date, _policy: CreditPolicy
    ) -> None:
        account.place_hold(reason, by=by, today=today)

    await run_command(rt, tenant_id, debtor_ref, command)


async def lift_hold(rt: Runtime, tenant_id: str, debtor_ref: str, reason: str, by: str) -> None:
    async def command(
        _session: AsyncSession, account: CreditAccount, _today: date, _policy: CreditPolicy
    ) -> None:
        account.lift_hold(reason, by=by)

    await run_command(rt, tenant_id, debtor_ref, command)


async def record_review(rt: Runtime, tenant_id: str, debtor_ref: str) -> None:
    async def command(
        _session: AsyncSession, account: CreditAccount, today: date, policy: CreditPolicy
    ) -> None:
        account.record_review(today, policy)

    await run_command(rt, tenant_id, debtor_ref, command)


# --- external credit reports ------------------------------------------------------------------


@dataclass(frozen=True)
class ReportInput:
    report_id: str | None
    source: str
    score: Decimal
    scale_min: Decimal
    scale_max: Decimal
    higher_is_better: bool
    limit_advice: Decimal | None
    currency: str | None
    reported_on: date


def _digest(debtor_ref: str, report: ReportInput) -> str:
    body = {"debtor_ref": debtor_ref, **report.__dict__}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


async def post_credit_report(
    rt: Runtime, tenant_id: str, debtor_ref: str, report: ReportInput
) -> tuple[Literal["created", "replayed"], str]:
    """Store the report (idempotent on its id) and score the debtor with it; it counts as a
    review."""
    report_id = report.report_id or str(uuid7())
    digest = _digest(debtor_ref, report)

    async def command(
        session: AsyncSession, account: CreditAccount, today: date, policy: CreditPolicy
    ) -> Literal["created", "replayed"]:
        stored = (
            await session.execute(
                select(credit_reports.c.request_hash).where(
                    credit_reports.c.tenant_id == tenant_id,
                    credit_reports.c.report_id == report_id,
                )
            )
        ).first()
        if stored is not None:
            if stored.request_hash != digest:
                raise Problem(
                    409,
                    "Conflict",
                    f"credit report {report_id!r} exists with different content",
                    kind="credit-report-conflict",
                    errors=[FieldProblem("report_id", "already used for a different report")],
                )
            return "replayed"
        if report.reported_on > today:
            raise Problem(
                422,
                "Invalid request",
                "a credit report cannot be dated in the future",
                kind="validation",
                errors=[FieldProblem("reported_on", f"is after today ({today})")],
            )
        await session.execute(
            insert(credit_reports).values(
                tenant_id=tenant_id,
                report_id=report_id,
                debtor_ref=debtor_ref,
                source=report.source,
                score=report.score,
                scale_min=report.scale_min,
                scale_max=report.scale_max,
                higher_is_better=report.higher_is_better,
                limit_advice=report.limit_advice,
                limit_advice_currency=report.currency,
                reported_on=report.reported_on,
                received_at=rt.clock.now(),
                request_hash=digest,
            )
        )
        account.record_review(today, policy)
        return "created"

    return await run_command(rt, tenant_id, debtor_ref, command), report_id

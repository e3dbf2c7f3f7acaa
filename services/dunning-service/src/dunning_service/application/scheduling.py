"""The set-based statements of the daily sweep: give new cases a policy version, schedule new
items, select the items a step is due for and advance them — each one statement over all
tenants and debtors, whatever their number.

An item is due on business date D when its next step date is on or before D, no hold applies
(dispute, promise, payment plan, or a manual hold not yet expired), the invoice is open and its
open amount is above the policy's minimum for its currency.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    and_,
    case,
    exists,
    false,
    func,
    literal,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.sql import Select

from dunning_service.application.sql import add_days, later_of
from dunning_service.domain.legal.packs import EU_DEFAULT, PACKS
from dunning_service.domain.policies import BUILTIN_TENANT, default_policy_id
from dunning_service.projections.case_tables import (
    debtor_risk,
    dunning_cases,
    dunning_items,
    dunning_policies,
    dunning_policy_assignments,
    dunning_policy_minimums,
    dunning_policy_steps,
)
from dunning_service.projections.projector import OPEN
from dunning_service.projections.tables import dunning_debtors, open_items
from eventkit.db import affected

di = dunning_items
cases = dunning_cases
steps = dunning_policy_steps
RUNNING = ("active", "with_agency")


def _day(value: date) -> ColumnElement[Any]:
    return literal(value, Date())


def pack_code(country: ColumnElement[Any], kind: ColumnElement[Any]) -> ColumnElement[Any]:
    """The legal pack of a debtor, in SQL, from the same table ``select_pack`` uses."""
    return case(
        *[
            (and_(country == pack_country, kind == pack_kind), pack.code)
            for (pack_country, pack_kind), pack in PACKS.items()
        ],
        else_=EU_DEFAULT.code,
    )


async def resolve_case_policies(session: AsyncSession, business_date: date) -> None:
    """Cases without a policy get one: an assignment naming the debtor, else the best segment
    match (kind, country, risk class; higher priority, then more criteria), else the shipped
    default of the debtor's legal pack; then the version in force on the business date.
    Cases keep that version until migrated explicitly."""
    a, d, r, p = dunning_policy_assignments, dunning_debtors, debtor_risk, dunning_policies
    specificity = (
        case((a.c.kind.is_not(None), 1), else_=0)
        + case((a.c.country.is_not(None), 1), else_=0)
        + case((a.c.risk_class.is_not(None), 1), else_=0)
    )
    best = (
        select(a.c.policy_id)
        .select_from(
            a.join(
                d, and_(d.c.tenant_id == cases.c.tenant_id, d.c.debtor_ref == cases.c.debtor_ref)
            ).outerjoin(
                r, and_(r.c.tenant_id == cases.c.tenant_id, r.c.debtor_ref == cases.c.debtor_ref)
            )
        )
        .where(
            a.c.tenant_id == cases.c.tenant_id,
            or_(a.c.debtor_ref.is_(None), a.c.debtor_ref == cases.c.debtor_ref),
            or_(a.c.kind.is_(None), a.c.kind == d.c.kind),
            or_(a.c.country.is_(None), a.c.country == d.c.country),
            or_(a.c.risk_class.is_(None), a.c.risk_class == r.c.risk_class),
            exists().where(
                p.c.tenant_id == a.c.tenant_id,
                p.c.policy_id == a.c.policy_id,
                p.c.effective_from <= _day(business_date),
            ),
        )
        .order_by(
            case((a.c.debtor_ref.is_not(None), 0), else_=1),
            a.c.priority.desc(),
            specificity.desc(),
            a.c.assignment_id,
        )
        .limit(1)
        .correlate(cases)
        .scalar_subquery()
    )
    unresolved = (cases.c.status.in_(RUNNING), cases.c.policy_id.is_(None))
    await session.execute(
        update(cases)
        .where(*unresolved, best.is_not(None))
        .values(policy_tenant=cases.c.tenant_id, policy_id=best, policy_version=None)
    )
    default_id = (
        select(
            literal(default_policy_id("")) + pack_code(d.c.country, d.c.kind)  # "default-" + pack
        )
        .where(d.c.tenant_id == cases.c.tenant_id, d.c.debtor_ref == cases.c.debtor_ref)
        .correlate(cases)
        .scalar_subquery()
    )
    await session.execute(
        update(cases)
        .where(
            *unresolved,
            exists().where(
                d.c.tenant_id == cases.c.tenant_id, d.c.debtor_ref == cases.c.debtor_ref
            ),
        )
        .values(policy_tenant=BUILTIN_TENANT, policy_id=default_id, policy_version=None)
    )
    in_force = (
        select(func.max(p.c.version))
        .where(
            p.c.tenant_id == cases.c.policy_tenant,
            p.c.policy_id == cases.c.policy_id,
            p.c.effective_from <= _day(business_date),
        )
        .correlate(cases)
        .scalar_subquery()
    )
    await session.execute(
        update(cases)
        .where(
            cases.c.status.in_(RUNNING),
            cases.c.policy_id.is_not(None),
            cases.c.policy_version.is_(None),
        )
        .values(policy_version=in_force)
    )


async def schedule_new_items(session: AsyncSession) -> int:
    """Items not yet scheduled take their case's policy version and the date of its first
    step (which is always relative to the due date): one UPDATE … FROM over all of them."""
    result = await session.execute(
        update(di)
        .where(
            di.c.policy_id.is_(None),
            cases.c.tenant_id == di.c.tenant_id,
            cases.c.debtor_ref == di.c.debtor_ref,
            cases.c.status.in_(RUNNING),
            cases.c.policy_version.is_not(None),
            steps.c.tenant_id == cases.c.policy_tenant,
            steps.c.policy_id == cases.c.policy_id,
            steps.c.version == cases.c.policy_version,
            steps.c.step == 1,
        )
        .values(
            policy_tenant=cases.c.policy_tenant,
            policy_id=cases.c.policy_id,
            policy_version=cases.c.policy_version,
            level=0,
            next_step_date=add_days(di.c.due_date, steps.c.offset_days),
        )
    )
    return affected(result)


def not_on_hold(business_date: date) -> list[ColumnElement[bool]]:
    return [
        di.c.dispute_id.is_(None),
        di.c.promise_id.is_(None),
        di.c.plan_id.is_(None),
        or_(di.c.manual_hold_until.is_(None), di.c.manual_hold_until < _day(business_date)),
    ]


def open_above_minimum() -> ColumnElement[bool]:
    """The invoice is open with more than the policy's minimum for its currency."""
    m = dunning_policy_minimums
    minimum = (
        select(m.c.min_amount)
        .where(
            m.c.tenant_id == di.c.policy_tenant,
            m.c.policy_id == di.c.policy_id,
            m.c.version == di.c.policy_version,
            m.c.currency == open_items.c.currency,
        )
        .correlate(di, open_items)
        .scalar_subquery()
    )
    return and_(
        open_items.c.status == OPEN,
        open_items.c.open_amount > func.coalesce(minimum, 0),
    )


def due_condition(business_date: date) -> list[ColumnElement[bool]]:
    return [
        di.c.next_step_date <= _day(business_date),
        *not_on_hold(business_date),
        exists()
        .where(
            open_items.c.tenant_id == di.c.tenant_id,
            open_items.c.invoice_number == di.c.invoice_number,
            open_above_minimum(),
        )
        .correlate(di),
    ]


def select_due(business_date: date, *, lock: bool) -> Select[Any]:
    """Every due item with what the reminder needs, in one query (locked on PostgreSQL, so a
    payment that commits meanwhile waits for the sweep rather than slipping between the select
    and the update)."""
    query = (
        select(
            di.c.tenant_id,
            di.c.invoice_number,
            di.c.debtor_ref,
            di.c.level,
            di.c.policy_tenant,
            di.c.policy_id,
            di.c.policy_version,
            di.c.first_claim_on,
            di.c.first_claim_channel,
            di.c.claims_sent,
            open_items.c.issue_date,
            open_items.c.due_date,
            open_items.c.currency,
            open_items.c.open_amount,
        )
        .select_from(
            di.join(
                open_items,
                and_(
                    open_items.c.tenant_id == di.c.tenant_id,
                    open_items.c.invoice_number == di.c.invoice_number,
                ),
            )
        )
        .where(*due_condition(business_date), open_above_minimum())
    )
    if lock:
        query = query.with_for_update(of=[di, open_items])
    return query


def next_step_date(business_date: date, done_step: ColumnElement[Any]) -> Any:
    """The date of the step after ``done_step`` (done on ``business_date``): its offset from the
    due date or from this step, but never before this step's gap (final term; for consumers
    also the statutory waiting period) has run. NULL when there is no next step or when this
    step waits for approval (the approval schedules the next one)."""
    cur, nxt = aliased(steps), aliased(steps)
    gap = case((di.c.debtor_kind == "B2C", cur.c.gap_consumer), else_=cur.c.gap_business)
    planned = case(
        (nxt.c.relative_to == "due_date", add_days(di.c.due_date, nxt.c.offset_days)),
        else_=add_days(_day(business_date), nxt.c.offset_days),
    )
    return (
        select(later_of(planned, add_days(_day(business_date), gap)))
        .select_from(
            cur.join(
                nxt,
                and_(
                    nxt.c.tenant_id == cur.c.tenant_id,
                    nxt.c.policy_id == cur.c.policy_id,
                    nxt.c.version == cur.c.version,
                    nxt.c.step == cur.c.step + 1,
                ),
            )
        )
        .where(
            cur.c.tenant_id == di.c.policy_tenant,
            cur.c.policy_id == di.c.policy_id,
            cur.c.version == di.c.policy_version,
            cur.c.step == done_step,
        )
        .correlate(di)
        .scalar_subquery()
    )


def _current(column_of: Any, step_number: ColumnElement[Any]) -> Any:
    cur = aliased(steps)
    return (
        select(column_of(cur))
        .where(
            cur.c.tenant_id == di.c.policy_tenant,
            cur.c.policy_id == di.c.policy_id,
            cur.c.version == di.c.policy_version,
            cur.c.step == step_number,
        )
        .correlate(di)
        .scalar_subquery()
    )


async def advance_due(session: AsyncSession, business_date: date) -> int:
    """One UPDATE: every due item moves one level up and gets its next step date."""
    step = di.c.level + 1
    is_claim = _current(lambda s: s.c.is_claim, step)
    approval = _current(lambda s: s.c.approval_required, step)
    action = _current(lambda s: s.c.action, step)
    channel = _current(lambda s: s.c.channel, step)
    claim_now = and_(is_claim == true(), di.c.first_claim_on.is_(None))
    result = await session.execute(
        update(di)
        .where(*due_condition(business_date))
        .values(
            level=step,
            last_step_on=_day(business_date),
            claims_sent=di.c.claims_sent + case((is_claim == true(), 1), else_=0),
            first_claim_on=case((claim_now, _day(business_date)), else_=di.c.first_claim_on),
            first_claim_channel=case((claim_now, channel), else_=di.c.first_claim_channel),
            awaiting_approval=func.coalesce(approval, false()),
            next_step_date=case(
                (approval == true(), None),
                else_=next_step_date(business_date, step),
            ),
            escalated_on=case(
                (action == "agency_handover", _day(business_date)), else_=di.c.escalated_on
            ),
        )
    )
    return affected(result)


async def schedule_after_approval(
    session: AsyncSession, tenant_id: str, invoice_numbers: list[str], business_date: date
) -> None:
    """The approved step (the item's current level) went out today: schedule the next one."""
    await session.execute(
        update(di)
        .where(
            di.c.tenant_id == tenant_id,
            di.c.invoice_number.in_(invoice_numbers),
            di.c.awaiting_approval == true(),
        )
        .values(
            awaiting_approval=False,
            next_step_date=next_step_date(business_date, di.c.level),
        )
    )

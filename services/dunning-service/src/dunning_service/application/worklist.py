"""The collector's worklist, call notes, the approval of formal notices, and the agency's side
of a handed-over case."""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from sqlalchemy import and_, case, func, insert, select, true, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from contracts.calendar import next_business_day
from contracts.dunning import AgencyCaseUpdated, NoteRecorded
from dunning_service.application.composition import (
    case_history,
    compose_group,
    debtor_contact,
    log_reminders,
    reminder_event,
    reminder_log_row,
)
from dunning_service.application.holds import conflict, invalid
from dunning_service.application.policies import load_policies
from dunning_service.application.scheduling import not_on_hold, schedule_after_approval
from dunning_service.application.streams import new_id, single_event
from dunning_service.domain.reminders import DueItem
from dunning_service.domain.worklist import Urgency, priority
from dunning_service.projections.case_tables import (
    agency_updates,
    case_notes,
    debtor_risk,
    disputes,
    dunning_cases,
    dunning_items,
    worklist_tasks,
)
from dunning_service.projections.projector import OPEN
from dunning_service.projections.tables import dunning_debtors, open_items
from eventkit.api import FieldProblem, Problem, not_found
from eventkit.runtime import Runtime

SETTLED_WITH_THE_INVOICES = frozenset({"phone_call", "formal_notice_approval"})


@dataclass(frozen=True, slots=True)
class WorkItem:
    kind: str
    debtor_ref: str
    debtor_name: str | None
    invoice_numbers: list[str]
    detail: str
    created_on: date
    priority: Decimal
    overdue_amount: Decimal
    days_overdue: int
    risk_class: str | None
    task_id: str | None = None
    dispute_id: str | None = None


async def _urgencies(
    session: AsyncSession, tenant_id: str, debtors: set[str], today: date
) -> dict[str, tuple[Urgency, str | None]]:
    if not debtors:
        return {}
    overdue = and_(open_items.c.status == OPEN, open_items.c.due_date < today)
    rows = (
        await session.execute(
            select(
                open_items.c.debtor_ref,
                func.sum(case((overdue, open_items.c.open_amount), else_=0)).label("amount"),
                func.min(case((overdue, open_items.c.due_date), else_=None)).label("oldest"),
            )
            .where(open_items.c.tenant_id == tenant_id, open_items.c.debtor_ref.in_(debtors))
            .group_by(open_items.c.debtor_ref)
        )
    ).all()
    risks = dict(
        (
            await session.execute(
                select(debtor_risk.c.debtor_ref, debtor_risk.c.risk_class).where(
                    debtor_risk.c.tenant_id == tenant_id, debtor_risk.c.debtor_ref.in_(debtors)
                )
            )
        ).all()
    )
    names = dict(
        (
            await session.execute(
                select(dunning_debtors.c.debtor_ref, dunning_debtors.c.legal_name).where(
                    dunning_debtors.c.tenant_id == tenant_id,
                    dunning_debtors.c.debtor_ref.in_(debtors),
                )
            )
        ).all()
    )
    result: dict[str, tuple[Urgency, str | None]] = {}
    found = {r.debtor_ref: r for r in rows}
    for debtor in debtors:
        row = found.get(debtor)
        oldest = row.oldest if row is not None else None
        if isinstance(oldest, str):  # SQLite returns MIN() of a date as text
            oldest = date.fromisoformat(oldest)
        result[debtor] = (
            Urgency(
                amount=Decimal(row.amount or 0) if row is not None else Decimal(0),
                days_overdue=(today - oldest).days if oldest else 0,
                risk_class=risks.get(debtor),
            ),
            names.get(debtor),
        )
    return result


async def worklist(rt: Runtime, tenant_id: str, kind: str | None = None) -> list[WorkItem]:
    today = rt.clock.today()
    async with rt.db.reading() as session:
        tasks = (
            await session.execute(
                select(worklist_tasks).where(
                    worklist_tasks.c.tenant_id == tenant_id, worklist_tasks.c.status == "open"
                )
            )
        ).all()
        open_disputes = (
            await session.execute(
                select(disputes).where(
                    disputes.c.tenant_id == tenant_id, disputes.c.status == "open"
                )
            )
        ).all()
        # A call or a formal notice about invoices that are all settled by now needs nobody.
        named = sorted({n for t in tasks for n in t.invoice_numbers})
        still_open = set(
            (
                await session.scalars(
                    select(open_items.c.invoice_number).where(
                        open_items.c.tenant_id == tenant_id,
                        open_items.c.invoice_number.in_(named),
                        open_items.c.status == OPEN,
                    )
                )
            ).all()
        )
        tasks = [
            t
            for t in tasks
            if t.kind not in SETTLED_WITH_THE_INVOICES or still_open.intersection(t.invoice_numbers)
        ]
        debtors = {t.debtor_ref for t in tasks} | {d.debtor_ref for d in open_disputes}
        urgencies = await _urgencies(session, tenant_id, debtors, today)
    work: list[WorkItem] = []
    for t in tasks:
        urgency, name = urgencies[t.debtor_ref]
        work.append(
            WorkItem(
                kind=t.kind,
                debtor_ref=t.debtor_ref,
                debtor_name=name,
                invoice_numbers=list(t.invoice_numbers),
                detail=t.detail,
                created_on=t.created_on,
                priority=priority(t.kind, urgency),
                overdue_amount=urgency.amount,
                days_overdue=urgency.days_overdue,
                risk_class=urgency.risk_class,
                task_id=t.task_id,
            )
        )
    for d in open_disputes:
        urgency, name = urgencies[d.debtor_ref]
        work.append(
            WorkItem(
                kind="dispute",
                debtor_ref=d.debtor_ref,
                debtor_name=name,
                invoice_numbers=[d.invoice_number],
                detail=f"{d.reason}" + (f": {d.note}" if d.note else ""),
                created_on=d.opened_on,
                priority=priority("dispute", urgency),
                overdue_amount=urgency.amount,
                days_overdue=urgency.days_overdue,
                risk_class=urgency.risk_class,
                dispute_id=d.dispute_id,
            )
        )
    if kind is not None:
        work = [w for w in work if w.kind == kind]
    return sorted(
        work,
        key=lambda w: (-w.priority, w.created_on, w.debtor_ref, w.task_id or w.dispute_id or ""),
    )


async def _open_task(session: AsyncSession, tenant_id: str, task_id: str) -> Any:
    row = (
        await session.execute(
            select(worklist_tasks).where(
                worklist_tasks.c.tenant_id == tenant_id, worklist_tasks.c.task_id == task_id
            )
        )
    ).first()
    if row is None:
        raise not_found("task", task_id)
    if row.status != "open":
        raise conflict(f"task {task_id} is done already")
    return row


async def _finish_task(
    session: AsyncSession, tenant_id: str, task_id: str, today: date, outcome: str
) -> None:
    await session.execute(
        update(worklist_tasks)
        .where(worklist_tasks.c.tenant_id == tenant_id, worklist_tasks.c.task_id == task_id)
        .values(status="done", completed_on=today, outcome=outcome[:200])
    )


async def complete_task(rt: Runtime, tenant_id: str, task_id: str, outcome: str) -> None:
    async with rt.db.transaction() as session:
        task = await _open_task(session, tenant_id, task_id)
        if task.kind == "formal_notice_approval" and outcome != "dismissed":
            raise conflict("approve the formal notice, or complete the task as 'dismissed'")
        if task.kind == "formal_notice_approval":
            # Not sent: the items continue with the step after it.
            await schedule_after_approval(
                session, tenant_id, list(task.invoice_numbers), rt.clock.today()
            )
        await _finish_task(session, tenant_id, task_id, rt.clock.today(), outcome)


async def approve_formal_notice(rt: Runtime, tenant_id: str, task_id: str) -> str | None:
    """Send the formal notice the sweep prepared, for what is still open and not on hold;
    returns the reminder id (None when nothing is left to notify)."""
    async with rt.uow() as uow:
        session = uow.session
        task = await _open_task(session, tenant_id, task_id)
        if task.kind != "formal_notice_approval":
            raise conflict(f"task {task_id} is a {task.kind}, not a formal notice to approve")
        today = uow.clock.today()
        numbers = list(task.invoice_numbers)
        rows = (
            await session.execute(
                select(
                    dunning_items.c.invoice_number,
                    dunning_items.c.level,
                    dunning_items.c.policy_tenant,
                    dunning_items.c.policy_id,
                    dunning_items.c.policy_version,
                    dunning_items.c.first_claim_on,
                    dunning_items.c.first_claim_channel,
                    dunning_items.c.claims_sent,
                    open_items.c.issue_date,
                    open_items.c.due_date,
                    open_items.c.currency,
                    open_items.c.open_amount,
                )
                .select_from(
                    dunning_items.join(
                        open_items,
                        and_(
                            open_items.c.tenant_id == dunning_items.c.tenant_id,
                            open_items.c.invoice_number == dunning_items.c.invoice_number,
                        ),
                    )
                )
                .where(
                    dunning_items.c.tenant_id == tenant_id,
                    dunning_items.c.invoice_number.in_(numbers),
                    dunning_items.c.awaiting_approval == true(),
                    open_items.c.status == OPEN,
                    open_items.c.open_amount > 0,
                    *not_on_hold(today),
                )
            )
        ).all()
        reminder_id: str | None = None
        if rows:
            first = rows[0]
            key = (first.policy_tenant, first.policy_id, first.policy_version)
            policy = (await load_policies(session, [key]))[key]
            contact = await debtor_contact(session, tenant_id, task.debtor_ref)
            step_number = first.level
            items = [
                DueItem(
                    invoice_number=r.invoice_number,
                    issue_date=r.issue_date,
                    due_date=r.due_date,
                    currency=r.currency,
                    open_amount=Decimal(r.open_amount),
                    first_claim_on=r.first_claim_on,
                    first_claim_channel=r.first_claim_channel,
                    # the sweep counted this step already; the claim is as of its sending
                    claims_sent=r.claims_sent - 1,
                )
                for r in rows
            ]
            # Approved on a weekend or holiday: the letter is dated the next working day.
            letter_date = next_business_day(today)
            composed = compose_group(
                contact,
                policy,
                step_number,
                items,
                letter_date,
                bool(getattr(rt.settings, "creditor_is_sme", False)),
            )
            if not composed.empty:
                reminder_id = new_id()
                event = reminder_event(
                    reminder_id=reminder_id,
                    debtor_ref=task.debtor_ref,
                    contact=contact,
                    policy=policy,
                    step_number=step_number,
                    composed=composed,
                    business_date=letter_date,
                )
                uow.emit(
                    [
                        single_event(
                            rt,
                            event,
                            tenant_id=tenant_id,
                            debtor_ref=task.debtor_ref,
                            aggregate_type="reminder",
                            aggregate_id=reminder_id,
                        )
                    ]
                )
                await log_reminders(session, [reminder_log_row(tenant_id, reminder_id, event)])
        await schedule_after_approval(session, tenant_id, numbers, today)
        await _finish_task(
            session, tenant_id, task_id, today, "approved" if reminder_id else "nothing left"
        )
    return reminder_id


async def _known_debtor(session: AsyncSession, tenant_id: str, debtor_ref: str) -> bool:
    for table in (dunning_debtors, dunning_cases):
        found = await session.scalar(
            select(func.count())
            .select_from(table)
            .where(table.c.tenant_id == tenant_id, table.c.debtor_ref == debtor_ref)
        )
        if found:
            return True
    return False


async def record_note(
    rt: Runtime,
    tenant_id: str,
    debtor_ref: str,
    author: str,
    text: str,
    outcome: str | None,
    task_id: str | None,
) -> dict[str, Any]:
    note_id = new_id()
    async with rt.uow() as uow:
        session = uow.session
        if not await _known_debtor(session, tenant_id, debtor_ref):
            raise not_found("debtor", debtor_ref)
        today = uow.clock.today()
        if task_id is not None:
            task = await _open_task(session, tenant_id, task_id)
            if task.debtor_ref != debtor_ref:
                raise invalid("task_id", "the task belongs to another debtor")
            if task.kind == "formal_notice_approval":
                raise invalid("task_id", "a formal notice is approved, not noted")
            await _finish_task(session, tenant_id, task_id, today, outcome or "noted")
        await session.execute(
            insert(case_notes).values(
                tenant_id=tenant_id,
                note_id=note_id,
                debtor_ref=debtor_ref,
                author=author,
                text=text,
                outcome=outcome,
                on=today,
                task_id=task_id,
            )
        )
        uow.emit(
            [
                single_event(
                    rt,
                    NoteRecorded(
                        debtor_ref=debtor_ref,
                        note_id=note_id,
                        author=author,
                        text=text,
                        outcome=outcome,
                        on=today,
                    ),
                    tenant_id=tenant_id,
                    debtor_ref=debtor_ref,
                    aggregate_type="note",
                    aggregate_id=note_id,
                )
            ]
        )
    return {
        "note_id": note_id,
        "debtor_ref": debtor_ref,
        "author": author,
        "text": text,
        "outcome": outcome,
        "on": today.isoformat(),
        "task_id": task_id,
    }


# --- the agency ------------------------------------------------------------------------------


def _agency_update_view(row: Any) -> dict[str, Any]:
    return {
        "update_id": row.update_id,
        "debtor_ref": row.debtor_ref,
        "agency": row.agency,
        "status": row.status,
        "note": row.note,
        "amount": format(Decimal(row.amount), "f") if row.amount is not None else None,
        "currency": row.currency,
        "on": row.on.isoformat(),
    }


async def _replay(
    session: AsyncSession, tenant_id: str, idempotency_key: str, digest: str
) -> dict[str, Any] | None:
    """The update recorded under ``idempotency_key`` (None: there is none yet); the same key
    with another request is refused."""
    row = (
        await session.execute(
            select(agency_updates).where(
                agency_updates.c.tenant_id == tenant_id,
                agency_updates.c.idempotency_key == idempotency_key,
            )
        )
    ).first()
    if row is None:
        return None
    if row.request_hash != digest:
        raise Problem(
            422,
            "Idempotency-Key reused",
            "this Idempotency-Key was sent before with another request; nothing was recorded",
            kind="idempotency-key-reused",
            errors=[FieldProblem("Idempotency-Key", "already used for another request", "header")],
        )
    return _agency_update_view(row)


async def agency_update(
    rt: Runtime,
    tenant_id: str,
    debtor_ref: str,
    status: str,
    note: str,
    amount: Decimal | None = None,
    currency: str | None = None,
    idempotency_key: str | None = None,
) -> tuple[dict[str, Any], bool]:
    """A status report or collected money from the agency holding the case; published as
    AgencyCaseUpdated (collected money with status 'payment_collected').

    With an ``idempotency_key`` a repeat of the same report returns the first one (and
    ``True``) without recording or publishing anything again."""
    request: dict[str, str | None] = {"debtor_ref": debtor_ref, "status": status, "note": note}
    money = format(amount.quantize(Decimal("0.01")), "f") if amount is not None else None
    request |= {"amount": money, "currency": currency}
    digest = hashlib.sha256(json.dumps(request, sort_keys=True).encode()).hexdigest()
    if idempotency_key is not None:
        async with rt.db.reading() as session:
            replayed = await _replay(session, tenant_id, idempotency_key, digest)
        if replayed is not None:
            return replayed, True
    update_id = new_id()
    try:
        async with rt.uow() as uow:
            session = uow.session
            row = (
                await session.execute(
                    select(dunning_cases.c.status, dunning_cases.c.agency).where(
                        dunning_cases.c.tenant_id == tenant_id,
                        dunning_cases.c.debtor_ref == debtor_ref,
                    )
                )
            ).first()
            if row is None:
                raise not_found("case", debtor_ref)
            if row.status != "with_agency" or not row.agency:
                raise conflict(f"the case of {debtor_ref!r} is not with an agency")
            today = uow.clock.today()
            values = {
                "tenant_id": tenant_id,
                "update_id": update_id,
                "debtor_ref": debtor_ref,
                "agency": row.agency,
                "status": status,
                "note": note,
                "amount": amount,
                "currency": currency,
                "on": today,
                "idempotency_key": idempotency_key,
                "request_hash": digest if idempotency_key is not None else None,
            }
            await session.execute(insert(agency_updates).values(**values))
            uow.emit(
                [
                    single_event(
                        rt,
                        AgencyCaseUpdated(
                            debtor_ref=debtor_ref,
                            agency=row.agency,
                            status=status,
                            note=note,
                            on=today,
                        ),
                        tenant_id=tenant_id,
                        debtor_ref=debtor_ref,
                        aggregate_type="agency_update",
                        aggregate_id=update_id,
                    )
                ]
            )
    except IntegrityError:
        if idempotency_key is None:
            raise
        # The same key arrived twice at once and the other request won: answer with its update.
        async with rt.db.reading() as session:
            replayed = await _replay(session, tenant_id, idempotency_key, digest)
        if replayed is None:
            raise
        return replayed, True
    return _agency_update_view(SimpleNamespace(**values)), False


async def case_file(rt: Runtime, tenant_id: str, debtor_ref: str) -> dict[str, Any]:
    """The debtor's case: its policy, every item's dunning state and holds, and the history."""
    async with rt.db.reading() as session:
        case_row = (
            await session.execute(
                select(dunning_cases).where(
                    dunning_cases.c.tenant_id == tenant_id,
                    dunning_cases.c.debtor_ref == debtor_ref,
                )
            )
        ).first()
        if case_row is None:
            raise not_found("case", debtor_ref)
        items = (
            await session.execute(
                select(
                    dunning_items,
                    open_items.c.open_amount,
                    open_items.c.status,
                )
                .select_from(
                    dunning_items.join(
                        open_items,
                        and_(
                            open_items.c.tenant_id == dunning_items.c.tenant_id,
                            open_items.c.invoice_number == dunning_items.c.invoice_number,
                        ),
                    )
                )
                .where(
                    dunning_items.c.tenant_id == tenant_id,
                    dunning_items.c.debtor_ref == debtor_ref,
                )
            )
        ).all()
        history = await case_history(session, tenant_id, debtor_ref)
        updates = (
            await session.execute(
                select(agency_updates).where(
                    agency_updates.c.tenant_id == tenant_id,
                    agency_updates.c.debtor_ref == debtor_ref,
                )
            )
        ).all()
    holds: dict[str, list[str]] = defaultdict(list)
    for r in items:
        for column, name in (
            ("dispute_id", "dispute"),
            ("promise_id", "promise"),
            ("plan_id", "payment_plan"),
            ("manual_hold_id", "manual"),
        ):
            if getattr(r, column):
                holds[r.invoice_number].append(name)
    return {
        "debtor_ref": debtor_ref,
        "status": case_row.status,
        "policy": {
            "policy_id": case_row.policy_id,
            "version": case_row.policy_version,
            "builtin": case_row.policy_tenant == "*",
        }
        if case_row.policy_id
        else None,
        "agency": case_row.agency,
        "items": [
            {
                "invoice_number": r.invoice_number,
                "status": r.status,
                "open_amount": format(Decimal(r.open_amount).quantize(Decimal("0.01")), "f"),
                "currency": r.currency,
                "due_date": r.due_date.isoformat(),
                "level": r.level,
                "next_step_date": r.next_step_date.isoformat() if r.next_step_date else None,
                "awaiting_approval": r.awaiting_approval,
                "holds": holds.get(r.invoice_number, []),
                "manual_hold_until": r.manual_hold_until.isoformat()
                if r.manual_hold_until
                else None,
                "escalated_on": r.escalated_on.isoformat() if r.escalated_on else None,
            }
            for r in sorted(items, key=lambda r: (r.due_date, r.invoice_number))
        ],
        "history": [e.model_dump(mode="json") for e in history],
        "agency_updates": [
            _agency_update_view(u) for u in sorted(updates, key=lambda u: (u.on, u.update_id))
        ],
    }

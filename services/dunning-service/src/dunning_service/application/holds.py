"""Commands that pause dunning: disputes, promises to pay, payment plans and manual holds.

Each command is one transaction: the hold's events (its own stream), the hold's row and the
items' hold columns. The sweep reads the hold columns, so a hold placed before the sweep
stops the step of that very day."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from contracts.dunning import DisputeReason, Instalment
from dunning_service.application.streams import new_id
from dunning_service.domain.holds import (
    Dispute,
    HoldError,
    ManualHold,
    Outcome,
    PaymentPlan,
    PromiseToPay,
)
from dunning_service.projections.case_tables import (
    disputes,
    dunning_items,
    manual_holds,
    payment_plans,
    promises,
)
from dunning_service.projections.projector import OPEN
from dunning_service.projections.tables import open_items
from eventkit.api import FieldProblem, Problem, not_found
from eventkit.runtime import Runtime
from eventkit.store import ConcurrencyError


def conflict(detail: str) -> Problem:
    return Problem(409, "Conflict", detail, kind="conflict")


def invalid(field: str, reason: str) -> Problem:
    return Problem(
        422,
        "Invalid request",
        reason,
        kind="validation",
        errors=[FieldProblem(field, reason)],
    )


@dataclass(frozen=True, slots=True)
class ItemState:
    invoice_number: str
    debtor_ref: str
    currency: str
    open_amount: Decimal
    status: str
    dispute_id: str | None
    promise_id: str | None
    plan_id: str | None
    manual_hold_id: str | None

    @property
    def is_open(self) -> bool:
        return self.status == OPEN and self.open_amount > 0


async def items_of(
    session: AsyncSession,
    tenant_id: str,
    *,
    debtor_ref: str | None = None,
    invoice_numbers: Sequence[str] | None = None,
) -> list[ItemState]:
    query = (
        select(
            dunning_items.c.invoice_number,
            dunning_items.c.debtor_ref,
            open_items.c.currency,
            open_items.c.open_amount,
            open_items.c.status,
            dunning_items.c.dispute_id,
            dunning_items.c.promise_id,
            dunning_items.c.plan_id,
            dunning_items.c.manual_hold_id,
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
        .where(dunning_items.c.tenant_id == tenant_id)
    )
    if debtor_ref is not None:
        query = query.where(dunning_items.c.debtor_ref == debtor_ref)
    if invoice_numbers is not None:
        query = query.where(dunning_items.c.invoice_number.in_(list(invoice_numbers)))
    rows = (await session.execute(query)).all()
    return sorted(
        (
            ItemState(
                r.invoice_number,
                r.debtor_ref,
                r.currency,
                Decimal(r.open_amount),
                r.status,
                r.dispute_id,
                r.promise_id,
                r.plan_id,
                r.manual_hold_id,
            )
            for r in rows
        ),
        key=lambda i: i.invoice_number,
    )


async def _chosen_items(
    session: AsyncSession,
    tenant_id: str,
    debtor_ref: str,
    invoice_numbers: Sequence[str] | None,
    *,
    exclusive: bool,
) -> list[ItemState]:
    """The debtor's named items (or all its open ones), every one open; with ``exclusive``,
    none already under a promise or a plan."""
    if invoice_numbers is not None and len(set(invoice_numbers)) != len(invoice_numbers):
        raise invalid("invoice_numbers", "an invoice is named twice")
    items = await items_of(session, tenant_id, debtor_ref=debtor_ref)
    if invoice_numbers is None:
        chosen = [i for i in items if i.is_open]
        if not chosen:
            raise not_found("open items of debtor", debtor_ref)
    else:
        by_number = {i.invoice_number: i for i in items}
        errors = [
            FieldProblem(f"invoice_numbers[{n}]", f"no invoice {number!r} of this debtor")
            for n, number in enumerate(invoice_numbers)
            if number not in by_number
        ]
        errors += [
            FieldProblem(f"invoice_numbers[{n}]", f"invoice {number!r} is not open")
            for n, number in enumerate(invoice_numbers)
            if number in by_number and not by_number[number].is_open
        ]
        if errors:
            raise Problem(
                422,
                "Invalid request",
                "some invoices cannot be held",
                kind="validation",
                errors=errors,
            )
        chosen = [by_number[n] for n in invoice_numbers]
    if exclusive:
        taken = [i.invoice_number for i in chosen if i.promise_id or i.plan_id]
        if taken:
            raise conflict(f"already under a promise or payment plan: {', '.join(taken)}")
    return chosen


async def _set_items(
    session: AsyncSession, tenant_id: str, numbers: Sequence[str], **values: Any
) -> None:
    await session.execute(
        update(dunning_items)
        .where(dunning_items.c.tenant_id == tenant_id, dunning_items.c.invoice_number.in_(numbers))
        .values(**values)
    )


async def _retrying(attempt: Any) -> Any:
    for _ in range(5):
        try:
            return await attempt()
        except ConcurrencyError:
            continue
        except HoldError as exc:
            raise conflict(str(exc)) from exc
    raise conflict("changed concurrently; retry")


# --- disputes --------------------------------------------------------------------------------


async def open_dispute(
    rt: Runtime, tenant_id: str, invoice_number: str, reason: DisputeReason, note: str
) -> dict[str, Any]:
    dispute_id = new_id()

    async def attempt() -> dict[str, Any]:
        async with rt.uow() as uow:
            found = await items_of(uow.session, tenant_id, invoice_numbers=[invoice_number])
            if not found:
                raise not_found("invoice", invoice_number)
            item = found[0]
            if not item.is_open:
                raise conflict(f"invoice {invoice_number!r} is {item.status}; nothing to dispute")
            if item.dispute_id is not None:
                raise conflict(
                    f"invoice {invoice_number!r} is disputed already ({item.dispute_id})"
                )
            today = uow.clock.today()
            dispute = await uow.load(Dispute, tenant_id, dispute_id)
            dispute.open(item.debtor_ref, invoice_number, reason, note, today)
            await uow.session.execute(
                insert(disputes).values(
                    tenant_id=tenant_id,
                    dispute_id=dispute_id,
                    debtor_ref=item.debtor_ref,
                    invoice_number=invoice_number,
                    reason=reason,
                    note=note,
                    status="open",
                    opened_on=today,
                )
            )
            await _set_items(uow.session, tenant_id, [invoice_number], dispute_id=dispute_id)
        return await dispute_view(rt, tenant_id, dispute_id)

    result: dict[str, Any] = await _retrying(attempt)
    return result


async def resolve_dispute(
    rt: Runtime, tenant_id: str, dispute_id: str, outcome: Outcome, note: str
) -> dict[str, Any]:
    async def attempt() -> dict[str, Any]:
        async with rt.uow() as uow:
            dispute = await uow.load(Dispute, tenant_id, dispute_id)
            if not dispute.exists:
                raise not_found("dispute", dispute_id)
            today = uow.clock.today()
            dispute.resolve(outcome, note, today)
            await uow.session.execute(
                update(disputes)
                .where(disputes.c.tenant_id == tenant_id, disputes.c.dispute_id == dispute_id)
                .values(status=dispute.status, outcome=outcome, resolved_on=today)
            )
            if outcome != "credited":
                await _set_items(uow.session, tenant_id, dispute.invoice_numbers, dispute_id=None)
        return await dispute_view(rt, tenant_id, dispute_id)

    result: dict[str, Any] = await _retrying(attempt)
    return result


async def dispute_view(rt: Runtime, tenant_id: str, dispute_id: str) -> dict[str, Any]:
    async with rt.db.reading() as session:
        row = (
            await session.execute(
                select(disputes).where(
                    disputes.c.tenant_id == tenant_id, disputes.c.dispute_id == dispute_id
                )
            )
        ).first()
    if row is None:
        raise not_found("dispute", dispute_id)
    return {
        "dispute_id": row.dispute_id,
        "debtor_ref": row.debtor_ref,
        "invoice_number": row.invoice_number,
        "reason": row.reason,
        "note": row.note,
        "status": row.status,
        "opened_on": row.opened_on.isoformat(),
        "outcome": row.outcome,
        "resolved_on": row.resolved_on.isoformat() if row.resolved_on else None,
    }


# --- promises --------------------------------------------------------------------------------


async def make_promise(
    rt: Runtime,
    tenant_id: str,
    debtor_ref: str,
    invoice_numbers: Sequence[str] | None,
    amount: Decimal,
    currency: str,
    promised_date: date,
) -> dict[str, Any]:
    promise_id = new_id()

    async def attempt() -> dict[str, Any]:
        async with rt.uow() as uow:
            today = uow.clock.today()
            if promised_date < today:
                raise invalid("promised_date", f"is before today ({today})")
            chosen = await _chosen_items(
                uow.session, tenant_id, debtor_ref, invoice_numbers, exclusive=True
            )
            if any(i.currency != currency for i in chosen):
                raise invalid("currency", f"the invoices are not all in {currency}")
            open_total = sum((i.open_amount for i in chosen), Decimal("0.00"))
            if amount > open_total:
                raise invalid("amount", f"more than the {currency} {open_total} open")
            numbers = [i.invoice_number for i in chosen]
            promise = await uow.load(PromiseToPay, tenant_id, promise_id)
            promise.make(debtor_ref, numbers, amount, currency, promised_date, today)
            await uow.session.execute(
                insert(promises).values(
                    tenant_id=tenant_id,
                    promise_id=promise_id,
                    debtor_ref=debtor_ref,
                    invoice_numbers=numbers,
                    amount=amount,
                    currency=currency,
                    promised_date=promised_date,
                    made_on=today,
                    open_at_promise=open_total,
                    status="active",
                )
            )
            await _set_items(uow.session, tenant_id, numbers, promise_id=promise_id)
            return {
                "promise_id": promise_id,
                "debtor_ref": debtor_ref,
                "invoice_numbers": numbers,
                "amount": format(amount, "f"),
                "currency": currency,
                "promised_date": promised_date.isoformat(),
                "made_on": today.isoformat(),
                "status": "active",
            }

    result: dict[str, Any] = await _retrying(attempt)
    return result


# --- payment plans ---------------------------------------------------------------------------


async def agree_plan(
    rt: Runtime,
    tenant_id: str,
    debtor_ref: str,
    invoice_numbers: Sequence[str] | None,
    currency: str,
    instalments: Sequence[Instalment],
    grace_days: int,
) -> dict[str, Any]:
    plan_id = new_id()

    async def attempt() -> dict[str, Any]:
        async with rt.uow() as uow:
            today = uow.clock.today()
            dates = [i.due_date for i in instalments]
            if dates != sorted(set(dates)):
                raise invalid("instalments", "due dates must be distinct and in order")
            if dates[0] < today:
                raise invalid("instalments[0].due_date", f"is before today ({today})")
            chosen = await _chosen_items(
                uow.session, tenant_id, debtor_ref, invoice_numbers, exclusive=True
            )
            if any(i.currency != currency for i in chosen):
                raise invalid("currency", f"the invoices are not all in {currency}")
            open_total = sum((i.open_amount for i in chosen), Decimal("0.00"))
            planned = sum((i.amount for i in instalments), Decimal("0.00"))
            if planned != open_total:
                raise invalid(
                    "instalments",
                    f"the instalments add up to {currency} {planned}, the invoices to "
                    f"{currency} {open_total}",
                )
            numbers = [i.invoice_number for i in chosen]
            plan = await uow.load(PaymentPlan, tenant_id, plan_id)
            plan.agree(debtor_ref, numbers, currency, instalments, grace_days, today)
            await uow.session.execute(
                insert(payment_plans).values(
                    tenant_id=tenant_id,
                    plan_id=plan_id,
                    debtor_ref=debtor_ref,
                    invoice_numbers=numbers,
                    currency=currency,
                    instalments=[i.model_dump(mode="json") for i in instalments],
                    grace_days=grace_days,
                    agreed_on=today,
                    open_at_agreement=open_total,
                    status="active",
                )
            )
            await _set_items(uow.session, tenant_id, numbers, plan_id=plan_id)
            return {
                "plan_id": plan_id,
                "debtor_ref": debtor_ref,
                "invoice_numbers": numbers,
                "currency": currency,
                "instalments": [i.model_dump(mode="json") for i in instalments],
                "grace_days": grace_days,
                "agreed_on": today.isoformat(),
                "status": "active",
            }

    result: dict[str, Any] = await _retrying(attempt)
    return result


# --- manual holds ----------------------------------------------------------------------------


async def place_hold(
    rt: Runtime,
    tenant_id: str,
    debtor_ref: str,
    invoice_numbers: Sequence[str] | None,
    until: date,
    reason: str,
) -> dict[str, Any]:
    hold_id = new_id()

    async def attempt() -> dict[str, Any]:
        async with rt.uow() as uow:
            today = uow.clock.today()
            if until < today:
                raise invalid("until", f"is before today ({today})")
            chosen = await _chosen_items(
                uow.session, tenant_id, debtor_ref, invoice_numbers, exclusive=False
            )
            held = [i.invoice_number for i in chosen if i.manual_hold_id]
            if held:
                raise conflict(f"already on a manual hold: {', '.join(held)}")
            numbers = [i.invoice_number for i in chosen]
            hold = await uow.load(ManualHold, tenant_id, hold_id)
            hold.place(debtor_ref, numbers, until)
            await uow.session.execute(
                insert(manual_holds).values(
                    tenant_id=tenant_id,
                    hold_id=hold_id,
                    debtor_ref=debtor_ref,
                    invoice_numbers=numbers,
                    until=until,
                    reason=reason,
                    status="active",
                )
            )
            await _set_items(
                uow.session, tenant_id, numbers, manual_hold_id=hold_id, manual_hold_until=until
            )
            return {
                "hold_id": hold_id,
                "debtor_ref": debtor_ref,
                "invoice_numbers": numbers,
                "until": until.isoformat(),
                "reason": reason,
                "status": "active",
            }

    result: dict[str, Any] = await _retrying(attempt)
    return result


async def lift_hold(rt: Runtime, tenant_id: str, hold_id: str) -> None:
    async def attempt() -> None:
        async with rt.uow() as uow:
            hold = await uow.load(ManualHold, tenant_id, hold_id)
            if not hold.exists:
                raise not_found("hold", hold_id)
            hold.lift("lifted by ops")
            await uow.session.execute(
                update(manual_holds)
                .where(manual_holds.c.tenant_id == tenant_id, manual_holds.c.hold_id == hold_id)
                .values(status="lifted")
            )
            await uow.session.execute(
                update(dunning_items)
                .where(
                    dunning_items.c.tenant_id == tenant_id,
                    dunning_items.c.manual_hold_id == hold_id,
                )
                .values(manual_hold_id=None, manual_hold_until=None)
            )

    await _retrying(attempt)

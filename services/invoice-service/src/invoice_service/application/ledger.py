"""Ledger commands: credit notes, payments (manual and from bank statements), matching,
manual allocation, reversals, cancellation and write-off.

Each command is one transaction: the aggregates' events, their outbox rows and the read models
(invoices, credit notes, payments, allocations) commit together. An invoice's balance is guarded by
its stream version (two allocations racing on one invoice collide and the loser retries with the
new balance) and a payment's unallocated amount by a conditional update."""

from __future__ import annotations

import asyncio
import random
import re
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Literal, TypeVar

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from contracts.invoicing import (
    AllocationMethod,
    CreditNoteIssued,
    CreditNoteSource,
    CreditSettlement,
    PaymentReceived,
)
from eventkit.api import FieldProblem, Problem, not_found
from eventkit.db import affected
from eventkit.runtime import Runtime
from eventkit.store import ConcurrencyError
from eventkit.uow import UnitOfWork
from invoice_service.application.invoicing import money, request_hash
from invoice_service.domain.matching import Candidate, choose_by_amount
from invoice_service.domain.model import (
    ZERO,
    CreditNote,
    DomainError,
    Invoice,
    Payment,
    SourceKind,
)
from invoice_service.domain.payment_refs import find_references, reference_keys
from invoice_service.projections.tables import (
    allocations,
    credit_notes,
    debtors,
    invoices,
    payments,
)

T = TypeVar("T")
PAYMENT_NAMESPACE = uuid.UUID("6f1c7a52-2d3e-4c55-9a53-0c4b1f6f2a10")
OPEN_STATUSES = ("open", "partially_paid")


async def run_command(rt: Runtime, body: Callable[[UnitOfWork], Awaitable[T]]) -> T:
    """One command in one unit of work, run again when a concurrent writer won."""
    for attempt in range(12):
        try:
            async with rt.uow() as uow:
                return await body(uow)
        except (ConcurrencyError, IntegrityError):
            # jittered backoff so that writers racing on one invoice spread out
            await asyncio.sleep(random.uniform(0, 0.005 * (attempt + 1)))  # noqa: S311 - jitter, not crypto
    raise Problem(409, "Conflict", "the ledger is being changed concurrently; retry")


# --- shared read-model upkeep -----------------------------------------------------------------


async def load_invoice(uow: UnitOfWork, tenant: str, number: str) -> Invoice | None:
    invoice = await uow.load(Invoice, tenant, number)
    return invoice if invoice.exists else None


async def sync_invoice(session: AsyncSession, invoice: Invoice) -> None:
    await session.execute(
        update(invoices)
        .where(
            invoices.c.tenant_id == invoice.tenant_id,
            invoices.c.invoice_number == invoice.aggregate_id,
        )
        .values(open_amount=invoice.open_amount, status=invoice.status, version=invoice.version)
    )


async def apply_to_invoice(
    uow: UnitOfWork,
    invoice: Invoice,
    *,
    source_kind: SourceKind,
    source_id: str,
    amount: Decimal,
    on: date,
    method: AllocationMethod,
) -> tuple[Decimal, Decimal]:
    """Allocate and keep the read models in step; returns (amount used, discount granted)."""
    before = invoice.open_amount
    used = invoice.allocate(
        source_kind=source_kind, source_id=source_id, amount=amount, on=on, method=method
    )
    if used == 0:
        return ZERO, ZERO
    discount = before - invoice.open_amount - used
    await uow.session.execute(
        allocations.insert().values(
            tenant_id=invoice.tenant_id,
            source_kind=source_kind,
            source_id=source_id,
            invoice_number=invoice.aggregate_id,
            debtor_ref=invoice.debtor_ref,
            amount=used,
            discount=discount,
            currency=invoice.currency,
            allocated_on=on,
            method=method,
            reversed=False,
        )
    )
    await sync_invoice(uow.session, invoice)
    return used, discount


# --- credit notes -----------------------------------------------------------------------------


@dataclass(frozen=True)
class IssueCreditNote:
    tenant_id: str
    credit_note_number: str
    debtor_ref: str
    issue_date: date
    currency: str
    amount: Decimal
    invoice_numbers: Sequence[str] = ()
    reason: str | None = None
    request_body: dict[str, Any] = field(default_factory=dict)
    source: CreditNoteSource = "credit_note"


def credit_note_view(row: Any) -> dict[str, Any]:
    m = row._mapping
    return {
        "credit_note_number": m["credit_note_number"],
        "debtor_ref": m["debtor_ref"],
        "issue_date": m["issue_date"].isoformat(),
        "currency": m["currency"],
        "amount": format(money(Decimal(m["amount"])), "f"),
        "remaining": format(money(Decimal(m["remaining"])), "f"),
        "invoice_numbers": list(m["invoice_numbers"]),
        "reason": m["reason"],
        "source": m["source"] or "credit_note",
        "settlement": m["settlement"]
        or ("against_invoices" if m["invoice_numbers"] else "open_credit"),
    }


async def issue_credit_note(rt: Runtime, cmd: IssueCreditNote) -> tuple[str, dict[str, Any]]:
    digest = request_hash(cmd.request_body)

    async def body(uow: UnitOfWork) -> tuple[str, dict[str, Any]]:
        s = uow.session
        key = (credit_notes.c.tenant_id == cmd.tenant_id) & (
            credit_notes.c.credit_note_number == cmd.credit_note_number
        )
        existing = (await s.execute(select(credit_notes).where(key))).first()
        if existing is not None:
            if existing.request_hash != digest:
                raise Problem(
                    409,
                    "Conflict",
                    f"credit note {cmd.credit_note_number!r} exists with different content",
                    errors=[FieldProblem("credit_note_number", "already used")],
                )
            return "replayed", credit_note_view(existing)
        problems: list[FieldProblem] = []
        known_debtor = await s.scalar(
            select(func.count()).where(
                debtors.c.tenant_id == cmd.tenant_id, debtors.c.debtor_ref == cmd.debtor_ref
            )
        )
        if not known_debtor:
            problems.append(FieldProblem("debtor_ref", "unknown debtor"))
        if cmd.amount <= 0:
            problems.append(FieldProblem("amount", "must be positive"))
        targets: list[Invoice] = []
        for i, number in enumerate(cmd.invoice_numbers):
            invoice = await load_invoice(uow, cmd.tenant_id, number)
            where = f"invoice_numbers[{i}]"
            if invoice is None:
                problems.append(FieldProblem(where, f"invoice {number!r} does not exist"))
            elif invoice.debtor_ref != cmd.debtor_ref:
                problems.append(FieldProblem(where, "belongs to another debtor"))
            elif invoice.currency != cmd.currency:
                problems.append(FieldProblem(where, f"is in {invoice.currency}"))
            else:
                targets.append(invoice)
        if problems:
            raise Problem(
                422,
                "Credit note rejected",
                "nothing was stored",
                kind="validation",
                errors=problems,
            )
        note = CreditNote(cmd.tenant_id, cmd.credit_note_number)
        uow.track(note)
        against = any(invoice.open_amount > 0 for invoice in targets)
        settlement: CreditSettlement = "against_invoices" if against else "open_credit"
        note.issue(
            CreditNoteIssued(
                credit_note_number=cmd.credit_note_number,
                debtor_ref=cmd.debtor_ref,
                issue_date=cmd.issue_date,
                currency=cmd.currency,
                amount=money(cmd.amount),
                invoice_numbers=list(cmd.invoice_numbers),
                reason=cmd.reason,
                source=cmd.source,
                settlement=settlement,
            )
        )
        remaining = money(cmd.amount)
        for invoice in targets:
            used, _ = await apply_to_invoice(
                uow,
                invoice,
                source_kind="credit_note",
                source_id=cmd.credit_note_number,
                amount=remaining,
                on=cmd.issue_date,
                method="credit_note",
            )
            remaining -= used
        await s.execute(
            credit_notes.insert().values(
                tenant_id=cmd.tenant_id,
                credit_note_number=cmd.credit_note_number,
                debtor_ref=cmd.debtor_ref,
                issue_date=cmd.issue_date,
                currency=cmd.currency,
                amount=money(cmd.amount),
                remaining=remaining,
                invoice_numbers=list(cmd.invoice_numbers),
                reason=cmd.reason,
                request_hash=digest,
                version=note.version,
                created_at=uow.clock.now(),
                source=cmd.source,
                settlement=settlement,
            )
        )
        row = (await s.execute(select(credit_notes).where(key))).one()
        return "created", credit_note_view(row)

    return await run_command(rt, body)


# --- payments ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ManualAllocation:
    invoice_number: str
    amount: Decimal


@dataclass(frozen=True)
class ReceivePayment:
    tenant_id: str
    amount: Decimal
    currency: str
    booking_date: date
    source: Literal["manual", "bank_statement", "agency"] = "manual"
    payment_id: str | None = None
    value_date: date | None = None
    bank_reference: str | None = None
    structured_reference: str | None = None
    remittance_info: str | None = None
    counterparty_name: str | None = None
    counterparty_iban: str | None = None
    debtor_ref: str | None = None
    allocations: Sequence[ManualAllocation] | None = None
    request_body: dict[str, Any] = field(default_factory=dict)
    # what identifies a bank transaction (a later reversal names one of these)
    account_iban: str | None = None
    servicer_reference: str | None = None
    end_to_end_id: str | None = None
    instruction_id: str | None = None
    transaction_id: str | None = None


@dataclass
class PaymentOutcome:
    outcome: Literal["created", "replayed", "duplicate"]
    payment: dict[str, Any]


def payment_id_for(tenant: str, bank_reference: str) -> str:
    """Stable id for a bank transaction: importing the same statement twice finds it again."""
    return "PAY-" + uuid.uuid5(PAYMENT_NAMESPACE, f"{tenant}|{bank_reference}").hex[:20].upper()


def stored_reference(reference: str | None) -> str | None:
    """References are kept in their canonical form so that lookups compare like with like."""
    keys = reference_keys(reference or "")
    return keys[0][:60] if keys else None


def provided(identifier: str | None) -> str | None:
    """An identifier the payer gave; SEPA writes ``NOTPROVIDED`` where there is none."""
    if identifier is None or not identifier.strip():
        return None
    value = identifier.strip()
    return None if value.upper() in ("NOTPROVIDED", "NONREF", "NOT PROVIDED") else value


def bounded_identifier(value: str | None) -> str | None:
    return value[:100] if value else None


def compact_iban(iban: str | None) -> str | None:
    return re.sub(r"\s+", "", iban).upper() if iban else None


async def payment_view(session: AsyncSession, tenant: str, payment_id: str) -> dict[str, Any]:
    row = (
        await session.execute(
            select(payments).where(
                payments.c.tenant_id == tenant, payments.c.payment_id == payment_id
            )
        )
    ).first()
    if row is None:
        raise not_found("payment", payment_id)
    allocs = (
        await session.execute(
            select(allocations)
            .where(
                allocations.c.tenant_id == tenant,
                allocations.c.source_kind == "payment",
                allocations.c.source_id == payment_id,
            )
            .order_by(allocations.c.id)
        )
    ).all()
    m = row._mapping
    return {
        "payment_id": m["payment_id"],
        "debtor_ref": m["debtor_ref"],
        "amount": format(money(Decimal(m["amount"])), "f"),
        "currency": m["currency"],
        "booking_date": m["booking_date"].isoformat(),
        "source": m["source"],
        "bank_reference": m["bank_reference"],
        "structured_reference": m["structured_reference"],
        "remittance_info": m["remittance_info"],
        "counterparty_name": m["counterparty_name"],
        "counterparty_iban": m["counterparty_iban"],
        "unallocated": format(money(Decimal(m["unallocated"])), "f"),
        "status": m["status"],
        "match_method": m["match_method"],
        "allocations": [
            {
                "invoice_number": a.invoice_number,
                "amount": format(money(Decimal(a.amount)), "f"),
                "discount": format(money(Decimal(a.discount)), "f"),
                "allocated_on": a.allocated_on.isoformat(),
                "method": a.method,
                "reversed": a.reversed,
            }
            for a in allocs
        ],
    }


def _status(amount: Decimal, unallocated: Decimal) -> str:
    if unallocated == 0:
        return "allocated"
    return "unmatched" if unallocated == amount else "partially_allocated"


async def _open_candidates(
    session: AsyncSession, tenant: str, currency: str, *conditions: Any
) -> list[Candidate]:
    rows = (
        await session.execute(
            select(
                invoices.c.invoice_number,
                invoices.c.debtor_ref,
                invoices.c.currency,
                invoices.c.open_amount,
                invoices.c.due_date,
                invoices.c.discount_amount,
                invoices.c.discount_until,
            ).where(
                invoices.c.tenant_id == tenant,
                invoices.c.currency == currency,
                invoices.c.status.in_(OPEN_STATUSES),
                invoices.c.open_amount > 0,
                *conditions,
            )
        )
    ).all()
    return [
        Candidate(
            invoice_number=r.invoice_number,
            debtor_ref=r.debtor_ref,
            currency=r.currency,
            open_amount=money(Decimal(r.open_amount)),
            due_date=r.due_date,
            discount_amount=money(Decimal(r.discount_amount))
            if r.discount_amount is not None
            else None,
            discount_until=r.discount_until,
        )
        for r in rows
    ]


INVOICE_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]{2,99}")


async def _debtor_by_iban(session: AsyncSession, tenant: str, iban: str) -> str | None:
    """Debtors list their IBANs in their profile; JSON containment differs per database, so the
    (small) candidate set is filtered here."""
    rows = (
        await session.execute(
            select(debtors.c.debtor_ref, debtors.c.profile).where(debtors.c.tenant_id == tenant)
        )
    ).all()
    matches = [
        r.debtor_ref
        for r in rows
        if iban in {compact_iban(i) for i in (r.profile or {}).get("iban", [])}
    ]
    return matches[0] if len(matches) == 1 else None


async def match_payment(
    session: AsyncSession, cmd: ReceivePayment, debtor_hint: str | None
) -> tuple[AllocationMethod | None, list[Candidate], str | None]:
    """Matching order: structured reference → references and invoice numbers in free text →
    debtor (given or by IBAN) + amount → nothing (the unmatched queue)."""
    tenant, currency = cmd.tenant_id, cmd.currency
    keys = reference_keys(cmd.structured_reference or "")
    if keys:
        found = await _open_candidates(
            session, tenant, currency, invoices.c.payment_reference.in_(keys)
        )
        if found:
            return "structured_reference", found, None
    text = cmd.remittance_info or ""
    if text:
        refs = [r.value for r in find_references(text)]
        tokens = sorted(set(INVOICE_TOKEN.findall(text)))[:200]
        conditions = []
        if refs:
            conditions.append(invoices.c.payment_reference.in_(refs))
        if tokens:
            conditions.append(invoices.c.invoice_number.in_(tokens))
            # an unstructured or check-less reference quoted as it was issued
            conditions.append(invoices.c.payment_reference.in_(tokens))
        if conditions:
            found = await _open_candidates(session, tenant, currency, or_(*conditions))
            if found:
                position = {c.invoice_number: text.find(c.invoice_number) for c in found}
                found.sort(key=lambda c: (position[c.invoice_number] < 0, c.due_date))
                return "free_text", found, None
    debtor = debtor_hint
    iban = compact_iban(cmd.counterparty_iban)
    if debtor is None and iban:
        debtor = await _debtor_by_iban(session, tenant, iban)
    if debtor is not None:
        items = await _open_candidates(session, tenant, currency, invoices.c.debtor_ref == debtor)
        chosen = choose_by_amount(money(cmd.amount), cmd.booking_date, items)
        if chosen:
            return "iban_amount", chosen, debtor
    return None, [], debtor


async def receive_payment(rt: Runtime, cmd: ReceivePayment) -> PaymentOutcome:
    digest = request_hash(cmd.request_body)
    payment_id = cmd.payment_id or (
        payment_id_for(cmd.tenant_id, cmd.bank_reference)
        if cmd.bank_reference
        else "PAY-" + uuid.uuid4().hex[:20].upper()
    )

    async def body(uow: UnitOfWork) -> PaymentOutcome:
        s = uow.session
        if cmd.bank_reference:
            seen = await s.scalar(
                select(payments.c.payment_id).where(
                    payments.c.tenant_id == cmd.tenant_id,
                    payments.c.bank_reference == cmd.bank_reference,
                )
            )
            if seen is not None:
                return PaymentOutcome("duplicate", await payment_view(s, cmd.tenant_id, seen))
        existing = await s.scalar(
            select(payments.c.request_hash).where(
                payments.c.tenant_id == cmd.tenant_id, payments.c.payment_id == payment_id
            )
        )
        if existing is not None:
            if existing != digest:
                raise Problem(
                    409,
                    "Conflict",
                    f"payment {payment_id!r} exists with different content",
                    errors=[FieldProblem("payment_id", "already used")],
                )
            return PaymentOutcome("replayed", await payment_view(s, cmd.tenant_id, payment_id))
        amount = money(cmd.amount)
        if cmd.debtor_ref:
            known = await s.scalar(
                select(func.count()).where(
                    debtors.c.tenant_id == cmd.tenant_id, debtors.c.debtor_ref == cmd.debtor_ref
                )
            )
            if not known:
                raise Problem(
                    422,
                    "Payment rejected",
                    "nothing was stored",
                    kind="validation",
                    errors=[FieldProblem("debtor_ref", "unknown debtor")],
                )
        if cmd.allocations is not None:
            method: AllocationMethod | None = "manual"
            targets = await _manual_targets(uow, cmd.tenant_id, cmd.currency, cmd.allocations)
            debtor = cmd.debtor_ref or (targets[0][0].debtor_ref if targets else None)
            if sum((a for _, a in targets), ZERO) > amount:
                raise Problem(
                    422,
                    "Payment rejected",
                    "allocations exceed the payment amount",
                    kind="validation",
                    errors=[FieldProblem("allocations", f"more than {amount} allocated")],
                )
        else:
            method, found, debtor = await match_payment(s, cmd, cmd.debtor_ref)
            targets = []
            for candidate in found:
                invoice = await load_invoice(uow, cmd.tenant_id, candidate.invoice_number)
                if invoice is not None:
                    targets.append((invoice, amount))
            if targets and debtor is None:
                debtor = targets[0][0].debtor_ref
        payment = Payment(cmd.tenant_id, payment_id)
        uow.track(payment)
        payment.receive(
            PaymentReceived(
                payment_id=payment_id,
                debtor_ref=debtor,
                amount=amount,
                currency=cmd.currency,
                booking_date=cmd.booking_date,
                value_date=cmd.value_date,
                source=cmd.source,
                bank_reference=cmd.bank_reference,
                structured_reference=stored_reference(cmd.structured_reference),
                remittance_info=cmd.remittance_info,
                counterparty_name=cmd.counterparty_name,
                counterparty_iban=compact_iban(cmd.counterparty_iban),
            )
        )
        remaining = amount
        for invoice, cap in targets:
            if remaining <= 0:
                break
            used, _ = await apply_to_invoice(
                uow,
                invoice,
                source_kind="payment",
                source_id=payment_id,
                amount=min(remaining, cap),
                on=cmd.booking_date,
                method=method or "manual",
            )
            remaining -= used
        if remaining == amount:
            payment.leave_unmatched(
                amount,
                "debtor known, no open items fit the amount"
                if debtor
                else "no reference, invoice number or known account",
            )
        await s.execute(
            payments.insert().values(
                tenant_id=cmd.tenant_id,
                payment_id=payment_id,
                debtor_ref=debtor,
                amount=amount,
                currency=cmd.currency,
                booking_date=cmd.booking_date,
                value_date=cmd.value_date,
                source=cmd.source,
                bank_reference=cmd.bank_reference,
                structured_reference=stored_reference(cmd.structured_reference),
                remittance_info=(cmd.remittance_info or None) and cmd.remittance_info[:1000],
                counterparty_name=cmd.counterparty_name,
                counterparty_iban=compact_iban(cmd.counterparty_iban),
                unallocated=remaining,
                status=_status(amount, remaining),
                match_method=method if remaining != amount else None,
                request_hash=digest,
                created_at=uow.clock.now(),
                account_iban=compact_iban(cmd.account_iban),
                servicer_reference=bounded_identifier(cmd.servicer_reference),
                end_to_end_id=bounded_identifier(provided(cmd.end_to_end_id)),
                instruction_id=bounded_identifier(provided(cmd.instruction_id)),
                transaction_id=bounded_identifier(provided(cmd.transaction_id)),
            )
        )
        return PaymentOutcome("created", await payment_view(s, cmd.tenant_id, payment_id))

    return await run_command(rt, body)


async def _manual_targets(
    uow: UnitOfWork, tenant: str, currency: str, wanted: Sequence[ManualAllocation]
) -> list[tuple[Invoice, Decimal]]:
    problems: list[FieldProblem] = []
    targets: list[tuple[Invoice, Decimal]] = []
    for i, item in enumerate(wanted):
        where = f"allocations[{i}]"
        invoice = await load_invoice(uow, tenant, item.invoice_number)
        if invoice is None:
            problems.append(FieldProblem(f"{where}.invoice_number", "unknown invoice"))
        elif invoice.currency != currency:
            problems.append(FieldProblem(f"{where}.invoice_number", f"is in {invoice.currency}"))
        elif item.amount <= 0:
            problems.append(FieldProblem(f"{where}.amount", "must be positive"))
        elif money(item.amount) > invoice.open_amount:
            problems.append(
                FieldProblem(f"{where}.amount", f"exceeds the open amount {invoice.open_amount}")
            )
        else:
            targets.append((invoice, money(item.amount)))
    if problems:
        raise Problem(
            422, "Allocation rejected", "nothing was stored", kind="validation", errors=problems
        )
    return targets


async def allocate_payment(
    rt: Runtime, tenant: str, payment_id: str, wanted: Sequence[ManualAllocation]
) -> dict[str, Any]:
    """Ops allocate (part of) a payment's unallocated amount by hand."""

    async def body(uow: UnitOfWork) -> dict[str, Any]:
        s = uow.session
        row = (
            await s.execute(
                select(payments).where(
                    payments.c.tenant_id == tenant, payments.c.payment_id == payment_id
                )
            )
        ).first()
        if row is None:
            raise not_found("payment", payment_id)
        if row.status == "reversed":
            raise Problem(409, "Conflict", "the payment was reversed", kind="payment-reversed")
        targets = await _manual_targets(uow, tenant, row.currency, wanted)
        total = sum((a for _, a in targets), ZERO)
        unallocated = money(Decimal(row.unallocated))
        if total > unallocated:
            raise Problem(
                422,
                "Allocation rejected",
                "nothing was stored",
                kind="validation",
                errors=[FieldProblem("allocations", f"only {unallocated} is unallocated")],
            )
        used_total = ZERO
        for invoice, amount in targets:
            used, _ = await apply_to_invoice(
                uow,
                invoice,
                source_kind="payment",
                source_id=payment_id,
                amount=amount,
                on=uow.clock.today(),
                method="manual",
            )
            used_total += used
        # The guard makes two concurrent allocations of one payment unable to overspend it.
        result = await s.execute(
            update(payments)
            .where(
                payments.c.tenant_id == tenant,
                payments.c.payment_id == payment_id,
                payments.c.unallocated >= used_total,
            )
            .values(
                unallocated=payments.c.unallocated - used_total,
                status=_status(money(Decimal(row.amount)), unallocated - used_total),
                debtor_ref=func.coalesce(
                    payments.c.debtor_ref, targets[0][0].debtor_ref if targets else None
                ),
                match_method=func.coalesce(payments.c.match_method, "manual"),
            )
        )
        if not affected(result):
            raise ConcurrencyError([payment_id])
        return await payment_view(s, tenant, payment_id)

    return await run_command(rt, body)


async def reverse_payment(
    rt: Runtime,
    tenant: str,
    payment_id: str,
    on: date,
    reversal_reference: str | None = None,
    identified_by: str | None = None,
) -> dict[str, Any]:
    """The bank took the money back: undo every allocation of the payment."""

    async def body(uow: UnitOfWork) -> dict[str, Any]:
        await reverse_payment_in(uow, tenant, payment_id, on, reversal_reference, identified_by)
        return await payment_view(uow.session, tenant, payment_id)

    return await run_command(rt, body)


async def reverse_payment_in(
    uow: UnitOfWork,
    tenant: str,
    payment_id: str,
    on: date,
    reversal_reference: str | None,
    identified_by: str | None,
) -> bool:
    """Reverse inside the caller's unit of work; False when it was reversed already."""
    s = uow.session
    payment = await uow.load(Payment, tenant, payment_id)
    if not payment.exists:
        raise not_found("payment", payment_id)
    if payment.reversed:
        return False
    rows = (
        await s.execute(
            select(allocations.c.invoice_number)
            .where(
                allocations.c.tenant_id == tenant,
                allocations.c.source_kind == "payment",
                allocations.c.source_id == payment_id,
                allocations.c.reversed.is_(False),
            )
            .distinct()
        )
    ).all()
    for (number,) in rows:
        invoice = await load_invoice(uow, tenant, number)
        if invoice is not None:
            invoice.reverse_allocation("payment", payment_id, on)
            await sync_invoice(s, invoice)
    await s.execute(
        update(allocations)
        .where(
            allocations.c.tenant_id == tenant,
            allocations.c.source_kind == "payment",
            allocations.c.source_id == payment_id,
        )
        .values(reversed=True)
    )
    payment.reverse(on, reversal_reference, identified_by)
    await s.execute(
        update(payments)
        .where(payments.c.tenant_id == tenant, payments.c.payment_id == payment_id)
        .values(status="reversed", unallocated=0, reversal_reference=reversal_reference)
    )
    return True


# --- invoice life cycle -----------------------------------------------------------------------


async def cancel_invoice(rt: Runtime, tenant: str, number: str, reason: str) -> None:
    async def body(uow: UnitOfWork) -> None:
        invoice = await load_invoice(uow, tenant, number)
        if invoice is None:
            raise not_found("invoice", number)
        try:
            invoice.cancel(uow.clock.today(), reason)
        except DomainError as exc:
            raise Problem(409, "Conflict", str(exc), kind="invoice-state") from exc
        await sync_invoice(uow.session, invoice)

    await run_command(rt, body)


async def write_off_invoice(rt: Runtime, tenant: str, number: str, reason: str) -> None:
    async def body(uow: UnitOfWork) -> None:
        invoice = await load_invoice(uow, tenant, number)
        if invoice is None:
            raise not_found("invoice", number)
        try:
            invoice.write_off(uow.clock.today(), reason)
        except DomainError as exc:
            raise Problem(409, "Conflict", str(exc), kind="invoice-state") from exc
        await sync_invoice(uow.session, invoice)

    await run_command(rt, body)


# --- statement of account ---------------------------------------------------------------------


async def statement_of_account(
    session: AsyncSession, tenant: str, debtor_ref: str, as_of: date
) -> dict[str, Any] | None:
    known = await session.scalar(
        select(func.count()).where(
            debtors.c.tenant_id == tenant, debtors.c.debtor_ref == debtor_ref
        )
    )
    if not known:
        return None
    open_rows = (
        await session.execute(
            select(invoices)
            .where(
                invoices.c.tenant_id == tenant,
                invoices.c.debtor_ref == debtor_ref,
                invoices.c.status.in_(OPEN_STATUSES),
            )
            .order_by(invoices.c.due_date, invoices.c.invoice_number)
        )
    ).all()
    note_rows = (
        await session.execute(
            select(credit_notes).where(
                credit_notes.c.tenant_id == tenant,
                credit_notes.c.debtor_ref == debtor_ref,
                credit_notes.c.remaining > 0,
            )
        )
    ).all()
    pay_rows = (
        await session.execute(
            select(payments).where(
                and_(
                    payments.c.tenant_id == tenant,
                    payments.c.debtor_ref == debtor_ref,
                    payments.c.unallocated > 0,
                    payments.c.status != "reversed",
                )
            )
        )
    ).all()
    balances: dict[str, dict[str, Decimal]] = {}

    def bucket(currency: str) -> dict[str, Decimal]:
        return balances.setdefault(currency, {"open_items": ZERO, "credits": ZERO})

    items = []
    for r in open_rows:
        open_amount = money(Decimal(r.open_amount))
        bucket(r.currency)["open_items"] += open_amount
        items.append(
            {
                "invoice_number": r.invoice_number,
                "issue_date": r.issue_date.isoformat(),
                "due_date": r.due_date.isoformat(),
                "currency": r.currency,
                "amount_due": format(money(Decimal(r.amount_due)), "f"),
                "open_amount": format(open_amount, "f"),
                "status": r.status,
                "days_overdue": max(0, (as_of - r.due_date).days),
            }
        )
    credits = []
    for r in note_rows:
        remaining = money(Decimal(r.remaining))
        bucket(r.currency)["credits"] += remaining
        credits.append(
            {
                "kind": "credit_note",
                "reference": r.credit_note_number,
                "date": r.issue_date.isoformat(),
                "currency": r.currency,
                "amount": format(remaining, "f"),
            }
        )
    for r in pay_rows:
        unallocated = money(Decimal(r.unallocated))
        bucket(r.currency)["credits"] += unallocated
        credits.append(
            {
                "kind": "payment",
                "reference": r.payment_id,
                "date": r.booking_date.isoformat(),
                "currency": r.currency,
                "amount": format(unallocated, "f"),
            }
        )
    return {
        "debtor_ref": debtor_ref,
        "as_of": as_of.isoformat(),
        "open_items": items,
        "open_credits": credits,
        "balances": [
            {
                "currency": currency,
                "open_items": format(b["open_items"], "f"),
                "credits": format(b["credits"], "f"),
                "balance": format(b["open_items"] - b["credits"], "f"),
            }
            for currency, b in sorted(balances.items())
        ],
    }

"""Bank reversals (returns, rejects, ``RvslInd``, MT940 ``RC``, CODA R-transactions) undo only
the payment they provably name. Money data never changes on a guess.

A reversal names its payment by, in this order:

1. an identifier the original transaction carried: end-to-end id, instruction id or
   transaction id (``NOTPROVIDED`` is no identifier) — on the same account where the
   original's account is known, in the same currency and for the same amount;
2. the account, the counterparty's IBAN, the amount and a reference (the structured
   reference, or the remittance text) that all equal the original's.

Exactly one payment must fit. Anything else — nothing fits, several fit, or the identified
payment has another amount — becomes an *unmatched reversal*: a queue item (evented as
``ReversalUnmatched``) that a person resolves by naming the payment (it is then reversed) or by
dismissing it (``ReversalResolved``)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from contracts.invoicing import ReversalUnmatched
from eventkit.api import FieldProblem, Problem, not_found
from eventkit.runtime import Runtime
from eventkit.uow import UnitOfWork
from invoice_service.application.invoicing import money
from invoice_service.application.ledger import (
    bounded_identifier,
    compact_iban,
    provided,
    reverse_payment_in,
    run_command,
)
from invoice_service.domain.model import DomainError, UnmatchedReversal
from invoice_service.domain.payment_refs import reference_keys
from invoice_service.projections.tables import payments, unmatched_reversals

REVERSAL_NAMESPACE = uuid.UUID("0b5d3f2e-7c41-4f0a-9a8e-2f6c1d9e4b77")
IDENTIFIERS = (
    ("end_to_end_id", "end-to-end id"),
    ("instruction_id", "instruction id"),
    ("transaction_id", "transaction id"),
)


@dataclass(frozen=True)
class ReversalFacts:
    """What a bank reversal says about the payment it takes back."""

    bank_reference: str  # the reversal's own key (account + bank reference)
    account_iban: str | None
    amount: Decimal
    currency: str
    booking_date: date
    end_to_end_id: str | None = None
    instruction_id: str | None = None
    transaction_id: str | None = None
    counterparty_iban: str | None = None
    counterparty_name: str | None = None
    reference: str | None = None
    remittance_info: str | None = None
    return_reason: str | None = None


@dataclass
class Identification:
    payment_id: str | None
    identified_by: str | None
    reason: str
    candidates: list[str] = field(default_factory=list)


async def identify_reversed_payment(
    session: AsyncSession, tenant: str, facts: ReversalFacts
) -> Identification:
    base: list[ColumnElement[bool]] = [
        payments.c.tenant_id == tenant,
        payments.c.status != "reversed",
        payments.c.currency == facts.currency,
    ]
    if facts.account_iban:
        base.append(
            or_(payments.c.account_iban == facts.account_iban, payments.c.account_iban.is_(None))
        )
    for column, label in IDENTIFIERS:
        value = provided(getattr(facts, column))
        if value is None:
            continue
        rows = (
            await session.execute(
                select(payments.c.payment_id, payments.c.amount).where(
                    *base, payments.c[column] == value[:100]
                )
            )
        ).all()
        if not rows:
            continue
        ids = sorted(r.payment_id for r in rows)
        exact = [r.payment_id for r in rows if money(Decimal(r.amount)) == facts.amount]
        if len(exact) == 1:
            return Identification(exact[0], column, f"{label} {value}", ids)
        if not exact:
            return Identification(
                None,
                None,
                f"the {label} {value} names payment(s) {', '.join(ids)} of another amount "
                f"than {facts.amount}",
                ids,
            )
        return Identification(
            None, None, f"the {label} {value} names {len(exact)} payments of this amount", ids
        )
    iban = compact_iban(facts.counterparty_iban)
    keys = [key[:60] for key in reference_keys(facts.reference or "")]
    text = (facts.remittance_info or "").strip()
    if iban and (keys or text):
        matches: list[ColumnElement[bool]] = []
        if keys:
            matches.append(payments.c.structured_reference.in_(keys))
        if text:
            matches.append(payments.c.remittance_info == text[:1000])
        rows = (
            await session.execute(
                select(payments.c.payment_id).where(
                    *base,
                    payments.c.counterparty_iban == iban,
                    payments.c.amount == facts.amount,
                    or_(*matches),
                )
            )
        ).all()
        ids = sorted(r.payment_id for r in rows)
        if len(ids) == 1:
            return Identification(ids[0], "account_counterparty_amount_reference", "", ids)
        if ids:
            return Identification(
                None,
                None,
                f"{len(ids)} payments from {iban} of {facts.amount} carry this reference",
                ids,
            )
        return Identification(
            None, None, f"no payment from {iban} of {facts.amount} carries this reference"
        )
    missing = "a counterparty account" if not iban else "a reference"
    return Identification(
        None,
        None,
        "the reversal names no end-to-end, instruction or transaction id of a payment, and "
        f"lacks {missing} to identify one by account, counterparty, amount and reference",
    )


def reversal_id_for(tenant: str, bank_reference: str) -> str:
    return "RVS-" + uuid.uuid5(REVERSAL_NAMESPACE, f"{tenant}|{bank_reference}").hex[:20].upper()


async def queued_reversal(session: AsyncSession, tenant: str, bank_reference: str) -> str | None:
    found = await session.scalar(
        select(unmatched_reversals.c.reversal_id).where(
            unmatched_reversals.c.tenant_id == tenant,
            unmatched_reversals.c.bank_reference == bank_reference,
        )
    )
    return str(found) if found is not None else None


async def queue_unmatched_reversal(
    rt: Runtime, tenant: str, facts: ReversalFacts, found: Identification
) -> tuple[bool, str]:
    """Put the reversal in the queue; (False, id) when it is queued already."""
    reversal_id = reversal_id_for(tenant, facts.bank_reference)

    async def body(uow: UnitOfWork) -> tuple[bool, str]:
        if await queued_reversal(uow.session, tenant, facts.bank_reference):
            return False, reversal_id
        item = await uow.load(UnmatchedReversal, tenant, reversal_id)
        uow.track(item)
        item.raise_for_review(
            ReversalUnmatched(
                reversal_id=reversal_id,
                bank_reference=facts.bank_reference,
                account_iban=facts.account_iban,
                amount=facts.amount,
                currency=facts.currency,
                booking_date=facts.booking_date,
                end_to_end_id=provided(facts.end_to_end_id),
                counterparty_iban=compact_iban(facts.counterparty_iban),
                return_reason=facts.return_reason,
                reason=found.reason[:300],
                candidates=found.candidates,
            )
        )
        await uow.session.execute(
            unmatched_reversals.insert().values(
                tenant_id=tenant,
                reversal_id=reversal_id,
                bank_reference=facts.bank_reference,
                account_iban=facts.account_iban,
                amount=facts.amount,
                currency=facts.currency,
                booking_date=facts.booking_date,
                end_to_end_id=bounded_identifier(provided(facts.end_to_end_id)),
                instruction_id=bounded_identifier(provided(facts.instruction_id)),
                transaction_id=bounded_identifier(provided(facts.transaction_id)),
                original_bank_reference=None,
                counterparty_iban=compact_iban(facts.counterparty_iban),
                counterparty_name=(facts.counterparty_name or None)
                and facts.counterparty_name[:300],
                reference=(facts.reference or None) and facts.reference[:60],
                remittance_info=(facts.remittance_info or None) and facts.remittance_info[:1000],
                return_reason=(facts.return_reason or None) and facts.return_reason[:35],
                reason=found.reason[:300],
                candidates=found.candidates,
                status="open",
                version=item.version,
                created_at=uow.clock.now(),
            )
        )
        return True, reversal_id

    return await run_command(rt, body)


def unmatched_reversal_view(row: Any) -> dict[str, Any]:
    m = row._mapping
    return {
        "reversal_id": m["reversal_id"],
        "status": m["status"],
        "bank_reference": m["bank_reference"],
        "account_iban": m["account_iban"],
        "amount": format(money(Decimal(m["amount"])), "f"),
        "currency": m["currency"],
        "booking_date": m["booking_date"].isoformat(),
        "end_to_end_id": m["end_to_end_id"],
        "instruction_id": m["instruction_id"],
        "transaction_id": m["transaction_id"],
        "counterparty_iban": m["counterparty_iban"],
        "counterparty_name": m["counterparty_name"],
        "reference": m["reference"],
        "remittance_info": m["remittance_info"],
        "return_reason": m["return_reason"],
        "reason": m["reason"],
        "candidates": list(m["candidates"] or []),
        "resolved_payment_id": m["resolved_payment_id"],
        "resolution_note": m["resolution_note"],
        "resolved_at": m["resolved_at"].isoformat() if m["resolved_at"] else None,
    }


async def unmatched_reversal(session: AsyncSession, tenant: str, reversal_id: str) -> Any:
    row = (
        await session.execute(
            select(unmatched_reversals).where(
                unmatched_reversals.c.tenant_id == tenant,
                unmatched_reversals.c.reversal_id == reversal_id,
            )
        )
    ).first()
    if row is None:
        raise not_found("unmatched reversal", reversal_id)
    return row


async def resolve_unmatched_reversal(
    rt: Runtime, tenant: str, reversal_id: str, payment_id: str | None, note: str | None
) -> dict[str, Any]:
    """A person decides: the reversal took back ``payment_id`` (which is reversed now, in the
    same transaction), or — without a payment — it concerns nothing in the ledger."""

    async def body(uow: UnitOfWork) -> dict[str, Any]:
        s = uow.session
        row = await unmatched_reversal(s, tenant, reversal_id)
        item = await uow.load(UnmatchedReversal, tenant, reversal_id)
        uow.track(item)
        if payment_id is not None:
            paid = (
                await s.execute(
                    select(payments.c.currency, payments.c.status).where(
                        payments.c.tenant_id == tenant, payments.c.payment_id == payment_id
                    )
                )
            ).first()
            if paid is None:
                raise Problem(
                    422,
                    "Resolution rejected",
                    "nothing was changed",
                    kind="validation",
                    errors=[FieldProblem("payment_id", "unknown payment")],
                )
            if paid.currency != row.currency:
                raise Problem(
                    422,
                    "Resolution rejected",
                    "nothing was changed",
                    kind="validation",
                    errors=[FieldProblem("payment_id", f"the payment is in {paid.currency}")],
                )
            if paid.status == "reversed":
                raise Problem(409, "Conflict", "the payment was reversed already", kind="state")
        try:
            item.resolve(payment_id, note)
        except DomainError as exc:
            raise Problem(409, "Conflict", str(exc), kind="reversal-state") from exc
        if payment_id is not None:
            await reverse_payment_in(
                uow, tenant, payment_id, row.booking_date, row.bank_reference, "manual"
            )
        await s.execute(
            update(unmatched_reversals)
            .where(
                unmatched_reversals.c.tenant_id == tenant,
                unmatched_reversals.c.reversal_id == reversal_id,
            )
            .values(
                status=item.status,
                resolved_payment_id=payment_id,
                resolution_note=note,
                resolved_at=uow.clock.now(),
                version=item.version,
            )
        )
        return unmatched_reversal_view(await unmatched_reversal(s, tenant, reversal_id))

    return await run_command(rt, body)

"""How the dunning cases react to invoicing and credit events, in the consumer's transaction
right after the open-items projection applied the same event:

* an issued invoice joins its debtor's case (opening or reopening it) as an unscheduled item;
* a closed invoice (paid, cancelled, written off) keeps no next step; a reopened one gets it
  back; a case with nothing open any more is closed, so its next invoice starts a new case
  on the policy version then in force;
* a credit note on an invoice whose dispute was resolved as 'credited' lifts that hold;
* debtor contact details and the risk class from credit-service are kept for the reminders,
  the policy assignment and the worklist.

The sweep itself reads the open items, so a payment stops the next reminder whether or not
anything here runs.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import exists, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from contracts.credit import RiskClassChanged
from contracts.invoicing import (
    DebtorRegistered,
    DebtorUpdated,
    InvoiceCancelled,
    InvoiceIssued,
    InvoicePaid,
    InvoiceReopened,
    InvoiceWrittenOff,
    PaymentAllocated,
    PaymentAllocationReversed,
)
from dunning_service.application.streams import load, pending_envelopes
from dunning_service.domain.holds import Dispute
from dunning_service.projections.case_tables import (
    debtor_risk,
    disputes,
    dunning_cases,
    dunning_debtor_contacts,
    dunning_items,
)
from dunning_service.projections.projector import OPEN
from dunning_service.projections.tables import open_items
from eventkit.consumer import Handler
from eventkit.db import dialect_of
from eventkit.envelope import Envelope
from eventkit.events import DomainEvent
from eventkit.runtime import Runtime

REACTS_TO: frozenset[str] = frozenset(
    cls.event_type
    for cls in (
        DebtorRegistered,
        DebtorUpdated,
        InvoiceIssued,
        InvoicePaid,
        InvoiceCancelled,
        InvoiceWrittenOff,
        InvoiceReopened,
        PaymentAllocated,
        PaymentAllocationReversed,
        RiskClassChanged,
    )
)


def _upsert(session: AsyncSession, table: Any, values: dict[str, Any], keys: list[str]) -> Any:
    stmt = (pg_insert if dialect_of(session) == "postgresql" else sqlite_insert)(table).values(
        values
    )
    overwrite = [k for k in values if k not in keys]
    if overwrite:
        return stmt.on_conflict_do_update(
            index_elements=keys, set_={k: stmt.excluded[k] for k in overwrite}
        )
    return stmt.on_conflict_do_nothing(index_elements=keys)


def chain(*handlers: Handler) -> Handler:
    """One handler applying several in order, in the same transaction."""

    async def handle(session: AsyncSession, env: Envelope) -> None:
        for handler in handlers:
            await handler(session, env)

    return handle


def case_reactions_handler(rt: Runtime) -> Handler:
    async def handle(session: AsyncSession, env: Envelope) -> None:
        if env.type not in REACTS_TO:
            return
        event = rt.registry.decode(env.type, env.schema_version, env.payload)
        await react(session, rt, env, event)

    return handle


async def react(session: AsyncSession, rt: Runtime, env: Envelope, event: DomainEvent) -> None:
    tenant, at = env.tenant_id, env.occurred_at
    match event:
        case DebtorRegistered() | DebtorUpdated():
            profile = event.profile
            # The address as master data; the country falls back to the debtor's own.
            address = profile.address.model_copy(
                update={"country": (profile.address.country or profile.country).upper()}
            )
            await session.execute(
                _upsert(
                    session,
                    dunning_debtor_contacts,
                    {
                        "tenant_id": tenant,
                        "debtor_ref": event.debtor_ref,
                        "phone": profile.phone,
                        "postal_address": address.model_dump(),
                        "enterprise_number": profile.enterprise_number,
                        "updated_at": at,
                    },
                    ["tenant_id", "debtor_ref"],
                )
            )
        case RiskClassChanged():
            await session.execute(
                _upsert(
                    session,
                    debtor_risk,
                    {
                        "tenant_id": tenant,
                        "debtor_ref": event.debtor_ref,
                        "risk_class": event.risk_class,
                        "score": event.score,
                        "updated_at": at,
                    },
                    ["tenant_id", "debtor_ref"],
                )
            )
        case InvoiceIssued():
            await _join_case(session, tenant, event, at)
        case InvoicePaid() | InvoiceCancelled() | InvoiceWrittenOff():
            await _item_closed(session, tenant, event.invoice_number, event.debtor_ref, at)
            await _credit_lifts_dispute(session, rt, env, event.invoice_number)
        case PaymentAllocated():
            if event.source_kind == "credit_note":
                await _credit_lifts_dispute(session, rt, env, event.invoice_number)
        case InvoiceReopened() | PaymentAllocationReversed():
            await _item_reopened(session, tenant, event.invoice_number, event.debtor_ref, at)


async def _join_case(
    session: AsyncSession, tenant: str, issued: InvoiceIssued, at: datetime
) -> None:
    await session.execute(_insert_case(session, tenant, issued.debtor_ref, at))
    # A closed case starts afresh: its policy is resolved again by the next sweep.
    await session.execute(
        update(dunning_cases)
        .where(
            dunning_cases.c.tenant_id == tenant,
            dunning_cases.c.debtor_ref == issued.debtor_ref,
            dunning_cases.c.status == "closed",
        )
        .values(
            status="active",
            policy_tenant=None,
            policy_id=None,
            policy_version=None,
            updated_at=at,
        )
    )
    await session.execute(_insert_item(session, tenant, issued))


def _insert_case(session: AsyncSession, tenant: str, debtor_ref: str, at: datetime) -> Any:
    stmt = (pg_insert if dialect_of(session) == "postgresql" else sqlite_insert)(
        dunning_cases
    ).values(tenant_id=tenant, debtor_ref=debtor_ref, status="active", updated_at=at)
    return stmt.on_conflict_do_nothing(index_elements=["tenant_id", "debtor_ref"])


def _insert_item(session: AsyncSession, tenant: str, issued: InvoiceIssued) -> Any:
    stmt = (pg_insert if dialect_of(session) == "postgresql" else sqlite_insert)(
        dunning_items
    ).values(
        tenant_id=tenant,
        invoice_number=issued.invoice_number,
        debtor_ref=issued.debtor_ref,
        due_date=issued.due_date,
        currency=issued.currency,
        debtor_kind=issued.debtor_kind,
        level=0,
        claims_sent=0,
        awaiting_approval=False,
    )
    return stmt.on_conflict_do_nothing(index_elements=["tenant_id", "invoice_number"])


def _item(tenant: str, invoice_number: str) -> Any:
    return (
        dunning_items.c.tenant_id == tenant,
        dunning_items.c.invoice_number == invoice_number,
    )


async def _item_closed(
    session: AsyncSession, tenant: str, invoice_number: str, debtor_ref: str, at: datetime
) -> None:
    """Keep the next step aside (the sweep's index then skips the closed item) and close the
    case when nothing of the debtor is open any more."""
    await session.execute(
        update(dunning_items)
        .where(*_item(tenant, invoice_number), dunning_items.c.next_step_date.is_not(None))
        .values(stashed_next_step_date=dunning_items.c.next_step_date, next_step_date=None)
    )
    still_open = exists().where(
        open_items.c.tenant_id == tenant,
        open_items.c.debtor_ref == debtor_ref,
        open_items.c.status == OPEN,
    )
    if not await session.scalar(select(still_open)):
        await session.execute(
            update(dunning_cases)
            .where(
                dunning_cases.c.tenant_id == tenant,
                dunning_cases.c.debtor_ref == debtor_ref,
                dunning_cases.c.status == "active",
            )
            .values(status="closed", updated_at=at)
        )


async def _item_reopened(
    session: AsyncSession, tenant: str, invoice_number: str, debtor_ref: str, at: datetime
) -> None:
    await session.execute(
        update(dunning_items)
        .where(*_item(tenant, invoice_number), dunning_items.c.stashed_next_step_date.is_not(None))
        .values(next_step_date=dunning_items.c.stashed_next_step_date, stashed_next_step_date=None)
    )
    # The reopened item belongs to a running case again (its own policy version is kept).
    await session.execute(
        update(dunning_cases)
        .where(
            dunning_cases.c.tenant_id == tenant,
            dunning_cases.c.debtor_ref == debtor_ref,
            dunning_cases.c.status == "closed",
        )
        .values(status="active", updated_at=at)
    )


async def _credit_lifts_dispute(
    session: AsyncSession, rt: Runtime, env: Envelope, invoice_number: str
) -> None:
    """A dispute resolved as 'credited' waits for the credit note; here it is."""
    tenant = env.tenant_id
    dispute_id = await session.scalar(
        select(disputes.c.dispute_id).where(
            disputes.c.tenant_id == tenant,
            disputes.c.invoice_number == invoice_number,
            disputes.c.status == "awaiting_credit",
        )
    )
    if dispute_id is None:
        return
    dispute = await load(session, rt, Dispute, tenant, dispute_id)
    if not dispute.credit_received():
        return
    await session.execute(
        update(disputes)
        .where(disputes.c.tenant_id == tenant, disputes.c.dispute_id == dispute_id)
        .values(status="resolved")
    )
    await session.execute(
        update(dunning_items)
        .where(*_item(tenant, invoice_number), dunning_items.c.dispute_id == dispute_id)
        .values(dispute_id=None)
    )
    await rt.writer.write(session, pending_envelopes(rt, dispute))

"""From due items to the events a step publishes: the ReminderDue of a group, the file handed
to a collection agency. Shared by the sweep and the approval of a formal notice."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from contracts.dunning import (
    CaseFileEntry,
    DebtorEscalatedToCollection,
    PackName,
    ReminderDue,
)
from contracts.invoicing import Language, PostalAddress
from dunning_service.domain.legal import RulePack, select_pack
from dunning_service.domain.policies import Policy
from dunning_service.domain.reminders import ComposedReminder, DueItem, compose
from dunning_service.projections.case_tables import (
    case_notes,
    disputes,
    dunning_debtor_contacts,
    dunning_reminders,
    payment_plans,
    promises,
)
from dunning_service.projections.tables import dunning_debtors


@dataclass(frozen=True, slots=True)
class DebtorContact:
    name: str
    kind: str
    country: str
    language: str
    email: str | None
    phone: str | None
    postal_address: list[str]
    address: PostalAddress | None = None

    @property
    def pack(self) -> RulePack:
        return select_pack(self.country, "B2C" if self.kind == "B2C" else "B2B")


async def debtor_contact(session: AsyncSession, tenant_id: str, debtor_ref: str) -> DebtorContact:
    d, c = dunning_debtors, dunning_debtor_contacts
    row = (
        await session.execute(
            select(
                d.c.legal_name,
                d.c.kind,
                d.c.country,
                d.c.language,
                d.c.email,
                c.c.phone,
                c.c.postal_address,
            )
            .select_from(
                d.outerjoin(
                    c, (c.c.tenant_id == d.c.tenant_id) & (c.c.debtor_ref == d.c.debtor_ref)
                )
            )
            .where(d.c.tenant_id == tenant_id, d.c.debtor_ref == debtor_ref)
        )
    ).first()
    if row is None:
        return DebtorContact(debtor_ref, "B2B", "", "en", None, None, [])
    return contact_of(row)


def contact_of(row: Any) -> DebtorContact:
    """The stored contact: the address as master data (street, postal code, city, country),
    or as the lines older versions stored."""
    stored = row.postal_address or []
    address = PostalAddress.model_validate(stored) if isinstance(stored, dict) else None
    lines = list(stored) if isinstance(stored, list) else address_lines(address)
    return DebtorContact(
        name=row.legal_name,
        kind=row.kind,
        country=row.country,
        language=row.language,
        email=row.email,
        phone=row.phone,
        postal_address=lines,
        address=address,
    )


def address_lines(address: PostalAddress | None) -> list[str]:
    if address is None:
        return []
    city = f"{address.postal_code} {address.city}".strip()
    return [line for line in (address.street, city) if line]


def reminder_event(
    *,
    reminder_id: str,
    debtor_ref: str,
    contact: DebtorContact,
    policy: Policy,
    step_number: int,
    composed: ComposedReminder,
    business_date: date,
) -> ReminderDue:
    step = policy.step(step_number)
    return ReminderDue(
        reminder_id=reminder_id,
        debtor_ref=debtor_ref,
        debtor_name=contact.name,
        language=cast(Language, contact.language),
        email=contact.email,
        phone=contact.phone,
        postal_address=contact.postal_address,
        pack=cast(PackName, contact.pack.code),
        policy_id=policy.policy_id,
        policy_version=policy.version,
        step=step_number,
        action=step.action,
        channel=step.effective_channel,
        template_key=step.template_key,
        business_date=business_date,
        deadline=composed.deadline,
        items=composed.items,
        totals=composed.totals,
        legal_notes=composed.legal_notes,
        step_kind=composed.step_kind,
        charges=composed.charges,
        announced=composed.announced,
        reminders_before=composed.reminders_before,
        address=contact.address,
    )


def reminder_log_row(
    tenant_id: str, reminder_id: str, event: ReminderDue | None, **fallback: Any
) -> dict[str, Any]:
    if event is None:
        return {"tenant_id": tenant_id, "reminder_id": reminder_id, **fallback}
    return {
        "tenant_id": tenant_id,
        "reminder_id": reminder_id,
        "debtor_ref": event.debtor_ref,
        "step": event.step,
        "action": event.action,
        "channel": event.channel,
        "template_key": event.template_key,
        "business_date": event.business_date,
        "deadline": event.deadline,
        "policy_id": event.policy_id,
        "policy_version": event.policy_version,
        "invoice_numbers": [i.invoice_number for i in event.items],
        "totals": [t.model_dump(mode="json") for t in event.totals],
    }


async def log_reminders(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        await session.execute(insert(dunning_reminders), list(rows))


def compose_group(
    contact: DebtorContact,
    policy: Policy,
    step_number: int,
    items: Sequence[DueItem],
    business_date: date,
    creditor_is_sme: bool,
) -> ComposedReminder:
    return compose(
        contact.pack,
        policy,
        step_number,
        items,
        business_date,
        creditor_is_sme=creditor_is_sme,
    )


async def case_history(
    session: AsyncSession, tenant_id: str, debtor_ref: str
) -> list[CaseFileEntry]:
    """Every reminder (date, channel, amounts), dispute, promise, plan and note of the debtor,
    oldest first: the file an agency receives."""
    entries: list[CaseFileEntry] = []
    r = dunning_reminders
    for row in (
        await session.execute(
            select(r).where(r.c.tenant_id == tenant_id, r.c.debtor_ref == debtor_ref)
        )
    ).all():
        totals = ", ".join(f"{t['currency']} {t['total']}" for t in row.totals)
        entries.append(
            CaseFileEntry(
                kind="reminder",
                on=row.business_date,
                summary=(
                    f"step {row.step} {row.action} by {row.channel} ({row.template_key}) for "
                    f"{', '.join(row.invoice_numbers)}: {totals}"
                    + (f"; deadline {row.deadline}" if row.deadline else "")
                ),
            )
        )
    for row in (
        await session.execute(
            select(disputes).where(
                disputes.c.tenant_id == tenant_id, disputes.c.debtor_ref == debtor_ref
            )
        )
    ).all():
        outcome = f", {row.outcome} on {row.resolved_on}" if row.outcome else ""
        entries.append(
            CaseFileEntry(
                kind="dispute",
                on=row.opened_on,
                summary=f"dispute on {row.invoice_number}: {row.reason} ({row.status}{outcome})"
                + (f" — {row.note}" if row.note else ""),
            )
        )
    for row in (
        await session.execute(
            select(promises).where(
                promises.c.tenant_id == tenant_id, promises.c.debtor_ref == debtor_ref
            )
        )
    ).all():
        entries.append(
            CaseFileEntry(
                kind="promise",
                on=row.made_on,
                summary=(
                    f"promise to pay {row.currency} {row.amount} by {row.promised_date} for "
                    f"{', '.join(row.invoice_numbers)}: {row.status}"
                ),
            )
        )
    for row in (
        await session.execute(
            select(payment_plans).where(
                payment_plans.c.tenant_id == tenant_id, payment_plans.c.debtor_ref == debtor_ref
            )
        )
    ).all():
        entries.append(
            CaseFileEntry(
                kind="payment_plan",
                on=row.agreed_on,
                summary=(
                    f"payment plan of {len(row.instalments)} instalments for "
                    f"{', '.join(row.invoice_numbers)}: {row.status}"
                ),
            )
        )
    for row in (
        await session.execute(
            select(case_notes).where(
                case_notes.c.tenant_id == tenant_id, case_notes.c.debtor_ref == debtor_ref
            )
        )
    ).all():
        entries.append(
            CaseFileEntry(
                kind="note",
                on=row.on,
                summary=f"{row.author}: {row.text}"
                + (f" (outcome: {row.outcome})" if row.outcome else ""),
            )
        )
    order = {"reminder": 0, "dispute": 1, "promise": 2, "payment_plan": 3, "note": 4}
    return sorted(entries, key=lambda e: (e.on, order[e.kind], e.summary))


def escalation_event(
    *,
    debtor_ref: str,
    contact: DebtorContact,
    agency: str,
    composed: ComposedReminder,
    business_date: date,
    history: list[CaseFileEntry],
) -> DebtorEscalatedToCollection:
    return DebtorEscalatedToCollection(
        debtor_ref=debtor_ref,
        debtor_name=contact.name,
        agency=agency,
        escalated_on=business_date,
        items=composed.items,
        totals=composed.totals,
        history=history,
        charges=composed.charges,
    )

"""Policies: saving versions, reading them back, the shipped defaults, assignment rules and the
explicit migration of a running case to another policy version."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, delete, func, insert, select, tuple_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from dunning_service.domain.policies import (
    BUILTIN_TENANT,
    Policy,
    PolicyStep,
    default_policies,
)
from dunning_service.projections.case_tables import (
    dunning_cases,
    dunning_items,
    dunning_policies,
    dunning_policy_assignments,
    dunning_policy_minimums,
    dunning_policy_steps,
)
from eventkit.db import affected

PolicyKey = tuple[str, str, int]  # (tenant or '*', policy id, version)


def policy_document(policy: Policy) -> dict[str, Any]:
    return {
        "policy_id": policy.policy_id,
        "name": policy.name,
        "version": policy.version,
        "effective_from": policy.effective_from.isoformat(),
        "currency": policy.currency,
        "claim_interest": policy.claim_interest,
        "claim_costs": policy.claim_costs,
        "minimum_amounts": {c: format(a, "f") for c, a in sorted(policy.minimum_amounts.items())},
        "steps": [
            {
                "step": number,
                "action": s.action,
                "offset_days": s.offset_days,
                "relative_to": s.relative_to,
                "template_key": s.template_key,
                "channel": s.effective_channel,
                "fee": format(s.fee, "f"),
                "final_term_days": s.final_term_days,
                "approval_required": s.approval_required,
                "agency": s.agency,
                "min_days_to_next": {
                    "business": policy.gaps(number)[0],
                    "consumer": policy.gaps(number)[1],
                },
            }
            for number, s in enumerate(policy.steps, start=1)
        ],
        "builtin": policy.tenant_id == BUILTIN_TENANT,
    }


async def insert_policy(session: AsyncSession, policy: Policy, now: datetime) -> None:
    key = {"tenant_id": policy.tenant_id, "policy_id": policy.policy_id, "version": policy.version}
    await session.execute(
        insert(dunning_policies).values(
            **key,
            name=policy.name,
            effective_from=policy.effective_from,
            currency=policy.currency,
            claim_interest=policy.claim_interest,
            claim_costs=policy.claim_costs,
            document=policy_document(policy),
            created_at=now,
        )
    )
    await session.execute(
        insert(dunning_policy_steps),
        [
            {
                **key,
                "step": number,
                "action": s.action,
                "channel": s.effective_channel,
                "template_key": s.template_key,
                "offset_days": s.offset_days,
                "relative_to": s.relative_to,
                "fee": s.fee,
                "final_term_days": s.final_term_days,
                "approval_required": s.approval_required,
                "is_claim": s.is_claim,
                "gap_business": policy.gaps(number)[0],
                "gap_consumer": policy.gaps(number)[1],
                "agency": s.agency,
            }
            for number, s in enumerate(policy.steps, start=1)
        ],
    )
    if policy.minimum_amounts:
        await session.execute(
            insert(dunning_policy_minimums),
            [
                {**key, "currency": currency, "min_amount": amount}
                for currency, amount in policy.minimum_amounts.items()
            ],
        )


async def ensure_builtin_policies(session: AsyncSession, now: datetime) -> None:
    """Store the shipped default policies once (idempotent; a changed default is a new
    version in the code, stored next to the old one)."""
    known = {
        (r.policy_id, r.version)
        for r in (
            await session.execute(
                select(dunning_policies.c.policy_id, dunning_policies.c.version).where(
                    dunning_policies.c.tenant_id == BUILTIN_TENANT
                )
            )
        ).all()
    }
    for policy in default_policies():
        if (policy.policy_id, policy.version) not in known:
            try:
                async with session.begin_nested():
                    await insert_policy(session, policy, now)
            except IntegrityError:
                pass  # another transaction stored it first: the same rows


async def next_version(session: AsyncSession, tenant_id: str, policy_id: str) -> int:
    latest = await session.scalar(
        select(func.max(dunning_policies.c.version)).where(
            dunning_policies.c.tenant_id == tenant_id, dunning_policies.c.policy_id == policy_id
        )
    )
    return int(latest or 0) + 1


async def load_policies(
    session: AsyncSession, keys: Sequence[PolicyKey]
) -> dict[PolicyKey, Policy]:
    """The policy versions named by ``keys`` (one query per table, not per policy)."""
    wanted = sorted(set(keys))
    if not wanted:
        return {}
    p, s, m = dunning_policies, dunning_policy_steps, dunning_policy_minimums
    heads = (
        await session.execute(
            select(p).where(tuple_(p.c.tenant_id, p.c.policy_id, p.c.version).in_(wanted))
        )
    ).all()
    steps = (
        await session.execute(
            select(s).where(tuple_(s.c.tenant_id, s.c.policy_id, s.c.version).in_(wanted))
        )
    ).all()
    minimums = (
        await session.execute(
            select(m).where(tuple_(m.c.tenant_id, m.c.policy_id, m.c.version).in_(wanted))
        )
    ).all()
    result: dict[PolicyKey, Policy] = {}
    for head in heads:
        key = (head.tenant_id, head.policy_id, head.version)
        own = sorted(
            (r for r in steps if (r.tenant_id, r.policy_id, r.version) == key), key=lambda r: r.step
        )
        result[key] = Policy(
            policy_id=head.policy_id,
            name=head.name,
            version=head.version,
            tenant_id=head.tenant_id,
            effective_from=head.effective_from,
            currency=head.currency,
            claim_interest=head.claim_interest,
            claim_costs=head.claim_costs,
            minimum_amounts={
                r.currency: Decimal(r.min_amount)
                for r in minimums
                if (r.tenant_id, r.policy_id, r.version) == key
            },
            steps=tuple(
                PolicyStep(
                    action=r.action,
                    offset_days=r.offset_days,
                    relative_to=r.relative_to,
                    template_key=r.template_key,
                    channel=r.channel,
                    fee=Decimal(r.fee),
                    final_term_days=r.final_term_days,
                    approval_required=r.approval_required,
                    agency=r.agency,
                )
                for r in own
            ),
        )
    return result


async def policy_documents(session: AsyncSession, tenant_id: str) -> list[dict[str, Any]]:
    """Every version the tenant can use: its own and the shipped defaults."""
    rows = (
        await session.execute(
            select(dunning_policies.c.document).where(
                dunning_policies.c.tenant_id.in_((tenant_id, BUILTIN_TENANT))
            )
        )
    ).all()
    docs = [dict(r.document) for r in rows]
    return sorted(docs, key=lambda d: (not d["builtin"], d["policy_id"], d["version"]))


async def policy_exists(session: AsyncSession, tenant_id: str, policy_id: str) -> str | None:
    """The owner ('tenant' or '*') of ``policy_id`` as the tenant sees it; None if unknown."""
    for owner in (tenant_id, BUILTIN_TENANT):
        found = await session.scalar(
            select(func.count())
            .select_from(dunning_policies)
            .where(dunning_policies.c.tenant_id == owner, dunning_policies.c.policy_id == policy_id)
        )
        if found:
            return owner
    return None


@dataclass(frozen=True, slots=True)
class Assignment:
    assignment_id: str
    policy_id: str
    priority: int
    debtor_ref: str | None
    kind: str | None
    country: str | None
    risk_class: str | None


async def add_assignment(
    session: AsyncSession, tenant_id: str, assignment: Assignment, now: datetime
) -> None:
    await session.execute(
        insert(dunning_policy_assignments).values(
            tenant_id=tenant_id,
            assignment_id=assignment.assignment_id,
            policy_id=assignment.policy_id,
            priority=assignment.priority,
            debtor_ref=assignment.debtor_ref,
            kind=assignment.kind,
            country=assignment.country,
            risk_class=assignment.risk_class,
            created_at=now,
        )
    )


async def remove_assignment(session: AsyncSession, tenant_id: str, assignment_id: str) -> bool:
    result = await session.execute(
        delete(dunning_policy_assignments).where(
            dunning_policy_assignments.c.tenant_id == tenant_id,
            dunning_policy_assignments.c.assignment_id == assignment_id,
        )
    )
    return affected(result) > 0


async def list_assignments(session: AsyncSession, tenant_id: str) -> list[Assignment]:
    a = dunning_policy_assignments
    rows = (await session.execute(select(a).where(a.c.tenant_id == tenant_id))).all()
    found = [
        Assignment(
            r.assignment_id, r.policy_id, r.priority, r.debtor_ref, r.kind, r.country, r.risk_class
        )
        for r in rows
    ]
    return sorted(found, key=lambda x: (x.debtor_ref is None, -x.priority, x.assignment_id))


async def migrate_case(
    session: AsyncSession,
    tenant_id: str,
    debtor_ref: str,
    owner: str,
    policy_id: str,
    version: int,
    now: datetime,
) -> int:
    """Move a running case (and its items in progress) to another policy version. The items
    keep the level they reached; their next step is taken from the new version. Returns the
    number of items moved."""
    await session.execute(
        update(dunning_cases)
        .where(dunning_cases.c.tenant_id == tenant_id, dunning_cases.c.debtor_ref == debtor_ref)
        .values(policy_tenant=owner, policy_id=policy_id, policy_version=version, updated_at=now)
    )
    result = await session.execute(
        update(dunning_items)
        .where(
            dunning_items.c.tenant_id == tenant_id,
            dunning_items.c.debtor_ref == debtor_ref,
            dunning_items.c.policy_id.is_not(None),
        )
        .values(policy_tenant=owner, policy_id=policy_id, policy_version=version)
    )
    return affected(result)


async def version_in_force(
    session: AsyncSession, owner: str, policy_id: str, on: date
) -> int | None:
    latest = await session.scalar(
        select(func.max(dunning_policies.c.version)).where(
            and_(
                dunning_policies.c.tenant_id == owner,
                dunning_policies.c.policy_id == policy_id,
                dunning_policies.c.effective_from <= on,
            )
        )
    )
    return int(latest) if latest is not None else None

"""The daily sweep of credit-service: for each business day, in date order, the accounts whose
standing can change with the calendar alone are evaluated again with the daily rules — payment
behaviour, review due dates, and holds for items that age past the overdue threshold.

Candidates: accounts on hold, with an overdue item, escalated, or with a review due and not yet
flagged; and debtors with a settlement in the recent behaviour window. An account outside these
(nothing open, nothing paid lately) changes only when an event arrives, and is evaluated then.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from sqlalchemy import or_, select, union
from sqlalchemy.ext.asyncio import AsyncSession

from credit_service.application.accounts import reevaluate
from credit_service.projections.tables import credit_accounts, credit_settlements
from credit_service.settings import credit_policy
from eventkit.envelope import Envelope
from eventkit.runtime import Runtime
from eventkit.timekeeping import Sweep


async def sweep_candidates(
    session: AsyncSession, business_date: date, recent_since: date
) -> list[tuple[str, str]]:
    acc = credit_accounts.c
    st = credit_settlements.c
    accounts = select(acc.tenant_id, acc.debtor_ref).where(
        or_(
            acc.on_hold,
            acc.oldest_overdue_since.is_not(None),
            acc.escalated_since.is_not(None),
            (acc.review_due_on <= business_date)
            & or_(acc.review_flagged_for.is_(None), acc.review_flagged_for != acc.review_due_on),
        )
    )
    paying = select(st.tenant_id, st.debtor_ref).where(
        st.settled_on >= recent_since, st.settled_on <= business_date
    )
    rows = (await session.execute(union(accounts, paying))).all()
    return sorted((r.tenant_id, r.debtor_ref) for r in rows)


def account_sweep(rt: Runtime) -> Sweep:
    policy = credit_policy(rt.settings)
    window = timedelta(days=policy.deterioration.recent_days - 1)

    async def sweep(session: AsyncSession, business_date: date) -> Sequence[Envelope]:
        # The accounts' events are written through units of work joined to the sweep's
        # transaction, so nothing is left to hand back.
        for tenant_id, debtor_ref in await sweep_candidates(
            session, business_date, business_date - window
        ):
            await reevaluate(session, rt, tenant_id, debtor_ref, daily=True, today=business_date)
        return []

    return sweep

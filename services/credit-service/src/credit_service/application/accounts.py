"""Loading, evaluating and saving credit accounts.

Every change to an account — a consumed event, the daily sweep, an ops command — runs the same
way inside one transaction: lock the account row, apply the command, gather the debtor's facts
from the read models, run the rules, append the new events (stream version = row version) and
save the row. Two writers of one account collide on the row lock (PostgreSQL), on the write
lock (SQLite) or, failing both, on the event stream's version.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from credit_service.domain.account import (
    AccountError,
    AccountFacts,
    CreditAccount,
    CreditPolicy,
    SecondPersonRequired,
    standing_of,
)
from credit_service.domain.behaviour import PaidInvoice, months_before, paid_invoices
from credit_service.domain.receivables import receivable_facts
from credit_service.domain.scoring import Score, ScorePart
from credit_service.projections.queries import (
    dunning_record,
    exposure_by_currency,
    latest_report,
    receivables,
)
from credit_service.projections.tables import credit_accounts
from credit_service.settings import credit_policy
from eventkit.api import Problem
from eventkit.db import affected
from eventkit.runtime import Runtime
from eventkit.store import ConcurrencyError

T = TypeVar("T")
ATTEMPTS = 5


def _amounts(values: Mapping[str, Decimal]) -> dict[str, str]:
    return {currency: format(amount, "f") for currency, amount in sorted(values.items())}


def _score_json(result: Score) -> list[dict[str, str]]:
    return [
        {
            "name": p.name,
            "points": format(p.points, "f"),
            "max_points": format(p.max_points, "f"),
            "reason": p.reason,
        }
        for p in result.parts
    ]


def _score_from(row: Any) -> Score | None:
    if row.score is None or row.risk_class is None or row.scored_on is None:
        return None
    parts = tuple(
        ScorePart(p["name"], Decimal(p["points"]), Decimal(p["max_points"]), p["reason"])
        for p in row.score_parts or []
    )
    return Score(row.scored_on, row.score_currency or "", row.score, row.risk_class, parts)


@dataclass
class LoadedAccount:
    account: CreditAccount
    stored: bool  # a row exists (update it) or not (insert one)


_acc = credit_accounts.c
LOAD_ACCOUNT = (
    select(credit_accounts)
    .where(_acc.tenant_id == bindparam("tenant_id"), _acc.debtor_ref == bindparam("debtor_ref"))
    .with_for_update()
)
INSERT_ACCOUNT = insert(credit_accounts)
# SET takes the columns named in the parameters; the key goes in b_-prefixed parameters.
UPDATE_ACCOUNT = update(credit_accounts).where(
    _acc.tenant_id == bindparam("b_tenant_id"),
    _acc.debtor_ref == bindparam("b_debtor_ref"),
    _acc.version == bindparam("b_version"),
)


async def load_account(session: AsyncSession, tenant_id: str, debtor_ref: str) -> LoadedAccount:
    """The account, its row locked for the rest of the transaction (a new one if none)."""
    params = {"tenant_id": tenant_id, "debtor_ref": debtor_ref}
    row = (await session.execute(LOAD_ACCOUNT, params)).first()
    account = CreditAccount(tenant_id, debtor_ref)
    if row is None:
        return LoadedAccount(account, stored=False)
    account.version = account.stored_version = row.version
    account.limits = {c: Decimal(v) for c, v in row.limits.items()}
    account.over_limit = set(row.over_limit)
    account.hold_reasons = tuple(row.hold_reasons)
    account.hold_placed_by = row.hold_placed_by
    account.hold_since = row.hold_since
    account.overridden = set(row.overridden)
    account.escalated_since = row.escalated_since
    account.risk_class = row.risk_class
    account.latest_score = _score_from(row)
    account.deteriorated_on = row.deteriorated_on
    account.reviewed_on = row.reviewed_on
    account.review_due_on = row.review_due_on
    account.review_flagged_for = row.review_flagged_for
    return LoadedAccount(account, stored=True)


async def paid_history(
    session: AsyncSession, tenant_id: str, debtor_ref: str, today: date, policy: CreditPolicy
) -> dict[str, list[PaidInvoice]]:
    """Invoices paid within the longest window any rule looks at, per currency."""
    rule = policy.deterioration
    recent_start = today - timedelta(days=rule.recent_days - 1)
    since = min(
        months_before(recent_start, rule.baseline_months),
        months_before(today, policy.scoring_months),
    )
    invoices, settlements = await receivables(
        session, tenant_id, as_of=today, debtor_ref=debtor_ref, closed_since=since
    )
    paid: dict[str, list[PaidInvoice]] = {}
    for invoice in paid_invoices(
        receivable_facts(invoices, settlements, today, paid_only=True), today
    ):
        paid.setdefault(invoice.currency, []).append(invoice)
    return paid


async def gather_facts(
    session: AsyncSession, tenant_id: str, debtor_ref: str, today: date, policy: CreditPolicy
) -> tuple[AccountFacts, dict[str, list[PaidInvoice]]]:
    lines = await exposure_by_currency(session, tenant_id, debtor_ref)
    paid = await paid_history(session, tenant_id, debtor_ref, today, policy)
    facts = AccountFacts(
        exposure={line.currency: line for line in lines if line.open_items > 0},
        standing={c: standing_of(history, c, today, policy) for c, history in paid.items()},
        dunning=await dunning_record(
            session,
            tenant_id,
            debtor_ref,
            since=months_before(today, policy.scoring_months),
            as_of=today,
        ),
        report=await latest_report(session, tenant_id, debtor_ref, today),
    )
    return facts, paid


async def save_account(
    session: AsyncSession, rt: Runtime, loaded: LoadedAccount, facts: AccountFacts
) -> None:
    """Append the account's new events (joined to ``session``) and save its row."""
    account = loaded.account
    previous_version = account.stored_version
    async with rt.uow(session) as uow:
        uow.track(account)
    result = account.latest_score
    values = {
        "version": account.version,
        "limits": _amounts(account.limits),
        "over_limit": sorted(account.over_limit),
        "exposure": _amounts({c: line.open_amount for c, line in facts.exposure.items()}),
        "overdue": _amounts(
            {c: line.overdue_amount for c, line in facts.exposure.items() if line.overdue_items}
        ),
        "oldest_overdue_since": facts.oldest_overdue_since,
        "on_hold": account.on_hold,
        "hold_reasons": list(account.hold_reasons),
        "hold_placed_by": account.hold_placed_by,
        "hold_since": account.hold_since,
        "overridden": sorted(account.overridden),
        "escalated_since": account.escalated_since,
        "risk_class": account.risk_class,
        "score": result.score if result else None,
        "score_currency": result.currency if result else None,
        "score_parts": _score_json(result) if result else None,
        "scored_on": result.as_of if result else None,
        "deteriorated_on": account.deteriorated_on,
        "reviewed_on": account.reviewed_on,
        "review_due_on": account.review_due_on,
        "review_flagged_for": account.review_flagged_for,
        "updated_at": rt.clock.now(),
    }
    if not loaded.stored:
        await session.execute(
            INSERT_ACCOUNT,
            {"tenant_id": account.tenant_id, "debtor_ref": account.debtor_ref, **values},
        )
        loaded.stored = True
        return
    key = {
        "b_tenant_id": account.tenant_id,
        "b_debtor_ref": account.debtor_ref,
        "b_version": previous_version,
    }
    saved = await session.execute(UPDATE_ACCOUNT, {**key, **values})
    if not affected(saved):
        raise ConcurrencyError([f"account|{account.tenant_id}|{account.debtor_ref}"])


async def reevaluate(
    session: AsyncSession,
    rt: Runtime,
    tenant_id: str,
    debtor_ref: str,
    *,
    escalated_on: date | None = None,
    daily: bool = False,
    today: date | None = None,
) -> CreditAccount:
    """Run the account's rules on today's facts (the daily ones too with ``daily``)."""
    policy = credit_policy(rt.settings)
    today = today or rt.clock.today()
    loaded = await load_account(session, tenant_id, debtor_ref)
    if escalated_on is not None:
        loaded.account.mark_escalated(escalated_on)
    facts, paid = await gather_facts(session, tenant_id, debtor_ref, today, policy)
    if daily:
        loaded.account.daily(facts, paid, today, policy)
    else:
        loaded.account.evaluate(facts, today, policy)
    await save_account(session, rt, loaded, facts)
    return loaded.account


AccountCommand = Callable[[AsyncSession, CreditAccount, date, CreditPolicy], Awaitable[T]]


async def run_command(
    rt: Runtime, tenant_id: str, debtor_ref: str, command: AccountCommand[T]
) -> T:
    """An ops command on one account in its own transaction, followed by the rules; retried
    when another writer got to the account first."""
    policy = credit_policy(rt.settings)
    for attempt in range(1, ATTEMPTS + 1):
        try:
            async with rt.db.transaction() as session:
                today = rt.clock.today()
                loaded = await load_account(session, tenant_id, debtor_ref)
                result = await command(session, loaded.account, today, policy)
                facts, _ = await gather_facts(session, tenant_id, debtor_ref, today, policy)
                loaded.account.evaluate(facts, today, policy)
                await save_account(session, rt, loaded, facts)
            rt.outbox.committed()
            return result
        except SecondPersonRequired as exc:
            raise Problem(403, "Forbidden", str(exc), kind="second-person-required") from exc
        except AccountError as exc:
            raise Problem(409, "Conflict", str(exc), kind="credit-account-conflict") from exc
        except (ConcurrencyError, IntegrityError):
            if attempt == ATTEMPTS:
                break
    raise Problem(
        409, "Conflict", f"credit account {debtor_ref!r} is being changed concurrently; retry"
    )

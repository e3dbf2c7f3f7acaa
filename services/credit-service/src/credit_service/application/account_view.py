"""What ops and the ERP see of a credit account, and the review worklist."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from credit_service.application.accounts import paid_history
from credit_service.domain.behaviour import PaymentBehaviour, months_before, payment_behaviour
from credit_service.domain.exposure import CurrencyExposure, DebtorIdentity
from credit_service.domain.scoring import DunningRecord, ExternalCreditReport
from credit_service.projections.queries import (
    dunning_record,
    exposure_by_currency,
    find_debtor,
    latest_report,
)
from credit_service.projections.tables import credit_accounts
from credit_service.settings import credit_policy
from eventkit.runtime import Runtime


@dataclass(frozen=True)
class BehaviourView:
    """Figures over the last 12 months, the recent window and the baseline before it."""

    currency: str
    last_12_months: PaymentBehaviour | None
    recent: PaymentBehaviour | None
    baseline: PaymentBehaviour | None

    @property
    def trend_days(self) -> Decimal | None:
        """Recent minus baseline weighted days to pay (positive: paying later than before)."""
        if self.recent is None or self.baseline is None:
            return None
        return self.recent.weighted_days_to_pay - self.baseline.weighted_days_to_pay


@dataclass(frozen=True)
class AccountView:
    debtor_ref: str
    as_of: date
    debtor: DebtorIdentity | None
    account: Any  # the credit_accounts row, None before the first evaluation
    exposure: list[CurrencyExposure]
    behaviour: list[BehaviourView]
    dunning: DunningRecord
    report: ExternalCreditReport | None


async def credit_account_view(rt: Runtime, tenant_id: str, debtor_ref: str) -> AccountView | None:
    """None when the tenant knows neither the debtor nor anything about it."""
    today = rt.clock.today()
    policy = credit_policy(rt.settings)
    rule = policy.deterioration
    async with rt.db.reading() as session:
        account = (
            await session.execute(
                select(credit_accounts).where(
                    credit_accounts.c.tenant_id == tenant_id,
                    credit_accounts.c.debtor_ref == debtor_ref,
                )
            )
        ).first()
        debtor = await find_debtor(session, tenant_id, debtor_ref)
        lines = await exposure_by_currency(session, tenant_id, debtor_ref)
        if account is None and debtor is None and not lines:
            return None
        paid = await paid_history(session, tenant_id, debtor_ref, today, policy)
        dunning = await dunning_record(
            session, tenant_id, debtor_ref, since=months_before(today, 12), as_of=today
        )
        report = await latest_report(session, tenant_id, debtor_ref, today)
    recent_start = today - timedelta(days=rule.recent_days - 1)
    baseline_end = recent_start - timedelta(days=1)
    behaviour = []
    for currency, history in sorted(paid.items()):
        baseline_start = months_before(recent_start, rule.baseline_months)
        behaviour.append(
            BehaviourView(
                currency=currency,
                last_12_months=payment_behaviour(history, today, since=months_before(today, 12)),
                recent=payment_behaviour(history, today, since=recent_start),
                baseline=payment_behaviour(history, baseline_end, since=baseline_start),
            )
        )
    return AccountView(
        debtor_ref=debtor_ref,
        as_of=today,
        debtor=debtor,
        account=account,
        exposure=[line for line in lines if line.open_items > 0],
        behaviour=behaviour,
        dunning=dunning,
        report=report,
    )


@dataclass(frozen=True)
class ReviewItem:
    debtor_ref: str
    review_due_on: date
    reviewed_on: date | None
    risk_class: str | None
    score: int | None
    on_hold: bool


async def reviews_due(rt: Runtime, tenant_id: str, due_by: date, limit: int) -> list[ReviewItem]:
    """The review worklist: accounts whose review is due by ``due_by``, most overdue first."""
    acc = credit_accounts.c
    async with rt.db.reading() as session:
        rows = (
            await session.execute(
                select(
                    acc.debtor_ref,
                    acc.review_due_on,
                    acc.reviewed_on,
                    acc.risk_class,
                    acc.score,
                    acc.on_hold,
                )
                .where(acc.tenant_id == tenant_id, acc.review_due_on <= due_by)
                .order_by(acc.review_due_on, acc.debtor_ref)
                .limit(limit)
            )
        ).all()
    return [
        ReviewItem(r.debtor_ref, r.review_due_on, r.reviewed_on, r.risk_class, r.score, r.on_hold)
        for r in rows
    ]

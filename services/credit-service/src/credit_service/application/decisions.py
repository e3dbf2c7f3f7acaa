"""Real-time credit decisions for the ERP: one primary-key read of the live account, the pure
``decide``, one insert recording the answer — in one short transaction.

The account row holds everything a decision needs (limits, exposure per currency, class, hold,
oldest overdue item), kept current by the consumer and the ops commands, so no aggregate runs
on this path. A debtor credit-service has never heard of has no limit: it is refused credit,
and that decision is recorded like any other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, insert, select

from credit_service.domain.decisions import CreditAccountSnapshot, Decision, Reason, decide
from credit_service.projections.tables import credit_accounts, credit_decisions
from credit_service.settings import decision_policy
from eventkit.api import not_found
from eventkit.ids import uuid7
from eventkit.runtime import Runtime

_acc = credit_accounts.c
READ_ACCOUNT = select(
    _acc.limits,
    _acc.exposure,
    _acc.risk_class,
    _acc.on_hold,
    _acc.hold_reasons,
    _acc.oldest_overdue_since,
).where(_acc.tenant_id == bindparam("tenant_id"), _acc.debtor_ref == bindparam("debtor_ref"))
RECORD_DECISION = insert(credit_decisions)


@dataclass(frozen=True)
class RecordedDecision:
    decision_id: str
    order_ref: str | None
    decision: Decision
    risk_class: str | None
    decided_at: datetime


def snapshot_of(debtor_ref: str, row: Any) -> CreditAccountSnapshot:
    if row is None:
        return CreditAccountSnapshot(debtor_ref=debtor_ref)
    return CreditAccountSnapshot(
        debtor_ref=debtor_ref,
        limits={c: Decimal(v) for c, v in row.limits.items()},
        exposure={c: Decimal(v) for c, v in row.exposure.items()},
        risk_class=row.risk_class,
        on_hold=row.on_hold,
        hold_reasons=tuple(row.hold_reasons),
        oldest_overdue_since=row.oldest_overdue_since,
    )


def _reasons_json(reasons: tuple[Reason, ...]) -> list[dict[str, str]]:
    return [{"code": r.code, "message": r.message} for r in reasons]


async def decide_order(
    rt: Runtime,
    tenant_id: str,
    debtor_ref: str,
    amount: Decimal,
    currency: str,
    order_ref: str | None,
) -> RecordedDecision:
    today: date = rt.clock.today()
    now = rt.clock.now()
    decision_id = str(uuid7())
    async with rt.db.transaction() as session:
        row = (
            await session.execute(READ_ACCOUNT, {"tenant_id": tenant_id, "debtor_ref": debtor_ref})
        ).first()
        snapshot = snapshot_of(debtor_ref, row)
        decision = decide(snapshot, amount, currency, today, policy=decision_policy(rt.settings))
        await session.execute(
            RECORD_DECISION,
            {
                "tenant_id": tenant_id,
                "decision_id": decision_id,
                "debtor_ref": debtor_ref,
                "order_ref": order_ref,
                "currency": currency,
                "order_amount": amount,
                "outcome": decision.outcome,
                "prepayment_pct": decision.prepayment_pct,
                "prepayment_amount": decision.prepayment_amount,
                "headroom": decision.headroom,
                "risk_class": snapshot.risk_class,
                "reasons": _reasons_json(decision.reasons),
                "as_of": today,
                "decided_at": now,
            },
        )
    return RecordedDecision(decision_id, order_ref, decision, snapshot.risk_class, now)


async def find_decision(rt: Runtime, tenant_id: str, decision_id: str) -> RecordedDecision:
    async with rt.db.reading() as session:
        row = (
            await session.execute(
                select(credit_decisions).where(
                    credit_decisions.c.tenant_id == tenant_id,
                    credit_decisions.c.decision_id == decision_id,
                )
            )
        ).first()
    if row is None:
        raise not_found("credit decision", decision_id)
    decision = Decision(
        outcome=row.outcome,
        debtor_ref=row.debtor_ref,
        currency=row.currency,
        order_amount=Decimal(row.order_amount),
        as_of=row.as_of,
        headroom=Decimal(row.headroom) if row.headroom is not None else None,
        prepayment_pct=row.prepayment_pct,
        prepayment_amount=(
            Decimal(row.prepayment_amount) if row.prepayment_amount is not None else None
        ),
        reasons=tuple(Reason(r["code"], r["message"]) for r in row.reasons),
    )
    return RecordedDecision(
        row.decision_id, row.order_ref, decision, row.risk_class, row.decided_at
    )

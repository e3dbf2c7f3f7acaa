"""Order-time credit decisions: may the ERP accept this order on credit?

Every rule is evaluated and every finding reported, so the ERP (and the credit controller
reading along) sees the whole picture, not just the first obstacle. Outcome:

- **refuse** when any of: the debtor is on credit hold; the risk class is one the policy refuses
  (default E); an open item is more than ``max_days_past_due`` past due (default 30); there is no
  credit limit in the order's currency; or nothing is left of the limit (limit − exposure ≤ 0);
- else **approve_with_prepayment** when part of the order must be paid up front, the larger of:
  the share of the order above the remaining headroom (limit − exposure), rounded up to the
  policy's step (default 5 %), and the policy's prepayment for weak classes (default D → 50 %);
- else **approve**.

Headroom reported = limit − exposure − order (negative: the order does not fit). Pure and
allocation-light: a decision takes microseconds, so the API can answer synchronously.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_CEILING, ROUND_UP, Decimal
from typing import Literal

from credit_service.domain.scoring import RiskClass

Outcome = Literal["approve", "approve_with_prepayment", "refuse"]

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True)
class CreditAccountSnapshot:
    """What credit knows of a debtor at decision time.

    ``exposure`` and ``limits`` are per currency; ``oldest_overdue_since`` is the overdue date
    (the day after the due date) of the oldest item still open, in any currency.
    """

    debtor_ref: str
    limits: Mapping[str, Decimal] = field(default_factory=dict)
    exposure: Mapping[str, Decimal] = field(default_factory=dict)
    risk_class: RiskClass | None = None
    on_hold: bool = False
    hold_reasons: tuple[str, ...] = ()
    oldest_overdue_since: date | None = None


@dataclass(frozen=True, slots=True)
class DecisionPolicy:
    max_days_past_due: int = 30
    refused_classes: frozenset[RiskClass] = frozenset({"E"})
    weak_classes: frozenset[RiskClass] = frozenset({"D"})
    weak_class_prepayment_pct: int = 50
    prepayment_step_pct: int = 5


DEFAULT_POLICY = DecisionPolicy()


@dataclass(frozen=True, slots=True)
class Reason:
    code: str
    message: str


@dataclass(frozen=True, slots=True)
class Decision:
    outcome: Outcome
    debtor_ref: str
    currency: str
    order_amount: Decimal
    as_of: date
    headroom: Decimal | None
    prepayment_pct: int | None
    prepayment_amount: Decimal | None
    reasons: tuple[Reason, ...]

    @property
    def codes(self) -> list[str]:
        return [r.code for r in self.reasons]


def _round_up_to_step(pct: Decimal, step: int) -> int:
    steps = (pct / step).to_integral_value(rounding=ROUND_CEILING)
    return min(100, int(steps) * step)


def decide(
    account: CreditAccountSnapshot,
    order_amount: Decimal,
    currency: str,
    as_of: date,
    *,
    policy: DecisionPolicy = DEFAULT_POLICY,
) -> Decision:
    """Decide on an order of ``order_amount`` ``currency`` for ``account`` on ``as_of``."""
    if order_amount <= 0:
        raise ValueError("an order amount must be positive")
    refusals: list[Reason] = []
    notes: list[Reason] = []
    prepayment = 0

    if account.on_hold:
        why = "; ".join(account.hold_reasons) or "no reason recorded"
        refusals.append(Reason("credit_hold", f"debtor is on credit hold ({why})"))

    klass = account.risk_class
    if klass is not None and klass in policy.refused_classes:
        refusals.append(Reason("risk_class", f"risk class {klass} is refused credit"))
    elif klass is not None and klass in policy.weak_classes:
        prepayment = policy.weak_class_prepayment_pct
        notes.append(
            Reason(
                "weak_risk_class",
                f"risk class {klass}: {policy.weak_class_prepayment_pct} % prepayment advised",
            )
        )

    if account.oldest_overdue_since is not None:
        days = (as_of - account.oldest_overdue_since).days + 1
        if days > policy.max_days_past_due:
            refusals.append(
                Reason(
                    "overdue",
                    f"an item is {days} days past due (more than {policy.max_days_past_due})",
                )
            )

    limit = account.limits.get(currency)
    exposure = account.exposure.get(currency, Decimal(0))
    headroom: Decimal | None = None
    if limit is None:
        refusals.append(Reason("no_limit", f"no credit limit in {currency}"))
    else:
        available = limit - exposure
        headroom = available - order_amount
        if available <= 0:
            refusals.append(
                Reason(
                    "no_headroom",
                    f"exposure {currency} {exposure} leaves nothing of the limit {limit}",
                )
            )
        elif headroom < 0:
            uncovered = _round_up_to_step(
                -headroom / order_amount * HUNDRED, policy.prepayment_step_pct
            )
            prepayment = max(prepayment, uncovered)
            notes.append(
                Reason(
                    "partial_headroom",
                    f"only {currency} {available} of the limit {limit} is left for an order of "
                    f"{order_amount}: {uncovered} % prepayment",
                )
            )
        else:
            notes.append(
                Reason("within_limit", f"order fits: {currency} {headroom} of {limit} remains")
            )

    if refusals:
        return Decision(
            "refuse",
            account.debtor_ref,
            currency,
            order_amount,
            as_of,
            headroom,
            None,
            None,
            tuple(refusals + notes),
        )
    if prepayment > 0:
        amount = (order_amount * prepayment / HUNDRED).quantize(CENT, rounding=ROUND_UP)
        return Decision(
            "approve_with_prepayment",
            account.debtor_ref,
            currency,
            order_amount,
            as_of,
            headroom,
            prepayment,
            amount,
            tuple(notes),
        )
    return Decision(
        "approve",
        account.debtor_ref,
        currency,
        order_amount,
        as_of,
        headroom,
        None,
        None,
        tuple(notes),
    )

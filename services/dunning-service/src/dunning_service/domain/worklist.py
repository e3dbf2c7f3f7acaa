"""The collector's worklist: what needs a person, most urgent first.

Priority weighs the amount at stake (logarithmically: ten times the money is not ten times the
urgency), the days overdue (capped) and the debtor's risk class from credit-service, plus a
weight per kind of task (a defaulted plan or a broken promise is a broken commitment).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

TaskKind = Literal[
    "phone_call", "promise_broken", "plan_defaulted", "dispute", "formal_notice_approval"
]

KIND_WEIGHT: dict[str, Decimal] = {
    "plan_defaulted": Decimal(15),
    "promise_broken": Decimal(12),
    "formal_notice_approval": Decimal(10),
    "phone_call": Decimal(5),
    "dispute": Decimal(3),
}
RISK_WEIGHT: dict[str | None, Decimal] = {
    "A": Decimal(0),
    "B": Decimal(5),
    "C": Decimal(10),
    "D": Decimal(20),
    "E": Decimal(30),
    None: Decimal(5),  # unknown: as a B
}
AMOUNT_WEIGHT = Decimal(10)  # per power of ten of the amount
AMOUNT_CAP = Decimal(60)
DAYS_DIVISOR = Decimal(3)
DAYS_CAP = Decimal(40)


@dataclass(frozen=True, slots=True)
class Urgency:
    amount: Decimal  # the debtor's overdue amount (all currencies at face value)
    days_overdue: int
    risk_class: str | None


def priority(kind: str, urgency: Urgency) -> Decimal:
    amount = max(urgency.amount, Decimal(0))
    amount_part = min(AMOUNT_CAP, AMOUNT_WEIGHT * (amount + 1).log10())
    days_part = min(DAYS_CAP, Decimal(max(urgency.days_overdue, 0)) / DAYS_DIVISOR)
    risk_part = RISK_WEIGHT.get(urgency.risk_class, RISK_WEIGHT[None])
    score = amount_part + days_part + risk_part + KIND_WEIGHT.get(kind, Decimal(0))
    return score.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

"""Events published by credit-service (context ``credit``), on ``credit.account.events``."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from contracts.money import Amount, Currency
from eventkit.events import DomainEvent

RiskClass = Literal["A", "B", "C", "D", "E"]


class CreditLimitChanged(DomainEvent):
    event_type = "credit.CreditLimitChanged"
    debtor_ref: str
    currency: Currency
    limit: Amount
    previous: Amount | None = None
    set_by: str
    approved_by: str | None = None


class CreditLimitExceeded(DomainEvent):
    event_type = "credit.CreditLimitExceeded"
    debtor_ref: str
    currency: Currency
    limit: Amount
    exposure: Amount


class CreditHoldPlaced(DomainEvent):
    event_type = "credit.CreditHoldPlaced"
    debtor_ref: str
    reasons: list[str]
    placed_by: str = "rules"


class CreditHoldLifted(DomainEvent):
    event_type = "credit.CreditHoldLifted"
    debtor_ref: str
    reason: str
    lifted_by: str = "rules"


class RiskClassChanged(DomainEvent):
    event_type = "credit.RiskClassChanged"
    debtor_ref: str
    risk_class: RiskClass
    previous: RiskClass | None = None
    score: int
    reasons: list[str] = Field(default_factory=list)


class PaymentBehaviourDeteriorated(DomainEvent):
    event_type = "credit.PaymentBehaviourDeteriorated"
    debtor_ref: str
    baseline_days_to_pay: Amount
    recent_days_to_pay: Amount
    detected_on: date
    rule: str


class CreditReviewDue(DomainEvent):
    event_type = "credit.CreditReviewDue"
    debtor_ref: str
    due_on: date
    risk_class: RiskClass | None = None

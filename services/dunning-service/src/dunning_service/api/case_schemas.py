"""Request bodies of the case API: policies, holds, worklist, notes, agency reports."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from contracts.dunning import Action, Channel, DisputeReason, Instalment

Money = Annotated[Decimal, Field(max_digits=18, decimal_places=2)]
PositiveMoney = Annotated[Decimal, Field(gt=0, max_digits=18, decimal_places=2)]
CurrencyCode = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
Ref = Annotated[str, Field(min_length=1, max_length=100)]
InvoiceList = Annotated[list[Ref], Field(min_length=1, max_length=500)]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StepBody(_Body):
    action: Action
    offset_days: int = Field(ge=-3650, le=3650)
    relative_to: Literal["due_date", "previous_step"] = "due_date"
    template_key: str = Field(min_length=1, max_length=100)
    channel: Channel | None = None
    fee: Annotated[Decimal, Field(ge=0, max_digits=18, decimal_places=2)] = Decimal("0.00")
    final_term_days: int = Field(default=0, ge=0, le=365)
    approval_required: bool = False
    agency: str | None = Field(default=None, max_length=100)


class PolicyBody(_Body):
    name: str = Field(min_length=1, max_length=200)
    effective_from: date
    currency: CurrencyCode = "EUR"
    minimum_amounts: dict[CurrencyCode, Annotated[Decimal, Field(ge=0, decimal_places=2)]] = Field(
        default_factory=dict
    )
    claim_interest: bool = True
    claim_costs: bool = True
    steps: list[StepBody] = Field(min_length=1, max_length=20)


class AssignmentBody(_Body):
    policy_id: str = Field(min_length=1, max_length=100)
    priority: int = Field(default=0, ge=-1000, le=1000)
    debtor_ref: str | None = Field(default=None, min_length=1, max_length=100)
    kind: Literal["B2B", "B2C"] | None = None
    country: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    risk_class: Literal["A", "B", "C", "D", "E"] | None = None

    @model_validator(mode="after")
    def _some_criterion(self) -> AssignmentBody:
        if not (self.debtor_ref or self.kind or self.country or self.risk_class):
            raise ValueError("name a debtor_ref or at least one of kind, country, risk_class")
        return self


class MigrationBody(_Body):
    policy_id: str = Field(min_length=1, max_length=100)
    version: int | None = Field(default=None, ge=1)


class DisputeBody(_Body):
    invoice_number: Ref
    reason: DisputeReason
    note: str = Field(default="", max_length=2000)


class ResolutionBody(_Body):
    outcome: Literal["rejected", "credited", "withdrawn"]
    note: str = Field(default="", max_length=2000)


class PromiseBody(_Body):
    debtor_ref: Ref
    invoice_numbers: InvoiceList | None = None
    amount: PositiveMoney
    currency: CurrencyCode
    promised_date: date


class PlanBody(_Body):
    debtor_ref: Ref
    invoice_numbers: InvoiceList | None = None
    currency: CurrencyCode
    instalments: list[Instalment] = Field(min_length=1, max_length=120)
    grace_days: int = Field(default=5, ge=0, le=60)

    @model_validator(mode="after")
    def _positive(self) -> PlanBody:
        if any(i.amount <= 0 for i in self.instalments):
            raise ValueError("every instalment amount must be positive")
        return self


class HoldBody(_Body):
    debtor_ref: Ref
    invoice_numbers: InvoiceList | None = None
    until: date
    reason: str = Field(min_length=1, max_length=2000)


class NoteBody(_Body):
    text: str = Field(min_length=1, max_length=5000)
    author: str | None = Field(default=None, min_length=1, max_length=200)
    outcome: (
        Literal[
            "reached",
            "no_answer",
            "voicemail",
            "wrong_number",
            "promised",
            "disputed",
            "refused",
            "other",
        ]
        | None
    ) = None
    task_id: str | None = Field(default=None, max_length=40)


class TaskCompletionBody(_Body):
    outcome: str = Field(min_length=1, max_length=200)


class AgencyStatusBody(_Body):
    status: Literal[
        "received",
        "in_progress",
        "debtor_contacted",
        "payment_arrangement",
        "legal_action",
        "closed_paid",
        "closed_uncollectable",
        "returned",
    ]
    note: str = Field(default="", max_length=2000)


class AgencyPaymentBody(_Body):
    amount: PositiveMoney
    currency: CurrencyCode
    received_on: date
    invoice_number: Ref | None = None
    reference: str | None = Field(default=None, max_length=100)

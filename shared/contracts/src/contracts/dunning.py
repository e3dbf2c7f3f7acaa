"""Events published by dunning-service (context ``dunning``), on ``dunning.case.events``.

Every event is about one debtor (partition key ``tenant:debtor``)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from contracts.invoicing import Language, PostalAddress
from contracts.letters import ChargeKind, LegalStepKind
from contracts.money import Amount, Currency
from eventkit.events import DomainEvent

Action = Literal[
    "pre_due_reminder",
    "reminder",
    "letter",
    "sms",
    "phone_call",
    "formal_notice",
    "agency_handover",
]
Channel = Literal["email", "letter", "sms", "phone", "agency"]
PackName = Literal["BE_B2B", "BE_B2C", "NL_B2B", "NL_B2C", "EU_DEFAULT"]
DisputeReason = Literal[
    "not_delivered",
    "damaged",
    "wrong_price",
    "wrong_quantity",
    "administrative_error",
    "quality",
    "other",
]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Explanation(_Model):
    """Why an amount is what it is: the rule, the rate or bracket, the days and the base."""

    rule: str
    detail: str
    amount: Amount


class ReminderItem(_Model):
    invoice_number: str
    issue_date: date
    due_date: date
    days_overdue: int
    currency: Currency
    open_amount: Amount
    interest: Amount
    fees: Amount
    explanations: list[Explanation] = Field(default_factory=list)


class Charge(_Model):
    """An amount beyond the principal, of a kind from the published vocabulary: letters name
    it with the law's own words in the debtor's language; ``legal_basis`` is the source."""

    kind: ChargeKind
    invoice_number: str | None = None  # None: on the claim as a whole (WIK, reminder costs)
    currency: Currency
    amount: Amount
    legal_basis: str


class ReminderTotals(_Model):
    currency: Currency
    principal: Amount
    interest: Amount
    fees: Amount
    total: Amount


class ReminderDue(DomainEvent):
    """A dunning step is due for a group of the debtor's items: notification-service renders and
    sends it (or, for a phone call, it lands on the worklist)."""

    event_type = "dunning.ReminderDue"
    reminder_id: str
    debtor_ref: str
    debtor_name: str
    language: Language
    email: str | None = None
    phone: str | None = None
    postal_address: list[str] = Field(default_factory=list)
    pack: PackName
    policy_id: str
    policy_version: int
    step: int
    action: Action
    channel: Channel
    template_key: str
    business_date: date
    deadline: date | None = None
    items: list[ReminderItem]
    totals: list[ReminderTotals]
    legal_notes: list[str] = Field(default_factory=list)
    # What the letter says, as data (contracts.letters): the legal step, every charge claimed
    # (principal + charges = totals), what will be claimed once the deadline has passed, how
    # many reminders the debtor already had for these items, and the address from the
    # debtor's master data. ``legal_notes`` explain the figures to ops, never to the debtor.
    step_kind: LegalStepKind | None = None
    charges: list[Charge] = Field(default_factory=list)
    announced: list[Charge] = Field(default_factory=list)
    reminders_before: int = 0
    address: PostalAddress | None = None


class DisputeOpened(DomainEvent):
    event_type = "dunning.DisputeOpened"
    dispute_id: str
    debtor_ref: str
    invoice_number: str
    reason: DisputeReason
    note: str = ""
    opened_on: date


class DisputeResolved(DomainEvent):
    event_type = "dunning.DisputeResolved"
    dispute_id: str
    debtor_ref: str
    invoice_number: str
    outcome: Literal["rejected", "credited", "withdrawn"]
    note: str = ""
    resolved_on: date


class PromiseToPayMade(DomainEvent):
    event_type = "dunning.PromiseToPayMade"
    promise_id: str
    debtor_ref: str
    invoice_numbers: list[str]
    amount: Amount
    currency: Currency
    promised_date: date
    made_on: date


class PromiseToPayKept(DomainEvent):
    event_type = "dunning.PromiseToPayKept"
    promise_id: str
    debtor_ref: str
    kept_on: date


class PromiseToPayBroken(DomainEvent):
    event_type = "dunning.PromiseToPayBroken"
    promise_id: str
    debtor_ref: str
    invoice_numbers: list[str]
    amount_missing: Amount
    currency: Currency
    broken_on: date


class Instalment(_Model):
    due_date: date
    amount: Amount


class PaymentPlanAgreed(DomainEvent):
    event_type = "dunning.PaymentPlanAgreed"
    plan_id: str
    debtor_ref: str
    invoice_numbers: list[str]
    currency: Currency
    instalments: list[Instalment]
    grace_days: int
    agreed_on: date


class InstalmentMissed(DomainEvent):
    event_type = "dunning.InstalmentMissed"
    plan_id: str
    debtor_ref: str
    instalment_due: date
    amount_missing: Amount
    currency: Currency


class PaymentPlanDefaulted(DomainEvent):
    event_type = "dunning.PaymentPlanDefaulted"
    plan_id: str
    debtor_ref: str
    defaulted_on: date


class PaymentPlanCompleted(DomainEvent):
    event_type = "dunning.PaymentPlanCompleted"
    plan_id: str
    debtor_ref: str
    completed_on: date


class DunningPaused(DomainEvent):
    event_type = "dunning.DunningPaused"
    debtor_ref: str
    invoice_numbers: list[str]
    reason: Literal["dispute", "promise", "payment_plan", "manual"]
    until: date | None = None


class DunningResumed(DomainEvent):
    event_type = "dunning.DunningResumed"
    debtor_ref: str
    invoice_numbers: list[str]
    reason: str


class CaseFileEntry(_Model):
    kind: Literal["reminder", "dispute", "promise", "payment_plan", "note"]
    on: date
    summary: str


class DebtorEscalatedToCollection(DomainEvent):
    """The file handed to the collection agency: everything it needs to act."""

    event_type = "dunning.DebtorEscalatedToCollection"
    debtor_ref: str
    debtor_name: str
    agency: str
    escalated_on: date
    items: list[ReminderItem]
    totals: list[ReminderTotals]
    history: list[CaseFileEntry]
    charges: list[Charge] = Field(default_factory=list)


class AgencyCaseUpdated(DomainEvent):
    event_type = "dunning.AgencyCaseUpdated"
    debtor_ref: str
    agency: str
    status: str
    note: str = ""
    on: date


class NoteRecorded(DomainEvent):
    event_type = "dunning.NoteRecorded"
    debtor_ref: str
    note_id: str
    author: str
    text: str
    outcome: str | None = None
    on: date

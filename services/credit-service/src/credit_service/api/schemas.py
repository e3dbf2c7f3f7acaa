"""Response bodies of the credit-service API."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from contracts.money import Amount, Currency
from credit_service.application.account_view import AccountView, ReviewItem
from credit_service.application.decisions import RecordedDecision
from credit_service.application.kpis import CurrencyKpis, KpiReport
from credit_service.application.ops import LimitRequest
from credit_service.domain.behaviour import PaymentBehaviour
from credit_service.domain.exposure import CurrencyExposure, DebtorExposure, DebtorIdentity
from credit_service.domain.kpis import BUCKETS, ExplanationValue, KpiResult

CENT = Decimal("0.01")


def _amount(value: Decimal) -> str:
    """Money and figures with two decimals, as strings."""
    return format(value.quantize(CENT), "f")


class DebtorIdentityView(BaseModel):
    legal_name: str
    kind: str
    country: str

    @classmethod
    def of(cls, debtor: DebtorIdentity) -> DebtorIdentityView:
        return cls(legal_name=debtor.legal_name, kind=debtor.kind, country=debtor.country)


class CurrencyExposureView(BaseModel):
    currency: str
    open_amount: str = Field(examples=["1210.00"])
    overdue_amount: str = Field(examples=["0.00"])
    open_items: int
    overdue_items: int
    oldest_overdue_since: date | None

    @classmethod
    def of(cls, line: CurrencyExposure) -> CurrencyExposureView:
        return cls(
            currency=line.currency,
            open_amount=_amount(line.open_amount),
            overdue_amount=_amount(line.overdue_amount),
            open_items=line.open_items,
            overdue_items=line.overdue_items,
            oldest_overdue_since=line.oldest_overdue_since,
        )


class DebtorExposureView(BaseModel):
    debtor_ref: str
    debtor: DebtorIdentityView | None = Field(
        description="null while the debtor's master data has not arrived yet"
    )
    as_of: date = Field(description="the business date the exposure was computed on")
    exposure: list[CurrencyExposureView] = Field(description="one line per currency, sorted")

    @classmethod
    def of(cls, exposure: DebtorExposure) -> DebtorExposureView:
        return cls(
            debtor_ref=exposure.debtor_ref,
            debtor=DebtorIdentityView.of(exposure.debtor) if exposure.debtor else None,
            as_of=exposure.as_of,
            exposure=[CurrencyExposureView.of(line) for line in exposure.exposure],
        )


# --- credit accounts ---------------------------------------------------------------------------


def _opt(value: Decimal | None) -> str | None:
    return None if value is None else _amount(value)


Person = Annotated[str, Field(min_length=1, max_length=200, examples=["an.peeters@acme.example"])]
Reason = Annotated[str, Field(min_length=1, max_length=500)]


class LimitView(BaseModel):
    currency: str
    limit: str
    exposure: str
    headroom: str = Field(description="limit − exposure (negative: over the limit)")
    exceeded: bool


class HoldView(BaseModel):
    on_hold: bool
    reasons: list[str] = Field(
        description="'<code>: <detail>'; codes limit_exceeded, overdue, "
        "escalated_to_collection, manual"
    )
    placed_by: str | None = Field(description="'rules' or 'ops:<person>'")
    since: date | None
    overridden: list[str] = Field(
        description="rule reasons ops lifted the hold over; they hold again once they stop and "
        "return"
    )


class ScorePartView(BaseModel):
    name: str
    points: str
    max_points: str
    reason: str


class ScoreView(BaseModel):
    score: int
    risk_class: str
    currency: str = Field(description="the currency whose score counts (the worst)")
    as_of: date
    parts: list[ScorePartView]


class PaymentBehaviourView(BaseModel):
    window_start: date | None
    window_end: date
    invoices: int
    amount: str
    average_days_to_pay: str
    weighted_days_to_pay: str
    weighted_days_late: str
    share_paid_late: str = Field(description="percent of the invoices paid after their due date")

    @classmethod
    def of(cls, b: PaymentBehaviour | None) -> PaymentBehaviourView | None:
        if b is None:
            return None
        return cls(
            window_start=b.window_start,
            window_end=b.window_end,
            invoices=b.invoices,
            amount=_amount(b.amount),
            average_days_to_pay=_amount(b.average_days_to_pay),
            weighted_days_to_pay=_amount(b.weighted_days_to_pay),
            weighted_days_late=_amount(b.weighted_days_late),
            share_paid_late=_amount(b.share_paid_late),
        )


class CurrencyBehaviourView(BaseModel):
    currency: str
    last_12_months: PaymentBehaviourView | None
    recent: PaymentBehaviourView | None = Field(description="paid in the last 90 days")
    baseline: PaymentBehaviourView | None = Field(description="the 12 months before that")
    trend_days: str | None = Field(
        description="recent − baseline weighted days to pay: positive = paying later"
    )


class DunningView(BaseModel):
    open_disputes: int
    broken_promises: int = Field(description="in the last 12 months")
    defaulted_plans: int = Field(description="in the last 12 months")
    escalations: int = Field(description="in the last 12 months")
    escalated_since: date | None


class ReportView(BaseModel):
    source: str
    score: str
    scale_min: str
    scale_max: str
    higher_is_better: bool
    limit_advice: str | None
    currency: str | None
    reported_on: date


class ReviewView(BaseModel):
    reviewed_on: date | None
    due_on: date | None


class CreditAccountView(BaseModel):
    debtor_ref: str
    debtor: DebtorIdentityView | None
    as_of: date
    version: int = Field(description="version of the account's event stream")
    exposure: list[CurrencyExposureView]
    limits: list[LimitView]
    hold: HoldView
    score: ScoreView | None
    behaviour: list[CurrencyBehaviourView]
    deteriorated_on: date | None = Field(description="last PaymentBehaviourDeteriorated")
    dunning: DunningView
    report: ReportView | None = Field(description="the latest external credit report")
    review: ReviewView

    @classmethod
    def of(cls, view: AccountView) -> CreditAccountView:
        acc = view.account
        open_by_currency = {line.currency: line.open_amount for line in view.exposure}
        limits = []
        for currency, raw in sorted((acc.limits if acc else {}).items()):
            limit = Decimal(raw)
            exposure = open_by_currency.get(currency, Decimal("0.00"))
            limits.append(
                LimitView(
                    currency=currency,
                    limit=_amount(limit),
                    exposure=_amount(exposure),
                    headroom=_amount(limit - exposure),
                    exceeded=exposure > limit,
                )
            )
        score = None
        if acc is not None and acc.score is not None:
            score = ScoreView(
                score=acc.score,
                risk_class=acc.risk_class,
                currency=acc.score_currency,
                as_of=acc.scored_on,
                parts=[ScorePartView(**p) for p in acc.score_parts or []],
            )
        report = view.report
        return cls(
            debtor_ref=view.debtor_ref,
            debtor=DebtorIdentityView.of(view.debtor) if view.debtor else None,
            as_of=view.as_of,
            version=acc.version if acc else 0,
            exposure=[CurrencyExposureView.of(line) for line in view.exposure],
            limits=limits,
            hold=HoldView(
                on_hold=bool(acc and acc.on_hold),
                reasons=list(acc.hold_reasons) if acc else [],
                placed_by=acc.hold_placed_by if acc else None,
                since=acc.hold_since if acc else None,
                overridden=list(acc.overridden) if acc else [],
            ),
            score=score,
            behaviour=[
                CurrencyBehaviourView(
                    currency=b.currency,
                    last_12_months=PaymentBehaviourView.of(b.last_12_months),
                    recent=PaymentBehaviourView.of(b.recent),
                    baseline=PaymentBehaviourView.of(b.baseline),
                    trend_days=_opt(b.trend_days),
                )
                for b in view.behaviour
            ],
            deteriorated_on=acc.deteriorated_on if acc else None,
            dunning=DunningView(
                open_disputes=view.dunning.open_disputes,
                broken_promises=view.dunning.broken_promises,
                defaulted_plans=view.dunning.defaulted_plans,
                escalations=view.dunning.escalations,
                escalated_since=acc.escalated_since if acc else None,
            ),
            report=ReportView(
                source=report.provider,
                score=format(report.score, "f"),
                scale_min=format(report.scale_min, "f"),
                scale_max=format(report.scale_max, "f"),
                higher_is_better=report.higher_is_better,
                limit_advice=_opt(report.limit_advice),
                currency=report.limit_advice_currency,
                reported_on=report.reported_on,
            )
            if report
            else None,
            review=ReviewView(
                reviewed_on=acc.reviewed_on if acc else None,
                due_on=acc.review_due_on if acc else None,
            ),
        )


class ReviewItemView(BaseModel):
    debtor_ref: str
    review_due_on: date
    reviewed_on: date | None
    risk_class: str | None
    score: int | None
    on_hold: bool

    @classmethod
    def of(cls, item: ReviewItem) -> ReviewItemView:
        return cls(**item.__dict__)


# --- ops commands ----------------------------------------------------------------------------


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LimitBody(_Body):
    limit: Annotated[Amount, Field(ge=0, examples=["25000.00"])]
    requested_by: Person
    reason: Reason | None = None


class LimitDecisionBody(_Body):
    by: Person
    note: Reason | None = None


class LimitRequestView(BaseModel):
    request_id: str
    debtor_ref: str
    currency: str
    limit: str
    reason: str | None
    requested_by: str
    requested_at: datetime
    status: Literal["pending", "approved", "rejected"]
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str | None

    @classmethod
    def of(cls, r: LimitRequest) -> LimitRequestView:
        return cls(**{**r.__dict__, "limit": _amount(r.limit)})


class LimitOutcomeView(BaseModel):
    outcome: Literal["applied", "unchanged", "pending_approval"]
    request: LimitRequestView | None = Field(description="the request awaiting a second person")
    account: CreditAccountView


class HoldBody(_Body):
    reason: Reason
    by: Person


class ReviewBody(_Body):
    by: Person


class CreditReportBody(_Body):
    """External credit data from a bureau or a connector. The score is read on its own scale."""

    report_id: Annotated[str, Field(min_length=1, max_length=100)] | None = Field(
        default=None, description="the provider's id; posting the same report again is a no-op"
    )
    source: Annotated[str, Field(min_length=1, max_length=100, examples=["graydon"])]
    score: Annotated[Decimal, Field(max_digits=12, decimal_places=2)]
    scale_min: Annotated[Decimal, Field(max_digits=12, decimal_places=2)] = Decimal(0)
    scale_max: Annotated[Decimal, Field(max_digits=12, decimal_places=2)] = Decimal(100)
    higher_is_better: bool = True
    limit_advice: Annotated[Amount, Field(ge=0)] | None = None
    currency: Currency | None = Field(default=None, description="currency of the limit advice")
    reported_on: date

    @model_validator(mode="after")
    def _coherent(self) -> CreditReportBody:
        if self.scale_max <= self.scale_min:
            raise ValueError("scale_max must be above scale_min")
        if not self.scale_min <= self.score <= self.scale_max:
            raise ValueError(f"score must lie on the scale {self.scale_min}…{self.scale_max}")
        if (self.limit_advice is None) != (self.currency is None):
            raise ValueError("a limit advice needs its currency, and a currency its advice")
        return self


class CreditReportOutcomeView(BaseModel):
    report_id: str
    outcome: Literal["created", "replayed"]
    account: CreditAccountView


# --- decisions -------------------------------------------------------------------------------


class DecisionBody(_Body):
    debtor_ref: Annotated[str, Field(min_length=1, max_length=100)]
    amount: Annotated[Amount, Field(gt=0, examples=["1500.00"])]
    currency: Currency
    order_ref: Annotated[str, Field(min_length=1, max_length=100)] | None = None


class DecisionReasonView(BaseModel):
    code: str
    message: str


class DecisionView(BaseModel):
    decision_id: str
    debtor_ref: str
    order_ref: str | None
    outcome: Literal["approve", "approve_with_prepayment", "refuse"]
    currency: str
    order_amount: str
    prepayment_pct: int | None
    prepayment_amount: str | None
    headroom: str | None = Field(description="limit − exposure − order; null without a limit")
    risk_class: str | None
    reasons: list[DecisionReasonView]
    as_of: date
    decided_at: datetime

    @classmethod
    def of(cls, recorded: RecordedDecision) -> DecisionView:
        d = recorded.decision
        return cls(
            decision_id=recorded.decision_id,
            debtor_ref=d.debtor_ref,
            order_ref=recorded.order_ref,
            outcome=d.outcome,
            currency=d.currency,
            order_amount=_amount(d.order_amount),
            prepayment_pct=d.prepayment_pct,
            prepayment_amount=_opt(d.prepayment_amount),
            headroom=_opt(d.headroom),
            risk_class=recorded.risk_class,
            reasons=[DecisionReasonView(code=r.code, message=r.message) for r in d.reasons],
            as_of=d.as_of,
            decided_at=recorded.decided_at,
        )


# --- KPIs ------------------------------------------------------------------------------------


def _plain(value: ExplanationValue) -> str | int | bool | None:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, date):
        return value.isoformat()
    return value


class KpiView(BaseModel):
    value: str | None = Field(description="null when undefined (see explanation.undefined)")
    explanation: dict[str, str | int | bool | None]
    steps: list[dict[str, str]] | None = None

    @classmethod
    def of(cls, result: KpiResult) -> KpiView:
        steps = None
        if result.steps:
            steps = [
                {
                    "month": s.month,
                    "sales": _amount(s.sales),
                    "ar_to_explain": _amount(s.ar_to_explain),
                    "days_added": format(s.days_added.quantize(Decimal("0.01")), "f"),
                }
                for s in result.steps
            ]
        return cls(
            value=_opt(result.value),
            explanation={k: _plain(v) for k, v in result.explanation.items()},
            steps=steps,
        )


class AgingBucketView(BaseModel):
    label: str
    min_days: int
    max_days: int | None
    amount: str
    items: int


class AgingView(BaseModel):
    total: str
    buckets: list[AgingBucketView]


class CurrencyKpisView(BaseModel):
    currency: str
    aging: AgingView
    dso_standard: KpiView
    dso_countback: KpiView
    best_possible_dso: KpiView
    average_days_delinquent: KpiView
    cei: KpiView

    @classmethod
    def of(cls, line: CurrencyKpis) -> CurrencyKpisView:
        if line.aging is None:
            aging = AgingView(
                total="0.00",
                buckets=[
                    AgingBucketView(
                        label=label, min_days=low, max_days=high, amount="0.00", items=0
                    )
                    for label, low, high in BUCKETS
                ],
            )
        else:
            aging = AgingView(
                total=_amount(line.aging.total),
                buckets=[
                    AgingBucketView(
                        label=b.label,
                        min_days=b.min_days,
                        max_days=b.max_days,
                        amount=_amount(b.amount),
                        items=b.items,
                    )
                    for b in line.aging.buckets
                ],
            )
        return cls(
            currency=line.currency,
            aging=aging,
            dso_standard=KpiView.of(line.dso_standard),
            dso_countback=KpiView.of(line.dso_countback),
            best_possible_dso=KpiView.of(line.best_possible_dso),
            average_days_delinquent=KpiView.of(line.average_days_delinquent),
            cei=KpiView.of(line.cei),
        )


class KpiReportView(BaseModel):
    as_of: date
    period_start: date
    period_end: date
    debtor_ref: str | None = Field(description="null: the whole tenant")
    currency: str | None
    currencies: list[CurrencyKpisView]

    @classmethod
    def of(cls, report: KpiReport) -> KpiReportView:
        return cls(
            as_of=report.as_of,
            period_start=report.period_start,
            period_end=report.as_of,
            debtor_ref=report.debtor_ref,
            currency=report.currency,
            currencies=[CurrencyKpisView.of(line) for line in report.lines],
        )

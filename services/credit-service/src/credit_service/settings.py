from __future__ import annotations

from decimal import Decimal

from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict

from credit_service.domain.account import DEFAULT_REVIEW_INTERVALS, CreditPolicy
from credit_service.domain.decisions import DecisionPolicy
from eventkit.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore", frozen=True)

    http_port: int = 8003
    # Credit hold once the oldest open item is more than this many days past due.
    hold_overdue_days: int = Field(default=60, ge=1)
    # Limits above this figure (in the limit's currency) take a second person's approval.
    limit_approval_threshold: Decimal = Field(default=Decimal(50000), ge=0)
    # Days until the next credit review, per risk class (JSON in the environment).
    review_interval_days: dict[str, int] = Field(
        default_factory=lambda: dict(DEFAULT_REVIEW_INTERVALS)
    )
    # Credit decisions: refuse when an item is more than this many days past due.
    decision_max_days_past_due: int = Field(default=30, ge=0)
    default_currency: str = Field(default="EUR", pattern=r"^[A-Z]{3}$")

    @field_validator("review_interval_days")
    @classmethod
    def _every_class_reviewed(cls, value: dict[str, int]) -> dict[str, int]:
        if set(value) != set(DEFAULT_REVIEW_INTERVALS) or min(value.values()) < 1:
            raise ValueError("one review interval of at least 1 day for each of A, B, C, D, E")
        return value


def credit_policy(settings: ServiceSettings) -> CreditPolicy:
    """The credit rules of these settings (the defaults for a plain ``ServiceSettings``)."""
    if not isinstance(settings, Settings):
        return CreditPolicy()
    return CreditPolicy(
        hold_overdue_days=settings.hold_overdue_days,
        review_interval_days=dict(settings.review_interval_days),
        limit_approval_threshold=settings.limit_approval_threshold,
        default_currency=settings.default_currency,
    )


def decision_policy(settings: ServiceSettings) -> DecisionPolicy:
    if not isinstance(settings, Settings):
        return DecisionPolicy()
    return DecisionPolicy(max_days_past_due=settings.decision_max_days_past_due)

from __future__ import annotations

from pydantic import SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from eventkit.settings import Environment, ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore", frozen=True)

    http_port: int = 8004
    # Where reminders are sent from; the local SMTP sink of `make run` by default.
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 1025
    smtp_from: str = "credit-control@localhost"
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    smtp_timeout_seconds: float = 30.0
    # Right-hand side of the deterministic Message-ID header (<message-id@domain>).
    message_id_domain: str = "notification.creditmgmt.local"

    # SMS through an HTTP provider (JSON POST); no URL = no SMS channel (falls back).
    sms_provider_url: str | None = None
    sms_provider_token: SecretStr | None = None
    # True only for a provider that deduplicates on the Idempotency-Key header: then a send
    # whose outcome is unknown after a crash is repeated instead of being flagged for ops.
    sms_provider_dedupes: bool = False
    sms_sender_id: str = "CreditCtrl"
    http_timeout_seconds: float = 10.0

    # The sender: claims pending messages and hands them to their channel.
    sender_poll_seconds: float = 0.5
    sender_batch_size: int = 50
    sender_concurrency: int = 8
    # A message claimed longer ago than this by a sender that never finished is orphaned
    # (its process died): its outcome is unknown. Must exceed the longest exchange.
    sender_claim_timeout_seconds: float = 120.0
    send_max_attempts: int = 5
    send_retry_base_seconds: float = 30.0

    # Webhooks (Standard Webhooks): attempt n waits base * 2^(n-1), capped; then dead letter.
    webhook_max_attempts: int = 8
    webhook_retry_base_seconds: float = 5.0
    webhook_retry_max_seconds: float = 36000.0

    # Reminders whose business date is older than this are recorded, not sent (a replay of
    # old history into an empty database must not post last year's reminders again).
    reminder_max_age_days: int = 7

    # Test hooks for the crash tests; refused in production.
    sender_start_delay_seconds: float = 0.0
    sender_pause_after_smtp_seconds: float = 0.0

    @model_validator(mode="after")
    def _no_test_hooks_in_production(self) -> Settings:
        if self.environment is Environment.PRODUCTION and (
            self.sender_pause_after_smtp_seconds or self.sender_start_delay_seconds
        ):
            raise ValueError("sender test hooks are not allowed in production")
        return self

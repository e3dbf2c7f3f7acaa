from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from eventkit.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore", frozen=True)

    http_port: int = 8004
    # Where reminders will be sent from; the local SMTP sink of `make run` by default.
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 1025
    smtp_from: str = "credit-control@localhost"

"""Service settings: one pydantic-settings class per service, built on this base.

Environment variables carry no prefix: every service runs in its own process with its own
environment (compose service block, ``make run`` launcher, test harness).
"""

from __future__ import annotations

import hashlib
import json
import re
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

Scope = Literal["erp", "ops", "agency", "admin"]
ALL_SCOPES: tuple[Scope, ...] = ("erp", "ops", "agency", "admin")

# An exact browser origin: http(s), a host name or address, an optional port; nothing else.
ORIGIN = re.compile(r"https?://(?:[a-z0-9-]+(?:\.[a-z0-9-]+)*|\[[0-9a-f:]+\])(?::[0-9]{1,5})?")

# The development key printed by ``make run``. Refused when ENVIRONMENT=production.
DEV_API_KEY = "dev-acme-key-0000000000000000"
DEV_TENANT = "acme"


def hash_api_key(key: str) -> str:
    """API keys are stored as SHA-256 digests; keys are long random strings, so no salt."""
    return "sha256:" + hashlib.sha256(key.encode()).hexdigest()


class ApiKeyEntry(BaseModel):
    tenant: str = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9_-]*$")
    key_hash: str = Field(pattern=r"^sha256:[0-9a-f]{64}$")
    scopes: list[Scope] = Field(min_length=1)
    name: str = ""


class ClockMode(StrEnum):
    SYSTEM = "system"
    SIMULATED = "simulated"


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class ServiceSettings(BaseSettings):
    """Settings every service needs. Required ones have no default."""

    model_config = SettingsConfigDict(env_file=None, extra="ignore", frozen=True)

    environment: Environment = Environment.DEVELOPMENT
    database_url: str
    kafka_bootstrap_servers: str
    kafka_idempotence: bool = False
    kafka_client_id: str = ""
    kafka_session_timeout_ms: int = 10000
    api_keys: Annotated[list[ApiKeyEntry], NoDecode]
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    clock_mode: ClockMode = ClockMode.SYSTEM
    simulated_start: AwareDatetime | None = None
    business_timezone: str = "Europe/Brussels"
    sweep_interval_seconds: float = 60.0
    relay_poll_seconds: float = 0.2
    relay_batch_size: int = 500
    relay_lease_seconds: float = 10.0
    consumer_max_retries: int = 5
    consumer_retry_backoff_seconds: float = 0.2
    log_level: str = "INFO"
    log_json: bool = True
    # Browser origins allowed to call the API (the ops console), exactly as the browser sends
    # them: ``scheme://host[:port]``, comma-separated. Empty: no cross-origin access at all.
    cors_allowed_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)

    @field_validator("api_keys", mode="before")
    @classmethod
    def _parse_api_keys(cls, value: object) -> object:
        if isinstance(value, str):
            return parse_api_keys(value)
        return value

    @field_validator("cors_allowed_origins", mode="before")
    @classmethod
    def _parse_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("cors_allowed_origins")
    @classmethod
    def _exact_origins(cls, value: list[str]) -> list[str]:
        for origin in value:
            if not ORIGIN.fullmatch(origin):
                raise ValueError(
                    f"{origin!r} is not an exact origin (scheme://host[:port], no path, no "
                    "wildcard)"
                )
        return value

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> ServiceSettings:
        if self.environment is Environment.PRODUCTION:
            dev_hash = hash_api_key(DEV_API_KEY)
            if any(entry.key_hash == dev_hash for entry in self.api_keys):
                raise ValueError("the development API key is not allowed in production")
            if not self.api_keys:
                raise ValueError("API_KEYS must name at least one key in production")
            if self.clock_mode is ClockMode.SIMULATED:
                raise ValueError("simulated time is not allowed in production")
        return self


def parse_api_keys(raw: str) -> list[dict[str, object]]:
    """Parse ``API_KEYS``.

    Either JSON (``[{"tenant": "acme", "key_hash": "sha256:…", "scopes": ["erp"]}]``) or the
    compact form ``tenant:scope+scope:sha256:<hex>`` separated by ``;``.
    """
    raw = raw.strip()
    if not raw:
        return []
    if raw.startswith("["):
        parsed = json.loads(raw)
        if not isinstance(parsed, list):
            raise ValueError("API_KEYS JSON must be a list")
        return parsed
    entries: list[dict[str, object]] = []
    for chunk in filter(None, (part.strip() for part in raw.split(";"))):
        tenant, scopes, key_hash = chunk.split(":", 2)
        entries.append({"tenant": tenant, "scopes": scopes.split("+"), "key_hash": key_hash})
    return entries


def dev_api_keys_env() -> str:
    """``API_KEYS`` value for local runs: the development key with every scope."""
    return f"{DEV_TENANT}:{'+'.join(ALL_SCOPES)}:{hash_api_key(DEV_API_KEY)}"

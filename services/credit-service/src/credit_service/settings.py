from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from eventkit.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore", frozen=True)

    http_port: int = 8003

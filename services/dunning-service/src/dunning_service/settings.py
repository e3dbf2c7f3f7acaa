from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from eventkit.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore", frozen=True)

    http_port: int = 8002
    # BE B2C: interest runs from the first reminder for an SME creditor, from its deadline
    # for others (Book XIX).
    creditor_is_sme: bool = False

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from eventkit.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore", frozen=True)

    http_port: int = 8001
    max_batch_size: int = 1000
    # Which payment reference new invoices get until a tenant sets its creditor country
    # (PUT /v1/settings/payment-references): BE → OGM, NL → betalingskenmerk, other → RF.
    default_creditor_country: str = Field(default="BE", pattern=r"^[A-Z]{2}$")

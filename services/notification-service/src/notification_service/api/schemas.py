"""Response schemas of notification-service's HTTP API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel


class DossierEntryView(BaseModel):
    event_id: str
    type: str
    occurred_at: datetime
    aggregate_type: str
    aggregate_id: str
    summary: str
    payload: dict[str, Any]
    correlation_id: str


class DossierView(BaseModel):
    debtor_ref: str
    entries: list[DossierEntryView]

"""Request and response schemas of notification-service's HTTP API."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl


class DossierEntryView(BaseModel):
    event_id: str
    type: str
    occurred_at: datetime
    aggregate_type: str
    aggregate_id: str
    summary: str
    payload: dict[str, Any]
    correlation_id: str


class CauseView(BaseModel):
    event_id: str
    type: str
    key: str


class AttemptView(BaseModel):
    attempt: int
    at: datetime
    outcome: str
    status_code: int | None
    detail: str


class MessageView(BaseModel):
    message_id: str
    debtor_ref: str
    channel: str
    recipient: str
    status: str
    template_key: str
    language: str
    subject: str
    text: str
    caused_by: CauseView
    correlation_id: str
    created_at: datetime
    sent_at: datetime | None
    delivered_at: datetime | None
    failed_at: datetime | None
    failure_reason: str | None
    attempts: int
    proof: dict[str, Any] | None
    pdf_sha256: str | None
    pdf_url: str | None
    fallback_of: str | None
    fallback_channels: list[str]
    attempt_log: list[AttemptView] = []
    html: str | None = None


class DossierView(BaseModel):
    debtor_ref: str
    entries: list[DossierEntryView]
    messages: list[MessageView] = Field(
        default_factory=list,
        description="every message to the debtor, newest first (on the first page only)",
    )


class MessageList(BaseModel):
    messages: list[MessageView]


_Strict = ConfigDict(extra="forbid")


class TemplateIn(BaseModel):
    model_config = _Strict
    subject: str = Field(min_length=1, max_length=1000)
    text: str = Field(min_length=1, max_length=20000)
    html: str | None = Field(default=None, max_length=20000)
    sms: str | None = Field(default=None, max_length=2000)


class TemplateView(BaseModel):
    key: str
    language: str
    origin: Literal["default", "tenant"]
    subject: str
    text: str
    html: str | None
    sms: str | None


class TemplateSummary(BaseModel):
    key: str
    description: str
    languages: dict[str, Literal["default", "tenant"]]


class TemplateCatalog(BaseModel):
    templates: list[TemplateSummary]
    filters: list[str]


class PreviewIn(BaseModel):
    model_config = _Strict
    debtor_ref: str = Field(min_length=1, max_length=200)
    event_id: str | None = Field(default=None, max_length=36)
    template: TemplateIn | None = Field(
        default=None, description="a draft to preview instead of the template in force"
    )


class PreviewView(BaseModel):
    key: str
    language: str
    origin: str
    source_event_id: str
    source_event_type: str
    subject: str
    text: str
    html: str
    sms: str
    pdf_sha256: str
    legal_problems: list[str]


class SenderProfile(BaseModel):
    model_config = _Strict
    name: str = Field(min_length=1, max_length=200)
    enterprise_number: str | None = Field(default=None, max_length=40)
    vat_number: str | None = Field(default=None, max_length=40)
    address: list[str] = Field(default_factory=list, max_length=6)
    postal_code: str | None = Field(default=None, max_length=20)
    city: str | None = Field(default=None, max_length=100)
    country: Literal["BE", "NL"] = "BE"
    email: str | None = Field(default=None, max_length=320)
    phone: str | None = Field(default=None, max_length=40)
    iban: str | None = Field(default=None, max_length=40)
    bic: str | None = Field(default=None, max_length=11)
    website: str | None = Field(default=None, max_length=200)


class ChannelPreferences(BaseModel):
    model_config = _Strict
    channels: list[Literal["email", "letter", "sms"]] = Field(min_length=1, max_length=3)
    email: str | None = Field(default=None, max_length=320, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    phone: str | None = Field(default=None, max_length=40, pattern=r"^\+?[0-9 ]{6,20}$")


class ChannelPreferencesView(ChannelPreferences):
    debtor_ref: str


class WebhookEndpointIn(BaseModel):
    model_config = _Strict
    kind: Literal["erp", "agency"]
    url: HttpUrl
    event_types: list[str] = Field(min_length=1, max_length=50)
    secret: str | None = Field(
        default=None,
        pattern=r"^whsec_[A-Za-z0-9+/]{32,}={0,2}$",
        description="Standard Webhooks secret; generated when omitted",
    )


class WebhookEndpointView(BaseModel):
    endpoint_id: str
    kind: str
    url: str
    event_types: list[str]
    active: bool
    created_at: datetime
    secret: str | None = Field(default=None, description="shown once, when created")


class DeliveryReportIn(BaseModel):
    model_config = _Strict
    outcome: Literal["delivered", "bounced", "failed"]
    detail: str = Field(default="", max_length=1000)
    proof: dict[str, str] = Field(
        default_factory=dict, description="e.g. registered-mail tracking number, DSN id"
    )


class ResolutionIn(BaseModel):
    model_config = _Strict
    action: Literal["mark_sent", "resend", "cancel"]
    note: str = Field(min_length=1, max_length=1000)

"""Read models of notification-service, fed by the consumers."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)

from eventkit.db import NAMING, UTCDateTime

metadata = MetaData(naming_convention=NAMING)

# One row per event about a debtor; the primary key makes an event land once per tenant even
# when the projection is rebuilt from the topics.
dossier_entries = Table(
    "dossier_entries",
    metadata,
    Column("tenant_id", String(64), primary_key=True),
    Column("event_id", String(36), primary_key=True),
    Column("debtor_ref", String(200), nullable=False),
    Column("event_type", String(120), nullable=False),
    Column("occurred_at", UTCDateTime, nullable=False),
    Column("aggregate_type", String(60), nullable=False),
    Column("aggregate_id", String(200), nullable=False),
    Column("summary", String(500), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("correlation_id", String(64), nullable=False),
    Column("causation_id", String(64)),
    Index("ix_dossier_entries_timeline", "tenant_id", "debtor_ref", "occurred_at", "event_id"),
)

# --- messages and their configuration (not projections: never emptied by a rebuild) ---------

# One row per message. The primary key is the deterministic message id (tenant, cause,
# channel, recipient): recording the same intent twice is a no-op.
messages = Table(
    "messages",
    metadata,
    Column("message_id", String(36), primary_key=True),
    Column("tenant_id", String(64), nullable=False),
    Column("debtor_ref", String(200), nullable=False),
    Column("cause_key", String(200), nullable=False),
    Column("caused_by", String(36), nullable=False),
    Column("cause_type", String(120), nullable=False),
    Column("correlation_id", String(64), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("recipient", String(500), nullable=False),
    Column("template_key", String(80), nullable=False),
    Column("language", String(8), nullable=False),
    Column("status", String(16), nullable=False),
    Column("subject", String(500), nullable=False),
    Column("body_text", Text, nullable=False),
    Column("body_html", Text),
    Column("payload", JSON),
    Column("pdf", LargeBinary),
    Column("pdf_sha256", String(64)),
    Column("fallback_channels", JSON, nullable=False),
    Column("fallback_of", String(36)),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", UTCDateTime),
    Column("claimed_at", UTCDateTime),
    Column("claimed_by", String(100)),
    Column("created_at", UTCDateTime, nullable=False),
    Column("sent_at", UTCDateTime),
    Column("delivered_at", UTCDateTime),
    Column("failed_at", UTCDateTime),
    Column("proof", JSON),
    Column("failure_reason", String(1000)),
    Column("event_version", Integer, nullable=False),
    Index("ix_messages_due", "status", "next_attempt_at"),
    Index("ix_messages_debtor", "tenant_id", "debtor_ref", "created_at"),
    Index("ix_messages_cause", "tenant_id", "cause_key"),
)

# Every exchange with the outside world, for the dossier's proof and the retry schedule.
message_attempts = Table(
    "message_attempts",
    metadata,
    Column("message_id", String(36), primary_key=True),
    Column("attempt", Integer, primary_key=True),
    Column("at", UTCDateTime, nullable=False),
    Column("outcome", String(20), nullable=False),
    Column("status_code", Integer),
    Column("detail", String(2000), nullable=False),
)

# A tenant's own version of a template (else the shipped default applies).
message_templates = Table(
    "message_templates",
    metadata,
    Column("tenant_id", String(64), primary_key=True),
    Column("template_key", String(80), primary_key=True),
    Column("language", String(8), primary_key=True),
    Column("subject", String(1000), nullable=False),
    Column("text", Text, nullable=False),
    Column("html", Text),
    Column("sms", Text),
    Column("version", Integer, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("updated_by", String(200), nullable=False),
)

# The tenant as the sender of its letters (name, enterprise number, address, bank account).
tenant_senders = Table(
    "tenant_senders",
    metadata,
    Column("tenant_id", String(64), primary_key=True),
    Column("profile", JSON, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

# How a debtor wants to be reached, in order of preference.
channel_preferences = Table(
    "channel_preferences",
    metadata,
    Column("tenant_id", String(64), primary_key=True),
    Column("debtor_ref", String(200), primary_key=True),
    Column("channels", JSON, nullable=False),
    Column("email", String(320)),
    Column("phone", String(40)),
    Column("updated_at", UTCDateTime, nullable=False),
)

# Where ERP and collection-agency systems want events, and the secret they verify them with.
webhook_endpoints = Table(
    "webhook_endpoints",
    metadata,
    Column("tenant_id", String(64), primary_key=True),
    Column("endpoint_id", String(36), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("url", String(2000), nullable=False),
    Column("secret", String(200), nullable=False),
    Column("event_types", JSON, nullable=False),
    Column("active", Boolean, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

"""Read models of notification-service, fed by the consumers."""

from __future__ import annotations

from sqlalchemy import JSON, Column, Index, MetaData, String, Table

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

"""Read models of invoice-service, updated inline in each command's transaction."""

from __future__ import annotations

from sqlalchemy import JSON, Column, Date, Index, Integer, MetaData, Numeric, String, Table

from eventkit.db import NAMING, UTCDateTime

metadata = MetaData(naming_convention=NAMING)

debtors = Table(
    "debtors",
    metadata,
    Column("tenant_id", String(64), primary_key=True),
    Column("debtor_ref", String(100), primary_key=True),
    Column("legal_name", String(300), nullable=False),
    Column("kind", String(3), nullable=False),
    Column("country", String(2), nullable=False),
    Column("language", String(2), nullable=False),
    Column("profile", JSON, nullable=False),
    Column("version", Integer, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

invoices = Table(
    "invoices",
    metadata,
    Column("tenant_id", String(64), primary_key=True),
    Column("invoice_number", String(100), primary_key=True),
    Column("debtor_ref", String(100), nullable=False),
    Column("issue_date", Date, nullable=False),
    Column("due_date", Date, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("amount_due", Numeric(18, 2), nullable=False),
    Column("open_amount", Numeric(18, 2), nullable=False),
    Column("payment_reference", String(40), nullable=False),
    Column("status", String(20), nullable=False),
    Column("overdue_since", Date),
    Column("request_hash", String(64), nullable=False),
    Column("document", JSON, nullable=False),
    Column("version", Integer, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Index("ix_invoices_overdue_scan", "due_date", "status"),
    Index("ix_invoices_debtor", "tenant_id", "debtor_ref"),
)

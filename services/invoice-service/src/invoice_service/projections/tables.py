"""Read models of invoice-service, updated inline in each command's transaction."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    UniqueConstraint,
)

from eventkit.db import NAMING, BigId, UTCDateTime

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
    Column("discount_amount", Numeric(18, 2)),
    Column("discount_until", Date),
    Column("warnings", JSON),
    Index("ix_invoices_overdue_scan", "due_date", "status"),
    Index("ix_invoices_debtor", "tenant_id", "debtor_ref"),
)

credit_notes = Table(
    "credit_notes",
    metadata,
    Column("tenant_id", String(64), primary_key=True),
    Column("credit_note_number", String(100), primary_key=True),
    Column("debtor_ref", String(100), nullable=False),
    Column("issue_date", Date, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("amount", Numeric(18, 2), nullable=False),
    Column("remaining", Numeric(18, 2), nullable=False),
    Column("invoice_numbers", JSON, nullable=False),
    Column("reason", String(500)),
    Column("request_hash", String(64), nullable=False),
    Column("version", Integer, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Index("ix_credit_notes_debtor", "tenant_id", "debtor_ref"),
)

payments = Table(
    "payments",
    metadata,
    Column("tenant_id", String(64), primary_key=True),
    Column("payment_id", String(100), primary_key=True),
    Column("debtor_ref", String(100)),
    Column("amount", Numeric(18, 2), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("booking_date", Date, nullable=False),
    Column("value_date", Date),
    Column("source", String(20), nullable=False),
    Column("bank_reference", String(200)),
    Column("structured_reference", String(60)),
    Column("remittance_info", String(1000)),
    Column("counterparty_name", String(300)),
    Column("counterparty_iban", String(40)),
    Column("unallocated", Numeric(18, 2), nullable=False),
    Column("status", String(20), nullable=False),
    Column("match_method", String(30)),
    Column("reversal_reference", String(200)),
    Column("request_hash", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("tenant_id", "bank_reference", name="uq_payments_bank_reference"),
    Index("ix_payments_status", "tenant_id", "status"),
)

allocations = Table(
    "allocations",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("tenant_id", String(64), nullable=False),
    Column("source_kind", String(20), nullable=False),
    Column("source_id", String(100), nullable=False),
    Column("invoice_number", String(100), nullable=False),
    Column("debtor_ref", String(100), nullable=False),
    Column("amount", Numeric(18, 2), nullable=False),
    Column("discount", Numeric(18, 2), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("allocated_on", Date, nullable=False),
    Column("method", String(30), nullable=False),
    Column("reversed", Boolean, nullable=False),
    Index("ix_allocations_invoice", "tenant_id", "invoice_number"),
    Index("ix_allocations_source", "tenant_id", "source_kind", "source_id"),
)

"""Read models of dunning-service, projected from invoicing events."""

from __future__ import annotations

from sqlalchemy import Column, Date, Index, MetaData, Numeric, String, Table

from eventkit.db import NAMING, UTCDateTime

metadata = MetaData(naming_convention=NAMING)

# The debtor master data dunning needs to address a debtor (DebtorRegistered / DebtorUpdated).
dunning_debtors = Table(
    "dunning_debtors",
    metadata,
    Column("tenant_id", String(64), primary_key=True),
    Column("debtor_ref", String(100), primary_key=True),
    Column("legal_name", String(300), nullable=False),
    Column("kind", String(3), nullable=False),
    Column("country", String(2), nullable=False),
    Column("language", String(2), nullable=False),
    Column("email", String(320)),
    Column("updated_at", UTCDateTime, nullable=False),
)

# One row per issued invoice (InvoiceIssued), flagged overdue by PaymentOverdue.
open_items = Table(
    "open_items",
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
    Column("last_event_at", UTCDateTime, nullable=False),
    Index("ix_open_items_debtor", "tenant_id", "debtor_ref"),
)

# The case tables share this metadata (one alembic history covers the whole database).
from dunning_service.projections import case_tables  # noqa: E402, F401

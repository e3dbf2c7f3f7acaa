"""Read models of credit-service, projected from the invoicing topics."""

from __future__ import annotations

from sqlalchemy import Column, Date, Index, MetaData, Numeric, String, Table

from eventkit.db import NAMING, UTCDateTime

metadata = MetaData(naming_convention=NAMING)

# The debtor as invoicing last described it (DebtorRegistered / DebtorUpdated).
credit_debtors = Table(
    "credit_debtors",
    metadata,
    Column("tenant_id", String(64), primary_key=True),
    Column("debtor_ref", String(100), primary_key=True),
    Column("legal_name", String(300), nullable=False),
    Column("kind", String(3), nullable=False),
    Column("country", String(2), nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

# One row per issued invoice. No foreign key to credit_debtors: the debtor topic and the
# invoice topic are not ordered with respect to each other.
credit_invoices = Table(
    "credit_invoices",
    metadata,
    Column("tenant_id", String(64), primary_key=True),
    Column("invoice_number", String(100), primary_key=True),
    Column("debtor_ref", String(100), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("amount_due", Numeric(18, 2), nullable=False),
    Column("open_amount", Numeric(18, 2), nullable=False),
    Column("due_date", Date, nullable=False),
    Column("overdue_since", Date),
    Index("ix_credit_invoices_debtor", "tenant_id", "debtor_ref"),
)

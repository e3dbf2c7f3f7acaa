"""Ledger: invoice terms and warnings, credit notes, payments, allocations.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from eventkit.db import UTCDateTime

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("invoices", sa.Column("discount_amount", sa.Numeric(18, 2)))
    op.add_column("invoices", sa.Column("discount_until", sa.Date))
    op.add_column("invoices", sa.Column("warnings", sa.JSON))
    op.create_table(
        "credit_notes",
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("credit_note_number", sa.String(100), nullable=False),
        sa.Column("debtor_ref", sa.String(100), nullable=False),
        sa.Column("issue_date", sa.Date, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("amount", sa.Numeric(18, 2), nullable=False),
        sa.Column("remaining", sa.Numeric(18, 2), nullable=False),
        sa.Column("invoice_numbers", sa.JSON, nullable=False),
        sa.Column("reason", sa.String(500)),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "credit_note_number", name="pk_credit_notes"),
    )
    op.create_index("ix_credit_notes_debtor", "credit_notes", ["tenant_id", "debtor_ref"])
    op.create_table(
        "payments",
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("payment_id", sa.String(100), nullable=False),
        sa.Column("debtor_ref", sa.String(100)),
        sa.Column("amount", sa.Numeric(18, 2), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("booking_date", sa.Date, nullable=False),
        sa.Column("value_date", sa.Date),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("bank_reference", sa.String(200)),
        sa.Column("structured_reference", sa.String(60)),
        sa.Column("remittance_info", sa.String(1000)),
        sa.Column("counterparty_name", sa.String(300)),
        sa.Column("counterparty_iban", sa.String(40)),
        sa.Column("unallocated", sa.Numeric(18, 2), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("match_method", sa.String(30)),
        sa.Column("reversal_reference", sa.String(200)),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "payment_id", name="pk_payments"),
        sa.UniqueConstraint("tenant_id", "bank_reference", name="uq_payments_bank_reference"),
    )
    op.create_index("ix_payments_status", "payments", ["tenant_id", "status"])
    big_id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    op.create_table(
        "allocations",
        sa.Column("id", big_id, primary_key=True, autoincrement=True),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("source_kind", sa.String(20), nullable=False),
        sa.Column("source_id", sa.String(100), nullable=False),
        sa.Column("invoice_number", sa.String(100), nullable=False),
        sa.Column("debtor_ref", sa.String(100), nullable=False),
        sa.Column("amount", sa.Numeric(18, 2), nullable=False),
        sa.Column("discount", sa.Numeric(18, 2), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("allocated_on", sa.Date, nullable=False),
        sa.Column("method", sa.String(30), nullable=False),
        sa.Column("reversed", sa.Boolean, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_allocations"),
    )
    op.create_index("ix_allocations_invoice", "allocations", ["tenant_id", "invoice_number"])
    op.create_index(
        "ix_allocations_source", "allocations", ["tenant_id", "source_kind", "source_id"]
    )


def downgrade() -> None:
    op.drop_table("allocations")
    op.drop_table("payments")
    op.drop_table("credit_notes")
    with op.batch_alter_table("invoices") as batch:
        batch.drop_column("warnings")
        batch.drop_column("discount_until")
        batch.drop_column("discount_amount")

"""Infrastructure tables, debtors and invoices.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from eventkit.db import UTCDateTime
from eventkit.migrations import create_infrastructure_tables_v1

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_infrastructure_tables_v1()
    op.create_table(
        "debtors",
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("debtor_ref", sa.String(100), nullable=False),
        sa.Column("legal_name", sa.String(300), nullable=False),
        sa.Column("kind", sa.String(3), nullable=False),
        sa.Column("country", sa.String(2), nullable=False),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column("profile", sa.JSON, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "debtor_ref", name="pk_debtors"),
    )
    op.create_table(
        "invoices",
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("invoice_number", sa.String(100), nullable=False),
        sa.Column("debtor_ref", sa.String(100), nullable=False),
        sa.Column("issue_date", sa.Date, nullable=False),
        sa.Column("due_date", sa.Date, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("amount_due", sa.Numeric(18, 2), nullable=False),
        sa.Column("open_amount", sa.Numeric(18, 2), nullable=False),
        sa.Column("payment_reference", sa.String(40), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("overdue_since", sa.Date),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("document", sa.JSON, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "invoice_number", name="pk_invoices"),
    )
    op.create_index("ix_invoices_overdue_scan", "invoices", ["due_date", "status"])
    op.create_index("ix_invoices_debtor", "invoices", ["tenant_id", "debtor_ref"])


def downgrade() -> None:
    for table in (
        "invoices",
        "debtors",
        "clock_state",
        "service_lease",
        "projection_checkpoint",
        "inbox",
        "outbox",
        "event_store",
    ):
        op.drop_table(table)

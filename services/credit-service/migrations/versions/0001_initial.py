"""Infrastructure tables, the debtor and invoice projections.

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
        "credit_debtors",
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("debtor_ref", sa.String(100), nullable=False),
        sa.Column("legal_name", sa.String(300), nullable=False),
        sa.Column("kind", sa.String(3), nullable=False),
        sa.Column("country", sa.String(2), nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "debtor_ref", name="pk_credit_debtors"),
    )
    op.create_table(
        "credit_invoices",
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("invoice_number", sa.String(100), nullable=False),
        sa.Column("debtor_ref", sa.String(100), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("amount_due", sa.Numeric(18, 2), nullable=False),
        sa.Column("open_amount", sa.Numeric(18, 2), nullable=False),
        sa.Column("due_date", sa.Date, nullable=False),
        sa.Column("overdue_since", sa.Date),
        sa.PrimaryKeyConstraint("tenant_id", "invoice_number", name="pk_credit_invoices"),
    )
    op.create_index("ix_credit_invoices_debtor", "credit_invoices", ["tenant_id", "debtor_ref"])


def downgrade() -> None:
    for table in (
        "credit_invoices",
        "credit_debtors",
        "clock_state",
        "service_lease",
        "projection_checkpoint",
        "inbox",
        "outbox",
        "event_store",
    ):
        op.drop_table(table)

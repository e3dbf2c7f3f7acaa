"""Payment reference schemes, tenant reference settings, bank identifiers on payments and the
unmatched-reversal queue.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from eventkit.db import UTCDateTime

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("invoices", sa.Column("payment_reference_scheme", sa.String(20)))
    op.execute(
        "UPDATE invoices SET payment_reference_scheme = CASE WHEN payment_reference LIKE '+++%' "
        "THEN 'be_ogm' WHEN payment_reference LIKE 'RF%' THEN 'iso11649' ELSE 'unstructured' END"
    )
    op.create_index("ix_invoices_payment_reference", "invoices", ["tenant_id", "payment_reference"])
    for name, length in (
        ("account_iban", 40),
        ("servicer_reference", 100),
        ("end_to_end_id", 100),
        ("instruction_id", 100),
        ("transaction_id", 100),
    ):
        op.add_column("payments", sa.Column(name, sa.String(length)))
    op.create_index("ix_payments_end_to_end", "payments", ["tenant_id", "end_to_end_id"])
    op.create_table(
        "tenant_settings",
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("creditor_country", sa.String(2), nullable=False),
        sa.Column("reference_scheme", sa.String(20)),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", name="pk_tenant_settings"),
    )
    op.create_table(
        "unmatched_reversals",
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("reversal_id", sa.String(100), nullable=False),
        sa.Column("bank_reference", sa.String(200), nullable=False),
        sa.Column("account_iban", sa.String(40)),
        sa.Column("amount", sa.Numeric(18, 2), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("booking_date", sa.Date, nullable=False),
        sa.Column("end_to_end_id", sa.String(100)),
        sa.Column("instruction_id", sa.String(100)),
        sa.Column("transaction_id", sa.String(100)),
        sa.Column("original_bank_reference", sa.String(100)),
        sa.Column("counterparty_iban", sa.String(40)),
        sa.Column("counterparty_name", sa.String(300)),
        sa.Column("reference", sa.String(60)),
        sa.Column("remittance_info", sa.String(1000)),
        sa.Column("return_reason", sa.String(35)),
        sa.Column("reason", sa.String(300), nullable=False),
        sa.Column("candidates", sa.JSON, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("resolved_payment_id", sa.String(100)),
        sa.Column("resolution_note", sa.String(500)),
        sa.Column("resolved_at", UTCDateTime),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "reversal_id", name="pk_unmatched_reversals"),
        sa.UniqueConstraint(
            "tenant_id", "bank_reference", name="uq_unmatched_reversals_bank_reference"
        ),
    )
    op.create_index("ix_unmatched_reversals_status", "unmatched_reversals", ["tenant_id", "status"])


def downgrade() -> None:
    op.drop_table("unmatched_reversals")
    op.drop_table("tenant_settings")
    op.drop_index("ix_payments_end_to_end", "payments")
    with op.batch_alter_table("payments") as batch:
        for name in (
            "transaction_id",
            "instruction_id",
            "end_to_end_id",
            "servicer_reference",
            "account_iban",
        ):
            batch.drop_column(name)
    op.drop_index("ix_invoices_payment_reference", "invoices")
    with op.batch_alter_table("invoices") as batch:
        batch.drop_column("payment_reference_scheme")

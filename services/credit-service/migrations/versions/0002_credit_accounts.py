"""Credit accounts: dated settlements, dunning facts, accounts, limit requests, credit reports,
decisions; invoices keep their issue date and the day they were settled.

Invoices projected before this revision have no issue date: rebuild the consumer group
(``credit-service --rebuild credit-service.exposure``) to fill it from the topics.

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
    op.add_column("credit_invoices", sa.Column("issue_date", sa.Date))
    op.add_column("credit_invoices", sa.Column("closed_on", sa.Date))
    op.create_table(
        "credit_settlements",
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("event_id", sa.String(36), nullable=False),
        sa.Column("invoice_number", sa.String(100), nullable=False),
        sa.Column("debtor_ref", sa.String(100), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("source_id", sa.String(100)),
        sa.Column("settled_on", sa.Date, nullable=False),
        sa.Column("amount", sa.Numeric(18, 2), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "event_id", name="pk_credit_settlements"),
    )
    op.create_index(
        "ix_credit_settlements_invoice", "credit_settlements", ["tenant_id", "invoice_number"]
    )
    op.create_index("ix_credit_settlements_settled_on", "credit_settlements", ["settled_on"])
    op.create_table(
        "credit_disputes",
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("dispute_id", sa.String(100), nullable=False),
        sa.Column("debtor_ref", sa.String(100), nullable=False),
        sa.Column("invoice_number", sa.String(100), nullable=False),
        sa.Column("opened_on", sa.Date),
        sa.Column("resolved_on", sa.Date),
        sa.PrimaryKeyConstraint("tenant_id", "dispute_id", name="pk_credit_disputes"),
    )
    op.create_index("ix_credit_disputes_debtor", "credit_disputes", ["tenant_id", "debtor_ref"])
    op.create_table(
        "credit_dunning_incidents",
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("event_id", sa.String(36), nullable=False),
        sa.Column("debtor_ref", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("reference", sa.String(100), nullable=False),
        sa.Column("occurred_on", sa.Date, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "event_id", name="pk_credit_dunning_incidents"),
    )
    op.create_index(
        "ix_credit_dunning_incidents_debtor",
        "credit_dunning_incidents",
        ["tenant_id", "debtor_ref", "occurred_on"],
    )
    op.create_table(
        "credit_accounts",
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("debtor_ref", sa.String(100), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("limits", sa.JSON, nullable=False),
        sa.Column("over_limit", sa.JSON, nullable=False),
        sa.Column("exposure", sa.JSON, nullable=False),
        sa.Column("overdue", sa.JSON, nullable=False),
        sa.Column("oldest_overdue_since", sa.Date),
        sa.Column("on_hold", sa.Boolean, nullable=False),
        sa.Column("hold_reasons", sa.JSON, nullable=False),
        sa.Column("hold_placed_by", sa.String(200)),
        sa.Column("hold_since", sa.Date),
        sa.Column("overridden", sa.JSON, nullable=False),
        sa.Column("escalated_since", sa.Date),
        sa.Column("risk_class", sa.String(1)),
        sa.Column("score", sa.Integer),
        sa.Column("score_currency", sa.String(3)),
        sa.Column("score_parts", sa.JSON),
        sa.Column("scored_on", sa.Date),
        sa.Column("deteriorated_on", sa.Date),
        sa.Column("reviewed_on", sa.Date),
        sa.Column("review_due_on", sa.Date),
        sa.Column("review_flagged_for", sa.Date),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "debtor_ref", name="pk_credit_accounts"),
    )
    op.create_index("ix_credit_accounts_review", "credit_accounts", ["tenant_id", "review_due_on"])
    op.create_table(
        "credit_limit_requests",
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("request_id", sa.String(36), nullable=False),
        sa.Column("debtor_ref", sa.String(100), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("limit", sa.Numeric(18, 2), nullable=False),
        sa.Column("reason", sa.String(500)),
        sa.Column("requested_by", sa.String(200), nullable=False),
        sa.Column("requested_at", UTCDateTime, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("decided_by", sa.String(200)),
        sa.Column("decided_at", UTCDateTime),
        sa.Column("decision_note", sa.String(500)),
        sa.PrimaryKeyConstraint("tenant_id", "request_id", name="pk_credit_limit_requests"),
    )
    op.create_index(
        "ix_credit_limit_requests_status", "credit_limit_requests", ["tenant_id", "status"]
    )
    op.create_table(
        "credit_reports",
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("report_id", sa.String(100), nullable=False),
        sa.Column("debtor_ref", sa.String(100), nullable=False),
        sa.Column("source", sa.String(100), nullable=False),
        sa.Column("score", sa.Numeric(12, 2), nullable=False),
        sa.Column("scale_min", sa.Numeric(12, 2), nullable=False),
        sa.Column("scale_max", sa.Numeric(12, 2), nullable=False),
        sa.Column("higher_is_better", sa.Boolean, nullable=False),
        sa.Column("limit_advice", sa.Numeric(18, 2)),
        sa.Column("limit_advice_currency", sa.String(3)),
        sa.Column("reported_on", sa.Date, nullable=False),
        sa.Column("received_at", UTCDateTime, nullable=False),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "report_id", name="pk_credit_reports"),
    )
    op.create_index(
        "ix_credit_reports_debtor", "credit_reports", ["tenant_id", "debtor_ref", "reported_on"]
    )
    op.create_table(
        "credit_decisions",
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("decision_id", sa.String(36), nullable=False),
        sa.Column("debtor_ref", sa.String(100), nullable=False),
        sa.Column("order_ref", sa.String(100)),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("order_amount", sa.Numeric(18, 2), nullable=False),
        sa.Column("outcome", sa.String(30), nullable=False),
        sa.Column("prepayment_pct", sa.Integer),
        sa.Column("prepayment_amount", sa.Numeric(18, 2)),
        sa.Column("headroom", sa.Numeric(18, 2)),
        sa.Column("risk_class", sa.String(1)),
        sa.Column("reasons", sa.JSON, nullable=False),
        sa.Column("as_of", sa.Date, nullable=False),
        sa.Column("decided_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "decision_id", name="pk_credit_decisions"),
    )
    op.create_index(
        "ix_credit_decisions_debtor",
        "credit_decisions",
        ["tenant_id", "debtor_ref", "decided_at"],
    )


def downgrade() -> None:
    for table in (
        "credit_decisions",
        "credit_reports",
        "credit_limit_requests",
        "credit_accounts",
        "credit_dunning_incidents",
        "credit_disputes",
        "credit_settlements",
    ):
        op.drop_table(table)
    with op.batch_alter_table("credit_invoices") as batch:
        batch.drop_column("closed_on")
        batch.drop_column("issue_date")

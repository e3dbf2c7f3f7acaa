"""Infrastructure tables and the debtor dossier.

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
        "dossier_entries",
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("event_id", sa.String(36), nullable=False),
        sa.Column("debtor_ref", sa.String(200), nullable=False),
        sa.Column("event_type", sa.String(120), nullable=False),
        sa.Column("occurred_at", UTCDateTime, nullable=False),
        sa.Column("aggregate_type", sa.String(60), nullable=False),
        sa.Column("aggregate_id", sa.String(200), nullable=False),
        sa.Column("summary", sa.String(500), nullable=False),
        sa.Column("payload", sa.JSON, nullable=False),
        sa.Column("correlation_id", sa.String(64), nullable=False),
        sa.Column("causation_id", sa.String(64)),
        sa.PrimaryKeyConstraint("tenant_id", "event_id", name="pk_dossier_entries"),
    )
    op.create_index(
        "ix_dossier_entries_timeline",
        "dossier_entries",
        ["tenant_id", "debtor_ref", "occurred_at", "event_id"],
    )


def downgrade() -> None:
    for table in (
        "dossier_entries",
        "clock_state",
        "service_lease",
        "projection_checkpoint",
        "inbox",
        "outbox",
        "event_store",
    ):
        op.drop_table(table)

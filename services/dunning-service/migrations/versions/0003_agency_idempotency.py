"""Agency reports carry the agency's Idempotency-Key: a repeated report is answered with the
first one instead of being recorded twice.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("agency_updates", sa.Column("idempotency_key", sa.String(200)))
    op.add_column("agency_updates", sa.Column("request_hash", sa.String(64)))
    op.create_index(
        "ux_agency_updates_idempotency",
        "agency_updates",
        ["tenant_id", "idempotency_key"],
        unique=True,
    )


def downgrade() -> None:
    op.drop_index("ux_agency_updates_idempotency", table_name="agency_updates")
    with op.batch_alter_table("agency_updates") as batch:
        batch.drop_column("request_hash")
        batch.drop_column("idempotency_key")

"""Credit notes say where they came from (a credit note or a negative invoice) and how they
were settled (against the referenced invoices or as an open credit).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("credit_notes", sa.Column("source", sa.String(20)))
    op.add_column("credit_notes", sa.Column("settlement", sa.String(20)))


def downgrade() -> None:
    with op.batch_alter_table("credit_notes") as batch:
        batch.drop_column("settlement")
        batch.drop_column("source")

"""Messages with their attempts, tenant templates, sender profiles, channel preferences and
webhook endpoints.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
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
    op.create_table(
        "messages",
        sa.Column("message_id", sa.String(36), nullable=False),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("debtor_ref", sa.String(200), nullable=False),
        sa.Column("cause_key", sa.String(200), nullable=False),
        sa.Column("caused_by", sa.String(36), nullable=False),
        sa.Column("cause_type", sa.String(120), nullable=False),
        sa.Column("correlation_id", sa.String(64), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("recipient", sa.String(500), nullable=False),
        sa.Column("template_key", sa.String(80), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("subject", sa.String(500), nullable=False),
        sa.Column("body_text", sa.Text, nullable=False),
        sa.Column("body_html", sa.Text),
        sa.Column("payload", sa.JSON),
        sa.Column("pdf", sa.LargeBinary),
        sa.Column("pdf_sha256", sa.String(64)),
        sa.Column("fallback_channels", sa.JSON, nullable=False),
        sa.Column("fallback_of", sa.String(36)),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", UTCDateTime),
        sa.Column("claimed_at", UTCDateTime),
        sa.Column("claimed_by", sa.String(100)),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("sent_at", UTCDateTime),
        sa.Column("delivered_at", UTCDateTime),
        sa.Column("failed_at", UTCDateTime),
        sa.Column("proof", sa.JSON),
        sa.Column("failure_reason", sa.String(1000)),
        sa.Column("event_version", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("message_id", name="pk_messages"),
    )
    op.create_index("ix_messages_due", "messages", ["status", "next_attempt_at"])
    op.create_index("ix_messages_debtor", "messages", ["tenant_id", "debtor_ref", "created_at"])
    op.create_index("ix_messages_cause", "messages", ["tenant_id", "cause_key"])
    op.create_table(
        "message_attempts",
        sa.Column("message_id", sa.String(36), nullable=False),
        sa.Column("attempt", sa.Integer, nullable=False),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("status_code", sa.Integer),
        sa.Column("detail", sa.String(2000), nullable=False),
        sa.PrimaryKeyConstraint("message_id", "attempt", name="pk_message_attempts"),
    )
    op.create_table(
        "message_templates",
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("template_key", sa.String(80), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("subject", sa.String(1000), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("html", sa.Text),
        sa.Column("sms", sa.Text),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.Column("updated_by", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint(
            "tenant_id", "template_key", "language", name="pk_message_templates"
        ),
    )
    op.create_table(
        "tenant_senders",
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("profile", sa.JSON, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", name="pk_tenant_senders"),
    )
    op.create_table(
        "channel_preferences",
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("debtor_ref", sa.String(200), nullable=False),
        sa.Column("channels", sa.JSON, nullable=False),
        sa.Column("email", sa.String(320)),
        sa.Column("phone", sa.String(40)),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "debtor_ref", name="pk_channel_preferences"),
    )
    op.create_table(
        "webhook_endpoints",
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("endpoint_id", sa.String(36), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("url", sa.String(2000), nullable=False),
        sa.Column("secret", sa.String(200), nullable=False),
        sa.Column("event_types", sa.JSON, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "endpoint_id", name="pk_webhook_endpoints"),
    )


def downgrade() -> None:
    for table in (
        "webhook_endpoints",
        "channel_preferences",
        "tenant_senders",
        "message_templates",
        "message_attempts",
        "messages",
    ):
        op.drop_table(table)

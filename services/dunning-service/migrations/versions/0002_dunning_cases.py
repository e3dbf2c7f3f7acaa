"""Dunning cases: policies (versioned, with steps, minimums and assignments), per-invoice
dunning state, holds (disputes, promises, payment plans, manual), reminders, worklist, notes,
agency updates; debtor contacts and risk class.

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

TABLES = (
    "dunning_debtor_contacts",
    "debtor_risk",
    "dunning_policies",
    "dunning_policy_steps",
    "dunning_policy_minimums",
    "dunning_policy_assignments",
    "dunning_cases",
    "dunning_items",
    "dunning_reminders",
    "worklist_tasks",
    "disputes",
    "promises",
    "payment_plans",
    "manual_holds",
    "case_notes",
    "agency_updates",
)


def upgrade() -> None:
    op.create_table(
        "dunning_debtor_contacts",
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("debtor_ref", sa.String(100), nullable=False),
        sa.Column("phone", sa.String(40)),
        sa.Column("postal_address", sa.JSON, nullable=False),
        sa.Column("enterprise_number", sa.String(40)),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "debtor_ref", name="pk_dunning_debtor_contacts"),
    )
    op.create_table(
        "debtor_risk",
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("debtor_ref", sa.String(100), nullable=False),
        sa.Column("risk_class", sa.String(1), nullable=False),
        sa.Column("score", sa.Integer, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "debtor_ref", name="pk_debtor_risk"),
    )
    op.create_table(
        "dunning_policies",
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("policy_id", sa.String(100), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("effective_from", sa.Date, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("claim_interest", sa.Boolean, nullable=False),
        sa.Column("claim_costs", sa.Boolean, nullable=False),
        sa.Column("document", sa.JSON, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "policy_id", "version", name="pk_dunning_policies"),
    )
    op.create_table(
        "dunning_policy_steps",
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("policy_id", sa.String(100), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("step", sa.Integer, nullable=False),
        sa.Column("action", sa.String(30), nullable=False),
        sa.Column("channel", sa.String(10), nullable=False),
        sa.Column("template_key", sa.String(100), nullable=False),
        sa.Column("offset_days", sa.Integer, nullable=False),
        sa.Column("relative_to", sa.String(20), nullable=False),
        sa.Column("fee", sa.Numeric(18, 2), nullable=False),
        sa.Column("final_term_days", sa.Integer, nullable=False),
        sa.Column("approval_required", sa.Boolean, nullable=False),
        sa.Column("is_claim", sa.Boolean, nullable=False),
        sa.Column("gap_business", sa.Integer, nullable=False),
        sa.Column("gap_consumer", sa.Integer, nullable=False),
        sa.Column("agency", sa.String(100)),
        sa.PrimaryKeyConstraint(
            "tenant_id", "policy_id", "version", "step", name="pk_dunning_policy_steps"
        ),
    )
    op.create_table(
        "dunning_policy_minimums",
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("policy_id", sa.String(100), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("min_amount", sa.Numeric(18, 2), nullable=False),
        sa.PrimaryKeyConstraint(
            "tenant_id", "policy_id", "version", "currency", name="pk_dunning_policy_minimums"
        ),
    )
    op.create_table(
        "dunning_policy_assignments",
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("assignment_id", sa.String(40), nullable=False),
        sa.Column("policy_id", sa.String(100), nullable=False),
        sa.Column("priority", sa.Integer, nullable=False),
        sa.Column("debtor_ref", sa.String(100)),
        sa.Column("kind", sa.String(3)),
        sa.Column("country", sa.String(2)),
        sa.Column("risk_class", sa.String(1)),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "assignment_id", name="pk_dunning_policy_assignments"),
    )
    op.create_table(
        "dunning_cases",
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("debtor_ref", sa.String(100), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("policy_tenant", sa.String(64)),
        sa.Column("policy_id", sa.String(100)),
        sa.Column("policy_version", sa.Integer),
        sa.Column("agency", sa.String(100)),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "debtor_ref", name="pk_dunning_cases"),
    )
    op.create_table(
        "dunning_items",
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("invoice_number", sa.String(100), nullable=False),
        sa.Column("debtor_ref", sa.String(100), nullable=False),
        sa.Column("due_date", sa.Date, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("debtor_kind", sa.String(3), nullable=False),
        sa.Column("policy_tenant", sa.String(64)),
        sa.Column("policy_id", sa.String(100)),
        sa.Column("policy_version", sa.Integer),
        sa.Column("level", sa.Integer, nullable=False),
        sa.Column("next_step_date", sa.Date),
        sa.Column("stashed_next_step_date", sa.Date),
        sa.Column("last_step_on", sa.Date),
        sa.Column("first_claim_on", sa.Date),
        sa.Column("first_claim_channel", sa.String(10)),
        sa.Column("claims_sent", sa.Integer, nullable=False),
        sa.Column("awaiting_approval", sa.Boolean, nullable=False),
        sa.Column("escalated_on", sa.Date),
        sa.Column("dispute_id", sa.String(40)),
        sa.Column("promise_id", sa.String(40)),
        sa.Column("plan_id", sa.String(40)),
        sa.Column("manual_hold_id", sa.String(40)),
        sa.Column("manual_hold_until", sa.Date),
        sa.PrimaryKeyConstraint("tenant_id", "invoice_number", name="pk_dunning_items"),
    )
    op.create_index(
        "ix_dunning_items_unscheduled",
        "dunning_items",
        ["tenant_id"],
        postgresql_where=sa.text("policy_id IS NULL"),
        sqlite_where=sa.text("policy_id IS NULL"),
    )
    op.create_index("ix_dunning_items_next_step_date", "dunning_items", ["next_step_date"])
    op.create_index("ix_dunning_items_debtor", "dunning_items", ["tenant_id", "debtor_ref"])
    op.create_table(
        "dunning_reminders",
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("reminder_id", sa.String(40), nullable=False),
        sa.Column("debtor_ref", sa.String(100), nullable=False),
        sa.Column("step", sa.Integer, nullable=False),
        sa.Column("action", sa.String(30), nullable=False),
        sa.Column("channel", sa.String(10), nullable=False),
        sa.Column("template_key", sa.String(100), nullable=False),
        sa.Column("business_date", sa.Date, nullable=False),
        sa.Column("deadline", sa.Date),
        sa.Column("policy_id", sa.String(100), nullable=False),
        sa.Column("policy_version", sa.Integer, nullable=False),
        sa.Column("invoice_numbers", sa.JSON, nullable=False),
        sa.Column("totals", sa.JSON, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "reminder_id", name="pk_dunning_reminders"),
    )
    op.create_index("ix_dunning_reminders_debtor", "dunning_reminders", ["tenant_id", "debtor_ref"])
    op.create_table(
        "worklist_tasks",
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("task_id", sa.String(40), nullable=False),
        sa.Column("debtor_ref", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("created_on", sa.Date, nullable=False),
        sa.Column("reference", sa.String(40)),
        sa.Column("step", sa.Integer),
        sa.Column("invoice_numbers", sa.JSON, nullable=False),
        sa.Column("detail", sa.String(None), nullable=False),
        sa.Column("completed_on", sa.Date),
        sa.Column("outcome", sa.String(200)),
        sa.PrimaryKeyConstraint("tenant_id", "task_id", name="pk_worklist_tasks"),
    )
    op.create_index("ix_worklist_tasks_open", "worklist_tasks", ["tenant_id", "status"])
    op.create_table(
        "disputes",
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("dispute_id", sa.String(40), nullable=False),
        sa.Column("debtor_ref", sa.String(100), nullable=False),
        sa.Column("invoice_number", sa.String(100), nullable=False),
        sa.Column("reason", sa.String(30), nullable=False),
        sa.Column("note", sa.String(None), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("opened_on", sa.Date, nullable=False),
        sa.Column("outcome", sa.String(20)),
        sa.Column("resolved_on", sa.Date),
        sa.PrimaryKeyConstraint("tenant_id", "dispute_id", name="pk_disputes"),
    )
    op.create_index("ix_disputes_debtor", "disputes", ["tenant_id", "debtor_ref"])
    op.create_table(
        "promises",
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("promise_id", sa.String(40), nullable=False),
        sa.Column("debtor_ref", sa.String(100), nullable=False),
        sa.Column("invoice_numbers", sa.JSON, nullable=False),
        sa.Column("amount", sa.Numeric(18, 2), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("promised_date", sa.Date, nullable=False),
        sa.Column("made_on", sa.Date, nullable=False),
        sa.Column("open_at_promise", sa.Numeric(18, 2), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("closed_on", sa.Date),
        sa.PrimaryKeyConstraint("tenant_id", "promise_id", name="pk_promises"),
    )
    op.create_index("ix_promises_status", "promises", ["status"])
    op.create_table(
        "payment_plans",
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("plan_id", sa.String(40), nullable=False),
        sa.Column("debtor_ref", sa.String(100), nullable=False),
        sa.Column("invoice_numbers", sa.JSON, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("instalments", sa.JSON, nullable=False),
        sa.Column("grace_days", sa.Integer, nullable=False),
        sa.Column("agreed_on", sa.Date, nullable=False),
        sa.Column("open_at_agreement", sa.Numeric(18, 2), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("closed_on", sa.Date),
        sa.PrimaryKeyConstraint("tenant_id", "plan_id", name="pk_payment_plans"),
    )
    op.create_index("ix_payment_plans_status", "payment_plans", ["status"])
    op.create_table(
        "manual_holds",
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("hold_id", sa.String(40), nullable=False),
        sa.Column("debtor_ref", sa.String(100), nullable=False),
        sa.Column("invoice_numbers", sa.JSON, nullable=False),
        sa.Column("until", sa.Date, nullable=False),
        sa.Column("reason", sa.String(None), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "hold_id", name="pk_manual_holds"),
    )
    op.create_index("ix_manual_holds_status", "manual_holds", ["status"])
    op.create_table(
        "case_notes",
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("note_id", sa.String(40), nullable=False),
        sa.Column("debtor_ref", sa.String(100), nullable=False),
        sa.Column("author", sa.String(200), nullable=False),
        sa.Column("text", sa.String(None), nullable=False),
        sa.Column("outcome", sa.String(40)),
        sa.Column("on", sa.Date, nullable=False),
        sa.Column("task_id", sa.String(40)),
        sa.PrimaryKeyConstraint("tenant_id", "note_id", name="pk_case_notes"),
    )
    op.create_index("ix_case_notes_debtor", "case_notes", ["tenant_id", "debtor_ref"])
    op.create_table(
        "agency_updates",
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("update_id", sa.String(40), nullable=False),
        sa.Column("debtor_ref", sa.String(100), nullable=False),
        sa.Column("agency", sa.String(100), nullable=False),
        sa.Column("status", sa.String(40), nullable=False),
        sa.Column("note", sa.String(None), nullable=False),
        sa.Column("amount", sa.Numeric(18, 2)),
        sa.Column("currency", sa.String(3)),
        sa.Column("on", sa.Date, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "update_id", name="pk_agency_updates"),
    )
    op.create_index("ix_agency_updates_debtor", "agency_updates", ["tenant_id", "debtor_ref"])


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_table(table)

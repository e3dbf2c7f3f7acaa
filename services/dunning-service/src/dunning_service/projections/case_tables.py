"""Tables of the dunning cases: policies, per-invoice dunning state, holds, reminders, the
worklist, notes and agency updates. Written inline by commands and by the daily sweep (in the
same transaction as their events), so they are state, not a replayable projection — except
``dunning_debtor_contacts`` and ``debtor_risk``, which the consumer fills from events."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    Index,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    text,
)

from dunning_service.projections.tables import metadata
from eventkit.db import UTCDateTime

# Contact details beyond dunning_debtors (DebtorRegistered / DebtorUpdated).
dunning_debtor_contacts = Table(
    "dunning_debtor_contacts",
    metadata,
    Column("tenant_id", String(64), primary_key=True),
    Column("debtor_ref", String(100), primary_key=True),
    Column("phone", String(40)),
    Column("postal_address", JSON, nullable=False),
    Column("enterprise_number", String(40)),
    Column("updated_at", UTCDateTime, nullable=False),
)

# The risk class credit-service gives the debtor (RiskClassChanged).
debtor_risk = Table(
    "debtor_risk",
    metadata,
    Column("tenant_id", String(64), primary_key=True),
    Column("debtor_ref", String(100), primary_key=True),
    Column("risk_class", String(1), nullable=False),
    Column("score", Integer, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

# One row per policy version; versions never change once saved. Tenant '*': shipped defaults.
dunning_policies = Table(
    "dunning_policies",
    metadata,
    Column("tenant_id", String(64), primary_key=True),
    Column("policy_id", String(100), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("effective_from", Date, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("claim_interest", Boolean, nullable=False),
    Column("claim_costs", Boolean, nullable=False),
    Column("document", JSON, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

# The steps of a policy version, numbered from 1; the gaps are derived when saved.
dunning_policy_steps = Table(
    "dunning_policy_steps",
    metadata,
    Column("tenant_id", String(64), primary_key=True),
    Column("policy_id", String(100), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("step", Integer, primary_key=True),
    Column("action", String(30), nullable=False),
    Column("channel", String(10), nullable=False),
    Column("template_key", String(100), nullable=False),
    Column("offset_days", Integer, nullable=False),
    Column("relative_to", String(20), nullable=False),
    Column("fee", Numeric(18, 2), nullable=False),
    Column("final_term_days", Integer, nullable=False),
    Column("approval_required", Boolean, nullable=False),
    Column("is_claim", Boolean, nullable=False),
    Column("gap_business", Integer, nullable=False),
    Column("gap_consumer", Integer, nullable=False),
    Column("agency", String(100)),
)

# Tolerance: items with an open amount at or below the minimum are left alone.
dunning_policy_minimums = Table(
    "dunning_policy_minimums",
    metadata,
    Column("tenant_id", String(64), primary_key=True),
    Column("policy_id", String(100), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("currency", String(3), primary_key=True),
    Column("min_amount", Numeric(18, 2), nullable=False),
)

# Which policy a new case gets: an explicit debtor first, then the best segment match.
dunning_policy_assignments = Table(
    "dunning_policy_assignments",
    metadata,
    Column("tenant_id", String(64), primary_key=True),
    Column("assignment_id", String(40), primary_key=True),
    Column("policy_id", String(100), nullable=False),
    Column("priority", Integer, nullable=False),
    Column("debtor_ref", String(100)),
    Column("kind", String(3)),
    Column("country", String(2)),
    Column("risk_class", String(1)),
    Column("created_at", UTCDateTime, nullable=False),
)

# The per-debtor case: which policy version its items follow.
dunning_cases = Table(
    "dunning_cases",
    metadata,
    Column("tenant_id", String(64), primary_key=True),
    Column("debtor_ref", String(100), primary_key=True),
    Column("status", String(20), nullable=False),  # active | closed | with_agency
    Column("policy_tenant", String(64)),
    Column("policy_id", String(100)),
    Column("policy_version", Integer),
    Column("agency", String(100)),
    Column("updated_at", UTCDateTime, nullable=False),
)

# Per-invoice dunning state inside the debtor's case.
dunning_items = Table(
    "dunning_items",
    metadata,
    Column("tenant_id", String(64), primary_key=True),
    Column("invoice_number", String(100), primary_key=True),
    Column("debtor_ref", String(100), nullable=False),
    Column("due_date", Date, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("debtor_kind", String(3), nullable=False),
    Column("policy_tenant", String(64)),
    Column("policy_id", String(100)),
    Column("policy_version", Integer),
    Column("level", Integer, nullable=False),  # the last step done (0: none)
    Column("next_step_date", Date),
    Column("stashed_next_step_date", Date),  # kept while the invoice is closed
    Column("last_step_on", Date),
    Column("first_claim_on", Date),
    Column("first_claim_channel", String(10)),
    Column("claims_sent", Integer, nullable=False),
    Column("awaiting_approval", Boolean, nullable=False),
    Column("escalated_on", Date),
    Column("dispute_id", String(40)),
    Column("promise_id", String(40)),
    Column("plan_id", String(40)),
    Column("manual_hold_id", String(40)),
    Column("manual_hold_until", Date),
    Index("ix_dunning_items_next_step_date", "next_step_date"),
    Index("ix_dunning_items_debtor", "tenant_id", "debtor_ref"),
    Index(
        "ix_dunning_items_unscheduled",
        "tenant_id",
        postgresql_where=text("policy_id IS NULL"),
        sqlite_where=text("policy_id IS NULL"),
    ),
)

# Every step that went out (ReminderDue, hand-over), for the case file and the agency.
dunning_reminders = Table(
    "dunning_reminders",
    metadata,
    Column("tenant_id", String(64), primary_key=True),
    Column("reminder_id", String(40), primary_key=True),
    Column("debtor_ref", String(100), nullable=False),
    Column("step", Integer, nullable=False),
    Column("action", String(30), nullable=False),
    Column("channel", String(10), nullable=False),
    Column("template_key", String(100), nullable=False),
    Column("business_date", Date, nullable=False),
    Column("deadline", Date),
    Column("policy_id", String(100), nullable=False),
    Column("policy_version", Integer, nullable=False),
    Column("invoice_numbers", JSON, nullable=False),
    Column("totals", JSON, nullable=False),
    Index("ix_dunning_reminders_debtor", "tenant_id", "debtor_ref"),
)

worklist_tasks = Table(
    "worklist_tasks",
    metadata,
    Column("tenant_id", String(64), primary_key=True),
    Column("task_id", String(40), primary_key=True),
    Column("debtor_ref", String(100), nullable=False),
    Column("kind", String(30), nullable=False),
    Column("status", String(10), nullable=False),  # open | done
    Column("created_on", Date, nullable=False),
    Column("reference", String(40)),
    Column("step", Integer),
    Column("invoice_numbers", JSON, nullable=False),
    Column("detail", Text, nullable=False),
    Column("completed_on", Date),
    Column("outcome", String(200)),
    Index("ix_worklist_tasks_open", "tenant_id", "status"),
)

disputes = Table(
    "disputes",
    metadata,
    Column("tenant_id", String(64), primary_key=True),
    Column("dispute_id", String(40), primary_key=True),
    Column("debtor_ref", String(100), nullable=False),
    Column("invoice_number", String(100), nullable=False),
    Column("reason", String(30), nullable=False),
    Column("note", Text, nullable=False),
    Column("status", String(20), nullable=False),  # open | awaiting_credit | resolved
    Column("opened_on", Date, nullable=False),
    Column("outcome", String(20)),
    Column("resolved_on", Date),
    Index("ix_disputes_debtor", "tenant_id", "debtor_ref"),
)

promises = Table(
    "promises",
    metadata,
    Column("tenant_id", String(64), primary_key=True),
    Column("promise_id", String(40), primary_key=True),
    Column("debtor_ref", String(100), nullable=False),
    Column("invoice_numbers", JSON, nullable=False),
    Column("amount", Numeric(18, 2), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("promised_date", Date, nullable=False),
    Column("made_on", Date, nullable=False),
    Column("open_at_promise", Numeric(18, 2), nullable=False),
    Column("status", String(10), nullable=False),  # active | kept | broken
    Column("closed_on", Date),
    Index("ix_promises_status", "status"),
)

payment_plans = Table(
    "payment_plans",
    metadata,
    Column("tenant_id", String(64), primary_key=True),
    Column("plan_id", String(40), primary_key=True),
    Column("debtor_ref", String(100), nullable=False),
    Column("invoice_numbers", JSON, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("instalments", JSON, nullable=False),
    Column("grace_days", Integer, nullable=False),
    Column("agreed_on", Date, nullable=False),
    Column("open_at_agreement", Numeric(18, 2), nullable=False),
    Column("status", String(10), nullable=False),  # active | defaulted | completed
    Column("closed_on", Date),
    Index("ix_payment_plans_status", "status"),
)

manual_holds = Table(
    "manual_holds",
    metadata,
    Column("tenant_id", String(64), primary_key=True),
    Column("hold_id", String(40), primary_key=True),
    Column("debtor_ref", String(100), nullable=False),
    Column("invoice_numbers", JSON, nullable=False),
    Column("until", Date, nullable=False),
    Column("reason", Text, nullable=False),
    Column("status", String(10), nullable=False),  # active | lifted
    Index("ix_manual_holds_status", "status"),
)

case_notes = Table(
    "case_notes",
    metadata,
    Column("tenant_id", String(64), primary_key=True),
    Column("note_id", String(40), primary_key=True),
    Column("debtor_ref", String(100), nullable=False),
    Column("author", String(200), nullable=False),
    Column("text", Text, nullable=False),
    Column("outcome", String(40)),
    Column("on", Date, nullable=False),
    Column("task_id", String(40)),
    Index("ix_case_notes_debtor", "tenant_id", "debtor_ref"),
)

agency_updates = Table(
    "agency_updates",
    metadata,
    Column("tenant_id", String(64), primary_key=True),
    Column("update_id", String(40), primary_key=True),
    Column("debtor_ref", String(100), nullable=False),
    Column("agency", String(100), nullable=False),
    Column("status", String(40), nullable=False),
    Column("note", Text, nullable=False),
    Column("amount", Numeric(18, 2)),
    Column("currency", String(3)),
    Column("on", Date, nullable=False),
    # The agency's Idempotency-Key and the digest of the request it came with: a repeat answers
    # with the first update, the same key with another request is refused.
    Column("idempotency_key", String(200)),
    Column("request_hash", String(64)),
    Index("ix_agency_updates_debtor", "tenant_id", "debtor_ref"),
    Index("ux_agency_updates_idempotency", "tenant_id", "idempotency_key", unique=True),
)

"""Read models of credit-service.

Projected from the invoicing and dunning topics: ``credit_debtors``, ``credit_invoices``,
``credit_settlements``, ``credit_disputes``, ``credit_dunning_incidents``. Written by the
service's own commands and rule evaluations: ``credit_accounts`` (the state of each debtor's
credit account), ``credit_limit_requests``, ``credit_reports`` and ``credit_decisions``.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
)

from eventkit.db import NAMING, UTCDateTime

metadata = MetaData(naming_convention=NAMING)

# The debtor as invoicing last described it (DebtorRegistered / DebtorUpdated).
credit_debtors = Table(
    "credit_debtors",
    metadata,
    Column("tenant_id", String(64), primary_key=True),
    Column("debtor_ref", String(100), primary_key=True),
    Column("legal_name", String(300), nullable=False),
    Column("kind", String(3), nullable=False),
    Column("country", String(2), nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

# One row per issued invoice. No foreign key to credit_debtors: the debtor topic and the
# invoice topic are not ordered with respect to each other. ``issue_date`` is null while only
# a PaymentOverdue is known; ``closed_on`` is the last day the open amount reached 0 (null
# while open): it lets "as of" queries skip invoices settled long before.
credit_invoices = Table(
    "credit_invoices",
    metadata,
    Column("tenant_id", String(64), primary_key=True),
    Column("invoice_number", String(100), primary_key=True),
    Column("debtor_ref", String(100), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("amount_due", Numeric(18, 2), nullable=False),
    Column("open_amount", Numeric(18, 2), nullable=False),
    Column("due_date", Date, nullable=False),
    Column("overdue_since", Date),
    Column("issue_date", Date),
    Column("closed_on", Date),
    Index("ix_credit_invoices_debtor", "tenant_id", "debtor_ref"),
)

# Every dated change to what is applied to an invoice, one row per event: a payment or credit
# note applied (amount + discount), its reversal (negative), a cancellation or write-off (the
# amount it took off). "As of" figures are sums over these rows up to a date, never balances.
credit_settlements = Table(
    "credit_settlements",
    metadata,
    Column("tenant_id", String(64), primary_key=True),
    Column("event_id", String(36), primary_key=True),
    Column("invoice_number", String(100), nullable=False),
    Column("debtor_ref", String(100), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("kind", String(30), nullable=False),
    Column("source_id", String(100)),
    Column("settled_on", Date, nullable=False),
    Column("amount", Numeric(18, 2), nullable=False),
    Index("ix_credit_settlements_invoice", "tenant_id", "invoice_number"),
    Index("ix_credit_settlements_settled_on", "settled_on"),
)

# Disputes as dunning reports them; open while ``resolved_on`` is null.
credit_disputes = Table(
    "credit_disputes",
    metadata,
    Column("tenant_id", String(64), primary_key=True),
    Column("dispute_id", String(100), primary_key=True),
    Column("debtor_ref", String(100), nullable=False),
    Column("invoice_number", String(100), nullable=False),
    Column("opened_on", Date),
    Column("resolved_on", Date),
    Index("ix_credit_disputes_debtor", "tenant_id", "debtor_ref"),
)

# Dated dunning outcomes that weigh on the score: broken promises, defaulted payment plans,
# escalations to collection. One row per event.
credit_dunning_incidents = Table(
    "credit_dunning_incidents",
    metadata,
    Column("tenant_id", String(64), primary_key=True),
    Column("event_id", String(36), primary_key=True),
    Column("debtor_ref", String(100), nullable=False),
    Column("kind", String(30), nullable=False),
    Column("reference", String(100), nullable=False),
    Column("occurred_on", Date, nullable=False),
    Index("ix_credit_dunning_incidents_debtor", "tenant_id", "debtor_ref", "occurred_on"),
)

# The credit account of a debtor: the state the account's commands and rules work on (loaded
# and saved with each of them; ``version`` is the version of its event stream) and the
# snapshot a credit decision reads in one primary-key lookup (limits, exposure, hold, class).
credit_accounts = Table(
    "credit_accounts",
    metadata,
    Column("tenant_id", String(64), primary_key=True),
    Column("debtor_ref", String(100), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("limits", JSON, nullable=False),
    Column("over_limit", JSON, nullable=False),
    Column("exposure", JSON, nullable=False),
    Column("overdue", JSON, nullable=False),
    Column("oldest_overdue_since", Date),
    Column("on_hold", Boolean, nullable=False),
    Column("hold_reasons", JSON, nullable=False),
    Column("hold_placed_by", String(200)),
    Column("hold_since", Date),
    Column("overridden", JSON, nullable=False),
    Column("escalated_since", Date),
    Column("risk_class", String(1)),
    Column("score", Integer),
    Column("score_currency", String(3)),
    Column("score_parts", JSON),
    Column("scored_on", Date),
    Column("deteriorated_on", Date),
    Column("reviewed_on", Date),
    Column("review_due_on", Date),
    Column("review_flagged_for", Date),
    Column("updated_at", UTCDateTime, nullable=False),
    Index("ix_credit_accounts_review", "tenant_id", "review_due_on"),
)

# Credit limits above the approval threshold wait here for a second person.
credit_limit_requests = Table(
    "credit_limit_requests",
    metadata,
    Column("tenant_id", String(64), primary_key=True),
    Column("request_id", String(36), primary_key=True),
    Column("debtor_ref", String(100), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("limit", Numeric(18, 2), nullable=False),
    Column("reason", String(500)),
    Column("requested_by", String(200), nullable=False),
    Column("requested_at", UTCDateTime, nullable=False),
    Column("status", String(20), nullable=False),
    Column("decided_by", String(200)),
    Column("decided_at", UTCDateTime),
    Column("decision_note", String(500)),
    Index("ix_credit_limit_requests_status", "tenant_id", "status"),
)

# External credit data posted by ops or a connector.
credit_reports = Table(
    "credit_reports",
    metadata,
    Column("tenant_id", String(64), primary_key=True),
    Column("report_id", String(100), primary_key=True),
    Column("debtor_ref", String(100), nullable=False),
    Column("source", String(100), nullable=False),
    Column("score", Numeric(12, 2), nullable=False),
    Column("scale_min", Numeric(12, 2), nullable=False),
    Column("scale_max", Numeric(12, 2), nullable=False),
    Column("higher_is_better", Boolean, nullable=False),
    Column("limit_advice", Numeric(18, 2)),
    Column("limit_advice_currency", String(3)),
    Column("reported_on", Date, nullable=False),
    Column("received_at", UTCDateTime, nullable=False),
    Column("request_hash", String(64), nullable=False),
    Index("ix_credit_reports_debtor", "tenant_id", "debtor_ref", "reported_on"),
)

# Every credit decision given to the ERP, as answered.
credit_decisions = Table(
    "credit_decisions",
    metadata,
    Column("tenant_id", String(64), primary_key=True),
    Column("decision_id", String(36), primary_key=True),
    Column("debtor_ref", String(100), nullable=False),
    Column("order_ref", String(100)),
    Column("currency", String(3), nullable=False),
    Column("order_amount", Numeric(18, 2), nullable=False),
    Column("outcome", String(30), nullable=False),
    Column("prepayment_pct", Integer),
    Column("prepayment_amount", Numeric(18, 2)),
    Column("headroom", Numeric(18, 2)),
    Column("risk_class", String(1)),
    Column("reasons", JSON, nullable=False),
    Column("as_of", Date, nullable=False),
    Column("decided_at", UTCDateTime, nullable=False),
    Index("ix_credit_decisions_debtor", "tenant_id", "debtor_ref", "decided_at"),
)

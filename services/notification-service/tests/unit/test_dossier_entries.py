"""Pure logic of the dossier: which debtor an event concerns and how it is summarised."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from contracts.invoicing import (
    DebtorProfile,
    DebtorRegistered,
    DebtorUpdated,
    InvoiceIssued,
    PaymentOverdue,
)
from contracts.registry import build_registry
from eventkit.clock import SimulatedClock
from eventkit.envelope import Envelope, new_envelope
from eventkit.events import DomainEvent
from notification_service.domain.dossier import SUMMARY_MAX, debtor_ref_of, entry_for, summarise

REGISTRY = build_registry()
CLOCK = SimulatedClock(datetime(2026, 12, 2, 6, 0, tzinfo=UTC))
PROFILE = DebtorProfile(legal_name="Brouwerij Janssens BV", kind="B2B", country="BE", language="nl")


class CaseOpened(DomainEvent):
    """A type the contracts do not know (yet)."""

    event_type = "dunning.CaseOpened"
    case_id: str


def envelope(
    event: DomainEvent, *, aggregate_type: str, aggregate_id: str, key: str | None = None
) -> Envelope:
    return new_envelope(
        event,
        tenant_id="acme",
        aggregate_type=aggregate_type,
        aggregate_id=aggregate_id,
        aggregate_version=1,
        clock=CLOCK,
        producer="test",
        partition_key=key,
    )


def issued(number: str = "INV-1", amount: str = "1210.00") -> InvoiceIssued:
    return InvoiceIssued(
        invoice_number=number,
        debtor_ref="D-1",
        debtor_kind="B2B",
        issue_date=date(2026, 11, 1),
        due_date=date(2026, 12, 1),
        currency="EUR",
        net_total=Decimal("1000.00"),
        vat_total=Decimal("210.00"),
        amount_due=Decimal(amount),
        payment_reference="+++000/0000/00097+++",
    )


@pytest.mark.parametrize(
    ("payload", "key", "expected"),
    [
        ({"debtor_ref": "D-1"}, "acme:D-2", "D-1"),
        ({}, "acme:D-2", "D-2"),
        ({"debtor_ref": ""}, "acme:D-2", "D-2"),
        ({"debtor_ref": None}, "acme:D-2", "D-2"),
        ({}, "acme:D:with:colons", "D:with:colons"),
        ({}, "acme:", None),
        ({}, "no-debtor-here", None),
        ({}, "", None),
    ],
)
def test_debtor_ref_from_payload_then_partition_key(
    payload: dict[str, Any], key: str, expected: str | None
) -> None:
    assert debtor_ref_of(payload, key) == expected


def test_known_events_read_as_one_liners() -> None:
    overdue = PaymentOverdue(
        invoice_number="INV-1",
        debtor_ref="D-1",
        due_date=date(2026, 12, 1),
        overdue_since=date(2026, 12, 2),
        open_amount=Decimal("1210"),
        currency="EUR",
    )
    updated = DebtorUpdated(debtor_ref="D-1", profile=PROFILE, changed=["email", "phone"])
    cases = [
        (envelope(issued(), aggregate_type="invoice", aggregate_id="INV-1"),
         "Invoice INV-1 issued: EUR 1210.00 due 2026-12-01"),
        (envelope(overdue, aggregate_type="invoice", aggregate_id="INV-1"),
         "Invoice INV-1 overdue since 2026-12-02: EUR 1210.00 open"),
        (envelope(DebtorRegistered(debtor_ref="D-1", profile=PROFILE),
                  aggregate_type="debtor", aggregate_id="D-1"),
         "Debtor registered: Brouwerij Janssens BV"),
        (envelope(updated, aggregate_type="debtor", aggregate_id="D-1"),
         "Debtor updated: Brouwerij Janssens BV (email, phone)"),
    ]  # fmt: skip
    for env, summary in cases:
        assert summarise(env, REGISTRY) == summary


def test_unknown_and_unreadable_events_get_the_generic_summary() -> None:
    unknown = envelope(CaseOpened(case_id="C-9"), aggregate_type="case", aggregate_id="C-9")
    assert summarise(unknown, REGISTRY) == "Case opened (dunning case C-9)"
    valid = envelope(issued(), aggregate_type="invoice", aggregate_id="INV-1")
    broken = replace(valid, payload={"invoice_number": "INV-1"})
    assert summarise(broken, REGISTRY) == "Invoice issued (invoicing invoice INV-1)"
    newer = replace(valid, schema_version=7)  # a schema this build cannot upcast to
    assert summarise(newer, REGISTRY) == "Invoice issued (invoicing invoice INV-1)"


def test_overlong_summaries_are_cut_to_the_column() -> None:
    profile = PROFILE.model_copy(update={"legal_name": "N" * 600})
    env = envelope(
        DebtorRegistered(debtor_ref="D-1", profile=profile),
        aggregate_type="debtor",
        aggregate_id="D-1",
    )
    summary = summarise(env, REGISTRY)
    assert len(summary) == SUMMARY_MAX
    assert summary.endswith("…")


def test_entry_carries_the_envelope_and_skips_events_without_debtor() -> None:
    env = envelope(issued(), aggregate_type="invoice", aggregate_id="INV-1", key="acme:D-1")
    entry = entry_for(env, REGISTRY)
    assert entry is not None
    assert (entry.tenant_id, entry.debtor_ref, entry.event_id) == ("acme", "D-1", str(env.event_id))
    assert (entry.event_type, entry.aggregate_type, entry.aggregate_id) == (
        "invoicing.InvoiceIssued", "invoice", "INV-1",
    )  # fmt: skip
    assert entry.occurred_at == CLOCK.now()
    assert entry.payload == env.payload
    assert entry.correlation_id == env.correlation_id
    orphan = envelope(CaseOpened(case_id="C-1"), aggregate_type="case", aggregate_id="C-1", key="x")
    assert entry_for(orphan, REGISTRY) is None


def test_dunning_and_notification_events_read_as_sentences() -> None:
    from contracts.dunning import AgencyCaseUpdated, DisputeResolved, DunningPaused

    update = AgencyCaseUpdated(
        debtor_ref="D-1", agency="incasso-nl", status="payment_plan", note="3 months",
        on=date(2026, 3, 2),
    )  # fmt: skip
    resolved = DisputeResolved(
        dispute_id="X", debtor_ref="D-1", invoice_number="INV-1", outcome="rejected",
        resolved_on=date(2026, 3, 2),
    )  # fmt: skip
    paused = DunningPaused(debtor_ref="D-1", invoice_numbers=["INV-1"], reason="dispute")
    cases = [
        (update, "Collection agency incasso-nl reports status 'payment_plan': 3 months"),
        (resolved, "Dispute on INV-1 rejected; reminders resume"),
        (paused, "Reminders paused for INV-1 because of a dispute"),
    ]
    for event, summary in cases:
        env = envelope(event, aggregate_type="case", aggregate_id="D-1")
        assert summarise(env, REGISTRY) == summary

"""Golden samples: one realistic record per public event type, as it travels on Kafka.

One story runs through them: tenant ``acme`` sells hops to Brouwerij Janssens BV (``D-1001``,
Belgian B2B), issues INV-2026-0001 for EUR 1,210.00 due 2026-02-04, reminds, and finally hands
the file to the collection agency ``incasso-noord``. ``python -m contracts.schemas --write``
renders each sample into ``shared/contracts/schemas/<type>/v<version>.sample.json`` with the
CloudEvents headers the real codec writes; the contract tests check that every sample validates
against its published schema and survives a round trip through the model.

A new event type needs a sample here (the tests say so); a new optional field does not.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from contracts import credit, dunning, invoicing, notification
from eventkit.events import DomainEvent
from eventkit.timekeeping import CLOCK_AGGREGATE, SYSTEM_TENANT, ClockAdvanced

TENANT = "acme"
DEBTOR = "D-1001"
INVOICE = "INV-2026-0001"
OGM = "+++020/2600/00178+++"
AGENCY = "incasso-noord"


@dataclass(frozen=True)
class Sample:
    """An event with the envelope facts a service adds when it publishes it."""

    event: DomainEvent
    aggregate_type: str
    aggregate_id: str
    occurred_at: datetime
    tenant_id: str = TENANT
    partition_key: str = f"{TENANT}:{DEBTOR}"
    aggregate_version: int = 1


def sample_event_id(event_type: str, occurred_at: datetime) -> uuid.UUID:
    """A stable UUIDv7: the sample's time in the first 48 bits, the type's hash after."""
    millis = int(occurred_at.timestamp() * 1000)
    rest = uuid.uuid5(uuid.NAMESPACE_URL, f"urn:creditmgmt:sample:{event_type}").int
    value = (millis << 80) | (rest & ((1 << 80) - 1))
    value = (value & ~(0xF << 76)) | (0x7 << 76)  # version 7
    value = (value & ~(0x3 << 62)) | (0x2 << 62)  # RFC 4122 variant
    return uuid.UUID(int=value)


def _at(day: str, hour: int = 9) -> datetime:
    return datetime.combine(date.fromisoformat(day), datetime.min.time(), tzinfo=UTC).replace(
        hour=hour
    )


def _d(day: str) -> date:
    return date.fromisoformat(day)


PROFILE = invoicing.DebtorProfile(
    legal_name="Brouwerij Janssens BV",
    kind="B2B",
    country="BE",
    language="nl",
    email="boekhouding@janssens.example",
    phone="+32 3 123 45 67",
    vat_number="BE0403170701",
    enterprise_number="0403.170.701",
    address=invoicing.PostalAddress(
        street="Brouwerijstraat 12", postal_code="2000", city="Antwerpen", country="BE"
    ),
    payment_terms_days=30,
    po_required=False,
    iban=["BE71096123456769"],
)

EXPLANATIONS = [
    dunning.Explanation(
        rule="BE late payment interest (Law of 2 August 2002)",
        detail="1000.00 × 10.50 % × 50/365 days from 2026-02-05",
        amount=Decimal("14.38"),
    ),
    dunning.Explanation(
        rule="BE fixed compensation for recovery costs",
        detail="EUR 40.00 per invoice",
        amount=Decimal("40.00"),
    ),
]
ITEM = dunning.ReminderItem(
    invoice_number=INVOICE,
    issue_date=_d("2026-01-05"),
    due_date=_d("2026-02-04"),
    days_overdue=50,
    currency="EUR",
    open_amount=Decimal("1000.00"),
    interest=Decimal("14.38"),
    fees=Decimal("40.00"),
    explanations=EXPLANATIONS,
)
TOTALS = dunning.ReminderTotals(
    currency="EUR",
    principal=Decimal("1000.00"),
    interest=Decimal("14.38"),
    fees=Decimal("40.00"),
    total=Decimal("1054.38"),
)

_SAMPLES: list[Sample] = [
    # --- invoicing --------------------------------------------------------------------------
    Sample(
        invoicing.DebtorRegistered(debtor_ref=DEBTOR, profile=PROFILE),
        "debtor",
        DEBTOR,
        _at("2026-01-05", 8),
    ),
    Sample(
        invoicing.DebtorUpdated(
            debtor_ref=DEBTOR,
            profile=PROFILE.model_copy(update={"email": "ap@janssens.example"}),
            changed=["email"],
        ),
        "debtor",
        DEBTOR,
        _at("2026-01-20"),
        aggregate_version=2,
    ),
    Sample(
        invoicing.InvoiceIssued(
            invoice_number=INVOICE,
            debtor_ref=DEBTOR,
            debtor_kind="B2B",
            issue_date=_d("2026-01-05"),
            due_date=_d("2026-02-04"),
            currency="EUR",
            net_total=Decimal("1000.00"),
            vat_total=Decimal("210.00"),
            amount_due=Decimal("1210.00"),
            payment_reference=OGM,
            po_number="PO-77812",
            lines=[
                invoicing.InvoiceLine(
                    description="Saaz hop pellets, 25 kg",
                    quantity=Decimal("10"),
                    unit_price=Decimal("100.00"),
                    net_amount=Decimal("1000.00"),
                    vat_rate=Decimal("21.00"),
                    vat_amount=Decimal("210.00"),
                )
            ],
        ),
        "invoice",
        INVOICE,
        _at("2026-01-05"),
    ),
    Sample(
        invoicing.InvoiceTermsSet(
            invoice_number=INVOICE,
            debtor_ref=DEBTOR,
            discount=invoicing.EarlyPaymentDiscount(
                percent=Decimal("2.00"), until=_d("2026-01-15"), amount=Decimal("1185.80")
            ),
            warnings=[],
        ),
        "invoice",
        INVOICE,
        _at("2026-01-05"),
        aggregate_version=2,
    ),
    Sample(
        invoicing.PaymentOverdue(
            invoice_number=INVOICE,
            debtor_ref=DEBTOR,
            due_date=_d("2026-02-04"),
            overdue_since=_d("2026-02-05"),
            open_amount=Decimal("1210.00"),
            currency="EUR",
        ),
        "invoice",
        INVOICE,
        _at("2026-02-05", 0),
        aggregate_version=3,
    ),
    Sample(
        invoicing.CreditNoteIssued(
            credit_note_number="CN-2026-0001",
            debtor_ref=DEBTOR,
            issue_date=_d("2026-02-06"),
            currency="EUR",
            amount=Decimal("210.00"),
            invoice_numbers=[INVOICE],
            reason="two sacks damaged in transport",
        ),
        "credit_note",
        "CN-2026-0001",
        _at("2026-02-06"),
    ),
    Sample(
        invoicing.PaymentReceived(
            payment_id="PAY-3F2A9C0B7D1E4A5B6C7D",
            debtor_ref=DEBTOR,
            amount=Decimal("500.00"),
            currency="EUR",
            booking_date=_d("2026-02-10"),
            value_date=_d("2026-02-10"),
            source="bank_statement",
            bank_reference="2026021000042",
            structured_reference=OGM,
            remittance_info=None,
            counterparty_name="BROUWERIJ JANSSENS BV",
            counterparty_iban="BE71096123456769",
        ),
        "payment",
        "PAY-3F2A9C0B7D1E4A5B6C7D",
        _at("2026-02-10", 7),
    ),
    Sample(
        invoicing.PaymentAllocated(
            source_kind="payment",
            source_id="PAY-3F2A9C0B7D1E4A5B6C7D",
            invoice_number=INVOICE,
            debtor_ref=DEBTOR,
            amount=Decimal("500.00"),
            discount=Decimal("0.00"),
            currency="EUR",
            allocated_on=_d("2026-02-10"),
            method="structured_reference",
            open_amount_after=Decimal("500.00"),
        ),
        "invoice",
        INVOICE,
        _at("2026-02-10", 7),
        aggregate_version=5,
    ),
    Sample(
        invoicing.InvoicePartiallyPaid(
            invoice_number=INVOICE, debtor_ref=DEBTOR, open_amount=Decimal("500.00"), currency="EUR"
        ),
        "invoice",
        INVOICE,
        _at("2026-02-10", 7),
        aggregate_version=6,
    ),
    Sample(
        invoicing.PaymentAllocationReversed(
            source_kind="payment",
            source_id="PAY-3F2A9C0B7D1E4A5B6C7D",
            invoice_number=INVOICE,
            debtor_ref=DEBTOR,
            amount=Decimal("500.00"),
            discount=Decimal("0.00"),
            currency="EUR",
            reversed_on=_d("2026-02-12"),
            open_amount_after=Decimal("1000.00"),
        ),
        "invoice",
        INVOICE,
        _at("2026-02-12", 7),
        aggregate_version=7,
    ),
    Sample(
        invoicing.PaymentReversed(
            payment_id="PAY-3F2A9C0B7D1E4A5B6C7D",
            debtor_ref=DEBTOR,
            amount=Decimal("500.00"),
            currency="EUR",
            reversed_on=_d("2026-02-12"),
            bank_reference="2026021200007",
        ),
        "payment",
        "PAY-3F2A9C0B7D1E4A5B6C7D",
        _at("2026-02-12", 7),
        aggregate_version=2,
    ),
    Sample(
        invoicing.PaymentUnmatched(
            payment_id="PAY-91C0D2E3F4A5B6C7D8E9",
            debtor_ref=None,
            unallocated=Decimal("75.00"),
            currency="EUR",
            reason="no reference, no known IBAN",
        ),
        "payment",
        "PAY-91C0D2E3F4A5B6C7D8E9",
        _at("2026-02-10", 7),
        partition_key=f"{TENANT}:PAY-91C0D2E3F4A5B6C7D8E9",
    ),
    Sample(
        invoicing.ReversalUnmatched(
            reversal_id="REV-7E21A0C3D4B5",
            bank_reference="2026021300019",
            account_iban="BE68539007547034",
            amount=Decimal("500.00"),
            currency="EUR",
            booking_date=_d("2026-02-13"),
            end_to_end_id="JANSSENS-20260210-1",
            counterparty_iban="BE71096123456769",
            return_reason="AC04",
            reason="two payments match the returned amount and counterparty",
            candidates=["PAY-3F2A9C0B7D1E4A5B6C7D", "PAY-55D0E1F2A3B4C5D6E7F8"],
        ),
        "reversal",
        "REV-7E21A0C3D4B5",
        _at("2026-02-13", 7),
        partition_key=f"{TENANT}:REV-7E21A0C3D4B5",
    ),
    Sample(
        invoicing.ReversalResolved(
            reversal_id="REV-7E21A0C3D4B5",
            resolution="payment_reversed",
            payment_id="PAY-3F2A9C0B7D1E4A5B6C7D",
            note="the bank confirmed the return of the 10 February transfer",
        ),
        "reversal",
        "REV-7E21A0C3D4B5",
        _at("2026-02-14", 10),
        aggregate_version=2,
        partition_key=f"{TENANT}:REV-7E21A0C3D4B5",
    ),
    Sample(
        invoicing.InvoicePaid(
            invoice_number=INVOICE, debtor_ref=DEBTOR, paid_on=_d("2026-04-02"), currency="EUR"
        ),
        "invoice",
        INVOICE,
        _at("2026-04-02", 7),
        aggregate_version=9,
    ),
    Sample(
        invoicing.InvoiceReopened(
            invoice_number=INVOICE,
            debtor_ref=DEBTOR,
            open_amount=Decimal("1000.00"),
            currency="EUR",
        ),
        "invoice",
        INVOICE,
        _at("2026-02-12", 7),
        aggregate_version=8,
    ),
    Sample(
        invoicing.InvoiceCancelled(
            invoice_number="INV-2026-0002",
            debtor_ref=DEBTOR,
            cancelled_on=_d("2026-01-07"),
            reason="issued twice by the ERP",
        ),
        "invoice",
        "INV-2026-0002",
        _at("2026-01-07"),
        aggregate_version=2,
    ),
    Sample(
        invoicing.InvoiceWrittenOff(
            invoice_number="INV-2025-0917",
            debtor_ref=DEBTOR,
            amount=Decimal("35.20"),
            currency="EUR",
            written_off_on=_d("2026-03-31"),
            reason="below collection threshold",
        ),
        "invoice",
        "INV-2025-0917",
        _at("2026-03-31", 16),
        aggregate_version=4,
    ),
    # --- dunning ----------------------------------------------------------------------------
    Sample(
        dunning.ReminderDue(
            reminder_id="0194a1b2-7c3d-7e4f-8a5b-6c7d8e9f0a1b",
            debtor_ref=DEBTOR,
            debtor_name="Brouwerij Janssens BV",
            language="nl",
            email="ap@janssens.example",
            phone="+32 3 123 45 67",
            postal_address=["Brouwerij Janssens BV", "Brouwerijstraat 12", "2000 Antwerpen"],
            pack="BE_B2B",
            policy_id="default-BE_B2B",
            policy_version=1,
            step=2,
            action="reminder",
            channel="email",
            template_key="first_reminder",
            business_date=_d("2026-02-07"),
            deadline=_d("2026-02-15"),
            items=[
                ITEM.model_copy(
                    update={
                        "days_overdue": 3,
                        "interest": Decimal("0.86"),
                        "explanations": [
                            EXPLANATIONS[0].model_copy(
                                update={
                                    "detail": "1000.00 × 10.50 % × 3/365 days from 2026-02-05",
                                    "amount": Decimal("0.86"),
                                }
                            ),
                            EXPLANATIONS[1],
                        ],
                    }
                )
            ],
            totals=[
                TOTALS.model_copy(update={"interest": Decimal("0.86"), "total": Decimal("1040.86")})
            ],
            legal_notes=["Interest at the statutory rate for commercial transactions (10.50 %)."],
        ),
        "reminder",
        "0194a1b2-7c3d-7e4f-8a5b-6c7d8e9f0a1b",
        _at("2026-02-07", 0),
    ),
    Sample(
        dunning.DisputeOpened(
            dispute_id="0194a1b2-8d4e-7f50-9b6c-7d8e9f0a1b2c",
            debtor_ref=DEBTOR,
            invoice_number=INVOICE,
            reason="damaged",
            note="two sacks arrived torn",
            opened_on=_d("2026-02-09"),
        ),
        "dispute",
        "0194a1b2-8d4e-7f50-9b6c-7d8e9f0a1b2c",
        _at("2026-02-09", 10),
    ),
    Sample(
        dunning.DisputeResolved(
            dispute_id="0194a1b2-8d4e-7f50-9b6c-7d8e9f0a1b2c",
            debtor_ref=DEBTOR,
            invoice_number=INVOICE,
            outcome="credited",
            note="credit note CN-2026-0001 for the damaged sacks",
            resolved_on=_d("2026-02-06"),
        ),
        "dispute",
        "0194a1b2-8d4e-7f50-9b6c-7d8e9f0a1b2c",
        _at("2026-02-11", 14),
        aggregate_version=2,
    ),
    Sample(
        dunning.PromiseToPayMade(
            promise_id="0194a1b2-9e5f-7061-8c7d-8e9f0a1b2c3d",
            debtor_ref=DEBTOR,
            invoice_numbers=[INVOICE],
            amount=Decimal("1000.00"),
            currency="EUR",
            promised_date=_d("2026-02-20"),
            made_on=_d("2026-02-12"),
        ),
        "promise",
        "0194a1b2-9e5f-7061-8c7d-8e9f0a1b2c3d",
        _at("2026-02-12", 11),
    ),
    Sample(
        dunning.PromiseToPayKept(
            promise_id="0194a1b2-9e5f-7061-8c7d-8e9f0a1b2c3d",
            debtor_ref=DEBTOR,
            kept_on=_d("2026-02-19"),
        ),
        "promise",
        "0194a1b2-9e5f-7061-8c7d-8e9f0a1b2c3d",
        _at("2026-02-20", 0),
        aggregate_version=2,
    ),
    Sample(
        dunning.PromiseToPayBroken(
            promise_id="0194a1b2-9e5f-7061-8c7d-8e9f0a1b2c3d",
            debtor_ref=DEBTOR,
            invoice_numbers=[INVOICE],
            amount_missing=Decimal("1000.00"),
            currency="EUR",
            broken_on=_d("2026-02-21"),
        ),
        "promise",
        "0194a1b2-9e5f-7061-8c7d-8e9f0a1b2c3d",
        _at("2026-02-21", 0),
        aggregate_version=2,
    ),
    Sample(
        dunning.PaymentPlanAgreed(
            plan_id="0194a1b2-af60-7172-9d8e-9f0a1b2c3d4e",
            debtor_ref=DEBTOR,
            invoice_numbers=[INVOICE],
            currency="EUR",
            instalments=[
                dunning.Instalment(due_date=_d("2026-02-28"), amount=Decimal("500.00")),
                dunning.Instalment(due_date=_d("2026-03-31"), amount=Decimal("500.00")),
            ],
            grace_days=5,
            agreed_on=_d("2026-02-13"),
        ),
        "payment_plan",
        "0194a1b2-af60-7172-9d8e-9f0a1b2c3d4e",
        _at("2026-02-13", 15),
    ),
    Sample(
        dunning.InstalmentMissed(
            plan_id="0194a1b2-af60-7172-9d8e-9f0a1b2c3d4e",
            debtor_ref=DEBTOR,
            instalment_due=_d("2026-02-28"),
            amount_missing=Decimal("500.00"),
            currency="EUR",
        ),
        "payment_plan",
        "0194a1b2-af60-7172-9d8e-9f0a1b2c3d4e",
        _at("2026-03-06", 0),
        aggregate_version=2,
    ),
    Sample(
        dunning.PaymentPlanDefaulted(
            plan_id="0194a1b2-af60-7172-9d8e-9f0a1b2c3d4e",
            debtor_ref=DEBTOR,
            defaulted_on=_d("2026-03-06"),
        ),
        "payment_plan",
        "0194a1b2-af60-7172-9d8e-9f0a1b2c3d4e",
        _at("2026-03-06", 0),
        aggregate_version=3,
    ),
    Sample(
        dunning.PaymentPlanCompleted(
            plan_id="0194a1b2-af60-7172-9d8e-9f0a1b2c3d4e",
            debtor_ref=DEBTOR,
            completed_on=_d("2026-03-30"),
        ),
        "payment_plan",
        "0194a1b2-af60-7172-9d8e-9f0a1b2c3d4e",
        _at("2026-03-31", 0),
        aggregate_version=3,
    ),
    Sample(
        dunning.DunningPaused(
            debtor_ref=DEBTOR,
            invoice_numbers=[INVOICE],
            reason="dispute",
            until=None,
        ),
        "dispute",
        "0194a1b2-8d4e-7f50-9b6c-7d8e9f0a1b2c",
        _at("2026-02-09", 10),
        aggregate_version=2,
    ),
    Sample(
        dunning.DunningResumed(
            debtor_ref=DEBTOR, invoice_numbers=[INVOICE], reason="dispute rejected"
        ),
        "dispute",
        "0194a1b2-8d4e-7f50-9b6c-7d8e9f0a1b2c",
        _at("2026-02-11", 14),
        aggregate_version=3,
    ),
    Sample(
        dunning.DebtorEscalatedToCollection(
            debtor_ref=DEBTOR,
            debtor_name="Brouwerij Janssens BV",
            agency=AGENCY,
            escalated_on=_d("2026-03-26"),
            items=[ITEM],
            totals=[TOTALS],
            history=[
                dunning.CaseFileEntry(
                    kind="reminder", on=_d("2026-01-30"), summary="pre-due reminder by email"
                ),
                dunning.CaseFileEntry(
                    kind="reminder", on=_d("2026-02-07"), summary="first reminder by email"
                ),
                dunning.CaseFileEntry(
                    kind="promise", on=_d("2026-02-12"), summary="promised 1000.00 by 2026-02-20"
                ),
                dunning.CaseFileEntry(
                    kind="reminder", on=_d("2026-03-11"), summary="formal notice by letter"
                ),
            ],
        ),
        "escalation",
        f"{DEBTOR}:2026-03-26",
        _at("2026-03-26", 0),
    ),
    Sample(
        dunning.AgencyCaseUpdated(
            debtor_ref=DEBTOR,
            agency=AGENCY,
            status="payment_collected",
            note="collected EUR 1054.38 on 2026-04-02 for INV-2026-0001 (ref IN-2026-5531)",
            on=_d("2026-04-02"),
        ),
        "agency_update",
        "0194a1b2-c182-7394-8fa0-b1c2d3e4f506",
        _at("2026-04-02", 13),
    ),
    Sample(
        dunning.NoteRecorded(
            debtor_ref=DEBTOR,
            note_id="0194a1b2-d293-74a5-90b1-c2d3e4f50617",
            author="m.peeters",
            text="Spoke to the accountant; payment run on Friday.",
            outcome="promised",
            on=_d("2026-02-12"),
        ),
        "note",
        "0194a1b2-d293-74a5-90b1-c2d3e4f50617",
        _at("2026-02-12", 11),
    ),
    # --- credit -----------------------------------------------------------------------------
    Sample(
        credit.CreditLimitChanged(
            debtor_ref=DEBTOR,
            currency="EUR",
            limit=Decimal("25000.00"),
            previous=Decimal("10000.00"),
            set_by="j.claes",
            approved_by="a.wouters",
        ),
        "account",
        DEBTOR,
        _at("2026-01-06", 10),
    ),
    Sample(
        credit.CreditLimitExceeded(
            debtor_ref=DEBTOR,
            currency="EUR",
            limit=Decimal("25000.00"),
            exposure=Decimal("26210.00"),
        ),
        "account",
        DEBTOR,
        _at("2026-01-20", 10),
        aggregate_version=2,
    ),
    Sample(
        credit.CreditHoldPlaced(
            debtor_ref=DEBTOR,
            reasons=["exposure above limit", "invoices more than 30 days overdue"],
            placed_by="rules",
        ),
        "account",
        DEBTOR,
        _at("2026-03-07", 0),
        aggregate_version=3,
    ),
    Sample(
        credit.CreditHoldLifted(debtor_ref=DEBTOR, reason="account clean", lifted_by="rules"),
        "account",
        DEBTOR,
        _at("2026-04-02", 13),
        aggregate_version=5,
    ),
    Sample(
        credit.RiskClassChanged(
            debtor_ref=DEBTOR,
            risk_class="D",
            previous="B",
            score=38,
            reasons=["average days to pay rose from 12 to 41", "broken promise"],
        ),
        "account",
        DEBTOR,
        _at("2026-03-07", 0),
        aggregate_version=4,
    ),
    Sample(
        credit.PaymentBehaviourDeteriorated(
            debtor_ref=DEBTOR,
            baseline_days_to_pay=Decimal("12.00"),
            recent_days_to_pay=Decimal("41.50"),
            detected_on=_d("2026-03-07"),
            rule="recent average days to pay more than 15 days above the 12-month baseline",
        ),
        "account",
        DEBTOR,
        _at("2026-03-07", 0),
        aggregate_version=4,
    ),
    Sample(
        credit.CreditReviewDue(debtor_ref=DEBTOR, due_on=_d("2026-07-01"), risk_class="D"),
        "account",
        DEBTOR,
        _at("2026-07-01", 0),
        aggregate_version=6,
    ),
    # --- notification -----------------------------------------------------------------------
    Sample(
        notification.NotificationSent(
            message_id="0194a1b2-e3a4-75b6-81c2-d3e4f5061728",
            debtor_ref=DEBTOR,
            channel="email",
            recipient="ap@janssens.example",
            template_key="first_reminder",
            language="nl",
            caused_by="0194a1b2-7c3d-7e4f-8a5b-6c7d8e9f0a1b",
            proof='{"smtp_message_id": "<0194a1b2e3a4@acme.example>", "smtp_reply": "250 OK"}',
        ),
        "message",
        "0194a1b2-e3a4-75b6-81c2-d3e4f5061728",
        _at("2026-02-07", 0),
    ),
    Sample(
        notification.NotificationDelivered(
            message_id="0194a1b2-e3a4-75b6-81c2-d3e4f5061728", debtor_ref=DEBTOR, channel="email"
        ),
        "message",
        "0194a1b2-e3a4-75b6-81c2-d3e4f5061728",
        _at("2026-02-07", 0),
        aggregate_version=2,
    ),
    Sample(
        notification.NotificationFailed(
            message_id="0194a1b2-f4b5-76c7-92d3-e4f506172839",
            debtor_ref=DEBTOR,
            channel="sms",
            reason="number unreachable",
            fallback_channel="letter",
            needs_ops=False,
        ),
        "message",
        "0194a1b2-f4b5-76c7-92d3-e4f506172839",
        _at("2026-02-28", 0),
        aggregate_version=2,
    ),
    # --- system -----------------------------------------------------------------------------
    Sample(
        ClockAdvanced(to=_at("2026-02-07", 11)),
        CLOCK_AGGREGATE,
        "clock",
        _at("2026-02-07", 11),
        tenant_id=SYSTEM_TENANT,
        partition_key=SYSTEM_TENANT,
    ),
]

SAMPLES: dict[str, Sample] = {s.event.event_type: s for s in _SAMPLES}

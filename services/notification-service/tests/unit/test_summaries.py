"""The one-liners of the ledger's events (payments, allocations, credit notes, closing)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from contracts.invoicing import (
    CreditNoteIssued,
    EarlyPaymentDiscount,
    InvoiceCancelled,
    InvoicePaid,
    InvoicePartiallyPaid,
    InvoiceReopened,
    InvoiceTermsSet,
    InvoiceWrittenOff,
    PaymentAllocated,
    PaymentAllocationReversed,
    PaymentReceived,
    PaymentReversed,
    PaymentUnmatched,
)
from eventkit.events import DomainEvent
from notification_service.domain.summaries import describe, money

D = Decimal


def allocated(**changes: object) -> PaymentAllocated:
    values: dict[str, object] = {
        "source_kind": "payment",
        "source_id": "PAY-7",
        "invoice_number": "INV-1",
        "debtor_ref": "D-1",
        "amount": D("121.00"),
        "discount": D("0.00"),
        "currency": "EUR",
        "allocated_on": date(2026, 2, 1),
        "method": "structured_reference",
        "open_amount_after": D("0.00"),
    }
    values.update(changes)
    return PaymentAllocated.model_validate(values)


def reversed_allocation(**changes: object) -> PaymentAllocationReversed:
    values: dict[str, object] = {
        "source_kind": "payment",
        "source_id": "PAY-7",
        "invoice_number": "INV-1",
        "debtor_ref": "D-1",
        "amount": D("121.00"),
        "discount": D("0.00"),
        "currency": "EUR",
        "reversed_on": date(2026, 2, 3),
        "open_amount_after": D("121.00"),
    }
    values.update(changes)
    return PaymentAllocationReversed.model_validate(values)


def received(**changes: object) -> PaymentReceived:
    values: dict[str, object] = {
        "payment_id": "PAY-7",
        "debtor_ref": "D-1",
        "amount": D("300"),
        "currency": "EUR",
        "booking_date": date(2026, 2, 1),
        "source": "bank_statement",
    }
    values.update(changes)
    return PaymentReceived.model_validate(values)


def credit_note(**changes: object) -> CreditNoteIssued:
    values: dict[str, object] = {
        "credit_note_number": "CN-1",
        "debtor_ref": "D-1",
        "issue_date": date(2026, 2, 1),
        "currency": "EUR",
        "amount": D("50"),
    }
    values.update(changes)
    return CreditNoteIssued.model_validate(values)


CASES: list[tuple[DomainEvent, str]] = [
    (
        allocated(),
        "Payment of EUR 121.00 allocated to INV-1 (structured reference); EUR 0.00 open",
    ),
    (
        allocated(amount=D("50.00"), method="iban_amount", open_amount_after=D("71.00")),
        "Payment of EUR 50.00 allocated to INV-1 (IBAN and amount); EUR 71.00 open",
    ),
    (
        allocated(amount=D("118.58"), discount=D("2.42"), method="manual"),
        "Payment of EUR 118.58 allocated to INV-1 (manual), discount EUR 2.42; EUR 0.00 open",
    ),
    (
        allocated(
            source_kind="credit_note",
            source_id="CN-1",
            amount=D("50.00"),
            method="credit_note",
            open_amount_after=D("71.00"),
        ),
        "Credit note CN-1 of EUR 50.00 allocated to INV-1; EUR 71.00 open",
    ),
    (
        reversed_allocation(),
        "Payment of EUR 121.00 on INV-1 reversed on 2026-02-03; EUR 121.00 open",
    ),
    (
        reversed_allocation(
            source_kind="credit_note", source_id="CN-1", amount=D("50"), discount=D("1.5")
        ),
        "Credit note CN-1 of EUR 50.00 (discount EUR 1.50) on INV-1 reversed on 2026-02-03; "
        "EUR 121.00 open",
    ),
    (received(), "Payment PAY-7 received: EUR 300.00"),
    (
        received(counterparty_name="Brouwerij Janssens BV", debtor_ref=None),
        "Payment PAY-7 received: EUR 300.00 from Brouwerij Janssens BV",
    ),
    (
        PaymentUnmatched(
            payment_id="PAY-7",
            debtor_ref=None,
            unallocated=D("300"),
            currency="EUR",
            reason="no invoice matches the reference",
        ),
        "Payment PAY-7 unmatched: EUR 300.00 (no invoice matches the reference)",
    ),
    (
        PaymentReversed(
            payment_id="PAY-7",
            debtor_ref="D-1",
            amount=D("300"),
            currency="EUR",
            reversed_on=date(2026, 2, 3),
        ),
        "Payment PAY-7 reversed on 2026-02-03: EUR 300.00",
    ),
    (credit_note(), "Credit note CN-1 issued: EUR 50.00"),
    (
        credit_note(invoice_numbers=["INV-1", "INV-2"], reason="damaged goods"),
        "Credit note CN-1 issued: EUR 50.00 for INV-1, INV-2 (damaged goods)",
    ),
    (
        InvoicePartiallyPaid(
            invoice_number="INV-1", debtor_ref="D-1", open_amount=D("71"), currency="EUR"
        ),
        "Invoice INV-1 partially paid: EUR 71.00 open",
    ),
    (
        InvoicePaid(
            invoice_number="INV-1", debtor_ref="D-1", paid_on=date(2026, 2, 1), currency="EUR"
        ),
        "Invoice INV-1 paid on 2026-02-01",
    ),
    (
        InvoiceReopened(
            invoice_number="INV-1", debtor_ref="D-1", open_amount=D("121"), currency="EUR"
        ),
        "Invoice INV-1 reopened: EUR 121.00 open",
    ),
    (
        InvoiceCancelled(
            invoice_number="INV-1",
            debtor_ref="D-1",
            cancelled_on=date(2026, 2, 1),
            reason="issued twice",
        ),
        "Invoice INV-1 cancelled on 2026-02-01 (issued twice)",
    ),
    (
        InvoiceWrittenOff(
            invoice_number="INV-1",
            debtor_ref="D-1",
            amount=D("71"),
            currency="EUR",
            written_off_on=date(2026, 6, 30),
            reason="debtor bankrupt",
        ),
        "Invoice INV-1 written off on 2026-06-30: EUR 71.00 (debtor bankrupt)",
    ),
    (
        InvoiceTermsSet(
            invoice_number="INV-1",
            debtor_ref="D-1",
            discount=EarlyPaymentDiscount(
                percent=D("2.00"), until=date(2026, 1, 10), amount=D("118.58")
            ),
            warnings=["no PO number", "VAT number unverified"],
        ),
        "Invoice INV-1 terms set: 2% discount if paid by 2026-01-10 (pay 118.58); "
        "warnings: no PO number, VAT number unverified",
    ),
    (
        InvoiceTermsSet(
            invoice_number="INV-1",
            debtor_ref="D-1",
            discount=EarlyPaymentDiscount(
                percent=D("1.5"), until=date(2026, 1, 10), amount=D("119.19")
            ),
        ),
        "Invoice INV-1 terms set: 1.5% discount if paid by 2026-01-10 (pay 119.19)",
    ),
    (
        InvoiceTermsSet(invoice_number="INV-1", debtor_ref="D-1"),
        "Invoice INV-1 terms set",
    ),
]


@pytest.mark.parametrize(("event", "expected"), CASES, ids=[e.event_type for e, _ in CASES])
def test_ledger_events_read_as_one_liners(event: DomainEvent, expected: str) -> None:
    assert describe(event) == expected


def test_every_ledger_event_type_has_its_own_wording() -> None:
    ledger_types = {
        cls.event_type
        for cls in (
            InvoiceTermsSet,
            CreditNoteIssued,
            PaymentReceived,
            PaymentAllocated,
            PaymentAllocationReversed,
            PaymentUnmatched,
            PaymentReversed,
            InvoicePartiallyPaid,
            InvoicePaid,
            InvoiceReopened,
            InvoiceCancelled,
            InvoiceWrittenOff,
        )
    }
    assert {e.event_type for e, _ in CASES} == ledger_types


@pytest.mark.parametrize(
    ("amount", "expected"),
    [(D("121"), "EUR 121.00"), (D("0.005"), "EUR 0.01"), (D("1E+3"), "EUR 1000.00")],
)
def test_money_has_two_decimals_and_no_exponent(amount: Decimal, expected: str) -> None:
    assert money(amount, "EUR") == expected

"""Property: whatever sequence of invoices, credit notes, payments and reversals arrives, the
ledger stays balanced and nothing is over-allocated."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contracts.invoicing import DebtorProfile
from eventkit.api import Problem
from eventkit.migrations import upgrade
from invoice_service.application.invoicing import (
    IssueInvoice,
    LineInput,
    issue_invoice,
    register_debtor,
)
from invoice_service.application.ledger import (
    IssueCreditNote,
    ManualAllocation,
    ReceivePayment,
    allocate_payment,
    issue_credit_note,
    receive_payment,
    reverse_payment,
)
from invoice_service.bootstrap import SERVICE_ROOT

from .ledger_support import ledger_runtime, ledger_violations

DEBTORS = ("D-A", "D-B")
START = date(2026, 1, 5)
cents = st.integers(min_value=1, max_value=50_000).map(lambda c: Decimal(c) / 100)


@dataclass(frozen=True)
class Op:
    kind: str
    debtor: int
    amount: Decimal
    target: int  # index into earlier invoices or payments (modulo), -1 = none
    how: str


ops = st.builds(
    Op,
    kind=st.sampled_from(
        ["invoice", "invoice", "credit", "payment", "payment", "reverse", "allocate"]
    ),
    debtor=st.integers(0, 1),
    amount=cents,
    target=st.integers(-1, 7),
    how=st.sampled_from(["reference", "text", "account", "none"]),
)


@pytest.fixture(scope="module")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('ledger') / 'prop.db'}"
    upgrade(SERVICE_ROOT, url)
    return url


async def run(url: str, sequence: list[Op]) -> list[str]:
    rt = ledger_runtime(url)
    tenant = "t" + uuid.uuid4().hex[:10]
    try:
        for i, ref in enumerate(DEBTORS):
            await register_debtor(
                rt,
                tenant,
                ref,
                DebtorProfile(
                    legal_name=ref,
                    kind="B2B",
                    country="BE",
                    language="nl",
                    iban=[f"BE0000000000000{i}"],
                ),
            )
        invoices: list[tuple[str, str, str]] = []  # number, debtor, payment reference
        payments: list[str] = []
        for n, op in enumerate(sequence):
            debtor = DEBTORS[op.debtor]
            day = START + timedelta(days=n)
            try:
                if op.kind == "invoice":
                    number = f"INV-{n}"
                    result = await issue_invoice(
                        rt,
                        IssueInvoice(
                            tenant_id=tenant,
                            invoice_number=number,
                            debtor_ref=debtor,
                            issue_date=day,
                            due_date=day + timedelta(days=30),
                            currency="EUR",
                            lines=[LineInput("x", Decimal(1), op.amount, Decimal(0))],
                            amount_due=op.amount,
                            request_body={"n": n},
                        ),
                    )
                    invoices.append((number, debtor, result.invoice["payment_reference"]))
                elif op.kind == "credit":
                    own = [i for i in invoices if i[1] == debtor]
                    refs = [own[op.target % len(own)][0]] if own and op.target >= 0 else []
                    await issue_credit_note(
                        rt,
                        IssueCreditNote(
                            tenant_id=tenant,
                            credit_note_number=f"CN-{n}",
                            debtor_ref=debtor,
                            issue_date=day,
                            currency="EUR",
                            amount=op.amount,
                            invoice_numbers=refs,
                            request_body={"n": n},
                        ),
                    )
                elif op.kind == "payment":
                    target = invoices[op.target % len(invoices)] if invoices else None
                    outcome = await receive_payment(
                        rt,
                        ReceivePayment(
                            tenant_id=tenant,
                            amount=op.amount,
                            currency="EUR",
                            booking_date=day,
                            bank_reference=f"BANK-{n}",
                            structured_reference=target[2]
                            if target and op.how == "reference"
                            else None,
                            remittance_info=f"factuur {target[0]}"
                            if target and op.how == "text"
                            else None,
                            counterparty_iban=f"BE0000000000000{op.debtor}"
                            if op.how == "account"
                            else None,
                            request_body={"n": n},
                        ),
                    )
                    payments.append(outcome.payment["payment_id"])
                elif op.kind == "reverse" and payments:
                    await reverse_payment(rt, tenant, payments[op.target % len(payments)], day)
                elif op.kind == "allocate" and payments and invoices:
                    target = invoices[op.target % len(invoices)]
                    await allocate_payment(
                        rt,
                        tenant,
                        payments[op.target % len(payments)],
                        [ManualAllocation(target[0], op.amount)],
                    )
            except Problem as problem:
                # refused commands (over-allocation, reversed payment, ...) must be 4xx
                assert 400 <= problem.status < 500, problem
        return await ledger_violations(rt, tenant)
    finally:
        await rt.db.dispose()


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(sequence=st.lists(ops, min_size=1, max_size=14))
def test_ledger_stays_balanced(database_url: str, sequence: list[Op]) -> None:
    assert asyncio.run(run(database_url, sequence)) == []

"""Real concurrency on PostgreSQL: payments racing on one invoice never over-allocate, and
allocations racing on one payment never spend more than it holds."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from contracts.invoicing import DebtorProfile
from eventkit.api import Problem
from eventkit.runtime import Runtime
from eventkit.testing.databases import fresh_postgres_database, migrate
from invoice_service.application.invoicing import (
    IssueInvoice,
    LineInput,
    issue_invoice,
    register_debtor,
)
from invoice_service.application.ledger import (
    ManualAllocation,
    ReceivePayment,
    allocate_payment,
    receive_payment,
)
from invoice_service.bootstrap import SERVICE_ROOT
from invoice_service.projections.tables import allocations, invoices

from .ledger_support import ledger_runtime, ledger_violations

DAY = date(2026, 2, 1)


@pytest.fixture
async def rt(tmp_path: Path) -> AsyncIterator[Runtime]:
    async with fresh_postgres_database() as url:
        await migrate(SERVICE_ROOT, url)
        runtime = ledger_runtime(url)
        try:
            yield runtime
        finally:
            await runtime.db.dispose()


async def make_invoice(rt: Runtime, tenant: str, number: str, amount: str) -> str:
    result = await issue_invoice(
        rt,
        IssueInvoice(
            tenant_id=tenant,
            invoice_number=number,
            debtor_ref="D-1",
            issue_date=DAY,
            due_date=DAY,
            currency="EUR",
            lines=[LineInput("x", Decimal(1), Decimal(amount), Decimal(0))],
            amount_due=Decimal(amount),
            request_body={"n": number},
        ),
    )
    return str(result.invoice["payment_reference"])


async def setup(rt: Runtime) -> str:
    tenant = "c" + uuid.uuid4().hex[:8]
    await register_debtor(
        rt,
        tenant,
        "D-1",
        DebtorProfile(legal_name="Racing BV", kind="B2B", country="BE", language="nl"),
    )
    return tenant


async def test_concurrent_payments_on_one_invoice_never_over_allocate(rt: Runtime) -> None:
    tenant = await setup(rt)
    reference = await make_invoice(rt, tenant, "INV-1", "100.00")

    async def pay(i: int) -> None:
        await receive_payment(
            rt,
            ReceivePayment(
                tenant_id=tenant,
                amount=Decimal("30.00"),
                currency="EUR",
                booking_date=DAY,
                bank_reference=f"B-{i}",
                structured_reference=reference,
                request_body={"i": i},
            ),
        )

    await asyncio.gather(*(pay(i) for i in range(10)))
    async with rt.db.reading() as s:
        allocated = await s.scalar(
            select(func.sum(allocations.c.amount)).where(allocations.c.tenant_id == tenant)
        )
        open_amount = await s.scalar(
            select(invoices.c.open_amount).where(invoices.c.tenant_id == tenant)
        )
    assert allocated == Decimal("100.00")
    assert open_amount == Decimal("0.00")
    assert await ledger_violations(rt, tenant) == []


async def test_concurrent_allocations_of_one_payment_never_overspend_it(rt: Runtime) -> None:
    tenant = await setup(rt)
    for n in range(6):
        await make_invoice(rt, tenant, f"INV-{n}", "40.00")
    outcome = await receive_payment(
        rt,
        ReceivePayment(
            tenant_id=tenant,
            amount=Decimal("100.00"),
            currency="EUR",
            booking_date=DAY,
            bank_reference="B-POOL",
            request_body={},
        ),
    )
    payment_id = outcome.payment["payment_id"]
    assert outcome.payment["status"] == "unmatched"

    async def allocate(n: int) -> str:
        try:
            await allocate_payment(
                rt, tenant, payment_id, [ManualAllocation(f"INV-{n}", Decimal("40.00"))]
            )
            return "ok"
        except Problem as problem:
            assert problem.status in (409, 422)
            return "refused"

    results = await asyncio.gather(*(allocate(n) for n in range(6)))
    assert results.count("ok") == 2
    async with rt.db.reading() as s:
        allocated = await s.scalar(
            select(func.sum(allocations.c.amount)).where(allocations.c.tenant_id == tenant)
        )
    assert allocated == Decimal("80.00")
    assert await ledger_violations(rt, tenant) == []

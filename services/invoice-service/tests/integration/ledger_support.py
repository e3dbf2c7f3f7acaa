"""Running the ledger's application layer directly against a migrated database."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from eventkit.envelope import stream_id
from eventkit.runtime import Runtime
from eventkit.testing.service import api_keys_for_tests
from invoice_service.bootstrap import definition
from invoice_service.domain.model import Invoice
from invoice_service.projections.tables import allocations, credit_notes, invoices, payments
from invoice_service.settings import Settings


def ledger_runtime(url: str) -> Runtime:
    """A runtime whose background tasks are not started: commands only (no broker needed)."""
    settings = Settings(
        database_url=url,
        kafka_bootstrap_servers="127.0.0.1:1",
        api_keys=api_keys_for_tests(),  # type: ignore[arg-type]
        environment="test",  # type: ignore[arg-type]
    )
    return Runtime(definition(), settings)


async def ledger_violations(rt: Runtime, tenant: str) -> list[str]:
    """For every debtor: invoices − credit notes − allocated payments = open balance, and no
    balance or unallocated amount is negative; the read model agrees with the event streams."""
    found: list[str] = []
    async with rt.db.reading() as s:
        inv = (await s.execute(select(invoices).where(invoices.c.tenant_id == tenant))).all()
        notes = (
            await s.execute(select(credit_notes).where(credit_notes.c.tenant_id == tenant))
        ).all()
        allocs = (
            await s.execute(select(allocations).where(allocations.c.tenant_id == tenant))
        ).all()
        pays = (await s.execute(select(payments).where(payments.c.tenant_id == tenant))).all()
        replayed: dict[str, Decimal] = {}
        for row in inv:
            aggregate = Invoice(tenant, row.invoice_number)
            for env in await rt.store.load(s, stream_id("invoice", tenant, row.invoice_number)):
                aggregate.replay(env.decode(rt.registry), env.aggregate_version)
            replayed[row.invoice_number] = aggregate.open_amount
    totals: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for row in inv:
        t = totals[row.debtor_ref]
        t["invoiced"] += Decimal(row.amount_due)
        t["open"] += Decimal(row.open_amount)
        if Decimal(row.open_amount) < 0:
            found.append(f"{row.invoice_number}: negative open amount")
        if replayed[row.invoice_number] != Decimal(row.open_amount):
            found.append(f"{row.invoice_number}: read model differs from its events")
    for row in notes:
        totals[row.debtor_ref]["credited"] += Decimal(row.amount)
        totals[row.debtor_ref]["credit_left"] += Decimal(row.remaining)
        if Decimal(row.remaining) < 0:
            found.append(f"{row.credit_note_number}: negative remaining credit")
    applied_by_source: dict[str, Decimal] = defaultdict(Decimal)
    for row in allocs:
        if row.reversed:
            continue
        applied_by_source[row.source_id] += Decimal(row.amount)
        if row.source_kind == "payment":
            totals[row.debtor_ref]["paid"] += Decimal(row.amount) + Decimal(row.discount)
    for row in pays:
        if Decimal(row.unallocated) < 0:
            found.append(f"{row.payment_id}: negative unallocated amount")
        used = applied_by_source.get(row.payment_id, Decimal(0))
        if row.status != "reversed" and used + Decimal(row.unallocated) != Decimal(row.amount):
            found.append(f"{row.payment_id}: allocations + unallocated != amount")
        if used > Decimal(row.amount):
            found.append(f"{row.payment_id}: allocated more than received")
    for debtor, t in totals.items():
        left = t["invoiced"] - t["credited"] - t["paid"]
        right = t["open"] - t["credit_left"]
        if left != right:
            found.append(f"{debtor}: {left} != open balance {right}")
    return found


def summary(rows: list[Any]) -> str:
    return ", ".join(str(r) for r in rows)

"""Bulk intake: up to 1,000 invoices in one transaction with set-based reads and writes
(one query for existing numbers, one for debtors, one insert for the read model, one for the
events and one for the outbox)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from contracts.invoicing import DebtorProfile
from eventkit.aggregate import Aggregate
from eventkit.api import Problem
from eventkit.runtime import Runtime
from eventkit.store import ConcurrencyError
from invoice_service.application.invoicing import (
    IssueInvoice,
    _register_debtor,
    default_creditor_country,
    free_references,
    invoice_view,
    prepare_invoice,
    reference_policy,
    request_hash,
)
from invoice_service.projections.tables import debtors, invoices


async def issue_batch(
    rt: Runtime, tenant: str, commands: Sequence[tuple[int, IssueInvoice]]
) -> list[dict[str, Any]]:
    for _ in range(5):
        try:
            return await _issue_batch(rt, tenant, commands)
        except (ConcurrencyError, IntegrityError):
            continue  # a concurrent writer took some numbers: they now answer as replays
    raise Problem(409, "Conflict", "the batch collided with concurrent writes; retry")


async def _issue_batch(
    rt: Runtime, tenant: str, commands: Sequence[tuple[int, IssueInvoice]]
) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = []
    if not commands:
        return results
    async with rt.uow() as uow:
        s = uow.session
        numbers = sorted({cmd.invoice_number for _, cmd in commands})
        existing = {
            r.invoice_number: r
            for r in (
                await s.execute(
                    select(invoices).where(
                        invoices.c.tenant_id == tenant, invoices.c.invoice_number.in_(numbers)
                    )
                )
            ).all()
        }
        refs = sorted({cmd.debtor_ref for _, cmd in commands})
        known: dict[str, DebtorProfile] = {
            r.debtor_ref: DebtorProfile.model_validate(r.profile)
            for r in (
                await s.execute(
                    select(debtors.c.debtor_ref, debtors.c.profile).where(
                        debtors.c.tenant_id == tenant, debtors.c.debtor_ref.in_(refs)
                    )
                )
            ).all()
        }
        policy = await reference_policy(s, tenant, default_creditor_country(rt))
        generated = await free_references(
            s,
            tenant,
            policy,
            [
                cmd.invoice_number
                for _, cmd in commands
                if cmd.invoice_number not in existing
                and not (cmd.payment_reference and cmd.payment_reference.strip())
            ],
        )
        in_batch: dict[str, str] = {}
        rows: list[dict[str, Any]] = []
        new: list[Aggregate] = []
        now = uow.clock.now()
        for index, cmd in commands:
            digest = request_hash(cmd.request_body or {})
            base = {"index": index, "invoice_number": cmd.invoice_number}
            previous = existing.get(cmd.invoice_number)
            earlier = in_batch.get(cmd.invoice_number)
            if previous is not None or earlier is not None:
                same = (previous.request_hash if previous is not None else earlier) == digest
                status = "replayed" if same else "conflict"
                result: dict[str, Any] = {**base, "status": status}
                if same and previous is not None:
                    result["invoice"] = invoice_view(previous)
                if not same:
                    result["errors"] = [
                        {"field": "invoice_number", "reason": "already used for another invoice"}
                    ]
                results.append(result)
                continue
            if cmd.debtor is not None and known.get(cmd.debtor_ref) != cmd.debtor:
                await _register_debtor(uow, tenant, cmd.debtor_ref, cmd.debtor)
                known[cmd.debtor_ref] = cmd.debtor
            try:
                invoice, row = prepare_invoice(
                    cmd,
                    known.get(cmd.debtor_ref),
                    digest,
                    now,
                    policy,
                    generated.get(cmd.invoice_number),
                )
            except Problem as problem:
                results.append(
                    {
                        **base,
                        "status": "rejected",
                        "errors": [e.as_dict() for e in problem.errors],
                    }
                )
                continue
            in_batch[cmd.invoice_number] = digest
            rows.append(row)
            new.append(invoice)
            results.append({**base, "status": "created", "row": row})
        if rows:
            await s.execute(invoices.insert(), rows)
        for aggregate in new:
            uow.track(aggregate)
    for result in results:
        row = result.pop("row", None)
        if row is not None:
            result["invoice"] = _view_of(row)
    return results


def _view_of(row: dict[str, Any]) -> dict[str, Any]:
    class _Row:
        _mapping = row

    return invoice_view(_Row())

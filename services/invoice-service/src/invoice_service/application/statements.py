"""Bank statement import, whatever the format (camt.053, CODA, MT940 — told from the content):
every booked credit becomes a payment (matched at once), a reversal undoes the one payment it
provably names (else it waits in the unmatched-reversal queue), debits are no receivables and
are skipped. Each transaction is keyed by its account and bank reference, so importing a file
twice changes nothing.

:func:`import_bank_statement` is the whole import as one application function: it takes the
file's bytes and returns the per-transaction outcome, independent of how the file arrived."""

from __future__ import annotations

import hashlib
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from eventkit.api import FieldProblem, Problem
from eventkit.runtime import Runtime
from invoice_service.application.invoicing import money
from invoice_service.application.ledger import (
    ReceivePayment,
    receive_payment,
    reverse_payment,
)
from invoice_service.application.reversals import (
    ReversalFacts,
    identify_reversed_payment,
    queue_unmatched_reversal,
    queued_reversal,
)
from invoice_service.domain.bank_statement import (
    BankEntry,
    BankStatement,
    BankTransaction,
    StatementError,
)
from invoice_service.domain.statement_formats import parse_bank_statements
from invoice_service.projections.tables import payments

MAX_KEY = 200


async def import_bank_statement(rt: Runtime, tenant: str, data: bytes) -> dict[str, Any]:
    try:
        kind, statements = parse_bank_statements(data)
    except StatementError as exc:
        where = f"line {exc.line}" if exc.line is not None else "(body)"
        raise Problem(
            422,
            "Bank statement rejected",
            f"{exc}; nothing was stored",
            kind="bank-statement",
            errors=[FieldProblem(where, exc.message)],
            extra={"line": exc.line} if exc.line is not None else None,
        ) from exc
    results: list[dict[str, Any]] = []
    for statement in statements:
        for entry in statement.entries:
            for tx in entry.transactions:
                # A bank's reference is unique per account only: key it with the account.
                key = _bounded(f"{statement.account_iban}:{tx.key}")
                results.append(
                    {
                        "statement_id": statement.statement_id,
                        "entry": entry.key,
                        "line": entry.line,
                        "bank_reference": key,
                        **await _import_transaction(rt, tenant, statement, entry, tx, key),
                    }
                )
    summary: dict[str, int] = {}
    for r in results:
        summary[r["outcome"]] = summary.get(r["outcome"], 0) + 1
    return {
        "format": kind,
        "statements": [s.statement_id for s in statements],
        "summary": summary,
        "transactions": results,
    }


def _bounded(key: str) -> str:
    if len(key) <= MAX_KEY:
        return key
    return key[:150] + "#" + hashlib.sha256(key.encode()).hexdigest()[:40]


def _amount(entry: BankEntry, tx: BankTransaction) -> Decimal:
    return money(tx.amount if tx.amount is not None else entry.amount)


async def _import_transaction(
    rt: Runtime,
    tenant: str,
    statement: BankStatement,
    entry: BankEntry,
    tx: BankTransaction,
    key: str,
) -> dict[str, Any]:
    if entry.status.upper() not in ("BOOK", "BOOKED"):
        return {"outcome": "ignored", "reason": f"entry status {entry.status} is not booked"}
    if entry.reversal:
        if entry.credit:
            return {"outcome": "ignored", "reason": "reversal of a debit (money of ours back)"}
        return await _reverse(rt, tenant, statement, entry, tx, key)
    if not entry.credit:
        return {"outcome": "ignored", "reason": "debit"}
    amount = _amount(entry, tx)
    if amount <= 0:
        return {"outcome": "ignored", "reason": "zero amount"}
    booking = entry.booking_date or entry.value_date or rt.clock.today()
    outcome = await receive_payment(
        rt,
        ReceivePayment(
            tenant_id=tenant,
            amount=amount,
            currency=tx.currency or entry.currency,
            booking_date=booking,
            value_date=entry.value_date,
            source="bank_statement",
            bank_reference=key,
            structured_reference=tx.structured_reference,
            remittance_info=" ".join(tx.unstructured) or None,
            counterparty_name=(tx.debtor_name or None) and tx.debtor_name[:300],
            counterparty_iban=tx.debtor_iban,
            request_body={"bank_reference": key},
            account_iban=statement.account_iban,
            servicer_reference=tx.servicer_reference or entry.account_servicer_reference,
            end_to_end_id=tx.end_to_end_id,
            instruction_id=tx.instruction_id,
            transaction_id=tx.transaction_id,
        ),
    )
    payment = outcome.payment
    label = {
        "allocated": "matched",
        "partially_allocated": "matched",
        "unmatched": "unmatched",
        "reversed": "reversed",
    }[payment["status"]]
    return {
        "outcome": "duplicate" if outcome.outcome == "duplicate" else label,
        "payment_id": payment["payment_id"],
        "match_method": payment["match_method"],
        "allocations": [
            {"invoice_number": a["invoice_number"], "amount": a["amount"]}
            for a in payment["allocations"]
            if not a["reversed"]
        ],
        "unallocated": payment["unallocated"],
    }


async def _reverse(
    rt: Runtime,
    tenant: str,
    statement: BankStatement,
    entry: BankEntry,
    tx: BankTransaction,
    key: str,
) -> dict[str, Any]:
    """Undo the one payment this reversal provably names; else queue it for a person."""
    facts = ReversalFacts(
        bank_reference=key,
        account_iban=statement.account_iban,
        amount=_amount(entry, tx),
        currency=tx.currency or entry.currency,
        booking_date=entry.booking_date or entry.value_date or rt.clock.today(),
        end_to_end_id=tx.end_to_end_id,
        instruction_id=tx.instruction_id,
        transaction_id=tx.transaction_id,
        counterparty_iban=tx.debtor_iban,
        counterparty_name=tx.debtor_name,
        reference=tx.structured_reference,
        remittance_info=" ".join(tx.unstructured) or None,
        return_reason=tx.return_reason,
    )
    async with rt.db.reading() as session:
        done = await session.scalar(
            select(payments.c.payment_id).where(
                payments.c.tenant_id == tenant, payments.c.reversal_reference == key
            )
        )
        if done is not None:
            return {"outcome": "duplicate", "payment_id": done}
        queued = await queued_reversal(session, tenant, key)
        if queued is not None:
            return {"outcome": "duplicate", "reversal_id": queued}
        found = await identify_reversed_payment(session, tenant, facts)
    if found.payment_id is None:
        created, reversal_id = await queue_unmatched_reversal(rt, tenant, facts, found)
        return {
            "outcome": "unmatched_reversal" if created else "duplicate",
            "reversal_id": reversal_id,
            "reason": found.reason,
            "candidates": found.candidates,
        }
    view = await reverse_payment(
        rt, tenant, found.payment_id, facts.booking_date, key, found.identified_by
    )
    return {
        "outcome": "reversed",
        "payment_id": view["payment_id"],
        "identified_by": found.identified_by,
    }

"""camt.053 import: every booked credit transaction becomes a payment (matched at once),
reversals undo the payment they reverse, debits are not receivables and are skipped. Each
transaction is keyed by its bank reference, so importing a statement twice changes nothing."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select

from eventkit.api import FieldProblem, Problem
from eventkit.runtime import Runtime
from invoice_service.application.invoicing import money
from invoice_service.application.ledger import (
    ReceivePayment,
    compact_iban,
    receive_payment,
    reverse_payment,
    stored_reference,
)
from invoice_service.domain.camt053 import (
    BankEntry,
    BankTransaction,
    CamtError,
    parse_camt053_statements,
)
from invoice_service.projections.tables import payments


async def import_bank_statement(rt: Runtime, tenant: str, data: bytes) -> dict[str, Any]:
    try:
        statements = parse_camt053_statements(data)
    except CamtError as exc:
        raise Problem(
            422,
            "Bank statement rejected",
            f"not an acceptable camt.053 statement: {exc}; nothing was stored",
            kind="bank-statement",
            errors=[FieldProblem("(body)", str(exc))],
        ) from exc
    results: list[dict[str, Any]] = []
    for statement in statements:
        for entry in statement.entries:
            for tx in entry.transactions:
                # A bank's reference is unique per account only: key it with the account.
                key = f"{statement.account_iban}:{tx.key}"
                results.append(
                    {
                        "statement_id": statement.statement_id,
                        "entry": entry.key,
                        "bank_reference": key,
                        **await _import_transaction(rt, tenant, entry, tx, key),
                    }
                )
    summary: dict[str, int] = {}
    for r in results:
        summary[r["outcome"]] = summary.get(r["outcome"], 0) + 1
    return {
        "statements": [s.statement_id for s in statements],
        "summary": summary,
        "transactions": results,
    }


def _amount(entry: BankEntry, tx: BankTransaction) -> Decimal:
    return money(tx.amount if tx.amount is not None else entry.amount)


async def _import_transaction(
    rt: Runtime, tenant: str, entry: BankEntry, tx: BankTransaction, key: str
) -> dict[str, Any]:
    if entry.status.upper() not in ("BOOK", "BOOKED"):
        return {"outcome": "ignored", "reason": f"entry status {entry.status} is not booked"}
    if entry.reversal:
        if entry.credit:
            return {"outcome": "ignored", "reason": "reversal of a debit"}
        return await _reverse(rt, tenant, entry, tx, key)
    if not entry.credit:
        return {"outcome": "ignored", "reason": "debit"}
    booking = entry.booking_date or entry.value_date or rt.clock.today()
    outcome = await receive_payment(
        rt,
        ReceivePayment(
            tenant_id=tenant,
            amount=_amount(entry, tx),
            currency=tx.currency or entry.currency,
            booking_date=booking,
            value_date=entry.value_date,
            source="bank_statement",
            bank_reference=key,
            structured_reference=tx.structured_reference,
            remittance_info=" ".join(tx.unstructured) or None,
            counterparty_name=tx.debtor_name,
            counterparty_iban=tx.debtor_iban,
            request_body={"bank_reference": key},
        ),
    )
    payment = outcome.payment
    status = payment["status"]
    label = {
        "allocated": "matched",
        "partially_allocated": "matched",
        "unmatched": "unmatched",
        "reversed": "reversed",
    }[status]
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
    rt: Runtime, tenant: str, entry: BankEntry, tx: BankTransaction, key: str
) -> dict[str, Any]:
    """Find the credit this reversal takes back: same amount and currency, and the same
    reference and account where the reversal names them; the most recent one wins."""
    amount = _amount(entry, tx)
    async with rt.db.reading() as session:
        done = await session.scalar(
            select(payments.c.payment_id).where(
                payments.c.tenant_id == tenant, payments.c.reversal_reference == key
            )
        )
        if done is not None:
            return {"outcome": "duplicate", "payment_id": done}
        query = select(payments.c.payment_id).where(
            payments.c.tenant_id == tenant,
            payments.c.amount == amount,
            payments.c.currency == (tx.currency or entry.currency),
            payments.c.status != "reversed",
        )
        if tx.structured_reference:
            query = query.where(
                payments.c.structured_reference == stored_reference(tx.structured_reference)
            )
        if tx.debtor_iban:
            query = query.where(payments.c.counterparty_iban == compact_iban(tx.debtor_iban))
        original = await session.scalar(
            query.order_by(payments.c.booking_date.desc(), payments.c.created_at.desc()).limit(1)
        )
    if original is None:
        return {"outcome": "unmatched", "reason": "no payment found that this reversal reverses"}
    on = entry.booking_date or rt.clock.today()
    view = await reverse_payment(rt, tenant, original, on, reversal_reference=key)
    return {"outcome": "reversed", "payment_id": view["payment_id"]}

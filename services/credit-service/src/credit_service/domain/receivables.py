"""From projected rows to the dated receivable facts that KPIs and payment behaviour work on.

Each invoice comes with every dated change to what is applied to it: payments and credit notes
(amount + early-payment discount), their reversals (negative), and the amount a cancellation or
a write-off took off. The facts for a date ``as_of`` take only the rows dated on or before it,
net each reversal against the applications of the same source (latest first), and keep what is
left as positive settlements on the days they were applied. A payment recorded later therefore
never changes a figure as of an earlier date.

Known limit: a reversal is netted for the whole fact, so a figure for a date *between* an
application and its reversal, computed from facts built for a later ``as_of`` (CEI's beginning
AR), counts the amount as never applied. Facts built for that date itself are exact.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

from credit_service.domain.kpis import ReceivableFact

ZERO = Decimal(0)

SettlementKind = Literal[
    "payment",
    "credit_note",
    "payment_reversal",
    "credit_note_reversal",
    "cancelled",
    "written_off",
]
REVERSAL_OF: Mapping[str, str] = {
    "payment_reversal": "payment",
    "credit_note_reversal": "credit_note",
}
# What the debtor itself settled: a cancellation or a write-off is no payment.
PAID_KINDS = frozenset({"payment", "credit_note"})


@dataclass(frozen=True, slots=True)
class InvoiceRecord:
    invoice_number: str
    currency: str
    amount: Decimal
    issue_date: date
    due_date: date


@dataclass(frozen=True, slots=True)
class SettlementRecord:
    invoice_number: str
    kind: str
    source_id: str | None
    settled_on: date
    amount: Decimal


@dataclass(slots=True)
class _Application:
    on: date
    amount: Decimal


def _net(rows: Sequence[SettlementRecord], *, paid_only: bool) -> list[tuple[date, Decimal]]:
    """Applications left after reversals, each on the day it was applied."""
    by_source: dict[tuple[str, str | None], list[_Application]] = {}
    in_order: list[_Application] = []
    # Applications before reversals on the same day: a same-day reversal finds its match.
    for row in sorted(rows, key=lambda r: (r.settled_on, r.kind in REVERSAL_OF)):
        base = REVERSAL_OF.get(row.kind)
        if base is None:
            if row.amount > 0 and (row.kind in PAID_KINDS or not paid_only):
                application = _Application(row.settled_on, row.amount)
                by_source.setdefault((row.kind, row.source_id), []).append(application)
                in_order.append(application)
            continue
        remaining = abs(row.amount)
        for application in reversed(by_source.get((base, row.source_id), [])):
            taken = min(application.amount, remaining)
            application.amount -= taken
            remaining -= taken
            if remaining <= 0:
                break
    return [(a.on, a.amount) for a in in_order if a.amount > 0]


def _clip(settlements: list[tuple[date, Decimal]], limit: Decimal) -> list[tuple[date, Decimal]]:
    """Never more applied than invoiced (a glitch upstream must not break the figures)."""
    total = ZERO
    clipped: list[tuple[date, Decimal]] = []
    for on, amount in settlements:
        take = min(amount, limit - total)
        if take <= 0:
            break
        clipped.append((on, take))
        total += take
    return clipped


def receivable_facts(
    invoices: Iterable[InvoiceRecord],
    settlements: Iterable[SettlementRecord],
    as_of: date,
    *,
    paid_only: bool = False,
) -> list[ReceivableFact]:
    """The facts as they stood at the end of ``as_of``: invoices issued by then, with what was
    applied to them by then. ``paid_only`` leaves cancellations and write-offs out (payment
    behaviour: an invoice written off was never paid)."""
    by_invoice: dict[str, list[SettlementRecord]] = {}
    for row in settlements:
        if row.settled_on <= as_of:
            by_invoice.setdefault(row.invoice_number, []).append(row)
    facts: list[ReceivableFact] = []
    for invoice in invoices:
        if invoice.issue_date > as_of or invoice.amount <= 0:
            continue
        applied = _clip(
            _net(by_invoice.get(invoice.invoice_number, []), paid_only=paid_only), invoice.amount
        )
        facts.append(
            ReceivableFact(
                invoice_number=invoice.invoice_number,
                currency=invoice.currency,
                amount=invoice.amount,
                issue_date=invoice.issue_date,
                due_date=max(invoice.due_date, invoice.issue_date),
                settlements=applied,
            )
        )
    return facts

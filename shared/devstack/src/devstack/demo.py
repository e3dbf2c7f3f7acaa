"""A demo book of receivables for a running stack on simulated time (``devstack demo``).

Six debtors of tenant ``acme`` in three languages and two currencies, invoices issued from
September to January, payments that were matched and one that nobody could match, then the
clock moved forward so the sweeps send reminders, ring phone calls and prepare formal notices
that wait for approval. The ops console's browser tests run against exactly this book.

Everything goes through the public HTTP APIs, as an ERP and a bank would send it.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx

from eventkit.settings import DEV_API_KEY

DEMO_START = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
DEMO_DAYS = 40  # from 2026-01-05 to 2026-02-14: phone calls and formal notices are due


@dataclass(frozen=True)
class DemoInvoice:
    number: str
    debtor: str
    issued: date
    due: date
    amount: Decimal
    currency: str = "EUR"
    description: str = "Goods delivered"


@dataclass(frozen=True)
class DemoDebtor:
    ref: str
    name: str
    kind: str
    country: str
    language: str
    email: str
    phone: str
    iban: str | None = None
    vat_number: str | None = None
    city: str = ""


DEBTORS: tuple[DemoDebtor, ...] = (
    DemoDebtor(
        "D-1001", "Brouwerij Janssens BV", "B2B", "BE", "nl", "ap@janssens.example",
        "+32 3 123 45 67", "BE54001023456797", "BE0403170701", "Antwerpen",
    ),
    DemoDebtor(
        "D-1002", "Boulangerie Dupont SRL", "B2B", "BE", "fr", "compta@dupont.example",
        "+32 2 765 43 21", None, None, "Namur",
    ),
    DemoDebtor(
        "D-1003", "Van Dijk Installatietechniek BV", "B2B", "NL", "nl", "ar@vandijk.example",
        "+31 20 555 0101", None, None, "Utrecht",
    ),
    DemoDebtor(
        "D-1004", "Greenfield Trading Ltd", "B2B", "BE", "en", "payables@greenfield.example",
        "+32 9 222 33 44", None, None, "Gent",
    ),
    DemoDebtor(
        "D-1005", "Marc Peeters", "B2C", "BE", "nl", "marc.peeters@mail.example",
        "+32 470 12 34 56", None, None, "Leuven",
    ),
    DemoDebtor(
        "D-1006", "Atelier Lambert SA", "B2B", "BE", "fr", "factures@lambert.example",
        "+32 4 333 22 11", None, None, "Liège",
    ),
)  # fmt: skip

D = date.fromisoformat
INVOICES: tuple[DemoInvoice, ...] = (
    # settled history (for DSO, CEI and payment behaviour)
    DemoInvoice("INV-2025-0901", "D-1001", D("2025-09-05"), D("2025-10-05"), Decimal("2420.00")),
    DemoInvoice("INV-2025-0902", "D-1003", D("2025-09-12"), D("2025-10-12"), Decimal("3630.00")),
    DemoInvoice("INV-2025-1001", "D-1006", D("2025-10-03"), D("2025-11-02"), Decimal("968.00")),
    DemoInvoice("INV-2025-1101", "D-1004", D("2025-11-07"), D("2025-12-07"), Decimal("1815.00")),
    # open and overdue before the demo starts (aging buckets beyond 30 days)
    DemoInvoice("INV-2025-0950", "D-1006", D("2025-09-20"), D("2025-10-20"), Decimal("726.00")),
    DemoInvoice("INV-2025-1120", "D-1002", D("2025-11-20"), D("2025-12-20"), Decimal("484.00")),
    # due soon after the start: they walk through the reminders during the demo
    DemoInvoice("INV-2025-1201", "D-1001", D("2025-12-11"), D("2026-01-10"), Decimal("1210.00")),
    DemoInvoice("INV-2025-1202", "D-1002", D("2025-12-09"), D("2026-01-08"), Decimal("2420.00")),
    DemoInvoice("INV-2025-1203", "D-1003", D("2025-12-13"), D("2026-01-12"), Decimal("8000.00")),
    DemoInvoice("INV-2025-1204", "D-1004", D("2025-12-21"), D("2026-01-20"), Decimal("3025.00")),
    DemoInvoice(
        "INV-2025-1205", "D-1004", D("2025-12-21"), D("2026-01-20"), Decimal("1500.00"), "USD"
    ),
    DemoInvoice("INV-2025-1206", "D-1005", D("2025-12-15"), D("2026-01-14"), Decimal("300.00")),
    DemoInvoice("INV-2026-0101", "D-1001", D("2026-01-05"), D("2026-02-04"), Decimal("605.00")),
    # not yet due at the end of the demo
    DemoInvoice("INV-2026-0102", "D-1003", D("2026-01-15"), D("2026-02-14"), Decimal("1452.00")),
    DemoInvoice("INV-2026-0103", "D-1006", D("2026-01-29"), D("2026-02-28"), Decimal("2178.00")),
)

# Payments matched automatically (by invoice number in the remittance text), before the start.
PAID = (
    ("PAY-DEMO-0001", "INV-2025-0901", D("2025-10-14")),
    ("PAY-DEMO-0002", "INV-2025-0902", D("2025-10-30")),
    ("PAY-DEMO-0003", "INV-2025-1001", D("2025-11-02")),
    ("PAY-DEMO-0004", "INV-2025-1101", D("2025-12-22")),
)
# Money that names nothing the matcher can use: it waits in the unmatched queue.
UNMATCHED = {
    "payment_id": "PAY-DEMO-0100",
    "amount": "605.00",
    "currency": "EUR",
    "booking_date": "2026-01-05",
    "counterparty_name": "JANSSENS BROUWERIJ",
    "counterparty_iban": "BE20063023456756",
    "remittance_info": "betaling februari",
}


@dataclass
class DemoBook:
    debtors: tuple[DemoDebtor, ...] = DEBTORS
    invoices: tuple[DemoInvoice, ...] = INVOICES
    paid: tuple[tuple[str, str, date], ...] = PAID
    unmatched: Mapping[str, str] = field(default_factory=lambda: dict(UNMATCHED))

    def invoice(self, number: str) -> DemoInvoice:
        return next(i for i in self.invoices if i.number == number)


def _line_items(amount: Decimal, description: str) -> list[dict[str, str]]:
    net = (amount / Decimal("1.21")).quantize(Decimal("0.01"))
    return [{"description": description, "quantity": "1", "unit_price": str(net), "vat_rate": "21"}]


class DemoLoader:
    def __init__(self, services: Mapping[str, str], *, api_key: str = DEV_API_KEY) -> None:
        self.services = dict(services)
        self.client = httpx.Client(timeout=30.0, headers={"Authorization": f"Bearer {api_key}"})

    def close(self) -> None:
        self.client.close()

    def call(self, method: str, service: str, path: str, body: Any = None) -> Any:
        response = self.client.request(method, self.services[service] + path, json=body)
        if response.status_code >= 300:
            raise RuntimeError(f"{method} {path}: {response.status_code} {response.text}")
        return response.json() if response.content else None

    def load(self, book: DemoBook) -> None:
        for d in book.debtors:
            profile: dict[str, Any] = {
                "legal_name": d.name,
                "kind": d.kind,
                "country": d.country,
                "language": d.language,
                "email": d.email,
                "phone": d.phone,
                "payment_terms_days": 30,
                "address": {"street": "Marktplein 1", "postal_code": "1000", "city": d.city,
                            "country": d.country},
            }  # fmt: skip
            if d.iban:
                profile["iban"] = [d.iban]
            if d.vat_number:
                profile["vat_number"] = d.vat_number
            self.call("PUT", "invoice-service", f"/v1/debtors/{d.ref}", profile)
        for inv in book.invoices:
            net_lines = _line_items(inv.amount, inv.description)
            net = Decimal(net_lines[0]["unit_price"])
            self.call(
                "POST",
                "invoice-service",
                "/v1/invoices",
                {
                    "invoice_number": inv.number,
                    "debtor_ref": inv.debtor,
                    "issue_date": inv.issued.isoformat(),
                    "due_date": inv.due.isoformat(),
                    "currency": inv.currency,
                    "lines": net_lines,
                    "net_total": str(net),
                    "vat_total": str(inv.amount - net),
                    "amount_due": str(inv.amount),
                },
            )
        for payment_id, number, booked in book.paid:
            inv = book.invoice(number)
            self.call(
                "POST",
                "invoice-service",
                "/v1/payments",
                {
                    "payment_id": payment_id,
                    "amount": str(inv.amount),
                    "currency": inv.currency,
                    "booking_date": booked.isoformat(),
                    "remittance_info": f"invoice {number}",
                },
            )
        self.call("POST", "invoice-service", "/v1/payments", dict(book.unmatched))

    def business_dates(self) -> dict[str, date]:
        dates = {}
        for name in self.services:
            status = self.call("GET", name, "/v1/admin/status")
            dates[name] = date.fromisoformat(status["clock"]["business_date"])
        return dates

    def wait_quiet(self, timeout: float = 120.0) -> None:
        """Until every outbox is drained and no consumer moved for a moment."""
        deadline = time.monotonic() + timeout
        last: Any = None
        steady = 0
        while time.monotonic() < deadline:
            snapshot = []
            for name in self.services:
                status = self.call("GET", name, "/v1/admin/status")
                consumers = {g: c["processed"] for g, c in status["consumers"].items()}
                snapshot.append((name, status["outbox"]["backlog"], sorted(consumers.items())))
            if all(backlog == 0 for _n, backlog, _c in snapshot) and snapshot == last:
                steady += 1
                if steady >= 3:
                    return
            else:
                steady = 0
            last = snapshot
            time.sleep(0.3)
        raise TimeoutError("the services did not settle")

    def advance(self, days: int, timeout: float = 180.0) -> date:
        """Move simulated time through the public API and wait until every service is there."""
        moved = self.call("POST", "invoice-service", "/v1/admin/clock:advance", {"days": days})
        target = datetime.fromisoformat(moved["to"]).date()
        deadline = time.monotonic() + timeout
        while min(self.business_dates().values()) < target:
            if time.monotonic() > deadline:
                raise TimeoutError(f"the services did not reach {target}")
            time.sleep(0.3)
        return target


def load_demo(services: Mapping[str, str], *, days: int = DEMO_DAYS) -> DemoBook:
    """Load the book, let the services settle, then move the clock ``days`` ahead."""
    book = DemoBook()
    loader = DemoLoader(services)
    try:
        loader.load(book)
        loader.wait_quiet()
        if days:
            loader.advance(days)
            loader.wait_quiet()
    finally:
        loader.close()
    return book


def demo_start() -> datetime:
    return DEMO_START


def today_plus(days: int) -> date:
    return (DEMO_START + timedelta(days=days)).date()

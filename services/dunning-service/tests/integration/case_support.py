"""Test support for the dunning cases: a ledger that speaks invoicing events the way
invoice-service records them, and two ways to run dunning-service against it in simulated time:

* ``DirectDunning``: the runtime without its tasks; events go straight into the consumer's
  handler, the sweep runs through the timekeeper (fast; for focused tests);
* ``BrokerDunning``: the service in-process with the real broker; events are published on the
  invoicing topics and consumed by the service's own consumer.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal

import httpx
from sqlalchemy import select

from contracts import topics
from contracts.credit import RiskClassChanged
from contracts.invoicing import (
    CreditNoteIssued,
    DebtorProfile,
    DebtorRegistered,
    InvoiceCancelled,
    InvoiceIssued,
    InvoicePaid,
    InvoicePartiallyPaid,
    PaymentAllocated,
    PaymentOverdue,
    PostalAddress,
)
from dunning_service.bootstrap import OPEN_ITEMS_GROUP, SERVICE_ROOT, definition
from dunning_service.settings import Settings
from eventkit.clock import SimulatedClock
from eventkit.db import event_store, inbox
from eventkit.envelope import Envelope, new_envelope
from eventkit.events import DomainEvent
from eventkit.runtime import Runtime
from eventkit.testing.databases import migrate
from eventkit.testing.kafka import publish
from eventkit.testing.service import api_keys_for_tests, running_service
from eventkit.testing.waiting import eventually

TENANT = "acme"
D = Decimal


def noon(day: date) -> datetime:
    return datetime.combine(day, time(12, 0), tzinfo=UTC)


@dataclass
class Ledger:
    """Invoicing events of one tenant, numbered per stream like invoice-service does."""

    tenant: str = TENANT
    clock: SimulatedClock | None = None
    versions: dict[str, int] = field(default_factory=dict)
    open: dict[str, Decimal] = field(default_factory=dict)
    debtors: dict[str, str] = field(default_factory=dict)  # invoice -> debtor
    kinds: dict[str, str] = field(default_factory=dict)  # debtor -> kind
    due: dict[str, date] = field(default_factory=dict)
    suffix: str = field(default_factory=lambda: uuid.uuid4().hex[:6])

    def ref(self, name: str) -> str:
        return f"{name}-{self.suffix}"

    def _env(
        self, event: DomainEvent, aggregate_type: str, aggregate_id: str, debtor: str
    ) -> Envelope:
        key = f"{aggregate_type}:{aggregate_id}"
        version = self.versions.get(key, 0) + 1
        self.versions[key] = version
        assert self.clock is not None
        return new_envelope(
            event,
            tenant_id=self.tenant,
            aggregate_type=aggregate_type,
            aggregate_id=aggregate_id,
            aggregate_version=version,
            clock=self.clock,
            producer="invoice-service",
            partition_key=f"{self.tenant}:{debtor}",
        )

    def debtor(
        self, name: str, *, kind: str, country: str, language: str = "nl", legal_name: str = ""
    ) -> tuple[str, Envelope]:
        ref = self.ref(name)
        self.kinds[ref] = kind
        profile = DebtorProfile(
            legal_name=legal_name or f"{name} {kind} {country}",
            kind=kind,  # type: ignore[arg-type]
            country=country,
            language=language,  # type: ignore[arg-type]
            email=f"ap@{name.lower()}.example",
            phone="+32 2 555 01 01",
            address=PostalAddress(
                street="Kerkstraat 1", postal_code="1000", city="Brussel", country=country
            ),
        )
        return ref, self._env(DebtorRegistered(debtor_ref=ref, profile=profile), "debtor", ref, ref)

    def issue(
        self, name: str, debtor: str, amount: str, *, issued: date, due: date, currency: str = "EUR"
    ) -> tuple[str, Envelope]:
        number = self.ref(name)
        self.open[number] = D(amount)
        self.debtors[number] = debtor
        self.due[number] = due
        return number, self._env(
            InvoiceIssued(
                invoice_number=number,
                debtor_ref=debtor,
                debtor_kind=self.kinds[debtor],  # type: ignore[arg-type]
                issue_date=issued,
                due_date=due,
                currency=currency,
                net_total=D(amount),
                vat_total=D("0.00"),
                amount_due=D(amount),
                payment_reference=f"+++{number}+++",
            ),
            "invoice",
            number,
            debtor,
        )

    def overdue(self, number: str, on: date) -> Envelope:
        debtor = self.debtors[number]
        return self._env(
            PaymentOverdue(
                invoice_number=number,
                debtor_ref=debtor,
                due_date=self.due[number],
                overdue_since=on,
                open_amount=self.open[number],
                currency="EUR",
            ),
            "invoice",
            number,
            debtor,
        )

    def allocate(
        self, number: str, amount: str, on: date, *, kind: str = "payment", source: str = "PAY"
    ) -> list[Envelope]:
        debtor = self.debtors[number]
        after = self.open[number] - D(amount)
        self.open[number] = after
        envs = [
            self._env(
                PaymentAllocated(
                    source_kind=kind,  # type: ignore[arg-type]
                    source_id=source,
                    invoice_number=number,
                    debtor_ref=debtor,
                    amount=D(amount),
                    discount=D("0.00"),
                    currency="EUR",
                    allocated_on=on,
                    method="credit_note" if kind == "credit_note" else "structured_reference",
                    open_amount_after=after,
                ),
                "invoice",
                number,
                debtor,
            )
        ]
        if after == 0:
            envs.append(
                self._env(
                    InvoicePaid(
                        invoice_number=number, debtor_ref=debtor, paid_on=on, currency="EUR"
                    ),
                    "invoice",
                    number,
                    debtor,
                )
            )
        else:
            envs.append(
                self._env(
                    InvoicePartiallyPaid(
                        invoice_number=number, debtor_ref=debtor, open_amount=after, currency="EUR"
                    ),
                    "invoice",
                    number,
                    debtor,
                )
            )
        return envs

    def credit_note(self, number: str, amount: str, on: date) -> list[Envelope]:
        debtor = self.debtors[number]
        note = self.ref(f"CN-{number[:8]}")
        issued = self._env(
            CreditNoteIssued(
                credit_note_number=note,
                debtor_ref=debtor,
                issue_date=on,
                currency="EUR",
                amount=D(amount),
                invoice_numbers=[number],
            ),
            "credit_note",
            note,
            debtor,
        )
        return [issued, *self.allocate(number, amount, on, kind="credit_note", source=note)]

    def cancel(self, number: str, on: date) -> Envelope:
        debtor = self.debtors[number]
        self.open[number] = D("0")
        return self._env(
            InvoiceCancelled(invoice_number=number, debtor_ref=debtor, cancelled_on=on, reason="x"),
            "invoice",
            number,
            debtor,
        )

    def risk(self, debtor: str, risk_class: str) -> Envelope:
        assert self.clock is not None
        return new_envelope(
            RiskClassChanged(debtor_ref=debtor, risk_class=risk_class, score=50),  # type: ignore[arg-type]
            tenant_id=self.tenant,
            aggregate_type="credit_account",
            aggregate_id=debtor,
            aggregate_version=1,
            clock=self.clock,
            producer="credit-service",
            partition_key=f"{self.tenant}:{debtor}",
        )


TOPIC_OF = {
    "debtor": topics.INVOICING_DEBTOR,
    "invoice": topics.INVOICING_INVOICE,
    "credit_note": topics.INVOICING_INVOICE,
    "credit_account": topics.CREDIT_ACCOUNT,
}


class Dunning:
    """dunning-service in simulated time, seen from a test."""

    rt: Runtime
    clock: SimulatedClock
    client: httpx.AsyncClient

    async def feed(self, envelopes: Sequence[Envelope]) -> None:
        raise NotImplementedError

    async def day(self, day: date) -> list[date]:
        """Move simulated time to noon of ``day`` and run the missed sweeps."""
        self.clock.set(noon(day))
        return await self.rt.timekeeper.sweep_now()

    async def published(self, *types: str) -> list[Envelope]:
        from eventkit.store import envelope_from_row

        async with self.rt.db.reading() as session:
            query = select(event_store).order_by(event_store.c.position)
            if types:
                query = query.where(event_store.c.event_type.in_(types))
            rows = (await session.execute(query)).all()
        return [envelope_from_row(r) for r in rows]


class DirectDunning(Dunning):
    def __init__(self, rt: Runtime, clock: SimulatedClock, client: httpx.AsyncClient) -> None:
        self.rt, self.clock, self.client = rt, clock, client
        [consumer] = rt.consumers
        self._handler = consumer.subscription.handler

    async def feed(self, envelopes: Sequence[Envelope]) -> None:
        async with self.rt.db.transaction() as session:
            for env in envelopes:
                await self._handler(session, env)


class BrokerDunning(Dunning):
    def __init__(
        self, rt: Runtime, clock: SimulatedClock, client: httpx.AsyncClient, bootstrap: str
    ) -> None:
        self.rt, self.clock, self.client, self.bootstrap = rt, clock, client, bootstrap

    async def feed(self, envelopes: Sequence[Envelope]) -> None:
        by_topic: dict[str, list[Envelope]] = {}
        for env in envelopes:
            by_topic.setdefault(TOPIC_OF[env.aggregate_type], []).append(env)
        for topic, envs in by_topic.items():
            await publish(self.bootstrap, topic, envs)
        # The broker is shared by the session's tests: wait for these very events (the inbox
        # names them), not for a count other tests' events could make up.
        wanted = {str(env.event_id) for env in envelopes}
        await eventually(
            lambda: self._processed(wanted),
            until=lambda missing: not missing,
            within=20,
            every=0.02,
            what="invoicing events consumed",
        )

    async def _processed(self, wanted: set[str]) -> set[str]:
        async with self.rt.db.reading() as session:
            seen = set(
                (
                    await session.scalars(
                        select(inbox.c.event_id).where(
                            inbox.c.consumer_group == OPEN_ITEMS_GROUP,
                            inbox.c.event_id.in_(wanted),
                        )
                    )
                ).all()
            )
        return wanted - seen


@asynccontextmanager
async def direct_dunning(url: str, start: date) -> AsyncIterator[DirectDunning]:
    """The runtime with its HTTP app but without consumers, relay or broker."""
    await migrate(SERVICE_ROOT, url)
    clock = SimulatedClock(noon(start))
    settings = Settings(
        database_url=url,
        kafka_bootstrap_servers="127.0.0.1:1",
        api_keys=api_keys_for_tests(),
        environment="test",
    )
    rt = Runtime(definition(), settings, roles=(), clock=clock)
    await rt.timekeeper.initialise()
    app = rt.create_app()
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield DirectDunning(rt, clock, client)
    finally:
        await rt.db.dispose()


@asynccontextmanager
async def broker_dunning(url: str, bootstrap: str, start: date) -> AsyncIterator[BrokerDunning]:
    clock = SimulatedClock(noon(start))
    async with running_service(
        definition(), Settings, database_url=url, bootstrap_servers=bootstrap, clock=clock
    ) as (rt, client):
        await eventually(lambda: _assigned(rt), within=30, what="dunning consumer assigned")
        yield BrokerDunning(rt, clock, client, bootstrap)


async def _assigned(rt: Runtime) -> bool:
    return all(c.assigned.is_set() for c in rt.consumers)

"""Test support: one debtor's invoicing and dunning events as the other services record them,
a runtime for handler-level tests, and readers of what credit-service publishes."""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition

from contracts import topics
from contracts.dunning import (
    DebtorEscalatedToCollection,
    DisputeOpened,
    DisputeResolved,
    PaymentPlanDefaulted,
    PromiseToPayBroken,
)
from contracts.invoicing import (
    InvoiceIssued,
    InvoicePaid,
    InvoicePartiallyPaid,
    PaymentAllocated,
    PaymentAllocationReversed,
    PaymentOverdue,
)
from credit_service.bootstrap import definition
from credit_service.settings import Settings
from eventkit.clock import Clock, SystemClock
from eventkit.codec import decode, encode_value, header_pairs, to_kafka_headers
from eventkit.envelope import Envelope, new_envelope, stream_id
from eventkit.events import DomainEvent
from eventkit.kafka import KafkaPublisher
from eventkit.runtime import Runtime
from eventkit.testing.service import api_keys_for_tests

D = Decimal


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


class Ledger:
    """The events about one debtor, with stream versions and the ``tenant:debtor`` key."""

    def __init__(self, tenant: str = "acme", debtor: str | None = None) -> None:
        self.tenant = tenant
        self.debtor = debtor or unique("D")
        self.versions: dict[str, int] = {}
        self.invoices: dict[str, InvoiceIssued] = {}

    def _env(self, event: DomainEvent, aggregate_type: str, aggregate_id: str) -> Envelope:
        version = self.versions.get(aggregate_id, 0) + 1
        self.versions[aggregate_id] = version
        return new_envelope(
            event,
            tenant_id=self.tenant,
            aggregate_type=aggregate_type,
            aggregate_id=aggregate_id,
            aggregate_version=version,
            clock=SystemClock(),
            producer="dunning-service" if aggregate_type == "case" else "invoice-service",
            partition_key=f"{self.tenant}:{self.debtor}",
        )

    # --- invoicing ---------------------------------------------------------------------------

    def issue(
        self,
        amount: str,
        issued: date,
        *,
        days: int = 30,
        number: str | None = None,
        currency: str = "EUR",
    ) -> Envelope:
        number = number or unique("INV")
        event = InvoiceIssued(
            invoice_number=number,
            debtor_ref=self.debtor,
            debtor_kind="B2B",
            issue_date=issued,
            due_date=issued + timedelta(days=days),
            currency=currency,
            net_total=D(amount),
            vat_total=D("0"),
            amount_due=D(amount),
            payment_reference="+++000/0000/00097+++",
        )
        self.invoices[number] = event
        return self._env(event, "invoice", number)

    def number(self, envelope: Envelope) -> str:
        return str(envelope.payload["invoice_number"])

    def overdue(self, number: str, open_amount: str | None = None) -> Envelope:
        issued = self.invoices[number]
        return self._env(
            PaymentOverdue(
                invoice_number=number,
                debtor_ref=self.debtor,
                due_date=issued.due_date,
                overdue_since=issued.due_date + timedelta(days=1),
                open_amount=D(open_amount) if open_amount else issued.amount_due,
                currency=issued.currency,
            ),
            "invoice",
            number,
        )

    def pay(
        self,
        number: str,
        amount: str,
        on: date,
        *,
        open_after: str = "0.00",
        source: str | None = None,
    ) -> list[Envelope]:
        issued = self.invoices[number]
        allocated = self._env(
            PaymentAllocated(
                source_kind="payment",
                source_id=source or unique("PAY"),
                invoice_number=number,
                debtor_ref=self.debtor,
                amount=D(amount),
                discount=D("0.00"),
                currency=issued.currency,
                allocated_on=on,
                method="structured_reference",
                open_amount_after=D(open_after),
            ),
            "invoice",
            number,
        )
        if D(open_after) > 0:
            follow: DomainEvent = InvoicePartiallyPaid(
                invoice_number=number,
                debtor_ref=self.debtor,
                open_amount=D(open_after),
                currency=issued.currency,
            )
        else:
            follow = InvoicePaid(
                invoice_number=number, debtor_ref=self.debtor, paid_on=on, currency=issued.currency
            )
        return [allocated, self._env(follow, "invoice", number)]

    def reverse(
        self, number: str, amount: str, on: date, *, open_after: str, source: str
    ) -> Envelope:
        issued = self.invoices[number]
        return self._env(
            PaymentAllocationReversed(
                source_kind="payment",
                source_id=source,
                invoice_number=number,
                debtor_ref=self.debtor,
                amount=D(amount),
                discount=D("0.00"),
                currency=issued.currency,
                reversed_on=on,
                open_amount_after=D(open_after),
            ),
            "invoice",
            number,
        )

    # --- dunning -----------------------------------------------------------------------------

    def dispute(self, dispute_id: str, number: str, on: date) -> Envelope:
        event = DisputeOpened(
            dispute_id=dispute_id,
            debtor_ref=self.debtor,
            invoice_number=number,
            reason="damaged",
            opened_on=on,
        )
        return self._env(event, "case", self.debtor)

    def resolve(self, dispute_id: str, number: str, on: date) -> Envelope:
        event = DisputeResolved(
            dispute_id=dispute_id,
            debtor_ref=self.debtor,
            invoice_number=number,
            outcome="rejected",
            resolved_on=on,
        )
        return self._env(event, "case", self.debtor)

    def promise_broken(self, on: date) -> Envelope:
        event = PromiseToPayBroken(
            promise_id=unique("PTP"),
            debtor_ref=self.debtor,
            invoice_numbers=[],
            amount_missing=D("100.00"),
            currency="EUR",
            broken_on=on,
        )
        return self._env(event, "case", self.debtor)

    def plan_defaulted(self, on: date) -> Envelope:
        event = PaymentPlanDefaulted(
            plan_id=unique("PLAN"), debtor_ref=self.debtor, defaulted_on=on
        )
        return self._env(event, "case", self.debtor)

    def escalated(self, on: date) -> Envelope:
        event = DebtorEscalatedToCollection(
            debtor_ref=self.debtor,
            debtor_name="Brouwerij Janssens BV",
            agency="Incasso Plus",
            escalated_on=on,
            items=[],
            totals=[],
            history=[],
        )
        return self._env(event, "case", self.debtor)


def topic_of(envelope: Envelope) -> str:
    return topics.DUNNING_CASE if envelope.aggregate_type == "case" else topics.INVOICING_INVOICE


def runtime_without_broker(url: str, clock: Clock, **overrides: Any) -> Runtime:
    """A runtime whose background tasks are not started: handlers and commands only."""
    values: dict[str, Any] = {
        "database_url": url,
        "kafka_bootstrap_servers": "127.0.0.1:1",
        "api_keys": api_keys_for_tests(),
        "environment": "test",
    }
    settings = Settings(**{**values, **overrides})
    return Runtime(definition(), settings, clock=clock)


async def account_stream(rt: Runtime, tenant: str, debtor: str) -> list[Envelope]:
    async with rt.db.reading() as session:
        return await rt.store.load(session, stream_id("account", tenant, debtor))


@asynccontextmanager
async def broker_publisher(bootstrap: str) -> AsyncIterator[Callable[..., Any]]:
    """Publish envelopes as a relay would, on the topic of their aggregate, through one
    producer for the whole test."""
    publisher = KafkaPublisher(bootstrap, client_id="credit-test-publisher", idempotence=False)
    await publisher.start()

    async def publish(*envelopes: Envelope) -> None:
        futures = [
            await publisher.send(
                topic_of(env),
                key=env.partition_key,
                value=encode_value(env).encode(),
                headers=to_kafka_headers(header_pairs(env)),
            )
            for env in envelopes
        ]
        for fut in futures:
            await fut

    try:
        yield publish
    finally:
        await publisher.stop()


async def published_credit_events(
    bootstrap: str,
    tenant: str,
    debtor: str,
    until: Callable[[list[Envelope]], bool],
    within: float = 15.0,
) -> list[Envelope]:
    """What credit-service published about the debtor on ``credit.account.events``, read from
    the broker from the beginning until ``until`` holds (or fail after ``within`` s)."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, enable_auto_commit=False, auto_offset_reset="earliest"
    )
    await consumer.start()
    try:
        spec = next(t for t in topics.EVENT_TOPICS if t.name == topics.CREDIT_ACCOUNT)
        partitions = [TopicPartition(spec.name, p) for p in range(spec.partitions)]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        found: list[Envelope] = []
        deadline = time.monotonic() + within
        while not until(found):
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"credit events of {debtor} not as expected within {within}s: "
                    f"{[e.type for e in found]}"
                )
            batches = await consumer.getmany(timeout_ms=200)
            for records in batches.values():
                for record in records:
                    env = decode(record.headers, record.value)
                    if env.tenant_id == tenant and env.aggregate_id == debtor:
                        assert record.key == f"{tenant}:{debtor}".encode()
                        found.append(env)
        return sorted(found, key=lambda e: e.aggregate_version)
    finally:
        await consumer.stop()


def types(envelopes: list[Envelope]) -> list[str]:
    return [e.type.rpartition(".")[2] for e in envelopes]

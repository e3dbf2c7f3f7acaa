"""credit-service in-process (SQLite and PostgreSQL) consuming real envelopes from the broker;
the projection is observed through the HTTP API only."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest

from contracts import topics
from contracts.invoicing import (
    DebtorProfile,
    DebtorRegistered,
    DebtorUpdated,
    InvoiceIssued,
    PaymentOverdue,
)
from credit_service.bootstrap import definition
from credit_service.settings import Settings
from eventkit.clock import SimulatedClock, SystemClock
from eventkit.envelope import Envelope, new_envelope
from eventkit.events import DomainEvent
from eventkit.localbroker import LocalBroker
from eventkit.runtime import Runtime
from eventkit.testing.databases import BACKENDS, fresh_database
from eventkit.testing.kafka import publish
from eventkit.testing.service import OTHER_TENANT_KEY, auth, running_service
from eventkit.testing.waiting import eventually

BUSINESS_NOW = datetime(2026, 12, 15, 10, 0, tzinfo=UTC)

Service = tuple[Runtime, httpx.AsyncClient, str]


@pytest.fixture(scope="module", params=BACKENDS)
async def service(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    kafka_broker: LocalBroker,
) -> AsyncIterator[Service]:
    """One running service per backend for the whole module: starting one (migrations, joining
    the consumer group) costs more than the tests themselves, and the tests keep apart through
    unique debtor refs and invoice numbers anyway."""
    async with (
        fresh_database(request.param, tmp_path_factory.mktemp("credit")) as url,
        running_service(
            definition(),
            Settings,
            database_url=url,
            bootstrap_servers=kafka_broker.bootstrap_servers,
            clock=SimulatedClock(BUSINESS_NOW),
        ) as (runtime, client),
    ):
        yield runtime, client, kafka_broker.bootstrap_servers


class DebtorMoved(DomainEvent):
    """An invoicing event this build of credit-service has never heard of."""

    event_type = "invoicing.DebtorMoved"
    debtor_ref: str
    city: str


def envelope(
    event: DomainEvent, *, tenant: str, debtor_ref: str, aggregate: str, aggregate_id: str
) -> Envelope:
    return new_envelope(
        event,
        tenant_id=tenant,
        aggregate_type=aggregate,
        aggregate_id=aggregate_id,
        aggregate_version=1,
        clock=SystemClock(),
        producer="invoice-service",
        partition_key=f"{tenant}:{debtor_ref}",
    )


def registered(tenant: str, debtor_ref: str, name: str = "Brouwerij Janssens BV") -> Envelope:
    event = DebtorRegistered(
        debtor_ref=debtor_ref,
        profile=DebtorProfile(legal_name=name, kind="B2B", country="BE", language="nl"),
    )
    return envelope(
        event, tenant=tenant, debtor_ref=debtor_ref, aggregate="debtor", aggregate_id=debtor_ref
    )


def updated(tenant: str, debtor_ref: str, name: str) -> Envelope:
    event = DebtorUpdated(
        debtor_ref=debtor_ref,
        profile=DebtorProfile(legal_name=name, kind="B2C", country="NL", language="nl"),
        changed=["legal_name", "kind", "country"],
    )
    return envelope(
        event, tenant=tenant, debtor_ref=debtor_ref, aggregate="debtor", aggregate_id=debtor_ref
    )


def issued(
    tenant: str, debtor_ref: str, number: str, amount: str, currency: str = "EUR"
) -> Envelope:
    event = InvoiceIssued(
        invoice_number=number,
        debtor_ref=debtor_ref,
        debtor_kind="B2B",
        issue_date=date(2026, 11, 1),
        due_date=date(2026, 12, 1),
        currency=currency,
        net_total=Decimal(amount),
        vat_total=Decimal("0"),
        amount_due=Decimal(amount),
        payment_reference="+++000/0000/00097+++",
    )
    return envelope(
        event, tenant=tenant, debtor_ref=debtor_ref, aggregate="invoice", aggregate_id=number
    )


def overdue(
    tenant: str, debtor_ref: str, number: str, since: date, amount: str, currency: str = "EUR"
) -> Envelope:
    event = PaymentOverdue(
        invoice_number=number,
        debtor_ref=debtor_ref,
        due_date=since - timedelta(days=1),
        overdue_since=since,
        open_amount=Decimal(amount),
        currency=currency,
    )
    return envelope(
        event, tenant=tenant, debtor_ref=debtor_ref, aggregate="invoice", aggregate_id=number
    )


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


async def exposure_until(
    client: httpx.AsyncClient, debtor_ref: str, until: Any, key: str | None = None
) -> dict[str, Any]:
    headers = auth(key) if key else auth()

    async def probe() -> httpx.Response:
        return await client.get(f"/v1/debtors/{debtor_ref}/exposure", headers=headers)

    response = await eventually(
        probe,
        until=lambda r: r.status_code == 200 and until(r.json()),
        what=f"exposure of {debtor_ref}",
    )
    body: dict[str, Any] = response.json()
    return body


async def test_exposure_is_projected_from_both_topics_in_any_order(service: Service) -> None:
    _rt, client, bootstrap = service
    d, a, b, c = unique("D"), unique("INV"), unique("INV"), unique("INV")
    await publish(
        bootstrap,
        topics.INVOICING_INVOICE,
        [
            issued("acme", d, a, "1210.00"),
            issued("acme", d, b, "100.50"),
            issued("acme", d, c, "250.00", "USD"),
            overdue("acme", d, b, date(2026, 12, 2), "100.50"),
        ],
    )
    body = await exposure_until(
        client, d, lambda body: sum(line["overdue_items"] for line in body["exposure"]) == 1
    )
    assert body == {
        "debtor_ref": d,
        "debtor": None,  # the debtor topic has not delivered yet: invoices alone make it known
        "as_of": "2026-12-15",
        "exposure": [
            {
                "currency": "EUR",
                "open_amount": "1310.50",
                "overdue_amount": "100.50",
                "open_items": 2,
                "overdue_items": 1,
                "oldest_overdue_since": "2026-12-02",
            },
            {
                "currency": "USD",
                "open_amount": "250.00",
                "overdue_amount": "0.00",
                "open_items": 1,
                "overdue_items": 0,
                "oldest_overdue_since": None,
            },
        ],
    }
    lone = unique("D")
    await publish(
        bootstrap,
        topics.INVOICING_DEBTOR,
        [registered("acme", d), registered("acme", lone, "Acme NV")],
    )
    body = await exposure_until(client, d, lambda body: body["debtor"] is not None)
    assert body["debtor"] == {"legal_name": "Brouwerij Janssens BV", "kind": "B2B", "country": "BE"}
    # Known by master data alone: no invoices, so nothing owed.
    body = await exposure_until(client, lone, lambda body: True)
    assert body["debtor"] == {"legal_name": "Acme NV", "kind": "B2B", "country": "BE"}
    assert body["exposure"] == []
    await publish(bootstrap, topics.INVOICING_DEBTOR, [updated("acme", d, "Janssens Thuis")])
    body = await exposure_until(
        client, d, lambda body: body["debtor"]["legal_name"] == "Janssens Thuis"
    )
    assert body["debtor"] == {"legal_name": "Janssens Thuis", "kind": "B2C", "country": "NL"}
    assert [line["open_amount"] for line in body["exposure"]] == ["1310.50", "250.00"]


async def test_the_same_event_delivered_twice_has_one_effect(service: Service) -> None:
    runtime, client, bootstrap = service
    d, number = unique("D"), unique("INV")
    invoice = issued("acme", d, number, "80.00")
    flagged = overdue("acme", d, number, date(2026, 12, 2), "80.00")
    # Same partition key: the overdue flag arrives after both copies of the invoice.
    await publish(bootstrap, topics.INVOICING_INVOICE, [invoice, invoice, flagged, flagged])
    body = await exposure_until(client, d, lambda body: body["exposure"][0]["overdue_items"] == 1)
    assert body["exposure"] == [
        {
            "currency": "EUR",
            "open_amount": "80.00",
            "overdue_amount": "80.00",
            "open_items": 1,
            "overdue_items": 1,
            "oldest_overdue_since": "2026-12-02",
        }
    ]
    (consumer,) = runtime.consumers
    assert consumer.stats.duplicates >= 2  # the inbox absorbed the copies


async def test_tenants_see_only_their_own_debtors(service: Service) -> None:
    _rt, client, bootstrap = service
    shared, acme_only, number = unique("D"), unique("D"), unique("INV")
    await publish(bootstrap, topics.INVOICING_DEBTOR, [registered("acme", acme_only)])
    await publish(
        bootstrap,
        topics.INVOICING_INVOICE,
        [
            # Invoice numbers are unique per tenant only.
            issued("acme", shared, number, "10.00"),
            issued("globex", shared, number, "99.00"),
            issued("acme", acme_only, unique("INV"), "5.00"),
        ],
    )
    acme = await exposure_until(client, shared, lambda body: body["exposure"] != [])
    globex = await exposure_until(
        client, shared, lambda body: body["exposure"] != [], OTHER_TENANT_KEY
    )
    assert acme["exposure"][0]["open_amount"] == "10.00"
    assert globex["exposure"][0]["open_amount"] == "99.00"
    await exposure_until(client, acme_only, lambda body: body["exposure"] != [] and body["debtor"])
    hidden = await client.get(f"/v1/debtors/{acme_only}/exposure", headers=auth(OTHER_TENANT_KEY))
    assert hidden.status_code == 404
    assert hidden.headers["content-type"] == "application/problem+json"


async def test_unknown_event_types_are_ignored(service: Service) -> None:
    runtime, client, bootstrap = service
    d = unique("D")
    moved = DebtorMoved(debtor_ref=d, city="Gent")
    await publish(
        bootstrap,
        topics.INVOICING_DEBTOR,
        [
            envelope(moved, tenant="acme", debtor_ref=d, aggregate="debtor", aggregate_id=d),
            registered("acme", d),
        ],
    )
    await publish(
        bootstrap,
        topics.INVOICING_INVOICE,
        [
            envelope(
                moved, tenant="acme", debtor_ref=d, aggregate="invoice", aggregate_id=unique("INV")
            ),
            issued("acme", d, unique("INV"), "42.00"),
        ],
    )
    # Each known event sits behind an unknown one on its partition: seeing both means the
    # unknown ones were passed over, not parked or retried.
    body = await exposure_until(client, d, lambda body: body["debtor"] and body["exposure"])
    assert body["exposure"][0]["open_amount"] == "42.00"
    (consumer,) = runtime.consumers
    assert consumer.stats.dead_lettered == 0


async def test_keys_and_unknown_debtors(service: Service) -> None:
    _rt, client, _bootstrap = service
    d = unique("D")
    missing = await client.get(f"/v1/debtors/{d}/exposure")
    assert missing.status_code == 401
    assert missing.headers["content-type"] == "application/problem+json"
    for key in ("acme-erp-key", "acme-ops-key", "acme-agency-key"):
        r = await client.get(f"/v1/debtors/{d}/exposure", headers=auth(key))
        assert r.status_code == 404, key
    body = r.json()
    assert body["status"] == 404
    assert d in body["detail"]

"""dunning-service in-process (SQLite and PostgreSQL) consuming real invoicing events from the
broker, observed through its HTTP API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from contracts import topics
from dunning_service.bootstrap import OPEN_ITEMS_GROUP, definition
from dunning_service.settings import Settings
from eventkit.clock import SimulatedClock
from eventkit.localbroker import LocalBroker
from eventkit.runtime import Runtime
from eventkit.testing.databases import fresh_database
from eventkit.testing.kafka import publish
from eventkit.testing.service import OTHER_TENANT_KEY, auth, running_service
from eventkit.testing.waiting import eventually

BUSINESS_DATE = date(2026, 12, 20)

Service = tuple[Runtime, httpx.AsyncClient, str]


@pytest.fixture
async def service(
    backend: str, tmp_path: Path, kafka_broker: LocalBroker
) -> AsyncIterator[Service]:
    clock = SimulatedClock(datetime(2026, 12, 20, 9, 0, tzinfo=UTC))
    async with (
        fresh_database(backend, tmp_path) as url,
        running_service(
            definition(),
            Settings,
            database_url=url,
            bootstrap_servers=kafka_broker.bootstrap_servers,
            clock=clock,
        ) as (runtime, client),
    ):
        yield runtime, client, kafka_broker.bootstrap_servers


async def open_items(client: httpx.AsyncClient, debtor: str, key: str | None = None) -> Any:
    headers = auth(key) if key else auth()
    response = await client.get(f"/v1/debtors/{debtor}/open-items", headers=headers)
    return response.json() if response.status_code == 200 else response.status_code


def consumer_stats(runtime: Runtime) -> Any:
    [consumer] = [c for c in runtime.consumers if c.group == OPEN_ITEMS_GROUP]
    return consumer.stats


async def test_open_items_are_projected_from_invoicing_events(
    service: Service, invoicing: Any
) -> None:
    _runtime, client, bootstrap = service
    debtor = invoicing.ref("D")
    a, b, c = invoicing.ref("INV-A"), invoicing.ref("INV-B"), invoicing.ref("INV-C")
    # The invoice topic first: the debtor is not known yet when its invoices arrive.
    await publish(
        bootstrap,
        topics.INVOICING_INVOICE,
        [
            invoicing.invoice_issued(a, debtor),
            invoicing.invoice_issued(b, debtor, due_date=date(2026, 12, 31), amount="500.10"),
            invoicing.invoice_issued(
                c, debtor, due_date=date(2026, 11, 15), amount="99.99", currency="USD"
            ),
            invoicing.payment_overdue(a, debtor),
            invoicing.payment_overdue(
                c,
                debtor,
                due_date=date(2026, 11, 15),
                overdue_since=date(2026, 11, 16),
                amount="99.99",
                currency="USD",
            ),
        ],
    )
    early = await eventually(
        lambda: open_items(client, debtor),
        until=lambda body: (
            isinstance(body, dict) and sum(item["overdue"] for item in body["items"]) == 2
        ),
        what="three open items, two of them overdue",
    )
    assert early["debtor"] is None

    await publish(
        bootstrap,
        topics.INVOICING_DEBTOR,
        [
            invoicing.debtor_registered(debtor),
            invoicing.debtor_updated(debtor, language="fr"),
        ],
    )
    body = await eventually(
        lambda: open_items(client, debtor),
        until=lambda body: (body.get("debtor") or {}).get("language") == "fr",
        what="the debtor's updated master data",
    )
    assert body == {
        "debtor_ref": debtor,
        "debtor": {
            "legal_name": "Brouwerij Janssens BV",
            "kind": "B2B",
            "country": "BE",
            "language": "fr",
        },
        "as_of": BUSINESS_DATE.isoformat(),
        "items": [
            {
                "invoice_number": c,
                "issue_date": "2026-11-01",
                "due_date": "2026-11-15",
                "currency": "USD",
                "amount_due": "99.99",
                "open_amount": "99.99",
                "payment_reference": f"REF/{c}",
                "overdue": True,
                "overdue_since": "2026-11-16",
                "days_overdue": 35,
            },
            {
                "invoice_number": a,
                "issue_date": "2026-11-01",
                "due_date": "2026-12-01",
                "currency": "EUR",
                "amount_due": "1210.00",
                "open_amount": "1210.00",
                "payment_reference": f"REF/{a}",
                "overdue": True,
                "overdue_since": "2026-12-02",
                "days_overdue": 19,
            },
            {
                "invoice_number": b,
                "issue_date": "2026-11-01",
                "due_date": "2026-12-31",
                "currency": "EUR",
                "amount_due": "500.10",
                "open_amount": "500.10",
                "payment_reference": f"REF/{b}",
                "overdue": False,
                "overdue_since": None,
                "days_overdue": 0,
            },
        ],
        "totals": [
            {"currency": "EUR", "open_amount": "1710.10", "overdue_amount": "1210.00", "items": 2},
            {"currency": "USD", "open_amount": "99.99", "overdue_amount": "99.99", "items": 1},
        ],
    }


async def test_the_same_event_delivered_twice_has_one_effect(
    service: Service, invoicing: Any
) -> None:
    runtime, client, bootstrap = service
    debtor = invoicing.ref("D")
    first, marker = invoicing.ref("INV"), invoicing.ref("INV-LAST")
    later = date(2026, 12, 31)
    issued = invoicing.invoice_issued(first, debtor)
    overdue = invoicing.payment_overdue(first, debtor)
    registered = invoicing.debtor_registered(debtor)
    await publish(
        bootstrap,
        topics.INVOICING_DEBTOR,
        [registered, registered, invoicing.debtor_updated(debtor, language="fr")],
    )
    await publish(
        bootstrap,
        topics.INVOICING_INVOICE,
        [
            issued,
            issued,
            overdue,
            overdue,
            invoicing.invoice_issued(marker, debtor, due_date=later),
        ],
    )
    body = await eventually(
        lambda: open_items(client, debtor),
        until=lambda body: (
            isinstance(body, dict)
            and (body["debtor"] or {}).get("language") == "fr"
            and marker in [item["invoice_number"] for item in body["items"]]
        ),
        what="the events after the duplicates on both topics",
    )
    assert [item["invoice_number"] for item in body["items"]] == [first, marker]
    assert body["totals"] == [
        {"currency": "EUR", "open_amount": "2420.00", "overdue_amount": "1210.00", "items": 2}
    ]
    # The inbox absorbed the second copies before the handler saw them.
    assert consumer_stats(runtime).duplicates >= 3


async def test_tenants_keys_and_unknown_event_types(service: Service, invoicing: Any) -> None:
    runtime, client, bootstrap = service
    shared_ref, globex_only = invoicing.ref("D"), invoicing.ref("D")
    acme_invoice, globex_invoice = invoicing.ref("INV"), invoicing.ref("INV")
    await publish(
        bootstrap,
        topics.INVOICING_INVOICE,
        [
            invoicing.unknown_event(acme_invoice, shared_ref),
            invoicing.invoice_issued(acme_invoice, shared_ref),
            invoicing.invoice_issued(globex_invoice, shared_ref, tenant="globex"),
            invoicing.invoice_issued(invoicing.ref("INV"), globex_only, tenant="globex"),
        ],
    )
    await publish(
        bootstrap, topics.INVOICING_DEBTOR, [invoicing.debtor_registered(globex_only, "globex")]
    )
    globex = await eventually(
        lambda: open_items(client, globex_only, OTHER_TENANT_KEY),
        until=lambda body: isinstance(body, dict) and body["debtor"] is not None and body["items"],
        what="globex's debtor and its invoice (two topics)",
    )
    assert len(globex["items"]) == 1
    acme = await eventually(
        lambda: open_items(client, shared_ref),
        until=lambda body: isinstance(body, dict),
        what="acme's open item",
    )
    # The unknown event before it on the same partition was skipped, not dead-lettered.
    assert [item["invoice_number"] for item in acme["items"]] == [acme_invoice]
    assert consumer_stats(runtime).dead_lettered == 0
    other = await eventually(
        lambda: open_items(client, shared_ref, OTHER_TENANT_KEY),
        until=lambda body: isinstance(body, dict),
        what="globex's open item under the same debtor ref",
    )
    assert [item["invoice_number"] for item in other["items"]] == [globex_invoice]

    missing = await client.get(f"/v1/debtors/{globex_only}/open-items", headers=auth())
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    for key in ("acme-erp-key", "acme-ops-key", "acme-agency-key"):
        assert isinstance(await open_items(client, shared_ref, key), dict), key
    anonymous = await client.get(f"/v1/debtors/{shared_ref}/open-items")
    assert anonymous.status_code == 401
    assert anonymous.headers["content-type"] == "application/problem+json"
    wrong_key = await client.get(f"/v1/debtors/{shared_ref}/open-items", headers=auth("not-a-key"))
    assert wrong_key.status_code == 401

"""The dossier fed from the real broker, read over HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from contracts import topics
from contracts.invoicing import DebtorProfile, DebtorRegistered, InvoiceIssued, PaymentOverdue
from eventkit.clock import SystemClock
from eventkit.db import inbox
from eventkit.envelope import Envelope, new_envelope
from eventkit.events import DomainEvent
from eventkit.localbroker import LocalBroker
from eventkit.runtime import Runtime
from eventkit.testing.databases import fresh_database
from eventkit.testing.kafka import publish
from eventkit.testing.service import OTHER_TENANT_KEY, auth, running_service
from eventkit.testing.waiting import eventually
from notification_service.application.dossier import DOSSIER_GROUP
from notification_service.bootstrap import definition
from notification_service.projections.tables import dossier_entries
from notification_service.settings import Settings

Service = tuple[Runtime, httpx.AsyncClient]
START = SystemClock().now().replace(microsecond=0)


class CaseOpened(DomainEvent):
    """A type the contracts do not know (yet)."""

    event_type = "dunning.CaseOpened"
    case_id: str
    debtor_ref: str | None = None


@pytest.fixture
async def service(
    backend: str, tmp_path: Path, kafka_broker: LocalBroker
) -> AsyncIterator[Service]:
    async with (
        fresh_database(backend, tmp_path) as url,
        running_service(
            definition(),
            Settings,
            database_url=url,
            bootstrap_servers=kafka_broker.bootstrap_servers,
        ) as pair,
    ):
        yield pair


@pytest.fixture
def bootstrap(kafka_broker: LocalBroker) -> str:
    return kafka_broker.bootstrap_servers


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def wrap(
    event: DomainEvent,
    *,
    aggregate_type: str,
    aggregate_id: str,
    debtor: str,
    minute: int,
    tenant: str = "acme",
    key: str | None = None,
) -> Envelope:
    return new_envelope(
        event,
        tenant_id=tenant,
        aggregate_type=aggregate_type,
        aggregate_id=aggregate_id,
        aggregate_version=1,
        clock=SystemClock(),
        producer="invoice-service",
        partition_key=key or f"{tenant}:{debtor}",
        occurred_at=START + timedelta(minutes=minute),
    )


def registered(debtor: str, minute: int, tenant: str = "acme") -> Envelope:
    profile = DebtorProfile(
        legal_name="Brouwerij Janssens BV", kind="B2B", country="BE", language="nl"
    )
    return wrap(
        DebtorRegistered(debtor_ref=debtor, profile=profile),
        aggregate_type="debtor", aggregate_id=debtor, debtor=debtor, minute=minute, tenant=tenant,
    )  # fmt: skip


def issued(number: str, debtor: str, minute: int) -> Envelope:
    event = InvoiceIssued(
        invoice_number=number,
        debtor_ref=debtor,
        debtor_kind="B2B",
        issue_date=date(2026, 11, 1),
        due_date=date(2026, 12, 1),
        currency="EUR",
        net_total=Decimal("1000.00"),
        vat_total=Decimal("210.00"),
        amount_due=Decimal("1210.00"),
        payment_reference="+++000/0000/00097+++",
    )
    return wrap(event, aggregate_type="invoice", aggregate_id=number, debtor=debtor, minute=minute)


def overdue(number: str, debtor: str, minute: int) -> Envelope:
    event = PaymentOverdue(
        invoice_number=number,
        debtor_ref=debtor,
        due_date=date(2026, 12, 1),
        overdue_since=date(2026, 12, 2),
        open_amount=Decimal("1210.00"),
        currency="EUR",
    )
    return wrap(event, aggregate_type="invoice", aggregate_id=number, debtor=debtor, minute=minute)


async def dossier(
    client: httpx.AsyncClient, debtor: str, key: str | None = None, **query: Any
) -> httpx.Response:
    headers = auth(key) if key else auth()
    return await client.get(f"/v1/debtors/{debtor}/dossier", params=query, headers=headers)


async def wait_for_entries(
    client: httpx.AsyncClient, debtor: str, count: int
) -> list[dict[str, Any]]:
    """Wait until the dossier holds ``count`` entries."""

    async def probe() -> list[dict[str, Any]]:
        r = await dossier(client, debtor)
        return r.json()["entries"] if r.status_code == 200 else []

    found = await eventually(probe, until=lambda e: len(e) >= count, what=f"{count} entries")
    return found


async def test_dossier_lists_every_event_about_the_debtor_newest_first(
    service: Service, bootstrap: str
) -> None:
    _rt, client = service
    debtor, number = unique("D"), unique("INV")
    # The debtor topic's event arrives independently of the invoice topic's: order comes from
    # occurred_at, not from arrival.
    await publish(
        bootstrap, topics.INVOICING_INVOICE, [issued(number, debtor, 1), overdue(number, debtor, 2)]
    )
    await publish(bootstrap, topics.INVOICING_DEBTOR, [registered(debtor, 0)])
    entries = await wait_for_entries(client, debtor, 3)

    assert [e["summary"] for e in entries] == [
        f"Invoice {number} overdue since 2026-12-02: EUR 1210.00 open",
        f"Invoice {number} issued: EUR 1210.00 due 2026-12-01",
        "Debtor registered: Brouwerij Janssens BV",
    ]
    assert [e["type"] for e in entries] == [
        "invoicing.PaymentOverdue", "invoicing.InvoiceIssued", "invoicing.DebtorRegistered",
    ]  # fmt: skip
    newest = entries[0]
    assert set(newest) == {
        "event_id", "type", "occurred_at", "aggregate_type", "aggregate_id", "summary",
        "payload", "correlation_id",
    }  # fmt: skip
    assert (newest["aggregate_type"], newest["aggregate_id"]) == ("invoice", number)
    assert newest["payload"]["open_amount"] == "1210.00"
    assert datetime.fromisoformat(newest["occurred_at"]) == START + timedelta(minutes=2)

    # Pages: the cursor is the event id of the last entry seen.
    first = (await dossier(client, debtor, limit=2)).json()
    assert [e["event_id"] for e in first["entries"]] == [e["event_id"] for e in entries[:2]]
    rest = (await dossier(client, debtor, limit=2, before=entries[1]["event_id"])).json()
    assert [e["event_id"] for e in rest["entries"]] == [entries[2]["event_id"]]
    end = (await dossier(client, debtor, before=entries[2]["event_id"])).json()
    assert end == {"debtor_ref": debtor, "entries": [], "messages": []}
    bad_cursor = await dossier(client, debtor, before=str(uuid.uuid4()))
    assert bad_cursor.status_code == 422
    assert bad_cursor.json()["errors"][0]["field"] == "before"

    # Every reader scope may look; the key decides the tenant.
    for key in ("acme-erp-key", "acme-ops-key", "acme-agency-key"):
        assert (await dossier(client, debtor, key)).status_code == 200
    hidden = await dossier(client, debtor, OTHER_TENANT_KEY)
    assert hidden.status_code == 404
    assert hidden.headers["content-type"] == "application/problem+json"


async def test_an_event_delivered_twice_is_recorded_once(service: Service, bootstrap: str) -> None:
    rt, client = service
    debtor, number = unique("D"), unique("INV")
    twice = issued(number, debtor, 1)
    # Same partition key, same topic: the marker is handled after both copies.
    await publish(bootstrap, topics.INVOICING_INVOICE, [twice, twice, overdue(number, debtor, 2)])
    entries = await wait_for_entries(client, debtor, 2)
    assert [e["type"] for e in entries] == ["invoicing.PaymentOverdue", "invoicing.InvoiceIssued"]
    async with rt.db.reading() as session:
        stored = await session.scalar(
            select(func.count()).where(dossier_entries.c.event_id == str(twice.event_id))
        )
    assert stored == 1


async def test_tenants_see_only_their_own_dossier(service: Service, bootstrap: str) -> None:
    _rt, client = service
    debtor = unique("D")
    theirs, ours = registered(debtor, 0, tenant="globex"), registered(debtor, 1, tenant="acme")
    await publish(bootstrap, topics.INVOICING_DEBTOR, [theirs, ours])
    acme = await wait_for_entries(client, debtor, 1)

    async def globex_view() -> httpx.Response:
        return await dossier(client, debtor, OTHER_TENANT_KEY)

    globex = await eventually(globex_view, until=lambda r: r.status_code == 200, what="globex")
    assert [e["event_id"] for e in acme] == [str(ours.event_id)]
    assert [e["event_id"] for e in globex.json()["entries"]] == [str(theirs.event_id)]


async def test_unknown_types_are_recorded_and_debtorless_events_ignored(
    service: Service, bootstrap: str
) -> None:
    rt, client = service
    debtor, case = unique("D"), unique("C")
    unknown = wrap(
        CaseOpened(case_id=case, debtor_ref=debtor),
        aggregate_type="case", aggregate_id=case, debtor=debtor, minute=3, key="acme:somebody-else",
    )  # fmt: skip
    orphan = wrap(
        CaseOpened(case_id=case), aggregate_type="case", aggregate_id=case, debtor="", minute=4,
        key=f"no-debtor-{case}",
    )  # fmt: skip
    await publish(bootstrap, topics.DUNNING_CASE, [unknown, orphan])
    entries = await wait_for_entries(client, debtor, 1)
    assert entries[0]["summary"] == f"Case opened (dunning case {case})"
    assert entries[0]["payload"] == {"case_id": case, "debtor_ref": debtor}

    async def orphan_handled() -> int:
        async with rt.db.reading() as session:
            seen = await session.scalar(
                select(func.count()).where(
                    inbox.c.consumer_group == DOSSIER_GROUP,
                    inbox.c.event_id == str(orphan.event_id),
                )
            )
        return int(seen or 0)

    await eventually(orphan_handled, what="the debtorless event handled")
    async with rt.db.reading() as session:
        recorded = await session.scalar(
            select(func.count()).where(dossier_entries.c.event_id == str(orphan.event_id))
        )
    assert recorded == 0


async def test_the_dossier_needs_a_key_and_valid_query(service: Service) -> None:
    _rt, client = service
    anonymous = await client.get("/v1/debtors/D-1/dossier")
    assert anonymous.status_code == 401
    assert anonymous.headers["content-type"] == "application/problem+json"
    assert (await dossier(client, "D-1", limit=0)).status_code == 422
    assert (await dossier(client, "D-1", limit=1001)).status_code == 422
    unknown = await dossier(client, unique("D"))
    assert unknown.status_code == 404
    assert unknown.json()["title"] == "Not found"

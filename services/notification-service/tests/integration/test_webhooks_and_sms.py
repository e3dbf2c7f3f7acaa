"""Webhooks to ERP and agency endpoints against a local HTTP receiver: the Standard Webhooks
signature, the retry schedule, the dead letter after the last attempt; SMS through an HTTP
provider with its fallback."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import itertools
import json
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from contracts import topics
from contracts.dunning import DebtorEscalatedToCollection, ReminderItem, ReminderTotals
from eventkit.db import event_store
from eventkit.localbroker import LocalBroker
from eventkit.runtime import Runtime
from eventkit.testing.databases import BACKENDS, fresh_database
from eventkit.testing.kafka import publish
from eventkit.testing.service import auth, running_service
from eventkit.testing.waiting import eventually
from notification_service.bootstrap import definition
from notification_service.settings import Settings
from notification_service.testing import envelope_of, reminder_due, unique

Service = tuple[Runtime, httpx.AsyncClient]
SECRET = "whsec_" + base64.b64encode(b"a test secret of 32 bytes length").decode()
BASE_DELAY = 0.2
MAX_ATTEMPTS = 4


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float


@dataclass
class Receiver:
    """A minimal HTTP/1.1 server on loopback that records requests and answers scripted
    status codes per path (200 when the script is empty)."""

    requests: list[Received] = field(default_factory=list)
    scripts: dict[str, list[int]] = field(default_factory=dict)
    port: int = 0
    server: asyncio.Server | None = None

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def to(self, path: str, debtor: str | None = None) -> list[Received]:
        """Requests to ``path`` (about ``debtor``: a fresh database replays older events)."""
        found = [r for r in self.requests if r.path == path]
        if debtor is None:
            return found
        return [r for r in found if debtor_of(r) == debtor]

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                line = await reader.readline()
                if not line:
                    break
                _method, path, _version = line.decode().split(" ", 2)
                headers: dict[str, str] = {}
                while (header := await reader.readline()) not in (b"\r\n", b"\n", b""):
                    name, _, value = header.decode().partition(":")
                    headers[name.strip().lower()] = value.strip()
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                self.requests.append(Received(path, headers, body, time.monotonic()))
                # Scripts per path and debtor (or SMS recipient): a fresh database replays
                # older events to the same endpoint, which must not eat a test's script.
                script = self.scripts.get(f"{path}#{recipient_of(body)}") or []
                status = script.pop(0) if script else 200
                answer = json.dumps({"id": f"prov-{len(self.requests)}", "ok": status < 300})
                writer.write(
                    f"HTTP/1.1 {status} X\r\ncontent-type: application/json\r\n"
                    f"content-length: {len(answer)}\r\n\r\n{answer}".encode()
                )
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError, ValueError):
            pass
        finally:
            writer.close()


def recipient_of(body: bytes) -> str | None:
    """The debtor of a webhook, the phone number of an SMS."""
    try:
        data = json.loads(body)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    found = data.get("to") or (data.get("data") or {}).get("debtor_ref")
    return str(found) if found is not None else None


def unique_phone() -> str:
    return "+3247" + str(uuid.uuid4().int)[:7]


def debtor_of(received: Received) -> str | None:
    body = json.loads(received.body)
    data = body.get("data", body) if isinstance(body, dict) else {}
    found = data.get("debtor_ref")
    return str(found) if found is not None else None


@pytest.fixture(scope="module")
async def receiver() -> AsyncIterator[Receiver]:
    found = Receiver()
    await found.start()
    yield found
    await found.stop()


@pytest.fixture(scope="module", params=BACKENDS)
async def service(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    kafka_broker: LocalBroker,
    receiver: Receiver,
) -> AsyncIterator[Service]:
    async with (
        fresh_database(str(request.param), tmp_path_factory.mktemp("hooks")) as url,
        running_service(
            definition(),
            Settings,
            database_url=url,
            bootstrap_servers=kafka_broker.bootstrap_servers,
            smtp_port=1,  # nothing listens: no mail leaves this module
            send_retry_base_seconds=60,
            sender_poll_seconds=0.05,
            webhook_retry_base_seconds=BASE_DELAY,
            webhook_max_attempts=MAX_ATTEMPTS,
            sms_provider_url=receiver.url("/sms"),
            sms_provider_token="sms-token",
        ) as pair,
    ):
        yield pair


@pytest.fixture
def bootstrap(kafka_broker: LocalBroker) -> str:
    return kafka_broker.bootstrap_servers


def standard_webhooks_valid(secret: str, received: Received) -> bool:
    """The receiver's check, written from the Standard Webhooks spec (not our signer)."""
    key = base64.b64decode(secret.split("_", 1)[1])
    h = received.headers
    signed = f"{h['webhook-id']}.{h['webhook-timestamp']}.".encode() + received.body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    versions = [s.split(",", 1) for s in h["webhook-signature"].split()]
    fresh = abs(time.time() - int(h["webhook-timestamp"])) < 300
    return fresh and any(v == "v1" and hmac.compare_digest(sig, expected) for v, sig in versions)


async def endpoint(
    client: httpx.AsyncClient, url: str, kind: str, types: list[str], secret: str | None = SECRET
) -> dict[str, Any]:
    body: dict[str, Any] = {"kind": kind, "url": url, "event_types": types}
    if secret:
        body["secret"] = secret
    r = await client.post("/v1/webhook-endpoints", json=body, headers=auth())
    assert r.status_code == 201, r.text
    created: dict[str, Any] = r.json()
    return created


def escalation(debtor: str) -> DebtorEscalatedToCollection:
    item = ReminderItem(
        invoice_number="F-1", issue_date=date(2026, 1, 1), due_date=date(2026, 2, 1),
        days_overdue=60, currency="EUR", open_amount=Decimal("500"), interest=Decimal("10"),
        fees=Decimal("40"),
    )  # fmt: skip
    totals = ReminderTotals(
        currency="EUR", principal=Decimal("500"), interest=Decimal("10"), fees=Decimal("40"),
        total=Decimal("550"),
    )  # fmt: skip
    return DebtorEscalatedToCollection(
        debtor_ref=debtor, debtor_name="Jan Peeters", agency="Incasso Partners BV",
        escalated_on=date(2026, 4, 1), items=[item], totals=[totals], history=[],
    )  # fmt: skip


async def webhook_messages(
    client: httpx.AsyncClient, debtor: str, endpoint_id: str, until: Any
) -> list[dict[str, Any]]:
    """The webhook messages of one debtor to one endpoint (other tests' endpoints live on)."""

    async def probe() -> list[dict[str, Any]]:
        r = await client.get(f"/v1/debtors/{debtor}/dossier", headers=auth())
        found = r.json()["messages"] if r.status_code == 200 else []
        return [m for m in found if m["channel"] == "webhook" and m["recipient"] == endpoint_id]

    result: list[dict[str, Any]] = await eventually(probe, until=until, what="webhook messages")
    return result


async def event_types(rt: Runtime, message_id: str) -> list[str]:
    async with rt.db.reading() as session:
        return list(
            (
                await session.scalars(
                    select(event_store.c.event_type)
                    .where(event_store.c.aggregate_id == message_id)
                    .order_by(event_store.c.version)
                )
            ).all()
        )


async def test_the_agency_gets_the_file_signed_per_standard_webhooks(
    service: Service, receiver: Receiver, bootstrap: str
) -> None:
    rt, client = service
    path = f"/agency/{unique('a')}"
    created = await endpoint(client, receiver.url(path), "agency", [
        "dunning.DebtorEscalatedToCollection"
    ])  # fmt: skip
    assert created["secret"] == SECRET
    listed = (await client.get("/v1/webhook-endpoints", headers=auth())).json()
    assert all(e["secret"] is None for e in listed)  # shown once only
    debtor = unique("D")
    env = envelope_of(escalation(debtor), debtor)
    await publish(bootstrap, topics.DUNNING_CASE, [env])
    [hook] = await webhook_messages(
        client,
        debtor,
        created["endpoint_id"],
        until=lambda ms: ms and ms[0]["status"] == "delivered",
    )
    [got] = receiver.to(path, debtor)
    assert standard_webhooks_valid(SECRET, got)
    assert got.headers["webhook-id"] == hook["message_id"]
    body = json.loads(got.body)
    assert body["type"] == "dunning.DebtorEscalatedToCollection"
    assert body["data"]["debtor_ref"] == debtor and body["data"]["agency"] == "Incasso Partners BV"
    assert body["data"]["event_id"] == str(env.event_id)
    assert hook["proof"]["status_code"] == 200 and "prov-" in hook["proof"]["response"]
    assert await event_types(rt, hook["message_id"]) == [
        "notification.NotificationSent", "notification.NotificationDelivered",
    ]  # fmt: skip
    # The debtor's hand-over notice could not be sent (no contact known): flagged, not lost.
    r = await client.get(f"/v1/debtors/{debtor}/dossier", headers=auth())
    notice = next(m for m in r.json()["messages"] if m["template_key"] == "handover_notice")
    assert notice["status"] == "needs_ops" and "no e-mail address" in notice["failure_reason"]


async def test_failing_endpoints_are_retried_with_backoff_then_dead_lettered(
    service: Service, receiver: Receiver, bootstrap: str
) -> None:
    rt, client = service
    path, debtor = f"/erp/{unique('down')}", unique("D")
    receiver.scripts[f"{path}#{debtor}"] = [500] * MAX_ATTEMPTS
    created = await endpoint(
        client, receiver.url(path), "erp", ["dunning.DebtorEscalatedToCollection"]
    )
    await publish(bootstrap, topics.DUNNING_CASE, [envelope_of(escalation(debtor), debtor)])
    [hook] = await webhook_messages(
        client, debtor, created["endpoint_id"], until=lambda ms: ms and ms[0]["status"] == "dead"
    )
    calls = receiver.to(path, debtor)
    assert len(calls) == MAX_ATTEMPTS
    assert len({c.headers["webhook-id"] for c in calls}) == 1  # one id: receivers deduplicate
    assert all(standard_webhooks_valid(SECRET, c) for c in calls)
    gaps = [b.at - a.at for a, b in itertools.pairwise(calls)]
    for n, gap in enumerate(gaps, start=1):
        expected = BASE_DELAY * 2 ** (n - 1)
        assert expected <= gap < expected + 0.6, f"gap {n}: {gap:.2f}s, expected ~{expected}s"
    assert [a["outcome"] for a in hook["attempt_log"]] == ["rejected"] * MAX_ATTEMPTS
    assert hook["attempts"] == MAX_ATTEMPTS
    assert f"dead letter after {MAX_ATTEMPTS} attempts" in hook["failure_reason"]
    assert await event_types(rt, hook["message_id"]) == ["notification.NotificationFailed"]
    async with rt.db.reading() as session:
        payload = await session.scalar(
            select(event_store.c.payload).where(event_store.c.aggregate_id == hook["message_id"])
        )
    assert payload is not None and payload["needs_ops"] is True
    dead = await client.get("/v1/messages", params={"status": "dead"}, headers=auth())
    assert hook["message_id"] in {m["message_id"] for m in dead.json()["messages"]}


async def test_a_recovering_endpoint_gets_the_event_once_it_answers(
    service: Service, receiver: Receiver, bootstrap: str
) -> None:
    _rt, client = service
    path, debtor = f"/erp/{unique('flaky')}", unique("D")
    receiver.scripts[f"{path}#{debtor}"] = [503, 500]
    created = await endpoint(
        client, receiver.url(path), "erp", ["dunning.DebtorEscalatedToCollection"]
    )
    await publish(bootstrap, topics.DUNNING_CASE, [envelope_of(escalation(debtor), debtor)])
    [hook] = await webhook_messages(
        client,
        debtor,
        created["endpoint_id"],
        until=lambda ms: ms and ms[0]["status"] == "delivered",
    )
    assert [a["outcome"] for a in hook["attempt_log"]] == ["rejected", "rejected", "accepted"]
    assert len(receiver.to(path, debtor)) == 3


async def test_the_erp_hears_of_every_message_sent(
    service: Service, receiver: Receiver, bootstrap: str
) -> None:
    _rt, client = service
    path = f"/erp/{unique('sent')}"
    created = await endpoint(
        client, receiver.url(path), "erp", ["notification.NotificationSent"], None
    )
    debtor = unique("D")
    event = reminder_due(debtor, email=None, pack="BE_B2B")  # no e-mail: a letter
    await publish(bootstrap, topics.DUNNING_CASE, [envelope_of(event, debtor)])
    hooks = await webhook_messages(
        client,
        debtor,
        created["endpoint_id"],
        until=lambda ms: ms and all(m["status"] == "delivered" for m in ms),
    )
    bodies = [json.loads(r.body) for r in receiver.to(path)]
    mine = [b for b in bodies if b["data"]["debtor_ref"] == debtor]
    assert len(mine) == len(hooks) == 1
    assert mine[0]["type"] == "notification.NotificationSent"
    assert mine[0]["data"]["channel"] == "letter"


async def test_sms_goes_through_the_provider_with_an_idempotency_key(
    service: Service, receiver: Receiver, bootstrap: str
) -> None:
    _rt, client = service
    debtor, phone = unique("D"), unique_phone()
    event = reminder_due(debtor, email=None, phone=phone, channel="sms", pack="BE_B2B")
    await publish(bootstrap, topics.DUNNING_CASE, [envelope_of(event, debtor)])

    async def sms() -> list[dict[str, Any]]:
        r = await client.get(f"/v1/debtors/{debtor}/dossier", headers=auth())
        found = r.json()["messages"] if r.status_code == 200 else []
        return [m for m in found if m["channel"] != "webhook"]

    [sent] = await eventually(sms, until=lambda ms: bool(ms) and ms[0]["status"] == "sent")
    assert sent["channel"] == "sms" and sent["recipient"] == phone
    [call] = [r for r in receiver.to("/sms") if json.loads(r.body)["to"] == phone]
    assert call.headers["idempotency-key"] == sent["message_id"]
    assert call.headers["authorization"] == "Bearer sms-token"
    text = json.loads(call.body)["text"]
    assert "1.234,56" in text and event.items[0].invoice_number in text
    assert sent["proof"]["provider_id"].startswith("prov-")


async def test_a_refused_sms_falls_back_to_the_letter(
    service: Service, receiver: Receiver, bootstrap: str
) -> None:
    _rt, client = service
    debtor, phone = unique("D"), unique_phone()
    receiver.scripts[f"/sms#{phone}"] = [400]
    event = reminder_due(debtor, email=None, phone=phone, channel="sms", pack="BE_B2B")
    await publish(bootstrap, topics.DUNNING_CASE, [envelope_of(event, debtor)])

    async def both() -> list[dict[str, Any]]:
        r = await client.get(f"/v1/debtors/{debtor}/dossier", headers=auth())
        found = r.json()["messages"] if r.status_code == 200 else []
        return [m for m in found if m["channel"] != "webhook"]

    found = await eventually(
        both, until=lambda ms: len(ms) == 2 and {m["status"] for m in ms} == {"failed", "sent"}
    )
    by_channel = {m["channel"]: m for m in found}
    assert by_channel["sms"]["status"] == "failed"
    assert by_channel["letter"]["status"] == "sent"
    assert by_channel["letter"]["fallback_of"] == by_channel["sms"]["message_id"]
    assert "Kerkstraat 1" in by_channel["letter"]["recipient"]

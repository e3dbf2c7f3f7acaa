"""Reminders sent through a real SMTP server on loopback (aiosmtpd), on SQLite and PostgreSQL:
language, amounts, legal wording per pack, the PDF letter attached and read back, one message
per reminder, fallbacks, the legal guard and the dossier that proves it."""

from __future__ import annotations

import base64
import hashlib
import io
import json
from collections.abc import AsyncIterator, Iterator
from datetime import date
from decimal import Decimal
from email.message import EmailMessage
from typing import Any

import httpx
import pytest
from pypdf import PdfReader
from sqlalchemy import select

from contracts import topics
from contracts.dunning import PromiseToPayMade
from contracts.invoicing import DebtorProfile, DebtorRegistered, PostalAddress
from devstack.smtp import ReceivedMail, SmtpSink
from eventkit.db import event_store
from eventkit.localbroker import LocalBroker
from eventkit.runtime import Runtime
from eventkit.testing.databases import BACKENDS, fresh_database
from eventkit.testing.kafka import publish
from eventkit.testing.service import auth, running_service
from eventkit.testing.waiting import eventually
from notification_service.bootstrap import definition
from notification_service.domain.messages import message_id
from notification_service.settings import Settings
from notification_service.testing import envelope_of, reminder_due, unique

Service = tuple[Runtime, httpx.AsyncClient]
NBSP = "\u00a0"
SENDER = {
    "name": "Acme Leveringen NV",
    "enterprise_number": "0123.456.789",
    "vat_number": "BE0123456789",
    "address": ["Nijverheidslaan 1", "1000 Brussel"],
    "city": "Brussel",
    "email": "ar@acme.example",
    "iban": "BE68 5390 0754 7034",
}


@pytest.fixture(scope="module")
def sink() -> Iterator[SmtpSink]:
    smtp = SmtpSink()
    smtp.start()
    yield smtp
    smtp.stop()


@pytest.fixture(scope="module", params=BACKENDS)
async def service(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    kafka_broker: LocalBroker,
    sink: SmtpSink,
) -> AsyncIterator[Service]:
    async with (
        fresh_database(str(request.param), tmp_path_factory.mktemp("mail")) as url,
        running_service(
            definition(),
            Settings,
            database_url=url,
            bootstrap_servers=kafka_broker.bootstrap_servers,
            smtp_host=sink.host,
            smtp_port=sink.port,
            smtp_timeout_seconds=5,
            message_id_domain="test.local",
            sender_poll_seconds=0.05,
        ) as pair,
    ):
        _rt, client = pair
        r = await client.put("/v1/settings/sender", json=SENDER, headers=auth())
        assert r.status_code == 200, r.text
        yield pair


@pytest.fixture
def bootstrap(kafka_broker: LocalBroker) -> str:
    return kafka_broker.bootstrap_servers


def mails_to(sink: SmtpSink, address: str) -> list[ReceivedMail]:
    return [m for m in list(sink.messages) if address in m.rcpt_tos]


async def wait_for_mail(sink: SmtpSink, address: str, count: int = 1) -> list[ReceivedMail]:
    async def probe() -> list[ReceivedMail]:
        return mails_to(sink, address)

    return await eventually(
        probe, until=lambda found: len(found) >= count, what=f"mail to {address}"
    )


def text_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content()).replace("\r\n", "\n")


def pdf_of(message: EmailMessage) -> bytes:
    attachments = [
        p for p in message.iter_attachments() if p.get_content_type() == "application/pdf"
    ]
    assert len(attachments) == 1
    data = attachments[0].get_content()
    assert isinstance(data, bytes)
    return data


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def flat(text: str) -> str:
    return " ".join(text.replace("\u202f", NBSP).split(" ")).replace("\n", " ")


async def dossier(client: httpx.AsyncClient, debtor: str) -> dict[str, Any]:
    r = await client.get(f"/v1/debtors/{debtor}/dossier", headers=auth())
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


async def messages_of(
    client: httpx.AsyncClient, debtor: str, until: Any = bool
) -> list[dict[str, Any]]:
    async def probe() -> list[dict[str, Any]]:
        r = await client.get(f"/v1/debtors/{debtor}/dossier", headers=auth())
        return r.json()["messages"] if r.status_code == 200 else []

    found: list[dict[str, Any]] = await eventually(probe, until=until, what=f"messages of {debtor}")
    return found


async def test_a_be_consumer_gets_a_book_xix_first_reminder_with_the_letter_attached(
    service: Service, sink: SmtpSink, bootstrap: str
) -> None:
    rt, client = service
    debtor, address = unique("D"), f"{unique('jan')}@example.org"
    event = reminder_due(debtor, email=address, amount="1234.56", deadline_days=16)
    await publish(bootstrap, topics.DUNNING_CASE, [envelope_of(event, debtor)])
    [mail] = await wait_for_mail(sink, address)

    msg = mail.message
    text = flat(text_of(msg))
    assert (
        msg["Subject"] == f"Eerste herinnering (kosteloos): factuur {event.items[0].invoice_number}"
    )
    assert msg["Content-Language"] == "nl"
    assert "Acme Leveringen NV" in msg["From"]
    expected_id = message_id("acme", f"reminder:{event.reminder_id}", "email", address)
    assert msg["Message-ID"] == f"<{expected_id}@test.local>"
    assert f"€{NBSP}1.234,56" in text
    assert "Deze eerste herinnering is kosteloos." in text
    assert "Schuldeiser: Acme Leveringen NV, ondernemingsnummer 0123.456.789" in text
    assert event.deadline is not None
    months = ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
              "september", "oktober", "november", "december"]  # fmt: skip
    deadline = f"{event.deadline.day} {months[event.deadline.month - 1]} {event.deadline.year}"
    assert f"uiterlijk op {deadline}" in text
    assert "ten minste veertien kalenderdagen" in text
    # Book XIX damages on 1,234.56: 65 + 5 % of 734.56 = 101.73
    assert f"forfaitaire schadevergoeding van €{NBSP}101,73" in text
    assert "boek XIX van het Wetboek van economisch recht" in text
    html = msg.get_body(preferencelist=("html",))
    assert html is not None and "kosteloos" in str(html.get_content())

    pdf = pdf_of(msg)
    letter = pdf_text(pdf)
    assert "Deze eerste herinnering is kosteloos." in letter
    assert "1.234,56" in letter and "Jan Peeters" in letter and "Ondernemingsnummer" in letter

    [sent] = await messages_of(client, debtor, until=lambda ms: ms and ms[0]["status"] == "sent")
    assert sent["message_id"] == expected_id
    assert sent["channel"] == "email" and sent["recipient"] == address
    assert sent["proof"]["smtp_response"].startswith("250")
    assert sent["proof"]["message_id"] == msg["Message-ID"]
    assert sent["pdf_sha256"] == hashlib.sha256(pdf).hexdigest()
    assert sent["caused_by"]["type"] == "dunning.ReminderDue"
    assert [a["outcome"] for a in sent["attempt_log"]] == ["accepted"]
    async with rt.db.reading() as session:
        types = (
            await session.scalars(
                select(event_store.c.event_type)
                .where(event_store.c.aggregate_id == expected_id)
                .order_by(event_store.c.version)
            )
        ).all()
    assert types == ["notification.NotificationSent"]


async def test_language_amounts_and_legal_wording_per_pack(
    service: Service, sink: SmtpSink, bootstrap: str
) -> None:
    _rt, client = service
    cases = [
        # (language, pack, template, must contain)
        ("fr", "BE_B2B", "formal_notice",
         ["Mise en demeure", "nous vous mettons formellement en demeure", f"1\u202f234,56{NBSP}€",
          "Cette lettre vaut mise en demeure"]),
        ("nl", "NL_B2C", "nl_b2c_fourteen_day_letter",
         ["binnen veertien dagen na de dag waarop u deze brief heeft ontvangen",
          f"buitengerechtelijke incassokosten verschuldigd van €{NBSP}185,18", f"€{NBSP}1.234,56"]),
        ("de", "BE_B2C", "be_b2c_first_reminder",
         ["Diese erste Zahlungserinnerung ist kostenlos", f"1.234,56{NBSP}€",
          "Unternehmensnummer 0123.456.789", f"101,73{NBSP}€"]),
        ("en", "NL_B2B", "first_reminder",
         ["Dutch Civil Code art. 6:119a", f"€{NBSP}1.234,56", "at least"]),
        ("nl", "BE_B2B", "first_reminder",
         ["wet van 2 augustus 2002", f"forfaitaire vergoeding van €{NBSP}40,00 per factuur"]),
    ]  # fmt: skip
    addresses = []
    envelopes = []
    debtor = unique("D")
    for language, pack, key, _ in cases:
        address = f"{unique(language)}@example.org"
        addresses.append(address)
        event = reminder_due(
            debtor, email=address, language=language, pack=pack, template_key=key,
            action="formal_notice" if key == "formal_notice" else "reminder",
        )  # fmt: skip
        envelopes.append(envelope_of(event, debtor))
    await publish(bootstrap, topics.DUNNING_CASE, envelopes)
    for address, (language, pack, key, expected) in zip(addresses, cases, strict=True):
        [mail] = await wait_for_mail(sink, address)
        assert mail.message["Content-Language"] == language
        body = f"{mail.message['Subject']} {text_of(mail.message)}".replace("\n", " ")
        for phrase in expected:
            assert phrase in body, f"{language} {pack} {key}: {phrase!r} missing"
        letter = pdf_text(pdf_of(mail.message))
        assert expected[0].split()[0] in letter
    messages = await messages_of(client, debtor, until=lambda ms: len(ms) == len(cases))
    assert {m["template_key"] for m in messages} == {key for _, _, key, _ in cases}


async def test_one_reminder_is_one_message_however_often_it_arrives(
    service: Service, sink: SmtpSink, bootstrap: str
) -> None:
    _rt, client = service
    debtor, address = unique("D"), f"{unique('twice')}@example.org"
    event = reminder_due(debtor, email=address)
    first = envelope_of(event, debtor)
    reissued = envelope_of(event, debtor)  # same reminder id, a new event id
    marker_address = f"{unique('marker')}@example.org"
    marker = envelope_of(reminder_due(debtor, email=marker_address), debtor)
    await publish(bootstrap, topics.DUNNING_CASE, [first, first, reissued, marker])
    await wait_for_mail(sink, marker_address)
    await messages_of(client, debtor, until=lambda ms: all(m["status"] == "sent" for m in ms))
    assert len(mails_to(sink, address)) == 1
    assert len((await dossier(client, debtor))["messages"]) == 2


async def test_without_an_email_address_the_letter_is_queued_for_print(
    service: Service, bootstrap: str
) -> None:
    _rt, client = service
    debtor = unique("D")
    event = reminder_due(debtor, email=None, language="fr", pack="BE_B2B")
    await publish(bootstrap, topics.DUNNING_CASE, [envelope_of(event, debtor)])
    [letter] = await messages_of(client, debtor, until=lambda ms: ms and ms[0]["status"] == "sent")
    assert letter["channel"] == "letter"
    assert letter["recipient"] == "Jan Peeters\nKerkstraat 1\n2000 Antwerpen"
    assert letter["proof"]["print_queue"] == "ready"
    r = await client.get(letter["pdf_url"], headers=auth())
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    assert hashlib.sha256(r.content).hexdigest() == letter["pdf_sha256"]
    assert "Rappel" in pdf_text(r.content)
    queue = await client.get(
        "/v1/messages", params={"status": "sent", "channel": "letter"}, headers=auth()
    )
    assert letter["message_id"] in {m["message_id"] for m in queue.json()["messages"]}


async def test_a_bounce_is_recorded_and_the_letter_follows(
    service: Service, sink: SmtpSink, bootstrap: str
) -> None:
    rt, client = service
    debtor, address = unique("D"), f"{unique('bounce')}@example.org"
    event = reminder_due(debtor, email=address, pack="BE_B2B")
    await publish(bootstrap, topics.DUNNING_CASE, [envelope_of(event, debtor)])
    await wait_for_mail(sink, address)
    [email] = await messages_of(client, debtor, until=lambda ms: ms and ms[0]["status"] == "sent")
    r = await client.post(
        f"/v1/messages/{email['message_id']}/delivery-reports",
        json={"outcome": "bounced", "detail": "550 5.1.1 mailbox unknown"},
        headers=auth("acme-ops-key"),
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "failed"
    both = await messages_of(
        client,
        debtor,
        until=lambda ms: len(ms) == 2 and all(m["status"] in ("sent", "failed") for m in ms),
    )
    by_channel = {m["channel"]: m for m in both}
    assert by_channel["email"]["status"] == "failed"
    assert by_channel["letter"]["status"] == "sent"
    assert by_channel["letter"]["fallback_of"] == email["message_id"]
    assert by_channel["letter"]["pdf_sha256"] == email["pdf_sha256"]  # the same letter
    async with rt.db.reading() as session:
        values = (
            await session.scalars(
                select(event_store.c.payload).where(
                    event_store.c.aggregate_id == email["message_id"],
                    event_store.c.event_type == "notification.NotificationFailed",
                )
            )
        ).all()
    assert values[0]["fallback_channel"] == "letter" and values[0]["needs_ops"] is False
    again = await client.post(
        f"/v1/messages/{email['message_id']}/delivery-reports",
        json={"outcome": "bounced"},
        headers=auth("acme-ops-key"),
    )
    assert again.status_code == 409


async def test_a_reminder_that_breaks_book_xix_is_flagged_not_sent(
    service: Service, sink: SmtpSink, bootstrap: str
) -> None:
    _rt, client = service
    debtor = unique("D")
    charged = f"{unique('fee')}@example.org"
    short = f"{unique('short')}@example.org"
    await publish(
        bootstrap,
        topics.DUNNING_CASE,
        [
            envelope_of(reminder_due(debtor, email=charged, fees="7.50"), debtor),
            envelope_of(reminder_due(debtor, email=short, deadline_days=10), debtor),
        ],
    )
    flagged = await messages_of(client, debtor, until=lambda ms: len(ms) == 2)
    reasons = {m["recipient"]: m["failure_reason"] for m in flagged}
    assert all(m["status"] == "needs_ops" for m in flagged)
    assert "must be free of charge" in reasons[charged]
    assert "the free first reminder claims flat_damages" in reasons[charged]
    assert "shorter than 14 days" in reasons[short]
    worklist = await client.get("/v1/messages", params={"status": "needs_ops"}, headers=auth())
    assert {m["message_id"] for m in flagged} <= {
        m["message_id"] for m in worklist.json()["messages"]
    }
    assert not mails_to(sink, charged) and not mails_to(sink, short)


async def test_tenant_templates_are_checked_previewed_and_used(
    service: Service, sink: SmtpSink, bootstrap: str
) -> None:
    _rt, client = service
    ops = auth("acme-ops-key")
    broken = {
        "subject": "Herinnering",
        "text": "Geachte {{ debtor.name }},\n\nBedrag: {{ total.total|money( }}\n",
    }
    r = await client.put("/v1/templates/second_reminder/nl", json=broken, headers=ops)
    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"
    [error] = r.json()["errors"]
    assert error["field"] == "text" and error["reason"].startswith("line 3:")

    unknown_var = {"subject": "Herinnering", "text": "Hallo\n{{ debtor.nmae }}"}
    r = await client.put("/v1/templates/second_reminder/nl", json=unknown_var, headers=ops)
    assert r.status_code == 422
    assert r.json()["errors"][0]["reason"].startswith("line 2:")
    escape = {"subject": "x", "text": "{{ ''.__class__.__mro__ }}"}
    r = await client.put("/v1/templates/second_reminder/nl", json=escape, headers=ops)
    assert r.status_code == 422

    incomplete = {"subject": "Herinnering", "text": "Betaal {{ total.total|money }} a.u.b."}
    r = await client.put("/v1/templates/be_b2c_first_reminder/nl", json=incomplete, headers=ops)
    assert r.status_code == 422
    reasons = " ".join(e["reason"] for e in r.json()["errors"])
    assert "enterprise number" in reasons and "deadline" in reasons

    own = {
        "subject": "Onze herinnering {{ items[0].invoice_number }}",
        "text": "Beste {{ debtor.name }},\n\nU moet nog {{ total.total|money(total.currency) }} "
        "betalen{% if deadline %} voor {{ deadline|date }}{% endif %}.\n\n{{ creditor.name }}",
    }
    r = await client.put("/v1/templates/second_reminder/nl", json=own, headers=ops)
    assert r.status_code == 200, r.text
    r = await client.get("/v1/templates/second_reminder/nl", headers=auth())
    assert r.json()["origin"] == "tenant"
    catalog = (await client.get("/v1/templates", headers=auth())).json()
    second = next(t for t in catalog["templates"] if t["key"] == "second_reminder")
    assert second["languages"] == {
        "nl": "tenant",
        "fr": "default",
        "en": "default",
        "de": "default",
    }

    debtor, address = unique("D"), f"{unique('own')}@example.org"
    event = reminder_due(debtor, email=address, template_key="second_reminder", step=2)
    await publish(bootstrap, topics.DUNNING_CASE, [envelope_of(event, debtor)])
    [mail] = await wait_for_mail(sink, address)
    assert mail.message["Subject"] == f"Onze herinnering {event.items[0].invoice_number}"
    assert f"U moet nog €{NBSP}1.234,56 betalen" in text_of(mail.message)

    # Preview against the real case, in another language and as a draft.
    r = await client.post(
        "/v1/templates/formal_notice/fr/preview", json={"debtor_ref": debtor}, headers=auth()
    )
    assert r.status_code == 200, r.text
    preview = r.json()
    assert preview["source_event_id"] and preview["origin"] == "default"
    assert "mise en demeure" in preview["text"] and "1\u202f234,56" in preview["text"]
    draft = {"subject": "Test", "text": "Hallo {{ debtor.name }}\n{{ nope }}"}
    r = await client.post(
        "/v1/templates/second_reminder/nl/preview",
        json={"debtor_ref": debtor, "template": draft},
        headers=auth(),
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "template.text"
    r = await client.post(
        "/v1/templates/second_reminder/nl/preview?format=pdf",
        json={"debtor_ref": debtor},
        headers=auth(),
    )
    assert r.headers["content-type"] == "application/pdf"
    assert "Onze herinnering" in pdf_text(r.content)
    missing = await client.post(
        "/v1/templates/first_reminder/nl/preview", json={"debtor_ref": unique("D")}, headers=auth()
    )
    assert missing.status_code == 404

    r = await client.delete("/v1/templates/second_reminder/nl", headers=ops)
    assert r.status_code == 204
    r = await client.get("/v1/templates/second_reminder/nl", headers=auth())
    assert r.json()["origin"] == "default"
    assert (await client.put("/v1/templates/nope/nl", json=own, headers=ops)).status_code == 404


async def test_the_dossier_exports_as_json_and_pdf_with_the_letters(
    service: Service, sink: SmtpSink, bootstrap: str
) -> None:
    _rt, client = service
    debtor, address = unique("D"), f"{unique('export')}@example.org"
    event = reminder_due(debtor, email=address)
    await publish(bootstrap, topics.DUNNING_CASE, [envelope_of(event, debtor)])
    [mail] = await wait_for_mail(sink, address)
    await messages_of(client, debtor, until=lambda ms: ms and ms[0]["status"] == "sent")

    r = await client.get(f"/v1/debtors/{debtor}/dossier/export", headers=auth("acme-agency-key"))
    assert r.status_code == 200
    export = r.json()
    claimed = export.pop("content_sha256")
    canonical = json.dumps(export, sort_keys=True, separators=(",", ":")).encode()
    assert hashlib.sha256(canonical).hexdigest() == claimed
    [message] = export["messages"]
    assert [e["type"] for e in export["entries"]] == ["dunning.ReminderDue"]
    assert message["caused_by"]["event_id"] == export["entries"][0]["event_id"]
    assert base64.b64decode(message["pdf_base64"]) == pdf_of(mail.message)
    assert message["proof"]["message_id"] == mail.message["Message-ID"]

    r = await client.get(
        f"/v1/debtors/{debtor}/dossier/export", params={"format": "pdf"}, headers=auth()
    )
    assert r.headers["content-type"] == "application/pdf"
    document = pdf_text(r.content)
    assert f"Dossier {debtor}" in document
    assert message["message_id"] in document and "dunning.ReminderDue" in document
    assert "Deze eerste herinnering is kosteloos." in document  # the letter, appended
    assert len(PdfReader(io.BytesIO(r.content)).pages) >= 3
    other = await client.get(
        f"/v1/debtors/{debtor}/dossier/export", headers=auth("other-tenant-key-11111111111111")
    )
    assert other.status_code == 404


async def test_a_debtor_who_prefers_letters_gets_letters(
    service: Service, sink: SmtpSink, bootstrap: str
) -> None:
    _rt, client = service
    debtor, address = unique("D"), f"{unique('paper')}@example.org"
    r = await client.put(
        f"/v1/debtors/{debtor}/channel-preferences",
        json={"channels": ["letter"]},
        headers=auth("acme-erp-key"),
    )
    assert r.status_code == 200, r.text
    bad = await client.put(
        f"/v1/debtors/{debtor}/channel-preferences",
        json={"channels": ["fax"]},
        headers=auth("acme-erp-key"),
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"].startswith("channels")
    event = reminder_due(debtor, email=address, pack="BE_B2B")
    await publish(bootstrap, topics.DUNNING_CASE, [envelope_of(event, debtor)])
    [letter] = await messages_of(client, debtor, until=lambda ms: ms and ms[0]["status"] == "sent")
    assert letter["channel"] == "letter"
    assert not mails_to(sink, address)


async def test_promises_are_confirmed_in_the_debtors_language(
    service: Service, sink: SmtpSink, bootstrap: str
) -> None:
    _rt, client = service
    debtor, address = unique("D"), f"{unique('promise')}@example.org"
    profile = DebtorProfile(
        legal_name="Marie Dubois", kind="B2C", country="BE", language="fr", email=address,
        address=PostalAddress(street="Rue Haute 5", postal_code="1000", city="Bruxelles"),
    )  # fmt: skip
    registered = envelope_of(
        DebtorRegistered(debtor_ref=debtor, profile=profile), debtor, aggregate_type="debtor"
    )
    await publish(bootstrap, topics.INVOICING_DEBTOR, [registered])
    await eventually(
        lambda: client.get(f"/v1/debtors/{debtor}/dossier", headers=auth()),
        until=lambda r: r.status_code == 200,
    )
    promise = PromiseToPayMade(
        promise_id=unique("PTP"), debtor_ref=debtor, invoice_numbers=["F-77"],
        amount=Decimal("250.00"), currency="EUR", promised_date=date(2026, 12, 24),
        made_on=date(2026, 12, 1),
    )  # fmt: skip
    await publish(bootstrap, topics.DUNNING_CASE, [envelope_of(promise, debtor)])
    [mail] = await wait_for_mail(sink, address)
    assert mail.message["Subject"] == "Confirmation de votre promesse de paiement"
    text = text_of(mail.message)
    assert f"250,00{NBSP}€" in text and "24 décembre 2026" in text and "F-77" in text
    assert "Rue Haute 5" in pdf_text(pdf_of(mail.message))

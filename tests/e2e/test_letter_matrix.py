"""The letter conformance matrix, across real processes: every legal pack (BE_B2B, BE_B2C,
NL_B2B, NL_B2C) × every step of its shipped policy × every letter language (nl, fr, de, en).

One stack (broker, four services, SMTP sink) on simulated time: a sender profile, sixteen
debtors (one per pack and language) with their master-data address and one invoice each, and
two more whose dispute is decided. The clock moves one day at a time through the whole
cadence, formal notices are approved on the day they are proposed, and every e-mail the SMTP
sink receives is read as its debtor would read it:
* the right template for the step (the policy's key, in order), the subject of that step;
* the statutory content of that pack and step in that language (Book XIX first reminder: free,
  the creditor's enterprise number, a term of at least 14 days, the damages it announces; the
  NL 14-day letter: the statutory wording, the exact WIK amount later claimed; BE B2B: the law
  of 2 August 2002, interest and EUR 40; the formal notice's wording);
* the lines add up to the total, and the total is dunning's;
* the letter and its deadline are dated on working days (no weekend, no BE/NL holiday);
* the address block is the master data (name once, street, postal code and city, the country
  written out when it is not the sender's); the sender's full letterhead;
* no word of another language, no internal text — in the e-mail and in the PDF.
A phone-call step sends nothing to the debtor.
"""

from __future__ import annotations

import email.message
import re
import uuid
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from contracts.calendar import is_business_day
from contracts.letters import LETTER_LANGUAGES
from devstack.clock import advance_clock
from devstack.stack import SERVICES, Stack, StackOptions
from dunning_service.domain.policies import default_policies
from eventkit.db import event_store
from eventkit.localbroker import free_port
from eventkit.settings import DEV_API_KEY
from eventkit.testing.waiting import eventually
from gallery.checks import other_language_words, reader_problems
from notification_service.adapters.pdf import pdf_text
from notification_service.domain.locale import LocaleFormat
from notification_service.domain.wording import country_name

SIM_START = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
AUTH = {"Authorization": f"Bearer {DEV_API_KEY}"}
PACKS = ("BE_B2B", "BE_B2C", "NL_B2B", "NL_B2C")
SENDER = {
    "name": "Atelier Verhaeghe NV",
    "enterprise_number": "0417.497.106",
    "vat_number": "BE0417497106",
    "address": ["Kortrijksesteenweg 1120"],
    "postal_code": "9051",
    "city": "Gent",
    "country": "BE",
    "email": "debiteuren@verhaeghe.example",
    "phone": "+32 9 210 45 00",
    "iban": "BE71 0961 2345 6769",
    "bic": "GKCCBEBB",
}
ADDRESSES = {
    "BE": {"street": "Rue des Tanneurs 14", "postal_code": "4000", "city": "Liège"},
    "NL": {"street": "Oudegracht 45", "postal_code": "3511 AB", "city": "Utrecht"},
}
AMOUNTS = {"BE_B2B": "1250.00", "BE_B2C": "300.00", "NL_B2B": "2000.00", "NL_B2C": "750.00"}
END = date(2026, 4, 3)  # after the last hand-over (BE B2C: due + 55 days, 03-31)
# The clock moves one day at a time (each day swept in order): formal notices are approved on
# the day they are proposed, and disputes are opened and decided on their days.
STOPS = [date(2026, 1, 6) + timedelta(days=n) for n in range((END - date(2026, 1, 6)).days + 1)]

SUBJECTS = {  # the start of the subject of each step, per language
    "pre_due_reminder": {
        "nl": "Factuur ",
        "fr": "La facture ",
        "de": "Rechnung ",
        "en": "Invoice ",
    },
    "first_reminder": {
        "nl": "Herinnering:",
        "fr": "Rappel :",
        "de": "Zahlungserinnerung:",
        "en": "Reminder:",
    },
    "be_b2c_first_reminder": {
        "nl": "Eerste herinnering (kosteloos)",
        "fr": "Premier rappel (gratuit)",
        "de": "Erste Zahlungserinnerung (kostenlos)",
        "en": "First reminder (free of charge)",
    },
    "nl_b2c_fourteen_day_letter": {
        "nl": "Veertiendagenbrief",
        "fr": "Mise en demeure de payer dans les quatorze jours",
        "de": "Zahlungsaufforderung mit Frist von vierzehn Tagen",
        "en": "Fourteen-day letter",
    },
    "second_reminder": {
        "nl": "Tweede herinnering",
        "fr": "Deuxième rappel",
        "de": "Zweite Zahlungserinnerung",
        "en": "Second reminder",
    },
    "formal_notice": {
        "nl": "Ingebrekestelling",
        "fr": "Mise en demeure",
        "de": "Inverzugsetzung",
        "en": "Formal notice of default",
    },
    "handover_notice": {
        "nl": "Uw dossier is overgedragen",
        "fr": "Votre dossier a été confié",
        "de": "Ihre Akte wurde",
        "en": "Your file has been passed",
    },
    "dispute_outcome": {
        "nl": "Uw betwisting",
        "fr": "Votre contestation",
        "de": "Ihr Einspruch",
        "en": "Your dispute",
    },
}
FREE = {
    "nl": "Deze eerste herinnering is kosteloos.",
    "fr": "Ce premier rappel est gratuit.",
    "de": "Diese erste Zahlungserinnerung ist kostenlos.",
    "en": "This first reminder is free of charge.",
}
FOURTEEN_DAYS = {
    "nl": "ten minste veertien kalenderdagen",
    "fr": "au moins quatorze jours calendrier",
    "de": "mindestens vierzehn Kalendertage",
    "en": "at least fourteen calendar days",
}
AFTER_RECEIPT = {
    "nl": "binnen veertien dagen na de dag waarop u deze brief heeft ontvangen",
    "fr": "dans les quatorze jours suivant le jour où vous avez reçu cette lettre",
    "de": "innerhalb von vierzehn Tagen nach dem Tag zu bezahlen, an dem Sie dieses Schreiben",
    "en": "within fourteen days of the day after you received this letter",
}
ACT_2002 = {
    "nl": "wet van 2 augustus 2002",
    "fr": "loi du 2 août 2002",
    "de": "Gesetz vom 2. August 2002",
    "en": "Act of 2 August 2002",
}
NL_B2B_LAW = {"nl": "6:119a BW", "fr": "6:119a", "de": "6:119a", "en": "6:119a"}
FORMAL = {
    "nl": "Bij deze stellen wij u formeel in gebreke",
    "fr": "nous vous mettons formellement en demeure",
    "de": "Hiermit setzen wir Sie förmlich in Verzug",
    "en": "formally give you notice of default",
}
TOTAL_LINE = {
    "nl": "Totaal te betalen:",
    "fr": "Total à payer :",
    "de": "Zu zahlender Gesamtbetrag:",
    "en": "Total due:",
}
AMOUNT = re.compile(r"(?:€\s?)?(\d{1,3}(?:[ .,\u00a0\u202f]\d{3})*[.,]\d{2})(?:\s?€)?")


def amount_of(text: str) -> Decimal:
    """The last amount on a line, whatever the locale wrote it like."""
    raw = AMOUNT.findall(text)[-1]
    digits = re.sub(r"[^\d]", "", raw)
    return Decimal(digits) / 100


def norm(text: str) -> str:
    """Words separated by one plain space (no-break spaces in amounts and dates too)."""
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


def noon(day: date) -> datetime:
    return datetime.combine(day, time(11, 0), tzinfo=UTC)


def text_of(message: email.message.EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    return str(body.get_content())  # type: ignore[attr-defined]


def pdf_of(message: email.message.EmailMessage) -> bytes:
    for part in message.iter_attachments():
        if part.get_content_type() == "application/pdf":
            return bytes(part.get_content())  # type: ignore[attr-defined]
    raise AssertionError("no PDF attached")


def _step_keys(pack: str) -> list[tuple[int, str]]:
    policy = next(p for p in default_policies() if p.policy_id == f"default-{pack}")
    return [(n, s.template_key) for n, s in enumerate(policy.steps, start=1)]


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """One stack on SQLite whatever ``E2E_DATABASE`` says: the matrix checks what the letters
    say; the other end-to-end tests run every backend."""
    options = StackOptions(
        data_dir=tmp_path_factory.mktemp("letters"),
        ports={spec.name: free_port() for spec in SERVICES},
        clock_mode="simulated",
        simulated_start=SIM_START,
    )
    with Stack(options) as running:
        yield running


async def _dunning_events(stack: Stack) -> list[Any]:
    spec = next(s for s in SERVICES if s.name == "dunning-service")
    engine = create_async_engine(stack.database_url(spec), poolclass=NullPool)
    try:
        async with engine.connect() as conn:
            query = select(event_store.c.event_type, event_store.c.payload).order_by(
                event_store.c.position
            )
            return list((await conn.execute(query)).all())
    finally:
        await engine.dispose()


async def test_every_pack_step_and_language_reaches_the_debtor_right(stack: Stack) -> None:
    run = uuid.uuid4().hex[:6]
    inv, dun = stack.url("invoice-service"), stack.url("dunning-service")
    notif = stack.url("notification-service")
    debtors: dict[str, tuple[str, str]] = {}  # ref -> (pack, language)
    names: dict[str, str] = {}

    async with httpx.AsyncClient(timeout=20) as client:

        async def call(method: str, url: str, body: dict[str, Any] | None = None) -> Any:
            response = await client.request(method, url, json=body, headers=AUTH)
            assert response.status_code < 300, f"{url}: {response.text}"
            return response.json() if response.content else None

        async def move_to(day: date) -> None:
            await advance_clock(stack.broker.bootstrap_servers, noon(day))

            async def business_date() -> str:
                return str((await call("GET", f"{dun}/v1/admin/status"))["clock"]["business_date"])

            await eventually(
                business_date, until=lambda d: d == day.isoformat(), within=30, what=str(day)
            )

        async def debtor(ref: str, pack: str, language: str) -> None:
            country, kind = pack.split("_")
            name = f"{'Sophie Lambert' if kind == 'B2C' else 'Van Dijk Installaties'} {ref}"
            names[ref] = name
            await call(
                "PUT",
                f"{inv}/v1/debtors/{ref}",
                {
                    "legal_name": name,
                    "kind": kind,
                    "country": country,
                    "language": language,
                    "email": f"{ref.lower()}@example.test",
                    "address": {**ADDRESSES[country], "country": country},
                },
            )

        async def invoice(ref: str, amount: str) -> str:
            number = f"F-{ref}"
            await call(
                "POST",
                f"{inv}/v1/invoices",
                {
                    "invoice_number": number,
                    "debtor_ref": ref,
                    "issue_date": "2026-01-05",
                    "due_date": "2026-02-04",
                    "currency": "EUR",
                    "lines": [
                        {
                            "description": "Goods",
                            "quantity": "1",
                            "unit_price": amount,
                            "vat_rate": "0",
                        }
                    ],
                    "amount_due": amount,
                },
            )
            return number

        await call("PUT", f"{notif}/v1/settings/sender", SENDER)
        for pack in PACKS:
            for language in LETTER_LANGUAGES:
                ref = f"{pack.replace('_', '')}{language.upper()}{run}"
                debtors[ref] = (pack, language)
                await debtor(ref, pack, language)
        disputed = {f"DSPFR{run}": ("BE_B2C", "fr"), f"DSPDE{run}": ("NL_B2C", "de")}
        for ref, (pack, language) in disputed.items():
            await debtor(ref, pack, language)
        numbers = {ref: await invoice(ref, AMOUNTS[debtors[ref][0]]) for ref in debtors}
        for ref, (pack, _language) in disputed.items():
            numbers[ref] = await invoice(ref, AMOUNTS[pack])

        async def known(ref: str) -> int:
            r = await client.get(f"{dun}/v1/debtors/{ref}/open-items", headers=AUTH)
            return len(r.json()["items"]) if r.status_code == 200 else 0

        for ref in [*debtors, *disputed]:
            await eventually(lambda ref=ref: known(ref), until=lambda n: n == 1, within=30)

        disputes: dict[str, str] = {}
        for day in STOPS:
            await move_to(day)
            if day == date(2026, 2, 10):
                for ref in disputed:
                    opened = await call(
                        "POST",
                        f"{dun}/v1/disputes",
                        {"invoice_number": numbers[ref], "reason": "quality"},
                    )
                    disputes[ref] = opened["dispute_id"]
            if day == date(2026, 2, 20):
                for ref, outcome in zip(disputed, ("rejected", "withdrawn"), strict=True):
                    await call(
                        "POST",
                        f"{dun}/v1/disputes/{disputes[ref]}/resolution",
                        {"outcome": outcome},
                    )
            for task in await call("GET", f"{dun}/v1/worklist?kind=formal_notice_approval"):
                if task["debtor_ref"] in debtors:
                    await call("POST", f"{dun}/v1/worklist/{task['task_id']}/approve")

        async def dossier(ref: str) -> list[dict[str, Any]]:
            r = await client.get(f"{notif}/v1/debtors/{ref}/dossier", headers=AUTH)
            return list(r.json()["messages"]) if r.status_code == 200 else []

        async def all_sent() -> dict[str, list[dict[str, Any]]]:
            found = {ref: await dossier(ref) for ref in [*debtors, *disputed]}
            return {ref: [m for m in ms if m["status"] == "sent"] for ref, ms in found.items()}

        def complete(found: dict[str, list[dict[str, Any]]]) -> bool:
            return all(len(found[r]) >= 5 for r in debtors) and all(
                any(m["template_key"] == "dispute_outcome" for m in found[r]) for r in disputed
            )

        sent = await eventually(all_sent, until=complete, within=60, what="every letter")
        # E-mails with the letter attached; a formal notice goes by post: its PDF is the print.
        letters: dict[str, list[tuple[str, str, str, str, bytes]]] = defaultdict(list)
        mails = {str(m.message["Message-ID"]): m.message for m in stack.smtp.messages}
        for ref, messages in sent.items():
            for m in sorted(messages, key=lambda m: (m["created_at"], m["message_id"])):
                if m["channel"] == "email":
                    mail = mails[m["proof"]["message_id"]]
                    assert mail["Content-Language"] == m["language"]
                    assert str(mail["X-Creditmgmt-Reference"]) == m["caused_by"]["key"]
                    subject, text, pdf = str(mail["Subject"]), text_of(mail), pdf_of(mail)
                else:
                    assert m["channel"] == "letter" and m["template_key"] == "formal_notice"
                    r = await client.get(f"{notif}{m['pdf_url']}", headers=AUTH)
                    subject, text, pdf = m["subject"], m["text"], r.content
                letters[ref].append((m["caused_by"]["key"], m["channel"], subject, text, pdf))

    events = await _dunning_events(stack)
    by_reference: dict[str, dict[str, Any]] = {}
    for event_type, payload in events:
        if event_type == "dunning.ReminderDue":
            by_reference[f"reminder:{payload['reminder_id']}"] = payload
        elif event_type == "dunning.DebtorEscalatedToCollection":
            key = f"handover:{payload['debtor_ref']}:{payload['escalated_on']}"
            by_reference[key] = payload

    checked = 0
    for ref, (pack, language) in debtors.items():
        fmt = LocaleFormat.for_debtor(language, pack)
        steps = _step_keys(pack)
        letter_keys = [key for _n, key in steps if key != "phone_call"]
        got = letters[ref]
        assert len(got) == len(letter_keys), (ref, [letter[2] for letter in got])
        announced_wik: Decimal | None = None
        for (reference, channel, subject, text, pdf_bytes), key in zip(
            got, letter_keys, strict=True
        ):
            where = (pack, language, key, channel)
            event = by_reference[reference]
            is_handover = reference.startswith("handover:")
            assert (event.get("template_key") or "handover_notice") == key, where
            assert subject.startswith(SUBJECTS[key][language]) or (
                key == "pre_due_reminder" and subject[:1].isdigit()
            ), (where, subject)
            pdf = pdf_text(pdf_bytes)
            flat = norm(text)
            data = (SENDER["email"], f"{ref.lower()}@example.test", names[ref], SENDER["name"])
            for body in (f"{subject}\n{text}", pdf):
                assert reader_problems(body, language, data) == [], where
                assert other_language_words(body.replace(names[ref], " "), language) == [], where

            # Dates: the letter and its deadline fall on working days; the PDF says so.
            on = date.fromisoformat(event["escalated_on" if is_handover else "business_date"])
            country = pack[:2]
            assert is_business_day(on, (country,)), where
            assert fmt.date(on) in pdf, where
            deadline = None if is_handover else event["deadline"]
            if deadline:
                assert is_business_day(date.fromisoformat(deadline), (country,)), where
                assert norm(fmt.date(date.fromisoformat(deadline))) in flat, where

            # Lines and total agree, and the total is dunning's.
            total = Decimal(event["totals"][0]["total"])
            lines = [ln.strip() for ln in text.splitlines()]
            items = [amount_of(ln) for ln in lines if ln.startswith(("- ", "+ "))]
            [total_line] = [ln for ln in lines if ln.startswith(TOTAL_LINE[language])]
            assert sum(items) == amount_of(total_line) == total, (where, items, total)

            # The address block as the master data gives it, the sender's full letterhead.
            address = ADDRESSES[country]
            block = [names[ref], address["street"], f"{address['postal_code']} {address['city']}"]
            if country != SENDER["country"]:
                block.append(country_name(country, language).upper())
            assert "\n".join(block) in pdf, (where, pdf[:400])
            assert pdf.count(names[ref]) == text.count(names[ref]) + 1, where
            for head in ("Kortrijksesteenweg 1120", "9051 Gent", "0417.497.106",
                         country_name("BE", language), SENDER["iban"]):  # fmt: skip
                assert head in pdf, (where, head)

            # What the law requires of this pack and step, in this language.
            charges = {c["kind"]: Decimal(c["amount"]) for c in event.get("charges", [])}
            if key == "be_b2c_first_reminder":
                assert FREE[language] in flat and FOURTEEN_DAYS[language] in flat, where
                assert SENDER["enterprise_number"] in flat and not charges, where
                [damages] = [Decimal(c["amount"]) for c in event["announced"]]
                assert norm(fmt.money(damages)) in flat, where
                term = date.fromisoformat(deadline or "") - on
                assert term >= timedelta(days=14), where
            if key == "nl_b2c_fourteen_day_letter":
                assert "collection_costs" not in charges, where
                [wik] = [Decimal(c["amount"]) for c in event["announced"]]
                announced_wik = wik
                assert norm(fmt.money(wik)) in flat, where
                assert AFTER_RECEIPT[language] in flat, where
                assert date.fromisoformat(deadline or "") - on >= timedelta(days=16), where
            if pack == "NL_B2C" and "collection_costs" in charges:
                assert announced_wik == charges["collection_costs"], where  # named before
            if pack == "BE_B2B" and key == "first_reminder":
                assert ACT_2002[language] in flat and "fixed_compensation" in charges, where
                assert norm(fmt.money(Decimal(40))) in flat, where
                assert charges.get("interest", Decimal(0)) > 0, where
            if pack == "NL_B2B" and key == "first_reminder":
                assert NL_B2B_LAW[language] in flat and "fixed_compensation" in charges, where
            if key == "formal_notice":
                assert FORMAL[language] in flat, where
            if pack == "BE_B2C" and key != "pre_due_reminder" and charges:
                assert "reminder_costs" not in charges, where  # never beside the damages
            checked += 1
    assert checked == len(PACKS) * len(LETTER_LANGUAGES) * 5  # 80 letters

    for ref, (_pack, language) in disputed.items():
        [(_r, channel, subject, text, _pdf)] = [
            letter for letter in letters[ref] if letter[0].startswith("dispute:")
        ]
        assert channel == "email" and subject.startswith(SUBJECTS["dispute_outcome"][language])
        assert numbers[ref] in subject
        assert reader_problems(text, language, (names[ref],)) == []
        assert other_language_words(text.replace(names[ref], " "), language) == []

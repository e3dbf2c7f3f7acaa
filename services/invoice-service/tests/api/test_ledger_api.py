"""The ledger over HTTP: e-invoices, credit notes, payments, allocation, reversal, statement."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from eventkit.localbroker import LocalBroker
from eventkit.runtime import Runtime
from eventkit.testing.databases import BACKENDS, fresh_database
from eventkit.testing.service import auth, running_service
from invoice_service.bootstrap import definition
from invoice_service.settings import Settings

PEPPOL = Path(__file__).parents[1] / "fixtures" / "peppol"
Service = tuple[Runtime, httpx.AsyncClient]


@pytest.fixture(scope="module", params=BACKENDS)
async def service(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    kafka_broker: LocalBroker,
) -> AsyncIterator[Service]:
    async with (
        fresh_database(str(request.param), tmp_path_factory.mktemp("ledger")) as url,
        running_service(
            definition(),
            Settings,
            database_url=url,
            bootstrap_servers=kafka_broker.bootstrap_servers,
        ) as pair,
    ):
        yield pair


def uid() -> str:
    return uuid.uuid4().hex[:8].upper()


def be_iban() -> str:
    """A valid, unique Belgian IBAN (account number mod 97, then ISO 7064 mod 97-10)."""
    base = 363 * 10**7 + uuid.uuid4().int % 10**7  # bank code 363 exists in the registry
    account = f"{base:010d}{(base % 97) or 97:02d}"
    check = 98 - int(account + "111400") % 97
    return f"BE{check:02d}{account}"


async def new_debtor(client: httpx.AsyncClient, **changes: Any) -> str:
    ref = f"D-{uid()}"
    body = {
        "legal_name": f"Debtor {ref}",
        "kind": "B2B",
        "country": "BE",
        "language": "nl",
        "payment_terms_days": 30,
        "iban": [be_iban()],
    }
    body.update(changes)
    r = await client.put(f"/v1/debtors/{ref}", json=body, headers=auth())
    assert r.status_code == 201, r.text
    return ref


async def new_invoice(
    client: httpx.AsyncClient, debtor: str, amount: str = "121.00", **changes: Any
) -> dict[str, Any]:
    net = f"{float(amount) / 1.21:.2f}"
    body: dict[str, Any] = {
        "invoice_number": f"INV-{uid()}",
        "debtor_ref": debtor,
        "issue_date": "2026-01-05",
        "currency": "EUR",
        "lines": [{"description": "Service", "quantity": "1", "unit_price": net, "vat_rate": "21"}],
        "vat_total": f"{float(amount) - float(net):.2f}",
        "amount_due": amount,
    }
    body.update(changes)
    r = await client.post("/v1/invoices", json=body, headers=auth())
    assert r.status_code == 201, r.text
    return dict(r.json())


async def invoice(client: httpx.AsyncClient, number: str) -> dict[str, Any]:
    r = await client.get(f"/v1/invoices/{number}", headers=auth())
    assert r.status_code == 200, r.text
    return dict(r.json())


def renumbered(xml: bytes, number: str) -> bytes:
    return xml.replace(b"<cbc:ID>Snippet1</cbc:ID>", f"<cbc:ID>{number}</cbc:ID>".encode(), 1)


async def test_peppol_examples_are_accepted_with_their_amounts(service: Service) -> None:
    _rt, client = service
    suffix = uid()
    cases = {
        "base-example.xml": (f"BASE-{suffix}", "1656.25", "2017-12-01"),
        "Allowance-example.xml": (f"ALW-{suffix}", "6125.00", "2017-12-01"),
        "Vat-category-S.xml": (f"VATS-{suffix}", "8550.00", "2017-12-01"),
    }
    debtor = None
    for name, (number, payable, due) in cases.items():
        xml = renumbered((PEPPOL / name).read_bytes(), number)
        r = await client.post(
            "/v1/einvoices", content=xml, headers={**auth(), "Content-Type": "application/xml"}
        )
        assert r.status_code == 201, r.text
        body = r.json()
        assert body["kind"] == "invoice"
        assert body["invoice_number"] == number
        assert body["amount_due"] == payable
        assert body["currency"] == "EUR"
        assert body["issue_date"] == "2017-11-13"
        assert body["due_date"] == due
        assert body["payment_reference"] == "Snippet1"
        debtor = debtor or body["debtor_ref"]
        assert body["debtor_ref"] == debtor  # the same buyer is recognised by its VAT number
    assert debtor == "SE4598375937"
    profile = (await client.get(f"/v1/debtors/{debtor}", headers=auth())).json()["profile"]
    assert profile["legal_name"] == "Buyer Official Name"
    assert profile["vat_number"] == "SE4598375937"
    # the credit note corrects the base example in full
    base_number = cases["base-example.xml"][0]
    note_xml = (PEPPOL / "base-creditnote-correction.xml").read_bytes()
    note_xml = note_xml.replace(
        b"<cbc:ID>Snippet1</cbc:ID>", f"<cbc:ID>CN-{suffix}</cbc:ID>".encode(), 1
    )
    note_xml = note_xml.replace(
        b"<cbc:ID>Snippet1</cbc:ID>", f"<cbc:ID>{base_number}</cbc:ID>".encode(), 1
    )
    r = await client.post(
        "/v1/einvoices", content=note_xml, headers={**auth(), "Content-Type": "application/xml"}
    )
    assert r.status_code == 201, r.text
    assert r.json()["kind"] == "credit_note"
    assert r.json()["amount"] == "1656.25"
    assert r.json()["remaining"] == "0.00"
    detail = await invoice(client, base_number)
    assert detail["status"] == "paid"
    assert detail["open_amount"] == "0.00"
    # posting the same document again changes nothing
    again = await client.post(
        "/v1/einvoices",
        content=renumbered((PEPPOL / "base-example.xml").read_bytes(), base_number),
        headers={**auth(), "Content-Type": "application/xml"},
    )
    assert again.status_code == 200


HOSTILE = {
    "xxe": b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
    b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">&e;</Invoice>',
    "billion-laughs": b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    b"<Invoice>&lol3;</Invoice>",
    "not-ubl": b"<html><body>hello</body></html>",
    "malformed": b"<Invoice><cbc:ID>1</Invoice>",
}


@pytest.mark.parametrize("kind", sorted(HOSTILE))
async def test_hostile_xml_is_refused_and_nothing_is_stored(service: Service, kind: str) -> None:
    _rt, client = service
    before = (await client.get("/v1/invoices?limit=1000", headers=auth())).json()
    r = await client.post(
        "/v1/einvoices",
        content=HOSTILE[kind],
        headers={**auth(), "Content-Type": "application/xml"},
    )
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["errors"]
    assert (await client.get("/v1/invoices?limit=1000", headers=auth())).json() == before


async def test_fifty_megabyte_body_is_refused_before_reading(service: Service) -> None:
    _rt, client = service
    body = b"<Invoice>" + b" " * (50 * 1024 * 1024) + b"</Invoice>"
    r = await client.post(
        "/v1/einvoices", content=body, headers={**auth(), "Content-Type": "application/xml"}
    )
    assert r.status_code == 413
    assert r.headers["content-type"] == "application/problem+json"


async def test_credit_note_reduces_the_invoice_and_the_rest_stays_as_credit(
    service: Service,
) -> None:
    _rt, client = service
    debtor = await new_debtor(client)
    inv = await new_invoice(client, debtor, "121.00")
    r = await client.post(
        "/v1/credit-notes",
        json={
            "credit_note_number": f"CN-{uid()}",
            "debtor_ref": debtor,
            "issue_date": "2026-01-10",
            "currency": "EUR",
            "amount": "150.00",
            "invoice_numbers": [inv["invoice_number"]],
            "reason": "returned goods",
        },
        headers=auth(),
    )
    assert r.status_code == 201, r.text
    assert r.json()["remaining"] == "29.00"
    assert (await invoice(client, inv["invoice_number"]))["status"] == "paid"
    statement = (await client.get(f"/v1/debtors/{debtor}/statement", headers=auth())).json()
    assert statement["open_items"] == []
    assert statement["balances"] == [
        {"currency": "EUR", "open_items": "0.00", "credits": "29.00", "balance": "-29.00"}
    ]


async def test_payments_match_partially_overpay_and_can_be_reversed(service: Service) -> None:
    _rt, client = service
    debtor = await new_debtor(client)
    first = await new_invoice(client, debtor, "121.00")
    second = await new_invoice(client, debtor, "242.00")
    # a structured reference pays the first invoice in part
    r = await client.post(
        "/v1/payments",
        json={
            "amount": "100.00",
            "currency": "EUR",
            "booking_date": "2026-01-20",
            "reference": first["payment_reference"],
        },
        headers=auth(),
    )
    assert r.status_code == 201, r.text
    assert r.json()["status"] == "allocated"
    assert r.json()["match_method"] == "structured_reference"
    assert (await invoice(client, first["invoice_number"]))["open_amount"] == "21.00"
    # free text naming both invoices pays both, the surplus stays as credit on account
    text = f"betaling {first['invoice_number']} en {second['invoice_number']}"
    r = await client.post(
        "/v1/payments",
        json={
            "amount": "300.00",
            "currency": "EUR",
            "booking_date": "2026-01-21",
            "remittance_info": text,
        },
        headers=auth(),
    )
    pay = r.json()
    assert pay["match_method"] == "free_text"
    assert pay["status"] == "partially_allocated"
    assert pay["unallocated"] == "37.00"
    assert {a["invoice_number"]: a["amount"] for a in pay["allocations"]} == {
        first["invoice_number"]: "21.00",
        second["invoice_number"]: "242.00",
    }
    assert (await invoice(client, second["invoice_number"]))["status"] == "paid"
    # the bank takes the second payment back: both invoices have their balance again
    r = await client.post(f"/v1/payments/{pay['payment_id']}:reverse", json={}, headers=auth())
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "reversed"
    assert (await invoice(client, first["invoice_number"]))["open_amount"] == "21.00"
    second_detail = await invoice(client, second["invoice_number"])
    assert second_detail["open_amount"] == "242.00"
    assert [h["type"] for h in second_detail["history"]][-2:] == [
        "invoicing.PaymentAllocationReversed",
        "invoicing.InvoiceReopened",
    ]


async def test_unreferenced_payment_is_matched_by_account_and_amount_or_queued(
    service: Service,
) -> None:
    _rt, client = service
    iban = be_iban()
    debtor = await new_debtor(client, iban=[iban])
    a = await new_invoice(client, debtor, "121.00")
    b = await new_invoice(client, debtor, "60.50")
    await new_invoice(client, debtor, "999.00")
    # 181.50 = a + b: a combination of items
    r = await client.post(
        "/v1/payments",
        json={
            "amount": "181.50",
            "currency": "EUR",
            "booking_date": "2026-01-20",
            "counterparty_iban": iban,
        },
        headers=auth(),
    )
    assert r.json()["match_method"] == "iban_amount"
    assert sorted(x["invoice_number"] for x in r.json()["allocations"]) == sorted(
        [a["invoice_number"], b["invoice_number"]]
    )
    # an amount that fits nothing goes to the unmatched queue, debtor known
    r = await client.post(
        "/v1/payments",
        json={
            "amount": "5.00",
            "currency": "EUR",
            "booking_date": "2026-01-20",
            "counterparty_iban": iban,
        },
        headers=auth(),
    )
    queued = r.json()
    assert queued["status"] == "unmatched"
    assert queued["debtor_ref"] == debtor
    listed = (await client.get("/v1/payments?status=unmatched", headers=auth())).json()
    assert queued["payment_id"] in {p["payment_id"] for p in listed}
    # ops allocate it by hand; more than is unallocated is refused
    big = await new_invoice(client, debtor, "12.10")
    too_much = await client.post(
        f"/v1/payments/{queued['payment_id']}/allocations",
        json={"allocations": [{"invoice_number": big["invoice_number"], "amount": "6.00"}]},
        headers=auth("acme-ops-key"),
    )
    assert too_much.status_code == 422
    done = await client.post(
        f"/v1/payments/{queued['payment_id']}/allocations",
        json={"allocations": [{"invoice_number": big["invoice_number"], "amount": "5.00"}]},
        headers=auth("acme-ops-key"),
    )
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "allocated"
    assert (await invoice(client, big["invoice_number"]))["open_amount"] == "7.10"


async def test_early_payment_discount_settles_the_invoice(service: Service) -> None:
    _rt, client = service
    debtor = await new_debtor(client)
    inv = await new_invoice(
        client,
        debtor,
        "1000.00",
        lines=[{"description": "Goods", "quantity": "1", "unit_price": "826.45", "vat_rate": "21"}],
        vat_total="173.55",
        payment_terms={"net_days": 30, "discount_percent": "2", "discount_days": 10},
    )
    assert inv["early_payment_discount"] == {"amount": "980.00", "until": "2026-01-15"}
    late = await new_invoice(
        client,
        debtor,
        "1000.00",
        lines=[{"description": "Goods", "quantity": "1", "unit_price": "826.45", "vat_rate": "21"}],
        vat_total="173.55",
        payment_terms={"net_days": 30, "discount_percent": "2", "discount_days": 10},
    )
    r = await client.post(
        "/v1/payments",
        json={
            "amount": "980.00",
            "currency": "EUR",
            "booking_date": "2026-01-14",
            "reference": inv["payment_reference"],
        },
        headers=auth(),
    )
    assert r.json()["allocations"][0]["discount"] == "20.00"
    assert (await invoice(client, inv["invoice_number"]))["status"] == "paid"
    r = await client.post(
        "/v1/payments",
        json={
            "amount": "980.00",
            "currency": "EUR",
            "booking_date": "2026-01-16",
            "reference": late["payment_reference"],
        },
        headers=auth(),
    )
    assert (await invoice(client, late["invoice_number"]))["open_amount"] == "20.00"


async def test_long_b2b_term_is_a_warning_not_an_error(service: Service) -> None:
    _rt, client = service
    debtor = await new_debtor(client)
    inv = await new_invoice(client, debtor, due_date="2026-04-30")
    assert len(inv["warnings"]) == 1
    assert "statutory maximum of 60 days" in inv["warnings"][0]


async def test_cancel_and_write_off(service: Service) -> None:
    _rt, client = service
    debtor = await new_debtor(client)
    a = await new_invoice(client, debtor)
    b = await new_invoice(client, debtor)
    r = await client.post(
        f"/v1/invoices/{a['invoice_number']}:cancel", json={"reason": "duplicate"}, headers=auth()
    )
    assert r.status_code == 204
    assert (await invoice(client, a["invoice_number"]))["status"] == "cancelled"
    await client.post(
        "/v1/payments",
        json={
            "amount": "21.00",
            "currency": "EUR",
            "booking_date": "2026-01-20",
            "reference": b["payment_reference"],
        },
        headers=auth(),
    )
    refused = await client.post(
        f"/v1/invoices/{b['invoice_number']}:cancel", json={"reason": "x"}, headers=auth()
    )
    assert refused.status_code == 409
    r = await client.post(
        f"/v1/invoices/{b['invoice_number']}:write-off",
        json={"reason": "bankrupt"},
        headers=auth("acme-ops-key"),
    )
    assert r.status_code == 204
    detail = await invoice(client, b["invoice_number"])
    assert detail["status"] == "written_off"
    assert detail["history"][-1]["payload"]["amount"] == "100.00"


async def test_batch_intake_reports_each_item(service: Service) -> None:
    _rt, client = service
    debtor = await new_debtor(client)
    good = {
        "invoice_number": f"B-{uid()}",
        "debtor_ref": debtor,
        "issue_date": "2026-01-05",
        "currency": "EUR",
        "lines": [{"description": "x", "quantity": "1", "unit_price": "100", "vat_rate": "21"}],
        "amount_due": "121.00",
    }
    items = [
        good,
        {**good, "invoice_number": f"B-{uid()}", "amount_due": "999.00"},
        {**good, "invoice_number": f"B-{uid()}", "currency": "XXX1"},
        good,
        {**good, "issue_date": "2026-01-06"},
    ]
    r = await client.post("/v1/invoices:batch", json={"invoices": items}, headers=auth())
    assert r.status_code == 200, r.text
    statuses = [x["status"] for x in r.json()["results"]]
    assert statuses == ["created", "rejected", "rejected", "replayed", "conflict"]
    assert r.json()["summary"] == {"created": 1, "rejected": 2, "replayed": 1, "conflict": 1}
    assert (await invoice(client, good["invoice_number"]))["amount_due"] == "121.00"
    too_many = await client.post(
        "/v1/invoices:batch", json={"invoices": [good] * 1001}, headers=auth()
    )
    assert too_many.status_code == 422

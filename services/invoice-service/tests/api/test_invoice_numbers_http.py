"""Invoice numbers of any printable text round-trip through every route that names one, over
real HTTP (uvicorn on a loopback port): POST, GET, ``:cancel``, ``:write-off``, credit-note
references, manual allocations and the statement of account."""

from __future__ import annotations

import unicodedata
from collections.abc import AsyncIterator
from urllib.parse import quote

import httpx
import pytest

from eventkit.localbroker import LocalBroker
from eventkit.testing.databases import BACKENDS, fresh_database
from eventkit.testing.service import auth

from ..support.http_service import served_over_http

NUMBERS = ["2026/0001", "A|17", "#12", "F 2026 001", "Façade-é/3", "2026/0001:cancel"]


@pytest.fixture(scope="module", params=BACKENDS)
async def client(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    kafka_broker: LocalBroker,
) -> AsyncIterator[httpx.AsyncClient]:
    async with (
        fresh_database(str(request.param), tmp_path_factory.mktemp("numbers")) as url,
        served_over_http(url, kafka_broker.bootstrap_servers) as (_rt, http),
    ):
        yield http


def path_of(number: str, action: str = "") -> str:
    return f"/v1/invoices/{quote(number, safe='')}{action}"


def invoice(number: str, debtor: str, amount: str = "100.00") -> dict[str, object]:
    return {
        "invoice_number": number,
        "debtor_ref": debtor,
        "issue_date": "2026-01-05",
        "due_date": "2026-02-04",
        "currency": "EUR",
        "lines": [{"description": "x", "quantity": "1", "unit_price": amount, "vat_rate": "0"}],
        "amount_due": amount,
    }


async def test_every_route_round_trips_any_printable_number(client: httpx.AsyncClient) -> None:
    h = auth()
    debtor = "D-NUMBERS"
    r = await client.put(
        f"/v1/debtors/{debtor}",
        json={"legal_name": "Numbers BV", "kind": "B2B", "country": "BE", "language": "nl"},
        headers=h,
    )
    assert r.status_code in (200, 201), r.text
    for number in NUMBERS:
        for suffix in ("", " cancelled"):
            r = await client.post("/v1/invoices", json=invoice(number + suffix, debtor), headers=h)
            assert r.status_code in (200, 201), r.text
            assert r.json()["invoice_number"] == number + suffix
            assert r.headers["location"] == path_of(number + suffix)
            got = await client.get(r.headers["location"], headers=h)
            assert got.status_code == 200, (number, got.text)
            assert got.json()["invoice_number"] == number + suffix
        # a credit note names the invoice in its body
        r = await client.post(
            "/v1/credit-notes",
            json={
                "credit_note_number": f"CN {number}",
                "debtor_ref": debtor,
                "issue_date": "2026-01-06",
                "currency": "EUR",
                "amount": "30.00",
                "invoice_numbers": [number],
            },
            headers=h,
        )
        assert r.status_code in (200, 201), r.text
        assert r.json()["invoice_numbers"] == [number]
        assert (await client.get(path_of(number), headers=h)).json()["open_amount"] == "70.00"
        # a manual allocation names it too
        r = await client.post(
            "/v1/payments",
            json={
                "amount": "20.00",
                "currency": "EUR",
                "booking_date": "2026-01-07",
                "allocations": [{"invoice_number": number, "amount": "20.00"}],
            },
            headers=h,
        )
        assert r.status_code in (200, 201), r.text
        assert r.json()["allocations"][0]["invoice_number"] == number
    statement = (await client.get(f"/v1/debtors/{debtor}/statement", headers=h)).json()
    listed = {item["invoice_number"] for item in statement["open_items"]}
    assert listed >= set(NUMBERS) | {n + " cancelled" for n in NUMBERS}
    for number in NUMBERS:
        r = await client.post(path_of(number, ":write-off"), json={"reason": "bad debt"}, headers=h)
        assert r.status_code == 204, (number, r.text)
        r = await client.post(
            path_of(number + " cancelled", ":cancel"), json={"reason": "wrong"}, headers=h
        )
        assert r.status_code == 204, (number, r.text)
        assert (await client.get(path_of(number), headers=h)).json()["status"] == "written_off"
        cancelled = await client.get(path_of(number + " cancelled"), headers=h)
        assert cancelled.json()["status"] == "cancelled"
    statement = (await client.get(f"/v1/debtors/{debtor}/statement", headers=h)).json()
    assert not {item["invoice_number"] for item in statement["open_items"]} & set(NUMBERS)


async def test_slash_may_be_sent_unencoded_and_accents_in_either_normal_form(
    client: httpx.AsyncClient,
) -> None:
    h = auth()
    r = await client.post(
        "/v1/invoices",
        json={
            **invoice("2026/0777", "D-FORMS"),
            "debtor": {"legal_name": "Forms", "kind": "B2B", "country": "BE", "language": "fr"},
        },
        headers=h,
    )
    assert r.status_code == 201, r.text
    assert (await client.get("/v1/invoices/2026/0777", headers=h)).status_code == 200
    decomposed = unicodedata.normalize("NFD", "Réf-é 9")
    r = await client.post("/v1/invoices", json=invoice(decomposed, "D-FORMS"), headers=h)
    assert r.status_code == 201, r.text
    assert r.json()["invoice_number"] == unicodedata.normalize("NFC", decomposed)
    for form in ("NFC", "NFD"):
        got = await client.get(path_of(unicodedata.normalize(form, "Réf-é 9")), headers=h)
        assert got.status_code == 200, (form, got.text)


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        ("", "String should have at least 1 character"),
        ("A\tB", "printable"),
        (" A", "leading or trailing"),
        ("x" * 101, "at most 100"),
    ],
)
async def test_unprintable_or_padded_numbers_are_refused(
    client: httpx.AsyncClient, number: str, reason: str
) -> None:
    r = await client.post("/v1/invoices", json=invoice(number, "D-FORMS"), headers=auth())
    assert r.status_code == 422, r.text
    assert reason in r.text


async def test_openapi_documents_the_encoding_convention(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    for path in (
        "/v1/invoices/{invoice_number}",
        "/v1/invoices/{invoice_number}:cancel",
        "/v1/invoices/{invoice_number}:write-off",
    ):
        operation = next(iter(spec["paths"][path].values()))
        parameter = next(p for p in operation["parameters"] if p["name"] == "invoice_number")
        assert "2026%2F0001" in parameter["description"], path

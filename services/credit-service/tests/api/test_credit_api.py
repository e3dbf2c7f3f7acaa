"""credit-service in-process (SQLite and PostgreSQL) with the real broker: invoicing and dunning
events go in through Kafka, credit events come out on ``credit.account.events``; ops and the ERP
use the HTTP API."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest

from credit_service.bootstrap import definition
from credit_service.settings import Settings
from eventkit.clock import SimulatedClock
from eventkit.localbroker import LocalBroker
from eventkit.runtime import Runtime
from eventkit.testing.databases import BACKENDS, fresh_database
from eventkit.testing.service import OTHER_TENANT_KEY, auth, running_service
from eventkit.testing.waiting import eventually

from ..credit_support import Ledger, broker_publisher, published_credit_events, types, unique

BUSINESS_NOW = datetime(2027, 3, 15, 10, 0, tzinfo=UTC)
TODAY = date(2027, 3, 15)
OPS = auth("acme-ops-key")
ERP = auth("acme-erp-key")

Service = tuple[Runtime, httpx.AsyncClient, str]


@pytest.fixture(scope="module", params=BACKENDS)
async def service(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    kafka_broker: LocalBroker,
) -> AsyncIterator[Service]:
    async with (
        fresh_database(request.param, tmp_path_factory.mktemp("credit-api")) as url,
        running_service(
            definition(),
            Settings,
            database_url=url,
            bootstrap_servers=kafka_broker.bootstrap_servers,
            clock=SimulatedClock(BUSINESS_NOW),
        ) as (runtime, client),
    ):
        yield runtime, client, kafka_broker.bootstrap_servers


async def account_until(
    client: httpx.AsyncClient, debtor: str, until: Callable[[dict[str, Any]], bool]
) -> dict[str, Any]:
    async def probe() -> httpx.Response:
        return await client.get(f"/v1/debtors/{debtor}/credit-account", headers=OPS)

    response = await eventually(
        probe,
        until=lambda r: r.status_code == 200 and until(r.json()),
        what=f"credit account of {debtor}",
    )
    body: dict[str, Any] = response.json()
    return body


async def decide(client: httpx.AsyncClient, debtor: str, amount: str) -> dict[str, Any]:
    r = await client.post(
        "/v1/credit-decisions",
        json={"debtor_ref": debtor, "amount": amount, "currency": "EUR", "order_ref": "SO-1"},
        headers=ERP,
    )
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


def problem(r: httpx.Response, status: int) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = r.json()
    return body


async def test_a_debtor_over_its_limit_is_held_until_it_pays(service: Service) -> None:
    _rt, client, bootstrap = service
    ledger = Ledger()
    d = ledger.debtor
    r = await client.put(
        f"/v1/debtors/{d}/credit-limits/EUR",
        json={"limit": "1000.00", "requested_by": "an.peeters", "reason": "new customer"},
        headers=OPS,
    )
    assert r.status_code == 200, r.text
    assert r.json()["outcome"] == "applied"
    assert r.json()["account"]["limits"][0]["limit"] == "1000.00"
    first = ledger.issue("600.00", date(2027, 3, 1))
    async with broker_publisher(bootstrap) as publish:
        await publish(first, ledger.issue("600.00", date(2027, 3, 10)))
        held = await account_until(client, d, lambda a: a["hold"]["on_hold"])
        assert held["hold"]["placed_by"] == "rules"
        assert held["hold"]["reasons"] == [
            "limit_exceeded: EUR exposure 1200.00 is over the limit 1000.00"
        ]
        assert held["limits"] == [
            {
                "currency": "EUR",
                "limit": "1000.00",
                "exposure": "1200.00",
                "headroom": "-200.00",
                "exceeded": True,
            }
        ]
        refused = await decide(client, d, "100.00")
        assert refused["outcome"] == "refuse"
        assert {"credit_hold", "no_headroom"} <= {r["code"] for r in refused["reasons"]}

        await publish(*ledger.pay(ledger.number(first), "600.00", TODAY))
        lifted = await account_until(client, d, lambda a: not a["hold"]["on_hold"])
    assert lifted["exposure"][0]["open_amount"] == "600.00"
    hidden = await client.get(f"/v1/debtors/{d}/credit-account", headers=auth(OTHER_TENANT_KEY))
    assert problem(hidden, 404)["detail"] == f"debtor {d!r} does not exist"
    approved = await decide(client, d, "300.00")
    assert approved["outcome"] == "approve" and approved["headroom"] == "100.00"
    partly = await decide(client, d, "800.00")
    assert (partly["outcome"], partly["prepayment_pct"]) == ("approve_with_prepayment", 50)
    events = await published_credit_events(
        bootstrap, "acme", d, until=lambda found: "CreditHoldLifted" in types(found)
    )
    published = [t for t in types(events) if t != "RiskClassChanged"]
    assert published == [
        "CreditLimitChanged",
        "CreditLimitExceeded",
        "CreditHoldPlaced",
        "CreditHoldLifted",
    ]
    assert events[0].payload["set_by"] == "an.peeters"


async def test_a_limit_above_the_threshold_takes_a_second_person(service: Service) -> None:
    _rt, client, _bootstrap = service
    d = unique("D")
    r = await client.put(
        f"/v1/debtors/{d}/credit-limits/EUR",
        json={"limit": "80000.00", "requested_by": "an"},
        headers=OPS,
    )
    assert r.status_code == 202, r.text
    request = r.json()["request"]
    assert (request["status"], request["limit"], r.json()["account"]["limits"]) == (
        "pending",
        "80000.00",
        [],
    )
    listed = await client.get("/v1/credit-limit-requests", headers=OPS)
    assert request["request_id"] in [x["request_id"] for x in listed.json()]
    url = f"/v1/credit-limit-requests/{request['request_id']}"
    same = await client.post(f"{url}:approve", json={"by": " AN "}, headers=OPS)
    assert problem(same, 403)["type"].endswith("second-person-required")
    approved = await client.post(f"{url}:approve", json={"by": "bo", "note": "ok"}, headers=OPS)
    assert approved.status_code == 200, approved.text
    assert (approved.json()["status"], approved.json()["decided_by"]) == ("approved", "bo")
    again = await client.post(f"{url}:reject", json={"by": "cy"}, headers=OPS)
    assert problem(again, 409)["type"].endswith("limit-request-decided")
    account = await account_until(client, d, lambda a: True)
    assert [(x["currency"], x["limit"]) for x in account["limits"]] == [("EUR", "80000.00")]

    raise_more = await client.put(
        f"/v1/debtors/{d}/credit-limits/EUR",
        json={"limit": "90000.00", "requested_by": "an"},
        headers=OPS,
    )
    rejected = await client.post(
        f"/v1/credit-limit-requests/{raise_more.json()['request']['request_id']}:reject",
        json={"by": "bo", "note": "not now"},
        headers=OPS,
    )
    assert rejected.json()["status"] == "rejected"
    lower = await client.put(
        f"/v1/debtors/{d}/credit-limits/EUR",
        json={"limit": "60000.00", "requested_by": "an"},
        headers=OPS,
    )
    assert lower.status_code == 200 and lower.json()["outcome"] == "applied"
    assert lower.json()["account"]["limits"][0]["limit"] == "60000.00"
    erp = await client.put(
        f"/v1/debtors/{d}/credit-limits/EUR",
        json={"limit": "1.00", "requested_by": "x"},
        headers=ERP,
    )
    assert problem(erp, 403)["status"] == 403
    bad = await client.put(
        f"/v1/debtors/{d}/credit-limits/eur",
        json={"limit": "-1", "requested_by": ""},
        headers=OPS,
    )
    fields = {e["field"] for e in problem(bad, 422)["errors"]}
    assert fields == {"currency", "limit", "requested_by"}


async def test_every_decision_is_recorded_and_bad_requests_say_why(service: Service) -> None:
    _rt, client, _bootstrap = service
    stranger = unique("D")
    decision = await decide(client, stranger, "250.00")
    assert decision["outcome"] == "refuse"
    assert [r["code"] for r in decision["reasons"]] == ["no_limit"]
    assert (decision["as_of"], decision["order_ref"]) == ("2027-03-15", "SO-1")
    stored = await client.get(f"/v1/credit-decisions/{decision['decision_id']}", headers=OPS)
    assert stored.status_code == 200 and stored.json() == decision
    hidden = await client.get(
        f"/v1/credit-decisions/{decision['decision_id']}", headers=auth(OTHER_TENANT_KEY)
    )
    problem(hidden, 404)
    agency = await client.post(
        "/v1/credit-decisions",
        json={"debtor_ref": stranger, "amount": "1.00", "currency": "EUR"},
        headers=auth("acme-agency-key"),
    )
    problem(agency, 403)
    for path in (f"/v1/debtors/{stranger}/credit-account", "/v1/kpis"):
        # Credit standing is for the tenant's ERP and staff, not for collection agencies.
        problem(await client.get(path, headers=auth("acme-agency-key")), 403)
    bad = await client.post(
        "/v1/credit-decisions",
        json={"amount": "-5", "currency": "eur", "surprise": 1},
        headers=ERP,
    )
    errors = {e["field"]: e["reason"] for e in problem(bad, 422)["errors"]}
    assert set(errors) == {"debtor_ref", "amount", "currency", "surprise"}
    cents = await client.post(
        "/v1/credit-decisions",
        json={"debtor_ref": stranger, "amount": "1.001", "currency": "EUR"},
        headers=ERP,
    )
    assert [e["field"] for e in problem(cents, 422)["errors"]] == ["amount"]


async def test_a_credit_report_scores_the_debtor_and_counts_as_a_review(service: Service) -> None:
    _rt, client, _bootstrap = service
    d = unique("D")
    body = {
        "report_id": unique("GRAYDON"),
        "source": "graydon",
        "score": "20",
        "scale_min": "0",
        "scale_max": "100",
        "limit_advice": "5000.00",
        "currency": "EUR",
        "reported_on": "2027-03-01",
    }
    r = await client.post(f"/v1/debtors/{d}/credit-reports", json=body, headers=OPS)
    assert r.status_code == 201, r.text
    account = r.json()["account"]
    parts = {p["name"]: p for p in account["score"]["parts"]}
    assert parts["external report"]["points"] == "3.00"
    assert "graydon score 20" in parts["external report"]["reason"]
    assert account["report"]["limit_advice"] == "5000.00"
    assert account["review"]["reviewed_on"] == "2027-03-15"
    again = await client.post(f"/v1/debtors/{d}/credit-reports", json=body, headers=OPS)
    assert again.status_code == 200 and again.json()["outcome"] == "replayed"
    changed = await client.post(
        f"/v1/debtors/{d}/credit-reports", json={**body, "score": "90"}, headers=OPS
    )
    assert problem(changed, 409)["errors"][0]["field"] == "report_id"
    future = await client.post(
        f"/v1/debtors/{d}/credit-reports",
        json={**body, "report_id": None, "reported_on": "2027-03-16"},
        headers=OPS,
    )
    assert problem(future, 422)["errors"][0]["field"] == "reported_on"
    off_scale = await client.post(
        f"/v1/debtors/{d}/credit-reports", json={**body, "score": "120"}, headers=OPS
    )
    assert "scale" in problem(off_scale, 422)["errors"][0]["reason"]


async def test_ops_hold_a_debtor_by_hand_and_lift_it(service: Service) -> None:
    _rt, client, bootstrap = service
    d = unique("D")
    held = await client.post(
        f"/v1/debtors/{d}/credit-hold", json={"reason": "fraud check", "by": "an"}, headers=OPS
    )
    assert held.status_code == 200, held.text
    assert held.json()["hold"] | {"since": None} == {
        "on_hold": True,
        "reasons": ["manual: fraud check"],
        "placed_by": "ops:an",
        "since": None,
        "overridden": [],
    }
    refused = await decide(client, d, "1.00")
    assert refused["reasons"][0]["message"] == "debtor is on credit hold (manual: fraud check)"
    lifted = await client.post(
        f"/v1/debtors/{d}/credit-hold:lift", json={"reason": "cleared", "by": "bo"}, headers=OPS
    )
    assert lifted.json()["hold"]["on_hold"] is False
    twice = await client.post(
        f"/v1/debtors/{d}/credit-hold:lift", json={"reason": "cleared", "by": "bo"}, headers=OPS
    )
    assert problem(twice, 409)["detail"] == "the debtor is not on credit hold"
    events = await published_credit_events(
        bootstrap, "acme", d, until=lambda found: "CreditHoldLifted" in types(found)
    )
    lift = next(e for e in events if e.type == "credit.CreditHoldLifted")
    assert lift.payload == {
        "debtor_ref": d,
        "reason": "cleared",
        "lifted_by": "ops:bo",
    }


async def test_reviews_fall_due_on_the_worklist(service: Service) -> None:
    _rt, client, _bootstrap = service
    d = unique("D")
    await client.post(
        f"/v1/debtors/{d}/credit-hold", json={"reason": "check", "by": "an"}, headers=OPS
    )
    account = await account_until(client, d, lambda a: a["review"]["due_on"] is not None)
    due = account["review"]["due_on"]
    listed = await client.get(f"/v1/credit-reviews?due_by={due}&limit=1000", headers=OPS)
    assert d in [x["debtor_ref"] for x in listed.json()]
    early = await client.get("/v1/credit-reviews", headers=OPS)
    assert d not in [x["debtor_ref"] for x in early.json()]
    reviewed = await client.post(f"/v1/debtors/{d}/credit-reviews", json={"by": "an"}, headers=OPS)
    assert reviewed.json()["review"]["reviewed_on"] == "2027-03-15"


async def test_kpis_as_of_a_past_date_are_not_changed_by_later_payments(
    service: Service,
) -> None:
    _rt, client, bootstrap = service
    ledger = Ledger()
    d = ledger.debtor
    jan = ledger.issue("1000.00", date(2027, 1, 5))
    feb = ledger.issue("500.00", date(2027, 2, 5))

    async def kpis(as_of: str, until: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        async def probe() -> httpx.Response:
            return await client.get(f"/v1/kpis?as_of={as_of}&debtor_ref={d}", headers=OPS)

        r = await eventually(probe, until=lambda r: r.status_code == 200 and until(r.json()))
        body: dict[str, Any] = r.json()
        return body

    def aging(body: dict[str, Any]) -> dict[str, str]:
        (line,) = body["currencies"]
        return {b["label"]: b["amount"] for b in line["aging"]["buckets"]}

    async with broker_publisher(bootstrap) as publish:
        await publish(
            jan,
            feb,
            *ledger.pay(ledger.number(jan), "400.00", date(2027, 2, 10), open_after="600.00"),
        )
        past = await kpis(
            "2027-02-28", lambda b: bool(b["currencies"]) and aging(b)["1-30"] == "600.00"
        )
        await publish(
            *ledger.pay(ledger.number(jan), "600.00", date(2027, 3, 10)),
            *ledger.pay(ledger.number(feb), "500.00", date(2027, 3, 12)),
        )
        await kpis("2027-03-15", lambda b: b["currencies"][0]["aging"]["total"] == "0.00")
    (line,) = past["currencies"]
    assert line["aging"] == {
        "total": "1100.00",
        "buckets": [
            {"label": "current", "min_days": 0, "max_days": 0, "amount": "500.00", "items": 1},
            {"label": "1-30", "min_days": 1, "max_days": 30, "amount": "600.00", "items": 1},
            {"label": "31-60", "min_days": 31, "max_days": 60, "amount": "0.00", "items": 0},
            {"label": "61-90", "min_days": 61, "max_days": 90, "amount": "0.00", "items": 0},
            {"label": "over 90", "min_days": 91, "max_days": None, "amount": "0.00", "items": 0},
        ],
    }
    assert (past["period_start"], past["period_end"]) == ("2026-12-01", "2027-02-28")
    assert line["dso_standard"]["explanation"]["ending_total_ar"] == "1100.00"
    again = await client.get(f"/v1/kpis?as_of=2027-02-28&debtor_ref={d}", headers=OPS)
    assert again.json() == past
    future = await client.get("/v1/kpis?as_of=2027-03-16", headers=OPS)
    assert problem(future, 422)["errors"][0] == {
        "field": "as_of",
        "reason": "is after today (2027-03-15)",
        "in": "query",
    }
    backwards = await client.get("/v1/kpis?as_of=2027-01-01&from=2027-02-01", headers=OPS)
    assert problem(backwards, 422)["errors"][0]["field"] == "from"
    tenant_wide = await client.get("/v1/kpis?as_of=2027-02-28", headers=OPS)
    assert tenant_wide.status_code == 200
    assert tenant_wide.json()["debtor_ref"] is None

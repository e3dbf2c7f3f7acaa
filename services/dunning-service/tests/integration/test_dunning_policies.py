"""Policies per tenant, versioned and effective-dated; assignment by debtor, segment and risk
class; running cases keep their version unless migrated (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from eventkit.testing.databases import fresh_database
from eventkit.testing.service import OTHER_TENANT_KEY, auth

from .case_support import DirectDunning, Ledger, direct_dunning

START = date(2026, 1, 5)
ADMIN = auth()


@pytest.fixture
async def dunning(backend: str, tmp_path: Path) -> AsyncIterator[DirectDunning]:
    async with fresh_database(backend, tmp_path) as url, direct_dunning(url, START) as service:
        yield service


def strict(
    effective_from: str, first_offset: int, formal: int = 10, agency: int = 25
) -> dict[str, Any]:
    return {
        "name": "Strict B2B",
        "effective_from": effective_from,
        "minimum_amounts": {"EUR": "1.00"},
        "steps": [
            {
                "action": "reminder",
                "offset_days": first_offset,
                "template_key": "first_reminder",
                "fee": "10.00",
                "final_term_days": 5,
            },
            {
                "action": "formal_notice",
                "offset_days": formal,
                "template_key": "formal_notice",
                "final_term_days": 8,
            },
            {
                "action": "agency_handover",
                "offset_days": agency,
                "template_key": "handover_notice",
                "agency": "Incasso Noord",
            },
        ],
    }


async def put(dunning: DirectDunning, path: str, body: dict[str, Any], key: Any = ADMIN) -> Any:
    return await dunning.client.put(path, json=body, headers=key)


async def case_policy(dunning: DirectDunning, debtor: str) -> Any:
    body = (await dunning.client.get(f"/v1/cases/{debtor}", headers=ADMIN)).json()
    return body["policy"]["policy_id"], body["policy"]["version"]


async def run_until(dunning: DirectDunning, last: date) -> None:
    day = dunning.clock.today() + timedelta(days=1)
    while day <= last:
        await dunning.day(day)
        day += timedelta(days=1)


async def test_versions_assignments_and_explicit_migration(dunning: DirectDunning) -> None:
    listed = (await dunning.client.get("/v1/policies", headers=ADMIN)).json()
    assert [p["policy_id"] for p in listed if p["builtin"]] == [
        "default-BE_B2B",
        "default-BE_B2C",
        "default-EU_DEFAULT",
        "default-NL_B2B",
        "default-NL_B2C",
    ]
    v1 = await put(dunning, "/v1/policies/strict", strict("2026-01-01", 1))
    assert v1.status_code == 201 and v1.json()["version"] == 1
    gentle = dict(strict("2026-01-01", 20, 30, 45), name="Gentle")
    assert (await put(dunning, "/v1/policies/gentle", gentle)).status_code == 201
    for body in (
        {"policy_id": "strict", "kind": "B2B", "country": "BE"},
        {"policy_id": "gentle", "risk_class": "A", "priority": 5},
    ):
        response = await dunning.client.post("/v1/policy-assignments", json=body, headers=ADMIN)
        assert response.status_code == 201, response.text

    ledger = Ledger(clock=dunning.clock)
    x, x_env = ledger.debtor("X", kind="B2B", country="BE")
    a, a_env = ledger.debtor("A", kind="B2B", country="BE")  # risk class A: gentle wins
    n, n_env = ledger.debtor("N", kind="B2B", country="NL")  # no match: the NL default
    due = date(2026, 1, 20)
    invoices = [ledger.issue(f"I{d}", d, "1000.00", issued=START, due=due)[1] for d in (x, a, n)]
    await dunning.feed([x_env, a_env, n_env, ledger.risk(a, "A"), *invoices])
    await run_until(dunning, date(2026, 1, 21))
    assert await case_policy(dunning, x) == ("strict", 1)
    assert await case_policy(dunning, a) == ("gentle", 1)
    assert await case_policy(dunning, n) == ("default-NL_B2B", 2)  # the shipped version
    [first] = [
        e.payload
        for e in await dunning.published("dunning.ReminderDue")
        if e.payload["debtor_ref"] == x
    ]
    assert (first["business_date"], first["template_key"], first["policy_version"]) == (
        "2026-01-21",
        "first_reminder",
        1,
    )
    assert first["totals"][0]["fees"] == "50.00"  # EUR 40 compensation + the policy's 10.00

    # Version 2 from February: the running case keeps version 1; a new case takes version 2.
    v2 = await put(dunning, "/v1/policies/strict", strict("2026-02-01", 3))
    assert v2.json()["version"] == 2
    await run_until(dunning, date(2026, 2, 1))
    y, y_env = ledger.debtor("Y", kind="B2B", country="BE")
    await dunning.feed([y_env, ledger.issue("IY", y, "500.00", issued=START, due=due)[1]])
    await run_until(dunning, date(2026, 2, 2))
    assert await case_policy(dunning, x) == ("strict", 1)
    assert await case_policy(dunning, y) == ("strict", 2)

    # An explicit migration moves the running case (and its items) to the version in force.
    response = await dunning.client.post(
        f"/v1/cases/{x}/policy", json={"policy_id": "strict"}, headers=ADMIN
    )
    assert response.json() == {
        "debtor_ref": x,
        "policy_id": "strict",
        "version": 2,
        "items_moved": 1,
    }
    assert await case_policy(dunning, x) == ("strict", 2)
    # The other tenant sees neither the policy nor the case.
    other = auth(OTHER_TENANT_KEY)
    assert [
        p["policy_id"]
        for p in (await dunning.client.get("/v1/policies", headers=other)).json()
        if not p["builtin"]
    ] == []
    assert (await dunning.client.get(f"/v1/cases/{x}", headers=other)).status_code == 404


async def test_bad_policies_answer_with_the_field_and_the_reason(dunning: DirectDunning) -> None:
    bad = strict("2026-01-01", 1)
    bad["steps"][1]["offset_days"] = 1  # not after the first step
    bad["steps"].append({"action": "teleport", "offset_days": 90, "template_key": "x"})
    response = await put(dunning, "/v1/policies/bad", bad)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    fields = {e["field"] for e in response.json()["errors"]}
    assert "steps.3.action" in fields or "steps[3].action" in fields
    fine = strict("2026-01-01", 1)
    fine["steps"][1]["offset_days"] = 1
    response = await put(dunning, "/v1/policies/bad", fine)
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["field"] == "steps[1].offset_days" and "after the previous step" in error["reason"]
    assert (await put(dunning, "/v1/policies/default-BE_B2B", fine)).status_code == 422
    assert (await put(dunning, "/v1/policies/x", fine, auth("acme-ops-key"))).status_code == 403
    response = await dunning.client.post(
        "/v1/policy-assignments", json={"policy_id": "nope", "country": "BE"}, headers=ADMIN
    )
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "policy_id"
    unknown = strict("2026-01-01", 1)
    unknown["steps"][0]["template_key"] = "reminder_1"  # not in the published vocabulary
    response = await put(dunning, "/v1/policies/unknown-key", unknown)
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["field"] == "steps[0].template_key"
    assert "not in the published vocabulary" in error["reason"]
    response = await dunning.client.post(
        "/v1/policy-assignments", json={"policy_id": "x"}, headers=ADMIN
    )
    assert response.status_code == 422  # neither a debtor nor a segment

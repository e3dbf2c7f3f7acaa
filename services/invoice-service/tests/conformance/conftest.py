"""The conformance corpus runs against one invoice-service per database backend, served by
uvicorn over real HTTP and shared by every case (set-up once, cases isolated by tenant, debtor
and document numbers)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from eventkit.localbroker import LocalBroker
from eventkit.runtime import Runtime
from eventkit.settings import hash_api_key
from eventkit.testing.databases import BACKENDS, fresh_database
from eventkit.testing.service import api_keys_for_tests

from ..support.http_service import served_over_http

CORPUS = Path(__file__).parent
# One tenant per creditor country the corpus needs, and one per e-invoice case (the official
# examples share document numbers); each key holds every scope.
TENANTS = {"t-be": "BE", "t-nl": "NL", "t-de": "DE"}
EINVOICE_TENANTS = [f"t-ubl-{index:02d}" for index in range(60)]


def key_of(tenant: str) -> str:
    return f"conformance-key-{tenant}-0000000000"


def headers(tenant: str, **extra: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key_of(tenant)}", **extra}


def load_cases(name: str) -> list[dict[str, Any]]:
    """The cases of one corpus file; every case states its rule and what it must produce."""
    cases: list[dict[str, Any]] = yaml.safe_load((CORPUS / name).read_text(encoding="utf-8"))
    ids = [case["id"] for case in cases]
    assert len(ids) == len(set(ids)), f"duplicate case ids in {name}"
    for case in cases:
        assert case.get("rule") and "expect" in case, case["id"]
    return cases


@dataclass
class Corpus:
    backend: str
    runtime: Runtime
    client: httpx.AsyncClient


@pytest.fixture(scope="session", params=BACKENDS)
async def corpus(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    kafka_broker: LocalBroker,
) -> AsyncIterator[Corpus]:
    keys = api_keys_for_tests() + [
        {"tenant": tenant, "key_hash": hash_api_key(key_of(tenant)), "scopes": ["admin"]}
        for tenant in [*TENANTS, *EINVOICE_TENANTS]
    ]
    backend = str(request.param)
    async with (
        fresh_database(backend, tmp_path_factory.mktemp("conformance")) as url,
        served_over_http(url, kafka_broker.bootstrap_servers, api_keys=keys) as (rt, client),
    ):
        for tenant, country in TENANTS.items():
            r = await client.put(
                "/v1/settings/payment-references",
                json={"creditor_country": country},
                headers=headers(tenant),
            )
            assert r.status_code == 200, r.text
        yield Corpus(backend, rt, client)

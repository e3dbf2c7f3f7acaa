"""End-to-end fixtures: the four services as real processes with the real broker.

``E2E_DATABASE`` chooses the databases: ``sqlite`` (default), ``postgresql`` or ``both``.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from devstack.stack import SERVICES, Stack, StackOptions
from eventkit.localbroker import free_port
from eventkit.settings import DEV_TENANT, dev_api_keys_env, hash_api_key
from eventkit.testing.databases import fresh_postgres_database

SIM_START = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
# Besides the development key (every scope): keys with one scope each, as integrators get them.
AGENCY_KEY = "e2e-agency-key-000000000000000000"
ERP_KEY = "e2e-erp-key-00000000000000000000000"
API_KEYS = ";".join(
    [
        dev_api_keys_env(),
        f"{DEV_TENANT}:agency:{hash_api_key(AGENCY_KEY)}",
        f"{DEV_TENANT}:erp:{hash_api_key(ERP_KEY)}",
    ]
)


def _backends() -> list[str]:
    choice = os.environ.get("E2E_DATABASE", "sqlite")
    return ["sqlite", "postgresql"] if choice == "both" else [choice]


@contextlib.asynccontextmanager
async def _databases(backend: str) -> AsyncIterator[dict[str, str]]:
    if backend == "sqlite":
        yield {}
        return
    async with contextlib.AsyncExitStack() as stack:
        urls = {}
        for spec in SERVICES:
            urls[spec.name] = await stack.enter_async_context(fresh_postgres_database("e2e"))
        yield urls


@pytest.fixture(scope="module", params=_backends())
def stack(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    backend = str(request.param)
    loop = asyncio.new_event_loop()
    dbs_cm = _databases(backend)
    try:
        urls = loop.run_until_complete(dbs_cm.__aenter__())
        options = StackOptions(
            data_dir=tmp_path_factory.mktemp(f"stack-{backend}"),
            ports={spec.name: free_port() for spec in SERVICES},
            clock_mode="simulated",
            simulated_start=SIM_START,
            database_urls=urls,
            api_keys=API_KEYS,
        )
        with Stack(options) as running:
            yield running
    finally:
        loop.run_until_complete(dbs_cm.__aexit__(None, None, None))
        loop.close()


def log_dir(stack: Stack) -> Path:
    return stack.options.data_dir / "logs"

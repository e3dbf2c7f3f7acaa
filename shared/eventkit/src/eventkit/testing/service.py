"""Run a service in-process for API tests: migrated database, real broker, real HTTP stack
(ASGI transport through httpx)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
from asgi_lifespan import LifespanManager

from eventkit.clock import Clock
from eventkit.runtime import Runtime, ServiceDefinition
from eventkit.settings import DEV_API_KEY, ServiceSettings, hash_api_key
from eventkit.testing.databases import migrate

OTHER_TENANT_KEY = "other-tenant-key-11111111111111"


def api_keys_for_tests() -> list[dict[str, Any]]:
    """The development tenant with every scope, a second tenant, and single-scope keys."""
    return [
        {"tenant": "acme", "key_hash": hash_api_key(DEV_API_KEY), "scopes": ["admin"]},
        {"tenant": "globex", "key_hash": hash_api_key(OTHER_TENANT_KEY), "scopes": ["admin"]},
        {"tenant": "acme", "key_hash": hash_api_key("acme-erp-key"), "scopes": ["erp"]},
        {"tenant": "acme", "key_hash": hash_api_key("acme-ops-key"), "scopes": ["ops"]},
        {"tenant": "acme", "key_hash": hash_api_key("acme-agency-key"), "scopes": ["agency"]},
    ]


def auth(key: str = DEV_API_KEY) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@asynccontextmanager
async def running_service(
    definition: ServiceDefinition,
    settings_cls: Callable[..., ServiceSettings],
    *,
    database_url: str,
    bootstrap_servers: str,
    clock: Clock | None = None,
    **overrides: Any,
) -> AsyncIterator[tuple[Runtime, httpx.AsyncClient]]:
    await migrate(Path(definition.service_root), database_url)
    values: dict[str, Any] = {
        "database_url": database_url,
        "kafka_bootstrap_servers": bootstrap_servers,
        "api_keys": api_keys_for_tests(),
        "environment": "test",
        "relay_poll_seconds": 0.05,
        "kafka_session_timeout_ms": 2000,
    }
    values.update(overrides)
    settings = settings_cls(**values)
    runtime = Runtime(definition, settings, clock=clock)
    app = runtime.create_app()
    async with LifespanManager(app, startup_timeout=30, shutdown_timeout=30):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield runtime, client

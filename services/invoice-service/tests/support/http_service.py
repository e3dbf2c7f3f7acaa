"""invoice-service served by a real uvicorn server on a free loopback port, reached over real
HTTP (httpx over TCP): the request line goes through uvicorn's own parsing and percent-decoding,
as in production."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from eventkit.runtime import Runtime
from eventkit.testing.databases import migrate
from eventkit.testing.service import api_keys_for_tests
from invoice_service.bootstrap import definition
from invoice_service.settings import Settings


@asynccontextmanager
async def served_over_http(
    database_url: str, bootstrap_servers: str, **overrides: Any
) -> AsyncIterator[tuple[Runtime, httpx.AsyncClient]]:
    service = definition()
    await migrate(Path(service.service_root), database_url)
    values: dict[str, Any] = {
        "database_url": database_url,
        "kafka_bootstrap_servers": bootstrap_servers,
        "api_keys": api_keys_for_tests(),
        "environment": "test",
        "relay_poll_seconds": 0.05,
        "kafka_session_timeout_ms": 2000,
        **overrides,
    }
    runtime = Runtime(service, Settings(**values))
    config = uvicorn.Config(
        runtime.create_app(), host="127.0.0.1", port=0, log_config=None, access_log=False
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        for _ in range(600):
            if server.started or task.done():
                break
            await asyncio.sleep(0.05)
        if not server.started:
            raise RuntimeError("uvicorn did not start within 30 s")
        port = server.servers[0].sockets[0].getsockname()[1]
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            yield runtime, client
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, timeout=30)

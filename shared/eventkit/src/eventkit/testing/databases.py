"""Databases for tests: a fresh SQLite file or a fresh PostgreSQL database per use.

PostgreSQL is found through ``TEST_POSTGRES_URL`` (default: the local server with trust auth).
When it cannot be reached, PostgreSQL-backed tests are skipped — unless ``REQUIRE_POSTGRES=1``
(set by ``.ci/run``), in which case they fail.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from eventkit.migrations import upgrade

DEFAULT_PG_ADMIN = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
BACKENDS = ("sqlite", "postgresql")


def pg_admin_url() -> str:
    return os.environ.get("TEST_POSTGRES_URL", DEFAULT_PG_ADMIN)


def postgres_required() -> bool:
    return os.environ.get("REQUIRE_POSTGRES", "") == "1"


async def _pg_reachable() -> bool:
    engine = create_async_engine(pg_admin_url(), poolclass=NullPool)
    try:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        return True
    except Exception:
        return False
    finally:
        await engine.dispose()


_reachable: bool | None = None


async def require_postgres() -> None:
    """Skip (or fail, when PostgreSQL is required) if the server cannot be reached."""
    global _reachable
    if _reachable is None:
        _reachable = await _pg_reachable()
    if not _reachable:
        message = f"PostgreSQL not reachable at {pg_admin_url()}"
        if postgres_required():
            pytest.fail(message)
        pytest.skip(message)


@asynccontextmanager
async def fresh_postgres_database(prefix: str = "ck") -> AsyncIterator[str]:
    """Create an empty database, yield its async URL, drop it afterwards."""
    await require_postgres()
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_async_engine(pg_admin_url(), poolclass=NullPool, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    base = pg_admin_url().rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


def sqlite_url(directory: Path, name: str = "service") -> str:
    return f"sqlite+aiosqlite:///{directory / f'{name}-{uuid.uuid4().hex[:8]}.db'}"


@asynccontextmanager
async def fresh_database(backend: str, directory: Path) -> AsyncIterator[str]:
    if backend == "sqlite":
        yield sqlite_url(directory)
    elif backend == "postgresql":
        async with fresh_postgres_database() as url:
            yield url
    else:
        raise ValueError(backend)


async def migrate(service_root: Path, url: str) -> None:
    """Run a service's alembic migrations (in a thread: alembic runs its own event loop)."""
    await asyncio.to_thread(upgrade, service_root, url)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> Iterator[str]:
    """Parametrises a test over SQLite and PostgreSQL."""
    yield str(request.param)

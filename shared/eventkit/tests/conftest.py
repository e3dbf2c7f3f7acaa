"""Fixtures for the eventkit tests."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from eventkit.db import Database, infra_metadata
from eventkit.testing.broker import kafka_broker  # noqa: F401 - pytest fixture, used by name
from eventkit.testing.databases import BACKENDS, fresh_database


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """Parametrises a test over SQLite and PostgreSQL."""
    return str(request.param)


@pytest.fixture
async def db(backend: str, tmp_path: Path) -> AsyncIterator[Database]:
    """A fresh database (SQLite or PostgreSQL) with the infrastructure tables."""
    async with fresh_database(backend, tmp_path) as url:
        database = Database(url)
        async with database.engine.begin() as conn:
            await conn.run_sync(infra_metadata.create_all)
        try:
            yield database
        finally:
            await database.dispose()

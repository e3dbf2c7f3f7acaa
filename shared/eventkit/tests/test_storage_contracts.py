"""The storage contract suites, run against SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from eventkit.db import Database, infra_metadata
from eventkit.testing.contracts import EventStoreContract, InboxContract, OutboxContract
from eventkit.testing.databases import fresh_database


@pytest.fixture
async def db(backend: str, tmp_path: Path) -> AsyncIterator[Database]:
    async with fresh_database(backend, tmp_path) as url:
        database = Database(url)
        async with database.engine.begin() as conn:
            await conn.run_sync(infra_metadata.create_all)
        try:
            yield database
        finally:
            await database.dispose()


class TestEventStore(EventStoreContract):
    pass


class TestOutbox(OutboxContract):
    pass


class TestInbox(InboxContract):
    pass

"""Every service's alembic history produces exactly the tables its code declares."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from eventkit.db import infra_metadata
from eventkit.testing.databases import fresh_database, migrate

SERVICES = ["invoice", "dunning", "credit", "notification"]
ROOT = Path(__file__).resolve().parents[2]


def _diff(metadata: list[MetaData]) -> Any:
    def compare(connection: Any) -> Any:
        context = MigrationContext.configure(connection, opts={"compare_type": False})
        return compare_metadata(context, metadata)

    return compare


@pytest.mark.parametrize("service", SERVICES)
async def test_migrations_match_the_declared_tables(
    service: str, backend: str, tmp_path: Path
) -> None:
    tables = importlib.import_module(f"{service}_service.projections.tables")
    async with fresh_database(backend, tmp_path) as url:
        await migrate(ROOT / "services" / f"{service}-service", url)
        engine = create_async_engine(url, poolclass=NullPool)
        try:
            async with engine.connect() as conn:
                diff = await conn.run_sync(_diff([infra_metadata, tables.metadata]))
        finally:
            await engine.dispose()
    assert diff == []

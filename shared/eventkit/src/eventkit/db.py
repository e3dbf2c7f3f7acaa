"""Database access for PostgreSQL and SQLite (SQLAlchemy 2, async).

Infrastructure tables live on ``infra_metadata``; services put their read models on the same
``MetaData`` through ``Base`` so one alembic history covers the whole database.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    DateTime,
    Dialect,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    event,
    text,
)
from sqlalchemy import Column as C
from sqlalchemy.engine import CursorResult, Result
from sqlalchemy.ext.asyncio import (
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.pool import NullPool

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend (SQLite stores no offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


BigId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


infra_metadata = Base.metadata

event_store = Table(
    "event_store",
    infra_metadata,
    C("position", BigId, primary_key=True, autoincrement=True),
    C("stream_id", String(300), nullable=False),
    C("version", Integer, nullable=False),
    C("event_id", String(36), nullable=False),
    C("event_type", String(120), nullable=False),
    C("schema_version", Integer, nullable=False),
    C("tenant_id", String(64), nullable=False),
    C("aggregate_type", String(60), nullable=False),
    C("aggregate_id", String(200), nullable=False),
    C("occurred_at", UTCDateTime, nullable=False),
    C("recorded_at", UTCDateTime, nullable=False),
    C("correlation_id", String(64), nullable=False),
    C("causation_id", String(64)),
    C("producer", String(60), nullable=False),
    C("partition_key", String(300), nullable=False),
    C("payload", JSON, nullable=False),
    # Optimistic concurrency: two writers of the same version collide here.
    UniqueConstraint("stream_id", "version", name="uq_event_store_stream_version"),
    UniqueConstraint("event_id", name="uq_event_store_event_id"),
)

outbox = Table(
    "outbox",
    infra_metadata,
    C("id", BigId, primary_key=True, autoincrement=True),
    C("event_id", String(36), nullable=False, unique=True),
    C("topic", String(200), nullable=False),
    C("partition_key", String(300), nullable=False),
    C("headers", JSON, nullable=False),
    C("value", Text, nullable=False),
    C("created_at", UTCDateTime, nullable=False),
    C("published_at", UTCDateTime),
    Index(
        "ix_outbox_unpublished",
        "id",
        postgresql_where=text("published_at IS NULL"),
        sqlite_where=text("published_at IS NULL"),
    ),
)

inbox = Table(
    "inbox",
    infra_metadata,
    C("consumer_group", String(200), primary_key=True),
    C("event_id", String(36), primary_key=True),
    C("processed_at", UTCDateTime, nullable=False),
)

projection_checkpoint = Table(
    "projection_checkpoint",
    infra_metadata,
    C("consumer_group", String(200), primary_key=True),
    C("topic", String(200), primary_key=True),
    C("partition", Integer, primary_key=True),
    C("offset", BigInteger, nullable=False),
    C("updated_at", UTCDateTime, nullable=False),
)

service_lease = Table(
    "service_lease",
    infra_metadata,
    C("name", String(100), primary_key=True),
    C("holder", String(200), nullable=False),
    C("expires_at", UTCDateTime, nullable=False),
)

clock_state = Table(
    "clock_state",
    infra_metadata,
    C("name", String(50), primary_key=True),
    C("now", UTCDateTime, nullable=False),
    C("last_swept_date", Date),
)


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy emit BEGIN itself so that write transactions can take the lock up front.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


class Database:
    """Engines and sessions. On SQLite, writes use ``BEGIN IMMEDIATE`` (no lock upgrades, no
    SQLITE_BUSY deadlocks between two writers); reads use a separate deferred engine."""

    def __init__(self, url: str, *, echo: bool = False, pool_size: int = 10) -> None:
        self.url = url
        self.dialect_name = "sqlite" if is_sqlite(url) else "postgresql"
        if is_sqlite(url):
            self.engine = create_async_engine(url, echo=echo, poolclass=NullPool)
            self.read_engine = create_async_engine(url, echo=echo, poolclass=NullPool)
            for eng, begin in ((self.engine, "BEGIN IMMEDIATE"), (self.read_engine, "BEGIN")):
                event.listen(eng.sync_engine, "connect", _sqlite_pragmas)
                event.listen(
                    eng.sync_engine,
                    "begin",
                    lambda conn, stmt=begin: conn.exec_driver_sql(stmt),
                )
        else:
            self.engine = create_async_engine(
                url, echo=echo, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True
            )
            self.read_engine = self.engine
        self._writer = async_sessionmaker(self.engine, expire_on_commit=False)
        self._reader = async_sessionmaker(self.read_engine, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return self.dialect_name == "sqlite"

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A write transaction: committed on success, rolled back on any exception."""
        async with self._writer() as session, session.begin():
            yield session

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[AsyncSession]:
        async with self._reader() as session, session.begin():
            yield session

    async def ping(self) -> None:
        async with self.read_engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        await self.engine.dispose()
        if self.read_engine is not self.engine:
            await self.read_engine.dispose()


def sync_url(url: str) -> str:
    """The URL alembic's offline tools and asyncpg's LISTEN connection understand."""
    return url.replace("+asyncpg", "").replace("+aiosqlite", "")


def dialect_of(session: AsyncSession) -> str:
    return session.get_bind().dialect.name


def affected(result: Result[Any]) -> int:
    """Rows an UPDATE/INSERT/DELETE touched (the count lives on the cursor result)."""
    return int(cast("CursorResult[Any]", result).rowcount)

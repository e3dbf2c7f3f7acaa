"""The consumer loop against the real broker: exactly-once effects, dead letters, resumption."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer
from sqlalchemy import Column, Integer, MetaData, String, Table, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from eventkit.consumer import EventConsumer, Subscription, rebuild_projection
from eventkit.db import Database, infra_metadata
from eventkit.envelope import Envelope
from eventkit.kafka import KafkaPublisher
from eventkit.localbroker import LocalBroker
from eventkit.testing.contracts import envelopes
from eventkit.testing.databases import fresh_database
from eventkit.testing.kafka import publish
from eventkit.testing.waiting import eventually
from eventkit.topics import TopicSpec

effects_metadata = MetaData()
effects = Table(
    "effects",
    effects_metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("event_id", String(36), nullable=False),
)


@pytest.fixture
async def db(backend: str, tmp_path: Path) -> AsyncIterator[Database]:
    async with fresh_database(backend, tmp_path) as url:
        database = Database(url)
        async with database.engine.begin() as conn:
            await conn.run_sync(infra_metadata.create_all)
            await conn.run_sync(effects_metadata.create_all)
        try:
            yield database
        finally:
            await database.dispose()


def fresh_topic(broker: LocalBroker, partitions: int = 1) -> str:
    name = f"test.{uuid.uuid4().hex[:10]}.events"
    broker.create_topics([TopicSpec(name, partitions=partitions)])
    return name


async def record_effect(session: AsyncSession, env: Envelope) -> None:
    if env.payload.get("text") == "poison":
        raise ValueError("cannot handle this event")
    await session.execute(insert(effects).values(event_id=str(env.event_id)))


async def count_effects(db: Database) -> int:
    async with db.reading() as s:
        return int(await s.scalar(select(func.count()).select_from(effects)) or 0)


@contextlib.asynccontextmanager
async def running(
    db: Database,
    broker: LocalBroker,
    topic: str,
    group: str,
    handler=record_effect,  # type: ignore[no-untyped-def]
) -> AsyncIterator[EventConsumer]:
    publisher = KafkaPublisher(broker.bootstrap_servers, client_id="dlq", idempotence=False)
    consumer = EventConsumer(
        db,
        Subscription(group=group, topics=[topic], handler=handler),
        bootstrap_servers=broker.bootstrap_servers,
        publisher=publisher,
        max_retries=3,
        retry_backoff=0.01,
        session_timeout_ms=2000,
    )
    stop = asyncio.Event()
    task = asyncio.create_task(consumer.run(stop))
    try:
        yield consumer
    finally:
        stop.set()
        await asyncio.wait_for(task, 15)
        await publisher.stop()


async def test_each_event_has_one_effect_even_when_delivered_twice(
    db: Database, kafka_broker: LocalBroker
) -> None:
    topic = fresh_topic(kafka_broker)
    batch = envelopes(uuid.uuid4().hex, range(1, 51))
    await publish(kafka_broker.bootstrap_servers, topic, batch)
    await publish(kafka_broker.bootstrap_servers, topic, batch[:20])  # redelivery
    async with running(db, kafka_broker, topic, f"g-{uuid.uuid4().hex[:6]}") as consumer:
        await eventually(lambda: count_effects(db), until=lambda n: n == 50, what="50 effects")
        await eventually(
            lambda: asyncio.sleep(0, consumer.stats.duplicates), until=lambda n: n == 20
        )
    assert await count_effects(db) == 50


async def test_poison_event_goes_to_the_dead_letter_topic_after_bounded_retries(
    db: Database, kafka_broker: LocalBroker
) -> None:
    topic = fresh_topic(kafka_broker)
    group = f"g-{uuid.uuid4().hex[:6]}"
    kafka_broker.create_topics([TopicSpec(f"{group}.dlq")])
    good = envelopes(uuid.uuid4().hex, range(1, 4))
    poison = envelopes(uuid.uuid4().hex, range(1, 2))[0]
    poison = dataclasses.replace(poison, payload={"text": "poison"})
    await publish(kafka_broker.bootstrap_servers, topic, [good[0], poison, good[1], good[2]])
    async with running(db, kafka_broker, topic, group) as consumer:
        await eventually(lambda: count_effects(db), until=lambda n: n == 3, what="3 effects")
        await eventually(lambda: asyncio.sleep(0, consumer.stats.dead_lettered), until=bool)
        assert consumer.stats.retries >= 3
    reader = AIOKafkaConsumer(
        f"{group}.dlq",
        bootstrap_servers=kafka_broker.bootstrap_servers,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await reader.start()
    try:
        records = await asyncio.wait_for(reader.getmany(timeout_ms=5000), 10)
        dead = [r for batch in records.values() for r in batch]
    finally:
        await reader.stop()
    assert len(dead) == 1
    headers = dict(dead[0].headers)
    assert headers["ce_id"].decode() == str(poison.event_id)
    assert b"cannot handle" in headers["dlq_error"]


async def test_restart_resumes_from_the_database_checkpoint(
    db: Database, kafka_broker: LocalBroker
) -> None:
    topic = fresh_topic(kafka_broker, partitions=3)
    group = f"g-{uuid.uuid4().hex[:6]}"
    first = [e for aid in range(6) for e in envelopes(f"a{aid}-{uuid.uuid4().hex}", range(1, 6))]
    await publish(kafka_broker.bootstrap_servers, topic, first)
    async with running(db, kafka_broker, topic, group):
        await eventually(lambda: count_effects(db), until=lambda n: n == 30, what="30 effects")
    second = [e for aid in range(3) for e in envelopes(f"b{aid}-{uuid.uuid4().hex}", range(1, 4))]
    await publish(kafka_broker.bootstrap_servers, topic, second)
    seen: list[str] = []

    async def spy(session: AsyncSession, env: Envelope) -> None:
        seen.append(str(env.event_id))
        await record_effect(session, env)

    async with running(db, kafka_broker, topic, group, handler=spy):
        await eventually(lambda: count_effects(db), until=lambda n: n == 39, what="39 effects")
    assert sorted(seen) == sorted(str(e.event_id) for e in second)


async def test_failed_batch_rolls_back_every_effect_of_the_batch(
    db: Database, kafka_broker: LocalBroker
) -> None:
    """A transient failure mid-batch: the retry applies every event exactly once."""
    topic = fresh_topic(kafka_broker)
    batch = envelopes(uuid.uuid4().hex, range(1, 11))
    await publish(kafka_broker.bootstrap_servers, topic, batch)
    failures = {"left": 1}

    async def flaky(session: AsyncSession, env: Envelope) -> None:
        await record_effect(session, env)
        if env.aggregate_version == 7 and failures["left"]:
            failures["left"] -= 1
            raise ConnectionError("database hiccup")

    async with running(db, kafka_broker, topic, f"g-{uuid.uuid4().hex[:6]}", handler=flaky):
        await eventually(lambda: count_effects(db), until=lambda n: n == 10, what="10 effects")
    async with db.reading() as s:
        ids = (await s.execute(select(effects.c.event_id))).scalars().all()
    assert sorted(ids) == sorted(str(e.event_id) for e in batch)


async def test_rebuild_replays_the_projection_from_the_beginning(
    db: Database, kafka_broker: LocalBroker
) -> None:
    topic = fresh_topic(kafka_broker)
    group = f"g-{uuid.uuid4().hex[:6]}"
    batch = envelopes(uuid.uuid4().hex, range(1, 21))
    await publish(kafka_broker.bootstrap_servers, topic, batch)
    async with running(db, kafka_broker, topic, group):
        await eventually(lambda: count_effects(db), until=lambda n: n == 20, what="20 effects")
    await rebuild_projection(
        db,
        Subscription(
            group=group, topics=[topic], handler=record_effect, projection_tables=[effects]
        ),
    )
    assert await count_effects(db) == 0
    async with running(db, kafka_broker, topic, group):
        await eventually(lambda: count_effects(db), until=lambda n: n == 20, what="replayed")
    async with db.reading() as s:
        ids = (await s.execute(select(effects.c.event_id))).scalars().all()
    assert sorted(ids) == sorted(str(e.event_id) for e in batch)

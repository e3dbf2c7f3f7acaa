"""The local Tansu broker, exercised with the aiokafka settings the product uses."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from contracts.topics import all_topics
from eventkit.localbroker import LocalBroker, ensure_topics
from eventkit.testing.broker import FAST_GROUP_SETTINGS
from eventkit.topics import TopicSpec


def _unique(prefix: str) -> str:
    return f"test.localbroker.{prefix}.{uuid.uuid4().hex[:10]}"


async def _poll_until(condition: Callable[[], bool], within: float, what: str) -> None:
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() >= deadline:
            pytest.fail(f"timed out after {within}s waiting for {what}")
        await asyncio.sleep(0.05)


async def _consume(consumer: AIOKafkaConsumer, count: int, within: float) -> list[Any]:
    """Fetch until ``count`` records arrived (in consumption order) or fail after ``within`` s."""
    records: list[Any] = []
    deadline = time.monotonic() + within
    while len(records) < count:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            pytest.fail(f"got {len(records)} of {count} records within {within}s")
        batch = await consumer.getmany(timeout_ms=int(min(remaining, 0.5) * 1000))
        for partition_records in batch.values():
            records.extend(partition_records)
    return records


def _consumer(bootstrap: str, topic: str, group: str) -> AIOKafkaConsumer:
    return AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=group,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        **FAST_GROUP_SETTINGS,
    )


async def _partition_counts(bootstrap: str) -> dict[str, int]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        # All topics: naming a topic in a Metadata request would auto-create it.
        described = await admin.describe_topics(None)
    finally:
        await admin.close()
    return {t["topic"]: len(t["partitions"]) for t in described}


async def test_contract_topics_exist_with_requested_partitions(kafka_broker: LocalBroker) -> None:
    counts = await _partition_counts(kafka_broker.bootstrap_servers)

    expected = {spec.name: spec.partitions for spec in all_topics()}
    assert {name: counts.get(name) for name in expected} == expected
    assert max(expected.values()) > 1  # multi-partition topics are really created


async def test_ensure_topics_is_idempotent_and_keeps_configs(kafka_broker: LocalBroker) -> None:
    bootstrap = kafka_broker.bootstrap_servers
    spec = TopicSpec(_unique("cfg"), partitions=3, config={"retention.ms": "-1"})

    await ensure_topics(bootstrap, [spec], timeout=10)
    await ensure_topics(bootstrap, [spec, spec], timeout=10)  # exists already: no error

    assert (await _partition_counts(bootstrap))[spec.name] == 3
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        [response] = await admin.describe_configs(
            [ConfigResource(ConfigResourceType.TOPIC, spec.name)]
        )
    finally:
        await admin.close()
    [resource] = response.resources
    entries = {entry[0]: entry[1] for entry in resource[4]}
    # Tansu 0.6.0 accepts and stores topic configs given to CreateTopics.
    assert entries.get("retention.ms") == "-1"


async def test_auto_created_topic_is_reported_not_silently_accepted(
    kafka_broker: LocalBroker,
) -> None:
    bootstrap = kafka_broker.bootstrap_servers
    topic = _unique("auto")
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=False)
    await producer.start()
    try:
        await producer.send_and_wait(topic, b"x")  # auto-creates the topic
    finally:
        await producer.stop()
    auto_partitions = (await _partition_counts(bootstrap))[topic]
    # Tansu 0.6.0 auto-creates with 4 partitions; the exact default does not matter here.
    assert auto_partitions >= 1

    with pytest.raises(RuntimeError, match="wrong partition count"):
        await ensure_topics(bootstrap, [TopicSpec(topic, partitions=auto_partitions + 1)])


async def test_produce_consume_commit_and_resume(kafka_broker: LocalBroker) -> None:
    bootstrap = kafka_broker.bootstrap_servers
    topic = _unique("pc")
    group = _unique("group")
    await ensure_topics(bootstrap, [TopicSpec(topic, partitions=3)], timeout=10)

    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=False)
    await producer.start()
    try:
        futures = [
            await producer.send(
                topic,
                key=f"key-{i % 7}".encode(),
                value=f"value-{i}".encode(),
                headers=[
                    ("seq", str(i).encode()),
                    ("content-type", b"application/json"),
                    ("binary", bytes([0, 255, i])),
                ],
            )
            for i in range(100)
        ]
        metadata = await asyncio.gather(*futures)
        written = {i: (md.partition, md.offset) for i, md in enumerate(metadata)}

        first = _consumer(bootstrap, topic, group)
        await first.start()
        try:
            records = await _consume(first, 100, within=15)

            seqs = [int(dict(r.headers)["seq"]) for r in records]
            assert sorted(seqs) == list(range(100))
            for record, seq in zip(records, seqs, strict=True):
                assert record.key == f"key-{seq % 7}".encode()
                assert record.value == f"value-{seq}".encode()
                assert list(record.headers) == [
                    ("seq", str(seq).encode()),
                    ("content-type", b"application/json"),
                    ("binary", bytes([0, 255, seq])),
                ]
                assert (record.partition, record.offset) == written[seq]
            by_key: dict[bytes, list[int]] = defaultdict(list)
            partitions_of_key: dict[bytes, set[int]] = defaultdict(set)
            for record, seq in zip(records, seqs, strict=True):
                by_key[record.key].append(seq)
                partitions_of_key[record.key].add(record.partition)
            assert all(len(parts) == 1 for parts in partitions_of_key.values())
            assert all(keyed == sorted(keyed) for keyed in by_key.values())
            assert len({r.partition for r in records}) > 1  # keys really spread out

            # Commit only the first half of every partition: next offset to read = half.
            offsets_per_partition: dict[int, list[int]] = defaultdict(list)
            for record in records:
                offsets_per_partition[record.partition].append(record.offset)
            commit = {
                TopicPartition(topic, partition): sorted(offsets)[len(offsets) // 2]
                for partition, offsets in offsets_per_partition.items()
            }
            await first.commit(commit)
            for tp, offset in commit.items():
                assert await first.committed(tp) == offset
        finally:
            await first.stop()

        extra = [
            await producer.send_and_wait(
                topic, key=f"key-{i % 7}".encode(), value=f"value-{i}".encode()
            )
            for i in range(100, 110)
        ]
    finally:
        await producer.stop()

    expected = {
        (partition, offset)
        for partition, offset in written.values()
        if offset >= commit[TopicPartition(topic, partition)]
    } | {(md.partition, md.offset) for md in extra}

    second = _consumer(bootstrap, topic, group)
    await second.start()
    try:
        resumed = await _consume(second, len(expected), within=15)
        # Nothing beyond the uncommitted records may follow (no redelivery of committed ones).
        late = await second.getmany(timeout_ms=500)
    finally:
        await second.stop()

    received = [(r.partition, r.offset) for r in resumed]
    assert len(received) == len(set(received))
    assert set(received) == expected
    assert not any(late.values())


async def test_two_consumers_in_one_group_split_the_partitions(kafka_broker: LocalBroker) -> None:
    bootstrap = kafka_broker.bootstrap_servers
    topic = _unique("grp")
    group = _unique("group")
    await ensure_topics(bootstrap, [TopicSpec(topic, partitions=4)], timeout=10)
    all_partitions = {TopicPartition(topic, p) for p in range(4)}

    received: dict[str, list[Any]] = {"a": [], "b": []}
    stop = asyncio.Event()

    async def pump(name: str, consumer: AIOKafkaConsumer) -> None:
        while not stop.is_set():
            batch = await consumer.getmany(timeout_ms=100)
            for partition_records in batch.values():
                received[name].extend(partition_records)

    a = _consumer(bootstrap, topic, group)
    b = _consumer(bootstrap, topic, group)
    tasks: list[asyncio.Task[None]] = []
    try:
        await a.start()
        await _poll_until(lambda: a.assignment() == all_partitions, 10, "first member's assignment")
        tasks.append(asyncio.create_task(pump("a", a)))
        await b.start()
        tasks.append(asyncio.create_task(pump("b", b)))

        # Tansu rebalances: the first member gives up half of the partitions to the second.
        await _poll_until(
            lambda: (
                bool(a.assignment())
                and bool(b.assignment())
                and a.assignment() | b.assignment() == all_partitions
            ),
            15,
            "both members to be assigned partitions",
        )
        assert not a.assignment() & b.assignment()
        assigned_a = {tp.partition for tp in a.assignment()}
        assigned_b = {tp.partition for tp in b.assignment()}

        producer = AIOKafkaProducer(
            bootstrap_servers=bootstrap, acks="all", enable_idempotence=False
        )
        await producer.start()
        try:
            for i in range(40):
                await producer.send(topic, key=f"k{i}".encode(), value=str(i).encode())
            await producer.flush()
        finally:
            await producer.stop()
        await _poll_until(
            lambda: len(received["a"]) + len(received["b"]) >= 40, 10, "all 40 records"
        )
        assert {r.partition for r in received["a"]} <= assigned_a
        assert {r.partition for r in received["b"]} <= assigned_b
        assert received["a"]
        assert received["b"]
        assert sorted(int(r.value) for r in received["a"] + received["b"]) == list(range(40))

        # When one member leaves, the other takes over every partition.
        stop.set()
        await asyncio.gather(*tasks)
        tasks.clear()
        stop.clear()
        await b.stop()
        tasks.append(asyncio.create_task(pump("a", a)))
        await _poll_until(lambda: a.assignment() == all_partitions, 15, "takeover after leave")
    finally:
        stop.set()
        await asyncio.gather(*tasks, return_exceptions=True)
        await a.stop()
        await b.stop()

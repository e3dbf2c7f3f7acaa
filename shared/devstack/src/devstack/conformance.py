"""Does what the services publish obey the committed contract?

Reads every event topic of a broker from the beginning and checks each record the way an
integrator's consumer would see it: the CloudEvents headers against their schema, the value
against the committed JSON Schema of its ``ce_type`` and ``ce_schemaversion`` (with unknown
fields forbidden, so a field the published schema does not declare is caught), the topic, key
and ``ce_source`` against the contract, and the payload through the services' own decoder.

The end-to-end suite runs it on every stack before the stack stops (``conftest.py`` at the
repository root); ``devstack check-events`` runs it against the stack of ``make run``.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from jsonschema import Draft202012Validator, FormatChecker

from contracts.registry import build_registry, sources_of, topic_of
from contracts.schemas import HEADERS_FILE, INDEX_FILE, SCHEMA_DIR, closed
from contracts.topics import EVENT_TOPICS, all_topics
from eventkit.codec import SOURCE_PREFIX, UndecodableMessage, decode
from eventkit.topics import TopicSpec

MAX_PROBLEMS_SHOWN = 25


@dataclass(frozen=True)
class Record:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    headers: tuple[tuple[str, bytes], ...]
    value: bytes | None

    @property
    def where(self) -> str:
        return f"{self.topic}[{self.partition}]@{self.offset}"


async def read_topics(
    bootstrap_servers: str,
    topics: Sequence[TopicSpec] = EVENT_TOPICS,
    *,
    idle_seconds: float = 1.0,
    timeout: float = 120.0,  # noqa: ASYNC109 -- one budget for the whole read
) -> list[Record]:
    """Every record of ``topics`` from offset 0, read without a consumer group.

    Stops when every partition has been read up to its high watermark, or when nothing more
    arrived for ``idle_seconds`` (the local broker's offsets API is not to be trusted).
    """
    partitions = [TopicPartition(t.name, p) for t in topics for p in range(t.partitions)]
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap_servers,
        group_id=None,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        max_partition_fetch_bytes=4 * 1024 * 1024,
    )
    await consumer.start()
    records: list[Record] = []
    try:
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        idle_since = loop.time()
        while loop.time() < deadline:
            batch = await consumer.getmany(timeout_ms=200, max_records=5000)
            for tp, messages in batch.items():
                records.extend(
                    Record(
                        tp.topic,
                        tp.partition,
                        m.offset,
                        m.key,
                        tuple(m.headers or ()),
                        m.value,
                    )
                    for m in messages
                )
            if batch:
                idle_since = loop.time()
            if await _caught_up(consumer, partitions) or loop.time() - idle_since > idle_seconds:
                break
        else:
            raise TimeoutError(f"reading the topics took longer than {timeout} s")
    finally:
        await consumer.stop()
    return records


async def _caught_up(consumer: AIOKafkaConsumer, partitions: Iterable[TopicPartition]) -> bool:
    for tp in partitions:
        highwater = consumer.highwater(tp)
        if highwater is None or await consumer.position(tp) < highwater:
            return False
    return True


@dataclass
class ContractReport:
    """What was checked, per event type, and every record that broke the contract."""

    events: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)
    dead_letters: int = 0
    stacks: int = 0

    @property
    def checked(self) -> int:
        return sum(self.events.values())

    def merge(self, other: ContractReport) -> None:
        self.events.update(other.events)
        self.problems.extend(other.problems)
        self.dead_letters += other.dead_letters
        self.stacks += other.stacks

    def summary(self) -> str:
        return (
            f"{self.checked} published events of {len(self.events)} event types checked "
            f"against the committed schemas ({self.stacks} stack(s)): "
            f"{len(self.problems)} problem(s); {self.dead_letters} dead letter(s)"
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "events_checked": self.checked,
            "event_types": len(self.events),
            "per_type": dict(sorted(self.events.items())),
            "problems": self.problems,
            "dead_letters": self.dead_letters,
            "stacks": self.stacks,
        }


class ContractCheck:
    """The committed contract files, ready to judge records."""

    def __init__(self, schema_dir: Path = SCHEMA_DIR) -> None:
        index = json.loads((schema_dir / INDEX_FILE).read_text())
        formats = FormatChecker()
        self._headers = Draft202012Validator(
            json.loads((schema_dir / HEADERS_FILE).read_text()), format_checker=formats
        )
        self._payloads = {
            (e["type"], e["version"]): Draft202012Validator(
                closed(json.loads((schema_dir / e["schema"]).read_text())),
                format_checker=formats,
            )
            for e in index["events"]
        }
        self._registry = build_registry()

    def problems(self, record: Record) -> tuple[str | None, list[str]]:
        """The record's event type (if it has one) and what is wrong with it."""
        try:
            headers = {k: v.decode() for k, v in record.headers}
        except UnicodeDecodeError:
            return None, [f"{record.where}: a header is not UTF-8"]
        event_type = headers.get("ce_type")
        found = [f"header {_path(e)}: {e.message}" for e in self._headers.iter_errors(headers)]
        version = headers.get("ce_schemaversion", "")
        validator = self._payloads.get((event_type or "", int(version) if version.isdigit() else 0))
        if event_type is None:
            return None, [f"{record.where}: no ce_type header", *found]
        if validator is None:
            found.append(f"no committed schema for {event_type} v{version}")
        else:
            try:
                value = json.loads(record.value or b"null")
            except ValueError as exc:
                value = None
                found.append(f"value is not JSON: {exc}")
            found.extend(f"value {_path(e)}: {e.message}" for e in validator.iter_errors(value))
            if not found:
                found.extend(self._decodes(record))
        try:
            expected_topic = topic_of(event_type)
            if record.topic != expected_topic:
                found.append(f"published on {record.topic}, the contract says {expected_topic}")
            sources = sorted(SOURCE_PREFIX + p for p in sources_of(event_type))
            if headers.get("ce_source") not in sources:
                expected = " or ".join(repr(source) for source in sources)
                found.append(f"ce_source {headers.get('ce_source')!r}, expected {expected}")
        except (LookupError, KeyError):
            found.append(f"{event_type} is not a public event type")
        key = (record.key or b"").decode(errors="replace")
        if key != headers.get("ce_partitionkey"):
            found.append(f"record key {key!r} differs from ce_partitionkey")
        return event_type, [f"{record.where} {event_type} v{version}: {p}" for p in found]

    def _decodes(self, record: Record) -> list[str]:
        try:
            decode(record.headers, record.value).decode(self._registry)
        except (UndecodableMessage, ValueError) as exc:
            return [f"the services' decoder refuses it: {exc}"]
        return []

    def run(self, records: Iterable[Record]) -> ContractReport:
        report = ContractReport(stacks=1)
        dead_letter_topics = {t.name for t in all_topics()} - {t.name for t in EVENT_TOPICS}
        for record in records:
            if record.topic in dead_letter_topics:
                report.dead_letters += 1
                continue
            event_type, problems = self.problems(record)
            report.events[event_type or "(none)"] += 1
            report.problems.extend(problems)
        return report


def _path(error: Any) -> str:
    return "/".join(str(p) for p in error.absolute_path) or "(root)"


def check_broker(bootstrap_servers: str, *, with_dead_letters: bool = True) -> ContractReport:
    """Read every event topic (and the dead-letter topics) of a broker and check each record."""
    topics = all_topics() if with_dead_letters else EVENT_TOPICS
    records = asyncio.run(read_topics(bootstrap_servers, topics))
    return ContractCheck().run(records)

"""The published contract files: a JSON Schema and a golden sample per event type and schema
version, the CloudEvents header schema, an index, and ``deploy/asyncapi.json``.

::

    uv run python -m contracts.schemas            # check: lists what drifted, exit status 1
    uv run python -m contracts.schemas --write    # regenerate after changing a contract model

Layout under ``shared/contracts/schemas/``::

    index.json                              every event type and version, topic, producer, files
    cloudevents-kafka-headers.schema.json   the ce_* Kafka headers every record carries
    <event type>/v<N>.schema.json           JSON Schema (2020-12) of the payload (the Kafka value)
    <event type>/v<N>.sample.json           a record as it travels: topic, key, headers, value

The files of the current version of each event are generated from the models and samples
(``contracts.samples``). Files of older versions are frozen: they stay committed when a model
moves to a new ``schema_version`` and are never rewritten, so integrators and the upcaster tests
keep them. ``--write`` refuses to overwrite a published version with a breaking change
(``contracts.compat``): raise the event's ``schema_version`` and add an upcaster instead.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from contracts import asyncapi
from contracts.compat import breaking_changes
from contracts.registry import PUBLIC_EVENTS, producer_of, topic_of
from contracts.samples import SAMPLES, Sample, sample_event_id
from contracts.upcasters import UPCASTERS
from eventkit.codec import SOURCE_PREFIX, encode_value, header_pairs
from eventkit.envelope import Envelope
from eventkit.events import DomainEvent

Schema = dict[str, Any]

CONTRACTS_DIR = Path(__file__).resolve().parents[2]
SCHEMA_DIR = CONTRACTS_DIR / "schemas"
REPO_ROOT = CONTRACTS_DIR.parents[1]
ASYNCAPI_FILE = REPO_ROOT / "deploy" / "asyncapi.json"
HEADERS_FILE = "cloudevents-kafka-headers.schema.json"
INDEX_FILE = "index.json"
DIALECT = "https://json-schema.org/draft/2020-12/schema"
REGENERATE = "uv run python -m contracts.schemas --write"


def schema_file(event_type: str, version: int) -> str:
    return f"{event_type}/v{version}.schema.json"


def sample_file(event_type: str, version: int) -> str:
    return f"{event_type}/v{version}.sample.json"


def dumps(document: Any) -> str:
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


# --- schemas ---------------------------------------------------------------------------------


def _tolerant(node: Any) -> Any:
    """Drop ``additionalProperties: false`` everywhere: consumers must ignore fields they do not
    know, so that an optional field can be added within a schema version."""
    if isinstance(node, dict):
        return {
            k: _tolerant(v)
            for k, v in node.items()
            if not (k == "additionalProperties" and v is False)
        }
    if isinstance(node, list):
        return [_tolerant(v) for v in node]
    return node


def closed(node: Any) -> Any:
    """The schema with unknown properties forbidden wherever it declares properties: how our
    own checks judge what the services publish (everything published must be declared)."""
    if isinstance(node, dict):
        out = {k: closed(v) for k, v in node.items()}
        if "properties" in node:
            out["additionalProperties"] = False
        return out
    if isinstance(node, list):
        return [closed(v) for v in node]
    return node


def payload_schema(cls: type[DomainEvent]) -> Schema:
    """The published JSON Schema of ``cls`` at its current ``schema_version``."""
    event_type, version = cls.event_type, cls.schema_version
    generated = _tolerant(cls.model_json_schema(mode="serialization"))
    topic, producer = topic_of(event_type), producer_of(event_type)
    description = generated.pop("description", None) or (
        f"{event_type}: the payload {producer} publishes on {topic}."
    )
    return {
        "$schema": DIALECT,
        "$id": f"urn:creditmgmt:event:{event_type}:v{version}",
        **generated,
        "description": " ".join(description.split()),
        "x-event-type": event_type,
        "x-schema-version": version,
        "x-topic": topic,
        "x-producer": producer,
    }


def headers_schema() -> Schema:
    """The Kafka headers of every record: binary-mode CloudEvents plus our extensions."""
    text = "string"
    schema: Schema = {
        "$schema": DIALECT,
        "$id": "urn:creditmgmt:cloudevents-kafka-headers",
        "title": "CloudEventsKafkaHeaders",
        "description": "Kafka record headers (binary-mode CloudEvents 1.0, Kafka protocol "
        "binding): the envelope of the event; the record value is the JSON payload and the "
        "record key the partition key. Header values are UTF-8 strings.",
        "type": "object",
        "properties": {
            "ce_specversion": {"type": text, "const": "1.0", "description": "CloudEvents version"},
            "ce_id": {
                "type": text,
                "format": "uuid",
                "description": "event id (UUIDv7); the same event may arrive twice: "
                "deduplicate on it",
            },
            "ce_type": {
                "type": text,
                "pattern": r"^[a-z]+\.[A-Z][A-Za-z]+$",
                "description": "stable event type name, e.g. invoicing.InvoiceIssued",
            },
            "ce_source": {
                "type": text,
                "pattern": "^" + SOURCE_PREFIX.replace(".", r"\.") + r"[a-z-]+$",
                "description": "urn:creditmgmt:<producing service>",
            },
            "ce_subject": {"type": text, "description": "id of the aggregate the event is about"},
            "ce_time": {
                "type": text,
                "format": "date-time",
                "description": "when it happened, business time (RFC 3339)",
            },
            "content-type": {"type": text, "const": "application/json"},
            "ce_tenant": {"type": text, "description": "tenant id"},
            "ce_schemaversion": {
                "type": text,
                "pattern": "^[1-9][0-9]*$",
                "description": "schema version of the payload (integer as text): pick the "
                "schema <ce_type>/v<ce_schemaversion>.schema.json",
            },
            "ce_correlationid": {
                "type": text,
                "description": "correlation id of the request or event chain",
            },
            "ce_causationid": {
                "type": text,
                "description": "id of the event or request that caused this one (absent for "
                "the first event of a chain)",
            },
            "ce_aggregatetype": {"type": text, "description": "aggregate type"},
            "ce_aggregateversion": {
                "type": text,
                "pattern": "^[1-9][0-9]*$",
                "description": "version of the aggregate after this event",
            },
            "ce_partitionkey": {
                "type": text,
                "description": "the record key: <tenant>:<debtor> (system.clock.events: system)",
            },
        },
    }
    optional = {"ce_causationid"}
    schema["required"] = [name for name in schema["properties"] if name not in optional]
    return schema


# --- samples ---------------------------------------------------------------------------------


def sample_envelope(sample: Sample) -> Envelope:
    event = sample.event
    event_id = sample_event_id(event.event_type, sample.occurred_at)
    return Envelope(
        event_id=event_id,
        type=event.event_type,
        schema_version=event.schema_version,
        tenant_id=sample.tenant_id,
        aggregate_type=sample.aggregate_type,
        aggregate_id=sample.aggregate_id,
        aggregate_version=sample.aggregate_version,
        occurred_at=sample.occurred_at,
        correlation_id=str(event_id),
        causation_id=None,
        producer=producer_of(event.event_type),
        payload=event.to_payload(),
        partition_key=sample.partition_key,
    )


def sample_record(sample: Sample) -> dict[str, Any]:
    """The sample as a Kafka record, written by the same codec as the services' relays."""
    env = sample_envelope(sample)
    return {
        "topic": topic_of(env.type),
        "key": env.partition_key,
        "headers": dict(header_pairs(env)),
        "value": json.loads(encode_value(env)),
    }


# --- the catalogue ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One event type at one schema version."""

    event_type: str
    version: int
    current: bool
    schema: Schema
    sample: dict[str, Any] | None

    @property
    def topic(self) -> str:
        return topic_of(self.event_type)

    @property
    def producer(self) -> str:
        return producer_of(self.event_type)


def _read_json(path: Path) -> Any:
    return json.loads(path.read_text())


def committed_versions(event_type: str, schema_dir: Path = SCHEMA_DIR) -> list[int]:
    folder = schema_dir / event_type
    if not folder.is_dir():
        return []
    versions = []
    for path in folder.glob("v*.schema.json"):
        number = path.name.removeprefix("v").removesuffix(".schema.json")
        if number.isdigit():
            versions.append(int(number))
    return sorted(versions)


def catalogue(
    events: tuple[type[DomainEvent], ...] = PUBLIC_EVENTS, schema_dir: Path = SCHEMA_DIR
) -> list[Entry]:
    """Every event type and version: current ones from the models, older ones from the frozen
    files."""
    entries: list[Entry] = []
    for cls in sorted(events, key=lambda c: c.event_type):
        for version in committed_versions(cls.event_type, schema_dir):
            if version < cls.schema_version:
                sample_path = schema_dir / sample_file(cls.event_type, version)
                entries.append(
                    Entry(
                        cls.event_type,
                        version,
                        current=False,
                        schema=_read_json(schema_dir / schema_file(cls.event_type, version)),
                        sample=_read_json(sample_path) if sample_path.exists() else None,
                    )
                )
        sample = SAMPLES.get(cls.event_type)
        if sample is not None and type(sample.event) is not cls:
            sample = None  # a sample of an older model: samples.py needs the new one
        entries.append(
            Entry(
                cls.event_type,
                cls.schema_version,
                current=True,
                schema=payload_schema(cls),
                sample=sample_record(sample) if sample is not None else None,
            )
        )
    return entries


def index(entries: list[Entry]) -> dict[str, Any]:
    return {
        "description": "Published events of the credit-management backend: one JSON Schema "
        "and one golden sample per event type and schema version. Kafka records carry the "
        "type in the ce_type header and the version in ce_schemaversion.",
        "headers": HEADERS_FILE,
        "asyncapi": "../../../deploy/asyncapi.json",
        "events": [
            {
                "type": e.event_type,
                "version": e.version,
                "current": e.current,
                "topic": e.topic,
                "producer": e.producer,
                "schema": schema_file(e.event_type, e.version),
                "sample": sample_file(e.event_type, e.version),
            }
            for e in entries
        ],
    }


def generated_files(
    entries: list[Entry], schema_dir: Path = SCHEMA_DIR, asyncapi_file: Path = ASYNCAPI_FILE
) -> dict[Path, str]:
    """What the generator writes: current versions, header schema, index and AsyncAPI."""
    files: dict[Path, str] = {
        schema_dir / HEADERS_FILE: dumps(headers_schema()),
        schema_dir / INDEX_FILE: dumps(index(entries)),
        asyncapi_file: asyncapi.render(entries, headers_schema()),
    }
    for e in entries:
        if e.current:
            files[schema_dir / schema_file(e.event_type, e.version)] = dumps(e.schema)
            if e.sample is not None:
                files[schema_dir / sample_file(e.event_type, e.version)] = dumps(e.sample)
    return files


# --- check and write -------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    kind: str  # "breaking", "stale", "missing", "orphan", "no-sample", "no-upcaster"
    subject: str
    detail: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.subject}: {self.detail}"


def check(
    events: tuple[type[DomainEvent], ...] = PUBLIC_EVENTS,
    schema_dir: Path = SCHEMA_DIR,
    asyncapi_file: Path = ASYNCAPI_FILE,
) -> list[Finding]:
    """Everything that keeps the committed contract files from matching the code."""
    entries = catalogue(events, schema_dir)
    files = generated_files(entries, schema_dir, asyncapi_file)
    findings: list[Finding] = []
    broken: set[Path] = set()
    for e in entries:
        subject = f"{e.event_type} v{e.version}"
        path = schema_dir / schema_file(e.event_type, e.version)
        if e.current:
            if e.sample is None:
                findings.append(
                    Finding("no-sample", subject, "add a sample to contracts/samples.py")
                )
            if path.exists():
                problems = breaking_changes(_read_json(path), e.schema)
                if problems:
                    broken.add(path)
                for problem in problems:
                    findings.append(
                        Finding(
                            "breaking",
                            subject,
                            f"{problem} -- a published version cannot change like this: raise "
                            f"schema_version to {e.version + 1} and add an upcaster from "
                            f"v{e.version} in contracts/upcasters.py (only if v{e.version} "
                            "was never released: delete its files)",
                        )
                    )
        else:
            if e.sample is None:
                findings.append(
                    Finding(
                        "missing",
                        subject,
                        f"frozen sample {sample_file(e.event_type, e.version)} is gone",
                    )
                )
            if (e.event_type, e.version) not in UPCASTERS:
                findings.append(
                    Finding(
                        "no-upcaster",
                        subject,
                        f"add an upcaster from v{e.version} in contracts/upcasters.py",
                    )
                )
    for path, text in sorted(files.items()):
        shown = _shown(path)
        if not path.exists():
            findings.append(Finding("missing", shown, f"run: {REGENERATE}"))
        elif path not in broken and path.read_text() != text:
            findings.append(Finding("stale", shown, f"differs from the code; run: {REGENERATE}"))
    known = {(e.event_type, e.version) for e in entries}
    for path in sorted(schema_dir.glob("*/v*.*.json")):
        version = path.name.split(".", 1)[0].removeprefix("v")
        if not version.isdigit() or (path.parent.name, int(version)) not in known:
            findings.append(
                Finding(
                    "orphan",
                    _shown(path),
                    "no such event type or version in contracts.registry; restore the model "
                    "or delete the file",
                )
            )
    return findings


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(REPO_ROOT))
    except ValueError:
        return str(path)


def write(
    events: tuple[type[DomainEvent], ...] = PUBLIC_EVENTS,
    schema_dir: Path = SCHEMA_DIR,
    asyncapi_file: Path = ASYNCAPI_FILE,
) -> list[Finding]:
    """Regenerate the files; refuses (and returns the findings) on breaking changes, missing
    samples and missing upcasters, and never touches a frozen older version."""
    blocking = [
        f
        for f in check(events, schema_dir, asyncapi_file)
        if f.kind in ("breaking", "no-sample", "no-upcaster")
    ]
    if blocking:
        return blocking
    files = generated_files(catalogue(events, schema_dir), schema_dir, asyncapi_file)
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
    return []


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m contracts.schemas", description=__doc__)
    parser.add_argument("--write", action="store_true", help="regenerate the files")
    args = parser.parse_args(argv)
    findings = write() if args.write else check()
    for finding in findings:
        sys.stderr.write(f"{finding}\n")
    if findings:
        return 1
    entries = catalogue()
    sys.stdout.write(
        f"{len(entries)} schemas of {len({e.event_type for e in entries})} event types "
        f"{'written' if args.write else 'current'} in {_shown(SCHEMA_DIR)}; "
        f"{_shown(ASYNCAPI_FILE)} {'written' if args.write else 'current'}\n"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

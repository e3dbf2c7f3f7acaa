"""Kafka wire format: CloudEvents binary mode. The value is the JSON payload; the envelope
travels in ``ce_*`` headers so that any Kafka client can read it."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from eventkit.envelope import Envelope

Headers = list[tuple[str, bytes]]

SOURCE_PREFIX = "urn:creditmgmt:"


class UndecodableMessage(ValueError):
    """A record that is not one of our events (missing headers, bad JSON)."""


def header_pairs(env: Envelope) -> list[tuple[str, str]]:
    pairs = [
        ("ce_specversion", "1.0"),
        ("ce_id", str(env.event_id)),
        ("ce_type", env.type),
        ("ce_source", SOURCE_PREFIX + env.producer),
        ("ce_subject", env.aggregate_id),
        ("ce_time", env.occurred_at.isoformat().replace("+00:00", "Z")),
        ("content-type", "application/json"),
        ("ce_tenant", env.tenant_id),
        ("ce_schemaversion", str(env.schema_version)),
        ("ce_correlationid", env.correlation_id),
        ("ce_aggregatetype", env.aggregate_type),
        ("ce_aggregateversion", str(env.aggregate_version)),
        ("ce_partitionkey", env.partition_key),
    ]
    if env.causation_id:
        pairs.append(("ce_causationid", env.causation_id))
    return pairs


def encode_value(env: Envelope) -> str:
    return json.dumps(env.payload, separators=(",", ":"), sort_keys=True)


def to_kafka_headers(pairs: Sequence[Sequence[str]]) -> Headers:
    return [(str(k), str(v).encode()) for k, v in pairs]


def decode(headers: Sequence[tuple[str, bytes]] | None, value: bytes | None) -> Envelope:
    h: dict[str, str] = {}
    for key, raw in headers or ():
        try:
            h[key] = raw.decode() if raw is not None else ""
        except UnicodeDecodeError as exc:
            raise UndecodableMessage(f"header {key} is not UTF-8") from exc
    try:
        payload: Any = json.loads(value or b"null")
        if not isinstance(payload, dict):
            raise UndecodableMessage("value is not a JSON object")
        source = h["ce_source"]
        return Envelope(
            event_id=UUID(h["ce_id"]),
            type=h["ce_type"],
            schema_version=int(h["ce_schemaversion"]),
            tenant_id=h["ce_tenant"],
            aggregate_type=h["ce_aggregatetype"],
            aggregate_id=h["ce_subject"],
            aggregate_version=int(h["ce_aggregateversion"]),
            occurred_at=datetime.fromisoformat(h["ce_time"].replace("Z", "+00:00")),
            correlation_id=h["ce_correlationid"],
            causation_id=h.get("ce_causationid"),
            producer=source.removeprefix(SOURCE_PREFIX),
            payload=payload,
            partition_key=h.get("ce_partitionkey", ""),
        )
    except UndecodableMessage:
        raise
    except (KeyError, ValueError) as exc:
        raise UndecodableMessage(f"not a valid event record: {exc!r}") from exc

"""The AsyncAPI 3.0 document of every topic and event, generated from the contracts.

It is written with the other contract files by ``uv run python -m contracts.schemas --write``
(``python -m contracts.asyncapi`` prints it). One message per event type and schema version,
its payload the published JSON Schema with pydantic's ``$defs`` hoisted into
``components/schemas`` (references rewritten), the CloudEvents Kafka headers and the record key
as a message trait, the golden sample as the message's example, and one channel per topic with
its Kafka binding (partitions, retention). The official parser (``@asyncapi/parser``) loads it
without errors; a test checks that.
"""

from __future__ import annotations

import copy
import json
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from contracts import topics
from contracts.registry import PRODUCERS
from eventkit.topics import TopicSpec

if TYPE_CHECKING:
    from contracts.schemas import Entry

Schema = dict[str, Any]

KAFKA_BINDING_VERSION = "0.5.0"
HEADERS_COMPONENT = "CloudEventsKafkaHeaders"
KEY_COMPONENT = "PartitionKey"
TRAIT = "cloudEventsKafka"

TOPIC_DESCRIPTIONS = {
    topics.INVOICING_DEBTOR: "Debtor master data as the ERP registers and changes it.",
    topics.INVOICING_INVOICE: "Invoices and credit notes, their allocations, overdue and "
    "settlement: the receivables ledger per invoice.",
    topics.INVOICING_PAYMENT: "Money received (bank statements, manual entries, agencies), "
    "unmatched money and reversals.",
    topics.DUNNING_CASE: "Collection cases: reminders due, disputes, promises, payment plans, "
    "pauses, notes, hand-over to a collection agency and the agency's reports.",
    topics.CREDIT_ACCOUNT: "Credit limits, holds, risk classes, payment behaviour and reviews.",
    topics.NOTIFICATION_MESSAGE: "Reminders and letters sent, delivered or failed.",
    topics.SYSTEM_CLOCK: "Simulated time (demos and end-to-end tests only), moved by devstack or "
    "by any service's POST /v1/admin/clock:advance.",
}


def _local_refs(node: Any, rename: dict[str, str]) -> Any:
    """Rewrite ``#/$defs/<name>`` to ``#/components/schemas/<rename[name]>``."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value.startswith("#/$defs/"):
                out[key] = f"#/components/schemas/{rename[value.removeprefix('#/$defs/')]}"
            else:
                out[key] = _local_refs(value, rename)
        return out
    if isinstance(node, list):
        return [_local_refs(v, rename) for v in node]
    return node


def _component(schema: Schema) -> Schema:
    """A JSON Schema as an AsyncAPI schema object (no dialect or id of its own)."""
    return {k: v for k, v in schema.items() if k not in ("$schema", "$id", "$defs")}


def hoist(entries: Sequence[Entry]) -> tuple[dict[str, Schema], dict[tuple[str, int], str]]:
    """All payload schemas and their ``$defs`` as component schemas.

    A nested model is named ``<context>.<Model>`` and shared by every payload whose definition
    of it is the same; a payload whose definition differs (an older version of the event) gets
    its own ``<event type>.v<N>.<Model>`` names. Returns the components and, per (event type,
    version), the name of its payload component.
    """
    components: dict[str, Schema] = {}
    payloads: dict[tuple[str, int], str] = {}
    for entry in entries:
        schema = copy.deepcopy(entry.schema)
        defs: dict[str, Schema] = schema.get("$defs", {})
        context = entry.event_type.split(".", 1)[0]
        shared = {name: f"{context}.{name}" for name in defs}
        hoisted = {shared[n]: _component(_local_refs(d, shared)) for n, d in defs.items()}
        if any(components.get(name, body) != body for name, body in hoisted.items()):
            own = {name: f"{entry.event_type}.v{entry.version}.{name}" for name in defs}
            hoisted = {own[n]: _component(_local_refs(d, own)) for n, d in defs.items()}
            shared = own
        components.update(hoisted)
        payload_name = f"{entry.event_type}.v{entry.version}"
        components[payload_name] = _component(_local_refs(schema, shared))
        payloads[(entry.event_type, entry.version)] = payload_name
    return components, payloads


def _message(entry: Entry, payload_component: str) -> Schema:
    schema = entry.schema
    message: Schema = {
        "name": entry.event_type,
        "title": f"{schema.get('title', entry.event_type)} v{entry.version}",
        "summary": schema.get("description", "").split(". ")[0].rstrip("."),
        "description": schema.get("description", ""),
        "contentType": "application/json",
        "payload": {"$ref": f"#/components/schemas/{payload_component}"},
        "traits": [{"$ref": f"#/components/messageTraits/{TRAIT}"}],
        "tags": [{"name": entry.event_type.split(".", 1)[0]}],
        "x-event-type": entry.event_type,
        "x-schema-version": entry.version,
        "x-current": entry.current,
    }
    if not entry.current:
        message["deprecated"] = True
    if entry.sample is not None:
        message["examples"] = [
            {
                "name": "golden-sample",
                "summary": f"shared/contracts/schemas/{entry.event_type}/v{entry.version}"
                ".sample.json",
                "headers": entry.sample["headers"],
                "payload": entry.sample["value"],
            }
        ]
    return message


def _trait() -> Schema:
    return {
        "summary": "CloudEvents 1.0 in Kafka binary mode",
        "description": "The envelope travels in ce_* headers, the payload is the JSON value, the "
        "record key is <tenant>:<debtor> so one debtor's events stay ordered within a topic. "
        "Delivery is at least once: deduplicate on ce_id. Pick the payload schema by ce_type and "
        "ce_schemaversion.",
        "headers": {"$ref": f"#/components/schemas/{HEADERS_COMPONENT}"},
        "correlationId": {
            "description": "the request or event chain this event belongs to",
            "location": "$message.header#/ce_correlationid",
        },
        "contentType": "application/json",
        "externalDocs": {
            "description": "CloudEvents Kafka protocol binding",
            "url": "https://github.com/cloudevents/spec/blob/v1.0.2/cloudevents/bindings/"
            "kafka-protocol-binding.md",
        },
        "bindings": {
            "kafka": {
                "key": {"$ref": f"#/components/schemas/{KEY_COMPONENT}"},
                "bindingVersion": KAFKA_BINDING_VERSION,
            }
        },
    }


def _channel(spec: TopicSpec, message_ids: list[str]) -> Schema:
    retention = spec.config.get("retention.ms", "-1")
    return {
        "address": spec.name,
        "title": spec.name,
        "description": TOPIC_DESCRIPTIONS.get(spec.name, spec.name),
        "messages": {m: {"$ref": f"#/components/messages/{m}"} for m in message_ids},
        "bindings": {
            "kafka": {
                "topic": spec.name,
                "partitions": spec.partitions,
                "topicConfiguration": {
                    "cleanup.policy": ["delete"],
                    "retention.ms": int(retention),
                },
                "bindingVersion": KAFKA_BINDING_VERSION,
            }
        },
    }


def document(entries: Sequence[Entry], headers: Schema) -> dict[str, Any]:
    components, payloads = hoist(entries)
    components[HEADERS_COMPONENT] = _component(headers)
    components[KEY_COMPONENT] = {
        "type": "string",
        "description": "partition key <tenant>:<debtor> (system.clock.events: system); one "
        "debtor's events are ordered within a topic, there is no order across topics",
        "examples": ["acme:D-1001"],
    }
    messages: dict[str, Schema] = {}
    by_topic: dict[str, list[str]] = {}
    for entry in entries:
        message_id = f"{entry.event_type}.v{entry.version}"
        messages[message_id] = _message(entry, payloads[(entry.event_type, entry.version)])
        by_topic.setdefault(entry.topic, []).append(message_id)
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    for spec in topics.EVENT_TOPICS:
        channel_id = spec.name.replace(".", "_")
        ids = sorted(by_topic.get(spec.name, []))
        channels[channel_id] = _channel(spec, ids)
        producer = PRODUCERS[spec.name.split(".", 1)[0]]
        operations[f"{channel_id}_publish"] = {
            "action": "send",
            "title": f"{producer} publishes on {spec.name}",
            "summary": f"{producer} publishes through its transactional outbox "
            f"({len(ids)} message types)",
            "channel": {"$ref": f"#/channels/{channel_id}"},
            "messages": [{"$ref": f"#/channels/{channel_id}/messages/{m}"} for m in ids],
        }
    return {
        "asyncapi": "3.0.0",
        "id": "urn:creditmgmt:events",
        "info": {
            "title": "Credit management events",
            "version": "1.0.0",
            "description": "Kafka topics and events of the credit-management backend. "
            "Binary-mode CloudEvents: the envelope in ce_* headers, the payload as JSON value; "
            "partition key tenant:debtor. One message per event type and schema version; "
            "JSON Schemas and golden samples of each are in shared/contracts/schemas. "
            "Consumers must ignore payload fields they do not know (optional fields are added "
            "within a schema version) and deduplicate on ce_id (at-least-once delivery).",
        },
        "servers": {
            "production": {
                "host": "kafka:9092",
                "protocol": "kafka",
                "protocolVersion": "3.9",
                "description": "Apache Kafka (KRaft) of docker-compose.yml, inside its network",
            },
            "local": {
                "host": "127.0.0.1:{port}",
                "protocol": "kafka",
                "description": "the embedded broker of `make run` (its address is printed at "
                "start and kept in .data/stack.json)",
                "variables": {
                    "port": {"description": "the broker port `make run` printed at start"}
                },
            },
        },
        "defaultContentType": "application/json",
        "channels": channels,
        "operations": operations,
        "components": {
            "schemas": components,
            "messages": messages,
            "messageTraits": {TRAIT: _trait()},
        },
    }


def render(entries: Sequence[Entry], headers: Schema) -> str:
    return json.dumps(document(entries, headers), indent=2, sort_keys=True) + "\n"


def main() -> int:
    from contracts.schemas import catalogue, headers_schema

    sys.stdout.write(render(catalogue(), headers_schema()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

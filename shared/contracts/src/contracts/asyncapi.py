"""The AsyncAPI 3.0 document of every topic and event, generated from the contracts.

``python -m contracts.asyncapi > deploy/asyncapi.json``; a test keeps the committed file current.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from contracts import credit, dunning, invoicing, notification, topics
from eventkit.events import DomainEvent
from eventkit.timekeeping import ClockAdvanced

DEBTOR_EVENTS = (invoicing.DebtorRegistered, invoicing.DebtorUpdated)
PAYMENT_EVENTS = (
    invoicing.PaymentReceived,
    invoicing.PaymentUnmatched,
    invoicing.PaymentReversed,
    invoicing.ReversalUnmatched,
    invoicing.ReversalResolved,
)


def _events_of(module: Any) -> list[type[DomainEvent]]:
    return [
        obj
        for obj in vars(module).values()
        if isinstance(obj, type)
        and issubclass(obj, DomainEvent)
        and obj is not DomainEvent
        and obj.__module__ == module.__name__
    ]


def topic_events() -> dict[str, list[type[DomainEvent]]]:
    """Which events travel on which topic."""
    invoice_events = [
        e for e in _events_of(invoicing) if e not in DEBTOR_EVENTS and e not in PAYMENT_EVENTS
    ]
    return {
        topics.INVOICING_DEBTOR: list(DEBTOR_EVENTS),
        topics.INVOICING_INVOICE: invoice_events,
        topics.INVOICING_PAYMENT: list(PAYMENT_EVENTS),
        topics.DUNNING_CASE: _events_of(dunning),
        topics.CREDIT_ACCOUNT: _events_of(credit),
        topics.NOTIFICATION_MESSAGE: _events_of(notification),
        topics.SYSTEM_CLOCK: [ClockAdvanced],
    }


HEADERS = {
    "type": "object",
    "properties": {
        name: {"type": "string", "description": text}
        for name, text in {
            "ce_specversion": "CloudEvents version, 1.0",
            "ce_id": "event id (UUIDv7)",
            "ce_type": "stable event type name",
            "ce_source": "urn:creditmgmt:<producing service>",
            "ce_subject": "aggregate id",
            "ce_time": "when it happened (business time, RFC 3339)",
            "content-type": "application/json",
            "ce_tenant": "tenant id",
            "ce_schemaversion": "integer schema version of the payload",
            "ce_correlationid": "correlation id",
            "ce_causationid": "id of the event or request that caused it",
            "ce_aggregatetype": "aggregate type",
            "ce_aggregateversion": "version of the aggregate after this event",
            "ce_partitionkey": "tenant:debtor",
        }.items()
    },
}


def document() -> dict[str, Any]:
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for topic, events in topic_events().items():
        channel_id = topic.replace(".", "_")
        refs = {}
        for event in sorted(events, key=lambda e: e.event_type):
            message_id = event.event_type.replace(".", "_")
            messages[message_id] = {
                "name": event.event_type,
                "title": event.__name__,
                "summary": (event.__doc__ or "").strip().split("\n\n")[0] or event.__name__,
                "contentType": "application/json",
                "headers": HEADERS,
                "payload": event.model_json_schema(mode="serialization"),
                "x-schema-version": event.schema_version,
            }
            refs[message_id] = {"$ref": f"#/components/messages/{message_id}"}
        channels[channel_id] = {"address": topic, "messages": refs}
        operations[f"publish_{channel_id}"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{channel_id}"},
        }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Credit management events",
            "version": "1.0.0",
            "description": "Kafka topics and events of the credit-management backend. "
            "Binary-mode CloudEvents: the envelope in ce_* headers, the payload as JSON value; "
            "partition key tenant:debtor.",
        },
        "defaultContentType": "application/json",
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages},
    }


def render() -> str:
    return json.dumps(document(), indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    sys.stdout.write(render())

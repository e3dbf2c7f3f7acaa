"""The published language: stable, unique, context-prefixed event names."""

from __future__ import annotations

from contracts.registry import PUBLIC_EVENTS, build_registry, topic_events

CONTEXTS = {
    "contracts.invoicing": "invoicing.",
    "contracts.dunning": "dunning.",
    "contracts.credit": "credit.",
    "contracts.notification": "notification.",
    "eventkit.timekeeping": "system.",
}


def test_every_event_has_a_unique_name_in_its_context() -> None:
    names = [cls.event_type for cls in PUBLIC_EVENTS]
    assert len(names) == len(set(names))
    for cls in PUBLIC_EVENTS:
        assert cls.event_type.startswith(CONTEXTS[cls.__module__]), cls
        assert cls.event_type.split(".", 1)[1] == cls.__name__
        assert cls.schema_version >= 1


def test_registry_knows_every_public_event() -> None:
    registry = build_registry()
    assert registry.names() == sorted(cls.event_type for cls in PUBLIC_EVENTS)


def test_every_public_event_travels_on_exactly_one_topic() -> None:
    on_topics = [e.event_type for events in topic_events().values() for e in events]

    assert sorted(on_topics) == sorted(cls.event_type for cls in PUBLIC_EVENTS)

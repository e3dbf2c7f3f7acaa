"""The published language: stable, unique, context-prefixed event names."""

from __future__ import annotations

from contracts.registry import PUBLIC_EVENTS, build_registry

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


def test_asyncapi_document_is_current_and_covers_every_event() -> None:
    from pathlib import Path

    from contracts.asyncapi import render, topic_events

    on_topics = {e.event_type for events in topic_events().values() for e in events}
    assert on_topics == {cls.event_type for cls in PUBLIC_EVENTS}
    committed = Path(__file__).parents[3] / "deploy" / "asyncapi.json"
    assert committed.read_text() == render(), "run: uv run python -m contracts.asyncapi"

"""Domain events, the type registry and the upcaster chain.

Every event has a stable wire name (``invoicing.InvoiceIssued``) and an integer
``schema_version``. Older payloads are brought to the current version by explicit
upcasters, one per version step; a Python import path never appears on the wire.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict

Payload = dict[str, Any]
Upcaster = Callable[[Payload], Payload]


class DomainEvent(BaseModel):
    """Base class of every event. Subclasses set ``event_type`` and ``schema_version``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_type: ClassVar[str]
    schema_version: ClassVar[int] = 1

    def to_payload(self) -> Payload:
        return self.model_dump(mode="json")


E = TypeVar("E", bound=type[DomainEvent])


class UnknownEventType(LookupError):
    pass


class EventRegistry:
    def __init__(self) -> None:
        self._types: dict[str, type[DomainEvent]] = {}
        self._upcasters: dict[tuple[str, int], Upcaster] = {}

    def register(self, cls: E) -> E:
        name = cls.event_type
        existing = self._types.get(name)
        if existing is not None and existing is not cls:
            raise ValueError(f"event type {name!r} registered twice")
        self._types[name] = cls
        return cls

    def upcaster(self, event_type: str, from_version: int) -> Callable[[Upcaster], Upcaster]:
        """Register a function turning a ``from_version`` payload into ``from_version + 1``."""

        def decorate(fn: Upcaster) -> Upcaster:
            self._upcasters[(event_type, from_version)] = fn
            return fn

        return decorate

    def knows(self, event_type: str) -> bool:
        return event_type in self._types

    def type_of(self, event_type: str) -> type[DomainEvent]:
        try:
            return self._types[event_type]
        except KeyError as exc:
            raise UnknownEventType(event_type) from exc

    def upcast(self, event_type: str, version: int, payload: Payload) -> Payload:
        cls = self.type_of(event_type)
        if version > cls.schema_version:
            raise ValueError(
                f"{event_type} v{version} is newer than this build understands "
                f"(v{cls.schema_version})"
            )
        while version < cls.schema_version:
            step = self._upcasters.get((event_type, version))
            if step is None:
                raise ValueError(f"no upcaster for {event_type} v{version}")
            payload = step(payload)
            version += 1
        return payload

    def decode(self, event_type: str, version: int, payload: Payload) -> DomainEvent:
        return self.type_of(event_type).model_validate(self.upcast(event_type, version, payload))

    def names(self) -> list[str]:
        return sorted(self._types)

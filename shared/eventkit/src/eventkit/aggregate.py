"""Aggregate base: records events, applies them in order, never publishes."""

from __future__ import annotations

from typing import ClassVar

from eventkit.events import DomainEvent


class OutOfSequence(Exception):
    pass


class Aggregate:
    """Subclasses implement ``apply`` (a match on the event type) and command methods that
    call ``record``. ``version`` is the number of events applied, stored or pending."""

    aggregate_type: ClassVar[str]

    def __init__(self, tenant_id: str, aggregate_id: str) -> None:
        self.tenant_id = tenant_id
        self.aggregate_id = aggregate_id
        self.version = 0
        self.stored_version = 0
        self.pending: list[DomainEvent] = []

    def apply(self, event: DomainEvent) -> None:
        raise NotImplementedError

    def record(self, event: DomainEvent) -> None:
        self.apply(event)
        self.version += 1
        self.pending.append(event)

    def replay(self, event: DomainEvent, version: int) -> None:
        if version != self.version + 1:
            raise OutOfSequence(
                f"{self.aggregate_type} {self.aggregate_id}: got v{version} after v{self.version}"
            )
        self.apply(event)
        self.version = version
        self.stored_version = version

    @property
    def exists(self) -> bool:
        return self.version > 0

"""Upcasters of the published events: one function per version step of an event type.

When a contract model changes in a way the compatibility check calls breaking (a field removed,
renamed, retyped, made required, an enum value added or dropped), raise its ``schema_version``
and add here the function that turns a payload of the previous version into the new one, e.g.::

    @upcaster("invoicing.InvoiceIssued", from_version=1)
    def _invoice_issued_v1(payload: Payload) -> Payload:
        return {**payload, "reference_scheme": "unknown"}

Every service decodes older payloads (stored events, topic history) through these; the frozen
schema and sample of the old version stay committed (``shared/contracts/schemas``) and the
contract tests upcast that sample and validate it with the current model.
"""

from __future__ import annotations

from collections.abc import Callable

from eventkit.events import EventRegistry, Payload, Upcaster

UPCASTERS: dict[tuple[str, int], Upcaster] = {}


def upcaster(event_type: str, *, from_version: int) -> Callable[[Upcaster], Upcaster]:
    def register(fn: Upcaster) -> Upcaster:
        key = (event_type, from_version)
        if key in UPCASTERS:
            raise ValueError(f"two upcasters for {event_type} v{from_version}")
        UPCASTERS[key] = fn
        return fn

    return register


def register_upcasters(registry: EventRegistry) -> None:
    for (event_type, from_version), fn in UPCASTERS.items():
        registry.upcaster(event_type, from_version)(fn)


__all__ = ["UPCASTERS", "Payload", "register_upcasters", "upcaster"]

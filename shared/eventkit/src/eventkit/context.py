"""Correlation and causation ids carried through HTTP requests and consumed events."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass

correlation_id_var: ContextVar[str | None] = ContextVar("correlation_id", default=None)
causation_id_var: ContextVar[str | None] = ContextVar("causation_id", default=None)
tenant_id_var: ContextVar[str | None] = ContextVar("tenant_id", default=None)


@dataclass(frozen=True, slots=True)
class TraceContext:
    correlation_id: str
    causation_id: str | None


def current_trace(default_correlation: str) -> TraceContext:
    return TraceContext(
        correlation_id=correlation_id_var.get() or default_correlation,
        causation_id=causation_id_var.get(),
    )

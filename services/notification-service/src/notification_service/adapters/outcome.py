"""What became of one exchange with the outside world."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

OutcomeKind = Literal[
    "accepted",  # the other side took it (2xx, SMTP 250): proof recorded
    "rejected",  # the other side refused it for good (SMTP 5xx, HTTP 4xx)
    "not_sent",  # it certainly did not leave (no connection, refused before DATA, 4xx, 429)
    "unknown",  # it may or may not have arrived (connection lost or timed out mid-exchange)
]


@dataclass(frozen=True, slots=True)
class Outcome:
    kind: OutcomeKind
    detail: str
    status_code: int | None = None
    proof: dict[str, Any] = field(default_factory=dict)

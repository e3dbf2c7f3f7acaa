"""The dossier: every event the service saw about a debtor, as one entry each."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from eventkit.envelope import Envelope
from eventkit.events import EventRegistry, UnknownEventType
from notification_service.domain.summaries import describe, generic_summary

log = logging.getLogger(__name__)

SUMMARY_MAX = 500


@dataclass(frozen=True, slots=True)
class DossierEntry:
    tenant_id: str
    debtor_ref: str
    event_id: str
    event_type: str
    occurred_at: datetime
    aggregate_type: str
    aggregate_id: str
    summary: str
    payload: dict[str, Any]
    correlation_id: str
    causation_id: str | None


def debtor_ref_of(payload: Mapping[str, Any], partition_key: str) -> str | None:
    """The payload's ``debtor_ref`` when it names one, otherwise the debtor part of the
    ``tenant:debtor`` partition key; None when neither identifies a debtor."""
    named = payload.get("debtor_ref")
    if isinstance(named, str) and named:
        return named
    _tenant, colon, debtor = partition_key.partition(":")
    return debtor if colon and debtor else None


def summarise(env: Envelope, registry: EventRegistry) -> str:
    summary = _summary(env, registry)
    return summary if len(summary) <= SUMMARY_MAX else summary[: SUMMARY_MAX - 1] + "…"


def _summary(env: Envelope, registry: EventRegistry) -> str:
    generic = generic_summary(env.type, env.aggregate_type, env.aggregate_id)
    try:
        event = env.decode(registry)
    except UnknownEventType:
        return generic
    except ValueError:
        # A known type we cannot read (newer schema, producer bug): the dossier still records
        # that it happened rather than losing the entry.
        log.warning("cannot decode %s v%d %s", env.type, env.schema_version, env.event_id)
        return generic
    return describe(event) or generic


def entry_for(env: Envelope, registry: EventRegistry) -> DossierEntry | None:
    """The dossier entry of an event; None for events that concern no debtor."""
    debtor_ref = debtor_ref_of(env.payload, env.partition_key)
    if debtor_ref is None:
        return None
    return DossierEntry(
        tenant_id=env.tenant_id,
        debtor_ref=debtor_ref,
        event_id=str(env.event_id),
        event_type=env.type,
        occurred_at=env.occurred_at,
        aggregate_type=env.aggregate_type,
        aggregate_id=env.aggregate_id,
        summary=summarise(env, registry),
        payload=dict(env.payload),
        correlation_id=env.correlation_id,
        causation_id=env.causation_id,
    )

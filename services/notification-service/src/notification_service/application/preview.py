"""Rendering a template against a real case: the debtor's latest event that calls for it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from eventkit.api import FieldProblem, Problem
from eventkit.envelope import Envelope
from eventkit.events import EventRegistry, UnknownEventType
from notification_service.application.compose import Composed, compose
from notification_service.application.messaging import Messaging
from notification_service.application.planning import intent_for
from notification_service.application.store import template_in_force
from notification_service.domain.legal import LetterFacts, violations
from notification_service.domain.rendering import TemplateProblem, TemplateSource
from notification_service.projections.tables import dossier_entries as d

CAUSES: dict[str, tuple[str, ...]] = {
    "promise_confirmation": ("dunning.PromiseToPayMade",),
    "payment_plan_confirmation": ("dunning.PaymentPlanAgreed",),
    "handover_notice": ("dunning.DebtorEscalatedToCollection", "dunning.ReminderDue"),
}
DEFAULT_CAUSE = ("dunning.ReminderDue",)


@dataclass(frozen=True, slots=True)
class Preview:
    composed: Composed
    source: TemplateSource
    env: Envelope
    legal_problems: list[str]


def _envelope(row: Any) -> Envelope:
    return Envelope(
        event_id=uuid.UUID(row.event_id),
        type=row.event_type,
        schema_version=1,
        tenant_id=row.tenant_id,
        aggregate_type=row.aggregate_type,
        aggregate_id=row.aggregate_id,
        aggregate_version=0,
        occurred_at=row.occurred_at,
        correlation_id=row.correlation_id,
        causation_id=row.causation_id,
        producer="dossier",
        payload=dict(row.payload),
        partition_key=f"{row.tenant_id}:{row.debtor_ref}",
    )


async def preview(
    m: Messaging,
    session: AsyncSession,
    registry: EventRegistry,
    *,
    tenant_id: str,
    key: str,
    language: str,
    debtor_ref: str,
    event_id: str | None,
    draft: TemplateSource | None,
) -> Preview:
    types = CAUSES.get(key, DEFAULT_CAUSE)
    query = select(d).where(
        d.c.tenant_id == tenant_id, d.c.debtor_ref == debtor_ref, d.c.event_type.in_(types)
    )
    if event_id is not None:
        query = query.where(d.c.event_id == event_id)
    row = (
        await session.execute(query.order_by(d.c.occurred_at.desc(), d.c.event_id.desc()).limit(1))
    ).first()
    if row is None:
        raise Problem(
            404,
            "Not found",
            f"debtor {debtor_ref!r} has no {' or '.join(types)} to preview {key} against",
            kind="not-found",
        )
    env = _envelope(row)
    try:
        event = env.decode(registry)
    except (UnknownEventType, ValueError) as exc:
        raise Problem(422, "Invalid request", f"the case event cannot be read: {exc}") from exc
    intent = await intent_for(m, session, env, event, language=language, preview=True)
    if intent is None:
        raise Problem(422, "Invalid request", f"{env.type} does not call for a {key}")
    source = draft or await template_in_force(session, m.defaults, tenant_id, key, language)
    if source is None:
        raise Problem(404, "Not found", f"no template {key} in {language}", kind="not-found")
    try:
        composed = compose(
            m.renderer,
            source,
            intent.context,
            creditor=intent.creditor,
            recipient=[intent.contact.name, *intent.contact.address],
            business_date=intent.business_date,
            reference=intent.cause_key,
            created=m.clock.now(),
        )
    except TemplateProblem as problem:
        raise Problem(
            422,
            "Invalid template",
            f"the template cannot be rendered for this case: {problem.describe()}",
            kind="validation",
            errors=[FieldProblem(f"template.{problem.field}", problem.describe())],
        ) from problem
    problems = violations(
        LetterFacts(
            pack=intent.pack,
            template_key=key,
            channel=intent.requested_channel,
            business_date=intent.business_date,
            deadline=intent.deadline,
            fees=intent.fees,
            creditor_name=intent.creditor.name,
            creditor_enterprise_number=intent.creditor.enterprise_number,
        )
    )
    return Preview(composed=composed, source=source, env=env, legal_problems=problems)

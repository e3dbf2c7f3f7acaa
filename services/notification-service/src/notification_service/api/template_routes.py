"""Templates per tenant, key and language: read, override, reset and preview."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request, Response
from sqlalchemy import delete, select

from eventkit.api import OpsPrincipal, Problem, ReaderPrincipal, not_found
from eventkit.runtime import Runtime
from notification_service.api.schemas import (
    PreviewIn,
    PreviewView,
    TemplateCatalog,
    TemplateIn,
    TemplateView,
)
from notification_service.application.components import messaging_for
from notification_service.application.preview import preview
from notification_service.application.store import template_in_force, tenant_template
from notification_service.application.templates import check_template
from notification_service.db_support import upsert
from notification_service.domain.catalog import LANGUAGES, TEMPLATE_KEYS
from notification_service.domain.rendering import FILTERS, TemplateSource
from notification_service.projections.tables import message_templates as t

router = APIRouter(prefix="/v1/templates", tags=["templates"])

Key = Annotated[str, Path(description="template key, see GET /v1/templates", max_length=80)]
Language = Annotated[Literal["nl", "fr", "en", "de"], Path()]


def _rt(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def _known(key: str) -> None:
    if key not in TEMPLATE_KEYS:
        raise Problem(
            404,
            "Not found",
            f"template key {key!r} does not exist; known: {', '.join(TEMPLATE_KEYS)}",
            kind="not-found",
        )


def _view(source: TemplateSource) -> dict[str, Any]:
    return {
        "key": source.key,
        "language": source.language,
        "origin": source.origin,
        "subject": source.subject,
        "text": source.text,
        "html": source.html,
        "sms": source.sms,
    }


@router.get("", response_model=TemplateCatalog)
async def list_templates(principal: ReaderPrincipal, request: Request) -> dict[str, Any]:
    """Every template key with, per language, whether the tenant's own or the default applies."""
    async with _rt(request).db.reading() as session:
        own = {
            (r.template_key, r.language)
            for r in await session.execute(
                select(t.c.template_key, t.c.language).where(t.c.tenant_id == principal.tenant)
            )
        }
    return {
        "templates": [
            {
                "key": key,
                "description": description,
                "languages": {
                    lang: "tenant" if (key, lang) in own else "default" for lang in LANGUAGES
                },
            }
            for key, description in TEMPLATE_KEYS.items()
        ],
        "filters": sorted(FILTERS),
    }


@router.get("/{key}/{language}", response_model=TemplateView)
async def get_template(
    key: Key, language: Language, principal: ReaderPrincipal, request: Request
) -> dict[str, Any]:
    _known(key)
    m = messaging_for(_rt(request))
    async with _rt(request).db.reading() as session:
        source = await template_in_force(session, m.defaults, principal.tenant, key, language)
    if source is None or source.language != language:
        raise not_found("template", f"{key}/{language}")
    return _view(source)


@router.put("/{key}/{language}", response_model=TemplateView, responses={422: {}})
async def put_template(
    key: Key, language: Language, body: TemplateIn, principal: OpsPrincipal, request: Request
) -> dict[str, Any]:
    """Replace the tenant's template. Refused with 422 (field and line) when it does not
    compile, fails on a sample case, or leaves out what the law requires for this key."""
    _known(key)
    rt = _rt(request)
    m = messaging_for(rt)
    source = TemplateSource(
        key=key, language=language, subject=body.subject, text=body.text, html=body.html,
        sms=body.sms, origin="tenant",
    )  # fmt: skip
    problems = check_template(m.renderer, source)
    if problems:
        raise Problem(
            422,
            "Invalid template",
            f"{len(problems)} problem(s) in the template",
            kind="validation",
            errors=problems,
        )
    async with rt.db.transaction() as session:
        current = await tenant_template(session, principal.tenant, key, language)
        version = await session.scalar(
            select(t.c.version).where(
                t.c.tenant_id == principal.tenant, t.c.template_key == key, t.c.language == language
            )
        )
        await upsert(
            session,
            t,
            {
                "tenant_id": principal.tenant,
                "template_key": key,
                "language": language,
                "subject": body.subject,
                "text": body.text,
                "html": body.html,
                "sms": body.sms,
                "version": int(version or 0) + 1,
                "updated_at": rt.clock.now(),
                "updated_by": principal.key_name or principal.tenant,
            },
            key=["tenant_id", "template_key", "language"],
        )
    _ = current
    return _view(source)


@router.delete("/{key}/{language}", status_code=204, response_class=Response)
async def delete_template(
    key: Key, language: Language, principal: OpsPrincipal, request: Request
) -> Response:
    """Back to the shipped default."""
    _known(key)
    async with _rt(request).db.transaction() as session:
        result = await session.execute(
            delete(t).where(
                t.c.tenant_id == principal.tenant, t.c.template_key == key, t.c.language == language
            )
        )
    if not getattr(result, "rowcount", 0):
        raise not_found("tenant template", f"{key}/{language}")
    return Response(status_code=204)


@router.post(
    "/{key}/{language}/preview",
    response_model=PreviewView,
    responses={200: {"content": {"application/pdf": {}}}, 404: {}, 422: {}},
)
async def preview_template(
    key: Key,
    language: Language,
    body: PreviewIn,
    principal: ReaderPrincipal,
    request: Request,
    format: Annotated[Literal["json", "pdf"], Query()] = "json",
) -> Any:
    """Render the template in force (or a draft) against the debtor's latest real case."""
    _known(key)
    rt = _rt(request)
    m = messaging_for(rt)
    draft = None
    if body.template is not None:
        draft = TemplateSource(
            key=key, language=language, subject=body.template.subject, text=body.template.text,
            html=body.template.html, sms=body.template.sms, origin="tenant",
        )  # fmt: skip
        syntax = m.renderer.check_syntax(draft)
        if syntax:
            from eventkit.api import FieldProblem

            raise Problem(
                422,
                "Invalid template",
                f"{len(syntax)} problem(s) in the template",
                kind="validation",
                errors=[FieldProblem(f"template.{p.field}", p.describe()) for p in syntax],
            )
    async with rt.db.reading() as session:
        result = await preview(
            m, session, rt.registry, tenant_id=principal.tenant, key=key, language=language,
            debtor_ref=body.debtor_ref, event_id=body.event_id, draft=draft,
        )  # fmt: skip
    composed = result.composed
    if format == "pdf":
        return Response(composed.pdf, media_type="application/pdf")
    return {
        "key": key,
        "language": result.source.language,
        "origin": result.source.origin,
        "source_event_id": str(result.env.event_id),
        "source_event_type": result.env.type,
        "subject": composed.rendered.subject,
        "text": composed.rendered.text,
        "html": composed.rendered.html,
        "sms": composed.rendered.sms,
        "pdf_sha256": composed.pdf_sha256,
        "legal_problems": result.legal_problems,
    }

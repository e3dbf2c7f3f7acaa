"""HTTP building blocks shared by the services: problem details (RFC 9457), API-key auth
with tenant scoping, correlation ids, health and readiness."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from eventkit.context import correlation_id_var, tenant_id_var
from eventkit.ids import uuid7
from eventkit.settings import ApiKeyEntry, hash_api_key

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
PROBLEM_BASE = "https://creditmgmt.dev/problems/"


@dataclass(frozen=True, slots=True)
class FieldProblem:
    field: str
    reason: str
    location: str = "body"

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "reason": self.reason, "in": self.location}


class Problem(Exception):
    """Raise to answer with problem details."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str = "",
        *,
        kind: str | None = None,
        errors: Sequence[FieldProblem] = (),
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail or title)
        self.status = status
        self.title = title
        self.detail = detail
        self.kind = kind or title.lower().replace(" ", "-")
        self.errors = list(errors)
        self.extra = extra or {}


def not_found(what: str, ref: str) -> Problem:
    return Problem(404, "Not found", f"{what} {ref!r} does not exist", kind="not-found")


def problem_response(
    status: int,
    title: str,
    detail: str,
    *,
    kind: str,
    instance: str,
    errors: Sequence[FieldProblem] = (),
    extra: dict[str, Any] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + kind,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": instance,
    }
    if errors:
        body["errors"] = [e.as_dict() for e in errors]
    if extra:
        body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


def _field_name(loc: Sequence[Any]) -> tuple[str, str]:
    parts = list(loc)
    where = str(parts.pop(0)) if parts and parts[0] in ("body", "query", "path", "header") else ""
    name = ""
    for part in parts:
        if isinstance(part, int):
            name += f"[{part}]"
        else:
            name += ("." if name else "") + str(part)
    return name or "(body)", where or "body"


def install_problem_handlers(app: FastAPI) -> None:
    async def on_problem(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, Problem)  # noqa: S101 - registered for Problem only
        return problem_response(
            exc.status,
            exc.title,
            exc.detail,
            kind=exc.kind,
            instance=request.url.path,
            errors=exc.errors,
            extra=exc.extra,
        )

    async def on_validation(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)  # noqa: S101
        errors = []
        for err in exc.errors():
            name, where = _field_name(err.get("loc", ()))
            errors.append(FieldProblem(name, str(err.get("msg", "invalid")), where))
        return problem_response(
            422,
            "Invalid request",
            f"{len(errors)} field(s) failed validation",
            kind="validation",
            instance=request.url.path,
            errors=errors,
        )

    async def on_http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)  # noqa: S101
        title = {404: "Not found", 405: "Method not allowed", 401: "Unauthorized"}.get(
            exc.status_code, "HTTP error"
        )
        response = problem_response(
            exc.status_code,
            title,
            str(exc.detail),
            kind=title.lower().replace(" ", "-"),
            instance=request.url.path,
        )
        for key, value in (exc.headers or {}).items():
            response.headers[key] = value
        return response

    async def on_unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s", request.url.path, exc_info=exc)
        return problem_response(
            500,
            "Internal error",
            "the request could not be completed; nothing was changed",
            kind="internal",
            instance=request.url.path,
        )

    app.add_exception_handler(Problem, on_problem)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(Exception, on_unexpected)


# --- authentication --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Principal:
    tenant: str
    scopes: frozenset[str]
    key_name: str = ""


class ApiKeyAuthenticator:
    def __init__(self, entries: Sequence[ApiKeyEntry]) -> None:
        self._by_hash = {e.key_hash: e for e in entries}

    def authenticate(self, raw_key: str) -> Principal | None:
        entry = self._by_hash.get(hash_api_key(raw_key))
        if entry is None:
            return None
        return Principal(entry.tenant, frozenset(entry.scopes), entry.name)


def _presented_key(request: Request) -> str | None:
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip() or None
    return request.headers.get("x-api-key") or None


def require_scope(*scopes: str) -> Callable[[Request], Awaitable[Principal]]:
    """Dependency: a valid key of this service holding one of ``scopes`` (admin holds all)."""

    async def dependency(request: Request) -> Principal:
        authenticator: ApiKeyAuthenticator = request.app.state.authenticator
        key = _presented_key(request)
        if key is None:
            raise Problem(
                401,
                "Unauthorized",
                "send an API key as 'Authorization: Bearer <key>' or 'X-API-Key'",
                kind="unauthorized",
                extra={"scopes_required": list(scopes)},
            )
        principal = authenticator.authenticate(key)
        if principal is None:
            raise Problem(401, "Unauthorized", "the API key is not valid", kind="unauthorized")
        if "admin" not in principal.scopes and not principal.scopes.intersection(scopes):
            raise Problem(
                403,
                "Forbidden",
                f"this key lacks the scope this call needs ({' or '.join(scopes)})",
                kind="forbidden",
            )
        tenant_id_var.set(principal.tenant)
        return principal

    return dependency


ErpPrincipal = Annotated[Principal, Depends(require_scope("erp"))]
OpsPrincipal = Annotated[Principal, Depends(require_scope("ops"))]
ReaderPrincipal = Annotated[Principal, Depends(require_scope("erp", "ops", "agency"))]
AdminPrincipal = Annotated[Principal, Depends(require_scope("admin"))]


def install_correlation_middleware(app: FastAPI) -> None:
    @app.middleware("http")
    async def correlation(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        incoming = request.headers.get("x-correlation-id", "")
        correlation_id = incoming if 0 < len(incoming) <= 64 else str(uuid7())
        token = correlation_id_var.set(correlation_id)
        try:
            response = await call_next(request)
        finally:
            correlation_id_var.reset(token)
        response.headers["X-Correlation-ID"] = correlation_id
        return response


async def read_body_limited(request: Request, limit: int) -> bytes:
    """The request body, refused with 413 as soon as it exceeds ``limit`` bytes (the declared
    length is checked first, so an oversized upload is not read into memory)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise Problem(
            413,
            "Payload too large",
            f"the body may be at most {limit} bytes",
            kind="payload-too-large",
        )
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise Problem(
                413,
                "Payload too large",
                f"the body may be at most {limit} bytes",
                kind="payload-too-large",
            )
        chunks.append(chunk)
    return b"".join(chunks)

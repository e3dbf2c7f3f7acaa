"""Rendering templates: sandboxed Jinja2, locale-aware filters, errors with field and line.

Tenant templates are untrusted input. They run in ``ImmutableSandboxedEnvironment`` (no
attribute access to internals, no mutation of the context), with ``StrictUndefined`` (a typo
is an error, not an empty string in a legal letter), a bounded number of calls and of loop
iterations, bounded string/list repetition and a bounded output size. The HTML part is
rendered with autoescape.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Literal

from jinja2 import (
    DictLoader,
    StrictUndefined,
    Template,
    TemplateError,
    TemplateSyntaxError,
    nodes,
    pass_context,
)
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment

from notification_service.domain.locale import LocaleFormat

Field = Literal["subject", "text", "html", "sms"]
FIELDS: tuple[Field, ...] = ("subject", "text", "html", "sms")
MAX_SOURCE_CHARS = 20_000
MAX_OUTPUT_CHARS = 200_000
MAX_CALLS = 20_000
MAX_ITERATIONS = 100_000  # of all loops of one render together
MAX_REPEAT = 100_000
SUBJECT_MAX = 300
SMS_MAX = 640  # four concatenated SMS parts

# [calls left, loop iterations left] of the render under way
_budget: contextvars.ContextVar[list[int] | None] = contextvars.ContextVar(
    "template_budget", default=None
)


@dataclass(frozen=True, slots=True)
class TemplateSource:
    key: str
    language: str
    subject: str
    text: str
    html: str | None = None
    sms: str | None = None
    origin: Literal["default", "tenant"] = "default"

    def field(self, name: Field) -> str | None:
        value: str | None = getattr(self, name)
        return value


@dataclass(frozen=True, slots=True)
class Rendered:
    subject: str
    text: str
    html: str
    sms: str
    language: str
    template_key: str
    origin: str


class TemplateProblem(Exception):
    """A template that cannot be compiled or rendered: which field, which line, why."""

    def __init__(self, field: str, reason: str, line: int | None = None) -> None:
        self.field = field
        self.line = line
        self.reason = reason
        super().__init__(self.describe())

    def describe(self) -> str:
        return f"line {self.line}: {self.reason}" if self.line else self.reason


class _Sandbox(ImmutableSandboxedEnvironment):
    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(right, int) and abs(right) > 64:
            raise SecurityError("exponent too large")
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                sized = isinstance(seq, str | list | tuple) and isinstance(times, int)
                if sized and len(seq) * times > MAX_REPEAT:
                    raise SecurityError("repetition too large")
        return super().call_binop(context, operator, left, right)

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        """Every ``{% for %}`` iterates through ``loop_guard``: nested loops over big ranges
        make no calls, so they are bounded by counting iterations instead."""
        tree = super()._parse(source, name, filename)
        for loop in tree.find_all(nodes.For):
            guarded = nodes.Filter(loop.iter, "loop_guard", [], [], None, None)
            loop.iter = guarded.set_lineno(loop.lineno)
        return tree

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        budget = _budget.get()
        if budget is not None:
            budget[0] -= 1
            if budget[0] < 0:
                raise SecurityError("the template makes too many calls")
        return super().call(__context, __obj, *args, **kwargs)


def _loop_guard(iterable: Any) -> Any:
    budget = _budget.get()
    for item in iterable:
        if budget is not None:
            budget[1] -= 1
            if budget[1] < 0:
                raise SecurityError("the template loops too often")
        yield item


def _fmt(ctx: Context) -> LocaleFormat:
    value = ctx.get("locale_format")
    return value if isinstance(value, LocaleFormat) else LocaleFormat("en")


@pass_context
def _money(ctx: Context, value: Any, currency: str = "EUR") -> str:
    return "" if value is None else _fmt(ctx).money(value, currency)


@pass_context
def _date(ctx: Context, value: Any, style: str = "long") -> str:
    return _fmt(ctx).date(value, style if style in ("short", "medium", "long", "full") else "long")


@pass_context
def _number(ctx: Context, value: Any, places: int | None = None) -> str:
    return "" if value is None else _fmt(ctx).number(value, places)


@pass_context
def _percent(ctx: Context, value: Any) -> str:
    return "" if value is None else _fmt(ctx).percent(value)


FILTERS: dict[str, Callable[..., str]] = {
    "money": _money,
    "date": _date,
    "number": _number,
    "percent": _percent,
}

DEFAULT_HTML = """<!DOCTYPE html>
<html lang="{{ language }}"><head><meta charset="utf-8"><title>{{ subject }}</title></head>
<body style="font-family: Arial, Helvetica, sans-serif; font-size: 14px; line-height: 1.45">
{% for paragraph in paragraphs %}<p>{% for line in paragraph %}{{ line }}{% if not loop.last %}<br>
{% endif %}{% endfor %}</p>
{% endfor %}</body></html>
"""


def _make(autoescape: bool, partials: Mapping[str, str]) -> _Sandbox:
    env = _Sandbox(
        loader=DictLoader(dict(partials)),
        autoescape=autoescape,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    env.filters.update(FILTERS)
    env.filters["loop_guard"] = _loop_guard
    return env


def _line_in(tb: TracebackType | None, filename: str) -> int | None:
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == filename:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def paragraphs(text: str) -> list[list[str]]:
    blocks = [block.strip("\n") for block in text.replace("\r\n", "\n").split("\n\n")]
    return [block.split("\n") for block in blocks if block.strip()]


class Renderer:
    """Compiles (and caches) templates in the sandbox and renders them with a context."""

    def __init__(self, partials: Mapping[str, str] | None = None, cache_size: int = 512) -> None:
        self._text = _make(autoescape=False, partials=partials or {})
        self._html = _make(autoescape=True, partials=partials or {})
        self._cache: dict[tuple[bool, str, str], Template] = {}
        self._cache_size = cache_size
        self._default_html = self._compile("html", DEFAULT_HTML)

    def _compile(self, field: str, source: str) -> Template:
        html = field == "html"
        key = (html, field, source)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        if len(source) > MAX_SOURCE_CHARS:
            raise TemplateProblem(field, f"longer than {MAX_SOURCE_CHARS} characters")
        env = self._html if html else self._text
        filename = f"<{field}>"
        try:
            code = env.compile(source, name=field, filename=filename)
        except TemplateSyntaxError as exc:
            raise TemplateProblem(field, exc.message or "syntax error", exc.lineno) from exc
        template = env.template_class.from_code(env, code, env.make_globals(None))
        if len(self._cache) >= self._cache_size:
            self._cache.pop(next(iter(self._cache)))
        self._cache[key] = template
        return template

    def check_syntax(self, source: TemplateSource) -> list[TemplateProblem]:
        problems: list[TemplateProblem] = []
        for name in FIELDS:
            value = source.field(name)
            if value is None:
                continue
            try:
                self._compile(name, value)
            except TemplateProblem as problem:
                problems.append(problem)
        return problems

    def _run(self, field: str, source: str, context: Mapping[str, Any]) -> str:
        template = self._compile(field, source)
        token = _budget.set([MAX_CALLS, MAX_ITERATIONS])
        try:
            size = 0
            parts: list[str] = []
            for chunk in template.generate(dict(context)):
                size += len(chunk)
                if size > MAX_OUTPUT_CHARS:
                    raise TemplateProblem(field, f"renders more than {MAX_OUTPUT_CHARS} characters")
                parts.append(chunk)
            return "".join(parts)
        except TemplateProblem:
            raise
        except (TemplateError, SecurityError, ArithmeticError, TypeError, ValueError) as exc:
            reason = getattr(exc, "message", None) or str(exc) or type(exc).__name__
            raise TemplateProblem(field, reason, _line_in(exc.__traceback__, f"<{field}>")) from exc
        finally:
            _budget.reset(token)

    def render(self, source: TemplateSource, context: Mapping[str, Any]) -> Rendered:
        subject = " ".join(self._run("subject", source.subject, context).split())
        if len(subject) > SUBJECT_MAX:
            raise TemplateProblem("subject", f"renders longer than {SUBJECT_MAX} characters")
        text = self._run("text", source.text, context).strip() + "\n"
        html_context = {**context, "subject": subject, "text": text, "paragraphs": paragraphs(text)}
        if source.html is not None:
            html = self._run("html", source.html, html_context)
        else:
            html = self._default_html.render(html_context)
        sms = ""
        if source.sms is not None:
            sms = " ".join(self._run("sms", source.sms, context).replace("\u00a0", " ").split())
            if len(sms) > SMS_MAX:
                raise TemplateProblem("sms", f"renders longer than {SMS_MAX} characters")
        return Rendered(
            subject=subject,
            text=text,
            html=html,
            sms=sms,
            language=source.language,
            template_key=source.key,
            origin=source.origin,
        )

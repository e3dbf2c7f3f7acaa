"""The shipped default templates and which template a message uses.

Lookup order for (tenant, key, language): the tenant's own template, then the shipped default
in that language. Every key of the published vocabulary is shipped in every letter language
(a contract test checks it), so a debtor never gets a letter in another language."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources

from contracts.letters import (
    LETTER_LANGUAGES,
    RENDERED_KEYS,
    TEMPLATES,
    template_spec,
    unknown_key_reason,
)
from notification_service.domain.rendering import TemplateSource

LANGUAGES: tuple[str, ...] = LETTER_LANGUAGES
# The keys a message is rendered from: the published vocabulary less the steps that send
# nothing (a phone call is a collector's task).
TEMPLATE_KEYS: dict[str, str] = {key: TEMPLATES[key].description for key in RENDERED_KEYS}


def template_problem(key: str) -> str | None:
    """Why a message of template ``key`` cannot be rendered; None when it can. An unknown key
    is never replaced by another letter."""
    if template_spec(key) is None:
        return unknown_key_reason(key)
    if key not in TEMPLATE_KEYS:
        return f"template key {key!r} sends no message"
    return None


@dataclass(frozen=True, slots=True)
class Defaults:
    templates: Mapping[tuple[str, str], TemplateSource]
    partials: Mapping[str, str]

    def get(self, key: str, language: str) -> TemplateSource | None:
        return self.templates.get((key, language))


def parse_template_file(key: str, language: str, raw: str) -> TemplateSource:
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in raw.splitlines():
        if line.startswith("## ") and line[3:].strip() in ("subject", "text", "html", "sms"):
            current = sections.setdefault(line[3:].strip(), [])
            continue
        if current is not None:
            current.append(line)

    def section(name: str) -> str | None:
        lines = sections.get(name)
        return "\n".join(lines).strip("\n") if lines is not None else None

    subject, text = section("subject"), section("text")
    if subject is None or text is None:
        raise ValueError(f"{language}/{key}: a template needs '## subject' and '## text'")
    return TemplateSource(
        key=key,
        language=language,
        subject=subject,
        text=text,
        html=section("html"),
        sms=section("sms"),
        origin="default",
    )


@cache
def shipped_defaults() -> Defaults:
    root = resources.files("notification_service") / "default_templates"
    templates: dict[tuple[str, str], TemplateSource] = {}
    partials: dict[str, str] = {}
    for language in LANGUAGES:
        folder = root / language
        for entry in folder.iterdir():
            name = entry.name
            if not name.endswith(".txt"):
                continue
            stem = name.removesuffix(".txt")
            raw = entry.read_text(encoding="utf-8")
            if stem.startswith("_"):
                partials[f"{stem[1:]}.{language}"] = raw.rstrip("\n") + "\n"
            else:
                templates[(stem, language)] = parse_template_file(stem, language, raw)
    return Defaults(templates=templates, partials=partials)

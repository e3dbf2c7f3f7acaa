"""The shipped default templates and which template a message uses.

Lookup order for (tenant, key, language): the tenant's own template, the shipped default in
that language, then the shipped default in English (recorded on the message: a dossier shows
the language the debtor actually got)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources

from notification_service.domain.rendering import TemplateSource

LANGUAGES: tuple[str, ...] = ("nl", "fr", "en", "de")
FALLBACK_LANGUAGE = "en"

TEMPLATE_KEYS: dict[str, str] = {
    "pre_due_reminder": "friendly notice before the due date",
    "first_reminder": "first reminder (Book XIX content for BE B2C)",
    "second_reminder": "second reminder (fees as allowed per pack)",
    "nl_14_day_letter": "Dutch consumer 14-day letter (BW 6:96 lid 6) with WIK costs",
    "formal_notice": "formal notice of default / ingebrekestelling / mise en demeure",
    "payment_plan_confirmation": "confirmation of an agreed payment plan",
    "promise_confirmation": "confirmation of a promise to pay",
    "handover_notice": "notice that the file went to a collection agency",
}
ALIASES: dict[str, str] = {
    "pre_due": "pre_due_reminder",
    "reminder_1": "first_reminder",
    "reminder_2": "second_reminder",
    "veertiendagenbrief": "nl_14_day_letter",
    "fourteen_day_letter": "nl_14_day_letter",
    "14_day_letter": "nl_14_day_letter",
    "ingebrekestelling": "formal_notice",
    "mise_en_demeure": "formal_notice",
    "agency_handover": "handover_notice",
}


def template_key_for(requested: str, action: str, step: int, pack: str) -> str:
    """The template of a ReminderDue: the key dunning named when we know it, else one derived
    from the action (a formal notice to a Dutch consumer is the 14-day letter)."""
    key = ALIASES.get(requested, requested)
    if key in TEMPLATE_KEYS:
        return key
    if action == "pre_due_reminder":
        return "pre_due_reminder"
    if action == "formal_notice":
        return "nl_14_day_letter" if pack == "NL_B2C" else "formal_notice"
    if action == "agency_handover":
        return "handover_notice"
    return "first_reminder" if step <= 1 else "second_reminder"


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

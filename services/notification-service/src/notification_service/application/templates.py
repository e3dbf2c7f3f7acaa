"""Tenant templates: checked before they are saved, so that a broken or non-compliant
template is refused at the API (422 with field and line) instead of failing a reminder."""

from __future__ import annotations

from dataclasses import dataclass

from eventkit.api import FieldProblem
from notification_service.domain.context import SAMPLE_CREDITOR, sample_context
from notification_service.domain.legal import FIRST_REMINDER, FORMAL_NOTICE, FOURTEEN_DAY_LETTER
from notification_service.domain.locale import LocaleFormat
from notification_service.domain.rendering import Renderer, TemplateProblem, TemplateSource

PACKS = ("BE_B2C", "BE_B2B", "NL_B2C", "NL_B2B", "EU_DEFAULT")
NL_FOURTEEN_DAY_WORDING = "veertien dagen na de dag waarop u deze brief heeft ontvangen"


@dataclass(frozen=True, slots=True)
class Requirement:
    pack: str
    what: str
    expected: str


def _requirements(key: str, language: str) -> list[Requirement]:
    """What the rendered text must contain for the sample case, per legal pack."""
    c = sample_context(key, "BE_B2C", language, SAMPLE_CREDITOR)
    fmt = LocaleFormat.for_debtor(language, "BE_B2C")
    found: list[Requirement] = []
    if key == FIRST_REMINDER:
        total = c["total"]
        found += [
            Requirement("BE_B2C", "the creditor's name", SAMPLE_CREDITOR.name),
            Requirement(
                "BE_B2C",
                "the creditor's enterprise number",
                SAMPLE_CREDITOR.enterprise_number or "",
            ),
            Requirement("BE_B2C", "the balance", fmt.money(total["principal"], "EUR")),
            Requirement(
                "BE_B2C", "the invoice (product or service)", c["items"][0]["invoice_number"]
            ),
            Requirement("BE_B2C", "the due date", fmt.date(c["items"][0]["due_date"])),
            Requirement("BE_B2C", "the payment deadline", fmt.date(c["deadline"])),
            Requirement(
                "BE_B2C", "the damages that will be claimed", fmt.money(c["legal"]["damages"])
            ),
        ]
    if key == FOURTEEN_DAY_LETTER:
        nl = sample_context(key, "NL_B2C", language, SAMPLE_CREDITOR)
        nl_fmt = LocaleFormat.for_debtor(language, "NL_B2C")
        found.append(
            Requirement(
                "NL_B2C",
                "the collection costs (WIK) that will be claimed",
                nl_fmt.money(nl["legal"]["collection_costs"]),
            )
        )
        if language == "nl":
            found.append(
                Requirement("NL_B2C", "the statutory 14-day wording", NL_FOURTEEN_DAY_WORDING)
            )
    if key == FORMAL_NOTICE:
        found.append(Requirement("BE_B2B", "the final payment term", fmt.date(c["deadline"])))
    return found


def check_template(renderer: Renderer, source: TemplateSource) -> list[FieldProblem]:
    """Syntax, a trial render for every pack, and the content the law requires."""
    problems = [FieldProblem(p.field, p.describe()) for p in renderer.check_syntax(source)]
    if problems:
        return problems
    rendered_text: dict[str, str] = {}
    for pack in PACKS:
        context = sample_context(source.key, pack, source.language, SAMPLE_CREDITOR)
        try:
            rendered = renderer.render(source, context)
        except TemplateProblem as problem:
            reason = f"{problem.describe()} (rendering a {pack} case)"
            return [FieldProblem(problem.field, reason)]
        rendered_text[pack] = rendered.text
    for req in _requirements(source.key, source.language):
        text = " ".join(rendered_text[req.pack].split()).replace("\u202f", "\u00a0")
        expected = " ".join(req.expected.split()).replace("\u202f", "\u00a0")
        if expected and expected not in text:
            problems.append(
                FieldProblem(
                    "text",
                    f"a {req.pack} {source.key.replace('_', ' ')} must state {req.what} "
                    f"(expected {req.expected!r} in the sample case)",
                )
            )
    return problems

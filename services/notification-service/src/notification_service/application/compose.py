"""From a template and a context to what is sent: subject, text, HTML, SMS and the letter PDF."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from notification_service.adapters.pdf import LetterHead, letter_pdf, sha256
from notification_service.domain.context import Creditor
from notification_service.domain.locale import LocaleFormat
from notification_service.domain.rendering import Rendered, Renderer, TemplateSource
from notification_service.domain.wording import country_name

REGISTRATION_LABEL = {
    "nl": ("Ondernemingsnummer", "KvK-nummer"),
    "fr": ("Numéro d'entreprise", "Numéro KvK"),
    "en": ("Enterprise number", "Chamber of Commerce number"),
    "de": ("Unternehmensnummer", "KvK-Nummer"),
}
VAT_LABEL = {"nl": "Btw", "fr": "TVA", "en": "VAT", "de": "MwSt."}


@dataclass(frozen=True, slots=True)
class Composed:
    rendered: Rendered
    pdf: bytes
    pdf_sha256: str


def letter_head(creditor: Creditor, language: str) -> LetterHead:
    """The sender's full letterhead: at the top its address (street, postal code and city,
    country in the letter's language); at the foot its registration and VAT numbers, contact
    and bank account."""
    lines = list(creditor.address)
    if creditor.city and not any(creditor.city in line for line in lines):
        lines.append(f"{creditor.postal_code or ''} {creditor.city}".strip())
    lines.append(country_name(creditor.country, language))
    footer: list[str] = []
    legal: list[str] = []
    if creditor.enterprise_number:
        be, nl = REGISTRATION_LABEL.get(language, REGISTRATION_LABEL["en"])
        legal.append(f"{nl if creditor.country == 'NL' else be} {creditor.enterprise_number}")
    if creditor.vat_number:
        legal.append(f"{VAT_LABEL.get(language, 'VAT')} {creditor.vat_number}")
    if creditor.iban:
        legal.append(f"IBAN {creditor.iban}" + (f" · BIC {creditor.bic}" if creditor.bic else ""))
    if legal:
        footer.append(" · ".join(legal))
    contact = " · ".join(x for x in (creditor.email, creditor.phone, creditor.website) if x)
    if contact:
        footer.append(contact)
    return LetterHead(creditor.name, lines, footer)


def compose(
    renderer: Renderer,
    source: TemplateSource,
    context: Mapping[str, Any],
    *,
    creditor: Creditor,
    recipient: Sequence[str],
    business_date: date,
    reference: str,
    created: datetime,
) -> Composed:
    """Render the template and lay the text out as a letter (raises ``TemplateProblem``)."""
    rendered = renderer.render(source, context)
    fmt = context.get("locale_format")
    when = fmt.date(business_date) if isinstance(fmt, LocaleFormat) else business_date.isoformat()
    place = f"{creditor.city}, {when}" if creditor.city else when
    pdf = letter_pdf(
        head=letter_head(creditor, source.language),
        recipient=recipient,
        place_and_date=place,
        subject=rendered.subject,
        body=rendered.text,
        reference=reference,
        created=created,
    )
    return Composed(rendered=rendered, pdf=pdf, pdf_sha256=sha256(pdf))

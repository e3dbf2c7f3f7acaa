"""PDF documents: the letter (attached to the e-mail, printed or sent by registered mail) and
the dossier export. Built with fpdf2's core fonts in Windows-1252 (€, accents, quotes); the
creation date comes from the caller, so the same input gives the same bytes and checksum.

fpdf2 and pypdf are imported on first use (about a second of start-up otherwise);
``warm_up`` imports them off the event loop when the service starts."""

from __future__ import annotations

import hashlib
import io
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fpdf import FPDF

FONT = "helvetica"
ENCODING = "windows-1252"
# Letters without a decomposition that Windows-1252 lacks.
TRANSLITERATE = str.maketrans(
    {"Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "ı": "i", "Ħ": "H", "ħ": "h"}
)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def printable(text: str) -> str:
    """Text the core fonts can print: narrow no-break spaces become no-break spaces, letters
    outside Windows-1252 lose their accents (or become '?') instead of failing the letter."""
    text = text.replace("\u202f", "\u00a0").replace("\u2009", " ").translate(TRANSLITERATE)
    try:
        text.encode(ENCODING)
        return text
    except UnicodeEncodeError:
        out = []
        for ch in text:
            try:
                ch.encode(ENCODING)
                out.append(ch)
            except UnicodeEncodeError:
                base = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode()
                out.append(base or "?")
        return "".join(out)


def warm_up() -> None:
    import fpdf  # noqa: F401
    import pypdf  # noqa: F401


def _document(created: datetime, title: str) -> FPDF:
    from fpdf import FPDF

    pdf = FPDF(format="A4", unit="mm")
    pdf.core_fonts_encoding = ENCODING
    pdf.set_creation_date(created)
    pdf.set_title(printable(title))
    pdf.set_producer("notification-service")
    pdf.set_margins(20, 18, 20)
    pdf.set_auto_page_break(auto=True, margin=20)
    return pdf


@dataclass(frozen=True, slots=True)
class LetterHead:
    name: str
    lines: Sequence[str]  # the sender's address, under its name
    footer: Sequence[str] = ()  # registration and VAT numbers, bank account, contact


def letter_pdf(
    *,
    head: LetterHead,
    recipient: Sequence[str],
    place_and_date: str,
    subject: str,
    body: str,
    reference: str,
    created: datetime,
) -> bytes:
    pdf = _document(created, subject)
    pdf.add_page()
    pdf.set_font(FONT, "B", 12)
    pdf.cell(0, 6, printable(head.name), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 9)
    for line in head.lines:
        pdf.cell(0, 4.5, printable(line), new_x="LMARGIN", new_y="NEXT")
    # Address block where a DL window envelope shows it (right-hand window, ~50 mm from top).
    pdf.set_xy(110, 50)
    pdf.set_font(FONT, "", 11)
    for line in recipient:
        pdf.set_x(110)
        pdf.cell(80, 5.5, printable(line), new_x="LMARGIN", new_y="NEXT")
    pdf.set_xy(20, 90)
    pdf.set_font(FONT, "", 10)
    pdf.cell(0, 5, printable(place_and_date), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font(FONT, "B", 11)
    pdf.multi_cell(0, 6, printable(subject), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font(FONT, "", 10.5)
    _paragraphs(pdf, body, 5.2)
    _letter_footer(pdf, head.footer, reference)
    return bytes(pdf.output())


def _letter_footer(pdf: FPDF, lines: Sequence[str], reference: str) -> None:
    """The sender's registration, bank and contact lines at the foot of the (last) page, kept
    clear of the window envelope's address field."""
    pdf.set_auto_page_break(auto=False)
    pdf.set_y(-12 - 3.6 * len(lines))
    pdf.set_font(FONT, "", 7)
    for line in lines:
        pdf.cell(0, 3.6, printable(line), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 4, printable(f"Ref. {reference}"), align="R")


@dataclass(frozen=True, slots=True)
class DossierLine:
    when: str
    kind: str
    text: str


@dataclass(frozen=True, slots=True)
class DossierMessage:
    heading: str
    facts: Sequence[tuple[str, str]]
    subject: str
    body: str


def dossier_pdf(
    *,
    title: str,
    facts: Sequence[tuple[str, str]],
    timeline: Sequence[DossierLine],
    messages: Sequence[DossierMessage],
    letters: Sequence[tuple[str, bytes]],
    created: datetime,
) -> bytes:
    """The debtor's file: facts, the timeline of events, every message with its proof, and
    the letters exactly as they were sent appended (their checksums are in the message
    facts)."""
    pdf = _document(created, title)
    pdf.add_page()
    pdf.set_font(FONT, "B", 14)
    pdf.multi_cell(0, 7, printable(title), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    _facts(pdf, facts)
    pdf.ln(4)
    pdf.set_font(FONT, "B", 12)
    pdf.cell(0, 7, "Timeline", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 8.5)
    for line in timeline:
        pdf.set_font(FONT, "B", 8.5)
        pdf.cell(38, 4.6, printable(line.when))
        pdf.set_font(FONT, "", 8.5)
        pdf.multi_cell(
            0, 4.6, printable(f"{line.kind}: {line.text}"), new_x="LMARGIN", new_y="NEXT"
        )
    for message in messages:
        pdf.add_page()
        pdf.set_font(FONT, "B", 12)
        pdf.multi_cell(0, 7, printable(message.heading), new_x="LMARGIN", new_y="NEXT")
        _facts(pdf, message.facts)
        pdf.ln(3)
        pdf.set_font(FONT, "B", 10)
        pdf.multi_cell(0, 5.5, printable(message.subject), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FONT, "", 9)
        _paragraphs(pdf, message.body, 4.6)
    report = bytes(pdf.output())
    if not letters:
        return report
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(report)))
    for label, letter in letters:
        writer.append(PdfReader(io.BytesIO(letter)), outline_item=printable(label))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


_WIDTHS: dict[tuple[str, float, str], float] = {}


def _width(pdf: FPDF, word: str) -> float:
    """Width of a word in the current font, remembered (letters repeat their words)."""
    key = (pdf.font_family + pdf.font_style, pdf.font_size_pt, word)
    found = _WIDTHS.get(key)
    if found is None:
        if len(_WIDTHS) > 50_000:
            _WIDTHS.clear()
        found = _WIDTHS[key] = pdf.get_string_width(word)
    return found


def _wrap(pdf: FPDF, line: str, width: float) -> list[str]:
    """Greedy word wrap measuring each word once (fpdf2's ``multi_cell`` re-measures the line
    for every character: 25 ms of a 30 ms letter)."""
    space = _width(pdf, " ")
    lines: list[str] = []
    current: list[str] = []
    used = 0.0
    for word in line.split(" "):
        size = _width(pdf, word)
        if current and used + space + size > width:
            lines.append(" ".join(current))
            current, used = [], 0.0
        if size > width:  # a word longer than the line: let multi_cell cut it
            lines.append(word)
            continue
        used += (space if current else 0.0) + size
        current.append(word)
    if current:
        lines.append(" ".join(current))
    return lines


def _paragraphs(pdf: FPDF, text: str, height: float) -> None:
    width = pdf.epw
    for paragraph in printable(text.strip()).split("\n"):
        if not paragraph.strip():
            pdf.ln(height)
            continue
        for line in _wrap(pdf, paragraph, width):
            overlong_word = " " not in line and _width(pdf, line) > width
            if overlong_word:
                pdf.multi_cell(0, height, line, new_x="LMARGIN", new_y="NEXT")
            else:
                pdf.cell(0, height, line, new_x="LMARGIN", new_y="NEXT")


def _facts(pdf: FPDF, facts: Sequence[tuple[str, str]]) -> None:
    for label, value in facts:
        pdf.set_font(FONT, "B", 9)
        pdf.cell(45, 5, printable(label))
        pdf.set_font(FONT, "", 9)
        pdf.multi_cell(0, 5, printable(value or "-"), new_x="LMARGIN", new_y="NEXT")


def pdf_text(data: bytes) -> str:
    """The text of a PDF (to check a letter or an export reads as intended)."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() or "" for page in reader.pages)

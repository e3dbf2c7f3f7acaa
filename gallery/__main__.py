"""``python -m gallery [--out DIR]``: every legal pack × policy step × language as e-mail text
and PDF letter in one folder, with an index page to review the whole set in one sitting."""

from __future__ import annotations

import argparse
import html
import sys
from collections.abc import Sequence
from pathlib import Path

from contracts.letters import LETTER_LANGUAGES, template_spec
from gallery.cases import CASES, PACKS, Case, other_letters, steps_of
from gallery.render import Event, Letter, render


def _letters(case: Case, language: str) -> list[tuple[str, Letter]]:
    found: list[tuple[str, Letter]] = []
    for step in steps_of(case, language):
        key = getattr(step.event, "template_key", "handover_notice")
        spec = template_spec(key)
        if spec is not None and not spec.rendered:
            continue  # a phone call is a collector's task, not a letter
        found.append((f"step {step.number}", render(step.event, case, language)))
    events: list[Event] = list(other_letters(case))
    for event in events:
        label = getattr(event, "outcome", None) or type(event).__name__
        found.append((str(label), render(event, case, language)))
    return found


def _email_text(letter: Letter) -> str:
    return f"Subject: {letter.subject}\nTo: {' / '.join(letter.recipient)}\n\n{letter.text}"


def build(out: Path) -> tuple[int, int]:
    """Write the gallery; the number of letters and of letters a check would hold back."""
    out.mkdir(parents=True, exist_ok=True)
    rows: list[str] = []
    count = held = 0
    for pack in PACKS:
        case = CASES[pack]
        for language in LETTER_LANGUAGES:
            for number, (label, letter) in enumerate(_letters(case, language), start=1):
                stem = f"{pack}-{language}-{number:02d}-{letter.template_key}"
                (out / f"{stem}.txt").write_text(_email_text(letter), encoding="utf-8")
                (out / f"{stem}.pdf").write_bytes(letter.pdf)
                count += 1
                held += bool(letter.problems)
                problems = "<br>".join(html.escape(p) for p in letter.problems) or "–"
                rows.append(
                    "<tr>"
                    f"<td>{pack}</td><td>{language}</td><td>{html.escape(label)}</td>"
                    f"<td>{letter.template_key}</td><td>{letter.business_date}</td>"
                    f"<td>{html.escape(letter.subject)}</td>"
                    f'<td><a href="{stem}.txt">e-mail</a> · <a href="{stem}.pdf">PDF</a></td>'
                    f"<td>{problems}</td></tr>"
                )
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Letter gallery</title>
<style>body{{font-family:Arial,sans-serif;font-size:13px}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:3px 6px;vertical-align:top}}th{{background:#eee}}</style>
</head><body><h1>Letter gallery</h1>
<p>{count} letters: every legal pack × step of its shipped policy × language, plus the
confirmations and a dispute's outcomes. Held back by a legal check: {held}.</p>
<table><tr><th>Pack</th><th>Language</th><th>Step</th><th>Template</th><th>Dated</th>
<th>Subject</th><th>Files</th><th>Legal checks</th></tr>
{chr(10).join(rows)}
</table></body></html>
"""
    (out / "index.html").write_text(page, encoding="utf-8")
    return count, held


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gallery", description=__doc__)
    parser.add_argument("--out", type=Path, default=Path(".data/letters"))
    args = parser.parse_args(argv)
    count, held = build(args.out)
    print(f"{count} letters in {args.out}/ (index.html); held back by a legal check: {held}")  # noqa: T201
    return 1 if held else 0


if __name__ == "__main__":
    sys.exit(main())

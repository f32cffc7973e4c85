"""The PDF: landscape A4, Sarabun embedded, set by typst from ``templates/plan.typ``.

typst was chosen by measuring (README, "Documents"): a 500-project plan in well under a
second where WeasyPrint needed about nine, no system libraries, and the same output on
every machine (the font comes from the ``fontpkg-sarabun`` package, system fonts are
ignored). Its own Thai line breaking cuts some words, so every Thai string goes in as
words (``documents.thaiwords``) and the template sets each word as an unbreakable box.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from importlib.resources import files
from pathlib import Path
from typing import Any

import fontpkg_sarabun
import typst

from documents.model import (
    Announcement,
    Form,
    Line,
    PlanDocument,
    Section,
    SummaryRow,
)
from documents.texts import PD02_COLUMNS, PD021_COLUMNS, TEXT, pd01_columns
from documents.thaiwords import words
from models.drafts import percent_text
from models.thaitext import format_baht, satang_to_baht

TEMPLATE = Path(str(files("documents") / "templates" / "plan.typ"))
FONT_DIR = fontpkg_sarabun.ROOT / "files"

FORMS: dict[Form, tuple[str, ...]] = {
    Form.WHOLE: ("cover", "whole", "part1", "pd01", "pd02", "pd021"),
    Form.PD01: ("pd01",),
    Form.PD02: ("pd02",),
    Form.PD021: ("pd021",),
    Form.PART1: ("part1",),
    Form.ANNOUNCEMENT: (),
}


def render_pdf(doc: PlanDocument, form: Form = Form.WHOLE) -> bytes:
    """The PDF of ``form`` (the whole plan by default)."""
    data = json.dumps(view(doc, form), ensure_ascii=False, separators=(",", ":"))
    return typst.compile(  # type: ignore[no-any-return]
        str(TEMPLATE),
        font_paths=[str(FONT_DIR)],
        ignore_system_fonts=True,
        sys_inputs={"data": data},
    )


def render_png(doc: PlanDocument, form: Form = Form.WHOLE, *, ppi: int = 60) -> bytes:
    """The first page (the cover) as a PNG: the preview image LINE shows with the link."""
    data = json.dumps(
        {**view(doc, form), "forms": ["cover"], "announcements": []},
        ensure_ascii=False,
        separators=(",", ":"),
    )
    pages = typst.compile(
        str(TEMPLATE),
        font_paths=[str(FONT_DIR)],
        ignore_system_fonts=True,
        sys_inputs={"data": data},
        format="png",
        ppi=ppi,
    )
    return pages[0] if isinstance(pages, list) else pages  # type: ignore[no-any-return]


# -- the data the template reads --------------------------------------------------------------


def w(text: str | None) -> Any:
    """A string as the template's ``t`` takes it: words, so lines break between them."""
    if text is None:
        return None
    return list(words(text))


def money(satang: int) -> str:
    return format_baht(satang_to_baht(satang), unit=False)


def runs(months: Iterable[int]) -> list[tuple[int, int]]:
    """Fiscal positions as (start, length) runs: the bars across the month grid."""
    found: list[tuple[int, int]] = []
    for m in sorted(months):
        if found and found[-1][0] + found[-1][1] == m:
            found[-1] = (found[-1][0], found[-1][1] + 1)
        else:
            found.append((m, 1))
    return found


def view(doc: PlanDocument, form: Form) -> dict[str, Any]:
    h = doc.heading
    announcements = doc.announcements if form in (Form.WHOLE, Form.ANNOUNCEMENT) else ()
    return {
        "forms": list(FORMS[form]),
        "title_plain": h.title,
        "title": w(h.title),
        "org_line": w(h.org_line),
        "org_name": w(h.org_full_name),
        "place": w(h.place),
        "year_line": w(TEXT["plan_year"].format(fy=h.fiscal_year).removeprefix(TEXT["plan"] + " ")),
        "edition": w(h.edition) if h.edition else None,
        "stamp": w(h.stamp),
        "years": list(h.years),
        "months": [w(m) for m in doc.months],
        "text": {key: w(value) for key, value in _template_text().items()},
        "cols01": [w(c) for c in pd01_columns(doc.top_level)],
        "cols02": [w(TEXT[k]) for k in PD02_COLUMNS],
        "cols021": [w(TEXT[k]) for k in PD021_COLUMNS],
        "extra_columns": [w(c) for c in doc.extra_columns],
        "summary": _summary(doc),
        "projects": [_section(s) for s in doc.projects],
        "equipment": [_section(s) for s in doc.equipment],
        "part1": [
            {"heading": w(s.heading), "paragraphs": [w(p) for p in s.paragraphs]} for s in doc.part1
        ],
        "signatures": [
            {
                "label": w(s.label),
                "name": w(s.name or TEXT["blank_name"]),
                "position": w(s.position),
            }
            for s in doc.signatures
        ],
        "announcements": [_announcement(a) for a in announcements],
        "marked_note": doc.marked_note,
    }


_TEMPLATE_KEYS = (
    "plan",
    "stamp_short",
    "contents",
    "part1",
    "part2",
    "announcement",
    "signatures",
    "pd01",
    "pd02",
    "pd021",
    "pd01_title",
    "pd02_title",
    "pd021_title",
    "pd01_section",
    "pd02_section",
    "pd021_section",
    "subtotal",
    "other_agency_tag",
    "marked_note",
    "ann_close",
)


def _template_text() -> dict[str, str]:
    text = {key: TEXT[key] for key in _TEMPLATE_KEYS}
    text["page_before"] = TEXT["page"].format(n="").strip()
    return text


def _row(row: SummaryRow) -> dict[str, Any]:
    return {
        "title": w(row.title),
        "count": str(row.count),
        "count_pct": percent_text(row.count_pct),
        "amount": money(row.satang),
        "budget_pct": percent_text(row.budget_pct),
        "units": w(", ".join(row.units)),
    }


def _summary(doc: PlanDocument) -> dict[str, Any]:
    return {
        "strategies": [
            {
                "title": w(s.title),
                "areas": [_row(a) for a in s.areas],
                "subtotal": _row(s.subtotal),
            }
            for s in doc.summary.strategies
        ],
        "total": _row(doc.summary.total),
    }


def _line(line: Line) -> dict[str, Any]:
    return {
        "no": str(line.no),
        "title": w(line.title),
        "details": w(line.details),
        "amount": money(line.satang),
        "location": w(line.location),
        "unit": w(line.unit_text),
        "agency": line.agency is not None,
        "mark": w(line.mark),
        "extras": [w(e) for e in line.extras],
        "runs": runs(line.months),
    }


def _section(section: Section) -> dict[str, Any]:
    return {
        "title": w(section.title),
        "subtitle": w(section.subtitle),
        "groups": [
            {"title": w(g.title), "amount": money(g.satang), "lines": [_line(x) for x in g.lines]}
            for g in section.groups
        ],
    }


def _announcement(a: Announcement) -> dict[str, Any]:
    return {
        "title": w(a.title),
        "subject": w(a.subject),
        "paragraphs": [w(p) for p in a.paragraphs],
        "changes": [w(c) for c in a.changes],
        "date_line": w(a.date_line),
        "signer": w(a.signer),
        "position": w(a.position),
    }

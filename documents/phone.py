"""The phone page: the same plan as one responsive HTML page, for reading in LINE's browser.

A committee member deciding from a phone would otherwise pinch-zoom a landscape A4 PDF. Here
each project is a card (title, budget, place, unit, and the twelve months as a strip with
the running months filled), the summary is a narrow table, and nothing is wider than the
screen. One self-contained file (no scripts, no outside requests), served by the app under a
signed, expiring link like any other document. Sarabun (regular) is embedded, so the page
reads the same as the PDF even where no Thai font is installed (90 KB).
"""

from __future__ import annotations

import base64
from functools import cache
from html import escape

import fontpkg_sarabun

from documents.model import Form, Line, PlanDocument, Section, SummaryRow
from documents.texts import TEXT
from models.drafts import percent_text
from models.thaitext import format_baht, satang_to_baht

CSS = """
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font-family:Sarabun,"Noto Sans Thai","Leelawadee UI",Tahoma,sans-serif;
 font-size:16px;line-height:1.45;color:#1b1b1b;background:#f4f4f1;overflow-wrap:anywhere}
header{background:#1f4e79;color:#fff;padding:12px 14px}
header h1{font-size:1.15rem;margin:0}
header p{margin:2px 0 0;font-size:.9rem;opacity:.9}
.stamp{display:inline-block;margin-top:6px;padding:2px 8px;border:2px solid #ffb3b3;
 color:#fff;background:#b00020;font-weight:700;border-radius:4px}
nav{display:flex;flex-wrap:wrap;gap:6px;padding:8px 10px;background:#fff;
 border-bottom:1px solid #ddd;position:sticky;top:0}
nav a{font-size:.85rem;padding:3px 9px;border:1px solid #1f4e79;border-radius:14px;
 color:#1f4e79;text-decoration:none}
main{padding:8px 10px 40px;max-width:900px;margin:0 auto}
h2{font-size:1.1rem;margin:18px 0 6px;color:#1f4e79}
h3{font-size:1rem;margin:14px 0 4px;background:#e3ebf3;padding:4px 8px;border-radius:4px}
h4{font-size:.95rem;margin:10px 0 4px;color:#444}
table{width:100%;border-collapse:collapse;table-layout:fixed;font-size:.85rem;background:#fff}
th,td{border:1px solid #ccc;padding:3px 4px;vertical-align:top}
th{background:#eef2f6;font-weight:600}
td.n{text-align:right;white-space:nowrap}
tr.sub td{font-weight:700;background:#f3f3f3}
.card{background:#fff;border:1px solid #ddd;border-radius:8px;padding:8px 10px;margin:6px 0}
.card .t{font-weight:700}
.card .b{float:right;font-weight:700;margin-left:8px}
.card .d{font-size:.9rem;color:#333}
.card .m{font-size:.82rem;color:#555}
.tag{display:inline-block;font-size:.75rem;padding:0 6px;border-radius:8px;background:#fff3cd;
 border:1px solid #e0c36a;margin-left:4px}
.mark{background:#fde2e1;border-color:#e59a97}
.months{display:grid;grid-template-columns:repeat(12,1fr);gap:1px;margin:6px 0 0;padding:0;
 list-style:none;font-size:.62rem;text-align:center}
.months li{background:#eee;color:#777;padding:1px 0;min-width:0}
.months li.on{background:#1f4e79;color:#fff}
.years{display:grid;grid-template-columns:3fr 9fr;font-size:.62rem;color:#555;text-align:center}
.total{font-weight:700;text-align:right;margin:2px 0 8px}
.prose p{text-indent:1.5em;margin:.3em 0}
.sign{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:8px;
 font-size:.85rem;text-align:center;margin-top:12px}
"""


@cache
def font_face() -> str:
    data = (fontpkg_sarabun.ROOT / "files" / "Sarabun-Regular.ttf").read_bytes()
    url = "data:font/ttf;base64," + base64.b64encode(data).decode("ascii")
    return f"@font-face{{font-family:Sarabun;src:url({url}) format('truetype')}}"


def render_html(doc: PlanDocument, form: Form = Form.WHOLE) -> bytes:
    """The phone page of ``form`` (the whole plan by default), UTF-8."""
    h = doc.heading
    parts = [
        '<!doctype html><html lang="th"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(h.title)} — {e(h.org_full_name)}</title>",
        f"<style>{font_face()}{CSS}</style></head><body>",
        f"<header><h1>{e(h.title)}</h1><p>{e(h.org_line)}</p>",
        f'<span class="stamp">{e(h.stamp)}</span>' if h.stamp else "",
        "</header>",
        _nav(doc, form),
        "<main>",
    ]
    if form in (Form.WHOLE, Form.PD01):
        parts.append(_summary(doc))
    if form in (Form.WHOLE, Form.PD02):
        parts.append(_listing("pd02", TEXT["pd02_title"], doc.projects, doc))
    if form in (Form.WHOLE, Form.PD021) and doc.equipment:
        parts.append(_listing("pd021", TEXT["pd021_title"], doc.equipment, doc))
    if form in (Form.WHOLE, Form.PD02):
        parts.append(_signatures(doc))
    if form in (Form.WHOLE, Form.PART1):
        parts.append(_part1(doc))
    if form in (Form.WHOLE, Form.ANNOUNCEMENT):
        parts.extend(_announcement(doc, i) for i in range(len(doc.announcements)))
    parts.append("</main></body></html>")
    return "".join(parts).encode()


def e(text: object) -> str:
    return escape(str(text))


def baht(satang: int) -> str:
    return format_baht(satang_to_baht(satang), unit=False)


def _nav(doc: PlanDocument, form: Form) -> str:
    if form is not Form.WHOLE:
        return ""
    links = [("pd01", TEXT["phone_summary"]), ("pd02", TEXT["phone_projects"])]
    if doc.equipment:
        links.append(("pd021", TEXT["col_equipment"]))
    links.append(("part1", TEXT["part1"]))
    if doc.announcements:
        links.append(("ann0", TEXT["announcement"]))
    return "<nav>" + "".join(f'<a href="#{a}">{e(label)}</a>' for a, label in links) + "</nav>"


def _summary_row(row: SummaryRow, css: str = "") -> str:
    pct = percent_text(row.budget_pct)
    return (
        f'<tr class="{css}"><td>{e(row.title)}</td><td class="n">{row.count}</td>'
        f'<td class="n">{baht(row.satang)}</td><td class="n">{pct}</td></tr>'
    )


def _summary(doc: PlanDocument) -> str:
    first = e(TEXT["col_strategy"].format(top=doc.top_level))
    head = (
        f'<colgroup><col><col style="width:4.4em"><col style="width:7.2em">'
        f'<col style="width:3.6em"></colgroup><tr><th>{first}'
        f"</th><th>{e(TEXT['phone_projects'])}</th><th>{e(TEXT['col_amount'])}</th><th>%</th></tr>"
    )
    rows = []
    for strategy in doc.summary.strategies:
        rows.append(f'<tr class="sub"><td colspan="4">{e(strategy.title)}</td></tr>')
        rows.extend(_summary_row(a) for a in strategy.areas)
        rows.append(_summary_row(strategy.subtotal, "sub"))
    rows.append(_summary_row(doc.summary.total, "sub"))
    return (
        f'<section id="pd01"><h2>{e(TEXT["pd01"])} {e(TEXT["pd01_title"])}</h2>'
        f"<table>{head}{''.join(rows)}</table></section>"
    )


def _months(doc: PlanDocument, line: Line) -> str:
    cells = "".join(
        f'<li class="{"on" if i in line.months else "off"}">{e(m)}</li>'
        for i, m in enumerate(doc.months)
    )
    return f'<ol class="months" aria-label="{e(TEXT["phone_months"])}">{cells}</ol>'


def _card(doc: PlanDocument, line: Line) -> str:
    tags = ""
    if line.agency is not None:
        tags += f'<span class="tag">{e(TEXT["other_agency_tag"])}</span>'
    if line.mark:
        tags += f'<span class="tag mark">*{e(line.mark)}</span>'
    extras = "".join(
        f'<div class="m">{e(label)}: {e(value)}</div>'
        for label, value in zip(doc.extra_columns, line.extras, strict=True)
        if value
    )
    return (
        f'<article class="card" data-ref="{e(line.ref)}"><div><span class="b">{baht(line.satang)}'
        f'</span><span class="t">{line.no}. {e(line.title)}</span>{tags}</div>'
        f'<div class="d">{e(line.details)}</div>'
        f'<div class="m">{e(line.location)} · {e(line.unit_text)}</div>{extras}'
        f"{_months(doc, line)}</article>"
    )


def _listing(anchor: str, title: str, sections: tuple[Section, ...], doc: PlanDocument) -> str:
    years = doc.heading.years
    out = [
        f'<section id="{anchor}"><h2>{e(TEXT[anchor])} {e(title)}</h2>',
        f'<div class="years"><span>{e(years[0])}</span><span>{e(years[1])}</span></div>',
    ]
    for section in sections:
        out.append(f"<h3>{e(section.title)}</h3>")
        if section.subtitle:
            out.append(f"<h4>{e(section.subtitle)}</h4>")
        for group in section.groups:
            out.append(f"<h4>{e(group.title)}</h4>")
            out.extend(_card(doc, line) for line in group.lines)
            out.append(f'<div class="total">{e(TEXT["subtotal"])} {baht(group.satang)}</div>')
    if doc.marked_note:
        out.append(f'<p class="m">{e(TEXT["marked_note"])}</p>')
    out.append("</section>")
    return "".join(out)


def _signatures(doc: PlanDocument) -> str:
    cells = "".join(
        f"<div>{e(s.label)}<br>{e(s.name or TEXT['blank_name'])}<br>{e(s.position)}</div>"
        for s in doc.signatures
    )
    return f'<div class="sign">{cells}</div>'


def _part1(doc: PlanDocument) -> str:
    out = [f'<section id="part1" class="prose"><h2>{e(TEXT["part1"])}</h2>']
    for section in doc.part1:
        out.append(f"<h3>{e(section.heading)}</h3>")
        out.extend(f"<p>{e(p)}</p>" for p in section.paragraphs)
    out.append("</section>")
    return "".join(out)


def _announcement(doc: PlanDocument, index: int) -> str:
    a = doc.announcements[index]
    body = "".join(f"<p>{e(p)}</p>" for p in (*a.paragraphs, *a.changes, TEXT["ann_close"]))
    return (
        f'<section id="ann{index}" class="prose"><h2>{e(a.title)}</h2><h3>{e(a.subject)}</h3>'
        f'{body}<p style="text-align:center">{e(a.date_line)}<br><br>{e(a.signer)}<br>'
        f"{e(a.position)}</p></section>"
    )

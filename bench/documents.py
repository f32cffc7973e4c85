"""How long the documents take, and how much memory: 100, 500 and 1,000 projects.

    uv run python bench/documents.py [--sizes 100,500,1000] [--engines typst,weasyprint]

Each measurement runs in a fresh process (so peak memory is its own): the made-up plan of
``documents.sample`` is built, then rendered twice — "cold" is the first render in a new
process (pythainlp's dictionary and typst's fonts load then), "warm" is a second render of
a different plan of the same size in the same process, which is what a running server
pays. Peak memory is the process's peak RSS above what it held before rendering.

Formats: the whole plan as PDF by typst (planbot's engine), the same plan's ผด.01 and ผด.02
as PDF by WeasyPrint (the engine it was compared with; a dev dependency, skipped when not
installed), the workbook (XLSX) and the phone page (HTML).

Goals on the 2-core machine: 500 projects as PDF ≤ 3 s and as XLSX ≤ 1 s; 1,000 ≤ 2.2 × the
500 time. The last lines say which are met (warm figures; cold in parentheses).
"""

from __future__ import annotations

import argparse
import html
import multiprocessing
import resource
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

GOALS = {"pdf-typst": 3.0, "xlsx": 1.0}


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def render(fmt: str, doc: Any) -> bytes:
    from documents.model import Form

    if fmt == "pdf-typst":
        from documents.pdf import render_pdf

        return render_pdf(doc, Form.WHOLE)
    if fmt == "pdf-weasyprint":
        return weasy_pdf(doc)
    if fmt == "xlsx":
        from documents.xlsx import render_xlsx

        return render_xlsx(doc, Form.WHOLE)
    from documents.phone import render_html

    return render_html(doc, Form.WHOLE)


def measure(fmt: str, size: int, out: Any) -> None:
    """In a child process: cold and warm render time, peak memory above the baseline."""
    from documents.sample import sample_plan

    first, second = sample_plan(size, seed=1), sample_plan(size, seed=2)
    if fmt == "pdf-weasyprint":
        import weasyprint  # noqa: F401 — its import is not the render's cost
    else:
        import documents.pdf
        import documents.phone
        import documents.xlsx  # noqa: F401
    base = _peak_mb()
    started = time.perf_counter()
    data = render(fmt, first)
    cold = time.perf_counter() - started
    started = time.perf_counter()
    render(fmt, second)
    warm = time.perf_counter() - started
    out.send({"cold": cold, "warm": warm, "peak": _peak_mb() - base, "bytes": len(data)})


def run(fmt: str, size: int) -> dict[str, float]:
    ctx = multiprocessing.get_context("spawn")
    receive, send = ctx.Pipe(duplex=False)
    process = ctx.Process(target=measure, args=(fmt, size, send))
    process.start()
    result = receive.recv()
    process.join()
    return result  # type: ignore[no-any-return]


# -- WeasyPrint: the same ผด.01 and ผด.02, as HTML tables with print CSS -------------------------


def weasy_pdf(doc: Any) -> bytes:
    import fontpkg_sarabun
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    fonts = fontpkg_sarabun.ROOT / "files"
    config = FontConfiguration()
    css = f"""
    @font-face {{ font-family: Sarabun; src: url({(fonts / "Sarabun-Regular.ttf").as_uri()}); }}
    @font-face {{ font-family: Sarabun; font-weight: bold;
                  src: url({(fonts / "Sarabun-Bold.ttf").as_uri()}); }}
    @page {{ size: A4 landscape; margin: 2.3cm 1.3cm 1.6cm;
      @top-center {{ content: "{doc.heading.title}\\A{doc.heading.org_line}";
                     white-space: pre; font: 11pt Sarabun; text-align: center }}
      @bottom-center {{ content: "หน้า " counter(page); font: 9pt Sarabun }} }}
    body {{ font: 10pt Sarabun }}
    table {{ border-collapse: collapse; width: 100%; table-layout: fixed }}
    th, td {{ border: .5pt solid #000; padding: 2pt 3pt; vertical-align: top }}
    thead {{ display: table-header-group }} tr {{ break-inside: avoid }}
    td.m {{ padding: 0 }} td.on {{ background: #1e1e1e }} .r {{ text-align: right }}
    """
    e = html.escape
    months = "".join(f"<th>{m}</th>" for m in doc.months)
    head = (
        "<thead><tr><th rowspan=2 style='width:1.3em'>ที่</th><th rowspan=2 style='width:4.2cm'>"
        "โครงการ</th><th rowspan=2>รายละเอียด</th><th rowspan=2 style='width:2.1cm'>งบประมาณ</th>"
        "<th rowspan=2 style='width:2.4cm'>สถานที่</th><th rowspan=2 style='width:2.3cm'>หน่วยงาน"
        f"</th><th colspan=3 style='width:1.86cm'>{doc.heading.years[0]}</th>"
        f"<th colspan=9 style='width:5.58cm'>{doc.heading.years[1]}</th></tr><tr>{months}</tr>"
        "</thead>"
    )
    rows = []
    for section in doc.projects:
        rows.append(f"<tr><td colspan=18><b>{e(section.title)}</b></td></tr>")
        for group in section.groups:
            rows.append(f"<tr><td colspan=18><b>{e(group.title)}</b></td></tr>")
            for line in group.lines:
                cells = "".join(
                    f"<td class='m {'on' if i in line.months else ''}'></td>" for i in range(12)
                )
                rows.append(
                    f"<tr><td>{line.no}</td><td>{e(line.title)}</td><td>{e(line.details)}</td>"
                    f"<td class=r>{line.satang // 100:,}</td><td>{e(line.location)}</td>"
                    f"<td>{e(line.unit_text)}</td>{cells}</tr>"
                )
    summary = "".join(
        f"<tr><td>{e(a.title)}</td><td class=r>{a.count}</td><td class=r>{a.satang // 100:,}</td>"
        "</tr>"
        for s in doc.summary.strategies
        for a in (*s.areas, s.subtotal)
    )
    page = (
        f"<html lang=th><body><table>{summary}</table><div style='break-after:page'></div>"
        f"<table>{head}<tbody>{''.join(rows)}</tbody></table></body></html>"
    )
    return HTML(string=page).write_pdf(  # type: ignore[no-any-return]
        stylesheets=[CSS(string=css, font_config=config)], font_config=config
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="100,500,1000")
    parser.add_argument("--engines", default="typst,weasyprint")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    formats = [f"pdf-{engine}" for engine in args.engines.split(",")] + ["xlsx", "html"]
    try:
        import weasyprint  # noqa: F401
    except ImportError:
        formats = [f for f in formats if f != "pdf-weasyprint"]
        print("weasyprint not installed: its row is left out")
    results: dict[tuple[str, int], dict[str, float]] = {}
    print(f"{'format':<16}{'projects':>9}{'cold s':>9}{'warm s':>9}{'peak MB':>9}{'size KB':>9}")
    for fmt in formats:
        for size in sizes:
            r = run(fmt, size)
            results[fmt, size] = r
            print(
                f"{fmt:<16}{size:>9}{r['cold']:>9.2f}{r['warm']:>9.2f}{r['peak']:>9.0f}"
                f"{r['bytes'] / 1024:>9.0f}",
                flush=True,
            )
    print()
    for fmt in formats:
        if (fmt, 500) in results and (fmt, 1000) in results:
            ratio = results[fmt, 1000]["warm"] / results[fmt, 500]["warm"]
            verdict = "ok" if ratio <= 2.2 else "over 2.2"
            print(f"{fmt}: 1,000 / 500 projects = {ratio:.2f}× ({verdict})")
        if fmt in GOALS and (fmt, 500) in results:
            r = results[fmt, 500]
            met = "met" if r["warm"] <= GOALS[fmt] else "NOT met"
            print(
                f"{fmt}: 500 projects in {r['warm']:.2f} s (cold {r['cold']:.2f} s),"
                f" goal ≤ {GOALS[fmt]:.0f} s: {met}"
            )


if __name__ == "__main__":
    main()

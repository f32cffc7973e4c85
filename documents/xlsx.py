"""The workbook officials edit: one sheet per form (ผด.01, ผด.02, ผด.02/1).

What makes it usable rather than a dump: real merged header cells (the month grid under its
two พ.ศ. year headings), column widths, landscape A4 with the header rows repeated on every
printed page and the width fitted to one page, and numbers stored as numbers (budgets in
Baht with separators, percentages with two decimals), so selecting budget cells sums them
in Excel. A month a project runs in is a filled cell holding "▬", so the bar shows and a
reader that takes "any value marks the month" reads it back.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from documents.model import Form, PlanDocument, Section, SummaryRow
from documents.texts import PD02_COLUMNS, PD021_COLUMNS, TEXT, pd01_columns
from models.thaitext import satang_to_baht

FONT = "TH Sarabun New"  # what Thai offices have installed; Sarabun where it is not
MONTH_MARK = "▬"
BAHT_FORMAT = "#,##0.00"
PERCENT_FORMAT = "0.00"
SHEETS = {Form.PD01: "ผด.01", Form.PD02: "ผด.02", Form.PD021: "ผด.02-1"}

_thin = Side(style="thin")
BORDER = Border(left=_thin, right=_thin, top=_thin, bottom=_thin)
BAR = PatternFill("solid", fgColor="404040")
BAND = PatternFill("solid", fgColor="EDEDED")
STAMP = Font(name=FONT, size=14, bold=True, color="C00000")
WRAP = Alignment(wrap_text=True, vertical="top")
PLAIN = Font(name=FONT, size=14)
BOLD = Font(name=FONT, size=14, bold=True)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
TOP_CENTER = Alignment(horizontal="center", vertical="top")


def _named(name: str, **parts: object) -> NamedStyle:
    style = NamedStyle(name=name)
    style.border = BORDER
    style.font = parts.pop("font", PLAIN)  # type: ignore[assignment]
    style.alignment = parts.pop("alignment", WRAP)  # type: ignore[assignment]
    for key, value in parts.items():
        setattr(style, key, value)
    return style


# One named style per kind of cell: assigning a name is one step where setting a font, a
# border and an alignment is three (and openpyxl hashes each), which halves the time.
STYLES = (
    _named("plan"),
    _named("plan-bold", font=BOLD),
    _named("plan-band", font=BOLD, fill=BAND),
    _named("plan-head", font=BOLD, alignment=CENTER),
    _named("plan-no", alignment=TOP_CENTER),
    _named("plan-bar", fill=BAR, alignment=CENTER),
    _named("plan-baht", number_format=BAHT_FORMAT),
    _named("plan-baht-bold", font=BOLD, number_format=BAHT_FORMAT, fill=BAND),
    _named("plan-pct", number_format=PERCENT_FORMAT),
    _named("plan-pct-bold", font=BOLD, number_format=PERCENT_FORMAT, fill=BAND),
    _named("plan-total", font=BOLD, alignment=Alignment(horizontal="right")),
)


def render_xlsx(doc: PlanDocument, form: Form = Form.WHOLE) -> bytes:
    """The workbook of ``form``; the whole plan is all three sheets."""
    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    for style in STYLES:
        book.add_named_style(style)
    wanted = (Form.PD01, Form.PD02, Form.PD021) if form is Form.WHOLE else (form,)
    if Form.PD01 in wanted:
        _pd01(book.create_sheet(SHEETS[Form.PD01]), doc)
    if Form.PD02 in wanted:
        _listing(book.create_sheet(SHEETS[Form.PD02]), doc, doc.projects, Form.PD02)
    if Form.PD021 in wanted:
        _listing(book.create_sheet(SHEETS[Form.PD021]), doc, doc.equipment, Form.PD021)
    if not book.sheetnames:
        raise ValueError(f"no sheet for {form}: the workbook holds ผด.01, ผด.02 and ผด.02/1")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def baht(satang: int) -> float | Decimal:
    """Baht as Excel stores it (a number); whole Baht as an integer-valued float."""
    return float(satang_to_baht(satang))


def _titles(ws: Worksheet, doc: PlanDocument, form_label: str, title: str, width: int) -> int:
    """The title block above a table; returns the first free row."""
    h = doc.heading
    ws.cell(1, width, TEXT[form_label]).alignment = Alignment(horizontal="right")
    if h.stamp:
        ws.cell(1, 1, h.stamp).font = STAMP
    for row, text in enumerate((title, h.title, h.org_line), start=2):
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
        cell = ws.cell(row, 1, text)
        cell.alignment = Alignment(horizontal="center")
        cell.font = Font(name=FONT, size=16, bold=True)
    return 6


def _print_setup(ws: Worksheet, header_rows: str, widths: Sequence[float]) -> None:
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = header_rows
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.oddFooter.center.text = TEXT["page"].format(n="&P")


def _style(ws: Worksheet, row: int, columns: int, name: str = "plan") -> None:
    for column in range(1, columns + 1):
        ws.cell(row, column).style = name


def _header(ws: Worksheet, row: int, labels: Sequence[str], rowspan: int = 1) -> None:
    for column, label in enumerate(labels, start=1):
        if rowspan > 1:
            ws.merge_cells(
                start_row=row, start_column=column, end_row=row + rowspan - 1, end_column=column
            )
        ws.cell(row, column, label)


def _pd01(ws: Worksheet, doc: PlanDocument) -> None:
    labels = pd01_columns(doc.top_level)
    top = _titles(ws, doc, "pd01", TEXT["pd01_title"], len(labels))
    _header(ws, top, labels)
    _style(ws, top, len(labels), "plan-head")
    row = top + 1

    def put(item: SummaryRow, *, indent: bool, bold: bool) -> None:
        nonlocal row
        values = (
            ("    " if indent else "") + item.title,
            item.count,
            item.count_pct / 100,
            baht(item.satang),
            item.budget_pct / 100,
            ", ".join(item.units),
        )
        kinds = (
            ("band", "band", "pct-bold", "baht-bold", "pct-bold", "band")
            if bold
            else (
                "",
                "",
                "pct",
                "baht",
                "pct",
                "",
            )
        )
        for column, (value, kind) in enumerate(zip(values, kinds, strict=True), start=1):
            ws.cell(row, column, value).style = f"plan-{kind}" if kind else "plan"
        row += 1

    for strategy in doc.summary.strategies:
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(labels))
        ws.cell(row, 1, strategy.title)
        _style(ws, row, len(labels), "plan-bold")
        row += 1
        for area in strategy.areas:
            put(area, indent=True, bold=False)
        put(strategy.subtotal, indent=False, bold=True)
    put(doc.summary.total, indent=False, bold=True)
    _print_setup(ws, f"{top}:{top}", (48, 14, 16, 18, 16, 40))


LINE_STYLES = {1: "plan-no", 4: "plan-baht"}


def _listing(ws: Worksheet, doc: PlanDocument, sections: Sequence[Section], form: Form) -> None:
    """ผด.02 / ผด.02/1: six columns, the optional ones, then the twelve months."""
    first = PD02_COLUMNS if form is Form.PD02 else PD021_COLUMNS
    labels = [TEXT[k] for k in first]
    labels += list(doc.extra_columns)
    month_col = len(labels) + 1
    width = month_col + 11
    title = TEXT["pd02_title" if form is Form.PD02 else "pd021_title"]
    top = _titles(ws, doc, "pd02" if form is Form.PD02 else "pd021", title, width)
    _header(ws, top, labels, rowspan=3)
    years = doc.heading.years
    ws.merge_cells(start_row=top, start_column=month_col, end_row=top, end_column=month_col + 11)
    ws.cell(top, month_col, TEXT["months_word"])
    ws.merge_cells(
        start_row=top + 1, start_column=month_col, end_row=top + 1, end_column=month_col + 2
    )
    ws.cell(top + 1, month_col, years[0])
    ws.merge_cells(
        start_row=top + 1, start_column=month_col + 3, end_row=top + 1, end_column=month_col + 11
    )
    ws.cell(top + 1, month_col + 3, years[1])
    for i, month in enumerate(doc.months):
        ws.cell(top + 2, month_col + i, month)
    for r in range(top, top + 3):
        _style(ws, r, width, "plan-head")
    row = top + 3
    if not sections:
        ws.cell(row, 2, TEXT["none"])
    for section in sections:
        for text in filter(None, (section.title, section.subtitle)):
            ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
            ws.cell(row, 1, text)
            _style(ws, row, width, "plan-band")
            row += 1
        for group in section.groups:
            ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
            ws.cell(row, 1, group.title)
            _style(ws, row, width, "plan-bold")
            row += 1
            for line in group.lines:
                title = line.title + (f" *{line.mark}" if line.mark else "")
                unit = line.unit_text + (
                    f" ({TEXT['other_agency_tag']})" if line.agency is not None else ""
                )
                values = [line.no, title, line.details, baht(line.satang), line.location, unit]
                for column, value in enumerate([*values, *line.extras], start=1):
                    ws.cell(row, column, value).style = LINE_STYLES.get(column, "plan")
                for m in range(12):
                    if m in line.months:
                        ws.cell(row, month_col + m, MONTH_MARK).style = "plan-bar"
                    else:
                        ws.cell(row, month_col + m).style = "plan"
                row += 1
            _style(ws, row, width, "plan-bold")
            ws.cell(row, 3, TEXT["subtotal"]).style = "plan-total"
            ws.cell(row, 4, baht(group.satang)).style = "plan-baht-bold"
            row += 1
    widths = [5, 36, 44, 16, 22, 22, *([16] * len(doc.extra_columns)), *([5.5] * 12)]
    _print_setup(ws, f"{top}:{top + 2}", widths)
    ws.freeze_panes = f"C{top + 3}"

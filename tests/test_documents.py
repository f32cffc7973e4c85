"""The documents read back: the workbook with openpyxl, the PDF's text with PDFium.

A made-up plan (``documents.sample``) with unique titles, other agencies' projects and
equipment, as a draft (stamped) and as announced (not stamped): totals, percentages adding
up to 100.00, every project exactly once, the month bars in the right columns, Thai text
that comes back out of the PDF, and the fonts embedded.
"""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from typing import Any

import pytest

from documents.model import Form, PlanDocument, build_plan
from documents.pdf import render_pdf, runs
from documents.phone import render_html
from documents.sample import SAMPLE_ORG, sample_rows
from documents.xlsx import render_xlsx
from models.document_settings import DocumentSettings, ExtraColumn
from tests.documents_check import (
    embedded_fonts,
    listing_rows,
    pdf_pages,
    satang,
    squeeze,
    workbook,
)

COUNT = 60


def rows() -> list[dict[str, Any]]:
    made = sample_rows(COUNT)
    for row in made:
        row["title"] = f"{row['title']} ({row['seq']})"
    return made


def plan(*, draft: int | None = None, settings: DocumentSettings | None = None) -> PlanDocument:
    return build_plan(
        rows(),
        fiscal_year=2569,
        org=SAMPLE_ORG,
        settings=settings or DocumentSettings(org_id=0),
        stamp=f"ร่าง (ร่างที่ {draft})" if draft else None,
    )


@cache
def draft_pdf() -> bytes:
    return render_pdf(plan(draft=2))


@cache
def announced_pdf() -> bytes:
    return render_pdf(plan())


# -- the model -------------------------------------------------------------------------------


def test_numbering_restarts_under_each_plan_area_and_every_row_is_placed_once() -> None:
    doc = plan()
    for section in (*doc.projects, *doc.equipment):
        for group in section.groups:
            assert [line.no for line in group.lines] == list(range(1, len(group.lines) + 1))
    assert sorted(line.ref for line in doc.all_lines) == sorted(r["number"] for r in rows())
    assert doc.equipment and all(line.title for line in doc.all_lines)


def test_the_summary_percentages_add_up_to_exactly_100() -> None:
    summary = plan().summary
    areas = [a for s in summary.strategies for a in s.areas]
    for key in ("count_pct", "budget_pct"):
        assert sum(getattr(a, key) for a in areas) == 10_000
        assert sum(getattr(s.subtotal, key) for s in summary.strategies) == 10_000
    assert summary.total.satang == sum(r["budget_satang"] for r in rows())
    assert summary.total.count == COUNT


def test_the_middle_level_goes_between_strategy_and_plan_area() -> None:
    made = rows()
    for row in made:
        row["approach_no"], row["approach_name"] = (row["seq"] % 2) + 1, "พัฒนาแหล่งน้ำ"
    settings = DocumentSettings(org_id=0, middle_level="แนวทางการพัฒนา")
    doc = build_plan(made, fiscal_year=2569, org=SAMPLE_ORG, settings=settings)
    subtitles = {s.subtitle for s in doc.projects}
    assert "แนวทางการพัฒนาที่ 1.1 พัฒนาแหล่งน้ำ" in subtitles
    assert all(s.subtitle for s in doc.projects)


def test_the_org_writes_its_own_part1_and_signatures() -> None:
    settings = DocumentSettings(
        org_id=0,
        part1={"intro": "{org} จัดทำแผนปี {fy} ด้วยความร่วมมือของประชาคม"},
        signatures=[{"label": "ผู้ตรวจ", "name": "นางเอ บี", "position": "ปลัด อบต."}],
    )
    doc = plan(settings=settings)
    assert doc.part1[0].paragraphs == (
        "องค์การบริหารส่วนตำบลหนองแวง จัดทำแผนปี 2569 ด้วยความร่วมมือของประชาคม",
    )
    assert doc.part1[1].paragraphs[0].startswith("1. เพื่อแสดงแผนงาน")  # the default stays
    assert [(s.label, s.name) for s in doc.signatures] == [("ผู้ตรวจ", "นางเอ บี")]


# -- the workbook ------------------------------------------------------------------------------


def test_the_workbook_has_every_project_once_with_its_budget_and_month_bars() -> None:
    doc = plan()
    book = workbook(render_xlsx(doc))
    assert book.sheetnames == ["ผด.01", "ผด.02", "ผด.02-1"]
    found = listing_rows(book["ผด.02"], doc) + listing_rows(book["ผด.02-1"], doc)
    by_title = {r["title"]: r for r in found}
    assert len(found) == len(by_title) == COUNT
    for row in rows():
        got = by_title[row["title"]]
        assert satang(got["budget"]) == row["budget_satang"]
        fiscal = {(m - 10) % 12 for m in row["months"]}
        assert got["months"] == got["filled"] == fiscal, row["title"]
    assert sum(satang(r["budget"]) for r in found) == doc.summary.total.satang


def test_the_workbook_summary_adds_up() -> None:
    sheet = workbook(render_xlsx(plan(), Form.PD01))["ผด.01"]
    values = [[sheet.cell(r, c).value for c in range(1, 7)] for r in range(1, sheet.max_row + 1)]
    areas = [v for v in values if isinstance(v[0], str) and v[0].startswith("    ")]
    subtotals = [v for v in values if v[0] == "รวม"]
    total = next(v for v in values if v[0] == "รวมทั้งสิ้น")
    for column in (2, 4):  # percentages of projects and of budget
        assert sum(Decimal(str(v[column])) for v in areas) == Decimal("100.00")
        assert sum(Decimal(str(v[column])) for v in subtotals) == Decimal("100.00")
    assert sum(satang(v[3]) for v in areas) == satang(total[3])
    assert total[1] == COUNT
    assert isinstance(total[3], float | int)  # a number, so Excel sums it


def test_the_workbook_prints_landscape_a4_with_the_header_rows_repeated() -> None:
    doc = plan(settings=DocumentSettings(org_id=0, extra_columns=[ExtraColumn.PROCUREMENT]))
    sheet = workbook(render_xlsx(doc))["ผด.02"]
    assert sheet.page_setup.orientation == "landscape"
    assert str(sheet.page_setup.paperSize) == "9"  # A4
    assert sheet.print_title_rows == "$6:$8"
    merged = {str(r) for r in sheet.merged_cells.ranges}
    # the optional column shifts the month grid: ระยะเวลา over H:S, the two years under it
    assert {"H6:S6", "H7:J7", "K7:S7"} <= merged
    assert sheet.cell(6, 7).value == "วิธีดำเนินการ"
    assert [sheet.cell(7, 8).value, sheet.cell(7, 11).value] == ["พ.ศ. 2568", "พ.ศ. 2569"]
    assert sheet.column_dimensions["B"].width > 20


# -- the PDF ---------------------------------------------------------------------------------------


def test_the_pdf_has_every_project_exactly_once_and_the_totals() -> None:
    pages = pdf_pages(announced_pdf())
    text = squeeze("\n".join(pages))
    for row in rows():
        assert text.count(squeeze(row["title"])) == 1, row["title"]
    doc = plan()
    total = f"{doc.summary.total.satang // 100:,}"
    assert total in text
    assert "100.00" in text
    for year in ("พ.ศ.2568", "พ.ศ.2569"):
        assert year in text


def test_the_pdf_text_is_thai_and_its_fonts_are_embedded() -> None:
    pages = pdf_pages(announced_pdf())
    assert "แผนการดำเนินงานประจำปีงบประมาณพ.ศ.2569" in squeeze(pages[1])
    assert "องค์การบริหารส่วนตำบลหนองแวง" in squeeze(pages[1])
    fonts = embedded_fonts(announced_pdf())
    assert fonts and all(fonts.values()), fonts
    assert all("Sarabun" in name for name in fonts)


def test_a_draft_is_stamped_on_every_page_and_the_announced_plan_is_not() -> None:
    draft = pdf_pages(draft_pdf())
    assert all("ร่าง(ร่างที่2)" in squeeze(page) for page in draft)
    assert not any("ร่างที่" in page for page in pdf_pages(announced_pdf()))


def test_page_numbers_and_the_header_on_every_page_after_the_cover() -> None:
    pages = pdf_pages(announced_pdf())
    for number, page in enumerate(pages[1:], start=2):
        flat = squeeze(page)
        assert f"หน้า{number}" in flat
        assert "อำเภอภูเวียงจังหวัดขอนแก่น" in flat


@pytest.mark.parametrize(
    ("months", "expected"),
    [({0, 1, 2}, [(0, 3)]), ({11}, [(11, 1)]), ({0, 2, 3, 11}, [(0, 1), (2, 2), (11, 1)])],
)
def test_month_bars_are_runs_of_the_months(months: set[int], expected: list[Any]) -> None:
    assert runs(months) == expected


def test_the_pdf_month_bars_cover_the_right_months() -> None:
    """Each bar against the month headings above it (ต.ค. … ก.ย., one equal column each)."""
    made = rows()[:3]
    for row, months in zip(made, ([10, 11, 12], [1], [12, 1, 2, 3, 9]), strict=True):
        row.update(months=months, strategy_no=1, area_no=1, equipment=False)
    doc = build_plan(made, fiscal_year=2569, org=SAMPLE_ORG, settings=DocumentSettings(org_id=0))
    expected = [runs(line.months) for line in doc.all_lines]
    bars, centers, width = _bars_and_month_columns(render_pdf(doc, Form.PD02))
    found = []
    for _top, row_bars in sorted(bars.items(), reverse=True):  # top of the page first
        spans = []
        for left, right in sorted(row_bars):
            start = min(range(12), key=lambda i: abs(centers[i] - width / 2 - left))
            spans.append((start, round((right - left) / width)))
        found.append(spans)
    assert found == expected


def _bars_and_month_columns(
    pdf: bytes,
) -> tuple[dict[int, list[tuple[float, float]]], list[float], float]:
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    from documents.texts import MONTHS_ABBR

    document = pdfium.PdfDocument(pdf)
    page = document[0]
    text = page.get_textpage()
    centers = []
    searcher: Any = None
    for month in MONTHS_ABBR:
        searcher = text.search(month, match_whole_word=True)
        index, count = searcher.get_next()
        left, _b, _r, _t = text.get_charbox(index)
        _l, _b, right, _t = text.get_charbox(index + count - 1)
        centers.append((left + right) / 2)
    width = (centers[-1] - centers[0]) / 11
    bars: dict[int, list[tuple[float, float]]] = {}
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_PATH]):
        left, bottom, right, top = obj.get_bounds()
        if 3 < top - bottom < 5 and right - left > width / 2:  # the 4 pt bars, not cell lines
            bars.setdefault(round(top), []).append((left, right))
    for item in (searcher, text, page, document):
        item.close()
    return bars, centers, width


# -- the phone page ----------------------------------------------------------------------------


def test_the_phone_page_has_every_project_once_and_no_scripts() -> None:
    doc = plan(draft=1)
    page = render_html(doc).decode()
    for row in rows():
        assert page.count(f'data-ref="{row["number"]}"') == 1
    assert "<script" not in page and "http" not in page
    assert "ร่าง (ร่างที่ 1)" in page

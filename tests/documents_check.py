"""Reading the documents back as a person's tools would: openpyxl for the workbook, PDFium
(the engine of Chrome's viewer) for the PDF's text, pypdf for its fonts."""

from __future__ import annotations

import io
import re
from decimal import Decimal
from typing import Any

import openpyxl
import pypdf
import pypdfium2 as pdfium

from documents.model import PlanDocument

# typst writes one /ToUnicode entry per glyph, and for a glyph first met inside a Thai
# cluster with stacked marks (ตั้, ริ่, ธิ์) it maps the whole cluster, so extracted text
# repeats that cluster (ตั้ตั้ง): typst issues #7610/#8767. The page shows the right text;
# copying it gives the repeat. Undo exactly that repeat before comparing.
_REPEATED_CLUSTER = re.compile(r"([ก-ฮ][\u0e31\u0e34-\u0e3a\u0e47-\u0e4e]{2,})\1")


def pdf_pages(pdf: bytes) -> list[str]:
    document = pdfium.PdfDocument(pdf)
    try:
        return [
            _REPEATED_CLUSTER.sub(r"\1", page.get_textpage().get_text_range()) for page in document
        ]
    finally:
        document.close()


def squeeze(text: str) -> str:
    """Text without any white space: line breaks fall anywhere in a table cell."""
    return re.sub(r"\s+", "", text)


def embedded_fonts(pdf: bytes) -> dict[str, bool]:
    """Each font the PDF uses, and whether its glyphs are embedded (FontFile2/3)."""
    found: dict[str, bool] = {}
    for page in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        fonts = page.get("/Resources", {}).get("/Font", {})
        for ref in fonts.values():
            font = ref.get_object()
            descendants = font.get("/DescendantFonts")
            target = descendants[0].get_object() if descendants else font
            descriptor = target.get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor else {}
            found[str(font.get("/BaseFont"))] = any(
                k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")
            )
    return found


def workbook(data: bytes) -> Any:
    return openpyxl.load_workbook(io.BytesIO(data))


def satang(value: Any) -> int:
    return int(Decimal(str(value)) * 100)


def listing_rows(sheet: Any, doc: PlanDocument) -> list[dict[str, Any]]:
    """The project rows of a ผด.02/ผด.02/1 sheet: number, title, budget and marked months."""
    header = next(r for r in range(1, 12) if sheet.cell(r, 1).value == "ที่")
    month_col = 7 + len(doc.extra_columns)
    rows = []
    for r in range(header + 3, sheet.max_row + 1):
        no = sheet.cell(r, 1).value
        if isinstance(no, int):
            rows.append(
                {
                    "no": no,
                    "title": sheet.cell(r, 2).value,
                    "budget": sheet.cell(r, 4).value,
                    "months": {
                        i for i in range(12) if sheet.cell(r, month_col + i).value not in (None, "")
                    },
                    "filled": {
                        i
                        for i in range(12)
                        if sheet.cell(r, month_col + i).fill.fgColor.rgb not in (None, "00000000")
                    },
                }
            )
    return rows

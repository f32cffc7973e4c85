"""Make the README's pictures: the phone page at 390 px (headless Chromium) and the first
pages of a 300-project made-up plan as PNG (pdftoppm). Needs Debian's chromium and
poppler-utils: ``uv run python docs/pictures.py``."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from documents.pdf import render_pdf
from documents.phone import render_html
from documents.sample import sample_plan
from tests.headless import browser_page

HERE = Path(__file__).resolve().parent
PAGES = (1, 2, 3, 5, 12)  # cover, contents, ส่วนที่ 1, ผด.01, a page of ผด.02


async def phone(doc_html: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        page_file = Path(tmp) / "plan.html"
        page_file.write_bytes(doc_html)
        async with browser_page() as page:
            await page.open(page_file.as_uri(), 390, 844)
            await page.screenshot(HERE / "phone-page.png")
            await page.evaluate("document.getElementById('pd02').scrollIntoView()")
            await page.screenshot(HERE / "phone-page-projects.png")


def pdf_pages(pdf: bytes, pages: tuple[int, ...]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "plan.pdf"
        source.write_bytes(pdf)
        for number in pages:
            target = HERE / f"plan-page-{number:02d}"
            page = ["-f", str(number), "-l", str(number), "-singlefile"]
            subprocess.run(
                ["pdftoppm", "-r", "60", *page, "-png", str(source), str(target)], check=True
            )


def main() -> None:
    doc = sample_plan(300, draft=1)
    asyncio.run(phone(render_html(doc)))
    pdf_pages(render_pdf(doc), PAGES)


if __name__ == "__main__":
    main()

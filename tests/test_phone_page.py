"""The phone page in a real browser at a phone's width (390 px): nothing scrolls sideways,
every project is there. Skipped without Chromium locally; under CI=true it must run."""

from __future__ import annotations

from pathlib import Path

import pytest

from documents.phone import render_html
from documents.sample import sample_plan
from tests.conftest import IN_CI
from tests.headless import browser_page, chromium

PHONE = (390, 844)


@pytest.fixture
def browser_present() -> None:
    if chromium() is None:
        if IN_CI:
            pytest.fail("Chromium is required under CI=true (.ci/run installs it)")
        pytest.skip("Chromium not installed (apt-get install chromium)")


async def test_the_phone_page_fits_a_phone_and_shows_every_project(
    browser_present: None, tmp_path: Path
) -> None:
    doc = sample_plan(120, draft=3)
    page_file = tmp_path / "plan.html"
    page_file.write_bytes(render_html(doc))
    async with browser_page() as page:
        await page.open(page_file.as_uri(), *PHONE)
        widths = await page.evaluate(
            "[document.documentElement.scrollWidth, document.body.scrollWidth, window.innerWidth]"
        )
        cards = await page.evaluate(
            "Array.from(document.querySelectorAll('article.card')).map(a => a.dataset.ref)"
        )
        overflowing = await page.evaluate(
            "Array.from(document.querySelectorAll('main *'))"
            ".filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5).length"
        )
        stamp = await page.evaluate("document.querySelector('.stamp').innerText")
        await page.screenshot(tmp_path / "phone.png")
    document_width, body_width, viewport = widths
    assert viewport == PHONE[0]
    assert document_width <= viewport and body_width <= viewport
    assert overflowing == 0
    assert sorted(cards) == sorted(line.ref for line in doc.all_lines)
    assert stamp == "ร่าง (ร่างที่ 3)"

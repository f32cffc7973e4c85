"""The documents in chat: the vote request and ผลการพิจารณา carry ดูร่าง and the PDF; เอกสาร picks
an edition, a form and a format; LINE gets a signed link with the cover as a preview image,
Telegram the file itself."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from bot.channels.line import render
from bot.channels.telegram import render as telegram_render
from bot.runtime import Runtime
from handlers.messages import Document
from models.enums import ProjectStatus
from tests.chat import RecordingDriver
from tests.documents_check import pdf_pages, squeeze, workbook
from tests.flows import (
    accept_all,
    add_projects,
    approve_today,
    audit_actions,
    make_draft,
    open_fy_round,
    propose,
    queued,
    vote,
)


async def _proposed(demo: Runtime) -> RecordingDriver:
    chat = RecordingDriver(demo)
    edition_id = await open_fy_round(demo)
    await add_projects(demo, edition_id, [150_000, 90_000], status=ProjectStatus.SUBMITTED)
    await accept_all(chat)
    await make_draft(chat)
    await propose(chat)
    return chat


def _documents(messages: list[Any]) -> list[Document]:
    return [m for m in messages if isinstance(m, Document)]


async def test_the_vote_request_carries_the_phone_page_and_the_pdf(demo: Runtime) -> None:
    await _proposed(demo)
    (messages,) = await queued(demo, "draft-proposed:", "c1")
    page, pdf = _documents(messages)
    root = demo.settings.documents_dir.resolve()
    assert page.filename.endswith(".html") and "ดูร่าง" in (page.caption or "")
    assert pdf.filename.endswith(".pdf") and pdf.preview is not None
    for path in (page.path, pdf.path, pdf.preview):
        assert Path(path).is_file() and Path(path).is_relative_to(root)
    assert "ร่าง(ร่างที่1)" in squeeze(pdf_pages(Path(pdf.path).read_bytes())[1])
    assert "ร่าง (ร่างที่ 1)" in Path(page.path).read_text()
    # every member got the same files: rendered once
    assert {d.path for m in await queued(demo, "draft-proposed:") for d in _documents(m)} == {
        page.path,
        pdf.path,
    }


async def test_the_tally_carries_the_draft_too(demo: Runtime) -> None:
    chat = await _proposed(demo)
    await vote(chat, demo, "c1", "เห็นชอบ")
    await chat.say("officer", "ผลการพิจารณา")
    names = [d.filename for d in _documents(chat.last["officer"])]
    assert [Path(n).suffix for n in names] == [".html", ".pdf"]


async def test_documents_picks_edition_form_and_format(demo: Runtime) -> None:
    chat = await _proposed(demo)
    for who in ("c1", "c2", "c3", "c4", "c5"):
        await vote(chat, demo, who, "เห็นชอบ")
    await approve_today(chat)
    out = await chat.say("c2", "เอกสาร")
    assert "แผนที่ประกาศใช้ ปี 2569 (ฉบับรวม)" in chat.buttons("c2"), out
    await chat.press("c2", "แผนที่ประกาศใช้ ปี 2569 (ฉบับรวม)")
    assert {"ทั้งฉบับ", "ผด.01", "ผด.02", "ผด.02/1", "ประกาศ"} <= set(chat.buttons("c2"))
    await chat.press("c2", "ผด.02")
    assert chat.buttons("c2") == ["PDF", "Excel (XLSX)", "หน้าเว็บ (โทรศัพท์)"]
    await chat.press("c2", "Excel (XLSX)")
    (sent,) = _documents(chat.last["c2"])
    assert sent.filename == "แผนการดำเนินงาน-2569-ผด.02.xlsx"
    book = workbook(Path(sent.path).read_bytes())
    assert book.sheetnames == ["ผด.02"]
    await chat.say("mayor", "/export")
    await chat.press("mayor", "แผนที่ประกาศใช้ ปี 2569 (ฉบับรวม)")
    await chat.press("mayor", "ประกาศ")
    await chat.press("mayor", "PDF")
    (announcement,) = _documents(chat.last["mayor"])
    text = squeeze("".join(pdf_pages(Path(announcement.path).read_bytes())))
    assert "ประกาศองค์การบริหารส่วนตำบลหนองแวง" in text and "ข้อ26" in text


async def test_a_submitter_is_refused_and_audited(demo: Runtime) -> None:
    chat = RecordingDriver(demo)
    out = await chat.say("agency", "เอกสาร")
    assert "⛔" in out
    assert [e.action for e in await audit_actions(demo, "denied:plan.documents")] == [
        "denied:plan.documents"
    ]


def test_line_shows_the_cover_above_the_link_and_telegram_sends_the_file(tmp_path: Path) -> None:
    pdf, cover = tmp_path / "plan.pdf", tmp_path / "cover.png"
    pdf.write_bytes(b"%PDF-1.7")
    cover.write_bytes(b"\x89PNG")
    document = Document(str(pdf), "แผน.pdf", "ร่างที่ 1", str(cover))
    ctx = render.RenderContext(
        today=date(2025, 10, 1),
        link_for=lambda d: f"https://planbot.example.go.th/d/{Path(d.path).name}",
    )
    image, bubble = render.render_one(document, ctx)
    assert image == {
        "type": "image",
        "originalContentUrl": "https://planbot.example.go.th/d/cover.png",
        "previewImageUrl": "https://planbot.example.go.th/d/cover.png",
    }
    assert bubble["type"] == "flex"
    no_links = render.RenderContext(today=date(2025, 10, 1), link_for=lambda _d: None)
    assert [m["type"] for m in render.render_one(document, no_links)] == ["text"]
    (sent,) = telegram_render.render([document])
    assert isinstance(sent, telegram_render.FileOut)
    assert (sent.path, sent.filename, sent.photo) == (pdf, "แผน.pdf", False)

"""Documents from the database: a draft the committee votes on, the edition the executive
announced, the consolidated plan after an amendment, stored once, and ``planbot export``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from bot.cli import app
from bot.runtime import Runtime
from documents import store
from documents.load import SourceError, find_source, load_document
from documents.model import Form
from documents.store import Format, obtain
from models import db
from models.editions import ChangeSpec, amend
from models.enums import ProjectStatus
from models.org import Organization
from models.plan import OperationalPlan, Project
from tests.documents_check import listing_rows, pdf_pages, squeeze, workbook
from tests.flows import (
    accept_all,
    add_projects,
    approve_today,
    make_draft,
    open_fy_round,
    propose,
    vote,
)

BUDGETS = [150_000, 80_000, 2_500_000]


async def _announced_plan(chat: Any, rt: Runtime) -> int:
    """Round → three accepted projects → ร่างที่ 1 → five votes → announced. The org's id."""
    edition_id = await open_fy_round(rt)
    await add_projects(rt, edition_id, BUDGETS, status=ProjectStatus.SUBMITTED)
    await accept_all(chat)
    await make_draft(chat)
    await propose(chat)
    for who in ("c1", "c2", "c3", "c4", "c5"):
        await vote(chat, rt, who, "เห็นชอบ")
    await approve_today(chat)
    async with rt.sessions() as session:
        org = (await session.exec(select(Organization))).one()
        assert org.id is not None
        return org.id


@pytest.fixture
async def announced(demo: Runtime) -> int:
    from tests.chat import RecordingDriver

    return await _announced_plan(RecordingDriver(demo), demo)


async def test_the_draft_the_committee_saw_is_stamped_with_its_number(
    demo: Runtime, announced: int
) -> None:
    async with demo.sessions() as session:
        source = await find_source(session, announced, 2569, draft=1)
        doc = await load_document(session, source)
    assert doc.heading.stamp == "ร่าง (ร่างที่ 1)"
    assert [line.satang for line in doc.all_lines] == [b * 100 for b in BUDGETS]
    assert doc.announcements == ()
    assert [s.name for s in doc.signatures][3] == "นายประสิทธิ์ มั่นคง"  # the demo's executive


async def test_the_announced_plan_has_its_announcement_and_no_stamp(
    demo: Runtime, announced: int
) -> None:
    async with demo.sessions() as session:
        doc = await load_document(session, await find_source(session, announced, 2569))
    assert doc.heading.stamp is None
    (ann,) = doc.announcements
    assert ann.title == "ประกาศองค์การบริหารส่วนตำบลหนองแวง"
    assert ann.subject == "เรื่อง แผนการดำเนินงาน ประจำปีงบประมาณ พ.ศ. 2569"
    body = " ".join(ann.paragraphs)
    assert "ข้อ 26" in body and "(ฉบับที่ 2) พ.ศ. 2559" in body
    assert "1 ตุลาคม 2568 ถึงวันที่ 30 กันยายน 2569" in body
    assert "แผนพัฒนาท้องถิ่น (พ.ศ. 2566–2570)" in body
    assert "3 โครงการ งบประมาณรวม 2,730,000 บาท" in body
    assert ann.date_line == "ประกาศ ณ วันที่ 1 ตุลาคม 2568"
    assert ann.signer == "(นายประสิทธิ์ มั่นคง)"


async def test_an_amendment_is_marked_in_the_consolidated_plan_with_its_own_announcement(
    demo: Runtime, announced: int
) -> None:
    async with db.transaction(demo.sessions) as session:
        plan = (await session.exec(select(OperationalPlan))).one()
        road = (await session.exec(select(Project).order_by(Project.seq))).first()
        assert road is not None and road.id is not None
        await amend(
            session,
            demo.clock,
            demo.days_off,
            plan=plan,
            specs=[ChangeSpec(road.id, "ราคาวัสดุสูงขึ้น", "budget_satang", 18_000_000)],
            by_id=None,
        )
    async with demo.sessions() as session:
        consolidated = await load_document(session, await find_source(session, announced, 2569))
        amendment = await load_document(
            session, await find_source(session, announced, 2569, edition="แก้ไข 1")
        )
    marked = [line for line in consolidated.all_lines if line.mark]
    assert [(line.title, line.mark, line.satang) for line in marked] == [
        ("โครงการที่ 1", "แก้ไข ครั้งที่ 1/2569", 18_000_000)
    ]
    assert len(consolidated.announcements) == 2
    (ann,) = amendment.announcements
    assert ann.subject.endswith("แก้ไข ครั้งที่ 1/2569")
    assert ann.changes == (
        "1. โครงการที่ 1: งบประมาณ จาก 150,000 บาท เป็น 180,000 บาท — เหตุผลความจำเป็น: ราคาวัสดุสูงขึ้น",
    )


async def test_asking_for_what_does_not_exist_says_so_in_thai(
    demo: Runtime, announced: int
) -> None:
    async with demo.sessions() as session:
        for kwargs, words in (
            ({"draft": 9}, "ไม่พบร่างที่ 9"),
            ({"edition": "เพิ่มเติม 4"}, "ไม่พบฉบับ"),
            ({"edition": "ฉบับที่สอง"}, "อ่านฉบับ"),
        ):
            with pytest.raises(SourceError, match=words):
                await find_source(session, announced, 2569, **kwargs)
        with pytest.raises(SourceError, match="ยังไม่มีแผนการดำเนินงาน"):
            await find_source(session, announced, 2570)


async def test_a_document_is_rendered_once_and_then_served_from_the_store(
    demo: Runtime, announced: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = []
    real = store.renderer

    def counting(fmt: Format) -> Any:
        made.append(fmt)
        return real(fmt)

    monkeypatch.setattr(store, "renderer", counting)
    async with demo.sessions() as session:
        source = await find_source(session, announced, 2569, draft=1)
        paths = {
            (await obtain(session, tmp_path, source, Form.WHOLE, Format.PDF)).path
            for _ in range(10)
        }
    (path,) = paths
    assert made == [Format.PDF]
    assert path.is_relative_to(tmp_path) and path.read_bytes().startswith(b"%PDF")
    assert any("ร่าง(ร่างที่1)" in squeeze(page) for page in pdf_pages(path.read_bytes()))


def test_export_writes_the_workbook(demo: Runtime, announced: int, tmp_path: Path) -> None:
    out = tmp_path / "plan.xlsx"
    result = CliRunner().invoke(
        app,
        ["export", "--org", "หนองแวง", "--fy", "2569", "--format", "xlsx", "--out", str(out)],
        env={"PLANBOT_DATABASE_URL": demo.engine.url.render_as_string(hide_password=False)},
    )
    assert result.exit_code == 0, result.output
    book = workbook(out.read_bytes())
    rows = listing_rows(book["ผด.02"], _doc_stub())
    assert [r["budget"] for r in rows] == BUDGETS


def test_export_of_a_missing_draft_is_a_clear_error(
    demo: Runtime, announced: int, tmp_path: Path
) -> None:
    result = CliRunner().invoke(
        app,
        ["export", "--org", "หนองแวง", "--fy", "2569", "--draft", "7", "--out", "x.pdf"],
        env={"PLANBOT_DATABASE_URL": demo.engine.url.render_as_string(hide_password=False)},
    )
    assert result.exit_code == 2
    assert "ไม่พบร่างที่ 7" in result.output


def _doc_stub() -> Any:
    class Stub:
        extra_columns = ()

    return Stub()

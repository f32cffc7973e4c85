"""/history reads the plan's audit trail; ``planbot audit export`` writes it as CSV for Excel."""

from __future__ import annotations

import asyncio
import csv
import json
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from bot.cli import app
from bot.runtime import Runtime
from models import audit, db
from models.audit_export import COLUMNS
from models.org import Organization
from models.plan import Edition
from tests.flows import approve_today, post_at_the_board
from tests.test_executive import approve_button, awaiting_edition, on_screen

runner = CliRunner()


async def approve_and_post(chat: Any) -> None:
    """The executive announces today; the officer posts today at the office board."""
    await approve_today(chat)
    await post_at_the_board(chat, "วันนี้ 1 ต.ค. 2568")


async def refused_approval(chat: Any, edition_id: int) -> None:
    """The officer taps the executive's อนุมัติ: refused, with an audit row on the edition."""
    on_screen(chat, "officer", approve_button(edition_id))
    assert "⛔" in await chat.press("officer", "อนุมัติ")


async def test_history_lists_the_steps(chat: Any, demo: Runtime) -> None:
    edition_id = await awaiting_edition(demo)
    assert "ยังไม่มีประวัติ" in await chat.say("village", "ประวัติ")
    await approve_and_post(chat)
    await refused_approval(chat, edition_id)  # on the record, not in the timeline
    out = await chat.say("village", "ประวัติ")
    assert "🕘 ประวัติแผนการดำเนินงาน ปีงบประมาณ พ.ศ. 2569 — อบต.หนองแวง · 2 รายการ" in out
    posted = (
        "1 ต.ค. 2568 09:00 น. · นางสาวพิมพ์ชนก ใจดี (เจ้าหน้าที่วิเคราะห์นโยบายและแผน)\n"
        "   บันทึกการปิดประกาศ · ฉบับแรก"
    )
    approved = "1 ต.ค. 2568 09:00 น. · นายประสิทธิ์ มั่นคง (ผู้บริหารท้องถิ่น)\n   อนุมัติและประกาศใช้ · ฉบับแรก"
    assert posted in out and approved in out
    assert out.index(posted) < out.index(approved)  # the newest first
    assert "denied" not in out


async def test_history_pages_and_shows_unknown_codes_raw(chat: Any, demo: Runtime) -> None:
    edition_id = await awaiting_edition(demo)
    async with db.transaction(demo.sessions) as session:
        found = await session.get(Edition, edition_id)
        for n in range(12):
            await audit.record(
                session, demo.clock, "edition.custom_step", obj=found, after={"n": n}
            )
    out = await chat.say("mayor", "/history")
    assert "12 รายการ (ล่าสุดก่อน) · หน้า 1/2" in out
    assert out.count("edition.custom_step · ฉบับแรก") == 10
    assert "ระบบ" in out  # no person: the system did it
    assert chat.buttons("mayor") == ["ถัดไป"]
    out = await chat.press("mayor", "ถัดไป")
    assert "หน้า 2/2" in out and out.count("edition.custom_step") == 2
    assert chat.buttons("mayor") == ["ก่อนหน้า"]


def _export(url: str, *args: str) -> Any:
    return runner.invoke(
        app, ["audit", "export", *args], env={"PLANBOT_DATABASE_URL": url}, catch_exceptions=False
    )


async def test_audit_export_writes_csv_for_excel(
    chat: Any, demo: Runtime, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.chat import RecordingDriver

    if not isinstance(chat, RecordingDriver):
        pytest.skip("the export reads the database: one chat driver is enough")
    monkeypatch.chdir(tmp_path)  # no stray .env
    edition_id = await awaiting_edition(demo)
    await approve_and_post(chat)
    await refused_approval(chat, edition_id)
    out = tmp_path / "audit-2569.csv"

    result = await asyncio.to_thread(
        _export, database_url, "--org", "หนองแวง", "--fy", "2569", "--out", str(out)
    )
    assert result.exit_code == 0, result.output
    assert "เขียนบันทึกการตรวจสอบ" in result.output and str(out) in result.output
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM: Excel reads UTF-8 Thai
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    header, body = rows[0], [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    assert tuple(header) == COLUMNS  # Thai column heads
    assert f"{len(body)} แถว" in result.output
    actions = [row["รายการ"] for row in body]
    assert actions.count("อนุมัติและประกาศใช้") == 1 and actions.count("บันทึกการปิดประกาศ") == 1
    assert "สร้างองค์กร" in actions  # the org's own events of the year are there too
    assert "ปฏิเสธ: อนุมัติและประกาศใช้" in actions
    approve = next(row for row in body if row["รายการ"] == "อนุมัติและประกาศใช้")
    assert approve["ผู้ดำเนินการ"] == "นายประสิทธิ์ มั่นคง"
    assert approve["บทบาท"] == "ผู้บริหารท้องถิ่น" and approve["องค์กร"] == "อบต.หนองแวง"
    assert approve["เรื่อง"] == "แผนฉบับ" and approve["ช่องทาง"] == "คอนโซล"
    assert approve["วันเวลา"] == "1 ตุลาคม 2568 09:00 น."
    assert "วันที่ประกาศใช้: 1 ตุลาคม 2568" in approve["หลัง"]
    assert "ขั้น: ประกาศใช้แล้ว" in approve["หลัง"]  # codes as the regulation's words
    post = next(row for row in body if row["รายการ"] == "บันทึกการปิดประกาศ")
    assert "บอร์ดประชาสัมพันธ์ที่ทำการ" in post["หลัง"]
    assert not any("_satang" in row["หลัง"] or "{" in row["หลัง"] for row in body)

    # the same events for machines: codes, ISO times, raw JSON
    machine = await asyncio.to_thread(
        _export, database_url, "--org", "หนองแวง", "--fy", "2569", "--json"
    )
    assert machine.exit_code == 0, machine.output
    events = json.loads(machine.stdout)
    assert [e["action"] for e in events].count("plan.approve") == 1
    approved = next(e for e in events if e["action"] == "plan.approve")
    assert approved["role"] == "executive" and approved["object_type"] == "edition"
    assert approved["channel"] == "console" and approved["time"].startswith("2025-10-01T09:00")
    assert approved["after"]["announced_on"] == "2025-10-01"
    assert len(events) == len(body)

    # by id and to standard output; another year has nothing; an unknown org is an error
    async with demo.sessions() as session:
        org_id = (await session.exec(select(Organization.id))).one()
    by_id = await asyncio.to_thread(_export, database_url, "--org", str(org_id), "--fy", "2569")
    assert by_id.exit_code == 0 and "อนุมัติและประกาศใช้" in by_id.stdout
    other = await asyncio.to_thread(_export, database_url, "--org", "หนองแวง", "--fy", "2570")
    assert other.exit_code == 0 and "0 แถว" in other.output
    missing = await asyncio.to_thread(_export, database_url, "--org", "ไม่มี", "--fy", "2569")
    assert missing.exit_code == 2 and "ไม่พบองค์กร" in missing.output

"""Issue 11.8: every member can read the plan in force and a draft in chat — by strategy and
plan area, paged, each project one tap from its full card; outsiders cannot."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.runtime import Runtime
from tests.flows import accept_all, add_projects, make_draft, open_fy_round
from tests.test_executive import in_force_edition


async def test_a_member_browses_the_plan_in_force(chat: Any, demo: Runtime) -> None:
    await in_force_edition(demo, posted_on=date(2025, 10, 1))
    out = await chat.say("village", "แผนที่ประกาศใช้")
    assert "กดยุทธศาสตร์เพื่อดูรายการโครงการ" in out
    assert chat.buttons("village")[0] == "ยุทธศาสตร์ 1"
    out = await chat.press("village", "ยุทธศาสตร์ 1")
    assert "ยุทธศาสตร์ 1 การพัฒนาด้านโครงสร้างพื้นฐาน" in out
    assert "🗂 แผนงาน" in out and "\n1. " in out  # under its plan areas, numbered as ผด.02
    project = next(b for b in chat.buttons("village") if b.startswith("#"))
    out = await chat.press("village", project)
    assert "📄 เลขที่ 2569-" in out and "รายละเอียดของกิจกรรม" in out
    assert "หน่วยงานรับผิดชอบหลัก" in out and chat.buttons("village") == ["กลับไปรายการ"]
    out = await chat.press("village", "กลับไปรายการ")
    assert "ยุทธศาสตร์ 1 การพัฒนาด้านโครงสร้างพื้นฐาน" in out


async def test_a_draft_is_browsed_from_its_card_and_paged(chat: Any, demo: Runtime) -> None:
    edition = await open_fy_round(demo)
    await add_projects(demo, edition, [10_000 * (i + 1) for i in range(12)])
    await accept_all(chat)
    await make_draft(chat)
    out = await chat.press("officer", "ดูโครงการในร่าง")
    assert "ร่างที่ 1 ปีงบประมาณ พ.ศ. 2569" in out and "ดูโครงการของยุทธศาสตร์ใด" in out
    out = await chat.press("officer", "ยุทธศาสตร์ 1")
    assert "12 โครงการ" in out and "(หน้า 1/2)" in out
    assert sum(b.startswith("#") for b in chat.buttons("officer")) == 10
    out = await chat.press("officer", "ถัดไป")
    assert "(หน้า 2/2)" in out and "11. " in out  # numbering goes on within the plan area
    assert sum(b.startswith("#") for b in chat.buttons("officer")) == 2


async def test_someone_outside_the_org_cannot_read_its_plan(demo: Runtime) -> None:
    from handlers import buttons
    from handlers.browse import PLAN, VIEW
    from handlers.messages import Incoming
    from models.enums import Channel
    from tests.chat import RecordingDriver

    await in_force_edition(demo)
    chat = RecordingDriver(demo)
    press = buttons.action_button(VIEW, 1, f"{PLAN}1.1")
    out = await chat.send(Incoming(Channel.CONSOLE, "stranger", button_data=press, event_id="x1"))
    assert out == "⛔ รายการนี้สำหรับสมาชิกขององค์กรเจ้าของรายการเท่านั้น"  # no org, no projects

"""Screening (ตรวจโครงการ) in chat: accept, return with a reason, fix and resubmit, duplicate,
reclassify — as the support committee, on every channel and both databases."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot.runtime import Runtime
from models.enums import EditionState, ProjectStatus, TriggerKind
from models.plan import PlanArea, Strategy
from tests.chat import RecordingDriver
from tests.flows import (
    RECORDING_ONLY,
    add_projects,
    audit_actions,
    notices,
    open_fy_round,
    projects,
    set_edition_state,
    show_notice,
    submit,
)


async def test_accept_return_fix_resubmit_and_return_again(chat: Any, demo: Runtime) -> None:
    await open_fy_round(demo)
    await submit(chat, "agency")
    await submit(chat, "agency", title="ขุดลอกหนองสาธารณะ", budget="250000")

    out = await chat.say("s1", "ตรวจโครงการ")
    assert "📋 ตรวจโครงการ — แผนการดำเนินงาน ปีงบประมาณ พ.ศ. 2569 (ฉบับแรก) — อบต.หนองแวง" in out
    assert "รับข้อเสนอถึง 21 ต.ค. 2568 (อีก 20 วัน)" in out  # the cutoff: D−10
    assert "รอตรวจ 2 · รับเข้าแผนแล้ว 0 · ส่งกลับแก้ไข 0" in out
    assert "📄 เลขที่ 2569-001 · รอตรวจ" in out and "เสนอโดย: นายสมชาย ช่างดี" in out
    assert chat.buttons("s1")[:4] == [
        "รับเข้าแผน #1",
        "ส่งกลับแก้ไข #1",
        "แก้ยุทธศาสตร์-แผนงาน #1",
        "ซ้ำกับโครงการอื่น #1",
    ]

    out = await chat.press("s1", "รับเข้าแผน #1")
    assert "✅ รับโครงการเลขที่ 2569-001 เข้าแผนแล้ว · แจ้งผู้เสนอแล้ว" in out
    assert "รอตรวจอีก 1 โครงการ" in out
    await chat.press("s1", "ตรวจโครงการต่อ")
    out = await chat.press("s1", "ส่งกลับแก้ไข #2")
    assert "↩️ ส่งกลับแก้ไข โครงการเลขที่ 2569-002 “ขุดลอกหนองสาธารณะ”" in out
    assert "ขั้นที่ 1/1 เหตุผลที่ส่งกลับ" in out
    out = await chat.say("s1", "  ")
    assert "ขั้นที่ 1/1" in out  # an empty reason is asked again
    out = await chat.say("s1", "งบประมาณสูงกว่าราคากลาง")
    assert "เหตุผลที่ส่งกลับ: งบประมาณสูงกว่าราคากลาง" in out
    out = await chat.press("s1", "ยืนยันส่งกลับ")
    assert "↩️ ส่งโครงการเลขที่ 2569-002 กลับให้แก้ไขแล้ว — เหตุผล: งบประมาณสูงกว่าราคากลาง" in out
    assert "ตรวจครบแล้ว — รับเข้าแผน 1 โครงการ" in out and "จัดทำร่าง" in chat.buttons("s1")

    road, pond = await projects(demo)
    assert (road.status, pond.status) == (ProjectStatus.ACCEPTED, ProjectStatus.RETURNED)
    assert pond.status_reason == "งบประมาณสูงกว่าราคากลาง"
    (accepted,) = await audit_actions(demo, "project.accept")
    assert (accepted.object_id, accepted.role) == (road.id, "support_committee")
    assert accepted.before["status"] == "submitted"  # type: ignore[index]
    assert accepted.after["status"] == "accepted"  # type: ignore[index]
    (returned,) = await audit_actions(demo, "project.return")
    assert returned.after == {
        "status": "returned",
        "status_reason": "งบประมาณสูงกว่าราคากลาง",
        "duplicate_of_id": None,
    }
    told = await notices(demo, "project-screened:")
    assert [name for name, _text in told] == ["agency", "agency"]
    assert "คณะกรรมการสนับสนุนฯ รับเข้าแผนแล้ว" in told[0][1]

    # the submitter fixes it from the notice's button and sends it again
    out = await show_notice(chat, demo, "agency", f"project-screened:{pond.id}:returned")
    assert "เหตุผล: งบประมาณสูงกว่าราคากลาง" in out
    out = await chat.press("agency", "แก้ไข #2")
    assert "ส่งกลับให้แก้ไข: งบประมาณสูงกว่าราคากลาง" in out
    await chat.press("agency", "แก้ไข")
    await chat.press("agency", "งบประมาณ (บาท)")
    await chat.say("agency", "200000")
    out = await chat.press("agency", "ยืนยันแก้ไข")
    assert "✅ ส่งใหม่แล้ว เลขที่ 2569-002" in out

    # it is waiting again; a second return is notified too
    out = await chat.say("s2", "ตรวจโครงการ")
    assert "รอตรวจ 1 · รับเข้าแผนแล้ว 1 · ส่งกลับแก้ไข 0" in out and "200,000 บาท" in out
    await chat.press("s2", "ส่งกลับแก้ไข #2")
    await chat.say("s2", "กรุณาแนบแบบแปลน")
    await chat.press("s2", "ยืนยันส่งกลับ")
    returns = await notices(demo, f"project-screened:{pond.id}:returned")
    assert len(returns) == 2 and "กรุณาแนบแบบแปลน" in returns[1][1]


async def test_duplicate_and_reclassify(chat: Any, demo: Runtime) -> None:
    edition = await open_fy_round(demo)
    await add_projects(demo, edition, [150_000, 150_000])

    out = await chat.say("s1", "ตรวจโครงการ")
    out = await chat.press("s1", "ซ้ำกับโครงการอื่น #2")
    assert "🔁 โครงการเลขที่ 2569-002 “โครงการที่ 2” ซ้ำกับโครงการใด" in out
    assert chat.buttons("s1")[0] == "2569-001 โครงการที่ 1"
    out = await chat.say("s1", "2569-002")
    assert "ต้องเป็นโครงการอื่น" in out
    out = await chat.say("s1", "2569-099")
    assert "ไม่พบโครงการเลขที่ “2569-099”" in out and "เช่น 2569-001" in out
    out = await chat.say("s1", "๒๕๖๙-๐๐๑")
    assert "ซ้ำกับโครงการเลขที่: 2569-001 โครงการที่ 1" in out
    out = await chat.press("s1", "ยืนยันว่าซ้ำ")
    assert "เหตุผล: ซ้ำกับโครงการเลขที่ 2569-001" in out

    first, second = await projects(demo)
    assert (second.status, second.duplicate_of_id) == (ProjectStatus.RETURNED, first.id)
    assert second.status_reason == "ซ้ำกับโครงการเลขที่ 2569-001"
    (dup,) = await audit_actions(demo, "project.duplicate")
    assert dup.before["status"] == "submitted" and dup.after["duplicate_of_id"] == first.id  # type: ignore[index]

    out = await chat.say("s1", "ตรวจโครงการ")
    out = await chat.press("s1", "แก้ยุทธศาสตร์-แผนงาน #1")
    assert "ปัจจุบัน: ยุทธศาสตร์ 1 การพัฒนาด้านโครงสร้างพื้นฐาน · 9 แผนงานอุตสาหกรรมและการโยธา" in out
    assert "ขั้นที่ 1/2 ยุทธศาสตร์" in out
    await chat.press("s1", "2 การพัฒนาคุณภาพชีวิตและสังคม")
    out = await chat.say("s1", "สาธารณสุข")
    assert "แผนงาน: 4 แผนงานสาธารณสุข" in out
    out = await chat.press("s1", "ยืนยันแก้ไข")
    assert "✅ ปรับโครงการเลขที่ 2569-001 เป็น ยุทธศาสตร์ 2 การพัฒนาคุณภาพชีวิตและสังคม" in out
    assert "รอตรวจอีก 1 โครงการ" in out

    first, _second = await projects(demo)
    assert first.status is ProjectStatus.SUBMITTED  # reclassifying does not screen it
    async with demo.sessions() as session:
        strategy = await session.get(Strategy, first.strategy_id)
        area = await session.get(PlanArea, first.plan_area_id)
    assert (strategy.number, area.number) == (2, 4)  # type: ignore[union-attr]
    (moved,) = await audit_actions(demo, "project.reclassify")
    assert moved.after == {"strategy_id": first.strategy_id, "plan_area_id": first.plan_area_id}
    assert moved.before["strategy_id"] != first.strategy_id  # type: ignore[index]
    told = await notices(demo, f"project-screened:{first.id}:submitted")
    assert len(told) == 1 and "จัดให้อยู่ในยุทธศาสตร์ 2" in told[0][1]

    # the typed label works like the button; the same step again is stale
    out = await chat.say("s1", "รับเข้าแผน #1")
    assert "✅ รับโครงการเลขที่ 2569-001 เข้าแผนแล้ว" in out
    out = await chat.say("s1", "รับเข้าแผน #1")
    assert "ไม่พบโครงการ #1 ที่รับเข้าแผนได้" in out
    assert len(await audit_actions(demo, "project.accept")) == 1


async def test_only_the_support_committee_screens(chat: Any, demo: Runtime) -> None:
    edition = await open_fy_round(demo)
    await add_projects(demo, edition, [100_000])
    for who in ("agency", "officer", "c1"):
        out = await chat.say(who, "ตรวจโครงการ")
        assert out.startswith("⛔ คำสั่งนี้สำหรับคณะกรรมการสนับสนุนฯเท่านั้น"), out
    denied = await audit_actions(demo, "denied:project.screen")
    assert len(denied) == 3
    assert (await projects(demo))[0].status is ProjectStatus.SUBMITTED


async def test_screening_stops_when_the_round_is_under_review(chat: Any, demo: Runtime) -> None:
    edition = await open_fy_round(demo)
    await add_projects(demo, edition, [100_000])
    await set_edition_state(demo, edition, EditionState.IN_REVIEW)
    out = await chat.say("s1", "ตรวจโครงการ")
    assert "ทำรายการนี้ไม่ได้ เพราะแผนอยู่ในขั้น “คณะกรรมการพัฒนาฯ กำลังพิจารณาร่าง”" in out
    out = await chat.say("s1", "รับเข้าแผน #1")
    assert "ไม่พบโครงการ #1" in out
    assert (await projects(demo))[0].status is ProjectStatus.SUBMITTED


async def test_stale_and_foreign_buttons_change_nothing(chat: Any, demo: Runtime) -> None:
    if type(chat) is not RecordingDriver:
        pytest.skip(RECORDING_ONLY)
    edition = await open_fy_round(demo)
    await add_projects(demo, edition, [100_000, 200_000])
    await chat.say("s1", "ตรวจโครงการ")
    await chat.say("s2", "ตรวจโครงการ")
    listing = chat.last["s2"]

    # someone outside the committee with the same button data
    chat.last["agency"] = listing
    out = await chat.press("agency", "รับเข้าแผน #1")
    assert out == ("⛔ รายการนี้สำหรับคณะกรรมการสนับสนุนฯ ของ อบต.หนองแวง เท่านั้น — ไม่มีข้อมูลใดถูกบันทึก")
    assert len(await audit_actions(demo, "denied:project.screen")) == 1

    # s1 accepts; s2's list is now stale for #1
    await chat.press("s1", "รับเข้าแผน #1")
    out = await chat.press("s2", "รับเข้าแผน #1")
    assert out == "รายการนี้หมดอายุแล้ว — โครงการเลขที่ 2569-001 “รับเข้าแผนแล้ว” อยู่แล้ว"
    chat.last["s2"] = listing
    out = await chat.press("s2", "ส่งกลับแก้ไข #1")
    assert out == "รายการนี้หมดอายุแล้ว — โครงการเลขที่ 2569-001 ขณะนี้ “รับเข้าแผนแล้ว”"

    # the round moved on: every old button says why
    await set_edition_state(demo, edition, EditionState.IN_REVIEW)
    for label in ("รับเข้าแผน #2", "ส่งกลับแก้ไข #2", "แก้ยุทธศาสตร์-แผนงาน #2", "ซ้ำกับโครงการอื่น #2"):
        chat.last["s2"] = listing
        out = await chat.press("s2", label)
        assert out.startswith("รายการนี้หมดอายุแล้ว — ทำรายการนี้ไม่ได้ เพราะแผนอยู่ในขั้น"), out
    assert [p.status for p in await projects(demo)] == [
        ProjectStatus.ACCEPTED,
        ProjectStatus.SUBMITTED,
    ]
    assert len(await audit_actions(demo, "project.accept")) == 1


async def test_a_confirm_after_the_project_was_withdrawn_is_stale(chat: Any, demo: Runtime) -> None:
    await open_fy_round(demo)
    await submit(chat, "agency")
    await chat.say("s1", "ตรวจโครงการ")
    await chat.press("s1", "ส่งกลับแก้ไข #1")
    await chat.say("s1", "ขอรายละเอียดเพิ่ม")
    await chat.say("agency", "ถอน #1")
    await chat.press("agency", "ยืนยันถอน")
    out = await chat.press("s1", "ยืนยันส่งกลับ")
    assert out == "รายการนี้หมดอายุแล้ว — โครงการเลขที่ 2569-001 ขณะนี้ “ถอนแล้ว”"
    assert (await projects(demo))[0].status is ProjectStatus.WITHDRAWN
    assert await audit_actions(demo, "project.return") == []


async def test_two_members_accept_at_once_accepts_once(chat: Any, demo: Runtime) -> None:
    if type(chat) is not RecordingDriver:
        pytest.skip(RECORDING_ONLY)
    edition = await open_fy_round(demo)
    await add_projects(demo, edition, [100_000])
    await chat.say("s1", "ตรวจโครงการ")
    await chat.say("s2", "ตรวจโครงการ")
    replies = await asyncio.gather(chat.press("s1", "รับเข้าแผน #1"), chat.press("s2", "รับเข้าแผน #1"))
    assert sum("✅ รับโครงการเลขที่ 2569-001" in r for r in replies) == 1
    assert sum("อยู่แล้ว" in r for r in replies) == 1
    assert len(await audit_actions(demo, "project.accept")) == 1
    assert len(await notices(demo, "project-screened:")) == 1


async def test_long_lists_are_paged(chat: Any, demo: Runtime) -> None:
    edition = await open_fy_round(demo)
    await add_projects(demo, edition, [10_000 * n for n in range(1, 8)])
    out = await chat.say("s1", "ตรวจโครงการ")
    assert "โครงการรอตรวจ 7 โครงการ (หน้า 1/3)" in out
    assert "2569-003" in out and "2569-004" not in out
    assert "ก่อนหน้า" not in chat.buttons("s1")
    out = await chat.press("s1", "ถัดไป")
    assert "(หน้า 2/3)" in out and "📄 เลขที่ 2569-004 · รอตรวจ" in out
    out = await chat.press("s1", "ถัดไป")
    assert "(หน้า 3/3)" in out and "2569-007" in out and "ถัดไป" not in chat.buttons("s1")
    out = await chat.press("s1", "รับเข้าแผน #7")
    out = await chat.press("s1", "ตรวจโครงการต่อ")
    assert "โครงการรอตรวจ 6 โครงการ (หน้า 1/2)" in out
    out = await chat.press("s1", "ดูที่รับเข้าแผนแล้ว")
    assert "โครงการที่รับเข้าแผนแล้ว 1 โครงการ" in out and "📄 เลขที่ 2569-007 · รับเข้าแผนแล้ว" in out
    assert "รับเข้าแผน #7" not in chat.buttons("s1")
    assert {"ส่งกลับแก้ไข #7", "ดูที่รอตรวจ"} <= set(chat.buttons("s1"))


async def test_nothing_to_screen_points_to_the_next_step(chat: Any, demo: Runtime) -> None:
    edition = await open_fy_round(demo)
    out = await chat.say("s1", "ตรวจโครงการ")
    assert "✅ ไม่มีโครงการรอตรวจ" in out and chat.buttons("s1") == []
    await add_projects(demo, edition, [100_000], status=ProjectStatus.ACCEPTED)
    out = await chat.say("s1", "ตรวจโครงการ")
    assert chat.buttons("s1") == ["ดูที่รับเข้าแผนแล้ว", "จัดทำร่าง"]
    out = await chat.press("s1", "จัดทำร่าง")
    assert "✅ จัดทำร่างที่ 1 แล้ว" in out


async def test_no_round_yet(chat: Any, demo: Runtime) -> None:
    out = await chat.say("s1", "/screen")
    assert "อบต.หนองแวง: ยังไม่มีรอบการจัดทำแผน" in out


async def test_two_rounds_collecting_ask_which_first(chat: Any, demo: Runtime) -> None:
    first = await open_fy_round(demo)
    addition = await open_fy_round(demo, kind=TriggerKind.SUPPLEMENTARY_BUDGET)
    await add_projects(demo, first, [100_000])
    await add_projects(demo, addition, [200_000])
    out = await chat.say("s1", "ตรวจโครงการ")
    assert "ต้องการดำเนินการกับแผนการดำเนินงานฉบับใด" in out
    assert chat.buttons("s1") == [
        "ปีงบประมาณ พ.ศ. 2569 (ฉบับแรก) — อบต.หนองแวง",
        "ปีงบประมาณ พ.ศ. 2569 (เพิ่มเติม ครั้งที่ 1) — อบต.หนองแวง",
    ]
    out = await chat.press("s1", "ปีงบประมาณ พ.ศ. 2569 (เพิ่มเติม ครั้งที่ 1) — อบต.หนองแวง")
    assert "แผนการดำเนินงาน ปีงบประมาณ พ.ศ. 2569 (เพิ่มเติม ครั้งที่ 1)" in out
    assert "📄 เลขที่ 2569-002 · รอตรวจ" in out and "2569-001" not in out

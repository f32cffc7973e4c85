"""/status: each org's newest fiscal year, its editions, deadlines with days left, and counts."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlmodel import select

from bot.runtime import Runtime
from models import db
from models.clock import BANGKOK
from models.enums import DeadlineRule, EditionState, ProjectStatus, TriggerKind
from models.org import Organization
from models.plan import Edition
from models.rounds import open_round
from tests.flows import add_projects


async def open_round_on(rt: Runtime, trigger_date: date, kind: TriggerKind, **extra: Any) -> int:
    async with db.transaction(rt.sessions) as session:
        org = (await session.exec(select(Organization))).one()
        opened = await open_round(
            session,
            rt.clock,
            rt.days_off,
            org=org,
            fiscal_year=2569,
            trigger_kind=kind,
            trigger_date=trigger_date,
            **extra,
        )
        assert opened.edition.id is not None
        return opened.edition.id


async def update_edition(rt: Runtime, edition_id: int, **changes: Any) -> None:
    async with db.transaction(rt.sessions) as session:
        edition = await session.get(Edition, edition_id)
        assert edition is not None
        for name, value in changes.items():
            setattr(edition, name, value)


async def test_someone_who_has_not_joined_is_told_how(chat: Any) -> None:
    out = await chat.say("stranger", "สถานะ")
    assert "ยังไม่ได้เข้าร่วมองค์กรใด" in out and "เข้าร่วม" in out


async def test_an_org_without_a_round_says_who_opens_one(chat: Any) -> None:
    out = await chat.say("c3", "/status")
    assert "อบต.หนองแวง: ยังไม่มีรอบการจัดทำแผน" in out
    assert "เจ้าหน้าที่วิเคราะห์นโยบายและแผน" in out and "เปิดรอบ" in out


async def test_status_shows_stage_trigger_deadline_counts_and_budget(
    chat: Any, demo: Runtime
) -> None:
    edition = await open_round_on(demo, date(2025, 10, 1), TriggerKind.ANNUAL_BUDGET)
    await add_projects(demo, edition, [150_000, 1_500_000])
    await add_projects(demo, edition, [80_000], status=ProjectStatus.ACCEPTED)
    await add_projects(demo, edition, [20_000], status=ProjectStatus.RETURNED)
    await add_projects(demo, edition, [999_999], status=ProjectStatus.WITHDRAWN)
    out = await chat.say("mayor", "สถานะ")  # every member may look
    assert "📋 แผนการดำเนินงาน ปีงบประมาณ พ.ศ. 2569 — อบต.หนองแวง" in out
    assert "ฉบับแรก · กำลังรวบรวมโครงการ" in out
    assert "ข้อบัญญัติงบประมาณรายจ่ายประจำปี 1 ต.ค. 2568" in out
    assert "⏰ จัดทำให้แล้วเสร็จภายใน 31 ต.ค. 2568 (อีก 30 วัน)" in out
    assert "รอตรวจ 2 · รับเข้าแผนแล้ว 1 · ส่งกลับแก้ไข 1 · ถอนแล้ว 1 (ไม่นับรวม)" in out
    assert "งบประมาณรวม 1,750,000 บาท" in out  # the withdrawn 999,999 is not counted
    assert "ตรงวันหยุด" not in out  # day 30 is a Friday: nothing moved
    assert "โครงการของฉัน" in chat.buttons("mayor")
    assert "เสนอโครงการ" not in chat.buttons("mayor")  # the mayor does not submit
    await chat.say("agency", "สถานะ")
    assert chat.buttons("agency") == ["เสนอโครงการ", "โครงการของฉัน"]


async def test_a_deadline_on_a_holiday_names_the_last_working_day_and_the_extension(
    chat: Any, demo: Runtime
) -> None:
    # 30 days from Sat 13 Sep 2568 is Mon 13 Oct, วันนวมินทรมหาราช: due that day (APA §64)
    edition = await open_round_on(demo, date(2025, 9, 13), TriggerKind.ANNUAL_BUDGET)
    out = await chat.say("officer", "/status")
    assert "⏰ จัดทำให้แล้วเสร็จภายใน 13 ต.ค. 2568 (อีก 12 วัน)" in out
    assert (
        "ครบกำหนดวันจันทร์ที่ 13 ต.ค. 2568 — เป็นวันหยุด (วันนวมินทรมหาราช)"
        " ควรดำเนินการให้แล้วเสร็จภายในวันศุกร์ที่ 10 ต.ค. 2568"
    ) in out
    assert "เลื่อน" not in out

    await update_edition(demo, edition, extended_deadline=date(2025, 11, 15))  # a Saturday
    out = await chat.say("officer", "/status")
    assert "กำหนดเดิม 13 ต.ค. 2568" in out and "(อีก 12 วัน)" not in out
    assert "⏰ ขยายเวลาถึง 15 พ.ย. 2568 (อีก 45 วัน)" in out
    assert "ครบกำหนดวันเสาร์ที่ 15 พ.ย. 2568 — เป็นวันหยุด" in out
    assert "ภายในวันศุกร์ที่ 14 พ.ย. 2568" in out


async def test_under_the_civil_rule_a_holiday_moved_deadline_shows_the_calendar_day(
    chat: Any, demo: Runtime
) -> None:
    # 30 days from Sat 13 Sep 2568 is Mon 13 Oct, วันนวมินทรมหาราช: due Tue 14 Oct (§193/8)
    demo.days_off = demo.days_off.with_rule(DeadlineRule.CIVIL)
    chat.restart()
    edition = await open_round_on(demo, date(2025, 9, 13), TriggerKind.ANNUAL_BUDGET)
    out = await chat.say("officer", "/status")
    assert "⏰ จัดทำให้แล้วเสร็จภายใน 14 ต.ค. 2568 (อีก 13 วัน)" in out
    assert "ครบ 30 วัน 13 ต.ค. 2568 ตรงวันหยุด (วันนวมินทรมหาราช) จึงเลื่อนเป็น" in out
    assert "จึงเลื่อนเป็นวันทำการถัดไป 14 ต.ค. 2568" in out

    await update_edition(demo, edition, extended_deadline=date(2025, 11, 14))
    out = await chat.say("officer", "/status")
    assert "กำหนดเดิม 14 ต.ค. 2568" in out and "(อีก 13 วัน)" not in out
    assert "⏰ ขยายเวลาถึง 14 พ.ย. 2568 (อีก 44 วัน)" in out


async def test_days_left_reads_today_and_overdue(chat: Any, demo: Runtime) -> None:
    await open_round_on(demo, date(2025, 10, 1), TriggerKind.ANNUAL_BUDGET)
    demo.clock.set(datetime(2025, 10, 31, 8, 0, tzinfo=BANGKOK))  # type: ignore[attr-defined]
    assert "31 ต.ค. 2568 (วันนี้)" in await chat.say("officer", "/status")
    demo.clock.advance(timedelta(days=2))  # type: ignore[attr-defined]
    assert "31 ต.ค. 2568 (เลยกำหนด 2 วัน)" in await chat.say("officer", "/status")


async def test_every_edition_of_the_newest_year_is_listed(chat: Any, demo: Runtime) -> None:
    original = await open_round_on(demo, date(2025, 10, 1), TriggerKind.ANNUAL_BUDGET)
    await update_edition(
        demo,
        original,
        state=EditionState.IN_FORCE,
        announced_on=date(2025, 10, 20),
        posted_on=date(2025, 10, 21),
    )
    await open_round_on(
        demo,
        date(2026, 1, 15),
        TriggerKind.OTHER_AGENCY_NOTICE,
        trigger_agency="แขวงทางหลวงชนบทขอนแก่น",
    )
    out = await chat.say("s2", "สถานะ")
    assert "ฉบับแรก · ประกาศใช้แล้ว" in out
    assert "กำหนดจัดทำให้แล้วเสร็จ 31 ต.ค. 2568" in out  # history, not a countdown
    assert "ประกาศใช้ 20 ต.ค. 2568" in out and "ปิดประกาศ 21 ต.ค. 2568" in out
    assert "เพิ่มเติม ครั้งที่ 1 · กำลังรวบรวมโครงการ" in out
    assert "แจ้งจากหน่วยงานอื่น (แขวงทางหลวงชนบทขอนแก่น) 15 ม.ค. 2569" in out
    assert "⏰ จัดทำให้แล้วเสร็จภายใน 14 ก.พ. 2569 (อีก 136 วัน)" in out  # a Saturday
    assert "ควรดำเนินการให้แล้วเสร็จภายในวันศุกร์ที่ 13 ก.พ. 2569" in out


async def test_status_inside_a_form_keeps_the_form(chat: Any, demo: Runtime) -> None:
    await open_round_on(demo, date(2025, 10, 1), TriggerKind.ANNUAL_BUDGET)
    await chat.say("agency", "เสนอโครงการ")
    await chat.say("agency", "ซ่อมแซมฝายน้ำล้น")
    out = await chat.say("agency", "สถานะ")
    assert "กำลังรวบรวมโครงการ" in out and "ขั้นที่ 2/10 ยุทธศาสตร์" in out
    assert "เสนอโครงการ" not in chat.buttons("agency")  # only the question's own buttons
    out = await chat.say("agency", "โครงการของฉัน")  # /mine is a peek too
    assert "ยังไม่มีโครงการที่ท่านเสนอ" in out and "ขั้นที่ 2/10 ยุทธศาสตร์" in out
    out = await chat.say("agency", "1")
    assert "ขั้นที่ 3/10 แผนงาน" in out


async def test_status_says_the_stage_and_offers_each_role_its_next_step(
    chat: Any, demo: Runtime
) -> None:
    """Issue 11.9: draft prepared, under review, returned, awaiting the executive, in force,
    posted — each said, with the speaker's own next action as its button."""
    from tests.flows import (
        accept_all,
        add_projects,
        approve_today,
        make_draft,
        open_fy_round,
        post_at_the_board,
        propose,
        vote,
    )

    out = await chat.say("officer", "สถานะ")
    assert "ยังไม่มีรอบการจัดทำแผน" in out and chat.buttons("officer")[0] == "เปิดรอบ"
    edition = await open_fy_round(demo)
    await add_projects(demo, edition, [100_000, 200_000])
    await chat.say("s1", "สถานะ")
    assert chat.buttons("s1")[0] == "ตรวจโครงการ"  # two to screen
    await accept_all(chat)
    out = await chat.say("officer", "สถานะ")
    assert "📌 ฉบับแรก · กำลังรวบรวมโครงการ" in out
    assert chat.buttons("officer")[:2] == ["จัดทำร่าง", "เสนอโครงการ"]
    await make_draft(chat)
    out = await chat.say("officer", "สถานะ")
    assert "📌 ฉบับแรก · จัดทำร่างที่ 1 แล้ว — รอเสนอคณะกรรมการพัฒนาฯ" in out
    assert chat.buttons("officer")[0] == "เสนอร่าง"
    await propose(chat)
    out = await chat.say("c1", "สถานะ")
    assert "คณะกรรมการพัฒนาฯ กำลังพิจารณาร่างที่ 1" in out
    assert chat.buttons("c1")[0] == "ผลการพิจารณา"
    for member in ("c1", "c2", "c3"):
        await vote(chat, demo, member, "ขอแก้ไข", "ขอเพิ่มโครงการซ่อมถนน หมู่ที่ 3")
    out = await chat.say("officer", "สถานะ")
    assert "ร่างที่ 1 ถูกส่งกลับแก้ไข" in out and chat.buttons("officer")[0] == "จัดทำร่าง"
    await make_draft(chat)
    await propose(chat)
    for member in ("c1", "c2", "c3"):
        await vote(chat, demo, member, "เห็นชอบ")
    out = await chat.say("mayor", "สถานะ")
    assert "คณะกรรมการพัฒนาฯ เห็นชอบร่างที่ 2 แล้ว — รอผู้บริหารท้องถิ่นอนุมัติ" in out
    assert chat.buttons("mayor")[0] == "อนุมัติแผน"
    await approve_today(chat)
    out = await chat.say("officer", "สถานะ")
    assert "ประกาศใช้แล้ว — รอบันทึกการปิดประกาศ" in out
    assert chat.buttons("officer")[0] == "บันทึกการปิดประกาศ"
    await post_at_the_board(chat, "วันนี้ 1 ต.ค. 2568")
    out = await chat.say("officer", "สถานะ")
    assert "ประกาศใช้แล้ว · ปิดประกาศแล้ว" in out
    assert chat.buttons("officer") == ["โครงการของฉัน"]  # nothing due until the 30 days pass


async def test_a_changed_rule_applies_to_rounds_already_open(chat: Any, demo: Runtime) -> None:
    """Nothing counted is stored: the setting changes the deadline of an open round."""
    await open_round_on(demo, date(2025, 9, 13), TriggerKind.ANNUAL_BUDGET)
    assert "ภายใน 13 ต.ค. 2568" in await chat.say("officer", "/status")
    demo.days_off = demo.days_off.with_rule(DeadlineRule.CIVIL)
    chat.restart()
    assert "ภายใน 14 ต.ค. 2568" in await chat.say("officer", "/status")

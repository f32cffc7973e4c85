"""Submitting, editing and withdrawing projects in chat, as the demo people, on every channel."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

import pytest
from sqlmodel import select

from bot.runtime import Runtime
from handlers.messages import Incoming, from_payload, plain_text
from models import db
from models.enums import (
    Channel,
    EditionState,
    OrgKind,
    ProjectSource,
    ProjectStatus,
    Role,
    TriggerKind,
)
from models.fiscal import mask_to_months
from models.org import ChannelAccount, Membership, Organization, Person
from models.orgs import create_organization
from models.plan import PlanArea, Project, Strategy
from models.records import ConversationState
from tests.chat import RecordingDriver
from tests.flows import (
    ORDER,
    RECORDING_ONLY,
    ROAD,
    Press,
    add_projects,
    audit_actions,
    notices,
    open_fy_round,
    projects,
    set_edition_state,
    step,
    submit,
)

STEP = "ขั้นที่ {i}/{n} "


async def form_state(rt: Runtime, who: str) -> ConversationState | None:
    async with rt.sessions() as session:
        return (
            await session.exec(
                select(ConversationState)
                .join(ChannelAccount, ChannelAccount.id == ConversationState.account_id)
                .where(ChannelAccount.external_id == who)
            )
        ).first()


# -- the acceptance path ------------------------------------------------------------------


async def test_three_projects_edit_withdraw_status_and_notices(chat: Any, demo: Runtime) -> None:
    await open_fy_round(demo)
    who = "agency"

    # 1: every step with its number; budget typed in Thai digits
    out = await chat.say(who, "เสนอโครงการ")
    assert "📋 เสนอโครงการเข้าแผนการดำเนินงาน ปีงบประมาณ พ.ศ. 2569 — อบต.หนองแวง" in out
    # submissions close 10 days before the 30-day deadline (31 ต.ค.): the org's cutoff
    assert "รับข้อเสนอถึง 21 ต.ค. 2568 (อีก 20 วัน)" in out
    assert "ขั้นที่ 1/10 ชื่อโครงการ" in out and "โครงการก่อสร้างถนน คสล. หมู่ที่ 5" in out
    out = await chat.say(who, ROAD["title"])
    assert "ขั้นที่ 2/10 ยุทธศาสตร์" in out
    assert "1 การพัฒนาด้านโครงสร้างพื้นฐาน" in chat.buttons(who)
    out = await chat.press(who, "1 การพัฒนาด้านโครงสร้างพื้นฐาน")
    assert "ขั้นที่ 3/10 แผนงาน" in out
    assert len([b for b in chat.buttons(who) if "แผนงาน" in b]) == 12
    out = await chat.say(who, "9")
    assert "ขั้นที่ 4/10 รายละเอียดของกิจกรรม" in out
    out = await chat.say(who, ROAD["details"])
    assert "ขั้นที่ 5/10 งบประมาณ (บาท)" in out
    out = await chat.say(who, "๑๕๐,๐๐๐")
    assert "✅ 150,000 บาท (หนึ่งแสนห้าหมื่นบาทถ้วน)" in out
    assert "ขั้นที่ 6/10 สถานที่ดำเนินการ" in out
    out = await chat.say(who, "ถนนสาย ม.5 บ้านหนองแวง")
    assert "✅ ถนนสาย หมู่ที่ 5 บ้านหนองแวง" in out  # what is stored, villages the official way
    assert "ขั้นที่ 7/10 โครงการของ" in out
    assert chat.buttons(who)[:2] == ["อบต.หนองแวง", "หน่วยงานอื่น"]
    out = await chat.press(who, "อบต.หนองแวง")
    assert "ขั้นที่ 8/10 หน่วยงานรับผิดชอบหลัก" in out and "กองช่าง" in chat.buttons(who)
    out = await chat.press(who, "กองช่าง")
    assert "ขั้นที่ 9/10 เดือนที่ดำเนินการ" in out
    assert chat.buttons(who)[:5] == ["ทั้งปี", "ต.ค.–ธ.ค.", "ม.ค.–มี.ค.", "เม.ย.–มิ.ย.", "ก.ค.–ก.ย."]
    out = await chat.press(who, "ทั้งปี")
    assert "ขั้นที่ 10/10 ครุภัณฑ์" in out and "ผด.02/1" in out
    out = await chat.press(who, "ไม่ใช่")
    assert "ตรวจสอบก่อนส่ง" in out
    for row in (
        "ยุทธศาสตร์: 1 การพัฒนาด้านโครงสร้างพื้นฐาน",
        "แผนงาน: 9 แผนงานอุตสาหกรรมและการโยธา",
        "งบประมาณ (บาท): 150,000 บาท",
        "เดือนที่ดำเนินการ: ต.ค. 2568 – ก.ย. 2569 (ทั้งปี 12 เดือน)",
    ):
        assert row in out
    out = await chat.press(who, "ยืนยันส่ง")
    assert "✅ ส่งแล้ว เลขที่ 2569-001 — คณะกรรมการสนับสนุนฯ จะตรวจและแจ้งผลทางแชทนี้" in out

    # 2: 1.5 ล้าน, typed strategy and plan area, another agency's project (that agency is
    # the unit responsible; no unit or equipment question); then an edit from the summary
    out = await chat.say(who, "เสนอโครงการ")
    await chat.say(who, "จัดซื้อเครื่องวัดความดันโลหิต")
    out = await chat.say(who, "2")
    assert "ขั้นที่ 3/10" in out
    out = await chat.say(who, "สาธารณสุข")
    assert "ขั้นที่ 4/10" in out
    await chat.say(who, "เครื่องวัดความดันแบบดิจิทัล 10 เครื่อง")
    out = await chat.say(who, "1.5 ล้าน")
    assert "✅ 1,500,000 บาท (หนึ่งล้านห้าแสนบาทถ้วน)" in out
    out = await chat.say(who, "โรงพยาบาลส่งเสริมสุขภาพตำบลหนองแวง")
    assert "✅" not in out  # no village in the place: nothing to echo
    out = await chat.press(who, "หน่วยงานอื่น")
    assert "ขั้นที่ 8/9 ชื่อหน่วยงาน" in out
    out = await chat.say(who, "สำนักงานสาธารณสุขอำเภอภูเวียง")
    assert "ขั้นที่ 9/9 เดือนที่ดำเนินการ" in out
    out = await chat.press(who, "ต.ค.–ธ.ค.")
    assert "งบประมาณ (บาท): 1,500,000 บาท" in out and "ครุภัณฑ์" not in out
    assert "หน่วยงานรับผิดชอบหลัก" not in out  # the agency is
    await chat.press(who, "แก้ไข")
    out = await chat.press(who, "งบประมาณ (บาท)")
    assert "ขั้นที่ 5/9 งบประมาณ (บาท)" in out
    out = await chat.say(who, "๒ แสน")
    assert "✅ 200,000 บาท (สองแสนบาทถ้วน)" in out
    assert "ตรวจสอบก่อนส่ง" in out and "งบประมาณ (บาท): 200,000 บาท" in out
    out = await chat.say(who, "ยืนยันส่ง")  # the button's label typed works the same
    assert "✅ ส่งแล้ว เลขที่ 2569-002" in out

    # 3: months typed as a range; equipment (แบบ ผด.02/1)
    out = await submit(
        chat,
        who,
        title="ขุดลอกหนองสาธารณะ",
        budget="250000 บาท",
        months="ม.ค.-มี.ค.",
        equipment=Press("ใช่"),
        equipment_type="คอมพิวเตอร์",  # part of a type's name, typed
    )
    assert "✅ ส่งแล้ว เลขที่ 2569-003" in out

    # withdraw #2 from /mine
    out = await chat.say(who, "โครงการของฉัน")
    assert "3 รายการ" in out and "#2 จัดซื้อเครื่องวัดความดันโลหิต — 200,000 บาท · รอตรวจ" in out
    assert {"แก้ไข #1", "ถอน #1", "แก้ไข #2", "ถอน #2", "แก้ไข #3", "ถอน #3"} <= set(chat.buttons(who))
    out = await chat.press(who, "ถอน #2")
    assert "ถอนโครงการเลขที่ 2569-002" in out and "ใช่หรือไม่" in out
    out = await chat.press(who, "ยืนยันถอน")
    assert "✅ ถอนโครงการเลขที่ 2569-002 แล้ว" in out

    out = await chat.say("officer", "/status")
    assert "รอตรวจ 2" in out and "ถอนแล้ว 1" in out
    assert "งบประมาณรวม 400,000 บาท" in out  # 150,000 + 250,000; the withdrawn 200,000 not

    stored = await projects(demo)
    assert [(p.seq, p.status) for p in stored] == [
        (1, ProjectStatus.SUBMITTED),
        (2, ProjectStatus.WITHDRAWN),
        (3, ProjectStatus.SUBMITTED),
    ]
    road, bp, pond = stored
    assert (road.budget_satang, bp.budget_satang, pond.budget_satang) == (
        15_000_000,
        20_000_000,
        25_000_000,
    )
    assert mask_to_months(road.months_mask) == (10, 11, 12, 1, 2, 3, 4, 5, 6, 7, 8, 9)
    assert mask_to_months(bp.months_mask) == (10, 11, 12)
    assert mask_to_months(pond.months_mask) == (1, 2, 3)
    assert (road.location, road.responsible_unit) == ("ถนนสาย หมู่ที่ 5 บ้านหนองแวง", "กองช่าง")
    assert (bp.source, bp.agency_name, bp.responsible_unit, bp.is_equipment) == (
        ProjectSource.OTHER_AGENCY,
        "สำนักงานสาธารณสุขอำเภอภูเวียง",
        "สำนักงานสาธารณสุขอำเภอภูเวียง",  # issue 11.7: the agency is the unit responsible
        False,
    )
    assert (road.source, road.agency_name, road.is_equipment) == (ProjectSource.LAO, None, False)
    assert (pond.is_equipment, pond.equipment_type) == (True, "ครุภัณฑ์คอมพิวเตอร์")
    async with demo.sessions() as session:
        strategy = await session.get(Strategy, bp.strategy_id)
        area = await session.get(PlanArea, bp.plan_area_id)
        agency_person = (
            await session.exec(select(Person).where(Person.name == "นายสมชาย ช่างดี"))
        ).one()
    assert (strategy.number, area.number) == (2, 4)  # type: ignore[union-attr]
    assert {p.submitted_by_id for p in stored} == {agency_person.id}

    submitted = await audit_actions(demo, "project.submit")
    assert len(submitted) == 3
    assert submitted[0].after["title"] == ROAD["title"]  # type: ignore[index]
    assert submitted[0].role == "submitter" and submitted[0].object_type == "project"
    withdrawn = await audit_actions(demo, "project.withdraw")
    assert [(a.object_id, a.before, a.after) for a in withdrawn] == [
        (bp.id, {"status": "submitted"}, {"status": "withdrawn"})
    ]
    # the committee hears of them gathered: one notice each for the hour, all three in it
    sent = await notices(demo, "submission-digest:")
    assert sorted(name for name, _text in sent) == ["s1", "s2", "s3"]
    text = sent[0][1]
    assert "📋 อบต.หนองแวง: โครงการเข้ามาใหม่ 3 รายการ" in text
    assert "• 2569-001 ก่อสร้างถนนคอนกรีตเสริมเหล็ก หมู่ 5 บ้านหนองแวง — 150,000 บาท" in text
    assert "นายสมชาย ช่างดี (กองช่าง)" in text and "2569-003" in text


# -- resuming, bad answers, navigation ------------------------------------------------------


async def test_restart_mid_form_resumes_with_answers_kept(chat: Any, demo: Runtime) -> None:
    await open_fy_round(demo)
    await chat.say("agency", "เสนอโครงการ")
    await chat.say("agency", "ก่อสร้างรางระบายน้ำ หมู่ที่ 3")
    await chat.say("agency", "1")
    await chat.say("agency", "เคหะ")
    chat.restart()
    out = await chat.say("agency", "ช่วยเหลือ")  # a peek shows the step the form is at
    assert "ขั้นที่ 4/10 รายละเอียดของกิจกรรม" in out
    await chat.say("agency", "วางท่อระบายน้ำ คสล. ยาว 120 เมตร")
    chat.restart()
    out = await chat.say("agency", "300000")
    assert "✅ 300,000 บาท" in out and "ขั้นที่ 6/10" in out
    for answer in ("หมู่ที่ 3", Press("อบต.หนองแวง"), Press("กองช่าง"), Press("เม.ย.–มิ.ย.")):
        await step(chat, "agency", answer)
    out = await chat.press("agency", "ไม่ใช่")
    assert "ชื่อโครงการ: ก่อสร้างรางระบายน้ำ หมู่ที่ 3" in out
    assert "แผนงาน: 6 แผนงานเคหะและชุมชน" in out
    out = await chat.press("agency", "ยืนยันส่ง")
    assert "2569-001" in out
    assert [p.title for p in await projects(demo)] == ["ก่อสร้างรางระบายน้ำ หมู่ที่ 3"]


async def test_bad_answers_get_the_reason_and_the_question_again(chat: Any, demo: Runtime) -> None:
    await open_fy_round(demo)
    who = "agency"
    await chat.say(who, "เสนอโครงการ")

    out = await chat.say(who, "\u200b")  # looks empty: only a zero-width space
    assert "กรุณาพิมพ์ชื่อโครงการ เช่น" in out and "ขั้นที่ 1/10 ชื่อโครงการ" in out
    out = await chat.say(who, "  ")
    assert "ต้องการคำตอบเป็นข้อความ" in out and "ขั้นที่ 1/10" in out
    out = await chat.say(who, "ก" * 301)
    assert "ชื่อโครงการยาวเกินไป (301 ตัวอักษร รับได้ไม่เกิน 300 ตัวอักษร)" in out
    assert "ขั้นที่ 1/10" in out
    await chat.say(who, "ก" * 300)  # exactly the limit is fine

    out = await chat.say(who, "9")
    assert "ไม่พบยุทธศาสตร์ “9”" in out and "6 การพัฒนาการบริหารจัดการองค์กรตามหลักธรรมาภิบาล" in out
    assert "ขั้นที่ 2/10 ยุทธศาสตร์" in out
    out = await chat.say(who, "การ")  # part of every name: which one?
    assert "ไม่พบยุทธศาสตร์" in out
    out = await chat.say(who, "ยุทธศาสตร์ที่ ๑")
    assert "ขั้นที่ 3/10" in out
    out = await chat.say(who, "99")
    assert "ไม่พบแผนงาน “99”" in out and "12 แผนงานงบกลาง" in out and "ขั้นที่ 3/10" in out
    await chat.say(who, "แผนงานเคหะและชุมชน")

    out = await chat.say(who, "ข" * 2001)
    assert "รายละเอียดของกิจกรรมยาวเกินไป (2001 ตัวอักษร" in out and "ขั้นที่ 4/10" in out
    await chat.say(who, "ข" * 2000)

    for typed, reason in (
        ("0", "งบประมาณต้องมากกว่า 0 บาท"),
        ("-5", "งบประมาณต้องไม่ติดลบ"),
        ("20,000 ล้าน", "สูงเกินกว่าที่รับได้"),
        ("ประมาณล้านกว่าๆ", "ยังอ่านจำนวนเงินไม่ได้ — กรุณาพิมพ์ตัวเลข เช่น 150000 หรือ 1.5 ล้าน"),
    ):
        out = await chat.say(who, typed)
        assert reason in out and "ขั้นที่ 5/10 งบประมาณ (บาท)" in out, (typed, out)
    await chat.say(who, "1.5 ลบ.")

    out = await chat.say(who, "ก" * 301)
    assert "สถานที่ดำเนินการยาวเกินไป" in out and "ขั้นที่ 6/10" in out
    out = await chat.say(who, "ศาลากลางบ้าน")

    out = await chat.say(who, "ของใครก็ไม่รู้")
    assert "กรุณากดปุ่ม อบต.หนองแวง หรือ หน่วยงานอื่น" in out and "ขั้นที่ 7/10" in out
    await chat.say(who, "อบต.หนองแวง")
    await chat.say(who, "กองช่าง")  # the button's label typed

    out = await chat.say(who, "ต.ค. 2570")
    assert "อยู่นอกปีงบประมาณ พ.ศ. 2569" in out and "ขั้นที่ 9/10 เดือนที่ดำเนินการ" in out
    out = await chat.say(who, "ก.ย.-ต.ค.")
    assert "ย้อนกลับ" in out and "ขั้นที่ 9/10" in out  # backwards in the fiscal year
    await chat.say(who, "ต.ค. 68 ถึง ธ.ค. 68")
    out = await chat.say(who, "อาจจะ")
    assert "กรุณากดปุ่ม ใช่ หรือ ไม่ใช่" in out and "ขั้นที่ 10/10" in out
    out = await chat.say(who, "ไม่")
    assert "ตรวจสอบก่อนส่ง" in out and "1,500,000 บาท" in out
    assert "ต.ค. – ธ.ค. 2568 (3 เดือน)" in out
    assert await projects(demo) == []  # nothing saved before the confirm


async def test_a_sticker_is_answered_with_the_question_again(chat: Any, demo: Runtime) -> None:
    if type(chat) is not RecordingDriver:
        pytest.skip("the console cannot send a sticker; the recording channel covers it")
    await open_fy_round(demo)
    await chat.say("agency", "เสนอโครงการ")
    await chat.say("agency", "ซ่อมแซมฝายน้ำล้น")
    out = await chat.send(
        Incoming(Channel.CONSOLE, "agency", attachment_kind="sticker", event_id="sticker-1")
    )
    assert "ต้องการคำตอบเป็นข้อความ" in out and "ขั้นที่ 2/10 ยุทธศาสตร์" in out


async def test_back_skip_and_cancel(chat: Any, demo: Runtime) -> None:
    await open_fy_round(demo)
    who = "agency"
    out = await chat.say(who, "เสนอโครงการ")
    assert "ย้อนกลับ" not in chat.buttons(who)  # nothing to go back to at step 1
    await chat.say(who, "ซ่อมแซมฝายน้ำล้น")
    await chat.press(who, "4 การบริหารจัดการทรัพยากรธรรมชาติและสิ่งแวดล้อม")
    out = await chat.press(who, "ย้อนกลับ")
    assert "ขั้นที่ 2/10 ยุทธศาสตร์" in out
    out = await chat.say(who, "ย้อนกลับ")
    assert "ขั้นที่ 1/10 ชื่อโครงการ" in out
    out = await chat.say(who, "ซ่อมแซมฝายน้ำล้น บ้านโนนสูง")
    assert "ขั้นที่ 2/10" in out
    out = await chat.say(who, "ข้าม")
    assert "ข้อนี้จำเป็นต้องตอบ ข้ามไม่ได้" in out and "ขั้นที่ 2/10" in out
    assert "ข้าม" not in chat.buttons(who)  # every question of this form is required
    out = await chat.press(who, "ยกเลิก")
    assert "ยกเลิกเสนอโครงการแล้ว — ไม่มีข้อมูลใดถูกบันทึก" in out
    assert await projects(demo) == []
    state = await form_state(demo, who)
    assert state is not None and state.flow is None
    out = await chat.say(who, "ยกเลิก")
    assert "ไม่มีรายการที่ค้างอยู่" in out


async def test_a_stale_button_from_an_earlier_question_is_expired(chat: Any, demo: Runtime) -> None:
    if type(chat) is not RecordingDriver:
        pytest.skip(RECORDING_ONLY)
    await open_fy_round(demo)
    await chat.say("agency", "เสนอโครงการ")
    await chat.say("agency", "ซ่อมแซมฝายน้ำล้น")
    strategy_question = chat.last["agency"]
    await chat.press("agency", "1 การพัฒนาด้านโครงสร้างพื้นฐาน")
    chat.last["agency"] = strategy_question  # the earlier message, still on the phone
    out = await chat.press("agency", "3 การพัฒนาเศรษฐกิจชุมชนและการเกษตร")
    assert out.startswith("รายการนี้หมดอายุแล้ว") and "ขั้นที่ 3/10 แผนงาน" in out
    state = await form_state(demo, "agency")
    assert state is not None and state.data["values"]["strategy"] is not None
    async with demo.sessions() as session:
        first = (await session.exec(select(Strategy).where(Strategy.number == 1))).one()
    assert state.data["values"]["strategy"] == first.id  # the stale press changed nothing


async def test_an_edit_that_opens_a_question_asks_it_then_returns_to_the_summary(
    chat: Any, demo: Runtime
) -> None:
    await open_fy_round(demo)
    await chat.say("agency", "เสนอโครงการ")
    for name in ORDER:
        await step(chat, "agency", ROAD[name])
    await chat.press("agency", "แก้ไข")
    await chat.press("agency", "โครงการของ")
    out = await chat.press("agency", "หน่วยงานอื่น")
    assert "ขั้นที่ 8/9 ชื่อหน่วยงาน" in out  # newly needed: asked at once
    out = await chat.say("agency", "แขวงทางหลวงชนบทขอนแก่น")
    assert "ตรวจสอบก่อนส่ง" in out  # and straight back, not through the months again
    assert "ชื่อหน่วยงาน: แขวงทางหลวงชนบทขอนแก่น" in out
    await chat.press("agency", "แก้ไข")
    await chat.press("agency", "โครงการของ")
    out = await chat.press("agency", "อบต.หนองแวง")
    assert "ขั้นที่ 8/10 หน่วยงานรับผิดชอบหลัก" in out  # its own again: its unit is asked
    await chat.press("agency", "กองช่าง")
    out = await chat.press("agency", "ไม่ใช่")
    assert "ตรวจสอบก่อนส่ง" in out and "ชื่อหน่วยงาน" not in out
    await chat.press("agency", "ยืนยันส่ง")
    (project,) = await projects(demo)
    assert (project.source, project.agency_name) == (ProjectSource.LAO, None)


async def test_menu_buttons_start_the_form_once(chat: Any, demo: Runtime) -> None:
    await open_fy_round(demo)
    await chat.say("agency", "ช่วยเหลือ")
    out = await chat.press("agency", "เสนอโครงการ")
    assert out.count("ขั้นที่ 1/10 ชื่อโครงการ") == 1
    out = await submit(chat, "agency")
    assert chat.buttons("agency") == ["เสนอโครงการอีก", "โครงการของฉัน"]
    out = await chat.press("agency", "เสนอโครงการอีก")
    assert out.count("ขั้นที่ 1/10 ชื่อโครงการ") == 1


# -- who may submit -----------------------------------------------------------------------


async def test_no_open_round_says_so_and_who_opens_one(chat: Any, demo: Runtime) -> None:
    out = await chat.say("agency", "/submit")
    assert "ยังไม่มีรอบที่เปิดรับโครงการ" in out and "อบต.หนองแวง" in out
    assert "เจ้าหน้าที่วิเคราะห์นโยบายและแผน" in out and "เปิดรอบ" in out
    assert "ขั้นที่" not in out


async def test_village_and_support_committee_submit_development_committee_is_refused(
    chat: Any, demo: Runtime
) -> None:
    await open_fy_round(demo)
    out = await chat.say("village", "เสนอโครงการ")
    assert "ขั้นที่ 1/10" in out
    await chat.say("village", "ซ่อมแซมถนนลูกรัง หมู่ที่ 5")
    for answer in ("1", "9", "ลงหินคลุก ยาว 1 กม.", "80000", "หมู่ที่ 5", Press("อบต.หนองแวง")):
        await step(chat, "village", answer)
    assert chat.buttons("village")[0] == "หมู่ที่ 5 บ้านหนองแวง"  # the village's own unit
    for answer in (Press("หมู่ที่ 5 บ้านหนองแวง"), Press("ทั้งปี")):
        await step(chat, "village", answer)
    await chat.press("village", "ไม่ใช่")
    out = await chat.press("village", "ยืนยันส่ง")
    assert "✅ ส่งแล้ว เลขที่ 2569-001" in out

    out = await submit(chat, "s1", title="อบรมคณะกรรมการชุมชน", unit="สำนักปลัด")
    assert "✅ ส่งแล้ว เลขที่ 2569-002" in out
    # the committee hears of each project; s1 sees their own reply instead of a notice
    by_s1 = [name for name, text in await notices(demo, "submission-digest:") if "2569-002" in text]
    assert sorted(by_s1) == ["s2", "s3"]

    out = await chat.say("c2", "เสนอโครงการ")
    assert "⛔" in out and "ผู้เสนอโครงการ" in out and "คณะกรรมการสนับสนุนฯ" in out
    assert "เจ้าหน้าที่วิเคราะห์นโยบายและแผน" in out and "ขั้นที่" not in out
    denied = await audit_actions(demo, "denied:project.submit")
    assert len(denied) == 1 and denied[0].after == {"roles": ["development_committee"]}
    submitted = await audit_actions(demo, "project.submit")
    assert [a.role for a in submitted] == ["submitter", "support_committee"]
    assert len(await projects(demo)) == 2


async def test_two_collecting_rounds_ask_which_first(chat: Any, demo: Runtime) -> None:
    await open_fy_round(demo)
    addition = await open_fy_round(
        demo, trigger_date=date(2025, 10, 1), kind=TriggerKind.SUPPLEMENTARY_BUDGET
    )
    out = await chat.say("agency", "เสนอโครงการ")
    assert "ขั้นที่ 1/11 รอบ" in out
    labels = chat.buttons("agency")
    assert labels[:2] == [
        "ปีงบประมาณ พ.ศ. 2569 ฉบับแรก (ถึง 21 ต.ค. 2568)",
        "ปีงบประมาณ พ.ศ. 2569 เพิ่มเติม ครั้งที่ 1 (ถึง 21 ต.ค. 2568)",
    ]
    out = await chat.press("agency", labels[1])
    assert "ขั้นที่ 2/11 ชื่อโครงการ" in out
    assert "อบต.หนองแวง · ปีงบประมาณ พ.ศ. 2569 (เพิ่มเติม ครั้งที่ 1)" in out
    for name in ORDER:
        out = await step(chat, "agency", ROAD[name])
    assert "รอบ: ปีงบประมาณ พ.ศ. 2569 เพิ่มเติม ครั้งที่ 1" in out
    await chat.press("agency", "ยืนยันส่ง")
    (project,) = await projects(demo)
    assert project.edition_id == addition


async def test_a_member_of_two_orgs_picks_one_and_a_new_org_asks_the_strategy_again(
    chat: Any, demo: Runtime
) -> None:
    async with db.transaction(demo.sessions) as session:
        other, _invite = await create_organization(
            session,
            demo.clock,
            kind=OrgKind.SUBDISTRICT_MUNICIPALITY,
            name="ภูเวียง",
            district="ภูเวียง",
            province="ขอนแก่น",
            strategies=["โครงสร้างพื้นฐานเมือง", "สาธารณสุขชุมชน"],
        )
        agency = (
            await session.exec(select(ChannelAccount).where(ChannelAccount.external_id == "agency"))
        ).one()
        session.add(
            Membership(
                person_id=agency.person_id,  # type: ignore[arg-type]
                org_id=other.id,  # type: ignore[arg-type]
                role=Role.SUBMITTER,
                unit="กองช่าง ทต.",
            )
        )
    await open_fy_round(demo)
    await open_fy_round(demo, org_name="ภูเวียง")
    out = await chat.say("agency", "เสนอโครงการ")
    assert "ขั้นที่ 1/11 องค์กร" in out
    assert chat.buttons("agency")[:2] == ["อบต.หนองแวง", "ทต.ภูเวียง"]
    out = await chat.press("agency", "อบต.หนองแวง")
    assert "ขั้นที่ 2/11 ชื่อโครงการ" in out and "รับข้อเสนอถึง 21 ต.ค. 2568" in out
    for name in ORDER:
        out = await step(chat, "agency", ROAD[name])
    assert "องค์กร: อบต.หนองแวง" in out
    await chat.press("agency", "แก้ไข")
    await chat.press("agency", "องค์กร")
    out = await chat.press("agency", "ทต.ภูเวียง")
    # the strategies are the org's own: the one picked for the other org is asked again
    assert "ยุทธศาสตร์" in out and chat.buttons("agency")[:2] == [
        "1 โครงสร้างพื้นฐานเมือง",
        "2 สาธารณสุขชุมชน",
    ]
    out = await chat.press("agency", "2 สาธารณสุขชุมชน")
    assert "ตรวจสอบก่อนส่ง" in out and "องค์กร: ทต.ภูเวียง" in out
    out = await chat.press("agency", "ยืนยันส่ง")
    assert "✅ ส่งแล้ว เลขที่ 2569-001" in out
    (project,) = await projects(demo)
    async with demo.sessions() as session:
        strategy = await session.get(Strategy, project.strategy_id)
    assert strategy is not None and strategy.org_id == other.id and strategy.number == 2


# -- /mine: edit and withdraw ---------------------------------------------------------------


async def test_edit_from_mine_and_resubmit_a_returned_project(chat: Any, demo: Runtime) -> None:
    await open_fy_round(demo)
    await submit(chat, "agency")
    out = await chat.say("agency", "/mine")
    assert "#1 ก่อสร้างถนนคอนกรีตเสริมเหล็ก หมู่ 5 บ้านหนองแวง — 150,000 บาท · รอตรวจ" in out
    out = await chat.press("agency", "แก้ไข #1")
    assert "แก้ไขโครงการเลขที่ 2569-001" in out
    assert out.count("ตรวจสอบก่อนส่ง") == 1  # the summary once (the action started the form)
    assert "งบประมาณ (บาท): 150,000 บาท" in out
    await chat.press("agency", "แก้ไข")
    await chat.press("agency", "ชื่อโครงการ")
    out = await chat.say("agency", "ก่อสร้างถนน คสล. สายหนองแวง–โนนสูง หมู่ 5")
    assert "ชื่อโครงการ: ก่อสร้างถนน คสล. สายหนองแวง–โนนสูง หมู่ 5" in out
    out = await chat.press("agency", "ยืนยันแก้ไข")
    assert "✅ บันทึกการแก้ไขแล้ว เลขที่ 2569-001" in out
    (project,) = await projects(demo)
    assert project.title == "ก่อสร้างถนน คสล. สายหนองแวง–โนนสูง หมู่ 5"
    (edit,) = await audit_actions(demo, "project.edit")
    assert edit.before == {"title": ROAD["title"]}
    assert edit.after == {"title": "ก่อสร้างถนน คสล. สายหนองแวง–โนนสูง หมู่ 5"}

    # the committee returns it with a reason; the submitter fixes the budget and sends again
    async with db.transaction(demo.sessions) as session:
        stored = await session.get(Project, project.id)
        assert stored is not None
        stored.status = ProjectStatus.RETURNED
        stored.status_reason = "งบประมาณสูงกว่าราคากลาง"
    out = await chat.say("agency", "โครงการของฉัน")
    assert "ส่งกลับแก้ไข" in out and "งบประมาณสูงกว่าราคากลาง" in out
    out = await chat.press("agency", "แก้ไข #1")
    assert "ส่งกลับให้แก้ไข: งบประมาณสูงกว่าราคากลาง" in out
    await chat.press("agency", "แก้ไข")
    await chat.press("agency", "งบประมาณ (บาท)")
    await chat.say("agency", "120000")
    out = await chat.press("agency", "ยืนยันแก้ไข")
    assert "✅ ส่งใหม่แล้ว เลขที่ 2569-001" in out
    (project,) = await projects(demo)
    assert (project.status, project.status_reason, project.budget_satang) == (
        ProjectStatus.SUBMITTED,
        None,
        12_000_000,
    )
    again = await notices(demo, "submission-digest:")
    assert sorted(name for name, _t in again) == ["s1", "s2", "s3"]
    assert "2569-001" in again[0][1] and "(ส่งใหม่หลังแก้ไข)" in again[0][1]

    # cancelling an edit says so, and leaves the project as it was
    await chat.say("agency", "โครงการของฉัน")
    await chat.press("agency", "แก้ไข #1")
    out = await chat.press("agency", "ยกเลิก")
    assert "ยกเลิกแก้ไขโครงการแล้ว" in out
    assert (await projects(demo))[0].budget_satang == 12_000_000


async def test_editing_after_the_round_stopped_collecting_is_refused(
    chat: Any, demo: Runtime
) -> None:
    edition = await open_fy_round(demo)
    await submit(chat, "agency")
    await chat.say("agency", "/mine")
    await chat.press("agency", "แก้ไข #1")
    await chat.press("agency", "แก้ไข")
    await chat.press("agency", "ชื่อโครงการ")
    await chat.say("agency", "ชื่อใหม่ที่ไม่ควรถูกบันทึก")
    await set_edition_state(demo, edition, EditionState.IN_REVIEW)
    out = await chat.press("agency", "ยืนยันแก้ไข")
    assert "รอบนี้ปิดรับโครงการแล้ว (คณะกรรมการพัฒนาฯ กำลังพิจารณาร่าง)" in out
    assert (await projects(demo))[0].title == ROAD["title"]
    assert await audit_actions(demo, "project.edit") == []
    out = await chat.say("agency", "/mine")
    assert "คณะกรรมการพัฒนาฯ กำลังพิจารณาร่าง" in out
    assert not any(b.startswith(("แก้ไข #", "ถอน #")) for b in chat.buttons("agency"))
    out = await chat.say("agency", "ถอน #1")  # the label typed by hand: checked the same way
    assert "ไม่พบโครงการ #1 ของท่านที่แก้ไขหรือถอนได้" in out
    assert (await projects(demo))[0].status is ProjectStatus.SUBMITTED


async def test_old_buttons_after_the_round_closed_change_nothing(chat: Any, demo: Runtime) -> None:
    if type(chat) is not RecordingDriver:
        pytest.skip(RECORDING_ONLY)
    edition = await open_fy_round(demo)
    await submit(chat, "agency")
    await chat.say("agency", "/mine")
    listing = chat.last["agency"]
    await set_edition_state(demo, edition, EditionState.IN_REVIEW)
    for label in ("แก้ไข #1", "ถอน #1"):
        chat.last["agency"] = listing
        out = await chat.press("agency", label)
        assert out.startswith("รายการนี้หมดอายุแล้ว — รอบนี้ปิดรับโครงการแล้ว"), out
    assert (await projects(demo))[0].status is ProjectStatus.SUBMITTED


async def test_withdraw_double_tap_withdraws_once(chat: Any, demo: Runtime) -> None:
    if type(chat) is not RecordingDriver:
        pytest.skip(RECORDING_ONLY)
    await open_fy_round(demo)
    await submit(chat, "agency")
    await chat.say("agency", "/mine")
    await chat.press("agency", "ถอน #1")
    confirm = chat.last["agency"]
    first, second = await asyncio.gather(
        chat.press("agency", "ยืนยันถอน"), chat.press("agency", "ยืนยันถอน")
    )
    assert "✅ ถอนโครงการเลขที่ 2569-001 แล้ว" in first
    assert second.startswith("รายการนี้หมดอายุแล้ว") and "ถอนแล้ว" in second
    chat.last["agency"] = confirm  # and once more, much later
    third = await chat.press("agency", "ยืนยันถอน")
    assert third.startswith("รายการนี้หมดอายุแล้ว")
    chat.last["agency"] = confirm
    assert (await chat.press("agency", "ไม่ถอน")).startswith("รายการนี้หมดอายุแล้ว")
    assert len(await audit_actions(demo, "project.withdraw")) == 1
    assert (await projects(demo))[0].status is ProjectStatus.WITHDRAWN


async def test_someone_else_cannot_use_my_buttons(chat: Any, demo: Runtime) -> None:
    if type(chat) is not RecordingDriver:
        pytest.skip(RECORDING_ONLY)
    await open_fy_round(demo)
    await submit(chat, "agency")
    await chat.say("agency", "/mine")
    chat.last["village"] = chat.last["agency"]  # the same button data, sent by another person
    out = await chat.press("village", "ถอน #1")
    assert out == "รายการนี้หมดอายุแล้ว"
    assert (await projects(demo))[0].status is ProjectStatus.SUBMITTED


async def test_mine_pages_long_lists(chat: Any, demo: Runtime) -> None:
    edition_id = await open_fy_round(demo)
    await add_projects(demo, edition_id, [10_000 * seq for seq in range(1, 13)])
    out = await chat.say("agency", "โครงการของฉัน")
    assert "12 รายการ (หน้า 1/3)" in out and "#5 โครงการที่ 5" in out and "#6 " not in out
    assert "ถัดไป" in chat.buttons("agency") and "ก่อนหน้า" not in chat.buttons("agency")
    out = await chat.press("agency", "ถัดไป")
    assert "(หน้า 2/3)" in out and "#6 โครงการที่ 6 — 60,000 บาท · รอตรวจ" in out
    assert {"ถอน #6", "ถัดไป", "ก่อนหน้า"} <= set(chat.buttons("agency"))
    out = await chat.press("agency", "ถัดไป")
    assert "(หน้า 3/3)" in out and "#12 " in out and "ถัดไป" not in chat.buttons("agency")
    out = await chat.say("village", "โครงการของฉัน")
    assert "ยังไม่มีโครงการที่ท่านเสนอ" in out and chat.buttons("village") == ["เสนอโครงการ"]


# -- concurrency -------------------------------------------------------------------------------


async def test_twenty_concurrent_answers_leave_a_consistent_form(chat: Any, demo: Runtime) -> None:
    if type(chat) is not RecordingDriver:
        pytest.skip("the console is one terminal: its lines are typed one after another")
    await open_fy_round(demo)
    await chat.say("agency", "เสนอโครงการ")
    titles = [f"โครงการพร้อมกัน {i}" for i in range(20)]
    replies = await asyncio.gather(*(chat.say("agency", t) for t in titles))
    assert not any("ขออภัย" in r for r in replies)
    # the first answer was the title; the other nineteen met the strategy question and were
    # asked it again, with the reason
    assert sum("ไม่พบยุทธศาสตร์" in r for r in replies) == 19
    assert all("ขั้นที่ 2/10 ยุทธศาสตร์" in r for r in replies)
    state = await form_state(demo, "agency")
    assert state is not None and state.step == "strategy"
    assert state.data["values"]["title"] in titles

    # the rest of the form, all at once, in order: every answer applied in turn
    rest = ["1", "9", "รายละเอียด", "150000", "หมู่ที่ 5", "อบต.หนองแวง", "กองช่าง", "ทั้งปี", "ไม่ใช่"]
    replies = await asyncio.gather(*(chat.say("agency", a) for a in rest))
    assert "ตรวจสอบก่อนส่ง" in replies[-1]
    state = await form_state(demo, "agency")
    assert state is not None and state.step == "_summary"

    replies = await asyncio.gather(*(chat.say("agency", "ยืนยันส่ง") for _ in range(20)))
    assert sum("✅ ส่งแล้ว" in r for r in replies) == 1
    assert len(await projects(demo)) == 1  # not lost, not doubled
    state = await form_state(demo, "agency")
    assert state is not None and state.flow is None


async def test_ten_submitters_confirm_at_once_and_get_distinct_numbers(
    chat: Any, demo: Runtime
) -> None:
    if type(chat) is not RecordingDriver:
        pytest.skip("the console is one terminal: its lines are typed one after another")
    await open_fy_round(demo)
    names = [f"sub{i}" for i in range(10)]
    async with db.transaction(demo.sessions) as session:
        org = (await session.exec(select(Organization))).one()
        for name in names:
            person = Person(name=f"ผู้ใหญ่บ้าน {name}")
            session.add(person)
            await session.flush()
            session.add(
                ChannelAccount(channel=Channel.CONSOLE, external_id=name, person_id=person.id)
            )
            session.add(
                Membership(
                    person_id=person.id,  # type: ignore[arg-type]
                    org_id=org.id,  # type: ignore[arg-type]
                    role=Role.SUBMITTER,
                    unit=f"หมู่ที่ {names.index(name) + 1}",
                )
            )

    async def to_summary(who: str) -> str:
        await chat.say(who, "เสนอโครงการ")
        out = ""
        for answer in (f"โครงการของ {who}", "1", "9", "ก", "100000", "หมู่ที่ 1"):
            out = await chat.say(who, answer)
        await chat.press(who, "อบต.หนองแวง")
        for label in (chat.buttons(who)[0], "ทั้งปี", "ไม่ใช่"):
            out = await chat.press(who, label)
        return out

    assert all("ตรวจสอบก่อนส่ง" in out for out in await asyncio.gather(*map(to_summary, names)))
    replies = await asyncio.gather(*(chat.press(who, "ยืนยันส่ง") for who in names))
    assert all("✅ ส่งแล้ว เลขที่ 2569-0" in r for r in replies), replies
    stored = await projects(demo)
    assert sorted(p.seq for p in stored) == list(range(1, 11))
    assert {p.title for p in stored} == {f"โครงการของ {who}" for who in names}
    numbers = {r.split("เลขที่ ")[1].split(" ")[0] for r in replies}
    assert numbers == {f"2569-{n:03d}" for n in range(1, 11)}


async def test_submissions_reach_the_committee_gathered_or_at_once(
    chat: Any, demo: Runtime
) -> None:
    """Issue 11.11: by default one notice per member per hour with every submission of that
    hour, due at its end, nothing sent before; with the setting at 0, a card each at once."""
    from datetime import timedelta

    from sqlmodel import col

    from models.records import OutboundMessage

    await open_fy_round(demo)  # 1 Oct 2568 09:00
    for title in ("ถนนสายหนึ่ง หมู่ที่ 1", "ถนนสายสอง หมู่ที่ 2"):
        await submit(chat, "agency", title=title)
    async with demo.sessions() as session:
        rows = (
            await session.exec(
                select(OutboundMessage).where(
                    col(OutboundMessage.dedupe_key).startswith("submission-digest:")
                )
            )
        ).all()
    assert len(rows) == 3  # one per member, not one per submission
    due = {row.next_attempt_at for row in rows}
    assert len(due) == 1 and due.pop() == demo.clock.now() + timedelta(hours=1)  # at 10:00
    text = plain_text(from_payload(rows[0].payload))
    assert "โครงการเข้ามาใหม่ 2 รายการ" in text and "[ตรวจโครงการ]" in text

    # the plan officer sets it to at once: a card per submission, as before
    await chat.say("officer", "ตั้งค่าการแจ้งเตือน")
    await chat.press("officer", "แจ้งโครงการใหม่")
    await chat.say("officer", "0")
    out = await chat.press("officer", "บันทึก")
    assert "แจ้งคณะกรรมการสนับสนุนฯ เมื่อมีโครงการใหม่ = ทันที" in out
    await submit(chat, "agency", title="ถนนสายสาม หมู่ที่ 3")
    cards = await notices(demo, "project-submitted:")
    assert sorted(name for name, _t in cards) == ["s1", "s2", "s3"]
    assert "โครงการใหม่ เลขที่ 2569-003 — อบต.หนองแวง" in cards[0][1]

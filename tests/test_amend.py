"""Amendments (แก้ไข ครั้งที่ N), additions (เพิ่มเติม ครั้งที่ N) and the consolidated plan."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import select

from bot.runtime import Runtime
from handlers.messages import plain_text
from models import db
from models.editions import ChangeSpec, amend, consolidated_projects
from models.enums import EditionKind, EditionState, TriggerKind
from models.plan import Edition, OperationalPlan, Project, ProjectChange
from tests.flows import approve_today, post_from_date, posting_due_of
from tests.test_executive import (
    audit_rows,
    awaiting_edition,
    edition,
    in_force_edition,
    notices,
    open_notice,
)


async def test_amendment_changes_a_budget_and_cancels_a_project(chat: Any, demo: Runtime) -> None:
    original = await in_force_edition(demo, posted_on=date(2025, 10, 1))
    demo.clock.advance(timedelta(days=5))  # type: ignore[attr-defined] — Mon 6 Oct
    out = await chat.say("mayor", "แก้ไขแผน")
    assert "📝 แก้ไขแผนการดำเนินงาน ปีงบประมาณ พ.ศ. 2569 — อบต.หนองแวง (แก้ไข ครั้งที่ 1/2569)" in out
    assert "ขั้นที่ 1/4 รายการที่ 1 · โครงการ" in out
    assert "#2 ส่งเสริมสุขภาพผู้สูงอายุ — 1,500,000 บาท" in out
    out = await chat.say("mayor", "9")
    assert "ไม่พบโครงการเลขที่ “9”" in out
    out = await chat.say("mayor", "#2")
    assert "#2 ส่งเสริมสุขภาพผู้สูงอายุ — 1,500,000 บาท · ม.ค. – มี.ค. 2569" in out
    assert chat.buttons("mayor")[:5] == [
        "งบประมาณ",
        "เดือนที่ดำเนินการ",
        "สถานที่ดำเนินการ",
        "ชื่อโครงการ",
        "ยกเลิกโครงการ",
    ]
    out = await chat.press("mayor", "งบประมาณ")
    assert "งบประมาณเดิม 1,500,000 บาท" in out
    out = await chat.say("mayor", "๑.๕ ล้าน")
    assert "ค่าใหม่เหมือนค่าเดิม" in out
    out = await chat.say("mayor", "1.2 ล้าน")
    assert "✅ งบประมาณ: 1,500,000 บาท → 1,200,000 บาท (หนึ่งล้านสองแสนบาทถ้วน)" in out
    assert "รายการที่ 1 · เหตุผล" in out
    await chat.say("mayor", "ได้รับจัดสรรงบประมาณน้อยกว่าที่ตั้งไว้")
    out = await chat.press("mayor", "เพิ่มรายการแก้ไข")
    assert "รายการที่ 2 · โครงการ" in out
    await chat.say("mayor", "2569-003")
    out = await chat.press("mayor", "ยกเลิกโครงการ")
    assert "รายการที่ 2 · เหตุผล" in out
    await chat.say("mayor", "หน่วยงานอื่นดำเนินการแล้ว")
    out = await chat.press("mayor", "เสร็จแล้ว")
    assert "ตรวจสอบก่อนอนุมัติการแก้ไขแผน" in out
    assert "รายการที่ 1 · ค่าใหม่: งบประมาณ: 1,500,000 บาท → 1,200,000 บาท" in out
    assert "รายการที่ 2 · แก้ไข: ยกเลิกโครงการ" in out
    assert "เพิ่มรายการ" not in out
    out = await chat.press("mayor", "อนุมัติการแก้ไข")
    assert "✅ อนุมัติการแก้ไขแผนแล้ว: แก้ไข ครั้งที่ 1/2569 — อบต.หนองแวง" in out
    assert "ประกาศใช้ 6 ต.ค. 2568 · 2 รายการ" in out
    assert "⏰ ต้องปิดประกาศภายใน 21 ต.ค. 2568 (อีก 15 วัน)" in out
    assert "• 2569-002: งบประมาณ: 1,500,000 บาท → 1,200,000 บาท" in out
    assert "• 2569-003: ยกเลิกโครงการ" in out

    async with demo.sessions() as session:
        amendment = (
            await session.exec(select(Edition).where(Edition.kind == EditionKind.AMENDMENT))
        ).one()
        changes = (await session.exec(select(ProjectChange).order_by(ProjectChange.id))).all()  # type: ignore[arg-type]
        plan = await consolidated_projects(session, amendment.plan_id)
        road = (await session.exec(select(Project).where(Project.seq == 2))).one()
    assert (amendment.number, amendment.state, amendment.trigger_kind) == (
        1,
        EditionState.IN_FORCE,
        TriggerKind.EXECUTIVE_AMENDMENT,
    )
    assert (amendment.announced_on, await posting_due_of(demo, amendment.id)) == (
        date(2025, 10, 6),
        date(2025, 10, 21),
    )
    assert [(c.kind, c.before, c.after, c.reason) for c in changes] == [
        (
            "change",
            {"budget_satang": 150_000_000},
            {"budget_satang": 120_000_000},
            "ได้รับจัดสรรงบประมาณน้อยกว่าที่ตั้งไว้",
        ),
        (
            "cancel",
            {
                "title": "ขุดลอกหนองสาธารณะ",
                "budget_satang": 15_000_000,
                "months_mask": 7,
                "location": "หมู่ที่ 5 บ้านหนองแวง",
            },
            None,
            "หน่วยงานอื่นดำเนินการแล้ว",
        ),
    ]
    assert road.budget_satang == 150_000_000  # the row stays as the original announced it
    assert [(p.seq, p.budget_satang) for p in plan] == [(1, 15_000_000), (2, 120_000_000)]
    [amend_row] = await audit_rows(demo, "plan.amend")
    assert amend_row.role == "executive" and amend_row.object_id == amendment.id
    assert len(amend_row.after["changes"]) == 2  # type: ignore[index]
    [changed] = await audit_rows(demo, "project.amend")
    [cancelled] = await audit_rows(demo, "project.cancel")
    assert changed.after == {
        "budget_satang": 120_000_000,
        "reason": "ได้รับจัดสรรงบประมาณน้อยกว่าที่ตั้งไว้",
        "amendment": amendment.id,
    }
    assert cancelled.object_type == "project" and cancelled.before["title"] == "ขุดลอกหนองสาธารณะ"  # type: ignore[index]

    out = await chat.say("village", "แผนที่ประกาศใช้")
    assert "📌 ฉบับแรก · ประกาศใช้ 1 ต.ค. 2568 · ปิดประกาศ 1 ต.ค. 2568" in out
    assert "3 โครงการ · 1,800,000 บาท" in out  # as announced and posted, not as amended
    assert (
        "📌 แก้ไข ครั้งที่ 1/2569 · ประกาศใช้ 6 ต.ค. 2568 · ยังไม่ได้ปิดประกาศ (ต้องภายใน 21 ต.ค. 2568)" in out
    )
    assert "แก้ไข 1 โครงการ · ยกเลิก 1 โครงการ · งบประมาณ −450,000 บาท" in out  # its own change
    assert "รวมทั้งสิ้น 2 โครงการ · งบประมาณ 1,350,000 บาท" in out
    out = await chat.say("officer", "สถานะ")
    assert "แก้ไข ครั้งที่ 1 · ประกาศใช้แล้ว" in out
    assert "⏰ ต้องปิดประกาศภายใน 21 ต.ค. 2568 (อีก 15 วัน)" in out

    # the officer is told to post the amendment, with the button; it is posted on its own
    text = await open_notice(chat, demo, "officer", "plan-amended:")
    assert "แผนการดำเนินงาน ปีงบประมาณ พ.ศ. 2569 (แก้ไข ครั้งที่ 1/2569)" in text
    assert "ต้องปิดประกาศภายใน 21 ต.ค. 2568" in text and "2569-003: ยกเลิกโครงการ" in text
    out = await chat.press("officer", "บันทึกการปิดประกาศ")
    assert "(แก้ไข ครั้งที่ 1/2569)" in out
    out = await post_from_date(chat, "วันนี้ 6 ต.ค. 2568")
    assert "ปลดประกาศได้ตั้งแต่ 6 พ.ย. 2568" in out
    assert (await edition(demo, original)).posted_on == date(2025, 10, 1)
    assert (await edition(demo, amendment.id)).posted_on == date(2025, 10, 6)  # type: ignore[arg-type]

    # the next amendment is number 2 and no longer offers the cancelled project
    out = await chat.say("mayor", "/amend")
    assert "(แก้ไข ครั้งที่ 2/2569)" in out and "ขุดลอกหนองสาธารณะ" not in out
    out = await chat.say("mayor", "3")
    assert "ไม่พบโครงการเลขที่ “3”" in out


async def test_a_project_cannot_be_cancelled_and_changed_in_one_amendment(
    chat: Any, demo: Runtime
) -> None:
    await in_force_edition(demo)
    await chat.say("mayor", "/amend")
    await chat.say("mayor", "1")
    await chat.press("mayor", "สถานที่ดำเนินการ")
    out = await chat.say("mayor", "ศาลาประชาคม หมู่ที่ 7")
    assert "✅ สถานที่ดำเนินการ: หมู่ที่ 5 บ้านหนองแวง → ศาลาประชาคม หมู่ที่ 7" in out
    await chat.say("mayor", "ย้ายสถานที่ตามมติประชาคม")
    await chat.press("mayor", "เพิ่มรายการแก้ไข")
    out = await chat.say("mayor", "1")
    assert "ยกเลิกโครงการ" not in chat.buttons("mayor")
    assert "สถานที่ดำเนินการ" not in chat.buttons("mayor")  # changed already in this one
    out = await chat.press("mayor", "เดือนที่ดำเนินการ")
    assert "เดิม ม.ค. – มี.ค. 2569 (3 เดือน)" in out
    assert "ม.ค.–มี.ค." not in chat.buttons("mayor")  # the months it has now
    out = await chat.press("mayor", "เม.ย.–มิ.ย.")
    assert "รายการที่ 2 · เหตุผล" in out
    await chat.say("mayor", "รอฤดูฝนผ่านไป")
    await chat.press("mayor", "เสร็จแล้ว")
    out = await chat.press("mayor", "อนุมัติการแก้ไข")
    assert "• 2569-001: เดือนที่ดำเนินการ: ม.ค. – มี.ค. 2569 (3 เดือน) → เม.ย. – มิ.ย. 2569" in out
    async with demo.sessions() as session:
        road = (await session.exec(select(Project).where(Project.seq == 1))).one()
        [now, *_] = await consolidated_projects(session, road.plan_id)
    assert (now.location, now.months_mask) == ("ศาลาประชาคม หมู่ที่ 7", 0b111000)  # as it stands
    assert (road.location, road.months_mask) == ("หมู่ที่ 5 บ้านหนองแวง", 0b111)  # as announced


async def test_amending_needs_a_plan_in_force_and_the_executive(chat: Any, demo: Runtime) -> None:
    assert "ยังไม่มีแผนการดำเนินงานที่ประกาศใช้" in await chat.say("mayor", "/amend")
    assert "ยังไม่มีแผนการดำเนินงานที่ประกาศใช้" in await chat.say("c2", "/plan")
    await in_force_edition(demo)
    out = await chat.say("officer", "/amend")
    assert "⛔" in out and "ผู้บริหารท้องถิ่น" in out
    assert len(await audit_rows(demo, "denied:plan.amend")) == 1


async def test_an_addition_is_approved_and_posted_on_its_own(chat: Any, demo: Runtime) -> None:
    original = await in_force_edition(demo, announced_on=date(2025, 10, 1))
    addition = await awaiting_edition(
        demo,
        [("ซ่อมแซมฝายน้ำล้น หมู่ที่ 3", 300_000)],
        trigger=TriggerKind.SUPPLEMENTARY_BUDGET,
        trigger_date=date(2025, 10, 1),
    )
    demo.clock.advance(timedelta(days=14))  # type: ignore[attr-defined] — Wed 15 Oct
    out = await chat.say("mayor", "/approve")
    assert "(เพิ่มเติม ครั้งที่ 1)" in out and "1 โครงการ · งบประมาณรวม 300,000 บาท" in out
    out = await approve_today(chat)
    assert "(เพิ่มเติม ครั้งที่ 1)" in out and "ต้องปิดประกาศภายใน 30 ต.ค. 2568" in out
    stored = await edition(demo, addition)
    assert (stored.kind, stored.number, stored.state) == (
        EditionKind.ADDITION,
        1,
        EditionState.IN_FORCE,
    )
    assert (stored.announced_on, await posting_due_of(demo, addition)) == (
        date(2025, 10, 15),
        date(2025, 10, 30),
    )
    assert await posting_due_of(demo, original) == date(2025, 10, 16)
    [(who, messages)] = await notices(demo, "plan-approved:")
    assert who == "officer" and "เพิ่มเติม ครั้งที่ 1" in plain_text(messages)

    # both are in force and unposted: /posted asks which
    out = await chat.say("officer", "/posted")
    assert "ขั้นที่ 1/4 แผน" in out
    assert chat.buttons("officer")[:2] == ["ฉบับแรก พ.ศ. 2569", "เพิ่มเติม ครั้งที่ 1 พ.ศ. 2569"]
    out = await chat.press("officer", "เพิ่มเติม ครั้งที่ 1 พ.ศ. 2569")
    assert "(เพิ่มเติม ครั้งที่ 1) ประกาศใช้ 15 ต.ค. 2568" in out
    out = await post_from_date(chat, "วันนี้ 15 ต.ค. 2568")
    assert "ปลดประกาศได้ตั้งแต่ 15 พ.ย. 2568" in out
    assert (await edition(demo, addition)).posted_on == date(2025, 10, 15)
    assert (await edition(demo, original)).posted_on is None  # still to be posted

    out = await chat.say("s3", "/plan")
    assert "📌 ฉบับแรก · ประกาศใช้ 1 ต.ค. 2568 · ยังไม่ได้ปิดประกาศ (ต้องภายใน 16 ต.ค. 2568)" in out
    assert "3 โครงการ · 1,800,000 บาท" in out
    assert "📌 เพิ่มเติม ครั้งที่ 1 · ประกาศใช้ 15 ต.ค. 2568 · ปิดประกาศ 15 ต.ค. 2568" in out
    assert "1 โครงการ · 300,000 บาท" in out
    assert "รวมทั้งสิ้น 4 โครงการ · งบประมาณ 2,100,000 บาท" in out
    out = await chat.say("officer", "/posted")  # only the original is left: no question
    assert "(ฉบับแรก)" in out and "ขั้นที่ 1/3 วันที่ปิดประกาศ" in out


async def test_an_amendment_leaves_the_announced_rows_and_old_databases_are_mended(
    demo: Runtime,
) -> None:
    """Before revision 0003 an amendment wrote into the project rows; 0003 restores what was
    announced from the changes' "before", and its downgrade writes the changes back."""
    await in_force_edition(demo)
    async with db.transaction(demo.sessions) as session:
        road = (await session.exec(select(Project).where(Project.seq == 2))).one()
        plan_id = road.plan_id
        operational = await session.get(OperationalPlan, plan_id)
        assert operational is not None and road.id is not None
        spec = ChangeSpec(road.id, "ลดงบ", "budget_satang", 90_000_000)
        await amend(session, demo.clock, demo.days_off, plan=operational, specs=[spec], by_id=None)

    async def row_and_plan() -> tuple[int, int]:
        async with demo.sessions() as session:
            row = (await session.exec(select(Project).where(Project.seq == 2))).one()
            now = {p.seq: p.budget_satang for p in await consolidated_projects(session, plan_id)}
        return row.budget_satang, now[2]

    assert await row_and_plan() == (150_000_000, 90_000_000)
    await db.downgrade(demo.engine, "0002")  # the old representation: the row amended
    async with demo.engine.connect() as connection:  # SQL: later revisions add columns
        budget = (
            await connection.execute(sa.text("SELECT budget_satang FROM project WHERE seq = 2"))
        ).scalar_one()
    assert budget == 90_000_000
    await db.upgrade(demo.engine)  # mended: the row as announced again, the plan as amended
    assert await row_and_plan() == (150_000_000, 90_000_000)

"""Opening a budget round from chat: the form, the legal deadline, notices, and refusals."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import select

from bot.runtime import Runtime
from handlers.messages import from_payload, plain_text
from models.enums import DeadlineRule, EditionKind, EditionState, TriggerKind
from models.org import ChannelAccount
from models.plan import Edition
from models.records import AuditEvent, OutboundMessage
from tests.flows import dates_of


async def open_annual_round(chat: object, when: str = "วันนี้") -> str:
    out = await chat.say("officer", "/budget")  # type: ignore[attr-defined]
    assert "ขั้นที่ 1/3 ปีงบประมาณ" in out
    await chat.press("officer", "พ.ศ. 2569")  # type: ignore[attr-defined]
    await chat.press("officer", "ข้อบัญญัติงบประมาณรายจ่ายประจำปี")  # type: ignore[attr-defined]
    out = await chat.say("officer", when)  # type: ignore[attr-defined]
    assert "ตรวจสอบก่อนเปิดรอบ" in out
    return await chat.say("officer", "เปิดรอบ")  # type: ignore[attr-defined] — typed label confirms


async def test_officer_opens_the_annual_round(chat: object, demo: Runtime) -> None:
    out = await open_annual_round(chat, "1 ต.ค. 68")
    assert "✅ เปิดรอบแล้ว: แผนการดำเนินงาน ปีงบประมาณ พ.ศ. 2569 (ฉบับแรก) — อบต.หนองแวง" in out
    assert "31 ตุลาคม 2568 (อีก 30 วัน)" in out
    async with demo.sessions() as session:
        edition = (await session.exec(select(Edition))).one()
        assert (edition.kind, edition.state, edition.trigger_kind) == (
            EditionKind.ORIGINAL,
            EditionState.COLLECTING,
            TriggerKind.ANNUAL_BUDGET,
        )
        assert edition.trigger_date == date(2025, 10, 1)
        notices = (
            await session.exec(
                select(OutboundMessage, ChannelAccount).join(
                    ChannelAccount, ChannelAccount.id == OutboundMessage.account_id
                )
            )
        ).all()
        audit = (
            await session.exec(select(AuditEvent).where(AuditEvent.action == "round.open"))
        ).one()
    assert (await dates_of(demo, edition.id)).preparation_due == date(2025, 10, 31)  # type: ignore[arg-type]
    recipients = sorted(account.external_id for _m, account in notices)
    assert recipients == ["agency", "s1", "s2", "s3", "village"]
    assert "ต้องจัดทำให้แล้วเสร็จภายใน 31 ตุลาคม 2568" in plain_text(from_payload(notices[0][0].payload))
    assert audit.after["trigger_kind"] == "annual_budget"  # type: ignore[index]


async def budget_on(chat: Any, day: str) -> str:
    await chat.say("officer", "/budget")
    await chat.press("officer", "พ.ศ. 2569")
    await chat.press("officer", "ข้อบัญญัติงบประมาณรายจ่ายประจำปี")
    return str(await chat.say("officer", day))


async def test_a_deadline_on_a_holiday_stays_and_the_form_names_the_last_working_day(
    chat: Any, demo: Runtime
) -> None:
    out = await budget_on(chat, "13/9/2568")  # day 30 is Mon 13 Oct, วันนวมินทรมหาราช
    assert "ต้องจัดทำให้แล้วเสร็จภายใน 13 ตุลาคม 2568" in out and "เลื่อน" not in out
    assert (
        "ครบกำหนดวันจันทร์ที่ 13 ต.ค. 2568 — เป็นวันหยุด (วันนวมินทรมหาราช)"
        " ควรดำเนินการให้แล้วเสร็จภายในวันศุกร์ที่ 10 ต.ค. 2568"
    ) in out


async def test_under_the_civil_rule_a_holiday_moves_the_deadline_and_the_form_says_so(
    chat: Any, demo: Runtime
) -> None:
    demo.days_off = demo.days_off.with_rule(DeadlineRule.CIVIL)
    chat.restart()  # the engine picks the calendar up
    out = await budget_on(chat, "13/9/2568")
    assert "14 ตุลาคม 2568" in out and "จึงเลื่อน" in out


async def test_second_trigger_opens_an_addition(chat: object, demo: Runtime) -> None:
    await open_annual_round(chat)
    await chat.say("officer", "เปิดรอบ")  # type: ignore[attr-defined]
    await chat.press("officer", "พ.ศ. 2569")  # type: ignore[attr-defined]
    out = await chat.press("officer", "แจ้งจากหน่วยงานอื่น")  # type: ignore[attr-defined]
    assert "ขั้นที่ 3/4 หน่วยงานที่แจ้ง" in out
    await chat.say("officer", "แขวงทางหลวงชนบทขอนแก่น")  # type: ignore[attr-defined]
    await chat.say("officer", "วันนี้")  # type: ignore[attr-defined]
    out = await chat.press("officer", "เปิดรอบ")  # type: ignore[attr-defined]
    assert "(เพิ่มเติม ครั้งที่ 1)" in out
    async with demo.sessions() as session:
        addition = (
            await session.exec(select(Edition).where(Edition.kind == EditionKind.ADDITION))
        ).one()
    assert (addition.number, addition.trigger_agency) == (1, "แขวงทางหลวงชนบทขอนแก่น")


async def test_bad_answers_are_reasked_with_reason(chat: object) -> None:
    await chat.say("officer", "/budget")  # type: ignore[attr-defined]
    out = await chat.say("officer", "2600")  # type: ignore[attr-defined]
    assert "เช่น 2569" in out and "ขั้นที่ 1/3" in out
    await chat.press("officer", "พ.ศ. 2569")  # type: ignore[attr-defined]
    out = await chat.say("officer", "งบอะไรก็ได้")  # type: ignore[attr-defined]
    assert "กรุณาเลือกจากปุ่ม" in out
    await chat.press("officer", "งบประมาณจากเงินสะสม")  # type: ignore[attr-defined]
    out = await chat.say("officer", "1 ต.ค. 2560")  # type: ignore[attr-defined] — years ago
    assert "ขั้นที่ 3/3" in out and "เช่น" in out
    out = await chat.say("officer", "ยกเลิก")  # type: ignore[attr-defined]
    assert "ยกเลิกการเปิดรอบแล้ว" in out


async def test_budget_refused_without_the_role_and_audited(chat: object, demo: Runtime) -> None:
    out = await chat.say("agency", "/budget")  # type: ignore[attr-defined]
    assert "⛔" in out and "เจ้าหน้าที่วิเคราะห์นโยบายและแผน" in out
    async with demo.sessions() as session:
        denied = (
            await session.exec(select(AuditEvent).where(AuditEvent.action == "denied:round.open"))
        ).one()
    assert denied.after == {"roles": ["submitter"]}
    assert denied.channel is not None and denied.person_id is not None


async def test_the_same_budget_event_opens_one_round_only(chat: object, demo: Runtime) -> None:
    """Issue 11.2: the annual budget again, while its round still collects, is refused with
    the reason, at the question (not after the whole form), and nobody is told twice."""
    await open_annual_round(chat)
    await chat.say("officer", "เปิดรอบ")  # type: ignore[attr-defined]
    await chat.press("officer", "พ.ศ. 2569")  # type: ignore[attr-defined]
    out = await chat.press("officer", "ข้อบัญญัติงบประมาณรายจ่ายประจำปี")  # type: ignore[attr-defined]
    assert "⛔ บันทึกข้อบัญญัติงบประมาณรายจ่ายประจำปี (1 ต.ค. 68) ไว้แล้ว" in out
    assert "ปีงบประมาณ พ.ศ. 2569 (ฉบับแรก) ไปแล้ว จึงเปิดรอบซ้ำไม่ได้" in out
    assert "ขั้นที่ 2/3 เหตุที่เริ่มนับ" in out  # asked again: pick another event
    # a supplementary budget recorded twice for the same day: refused at the date
    await chat.press("officer", "งบประมาณรายจ่ายเพิ่มเติม")  # type: ignore[attr-defined]
    await chat.say("officer", "วันนี้")  # type: ignore[attr-defined]
    out = await chat.press("officer", "เปิดรอบ")  # type: ignore[attr-defined]
    assert "(เพิ่มเติม ครั้งที่ 1)" in out
    await chat.say("officer", "เปิดรอบ")  # type: ignore[attr-defined]
    await chat.press("officer", "พ.ศ. 2569")  # type: ignore[attr-defined]
    await chat.press("officer", "งบประมาณรายจ่ายเพิ่มเติม")  # type: ignore[attr-defined]
    out = await chat.say("officer", "วันนี้")  # type: ignore[attr-defined]
    assert "⛔ บันทึกงบประมาณรายจ่ายเพิ่มเติม (1 ต.ค. 68) ไว้แล้ว" in out
    async with demo.sessions() as session:
        editions = (await session.exec(select(Edition))).all()
        opened = (
            await session.exec(
                select(OutboundMessage).where(OutboundMessage.dedupe_key.like("round-opened:%"))
            )  # type: ignore[attr-defined]
        ).all()
    assert len(editions) == 2 and len(opened) == 2 * 5  # two rounds, each told once


async def test_a_budget_event_must_have_happened(chat: object) -> None:
    """Issue 11.7: a budget announced tomorrow is not a day the 30 days can run from."""
    await chat.say("officer", "/budget")  # type: ignore[attr-defined]
    await chat.press("officer", "พ.ศ. 2569")  # type: ignore[attr-defined]
    await chat.press("officer", "ข้อบัญญัติงบประมาณรายจ่ายประจำปี")  # type: ignore[attr-defined]
    out = await chat.say("officer", "วันพรุ่งนี้")  # type: ignore[attr-defined]
    assert out.startswith("วันที่ 2 ต.ค. 2568 ยังมาไม่ถึง"), out


async def test_a_round_opened_by_mistake_is_cancelled_with_its_reason(
    chat: object, demo: Runtime
) -> None:
    """Issue 11.2: the officer cancels a round; it is audited, submitters are told, and its
    number is free for the round opened instead."""
    await open_annual_round(chat)
    assert "ยกเลิกรอบ" not in await chat.say("agency", "ช่วยเหลือ")  # type: ignore[attr-defined]
    out = await chat.say("agency", "ยกเลิกรอบ")  # type: ignore[attr-defined]
    assert out.startswith("⛔ คำสั่งนี้สำหรับเจ้าหน้าที่วิเคราะห์นโยบายและแผนเท่านั้น")
    out = await chat.say("officer", "ยกเลิกรอบ")  # type: ignore[attr-defined]
    assert "🗑 ยกเลิกรอบจัดทำแผนที่เปิดผิด" in out and "เหตุผลที่ยกเลิก" in out
    out = await chat.say("officer", "😀😀")  # type: ignore[attr-defined]
    assert out.startswith("ยังไม่เข้าใจเหตุผลที่ยกเลิก “😀😀”")  # not a reason: asked again
    await chat.say("officer", "บันทึกปีงบประมาณผิด")  # type: ignore[attr-defined]
    out = await chat.say("officer", "บันทึกวันผิดด้วย")  # type: ignore[attr-defined] — typed at the summary
    assert "✅ เปลี่ยนเหตุผลที่ยกเลิกเป็นข้อความที่พิมพ์ล่าสุดแล้ว" in out and "บันทึกวันผิดด้วย" in out
    out = await chat.press("officer", "ยืนยันยกเลิกรอบ")  # type: ignore[attr-defined]
    assert "✅ ยกเลิกรอบแล้ว: แผนการดำเนินงาน ปีงบประมาณ พ.ศ. 2569 (ฉบับแรก)" in out
    assert "แจ้งผู้เสนอโครงการและคณะกรรมการสนับสนุนฯ แล้ว 5 บัญชี" in out
    async with demo.sessions() as session:
        cancelled = (await session.exec(select(Edition))).one()
        audit = (
            await session.exec(select(AuditEvent).where(AuditEvent.action == "round.cancel"))
        ).one()
        told = (
            await session.exec(
                select(OutboundMessage).where(OutboundMessage.dedupe_key.like("round-cancelled:%"))
            )  # type: ignore[attr-defined]
        ).all()
    assert cancelled.state is EditionState.CANCELLED
    assert cancelled.cancel_reason == "บันทึกวันผิดด้วย"
    assert audit.after == {"state": "cancelled", "reason": "บันทึกวันผิดด้วย"}
    assert "บันทึกวันผิดด้วย" in plain_text(from_payload(told[0].payload))
    assert "ยังไม่มีรอบที่เปิดรับโครงการ" in await chat.say("agency", "เสนอโครงการ")  # type: ignore[attr-defined]
    out = await open_annual_round(chat)  # the same event again: the mistake is undone
    assert "(ฉบับแรก)" in out

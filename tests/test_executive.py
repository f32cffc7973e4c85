"""The executive approves and announces (or returns) an edition, and extends a round.

An edition awaiting the executive is put in the database as the committee's review leaves
it (a round, accepted projects, the approved draft closed), so these tests stand on their
own. The helpers here are shared by the posting, amendment and history tests.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import pytest
from sqlmodel import select

from bot.runtime import Runtime
from handlers.buttons import action_button
from handlers.messages import Button, Choices, Outgoing, buttons_of, from_payload, plain_text
from models import db
from models.clock import BANGKOK
from models.editions import announce, record_posting
from models.enums import (
    DraftState,
    EditionState,
    ProjectStatus,
    TriggerKind,
    VoteDecision,
)
from models.org import ChannelAccount
from models.plan import DraftVersion, Edition, PlanArea, Project, Strategy
from models.records import AuditEvent, OutboundMessage
from models.rounds import next_project_seq
from tests.chat import ConsoleDriver, RecordingDriver
from tests.flows import posting_due_of
from tests.test_submit import open_fy_round

FY = 2569
ROAD, HEALTH, POND = (
    ("ก่อสร้างถนนคอนกรีตเสริมเหล็ก หมู่ที่ 5", 150_000),
    (
        "ส่งเสริมสุขภาพผู้สูงอายุ",
        1_500_000,
    ),
    ("ขุดลอกหนองสาธารณะ", 150_000),
)
APPROVED_AT = datetime(2025, 9, 29, 10, 0, tzinfo=BANGKOK)  # the committee's approval


# -- the state part A leaves, straight into the database ---------------------------------------


async def awaiting_edition(
    rt: Runtime,
    projects: Sequence[tuple[str, int]] = (ROAD, HEALTH, POND),
    *,
    trigger: TriggerKind = TriggerKind.ANNUAL_BUDGET,
    trigger_date: date = date(2025, 9, 1),
    approved_at: datetime = APPROVED_AT,
) -> int:
    """A round with accepted projects and its approved draft closed, awaiting the executive."""
    edition_id = await open_fy_round(rt, trigger_date=trigger_date, kind=trigger)
    async with db.transaction(rt.sessions) as session:
        edition = await session.get(Edition, edition_id)
        assert edition is not None
        strategy = (await session.exec(select(Strategy))).first()
        area = (await session.exec(select(PlanArea))).first()
        agency = (
            await session.exec(select(ChannelAccount).where(ChannelAccount.external_id == "agency"))
        ).one()
        assert strategy is not None and area is not None
        for title, baht in projects:
            session.add(
                Project(
                    plan_id=edition.plan_id,
                    edition_id=edition_id,
                    seq=await next_project_seq(session, edition.plan_id),
                    title=title,
                    details="-",
                    budget_satang=baht * 100,
                    location="หมู่ที่ 5 บ้านหนองแวง",
                    responsible_unit="กองช่าง",
                    months_mask=0b111,  # ม.ค.–มี.ค.
                    strategy_id=strategy.id,  # type: ignore[arg-type]
                    plan_area_id=area.id,  # type: ignore[arg-type]
                    status=ProjectStatus.ACCEPTED,
                    submitted_by_id=agency.person_id,
                )
            )
            await session.flush()
        session.add(
            DraftVersion(
                edition_id=edition_id,
                number=1,
                state=DraftState.CLOSED,
                result=VoteDecision.APPROVE,
                project_count=len(projects),
                total_satang=sum(baht for _t, baht in projects) * 100,
                closed_at=approved_at,
                created_at=approved_at,
            )
        )
        edition.state = EditionState.AWAITING_EXECUTIVE
    return edition_id


async def in_force_edition(
    rt: Runtime,
    projects: Sequence[tuple[str, int]] = (ROAD, HEALTH, POND),
    *,
    announced_on: date = date(2025, 10, 1),
    posted_on: date | None = None,
    **round_args: Any,
) -> int:
    """An edition the executive approved (and, with ``posted_on``, the officer posted)."""
    edition_id = await awaiting_edition(rt, projects, **round_args)
    async with db.transaction(rt.sessions) as session:
        edition = await session.get(Edition, edition_id)
        assert edition is not None
        announce(edition, announced_on, rt.days_off, rt.clock.now())
        if posted_on is not None:
            board = [{"kind": "board", "text": "บอร์ดประชาสัมพันธ์ที่ทำการ"}]
            record_posting(edition, posted_on, board, None, rt.clock.now())
    return edition_id


async def edition(rt: Runtime, edition_id: int) -> Edition:
    async with rt.sessions() as session:
        found = await session.get(Edition, edition_id)
        assert found is not None
        return found


async def audit_rows(rt: Runtime, action: str) -> list[AuditEvent]:
    async with rt.sessions() as session:
        rows = await session.exec(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)  # type: ignore[arg-type]
        )
        return list(rows.all())


async def notices(rt: Runtime, key_prefix: str) -> list[tuple[str, list[Outgoing]]]:
    """(recipient console name, messages) of every queued notice whose key starts so."""
    async with rt.sessions() as session:
        rows = await session.exec(
            select(OutboundMessage, ChannelAccount)
            .join(ChannelAccount, ChannelAccount.id == OutboundMessage.account_id)  # type: ignore[arg-type]
            .where(OutboundMessage.dedupe_key.startswith(key_prefix))  # type: ignore[attr-defined]
            .order_by(OutboundMessage.id)  # type: ignore[arg-type]
        )
        return [(a.external_id, from_payload(m.payload)) for m, a in rows.all()]


def on_screen(chat: Any, who: str, messages: list[Outgoing]) -> None:
    """Show ``messages`` on ``who``'s phone, so their buttons can be pressed: a notice the
    recording driver does not deliver, or an older message still on the screen."""
    if isinstance(chat, RecordingDriver):
        chat.last[who] = messages
    elif isinstance(chat, ConsoleDriver):
        chat.console.shown[who] = buttons_of(messages)
    else:
        pytest.skip(f"{type(chat).__name__} shows only what it delivered")


async def open_notice(chat: Any, rt: Runtime, who: str, key_prefix: str) -> str:
    """The newest notice to ``who`` under ``key_prefix``, put on their screen; its text."""
    found = [m for name, m in await notices(rt, key_prefix) if name == who]
    assert found, f"no notice {key_prefix!r} for {who}"
    on_screen(chat, who, found[-1])
    return plain_text(found[-1])


def button_data(chat: Any, who: str, label: str) -> list[Outgoing]:
    """The button ``label`` on ``who``'s screen now, as a message that can be shown again."""
    if isinstance(chat, RecordingDriver):
        shown = buttons_of(chat.last[who])
    elif isinstance(chat, ConsoleDriver):
        shown = chat.console.shown[who]
    else:
        pytest.skip(f"{type(chat).__name__} cannot keep an old button")
    button = next(b for b in shown if b.label == label)
    return [Choices("(ข้อความเก่า)", (button,))]


# -- approving ------------------------------------------------------------------------------------


async def test_approve_with_todays_date(chat: Any, demo: Runtime) -> None:
    edition_id = await awaiting_edition(demo)
    out = await chat.say("mayor", "อนุมัติแผน")
    assert "แผนการดำเนินงานที่รอท่านอนุมัติ — 1 ฉบับ" in out
    assert "แผนการดำเนินงาน ปีงบประมาณ พ.ศ. 2569 (ฉบับแรก)" in out
    assert "ร่างที่ 1 · 3 โครงการ · งบประมาณรวม 1,800,000 บาท" in out
    assert "คณะกรรมการพัฒนาฯ เห็นชอบ 29 ก.ย. 2568" in out
    assert chat.buttons("mayor") == ["อนุมัติและประกาศใช้", "ส่งกลับแก้ไข"]  # /approve's list

    out = await chat.press("mayor", "อนุมัติและประกาศใช้")
    assert "📋 อนุมัติและประกาศใช้แผนการดำเนินงาน ปีงบประมาณ พ.ศ. 2569 (ฉบับแรก)" in out
    assert "ขั้นที่ 1/1 วันที่ประกาศใช้" in out and "15 วันนับแต่วันประกาศ" in out
    assert chat.buttons("mayor")[0] == "วันนี้ 1 ต.ค. 2568"
    out = await chat.press("mayor", "วันนี้ 1 ต.ค. 2568")
    assert "ตรวจสอบก่อนอนุมัติ" in out
    assert "วันที่ประกาศใช้: 1 ต.ค. 2568 → ต้องปิดประกาศภายใน 16 ต.ค. 2568" in out
    out = await chat.press("mayor", "อนุมัติและประกาศใช้")
    assert "✅ อนุมัติและประกาศใช้แล้ว: แผนการดำเนินงาน ปีงบประมาณ พ.ศ. 2569 (ฉบับแรก)" in out
    assert "ประกาศใช้ 1 ต.ค. 2568 · ⏰ ต้องปิดประกาศภายใน 16 ต.ค. 2568 (อีก 15 วัน)" in out

    stored = await edition(demo, edition_id)
    assert (stored.state, stored.announced_on, await posting_due_of(demo, edition_id)) == (
        EditionState.IN_FORCE,
        date(2025, 10, 1),
        date(2025, 10, 16),
    )
    [row] = await audit_rows(demo, "plan.approve")
    assert row.role == "executive" and row.object_id == edition_id
    assert row.before == {
        "state": "awaiting_executive",
        "announced_on": None,
        "posting_deadline": None,
    }
    assert row.after == {
        "state": "in_force",
        "announced_on": "2025-10-01",
        "posting_deadline": "2025-10-16",
    }
    sent = await notices(demo, "plan-approved:")
    assert [name for name, _m in sent] == ["officer"]

    # the officer's notice carries the button that records the posting of this edition
    text = await open_notice(chat, demo, "officer", "plan-approved:")
    assert "ประกาศใช้แล้ว — ต้องปิดประกาศภายใน 16 ต.ค. 2568 (15 วันนับแต่วันประกาศ)" in text
    assert chat.buttons("officer") == ["บันทึกการปิดประกาศ"]
    out = await chat.press("officer", "บันทึกการปิดประกาศ")
    assert "บันทึกการปิดประกาศ — แผนการดำเนินงาน ปีงบประมาณ พ.ศ. 2569 (ฉบับแรก)" in out
    assert "ขั้นที่ 1/3 วันที่ปิดประกาศ" in out and "ต้องปิดประกาศภายใน 16 ต.ค. 2568" in out


async def test_approve_with_a_typed_date(chat: Any, demo: Runtime) -> None:
    edition_id = await awaiting_edition(demo)
    await chat.say("mayor", "/approve")
    await chat.press("mayor", "อนุมัติและประกาศใช้")
    out = await chat.say("mayor", "28 ก.ย. 68")
    assert "ต้องไม่ก่อนวันที่คณะกรรมการพัฒนาฯ เห็นชอบร่าง (29 ก.ย. 2568)" in out
    assert "ขั้นที่ 1/1 วันที่ประกาศใช้" in out
    out = await chat.say("mayor", "พรุ่งนี้")
    assert "ยังมาไม่ถึง" in out and "ขั้นที่ 1/1" in out
    out = await chat.say("mayor", "30 กันยายน 2568")
    assert "✅ 30 ก.ย. 2568 → ต้องปิดประกาศภายใน 15 ต.ค. 2568" in out
    out = await chat.say("mayor", "อนุมัติและประกาศใช้")  # the button's label typed
    assert "ประกาศใช้ 30 ก.ย. 2568 · ⏰ ต้องปิดประกาศภายใน 15 ต.ค. 2568 (อีก 14 วัน)" in out
    stored = await edition(demo, edition_id)
    assert (stored.announced_on, await posting_due_of(demo, edition_id)) == (
        date(2025, 9, 30),
        date(2025, 10, 15),
    )


async def test_approving_twice_or_in_the_wrong_state_changes_nothing(
    chat: Any, demo: Runtime
) -> None:
    edition_id = await awaiting_edition(demo)
    await chat.say("mayor", "/approve")
    old_approve = button_data(chat, "mayor", "อนุมัติและประกาศใช้")
    await chat.press("mayor", "อนุมัติและประกาศใช้")
    await chat.press("mayor", "วันนี้ 1 ต.ค. 2568")
    old_confirm = button_data(chat, "mayor", "อนุมัติและประกาศใช้")
    await chat.press("mayor", "อนุมัติและประกาศใช้")

    # a second tap on the confirm button, then on the notice's อนุมัติ, then /approve again
    on_screen(chat, "mayor", old_confirm)
    assert "รายการนี้หมดอายุแล้ว" in await chat.press("mayor", "อนุมัติและประกาศใช้")
    on_screen(chat, "mayor", old_approve)
    out = await chat.press("mayor", "อนุมัติและประกาศใช้")
    assert "อนุมัติและประกาศใช้แล้วเมื่อ 1 ต.ค. 2568 — ไม่มีการเปลี่ยนแปลง" in out
    assert "ไม่มีแผนที่รอท่านอนุมัติ" in await chat.say("mayor", "/approve")
    assert len(await audit_rows(demo, "plan.approve")) == 1
    assert len(await notices(demo, "plan-approved:")) == 1

    # an edition still collecting projects cannot be approved
    collecting = await awaiting_edition(demo, [], trigger=TriggerKind.SUPPLEMENTARY_BUDGET)
    async with db.transaction(demo.sessions) as session:
        row = await session.get(Edition, collecting)
        assert row is not None
        row.state = EditionState.COLLECTING
    on_screen(chat, "mayor", approve_button(collecting))
    out = await chat.press("mayor", "อนุมัติ")
    assert "ทำรายการนี้ไม่ได้ เพราะแผนอยู่ในขั้น “กำลังรวบรวมโครงการ”" in out
    assert (await edition(demo, collecting)).state is EditionState.COLLECTING

    # and only the executive may approve: the officer is refused, with an audit row
    on_screen(chat, "officer", approve_button(edition_id))
    out = await chat.press("officer", "อนุมัติ")
    assert "⛔ รายการนี้สำหรับผู้บริหารท้องถิ่น ของ อบต.หนองแวง เท่านั้น" in out
    [denied] = await audit_rows(demo, "denied:plan.approve")
    assert denied.object_id == edition_id and denied.after == {"roles": ["admin", "plan_officer"]}


def approve_button(edition_id: int) -> list[Outgoing]:
    """The executive's notice (part A sends it when the committee approves a draft)."""
    return [Choices("(แจ้งเตือน)", (Button("อนุมัติ", action_button("approve", edition_id)),))]


async def test_return_with_a_reason(chat: Any, demo: Runtime) -> None:
    edition_id = await awaiting_edition(demo)
    await chat.say("mayor", "/approve")
    out = await chat.press("mayor", "ส่งกลับแก้ไข")
    assert "↩️ ส่งแผนการดำเนินงาน ปีงบประมาณ พ.ศ. 2569 (ฉบับแรก) กลับไปแก้ไข" in out
    assert "ขั้นที่ 1/1 เหตุผล" in out
    out = await chat.say("mayor", "ขอให้ลดงบประมาณโครงการส่งเสริมสุขภาพให้ตรงกับข้อบัญญัติ")
    assert "ตรวจสอบก่อนส่งกลับ" in out
    out = await chat.press("mayor", "ยืนยันส่งกลับ")
    assert "✅ ส่งกลับแก้ไขแล้ว" in out and "กลับสู่ขั้น “กำลังรวบรวมโครงการ”" in out

    assert (await edition(demo, edition_id)).state is EditionState.COLLECTING
    async with demo.sessions() as session:
        draft = (await session.exec(select(DraftVersion))).one()
    assert (draft.state, draft.result) == (DraftState.CLOSED, VoteDecision.APPROVE)
    [row] = await audit_rows(demo, "plan.return")
    assert row.after == {
        "state": "collecting",
        "reason": "ขอให้ลดงบประมาณโครงการส่งเสริมสุขภาพให้ตรงกับข้อบัญญัติ",
    }
    sent = await notices(demo, "plan-returned:")
    assert sorted(name for name, _m in sent) == ["officer", "s1", "s2", "s3"]
    text = plain_text(sent[0][1])
    assert "นายก อบต. ส่งแผนการดำเนินงาน ปีงบประมาณ พ.ศ. 2569 (ฉบับแรก)" in text
    assert "เหตุผล: ขอให้ลดงบประมาณโครงการส่งเสริมสุขภาพให้ตรงกับข้อบัญญัติ" in text
    assert "ไม่มีแผนที่รอท่านอนุมัติ" in await chat.say("mayor", "/approve")


# -- extending the preparation time ---------------------------------------------------------------


async def test_extension_must_be_later_and_shows_in_status(chat: Any, demo: Runtime) -> None:
    edition_id = await open_fy_round(demo)  # the annual budget of 1 Oct 2568: due 31 Oct
    out = await chat.say("officer", "/extend")
    assert "⛔" in out and "ผู้บริหารท้องถิ่น" in out

    out = await chat.say("mayor", "ขยายเวลา")
    assert "ขั้นที่ 1/2 ขยายถึงวันที่" in out
    assert "ต้องจัดทำให้แล้วเสร็จภายใน 31 ต.ค. 2568 (อีก 30 วัน)" in out
    assert not any(b.startswith("วันนี้") for b in chat.buttons("mayor"))
    out = await chat.say("mayor", "15 ต.ค. 68")
    assert "ขยายเวลาได้เฉพาะวันที่หลังกำหนดเดิม 31 ต.ค. 2568 — เช่น 15 พ.ย. 2568" in out
    out = await chat.say("mayor", "31 ตุลาคม 2568")  # the same day is no extension either
    assert "หลังกำหนดเดิม 31 ต.ค. 2568" in out and "ขั้นที่ 1/2" in out
    out = await chat.say("mayor", "14 พ.ย. 68")
    assert "✅ 14 พ.ย. 2568 (ขยายออกไป 14 วัน จาก 31 ต.ค. 2568)" in out
    assert "ขั้นที่ 2/2 เหตุผล" in out
    await chat.say("mayor", "รอแขวงทางหลวงชนบทแจ้งโครงการในพื้นที่")
    out = await chat.say("mayor", "ขยายเวลา")  # the confirm label, typed, wins over the command
    assert "✅ ขยายเวลาแล้ว" in out and "ภายใน 14 พ.ย. 2568 (อีก 44 วัน) จากเดิม 31 ต.ค. 2568" in out

    stored = await edition(demo, edition_id)
    assert (stored.extended_deadline, stored.extension_reason) == (
        date(2025, 11, 14),
        "รอแขวงทางหลวงชนบทแจ้งโครงการในพื้นที่",
    )
    [row] = await audit_rows(demo, "round.extend")
    assert row.before == {"extended_deadline": None, "extension_reason": None}
    assert row.after == {
        "extended_deadline": "2025-11-14",
        "extension_reason": "รอแขวงทางหลวงชนบทแจ้งโครงการในพื้นที่",
    }
    sent = await notices(demo, "round-extended:")
    assert sorted(name for name, _m in sent) == ["officer", "s1", "s2", "s3"]
    assert "จากเดิม 31 ต.ค. 2568 เป็น 14 พ.ย. 2568" in plain_text(sent[0][1])

    out = await chat.say("officer", "สถานะ")
    assert "กำหนดเดิม 31 ต.ค. 2568" in out and "⏰ ขยายเวลาถึง 14 พ.ย. 2568 (อีก 44 วัน)" in out

    # a second extension must be later than the first one
    await chat.say("mayor", "/extend")
    out = await chat.say("mayor", "10 พ.ย. 68")
    assert "หลังกำหนดเดิม 14 พ.ย. 2568" in out


async def test_nothing_to_approve_or_extend_is_said_plainly(chat: Any) -> None:
    assert "ไม่มีแผนที่รอท่านอนุมัติ" in await chat.say("mayor", "/approve")
    assert "ไม่มีรอบที่กำลังจัดทำแผนซึ่งขยายเวลาได้" in await chat.say("mayor", "/extend")
    assert "⛔" in await chat.say("agency", "/approve")

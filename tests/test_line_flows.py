"""Whole conversations over LINE: join by code, submit a project with quick replies, a Flex
carousel and a Flex confirm card, open a round with the date picker, and vote by postback.

Every request the bot makes is checked against LINE's OpenAPI file by the stand-in, so a
quick reply or Flex message LINE would refuse fails these tests.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import select

from bot.channels.line import render
from bot.runtime import Runtime
from models import db
from models.enums import ProjectStatus, Role
from models.invites import create_invite
from models.org import Membership, Organization, Person
from models.records import PushUsage
from tests.chat import RecordingDriver
from tests.flows import accept_all, add_projects, make_draft, open_fy_round, projects, propose
from tests.line_harness import LineChat, LineHarness


@pytest.fixture
async def line_chat(demo: Runtime, line: LineHarness) -> LineChat:
    return LineChat(line)


def last_reply(chat: LineChat, who: str) -> list[dict[str, Any]]:
    return chat.shown[who]


async def invite_code(rt: Runtime, role: Role = Role.SUBMITTER) -> str:
    async with db.transaction(rt.sessions) as session:
        org = (await session.exec(select(Organization))).first()
        assert org is not None and org.id is not None
        invite = await create_invite(session, rt.clock, org_id=org.id, role=role, unit="กองคลัง")
        return invite.code


async def test_a_new_friend_joins_by_code(line_chat: LineChat, demo: Runtime) -> None:
    user = await line_chat.user("newbie")
    follow = line_chat.line.webhooks.follow(user)
    await line_chat.line.send(follow)
    [welcome] = line_chat.line.replies_to(follow)
    assert "เข้าร่วม" in welcome["text"]

    code = await invite_code(demo)
    out = await line_chat.say("newbie", f"เข้าร่วม {code}")
    assert "ลงทะเบียนเข้าร่วม อบต.หนองแวง ในฐานะผู้เสนอโครงการ" in out
    assert "ขั้นที่ 1/2 ชื่อ-นามสกุล" in out
    assert line_chat.buttons("newbie") == ["ยกเลิก"]  # quick reply under the question
    *_header, question = last_reply(line_chat, "newbie")
    assert question["type"] == "text" and question["quickReply"]["items"]
    await line_chat.say("newbie", "นางสาวใหม่ ใจงาม")
    out = await line_chat.say("newbie", "นักวิชาการเงินและบัญชี")
    assert "ชื่อ-นามสกุล: นางสาวใหม่ ใจงาม" in out
    card = next(m for m in last_reply(line_chat, "newbie") if m["type"] == "flex")
    assert card["contents"]["type"] == "bubble"
    assert "นางสาวใหม่ ใจงาม" in card["altText"]
    out = await line_chat.press("newbie", "ยืนยัน")
    assert "✅ เข้าร่วม อบต.หนองแวง ในฐานะผู้เสนอโครงการแล้ว" in out
    async with demo.sessions() as session:
        person = (await session.exec(select(Person).where(Person.name == "นางสาวใหม่ ใจงาม"))).one()
        roles = (
            await session.exec(select(Membership.role).where(Membership.person_id == person.id))
        ).all()
    assert roles == [Role.SUBMITTER]


async def test_a_project_is_submitted_with_quick_replies_a_carousel_and_a_confirm_card(
    line_chat: LineChat, demo: Runtime
) -> None:
    await open_fy_round(demo)
    who = "agency"
    out = await line_chat.say(who, "เสนอโครงการ")
    assert "ขั้นที่ 1/10 ชื่อโครงการ" in out
    out = await line_chat.say(who, "ก่อสร้างถนนคอนกรีตเสริมเหล็ก หมู่ 5 บ้านหนองแวง")
    assert "ขั้นที่ 2/10 ยุทธศาสตร์" in out
    *_echo, question = last_reply(line_chat, who)
    items = question["quickReply"]["items"]
    assert len(items) <= render.MAX_QUICK_REPLY
    assert all(len(i["action"]["label"]) <= render.MAX_LABEL for i in items)
    full = "1 การพัฒนาด้านโครงสร้างพื้นฐาน"
    assert full in line_chat.buttons(who)  # the cut label's full text rides in displayText
    assert full in question["text"]  # and the options are listed in full in the message
    out = await line_chat.press(who, full)
    assert "ขั้นที่ 3/10 แผนงาน" in out
    # 12 แผนงาน + ย้อนกลับ + ยกเลิก: more than a quick reply holds → a Flex carousel
    carousel = next(m for m in last_reply(line_chat, who) if m["type"] == "flex")
    assert carousel["contents"]["type"] == "carousel"
    assert len(line_chat.buttons(who)) == 14
    assert "9 แผนงานอุตสาหกรรมและการโยธา" in carousel["altText"]
    await line_chat.press(who, "9 แผนงานอุตสาหกรรมและการโยธา")
    await line_chat.say(who, "ก่อสร้างถนน คสล. กว้าง 5 เมตร ยาว 200 เมตร")
    out = await line_chat.say(who, "๑.๕ ล้าน")
    assert "✅ 1,500,000 บาท (หนึ่งล้านห้าแสนบาทถ้วน)" in out
    await line_chat.say(who, "หมู่ที่ 5 บ้านหนองแวง")
    await line_chat.press(who, "อบต.หนองแวง")
    await line_chat.press(who, "กองช่าง")
    await line_chat.press(who, "ทั้งปี")
    out = await line_chat.press(who, "ไม่ใช่")
    assert "ตรวจสอบก่อนส่ง" in out
    assert "งบประมาณ (บาท): 1,500,000 บาท" in out
    card = next(m for m in last_reply(line_chat, who) if m["type"] == "flex")
    bubble = card["contents"]
    assert bubble["type"] == "bubble" and "footer" in bubble
    assert card["altText"].startswith("ตรวจสอบก่อนส่ง")
    assert {"ยืนยันส่ง", "แก้ไข", "ยกเลิก"} <= set(line_chat.buttons(who))
    assert line_chat.action(who, "ยืนยันส่ง")["type"] == "postback"
    out = await line_chat.press(who, "ยืนยันส่ง")
    assert "✅ ส่งแล้ว เลขที่ 2569-001" in out
    [project] = await projects(demo)
    assert project.status is ProjectStatus.SUBMITTED
    assert project.budget_satang == 150_000_000
    # every answer went back by reply; the submission's notices are for others' accounts
    assert line_chat.line.pushes_to(await line_chat.user(who)) == []


async def test_the_round_date_is_picked_with_the_date_picker(
    line_chat: LineChat, demo: Runtime
) -> None:
    who = "officer"
    await line_chat.say(who, "/budget")
    await line_chat.press(who, "พ.ศ. 2569")
    out = await line_chat.press(who, "ข้อบัญญัติงบประมาณรายจ่ายประจำปี")
    assert "เช่น 1 ต.ค. 2568" in out
    [picker] = [a for a in line_chat.actions(who) if a["type"] == "datetimepicker"]
    assert (picker["mode"], picker["initial"]) == ("date", "2025-10-01")
    out = await line_chat.pick_date(who, "2025-10-01")
    assert "1 ตุลาคม 2568" in out
    out = await line_chat.say(who, "เปิดรอบ")
    assert "✅ เปิดรอบแล้ว" in out


async def test_a_committee_member_votes_with_a_postback(line_chat: LineChat, demo: Runtime) -> None:
    c1 = await line_chat.user("c1")  # c1 has LINE: the vote request is pushed there
    console = RecordingDriver(demo)  # the others work on the console meanwhile
    edition = await open_fy_round(demo)
    await add_projects(demo, edition, [150_000, 250_000])
    await accept_all(console, "s1")
    await make_draft(console, "officer")
    out = await propose(console, "officer")
    assert "✅ เสนอร่างที่" in out, out

    pushed = await line_chat.show_pushes("c1")
    assert pushed, "the vote request was not pushed to c1's LINE"
    [push] = line_chat.line.stand_in.pushes
    assert push.body["to"] == c1 and "x-line-retry-key" in push.headers
    request = next(m for m in pushed if m["type"] == "flex")
    assert "ร่างที่ 1" in request["altText"]
    assert line_chat.buttons("c1") == ["เห็นชอบ", "ไม่เห็นชอบ", "ขอแก้ไข", "ดูโครงการในร่าง"]
    assert all(line_chat.action("c1", b)["type"] == "postback" for b in line_chat.buttons("c1"))

    out = await line_chat.press("c1", "เห็นชอบ")
    assert "บันทึกความเห็น “เห็นชอบ” แล้ว" in out
    assert "เห็นชอบ 1 · ไม่เห็นชอบ 0 · ขอแก้ไข 0 จาก 5 คน" in out
    async with demo.sessions() as session:
        usage = (await session.exec(select(PushUsage))).all()
    assert [(u.month, u.count) for u in usage] == [("2025-10", 1)]

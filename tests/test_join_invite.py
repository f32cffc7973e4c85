"""Joining by invite code, and making invite codes, through the chat."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta

from sqlmodel import select

from bot.runtime import Runtime
from handlers.messages import Incoming
from models import db
from models.enums import Channel, Role
from models.org import ChannelAccount, Invite, Membership, Person
from models.privacy import PrivacyAck
from models.records import AuditEvent
from tests.chat import RecordingDriver


async def make_code(
    chat: object, role_label: str = "ผู้เสนอโครงการ", unit: str | None = "กองคลัง"
) -> str:
    await chat.say("officer", "เชิญ")  # type: ignore[attr-defined]
    await chat.press("officer", role_label)  # type: ignore[attr-defined]
    if unit is None:
        await chat.press("officer", "ข้าม")  # type: ignore[attr-defined]
    else:
        await chat.say("officer", unit)  # type: ignore[attr-defined]
    if role_label.startswith("คณะกรรมการ"):
        await chat.press("officer", "ใช่")  # type: ignore[attr-defined]
    out = await chat.press("officer", "สร้างรหัส")  # type: ignore[attr-defined]
    match = re.search(r"รหัสเชิญ: ([A-Z0-9]{8})", out)
    assert match, out
    return match.group(1)


async def memberships_of(rt: Runtime, external_id: str) -> list[tuple[str, str | None, bool]]:
    async with rt.sessions() as session:
        rows = await session.exec(
            select(Membership.role, Membership.unit, Membership.is_chair)
            .join(ChannelAccount, ChannelAccount.person_id == Membership.person_id)
            .where(ChannelAccount.external_id == external_id)
        )
        return [(r.value, u, c) for r, u, c in rows.all()]


async def test_invite_then_join_first_time(chat: object, demo: Runtime) -> None:
    code = await make_code(chat)
    out = await chat.say("newbie", f"เข้าร่วม {code.lower()}")  # type: ignore[attr-defined]
    assert "ลงทะเบียนเข้าร่วม อบต.หนองแวง ในฐานะผู้เสนอโครงการ" in out
    assert "ขั้นที่ 1/2 ชื่อ-นามสกุล" in out
    out = await chat.say("newbie", "   ")  # type: ignore[attr-defined]
    assert "ขั้นที่ 1/2" in out  # empty: asked again
    await chat.say("newbie", "นางสาวใหม่ ใจงาม")  # type: ignore[attr-defined]
    out = await chat.say("newbie", "นักวิชาการเงินและบัญชี")  # type: ignore[attr-defined]
    assert "นางสาวใหม่ ใจงาม" in out and "ยืนยัน" in out
    out = await chat.say("newbie", "ยืนยัน")  # type: ignore[attr-defined]
    assert "✅ เข้าร่วม อบต.หนองแวง ในฐานะผู้เสนอโครงการแล้ว" in out
    assert "เสนอโครงการ" in out  # the help menu follows
    assert await memberships_of(demo, "newbie") == [("submitter", "กองคลัง", False)]
    # single use
    out = await chat.say("another", code)  # type: ignore[attr-defined]
    assert "ถูกใช้ไปแล้ว" in out
    assert await memberships_of(demo, "another") == []


async def test_known_person_joins_a_second_role_without_questions(
    chat: object, demo: Runtime
) -> None:
    code = await make_code(chat, "คณะกรรมการติดตามและประเมินผลฯ", unit=None)
    out = await chat.say("agency", f"/start {code}")  # type: ignore[attr-defined]
    assert "ในฐานะคณะกรรมการติดตามและประเมินผลฯแล้ว" in out
    roles = {r for r, _u, _c in await memberships_of(demo, "agency")}
    assert roles == {"submitter", "monitoring_committee"}
    chair = [c for r, _u, c in await memberships_of(demo, "agency") if r == "monitoring_committee"]
    assert chair == [True]


async def test_expired_and_unknown_codes(chat: object, demo: Runtime) -> None:
    code = await make_code(chat)
    demo.clock.advance(timedelta(days=7, minutes=1))  # type: ignore[attr-defined]
    assert "หมดอายุแล้ว" in await chat.say("late", f"เข้าร่วม {code}")  # type: ignore[attr-defined]
    assert "ไม่พบรหัสเชิญ" in await chat.say("late", "เข้าร่วม ZZZZ2222")  # type: ignore[attr-defined]
    assert "กรุณาพิมพ์รหัสเชิญ" in await chat.say("late", "เข้าร่วม")  # type: ignore[attr-defined]
    async with demo.sessions() as session:
        refused = (
            await session.exec(select(AuditEvent).where(AuditEvent.action == "join.refused"))
        ).all()
    assert {e.after["problem"] for e in refused} == {"expired", "unknown"}  # type: ignore[index]


async def test_stranger_gets_join_instructions(chat: object) -> None:
    out = await chat.say("stranger", "สวัสดี")  # type: ignore[attr-defined]
    assert "รหัสเชิญ" in out
    assert "เข้าร่วม" in await chat.say("stranger", "/start")  # type: ignore[attr-defined]


async def test_submitter_may_not_invite_and_is_audited(chat: object, demo: Runtime) -> None:
    out = await chat.say("village", "/invite")  # type: ignore[attr-defined]
    assert "⛔" in out and "ผู้ดูแลระบบ" in out
    async with demo.sessions() as session:
        denied = (
            await session.exec(
                select(AuditEvent).where(AuditEvent.action == "denied:invite.create")
            )
        ).all()
    assert len(denied) == 1


async def test_plan_officer_cannot_create_admins_but_admin_can(demo: Runtime) -> None:
    chat = RecordingDriver(demo)
    await chat.say("officer", "เชิญ")  # officer is also admin in the demo
    assert "ผู้ดูแลระบบ" in chat.buttons("officer")
    async with db.transaction(demo.sessions) as session:
        admin = (
            await session.exec(
                select(Membership)
                .join(ChannelAccount, ChannelAccount.person_id == Membership.person_id)
                .where(ChannelAccount.external_id == "officer", Membership.role == Role.ADMIN)
            )
        ).one()
        await session.delete(admin)
    await chat.say("officer", "เชิญ")
    assert "ผู้ดูแลระบบ" not in chat.buttons("officer")
    assert "ผู้เสนอโครงการ" in chat.buttons("officer")


async def test_two_people_racing_for_one_code(demo: Runtime) -> None:
    chat = RecordingDriver(demo)
    code = await make_code(chat)
    async with db.transaction(demo.sessions) as session:
        org = (await session.exec(select(Invite.org_id).where(Invite.code == code))).one()
        for name in ("p1", "p2"):
            person = Person(name=name)
            session.add(person)
            await session.flush()
            session.add(
                ChannelAccount(channel=Channel.CONSOLE, external_id=name, person_id=person.id)
            )
            # known to the org's privacy notice already: the code is all that is left
            session.add(PrivacyAck(person_id=person.id, org_id=org))  # type: ignore[arg-type]
    answers = await asyncio.gather(
        *(
            chat.engine.handle(Incoming(Channel.CONSOLE, name, text=f"เข้าร่วม {code}"))
            for name in ("p1", "p2")
        )
    )
    texts = [" ".join(getattr(m, "text", "") for m in a) for a in answers]
    assert sum("✅ เข้าร่วม" in t for t in texts) == 1
    assert sum("ถูกใช้ไปแล้ว" in t for t in texts) == 1
    async with demo.sessions() as session:
        invite = (await session.exec(select(Invite).where(Invite.code == code))).one()
    joined = await memberships_of(demo, "p1") + await memberships_of(demo, "p2")
    assert invite.used_by_id is not None and joined == [("submitter", "กองคลัง", False)]

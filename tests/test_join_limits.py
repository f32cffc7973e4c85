"""Wrong invite codes: five an hour per chat account, then a wait; counted, not logged per try."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import func, select

from bot.runtime import Runtime
from models import db
from models.enums import Role
from models.invites import create_invite
from models.org import Organization
from models.records import AuditEvent, JoinAttempt
from tests.chat import RecordingDriver


async def new_code(rt: Runtime) -> str:
    async with db.transaction(rt.sessions) as session:
        org = (await session.exec(select(Organization))).first()
        assert org is not None and org.id is not None
        return (await create_invite(session, rt.clock, org_id=org.id, role=Role.SUBMITTER)).code


async def audit_count(rt: Runtime, action: str) -> int:
    async with rt.sessions() as session:
        statement = select(func.count()).where(AuditEvent.action == action)
        return (await session.exec(statement)).one()


async def test_five_wrong_codes_then_even_a_good_one_waits_until_the_hour_is_over(
    demo: Runtime,
) -> None:
    chat = RecordingDriver(demo)
    good = await new_code(demo)
    for n in range(4):
        out = await chat.say("guesser", f"เข้าร่วม ZZZZ222{n + 2}")
        assert "ไม่พบรหัสเชิญ" in out and "กรุณารอ" not in out
    out = await chat.say("guesser", "เข้าร่วม ZZZZ2227")
    assert "ไม่พบรหัสเชิญ" in out and "กรุณารอประมาณ 60 นาที" in out
    demo.clock.advance(timedelta(minutes=30))  # type: ignore[attr-defined]
    out = await chat.say("guesser", f"เข้าร่วม {good}")
    assert "กรุณารอประมาณ 30 นาที" in out and "ลงทะเบียน" not in out
    assert "ลงทะเบียน" in await chat.say("someone_else", f"เข้าร่วม {good}")  # per account
    demo.clock.advance(timedelta(minutes=30))  # type: ignore[attr-defined]
    out = await chat.say("guesser", f"เข้าร่วม {good}")
    assert "ลงทะเบียนเข้าร่วม อบต.หนองแวง" in out


async def test_a_stranger_typing_codes_all_day_leaves_one_counter_and_a_few_audit_rows(
    demo: Runtime,
) -> None:
    chat = RecordingDriver(demo)
    for _hour in range(24):
        for n in range(8):  # five counted, three refused while waiting
            await chat.say("bot_farm", f"ZZZZ{n + 2:d}AAA")
        demo.clock.advance(timedelta(hours=1))  # type: ignore[attr-defined]
    async with demo.sessions() as session:
        [row] = (await session.exec(select(JoinAttempt))).all()
    assert row.total == 24 * 5  # tries made while waiting are not even looked up
    # one "refused" row per window and problem, one "limited" per window: not 240 rows
    assert await audit_count(demo, "join.refused") == 24
    assert await audit_count(demo, "join.limited") == 24
    async with demo.sessions() as session:
        rows = (await session.exec(select(AuditEvent))).all()
    assert not [r for r in rows if "ZZZZ" in str(r.after)]  # what strangers type is not kept

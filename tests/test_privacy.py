"""Personal data under the PDPA, in chat: the privacy notice at joining, ข้อมูลของฉัน (a copy
as a file) and ลบข้อมูลของฉัน (erasure that leaves the plan, the votes and the audit trail
intact under a pseudonym with the role, and nothing that names the person)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlmodel import select

import models
from bot.runtime import Runtime
from handlers.messages import Document
from models import db
from models.enums import ProjectStatus, Role
from models.org import ChannelAccount, Membership, Organization, Person
from models.plan import Project, Vote
from models.privacy import PrivacyAck, set_notice
from models.records import AuditEvent
from tests.chat import RecordingDriver
from tests.flows import Press, accept_all, make_draft, open_fy_round, propose, submit, vote
from tests.test_join_invite import make_code

NAME, POSITION = "นางสาวลบได้ ทดสอบสิทธิ์", "นักวิชาการทดสอบระบบ"


async def join(chat: RecordingDriver, who: str, name: str = NAME) -> str:
    code = await make_code(chat)
    first = await chat.say(who, f"เข้าร่วม {code}")
    await chat.say(who, name)
    await chat.say(who, POSITION)
    return first + "\n" + await chat.say(who, "ยืนยัน")


async def acks(rt: Runtime) -> list[tuple[int, int]]:
    async with rt.sessions() as session:
        rows = (await session.exec(select(PrivacyAck))).all()
    return [(a.org_id, a.version) for a in rows]


# -- the notice ----------------------------------------------------------------------------


async def test_the_notice_comes_before_the_first_question_and_confirming_acknowledges_it(
    demo: Runtime,
) -> None:
    chat = RecordingDriver(demo)
    out = await join(chat, "newbie")
    head, _rest = out.split("ขั้นที่ 1/2", 1)
    assert "🔒 ประกาศความเป็นส่วนตัว — อบต.หนองแวง" in head
    assert "ข้อมูลของฉัน" in head and "ลบข้อมูลของฉัน" in head
    assert "เจ้าหน้าที่วิเคราะห์นโยบายและแผน อบต.หนองแวง" in head  # whom to ask, by default
    assert "✅ เข้าร่วม อบต.หนองแวง" in out
    assert await acks(demo) == [(1, 1)]
    async with demo.sessions() as session:
        [row] = (
            await session.exec(select(AuditEvent).where(AuditEvent.action == "privacy.ack"))
        ).all()
    assert row.after == {"version": 1} and row.org_id == 1


async def test_an_org_words_its_own_notice_and_a_known_person_only_confirms(
    demo: Runtime,
) -> None:
    chat = RecordingDriver(demo)
    async with db.transaction(demo.sessions) as session:
        org = (await session.exec(select(Organization))).one()
        assert org.id is not None
        await set_notice(
            session, demo.clock, org.id, text="ประกาศของ อบต. เอง", contact="โทร 043-000000"
        )
        await set_notice(session, demo.clock, org.id, contact="dpo@nongwaeng.go.th")
    # agency is in the org already: a second role needs no second reading (test_join_invite);
    # someone known to planbot joining an org they are not in reads it and confirms
    async with db.transaction(demo.sessions) as session:
        person = Person(name="นายรู้จัก แล้ว")
        session.add(person)
        await session.flush()
        session.add(ChannelAccount(channel="console", external_id="known", person_id=person.id))  # type: ignore[arg-type]
    code = await make_code(chat)
    out = await chat.say("known", f"เข้าร่วม {code}")
    assert "ประกาศของ อบต. เอง" in out and "dpo@nongwaeng.go.th" in out
    assert "ขั้นที่" not in out and "กรุณายืนยัน" in out  # no questions, only the confirmation
    assert "✅ เข้าร่วม" in await chat.say("known", "ยืนยัน")
    assert await acks(demo) == [(1, 2)]  # the version it read


# -- ข้อมูลของฉัน ----------------------------------------------------------------------------


async def test_my_data_is_a_file_of_everything_held(demo: Runtime) -> None:
    chat = RecordingDriver(demo)
    await open_fy_round(demo)
    await submit(chat, "agency")
    out = await chat.say("agency", "ข้อมูลของฉัน")
    assert "1 โครงการที่เสนอ" in out
    [document] = [m for m in chat.last["agency"] if isinstance(m, Document)]
    path = Path(document.path)
    assert path.parent == Path(demo.settings.documents_dir).resolve() / "personal"
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["person"]["name"] == "นายสมชาย ช่างดี"
    assert [a["platform_id"] for a in data["chat_accounts"]] == ["agency"]
    assert data["memberships"][0]["role"] == "submitter"
    assert data["projects_submitted"][0]["title"].startswith("ก่อสร้างถนน")
    assert any(e["action"] == "project.submit" for e in data["audit_trail"])
    stranger = await chat.say("stranger", "/mydata")
    assert "ยังไม่ได้เข้าร่วม" in stranger


# -- ลบข้อมูลของฉัน --------------------------------------------------------------------------


async def everything_stored(rt: Runtime) -> str:
    """Every row of every table, as text."""
    parts: list[str] = []
    async with rt.engine.connect() as connection:
        for table in models.metadata.sorted_tables:
            rows = (await connection.execute(sa.select(table))).all()
            parts += [json.dumps([str(v) for v in row], ensure_ascii=False) for row in rows]
    return "\n".join(parts)


async def test_erasing_keeps_the_plan_votes_and_audit_under_a_pseudonym_and_no_name(
    demo: Runtime,
) -> None:
    chat = RecordingDriver(demo)
    await join(chat, "newbie")
    await open_fy_round(demo)
    async with db.transaction(demo.sessions) as session:  # newbie may vote too
        person_id = (await session.exec(select(Person.id).where(Person.name == NAME))).one()
        session.add(Membership(person_id=person_id, org_id=1, role=Role.DEVELOPMENT_COMMITTEE))
    assert "ส่งแล้ว" in await submit(chat, "newbie", unit=Press("กองคลัง"))
    await accept_all(chat)
    await make_draft(chat)
    await propose(chat)
    await vote(chat, demo, "newbie", "เห็นชอบ")
    await vote(chat, demo, "c1", "ขอแก้ไข", f"ขอให้ {NAME} ปรับรายละเอียด")
    before = await everything_stored(demo)
    assert NAME in before and POSITION in before

    out = await chat.say("newbie", "ลบข้อมูลของฉัน")
    assert "จะคงไว้ในนามแฝง" in out
    out = await chat.press("newbie", "ยืนยันลบข้อมูลของฉัน")
    assert "✅ ลบข้อมูลส่วนบุคคลของท่านแล้ว" in out

    stored = await everything_stored(demo)
    for identifying in (NAME, POSITION, '"newbie"'):
        assert identifying not in stored, identifying
    async with demo.sessions() as session:
        person = await session.get(Person, person_id)
        assert person is not None and person.erased_at is not None
        assert person.name.startswith("ผู้ใช้ที่ลบข้อมูลแล้ว ") and person.position is None
        roles = (
            await session.exec(
                select(Membership.role, Membership.active).where(Membership.person_id == person_id)
            )
        ).all()
        assert sorted(roles) == [("development_committee", False), ("submitter", False)]
        [project] = (
            await session.exec(select(Project).where(Project.submitted_by_id == person_id))
        ).all()
        assert project.status is ProjectStatus.ACCEPTED  # the plan is untouched
        [own_vote] = (await session.exec(select(Vote).where(Vote.person_id == person_id))).all()
        assert own_vote.decision.value == "approve"
        comment = (
            await session.exec(select(Vote.comment).where(Vote.person_id != person_id))
        ).one()
        assert comment == f"ขอให้ {person.name} ปรับรายละเอียด"
        trail = (
            await session.exec(select(AuditEvent).where(AuditEvent.person_id == person_id))
        ).all()
        actions = {e.action for e in trail}
        assert {"person.register", "project.submit", "draft.vote", "person.erase"} <= actions
        registered = next(e for e in trail if e.action == "person.register")
        assert registered.after == {"name": person.name, "position": person.name}
        assert all(e.role for e in trail if e.action in ("project.submit", "draft.vote"))
    # the chat account is cut loose: the same platform id is a stranger now
    assert "รหัสเชิญ" in await chat.say("newbie", "สถานะ")
    # and the others carry on: the officer's history names the pseudonym
    history = await chat.say("officer", "ประวัติ")
    assert NAME not in history


async def test_a_stranger_may_erase_their_account_too_and_nobody_else_s(demo: Runtime) -> None:
    chat = RecordingDriver(demo)
    await chat.say("drifter", "สวัสดี")
    await chat.say("drifter", "ลบข้อมูลของฉัน")
    forged: dict[str, Any] = {}
    [yes] = [b for b in chat.last["drifter"][0].buttons if b.label == "ยืนยันลบข้อมูลของฉัน"]  # type: ignore[union-attr]
    forged["data"] = yes.data
    from handlers.messages import Incoming
    from models.enums import Channel

    other = await chat.send(
        Incoming(Channel.CONSOLE, "agency", button_data=yes.data, event_id="f1")
    )
    assert "หมดอายุ" in other  # someone else's confirmation does nothing
    async with demo.sessions() as session:
        assert (
            await session.exec(select(ChannelAccount).where(ChannelAccount.external_id == "agency"))
        ).first()
    assert "✅" in await chat.press("drifter", "ยืนยันลบข้อมูลของฉัน")
    async with demo.sessions() as session:
        gone = (
            await session.exec(
                select(ChannelAccount).where(ChannelAccount.external_id == "drifter")
            )
        ).first()
    assert gone is None

"""Issue #4's acceptance: a whole fiscal year of the demo อบต., in chat, step by step.

Budget announced → five submissions (two from another agency) → screening returns one, it
is fixed and accepted → draft v1 → five members vote (one changes its vote) → the executive
approves and announces → posted → removal refused on day 29, accepted on day 31 → a
supplementary budget opens an addition round that ends in force → the consolidated plan
lists both editions → the executive amends it (แก้ไข ครั้งที่ 1: a cut and a cancellation),
and each edition keeps its own totals while the plan as it stands adds them up → the audit
export has a row for every step. The second scenario: the chair's casting vote breaks a tie.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from sqlmodel import select

from bot.runtime import Runtime
from handlers.messages import from_payload, plain_text
from models.audit_export import export_csv, export_json
from models.clock import BANGKOK, FixedClock
from models.deadlines import DeadlineRule
from models.editions import consolidated_projects
from models.enums import DraftState, EditionKind, EditionState, ProjectStatus, VoteDecision
from models.org import ChannelAccount, Organization
from models.plan import Edition
from models.records import OutboundMessage
from scheduler.timetravel import travel
from tests.chat import RecordingDriver
from tests.flows import (
    Press,
    accept_all,
    add_members,
    approve_today,
    drafts,
    make_draft,
    post_at_the_board,
    posting_due_of,
    projects,
    propose,
    show_notice,
    submit,
    vote,
)

OTHER_AGENCY = {"source": Press("หน่วยงานอื่น"), "unit": "แขวงทางหลวงชนบทขอนแก่น"}


async def open_round(chat: Any, trigger: str, when: str = "วันนี้") -> str:
    await chat.say("officer", "เปิดรอบ")
    await chat.press("officer", "พ.ศ. 2569")
    await chat.press("officer", trigger)
    await chat.say("officer", when)
    return await chat.press("officer", "เปิดรอบ")


async def editions(rt: Runtime) -> list[Edition]:
    async with rt.sessions() as session:
        return list((await session.exec(select(Edition).order_by(Edition.id))).all())  # type: ignore[arg-type]


async def the_committee_approves(chat: Any, rt: Runtime, *, change_of_mind: bool) -> None:
    """c1–c5 vote; with ``change_of_mind`` c2 first votes ไม่เห็นชอบ, then เห็นชอบ."""
    if change_of_mind:
        out = await vote(chat, rt, "c2", "ไม่เห็นชอบ", "งบประมาณสูงเกินไป")
        assert "บันทึกความเห็น" in out
    for who, decision in (
        ("c2", "เห็นชอบ"),
        ("c3", "เห็นชอบ"),
        ("c4", "ขอแก้ไข"),
        ("c5", "ไม่เห็นชอบ"),
        ("c1", "เห็นชอบ"),
    ):
        comment = "ขอเพิ่มรายละเอียดแบบแปลน" if decision == "ขอแก้ไข" else None
        await vote(chat, rt, who, decision, comment)


async def test_a_whole_fiscal_year(chat: Any, demo: Runtime) -> None:
    clock = demo.clock
    # 1 Oct 2568: the annual budget ordinance is announced
    out = await open_round(chat, "ข้อบัญญัติงบประมาณรายจ่ายประจำปี")
    assert "ต้องจัดทำให้แล้วเสร็จภายใน 31 ตุลาคม 2568" in out

    # five submissions, two of them another agency's
    await submit(chat, "agency")
    await submit(chat, "agency", title="ขุดลอกหนองสาธารณะ หมู่ที่ 3", budget="250000")
    await submit(chat, "village", title="ซ่อมแซมศาลาประชาคม หมู่ที่ 5", unit="หมู่ที่ 5", budget="๘๐,๐๐๐")
    await submit(
        chat,
        "s1",
        title="ก่อสร้างสะพานข้ามลำห้วยทราย",
        budget="2.5 ล้าน",
        agency="แขวงทางหลวงชนบทขอนแก่น",
        **OTHER_AGENCY,
    )
    await submit(
        chat,
        "s1",
        title="ซ่อมบำรุงทางหลวงชนบท ขก.3007",
        budget="1.2 ล้าน",
        agency="แขวงทางหลวงชนบทขอนแก่น",
        **OTHER_AGENCY,
    )
    assert len(await projects(demo)) == 5
    assert sum(p.agency_name is not None for p in await projects(demo)) == 2

    # screening returns one; it is fixed and sent again; then everything is accepted
    await chat.say("s1", "ตรวจโครงการ")
    await chat.press("s1", "ส่งกลับแก้ไข #2")
    await chat.say("s1", "งบประมาณสูงกว่าราคากลาง")
    await chat.press("s1", "ยืนยันส่งกลับ")
    pond = (await projects(demo))[1]
    assert pond.status is ProjectStatus.RETURNED
    await show_notice(chat, demo, "agency", f"project-screened:{pond.id}:returned")
    await chat.press("agency", "แก้ไข #2")
    await chat.press("agency", "แก้ไข")
    await chat.press("agency", "งบประมาณ (บาท)")
    await chat.say("agency", "200000")
    assert "ส่งใหม่แล้ว" in await chat.press("agency", "ยืนยันแก้ไข")
    await accept_all(chat, "s1")
    assert {p.status for p in await projects(demo)} == {ProjectStatus.ACCEPTED}

    # draft v1, proposed; five members vote, one changes its vote; approved
    clock.advance(timedelta(days=10))  # 11 Oct
    out = await make_draft(chat)
    assert "ร่างที่ 1" in out and "5 โครงการ" in out
    await propose(chat)
    await the_committee_approves(chat, demo, change_of_mind=True)
    (draft,) = await drafts(demo)
    assert (draft.state, draft.result) == (DraftState.CLOSED, VoteDecision.APPROVE)
    tally = await chat.say("officer", "ผลการพิจารณา")
    assert "เห็นชอบ 3" in tally

    # the executive approves and announces on 14 Oct; the plan is posted the same day
    clock.advance(timedelta(days=3))  # Tue 14 Oct 2568 (13 Oct is a holiday)
    out = await approve_today(chat)
    assert "ประกาศใช้" in out
    original = (await editions(demo))[0]
    assert original.state is EditionState.IN_FORCE
    assert original.id is not None
    assert await posting_due_of(demo, original.id) == date(2025, 10, 29)
    out = await post_at_the_board(chat, "วันนี้ 14 ต.ค. 2568")
    assert "ปลดประกาศได้ตั้งแต่ 14 พ.ย. 2568" in out

    # removal: refused on day 29, accepted on day 31
    clock.advance(timedelta(days=29))  # 12 Nov
    out = await chat.say("officer", "บันทึกการปลดประกาศ")
    assert "ยังปลดประกาศไม่ได้" in out and "14 พ.ย. 2568" in out
    clock.advance(timedelta(days=2))  # 14 Nov: day 31
    await chat.say("officer", "/removed")
    await chat.press("officer", "วันนี้ 14 พ.ย. 2568")
    out = await chat.press("officer", "บันทึกการปลดประกาศ")
    assert "✅ บันทึกการปลดประกาศแล้ว" in out
    assert (await editions(demo))[0].removed_on is not None

    # a supplementary budget opens เพิ่มเติม ครั้งที่ 1, which runs the whole process again
    out = await open_round(chat, "งบประมาณรายจ่ายเพิ่มเติม")
    assert "(เพิ่มเติม ครั้งที่ 1)" in out
    await submit(chat, "agency", title="ติดตั้งไฟฟ้าส่องสว่างทางสาธารณะ หมู่ที่ 7", budget="300000")
    await accept_all(chat, "s1")
    assert "ร่างที่ 1" in await make_draft(chat)
    await propose(chat)
    await the_committee_approves(chat, demo, change_of_mind=False)
    clock.advance(timedelta(days=3))
    await approve_today(chat)
    addition = (await editions(demo))[1]
    assert (addition.kind, addition.number, addition.state) == (
        EditionKind.ADDITION,
        1,
        EditionState.IN_FORCE,
    )
    out = await post_at_the_board(chat, "วันนี้ 17 พ.ย. 2568")
    assert "ปลดประกาศได้ตั้งแต่" in out

    # the consolidated plan: both editions, six projects
    out = await chat.say("c3", "แผนที่ประกาศใช้")
    assert "ฉบับแรก" in out and "เพิ่มเติม ครั้งที่ 1" in out
    assert "รวมทั้งสิ้น 6 โครงการ · งบประมาณ 4,430,000 บาท" in out

    # the executive amends: #1 cut to 120,000, #5 cancelled; each edition keeps its totals
    await chat.say("mayor", "แก้ไขแผน")
    await chat.say("mayor", "1")
    await chat.press("mayor", "งบประมาณ")
    await chat.say("mayor", "120000")
    await chat.say("mayor", "ได้รับจัดสรรงบประมาณน้อยกว่าที่ตั้งไว้")
    await chat.press("mayor", "เพิ่มรายการแก้ไข")
    await chat.say("mayor", "2569-005")
    await chat.press("mayor", "ยกเลิกโครงการ")
    await chat.say("mayor", "แขวงทางหลวงชนบทดำเนินการเองแล้ว")
    await chat.press("mayor", "เสร็จแล้ว")
    out = await chat.press("mayor", "อนุมัติการแก้ไข")
    assert "✅ อนุมัติการแก้ไขแผนแล้ว: แก้ไข ครั้งที่ 1/2569" in out
    out = await chat.say("c3", "แผนที่ประกาศใช้")
    lines = out.splitlines()
    original_at = next(i for i, line in enumerate(lines) if "📌 ฉบับแรก" in line)
    addition_at = next(i for i, line in enumerate(lines) if "📌 เพิ่มเติม ครั้งที่ 1" in line)
    amendment_at = next(i for i, line in enumerate(lines) if "📌 แก้ไข ครั้งที่ 1/2569" in line)
    assert "5 โครงการ · 4,130,000 บาท" in lines[original_at + 1]  # as announced and posted
    assert "1 โครงการ · 300,000 บาท" in lines[addition_at + 1]
    assert "แก้ไข 1 โครงการ · ยกเลิก 1 โครงการ · งบประมาณ −1,230,000 บาท" in lines[amendment_at + 1]
    assert "รวมทั้งสิ้น 5 โครงการ · งบประมาณ 3,200,000 บาท" in out  # the plan as it stands

    async with demo.sessions() as session:
        org = (await session.exec(select(Organization))).one()
        consolidated = await consolidated_projects(session, original.plan_id)
        text, rows = await export_csv(session, org, 2569, clock.tz)
        events = await export_json(session, org, 2569, clock.tz)
    assert len(consolidated) == 5
    assert sum(p.budget_satang for p in consolidated) == 320_000_000

    # the audit export of the year has a row for every step (codes in the JSON, Thai in CSV)
    actions = [event["action"] for event in events]
    assert rows == len(actions) == len(list(csv.DictReader(io.StringIO(text.lstrip("\ufeff")))))
    for step in (
        "round.open",
        "project.submit",
        "project.return",
        "project.edit",
        "project.accept",
        "draft.create",
        "draft.propose",
        "draft.vote",
        "review.close",
        "plan.approve",
        "plan.post",
        "plan.remove",
        "plan.amend",
        "project.amend",
        "project.cancel",
    ):
        assert step in actions, step
    assert actions.count("round.open") == 2 and actions.count("plan.approve") == 2
    assert actions.count("project.submit") == 6
    assert actions.count("draft.vote") == 6 + 5
    assert "อนุมัติการแก้ไขแผน" in text  # the CSV says it in Thai


async def test_the_chair_breaks_a_tie(chat: Any, demo: Runtime) -> None:
    """Six members: three for, three against or asking for changes — the chair (c1) decides."""
    await add_members(demo, ["c6"])
    await open_round(chat, "ข้อบัญญัติงบประมาณรายจ่ายประจำปี")
    await submit(chat, "agency")
    await accept_all(chat, "s1")
    await make_draft(chat)
    await propose(chat)
    for who, decision in (
        ("c2", "เห็นชอบ"),
        ("c3", "เห็นชอบ"),
        ("c4", "ไม่เห็นชอบ"),
        ("c5", "ไม่เห็นชอบ"),
        ("c6", "ขอแก้ไข"),
    ):
        await vote(chat, demo, who, decision, "ขอรายละเอียดเพิ่ม" if decision == "ขอแก้ไข" else None)
    (draft,) = await drafts(demo)
    assert draft.state is DraftState.IN_REVIEW  # 2 for, 3 not: undecided until the chair votes
    await vote(chat, demo, "c1", "เห็นชอบ")
    (draft,) = await drafts(demo)
    assert (draft.state, draft.result) == (DraftState.CLOSED, VoteDecision.APPROVE)
    assert (await editions(demo))[0].state is EditionState.AWAITING_EXECUTIVE


# -- the year's reminders, by time travel --------------------------------------------------------

ROUND_OPENED = datetime(2025, 10, 2, 10, 0, tzinfo=BANGKOK)  # Thu: 30 days on is Sat 1 Nov
TEAM = ("officer", "s1", "s2", "s3")
Sent = tuple[date, str, str]  # (day, reason, to whom)


def each(day: date, reason: str, *who: str) -> list[Sent]:
    return [(day, reason, name) for name in who]


# The reminders the year must bring, each once, on its day, in each counting rule (the round's
# deadline, Sat 1 Nov 2568, is a day off; the extension to Fri 14 Nov makes the rest alike).
EXPECTED: dict[DeadlineRule, list[Sent]] = {
    DeadlineRule.AUTHORITY: [  # aimed at Fri 31 Oct, the last working day before 1 Nov
        *each(date(2025, 10, 17), "prep", *TEAM),  # 31 Oct − 14
        *each(date(2025, 10, 17), "collect", "agency", "village"),  # cutoff 22 Oct − 3 (Sun)
        *each(date(2025, 10, 21), "collect", "village"),  # − 1; agency submitted on the 20th
        *each(date(2025, 10, 24), "prep", *TEAM),  # − 7
        *each(date(2025, 10, 28), "prep", *TEAM),  # − 3, before the extension that morning
    ],
    DeadlineRule.CIVIL: [  # aimed at Mon 3 Nov, the next working day after 1 Nov (§193/8)
        *each(date(2025, 10, 20), "prep", *TEAM),  # 3 Nov − 14
        *each(date(2025, 10, 21), "collect", "village"),  # cutoff 24 Oct − 3
        *each(date(2025, 10, 22), "collect", "village"),  # − 1 is วันปิยมหาราช: the day before
        *each(date(2025, 10, 27), "prep", *TEAM),  # − 7
    ],
}
AFTER_THE_EXTENSION: list[Sent] = [  # to Fri 14 Nov: the same whatever the rule
    *each(date(2025, 10, 31), "prep", *TEAM),  # 14 Nov − 14
    *each(date(2025, 10, 31), "collect", "village"),  # new cutoff Tue 4 Nov − 3 (Sat)
    *each(date(2025, 11, 3), "collect", "village"),  # − 1
    *each(date(2025, 11, 7), "prep", *TEAM),  # − 7
    *each(date(2025, 11, 11), "prep", *TEAM),  # − 3 (the draft is before the committee)
    *each(date(2025, 11, 11), "vote", "c3", "c4", "c5"),  # c1, c2 voted on the 10th
    *each(date(2025, 11, 12), "exec", "mayor"),  # c3's vote closed the review on the 11th
    *each(date(2025, 11, 13), "prep", *TEAM),  # − 1, still not in force at 08:30
    *each(date(2025, 11, 13), "exec", "mayor"),  # approved at 10:00: posting by Fri 28 Nov
    *each(date(2025, 11, 21), "post", "officer"),  # 28 Nov − 7
    *each(date(2025, 11, 25), "post", "officer"),  # − 3; posted on the 26th
    *each(date(2025, 12, 29), "removal", "officer"),  # 30 days over on Sat 27 Dec: Monday
]


async def at(rt: Runtime, when: datetime) -> None:
    """Travel to ``when``, the day's reminder pass running on every weekday crossed."""
    clock: FixedClock = rt.clock  # type: ignore[assignment]
    await travel(rt.clockwork(), clock, when)


def ten(day: date) -> datetime:
    return datetime.combine(day, time(10, 0), tzinfo=BANGKOK)


async def reminders_sent(rt: Runtime) -> list[Sent]:
    async with rt.sessions() as session:
        rows = await session.exec(
            select(OutboundMessage.dedupe_key, ChannelAccount.external_id)
            .join(ChannelAccount, ChannelAccount.id == OutboundMessage.account_id)
            .where(OutboundMessage.dedupe_key.startswith("r:"))  # type: ignore[attr-defined]
        )
        found = []
        for key, who in rows.all():
            _r, _edition, reason, day, _person = key.split(":")
            found.append((date.fromisoformat(day), reason, who))
    return sorted(found)


async def reminder_text(rt: Runtime, day: date, who: str) -> str:
    async with rt.sessions() as session:
        rows = await session.exec(
            select(OutboundMessage)
            .join(ChannelAccount, ChannelAccount.id == OutboundMessage.account_id)
            .where(
                OutboundMessage.dedupe_key.startswith("r:"),  # type: ignore[attr-defined]
                OutboundMessage.dedupe_key.contains(f":{day.isoformat()}:"),  # type: ignore[attr-defined]
                ChannelAccount.external_id == who,
            )
        )
        return "\n".join(plain_text(from_payload(m.payload)) for m in rows.all())


@pytest.mark.parametrize("rule", list(DeadlineRule))
async def test_a_fiscal_year_of_reminders_by_time_travel(demo: Runtime, rule: DeadlineRule) -> None:
    """Every reminder once, on its day, none after its action; an extension moves them; a
    deadline on a day off aimed at the working day before (or after, under ``civil``)."""
    demo.days_off = demo.days_off.with_rule(rule)
    demo.clock.set(ROUND_OPENED)  # type: ignore[attr-defined]
    chat = RecordingDriver(demo)
    out = await open_round(chat, "ข้อบัญญัติงบประมาณรายจ่ายประจำปี")
    due = "1 พฤศจิกายน 2568" if rule is DeadlineRule.AUTHORITY else "3 พฤศจิกายน 2568"
    assert f"ต้องจัดทำให้แล้วเสร็จภายใน {due}" in out

    await at(demo, ten(date(2025, 10, 20)))
    await submit(chat, "agency")  # the agency is in: no more cutoff reminders for it
    await at(demo, ten(date(2025, 10, 28)))
    await chat.say("mayor", "ขยายเวลา")
    await chat.say("mayor", "14 พ.ย. 68")
    await chat.say("mayor", "รอแขวงทางหลวงชนบทแจ้งโครงการในพื้นที่")
    assert "✅ ขยายเวลาแล้ว" in await chat.press("mayor", "ขยายเวลา")

    await at(demo, ten(date(2025, 11, 10)))
    await accept_all(chat, "s1")
    await make_draft(chat)
    await propose(chat)
    await vote(chat, demo, "c1", "เห็นชอบ")
    await vote(chat, demo, "c2", "เห็นชอบ")
    await at(demo, ten(date(2025, 11, 11)))
    await vote(chat, demo, "c3", "เห็นชอบ")  # three of five, all for: the review closes
    assert (await editions(demo))[0].state is EditionState.AWAITING_EXECUTIVE
    await at(demo, ten(date(2025, 11, 13)))
    assert "ประกาศใช้" in await approve_today(chat)
    await at(demo, ten(date(2025, 11, 26)))
    assert "✅ บันทึกการปิดประกาศแล้ว" in await post_at_the_board(chat, "วันนี้ 26 พ.ย. 2568")
    await at(demo, ten(date(2025, 12, 29)))
    await chat.say("officer", "/removed")
    await chat.press("officer", "วันนี้ 29 ธ.ค. 2568")
    assert "✅ บันทึกการปลดประกาศแล้ว" in await chat.press("officer", "บันทึกการปลดประกาศ")
    await at(demo, ten(date(2026, 9, 30)))  # the rest of the fiscal year: nothing more

    assert await reminders_sent(demo) == sorted(EXPECTED[rule] + AFTER_THE_EXTENSION)
    if rule is DeadlineRule.AUTHORITY:
        text = await reminder_text(demo, date(2025, 10, 24), "officer")
        assert "ต้องจัดทำให้แล้วเสร็จภายใน 1 พ.ย. 2568" in text
        assert (
            "ครบกำหนดวันเสาร์ที่ 1 พ.ย. 2568 — เป็นวันหยุด ควรดำเนินการให้แล้วเสร็จภายในวันศุกร์ที่ 31 ต.ค. 2568"
        ) in text
    else:
        text = await reminder_text(demo, date(2025, 10, 27), "officer")
        assert "ต้องจัดทำให้แล้วเสร็จภายใน 3 พ.ย. 2568" in text and "เป็นวันหยุด" not in text
    mayor = await reminder_text(demo, date(2025, 11, 12), "mayor")
    assert "คณะกรรมการพัฒนาฯ เห็นชอบร่างแล้วเมื่อ 11 พ.ย. 2568" in mayor
    assert "ภายใน 14 พ.ย. 2568" in mayor  # the extended deadline

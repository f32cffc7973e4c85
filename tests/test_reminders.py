"""The reminder rules as pure functions (facts in, reminders out), then through the database:
the day's pass, its idempotence, catch-up after downtime, /deadlines and /reminders."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from sqlmodel import select

from bot.runtime import Runtime
from handlers.messages import buttons_of, from_payload, plain_text
from handlers.reminder_facts import plan_day
from handlers.reminders import Facts, Reason, Review, reminder_days, reminders_on, render, upcoming
from models import db
from models.clock import BANGKOK
from models.days_off import DaysOff
from models.deadlines import DeadlineRule
from models.enums import DraftState, EditionKind, EditionState, Role, TriggerKind
from models.org import Organization
from models.plan import DraftVersion, Edition
from models.records import AuditEvent, OutboundMessage, ReminderRun
from models.reminder_settings import ReminderSettings
from models.schedule import edition_dates
from scheduler.reminders import catch_up, missed_days, run_day
from tests.flows import open_fy_round

DAYS_OFF = DaysOff()
OFFICER, SUPPORT, SUBMITTER, MEMBER, MAYOR = 1, 2, 3, 4, 5
PEOPLE = {
    Role.PLAN_OFFICER: (OFFICER,),
    Role.SUPPORT_COMMITTEE: (SUPPORT, OFFICER),  # the officer sits on it too: named once
    Role.SUBMITTER: (SUBMITTER,),
    Role.DEVELOPMENT_COMMITTEE: (MEMBER,),
    Role.EXECUTIVE: (MAYOR,),
}


def facts(
    trigger: date = date(2025, 10, 3),
    *,
    state: EditionState = EditionState.COLLECTING,
    days_off: DaysOff = DAYS_OFF,
    settings: ReminderSettings | None = None,
    **edition: Any,
) -> Facts:
    """An edition opened on ``trigger`` (default: due Sun 2 Nov 2025, act by Fri 31 Oct)."""
    row = Edition(
        plan_id=1,
        kind=EditionKind.ORIGINAL,
        trigger_kind=TriggerKind.ANNUAL_BUDGET,
        trigger_date=trigger,
        state=state,
        **{k: v for k, v in edition.items() if k in Edition.model_fields},
    )
    extra = {k: v for k, v in edition.items() if k not in Edition.model_fields}
    return Facts(
        edition_id=7,
        org_id=1,
        org_name="อบต.หนองแวง",
        executive_title="นายก อบต.",
        plan="แผนการดำเนินงาน ปีงบประมาณ พ.ศ. 2569 (ฉบับแรก)",
        state=state,
        dates=edition_dates(row, days_off),
        days_off=days_off,
        settings=settings or ReminderSettings(),
        opened_on=trigger,
        announced_on=row.announced_on,
        posted_on=row.posted_on,
        removed_on=row.removed_on,
        people=PEOPLE,
        **extra,
    )


def schedule(f: Facts, start: date, days: int = 60) -> list[tuple[date, Reason, tuple[int, ...]]]:
    return [(r.day, r.reason, r.people) for r in upcoming(f, start, days)]


# -- preparation -----------------------------------------------------------------------------


def test_preparation_on_a_sunday_is_reminded_against_friday_then_overdue() -> None:
    f = facts()  # 30th day Sun 2 Nov 2025: act by Fri 31 Oct
    prep = [(d, r) for d, r, _p in schedule(f, date(2025, 10, 4)) if r.value.startswith("prep")]
    assert prep[:5] == [
        (date(2025, 10, 17), Reason.PREPARATION),  # 31 Oct − 14
        (date(2025, 10, 24), Reason.PREPARATION),  # − 7
        (date(2025, 10, 28), Reason.PREPARATION),  # − 3
        (date(2025, 10, 30), Reason.PREPARATION),  # − 1
        (date(2025, 10, 31), Reason.PREPARATION),  # the last working day
    ]
    assert prep[5:8] == [
        (date(2025, 11, 3), Reason.PREPARATION_OVERDUE),  # every working day after D
        (date(2025, 11, 4), Reason.PREPARATION_OVERDUE),
        (date(2025, 11, 5), Reason.PREPARATION_OVERDUE),
    ]
    [on_d] = reminders_on(f, date(2025, 10, 31))
    assert on_d.people == (OFFICER, SUPPORT) and on_d.due == date(2025, 11, 2)
    overdue = [
        r for r in reminders_on(f, date(2025, 11, 3)) if r.reason is Reason.PREPARATION_OVERDUE
    ]
    assert overdue[0].people == (OFFICER, SUPPORT, MAYOR)  # from D+1 the executive too


def test_under_the_civil_rule_the_same_round_is_reminded_against_monday() -> None:
    f = facts(days_off=DaysOff(rule=DeadlineRule.CIVIL))  # due Mon 3 Nov (§193/8)
    prep = [d for d, r, _p in schedule(f, date(2025, 10, 4)) if r is Reason.PREPARATION]
    # 3 Nov − 14, − 7, then − 3 (Fri 31 Oct) and − 1 (Sun 2 Nov → Fri 31 Oct): one message
    assert prep == [date(2025, 10, 20), date(2025, 10, 27), date(2025, 10, 31), date(2025, 11, 3)]
    assert len(reminders_on(f, date(2025, 10, 31))) == 1


def test_reminder_days_on_a_day_off_move_earlier_never_later() -> None:
    aim = date(2025, 10, 31)  # Fri
    assert reminder_days(aim, [1, 3, 6], DAYS_OFF) == {
        date(2025, 10, 30),
        date(2025, 10, 28),
        date(2025, 10, 24),  # − 6 is Sat 25 Oct: Fri 24
    }


def test_an_extension_moves_every_later_reminder() -> None:
    f = facts(extended_deadline=date(2025, 11, 14))  # Fri
    days = [d for d, r, _p in schedule(f, date(2025, 10, 25)) if r is Reason.PREPARATION]
    assert days == [
        date(2025, 10, 31),
        date(2025, 11, 7),
        date(2025, 11, 11),
        date(2025, 11, 13),
        date(2025, 11, 14),
    ]
    assert not [r for r in reminders_on(f, date(2025, 11, 3)) if "late" in r.reason]


def test_preparation_stops_when_the_plan_is_in_force() -> None:
    f = facts(state=EditionState.IN_FORCE, announced_on=date(2025, 10, 20))
    assert not [r for _d, r, _p in schedule(f, date(2025, 10, 21)) if r.value.startswith("prep")]


def test_settings_choose_the_days() -> None:
    settings = ReminderSettings(preparation_days=(2,), overdue=False, collection_days=())
    f = facts(settings=settings)
    assert [(d, r) for d, r, _p in schedule(f, date(2025, 10, 4))] == [
        (date(2025, 10, 29), Reason.PREPARATION)
    ]


# -- collection, committee, executive ----------------------------------------------------------


def test_submitters_who_have_not_submitted_hear_of_the_cutoff() -> None:
    f = facts(trigger=date(2025, 10, 1))  # due Fri 31 Oct: cutoff Tue 21 Oct
    collect = [(d, p) for d, r, p in schedule(f, date(2025, 10, 2)) if r is Reason.COLLECTION]
    assert collect == [(date(2025, 10, 17), (SUBMITTER,)), (date(2025, 10, 20), (SUBMITTER,))]
    done = dataclasses.replace(f, submitted_by=frozenset({SUBMITTER}))
    assert not [r for _d, r, _p in schedule(done, date(2025, 10, 2)) if r is Reason.COLLECTION]


def test_the_committee_is_reminded_each_working_morning_until_everyone_voted() -> None:
    draft = DraftVersion(id=3, edition_id=7, number=1, state=DraftState.IN_REVIEW)
    review = Review(draft, proposed_on=date(2025, 10, 10), not_voted=(MEMBER,))
    f = facts(state=EditionState.IN_REVIEW, review=review)
    votes = [d for d, r, _p in schedule(f, date(2025, 10, 10), 8) if r is Reason.VOTE]
    assert votes == [date(2025, 10, 14), date(2025, 10, 15), date(2025, 10, 16), date(2025, 10, 17)]
    # (Sat 11, Sun 12 and Mon 13 Oct, วันนวมินทรมหาราช, are days off)
    [vote] = reminders_on(f, date(2025, 10, 14))
    [message] = render(vote, f, date(2025, 10, 14))
    assert [b.label for b in buttons_of([message])] == ["เห็นชอบ", "ไม่เห็นชอบ", "ขอแก้ไข"]
    done = dataclasses.replace(f, review=dataclasses.replace(review, not_voted=()))
    assert reminders_on(done, date(2025, 10, 14)) == []


def test_the_executive_is_reminded_while_an_approved_draft_waits() -> None:
    f = facts(state=EditionState.AWAITING_EXECUTIVE, approved_on=date(2025, 10, 15))
    days = [(d, p) for d, r, p in schedule(f, date(2025, 10, 15), 3) if r is Reason.EXECUTIVE]
    assert days == [(date(2025, 10, 16), (MAYOR,)), (date(2025, 10, 17), (MAYOR,))]


# -- posting -------------------------------------------------------------------------------------


def test_posting_then_overdue_then_the_day_it_may_come_down() -> None:
    f = facts(state=EditionState.IN_FORCE, announced_on=date(2025, 10, 14))  # due Wed 29 Oct
    posting = [(d, r) for d, r, _p in schedule(f, date(2025, 10, 15), 20)]
    assert posting[:4] == [
        (date(2025, 10, 22), Reason.POSTING),
        (date(2025, 10, 24), Reason.POSTING),  # − 3 is Sun 26 Oct: Fri 24
        (date(2025, 10, 28), Reason.POSTING),
        (date(2025, 10, 29), Reason.POSTING),
    ]
    assert posting[4] == (date(2025, 10, 30), Reason.POSTING_OVERDUE)
    posted = facts(
        state=EditionState.IN_FORCE,
        announced_on=date(2025, 10, 14),
        posted_on=date(2025, 11, 2),  # may come down Wed 3 Dec
    )
    assert schedule(posted, date(2025, 11, 3), 40) == [
        (date(2025, 12, 3), Reason.REMOVAL, (OFFICER,))
    ]


def test_a_regional_day_off_has_no_reminders_and_moves_them_earlier(tmp_path: Path) -> None:
    extra = tmp_path / "holidays.yaml"
    extra.write_text("- date: 2025-10-30\n  name: วันหยุดจังหวัด\n  province: ขอนแก่น\n")
    khon_kaen = DaysOff(extra).of("ขอนแก่น")
    f = facts(days_off=khon_kaen)  # act by Fri 31 Oct; D−1 is the regional day off
    assert reminders_on(f, date(2025, 10, 30)) == []
    days = [d for d, r, _p in schedule(f, date(2025, 10, 25)) if r is Reason.PREPARATION]
    assert days == [date(2025, 10, 28), date(2025, 10, 29), date(2025, 10, 31)]


def test_a_late_reminder_says_so() -> None:
    f = facts()
    [reminder] = reminders_on(f, date(2025, 10, 28))
    [message] = render(reminder, f, date(2025, 10, 29))
    text = plain_text([message])
    assert text.startswith("🕘 แจ้งเตือนย้อนหลัง (ของวันที่ 28 ต.ค. 2568)")
    assert "ต้องจัดทำให้แล้วเสร็จภายใน 2 พ.ย. 2568" in text
    assert "ควรดำเนินการให้แล้วเสร็จภายในวันศุกร์ที่ 31 ต.ค. 2568" in text


# -- through the database -------------------------------------------------------------------


async def move_to(rt: Runtime, day: date, at: time = time(8, 30)) -> None:
    rt.clock.set(datetime.combine(day, at, tzinfo=BANGKOK))  # type: ignore[attr-defined]


async def outbox_keys(rt: Runtime) -> list[str]:
    async with rt.sessions() as session:
        return list((await session.exec(select(OutboundMessage.dedupe_key))).all())


async def test_a_days_pass_queues_once_per_person(demo: Runtime) -> None:
    edition = await open_fy_round(demo, trigger_date=date(2025, 10, 3))
    await move_to(demo, date(2025, 10, 31))
    first = await run_day(demo.sessions, demo.clock, demo.days_off)
    assert first.queued == 4  # officer, s1, s2, s3
    assert (await run_day(demo.sessions, demo.clock, demo.days_off)).queued == 0  # again: nothing
    keys = [k for k in await outbox_keys(demo) if k.startswith("r:")]
    assert len(keys) == 4 and all(k.startswith(f"r:{edition}:prep:2025-10-31:") for k in keys)
    async with demo.sessions() as session:
        [run] = (await session.exec(select(ReminderRun))).all()
    assert (run.day, run.late, run.queued) == (date(2025, 10, 31), False, 4)


async def test_catch_up_sends_missed_days_once_and_late(demo: Runtime) -> None:
    await open_fy_round(demo, trigger_date=date(2025, 10, 3))
    await move_to(demo, date(2025, 10, 27))
    await run_day(demo.sessions, demo.clock, demo.days_off)  # the last pass before an outage
    await move_to(demo, date(2025, 10, 31), time(10, 0))  # back on Friday at ten
    at = demo.settings.reminder_time
    assert await missed_days(demo.sessions, demo.clock, at) == [
        date(2025, 10, 28),
        date(2025, 10, 29),
        date(2025, 10, 30),
        date(2025, 10, 31),
    ]
    passes = await catch_up(demo.sessions, demo.clock, demo.days_off, at)
    assert [(p.day, p.queued, p.late) for p in passes] == [
        (date(2025, 10, 28), 4, True),
        (date(2025, 10, 29), 0, True),
        (date(2025, 10, 30), 4, True),
        (date(2025, 10, 31), 4, False),
    ]
    assert await catch_up(demo.sessions, demo.clock, demo.days_off, at) == []  # once
    async with demo.sessions() as session:
        late = (
            await session.exec(
                select(OutboundMessage).where(
                    OutboundMessage.dedupe_key.startswith("r:1:prep:2025-10-28:")  # type: ignore[attr-defined]
                )
            )
        ).first()
    assert late is not None
    assert plain_text(from_payload(late.payload)).startswith("🕘 แจ้งเตือนย้อนหลัง")


async def test_nobody_is_reminded_on_a_fresh_install_before_the_time(demo: Runtime) -> None:
    await move_to(demo, date(2025, 10, 31), time(7, 0))
    assert await missed_days(demo.sessions, demo.clock, time(8, 30)) == []
    await move_to(demo, date(2025, 10, 31), time(9, 0))
    assert await missed_days(demo.sessions, demo.clock, time(8, 30)) == [date(2025, 10, 31)]


async def test_a_person_with_two_chats_gets_a_reminder_on_one(demo: Runtime) -> None:
    from models.enums import Channel
    from models.org import ChannelAccount

    await open_fy_round(demo, trigger_date=date(2025, 10, 3))
    async with db.transaction(demo.sessions) as session:
        officer = (
            await session.exec(
                select(ChannelAccount).where(ChannelAccount.external_id == "officer")
            )
        ).one()
        session.add(
            ChannelAccount(
                channel=Channel.LINE,
                external_id="U" + "1" * 32,
                person_id=officer.person_id,
                last_seen_at=demo.clock.now(),  # used lately: the one to reach them on
            )
        )
    async with demo.sessions() as session:
        planned = await plan_day(session, demo.clock, demo.days_off, date(2025, 10, 31))
    mine = [p for p in planned if p.address.person_id == officer.person_id]
    assert [(p.address.channel, p.address.external_id) for p in mine] == [
        (Channel.LINE, "U" + "1" * 32)
    ]


# -- in chat ---------------------------------------------------------------------------------


async def test_deadlines_shows_a_person_what_is_coming_for_them(chat: Any, demo: Runtime) -> None:
    await open_fy_round(demo, trigger_date=date(2025, 10, 1))
    out = await chat.say("agency", "กำหนดการ")
    assert "📅 กำหนดการของท่าน — อบต.หนองแวง" in out
    assert "จัดทำให้แล้วเสร็จภายใน 31 ต.ค. 2568 (อีก 30 วัน)" in out
    assert "รับข้อเสนอโครงการถึง 21 ต.ค. 2568" in out
    assert "17 ต.ค. 2568 · เตือนผู้ยังไม่เสนอโครงการ" in out
    assert "เตือนกำหนดจัดทำแผน" not in out  # that one is the officer's
    out = await chat.say("officer", "/deadlines")
    assert "กำหนดการของอบต.หนองแวง" in out
    assert "17 ต.ค. 2568 · เตือนกำหนดจัดทำแผน (30 วัน) → 4 คน" in out
    assert "ตั้งค่าการแจ้งเตือน" in chat.buttons("officer")


async def test_the_officer_changes_the_reminder_days_in_chat(chat: Any, demo: Runtime) -> None:
    out = await chat.say("officer", "ตั้งค่าการแจ้งเตือน")
    assert "จัดทำแผน: เตือนกำหนดจัดทำแผน (30 วัน) — ตอนนี้ 14, 7, 3, 1 วันก่อน · วันครบกำหนด" in out
    await chat.press("officer", "จัดทำแผน")
    out = await chat.say("officer", "สิบ")
    assert "กรุณาพิมพ์จำนวนวันก่อนครบกำหนด" in out and "เช่น 14, 7, 3, 1, 0" in out
    out = await chat.say("officer", "๑๐, 5, 0")
    assert "✅ 10, 5 วันก่อน · วันครบกำหนด" in out
    out = await chat.press("officer", "บันทึก")
    assert "✅ บันทึกการตั้งค่าการแจ้งเตือนของอบต.หนองแวงแล้ว" in out
    async with demo.sessions() as session:
        org = (await session.exec(select(Organization))).one()
        [audit] = (
            await session.exec(select(AuditEvent).where(AuditEvent.action == "reminders.settings"))
        ).all()
    assert org.reminder_settings == {"preparation_days": [10, 5, 0]}
    assert (audit.before, audit.after) == (
        {"preparation_days": [14, 7, 3, 1, 0]},
        {"preparation_days": [10, 5, 0]},
    )
    assert "⛔" in await chat.say("agency", "ตั้งค่าการแจ้งเตือน")

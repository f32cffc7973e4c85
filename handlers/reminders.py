"""The reminder rules: who is reminded of what, on which working day — and in what words.

Pure functions of an edition's state, its dates and the day (:class:`Facts` in, a list of
:class:`Reminder` out): no database, no clock. ``handlers.reminder_facts`` loads the facts
and queues the messages; the scheduler decides when a day's rules run. Each rule stops as
soon as its action is done (the edition's state moved on), counts from the deadline in force
(an extension moves every later reminder), skips the organization's days off (its province's
too), and aims at the last working day before a deadline that falls on a day off (under the
default rule; under ``civil`` the deadline itself is a working day). A person is named once
per reason per day even when they hold several roles, and the dedupe key of the message is
(edition, reason, day, person), so nobody gets the same reminder twice.

The rules, with the organization's settings (``models.reminder_settings``; defaults shown):

- preparation (30 days): plan officer and support committee at D−14, D−7, D−3, D−1 and on D;
  overdue every working day after D, the executive too, with the extension button;
- collection: submitters who have not submitted, 3 days and 1 day before the cutoff (D−10);
  the opening notice itself states the cutoff (``handlers.budget``);
- committee: every working morning while a draft is before it, to members who have not voted;
- executive: every working morning while an approved draft waits for approval;
- posting (15 days): plan officer at D−7, D−3, D−1 and on D; overdue daily, the executive too;
- posting minimum (30 days): on the day it is over, "บันทึกการปลดประกาศได้" to the officer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

from handlers import buttons, commands
from handlers.deadlines_text import due_suffix
from handlers.messages import Button, Choices, Outgoing
from handlers.posting import POST_ACTION
from handlers.projects_text import days_left, thai_date
from handlers.review import vote_buttons
from models.days_off import DaysOff
from models.enums import EditionState, Role
from models.plan import DraftVersion
from models.reminder_settings import ReminderSettings
from models.schedule import EditionDates, cutoff_before

PREPARING = frozenset(
    {EditionState.COLLECTING, EditionState.IN_REVIEW, EditionState.AWAITING_EXECUTIVE}
)

TEXT = {
    "late": "🕘 แจ้งเตือนย้อนหลัง (ของวันที่ {day}) — ระบบไม่ได้ส่งในวันนั้น\n",
    "where": "{plan} — {org}",
    "prep": "⏰ {when}: {where}\nต้องจัดทำให้แล้วเสร็จภายใน {due}{note}\nตอนนี้: {progress}",
    "prep_late": (
        "⚠️ เลยกำหนด {late} วัน: {where}\nต้องจัดทำให้แล้วเสร็จภายใน {due}{note}\nตอนนี้: {progress}\n{ask}"
    ),
    "ask_executive": "การขยายเวลาเป็นอำนาจของผู้บริหารท้องถิ่น — กดปุ่มขยายเวลาได้ทันที",
    "ask_others": "แจ้ง{executive}เพื่อพิจารณาขยายเวลาแล้ว",
    "progress": "{state} · รับเข้าแผนแล้ว {accepted} · รอตรวจ {submitted}",
    "collect": (
        "📋 {org} รับข้อเสนอโครงการเข้า{plan} ถึง {cutoff} ({left}){note}\n"
        "ท่านยังไม่ได้เสนอโครงการในรอบนี้ — กดปุ่มด้านล่างเพื่อเริ่ม"
    ),
    "vote": (
        "🗳 {where}\n"
        "ร่างที่ {number} เสนอคณะกรรมการพัฒนาฯ เมื่อ {proposed} — ยังรอความเห็นของท่าน\n"
        "กรุณาลงความเห็น:"
    ),
    "executive": (
        "✍️ {where}\n"
        "คณะกรรมการพัฒนาฯ เห็นชอบร่างแล้วเมื่อ {approved} — รอ{executive}อนุมัติและประกาศใช้"
        "{due_line}"
    ),
    "executive_due": "\n⏰ ต้องจัดทำให้แล้วเสร็จภายใน {due} ({left}){note}",
    "post": (
        "📌 {when}: {where}\n"
        "ต้องปิดประกาศภายใน {due}{note}\n"
        "(15 วันนับแต่ประกาศใช้ {announced}) — เมื่อปิดประกาศแล้ว กรุณากดปุ่มเพื่อบันทึก"
    ),
    "post_late": (
        "⚠️ เลยกำหนดปิดประกาศ {late} วัน: {where}\n"
        "ต้องปิดประกาศภายใน {due}{note} — ประกาศใช้ {announced} ยังไม่ได้บันทึกการปิดประกาศ"
    ),
    "removal": (
        "✅ ครบกำหนดปิดประกาศแล้ว — บันทึกการปลดประกาศได้\n"
        "{where}: ปิดประกาศ {posted} · ครบ 30 วันแล้ว ปลดประกาศได้ตั้งแต่ {earliest}"
    ),
    "reasons": {
        "prep": "เตือนกำหนดจัดทำแผน (30 วัน)",
        "prep-late": "เลยกำหนดจัดทำแผน",
        "collect": "เตือนผู้ยังไม่เสนอโครงการ",
        "vote": "เตือนกรรมการที่ยังไม่ลงความเห็น",
        "exec": "เตือนผู้บริหารท้องถิ่นอนุมัติแผน",
        "post": "เตือนกำหนดปิดประกาศ (15 วัน)",
        "post-late": "เลยกำหนดปิดประกาศ",
        "removal": "ครบ 30 วัน ปลดประกาศได้",
    },
    "when_today": "ครบกำหนดวันนี้",
    "when_left": "อีก {n} วัน",
    "when_last_day": "วันทำการสุดท้าย",
    "draft": "จัดทำร่าง",
    "status": "สถานะ",
    "tally": "ผลการพิจารณา",
    "extend": "ขยายเวลา",
    "submit": "เสนอโครงการ",
    "approve": "อนุมัติแผน",
    "record_posting": "บันทึกการปิดประกาศ",
    "record_removal": "บันทึกการปลดประกาศ",
}


class Reason(StrEnum):
    """Why a person is reminded; part of the dedupe key, so it must stay short and stable."""

    PREPARATION = "prep"
    PREPARATION_OVERDUE = "prep-late"
    COLLECTION = "collect"
    VOTE = "vote"
    EXECUTIVE = "exec"
    POSTING = "post"
    POSTING_OVERDUE = "post-late"
    REMOVAL = "removal"

    @property
    def label_th(self) -> str:
        return str(TEXT["reasons"][self.value])


@dataclass(frozen=True)
class Review:
    """A draft before the development committee."""

    draft: DraftVersion
    proposed_on: date
    not_voted: tuple[int, ...]  # members (person ids) who have not voted


@dataclass(frozen=True)
class Facts:
    """One edition as the rules see it: everything a reminder about it depends on."""

    edition_id: int
    org_id: int
    org_name: str
    executive_title: str
    plan: str  # "แผนการดำเนินงาน ปีงบประมาณ พ.ศ. 2569 (ฉบับแรก)"
    state: EditionState
    dates: EditionDates
    days_off: DaysOff  # the organization's calendar
    settings: ReminderSettings
    opened_on: date
    announced_on: date | None = None
    posted_on: date | None = None
    removed_on: date | None = None
    review: Review | None = None
    approved_on: date | None = None  # the committee approved the draft (awaiting executive)
    people: dict[Role, tuple[int, ...]] = field(default_factory=dict)
    submitted_by: frozenset[int] = frozenset()
    accepted: int = 0
    waiting: int = 0  # submitted, not screened yet

    def holders(self, *roles: Role) -> tuple[int, ...]:
        """The people holding any of ``roles``, each once, in a stable order."""
        seen: dict[int, None] = {}
        for role in roles:
            for person in self.people.get(role, ()):
                seen.setdefault(person, None)
        return tuple(seen)


@dataclass(frozen=True)
class Reminder:
    """Who is reminded of what about an edition, on which day."""

    reason: Reason
    edition_id: int
    day: date
    people: tuple[int, ...]
    due: date | None = None  # the deadline it is about, if any

    def dedupe_key(self, person_id: int) -> str:
        return f"r:{self.edition_id}:{self.reason}:{self.day.isoformat()}:{person_id}"


# -- the rules --------------------------------------------------------------------------------


def reminders_on(facts: Facts, day: date) -> list[Reminder]:
    """What is due about this edition on ``day`` (none on the organization's days off)."""
    if facts.days_off.is_day_off(day):
        return []
    found = [
        *_preparation(facts, day),
        *_collection(facts, day),
        *_committee(facts, day),
        *_executive(facts, day),
        *_posting(facts, day),
        *_removal(facts, day),
    ]
    return [r for r in found if r.people]


def upcoming(facts: Facts, start: date, days: int) -> list[Reminder]:
    """The reminders of the next ``days`` days if nothing changes meanwhile (for /deadlines
    and ``planbot remind --dry-run``)."""
    return [r for n in range(days) for r in reminders_on(facts, start + timedelta(days=n))]


def reminder_days(target: date, before: Iterable[int], days_off: DaysOff) -> set[date]:
    """The working days ``before`` days ahead of ``target``; one on a day off moves to the
    working day before it (earlier, never later, than asked)."""
    return {days_off.last_working_day(target - timedelta(days=n)) for n in before}


def _preparation(facts: Facts, day: date) -> list[Reminder]:
    dates = facts.dates
    due, aim = dates.preparation_due, dates.preparation_act_by
    if facts.state not in PREPARING or due is None or aim is None:
        return []
    team = facts.holders(Role.PLAN_OFFICER, Role.SUPPORT_COMMITTEE)
    days = reminder_days(aim, facts.settings.preparation_days, facts.days_off)
    if day in days and day > facts.opened_on and day <= aim:
        return [Reminder(Reason.PREPARATION, facts.edition_id, day, team, due)]
    if facts.settings.overdue and day > due:
        everyone = facts.holders(Role.PLAN_OFFICER, Role.SUPPORT_COMMITTEE, Role.EXECUTIVE)
        return [Reminder(Reason.PREPARATION_OVERDUE, facts.edition_id, day, everyone, due)]
    return []


def collection_cutoff(facts: Facts) -> date | None:
    """The last day submissions are asked for: D − the cutoff days, a working day."""
    due = facts.dates.preparation_due
    if due is None:
        return None
    return cutoff_before(due, facts.settings.collection_cutoff, facts.days_off)


def _collection(facts: Facts, day: date) -> list[Reminder]:
    cutoff = collection_cutoff(facts)
    if facts.state is not EditionState.COLLECTING or cutoff is None or day > cutoff:
        return []
    if day not in reminder_days(cutoff, facts.settings.collection_days, facts.days_off):
        return []
    if day <= facts.opened_on:
        return []
    waiting = tuple(p for p in facts.holders(Role.SUBMITTER) if p not in facts.submitted_by)
    return [Reminder(Reason.COLLECTION, facts.edition_id, day, waiting, cutoff)]


def _committee(facts: Facts, day: date) -> list[Reminder]:
    review = facts.review
    if facts.state is not EditionState.IN_REVIEW or review is None:
        return []
    if not facts.settings.committee or day <= review.proposed_on:
        return []
    return [Reminder(Reason.VOTE, facts.edition_id, day, review.not_voted)]


def _executive(facts: Facts, day: date) -> list[Reminder]:
    if facts.state is not EditionState.AWAITING_EXECUTIVE or facts.approved_on is None:
        return []
    if not facts.settings.executive or day <= facts.approved_on:
        return []
    executives = facts.holders(Role.EXECUTIVE)
    return [Reminder(Reason.EXECUTIVE, facts.edition_id, day, executives)]


def _posting(facts: Facts, day: date) -> list[Reminder]:
    posting = facts.dates.posting
    if facts.state is not EditionState.IN_FORCE or facts.posted_on is not None or posting is None:
        return []
    officers = facts.holders(Role.PLAN_OFFICER)
    days = reminder_days(posting.act_by, facts.settings.posting_days, facts.days_off)
    announced = facts.announced_on or posting.start
    if day in days and day > announced and day <= posting.act_by:
        return [Reminder(Reason.POSTING, facts.edition_id, day, officers, posting.due)]
    if facts.settings.overdue and day > posting.due:
        everyone = facts.holders(Role.PLAN_OFFICER, Role.EXECUTIVE)
        return [Reminder(Reason.POSTING_OVERDUE, facts.edition_id, day, everyone, posting.due)]
    return []


def _removal(facts: Facts, day: date) -> list[Reminder]:
    earliest = facts.dates.earliest_removal
    if facts.state is not EditionState.IN_FORCE or earliest is None or facts.removed_on:
        return []
    if not facts.settings.removal or day != facts.days_off.next_working_day(earliest):
        return []
    officers = facts.holders(Role.PLAN_OFFICER)
    return [Reminder(Reason.REMOVAL, facts.edition_id, day, officers, earliest)]


# -- the words ----------------------------------------------------------------------------------


def render(
    reminder: Reminder, facts: Facts, today: date, *, executive: bool = False
) -> list[Outgoing]:
    """The message of a reminder, read on ``today`` (a late one says from which day).

    ``executive``: the version for the local executive (overdue reminders carry the
    extension button for them, the status button for the others).
    """
    late = TEXT["late"].format(day=thai_date(reminder.day)) if reminder.day < today else ""
    text, row = _words(reminder, facts, today, executive)
    return [Choices(late + text, row)]


Words = tuple[str, tuple[Button, ...]]


def _words(reminder: Reminder, facts: Facts, today: date, executive: bool) -> Words:
    where = TEXT["where"].format(plan=facts.plan, org=facts.org_name)
    common: dict[str, object] = {"where": where, "org": facts.org_name, "plan": facts.plan}
    if reminder.due is not None:
        due = reminder.due
        common |= {
            "due": thai_date(due),
            "left": days_left(due, today),
            "note": due_suffix(due, facts.days_off),
            "late": (today - due).days,
            "when": _when(due, today, facts),
        }
    return WORDS[reminder.reason](reminder, facts, today, executive, common)


def _preparation_words(
    _r: Reminder, facts: Facts, _today: date, _executive: bool, common: dict[str, object]
) -> Words:
    return TEXT["prep"].format(**common, progress=_progress(facts)), _prep_buttons(facts)


def _overdue_words(
    _r: Reminder, facts: Facts, _today: date, executive: bool, common: dict[str, object]
) -> Words:
    if executive:
        ask, row = TEXT["ask_executive"], (_cmd(TEXT["extend"], commands.EXTEND),)
    else:
        ask = TEXT["ask_others"].format(executive=facts.executive_title)
        row = (_cmd(TEXT["status"], commands.STATUS),)
    return TEXT["prep_late"].format(**common, progress=_progress(facts), ask=ask), row


def _collection_words(
    reminder: Reminder, _f: Facts, _today: date, _executive: bool, common: dict[str, object]
) -> Words:
    assert reminder.due is not None
    text = TEXT["collect"].format(**common, cutoff=thai_date(reminder.due))
    return text, (_cmd(TEXT["submit"], commands.SUBMIT),)


def _vote_words(
    _r: Reminder, facts: Facts, _today: date, _executive: bool, common: dict[str, object]
) -> Words:
    review = facts.review
    assert review is not None
    text = TEXT["vote"].format(
        **common, number=review.draft.number, proposed=thai_date(review.proposed_on)
    )
    return text, vote_buttons(review.draft)


def _executive_words(
    _r: Reminder, facts: Facts, today: date, _executive: bool, common: dict[str, object]
) -> Words:
    assert facts.approved_on is not None
    text = TEXT["executive"].format(
        **common,
        approved=thai_date(facts.approved_on),
        executive=facts.executive_title,
        due_line=_prep_due_line(facts, today),
    )
    return text, (_cmd(TEXT["approve"], commands.APPROVE),)


def _posting_words(
    reminder: Reminder, facts: Facts, _today: date, executive: bool, common: dict[str, object]
) -> Words:
    announced = thai_date(facts.announced_on) if facts.announced_on else ""
    post = Button(TEXT["record_posting"], buttons.action_button(POST_ACTION, facts.edition_id))
    if reminder.reason is Reason.POSTING:
        return TEXT["post"].format(**common, announced=announced), (post,)
    row = (_cmd(TEXT["status"], commands.STATUS),) if executive else (post,)
    return TEXT["post_late"].format(**common, announced=announced), row


def _removal_words(
    reminder: Reminder, facts: Facts, _today: date, _executive: bool, common: dict[str, object]
) -> Words:
    assert facts.posted_on is not None and reminder.due is not None
    text = TEXT["removal"].format(
        **common, posted=thai_date(facts.posted_on), earliest=thai_date(reminder.due)
    )
    return text, (_cmd(TEXT["record_removal"], commands.REMOVED),)


WORDS = {
    Reason.PREPARATION: _preparation_words,
    Reason.PREPARATION_OVERDUE: _overdue_words,
    Reason.COLLECTION: _collection_words,
    Reason.VOTE: _vote_words,
    Reason.EXECUTIVE: _executive_words,
    Reason.POSTING: _posting_words,
    Reason.POSTING_OVERDUE: _posting_words,
    Reason.REMOVAL: _removal_words,
}


def _when(due: date, today: date, facts: Facts) -> str:
    if due == today:
        return TEXT["when_today"]
    if due > today and facts.days_off.last_working_day(due) <= today:
        return TEXT["when_last_day"]  # the deadline is on a day off: today is the last chance
    return TEXT["when_left"].format(n=(due - today).days)


def _progress(facts: Facts) -> str:
    return TEXT["progress"].format(
        state=facts.state.label_th, accepted=facts.accepted, submitted=facts.waiting
    )


def _prep_due_line(facts: Facts, today: date) -> str:
    due = facts.dates.preparation_due
    if due is None:
        return ""
    return TEXT["executive_due"].format(
        due=thai_date(due), left=days_left(due, today), note=due_suffix(due, facts.days_off)
    )


def _prep_buttons(facts: Facts) -> tuple[Button, ...]:
    if facts.state is EditionState.COLLECTING:
        return (_cmd(TEXT["draft"], commands.DRAFT), _cmd(TEXT["status"], commands.STATUS))
    if facts.state is EditionState.IN_REVIEW:
        return (_cmd(TEXT["tally"], commands.TALLY), _cmd(TEXT["status"], commands.STATUS))
    return (_cmd(TEXT["status"], commands.STATUS),)


def _cmd(label: str, command: commands.Command) -> Button:
    """A button that runs a command, exactly as if it had been typed."""
    return commands.button(command, label)

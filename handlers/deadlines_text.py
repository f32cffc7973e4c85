"""How a deadline that falls on a day off is said, in every message that states one.

Under the default rule (APA §64, ``DeadlineRule.AUTHORITY``) a duty's deadline stays on its
last day even when offices are closed then, so whoever reads "ภายใน 1 พ.ย." must also read
that 1 พ.ย. is a Sunday and that the work should be done by Friday. Under ``civil`` the
deadline itself moved to the next working day, and the message says from which day. One
wording, here, for budget, status, submit, the executive's flows, posting and reminders.
"""

from __future__ import annotations

from datetime import date

from handlers.projects_text import thai_date
from models.days_off import WEEKDAY_NAMES as WEEKDAYS
from models.days_off import DaysOff
from models.deadlines import Deadline

TEXT = {
    "day_off": (
        "ครบกำหนด{weekday}ที่ {date} — เป็นวันหยุด{reason}"
        " ควรดำเนินการให้แล้วเสร็จภายใน{last_weekday}ที่ {last}"
    ),
    "reason": " ({name})",
    "moved": "ครบ {days} วัน {calendar} ตรงวันหยุด{reason} จึงเลื่อนเป็นวันทำการถัดไป {due}",
    "prefix": "\n📌 ",
}


def due_note(due: date | Deadline, days_off: DaysOff) -> str | None:
    """The sentence a stated deadline needs, or None when it is a plain working day.

    ``due`` is a counted :class:`Deadline` (its rule decides the wording) or a plain date
    (an extension the executive chose: a day off is said the same way as under the default
    rule). ``days_off`` is the organization's calendar (``models.schedule.calendar_of``).
    """
    if isinstance(due, Deadline):
        if due.moved:
            return TEXT["moved"].format(
                days=due.days,
                calendar=thai_date(due.calendar_day),
                reason=_reason(due.calendar_day, days_off),
                due=thai_date(due.due),
            )
        due = due.due
    if not days_off.is_day_off(due):
        return None
    last = days_off.last_working_day(due)
    return TEXT["day_off"].format(
        weekday=WEEKDAYS[due.weekday()],
        date=thai_date(due),
        reason=_reason(due, days_off),
        last_weekday=WEEKDAYS[last.weekday()],
        last=thai_date(last),
    )


def due_suffix(due: date | Deadline | None, days_off: DaysOff) -> str:
    """:func:`due_note` as a line to append to a message ("" when there is nothing to say)."""
    note = due_note(due, days_off) if due is not None else None
    return TEXT["prefix"] + note if note else ""


def _reason(day: date, days_off: DaysOff) -> str:
    """The holiday's name, when it is one (a plain weekend needs no name: the weekday says it)."""
    name = days_off.reason(day)
    if name is None or name in WEEKDAYS:
        return ""
    return TEXT["reason"].format(name=name)

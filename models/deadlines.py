"""Legal deadlines of the operational plan, counted as the Civil and Commercial Code says.

§193/3: a period "นับแต่วัน…" does not count its first day, so day 1 is the day after
the event and an N-day period ends on ``event + N``. §193/8: if that last day is a day
off for the office (weekend or official holiday) the period ends on the next working
day. The regulation on operational plans has no counting rule of its own.

Nothing here reads the clock: "today" is always a parameter, so reminders can be
computed for any date and tests never depend on when they run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from models.days_off import DaysOff

__all__ = [
    "POSTING_DAYS",
    "POSTING_MINIMUM_DAYS",
    "PREPARATION_DAYS",
    "Deadline",
    "deadline_after",
    "earliest_removal",
    "posting_deadline",
    "preparation_deadline",
]

PREPARATION_DAYS = 30
"""Plan to be prepared (จัดทำแล้วเสร็จ) within 30 days of the budget/notice trigger."""

POSTING_DAYS = 15
"""Plan to be posted (ปิดประกาศ) within 15 days of being announced."""

POSTING_MINIMUM_DAYS = 30
"""Plan to stay posted for at least 30 days (a minimum, not a deadline)."""


@dataclass(frozen=True)
class Deadline:
    """An N-day period and where it really ends once days off are taken into account."""

    start: date  # the event date (not counted)
    days: int
    calendar_day: date  # start + days
    legal_day: date  # calendar_day moved to the next working day if it is a day off
    skipped: tuple[tuple[date, str], ...]  # days off that pushed it, with Thai reasons

    @property
    def moved(self) -> bool:
        """Whether a day off pushed the deadline past ``calendar_day``."""
        return self.legal_day != self.calendar_day

    def days_left(self, today: date) -> int:
        """Days from ``today`` to ``legal_day``: 0 on the day, negative when overdue."""
        return (self.legal_day - today).days


def deadline_after(start: date, days: int, days_off: DaysOff) -> Deadline:
    """The deadline ``days`` days after ``start`` (§193/3), moved off days off (§193/8)."""
    if days < 1:
        raise ValueError(f"a period has at least one day, got {days}")
    calendar_day = start + timedelta(days=days)
    legal_day = days_off.next_working_day(calendar_day)
    return Deadline(
        start=start,
        days=days,
        calendar_day=calendar_day,
        legal_day=legal_day,
        skipped=_skipped(calendar_day, legal_day, days_off),
    )


def _skipped(first: date, stop: date, days_off: DaysOff) -> tuple[tuple[date, str], ...]:
    """Each day in [first, stop) with the reason it is a day off."""
    count = (stop - first).days
    days = (first + timedelta(days=offset) for offset in range(count))
    return tuple((d, days_off.reason(d) or "") for d in days)


def preparation_deadline(trigger_date: date, days_off: DaysOff) -> Deadline:
    """30 days from the budget ordinance / supplementary budget / notice (day not counted)."""
    return deadline_after(trigger_date, PREPARATION_DAYS, days_off)


def posting_deadline(announced_on: date, days_off: DaysOff) -> Deadline:
    """15 days from the day the plan was announced, by the same counting rule."""
    return deadline_after(announced_on, POSTING_DAYS, days_off)


def earliest_removal(posted_on: date) -> date:
    """First day the notice may come down: ``posted_on + 31``, never moved.

    "Posted for at least 30 days" counts days 1-30 after the posting day, so the
    notice must still be up on day 30 and may come down on day 31. This is a
    minimum duration, not a time limit for doing something, so §193/8 does not
    apply: the notice does not need to stay up longer because day 31 is a holiday.
    """
    return posted_on + timedelta(days=POSTING_MINIMUM_DAYS + 1)

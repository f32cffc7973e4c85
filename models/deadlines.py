"""Legal deadlines of the operational plan: where an N-day duty ends, by the law's counting.

§193/3 of the Civil and Commercial Code: a period "นับแต่วัน…" does not count its first day,
so day 1 is the day after the event and an N-day period's last day is ``event + N`` (the
*calendar day*). What happens when that day is a day off depends on whose duty it is:

- ``authority`` (the default): preparing and posting the plan are duties of the LAO itself,
  and the Administrative Procedure Act 2539 §64 paragraph 2 says an authority's period ends
  on its last day even if that is a holiday. The deadline is the calendar day, not moved;
  people are told to finish by the *last working day* before it, and reminders aim there.
- ``civil``: §193/8 — a last day on a day off moves to the next working day (the *civil code
  day*). Some legal offices read the LAO's duties this way; a deployment may choose it.

Every figure is kept on :class:`Deadline` whichever rule applies, so a message or the CLI can
name the others. The rule comes with the calendar (``DaysOff.rule``, from the setting), and
nothing here is stored: an edition stores its event dates and the deadlines are derived
(``models.schedule``), so a changed rule or a newly announced holiday applies to rounds
already open.

Nothing here reads the clock: "today" is always a parameter, so reminders can be computed
for any date and tests never depend on when they run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from models.days_off import DaysOff
from models.enums import DeadlineRule

__all__ = [
    "POSTING_DAYS",
    "POSTING_MINIMUM_DAYS",
    "PREPARATION_DAYS",
    "Deadline",
    "DeadlineRule",
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
    """An N-day period after an event, and the days it may be said to end on."""

    start: date  # the event date (not counted)
    days: int
    rule: DeadlineRule
    calendar_day: date  # start + days
    last_working_day: date  # the last working day on or before calendar_day
    civil_code_day: date  # calendar_day moved to the next working day if it is a day off
    days_off: tuple[tuple[date, str], ...]  # the run of days off around calendar_day

    @property
    def due(self) -> date:
        """The deadline under the rule: the calendar day, or the §193/8 day under ``civil``."""
        return self.civil_code_day if self.rule is DeadlineRule.CIVIL else self.calendar_day

    @property
    def on_day_off(self) -> bool:
        """The deadline itself is a day off (only under ``authority``): say so, name the
        last working day before it."""
        return self.due != self.last_working_day and self.due == self.calendar_day

    @property
    def moved(self) -> bool:
        """A day off pushed the deadline past the calendar day (only under ``civil``)."""
        return self.due != self.calendar_day

    @property
    def act_by(self) -> date:
        """The working day to finish by, which reminders count down to: the last working
        day before a deadline on a day off, else the deadline itself."""
        return self.last_working_day if self.on_day_off else self.due

    def days_left(self, today: date) -> int:
        """Days from ``today`` to the deadline: 0 on the day, negative when overdue."""
        return (self.due - today).days


def deadline_after(
    start: date, days: int, days_off: DaysOff, rule: DeadlineRule | None = None
) -> Deadline:
    """The deadline ``days`` days after ``start`` (§193/3), by ``rule`` (the calendar's)."""
    if days < 1:
        raise ValueError(f"a period has at least one day, got {days}")
    calendar_day = start + timedelta(days=days)
    last_working = days_off.last_working_day(calendar_day)
    civil_day = days_off.next_working_day(calendar_day)
    return Deadline(
        start=start,
        days=days,
        rule=DeadlineRule(rule or days_off.rule),
        calendar_day=calendar_day,
        last_working_day=last_working,
        civil_code_day=civil_day,
        days_off=_named(last_working + timedelta(days=1), civil_day, days_off),
    )


def _named(first: date, stop: date, days_off: DaysOff) -> tuple[tuple[date, str], ...]:
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
    minimum duration, not a time limit for doing something, so neither rule moves
    it: the notice does not need to stay up longer because day 31 is a holiday.
    """
    return posted_on + timedelta(days=POSTING_MINIMUM_DAYS + 1)

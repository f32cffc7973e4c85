"""Moving a clock forward and running, on the way, the scheduler's work that falls due.

For the demo and for tests: ``planbot demo``'s ``@clock +3d`` moves its clock, and every
reminder pass whose time (08:30 on a weekday) is crossed runs at that moment, in order, as
the real scheduler would have run it — so a newcomer sees each reminder arrive on its day.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from models.clock import FixedClock
from scheduler import reminders
from scheduler.jobs import WORKING_DAYS, Clockwork

WEEKDAYS = {"mon-fri": frozenset(range(5))}


async def travel(
    work: Clockwork,
    clock: FixedClock,
    to: datetime,
    after_pass: Callable[[reminders.Pass], Awaitable[object]] | None = None,
) -> list[reminders.Pass]:
    """Move ``clock`` to ``to`` (never back), running each reminder pass crossed on the way."""
    start = clock.now()
    passes: list[reminders.Pass] = []
    day = start.astimezone(clock.tz).date()
    while True:
        moment = reminders.local_moment(day, work.reminder_time, clock)
        if moment > to:
            break
        if moment > start and day.weekday() in WEEKDAYS[WORKING_DAYS]:
            clock.set(moment)
            done = await reminders.run_day(work.sessions, clock, work.days_off, day)
            passes.append(done)
            if after_pass is not None:
                await after_pass(done)
        day += timedelta(days=1)
    clock.set(max(to, clock.now()))
    return passes

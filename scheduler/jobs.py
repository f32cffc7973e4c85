"""The clock: APScheduler 3.11 jobs that queue the reminders and send the outbox.

An ``AsyncIOScheduler`` in the organizations' timezone (Asia/Bangkok) runs three jobs:

- **leadership**, every ``leader_retry`` seconds: take or keep the lead (``leader``); the
  process that becomes leader first catches up the days it missed (``reminders.catch_up``);
- **reminders**, a cron at the reminder time (08:30) Monday to Friday: the leader queues the
  day's reminders (the rules skip each organization's holidays, its province's too);
- **dispatch**, every ``dispatch_interval`` seconds, in every process: send what is due
  through each channel's delivery loop (quiet hours hold notices back; see ``dispatch``);
- **retention**, a cron at 03:30 every day: the leader deletes what each kind of data keeps
  longer than its retention (``models.retention``; the PDPA's "no longer than needed").

It runs inside ``planbot serve`` (the channels' own delivery loops are woken) or alone as
``planbot scheduler`` (it builds the channels' senders itself). APScheduler is the clock;
the database is the truth: the jobs keep no state of their own, so a restart or a second
process changes nothing but who leads.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from models import retention as retention_pass
from models.clock import Clock
from models.days_off import DaysOff
from models.retention import Policy
from scheduler import reminders
from scheduler.dispatch import Dispatch
from scheduler.leader import Leadership

log = logging.getLogger(__name__)

LEADER_RETRY = 15.0  # seconds: a follower takes over this long after the leader died
DISPATCH_INTERVAL = 15.0  # seconds between outbox rounds when nothing wakes the senders
WORKING_DAYS = "mon-fri"
RETENTION_TIME = time(3, 30)  # local: the quietest hour


@dataclass
class Clockwork:
    """What the jobs work with (the pieces of ``bot.runtime.Runtime`` the clock needs)."""

    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    clock: Clock
    days_off: DaysOff
    reminder_time: time = time(8, 30)
    dispatches: Sequence[Dispatch] = ()  # senders this process runs itself
    wakers: Sequence[Callable[[], None]] = ()  # channels' own loops, woken instead
    leader_retry: float = LEADER_RETRY
    dispatch_interval: float = DISPATCH_INTERVAL
    retention: Policy | None = None  # None: no retention job (tests of other jobs)
    documents_dir: Path = Path("planbot-documents")  # where ข้อมูลของฉัน's files are
    leadership: Leadership = field(init=False)

    def __post_init__(self) -> None:
        self.leadership = Leadership(self.engine)


class Scheduler:
    """The jobs on an ``AsyncIOScheduler``; ``start`` and ``stop`` with the app."""

    def __init__(self, work: Clockwork) -> None:
        self.work = work
        self.aps = AsyncIOScheduler(timezone=work.clock.tz)
        self.passes: list[reminders.Pass] = []

    @property
    def leading(self) -> bool:
        return self.work.leadership.leading

    async def start(self) -> None:
        """Register the jobs and start; take the lead (and catch up) right away if free."""
        work = self.work
        common = {"max_instances": 1, "coalesce": True}
        self.aps.add_job(
            self.leadership_tick,
            IntervalTrigger(seconds=work.leader_retry),
            id="leadership",
            **common,
        )
        self.aps.add_job(
            self.reminder_tick,
            CronTrigger(
                day_of_week=WORKING_DAYS,
                hour=work.reminder_time.hour,
                minute=work.reminder_time.minute,
                timezone=work.clock.tz,
            ),
            id="reminders",
            misfire_grace_time=3600,  # a busy loop runs it late; downtime is the catch-up's
            **common,
        )
        self.aps.add_job(
            self.dispatch_tick,
            IntervalTrigger(seconds=work.dispatch_interval),
            id="dispatch",
            **common,
        )
        if work.retention is not None:
            self.aps.add_job(
                self.retention_tick,
                CronTrigger(
                    hour=RETENTION_TIME.hour, minute=RETENTION_TIME.minute, timezone=work.clock.tz
                ),
                id="retention",
                misfire_grace_time=6 * 3600,
                **common,
            )
        self.aps.start()
        await self.leadership_tick()
        log.info("scheduler started (%s, reminders at %s)", work.clock.tz, work.reminder_time)

    async def stop(self) -> None:
        if self.aps.running:
            self.aps.shutdown(wait=False)
        for dispatch in self.work.dispatches:
            dispatch.stop()
        await self.work.leadership.release()

    async def leadership_tick(self) -> None:
        """Take or keep the lead; on becoming leader, catch up what downtime missed."""
        was = self.leading
        if await self.work.leadership.try_lead() and not was:
            await self.catch_up()

    async def catch_up(self) -> None:
        work = self.work
        try:
            done = await reminders.catch_up(
                work.sessions, work.clock, work.days_off, work.reminder_time
            )
        except Exception:
            log.exception("reminder catch-up failed")
            return
        self.passes += done
        if any(p.queued for p in done):
            await self.dispatch_tick()

    async def reminder_tick(self) -> None:
        """The day's reminders, by the leader only."""
        if not self.leading:
            return
        work = self.work
        try:
            self.passes.append(await reminders.run_day(work.sessions, work.clock, work.days_off))
        except Exception:
            log.exception("the day's reminders failed")
            return
        await self.dispatch_tick()

    async def retention_tick(self) -> dict[str, int]:
        """The daily retention pass, by the leader only; what it deleted, per kind."""
        work = self.work
        if not self.leading or work.retention is None:
            return {}
        try:
            return await retention_pass.run(
                work.engine, work.clock, work.retention, work.documents_dir
            )
        except Exception:
            log.exception("the retention pass failed")
            return {}

    async def dispatch_tick(self) -> None:
        """Send what is due: this process's own senders, and wake the channels' loops."""
        for dispatch in self.work.dispatches:
            try:
                await dispatch.run()
            except Exception:
                log.exception("dispatch of %s failed", dispatch.sender.channel)
        for wake in self.work.wakers:
            wake()

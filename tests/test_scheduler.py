"""The clock: APScheduler's jobs, one leader among several processes, takeover when it dies."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
import time as walltime
from datetime import date, datetime, time
from multiprocessing.connection import Connection

import pytest
from apscheduler.triggers.cron import CronTrigger
from sqlmodel import func, select

from bot.runtime import Runtime
from models import db
from models.clock import BANGKOK, FixedClock
from models.days_off import DaysOff
from models.records import OutboundMessage, ReminderRun
from scheduler.jobs import Clockwork, Scheduler
from scheduler.leader import Leadership
from tests.flows import open_fy_round

FRIDAY = datetime(2025, 10, 31, 9, 0, tzinfo=BANGKOK)  # the last working day before D
PRELOAD = ["pytest", "tests.test_scheduler"]


async def test_the_jobs_run_at_the_reminder_time_on_working_days_in_bangkok(
    runtime: Runtime,
) -> None:
    clock = Scheduler(runtime.clockwork(leader_retry=3600, dispatch_interval=3600))
    await clock.start()
    try:
        trigger = clock.aps.get_job("reminders").trigger
        assert isinstance(trigger, CronTrigger)
        fields = {f.name: str(f) for f in trigger.fields}
        assert (fields["day_of_week"], fields["hour"], fields["minute"]) == ("mon-fri", "8", "30")
        assert str(trigger.timezone) == "Asia/Bangkok"
        assert {j.id for j in clock.aps.get_jobs()} == {
            "leadership",
            "reminders",
            "dispatch",
            "retention",
        }
        assert clock.leading  # alone: it leads at once
    finally:
        await clock.stop()


async def test_the_leader_queues_the_days_reminders_and_catches_up_at_start(demo: Runtime) -> None:
    await open_fy_round(demo, trigger_date=date(2025, 10, 3))  # act by Fri 31 Oct
    demo.clock.set(FRIDAY)  # type: ignore[attr-defined]
    clock = Scheduler(demo.clockwork(leader_retry=3600, dispatch_interval=3600))
    await clock.start()  # 09:00: today's 08:30 pass is caught up at once
    try:
        assert [(p.day, p.queued, p.late) for p in clock.passes] == [(date(2025, 10, 31), 4, False)]
        await clock.reminder_tick()  # the cron firing as well adds nothing
        assert clock.passes[-1].queued == 0
    finally:
        await clock.stop()


async def test_one_leader_at_a_time_on_postgresql(runtime: Runtime) -> None:
    if db.is_sqlite(runtime.engine.url):
        pytest.skip("SQLite is one machine's database: its scheduler always leads")
    other = db.make_engine(str(runtime.engine.url.render_as_string(hide_password=False)))
    first, second = Leadership(runtime.engine), Leadership(other)
    try:
        assert await first.try_lead() is True
        assert await second.try_lead() is False
        assert await first.try_lead() is True  # still connected: still leads
        await first.release()
        assert await second.try_lead() is True
    finally:
        await first.release()
        await second.release()
        await other.dispose()


# -- two processes ------------------------------------------------------------------------------


def scheduler_process(url: str, report: Connection) -> None:
    """A whole scheduler (APScheduler, leadership every 0.2 s) that reports when it leads."""
    asyncio.run(_schedule(url, report))


async def _schedule(url: str, report: Connection) -> None:
    engine = db.make_engine(url)
    work = Clockwork(
        engine=engine,
        sessions=db.session_factory(engine),
        clock=FixedClock(FRIDAY),
        days_off=DaysOff(),
        reminder_time=time(8, 30),
        leader_retry=0.2,
        dispatch_interval=3600,
    )
    clock = Scheduler(work)
    await clock.start()
    said = None
    while True:
        if clock.leading != said:
            said = clock.leading
            report.send(("leading" if said else "following", os.getpid()))
        await asyncio.sleep(0.02)


async def test_two_scheduler_processes_one_leads_and_the_other_takes_over(demo: Runtime) -> None:
    if db.is_sqlite(demo.engine.url):
        pytest.skip("leadership between processes is PostgreSQL's (an advisory lock)")
    await open_fy_round(demo, trigger_date=date(2025, 10, 3))
    url = demo.engine.url.render_as_string(hide_password=False)
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    pipes, processes = [], []
    for _ in range(2):
        parent, child = context.Pipe(duplex=False)
        process = context.Process(target=scheduler_process, args=(url, child), daemon=True)
        process.start()
        child.close()
        pipes.append(parent)
        processes.append(process)
    try:
        states: dict[int, str] = {}
        while len(states) < 2 or "leading" not in states.values():
            for pipe in pipes:
                if await asyncio.to_thread(pipe.poll, 30):
                    state, pid = pipe.recv()
                    states[pid] = state
        assert sorted(states.values()) == ["following", "leading"]  # exactly one leads
        leader = next(pid for pid, state in states.items() if state == "leading")
        os.kill(leader, signal.SIGKILL)
        killed = walltime.monotonic()
        survivor = next(p for p, proc in zip(pipes, processes, strict=True) if proc.pid != leader)
        assert await asyncio.to_thread(survivor.poll, 60), "nobody took over within a minute"
        assert survivor.recv()[0] == "leading"
        takeover = walltime.monotonic() - killed
        print(f"\ntakeover after the leader's kill -9: {takeover:.2f} s")
        assert takeover < 60
        await asyncio.sleep(0.5)  # the new leader's catch-up (it finds the day done)
    finally:
        for process in processes:
            if process.is_alive():
                process.kill()
            process.join(10)
    async with demo.sessions() as session:
        rows = (await session.exec(select(func.count()).select_from(OutboundMessage))).one()
        runs = (await session.exec(select(func.count()).select_from(ReminderRun))).one()
    assert (rows, runs) == (4, 1)  # Friday's reminders once, one pass recorded

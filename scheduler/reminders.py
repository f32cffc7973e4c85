"""A day's reminders, queued once — and the days a stopped server missed, queued late.

The rules are ``handlers.reminders``'; this is when they run. A day's pass queues that
day's reminders (idempotent: the dedupe keys make a second pass add nothing) and records
the day in ``reminder_run``, in one transaction. At start-up the scheduler catches up: every
day since the last recorded pass whose reminder time has gone by is passed now, and its
reminders say they are late ("แจ้งเตือนย้อนหลัง"), so downtime never loses a reminder and
never sends one twice. A fresh database starts with today.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.reminder_facts import Planned, load_facts, plan_day, queue_day
from models import db, outbox
from models.clock import Clock
from models.days_off import DaysOff
from models.records import ReminderRun
from scheduler import metrics

log = logging.getLogger(__name__)

CATCH_UP_DAYS = 14  # how far back a catch-up looks (a longer outage is an operator's call)


@dataclass(frozen=True)
class Pass:
    """What one day's pass queued."""

    day: date
    queued: int
    late: bool


async def run_day(
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock,
    days_off: DaysOff,
    day: date | None = None,
    *,
    org_ids: Iterable[int] | None = None,
) -> Pass:
    """Queue ``day``'s reminders (today by default) and record the pass."""
    day = day or clock.today()
    late = day < clock.today()
    async with db.transaction(sessions) as session:
        queued = await queue_day(session, clock, days_off, day, org_ids=org_ids)
        await _record(session, clock, day, late, queued)
    metrics.reminders_due(queued)
    log.info("reminders of %s: %d queued%s", day, queued, " (late)" if late else "")
    return Pass(day, queued, late)


async def missed_days(
    sessions: async_sessionmaker[AsyncSession], clock: Clock, at: time
) -> list[date]:
    """Days since the last pass whose reminder time ``at`` has gone by, oldest first."""
    async with sessions() as session:
        last = (await session.exec(select(func.max(ReminderRun.day)))).one()
    now = clock.now().astimezone(clock.tz)
    today = now.date()
    newest = today if now.time() >= at else today - timedelta(days=1)
    oldest = today - timedelta(days=CATCH_UP_DAYS)
    first = today if last is None else max(last + timedelta(days=1), oldest)
    return [first + timedelta(days=n) for n in range((newest - first).days + 1)]


async def catch_up(
    sessions: async_sessionmaker[AsyncSession], clock: Clock, days_off: DaysOff, at: time
) -> list[Pass]:
    """Pass every missed day (see :func:`missed_days`); the facts are read once."""
    days = await missed_days(sessions, clock, at)
    passes = []
    if not days:
        return passes
    async with db.transaction(sessions) as session:
        facts = await load_facts(session, clock, days_off)
        for day in days:
            planned = await plan_day(session, clock, days_off, day, facts=facts)
            queued = await _queue(session, clock, planned)
            late = day < clock.today()
            await _record(session, clock, day, late, queued)
            passes.append(Pass(day, queued, late))
    for done in passes:
        metrics.reminders_due(done.queued)
        log.info("caught up the reminders of %s: %d queued", done.day, done.queued)
    return passes


async def _queue(session: AsyncSession, clock: Clock, planned: list[Planned]) -> int:
    rows = [
        outbox.NewMessage(
            p.address.account_id, p.messages_payload, p.dedupe_key, channel=p.address.channel
        )
        for p in planned
    ]
    return await outbox.enqueue_many(session, clock, rows)


async def _record(session: AsyncSession, clock: Clock, day: date, late: bool, queued: int) -> None:
    """One row per day; a second pass adds to it (its count is normally 0)."""
    table = ReminderRun.__table__  # type: ignore[attr-defined]
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = (
        insert(table)
        .values(day=day, ran_at=clock.now(), late=late, queued=queued)
        .on_conflict_do_update(
            index_elements=["day"],
            set_={"ran_at": clock.now(), "queued": table.c.queued + queued},
        )
    )
    await session.exec(statement)  # type: ignore[call-overload]


def local_moment(day: date, at: time, clock: Clock) -> datetime:
    """``day`` at ``at`` in the organizations' timezone."""
    return datetime.combine(day, at, tzinfo=clock.tz)

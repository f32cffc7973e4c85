"""How many wrong invite codes one chat account may send: five an hour, then it waits.

A code is eight characters from 31 (about 8.5 × 10¹¹ codes), so guessing one is hopeless at
five tries an hour; the limit is there so that nobody can make the bot look codes up (and
write about it) as fast as they can type. The tries are counted in one ``JoinAttempt`` row
per account, by problem; the audit trail gets one row the first time each problem is met in
a window and one when the account is made to wait — not one row per try. Turns of one
account run one at a time (the engine's turn lock), so the counter needs no locking of its
own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.clock import Clock
from models.records import JoinAttempt

WINDOW = timedelta(hours=1)
MAX_FAILURES = 5  # per account per window


@dataclass(frozen=True)
class Failure:
    """One wrong code counted: whether it is the window's first of its kind (audit it), and
    the time the account must wait until, when this try used up the window."""

    failures: int
    first_of_kind: bool
    locked_until: datetime | None


async def _row(session: AsyncSession, account_id: int) -> JoinAttempt | None:
    statement = select(JoinAttempt).where(JoinAttempt.account_id == account_id)
    return (await session.exec(statement)).first()


async def waiting_until(session: AsyncSession, clock: Clock, account_id: int) -> datetime | None:
    """When the account may try a code again, if it must wait now."""
    row = await _row(session, account_id)
    if row is None or row.locked_until is None or row.locked_until <= clock.now():
        return None
    return row.locked_until


async def count_failure(
    session: AsyncSession, clock: Clock, account_id: int, problem: str
) -> Failure:
    """Count one wrong code (``problem``: unknown, used, expired) for the account."""
    now = clock.now()
    row = await _row(session, account_id)
    if row is None:
        row = JoinAttempt(account_id=account_id, window_start=now, last_at=now)
        session.add(row)
    elif row.window_start + WINDOW <= now:  # a new window: forget the old one's tries
        row.window_start, row.failures, row.problems, row.locked_until = now, 0, {}, None
    seen = dict(row.problems or {})
    first_of_kind = problem not in seen
    seen[problem] = seen.get(problem, 0) + 1
    row.problems = seen  # a new dict, so the JSON column is written
    row.failures += 1
    row.total += 1
    row.last_at = now
    if row.failures >= MAX_FAILURES and row.locked_until is None:
        row.locked_until = row.window_start + WINDOW
        locked: datetime | None = row.locked_until
    else:
        locked = None
    await session.flush()
    return Failure(row.failures, first_of_kind, locked)

"""The outbox rows: every message planbot starts (notices, reminders) is a row before a send.

A handler or a reminder rule queues a row with a unique dedupe key in the same transaction
as the change it announces, so a notice is never lost with a rollback nor queued twice by
a retry or a second worker. The payload is a plain JSON dict (``handlers.messages`` turns
messages into one and back), so this table knows nothing of the layers above it. Sending
is the clock layer's (``scheduler.dispatch``); this module only queues, claims and marks.

Built for a national morning (7,850 organizations × 20 people):

- **Queue in bulk**: one ``INSERT … ON CONFLICT (dedupe_key) DO NOTHING`` per batch of rows,
  so queuing again (a second worker, a re-run, a catch-up) adds nothing and costs one
  statement per batch, not one savepoint per row.
- **Claim in batches, send outside the transaction**: a claim takes up to N due rows of one
  channel (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so concurrent claimers never take the
  same row), gives them a lease (``claimed_until``, and ``next_attempt_at`` moves to the
  lease's end so the due-rows index skips them) and a claim token, and commits. The sender
  sends with no transaction open; the outcome is marked in one statement per outcome, only
  on rows still holding that token. A sender that dies leaves its rows to come back when the
  lease ends. The partial index ``ix_outbound_message_due`` (channel, next_attempt_at, id)
  over pending rows serves the claim without sorting the backlog.
- **Calls are fixed once made**: rows that go out in one call (a LINE multicast) get one
  ``send_key`` in the claiming transaction, before anything is sent. A later claim that
  takes one of them takes all of them (waiting for a concurrent claimer if need be), so the
  call is repeated exactly — same recipients, same retry key — never split or merged with
  others, which would change its key and let a repeat through.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel.ext.asyncio.session import AsyncSession

from models import db
from models.clock import Clock
from models.enums import Channel, OutboxStatus
from models.org import ChannelAccount
from models.records import OutboundMessage

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8  # 1 + 2 + 4 + … + 60 min: about four hours of trying, then FAILED
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=1)
MAX_ERROR_CHARS = 2000  # OutboundMessage.last_error's length
INSERT_BATCH = 1000  # rows per INSERT statement (PostgreSQL allows 32,767 parameters)

_TABLE: sa.Table = OutboundMessage.__table__  # type: ignore[attr-defined]
_ACCOUNTS: sa.Table = ChannelAccount.__table__  # type: ignore[attr-defined]
_queued: ContextVar[list[int] | None] = ContextVar("planbot_outbox_queued", default=None)


@dataclass(frozen=True)
class NewMessage:
    """A row to queue: for one account, once per dedupe key."""

    account_id: int
    payload: dict[str, Any]
    dedupe_key: str
    channel: Channel | None = None  # looked up from the account when not given
    urgent: bool = False  # an answer to the person's own message: not held by quiet hours
    not_before: datetime | None = None  # first try no earlier (default: now)


@dataclass(frozen=True)
class Claimed:
    """A row in a sender's hands: what to send, to whom, and the claim it is marked under."""

    id: int
    dedupe_key: str
    account_id: int
    external_id: str
    payload: dict[str, Any]
    attempts: int
    send_key: str | None = None  # the call it went out in before (None: never grouped)


# -- queuing -------------------------------------------------------------------------------


async def enqueue(
    session: AsyncSession,
    clock: Clock,
    account_id: int,
    payload: dict[str, Any],
    dedupe_key: str,
    *,
    urgent: bool = False,
) -> bool:
    """Queue ``payload`` for one account unless ``dedupe_key`` was queued before.

    Returns whether a row was added. Losing the race for the key to another worker adds
    nothing and leaves the caller's transaction as it was (no error, no savepoint).
    """
    message = NewMessage(account_id, payload, dedupe_key, urgent=urgent)
    return await enqueue_many(session, clock, [message]) == 1


async def enqueue_many(session: AsyncSession, clock: Clock, messages: Iterable[NewMessage]) -> int:
    """Queue many rows; return how many were new.

    Per :data:`INSERT_BATCH` rows: one look-up of the keys already queued (a re-run or a
    catch-up then sends nothing more), and one executemany of the rest, which SQLAlchemy
    sends as multi-row ``INSERT … ON CONFLICT (dedupe_key) DO NOTHING`` statements from one
    cached compiled form (a statement compiled per batch costs more than the database).
    """
    now = clock.now()
    pending = list(messages)
    unknown = {m.account_id for m in pending if m.channel is None}
    channels = await _channels_of(session, unknown) if unknown else {}
    added = 0
    for start in range(0, len(pending), INSERT_BATCH):
        batch = pending[start : start + INSERT_BATCH]
        queued = await _queued_keys(session, [m.dedupe_key for m in batch])
        rows = [
            {
                "dedupe_key": m.dedupe_key,
                "account_id": m.account_id,
                "channel": (m.channel or channels[m.account_id]).value,
                "payload": m.payload,
                "status": OutboxStatus.PENDING.value,
                "attempts": 0,
                "urgent": m.urgent,
                "next_attempt_at": max(now, m.not_before) if m.not_before else now,
                "created_at": now,
            }
            for m in batch
            if m.dedupe_key not in queued
        ]
        if not rows:
            continue
        statement = (
            _insert(session)(_TABLE)
            .on_conflict_do_nothing(index_elements=["dedupe_key"])
            .returning(_TABLE.c.id)
        )
        result = await session.exec(statement, params=rows)  # type: ignore[call-overload]
        added += len(result.all())
    box = _queued.get()
    if box is not None:
        box[0] += added
    return added


async def _queued_keys(session: AsyncSession, keys: list[str]) -> set[str]:
    found = await session.exec(
        sa.select(_TABLE.c.dedupe_key).where(  # type: ignore[call-overload]
            db.one_of(_TABLE.c.dedupe_key, keys, db.dialect_of(session))
        )
    )
    return set(found.scalars().all())


async def _channels_of(session: AsyncSession, account_ids: set[int]) -> dict[int, Channel]:
    rows = await session.exec(
        sa.select(_ACCOUNTS.c.id, _ACCOUNTS.c.channel).where(  # type: ignore[call-overload]
            db.one_of(_ACCOUNTS.c.id, sorted(account_ids), db.dialect_of(session))
        )
    )
    return {account_id: Channel(channel) for account_id, channel in rows.all()}


def _insert(session: AsyncSession) -> Any:
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


@contextmanager
def watch() -> Iterator[list[int]]:
    """``box[0]`` counts the rows queued inside the block (this task's), so a channel can
    wake its sender when a turn queued something instead of sweeping after every message."""
    box = [0]
    token = _queued.set(box)
    try:
        yield box
    finally:
        _queued.reset(token)


# -- claiming ------------------------------------------------------------------------------


async def claim(
    session: AsyncSession,
    clock: Clock,
    *,
    channel: Channel | None,
    limit: int,
    lease: timedelta,
    urgent_only: bool = False,
) -> tuple[str, list[Claimed]]:
    """Lease up to ``limit`` due rows of ``channel`` (None: every channel) for active accounts.

    Returns the claim token and the rows, oldest due first. Commit right after: the rows are
    then the caller's until ``now + lease`` (marking requires the token), and invisible to
    other claimers meanwhile. Rows of an inactive account (blocked the bot, left LINE) stay
    pending: they go out if the person comes back. ``urgent_only`` takes only answers to a
    person's own message (quiet hours hold everything else back).
    """
    now = clock.now()
    token = uuid.uuid4().hex
    conditions = [
        _TABLE.c.status == OutboxStatus.PENDING.value,
        _TABLE.c.next_attempt_at <= now,
        _ACCOUNTS.c.active,
    ]
    if channel is not None:
        conditions.append(_TABLE.c.channel == channel.value)
    if urgent_only:
        conditions.append(_TABLE.c.urgent)
    due = (
        sa.select(_TABLE.c.id)
        .join(_ACCOUNTS, _ACCOUNTS.c.id == _TABLE.c.account_id)
        .where(*conditions)
        .order_by(_TABLE.c.next_attempt_at, _TABLE.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True, of=_TABLE)
    )
    ids = [row[0] for row in (await session.exec(due)).all()]  # type: ignore[call-overload]
    if not ids:
        return token, []
    ids += await _rest_of_their_calls(session, ids)
    until = now + lease
    dialect = db.dialect_of(session)
    await session.exec(
        sa.update(_TABLE)  # type: ignore[call-overload]
        .where(db.one_of(_TABLE.c.id, ids, dialect))
        .values(claimed_until=until, next_attempt_at=until, claim_token=token)
    )
    rows = await session.exec(
        sa.select(  # type: ignore[call-overload]
            _TABLE.c.id,
            _TABLE.c.dedupe_key,
            _TABLE.c.account_id,
            _ACCOUNTS.c.external_id,
            _TABLE.c.payload,
            _TABLE.c.attempts,
            _TABLE.c.send_key,
        )
        .join(_ACCOUNTS, _ACCOUNTS.c.id == _TABLE.c.account_id)
        .where(db.one_of(_TABLE.c.id, ids, dialect))
        .order_by(_TABLE.c.id)
    )
    return token, [Claimed(*row) for row in rows.all()]


async def _rest_of_their_calls(session: AsyncSession, ids: list[int]) -> list[int]:
    """The pending rows that went out in one call with rows just claimed (a sender died
    before marking it), locked (waiting for a concurrent claimer's short transaction), so
    the call is made again whole. Their accounts' state does not matter: they were in it."""
    dialect = db.dialect_of(session)
    keys_of_claimed = sa.select(_TABLE.c.send_key).where(
        db.one_of(_TABLE.c.id, ids, dialect), _TABLE.c.send_key.is_not(None)
    )
    rest = (
        sa.select(_TABLE.c.id)
        .where(
            _TABLE.c.send_key.in_(keys_of_claimed),
            _TABLE.c.status == OutboxStatus.PENDING.value,
            sa.not_(db.one_of(_TABLE.c.id, ids, dialect)),
        )
        .order_by(_TABLE.c.id)
        .with_for_update(of=_TABLE)
    )
    return [row[0] for row in (await session.exec(rest)).all()]  # type: ignore[call-overload]


async def fix_calls(session: AsyncSession, token: str, calls: dict[str, Sequence[int]]) -> None:
    """Record which rows go out together (``send_key`` → row ids), in the claiming
    transaction, before anything is sent."""
    for key, ids in calls.items():
        await session.exec(
            sa.update(_TABLE).where(_held(token, ids, db.dialect_of(session))).values(send_key=key)  # type: ignore[call-overload]
        )


# -- marking -------------------------------------------------------------------------------


def retry_delay(attempts: int) -> timedelta:
    """Back-off after the ``attempts``-th failure: 1 min, 2, 4 … capped at one hour."""
    doublings = min(max(attempts - 1, 0), 16)  # no timedelta overflow, whatever the count
    return min(FIRST_RETRY * 2**doublings, LONGEST_RETRY)


def _held(token: str, ids: Sequence[int], dialect: str) -> Any:
    return sa.and_(db.one_of(_TABLE.c.id, ids, dialect), _TABLE.c.claim_token == token)


_RELEASED = {"claimed_until": None, "claim_token": None}


async def mark_sent(session: AsyncSession, clock: Clock, token: str, ids: Sequence[int]) -> int:
    """Record deliveries (``attempts`` then says how many tries it took); return how many
    rows this claim still held."""
    if not ids:
        return 0
    result = await session.exec(
        sa.update(_TABLE)  # type: ignore[call-overload]
        .where(_held(token, ids, db.dialect_of(session)))
        .values(
            status=OutboxStatus.SENT.value,
            sent_at=clock.now(),
            next_attempt_at=None,
            attempts=_TABLE.c.attempts + 1,
            **_RELEASED,
        )
    )
    return int(result.rowcount or 0)


async def mark_failed(
    session: AsyncSession,
    clock: Clock,
    token: str,
    rows: Sequence[Claimed],
    error: str,
    *,
    final: bool = False,
    wait: timedelta | None = None,
) -> list[Claimed]:
    """Record a failed try: retry later with back-off (at least ``wait``), or give up after
    :data:`MAX_ATTEMPTS`. ``final`` gives up at once, for errors no retry can fix (an
    unreadable payload, a recipient who blocked the bot). Returns the rows given up on."""
    now, text = clock.now(), error[:MAX_ERROR_CHARS]
    by_attempts: dict[int, list[int]] = {}
    given_up: list[Claimed] = []
    for row in rows:
        attempts = row.attempts + 1
        if final or attempts >= MAX_ATTEMPTS:
            given_up.append(row)
        else:
            by_attempts.setdefault(attempts, []).append(row.id)
    for attempts, ids in by_attempts.items():
        delay = max(retry_delay(attempts), wait or timedelta(0))
        await session.exec(
            sa.update(_TABLE)  # type: ignore[call-overload]
            .where(_held(token, ids, db.dialect_of(session)))
            .values(attempts=attempts, last_error=text, next_attempt_at=now + delay, **_RELEASED)
        )
    if given_up:
        await session.exec(
            sa.update(_TABLE)  # type: ignore[call-overload]
            .where(_held(token, [row.id for row in given_up], db.dialect_of(session)))
            .values(
                status=OutboxStatus.FAILED.value,
                attempts=_TABLE.c.attempts + 1,
                last_error=text,
                next_attempt_at=None,
                **_RELEASED,
            )
        )
        for row in given_up:
            log.error("outbox %s given up after %d attempts: %s", row.id, row.attempts + 1, error)
    return given_up


async def release(session: AsyncSession, clock: Clock, token: str, ids: Sequence[int]) -> None:
    """Hand rows back unsent and due now (a sender stopping, or holding back for quiet hours)."""
    if ids:
        await session.exec(
            sa.update(_TABLE)  # type: ignore[call-overload]
            .where(_held(token, ids, db.dialect_of(session)))
            .values(next_attempt_at=clock.now(), **_RELEASED)
        )


async def extend_pending(
    session: AsyncSession,
    dedupe_key: str,
    extend: Callable[[dict[str, Any]], dict[str, Any]],
) -> bool:
    """Change the payload of a row still waiting to go (a digest that gathers notices until
    its time): ``extend`` gets the payload and returns the new one. The row is locked while
    it changes, so two notices joining one digest queue; a row already claimed by a sender,
    sent or failed is left alone, and False says the caller must queue a new one."""
    statement = (
        sa.select(_TABLE.c.id, _TABLE.c.payload)
        .where(
            _TABLE.c.dedupe_key == dedupe_key,
            _TABLE.c.status == OutboxStatus.PENDING.value,
            _TABLE.c.claim_token.is_(None),
        )
        .with_for_update()
    )
    row = (await session.exec(statement)).first()  # type: ignore[call-overload]
    if row is None:
        return False
    await session.exec(  # type: ignore[call-overload]
        sa.update(_TABLE).where(_TABLE.c.id == row.id).values(payload=extend(dict(row.payload)))
    )
    return True

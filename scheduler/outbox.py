"""The outbox: every message planbot starts (notices, reminders) is a row before it is a send.

A handler or a reminder rule queues a row with a unique dedupe key in the same transaction
as the change it announces, so a notice is never lost with a rollback nor queued twice by
a retry or a second worker. A dispatcher then claims due rows, sends them through a channel
and records the outcome, one row per transaction: a crash mid-send leaves that one row
pending (it is sent again: at-least-once), never a whole batch. On PostgreSQL the claim
takes ``FOR UPDATE SKIP LOCKED``, so two dispatchers never hold the same row; SQLite has a
single writer and ignores it. A failed send is retried with exponential back-off and given
up (``FAILED``) after ``MAX_ATTEMPTS``.

The APScheduler job and quiet hours come later and build on :func:`deliver`.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.messages import Outgoing, from_payload, to_payload
from models.clock import Clock
from models.enums import Channel, OutboxStatus
from models.org import ChannelAccount
from models.records import OutboundMessage

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8  # 1 + 2 + 4 + … + 60 min: about four hours of trying, then FAILED
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=1)
MAX_ERROR_CHARS = 2000  # OutboundMessage.last_error's length

Send = Callable[[ChannelAccount, list[Outgoing]], Awaitable[None]]


async def enqueue(
    session: AsyncSession,
    clock: Clock,
    account_id: int,
    messages: list[Outgoing],
    dedupe_key: str,
) -> bool:
    """Queue ``messages`` for one account unless ``dedupe_key`` was queued before.

    Returns whether a row was added. The insert runs in a savepoint, so losing the race for
    the key to another worker rolls back only this row, not the caller's transaction.
    """
    now = clock.now()
    try:
        async with session.begin_nested():
            session.add(
                OutboundMessage(
                    dedupe_key=dedupe_key,
                    account_id=account_id,
                    payload=to_payload(messages),
                    next_attempt_at=now,
                    created_at=now,
                )
            )
    except IntegrityError:
        return False
    return True


async def claim_due(
    session: AsyncSession,
    clock: Clock,
    *,
    channel: Channel | None = None,
    limit: int = 100,
) -> list[tuple[OutboundMessage, ChannelAccount]]:
    """Pending rows due now for active accounts, oldest first, locked for this transaction.

    Rows of an inactive account (blocked the bot, left LINE) stay pending: they go out if
    the person comes back. The lock is on the outbox rows only, so a dispatcher holding one
    never blocks a chat turn that touches the account.
    """
    conditions = [
        OutboundMessage.status == OutboxStatus.PENDING,
        sa.or_(
            OutboundMessage.next_attempt_at.is_(None),  # type: ignore[union-attr]
            OutboundMessage.next_attempt_at <= clock.now(),  # type: ignore[operator]
        ),
        ChannelAccount.active,
    ]
    if channel is not None:
        conditions.append(ChannelAccount.channel == channel)
    statement = (
        select(OutboundMessage, ChannelAccount)
        .join(ChannelAccount, ChannelAccount.id == OutboundMessage.account_id)
        .where(*conditions)
        .order_by(OutboundMessage.created_at, OutboundMessage.id)  # type: ignore[arg-type]
        .limit(limit)
        .with_for_update(skip_locked=True, of=OutboundMessage)  # type: ignore[arg-type]
    )
    rows = await session.exec(statement)
    return [(message, account) for message, account in rows.all()]


def retry_delay(attempts: int) -> timedelta:
    """Back-off after the ``attempts``-th failure: 1 min, 2, 4 … capped at one hour."""
    doublings = min(max(attempts - 1, 0), 16)  # no timedelta overflow, whatever the count
    return min(FIRST_RETRY * 2**doublings, LONGEST_RETRY)


def mark_sent(row: OutboundMessage, clock: Clock) -> None:
    """Record a delivery; ``attempts`` then says how many tries it took."""
    row.attempts += 1
    row.status = OutboxStatus.SENT
    row.sent_at = clock.now()
    row.next_attempt_at = None


def mark_failed(row: OutboundMessage, clock: Clock, error: str, *, final: bool = False) -> None:
    """Record a failed try: retry later with back-off, or give up after ``MAX_ATTEMPTS``.

    ``final`` gives up at once, for errors no retry can fix (an unreadable payload).
    """
    row.attempts += 1
    row.last_error = error[:MAX_ERROR_CHARS]
    if final or row.attempts >= MAX_ATTEMPTS:
        row.status = OutboxStatus.FAILED
        row.next_attempt_at = None
        log.error("outbox %s gave up after %d attempts: %s", row.dedupe_key, row.attempts, error)
    else:
        row.next_attempt_at = clock.now() + retry_delay(row.attempts)


async def deliver(
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock,
    send: Send,
    *,
    channel: Channel | None = None,
    limit: int = 100,
) -> int:
    """Send what is due, one row per transaction; return how many were sent.

    Each row is claimed, sent and marked inside its own transaction, so the row stays locked
    while it is being sent and its outcome commits on its own. A failing send marks that row
    failed and the loop goes on; cancellation rolls the current row back to pending.
    """

    async def send_row(
        _session: AsyncSession,
        _row: OutboundMessage,
        account: ChannelAccount,
        messages: list[Outgoing],
    ) -> None:
        await send(account, messages)

    return await deliver_rows(sessions, clock, send_row, channel=channel, limit=limit)


RowSend = Callable[[AsyncSession, OutboundMessage, ChannelAccount, list[Outgoing]], Awaitable[None]]


async def deliver_rows(
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock,
    send: RowSend,
    *,
    channel: Channel | None = None,
    limit: int = 100,
) -> int:
    """:func:`deliver` for channels whose send needs the row and its transaction.

    LINE derives its retry key from the row's dedupe key and counts each push in the same
    transaction that marks the row sent, so the count can neither miss a push nor count one
    that rolled back. Whatever ``send`` writes to the session commits with the row's outcome
    (on failure too, so it must write only after the send succeeded).
    """
    sent = 0
    for _ in range(limit):
        async with sessions() as session, session.begin():
            claimed = await claim_due(session, clock, channel=channel, limit=1)
            if not claimed:
                break
            row, account = claimed[0]
            try:
                messages = from_payload(row.payload)
            except Exception as exc:  # a payload no code can read: retrying will not help
                mark_failed(row, clock, f"unreadable payload: {exc!r}", final=True)
                continue
            try:
                await send(session, row, account, messages)
            except Exception as exc:
                log.warning("outbox %s: send failed: %r", row.dedupe_key, exc)
                mark_failed(row, clock, f"{type(exc).__name__}: {exc}")
            else:
                mark_sent(row, clock)
                sent += 1
    return sent

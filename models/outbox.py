"""The outbox rows: every message planbot starts (notices, reminders) is a row before a send.

A handler or a reminder rule queues a row with a unique dedupe key in the same transaction
as the change it announces, so a notice is never lost with a rollback nor queued twice by
a retry or a second worker. The payload is a plain JSON dict (``handlers.messages`` turns
messages into one and back), so this table knows nothing of the layers above it. Sending
is the clock layer's (``scheduler.dispatch``); this module only queues, claims and marks.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.clock import Clock
from models.enums import Channel, OutboxStatus
from models.org import ChannelAccount
from models.records import OutboundMessage

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8  # 1 + 2 + 4 + … + 60 min: about four hours of trying, then FAILED
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=1)
MAX_ERROR_CHARS = 2000  # OutboundMessage.last_error's length


async def enqueue(
    session: AsyncSession,
    clock: Clock,
    account_id: int,
    payload: dict[str, Any],
    dedupe_key: str,
) -> bool:
    """Queue ``payload`` for one account unless ``dedupe_key`` was queued before.

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
                    payload=payload,
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

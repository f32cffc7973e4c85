"""Outbox dispatch: claim due rows, send them through a channel, record the outcome.

One row per transaction: a crash mid-send leaves that one row pending (it is sent again:
at-least-once), never a whole batch. On PostgreSQL the claim takes ``FOR UPDATE SKIP
LOCKED``, so two dispatchers never hold the same row; SQLite has a single writer and
ignores it. A failed send is retried with exponential back-off and given up (``FAILED``)
after ``models.outbox.MAX_ATTEMPTS``. The rows themselves are ``models.outbox``'s.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.messages import Outgoing, from_payload
from models.clock import Clock
from models.enums import Channel
from models.org import ChannelAccount
from models.outbox import claim_due, mark_failed, mark_sent
from models.records import OutboundMessage

log = logging.getLogger(__name__)

Send = Callable[[ChannelAccount, list[Outgoing]], Awaitable[None]]


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

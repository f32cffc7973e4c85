"""The LINE channel: answer with the reply token while it is good, push through the outbox.

A reply is free but its token is single-use, good for about a minute, and carries at most
five messages; a push costs quota. So an answer goes by reply when the event is fresh and
not a redelivery, and whatever cannot go that way (token spent or stale, more than five
messages, LINE refused) becomes an outbox row pushed to the person — the same path as
notices, with its retry key, its count and its retries (``bot.channels.line.sender``). Such
a row is an answer (``urgent``): quiet hours do not hold it back.
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.channels.line import render
from bot.channels.line.client import LineApi, LineApiError, ReplyRejected
from bot.channels.line.sender import retry_key
from bot.links import DocumentLinks
from handlers.messages import Incoming, Outgoing, to_payload
from models import outbox
from models.clock import Clock
from models.enums import Channel as ChannelName
from models.org import ChannelAccount

log = logging.getLogger(__name__)

# LINE: "must be used within one minute"; leave room for the time the reply itself takes.
REPLY_WINDOW = timedelta(seconds=50)

__all__ = ["REPLY_WINDOW", "LineChannel", "ReplyToken", "retry_key"]


@dataclass(frozen=True)
class ReplyToken:
    value: str
    at: datetime | None  # when the event happened (LINE's timestamp)
    redelivered: bool = False

    def usable(self, now: datetime) -> bool:
        if self.redelivered or not self.value:
            return False
        return self.at is None or now - self.at < REPLY_WINDOW


class LineChannel:
    """Reply and push for LINE (the :class:`bot.channels.base.Channel` of this platform)."""

    name = ChannelName.LINE

    def __init__(
        self,
        api: LineApi,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        links: DocumentLinks,
        wake_outbox: Callable[[], None] = lambda: None,
        write_gate: Callable[[], AbstractAsyncContextManager[None]] = contextlib.nullcontext,
    ) -> None:
        self.api = api
        self.sessions = sessions
        self.clock = clock
        self.links = links
        self.wake_outbox = wake_outbox
        self.write_gate = write_gate

    def context(self) -> render.RenderContext:
        return render.context_of(self.clock, self.links)

    # -- answering a person -----------------------------------------------------------------

    async def reply(
        self,
        incoming: Incoming,
        messages: Sequence[Outgoing],
        *,
        token: ReplyToken | None = None,
    ) -> None:
        """Answer ``incoming``: by reply while the token is good, the rest by push."""
        left: list[Outgoing] = list(messages)
        batch, rest = render.fit(messages, self.context())
        if batch and token is not None and token.usable(self.clock.now()):
            try:
                await self.api.reply(token.value, batch)
                left = rest
            except ReplyRejected as exc:
                log.info("reply token of %s refused (%s): pushing", incoming.event_id, exc.message)
            except LineApiError as exc:
                log.warning("reply to %s failed (%s): pushing", incoming.event_id, exc)
        if left:
            key = f"line-reply:{incoming.event_id or uuid.uuid4().hex}"
            await self.queue_push(incoming.account_id, left, key, urgent=True)

    async def send(self, external_id: str, messages: Sequence[Outgoing]) -> None:
        """Push to someone nobody is waiting on, through the outbox like every notice."""
        await self.queue_push(external_id, messages, f"line-send:{uuid.uuid4().hex}")

    async def queue_push(
        self,
        external_id: str,
        messages: Sequence[Outgoing],
        dedupe_key: str,
        *,
        urgent: bool = False,
    ) -> bool:
        async with self.write_gate(), self.sessions() as session, session.begin():
            account = (
                await session.exec(
                    select(ChannelAccount).where(
                        ChannelAccount.channel == ChannelName.LINE,
                        ChannelAccount.external_id == external_id,
                    )
                )
            ).first()
            if account is None or account.id is None:
                log.warning("no LINE account %s to push to", external_id)
                return False
            queued = await outbox.enqueue(
                session,
                self.clock,
                account.id,
                to_payload(list(messages)),
                dedupe_key,
                urgent=urgent,
            )
        self.wake_outbox()
        return queued

"""How Telegram sends outbox rows: one chat at a time, within Telegram's limits.

The delivery loop (``scheduler.dispatch``) claims, groups and marks; this is the part only
Telegram knows. Telegram has no multicast and no retry key, so each row is its own call. The
pace is the bot's own rate limiter (``bot.channels.telegram.ChatRateLimiter``: 30 messages a
second overall, about one a second per chat, ``RetryAfter`` waited out); up to
``concurrency`` sends are in flight so that limiter, not the round trips, sets the speed.
A user who blocked the bot (``Forbidden``) or a chat Telegram does not know is unreachable:
the account goes inactive and its notices wait until they write again.
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram.error import BadRequest, Forbidden, RetryAfter

from bot.channels.telegram.channel import TelegramChannel
from models.enums import Channel
from scheduler.dispatch import Delivery, RetryLater, Undeliverable, Unreachable

UNKNOWN_CHAT = "chat not found"


class TelegramSender:
    """The :class:`scheduler.dispatch.Sender` of Telegram."""

    channel = Channel.TELEGRAM
    group_size = 1
    lease = timedelta(minutes=2)

    def __init__(self, channel: TelegramChannel, *, concurrency: int = 30) -> None:
        self.telegram = channel
        self.concurrency = concurrency

    async def send(self, deliveries: list[Delivery]) -> int:
        (one,) = deliveries
        try:
            await self.telegram.send(one.external_id, one.messages)
        except Forbidden as exc:
            raise Unreachable(str(exc)) from exc
        except RetryAfter as exc:  # the limiter's own retries were not enough
            wait = exc._retry_after  # an int or a timedelta, by PTB_TIMEDELTA (see service)
            seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
            raise RetryLater(str(exc), timedelta(seconds=seconds)) from exc
        except BadRequest as exc:
            if UNKNOWN_CHAT in str(exc).lower():
                raise Unreachable(str(exc)) from exc
            raise Undeliverable(str(exc)) from exc
        return 0

    async def after_sent(self, session: AsyncSession, used: int) -> None:
        """Telegram counts nothing."""

"""Telegram's sending limits, kept by PTB's rate limiter plus a per-chat bucket.

Limits (https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this):
about 30 messages a second overall, 20 a minute in one group, and about one a second in
one chat. :class:`ChatRateLimiter` is PTB's ``AIORateLimiter`` (the first two, and
``RetryAfter`` honoured by waiting and retrying) plus a per-chat limit that lets a short
burst through, so a two- or three-message answer is not slowed but a flood of notices to
one person is.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

from telegram.ext import AIORateLimiter

PRIVATE_CHAT_RATE = 1.0  # messages a second, sustained, in one chat
PRIVATE_CHAT_BURST = 3  # … after a burst of this many
MAX_RETRIES = 3  # RetryAfter: wait as told, then try again, this many times
MAX_CHATS = 1024  # chat buckets kept before the drained ones are forgotten

Clock = Callable[[], float]  # seconds, monotonic
Sleep = Callable[[float], Awaitable[None]]


class ChatBucket:
    """One chat's leaky bucket: ``burst`` messages at once, then one every ``1/rate`` seconds.

    Kept as the time the bucket is empty again (the generic cell rate algorithm): a send
    takes its slot when it asks, without waiting in between, so sends to one chat keep
    their order and each waits only as long as its place needs. (aiolimiter's bucket reads
    the event loop's clock, which a test cannot move; this one is given its clock.)
    """

    def __init__(self, rate: float, burst: int) -> None:
        self.interval = 1 / rate
        self.tolerance = (burst - 1) * self.interval
        self.empty_at = float("-inf")

    def reserve(self, now: float) -> float:
        """Take the next slot; return how long to wait for it (0: go now)."""
        start = max(self.empty_at, now)
        self.empty_at = start + self.interval
        return max(0.0, start - self.tolerance - now)

    def drained(self, now: float) -> bool:
        return self.empty_at <= now


class ChatRateLimiter(AIORateLimiter):
    """PTB's limiter (30/s overall, 20/min per group, RetryAfter retried), plus per chat.

    A private chat gets a :class:`ChatBucket` of ``burst`` messages refilled at ``rate`` a
    second; ``clock`` and ``sleep`` are the real ones unless a test gives its own.
    """

    def __init__(
        self,
        *,
        rate: float = PRIVATE_CHAT_RATE,
        burst: int = PRIVATE_CHAT_BURST,
        max_retries: int = MAX_RETRIES,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        **limits: Any,
    ) -> None:
        super().__init__(max_retries=max_retries, **limits)
        self._chat_rate = rate
        self._chat_burst = burst
        self._clock = clock
        self._sleep = sleep
        self._buckets: dict[int, ChatBucket] = {}

    async def process_request(  # type: ignore[override]
        self,
        callback: Any,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Any:
        chat_id = _as_int(data.get("chat_id"))
        if chat_id is not None and chat_id >= 0 and self._chat_rate > 0:
            wait = self._bucket(chat_id).reserve(self._clock())
            if wait > 0:
                await self._sleep(wait)
        return await super().process_request(
            callback, args, kwargs, endpoint, data, rate_limit_args
        )

    def _bucket(self, chat_id: int) -> ChatBucket:
        if len(self._buckets) > MAX_CHATS:  # forget chats whose bucket has drained
            now = self._clock()
            for key, bucket in list(self._buckets.items()):
                if bucket.drained(now):
                    del self._buckets[key]
        bucket = self._buckets.get(chat_id)
        if bucket is None:
            bucket = self._buckets[chat_id] = ChatBucket(self._chat_rate, self._chat_burst)
        return bucket


def _as_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None

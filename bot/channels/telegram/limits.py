"""Telegram's sending limits, kept by PTB's rate limiter plus a per-chat bucket.

Limits (https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this):
about 30 messages a second overall, 20 a minute in one group, and about one a second in
one chat. :class:`ChatRateLimiter` is PTB's ``AIORateLimiter`` (the first two, and
``RetryAfter`` honoured by waiting and retrying) plus a per-chat limit that lets a short
burst through, so a two- or three-message answer is not slowed but a flood of notices to
one person is.
"""

from __future__ import annotations

from typing import Any

from aiolimiter import AsyncLimiter
from telegram.ext import AIORateLimiter

PRIVATE_CHAT_RATE = 1.0  # messages a second, sustained, in one chat
PRIVATE_CHAT_BURST = 3  # … after a burst of this many
MAX_RETRIES = 3  # RetryAfter: wait as told, then try again, this many times


class ChatRateLimiter(AIORateLimiter):
    """PTB's limiter (30/s overall, 20/min per group, RetryAfter retried), plus per chat.

    A private chat gets a leaky bucket of ``burst`` messages refilled at ``rate`` a second.
    """

    def __init__(
        self,
        *,
        rate: float = PRIVATE_CHAT_RATE,
        burst: int = PRIVATE_CHAT_BURST,
        max_retries: int = MAX_RETRIES,
        **limits: Any,
    ) -> None:
        super().__init__(max_retries=max_retries, **limits)
        self._chat_rate = rate
        self._chat_burst = burst
        self._chat_limiters: dict[int, AsyncLimiter] = {}

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
        if chat_id is None or chat_id < 0 or self._chat_rate <= 0:
            return await super().process_request(
                callback, args, kwargs, endpoint, data, rate_limit_args
            )
        async with self._chat_limiter(chat_id):
            return await super().process_request(
                callback, args, kwargs, endpoint, data, rate_limit_args
            )

    def _chat_limiter(self, chat_id: int) -> AsyncLimiter:
        if len(self._chat_limiters) > 1024:  # forget chats whose bucket has drained
            for key, limiter in list(self._chat_limiters.items()):
                if limiter.has_capacity(limiter.max_rate):
                    del self._chat_limiters[key]
        limiter = self._chat_limiters.get(chat_id)
        if limiter is None:
            limiter = AsyncLimiter(self._chat_burst, self._chat_burst / self._chat_rate)
            self._chat_limiters[chat_id] = limiter
        return limiter


def _as_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None

"""Long polling (``TELEGRAM_MODE=polling``, the default): nothing but the token is needed.

The loop asks ``getUpdates`` for a batch, handles it, and only then asks for the next batch
with the offset that confirms it. PTB's own ``Updater`` confirms a batch as soon as it has
fetched it, so a crash mid-batch would lose those updates; here a crash means Telegram
sends them again and the engine's event record ignores the ones done. When Telegram is
down the loop waits (longer after each failure, as told after a "retry after") and goes on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence

from telegram import Bot, Update
from telegram.error import RetryAfter, TimedOut

from bot.channels.telegram.events import ALLOWED_UPDATES

log = logging.getLogger(__name__)

POLL_TIMEOUT = 25  # seconds Telegram may hold a getUpdates open
FIRST_BACKOFF = 1.0
LONGEST_BACKOFF = 60.0

HandleBatch = Callable[[Sequence[Update]], Awaitable[None]]


class Poller:
    """Fetch, handle, then confirm (the next fetch's offset), until ``stopping`` is set."""

    def __init__(
        self,
        bot: Bot,
        handle_batch: HandleBatch,
        stopping: asyncio.Event,
        *,
        timeout: int = POLL_TIMEOUT,
    ) -> None:
        self.bot = bot
        self.handle_batch = handle_batch
        self.timeout = timeout
        self._stopping = stopping
        self.offset: int | None = None

    async def run(self) -> None:
        failures = 0
        bot = self.bot
        while not self._stopping.is_set():
            fetch = asyncio.ensure_future(
                bot.get_updates(
                    offset=self.offset,
                    timeout=self.timeout,
                    allowed_updates=list(ALLOWED_UPDATES),
                )
            )
            stopping = asyncio.ensure_future(self._stopping.wait())
            await asyncio.wait({fetch, stopping}, return_when=asyncio.FIRST_COMPLETED)
            stopping.cancel()
            if not fetch.done():  # stopped while Telegram held the request open
                fetch.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await fetch
                return
            try:
                updates = fetch.result()
            except Exception as exc:
                failures += 1
                await self._pause(_poll_delay(exc, failures), exc)
                continue
            failures = 0
            if updates:
                await self.handle_batch(updates)
                self.offset = updates[-1].update_id + 1

    async def confirm(self) -> None:
        """Confirm the last batch handled (at shutdown): only saves Telegram a redelivery."""
        if self.offset is not None:
            with contextlib.suppress(Exception):
                await self.bot.get_updates(offset=self.offset, timeout=0, limit=1)

    async def _pause(self, seconds: float, exc: BaseException) -> None:
        level = logging.INFO if isinstance(exc, TimedOut) else logging.WARNING
        log.log(level, "Telegram getUpdates failed (%r); again in %.0f s", exc, seconds)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)


def _poll_delay(exc: BaseException, failures: int) -> float:
    if isinstance(exc, RetryAfter):
        # PTB's own limiter reads the timedelta too: ``retry_after`` is an int or a timedelta
        # depending on PTB_TIMEDELTA, and warns either way in 22.x.
        return float(exc._retry_after.total_seconds())
    if isinstance(exc, TimedOut):
        return 0.0 if failures == 1 else FIRST_BACKOFF
    return min(FIRST_BACKOFF * 2 ** (failures - 1), LONGEST_BACKOFF)

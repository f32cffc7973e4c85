"""How LINE sends outbox rows: a push per person, or one multicast for identical messages.

The delivery loop (``scheduler.dispatch``) claims, groups and marks; this is the part only
LINE knows. A row alone goes as a push with a retry key made from its dedupe key; identical
messages to several people go as one multicast (≤ 500 recipients) whose retry key is made
from its ``send_key`` (fixed, with its recipients, before the first try), so a re-send after
a crash is the same call, accepted by LINE once and the repeat answered 409 ("already
accepted"), which counts as sent. A message LINE renders to
more than five objects goes as several requests, each with its own key (``#1``, ``#2`` …).

Limits: LINE allows 2,000 push and 200 multicast requests a second per channel
(aiolimiter); each recipient of each request counts against the month's quota, counted in
the transaction that marks the rows sent, and the plan officers are warned at 80 %.
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

from aiolimiter import AsyncLimiter
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.channels.line import render
from bot.channels.line.client import LineApi, LineApiError
from bot.channels.line.quota import QuotaWatch, count_pushes
from bot.links import DocumentLinks
from models.clock import Clock
from models.enums import Channel
from scheduler.dispatch import Delivery, Undeliverable, Unreachable

log = logging.getLogger(__name__)

RETRY_KEY_NAMESPACE = uuid.UUID("6f1c2b0e-5a54-4c1e-9a57-3f7d1c0b8e21")
PUSHES_PER_SECOND = 2000
MULTICASTS_PER_SECOND = 200
MULTICAST_MAX = 500
UNKNOWN_USER = "failed to send messages"  # LINE's 400 for a user id it cannot push to


def retry_key(dedupe_key: str, part: int = 0) -> str:
    """The X-Line-Retry-Key of one push: the same outbox row always gets the same key."""
    return str(uuid.uuid5(RETRY_KEY_NAMESPACE, dedupe_key if part == 0 else f"{dedupe_key}#{part}"))


def multicast_key(send_key: str, part: int = 0) -> str:
    """The key of one multicast: its rows' ``send_key`` (fixed before the first try)."""
    return retry_key(f"multicast:{send_key}", part)


class LineSender:
    """The :class:`scheduler.dispatch.Sender` of LINE."""

    channel = Channel.LINE
    group_size = MULTICAST_MAX
    lease = timedelta(minutes=2)

    def __init__(
        self,
        api: LineApi,
        clock: Clock,
        links: DocumentLinks,
        quota: QuotaWatch,
        *,
        concurrency: int = 16,
    ) -> None:
        self.api = api
        self.clock = clock
        self.links = links
        self.quota = quota
        self.concurrency = concurrency
        self._pushes = AsyncLimiter(PUSHES_PER_SECOND, 1)
        self._multicasts = AsyncLimiter(MULTICASTS_PER_SECOND, 1)

    def context(self) -> render.RenderContext:
        return render.context_of(self.clock, self.links)

    async def send(self, deliveries: list[Delivery]) -> int:
        """One push (a single row) or one multicast; return the pushes LINE counts."""
        parts = render.batches(deliveries[0].messages, self.context())
        try:
            if len(deliveries) == 1:
                (one,) = deliveries
                for i, batch in enumerate(parts):
                    key = retry_key(one.row.dedupe_key, i)
                    async with self._pushes:
                        await self.api.push(one.external_id, batch, key)
            else:
                to = [d.external_id for d in deliveries]
                send_key = deliveries[0].row.send_key
                assert send_key is not None, "the delivery loop fixes a call's key first"
                for i, batch in enumerate(parts):
                    async with self._multicasts:
                        await self.api.multicast(to, batch, multicast_key(send_key, i))
        except LineApiError as exc:
            permanent = _permanent(exc, len(deliveries))
            if permanent is None:
                raise
            raise permanent from exc
        # Counted even when LINE answered "already accepted": that push went out in an
        # earlier try whose transaction (and count) did not commit.
        return len(parts) * len(deliveries)

    async def after_sent(self, session: AsyncSession, used: int) -> None:
        """Count in the transaction that marks the rows sent, so a count can neither miss a
        push nor count one that rolled back; the 80 % warning may fail on its own."""
        counted = await count_pushes(session, self.clock, used)
        try:
            async with session.begin_nested():
                await self.quota.after_push(session, self.clock, counted, used)
        except Exception:
            log.exception("could not queue the LINE quota warning")


def _permanent(exc: LineApiError, recipients: int) -> Exception | None:
    """LINE's refusals no retry can change (None: worth another try)."""
    if exc.retryable or exc.status == 401:  # a wrong token is fixed by the operator, not lost
        return None
    if recipients == 1 and exc.status == 400 and UNKNOWN_USER in exc.message.lower():
        return Unreachable(str(exc))
    return Undeliverable(str(exc))

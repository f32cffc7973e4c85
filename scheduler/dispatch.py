"""Outbox delivery: the one loop every channel sends through.

A channel supplies a :class:`Sender` — how to send one row, or one call's worth of rows, on
its platform, within its platform's limits — and this module does the rest, the same way for
LINE, Telegram and the console: claim a batch of due rows (``models.outbox.claim``: leased,
committed), decode them, group the identical ones when the platform can send one message to
many people in one call (LINE's multicast, up to 500), send the calls concurrently (at most
``Sender.concurrency`` at once) with no database transaction open, and mark every outcome in
one short transaction: sent; failed for now (retried with back-off: 1, 2, 4 … 60 minutes,
given up after ``models.outbox.MAX_ATTEMPTS``); failed for good — a payload no code can read
or a message the platform refuses as malformed (the row is given up); or a recipient who
blocked the bot or left (the account is marked inactive, so nothing more is pushed to it and
its rows wait, and the organization's plan officers are told once; a message from the person
makes the account active again and what waited goes out). Several workers per process claim
side by side, and several processes too: on PostgreSQL ``FOR UPDATE SKIP LOCKED`` keeps them
off each other's rows.

**The guarantee.** Every queued row is sent *at least once* to the platform: a row is marked
sent only after the platform accepted it, and a sender that dies between the claim and the
mark (a crash, ``kill -9``, a lost connection) leaves its rows leased, to be claimed again
when the lease ends (``Sender.lease``). Delivery to the person is *effectively once*: the
dedupe key lets a reminder or notice be queued only once, and through LINE a re-send is the
same call with the same ``X-Line-Retry-Key`` as the first try (a push's key is derived from
the row's dedupe key; a multicast's rows are tied together by their ``send_key`` before the
first try, and re-claimed and re-sent together, never split or regrouped), so LINE accepts
it once and answers the repeat with 409, which counts as sent. LINE keeps a retry key for 24
hours: a row retried after that (only if LINE was failing for a day) could arrive twice.
Telegram and the console have no such key: a crash after the platform accepted a call and
before the mark sends that one call again.

Quiet hours (``QuietHours``, 20:00–07:00 by default) hold back everything but answers to a
person's own message (``urgent`` rows): they stay due and go at the end of the quiet hours.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import logging
import uuid
from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from handlers import unreachable
from handlers.messages import Outgoing, from_payload
from models import db, outbox
from models.clock import Clock
from models.enums import Channel
from models.org import ChannelAccount
from models.outbox import Claimed
from scheduler import metrics

log = logging.getLogger(__name__)

DEFAULT_LEASE = timedelta(minutes=2)
DEFAULT_BATCH = 200
CLAIM_ATTEMPTS = 3
SEND_KEY_NAMESPACE = uuid.UUID("9b0d7c2e-3f41-4a8e-8c55-1d6e2f0a7b93")


class Unreachable(Exception):
    """The recipients cannot be reached until they come back: they blocked the bot, left, or
    the platform does not know them. Their accounts are made inactive; their rows wait."""

    def __init__(self, reason: str, external_ids: frozenset[str] | None = None) -> None:
        super().__init__(reason)
        self.external_ids = external_ids  # None: every recipient of the call


class Undeliverable(Exception):
    """The platform refuses the message itself (malformed for it): no retry can help."""


class RetryLater(Exception):
    """The platform asked to wait (rate limited) before trying again."""

    def __init__(self, reason: str, wait: timedelta) -> None:
        super().__init__(reason)
        self.wait = wait


@dataclass(frozen=True)
class Delivery:
    """One row to send: the claimed row and its messages."""

    row: Claimed
    messages: list[Outgoing]

    @property
    def external_id(self) -> str:
        return self.row.external_id


class Sender(Protocol):
    """How a channel sends: the only part that differs between platforms."""

    channel: Channel | None  # the rows it takes; None: every channel (tests)
    group_size: int  # rows with the same messages one call may carry (1: a call per row)
    concurrency: int  # calls in flight at once
    lease: timedelta  # how long a claimed batch may take before others may take it back

    async def send(self, deliveries: list[Delivery]) -> int:
        """Send one call's rows (all with the same messages when there are several); return
        what to count against the platform's quota (0 if nothing is counted). Raise
        :class:`Unreachable`, :class:`Undeliverable` or :class:`RetryLater`; anything else
        is a failure worth retrying."""
        ...

    async def after_sent(self, session: AsyncSession, used: int) -> None:
        """Inside the transaction that marks the batch sent (count quota usage)."""
        ...


@dataclass(frozen=True)
class QuietHours:
    """When nothing is pushed but answers (local time; may wrap past midnight)."""

    start: time
    end: time

    def holds(self, moment: datetime, tz: Any) -> bool:
        local = moment.astimezone(tz).time()
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end


Gate = Callable[[], AbstractAsyncContextManager[None]]


@dataclass
class _Outcome:
    deliveries: list[Delivery]
    used: int = 0
    error: BaseException | None = None


@dataclass
class Dispatch:
    """One channel's delivery: the loop, with its sender and its settings."""

    sessions: async_sessionmaker[AsyncSession]
    clock: Clock
    sender: Sender
    quiet: QuietHours | None = None
    batch: int = DEFAULT_BATCH
    workers: int = 1
    gate: Gate = contextlib.nullcontext
    _stopping: asyncio.Event = field(default_factory=asyncio.Event)

    def stop(self) -> None:
        """Finish the batches in hand, claim no more."""
        self._stopping.set()

    async def run(self, limit: int | None = None) -> int:
        """Send what is due until nothing is (or ``limit`` rows); return how many were sent."""
        self._stopping.clear()
        budget = [limit if limit is not None else -1]
        totals = await asyncio.gather(*(self._worker(budget) for _ in range(self.workers)))
        return sum(totals)

    async def _worker(self, budget: list[int]) -> int:
        sent = 0
        while not self._stopping.is_set() and budget[0] != 0:
            size = self.batch if budget[0] < 0 else min(self.batch, budget[0])
            try:
                token, calls = await self._claim(size)
                if not calls:
                    break
                if budget[0] > 0:
                    budget[0] = max(budget[0] - sum(len(c) for c in calls), 0)
                sent += await self._send_batch(token, calls)
            except Exception:  # the database is down: what was claimed comes back with the lease
                log.exception("outbox delivery stopped")
                break
        return sent

    async def _claim(self, size: int) -> tuple[str, list[list[Claimed]]]:
        """Claim a batch and fix its calls, in one transaction (retried when two claimers
        deadlock over the rows of one earlier call)."""
        urgent_only = self.quiet is not None and self.quiet.holds(self.clock.now(), self.clock.tz)
        for attempt in range(1, CLAIM_ATTEMPTS + 1):
            try:
                async with self.gate(), self.sessions() as session, session.begin():
                    token, rows = await outbox.claim(
                        session,
                        self.clock,
                        channel=self.sender.channel,
                        limit=size,
                        lease=self.sender.lease,
                        urgent_only=urgent_only,
                    )
                    calls, new = _calls(rows, self.sender.group_size)
                    await outbox.fix_calls(session, token, new)
                    return token, calls
            except sa.exc.DBAPIError as exc:
                if not db.is_transient(exc) or attempt == CLAIM_ATTEMPTS:
                    raise
        raise AssertionError("unreachable")

    async def _send_batch(self, token: str, calls: list[list[Claimed]]) -> int:
        decoded = [_decode(rows) for rows in calls]
        unreadable = [bad for _ok, bads in decoded for bad in bads]
        groups = [ok for ok, _bads in decoded if ok]
        limit = asyncio.Semaphore(max(self.sender.concurrency, 1))

        async def call(group: list[Delivery]) -> _Outcome:
            async with limit:
                try:
                    return _Outcome(group, used=await self.sender.send(group))
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    return _Outcome(group, error=exc)

        outcomes = await asyncio.gather(*(call(g) for g in groups))
        async with self.gate(), self.sessions() as session, session.begin():
            return await self._mark(session, token, outcomes, unreadable)

    async def _mark(
        self,
        session: AsyncSession,
        token: str,
        outcomes: Sequence[_Outcome],
        unreadable: list[tuple[Claimed, str]],
    ) -> int:
        clock = self.clock
        given_up: list[Claimed] = []
        for row, problem in unreadable:
            given_up += await outbox.mark_failed(session, clock, token, [row], problem, final=True)
        delivered = [d.row for o in outcomes if o.error is None for d in o.deliveries]
        sent = await outbox.mark_sent(session, clock, token, [row.id for row in delivered])
        used = sum(o.used for o in outcomes if o.error is None)
        if used:  # with the marks, or not at all: a re-send (409) then counts it
            await self.sender.after_sent(session, used)
        lost: set[int] = set()
        for outcome in outcomes:
            error = outcome.error
            if error is None:
                continue
            rows = [d.row for d in outcome.deliveries]
            text = f"{type(error).__name__}: {error}"
            if isinstance(error, Unreachable):
                whom = error.external_ids
                gone = [r for r in rows if whom is None or r.external_id in whom]
                given_up += await outbox.mark_failed(session, clock, token, gone, text)
                lost.update(r.account_id for r in gone)
                rows = [r for r in rows if r not in gone]
                if not rows:
                    continue
            if isinstance(error, Undeliverable):
                given_up += await outbox.mark_failed(session, clock, token, rows, text, final=True)
                continue
            log.warning("outbox: %d rows failed to send: %s", len(rows), text)
            wait = error.wait if isinstance(error, RetryLater) else None
            given_up += await outbox.mark_failed(session, clock, token, rows, text, wait=wait)
        if lost:
            await _deactivate(session, lost)
            await unreachable.report(session, clock, sorted(lost))
        metrics.delivered(self.sender.channel, sent, delivered, given_up)
        return sent


async def deliver(
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock,
    sender: Sender,
    *,
    limit: int | None = None,
    batch: int = DEFAULT_BATCH,
    workers: int = 1,
    quiet: QuietHours | None = None,
    gate: Gate = contextlib.nullcontext,
) -> int:
    """Send what is due through ``sender`` until nothing is; return how many rows were sent."""
    run = Dispatch(sessions, clock, sender, quiet=quiet, batch=batch, workers=workers, gate=gate)
    return await run.run(limit)


def _decode(rows: Sequence[Claimed]) -> tuple[list[Delivery], list[tuple[Claimed, str]]]:
    """The rows of one call as deliveries (the rows of a call share their messages: they
    are decoded once), and the rows whose payload no code can read."""
    deliveries: list[Delivery] = []
    unreadable: list[tuple[Claimed, str]] = []
    read: tuple[dict[str, Any], list[Outgoing]] | None = None
    for row in rows:
        try:
            if read is None or read[0] != row.payload:
                read = (row.payload, from_payload(row.payload))
            deliveries.append(Delivery(row, read[1]))
        except Exception as exc:  # a payload no code can read: retrying will not help
            unreadable.append((row, f"unreadable payload: {exc!r}"))
    return deliveries, unreadable


def _calls(
    rows: list[Claimed], group_size: int
) -> tuple[list[list[Claimed]], dict[str, list[int]]]:
    """The calls a batch makes, and the send keys of the new ones.

    A row each when the platform sends to one person at a time. Otherwise rows that went
    out together before stay together (their ``send_key``), and the rest are grouped by
    identical messages, ``group_size`` at most, each group with a new key made from its rows'
    dedupe keys (also for a group of one: once a row has been tried it is never regrouped).
    """
    if group_size <= 1:
        return [[row] for row in rows], {}
    calls: dict[str, list[Claimed]] = {}
    fresh: dict[str, list[Claimed]] = {}
    for row in sorted(rows, key=lambda r: r.dedupe_key):
        if row.send_key is not None:
            calls.setdefault(row.send_key, []).append(row)
        else:
            fresh.setdefault(json.dumps(row.payload, sort_keys=True), []).append(row)
    new: dict[str, list[int]] = {}
    for same in fresh.values():
        for i in range(0, len(same), group_size):
            group = same[i : i + group_size]
            key = str(uuid.uuid5(SEND_KEY_NAMESPACE, "|".join(r.dedupe_key for r in group)))
            calls[key] = [dataclasses.replace(r, send_key=key) for r in group]
            new[key] = [r.id for r in group]
    return list(calls.values()), new


async def _deactivate(session: AsyncSession, account_ids: set[int]) -> None:
    """Nothing more is pushed to an unreachable account; a message from them revives it."""
    table = ChannelAccount.__table__  # type: ignore[attr-defined]
    await session.exec(
        sa.update(table).where(table.c.id.in_(sorted(account_ids))).values(active=False)  # type: ignore[call-overload]
    )


class DeliveryLoop:
    """A channel's delivery in the background: runs when woken and every ``interval``.

    Channels wake it after a turn that queued something; the scheduler's dispatcher job
    wakes it too. One run at a time per loop; ``drain`` waits for a run to finish (tests).
    """

    def __init__(self, dispatch: Dispatch, *, interval: float = 30.0, name: str = "outbox"):
        self.dispatch = dispatch
        self.interval = interval
        self.name = name
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()

    def start(self) -> None:
        self._stopping.clear()
        self._task = asyncio.create_task(self._loop(), name=f"{self.name}-delivery")

    def wake(self) -> None:
        self._wake.set()

    async def drain(self) -> int:
        """Deliver what is due now, in this task; return how many were sent."""
        return await self._run()

    async def stop(self, timeout: float = 10.0) -> None:
        """Let the run in hand finish (up to ``timeout``), then end the loop."""
        self._stopping.set()
        self.dispatch.stop()
        self._wake.set()
        if self._task is not None:
            _done, late = await asyncio.wait({self._task}, timeout=timeout)
            for task in late:
                task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
            self._task = None

    async def _loop(self) -> None:
        while not self._stopping.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.interval)
            self._wake.clear()
            if self._stopping.is_set():
                return
            await self._run()

    async def _run(self) -> int:
        async with self._lock:
            try:
                return await self.dispatch.run()
            except Exception:  # the database or the platform is down: next round
                log.exception("%s delivery failed", self.name)
                return 0

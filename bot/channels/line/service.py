"""LINE inside the running app: the webhook, the inbox worker, the outbox sender, the quota.

Start-up opens the SDK's clients, resumes whatever the inbox still holds (a crash after
LINE got its 200 loses nothing) and starts one housekeeping task; shutdown lets running
turns finish for a few seconds and closes the clients. Each stored event is then handled
in its person's lane: the conversation engine's turn (exactly once, by the event id), the
answer by reply or push, the inbox row marked done, and the outbox woken for the notices
the turn queued for others. The housekeeping task sends due outbox rows (the shared
delivery loop, ``scheduler.dispatch``, with LINE's sender) when woken and every
``poll_interval`` seconds, retries inbox rows that failed, and refreshes LINE's quota
figures.

On SQLite (one writer) turns are let through one at a time by an in-process gate rather
than left to wait in SQLite's busy handler, which sleeps; PostgreSQL needs no gate.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from fastapi import APIRouter
from sqlmodel import select

from bot.channels.line import events as line_events
from bot.channels.line import webhook
from bot.channels.line.channel import LineChannel, ReplyToken
from bot.channels.line.client import LineApi, LineApiError
from bot.channels.line.inbox import Inbox, InboxItem, event_id_of
from bot.channels.line.lanes import Lanes
from bot.channels.line.quota import QuotaWatch
from bot.channels.line.sender import LineSender
from bot.links import DocumentLinks
from bot.links import make_router as links_router
from bot.settings import Settings
from handlers import unreachable
from handlers.engine import Engine
from handlers.router import split_command
from models import logcontext, outbox
from models.enums import Channel
from models.org import ChannelAccount
from models.records import ConversationState
from scheduler.dispatch import Dispatch

if TYPE_CHECKING:
    from bot.runtime import Runtime

log = logging.getLogger(__name__)

POLL_INTERVAL = 30.0  # seconds between outbox/inbox sweeps when nothing wakes the task
QUOTA_INTERVAL = 600.0  # seconds between fetches of LINE's quota figures
RETRY_AFTER = timedelta(seconds=60)  # a pending row this old is not in anyone's hands
STOP_GRACE = 5.0  # seconds running turns get to finish at shutdown
SQLITE_LANES = 4  # people served side by side on SQLite; PostgreSQL takes ``concurrency``


class NotRunning(RuntimeError):
    pass


class LineService:
    """The :class:`bot.channels.services.ChannelService` for LINE."""

    name = "line"

    def __init__(
        self,
        settings: Settings,
        *,
        concurrency: int = 16,
        poll_interval: float = POLL_INTERVAL,
    ) -> None:
        if settings.line_channel_secret is None or settings.line_channel_access_token is None:
            raise ValueError("LINE needs LINE_CHANNEL_SECRET and LINE_CHANNEL_ACCESS_TOKEN")
        self.settings = settings
        self.concurrency = concurrency
        self.poll_interval = poll_interval
        self.quota = QuotaWatch()
        self.router: APIRouter | None = APIRouter()
        self.router.include_router(
            webhook.make_router(settings.line_channel_secret.get_secret_value(), self.accept)
        )
        self.router.include_router(links_router(settings))
        self._runtime: Runtime | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._inflight: set[int] = set()

    # -- lifecycle ------------------------------------------------------------------------------

    async def start(self, runtime: Runtime) -> None:
        settings = self.settings
        assert settings.line_channel_access_token is not None
        self._runtime = runtime
        self.api = LineApi(
            settings.line_channel_access_token.get_secret_value(),
            settings.line_api_base_url,
            settings.line_data_api_base_url,
        )
        dialect = runtime.engine.dialect.name
        self._gate: asyncio.Lock | None = asyncio.Lock() if dialect == "sqlite" else None
        self.inbox = Inbox(runtime.engine, runtime.clock)
        self.engine = Engine(
            runtime.sessions,
            runtime.clock,
            runtime.days_off,
            documents_dir=runtime.settings.documents_dir,
        )
        self.links = DocumentLinks.from_settings(settings, runtime.clock)
        self.channel = LineChannel(
            self.api,
            runtime.sessions,
            runtime.clock,
            self.links,
            wake_outbox=self.wake,
            write_gate=self._gated,
        )
        self.sender = LineSender(self.api, runtime.clock, self.links, self.quota)
        self.dispatch = Dispatch(
            runtime.sessions,
            runtime.clock,
            self.sender,
            quiet=runtime.quiet_hours(),
            workers=1 if dialect == "sqlite" else 2,
            gate=self._gated,
        )
        # SQLite has one writer (the gate): more lanes would only queue at it
        lanes = min(self.concurrency, SQLITE_LANES) if dialect == "sqlite" else self.concurrency
        self.lanes: Lanes[InboxItem] = Lanes(self._handle, concurrency=lanes)
        self._outbox_lock = asyncio.Lock()
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self._inflight.clear()
        self._done: list[int] = []  # handled events, marked done in batches
        self._outbox_due = True  # sweep the outbox on the first round
        for item in await self.inbox.pending():
            self._submit(item)
        self._tasks = [asyncio.create_task(self._housekeeping(), name="line:housekeeping")]
        log.info("LINE service started (%s)", settings.line_api_base_url)

    async def stop(self) -> None:
        if self._runtime is None:
            return
        self._stopping.set()
        self._wake.set()
        try:
            await self.lanes.close(STOP_GRACE)
            _done, running = await asyncio.wait(self._tasks, timeout=STOP_GRACE)
            for task in running:
                task.cancel()
            for task in running:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
            await self._flush_done()  # what finished while stopping
        except Exception:
            log.exception("stopping the LINE service")
        finally:
            await self.api.close()
            self._runtime = None

    @property
    def running(self) -> bool:
        return self._runtime is not None and not self._stopping.is_set()

    @property
    def ready(self) -> bool:
        """Started and not stopping: what ``/readyz`` asks of every channel."""
        return self.running

    def wake(self) -> None:
        """Have the housekeeping task send due outbox rows now."""
        if self._runtime is not None:
            self._outbox_due = True
            self._wake.set()

    async def drain(self) -> None:
        """Wait until every accepted event is handled and the outbox sent (tests, benches)."""
        await self.lanes.idle()
        await self._flush_done()
        await self.deliver_outbox()

    # -- the webhook's side -------------------------------------------------------------------

    async def accept(self, events: list[dict[str, Any]]) -> None:
        """Store verified events (new ones only) and queue them; called inside the request."""
        if not self.running:
            raise NotRunning("the LINE service is not running")
        if not events:
            return
        ignored = [i for i, event in enumerate(events) if not await self._worth_keeping(event)]
        async with self._gated():
            stored = await self.inbox.store(events, ignored=ignored)
        for item in stored:
            self._submit(item)

    async def _worth_keeping(self, payload: dict[str, Any]) -> bool:
        """Whether the bot will act on an event: only then is what it says stored (PDPA).

        A group's chatter (not meant for the bot) and events of types planbot ignores are
        kept as their id alone; the same check runs again when an event is handled, since a
        form may have closed meanwhile.
        """
        inbound = line_events.interpret(payload, event_id_of(payload))
        if inbound.kind is line_events.Kind.IGNORE:
            return False
        if inbound.kind is line_events.Kind.TURN:
            return await self._wanted(inbound)
        return True

    def _submit(self, item: InboxItem) -> None:
        if item.id in self._inflight:
            return
        self._inflight.add(item.id)
        if not self.lanes.submit(_lane_key(item.payload, item.event_id), item):
            self._inflight.discard(item.id)

    # -- one event --------------------------------------------------------------------------------

    async def _handle(self, item: InboxItem) -> None:
        with logcontext.about(event=item.event_id, channel=Channel.LINE.value):
            await self._handle_item(item)

    async def _handle_item(self, item: InboxItem) -> None:
        try:
            inbound = line_events.interpret(item.payload, item.event_id)
            if inbound.kind is line_events.Kind.UNFOLLOW and inbound.user_id:
                await self._deactivate(inbound.user_id)
            elif inbound.kind is line_events.Kind.TURN and await self._wanted(inbound):
                await self._turn(inbound)
            # Marked done in a batch by the housekeeping task. A crash before that only
            # means the event is read again at start-up, where the engine sees it was
            # handled (its id is recorded with the turn) and nothing is sent twice.
            self._done.append(item.id)
            self._wake.set()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.exception("LINE event %s failed", item.event_id)
            with contextlib.suppress(Exception):
                async with self._gated():
                    await self.inbox.mark_failed(item.id, f"{type(exc).__name__}: {exc}")
        finally:
            self._inflight.discard(item.id)

    async def _turn(self, inbound: line_events.Inbound) -> None:
        incoming = inbound.incoming
        assert incoming is not None
        with outbox.watch() as queued:
            async with self._gated():
                messages = await self.engine.handle(incoming)
        if queued[0]:  # the turn queued notices (for others, maybe on LINE): send them
            self.wake()
        if not messages:
            return
        token = (
            ReplyToken(inbound.reply_token, inbound.at, inbound.redelivered)
            if inbound.reply_token
            else None
        )
        await self.channel.reply(incoming, messages, token=token)

    async def _wanted(self, inbound: line_events.Inbound) -> bool:
        """In a group, only what is meant for the bot: a mention, a button, a command, or an
        answer to a form the speaker has open — not every message of a busy group chat."""
        if not inbound.in_group or inbound.addressed:
            return True
        incoming = inbound.incoming
        assert incoming is not None
        if incoming.button_data is not None:
            return True
        if incoming.text and split_command(incoming.text)[0] is not None:
            return True
        return await self._has_open_form(incoming.account_id)

    async def _has_open_form(self, user_id: str) -> bool:
        runtime = self._require_runtime()
        async with runtime.sessions() as session:
            flow = (
                await session.exec(
                    select(ConversationState.flow)
                    .join(ChannelAccount, ChannelAccount.id == ConversationState.account_id)
                    .where(
                        ChannelAccount.channel == Channel.LINE,
                        ChannelAccount.external_id == user_id,
                    )
                )
            ).first()
        return flow is not None

    async def _deactivate(self, user_id: str) -> None:
        """Unfollow (blocked or removed the bot): keep the account, push nothing more to it,
        and tell the plan officers once (a message from the person revives it)."""
        runtime = self._require_runtime()
        table = ChannelAccount.__table__  # type: ignore[attr-defined]
        async with self._gated(), runtime.sessions() as session, session.begin():
            changed = await session.exec(
                sa.update(table)  # type: ignore[call-overload]
                .where(
                    table.c.channel == Channel.LINE,
                    table.c.external_id == user_id,
                    table.c.active,
                )
                .values(active=False)
                .returning(table.c.id)
            )
            account_ids = [row[0] for row in changed.all()]
            if account_ids:
                await unreachable.report(session, runtime.clock, account_ids)
        if account_ids:
            self.wake()
        log.info("LINE account %s unfollowed: marked inactive", user_id)

    # -- housekeeping ---------------------------------------------------------------------------

    async def deliver_outbox(self) -> int:
        self._outbox_due = False
        async with self._outbox_lock:
            return await self.dispatch.run()

    async def _flush_done(self) -> None:
        done, self._done = self._done, []
        if done:
            async with self._gated():
                await self.inbox.mark_done(done)

    async def refresh_quota(self) -> None:
        try:
            quota = await self.api.quota()
        except LineApiError as exc:
            log.warning("could not read LINE's message quota: %s", exc)
            return
        self.quota.fetched(quota.limit, quota.used)

    async def _housekeeping(self) -> None:
        loop = asyncio.get_running_loop()
        next_quota = loop.time()
        while not self._stopping.is_set():
            periodic = False
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=self.poll_interval)
            except TimeoutError:
                periodic = True
            self._wake.clear()
            if self._stopping.is_set():
                with contextlib.suppress(Exception):
                    await self._flush_done()
                break
            try:
                await self._flush_done()
                if loop.time() >= next_quota:
                    await self.refresh_quota()
                    next_quota = loop.time() + QUOTA_INTERVAL
                if periodic or self._outbox_due:
                    await self.deliver_outbox()
                if periodic:
                    for item in await self.inbox.pending(older_than=RETRY_AFTER):
                        self._submit(item)
            except Exception:  # the database or LINE is down: try again next round
                log.exception("LINE housekeeping failed")

    # -- helpers -------------------------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def _gated(self) -> AsyncIterator[None]:
        if self._gate is None:
            yield
        else:
            async with self._gate:
                yield

    def _require_runtime(self) -> Runtime:
        if self._runtime is None:
            raise NotRunning("the LINE service is not running")
        return self._runtime


def _lane_key(payload: dict[str, Any], event_id: str) -> str:
    """Events of one person run in order; events without a person each get their own lane."""
    source = payload.get("source")
    if isinstance(source, dict):
        for key in ("userId", "groupId", "roomId"):
            if isinstance(source.get(key), str):
                return source[key]
    return event_id

"""Telegram inside the running app: updates by long polling or webhook, replies, notices.

Two ways in (``polling``, the default, or ``webhook``), one way through: each update goes
through :meth:`TelegramService.handle_update`, which never raises — a failing update is
logged with its ``update_id`` and the next one is handled. It becomes an event
(``events``), the engine takes its turn, and the answer goes back through ``channel``: in
the chat it came from, or for a button pressed in a group to the presser's private chat.

Notices (the outbox rows of Telegram accounts) go out after every handled update and every
``notice_interval`` seconds, through the delivery loop every channel shares
(``scheduler.dispatch``) with Telegram's sender (``sender``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

from fastapi import APIRouter
from sqlalchemy.exc import IntegrityError
from telegram import Bot, Update
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import AIORateLimiter

from bot.channels.telegram import menu
from bot.channels.telegram.channel import TelegramChannel
from bot.channels.telegram.client import build_application
from bot.channels.telegram.committee import group_account, mirror_committee_notices
from bot.channels.telegram.events import (
    Event,
    Me,
    added_to_group,
    event_id,
    kind_of,
    to_event,
)
from bot.channels.telegram.polling import POLL_TIMEOUT, Poller
from bot.channels.telegram.sender import TelegramSender
from bot.channels.telegram.webhook import (
    TelegramSettingsError,
    check_webhook,
    make_router,
)
from bot.settings import Settings, TelegramMode
from handlers.engine import Engine
from handlers.messages import Incoming, Outgoing, Text, plain_text
from models import db, logcontext
from models.enums import Channel
from models.records import ProcessedEvent
from scheduler.dispatch import Dispatch

if TYPE_CHECKING:
    from bot.runtime import Runtime

log = logging.getLogger(__name__)

NOTICE_INTERVAL = 30.0  # seconds between outbox rounds when nothing else wakes them
NOTICE_BATCH = 30  # notices claimed at once (about a second of Telegram's overall limit)
STOP_TIMEOUT = 10.0  # seconds a batch in hand may take to finish at shutdown
MAX_TOAST = 200  # answerCallbackQuery's text

TEXT = {
    "added": (
        "👋 planbot พร้อมใช้ในกลุ่มนี้แล้ว — สั่งงานด้วยคำสั่ง เช่น /status หรือ /help\n"
        "สำหรับผู้ดูแลระบบ: รหัสกลุ่มนี้คือ {chat_id} (ตั้งค่า TELEGRAM_COMMITTEE_CHAT_ID"
        " เพื่อส่งเรื่องที่เสนอคณะกรรมการพัฒนาฯ เข้ากลุ่มนี้ด้วย)"
    ),
}


class TelegramService:
    """The Telegram bot as a service of the web app (see ``bot.channels.services``)."""

    name = "telegram"

    def __init__(
        self,
        settings: Settings,
        *,
        rate_limiter: AIORateLimiter | None = None,
        poll_timeout: int = POLL_TIMEOUT,
        notice_interval: float = NOTICE_INTERVAL,
    ) -> None:
        if settings.telegram_bot_token is None:
            raise TelegramSettingsError("TELEGRAM_BOT_TOKEN is not set")
        self.settings = settings
        self.mode = settings.telegram_mode
        secret = settings.telegram_webhook_secret
        if self.mode == TelegramMode.WEBHOOK and secret is None:
            raise TelegramSettingsError(
                "TELEGRAM_MODE=webhook needs TELEGRAM_WEBHOOK_SECRET: without it anyone could "
                "post updates to /webhooks/telegram"
            )
        self._secret = secret.get_secret_value().encode() if secret else b""
        self.application = build_application(settings, rate_limiter=rate_limiter)
        self.channel = TelegramChannel(self.application.bot)
        self.router: APIRouter | None = (
            make_router(self._secret, self._started_bot, self.handle_update)
            if self.mode == TelegramMode.WEBHOOK
            else None
        )
        self.committee_chat_id = settings.telegram_committee_chat_id
        self.poll_timeout = poll_timeout
        self.notice_interval = notice_interval
        self._runtime: Runtime | None = None
        self._engine: Engine | None = None
        self._me: Me | None = None
        self._group_account_id: int | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._stopping = asyncio.Event()
        self._wake_notices = asyncio.Event()
        self._poller: Poller | None = None

    # -- life cycle ------------------------------------------------------------------------

    async def start(self, runtime: Runtime) -> None:
        """Meet the bot (``getMe``: a wrong token fails here), set the menu, start listening."""
        self._runtime = runtime
        self._engine = Engine(
            runtime.sessions,
            runtime.clock,
            runtime.days_off,
            documents_dir=runtime.settings.documents_dir,
        )
        self.dispatch = Dispatch(
            runtime.sessions,
            runtime.clock,
            TelegramSender(self.channel),
            quiet=runtime.quiet_hours(),
            batch=NOTICE_BATCH,
        )
        self._stopping.clear()
        try:
            await self._start()
        except BaseException:
            await self.stop()  # the app will not call stop() for a service that did not start
            raise

    async def _start(self) -> None:
        assert self._runtime is not None
        runtime = self._runtime
        await self.application.initialize()
        bot = self.application.bot
        self._me = Me(bot.id, bot.username)
        try:
            await menu.set_commands(bot)
        except TelegramError as exc:  # a menu is a convenience: the bot works without it
            log.warning("Telegram command menu not set: %s", exc)
        if self.committee_chat_id is not None:
            self._group_account_id = await group_account(
                runtime.sessions, runtime.clock, self.committee_chat_id
            )
        if self.mode == TelegramMode.POLLING:
            await bot.delete_webhook()  # getUpdates is refused while a webhook is set
            self._poller = Poller(bot, self.handle_batch, self._stopping, timeout=self.poll_timeout)
            self._tasks.append(asyncio.create_task(self._poller.run(), name="telegram-poll"))
        else:
            await check_webhook(bot, self.settings)
        self._tasks.append(asyncio.create_task(self._notice_loop(), name="telegram-notices"))
        log.info("Telegram bot @%s started (%s)", bot.username, self.mode.value)

    async def stop(self) -> None:
        """Let the loops finish what they hold, confirm the last batch, close the bot.

        The loops are asked to stop, not cancelled: a task cancelled inside a database
        transaction can leave SQLite's write lock taken. Only a loop that has not finished
        within :data:`STOP_TIMEOUT` is cancelled.
        """
        self._stopping.set()
        self._wake_notices.set()
        if self._runtime is not None:
            self.dispatch.stop()
        if self._tasks:
            _done, late = await asyncio.wait(self._tasks, timeout=STOP_TIMEOUT)
            for task in late:
                log.warning("Telegram %s did not stop in time: cancelled", task.get_name())
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        if self._poller is not None:
            await self._poller.confirm()
        with contextlib.suppress(Exception):
            await self.application.shutdown()

    @property
    def ready(self) -> bool:
        """Met the bot (``getMe``) and not stopping: what ``/readyz`` asks of every channel."""
        return self._me is not None and not self._stopping.is_set()

    def _started_bot(self) -> Bot | None:
        """The bot once the service has met it (``getMe``); ``None`` before."""
        return self.application.bot if self._me is not None else None

    def wake(self) -> None:
        """Have the notice loop send what is due now (the scheduler's dispatcher job)."""
        self._wake_notices.set()

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            raise RuntimeError("the Telegram service has not been started")
        return self._engine

    # -- updates ---------------------------------------------------------------------------

    async def handle_update(self, update: Update) -> None:
        """Act on one update; never raises (a failure is logged with the update's id)."""
        with logcontext.about(event=str(update.update_id), channel=Channel.TELEGRAM.value):
            await self._handle_update(update)

    async def _handle_update(self, update: Update) -> None:
        try:
            assert self._me is not None, "not started"
            event = to_event(update, self._me)
            group = added_to_group(update, self._me)
            if group is not None and await self._first_time(update):
                await self.channel.send_to(group, [Text(TEXT["added"].format(chat_id=group))])
            if event is None:
                log.debug("update %s (%s) is not for planbot", update.update_id, kind_of(update))
                return
            await self._act(event)
        except Exception:
            log.exception("Telegram update %s failed", update.update_id)
        finally:
            self._wake_notices.set()

    async def _first_time(self, update: Update) -> bool:
        """Record an update the engine does not see; ``False`` if it was recorded before."""
        assert self._runtime is not None and self._me is not None
        rt = self._runtime
        try:
            async with db.transaction(rt.sessions) as session:
                session.add(
                    ProcessedEvent(
                        channel=Channel.TELEGRAM,
                        event_id=event_id(self._me, update.update_id),
                        received_at=rt.clock.now(),
                    )
                )
        except IntegrityError:
            return False
        return True

    async def handle_batch(self, updates: Sequence[Update]) -> None:
        """Each person's updates in order; different people side by side."""
        by_sender: dict[int, list[Update]] = {}
        for update in updates:
            sender = update.effective_user or update.effective_chat
            key = sender.id if sender is not None else -update.update_id
            by_sender.setdefault(key, []).append(update)
        await asyncio.gather(*(self._in_order(batch) for batch in by_sender.values()))

    async def _in_order(self, updates: list[Update]) -> None:
        for update in updates:
            await self.handle_update(update)

    async def _act(self, event: Event) -> None:
        press, incoming = event.press, event.incoming
        if incoming is None:  # a press with nothing to do: only stop the spinner
            if press is not None:
                await self.channel.answer(press)
            return
        messages = await self.engine.handle(incoming)  # [] for an update seen before
        if press is None:
            if messages:
                await self.channel.reply(incoming, messages)
        elif not press.in_group:
            await self.channel.answer(press)
            if messages:
                await self.channel.retire_buttons(press)
                await self.channel.reply(incoming, messages)
        else:
            # A group's buttons are everyone's: they stay; the answer is the presser's own.
            await self.channel.answer(press, _toast(messages))
            if messages:
                await self._reply_privately(incoming, messages)

    async def _reply_privately(self, incoming: Incoming, messages: list[Outgoing]) -> None:
        """To the presser's private chat; into the group if they never started the bot."""
        try:
            await self.channel.send(incoming.account_id, messages)
        except (Forbidden, BadRequest) as exc:
            log.info(
                "no private chat with %s (%s): answering in the group", incoming.account_id, exc
            )
            assert incoming.chat_id is not None
            await self.channel.send(incoming.chat_id, messages)

    # -- notices ---------------------------------------------------------------------------

    async def _notice_loop(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake_notices.wait(), self.notice_interval)
            if self._stopping.is_set():
                return
            self._wake_notices.clear()
            await self.deliver_notices()

    async def deliver_notices(self) -> int:
        """Send the Telegram notices that are due; return how many. Never raises.

        In batches of :data:`NOTICE_BATCH`, so a shutdown waits for one batch at most.
        """
        rt = self._runtime
        if rt is None or self._stopping.is_set():
            return 0
        try:
            if self._group_account_id is not None:
                await mirror_committee_notices(rt.sessions, rt.clock, self._group_account_id)
            return await self.dispatch.run()
        except Exception:  # the database is down or locked: try again next round
            log.exception("Telegram notice delivery failed")
            return 0


def _toast(messages: list[Outgoing]) -> str | None:
    """The first line of an answer, as the short notice a button press shows."""
    for line in plain_text(messages).split("\n"):
        if line.strip():
            return line.strip()[:MAX_TOAST]
    return None

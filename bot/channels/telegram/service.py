"""Telegram inside the running app: updates by long polling or webhook, replies, notices.

Two ways in, one way through:

- **Long polling** (``TELEGRAM_MODE=polling``, the default): nothing but the token is needed.
  The loop here asks ``getUpdates`` for a batch, handles it, and only then asks for the
  next batch with the offset that confirms it. PTB's own ``Updater`` confirms a batch as
  soon as it has fetched it, so a crash mid-batch would lose those updates; here a crash
  means Telegram sends them again and the engine's event record ignores the ones done.
- **Webhook** (``TELEGRAM_MODE=webhook``): Telegram POSTs each update to
  ``/webhooks/telegram`` with the secret registered by ``planbot telegram set-webhook``;
  a missing secret header is ``401``, a wrong one ``403``, and nothing is processed. The
  update is handled before the ``200`` goes back, so an update lost to a crash is sent
  again by Telegram — and a repeat is ignored by the engine.

Either way each update goes through :meth:`TelegramService.handle_update`, which never
raises: a failing update is logged with its ``update_id`` and the next one is handled.

Notices (the outbox rows of Telegram accounts) go out after every handled update and every
``notice_interval`` seconds, one delivery at a time per process.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

from fastapi import APIRouter, Request, Response
from sqlalchemy.exc import IntegrityError
from telegram import Update
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError, TimedOut
from telegram.ext import AIORateLimiter

from bot.channels.telegram.channel import TelegramChannel, build_application
from bot.channels.telegram.committee import group_account, mirror_committee_notices
from bot.channels.telegram.events import (
    ALLOWED_UPDATES,
    Event,
    Me,
    added_to_group,
    event_id,
    kind_of,
    to_event,
)
from bot.settings import Settings, TelegramMode
from handlers.engine import Engine
from handlers.messages import Incoming, Outgoing, Text, plain_text
from models import db
from models.enums import Channel
from models.org import ChannelAccount
from models.records import ProcessedEvent
from scheduler import dispatch

if TYPE_CHECKING:
    from bot.runtime import Runtime

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/webhooks/telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
POLL_TIMEOUT = 25  # seconds Telegram may hold a getUpdates open
NOTICE_INTERVAL = 30.0  # seconds between outbox rounds when nothing else wakes them
NOTICE_BATCH = 20  # notices per database round trip of the outbox
STOP_TIMEOUT = 10.0  # seconds a batch in hand may take to finish at shutdown
FIRST_BACKOFF = 1.0
LONGEST_BACKOFF = 60.0
MAX_TOAST = 200  # answerCallbackQuery's text

TEXT = {
    "added": (
        "👋 planbot พร้อมใช้ในกลุ่มนี้แล้ว — สั่งงานด้วยคำสั่ง เช่น /status หรือ /help\n"
        "สำหรับผู้ดูแลระบบ: รหัสกลุ่มนี้คือ {chat_id} (ตั้งค่า TELEGRAM_COMMITTEE_CHAT_ID"
        " เพื่อส่งเรื่องที่เสนอคณะกรรมการพัฒนาฯ เข้ากลุ่มนี้ด้วย)"
    ),
}


class TelegramSettingsError(ValueError):
    """The Telegram settings cannot work (said at start-up, not at the first update)."""


def webhook_url(settings: Settings) -> str:
    """Where Telegram should POST updates: ``PLANBOT_PUBLIC_URL`` + ``/webhooks/telegram``."""
    if not settings.public_url:
        raise TelegramSettingsError("PLANBOT_PUBLIC_URL is not set (the server's HTTPS address)")
    return settings.public_url.rstrip("/") + WEBHOOK_PATH


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
            self._webhook_router() if self.mode == TelegramMode.WEBHOOK else None
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
        self._offset: int | None = None

    # -- life cycle ------------------------------------------------------------------------

    async def start(self, runtime: Runtime) -> None:
        """Meet the bot (``getMe``: a wrong token fails here), set the menu, start listening."""
        self._runtime = runtime
        self._engine = Engine(runtime.sessions, runtime.clock, runtime.days_off)
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
            await self.channel.set_commands()
        except TelegramError as exc:  # a menu is a convenience: the bot works without it
            log.warning("Telegram command menu not set: %s", exc)
        if self.committee_chat_id is not None:
            self._group_account_id = await group_account(
                runtime.sessions, runtime.clock, self.committee_chat_id
            )
        if self.mode == TelegramMode.POLLING:
            await bot.delete_webhook()  # getUpdates is refused while a webhook is set
            self._tasks.append(asyncio.create_task(self._poll(), name="telegram-poll"))
        else:
            await self._check_webhook()
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
        if self._tasks:
            _done, late = await asyncio.wait(self._tasks, timeout=STOP_TIMEOUT)
            for task in late:
                log.warning("Telegram %s did not stop in time: cancelled", task.get_name())
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        if self.mode == TelegramMode.POLLING and self._offset is not None:
            with contextlib.suppress(Exception):  # only saves Telegram a redelivery
                await self.application.bot.get_updates(offset=self._offset, timeout=0, limit=1)
        with contextlib.suppress(Exception):
            await self.application.shutdown()

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            raise RuntimeError("the Telegram service has not been started")
        return self._engine

    # -- updates ---------------------------------------------------------------------------

    async def handle_update(self, update: Update) -> None:
        """Act on one update; never raises (a failure is logged with the update's id)."""
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

    # -- long polling ----------------------------------------------------------------------

    async def _poll(self) -> None:
        """Fetch, handle, then confirm (the next fetch's offset), until stopped."""
        failures = 0
        bot = self.application.bot
        while not self._stopping.is_set():
            fetch = asyncio.ensure_future(
                bot.get_updates(
                    offset=self._offset,
                    timeout=self.poll_timeout,
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
                self._offset = updates[-1].update_id + 1

    async def _pause(self, seconds: float, exc: BaseException) -> None:
        level = logging.INFO if isinstance(exc, TimedOut) else logging.WARNING
        log.log(level, "Telegram getUpdates failed (%r); again in %.0f s", exc, seconds)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)

    # -- webhook ---------------------------------------------------------------------------

    def _webhook_router(self) -> APIRouter:
        router = APIRouter()

        @router.post(WEBHOOK_PATH, include_in_schema=False)
        async def telegram_webhook(request: Request) -> Response:
            return await self.handle_webhook(request)

        return router

    async def handle_webhook(self, request: Request) -> Response:
        """One update POSTed by Telegram: check the secret, handle it, then say 200."""
        given = request.headers.get(SECRET_HEADER)
        if given is None:
            return Response(status_code=401)
        if not hmac.compare_digest(given.encode(), self._secret):
            log.warning("Telegram webhook called with a wrong secret from %s", request.client)
            return Response(status_code=403)
        if self._me is None:
            return Response(status_code=503)  # not started: Telegram will try again
        try:
            data = json.loads(await request.body())
            if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
                raise ValueError("not an Update")
        except ValueError:
            return Response(status_code=400)
        try:
            update = Update.de_json(data, self.application.bot)
        except Exception:  # acknowledged: Telegram would otherwise send it forever
            log.exception("Telegram update %s could not be read", data.get("update_id"))
            return Response(status_code=200)
        await self.handle_update(update)
        return Response(status_code=200)

    async def _check_webhook(self) -> None:
        """Warn when Telegram posts elsewhere (``set-webhook`` not run, or another server)."""
        try:
            expected = webhook_url(self.settings)
            info = await self.application.bot.get_webhook_info()
        except (TelegramError, TelegramSettingsError) as exc:
            log.warning("Telegram webhook not checked: %s", exc)
            return
        if info.url != expected:
            log.warning(
                "Telegram sends updates to %r, not %r — run: planbot telegram set-webhook",
                info.url,
                expected,
            )

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
        if rt is None:
            return 0
        sent = 0
        try:
            if self._group_account_id is not None:
                await mirror_committee_notices(rt.sessions, rt.clock, self._group_account_id)
            while not self._stopping.is_set():
                batch = await dispatch.deliver(
                    rt.sessions,
                    rt.clock,
                    self._send_notice,
                    channel=Channel.TELEGRAM,
                    limit=NOTICE_BATCH,
                )
                sent += batch
                if batch < NOTICE_BATCH:
                    break
        except Exception:  # the database is down or locked: try again next round
            log.exception("Telegram notice delivery failed")
        return sent

    async def _send_notice(self, account: ChannelAccount, messages: list[Outgoing]) -> None:
        """Send one notice; a blocked bot makes the account inactive (its rows then wait)."""
        try:
            await self.channel.send(account.external_id, messages)
        except Forbidden:
            account.active = False  # committed with the row's outcome; a new message revives it
            log.info("Telegram account %s blocked the bot: notices wait", account.external_id)
            raise


def _poll_delay(exc: BaseException, failures: int) -> float:
    if isinstance(exc, RetryAfter):
        # PTB's own limiter reads the timedelta too: ``retry_after`` is an int or a timedelta
        # depending on PTB_TIMEDELTA, and warns either way in 22.x.
        return float(exc._retry_after.total_seconds())
    if isinstance(exc, TimedOut):
        return 0.0 if failures == 1 else FIRST_BACKOFF
    return min(FIRST_BACKOFF * 2 ** (failures - 1), LONGEST_BACKOFF)


def _toast(messages: list[Outgoing]) -> str | None:
    """The first line of an answer, as the short notice a button press shows."""
    for line in plain_text(messages).split("\n"):
        if line.strip():
            return line.strip()[:MAX_TOAST]
    return None

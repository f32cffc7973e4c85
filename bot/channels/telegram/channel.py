"""The Telegram channel: planbot's messages sent with python-telegram-bot, within the limits.

python-telegram-bot is the transport only: it builds the bot (an ``ExtBot`` with a rate
limiter and separate connection pools for long polling and for sends), encodes requests
and decodes updates. Conversations are not PTB's ``ConversationHandler`` — its state lives
in one process; ours lives in the database (``handlers.engine``).

Limits (https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this):
about 30 messages a second overall, 20 a minute in one group, and about one a second in
one chat. :class:`ChatRateLimiter` is PTB's ``AIORateLimiter`` (the first two, and
``RetryAfter`` honoured by waiting and retrying) plus a per-chat limit that lets a short
burst through, so a two- or three-message answer is not slowed but a flood of notices to
one person is.

The service around this (updates, webhook, polling, notices) is ``service``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from aiolimiter import AsyncLimiter
from telegram import Bot, BotCommand, BotCommandScopeAllGroupChats, BotCommandScopeDefault
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder

from bot.channels.telegram.events import Press
from bot.channels.telegram.render import FileOut, TextOut, html_to_plain, render
from bot.settings import Settings
from handlers import commands
from handlers.messages import Incoming, Outgoing
from models.enums import Channel as ChannelName

log = logging.getLogger(__name__)

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


def api_urls(settings: Settings) -> tuple[str, str]:
    """The Bot API base and its file base (``…/bot`` → ``…/file/bot``) from the settings."""
    base = settings.telegram_api_base_url
    files = base[: -len("/bot")] + "/file/bot" if base.endswith("/bot") else base
    return base, files


def _token(settings: Settings) -> str:
    if settings.telegram_bot_token is None:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    return settings.telegram_bot_token.get_secret_value()


class RedactToken(logging.Filter):
    """Hide the bot token in httpx's request log: the Bot API puts it in every URL."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self.token in message:
            record.msg, record.args = message.replace(self.token, "<TELEGRAM_BOT_TOKEN>"), None
        return True


def redact_token_in_logs(token: str) -> None:
    """Once per token: httpx logs each request's URL at INFO, token included."""
    httpx_log = logging.getLogger("httpx")
    if not any(isinstance(f, RedactToken) and f.token == token for f in httpx_log.filters):
        httpx_log.addFilter(RedactToken(token))


def build_application(
    settings: Settings, *, rate_limiter: AIORateLimiter | None = None
) -> Application[Any, Any, Any, Any, Any, Any]:
    """PTB's application for the configured bot: no updater (the service fetches updates)."""
    redact_token_in_logs(_token(settings))
    base, files = api_urls(settings)
    builder: ApplicationBuilder[Any, Any, Any, Any, Any, Any] = (
        ApplicationBuilder()
        .token(_token(settings))
        .base_url(base)
        .base_file_url(files)
        .rate_limiter(rate_limiter or ChatRateLimiter())
        .updater(None)
    )
    return builder.build()


def plain_bot(settings: Settings) -> Bot:
    """A bot without rate limiting, for one-off commands (``planbot telegram …``)."""
    redact_token_in_logs(_token(settings))
    base, files = api_urls(settings)
    return Bot(_token(settings), base_url=base, base_file_url=files)


def command_menu() -> list[tuple[str, str]]:
    """The "/" menu (setMyCommands): generated from the one command table, in Thai."""
    return commands.telegram_menu()


class TelegramChannel:
    """Sends planbot's messages to Telegram chats: the :class:`~bot.channels.base.Channel`."""

    name = ChannelName.TELEGRAM

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    # -- the Channel protocol --------------------------------------------------------------

    async def reply(self, incoming: Incoming, messages: Sequence[Outgoing]) -> None:
        """Answer in the chat the message came from (a group, or the private chat)."""
        await self.send_to(int(incoming.chat_id or incoming.account_id), messages)

    async def send(self, external_id: str, messages: Sequence[Outgoing]) -> None:
        """Send to an account: its external id is the user's private chat id (or a group's)."""
        await self.send_to(int(external_id), messages)

    # -- Telegram specifics ----------------------------------------------------------------

    async def send_to(self, chat_id: int, messages: Sequence[Outgoing]) -> None:
        for out in render(messages):
            if isinstance(out, TextOut):
                await self._send_text(chat_id, out)
            else:
                await self._send_file(chat_id, out)

    async def _send_text(self, chat_id: int, out: TextOut) -> None:
        try:
            await self.bot.send_message(
                chat_id, out.html, parse_mode=ParseMode.HTML, reply_markup=out.keyboard
            )
        except BadRequest as exc:
            if "parse entities" not in str(exc).lower():
                raise
            # Our escaping missed something: say it plainly rather than not at all.
            log.error("Telegram refused our HTML (%s); sending as plain text", exc)
            await self.bot.send_message(chat_id, html_to_plain(out.html), reply_markup=out.keyboard)

    async def _send_file(self, chat_id: int, out: FileOut) -> None:
        parse_mode = ParseMode.HTML if out.caption_html else None
        with out.path.open("rb") as handle:
            if out.photo:
                await self.bot.send_photo(
                    chat_id,
                    handle,
                    caption=out.caption_html,
                    parse_mode=parse_mode,
                    filename=out.filename,
                )
            else:
                await self.bot.send_document(
                    chat_id,
                    handle,
                    caption=out.caption_html,
                    parse_mode=parse_mode,
                    filename=out.filename,
                )

    async def answer(self, press: Press, text: str | None = None) -> None:
        """Answer a button press, so the spinner stops (``text``: a short toast)."""
        try:
            await self.bot.answer_callback_query(press.query_id, text=text)
        except TelegramError as exc:  # too old (a redelivery), or Telegram is busy
            log.info("could not answer callback query %s: %s", press.query_id, exc)

    async def retire_buttons(self, press: Press) -> None:
        """Remove the keyboard a button was pressed on: a used question cannot be re-answered."""
        if press.chat_id is None or press.message_id is None:
            return
        try:
            await self.bot.edit_message_reply_markup(press.chat_id, press.message_id)
        except BadRequest as exc:  # already retired, too old to edit, or deleted
            log.debug("buttons of message %s not retired: %s", press.message_id, exc)

    async def set_commands(self) -> None:
        """The command menu with Thai descriptions: all of it in private, less in groups."""
        menu = command_menu()
        await self.bot.set_my_commands(
            [BotCommand(name, text) for name, text in menu], scope=BotCommandScopeDefault()
        )
        await self.bot.set_my_commands(
            [BotCommand(name, text) for name, text in commands.group_menu()],
            scope=BotCommandScopeAllGroupChats(),
        )

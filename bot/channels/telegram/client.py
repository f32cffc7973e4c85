"""python-telegram-bot as the transport: the bot made from the settings, the token kept secret.

PTB builds the bot (an ``ExtBot`` with a rate limiter, see ``limits``, and separate
connection pools for long polling and for sends), encodes requests and decodes updates.
Conversations are not PTB's ``ConversationHandler`` — its state lives in one process; ours
lives in the database (``handlers.engine``). ``TELEGRAM_API_BASE_URL`` points the bot at
another Bot API server (a self-hosted one, or the tests' stand-in).
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import Bot
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder

from bot.channels.telegram.limits import ChatRateLimiter
from bot.settings import Settings


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

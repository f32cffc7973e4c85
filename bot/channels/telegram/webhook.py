"""``POST /webhooks/telegram``: check the secret, read the update, handle it, answer 200.

Webhook mode (``TELEGRAM_MODE=webhook``): Telegram POSTs each update here with the secret
registered by ``planbot telegram set-webhook``; a missing secret header is ``401``, a wrong
one ``403``, and nothing is processed. A body over 1 MB is ``413`` and one that is not an
update (not JSON, nested absurdly deep) ``400`` — never a 500. The update is handled before
the ``200`` goes back, so an update lost to a crash is sent again by Telegram — and a repeat
is ignored by the engine (its ``update_id`` is recorded with the turn).
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable

from fastapi import APIRouter, Request, Response
from telegram import Bot, Update
from telegram.error import TelegramError

from bot.channels.bodies import BadBody, parse_json, read_limited
from bot.settings import Settings

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/webhooks/telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"

Handle = Callable[[Update], Awaitable[None]]


class TelegramSettingsError(ValueError):
    """The Telegram settings cannot work (said at start-up, not at the first update)."""


def webhook_url(settings: Settings) -> str:
    """Where Telegram should POST updates: ``PLANBOT_PUBLIC_URL`` + ``/webhooks/telegram``."""
    if not settings.public_url:
        raise TelegramSettingsError("PLANBOT_PUBLIC_URL is not set (the server's HTTPS address)")
    return settings.public_url.rstrip("/") + WEBHOOK_PATH


def make_router(secret: bytes, started: Callable[[], Bot | None], handle: Handle) -> APIRouter:
    """The webhook route; ``started`` is the bot once the service runs, ``handle`` acts."""
    router = APIRouter()

    @router.post(WEBHOOK_PATH, include_in_schema=False)
    async def telegram_webhook(request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER)
        if given is None:
            return Response(status_code=401)
        if not hmac.compare_digest(given.encode(), secret):
            log.warning("Telegram webhook called with a wrong secret from %s", request.client)
            return Response(status_code=403)
        bot = started()
        if bot is None:
            return Response(status_code=503)  # not started: Telegram will try again
        raw = await read_limited(request)
        if raw is None:  # an update is a few KB: a megabyte is no update
            return Response(status_code=413)
        try:
            data = parse_json(raw)
        except BadBody as exc:
            log.warning("Telegram webhook body refused: %s", exc)
            return Response(status_code=400)
        if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
            return Response(status_code=400)
        try:
            update = Update.de_json(data, bot)
        except Exception:  # acknowledged: Telegram would otherwise send it forever
            log.exception("Telegram update %s could not be read", data.get("update_id"))
            return Response(status_code=200)
        await handle(update)
        return Response(status_code=200)

    return router


async def check_webhook(bot: Bot, settings: Settings) -> None:
    """Warn when Telegram posts elsewhere (``set-webhook`` not run, or another server)."""
    try:
        expected = webhook_url(settings)
        info = await bot.get_webhook_info()
    except (TelegramError, TelegramSettingsError) as exc:
        log.warning("Telegram webhook not checked: %s", exc)
        return
    if info.url != expected:
        log.warning(
            "Telegram sends updates to %r, not %r — run: planbot telegram set-webhook",
            info.url,
            expected,
        )

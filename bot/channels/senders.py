"""The configured channels' senders, for a process that sends without serving chats.

``planbot scheduler`` and ``planbot remind --now`` deliver the outbox but run no webhooks or
polling: they only need each platform's client and sender. A channel is included when its
credentials are set, as in ``services.configured``. The console has no sender here: its
rows are printed by a console chat (``planbot chat``/``demo``) when it runs.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from scheduler.dispatch import Dispatch

if TYPE_CHECKING:
    from bot.runtime import Runtime


@contextlib.asynccontextmanager
async def configured_dispatches(runtime: Runtime) -> AsyncIterator[list[Dispatch]]:
    """A delivery loop per configured platform, its client open for the block."""
    settings = runtime.settings
    quiet = runtime.quiet_hours()
    workers = 1 if runtime.engine.dialect.name == "sqlite" else 2
    async with contextlib.AsyncExitStack() as stack:
        dispatches: list[Dispatch] = []
        if settings.line_channel_secret and settings.line_channel_access_token:
            from bot.channels.line.client import LineApi
            from bot.channels.line.quota import QuotaWatch
            from bot.channels.line.sender import LineSender
            from bot.links import DocumentLinks

            api = LineApi(
                settings.line_channel_access_token.get_secret_value(),
                settings.line_api_base_url,
                settings.line_data_api_base_url,
            )
            stack.push_async_callback(api.close)
            links = DocumentLinks.from_settings(settings, runtime.clock)
            sender = LineSender(api, runtime.clock, links, QuotaWatch())
            dispatches.append(
                Dispatch(runtime.sessions, runtime.clock, sender, quiet=quiet, workers=workers)
            )
        if settings.telegram_bot_token is not None:
            from bot.channels.telegram.channel import TelegramChannel
            from bot.channels.telegram.client import build_application
            from bot.channels.telegram.sender import TelegramSender

            application = build_application(settings)
            await application.initialize()
            stack.push_async_callback(application.shutdown)
            sender_tg = TelegramSender(TelegramChannel(application.bot))
            dispatches.append(
                Dispatch(runtime.sessions, runtime.clock, sender_tg, quiet=quiet, batch=30)
            )
        yield dispatches

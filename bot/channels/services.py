"""Chat platforms as services of the web app: their webhook routes and their start/stop.

``bot/web.py`` mounts whatever :func:`configured` returns, so adding a platform means adding
a service here, not editing the app. A service is built only when its settings are present.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from fastapi import APIRouter

from bot.settings import Settings

if TYPE_CHECKING:
    from bot.runtime import Runtime


class ChannelService(Protocol):
    """One chat platform inside the running app."""

    name: str
    router: APIRouter | None  # webhook routes, mounted on the app; None for polling-only

    @property
    def ready(self) -> bool:
        """Started and taking work (``/readyz``); False once stopping."""
        ...

    async def start(self, runtime: Runtime) -> None:
        """Open clients, start polling or workers, pick up unfinished inbox rows."""
        ...

    async def stop(self) -> None:
        """Close clients and stop background work; must not raise."""
        ...


def configured(settings: Settings) -> list[ChannelService]:
    """The services whose credentials are set. LINE and Telegram add themselves here."""
    services: list[ChannelService] = []
    if settings.telegram_bot_token is not None:  # polling by default: the token is enough
        from bot.channels.telegram.service import TelegramService

        services.append(TelegramService(settings))
    if settings.line_channel_secret and settings.line_channel_access_token:
        from bot.channels.line.service import LineService

        services.append(LineService(settings))
    return services

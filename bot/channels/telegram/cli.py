"""``planbot telegram``: register the webhook with Telegram, and see what Telegram knows.

Polling needs neither command (``planbot serve`` with only ``TELEGRAM_BOT_TOKEN`` works).
For webhook mode, ``set-webhook`` tells Telegram to POST updates to
``PLANBOT_PUBLIC_URL/webhooks/telegram`` with ``TELEGRAM_WEBHOOK_SECRET``, which the server
checks on every request; ``info`` shows the bot (``getMe``) and where its updates go
(``getWebhookInfo``: URL, pending updates, the last delivery error).

Like ``bot.cli``, this module imports only typer: python-telegram-bot is imported when a
command runs, so ``planbot --help`` does not wait for it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from bot.cli_common import JsonOption, print_json

if TYPE_CHECKING:
    from telegram import Bot, WebhookInfo

    from bot.settings import Settings

T = TypeVar("T")

telegram_app = typer.Typer(
    help="Telegram bot: the webhook, and what Telegram knows.", no_args_is_help=True
)


def _with_bot(settings: Settings, work: Callable[[Bot], Awaitable[T]]) -> T:
    """Run ``work`` with the configured bot; a Telegram error is a clean exit 1."""
    from telegram.error import TelegramError

    from bot.channels.telegram.client import plain_bot

    async def _main() -> T:
        async with plain_bot(settings) as bot:  # getMe: a wrong token fails here
            return await work(bot)

    try:
        return asyncio.run(_main())
    except TelegramError as exc:
        typer.echo(f"error: Telegram says: {exc}", err=True)
        raise typer.Exit(1) from exc


def _settings(*, webhook: bool) -> Settings:
    """The settings, checked for what the command needs (exit 2 with the reason if not)."""
    from bot.settings import Settings

    settings = Settings()
    problems = []
    if settings.telegram_bot_token is None:
        problems.append("TELEGRAM_BOT_TOKEN is not set (ask @BotFather for one)")
    if webhook:
        if settings.telegram_webhook_secret is None:
            problems.append("TELEGRAM_WEBHOOK_SECRET is not set")
        if not (settings.public_url or "").startswith("https://"):
            problems.append("PLANBOT_PUBLIC_URL must be this server's https:// address")
    if problems:
        for problem in problems:
            typer.echo(f"error: {problem}", err=True)
        raise typer.Exit(2)
    return settings


def _webhook_dict(info: WebhookInfo) -> dict[str, Any]:
    def when(value: datetime | None) -> str | None:
        return value.isoformat() if value else None

    return {
        "url": info.url,
        "pending_update_count": info.pending_update_count,
        "allowed_updates": list(info.allowed_updates or []),
        "max_connections": info.max_connections,
        "last_error_date": when(info.last_error_date),
        "last_error_message": info.last_error_message,
    }


@telegram_app.command("set-webhook")
def set_webhook(
    drop_pending: Annotated[
        bool,
        typer.Option("--drop-pending-updates", help="Forget updates Telegram is holding."),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Register PLANBOT_PUBLIC_URL/webhooks/telegram, with the secret, for webhook mode."""
    from bot.channels.telegram.events import ALLOWED_UPDATES
    from bot.channels.telegram.webhook import TelegramSettingsError, webhook_url

    settings = _settings(webhook=True)
    try:
        url = webhook_url(settings)
    except TelegramSettingsError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    assert settings.telegram_webhook_secret is not None

    async def work(bot: Bot) -> dict[str, Any]:
        await bot.set_webhook(
            url,
            secret_token=settings.telegram_webhook_secret.get_secret_value(),  # type: ignore[union-attr]
            allowed_updates=list(ALLOWED_UPDATES),
            drop_pending_updates=drop_pending,
        )
        return _webhook_dict(await bot.get_webhook_info())

    result = _with_bot(settings, work)
    if as_json:
        print_json(result)
        return
    typer.echo(f"Telegram will send updates to {result['url']}")
    typer.echo(f"(with the secret header; {result['pending_update_count']} waiting)")
    typer.echo("Set TELEGRAM_MODE=webhook for planbot serve.")


@telegram_app.command("info")
def info(as_json: JsonOption = False) -> None:
    """Who the bot is (getMe) and where its updates go (getWebhookInfo)."""
    settings = _settings(webhook=False)

    async def work(bot: Bot) -> dict[str, Any]:
        me = bot.bot
        return {
            "bot": {
                "id": me.id,
                "username": me.username,
                "name": me.first_name,
                "can_join_groups": me.can_join_groups,
                "privacy_mode": not me.can_read_all_group_messages,
            },
            "mode": settings.telegram_mode.value,
            "api": settings.telegram_api_base_url,
            "webhook": _webhook_dict(await bot.get_webhook_info()),
        }

    result = _with_bot(settings, work)
    if as_json:
        print_json(result)
        return
    me, hook = result["bot"], result["webhook"]
    typer.echo(f"@{me['username']} ({me['name']}, id {me['id']})")
    typer.echo(f"groups: {'yes' if me['can_join_groups'] else 'no'}", nl=False)
    typer.echo(f" · privacy mode: {'on' if me['privacy_mode'] else 'off'}")
    typer.echo(f"planbot mode: {result['mode']}")
    if hook["url"]:
        typer.echo(f"webhook: {hook['url']} ({hook['pending_update_count']} waiting)")
    else:
        typer.echo(f"webhook: none (long polling; {hook['pending_update_count']} waiting)")
    if hook["last_error_message"]:
        typer.echo(f"last error: {hook['last_error_date']} {hook['last_error_message']}")

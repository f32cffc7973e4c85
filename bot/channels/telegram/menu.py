"""The command menu Telegram shows when someone types "/" (``setMyCommands``) — in Thai.

Generated from the one command table (``handlers.commands``) and set at start-up by the
service: every command in private chats, the few a committee's group needs in groups.
"""

from __future__ import annotations

from telegram import Bot, BotCommand, BotCommandScopeAllGroupChats, BotCommandScopeDefault

from handlers import commands


def command_menu() -> list[tuple[str, str]]:
    """The "/" menu (setMyCommands): generated from the one command table, in Thai."""
    return commands.telegram_menu()


async def set_commands(bot: Bot) -> None:
    """The command menu with Thai descriptions: all of it in private, less in groups."""
    menu = command_menu()
    await bot.set_my_commands(
        [BotCommand(name, text) for name, text in menu], scope=BotCommandScopeDefault()
    )
    await bot.set_my_commands(
        [BotCommand(name, text) for name, text in commands.group_menu()],
        scope=BotCommandScopeAllGroupChats(),
    )

"""The command table: every command declared once, with one handler, and every menu built
from it (help, Telegram's "/" menu, LINE's rich menu); buttons carry ASCII command names."""

from __future__ import annotations

import re

import handlers  # noqa: F401 — registers every flow
from bot.channels.line import richmenu
from bot.channels.telegram.menu import command_menu
from handlers import buttons, commands, router
from handlers.help import allowed
from handlers.messages import MAX_BUTTON_DATA_BYTES
from models.enums import Role
from tests.chat import RecordingDriver


def test_every_command_has_exactly_one_handler() -> None:
    declared = {c.name for c in commands.CATALOG}
    assert set(router.HANDLERS) == declared


def test_a_word_runs_one_command_only() -> None:
    seen: dict[str, str] = {}
    for command in commands.CATALOG:
        for word in (command.slash, *command.words):
            key = router._key(word)
            assert seen.setdefault(key, command.name) == command.name, word


def test_telegram_menu_is_the_table_in_telegram_terms() -> None:
    menu = command_menu()
    assert [name for name, _ in menu] == [c.name for c in commands.CATALOG if c.menu]
    for name, description in menu:  # Bot API: 1-32 chars of a-z, 0-9, _; 1-256 chars
        assert re.fullmatch(r"[a-z0-9_]{1,32}", name)
        assert 1 <= len(description) <= 256
    assert dict(menu)["submit"] == commands.SUBMIT.help  # help's words, not a copy


def test_the_rich_menu_sends_the_words_of_its_commands() -> None:
    sent = [area["action"]["text"] for area in richmenu.menu_request()["areas"]]
    assert sent == [c.word for c in commands.RICH_MENU]
    assert all(router.split_command(word)[0] in commands.RICH_MENU for word in sent)


def test_command_buttons_carry_the_ascii_name() -> None:
    for command in commands.CATALOG:
        data = commands.button(command).data
        assert data.isascii() and len(data.encode()) <= MAX_BUTTON_DATA_BYTES
        press = buttons.decode(data)
        assert isinstance(press, buttons.ActionPress) and press.arg == command.name


def test_help_lists_what_the_roles_allow_then_everyones() -> None:
    submitter = [c.name for c in allowed({Role.SUBMITTER})]
    assert submitter == [
        "submit",
        "mine",
        "status",
        "deadlines",
        "plan",
        "history",
        "mydata",
        "cancel",
    ]
    executive = [c.name for c in allowed({Role.EXECUTIVE})]
    assert executive[:4] == ["tally", "approve", "extend", "amend"]


async def test_an_old_button_with_the_thai_word_still_runs_its_command(demo: object) -> None:
    chat = RecordingDriver(demo)  # type: ignore[arg-type]
    await chat.say("agency", "ช่วยเหลือ")
    old = buttons.action_button(commands.RUN, 0, "สถานะ")  # as sent before the table
    from handlers.messages import Incoming
    from models.enums import Channel

    out = await chat.send(Incoming(Channel.CONSOLE, "agency", button_data=old, event_id="old-1"))
    assert out.startswith("📋 แผนการดำเนินงาน") or "ยังไม่มีรอบ" in out
    new = commands.button(commands.STATUS).data
    again = await chat.send(Incoming(Channel.CONSOLE, "agency", button_data=new, event_id="new-1"))
    assert again == out

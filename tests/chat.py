"""Drive planbot's conversations in tests, through a channel, as the demo people.

``RecordingDriver`` hands Incoming messages straight to the engine and records replies (a
recording fake channel). ``ConsoleDriver`` types the same lines into the console channel.
Tests take the ``chat`` fixture, parametrized over both, so every flow is proven channel-
neutral (LINE and Telegram drivers join the parametrization with their issues).
"""

from __future__ import annotations

import io
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from itertools import count
from typing import Any

from bot.channels.console import TEXT as CONSOLE_TEXT
from bot.channels.console import ConsoleChat
from bot.channels.telegram.render import html_to_plain
from bot.runtime import Runtime
from handlers.engine import Engine
from handlers.messages import Incoming, Outgoing, buttons_of, plain_text
from models.enums import Channel
from tests.standins.telegram_api import Call, TelegramStandIn, TgUser

_event_ids = count(1)


@dataclass
class RecordingDriver:
    """A fake channel: what the engine answered each person, kept for assertions."""

    runtime: Runtime
    engine: Engine = field(init=False)
    last: dict[str, list[Outgoing]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.engine = self.new_engine()

    def new_engine(self) -> Engine:
        rt = self.runtime
        return Engine(rt.sessions, rt.clock, rt.days_off, documents_dir=rt.settings.documents_dir)

    def restart(self) -> None:
        """A new process: nothing kept in memory survives, only the database."""
        self.engine = self.new_engine()

    async def send(self, incoming: Incoming) -> str:
        messages = await self.engine.handle(incoming)
        self.last[incoming.account_id] = messages
        return plain_text(messages)

    async def say(self, who: str, text: str) -> str:
        return await self.send(
            Incoming(Channel.CONSOLE, who, text=text, event_id=f"t{next(_event_ids)}")
        )

    async def press(self, who: str, label: str) -> str:
        for button in buttons_of(self.last.get(who, [])):
            if button.label == label:
                return await self.send(
                    Incoming(
                        Channel.CONSOLE,
                        who,
                        button_data=button.data,
                        event_id=f"t{next(_event_ids)}",
                    )
                )
        raise AssertionError(f"{who} has no button {label!r} in: {self.last.get(who)}")

    def buttons(self, who: str) -> list[str]:
        return [b.label for b in buttons_of(self.last.get(who, []))]


@dataclass
class ConsoleDriver:
    """The console channel, typed into: ``@who text`` lines in, the printed answer out.

    ``say`` and ``press`` return the bot's answer to ``who`` as the console printed it
    (indent removed, buttons numbered ``[1] label``); notices it printed for others are in
    ``transcript``. Check buttons with ``buttons(who)``, not by their rendering.
    """

    runtime: Runtime
    console: ConsoleChat = field(init=False)
    transcript: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.console = ConsoleChat(self.runtime, out=io.StringIO())

    def restart(self) -> None:
        """A new process: a new engine; the screens (last buttons shown) stay, like phones."""
        shown = self.console.shown
        self.console = ConsoleChat(self.runtime, out=io.StringIO())
        self.console.shown = shown

    async def feed(self, line: str) -> str:
        chunk = await self.console.feed(line, echo=True)
        self.transcript.append(chunk)
        return chunk

    async def say(self, who: str, text: str) -> str:
        """Type ``text`` as plain text, as on LINE or Telegram.

        Quoted where the console would read it otherwise: a number would press a button,
        ``@``/``#`` switch speaker or comment, and a blank line is ignored.
        """
        stripped = text.strip()
        if not stripped or stripped[0] in "@#" or re.fullmatch(r"[0-9๐-๙]+", stripped):
            text = f'"{text}"'
        return answer_to(who, await self.feed(f"@{who} {text}"))

    async def press(self, who: str, label: str) -> str:
        labels = self.buttons(who)
        if label not in labels:
            raise AssertionError(f"{who} has no button {label!r} in: {labels}")
        return answer_to(who, await self.feed(f"@{who} {labels.index(label) + 1}"))

    def buttons(self, who: str) -> list[str]:
        return [b.label for b in self.console.shown.get(who, [])]


def answer_to(who: str, chunk: str) -> str:
    """The block printed under ``บอท → who:``, without its indent."""
    header = CONSOLE_TEXT["bot_to"].format(name=who)
    lines = chunk.split("\n")
    if header not in lines:
        raise AssertionError(f"no answer to {who} in:\n{chunk}")
    block: list[str] = []
    for line in lines[lines.index(header) + 1 :]:
        if line and not line.startswith("  "):
            break
        block.append(line[2:])
    return "\n".join(block).strip("\n")


@dataclass
class TelegramDriver:
    """planbot over Telegram: each line is an update to the stand-in Bot API, each answer is
    what the bot sent back through it (polling or webhook, as ``deliver`` does it).

    ``deliver`` hands one update to the bot and returns once the bot has finished with it
    (polling: the next ``getUpdates`` confirmed it; webhook: the POST was answered), so
    ``say`` and ``press`` return the whole answer with no sleeping. Each name is a Telegram
    user of its own (``user(who)``); ``press`` presses a button still shown in their chat —
    a retired keyboard cannot be pressed, as on a phone.

    Not (yet) in the ``chat`` fixture's parametrization: the flow tests find the demo people
    by console name (``external_id == "agency"``) and count the notices queued for them; a
    Telegram account per demo person would change both. ``tests/test_telegram.py`` walks
    the flows through this driver instead.
    """

    api: TelegramStandIn
    deliver: Callable[[dict[str, Any]], Awaitable[None]]
    users: dict[str, TgUser] = field(default_factory=dict)
    first_user_id: int = 7_000_001

    def user(self, who: str) -> TgUser:
        if who not in self.users:
            user_id = self.first_user_id + len(self.users)
            self.users[who] = self.api.user(user_id, who.capitalize(), "Tester")
        return self.users[who]

    async def send(self, update: dict[str, Any], chat_id: int) -> str:
        """Deliver ``update``; the bot's messages to ``chat_id`` meanwhile, as plain text."""
        before = len(self.api.calls)
        await self.deliver(update)
        sent = [c for c in self.api.calls[before:] if c.status == 200 and c.chat_id == chat_id]
        return "\n".join(rendered(c) for c in sent if c.method.startswith("send"))

    async def say(self, who: str, text: str, *, chat: dict[str, Any] | None = None) -> str:
        user = self.user(who)
        update = self.api.message_update(user, text, chat=chat)
        return await self.send(update, (chat or user.private_chat())["id"])

    async def press(self, who: str, label: str, *, chat_id: int | None = None) -> str:
        """Press ``label`` under the newest message showing it in ``who``'s (or a group) chat."""
        user = self.user(who)
        message, data = self.find_button(chat_id or user.id, label)
        return await self.send(self.api.callback_update(user, message, data), user.id)

    def find_button(self, chat_id: int, label: str) -> tuple[dict[str, Any], str]:
        for (chat, _id), message in reversed(self.api.messages.items()):
            if chat != chat_id:
                continue
            for row in message.get("reply_markup", {}).get("inline_keyboard", []):
                for button in row:
                    if button["text"] == label and "callback_data" in button:
                        return message, button["callback_data"]
        raise AssertionError(f"no button {label!r} in chat {chat_id}: {self.buttons_in(chat_id)}")

    def buttons(self, who: str) -> list[str]:
        return self.buttons_in(self.user(who).id)

    def buttons_in(self, chat_id: int) -> list[str]:
        """The labels of the newest keyboard still shown in a chat."""
        for (chat, _id), message in reversed(self.api.messages.items()):
            keyboard = message.get("reply_markup", {}).get("inline_keyboard")
            if chat == chat_id and keyboard:
                return [b["text"] for row in keyboard for b in row]
        return []


def rendered(call: Call) -> str:
    """A send as a reader sees it: text without tags, then its buttons as ``[label]``."""
    params = call.params
    if call.method == "sendMessage":
        text = html_to_plain(params["text"])
    else:
        upload = params.get("document") or params.get("photo")
        name = getattr(upload, "filename", "file")
        caption = html_to_plain(params.get("caption") or "")
        text = f"📎 {name}" + (f" — {caption}" if caption else "")
    keyboard = (params.get("reply_markup") or {}).get("inline_keyboard", [])
    labels = "  ".join(f"[{b['text']}]" for row in keyboard for b in row)
    return text + ("\n" + labels if labels else "")

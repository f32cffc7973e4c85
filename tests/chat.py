"""Drive planbot's conversations in tests, through a channel, as the demo people.

``RecordingDriver`` hands Incoming messages straight to the engine and records replies (a
recording fake channel). ``ConsoleDriver`` types the same lines into the console channel.
Tests take the ``chat`` fixture, parametrized over both, so every flow is proven channel-
neutral (LINE and Telegram drivers join the parametrization with their issues).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from itertools import count

from bot.channels.console import TEXT as CONSOLE_TEXT
from bot.channels.console import ConsoleChat
from bot.runtime import Runtime
from handlers.engine import Engine
from handlers.messages import Incoming, Outgoing, buttons_of, plain_text
from models.enums import Channel

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
        return Engine(rt.sessions, rt.clock, rt.days_off)

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

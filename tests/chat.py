"""Drive planbot's conversations in tests, through a channel, as the demo people.

``RecordingDriver`` hands Incoming messages straight to the engine and records replies (a
recording fake channel). ``ConsoleDriver`` types the same lines into the console channel.
Tests take the ``chat`` fixture, parametrized over both, so every flow is proven channel-
neutral (LINE and Telegram drivers join the parametrization with their issues).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import count

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

"""The contract every channel adapter keeps.

The message types themselves live in ``handlers.messages`` (handlers produce them, and
nothing may import ``bot``); they are re-exported here for adapters.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from handlers.messages import (
    Button,
    Card,
    Choices,
    Document,
    Incoming,
    Link,
    Outgoing,
    Text,
)
from models.enums import Channel as ChannelName


class Channel(Protocol):
    """A chat platform: answers a person's own message, and starts messages (notices)."""

    name: ChannelName

    async def reply(self, incoming: Incoming, messages: Sequence[Outgoing]) -> None:
        """Answer ``incoming`` (LINE: with its reply token while it is fresh)."""
        ...

    async def send(self, external_id: str, messages: Sequence[Outgoing]) -> None:
        """Push messages to an account nobody is waiting on (reminders, notices)."""
        ...


__all__ = [
    "Button",
    "Card",
    "Channel",
    "ChannelName",
    "Choices",
    "Document",
    "Incoming",
    "Link",
    "Outgoing",
    "Text",
]

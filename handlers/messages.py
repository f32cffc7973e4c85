"""What flows between a chat platform and the conversation handlers, in neither's terms.

An adapter under ``bot/channels/`` turns a platform event into an ``Incoming`` and renders
each ``Outgoing`` the way its platform does best (LINE quick replies and Flex cards,
Telegram inline keyboards, numbered options in the console). These types live with the
handlers, not in ``bot/``, because handlers produce them and nothing may import ``bot``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from models.enums import Channel

# Telegram's callback_data holds 1-64 bytes; LINE's postback data 300 characters.
MAX_BUTTON_DATA_BYTES = 64


@dataclass(frozen=True)
class Incoming:
    """One thing a person did: typed text, pressed a button, or sent a file or sticker."""

    channel: Channel
    account_id: str  # the platform's user id (LINE userId, Telegram user id, console name)
    text: str | None = None
    button_data: str | None = None
    display_name: str | None = None
    chat_id: str | None = None  # group/room/chat the message came from, if not 1:1
    attachment: str | None = None  # platform reference of an image/file/sticker
    attachment_kind: str | None = None  # "image", "file", "sticker", "location" …
    event_id: str | None = None  # platform event id, for exactly-once handling
    at: datetime | None = None


@dataclass(frozen=True)
class Button:
    label: str
    data: str

    def __post_init__(self) -> None:
        if len(self.data.encode()) > MAX_BUTTON_DATA_BYTES:
            raise ValueError(f"button data over {MAX_BUTTON_DATA_BYTES} bytes: {self.data!r}")


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Choices:
    """A question with buttons; typing a button's label works the same as pressing it."""

    text: str
    buttons: tuple[Button, ...]


@dataclass(frozen=True)
class Card:
    """A summary (a project, a draft): title, label/value rows, and action buttons."""

    title: str
    fields: tuple[tuple[str, str], ...] = ()
    buttons: tuple[Button, ...] = ()
    footer: str | None = None


@dataclass(frozen=True)
class Document:
    path: str
    filename: str
    caption: str | None = None
    preview: str | None = None  # a PNG of its first page, where a platform shows one (LINE)


@dataclass(frozen=True)
class Link:
    label: str
    url: str
    text: str | None = None


Outgoing = Text | Choices | Card | Document | Link

_KINDS: dict[str, type[Any]] = {
    "text": Text,
    "choices": Choices,
    "card": Card,
    "document": Document,
    "link": Link,
}
_KIND_OF = {cls: kind for kind, cls in _KINDS.items()}


def to_payload(messages: list[Outgoing]) -> dict[str, Any]:
    """JSON-safe form of messages, for the outbox table."""
    return {"messages": [{"kind": _KIND_OF[type(m)], **asdict(m)} for m in messages]}


def from_payload(payload: dict[str, Any]) -> list[Outgoing]:
    out: list[Outgoing] = []
    for raw in payload.get("messages", []):
        data = dict(raw)
        cls = _KINDS[data.pop("kind")]
        if "buttons" in data:
            data["buttons"] = tuple(Button(**b) for b in data["buttons"])
        if "fields" in data:
            data["fields"] = tuple(tuple(f) for f in data["fields"])
        out.append(cls(**data))
    return out


@dataclass
class Reply:
    """What a handler hands back: messages for the person who spoke."""

    messages: list[Outgoing] = field(default_factory=list)

    def add(self, *messages: Outgoing) -> Reply:
        self.messages.extend(messages)
        return self


def buttons_of(messages: list[Outgoing]) -> list[Button]:
    """Every button in a reply, in order: the console numbers them 1, 2, 3 …"""
    found: list[Button] = []
    for message in messages:
        if isinstance(message, Choices | Card):
            found.extend(message.buttons)
    return found


def plain_text(messages: list[Outgoing], *, numbered: bool = False) -> str:
    """A reply as plain text (console, logs, tests); buttons as ``[label]`` or ``[n] label``."""
    parts: list[str] = []
    counter = 0

    def render_buttons(row: tuple[Button, ...]) -> str:
        nonlocal counter
        labels = []
        for button in row:
            counter += 1
            labels.append(f"[{counter}] {button.label}" if numbered else f"[{button.label}]")
        return "  ".join(labels)

    for m in messages:
        if isinstance(m, Text):
            parts.append(m.text)
        elif isinstance(m, Choices):
            parts.append(m.text + ("\n" + render_buttons(m.buttons) if m.buttons else ""))
        elif isinstance(m, Card):
            lines = [m.title, *(f"  {label}: {value}" for label, value in m.fields)]
            if m.footer:
                lines.append(m.footer)
            if m.buttons:
                lines.append(render_buttons(m.buttons))
            parts.append("\n".join(lines))
        elif isinstance(m, Document):
            parts.append(f"📎 {m.filename}" + (f" — {m.caption}" if m.caption else ""))
        elif isinstance(m, Link):
            parts.append(f"{m.text + chr(10) if m.text else ''}🔗 {m.label}: {m.url}")
    return "\n".join(parts)

"""What one LINE webhook event asks of planbot, read through the SDK's webhook models.

Every event type LINE documents (and any it adds later) is read without error: the ones a
person says something with (message, postback, follow) become an :class:`Incoming` turn;
unfollow makes the account inactive; the rest are logged and acknowledged. In a group or
room the speaker is ``source.userId``, and the answer goes back to the group by reply.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from linebot.v3.webhooks import (
    Event,
    FileMessageContent,
    FollowEvent,
    GroupSource,
    ImageMessageContent,
    LocationMessageContent,
    MessageEvent,
    PostbackEvent,
    RoomSource,
    StickerMessageContent,
    TextMessageContent,
    UnfollowEvent,
    UserSource,
)

from bot.channels.line.render import DATE_PICK_DATA
from handlers.messages import Incoming
from models.enums import Channel
from models.thaitext import format_thai_date

log = logging.getLogger(__name__)

FOLLOW_TEXT = "/start"  # a new friend gets the welcome (how to join); a member, the menu


class Kind(StrEnum):
    TURN = "turn"  # a person said something: run the conversation engine
    UNFOLLOW = "unfollow"  # blocked or deleted the bot: no more pushes
    IGNORE = "ignore"  # acknowledged and logged


@dataclass(frozen=True)
class Inbound:
    kind: Kind
    event_type: str
    event_id: str
    user_id: str | None = None
    incoming: Incoming | None = None
    reply_token: str | None = None
    redelivered: bool = False
    at: datetime | None = None
    in_group: bool = False
    addressed: bool = True  # in a group: mentioned the bot, or a postback


def parse(payload: dict[str, Any]) -> Event | None:
    """The SDK's model of one event; ``None`` for a type (or message type) it does not know."""
    try:
        return Event.from_dict(payload)
    except (ValueError, TypeError) as exc:
        # the error itself may quote the event's content (a message's text): not logged
        log.info("LINE event of an unknown kind ignored: %s (%s)", payload.get("type"), type(exc))
        return None


def interpret(payload: dict[str, Any], event_id: str) -> Inbound:
    """Turn one stored event into what to do about it."""
    event_type = str(payload.get("type", "?"))
    event = parse(payload)
    if event is None:
        return Inbound(Kind.IGNORE, event_type, event_id)
    source = getattr(event, "source", None)
    user_id = getattr(source, "user_id", None)
    redelivered = bool(event.delivery_context and event.delivery_context.is_redelivery)
    at = datetime.fromtimestamp(event.timestamp / 1000, UTC) if event.timestamp else None
    common: dict[str, Any] = {
        "event_type": event_type,
        "event_id": event_id,
        "user_id": user_id,
        "reply_token": getattr(event, "reply_token", None),
        "redelivered": redelivered,
        "at": at,
        "in_group": isinstance(source, GroupSource | RoomSource),
    }
    if isinstance(event, UnfollowEvent):
        return Inbound(Kind.UNFOLLOW, **common)
    if user_id is None or not isinstance(event, MessageEvent | PostbackEvent | FollowEvent):
        log.info("LINE %s event acknowledged (nothing to do)", event_type)
        return Inbound(Kind.IGNORE, **common)
    chat_id = _chat_id(source)
    base = {
        "channel": Channel.LINE,
        "account_id": user_id,
        "chat_id": chat_id,
        "event_id": f"line:{event_id}",
        "at": at,
    }
    if isinstance(event, FollowEvent):
        return Inbound(Kind.TURN, incoming=Incoming(text=FOLLOW_TEXT, **base), **common)
    if isinstance(event, PostbackEvent):
        return Inbound(Kind.TURN, incoming=_postback(event, base), **common)
    incoming, addressed = _message(event, base)
    if incoming is None:
        return Inbound(Kind.IGNORE, **common)
    return Inbound(Kind.TURN, incoming=incoming, addressed=addressed, **common)


def _chat_id(source: Any) -> str | None:
    if isinstance(source, GroupSource):
        return str(source.group_id)
    if isinstance(source, RoomSource):
        return str(source.room_id)
    assert source is None or isinstance(source, UserSource)
    return None


def _postback(event: PostbackEvent, base: dict[str, Any]) -> Incoming:
    """A button press; the date picker's answer becomes the date typed in Thai."""
    data = event.postback.data
    params = event.postback.params or {}
    if data == DATE_PICK_DATA:
        picked = params.get("date") or (params.get("datetime") or "")[:10]
        try:
            return Incoming(text=format_thai_date(date.fromisoformat(picked)), **base)
        except ValueError:
            return Incoming(text="", **base)
    return Incoming(button_data=data, **base)


def _message(event: MessageEvent, base: dict[str, Any]) -> tuple[Incoming | None, bool]:
    """Text (without a mention of the bot), or an attachment by its LINE reference."""
    message = event.message
    if isinstance(message, TextMessageContent):
        text, mentioned = _without_self_mention(message)
        return Incoming(text=text, **base), mentioned
    if isinstance(message, StickerMessageContent):
        ref = f"{message.package_id}/{message.sticker_id}"
        return Incoming(attachment=ref, attachment_kind="sticker", **base), False
    if isinstance(message, LocationMessageContent):
        ref = f"{message.latitude},{message.longitude}"
        return Incoming(attachment=ref, attachment_kind="location", **base), False
    if isinstance(message, FileMessageContent):
        return Incoming(attachment=message.id, attachment_kind="file", **base), False
    if isinstance(message, ImageMessageContent):
        return Incoming(attachment=message.id, attachment_kind="image", **base), False
    kind = str(getattr(message, "type", "") or "")
    if kind in {"video", "audio"}:
        return Incoming(attachment=str(message.id), attachment_kind=kind, **base), False
    return None, False


def _without_self_mention(message: TextMessageContent) -> tuple[str, bool]:
    """Remove "@planbot" from the text; say whether the bot was mentioned at all.

    Mention offsets count UTF-16 code units, so the cut is made on the UTF-16 form.
    """
    text = message.text
    mentionees = message.mention.mentionees if message.mention else []
    spans = [(m.index, m.length) for m in mentionees if getattr(m, "is_self", False) is True]
    if not spans:
        return text, False
    units = text.encode("utf-16-le")
    for index, length in sorted(spans, reverse=True):
        units = units[: index * 2] + units[(index + length) * 2 :]
    return " ".join(units.decode("utf-16-le", errors="ignore").split()), True

"""Which Telegram updates planbot acts on, and what each one means as an :class:`Incoming`.

Pure: no network, no database. Rules:

- **Private chats**: text (commands included: ``/start CODE`` carries a deep link's payload),
  button presses, photos, documents and other attachments all reach the engine.
- **Groups** (a committee's working group): with privacy mode on, Telegram only delivers
  commands, replies to the bot and button presses, and planbot answers only those — a
  command addressed to another bot (``/status@otherbot``) is not ours, and ordinary
  chatter is never answered even with privacy mode off. A button press is always the
  presser's own (their user id is the account), which is what keeps votes personal.
- Anything else — edits, channel posts, polls, reactions, service messages, messages from
  bots or from a group's anonymous admins (no person behind them) — is acknowledged and
  ignored.

Each :class:`Incoming` carries ``tg:<bot id>:<update_id>`` as its event id: the engine
records it in the same transaction as the turn, so a redelivered update is ignored, and
the bot id keeps two bots (a token changed in BotFather) from colliding.
"""

from __future__ import annotations

from dataclasses import dataclass

from telegram import CallbackQuery, Chat, Message, Update

from handlers.messages import Incoming
from models.enums import Channel

ALLOWED_UPDATES = ("message", "callback_query")  # what getUpdates/setWebhook ask Telegram for
GROUP_TYPES = frozenset({Chat.GROUP, Chat.SUPERGROUP})


@dataclass(frozen=True)
class Press:
    """Where a pressed button was: to answer the query, and to retire the buttons."""

    query_id: str
    chat_id: int | None
    message_id: int | None
    in_group: bool


@dataclass(frozen=True)
class Event:
    """An update planbot acts on: what the person did, and the press to answer if any.

    ``incoming`` is ``None`` for a press that carries no data (a game button): it is
    answered, so the spinner stops, and nothing else happens.
    """

    update_id: int
    incoming: Incoming | None
    press: Press | None = None


@dataclass(frozen=True)
class Me:
    """The bot itself, as ``getMe`` told us: to tell our commands and replies from others'."""

    id: int
    username: str


def event_id(me: Me, update_id: int) -> str:
    return f"tg:{me.id}:{update_id}"


def to_event(update: Update, me: Me) -> Event | None:
    """What ``update`` means to planbot, or ``None`` if planbot does not act on it."""
    if update.callback_query is not None:
        return _press(update, update.callback_query, me)
    if update.message is not None:
        incoming = _message(update, update.message, me)
        return Event(update.update_id, incoming) if incoming is not None else None
    return None


def added_to_group(update: Update, me: Me) -> int | None:
    """The id of a group that just added planbot (the operator needs it), else ``None``."""
    message = update.message
    if message is None or message.chat.type not in GROUP_TYPES:
        return None
    if any(member.id == me.id for member in message.new_chat_members or ()):
        return message.chat.id
    return None


def kind_of(update: Update) -> str:
    """The update's type (``message``, ``poll`` …), for the log."""
    for name in ("message", "callback_query", *Update.ALL_TYPES):
        if getattr(update, name, None) is not None:
            return name
    extra = [k for k in update.api_kwargs if k != "update_id"]
    return extra[0] if extra else "unknown"


def _press(update: Update, query: CallbackQuery, me: Me) -> Event:
    message = query.message
    chat = message.chat if message is not None else None
    in_group = chat is not None and chat.type in GROUP_TYPES
    press = Press(
        query_id=query.id,
        chat_id=chat.id if chat is not None else None,
        message_id=message.message_id if message is not None else None,
        in_group=in_group,
    )
    if not query.data or query.from_user.is_bot:
        return Event(update.update_id, None, press)
    incoming = Incoming(
        channel=Channel.TELEGRAM,
        account_id=str(query.from_user.id),
        button_data=query.data,
        display_name=query.from_user.full_name,
        chat_id=str(chat.id) if in_group and chat is not None else None,
        event_id=event_id(me, update.update_id),
    )
    return Event(update.update_id, incoming, press)


def _message(update: Update, message: Message, me: Me) -> Incoming | None:
    user = message.from_user
    if user is None or user.is_bot or message.sender_chat is not None:
        return None  # a channel, a bot, or an anonymous group admin: nobody to answer
    chat = message.chat
    if chat.type == Chat.PRIVATE:
        text = message.text
    elif chat.type in GROUP_TYPES:
        text = _group_text(message, me)
        if text is None:
            return None
    else:
        return None
    attachment, kind = _attachment(message)
    if text is None and attachment is None:
        return None  # a service message: someone joined, a title changed, a pin …
    return Incoming(
        channel=Channel.TELEGRAM,
        account_id=str(user.id),
        text=text,
        display_name=user.full_name,
        chat_id=str(chat.id) if chat.type in GROUP_TYPES else None,
        attachment=attachment,
        attachment_kind=kind,
        event_id=event_id(me, update.update_id),
        at=message.date,
    )


def _group_text(message: Message, me: Me) -> str | None:
    """The text of a group message meant for planbot, or ``None``.

    Meant for planbot: a command not addressed to another bot, a message starting with
    ``@planbot_bot`` (the mention is dropped), or a reply to one of planbot's messages.
    """
    text = message.text
    if text is None:
        return None
    if text.startswith("/"):
        command = text.split(maxsplit=1)[0]
        _, at, addressee = command.partition("@")
        return text if not at or addressee.casefold() == me.username.casefold() else None
    mention = f"@{me.username}"
    if text.casefold().startswith(mention.casefold()):
        return text[len(mention) :].strip() or None
    replied = message.reply_to_message
    if replied is not None and replied.from_user is not None and replied.from_user.id == me.id:
        return text
    return None


def _attachment(message: Message) -> tuple[str | None, str | None]:
    """The platform reference of what was sent instead of (or with) text, and its kind."""
    if message.photo:
        return message.photo[-1].file_id, "image"  # the largest size
    if message.document is not None:
        return message.document.file_id, "file"
    if message.sticker is not None:
        return message.sticker.file_id, "sticker"
    if message.location is not None:
        return f"{message.location.latitude},{message.location.longitude}", "location"
    for kind in ("voice", "audio", "video", "video_note", "animation"):
        media = getattr(message, kind)
        if media is not None:
            return media.file_id, kind
    return None, None

"""The Telegram channel: planbot's messages sent as Telegram messages, button presses answered.

What :func:`render` makes of planbot's messages goes out through PTB's bot (made in
``client``, within the limits kept in ``limits``): text as HTML with an inline keyboard,
documents as files. A press is answered (so the spinner stops) and a used question's
buttons are removed.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError

from bot.channels.telegram.events import Press
from bot.channels.telegram.render import FileOut, TextOut, html_to_plain, render
from handlers.messages import Incoming, Outgoing
from models.enums import Channel as ChannelName

log = logging.getLogger(__name__)


class TelegramChannel:
    """Sends planbot's messages to Telegram chats: the :class:`~bot.channels.base.Channel`."""

    name = ChannelName.TELEGRAM

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    # -- the Channel protocol --------------------------------------------------------------

    async def reply(self, incoming: Incoming, messages: Sequence[Outgoing]) -> None:
        """Answer in the chat the message came from (a group, or the private chat)."""
        await self.send_to(int(incoming.chat_id or incoming.account_id), messages)

    async def send(self, external_id: str, messages: Sequence[Outgoing]) -> None:
        """Send to an account: its external id is the user's private chat id (or a group's)."""
        await self.send_to(int(external_id), messages)

    # -- Telegram specifics ----------------------------------------------------------------

    async def send_to(self, chat_id: int, messages: Sequence[Outgoing]) -> None:
        for out in render(messages):
            if isinstance(out, TextOut):
                await self._send_text(chat_id, out)
            else:
                await self._send_file(chat_id, out)

    async def _send_text(self, chat_id: int, out: TextOut) -> None:
        try:
            await self.bot.send_message(
                chat_id, out.html, parse_mode=ParseMode.HTML, reply_markup=out.keyboard
            )
        except BadRequest as exc:
            if "parse entities" not in str(exc).lower():
                raise
            # Our escaping missed something: say it plainly rather than not at all.
            log.error("Telegram refused our HTML (%s); sending as plain text", exc)
            await self.bot.send_message(chat_id, html_to_plain(out.html), reply_markup=out.keyboard)

    async def _send_file(self, chat_id: int, out: FileOut) -> None:
        parse_mode = ParseMode.HTML if out.caption_html else None
        with out.path.open("rb") as handle:
            if out.photo:
                await self.bot.send_photo(
                    chat_id,
                    handle,
                    caption=out.caption_html,
                    parse_mode=parse_mode,
                    filename=out.filename,
                )
            else:
                await self.bot.send_document(
                    chat_id,
                    handle,
                    caption=out.caption_html,
                    parse_mode=parse_mode,
                    filename=out.filename,
                )

    async def answer(self, press: Press, text: str | None = None) -> None:
        """Answer a button press, so the spinner stops (``text``: a short toast)."""
        try:
            await self.bot.answer_callback_query(press.query_id, text=text)
        except TelegramError as exc:  # too old (a redelivery), or Telegram is busy
            log.info("could not answer callback query %s: %s", press.query_id, exc)

    async def retire_buttons(self, press: Press) -> None:
        """Remove the keyboard a button was pressed on: a used question cannot be re-answered."""
        if press.chat_id is None or press.message_id is None:
            return
        try:
            await self.bot.edit_message_reply_markup(press.chat_id, press.message_id)
        except BadRequest as exc:  # already retired, too old to edit, or deleted
            log.debug("buttons of message %s not retired: %s", press.message_id, exc)

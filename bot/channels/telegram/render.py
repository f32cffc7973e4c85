"""How planbot's messages look in Telegram: HTML text, inline keyboards and files.

Pure functions, no network: the adapter sends what :func:`render` returns. Decisions:

- Everything is sent with ``parse_mode=HTML`` so a card's title can be bold; every piece of
  text from people (project titles, names) is escaped, so ``<`` or ``&`` in a title can
  never break a message.
- A message holds at most 4096 characters (UTF-16 units, after entities); longer text is
  split at line breaks (then spaces), and the buttons go under the last part.
- Buttons are laid out for a phone: short labels share a row (up to three), a long label
  gets its own row, and form navigation (ย้อนกลับ, ข้าม, ยกเลิก) sits on a row of its own
  at the bottom, as in the UX sketches.
- A document that is an image is sent as a photo (it shows inline); a caption over
  Telegram's 1024 characters is shortened.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from handlers import buttons as button_codec
from handlers.messages import Button, Card, Choices, Document, Link, Outgoing, Text

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_PER_ROW = 3
ROW_WIDTH = 30  # visible characters that fit across a phone screen on one row of buttons
LONG_LABEL = 15  # a label wider than this gets a row of its own
PHOTO_SUFFIXES = frozenset({".jpg", ".jpeg", ".png"})
EMPTY_TEXT = "⋯"  # Telegram refuses an empty message; a button list still needs a line
_TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class TextOut:
    """One ``sendMessage``: HTML text and, on the last part of a message, its keyboard."""

    html: str
    keyboard: InlineKeyboardMarkup | None = None


@dataclass(frozen=True)
class FileOut:
    """One ``sendDocument`` (or ``sendPhoto`` for an image)."""

    path: Path
    filename: str
    caption_html: str | None = None
    photo: bool = False


Rendered = TextOut | FileOut


def render(messages: Sequence[Outgoing]) -> list[Rendered]:
    """The Telegram sends for planbot's messages, in order."""
    out: list[Rendered] = []
    for message in messages:
        if isinstance(message, Text):
            out.extend(_texts(_plain_lines(message.text), None))
        elif isinstance(message, Choices):
            out.extend(_texts(_plain_lines(message.text), keyboard(message.buttons)))
        elif isinstance(message, Card):
            out.extend(_texts(_card_lines(message), keyboard(message.buttons)))
        elif isinstance(message, Link):
            link = InlineKeyboardMarkup([[InlineKeyboardButton(message.label, url=message.url)]])
            out.extend(_texts(_plain_lines(message.text or f"🔗 {message.label}"), link))
        elif isinstance(message, Document):
            out.append(_file(message))
    return out


# -- keyboards --------------------------------------------------------------------------


def keyboard(buttons: Sequence[Button]) -> InlineKeyboardMarkup | None:
    """An inline keyboard for planbot's buttons (``None`` when there are none)."""
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(b.label, callback_data=b.data) for b in row]
            for row in button_rows(buttons)
        ]
    )


def button_rows(buttons: Sequence[Button]) -> list[list[Button]]:
    """Rows for a phone: short labels share, long ones stand alone, navigation comes last."""
    choices = [b for b in buttons if not _is_navigation(b)]
    navigation = [b for b in buttons if _is_navigation(b)]
    rows = _pack(choices)
    if navigation:
        rows.extend(_pack(navigation))
    return rows


def _pack(buttons: Sequence[Button]) -> list[list[Button]]:
    """Fill rows in order: a short label joins the row before it if that row has room."""
    rows: list[list[Button]] = []
    width = 0
    for button in buttons:
        w = visible_width(button.label)
        row_is_short = bool(rows) and visible_width(rows[-1][-1].label) <= LONG_LABEL
        if (
            row_is_short
            and w <= LONG_LABEL
            and len(rows[-1]) < MAX_PER_ROW
            and width + w <= ROW_WIDTH
        ):
            rows[-1].append(button)
            width += w
        else:
            rows.append([button])
            width = w
    return rows


def _is_navigation(button: Button) -> bool:
    """A form's back/skip/cancel button (its choice is a word, not a number)."""
    press = button_codec.decode(button.data)
    return isinstance(press, button_codec.FormPress) and press.choice in {"back", "skip", "cancel"}


def visible_width(text: str) -> int:
    """Characters that take room: Thai vowel and tone marks above or below do not."""
    return sum(1 for ch in text if unicodedata.category(ch) != "Mn")


# -- text -------------------------------------------------------------------------------

# A line to send: its plain text (what counts against the limit) and whether it is bold.
Line = tuple[str, bool]


def _plain_lines(text: str) -> list[Line]:
    return [(line, False) for line in text.split("\n")]


def _card_lines(card: Card) -> list[Line]:
    lines: list[Line] = [(line, True) for line in card.title.split("\n")]
    for label, value in card.fields:
        lines.extend(_plain_lines(f"{label}: {value}"))
    if card.footer:
        lines.extend(_plain_lines(card.footer))
    return lines


def _texts(lines: list[Line], markup: InlineKeyboardMarkup | None) -> list[Rendered]:
    chunks = split_lines(lines, MAX_TEXT)
    out: list[Rendered] = [TextOut(_html(chunk)) for chunk in chunks]
    if markup is not None:
        last = out[-1]
        assert isinstance(last, TextOut)
        out[-1] = TextOut(last.html, markup)
    return out


def split_lines(lines: list[Line], limit: int) -> list[list[Line]]:
    """Group lines into parts of at most ``limit`` UTF-16 units (newlines included).

    A line longer than the limit is cut at spaces where it can be, else anywhere.
    """
    parts: list[list[Line]] = [[]]
    size = 0
    for text, bold in lines:
        for piece in _cut(text, limit):
            n = utf16_len(piece)
            extra = n + (1 if parts[-1] else 0)
            if parts[-1] and size + extra > limit:
                parts.append([])
                size, extra = 0, n
            parts[-1].append((piece, bold))
            size += extra
    return parts


def _cut(text: str, limit: int) -> list[str]:
    pieces: list[str] = []
    while utf16_len(text) > limit:
        end = _prefix_fitting(text, limit)
        space = text.rfind(" ", 0, end)
        cut = space if space > end // 2 else end
        pieces.append(text[:cut])
        text = text[cut:].lstrip(" ")
    pieces.append(text)
    return pieces


def _prefix_fitting(text: str, limit: int) -> int:
    size = 0
    for i, ch in enumerate(text):
        size += utf16_len(ch)
        if size > limit:
            return i
    return len(text)


def _html(lines: list[Line]) -> str:
    rendered = [f"<b>{escape(t)}</b>" if bold and t.strip() else escape(t) for t, bold in lines]
    text = "\n".join(rendered)
    return text if text.strip() else EMPTY_TEXT


def escape(text: str) -> str:
    """Text safe inside Telegram HTML (``<``, ``>``, ``&``; quotes need no escaping there)."""
    return html.escape(text, quote=False)


def html_to_plain(text: str) -> str:
    """What a reader sees of our HTML: tags dropped, entities read (for a plain-text retry)."""
    return html.unescape(_TAG.sub("", text))


def utf16_len(text: str) -> int:
    """Telegram counts lengths in UTF-16 code units: an emoji outside the BMP counts two."""
    return len(text.encode("utf-16-le")) // 2


# -- files ------------------------------------------------------------------------------


def _file(document: Document) -> FileOut:
    caption = None
    if document.caption:
        text = document.caption
        if utf16_len(text) > MAX_CAPTION:
            text = text[: _prefix_fitting(text, MAX_CAPTION - 1)] + "…"
        caption = escape(text)
    path = Path(document.path)
    photo = Path(document.filename).suffix.lower() in PHOTO_SUFFIXES
    return FileOut(path, document.filename, caption, photo)

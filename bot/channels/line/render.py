"""Outgoing messages as LINE message objects: quick replies, Flex bubbles and carousels.

Plain dicts in the Messaging API's own JSON shape (the SDK's models are built from them at
the edge), so rendering is pure, cheap and checked in tests against LINE's OpenAPI file.

LINE's limits, and what rendering does about each:
- at most 5 messages per reply or push: adjacent texts (and a text before a question) are
  merged, shortest first, until the rest fits; what still does not fit is left for a push;
- quick reply: at most 13 buttons, shown only under the *last* message of a batch; a
  question with more buttons gets a Flex carousel, one that is not last a Flex bubble;
- action labels: at most 20 characters; longer labels are cut with "…", the full label is
  the postback's ``displayText`` (what the chat shows the person "said") and the options
  are listed in full in the message text;
- text: at most 5000 characters (longer text is split at a line break); ``altText`` (what a
  notification or an old phone shows for a Flex message): at most 1500;
- files cannot be sent: a document is a bubble whose button opens a signed link.
Lengths are counted in code points, which for Thai is never less than what LINE counts
(UTF-16 units for text, grapheme clusters for labels), so a cut label is always accepted.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from handlers.messages import Button, Card, Choices, Document, Link, Outgoing, Text
from models.clock import Clock

if TYPE_CHECKING:
    from bot.links import DocumentLinks

LineMessage = dict[str, Any]

MAX_MESSAGES = 5
MAX_QUICK_REPLY = 13
MAX_LABEL = 20
MAX_TEXT = 5000
MAX_ALT_TEXT = 1500
MAX_DISPLAY_TEXT = 300
MAX_BUBBLES = 12
BUTTONS_PER_BUBBLE = 5
MAX_FLEX_TEXT = 2000  # our own cap for one row's value: a bubble must stay under 30 KB

DATE_PICK_DATA = "line|date"  # postback data of the date picker; the picked date is typed text

TEXT = {
    "options": "ตัวเลือก:",
    "choices_alt": "{question}\nตัวเลือก: {labels}",
    "choices_page": "ตัวเลือก {first}–{last} จาก {total}",
    "pick_date": "📅 เลือกวันที่",
    "open_document": "เปิดเอกสาร",
    "document_alt": "📎 {filename}",
    "no_link": "📎 {filename}{caption}\n(ยังเปิดเอกสารทาง LINE ไม่ได้ — กรุณาขอจากเจ้าหน้าที่)",
    "open_link": "เปิดลิงก์",
}

COLORS = {"muted": "#888888", "accent": "#1E6B52", "header": "#EAF3EF"}

# "… เช่น 1 ต.ค. 2568 …": a question asking for a date (the budget round's trigger date).
_DATE_QUESTION_RE = re.compile(
    r"เช่น\s*[0-9๐-๙]{1,2}\s*(?:ม\.ค|ก\.พ|มี\.ค|เม\.ย|พ\.ค|มิ\.ย|ก\.ค|ส\.ค|ก\.ย|ต\.ค|พ\.ย|ธ\.ค)\."
)

LinkFor = Callable[[Document], str | None]


@dataclass(frozen=True)
class RenderContext:
    """What rendering needs from outside: today (the date picker) and document links."""

    today: date
    link_for: LinkFor


# -- the batch ----------------------------------------------------------------------------


def context_of(clock: Clock, links: DocumentLinks) -> RenderContext:
    """Today (the date picker) and signed document links, as a channel renders now."""
    return RenderContext(
        today=clock.today(), link_for=lambda doc: links.url_for(doc.path, doc.filename)
    )


def fit(
    messages: Sequence[Outgoing], ctx: RenderContext
) -> tuple[list[LineMessage], list[Outgoing]]:
    """The LINE messages for one reply or push (≤ 5), and the outgoing parts left over."""
    merged = merge(messages)
    taken: list[Outgoing] = []
    for i, message in enumerate(merged):
        if count([*taken, message]) > MAX_MESSAGES:
            return render(taken, ctx), merged[i:]
        taken.append(message)
    return render(taken, ctx), []


def batches(messages: Sequence[Outgoing], ctx: RenderContext) -> list[list[LineMessage]]:
    """Everything, as as few batches of ≤ 5 as merging allows (pushes: each is one request)."""
    out: list[list[LineMessage]] = []
    rest: list[Outgoing] = list(messages)
    while rest:
        batch, rest = fit(rest, ctx)
        if batch:
            out.append(batch)
            continue
        # one part that alone renders to more than 5 (a huge text): five at a time
        whole, rest = render(rest[:1], ctx), rest[1:]
        out += [whole[i : i + MAX_MESSAGES] for i in range(0, len(whole), MAX_MESSAGES)]
    return out


def render(messages: Sequence[Outgoing], ctx: RenderContext) -> list[LineMessage]:
    """Render in order; only the last message may carry quick-reply buttons."""
    out: list[LineMessage] = []
    for i, message in enumerate(messages):
        out.extend(render_one(message, ctx, last=i == len(messages) - 1))
    return out


def count(messages: Sequence[Outgoing]) -> int:
    """How many LINE messages ``messages`` render to (independent of position)."""
    return sum(_count_one(m) for m in messages)


def _count_one(message: Outgoing) -> int:
    if isinstance(message, Text):
        return len(split_text(message.text))
    if isinstance(message, Choices):
        if len(message.buttons) > MAX_QUICK_REPLY:
            return len(split_text(message.text)) + 1
        return len(split_text(message.text))
    return 1


def merge(messages: Sequence[Outgoing]) -> list[Outgoing]:
    """Join adjacent texts (or a text and the question after it) until the batch fits.

    The shortest pair goes first, so short confirmations ("✅ 1,500,000 บาท") join the
    question they lead into before long texts are run together.
    """
    out = list(messages)
    while count(out) > MAX_MESSAGES:
        pairs = [
            (len(_text_of(out[i])) + len(_text_of(out[i + 1])), i)
            for i in range(len(out) - 1)
            if _joinable(out[i], out[i + 1])
        ]
        if not pairs:
            break
        _, i = min(pairs)
        out[i : i + 2] = [_join(out[i], out[i + 1])]
    return out


def _text_of(message: Outgoing) -> str:
    return message.text if isinstance(message, Text | Choices) else ""


def _joinable(first: Outgoing, second: Outgoing) -> bool:
    if not isinstance(first, Text) or not isinstance(second, Text | Choices):
        return False
    return len(first.text) + 2 + len(second.text) <= MAX_TEXT


def _join(first: Outgoing, second: Outgoing) -> Outgoing:
    assert isinstance(first, Text) and isinstance(second, Text | Choices)
    return replace(second, text=f"{first.text}\n\n{second.text}")


# -- one message ----------------------------------------------------------------------------


def render_one(message: Outgoing, ctx: RenderContext, *, last: bool = True) -> list[LineMessage]:
    if isinstance(message, Text):
        return [text_message(part) for part in split_text(message.text)]
    if isinstance(message, Choices):
        return choices_messages(message, ctx, last=last)
    if isinstance(message, Card):
        return [card_message(message)]
    if isinstance(message, Document):
        return [*preview_message(message, ctx), document_message(message, ctx.link_for(message))]
    if isinstance(message, Link):
        return [link_message(message)]
    raise TypeError(f"cannot render {type(message).__name__}")


def text_message(text: str, quick_reply: list[dict[str, Any]] | None = None) -> LineMessage:
    message: LineMessage = {"type": "text", "text": text or "-"}
    if quick_reply:
        message["quickReply"] = {"items": quick_reply}
    return message


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Pieces of at most ``limit`` characters, cut at a line break where there is one."""
    pieces: list[str] = []
    rest = text or "-"
    while len(rest) > limit:
        cut = rest.rfind("\n", 0, limit)
        cut = cut if cut > limit // 2 else limit
        pieces.append(rest[:cut])
        rest = rest[cut:].lstrip("\n") or "-"
    pieces.append(rest)
    return pieces


def label(text: str, limit: int = MAX_LABEL) -> str:
    """A button label LINE accepts: cut with "…" past ``limit`` characters."""
    text = " ".join(text.split()) or "-"
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def postback(button: Button) -> dict[str, Any]:
    """A postback action: our button data back, and the full label shown as what was said."""
    return {
        "type": "postback",
        "label": label(button.label),
        "data": button.data,
        "displayText": label(button.label, MAX_DISPLAY_TEXT),
    }


def is_date_question(text: str) -> bool:
    return _DATE_QUESTION_RE.search(text) is not None


def date_picker(today: date) -> dict[str, Any]:
    """A date-picker action; the picked date comes back as a postback with ``params.date``."""
    return {
        "type": "datetimepicker",
        "label": TEXT["pick_date"],
        "data": DATE_PICK_DATA,
        "mode": "date",
        "initial": today.isoformat(),
        "min": (today - timedelta(days=366)).isoformat(),
        "max": (today + timedelta(days=366)).isoformat(),
    }


def _with_full_labels(text: str, buttons: Sequence[Button]) -> str:
    """The question, plus every option in full when some label had to be cut."""
    if all(len(" ".join(b.label.split())) <= MAX_LABEL for b in buttons):
        return text
    listed = "\n".join(f"• {b.label}" for b in buttons)
    return f"{text}\n\n{TEXT['options']}\n{listed}"


def choices_messages(message: Choices, ctx: RenderContext, *, last: bool) -> list[LineMessage]:
    buttons = message.buttons
    if not buttons:
        return [text_message(part) for part in split_text(message.text)]
    if len(buttons) > MAX_QUICK_REPLY:
        return [
            *(text_message(part) for part in split_text(message.text)),
            choices_carousel(message),
        ]
    if not last:
        return [buttons_bubble(message)]
    items = [{"type": "action", "action": postback(b)} for b in buttons]
    if is_date_question(message.text) and len(items) < MAX_QUICK_REPLY:
        items.insert(0, {"type": "action", "action": date_picker(ctx.today)})
    text = _with_full_labels(message.text, buttons)
    *head, tail = split_text(text)
    return [*(text_message(part) for part in head), text_message(tail, items)]


def choices_carousel(message: Choices) -> LineMessage:
    """Many options (the 12 แผนงาน + ย้อนกลับ + ยกเลิก): bubbles of a few buttons each."""
    buttons = list(message.buttons)[: MAX_BUBBLES * BUTTONS_PER_BUBBLE]
    pages = -(-len(buttons) // BUTTONS_PER_BUBBLE)
    size = -(-len(buttons) // pages)  # even pages: 14 → 5, 5, 4
    bubbles = []
    for start in range(0, len(buttons), size):
        page = buttons[start : start + size]
        heading = TEXT["choices_page"].format(
            first=start + 1, last=start + len(page), total=len(buttons)
        )
        bubbles.append(
            {
                "type": "bubble",
                "size": "kilo",
                "body": _box(
                    [
                        _text(heading, size="xs", color=COLORS["muted"]),
                        *(_button(b, primary=False) for b in page),
                    ],
                    spacing="sm",
                ),
            }
        )
    labels = " · ".join(b.label for b in buttons)
    return flex(
        TEXT["choices_alt"].format(question=message.text, labels=labels),
        {"type": "carousel", "contents": bubbles},
    )


def buttons_bubble(message: Choices) -> LineMessage:
    """A question that is not the last message: its buttons go in a bubble, not quick reply."""
    text = _with_full_labels(message.text, message.buttons)
    bubble = {
        "type": "bubble",
        "body": _box([_text(text, wrap=True)]),
        "footer": _box(
            [_button(b, primary=i == 0) for i, b in enumerate(message.buttons)], spacing="sm"
        ),
    }
    labels = " · ".join(b.label for b in message.buttons)
    return flex(TEXT["choices_alt"].format(question=message.text, labels=labels), bubble)


def card_message(card: Card) -> LineMessage:
    """A project or draft summary: title, label/value rows, footer note, action buttons."""
    rows: list[dict[str, Any]] = [
        {
            "type": "box",
            "layout": "baseline",
            "spacing": "sm",
            "contents": [
                _text(name, size="sm", color=COLORS["muted"], flex=2, wrap=True),
                _text(value, size="sm", flex=5, wrap=True),
            ],
        }
        for name, value in card.fields
    ]
    if card.footer:
        rows += [
            {"type": "separator", "margin": "md"},
            _text(card.footer, size="xs", color=COLORS["muted"], wrap=True, margin="md"),
        ]
    bubble: dict[str, Any] = {
        "type": "bubble",
        "size": "mega",
        "header": _box(
            [_text(card.title, weight="bold", wrap=True)], backgroundColor=COLORS["header"]
        ),
        "body": _box(rows or [_text("-", size="sm")], spacing="sm"),
    }
    if card.buttons:
        bubble["footer"] = _box(
            [_button(b, primary=i == 0) for i, b in enumerate(card.buttons)], spacing="sm"
        )
    alt_lines = [card.title, *(f"{name}: {value}" for name, value in card.fields)]
    return flex("\n".join(alt_lines), bubble)


def preview_message(document: Document, ctx: RenderContext) -> list[LineMessage]:
    """The first page as an image above the link, when the document has one and it can be
    linked (LINE fetches images from an https address, so it is a signed link too)."""
    if document.preview is None:
        return []
    url = ctx.link_for(Document(document.preview, Path(document.preview).name))
    if url is None or not _is_web_url(url):
        return []
    return [{"type": "image", "originalContentUrl": url, "previewImageUrl": url}]


def document_message(document: Document, url: str | None) -> LineMessage:
    """LINE cannot carry the file: a bubble with its name and a button that opens a link."""
    caption = f" — {document.caption}" if document.caption else ""
    if url is None:
        return text_message(TEXT["no_link"].format(filename=document.filename, caption=caption))
    body = [_text(f"📎 {document.filename}", weight="bold", wrap=True)]
    if document.caption:
        body.append(_text(document.caption, size="sm", color=COLORS["muted"], wrap=True))
    bubble = {
        "type": "bubble",
        "body": _box(body, spacing="sm"),
        "footer": _box([_uri_button(TEXT["open_document"], url)]),
    }
    return flex(TEXT["document_alt"].format(filename=document.filename) + caption, bubble)


def link_message(link: Link) -> LineMessage:
    if not _is_web_url(link.url):
        return text_message(
            f"{link.text + chr(10) if link.text else ''}🔗 {link.label}: {link.url}"
        )
    bubble = {
        "type": "bubble",
        "body": _box([_text(link.text or link.label, wrap=True)]),
        "footer": _box([_uri_button(link.label or TEXT["open_link"], link.url)]),
    }
    return flex(f"{link.text or link.label}\n{link.url}", bubble)


def flex(alt_text: str, contents: dict[str, Any]) -> LineMessage:
    return {"type": "flex", "altText": _alt(alt_text), "contents": contents}


def _alt(text: str) -> str:
    text = text.strip() or "planbot"
    return text if len(text) <= MAX_ALT_TEXT else text[: MAX_ALT_TEXT - 1] + "…"


def _is_web_url(url: str) -> bool:
    parsed = urlparse(url)
    return parsed.scheme in {"http", "https"} and bool(parsed.netloc) and len(url) <= 1000


# -- Flex pieces --------------------------------------------------------------------------------


def _box(contents: list[dict[str, Any]], layout: str = "vertical", **style: Any) -> dict[str, Any]:
    return {"type": "box", "layout": layout, "contents": contents, **style}


def _text(text: str, **style: Any) -> dict[str, Any]:
    text = text.strip() or "-"
    if len(text) > MAX_FLEX_TEXT:
        text = text[: MAX_FLEX_TEXT - 1] + "…"
    return {"type": "text", "text": text, **style}


def _button(button: Button, *, primary: bool) -> dict[str, Any]:
    return {
        "type": "button",
        "style": "primary" if primary else "secondary",
        "height": "sm",
        "action": postback(button),
        **({"color": COLORS["accent"]} if primary else {}),
    }


def _uri_button(text: str, url: str) -> dict[str, Any]:
    return {
        "type": "button",
        "style": "primary",
        "height": "sm",
        "color": COLORS["accent"],
        "action": {"type": "uri", "label": label(text), "uri": url},
    }

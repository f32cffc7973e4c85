"""The default rich menu: four big buttons under the chat for what people do most.

Village heads and clerks should not have to remember command words, so the menu sends them:
เสนอโครงการ · โครงการของฉัน · สถานะ · ช่วยเหลือ. The image is drawn here (Pillow, the
Sarabun font from ``fontpkg-sarabun``) rather than shipped, so the labels can never drift
from the words the menu sends. ``planbot line setup-richmenu`` uploads it through the SDK.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import fontpkg_sarabun
from PIL import Image, ImageDraw, ImageFont

from bot.channels.line.client import LineApi
from handlers.commands import RICH_MENU

log = logging.getLogger(__name__)

NAME = "planbot"  # menus of this name are planbot's: older ones are removed on setup
CHAT_BAR_TEXT = "เมนู planbot"  # LINE: at most 14 characters
WIDTH, HEIGHT = 2500, 843  # LINE's "large half" size
MAX_IMAGE_BYTES = 1024 * 1024

COLORS = {
    "background": (244, 248, 246),
    "panel": (255, 255, 255),
    "ink": (30, 107, 82),  # the accent of planbot's Flex cards
    "text": (33, 37, 41),
    "line": (206, 222, 214),
}

Draw = Callable[[ImageDraw.ImageDraw, int, int, int], None]  # canvas, centre x, centre y, size


@dataclass(frozen=True)
class Entry:
    word: str  # what the button sends (a command word the router knows)
    icon: Draw


def _icon_submit(d: ImageDraw.ImageDraw, x: int, y: int, s: int) -> None:
    """A sheet of paper with a plus: a new project."""
    w, h, ink = s * 0.72, s, COLORS["ink"]
    d.rounded_rectangle((x - w / 2, y - h / 2, x + w / 2, y + h / 2), 18, outline=ink, width=14)
    for i in range(3):
        yy = y - h / 4 + i * h / 6
        d.line((x - w / 3, yy, x + w / 5, yy), fill=ink, width=12)
    cx, cy, r = x + w / 2, y + h / 2, s * 0.24
    d.ellipse((cx - r, cy - r, cx + r, cy + r), fill=ink)
    d.line((cx - r / 2, cy, cx + r / 2, cy), fill=COLORS["panel"], width=14)
    d.line((cx, cy - r / 2, cx, cy + r / 2), fill=COLORS["panel"], width=14)


def _icon_mine(d: ImageDraw.ImageDraw, x: int, y: int, s: int) -> None:
    """A list with ticks: my projects."""
    ink = COLORS["ink"]
    for i in range(3):
        yy = y - s / 3 + i * s / 3
        d.ellipse((x - s / 2, yy - 20, x - s / 2 + 40, yy + 20), fill=ink)
        d.line((x - s / 2 + 75, yy, x + s / 2, yy), fill=ink, width=16)


def _icon_status(d: ImageDraw.ImageDraw, x: int, y: int, s: int) -> None:
    """Rising bars: how the plan is going."""
    ink, bar = COLORS["ink"], s / 5
    for i, height in enumerate((0.45, 0.7, 1.0)):
        left = x - s / 2 + i * (bar * 1.8)
        d.rounded_rectangle((left, y + s / 2 - s * height, left + bar, y + s / 2), 10, fill=ink)
    d.line((x - s / 2 - 10, y + s / 2 + 14, x + s / 2 + 10, y + s / 2 + 14), fill=ink, width=10)


def _icon_help(d: ImageDraw.ImageDraw, x: int, y: int, s: int) -> None:
    """A question mark in a circle: help."""
    ink, r = COLORS["ink"], s / 2
    d.ellipse((x - r, y - r, x + r, y + r), outline=ink, width=14)
    d.text((x, y + 6), "?", font=font("Bold", int(s * 0.7)), fill=ink, anchor="mm")


ICONS: dict[str, Draw] = {
    "submit": _icon_submit,
    "mine": _icon_mine,
    "status": _icon_status,
    "help": _icon_help,
}
# The menu's buttons come from the command table (handlers.commands.RICH_MENU).
ENTRIES = tuple(Entry(command.word, ICONS[command.name]) for command in RICH_MENU)


def font(weight: str, size: int) -> ImageFont.FreeTypeFont:
    path = fontpkg_sarabun.ROOT / "files" / f"Sarabun-{weight}.ttf"
    return ImageFont.truetype(str(path), size, layout_engine=ImageFont.Layout.RAQM)


def areas() -> list[tuple[int, int, int, int]]:
    """(x, y, width, height) of each button, left to right; together they cover the image."""
    step = WIDTH // len(ENTRIES)
    return [
        (i * step, 0, WIDTH - i * step if i == len(ENTRIES) - 1 else step, HEIGHT)
        for i in range(len(ENTRIES))
    ]


def menu_request() -> dict[str, Any]:
    """The rich menu object: each area sends its word as if the person had typed it."""
    return {
        "size": {"width": WIDTH, "height": HEIGHT},
        "selected": True,
        "name": NAME,
        "chatBarText": CHAT_BAR_TEXT,
        "areas": [
            {
                "bounds": {"x": x, "y": y, "width": w, "height": h},
                "action": {"type": "message", "label": entry.word, "text": entry.word},
            }
            for entry, (x, y, w, h) in zip(ENTRIES, areas(), strict=True)
        ],
    }


def menu_image() -> bytes:
    """The menu as a PNG of exactly the menu's size, well under LINE's 1 MB."""
    image = Image.new("RGB", (WIDTH, HEIGHT), COLORS["background"])
    draw = ImageDraw.Draw(image)
    margin = 28
    step = WIDTH // len(ENTRIES)
    label_font = min(  # one size for all four labels: the largest the longest fits at
        (_fitting_font(draw, e.word, step - 4 * margin, 112) for e in ENTRIES),
        key=lambda f: f.size,
    )
    for entry, (x, y, w, h) in zip(ENTRIES, areas(), strict=True):
        draw.rounded_rectangle(
            (x + margin, y + margin, x + w - margin, y + h - margin),
            radius=48,
            fill=COLORS["panel"],
            outline=COLORS["line"],
            width=6,
        )
        centre = x + w // 2
        entry.icon(draw, centre, y + int(h * 0.36), 250)
        draw.text(
            (centre, y + int(h * 0.78)),
            entry.word,
            font=label_font,
            fill=COLORS["text"],
            anchor="mm",
        )
    out = io.BytesIO()
    image.quantize(colors=64).save(out, format="PNG", optimize=True)
    data = out.getvalue()
    if len(data) > MAX_IMAGE_BYTES:  # never with these colours; checked so a change can't slip
        raise ValueError(f"rich menu image is {len(data)} bytes, LINE takes at most 1 MB")
    return data


def _fitting_font(
    draw: ImageDraw.ImageDraw, text: str, width: int, size: int
) -> ImageFont.FreeTypeFont:
    """The Sarabun size (at most ``size``) at which ``text`` fits in ``width`` pixels."""
    while size > 40:
        candidate = font("SemiBold", size)
        left, _top, right, _bottom = draw.textbbox((0, 0), text, font=candidate)
        if right - left <= width:
            return candidate
        size -= 4
    return font("SemiBold", size)


async def setup_rich_menu(api: LineApi) -> str:
    """Create the menu, upload its image, make it everyone's default, drop older ones."""
    older = [menu_id for menu_id, name in await api.rich_menus() if name == NAME]
    menu_id = await api.create_rich_menu(menu_request())
    await api.set_rich_menu_image(menu_id, menu_image())
    await api.set_default_rich_menu(menu_id)
    for old in older:
        await api.delete_rich_menu(old)
    log.info("rich menu %s is the default (%d older removed)", menu_id, len(older))
    return menu_id

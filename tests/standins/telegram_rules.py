"""What the Bot API checks beyond types: lengths, formatting, names — written in its prose.

``api.json`` gives each field a type, but limits such as "1-4096 characters after entities
parsing" or "callback_data 1-64 bytes" live in the descriptions. The real server rejects a
request that breaks them with ``400 Bad Request``; the stand-in does the same through these
checks, so an unescaped ``<`` in a project title or an over-long message fails a test.
"""

from __future__ import annotations

import html
import re
from typing import Any

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_ANSWER = 200
MAX_CALLBACK_DATA_BYTES = 64
MAX_COMMANDS = 100

# Telegram's HTML subset (https://core.telegram.org/bots/api#html-style)
HTML_TAGS = frozenset(
    {
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "span",
        "tg-spoiler",
        "a",
        "tg-emoji",
        "code",
        "pre",
        "blockquote",
    }
)
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^<>]*)?)\s*>")
_ENTITY = re.compile(r"&(?:lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);")
_COMMAND = re.compile(r"[a-z0-9_]{1,32}")
_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")
# Each button does exactly one thing.
BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)


def utf16_len(text: str) -> int:
    """Telegram counts message length in UTF-16 code units (an emoji may count two)."""
    return len(text.encode("utf-16-le")) // 2


def parse_html(text: str) -> str | None:
    """The text after Telegram parses its HTML, or ``None`` if Telegram would refuse it."""
    out: list[str] = []
    stack: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "<":
            tag = _TAG.match(text, i)
            if tag is None or tag.group(2).lower() not in HTML_TAGS:
                return None
            closing, name = tag.group(1) == "/", tag.group(2).lower()
            if closing:
                if not stack or stack.pop() != name:
                    return None
            else:
                stack.append(name)
            i = tag.end()
        elif ch == "&":
            entity = _ENTITY.match(text, i)
            if entity is None:
                return None
            out.append(html.unescape(entity.group(0)))
            i = entity.end()
        elif ch == ">":
            return None
        else:
            out.append(ch)
            i += 1
    return None if stack else "".join(out)


def formatted_text_problem(
    text: Any, parse_mode: Any, *, limit: int, what: str, allow_empty: bool = False
) -> str | None:
    """Why a text or caption with this parse mode would be refused, or ``None``."""
    if not isinstance(text, str):
        return None  # a type problem, reported by the spec check
    plain: str | None = text
    if parse_mode == "HTML":
        plain = parse_html(text)
        if plain is None:
            return f"Bad Request: can't parse entities in {what}: {text[:120]!r}"
    elif parse_mode not in (None, "MarkdownV2", "Markdown"):
        return f"Bad Request: unsupported parse_mode {parse_mode!r}"
    assert plain is not None
    if not plain.strip() and not allow_empty:
        return f"Bad Request: {what} must be non-empty"
    if utf16_len(plain) > limit:
        return f"Bad Request: {what} is too long ({utf16_len(plain)} > {limit})"
    return None


def keyboard_problem(markup: Any) -> str | None:
    """Why an inline keyboard would be refused (empty label, over-long callback data…)."""
    if not isinstance(markup, dict) or "inline_keyboard" not in markup:
        return None
    for row in markup["inline_keyboard"]:
        for button in row:
            if not isinstance(button, dict):
                continue
            if not str(button.get("text", "")).strip():
                return "Bad Request: a button's text is empty"
            actions = [a for a in BUTTON_ACTIONS if a in button]
            if len(actions) != 1:
                return f"Bad Request: a button must have exactly one action, not {actions}"
            data = button.get("callback_data")
            if isinstance(data, str) and not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA_BYTES:
                return f"Bad Request: BUTTON_DATA_INVALID ({len(data.encode())} bytes)"
            url = button.get("url")
            if isinstance(url, str) and not url.startswith(("http://", "https://", "tg://")):
                return f"Bad Request: wrong HTTP URL {url!r}"
    return None


def commands_problem(commands: Any) -> str | None:
    if not isinstance(commands, list):
        return None
    if len(commands) > MAX_COMMANDS:
        return "Bad Request: too many commands"
    for command in commands:
        if not isinstance(command, dict):
            continue
        if not _COMMAND.fullmatch(str(command.get("command", ""))):
            return f"Bad Request: BOT_COMMAND_INVALID {command.get('command')!r}"
        if not 1 <= len(str(command.get("description", ""))) <= 256:
            return "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID"
    return None


def request_problem(method: str, params: dict[str, Any]) -> str | None:
    """The first rule of the Bot API's prose a (type-correct) request breaks, or ``None``."""
    if method == "sendMessage":
        problem = formatted_text_problem(
            params.get("text"), params.get("parse_mode"), limit=MAX_TEXT, what="message text"
        )
        if problem:
            return problem
    if method in ("sendDocument", "sendPhoto") and "caption" in params:
        problem = formatted_text_problem(
            params["caption"],
            params.get("parse_mode"),
            limit=MAX_CAPTION,
            what="caption",
            allow_empty=True,
        )
        if problem:
            return problem
    if "reply_markup" in params:
        problem = keyboard_problem(params["reply_markup"])
        if problem:
            return problem
    if method == "answerCallbackQuery":
        text = params.get("text")
        if isinstance(text, str) and len(text) > MAX_CALLBACK_ANSWER:
            return "Bad Request: callback answer text is too long"
    if method == "setMyCommands":
        return commands_problem(params.get("commands"))
    if method == "setWebhook":
        secret = params.get("secret_token")
        if isinstance(secret, str) and not _SECRET.fullmatch(secret):
            return "Bad Request: secret token contains unallowed characters"
    return None

"""Reading a webhook's body safely: bounded in size, bounded in nesting, never a 500.

Both platforms' webhooks take JSON from the internet. A body is read only up to a limit
(a declared or streamed size over it stops the read), and parsed only to a nesting depth no
real update comes near: Python's JSON decoder recurses, so a body nested a hundred thousand
deep raises ``RecursionError`` — which is not a ``ValueError`` and would otherwise escape as
a 500 with a traceback — and a body nested a few hundred deep parses but is no event either.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request

MAX_BODY = 1024 * 1024  # the platforms' bodies are a few KB; 1 MB is plenty and bounds memory
MAX_DEPTH = 32  # LINE's and Telegram's deepest objects are under ten levels


class BadBody(ValueError):
    """The body is not JSON planbot will read; the reason is safe to answer with."""


async def read_limited(request: Request, limit: int = MAX_BODY) -> bytes | None:
    """The raw body, or ``None`` as soon as it is known to be over ``limit`` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            return None
    return bytes(body)


def parse_json(text: str | bytes, max_depth: int = MAX_DEPTH) -> Any:
    """The JSON value of ``text``, or :class:`BadBody` (not JSON, or nested too deep)."""
    try:
        value = json.loads(text)
    except RecursionError as exc:
        raise BadBody(f"JSON nested deeper than {max_depth} levels") from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadBody("body is not JSON") from exc
    if depth(value) > max_depth:
        raise BadBody(f"JSON nested deeper than {max_depth} levels")
    return value


def depth(value: Any) -> int:
    """How deeply ``value`` nests lists and objects (a scalar is 0), without recursing."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, level + 1)
        stack.extend((child, level + 1) for child in children)
    return deepest

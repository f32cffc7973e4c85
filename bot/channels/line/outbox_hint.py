"""Whether a turn queued a notice, so the outbox is swept when there is work, not after
every message (an empty sweep is a transaction of its own: most turns queue nothing).

A mapper event marks the box of the turn in progress (a context variable, set around the
engine's call) when an outbox row is inserted. Rows queued elsewhere — another process, a
reminder job — are found by the service's periodic sweep.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from sqlalchemy import event

from models.records import OutboundMessage

_box: ContextVar[list[bool] | None] = ContextVar("planbot_line_outbox_queued", default=None)


@event.listens_for(OutboundMessage, "after_insert")
def _queued(_mapper: Any, _connection: Any, _target: Any) -> None:
    box = _box.get()
    if box is not None:
        box[0] = True


@contextmanager
def watch() -> Iterator[list[bool]]:
    """``box[0]`` is true after the block if it inserted an outbox row (even one rolled back)."""
    box = [False]
    token = _box.set(box)
    try:
        yield box
    finally:
        _box.reset(token)

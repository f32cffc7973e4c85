"""What a log line is about: the platform event, the channel and the organization of a turn.

A channel's worker opens the turn's context (``about``: the event and channel), the engine
opens it where no worker did (the console) and fills in what the worker left out, and the
turn adds the organization once it knows the speaker's. The log formatter (``bot.logs``)
reads it, so every line written while a turn runs — by planbot or a library it calls, and
the worker's own lines after the engine returned (the reply) — says which turn it belongs
to. It is a context variable, which follows asyncio tasks, so turns side by side never mix.
Plain standard library, in the lowest layer, so that any layer can use it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

FIELDS = ("event", "channel", "org")
_TURN: ContextVar[dict[str, str | None] | None] = ContextVar("planbot_turn", default=None)


@contextmanager
def about(*, event: str | None = None, channel: str | None = None) -> Iterator[None]:
    """Within the block, log lines name this event and channel (and the org, once set).

    Inside an open block (the engine inside a worker's), only fills what is missing, and
    the outer block keeps what the inner one learnt (the org) until it closes.
    """
    outer = _TURN.get()
    if outer is not None:
        outer["event"] = outer["event"] or event
        outer["channel"] = outer["channel"] or channel
        yield
        return
    token = _TURN.set({"event": event, "channel": channel, "org": None})
    try:
        yield
    finally:
        _TURN.reset(token)


def set_orgs(org_ids: list[int]) -> None:
    """The organizations the turn is about (the speaker's, ``,``-joined); outside a turn,
    nothing."""
    turn = _TURN.get()
    if turn is not None:
        turn["org"] = ",".join(str(i) for i in org_ids) or None


def current() -> dict[str, str | None]:
    turn = _TURN.get()
    return dict(turn) if turn is not None else dict.fromkeys(FIELDS)

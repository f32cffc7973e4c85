"""Button data: compact, versioned strings that fit Telegram's 64 bytes and LINE's 300 chars.

Two kinds:
- form buttons ``1|f|<ask>|<n>`` answer the question numbered ``ask`` of the person's form
  with choice ``n`` (or a navigation word); pressed on an older question, they are stale;
- action buttons ``1|x|<action>|<id>[|<arg>]`` act on an object by id (withdraw project 12);
  the handler checks the object's current state, so an old button cannot act twice.
"""

from __future__ import annotations

from dataclasses import dataclass

VERSION = "1"
SEP = "|"


@dataclass(frozen=True)
class FormPress:
    ask: int
    choice: str  # a choice index as text, or a navigation word: back, skip, cancel …


@dataclass(frozen=True)
class ActionPress:
    action: str
    object_id: int
    arg: str | None = None


def form_button(ask: int, choice: int | str) -> str:
    return SEP.join((VERSION, "f", str(ask), str(choice)))


def action_button(action: str, object_id: int, arg: str | None = None) -> str:
    parts = [VERSION, "x", action, str(object_id)]
    if arg is not None:
        parts.append(arg)
    return SEP.join(parts)


def decode(data: str) -> FormPress | ActionPress | None:
    """Read button data; anything unknown (an older version, garbage) is ``None``."""
    parts = data.split(SEP)
    if len(parts) < 4 or parts[0] != VERSION:
        return None
    try:
        if parts[1] == "f" and len(parts) == 4:
            return FormPress(ask=int(parts[2]), choice=parts[3])
        if parts[1] == "x" and len(parts) in (4, 5):
            return ActionPress(
                action=parts[2], object_id=int(parts[3]), arg=parts[4] if len(parts) == 5 else None
            )
    except ValueError:
        return None
    return None

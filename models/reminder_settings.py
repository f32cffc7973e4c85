"""An organization's reminder settings: which days before a deadline people are reminded.

Stored on the organization (a JSON column; what is not stored takes the default), changed by
the plan officer in chat (``handlers.reminder_settings``). The defaults are issue #12's:
preparation at D−14, D−7, D−3, D−1 and on D; submitters' collection cutoff at D−10, reminded
three days and one day before it; posting at D−7, D−3, D−1 and on D; overdue reminders every
working day; the committee and the executive every working morning while they are awaited.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

MAX_DAYS_BEFORE = 60  # a reminder further ahead than this is not a reminder


@dataclass(frozen=True)
class ReminderSettings:
    preparation_days: tuple[int, ...] = (14, 7, 3, 1, 0)  # days before the 30-day deadline
    collection_cutoff: int = 10  # submissions close this many days before that deadline
    collection_days: tuple[int, ...] = (3, 1)  # days before the cutoff, to those not yet in
    posting_days: tuple[int, ...] = (7, 3, 1, 0)  # days before the 15-day posting deadline
    overdue: bool = True  # every working day after a deadline, the executive too
    committee: bool = True  # each working morning to members who have not voted
    executive: bool = True  # each working morning while an approved draft waits
    removal: bool = True  # the day the 30 days of posting are over
    # new submissions reach the support committee gathered: at most one notice per this many
    # minutes (0: each at once; 1440: once a day, in the morning)
    submission_digest: int = 60

    @classmethod
    def from_json(cls, stored: dict[str, Any] | None) -> ReminderSettings:
        """The stored values over the defaults; anything unreadable keeps its default."""
        defaults = cls()
        if not stored:  # most organizations: nothing changed
            return defaults
        values: dict[str, Any] = {}
        for field in dataclasses.fields(cls):
            raw = (stored or {}).get(field.name)
            value = _read(getattr(defaults, field.name), raw)
            if value is not None:
                values[field.name] = value
        return cls(**values)

    def to_json(self) -> dict[str, Any]:
        """Only what differs from the defaults (a changed default then reaches everyone)."""
        defaults = ReminderSettings()
        return {
            f.name: list(v) if isinstance(v, tuple) else v
            for f in dataclasses.fields(self)
            if (v := getattr(self, f.name)) != getattr(defaults, f.name)
        }


def days_list(values: Any) -> tuple[int, ...] | None:
    """Days before a deadline, largest first, without repeats; None if not such a list."""
    if not isinstance(values, list | tuple) or not all(
        isinstance(v, int) and not isinstance(v, bool) for v in values
    ):
        return None
    if any(v < 0 or v > MAX_DAYS_BEFORE for v in values):
        return None
    return tuple(sorted(set(values), reverse=True))


def _read(default: Any, raw: Any) -> Any:
    if raw is None:
        return None
    if isinstance(default, bool):
        return raw if isinstance(raw, bool) else None
    if isinstance(default, int):
        ok = isinstance(raw, int) and not isinstance(raw, bool) and 0 <= raw <= MAX_DAYS_BEFORE
        return raw if ok else None
    return days_list(raw)

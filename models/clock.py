"""Time, injected: every rule asks a clock, so tests travel in time instead of sleeping."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Protocol
from zoneinfo import ZoneInfo

BANGKOK = ZoneInfo("Asia/Bangkok")


class Clock(Protocol):
    """Anything that tells the current instant and the local date of the organization."""

    tz: tzinfo

    def now(self) -> datetime: ...

    def today(self) -> date: ...


class SystemClock:
    """The real clock; ``today`` is the date in Thailand, not on the server."""

    def __init__(self, tz: tzinfo = BANGKOK) -> None:
        self.tz = tz

    def now(self) -> datetime:
        return datetime.now(UTC)

    def today(self) -> date:
        return self.now().astimezone(self.tz).date()


class FixedClock:
    """A clock that stands still until told to move; for tests and scripted demos."""

    def __init__(self, start: datetime, tz: tzinfo = BANGKOK) -> None:
        if start.tzinfo is None:
            start = start.replace(tzinfo=tz)
        self._now = start
        self.tz = tz

    def now(self) -> datetime:
        return self._now

    def today(self) -> date:
        return self._now.astimezone(self.tz).date()

    def advance(self, delta: timedelta) -> None:
        self._now += delta

    def set(self, moment: datetime) -> None:
        self._now = moment if moment.tzinfo else moment.replace(tzinfo=self.tz)

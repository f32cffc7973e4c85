"""The running pieces every entry point needs, built once from the settings.

The database modules are imported when a runtime is made, not with this module: a command
that only counts days (``planbot deadline``) needs the calendar, not the ORM.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot.settings import Settings
from models.clock import Clock, SystemClock
from models.days_off import DaysOff

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
    from sqlmodel.ext.asyncio.session import AsyncSession

    from models.retention import Policy
    from scheduler.dispatch import QuietHours
    from scheduler.jobs import Clockwork


@dataclass
class Runtime:
    """Engine, sessions, clock and the days-off calendar, shared by CLI, web app and chat."""

    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    clock: Clock
    days_off: DaysOff = field(repr=False)

    @classmethod
    def from_settings(
        cls, settings: Settings, *, database_url: str | None = None, clock: Clock | None = None
    ) -> Runtime:
        from models import db

        engine = db.make_engine(database_url or settings.database_url)
        return cls(
            settings=settings,
            engine=engine,
            sessions=db.session_factory(engine),
            clock=clock or SystemClock(settings.tz),
            days_off=cls.days_off_from(settings),
        )

    @staticmethod
    def days_off_from(settings: Settings) -> DaysOff:
        """The legal calendar: the holidays library plus the operator's own file, counting
        deadlines by the configured rule."""
        return DaysOff(settings.extra_holidays_file, rule=settings.deadline_rule)

    def clockwork(self, **extra: Any) -> Clockwork:
        """What the scheduler's jobs work with (``scheduler.jobs``)."""
        from scheduler.jobs import Clockwork

        return Clockwork(
            engine=self.engine,
            sessions=self.sessions,
            clock=self.clock,
            days_off=self.days_off,
            reminder_time=self.settings.reminder_time,
            retention=self.retention_policy(),
            documents_dir=self.settings.documents_dir,
            **extra,
        )

    def retention_policy(self) -> Policy:
        """How long each kind of data is kept (``PLANBOT_RETAIN_<KIND>_DAYS``)."""
        from models.retention import Policy

        settings = self.settings
        return Policy(**{k: getattr(settings, f"retain_{k}_days") for k in Policy.kinds()})

    def quiet_hours(self) -> QuietHours:
        """When nothing but answers is pushed (PLANBOT_QUIET_HOURS_START/END, local time)."""
        from scheduler.dispatch import QuietHours

        return QuietHours(self.settings.quiet_hours_start, self.settings.quiet_hours_end)

    async def prepare_database(self) -> None:
        """SQLite (the embedded default) migrates itself; PostgreSQL is migrated by the operator."""
        from models import db

        if db.is_sqlite(self.engine.url):
            await db.upgrade(self.engine)
        else:
            await db.require_current(self.engine)

    async def close(self) -> None:
        await self.engine.dispose()

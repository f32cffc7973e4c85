"""Which process leads: one scheduler queues the reminders, however many are running.

On PostgreSQL the leader holds a session-level advisory lock (``pg_try_advisory_lock``) on a
connection of its own, in autocommit (no transaction held open). If the leader dies, its
connection closes and PostgreSQL frees the lock; a follower asks again every ``retry``
seconds (15 by default), so another process takes over within that time — well within a
minute. TCP keepalives on the connection make a machine that vanished without closing it
count as gone after about half a minute rather than the system's two hours. The leader
checks its connection on every tick and steps down if it is lost.

SQLite is the embedded, one-machine database: the process that runs the scheduler leads.
Sending is not the leader's alone: every process may deliver the outbox (claims never
overlap), so a second process adds sending capacity, not duplicates.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from models import db

log = logging.getLogger(__name__)

LOCK_KEY = 0x706C616E626F74  # "planbot" as a number: the advisory lock's key
KEEPALIVES = {"tcp_keepalives_idle": "10", "tcp_keepalives_interval": "5"}


class Leadership:
    """The advisory lock, asked for and held."""

    def __init__(self, engine: AsyncEngine, key: int = LOCK_KEY) -> None:
        self.engine = engine
        self.key = key
        self._connection: AsyncConnection | None = None
        self.leading = False

    async def try_lead(self) -> bool:
        """Lead if no one does; keep leading if still connected. Never raises."""
        if db.is_sqlite(self.engine.url):
            self.leading = True
            return True
        try:
            if self._connection is not None:
                await self._connection.execute(sa.text("SELECT 1"))
                return True
            await self._acquire()
        except Exception as exc:  # the database went away: whoever reconnects first leads
            log.warning("scheduler leadership lost or not taken: %s", exc)
            await self._drop()
        return self.leading

    async def _acquire(self) -> None:
        connection = await self.engine.connect()
        try:
            connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
            for name, value in KEEPALIVES.items():
                await connection.execute(sa.text(f"SET {name} = {int(value)}"))
            taken = await connection.scalar(
                sa.text("SELECT pg_try_advisory_lock(:key)"), {"key": self.key}
            )
        except BaseException:
            await connection.close()
            raise
        if not taken:
            await connection.close()
            return
        self._connection = connection
        self.leading = True
        log.info("this process leads the scheduler (advisory lock %#x)", self.key)

    async def release(self) -> None:
        """Step down (at shutdown): close the connection, which frees the lock."""
        if self._connection is not None:
            try:
                await self._connection.execute(
                    sa.text("SELECT pg_advisory_unlock(:key)"), {"key": self.key}
                )
            except Exception:  # closing frees it anyway
                log.debug("advisory unlock failed", exc_info=True)
        await self._drop()

    async def _drop(self) -> None:
        connection, self._connection = self._connection, None
        self.leading = False
        if connection is not None:
            try:
                await connection.close()
            except Exception:
                log.debug("closing the leadership connection failed", exc_info=True)

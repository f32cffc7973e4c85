"""The LINE inbox: verified webhook events stored before LINE gets its 200, worked off after.

LINE counts a webhook answered later than about two seconds as failed, while a turn of the
conversation (plus its reply) may take longer under load; so the request only stores the
events and returns. A crash after that loses nothing: rows still ``pending`` are picked up
when the service starts (and by a periodic sweep). ``(channel, event_id)`` is unique, so a
redelivery of an event already stored is dropped at insert — exactly once, by
``webhookEventId`` — while an unseen redelivered event is stored and handled once.

Only what the work needs is kept (PDPA): an event the bot will not act on (a group's
chatter, a type it ignores) is stored as its id alone, already done; a handled event loses
its content when it is marked done. Only the ids stay, to know a redelivery; a row given
up on keeps its content for the operator until the retention pass (``models.retention``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine

from models.clock import Clock
from models.enums import Channel
from models.records import InboxEvent

PENDING, DONE, FAILED = "pending", "done", "failed"
MAX_ATTEMPTS = 5
MAX_ERROR_CHARS = 2000


@dataclass(frozen=True)
class InboxItem:
    id: int
    event_id: str
    payload: dict[str, Any]
    received_at: datetime
    attempts: int = 0


def event_id_of(payload: dict[str, Any]) -> str:
    """``webhookEventId``; an event without one (never seen from LINE) gets a content hash."""
    found = payload.get("webhookEventId")
    if isinstance(found, str) and 0 < len(found) <= 100:
        return found
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()
    return "sha256:" + hashlib.sha256(canonical).hexdigest()[:64]


TABLE: sa.Table = InboxEvent.__table__  # type: ignore[attr-defined]


class Inbox:
    """Inbox rows of one channel.

    Plain SQL on the engine rather than ORM sessions: these statements run on every webhook
    and every event, and an ORM session costs several times the statement itself.
    """

    def __init__(self, engine: AsyncEngine, clock: Clock, channel: Channel = Channel.LINE) -> None:
        self.engine = engine
        self.clock = clock
        self.channel = channel
        dialect = engine.dialect.name
        self._insert = postgresql.insert if dialect == "postgresql" else sqlite.insert

    async def store(
        self, events: Iterable[dict[str, Any]], *, ignored: Iterable[int] = ()
    ) -> list[InboxItem]:
        """Store the events of one delivery in one transaction; return the ones new to us
        that are to be handled. The events at the positions in ``ignored`` are stored as
        their id only, already done (a redelivery of them is then known too)."""
        now = self.clock.now()
        skip = set(ignored)
        stored: list[InboxItem] = []
        async with self.engine.begin() as connection:
            for position, payload in enumerate(events):
                event_id = event_id_of(payload)
                kept = position not in skip
                statement = (
                    self._insert(TABLE)
                    .values(
                        channel=self.channel,
                        event_id=event_id,
                        payload=payload if kept else {},
                        status=PENDING if kept else DONE,
                        attempts=0,
                        received_at=now,
                        processed_at=None if kept else now,
                    )
                    .on_conflict_do_nothing(index_elements=["channel", "event_id"])
                    .returning(TABLE.c.id)
                )
                row = (await connection.execute(statement)).first()
                if row is not None and kept:
                    stored.append(InboxItem(row[0], event_id, payload, now))
        return stored

    async def pending(
        self, *, older_than: timedelta | None = None, limit: int = 500
    ) -> list[InboxItem]:
        """Rows not yet handled, oldest first (at start-up: everything a crash left)."""
        c = TABLE.c
        conditions = [
            c.channel == self.channel,
            c.status == PENDING,
            c.attempts < MAX_ATTEMPTS,
        ]
        if older_than is not None:
            conditions.append(c.received_at <= self.clock.now() - older_than)
        statement = (
            sa.select(c.id, c.event_id, c.payload, c.received_at, c.attempts)
            .where(*conditions)
            .order_by(c.id)
            .limit(limit)
        )
        async with self.engine.connect() as connection:
            rows = (await connection.execute(statement)).all()
        return [
            InboxItem(r.id, r.event_id, dict(r.payload), r.received_at, r.attempts) for r in rows
        ]

    async def mark_done(self, ids: Iterable[int]) -> None:
        ids = list(ids)
        if not ids:
            return
        async with self.engine.begin() as connection:
            await connection.execute(
                sa.update(TABLE)
                .where(TABLE.c.id.in_(ids))
                .values(
                    status=DONE,
                    processed_at=self.clock.now(),
                    attempts=TABLE.c.attempts + 1,
                    payload={},  # handled: what was said is no longer needed
                )
            )

    async def mark_failed(self, item_id: int, error: str) -> None:
        """Count a failed try; after ``MAX_ATTEMPTS`` the row is ``failed`` for good."""
        c = TABLE.c
        async with self.engine.begin() as connection:
            await connection.execute(
                sa.update(TABLE)
                .where(c.id == item_id)
                .values(
                    attempts=c.attempts + 1,
                    last_error=error[:MAX_ERROR_CHARS],
                    status=sa.case((c.attempts + 1 >= MAX_ATTEMPTS, FAILED), else_=PENDING),
                )
            )

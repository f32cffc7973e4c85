"""The conversation engine: one turn per incoming message, exactly once, in order, durable.

For each message: record the platform event id (a redelivery is ignored), find or create
the chat account, load the saved state, dispatch, and write the state back with a version
check, all in one transaction. Messages from one account are handled one at a time: in this
process by a lock, across processes (workers) by taking the account's turn lock first in
the transaction (a PostgreSQL advisory lock; SQLite lets one writer in at a time anyway),
so a second worker's turn waits and then reads the fresh state. The version check stays as
the safety net: a turn that still finds the state changed under it is retried. A handler
that fails answers "ขออภัย เกิดข้อผิดพลาด" and the error is logged with the event id;
nothing escapes to the channel.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

import handlers  # noqa: F401 — registers every flow
from handlers import metrics, router
from handlers.context import State, Turn
from handlers.messages import Incoming, Outgoing, Text
from models import db, logcontext
from models.clock import Clock
from models.days_off import DaysOff
from models.org import ChannelAccount, Person
from models.records import ConversationState, ProcessedEvent

log = logging.getLogger(__name__)

TEXT = {
    "sorry": "ขออภัย เกิดข้อผิดพลาด — กรุณาลองใหม่อีกครั้ง หากยังไม่ได้ กรุณาแจ้งเจ้าหน้าที่",
    "expired_form": "⏰ แบบฟอร์มที่ค้างไว้หมดอายุแล้ว (ไม่มีการตอบเกิน 24 ชั่วโมง) — เริ่มใหม่ได้ทุกเมื่อ",
}
MAX_ATTEMPTS = 5
TURN_LOCK = 0x706C6E74  # the advisory-lock namespace of conversation turns ("plnt")
LAST_SEEN_EVERY = timedelta(minutes=5)  # last_seen_at is for 'who was here lately', not a log


class StaleState(Exception):
    """Another worker changed this account's state (or created its account) meanwhile."""


class DuplicateEvent(Exception):
    """The platform delivered an event we have already handled."""


class Engine:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        days_off: DaysOff,
        *,
        after_commit: Callable[[], Awaitable[Any]] | None = None,
        documents_dir: Path | None = None,
    ) -> None:
        self.sessions = sessions
        self.documents_dir = documents_dir or Path("planbot-documents")
        self.clock = clock
        self.days_off = days_off
        self.after_commit = after_commit
        self._locks: dict[tuple[str, str], asyncio.Lock] = {}

    async def handle(self, incoming: Incoming) -> list[Outgoing]:
        """Answer one message; never raises."""
        key = (incoming.channel.value, incoming.account_id)
        lock = self._locks.setdefault(key, asyncio.Lock())
        with logcontext.about(event=incoming.event_id, channel=incoming.channel.value):
            started = time.perf_counter()
            async with lock:
                messages = await self._handle_locked(incoming)
            seconds = time.perf_counter() - started
            log.debug("turn answered with %d messages in %.3f s", len(messages), seconds)
            metrics.turn_done(incoming.channel, seconds, len(messages))
            return messages

    async def _handle_locked(self, incoming: Incoming) -> list[Outgoing]:
        try:
            return await self._handle_with_retries(incoming)
        except DuplicateEvent:
            log.info("duplicate event %s ignored", incoming.event_id)
            return []
        except Exception:
            log.exception(
                "turn failed: channel=%s account=%s event=%s",
                incoming.channel,
                incoming.account_id,
                incoming.event_id,
            )
            await self._mark_processed(incoming)
            return [Text(TEXT["sorry"])]

    async def _handle_with_retries(self, incoming: Incoming) -> list[Outgoing]:
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                messages = await self._turn(incoming)
            except StaleState:
                log.info("state changed under turn (attempt %d), retrying", attempt)
                await asyncio.sleep(0.01 * attempt)
                continue
            except DBAPIError as exc:
                if not db.is_transient(exc) or attempt == MAX_ATTEMPTS:
                    raise
                log.info("transient database error (attempt %d), retrying: %s", attempt, exc.orig)
                await asyncio.sleep(0.01 * attempt)
                continue
            if self.after_commit is not None:
                await self.after_commit()
            return messages
        raise RuntimeError(f"state kept changing for {incoming.account_id}")

    async def _turn(self, incoming: Incoming) -> list[Outgoing]:
        async with self.sessions() as session, session.begin():
            await db.hold_lock(session, TURN_LOCK, f"{incoming.channel}:{incoming.account_id}")
            if incoming.event_id:
                await self._record_event(session, incoming)
            account, person, loaded = await self._speaker(session, incoming)
            state = loaded.state()
            prefix: list[Outgoing] = []
            if state.flow and state.expires_at and state.expires_at <= self.clock.now():
                state.clear()
                prefix.append(Text(TEXT["expired_form"]))
            turn = Turn(session, self.clock, self.days_off, incoming, account, person, state)
            turn.documents_dir = self.documents_dir
            try:
                messages = await router.dispatch(turn)
                await session.flush()
            except IntegrityError as exc:  # lost a race for a unique key (a running number…)
                raise StaleState from exc
            await self._save_state(session, account, loaded, turn.state)
            return prefix + messages

    async def _record_event(self, session: AsyncSession, incoming: Incoming) -> None:
        """Insert the event id, or learn it was seen: one statement, no savepoint (hot path)."""
        table = ProcessedEvent.__table__  # type: ignore[attr-defined]
        insert = pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
        statement = (
            insert(table)
            .values(
                channel=incoming.channel,
                event_id=incoming.event_id,
                received_at=self.clock.now(),
            )
            .on_conflict_do_nothing(index_elements=["channel", "event_id"])
        )
        result = await session.exec(statement)
        if result.rowcount == 0:
            raise DuplicateEvent

    async def _mark_processed(self, incoming: Incoming) -> None:
        """After a failed turn, remember the event so a redelivery does not fail again."""
        if not incoming.event_id:
            return
        try:
            async with self.sessions() as session, session.begin():
                await self._record_event(session, incoming)
        except Exception:  # already recorded, or the database is down: nothing more to do
            log.debug("could not mark event %s processed", incoming.event_id, exc_info=True)

    async def _speaker(
        self, session: AsyncSession, incoming: Incoming
    ) -> tuple[ChannelAccount, Person | None, LoadedState]:
        """The chat account, its person and its saved state, in one query (the hot path)."""
        found = (
            await session.exec(
                select(ChannelAccount, Person, ConversationState)
                .outerjoin(Person, Person.id == ChannelAccount.person_id)  # type: ignore[arg-type]
                .outerjoin(
                    ConversationState,
                    ConversationState.account_id == ChannelAccount.id,  # type: ignore[arg-type]
                )
                .where(
                    ChannelAccount.channel == incoming.channel,
                    ChannelAccount.external_id == incoming.account_id,
                )
            )
        ).first()
        now = self.clock.now()
        if found is None:
            account = ChannelAccount(
                channel=incoming.channel,
                external_id=incoming.account_id,
                display_name=incoming.display_name,
                created_at=now,
                last_seen_at=now,
            )
            try:
                async with session.begin_nested():
                    session.add(account)
            except IntegrityError as exc:  # created by a concurrent turn: start over
                raise StaleState from exc
            return account, None, LoadedState(None)
        account, person, row = found
        if account.last_seen_at is None or now - account.last_seen_at >= LAST_SEEN_EVERY:
            account.last_seen_at = now
        if incoming.display_name and account.display_name != incoming.display_name:
            account.display_name = incoming.display_name
        if not account.active:
            account.active = True  # they wrote to us again (e.g. re-followed on LINE)
        if row is not None:
            session.expunge(row)  # written back explicitly, with the version check
        return account, person, LoadedState(row)

    async def _save_state(
        self,
        session: AsyncSession,
        account: ChannelAccount,
        loaded: LoadedState,
        state: State,
    ) -> None:
        """Write the state back, version-checked; a turn that changed nothing writes nothing."""
        if loaded.unchanged(state):
            return
        values = {
            "flow": state.flow,
            "step": state.step,
            "data": state.data,
            "expires_at": state.expires_at,
            "updated_at": self.clock.now(),
        }
        table = ConversationState.__table__  # type: ignore[attr-defined]
        row = loaded.row
        if row is None:
            try:
                async with session.begin_nested():
                    await session.exec(
                        sa.insert(table).values(account_id=account.id, version=1, **values)
                    )
            except IntegrityError as exc:
                raise StaleState from exc
            return
        result = await session.exec(
            sa.update(table)
            .where(table.c.id == row.id, table.c.version == row.version)
            .values(version=row.version + 1, **values)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise StaleState


class LoadedState:
    """The saved state as read at the start of a turn, to tell whether the turn changed it.

    Compared as JSON text taken at load time, because handlers may change nested parts of
    ``data`` in place; skipping an unchanged write saves a statement on most turns that
    only read (status, lists, help) and loses nothing: with no change there is no update
    that a concurrent turn could overwrite.
    """

    def __init__(self, row: ConversationState | None) -> None:
        self.row = row
        self._snapshot = _fingerprint(
            row.flow if row else None,
            row.step if row else None,
            (row.data or {}) if row else {},
            row.expires_at if row else None,
        )

    def state(self) -> State:
        row = self.row
        if row is None:
            return State()
        data = dict(row.data or {})  # nested parts are shared: unchanged() compares text
        return State(flow=row.flow, step=row.step, data=data, expires_at=row.expires_at)

    def unchanged(self, state: State) -> bool:
        return self._snapshot == _fingerprint(state.flow, state.step, state.data, state.expires_at)


def _fingerprint(
    flow: str | None, step: str | None, data: dict[str, Any], expires_at: datetime | None
) -> str:
    expires = expires_at.isoformat() if expires_at else None
    return json.dumps([flow, step, data, expires], sort_keys=True, default=str)

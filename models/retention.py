"""How long each kind of data is kept, and the daily pass that deletes what is older.

The PDPA's rule is to keep personal data no longer than its purpose needs (ม.37(3)). Each
kind below has a default an operator may change (``PLANBOT_RETAIN_<KIND>_DAYS``; 0 keeps
that kind for ever); the README's table says why each default is what it is.

==================  =======  =================================================================
kind                default  what is deleted once older
==================  =======  =================================================================
handled_events      30 d     LINE inbox rows handled or given up on, and the event ids kept
                             to recognise redeliveries (LINE redelivers within hours)
notices             90 d     outbox rows sent or given up on (their text names people)
conversations       30 d     conversation states untouched that long (forms expire in 24 h)
join_attempts       30 d     the counters of wrong invite codes
strangers           90 d     chat accounts of people who never joined (or erased their data),
                             silent that long, with what hangs on them
refusals            365 d    audit rows of refused actions and refused invite codes
audit               3650 d   the rest of the audit trail (official records: ten years)
exports             1 d      the files ข้อมูลของฉัน wrote (documents directory, ``personal/``)
==================  =======  =================================================================

What the organization must keep as the plan — plans, projects, drafts, votes, editions —
is not touched. ``run`` is a plain function: ``planbot retention run`` calls it, and the
scheduler runs it daily.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from models.clock import Clock
from models.records import (
    AuditEvent,
    ConversationState,
    InboxEvent,
    JoinAttempt,
    OutboundMessage,
    ProcessedEvent,
)

log = logging.getLogger(__name__)

EXPORTS_DIR = "personal"  # under the documents directory (handlers.mydata writes there)
REFUSALS = ("join.refused", "join.limited")  # and every "denied:…"


@dataclass(frozen=True)
class Policy:
    """Days each kind is kept; 0 keeps it for ever."""

    handled_events: int = 30
    notices: int = 90
    conversations: int = 30
    join_attempts: int = 30
    strangers: int = 90  # after the kinds above: it also deletes what hangs on an account
    refusals: int = 365
    audit: int = 3650
    exports: int = 1

    @classmethod
    def kinds(cls) -> list[str]:
        return [f.name for f in fields(cls)]


def _tables() -> dict[str, sa.Table]:
    return {
        model.__tablename__: model.__table__  # type: ignore[attr-defined]
        for model in (
            AuditEvent,
            ConversationState,
            InboxEvent,
            JoinAttempt,
            OutboundMessage,
            ProcessedEvent,
        )
    }


async def run(
    engine: AsyncEngine,
    clock: Clock,
    policy: Policy,
    documents_dir: Path,
    *,
    dry_run: bool = False,
) -> dict[str, int]:
    """Delete what each kind keeps too long (or only count it); rows per kind."""
    now = clock.now()
    started = time.perf_counter()
    done: dict[str, int] = {}
    async with engine.begin() as connection:
        for kind in Policy.kinds():
            days = getattr(policy, kind)
            if days <= 0:
                continue
            cutoff = now - timedelta(days=days)
            if kind == "exports":
                done[kind] = _old_files(documents_dir / EXPORTS_DIR, cutoff, dry_run)
            else:
                done[kind] = await _PASSES[kind](connection, cutoff, dry_run)
        if dry_run:
            await connection.rollback()
    log.info(
        "retention %s in %.2f s: %s",
        "counted" if dry_run else "done",
        time.perf_counter() - started,
        ", ".join(f"{k}={v}" for k, v in done.items()),
    )
    return done


async def _remove(connection: Any, table: sa.Table, where: Any, dry_run: bool) -> int:
    if dry_run:
        counted = await connection.execute(
            sa.select(sa.func.count()).select_from(table).where(where)
        )
        return int(counted.scalar_one())
    return int((await connection.execute(sa.delete(table).where(where))).rowcount or 0)


async def _handled_events(connection: Any, cutoff: datetime, dry_run: bool) -> int:
    t = _tables()
    inbox, seen = t["inbox_event"], t["processed_event"]
    finished = inbox.c.status.in_(["done", "failed"]) & (inbox.c.received_at < cutoff)
    removed = await _remove(connection, inbox, finished, dry_run)
    return removed + await _remove(connection, seen, seen.c.received_at < cutoff, dry_run)


async def _notices(connection: Any, cutoff: datetime, dry_run: bool) -> int:
    outbox = _tables()["outbound_message"]
    over = outbox.c.status.in_(["sent", "failed"]) & (outbox.c.created_at < cutoff)
    return await _remove(connection, outbox, over, dry_run)


async def _conversations(connection: Any, cutoff: datetime, dry_run: bool) -> int:
    state = _tables()["conversation_state"]
    return await _remove(connection, state, state.c.updated_at < cutoff, dry_run)


async def _strangers(connection: Any, cutoff: datetime, dry_run: bool) -> int:
    """Accounts with nobody behind them, silent since ``cutoff``, and what hangs on them."""
    from models.org import ChannelAccount

    accounts: sa.Table = ChannelAccount.__table__  # type: ignore[attr-defined]
    last = sa.func.coalesce(accounts.c.last_seen_at, accounts.c.created_at)
    silent = sa.select(accounts.c.id).where(accounts.c.person_id.is_(None), last < cutoff)
    t = _tables()
    if not dry_run:
        for name in ("conversation_state", "outbound_message", "join_attempt"):
            table = t[name]
            await connection.execute(sa.delete(table).where(table.c.account_id.in_(silent)))
    return await _remove(connection, accounts, accounts.c.id.in_(silent), dry_run)


async def _join_attempts(connection: Any, cutoff: datetime, dry_run: bool) -> int:
    attempts = _tables()["join_attempt"]
    return await _remove(connection, attempts, attempts.c.last_at < cutoff, dry_run)


def _is_refusal(audit: sa.Table) -> Any:
    return audit.c.action.like("denied:%") | audit.c.action.in_(REFUSALS)


async def _refusals(connection: Any, cutoff: datetime, dry_run: bool) -> int:
    audit = _tables()["audit_event"]
    return await _remove(connection, audit, _is_refusal(audit) & (audit.c.at < cutoff), dry_run)


async def _audit(connection: Any, cutoff: datetime, dry_run: bool) -> int:
    audit = _tables()["audit_event"]
    return await _remove(connection, audit, ~_is_refusal(audit) & (audit.c.at < cutoff), dry_run)


def _old_files(folder: Path, cutoff: datetime, dry_run: bool) -> int:
    if not folder.is_dir():
        return 0
    old = [p for p in folder.iterdir() if p.is_file() and p.stat().st_mtime < cutoff.timestamp()]
    if not dry_run:
        for path in old:
            path.unlink(missing_ok=True)
    return len(old)


_PASSES: dict[str, Callable[[Any, datetime, bool], Any]] = {
    "handled_events": _handled_events,
    "notices": _notices,
    "conversations": _conversations,
    "strangers": _strangers,
    "join_attempts": _join_attempts,
    "refusals": _refusals,
    "audit": _audit,
}

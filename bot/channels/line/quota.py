"""LINE's monthly message quota: counting pushes, and warning the plan officers at 80 %.

Replies are free; every push counts against the official account's monthly quota, and
once it is used up reminders and vote requests silently stop reaching people. So each push
is counted per month (``PushUsage``, in the transaction that marks its outbox row sent),
LINE's own figures are fetched now and then (other tools may push on the same account),
and when the larger of the two crosses 80 % of the quota every plan officer gets one
notice for that month.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.messages import Text, to_payload
from models import outbox
from models.clock import Clock
from models.enums import Channel, Role
from models.org import ChannelAccount, Membership
from models.records import PushUsage

log = logging.getLogger(__name__)

WARN_AT = 0.8

TEXT = {
    "warning": (
        "⚠️ โควตาข้อความ LINE เดือนนี้ใช้ไปแล้ว {used:,} จาก {limit:,} ข้อความ ({percent}%)\n"
        "เมื่อครบโควตา planbot จะส่งการแจ้งเตือนและคำขอลงมติทาง LINE ไม่ได้จนถึงต้นเดือนหน้า "
        "(การตอบข้อความที่ผู้ใช้ส่งมายังใช้ได้ตามปกติ) — กรุณาพิจารณาเพิ่มโควตาใน "
        "LINE Official Account Manager"
    ),
}


def month_of(moment: datetime, clock: Clock) -> str:
    """``YYYY-MM`` in the organizations' timezone (Asia/Bangkok)."""
    return moment.astimezone(clock.tz).strftime("%Y-%m")


async def count_pushes(
    session: AsyncSession, clock: Clock, n: int = 1, *, channel: Channel = Channel.LINE
) -> int:
    """Add ``n`` pushes to this month's count in ``session``'s transaction; return the total."""
    table = PushUsage.__table__  # type: ignore[attr-defined]
    bind = session.get_bind()
    insert = postgresql.insert if bind.dialect.name == "postgresql" else sqlite.insert
    statement = (
        insert(table)
        .values(channel=channel, month=month_of(clock.now(), clock), count=n)
        .on_conflict_do_update(
            index_elements=["channel", "month"], set_={"count": table.c.count + n}
        )
        .returning(table.c.count)
    )
    row = (await session.exec(statement)).one()  # type: ignore[call-overload]
    return int(row[0])


async def pushes_this_month(
    sessions: async_sessionmaker[AsyncSession], clock: Clock, channel: Channel = Channel.LINE
) -> int:
    async with sessions() as session:
        found = (
            await session.exec(
                select(PushUsage.count).where(
                    PushUsage.channel == channel, PushUsage.month == month_of(clock.now(), clock)
                )
            )
        ).first()
    return int(found or 0)


@dataclass
class QuotaWatch:
    """LINE's latest figures, and whether this month's warning has been queued.

    Between two fetches LINE's count is estimated as the fetched figure plus the pushes
    made since, so a burst of notices is warned about without asking LINE each time.
    """

    limit: int | None = None  # None: unknown yet, or LINE sets no limit
    line_used: int = 0
    pushed_since_fetch: int = 0
    warned_month: str | None = None

    def fetched(self, limit: int | None, used: int) -> None:
        self.limit, self.line_used, self.pushed_since_fetch = limit, used, 0

    def used(self, counted: int) -> int:
        return max(counted, self.line_used + self.pushed_since_fetch)

    def crossed(self, counted: int) -> bool:
        if self.limit is None or self.limit <= 0:
            return False
        return self.used(counted) >= WARN_AT * self.limit

    async def after_push(
        self, session: AsyncSession, clock: Clock, counted: int, pushed: int = 1
    ) -> int:
        """Queue the month's warning (in ``session``) if usage crossed 80 %; return how many."""
        self.pushed_since_fetch += pushed
        month = month_of(clock.now(), clock)
        if self.warned_month == month or not self.crossed(counted):
            return 0
        assert self.limit is not None
        queued = await warn_officers(session, clock, self.used(counted), self.limit, month)
        self.warned_month = month
        return queued


async def warn_officers(
    session: AsyncSession, clock: Clock, used: int, limit: int, month: str
) -> int:
    """One notice per plan officer per month (the dedupe key carries the month)."""
    rows = await session.exec(
        select(Membership.person_id, ChannelAccount)
        .join(ChannelAccount, ChannelAccount.person_id == Membership.person_id)
        .where(Membership.role == Role.PLAN_OFFICER, Membership.active, ChannelAccount.active)
        .order_by(
            Membership.person_id,
            sa.case((ChannelAccount.channel == Channel.LINE, 1), else_=0),  # another chat first
            ChannelAccount.last_seen_at.desc().nulls_last(),  # type: ignore[union-attr]
        )
    )
    chosen: dict[int, ChannelAccount] = {}
    for person_id, account in rows.all():
        chosen.setdefault(person_id, account)
    text = TEXT["warning"].format(used=used, limit=limit, percent=round(100 * used / limit))
    queued = 0
    for person_id, account in chosen.items():
        assert account.id is not None
        if await outbox.enqueue(
            session,
            clock,
            account.id,
            to_payload([Text(text)]),
            f"line-quota-80:{month}:{person_id}",
        ):
            queued += 1
    log.warning("LINE quota at %d/%d this month: warned %d plan officers", used, limit, queued)
    return queued

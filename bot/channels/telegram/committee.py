"""A committee's Telegram group: notices for the whole development committee posted there too.

A committee often works in a Telegram group. With ``TELEGRAM_COMMITTEE_CHAT_ID`` set, a
notice queued for two or more members of the development committee (คณะกรรมการพัฒนาฯ)
under one key — a draft to review, a vote request — is also posted once to that group,
through the outbox like any notice (a ``ChannelAccount`` stands for the group, so the
posting is queued at most once, retried, and recorded). A notice for one person only
(a project returned to its submitter) never goes to the group.

Votes stay personal: a button pressed in the group arrives with the presser's own user id,
and the engine acts for that person only (their roles, their vote).

One group per deployment: this is for a server that runs one organization; a server for
several would need a group per organization (not built yet).
"""

from __future__ import annotations

import logging
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from models import db, outbox
from models.clock import Clock
from models.enums import Channel, OutboxStatus, Role
from models.org import ChannelAccount, Membership
from models.records import OutboundMessage

log = logging.getLogger(__name__)

GROUP_KEY_SUFFIX = "tg-committee"
MAX_KEY = 200  # OutboundMessage.dedupe_key's length
GROUP_NAME = "Telegram committee group"
LOOKBACK = timedelta(days=1)  # notices already sent are still mirrored within this window
MIN_RECIPIENTS = 2  # a notice to the committee, not to one of its members


async def group_account(
    sessions: async_sessionmaker[AsyncSession], clock: Clock, chat_id: int
) -> int:
    """The account standing for the group chat (made on first use); its id."""
    async with db.transaction(sessions) as session:
        found = (
            await session.exec(
                select(ChannelAccount).where(
                    ChannelAccount.channel == Channel.TELEGRAM,
                    ChannelAccount.external_id == str(chat_id),
                )
            )
        ).first()
        if found is None:
            found = ChannelAccount(
                channel=Channel.TELEGRAM,
                external_id=str(chat_id),
                display_name=GROUP_NAME,
                created_at=clock.now(),
            )
            session.add(found)
            await session.flush()
        found.active = True
        assert found.id is not None
        return found.id


async def mirror_committee_notices(
    sessions: async_sessionmaker[AsyncSession], clock: Clock, group_account_id: int
) -> int:
    """Queue, for the group, each recent notice addressed to the committee; return how many.

    Recent: still pending, or queued within :data:`LOOKBACK` — so a notice another worker
    sent a moment ago is still seen. Queuing twice is impossible (the outbox's unique key).
    """
    async with db.transaction(sessions) as session:
        since = clock.now() - LOOKBACK
        rows = await session.exec(
            select(OutboundMessage.dedupe_key, OutboundMessage.account_id, OutboundMessage.payload)
            .join(ChannelAccount, ChannelAccount.id == OutboundMessage.account_id)
            .join(Membership, Membership.person_id == ChannelAccount.person_id)
            .where(
                Membership.role == Role.DEVELOPMENT_COMMITTEE,
                Membership.active,
                sa.or_(
                    OutboundMessage.status == OutboxStatus.PENDING,
                    OutboundMessage.created_at >= since,  # type: ignore[operator]
                ),
            )
            .order_by(OutboundMessage.id)  # type: ignore[arg-type]
        )
        notices: dict[str, tuple[set[int], dict[str, object]]] = {}
        for key, account_id, payload in rows.all():
            notice, _, suffix = key.rpartition(":")
            if not notice or suffix != str(account_id):
                continue  # not one notice fanned out to several accounts
            accounts, _first = notices.setdefault(notice, (set(), payload))
            accounts.add(account_id)
        return await _queue(session, clock, group_account_id, notices)


async def _queue(
    session: AsyncSession,
    clock: Clock,
    group_account_id: int,
    notices: dict[str, tuple[set[int], dict[str, object]]],
) -> int:
    queued = 0
    for notice, (accounts, payload) in notices.items():
        if len(accounts) < MIN_RECIPIENTS:
            continue
        key = f"{notice}:{GROUP_KEY_SUFFIX}"
        if len(key) > MAX_KEY:
            log.warning("committee notice %s not posted to the group: key too long", notice)
            continue
        queued += await outbox.enqueue(session, clock, group_account_id, payload, key)
    return queued

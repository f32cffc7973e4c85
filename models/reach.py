"""How to reach people: who holds a role in an organization, and which chat account to use.

A person may have several chat accounts (LINE and Telegram); a reminder or a report goes
to one of them — the one they used last — so nobody gets the same message twice on two
apps. Bulk queries: the reminder run asks for a whole country's orgs at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.db import dialect_of, one_of
from models.enums import Channel, Role
from models.org import ChannelAccount, Membership

QUERY_CHUNK = 5000  # ids per IN (…) list


@dataclass(frozen=True)
class Address:
    """The account a person is reached on."""

    person_id: int
    account_id: int
    channel: Channel
    external_id: str


async def preferred_accounts(
    session: AsyncSession, person_ids: Iterable[int]
) -> dict[int, Address]:
    """Each person's active account seen most recently (ties: not LINE, whose pushes cost
    quota); people with no active account are left out."""
    wanted = sorted(set(person_ids))
    dialect = dialect_of(session)
    found: dict[int, Address] = {}
    for start in range(0, len(wanted), QUERY_CHUNK):
        rows = await session.exec(
            select(
                ChannelAccount.person_id,
                ChannelAccount.id,
                ChannelAccount.channel,
                ChannelAccount.external_id,
            )
            .where(
                one_of(col(ChannelAccount.person_id), wanted[start : start + QUERY_CHUNK], dialect),
                ChannelAccount.active,
            )
            .order_by(
                col(ChannelAccount.person_id),
                col(ChannelAccount.last_seen_at).desc().nulls_last(),
                sa.case((col(ChannelAccount.channel) == Channel.LINE, 1), else_=0),
                col(ChannelAccount.id),
            )
        )
        for person_id, account_id, channel, external_id in rows.all():
            if person_id is not None and person_id not in found:
                assert account_id is not None
                found[person_id] = Address(person_id, account_id, channel, external_id)
    return found


async def role_holders(
    session: AsyncSession, org_ids: Iterable[int], roles: Iterable[Role]
) -> dict[int, dict[Role, list[int]]]:
    """Per org, per role, the people holding it (active memberships), in joining order."""
    wanted = sorted(set(org_ids))
    dialect = dialect_of(session)
    held: dict[int, dict[Role, list[int]]] = {}
    for start in range(0, len(wanted), QUERY_CHUNK):
        rows = await session.exec(
            select(Membership.org_id, Membership.role, Membership.person_id)
            .where(
                one_of(col(Membership.org_id), wanted[start : start + QUERY_CHUNK], dialect),
                col(Membership.role).in_(list(roles)),
                Membership.active,
            )
            .order_by(col(Membership.org_id), col(Membership.id))
        )
        for org_id, role, person_id in rows.all():
            held.setdefault(org_id, {}).setdefault(role, []).append(person_id)
    return held

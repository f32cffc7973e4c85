"""Invitation codes: how a person becomes a member of an organization with a role."""

from __future__ import annotations

import secrets
from datetime import timedelta
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.clock import Clock
from models.enums import Role
from models.org import Invite, Membership

# No 0/O, 1/I/L: codes are read off paper and typed on phones.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
DEFAULT_VALIDITY = timedelta(days=7)


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(text: str) -> str:
    """Codes are case- and separator-insensitive: ``ab2c-d3ef`` is ``AB2CD3EF``."""
    return "".join(ch for ch in text.upper() if ch.isascii() and ch.isalnum())


async def create_invite(
    session: AsyncSession,
    clock: Clock,
    *,
    org_id: int,
    role: Role,
    created_by_id: int | None = None,
    unit: str | None = None,
    is_chair: bool = False,
    validity: timedelta = DEFAULT_VALIDITY,
) -> Invite:
    """A fresh single-use code; the caller's transaction commits it."""
    invite = Invite(
        code=new_code(),
        org_id=org_id,
        role=role,
        unit=unit,
        is_chair=is_chair,
        created_by_id=created_by_id,
        created_at=clock.now(),
        expires_at=clock.now() + validity,
    )
    session.add(invite)
    await session.flush()
    return invite


class InviteProblem(StrEnum):
    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"


async def find_invite(session: AsyncSession, clock: Clock, code: str) -> Invite | InviteProblem:
    """The usable invite for ``code``, or why it cannot be used."""
    invite = (await session.exec(select(Invite).where(Invite.code == normalize_code(code)))).first()
    if invite is None:
        return InviteProblem.UNKNOWN
    if invite.used_by_id is not None:
        return InviteProblem.USED
    if invite.expires_at <= clock.now():
        return InviteProblem.EXPIRED
    return invite


async def redeem(
    session: AsyncSession, clock: Clock, invite: Invite, person_id: int, *, unit: str | None
) -> Membership | None:
    """Use the invite for ``person_id``: exactly one redeemer wins, even under a race.

    Returns the new (or re-activated) membership, or None when someone else used it first.
    """
    claimed = await session.exec(
        sa.update(Invite)
        .where(Invite.id == invite.id, Invite.used_by_id.is_(None))  # type: ignore[union-attr]
        .values(used_by_id=person_id, used_at=clock.now())
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return None
    membership = (
        await session.exec(
            select(Membership).where(
                Membership.person_id == person_id,
                Membership.org_id == invite.org_id,
                Membership.role == invite.role,
            )
        )
    ).first()
    if membership is None:
        membership = Membership(
            person_id=person_id,
            org_id=invite.org_id,
            role=invite.role,
            unit=invite.unit or unit,
            is_chair=invite.is_chair,
            created_at=clock.now(),
        )
        session.add(membership)
    else:
        membership.active = True
        membership.is_chair = membership.is_chair or invite.is_chair
        membership.unit = invite.unit or membership.unit or unit
    await session.flush()
    return membership

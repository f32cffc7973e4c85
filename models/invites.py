"""Invitation codes: how a person becomes a member of an organization with a role."""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from models.clock import Clock
from models.enums import Role
from models.org import Invite

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

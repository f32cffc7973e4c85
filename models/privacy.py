"""The privacy notice (ประกาศความเป็นส่วนตัว) of an organization, and who has acknowledged it.

Thailand's Personal Data Protection Act (พ.ร.บ.คุ้มครองข้อมูลส่วนบุคคล พ.ศ. 2562, ม.23) says
people must be told, when their data is collected, what is kept, why, for how long and whom
to ask. planbot shows the notice when someone joins an organization and records that they
acknowledged it; each organization may word it its own way (``text``, ``contact``), and
the default wording lives with the joining flow (``handlers.privacy``).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.base import created_at, instant
from models.clock import Clock


class PrivacyNotice(SQLModel, table=True):
    """An organization's own notice; without a row, the default text and no contact."""

    __tablename__ = "privacy_notice"

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organization.id", unique=True)
    text: str | None = Field(default=None, max_length=4000)  # None: the default wording
    contact: str | None = Field(default=None, max_length=300)  # who to ask (DPO, office phone)
    version: int = 1  # raised at each change; an acknowledgement names the one it read
    updated_at: datetime | None = instant()


class PrivacyAck(SQLModel, table=True):
    """That a person read and acknowledged an organization's notice (which version, when)."""

    __tablename__ = "privacy_ack"
    __table_args__ = (sa.UniqueConstraint("person_id", "org_id"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    org_id: int = Field(foreign_key="organization.id")
    version: int = 1
    at: datetime = created_at()


async def notice_of(session: AsyncSession, org_id: int) -> PrivacyNotice:
    """The org's notice row, or an unsaved default one (version 1, default text)."""
    statement = select(PrivacyNotice).where(PrivacyNotice.org_id == org_id)
    return (await session.exec(statement)).first() or PrivacyNotice(org_id=org_id)


async def set_notice(
    session: AsyncSession,
    clock: Clock,
    org_id: int,
    *,
    text: str | None = None,
    contact: str | None = None,
) -> PrivacyNotice:
    """Change an org's wording or contact; the version goes up, so it is shown anew."""
    statement = select(PrivacyNotice).where(PrivacyNotice.org_id == org_id)
    notice = (await session.exec(statement)).first()
    if notice is None:
        notice = PrivacyNotice(org_id=org_id, version=1)
        session.add(notice)
    else:
        notice.version += 1
    if text is not None:
        notice.text = text.strip() or None
    if contact is not None:
        notice.contact = contact.strip() or None
    notice.updated_at = clock.now()
    await session.flush()
    return notice


async def acknowledged(session: AsyncSession, person_id: int, org_id: int, version: int) -> bool:
    """Whether the person acknowledged this version of the org's notice (or a later one)."""
    found = (
        await session.exec(
            select(PrivacyAck.version).where(
                PrivacyAck.person_id == person_id, PrivacyAck.org_id == org_id
            )
        )
    ).first()
    return found is not None and found >= version


async def acknowledge(
    session: AsyncSession, clock: Clock, person_id: int, org_id: int, version: int
) -> None:
    """Record the acknowledgement (one row per person and org, the newest version read)."""
    found = (
        await session.exec(
            select(PrivacyAck).where(PrivacyAck.person_id == person_id, PrivacyAck.org_id == org_id)
        )
    ).first()
    if found is None:
        session.add(PrivacyAck(person_id=person_id, org_id=org_id, version=version, at=clock.now()))
    else:
        found.version, found.at = max(found.version, version), clock.now()
    await session.flush()

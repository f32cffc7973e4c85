"""Who: organizations, people, their chat accounts, their roles, and invitations to join."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import created_at, enum_field, instant, json_field
from models.enums import Channel, OrgKind, Role
from models.types import AwareDateTime


class Organization(SQLModel, table=True):
    """องค์กรปกครองส่วนท้องถิ่น (LAO) — the tenant."""

    id: int | None = Field(default=None, primary_key=True)
    kind: OrgKind = enum_field(OrgKind)
    name: str = Field(max_length=200)
    district: str = Field(max_length=100)
    province: str = Field(max_length=100)
    # How the development committee decides (the regulation sets no rule; DOMAIN.md):
    # quorum = more than ``quorum_percent`` % of the members have voted; the decision is by
    # majority of the votes cast (or of all members); the chair breaks a tie.
    quorum_percent: int = 50
    majority_of_members: bool = False
    chair_casting_vote: bool = True
    # Which days before a deadline people are reminded (``models.reminder_settings``): only
    # what the plan officer changed is stored; the rest are the defaults.
    reminder_settings: dict[str, Any] = json_field()
    created_at: datetime = created_at()

    @property
    def full_name(self) -> str:
        """The name used in the forms' header: องค์การบริหารส่วนตำบลภูเวียง."""
        return f"{self.kind.full_th}{self.name}"

    @property
    def short_name(self) -> str:
        """The name used in chat: อบต.ภูเวียง."""
        return f"{self.kind.short_th}{self.name}"

    @property
    def place_th(self) -> str:
        """อำเภอ… จังหวัด… as printed under the name on every form."""
        return f"อำเภอ{self.district} จังหวัด{self.province}"


class Person(SQLModel, table=True):
    """A human being; reaches planbot through one or more channel accounts."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=300)
    position: str | None = Field(default=None, max_length=300)
    created_at: datetime = created_at()
    # set when the person's data was erased on request: ``name`` is then a pseudonym
    # (``models.personal_data``); what they did stays, attributed to it and their roles
    erased_at: datetime | None = instant()


class ChannelAccount(SQLModel, table=True):
    """One LINE, Telegram or console identity. Exists before joining (person unknown)."""

    __tablename__ = "channel_account"

    __table_args__ = (sa.UniqueConstraint("channel", "external_id"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: Channel = enum_field(Channel)
    external_id: str = Field(max_length=100)
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    display_name: str | None = Field(default=None, max_length=300)
    active: bool = True
    created_at: datetime = created_at()
    last_seen_at: datetime | None = instant()


class Membership(SQLModel, table=True):
    """A person's role in one organization, with the unit or position they hold it as."""

    __table_args__ = (sa.UniqueConstraint("person_id", "org_id", "role"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    org_id: int = Field(foreign_key="organization.id", index=True)
    role: Role = enum_field(Role)
    unit: str | None = Field(default=None, max_length=300)
    is_chair: bool = False
    active: bool = True
    created_at: datetime = created_at()


class Invite(SQLModel, table=True):
    """A single-use code that makes whoever sends it a member with the given role."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True)
    org_id: int = Field(foreign_key="organization.id", index=True)
    role: Role = enum_field(Role)
    unit: str | None = Field(default=None, max_length=300)
    is_chair: bool = False
    created_by_id: int | None = Field(default=None, foreign_key="person.id")
    created_at: datetime = created_at()
    expires_at: datetime = Field(sa_type=AwareDateTime)
    used_by_id: int | None = Field(default=None, foreign_key="person.id")
    used_at: datetime | None = instant()

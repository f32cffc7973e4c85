"""Setting up an organization: the LAO itself, its strategies, and its first admin invite."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from models import audit
from models.clock import Clock
from models.enums import OrgKind, Role
from models.invites import create_invite
from models.org import Invite, Organization
from models.plan import Strategy


async def create_organization(
    session: AsyncSession,
    clock: Clock,
    *,
    kind: OrgKind,
    name: str,
    district: str,
    province: str,
    strategies: Sequence[str] = (),
) -> tuple[Organization, Invite]:
    """Create the LAO with its strategies (numbered in order) and an admin invite code."""
    org = Organization(
        kind=kind, name=name, district=district, province=province, created_at=clock.now()
    )
    session.add(org)
    await session.flush()
    assert org.id is not None
    for number, strategy in enumerate(strategies, start=1):
        session.add(Strategy(org_id=org.id, number=number, name=strategy))
    invite = await create_invite(session, clock, org_id=org.id, role=Role.ADMIN)
    await audit.record(
        session, clock, "org.create", org_id=org.id, obj=org, after=org.model_dump(mode="json")
    )
    return org, invite


async def list_organizations(session: AsyncSession) -> Sequence[Organization]:
    result = await session.exec(select(Organization).order_by(Organization.id))
    return result.all()


async def strategies_of(session: AsyncSession, org_id: int) -> Sequence[Strategy]:
    result = await session.exec(
        select(Strategy).where(Strategy.org_id == org_id).order_by(Strategy.number)
    )
    return result.all()

"""The tables keep the promises of the data model: aware instants, exact money, unique keys."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError, StatementError
from sqlmodel import select

from bot.runtime import Runtime
from models import db
from models.enums import Channel, EditionKind, OrgKind, Role, TriggerKind
from models.invites import CODE_ALPHABET, CODE_LENGTH, normalize_code
from models.org import ChannelAccount, Invite, Organization
from models.orgs import create_organization, list_organizations, strategies_of
from models.plan import Edition, OperationalPlan, Project
from models.records import AuditEvent


async def make_org(rt: Runtime) -> tuple[Organization, Invite]:
    async with db.transaction(rt.sessions) as session:
        return await create_organization(
            session,
            rt.clock,
            kind=OrgKind.SAO,
            name="ภูเวียง",
            district="ภูเวียง",
            province="ขอนแก่น",
            strategies=["โครงสร้างพื้นฐาน", "คุณภาพชีวิต"],
        )


async def test_create_organization_with_strategies_invite_and_audit(runtime: Runtime) -> None:
    org, invite = await make_org(runtime)
    assert org.full_name == "องค์การบริหารส่วนตำบลภูเวียง"
    assert org.short_name == "อบต.ภูเวียง"
    assert len(invite.code) == CODE_LENGTH and set(invite.code) <= set(CODE_ALPHABET)
    assert invite.role is Role.ADMIN
    assert invite.expires_at - runtime.clock.now() == timedelta(days=7)
    async with runtime.sessions() as session:
        assert [s.name for s in await strategies_of(session, org.id)] == [
            "โครงสร้างพื้นฐาน",
            "คุณภาพชีวิต",
        ]
        assert [o.id for o in await list_organizations(session)] == [org.id]
        audit = (await session.exec(select(AuditEvent))).one()
    assert (audit.action, audit.org_id, audit.object_type) == ("org.create", org.id, "organization")


async def test_instants_come_back_aware_in_utc(runtime: Runtime) -> None:
    _org, invite = await make_org(runtime)
    async with runtime.sessions() as session:
        stored = (await session.exec(select(Invite).where(Invite.id == invite.id))).one()
    assert stored.expires_at.tzinfo is not None
    assert stored.expires_at == runtime.clock.now() + timedelta(days=7)
    assert stored.expires_at.utcoffset() == timedelta(0)


async def test_naive_datetime_is_refused(runtime: Runtime) -> None:
    org, _ = await make_org(runtime)
    with pytest.raises(StatementError, match="naive datetime"):
        async with db.transaction(runtime.sessions) as session:
            session.add(
                Invite(
                    code="NAIVE234",
                    org_id=org.id,
                    role=Role.SUBMITTER,
                    expires_at=datetime(2025, 1, 1),
                )
            )


async def test_enums_are_stored_as_their_values(runtime: Runtime) -> None:
    org, _ = await make_org(runtime)
    async with runtime.engine.connect() as connection:
        kind = (await connection.execute(sa.text("SELECT kind FROM organization"))).scalar_one()
        role = (await connection.execute(sa.text("SELECT role FROM invite"))).scalar_one()
    assert (kind, role) == ("sao", "admin")
    assert org.kind is OrgKind.SAO


async def test_channel_account_is_unique_per_channel_and_id(runtime: Runtime) -> None:
    async with db.transaction(runtime.sessions) as session:
        session.add(ChannelAccount(channel=Channel.LINE, external_id="U123"))
        session.add(ChannelAccount(channel=Channel.TELEGRAM, external_id="U123"))
    with pytest.raises(IntegrityError):
        async with db.transaction(runtime.sessions) as session:
            session.add(ChannelAccount(channel=Channel.LINE, external_id="U123"))


async def test_money_is_exact_satang_beyond_32_bits(runtime: Runtime) -> None:
    org, _ = await make_org(runtime)
    async with db.transaction(runtime.sessions) as session:
        plan = OperationalPlan(org_id=org.id, fiscal_year=2569)
        session.add(plan)
        await session.flush()
        edition = Edition(
            plan_id=plan.id,
            kind=EditionKind.ORIGINAL,
            trigger_kind=TriggerKind.ANNUAL_BUDGET,
            trigger_date=date(2025, 10, 1),
        )
        session.add(edition)
        await session.flush()
        strategy = (await strategies_of(session, org.id))[0]
        session.add(
            Project(
                plan_id=plan.id,
                edition_id=edition.id,
                seq=1,
                title="สร้างสะพาน",
                details="สะพานคอนกรีตข้ามลำห้วย",
                budget_satang=9_999_999_999_99,  # 9,999,999,999.99 baht: beyond 2**31 satang
                location="หมู่ที่ 5",
                responsible_unit="กองช่าง",
                strategy_id=strategy.id,
                plan_area_id=9,
            )
        )
    async with runtime.sessions() as session:
        project = (await session.exec(select(Project))).one()
    assert project.budget_satang == 999_999_999_999
    assert project.created_at.tzinfo is UTC or project.created_at.utcoffset() == timedelta(0)


def test_invite_codes_are_forgiving() -> None:
    assert normalize_code(" ab2c-d3ef ") == "AB2CD3EF"
    assert normalize_code("เข้าร่วม") == ""
    assert OrgKind.from_text("อบต.") is OrgKind.SAO
    assert OrgKind.from_text("อบต") is OrgKind.SAO
    assert OrgKind.from_text("เทศบาลตำบล") is OrgKind.SUBDISTRICT_MUNICIPALITY
    assert OrgKind.from_text("ทต.") is OrgKind.SUBDISTRICT_MUNICIPALITY
    assert OrgKind.from_text("หมู่บ้าน") is None

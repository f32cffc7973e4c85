"""What: strategies, plan areas, a fiscal year's plan, its editions, drafts, projects, votes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import created_at, enum_field, instant, json_field, money
from models.enums import (
    DraftState,
    EditionKind,
    EditionState,
    ProjectSource,
    ProjectStatus,
    TriggerKind,
    VoteDecision,
)


class Strategy(SQLModel, table=True):
    """ยุทธศาสตร์ — one of an LAO's development strategies, in the order of its development plan."""

    __table_args__ = (sa.UniqueConstraint("org_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organization.id", index=True)
    number: int
    name: str = Field(max_length=300)


class Approach(SQLModel, table=True):
    """The optional middle level between a strategy and the plan areas: แนวทางการพัฒนา or
    กลยุทธ์, as the org's development plan names it (DocumentSettings.middle_level)."""

    __tablename__ = "development_approach"

    __table_args__ = (sa.UniqueConstraint("strategy_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organization.id", index=True)
    strategy_id: int = Field(foreign_key="strategy.id")
    number: int
    name: str = Field(max_length=300)


class PlanArea(SQLModel, table=True):
    """แผนงาน — the twelve standard plan areas of an LAO budget (seeded by a migration)."""

    __tablename__ = "plan_area"

    id: int | None = Field(default=None, primary_key=True)
    number: int = Field(unique=True)
    code: str = Field(max_length=40, unique=True)
    name: str = Field(max_length=200)


class DevelopmentPlanProject(SQLModel, table=True):
    """A row of แบบ ผ.02 in the development plan, which operational-plan projects trace back to."""

    __tablename__ = "development_plan_project"

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organization.id", index=True)
    strategy_id: int | None = Field(default=None, foreign_key="strategy.id")
    sequence: int | None = None
    title: str = Field(max_length=300)
    objective: str | None = Field(default=None, max_length=2000)
    target: str | None = Field(default=None, max_length=2000)
    budgets_by_year: dict[str, int] = json_field()  # BE year → satang
    indicator: str | None = Field(default=None, max_length=1000)
    expected_result: str | None = Field(default=None, max_length=1000)
    responsible_unit: str | None = Field(default=None, max_length=300)


class OperationalPlan(SQLModel, table=True):
    """แผนการดำเนินงาน of one LAO for one fiscal year (พ.ศ.); the sum of its editions in force."""

    __tablename__ = "operational_plan"

    __table_args__ = (sa.UniqueConstraint("org_id", "fiscal_year"),)

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organization.id", index=True)
    fiscal_year: int
    created_at: datetime = created_at()


class Edition(SQLModel, table=True):
    """One edition (ฉบับ) of a plan: the original, แก้ไข ครั้งที่ N or เพิ่มเติม ครั้งที่ N.

    Each keeps its own trigger, deadlines, approval and posting, as the regulation requires.
    Only the events are stored (trigger, announcement, posting, the executive's extension);
    the deadlines they start are counted when needed (``models.schedule.edition_dates``), so
    the deployment's counting rule and the latest holiday list apply to every open round.
    """

    # one ฉบับแรก and one "เพิ่มเติม ครั้งที่ N" per plan; a round cancelled as opened by mistake
    # frees its number for the one opened instead
    __table_args__ = (
        sa.Index(
            "uq_edition_standing_plan_id_kind_number",
            "plan_id",
            "kind",
            "number",
            unique=True,
            postgresql_where=sa.text("state <> 'cancelled'"),
            sqlite_where=sa.text("state <> 'cancelled'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="operational_plan.id", index=True)
    kind: EditionKind = enum_field(EditionKind)
    number: int = 0
    trigger_kind: TriggerKind = enum_field(TriggerKind)
    trigger_agency: str | None = Field(default=None, max_length=300)
    trigger_date: date
    extended_deadline: date | None = None
    extension_reason: str | None = Field(default=None, max_length=2000)
    cancel_reason: str | None = Field(default=None, max_length=2000)
    state: EditionState = enum_field(EditionState, EditionState.COLLECTING, index=True)
    announced_on: date | None = None
    posted_on: date | None = None
    posted_places: list[dict[str, Any]] = json_field(list)
    posting_photo: str | None = Field(default=None, max_length=500)  # channel file reference
    removed_on: date | None = None
    opened_by_id: int | None = Field(default=None, foreign_key="person.id")
    created_at: datetime = created_at()
    updated_at: datetime | None = instant()


class DraftVersion(SQLModel, table=True):
    """ร่างที่ N — a frozen snapshot of an edition's accepted projects; votes belong to it."""

    __tablename__ = "draft_version"

    __table_args__ = (sa.UniqueConstraint("edition_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    edition_id: int = Field(foreign_key="edition.id", index=True)
    number: int
    state: DraftState = enum_field(DraftState, DraftState.PREPARED)
    snapshot: dict[str, Any] = json_field()
    project_count: int = 0
    total_satang: int = money()
    result: VoteDecision | None = enum_field(VoteDecision, None)
    created_by_id: int | None = Field(default=None, foreign_key="person.id")
    created_at: datetime = created_at()
    proposed_at: datetime | None = instant()  # sent to the committee: its reminders start
    closed_at: datetime | None = instant()


class Project(SQLModel, table=True):
    """โครงการ/กิจกรรม proposed for an edition; once accepted, a row of แบบ ผด.02 (or ผด.02/1)."""

    __table_args__ = (sa.UniqueConstraint("plan_id", "seq"),)

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="operational_plan.id", index=True)
    edition_id: int = Field(foreign_key="edition.id", index=True)
    seq: int  # running number within the plan: shown as เลขที่ 2569-012
    title: str = Field(max_length=300)
    details: str = Field(max_length=2000)
    budget_satang: int = money()
    location: str = Field(max_length=300)
    responsible_unit: str = Field(max_length=300)
    months_mask: int = 0  # bit (month-1) set when the project runs in that calendar month
    strategy_id: int = Field(foreign_key="strategy.id")
    plan_area_id: int = Field(foreign_key="plan_area.id")
    source: ProjectSource = enum_field(ProjectSource, ProjectSource.LAO)
    agency_name: str | None = Field(default=None, max_length=300)
    is_equipment: bool = False
    equipment_type: str | None = Field(default=None, max_length=100)  # ผด.02/1 groups by it
    # development_approach.id; no foreign-key constraint, so that adding or dropping the
    # column never makes SQLite copy the project table (which other tables reference)
    approach_id: int | None = None
    # The optional columns some LAOs print on ผด.02 (DocumentSettings.extra_columns):
    procurement_method: str | None = Field(default=None, max_length=100)  # วิธีดำเนินการ
    completed_on: date | None = None  # ดำเนินการแล้วเสร็จ
    dev_plan_project_id: int | None = Field(default=None, foreign_key="development_plan_project.id")
    status: ProjectStatus = enum_field(ProjectStatus, ProjectStatus.SUBMITTED, index=True)
    status_reason: str | None = Field(default=None, max_length=2000)
    duplicate_of_id: int | None = Field(default=None, foreign_key="project.id")
    submitted_by_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    created_at: datetime = created_at()
    updated_at: datetime | None = instant()


class Vote(SQLModel, table=True):
    """A development-committee member's current vote on a draft version; changeable until closed."""

    __table_args__ = (sa.UniqueConstraint("draft_version_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    draft_version_id: int = Field(foreign_key="draft_version.id", index=True)
    person_id: int = Field(foreign_key="person.id")
    decision: VoteDecision = enum_field(VoteDecision)
    comment: str | None = Field(default=None, max_length=2000)
    cast_at: datetime = created_at()


class ProjectChange(SQLModel, table=True):
    """One change an amendment (แก้ไข ครั้งที่ N) makes to a project of the plan in force.

    ``kind`` is change, cancel or add; every change carries the executive's reason.
    """

    __tablename__ = "project_change"

    id: int | None = Field(default=None, primary_key=True)
    edition_id: int = Field(foreign_key="edition.id", index=True)  # the amendment
    project_id: int | None = Field(default=None, foreign_key="project.id")
    kind: str = Field(max_length=16)
    reason: str = Field(max_length=2000)
    before: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)
    after: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)
    created_by_id: int | None = Field(default=None, foreign_key="person.id")
    created_at: datetime = created_at()

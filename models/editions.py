"""An edition (ฉบับ) after the committee: announced, posted, taken down, extended, amended.

The regulation (ข้อ 26–27) gives each edition its own dates: announced (ประกาศใช้) by the
executive, posted (ปิดประกาศ) within 15 days of that, kept posted for at least 30 days
(ปลดประกาศ no earlier), and the executive's powers to extend the preparation time (ขยายเวลา)
and to amend the plan in force (แก้ไข ครั้งที่ N). These are the operations the chat handlers
call, free of chat: the workflow rules say whether a step may happen at all, the date rules
here say whether a given date may be used, and both are asked again when a change is saved.

The consolidated plan (the sum of the editions in force, with amendments applied) is read
here too, because it is what an amendment changes and what every member reads as "the plan".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Literal

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.clock import Clock
from models.days_off import DaysOff
from models.deadlines import Deadline, earliest_removal, posting_deadline
from models.enums import (
    DraftState,
    EditionKind,
    EditionState,
    ProjectStatus,
    TriggerKind,
    VoteDecision,
)
from models.fiscal import fiscal_year_bounds
from models.org import Organization
from models.plan import DraftVersion, Edition, OperationalPlan, Project, ProjectChange
from models.rounds import edition_label_th
from models.schedule import calendar_of
from models.workflow import Step, edition_step, next_state

# The project columns an amendment may change (แก้ไข): name, budget, months, place.
AMENDABLE_COLUMNS = ("title", "budget_satang", "months_mask", "location")


class ChangeKind(StrEnum):
    """What a ProjectChange does to a project of the plan in force."""

    CHANGE = "change"
    CANCEL = "cancel"


class InvalidStep(Exception):
    """A caller skipped the workflow check: the step may not happen in the edition's state."""


def edition_title_th(edition: Edition, fiscal_year: int) -> str:
    """The edition as officials cite it; an amendment carries its year: แก้ไข ครั้งที่ 1/2569."""
    label = edition_label_th(edition)
    return f"{label}/{fiscal_year}" if edition.kind is EditionKind.AMENDMENT else label


# -- reading -------------------------------------------------------------------------------


@dataclass(frozen=True)
class EditionRow:
    """An edition with its plan and organization: what every message about it names."""

    edition: Edition
    plan: OperationalPlan
    org: Organization

    @property
    def title(self) -> str:
        return edition_title_th(self.edition, self.plan.fiscal_year)

    @property
    def edition_id(self) -> int:
        assert self.edition.id is not None
        return self.edition.id

    @property
    def org_id(self) -> int:
        assert self.org.id is not None
        return self.org.id


# How a read holds the edition's row until commit: "update" for a change of the whole
# edition, "share" for a change inside it (one of its projects), None for a plain read.
Lock = Literal["update", "share"] | None


def _rows() -> Any:
    return (
        select(Edition, OperationalPlan, Organization)
        .join(OperationalPlan, col(OperationalPlan.id) == Edition.plan_id)
        .join(Organization, col(Organization.id) == OperationalPlan.org_id)
    )


async def load_edition(
    session: AsyncSession, edition_id: int, *, lock: Lock = None
) -> EditionRow | None:
    """One edition; ``lock`` holds its row until commit, so a second tap waits and then sees
    the new state instead of acting twice."""
    statement = _rows().where(Edition.id == edition_id)
    if lock is not None:
        statement = statement.with_for_update(of=Edition, read=lock == "share").execution_options(
            populate_existing=True
        )
    row = (await session.exec(statement)).first()
    return None if row is None else EditionRow(*row)


async def editions_of(
    session: AsyncSession, org_ids: Iterable[int], states: Iterable[EditionState], *where: Any
) -> list[EditionRow]:
    """The orgs' editions in ``states`` (and meeting ``where``), oldest year and edition first."""
    statement = (
        _rows()
        .where(
            col(OperationalPlan.org_id).in_(list(org_ids)),
            col(Edition.state).in_(list(states)),
            *where,
        )
        .order_by(OperationalPlan.fiscal_year, Edition.id)
    )
    return [EditionRow(*row) for row in (await session.exec(statement)).all()]


async def approved_draft(session: AsyncSession, edition_id: int) -> DraftVersion | None:
    """The draft (ร่างที่ N) the development committee approved: what the executive signs."""
    statement = (
        select(DraftVersion)
        .where(
            DraftVersion.edition_id == edition_id,
            DraftVersion.state == DraftState.CLOSED,
            DraftVersion.result == VoteDecision.APPROVE,
        )
        .order_by(col(DraftVersion.number).desc())
    )
    return (await session.exec(statement)).first()


# -- which dates may be used ---------------------------------------------------------------


class DateRule(StrEnum):
    """A rule a date broke; the handler words it, with ``DateProblem.limit``."""

    FUTURE = "future"  # has not happened yet (limit: today)
    BEFORE_APPROVAL = "before_approval"  # announced before the committee approved the draft
    BEFORE_ANNOUNCED = "before_announced"  # posted before it was announced
    TOO_EARLY_REMOVAL = "too_early_removal"  # down before the 30 days were over
    NOT_LATER = "not_later"  # an extension that does not extend (limit: the deadline now)
    PAST = "past"  # an extension to a day already gone (limit: today)
    AFTER_YEAR_END = "after_year_end"  # past the fiscal year the plan is for (limit: 30 Sep)


@dataclass(frozen=True)
class DateProblem:
    rule: DateRule
    limit: date


def _first_problem(*checks: tuple[bool, DateRule, date | None]) -> DateProblem | None:
    for broken, rule, limit in checks:
        if broken and limit is not None:
            return DateProblem(rule, limit)
    return None


def announcement_problem(day: date, *, approved_on: date | None, today: date) -> DateProblem | None:
    """A plan is announced on a day that has come, not before the committee approved it."""
    return _first_problem(
        (day > today, DateRule.FUTURE, today),
        (approved_on is not None and day < approved_on, DateRule.BEFORE_APPROVAL, approved_on),
    )


def posting_problem(day: date, *, announced_on: date, today: date) -> DateProblem | None:
    """Posted on a day that has come, not before the announcement. Late is allowed (and
    flagged by :func:`posted_late`): the record must say what really happened."""
    return _first_problem(
        (day > today, DateRule.FUTURE, today),
        (day < announced_on, DateRule.BEFORE_ANNOUNCED, announced_on),
    )


def removal_problem(day: date, *, earliest: date, today: date) -> DateProblem | None:
    """Taken down on a day that has come, after the 30 days' minimum (see earliest_removal)."""
    return _first_problem(
        (day > today, DateRule.FUTURE, today),
        (day < earliest, DateRule.TOO_EARLY_REMOVAL, earliest),
    )


def extension_problem(
    day: date, *, current: date, today: date, fiscal_year: int
) -> DateProblem | None:
    """An extension moves the preparation deadline later, to a day still to come, and within
    the fiscal year the plan is for (a plan prepared after its year is over plans nothing)."""
    year_end = fiscal_year_bounds(fiscal_year)[1]
    return _first_problem(
        (day <= current, DateRule.NOT_LATER, current),
        (day < today, DateRule.PAST, today),
        (day > year_end, DateRule.AFTER_YEAR_END, year_end),
    )


# -- the steps -----------------------------------------------------------------------------


def _step(edition: Edition, step: Step, now: datetime) -> None:
    reason = edition_step(step, edition.state, None)
    if reason is not None:
        raise InvalidStep(reason)
    edition.state = next_state(step, edition.state)
    edition.updated_at = now


def snapshot(edition: Edition, *names: str) -> dict[str, Any]:
    """Columns of an edition, JSON-ready, for an audit row's before and after."""
    return edition.model_dump(mode="json", include=set(names))


def announce(edition: Edition, announced_on: date, days_off: DaysOff, now: datetime) -> Deadline:
    """The executive approved it (ประกาศใช้): in force, and the 15-day posting period starts
    (counted on ``days_off``, the org's calendar)."""
    _step(edition, Step.APPROVE, now)
    edition.announced_on = announced_on
    return posting_deadline(announced_on, days_off)


def send_back(edition: Edition, now: datetime) -> None:
    """The executive returned it (ส่งกลับแก้ไข): collecting again; the approved draft stays
    closed as the record of what was returned, and a new draft follows."""
    _step(edition, Step.RETURN, now)


def record_posting(
    edition: Edition,
    posted_on: date,
    places: Sequence[dict[str, Any]],
    photo: str | None,
    now: datetime,
) -> date:
    """Posted (ปิดประกาศ) where and when; returns the first day it may come down."""
    _step(edition, Step.POST, now)
    edition.posted_on = posted_on
    edition.posted_places = list(places)
    edition.posting_photo = photo
    return earliest_removal(posted_on)


def record_removal(edition: Edition, removed_on: date, now: datetime) -> None:
    """Taken down (ปลดประกาศ) after the 30-day minimum."""
    _step(edition, Step.REMOVE, now)
    edition.removed_on = removed_on


def extend(edition: Edition, new_deadline: date, reason: str, now: datetime) -> None:
    """The executive extended the preparation time (ขยายเวลา) to ``new_deadline``."""
    _step(edition, Step.EXTEND, now)
    edition.extended_deadline = new_deadline
    edition.extension_reason = reason


# -- the consolidated plan and amendments ---------------------------------------------------


@dataclass(frozen=True)
class Consolidated:
    """The plan as it stands (the sum of its editions in force, ข้อ 26–27).

    Project rows keep the values their edition announced — what was announced and posted
    stays as it was — and each amendment in force keeps its changes as ProjectChange rows,
    applied here on read, oldest first. ``projects`` are detached copies with the changes
    applied and without the cancelled ones; ``changes`` lists, per project id, the changes
    in force that made it so (the documents mark those rows).
    """

    projects: list[Project]
    changes: dict[int, list[ProjectChange]]

    @property
    def total_satang(self) -> int:
        return sum(p.budget_satang for p in self.projects)


async def changes_in_force(session: AsyncSession, plan_id: int) -> list[ProjectChange]:
    """The changes of the plan's amendments in force, in the order they were made."""
    statement = (
        select(ProjectChange)
        .join(Edition, col(Edition.id) == ProjectChange.edition_id)
        .where(Edition.plan_id == plan_id, Edition.state == EditionState.IN_FORCE)
        .order_by(col(ProjectChange.edition_id), col(ProjectChange.id))
    )
    return list((await session.exec(statement)).all())


def _accepted_in_force(plan_id: int) -> Any:
    return (
        select(Project)
        .join(Edition, col(Edition.id) == Project.edition_id)
        .where(
            Project.plan_id == plan_id,
            Project.status == ProjectStatus.ACCEPTED,
            Edition.state == EditionState.IN_FORCE,
        )
        .order_by(col(Project.seq))
    )


async def announced_projects(session: AsyncSession, plan_id: int) -> list[Project]:
    """The accepted projects of the editions in force, as those editions announced them."""
    return list((await session.exec(_accepted_in_force(plan_id))).all())


async def consolidated(session: AsyncSession, plan_id: int) -> Consolidated:
    """Every accepted project of every edition in force, with the amendments in force applied."""
    rows = await announced_projects(session, plan_id)
    by_project: dict[int, list[ProjectChange]] = {}
    for change in await changes_in_force(session, plan_id):
        if change.project_id is not None:
            by_project.setdefault(change.project_id, []).append(change)
    projects: list[Project] = []
    for row in rows:
        assert row.id is not None
        changes = by_project.get(row.id, [])
        if any(c.kind == ChangeKind.CANCEL for c in changes):
            continue
        current = Project(**row.model_dump())  # a copy: the row stays as announced
        for change in changes:
            for column, value in (change.after or {}).items():
                setattr(current, column, value)
        projects.append(current)
    return Consolidated(projects, {k: v for k, v in by_project.items() if v})


async def consolidated_projects(session: AsyncSession, plan_id: int) -> list[Project]:
    """The plan's projects as they stand: see :class:`Consolidated`."""
    return (await consolidated(session, plan_id)).projects


async def in_force_editions(session: AsyncSession, plan_id: int) -> list[Edition]:
    """The plan's editions in force, in the order they were made."""
    statement = (
        select(Edition)
        .where(Edition.plan_id == plan_id, Edition.state == EditionState.IN_FORCE)
        .order_by(col(Edition.id))
    )
    return list((await session.exec(statement)).all())


@dataclass(frozen=True)
class AmendmentSummary:
    """What one amendment did: projects changed, projects cancelled, and its own effect on the
    budget (a cut of 150,000 is -15,000,000 satang), as the edition line of /plan says it."""

    changed: int = 0
    cancelled: int = 0
    budget_delta_satang: int = 0


async def amendment_summaries(
    session: AsyncSession, edition_ids: Iterable[int]
) -> dict[int, AmendmentSummary]:
    """Per amendment edition: its :class:`AmendmentSummary`."""
    statement = select(ProjectChange).where(col(ProjectChange.edition_id).in_(list(edition_ids)))
    changed: dict[int, set[int | None]] = {}
    cancelled: dict[int, set[int | None]] = {}
    delta: dict[int, int] = {}
    for change in (await session.exec(statement)).all():
        edition = change.edition_id
        before, after = change.before or {}, change.after or {}
        if change.kind == ChangeKind.CANCEL:
            cancelled.setdefault(edition, set()).add(change.project_id)
            delta[edition] = delta.get(edition, 0) - int(before.get("budget_satang", 0))
        else:
            changed.setdefault(edition, set()).add(change.project_id)
            if "budget_satang" in after:
                moved = int(after["budget_satang"]) - int(before["budget_satang"])
                delta[edition] = delta.get(edition, 0) + moved
    return {
        edition: AmendmentSummary(
            len(changed.get(edition, ())), len(cancelled.get(edition, ())), delta.get(edition, 0)
        )
        for edition in {*changed, *cancelled}
    }


@dataclass(frozen=True)
class ChangeSpec:
    """One change the executive asks for: a new value for a column, or (column None) cancel."""

    project_id: int
    reason: str
    column: str | None = None
    value: Any = None


@dataclass(frozen=True)
class Amendment:
    edition: Edition
    changes: list[ProjectChange]
    posting: Deadline


async def amend(
    session: AsyncSession,
    clock: Clock,
    days_off: DaysOff,
    *,
    plan: OperationalPlan,
    specs: Sequence[ChangeSpec],
    by_id: int | None,
) -> Amendment:
    """แก้ไข ครั้งที่ N: the executive's amendment, approved and announced at once (their power).

    A new AMENDMENT edition in force from today, with its own 15-day posting deadline; one
    ProjectChange per change keeps the before and after. The project rows stay as their
    editions announced them: the plan as it stands applies the changes (:func:`consolidated`).
    """
    assert plan.id is not None
    if not specs:
        raise ValueError("an amendment changes at least one project")
    in_force = {p.id: p for p in await consolidated_projects(session, plan.id)}
    today, now = clock.today(), clock.now()
    number = (
        await session.exec(
            select(func.count())
            .select_from(Edition)
            .where(Edition.plan_id == plan.id, Edition.kind == EditionKind.AMENDMENT)
        )
    ).one() + 1
    org = await session.get(Organization, plan.org_id)
    assert org is not None
    posting = posting_deadline(today, calendar_of(org, days_off))
    edition = Edition(
        plan_id=plan.id,
        kind=EditionKind.AMENDMENT,
        number=number,
        trigger_kind=TriggerKind.EXECUTIVE_AMENDMENT,
        trigger_date=today,  # no preparation round: made and approved the same day
        state=EditionState.IN_FORCE,
        announced_on=today,
        opened_by_id=by_id,
        created_at=now,
        updated_at=now,
    )
    session.add(edition)
    await session.flush()
    assert edition.id is not None
    changes = [_change(edition.id, in_force, spec, by_id, now) for spec in specs]
    session.add_all(changes)
    await session.flush()
    return Amendment(edition=edition, changes=changes, posting=posting)


def _change(
    edition_id: int,
    in_force: dict[int | None, Project],
    spec: ChangeSpec,
    by_id: int | None,
    now: datetime,
) -> ProjectChange:
    project = in_force.get(spec.project_id)
    if project is None:
        raise ValueError(f"project {spec.project_id} is not in the plan in force")
    if spec.column is None:
        kind, before, after = ChangeKind.CANCEL, project_values(project), None
    else:
        if spec.column not in AMENDABLE_COLUMNS:
            raise ValueError(f"an amendment cannot change {spec.column}")
        kind = ChangeKind.CHANGE
        before = {spec.column: getattr(project, spec.column)}
        after = {spec.column: spec.value}
    return ProjectChange(
        edition_id=edition_id,
        project_id=spec.project_id,
        kind=kind,
        reason=spec.reason,
        before=before,
        after=after,
        created_by_id=by_id,
        created_at=now,
    )


def project_values(project: Project) -> dict[str, Any]:
    """The amendable columns of a project, JSON-ready: what a cancellation keeps as before."""
    return project.model_dump(mode="json", include=set(AMENDABLE_COLUMNS))

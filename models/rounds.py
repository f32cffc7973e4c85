"""Preparation rounds (รอบการจัดทำแผน): an edition of the plan open for project submissions.

A budget event opens a round with a 30-day legal deadline. The first round of a fiscal year
makes the original plan; each later trigger makes an addition (เพิ่มเติม ครั้งที่ N).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.clock import Clock
from models.days_off import DaysOff
from models.deadlines import Deadline, preparation_deadline
from models.enums import EditionKind, EditionState, ProjectStatus, TriggerKind
from models.org import Organization
from models.plan import DraftVersion, Edition, OperationalPlan, Project
from models.workflow import Step, edition_step, next_state


def edition_label_th(edition: Edition) -> str:
    """ฉบับ as officials name it: แผนการดำเนินงาน / เพิ่มเติม ครั้งที่ 1 / แก้ไข ครั้งที่ 2."""
    if edition.kind is EditionKind.ADDITION:
        return f"เพิ่มเติม ครั้งที่ {edition.number}"
    if edition.kind is EditionKind.AMENDMENT:
        return f"แก้ไข ครั้งที่ {edition.number}"
    return "ฉบับแรก"


def same_budget_event(
    kind: TriggerKind,
    day: date,
    agency: str | None,
    other_kind: TriggerKind,
    other_day: date,
    other_agency: str | None,
) -> bool:
    """Whether two triggers are the same budget event, which opens one round only.

    A fiscal year has one annual budget ordinance, whatever day it is recorded with; a
    supplementary budget, accumulated funds or an agency's notice are the same event when
    the kind, the day (and the agency) agree.
    """
    if kind is TriggerKind.ANNUAL_BUDGET or other_kind is TriggerKind.ANNUAL_BUDGET:
        return kind is other_kind
    return (kind, day, _agency_key(agency)) == (other_kind, other_day, _agency_key(other_agency))


def _agency_key(agency: str | None) -> str:
    return "".join((agency or "").split()).casefold()


class DuplicateRound(Exception):
    """The budget event already opened a round of this plan (not cancelled)."""

    def __init__(self, existing: Edition) -> None:
        super().__init__(f"edition {existing.id} already opened for this event")
        self.existing = existing


async def rounds_of_year(session: AsyncSession, org_id: int, fiscal_year: int) -> Sequence[Edition]:
    """The rounds a plan has had (every edition but amendments and cancelled rounds)."""
    rows = await session.exec(
        select(Edition)
        .join(OperationalPlan, OperationalPlan.id == Edition.plan_id)
        .where(
            OperationalPlan.org_id == org_id,
            OperationalPlan.fiscal_year == fiscal_year,
            Edition.kind != EditionKind.AMENDMENT,
            Edition.state != EditionState.CANCELLED,
        )
        .order_by(Edition.id)
    )
    return rows.all()


@dataclass(frozen=True)
class OpenedRound:
    plan: OperationalPlan
    edition: Edition
    deadline: Deadline


async def open_round(
    session: AsyncSession,
    clock: Clock,
    days_off: DaysOff,
    *,
    org: Organization,
    fiscal_year: int,
    trigger_kind: TriggerKind,
    trigger_date: date,
    trigger_agency: str | None = None,
    opened_by_id: int | None = None,
) -> OpenedRound:
    """Open a round: the plan of the year if new, and its next edition; the legal deadline
    (counted on the org's calendar) comes back with it but is not stored.

    Raises :class:`DuplicateRound` when the same budget event opened a round already.
    """
    assert org.id is not None
    for existing in await rounds_of_year(session, org.id, fiscal_year):
        if same_budget_event(
            trigger_kind,
            trigger_date,
            trigger_agency,
            existing.trigger_kind,
            existing.trigger_date,
            existing.trigger_agency,
        ):
            raise DuplicateRound(existing)
    plan = (
        await session.exec(
            select(OperationalPlan).where(
                OperationalPlan.org_id == org.id, OperationalPlan.fiscal_year == fiscal_year
            )
        )
    ).first()
    if plan is None:
        plan = OperationalPlan(org_id=org.id, fiscal_year=fiscal_year, created_at=clock.now())
        session.add(plan)
        await session.flush()
    standing = (Edition.plan_id == plan.id, Edition.state != EditionState.CANCELLED)
    previous = (
        await session.exec(select(func.count()).select_from(Edition).where(*standing))
    ).one()
    additions = (
        await session.exec(
            select(func.count())
            .select_from(Edition)
            .where(*standing, Edition.kind == EditionKind.ADDITION)
        )
    ).one()
    deadline = preparation_deadline(trigger_date, days_off.of(org.province))
    edition = Edition(
        plan_id=plan.id,  # type: ignore[arg-type]
        kind=EditionKind.ORIGINAL if previous == 0 else EditionKind.ADDITION,
        number=0 if previous == 0 else additions + 1,
        trigger_kind=trigger_kind,
        trigger_agency=trigger_agency,
        trigger_date=trigger_date,
        state=EditionState.COLLECTING,
        opened_by_id=opened_by_id,
        created_at=clock.now(),
    )
    session.add(edition)
    await session.flush()
    return OpenedRound(plan=plan, edition=edition, deadline=deadline)


async def collecting_rounds(
    session: AsyncSession, org_id: int
) -> Sequence[tuple[Edition, OperationalPlan]]:
    """The org's editions open for submissions, oldest first."""
    rows = await session.exec(
        select(Edition, OperationalPlan)
        .join(OperationalPlan, OperationalPlan.id == Edition.plan_id)
        .where(OperationalPlan.org_id == org_id, Edition.state == EditionState.COLLECTING)
        .order_by(OperationalPlan.fiscal_year, Edition.id)
    )
    return rows.all()


async def latest_rounds(
    session: AsyncSession, org_id: int
) -> Sequence[tuple[Edition, OperationalPlan]]:
    """Every edition of the org's newest fiscal year, for /status."""
    newest = (
        await session.exec(
            select(func.max(OperationalPlan.fiscal_year)).where(OperationalPlan.org_id == org_id)
        )
    ).one()
    if newest is None:
        return []
    rows = await session.exec(
        select(Edition, OperationalPlan)
        .join(OperationalPlan, OperationalPlan.id == Edition.plan_id)
        .where(OperationalPlan.org_id == org_id, OperationalPlan.fiscal_year == newest)
        .order_by(Edition.id)
    )
    return rows.all()


async def newest_drafts(
    session: AsyncSession, edition_ids: Sequence[int]
) -> dict[int, DraftVersion]:
    """Each edition's draft with the highest number (ร่างที่ N), for the ones that have one."""
    if not edition_ids:
        return {}
    rows = await session.exec(
        select(DraftVersion)
        .where(DraftVersion.edition_id.in_(list(edition_ids)))  # type: ignore[attr-defined]
        .order_by(DraftVersion.edition_id, DraftVersion.number)  # type: ignore[arg-type]
    )
    return {draft.edition_id: draft for draft in rows.all()}  # the last of each wins


@dataclass(frozen=True)
class RoundCounts:
    submitted: int = 0
    accepted: int = 0
    returned: int = 0
    withdrawn: int = 0
    budget_satang: int = 0  # of the projects still in play (not withdrawn)


async def round_counts(session: AsyncSession, edition_id: int) -> RoundCounts:
    rows = await session.exec(
        select(Project.status, func.count(), func.coalesce(func.sum(Project.budget_satang), 0))
        .where(Project.edition_id == edition_id)
        .group_by(Project.status)
    )
    counts: dict[ProjectStatus, tuple[int, int]] = {
        status: (int(n), int(total)) for status, n, total in rows.all()
    }

    def n(status: ProjectStatus) -> int:
        return counts.get(status, (0, 0))[0]

    budget = sum(
        total for status, (_n, total) in counts.items() if status != ProjectStatus.WITHDRAWN
    )
    return RoundCounts(
        submitted=n(ProjectStatus.SUBMITTED),
        accepted=n(ProjectStatus.ACCEPTED),
        returned=n(ProjectStatus.RETURNED),
        withdrawn=n(ProjectStatus.WITHDRAWN),
        budget_satang=budget,
    )


async def next_project_seq(session: AsyncSession, plan_id: int) -> int:
    """The next running number within the plan (shown as เลขที่ 2569-012).

    Two submissions racing for the same number collide on the unique (plan_id, seq) key;
    the engine retries the losing turn, which then takes the next number.
    """
    current = (
        await session.exec(select(func.max(Project.seq)).where(Project.plan_id == plan_id))
    ).one()
    return int(current or 0) + 1


def cancel_round(edition: Edition, reason: str, now: datetime) -> None:
    """A round opened by mistake (ยกเลิกรอบ): cancelled with the reason, its number freed.

    Only while it still collects; its projects stay on record but count nowhere.
    """
    problem = edition_step(Step.CANCEL_ROUND, edition.state, None)
    if problem is not None:
        raise ValueError(problem)
    edition.state = next_state(Step.CANCEL_ROUND, edition.state)
    edition.cancel_reason = reason
    edition.updated_at = now

"""The audit trail of one organization's plan for one fiscal year: for /history and for CSV.

An event belongs to the fiscal year's plan when its object does: the plan, its editions,
projects, drafts, the votes on those drafts, and the amendments' project changes. Events about
the organization itself (members joining, invites, refusals) have no such object; the export
takes those by date, within the fiscal year (1 Oct – 30 Sep, in the organization's time zone).

The CSV is what an auditor (สตง.) or an operator opens in Excel: UTF-8 with a byte-order mark
so Excel reads the Thai, one row per event, the before and after as JSON.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from datetime import datetime, time, timedelta, tzinfo
from typing import Any

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.fiscal import fiscal_year_bounds
from models.org import Organization, Person
from models.orgs import list_organizations
from models.plan import DraftVersion, Edition, OperationalPlan, Project, ProjectChange, Vote
from models.records import AuditEvent

COLUMNS = (
    "time",
    "person",
    "role",
    "org",
    "action",
    "object_type",
    "object_id",
    "channel",
    "before",
    "after",
)
PLAN_OBJECTS = tuple(
    table.__tablename__  # type: ignore[attr-defined]
    for table in (OperationalPlan, Edition, Project, DraftVersion, Vote, ProjectChange)
)
DENIED = "denied:"
BOM = "\ufeff"

Event = tuple[AuditEvent, Person | None]


def _is(table: Any, ids: Any) -> Any:
    """Events about a row of ``table`` whose id is in ``ids`` (a subquery)."""
    return sa.and_(
        AuditEvent.object_type == table.__tablename__, col(AuditEvent.object_id).in_(ids)
    )


def _of_plan(plan_id: int) -> Any:
    """Events whose object belongs to the plan, as one condition over subqueries."""
    editions = select(Edition.id).where(Edition.plan_id == plan_id)
    drafts = select(DraftVersion.id).where(col(DraftVersion.edition_id).in_(editions))
    changes = select(ProjectChange.id).where(col(ProjectChange.edition_id).in_(editions))
    return sa.or_(
        sa.and_(
            AuditEvent.object_type == OperationalPlan.__tablename__,
            AuditEvent.object_id == plan_id,
        ),
        _is(Edition, editions),
        _is(Project, select(Project.id).where(Project.plan_id == plan_id)),
        _is(DraftVersion, drafts),
        _is(Vote, select(Vote.id).where(col(Vote.draft_version_id).in_(drafts))),
        _is(ProjectChange, changes),
    )


def _of_org_in_year(org_id: int, fiscal_year: int, tz: tzinfo) -> Any:
    """The organization's own events (no plan object) dated within the fiscal year."""
    first, last = fiscal_year_bounds(fiscal_year)
    start = datetime.combine(first, time.min, tzinfo=tz)
    end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=tz)
    return sa.and_(
        AuditEvent.org_id == org_id,
        sa.or_(
            col(AuditEvent.object_type).is_(None),
            col(AuditEvent.object_type).not_in(PLAN_OBJECTS),
        ),
        AuditEvent.at >= start,
        AuditEvent.at < end,
    )


async def plan_of_year(
    session: AsyncSession, org_id: int, fiscal_year: int
) -> OperationalPlan | None:
    statement = select(OperationalPlan).where(
        OperationalPlan.org_id == org_id, OperationalPlan.fiscal_year == fiscal_year
    )
    return (await session.exec(statement)).first()


async def plan_events(
    session: AsyncSession,
    org_id: int,
    fiscal_year: int,
    tz: tzinfo,
    *,
    org_level: bool = True,
) -> list[Event]:
    """The year's events with who made them, oldest first.

    ``org_level=False`` keeps only what happened to the plan and leaves out refusals: the
    timeline members read, rather than the auditor's full record.
    """
    plan = await plan_of_year(session, org_id, fiscal_year)
    conditions = []
    if plan is not None and plan.id is not None:
        conditions.append(_of_plan(plan.id))
    if org_level:
        conditions.append(_of_org_in_year(org_id, fiscal_year, tz))
    if not conditions:
        return []
    statement = (
        select(AuditEvent, Person)
        .outerjoin(Person, col(Person.id) == AuditEvent.person_id)
        .where(sa.or_(*conditions))
        .order_by(col(AuditEvent.at), col(AuditEvent.id))
    )
    if not org_level:
        statement = statement.where(col(AuditEvent.action).not_like(f"{DENIED}%"))
    return list((await session.exec(statement)).all())


async def find_organization(session: AsyncSession, text: str) -> list[Organization]:
    """Organizations matching an id or a name as an operator types it (หนองแวง, อบต.หนองแวง,
    the full name); exact matches first, else every one whose name contains it."""
    wanted = text.strip()
    orgs = await list_organizations(session)
    if wanted.isdigit():
        return [o for o in orgs if o.id == int(wanted)]
    exact = [o for o in orgs if wanted in (o.name, o.short_name, o.full_name)]
    return exact or [o for o in orgs if wanted and wanted in o.full_name]


def _json(value: dict[str, Any] | None) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def csv_text(events: Sequence[Event], org: Organization, tz: tzinfo) -> str:
    """The events as CSV text with a header row; times in the organization's time zone."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for event, person in events:
        writer.writerow(
            (
                event.at.astimezone(tz).isoformat(),
                person.name if person else "",
                event.role or "",
                org.short_name,
                event.action,
                event.object_type or "",
                "" if event.object_id is None else event.object_id,
                event.channel.value if event.channel else "",
                _json(event.before),
                _json(event.after),
            )
        )
    return buffer.getvalue()


async def export_csv(
    session: AsyncSession, org: Organization, fiscal_year: int, tz: tzinfo
) -> tuple[str, int]:
    """The year's whole record as CSV text starting with a BOM (so Excel reads the Thai),
    and how many events it holds."""
    assert org.id is not None
    events = await plan_events(session, org.id, fiscal_year, tz)
    return BOM + csv_text(events, org, tz), len(events)

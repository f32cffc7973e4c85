"""The audit trail of one organization's plan for one fiscal year: for /history and for CSV.

An event belongs to the fiscal year's plan when its object does: the plan, its editions,
projects, drafts, the votes on those drafts, and the amendments' project changes. Events about
the organization itself (members joining, invites, refusals) have no such object; the export
takes those by date, within the fiscal year (1 Oct – 30 Sep, in the organization's time zone).

The CSV is what an auditor (สตง.) or an operator opens in Excel: UTF-8 with a byte-order mark
so Excel reads the Thai, one row per event, every column and value in Thai (money in baht,
dates in พ.ศ., statuses in the regulation's words). The same events as JSON, with the codes
and the raw before/after, are for machines (``planbot audit export --json``).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.audit import DENIED, action_label
from models.enums import (
    DraftState,
    EditionState,
    ProjectStatus,
    Role,
    TriggerKind,
    VoteDecision,
)
from models.fiscal import fiscal_year_bounds, mask_to_months
from models.org import Organization, Person
from models.orgs import list_organizations
from models.plan import DraftVersion, Edition, OperationalPlan, Project, ProjectChange, Vote
from models.records import AuditEvent
from models.thaitext import format_baht, format_months, format_thai_date, satang_to_baht

# The machine-readable export's keys (JSON), and the CSV's Thai column heads, in order.
KEYS = (
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
COLUMNS = (
    "วันเวลา",
    "ผู้ดำเนินการ",
    "บทบาท",
    "องค์กร",
    "รายการ",
    "เรื่อง",
    "รหัสอ้างอิง",
    "ช่องทาง",
    "ก่อน",
    "หลัง",
)
OBJECTS = {
    "organization": "องค์กร",
    "operational_plan": "แผนการดำเนินงาน",
    "edition": "แผนฉบับ",
    "project": "โครงการ",
    "draft_version": "ร่างแผน",
    "vote": "ความเห็นของกรรมการ",
    "project_change": "การแก้ไขโครงการ",
    "membership": "สมาชิก",
    "invite": "รหัสเชิญ",
    "person": "ผู้ใช้",
}
CHANNELS = {"line": "LINE", "telegram": "Telegram", "console": "คอนโซล"}
# Column names in before/after, in Thai; anything else keeps its code.
FIELDS = {
    "status": "สถานะ",
    "state": "ขั้น",
    "status_reason": "เหตุผล",
    "reason": "เหตุผล",
    "title": "ชื่อโครงการ",
    "details": "รายละเอียด",
    "budget_satang": "งบประมาณ",
    "total_satang": "งบประมาณรวม",
    "location": "สถานที่ดำเนินการ",
    "responsible_unit": "หน่วยงานรับผิดชอบ",
    "months_mask": "เดือนที่ดำเนินการ",
    "announced_on": "วันที่ประกาศใช้",
    "posting_deadline": "กำหนดปิดประกาศ",
    "posted_on": "วันที่ปิดประกาศ",
    "removed_on": "วันที่ปลดประกาศ",
    "earliest_removal": "ปลดประกาศได้ตั้งแต่",
    "extended_deadline": "ขยายเวลาถึง",
    "extension_reason": "เหตุผลการขยายเวลา",
    "decision": "ความเห็น",
    "comment": "ข้อเสนอแนะ",
    "result": "ผล",
    "number": "ครั้งที่/ร่างที่",
    "project_count": "จำนวนโครงการ",
    "role": "บทบาท",
    "name": "ชื่อ",
    "position": "ตำแหน่ง",
    "trigger_kind": "เหตุที่เริ่มนับ",
    "trigger_date": "วันที่เริ่มนับ",
    "deadline": "กำหนดจัดทำแล้วเสร็จ",
    "kind": "ประเภท",
}
EDITION_KINDS = {"original": "ฉบับแรก", "addition": "เพิ่มเติม", "amendment": "แก้ไข"}


def _label(enum: Any) -> Any:
    return lambda value: enum(value).label_th


# How a coded value of a before/after key reads in Thai.
CODED: dict[str, Any] = {
    "status": _label(ProjectStatus),
    "decision": _label(VoteDecision),
    "result": _label(VoteDecision),
    "role": _label(Role),
    "trigger_kind": _label(TriggerKind),
    "kind": lambda value: EDITION_KINDS[value],
}
STATES = (EditionState, DraftState)  # "state" belongs to an edition or to a draft
PLAN_OBJECTS = tuple(
    table.__tablename__  # type: ignore[attr-defined]
    for table in (OperationalPlan, Edition, Project, DraftVersion, Vote, ProjectChange)
)
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
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


def json_rows(events: Sequence[Event], org: Organization, tz: tzinfo) -> list[dict[str, Any]]:
    """The events for machines: codes, ISO times in the organization's zone, raw JSON."""
    return [
        {
            "time": event.at.astimezone(tz).isoformat(),
            "person": person.name if person else None,
            "role": event.role,
            "org": org.short_name,
            "action": event.action,
            "object_type": event.object_type,
            "object_id": event.object_id,
            "channel": event.channel.value if event.channel else None,
            "before": event.before,
            "after": event.after,
        }
        for event, person in events
    ]


def _thai_value(key: str, value: Any, fy: int) -> str:
    """One value of a before/after in Thai: money in baht, dates in พ.ศ., codes as words."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "ใช่" if value else "ไม่ใช่"
    if key.endswith("_satang") and isinstance(value, int):
        return format_baht(satang_to_baht(value))
    if key == "months_mask" and isinstance(value, int):
        return format_months(mask_to_months(value), fy) if value else "—"
    if isinstance(value, str):
        if _ISO_DATE.fullmatch(value):
            return format_thai_date(date.fromisoformat(value))
        return _coded(key, value)
    if isinstance(value, list):
        return ", ".join(_thai_value(key, item, fy) for item in value)
    if isinstance(value, dict):
        return _thai_change(value, fy)
    return str(value)


def _coded(key: str, value: str) -> str:
    """A code in the regulation's words where the key says what it is; else as stored."""
    converters = [CODED[key]] if key in CODED else []
    if key == "state":
        converters = [_label(enum) for enum in STATES]
    for convert in converters:
        try:
            return str(convert(value))
        except (ValueError, KeyError, AttributeError):
            continue
    return value


def _thai_change(values: dict[str, Any] | None, fy: int) -> str:
    if not values:
        return ""
    return "; ".join(f"{FIELDS.get(k, k)}: {_thai_value(k, v, fy)}" for k, v in values.items())


def _role_th(code: str | None) -> str:
    try:
        return Role(code).label_th if code else ""
    except ValueError:
        return str(code)


def csv_text(events: Sequence[Event], org: Organization, tz: tzinfo, fiscal_year: int) -> str:
    """The events as CSV text in Thai with a header row; times in the organization's zone."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for event, person in events:
        local = event.at.astimezone(tz)
        writer.writerow(
            (
                f"{format_thai_date(local.date())} {local:%H:%M} น.",
                person.name if person else "ระบบ",
                _role_th(event.role),
                org.short_name,
                action_label(event.action),
                OBJECTS.get(event.object_type or "", event.object_type or ""),
                "" if event.object_id is None else event.object_id,
                CHANNELS.get(event.channel.value, event.channel.value) if event.channel else "",
                _thai_change(event.before, fiscal_year),
                _thai_change(event.after, fiscal_year),
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
    return BOM + csv_text(events, org, tz, fiscal_year), len(events)


async def export_json(
    session: AsyncSession, org: Organization, fiscal_year: int, tz: tzinfo
) -> list[dict[str, Any]]:
    """The year's whole record for machines (see :func:`json_rows`)."""
    assert org.id is not None
    return json_rows(await plan_events(session, org.id, fiscal_year, tz), org, tz)

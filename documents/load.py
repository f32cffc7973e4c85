"""Reading a document's data from the database: a draft version, an edition, or the plan.

Three sources, each named by a :class:`Source`:

- a draft (ร่างที่ N): its frozen snapshot, stamped "ร่าง" — what the committee votes on;
- an edition in force: the draft its committee approved (or, for an amendment, the projects
  it changed) with its own announcement;
- the consolidated plan: every edition in force, amended rows and additions marked, with
  every announcement.

``find_source`` reads what a person or the command line asks for ("the plan", "เพิ่มเติม 1",
"ร่างที่ 2"); ``load_document`` builds the :class:`~documents.model.PlanDocument`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from documents.model import (
    Announcement,
    OrgFacts,
    PlanDocument,
    announcement,
    build_plan,
)
from documents.texts import TEXT
from models.document_settings import DocumentSettings, settings_of
from models.editions import (
    approved_draft,
    consolidated,
    edition_title_th,
    in_force_editions,
)
from models.enums import EditionKind, EditionState, Role
from models.fiscal import mask_to_months
from models.org import Membership, Organization, Person
from models.plan import DraftVersion, Edition, OperationalPlan, Project, ProjectChange
from models.plan_rows import project_rows, rows_of
from models.rounds import edition_label_th
from models.thaitext import format_baht, format_months, format_thai_date, satang_to_baht


class SourceError(LookupError):
    """What was asked for does not exist (the message says which, in Thai, for the caller)."""


@dataclass(frozen=True)
class Source:
    """Which document: a draft version, one edition in force, or the consolidated plan."""

    plan_id: int
    draft_id: int | None = None
    edition_id: int | None = None

    @property
    def name(self) -> str:
        if self.draft_id is not None:
            return f"draft-{self.draft_id}"
        if self.edition_id is not None:
            return f"edition-{self.edition_id}"
        return f"plan-{self.plan_id}"


# -- finding what was asked for ---------------------------------------------------------------


async def plan_of(session: AsyncSession, org_id: int, fiscal_year: int) -> OperationalPlan:
    plan = (
        await session.exec(
            select(OperationalPlan).where(
                OperationalPlan.org_id == org_id, OperationalPlan.fiscal_year == fiscal_year
            )
        )
    ).first()
    if plan is None or plan.id is None:
        raise SourceError(TEXT["no_plan"].format(fy=fiscal_year))
    return plan


def parse_edition(text: str) -> tuple[EditionKind, int] | None:
    """``original``/``ฉบับแรก``, ``addition-1``/``เพิ่มเติม 1``, ``amendment-2``/``แก้ไข 2``;
    ``None`` for the consolidated plan (``plan``, ``รวม``, empty)."""
    words = text.strip().lower().replace("ครั้งที่", " ").replace("-", " ").split()
    if not words or words[0] in {"plan", "รวม", "consolidated", "ฉบับรวม"}:
        return None
    kinds = {
        "original": EditionKind.ORIGINAL,
        "ฉบับแรก": EditionKind.ORIGINAL,
        "addition": EditionKind.ADDITION,
        "เพิ่มเติม": EditionKind.ADDITION,
        "amendment": EditionKind.AMENDMENT,
        "แก้ไข": EditionKind.AMENDMENT,
    }
    kind = kinds.get(words[0])
    if kind is None:
        raise SourceError(TEXT["bad_edition"].format(text=text))
    if kind is EditionKind.ORIGINAL:
        return kind, 0
    try:
        return kind, int(words[1].split("/")[0])
    except (IndexError, ValueError):
        raise SourceError(TEXT["bad_edition"].format(text=text)) from None


async def find_source(
    session: AsyncSession,
    org_id: int,
    fiscal_year: int,
    *,
    edition: str | None = None,
    draft: int | None = None,
) -> Source:
    """The document asked for. Without ``edition``: the consolidated plan, or with ``draft``
    ร่างที่ N of the newest edition that has drafts."""
    plan = await plan_of(session, org_id, fiscal_year)
    assert plan.id is not None
    wanted = parse_edition(edition) if edition else None
    editions = list(
        (
            await session.exec(
                select(Edition).where(Edition.plan_id == plan.id).order_by(col(Edition.id))
            )
        ).all()
    )
    chosen: Edition | None = None
    if wanted is not None:
        chosen = next((e for e in editions if (e.kind, e.number) == wanted), None)
        if chosen is None:
            raise SourceError(TEXT["no_edition"].format(text=edition))
    if draft is not None:
        return await _draft_source(session, plan.id, chosen, editions, draft)
    if chosen is not None:
        if chosen.state is not EditionState.IN_FORCE:
            raise SourceError(TEXT["not_in_force"].format(text=edition))
        return Source(plan.id, edition_id=chosen.id)
    if not any(e.state is EditionState.IN_FORCE for e in editions):
        raise SourceError(TEXT["nothing_in_force"].format(fy=fiscal_year))
    return Source(plan.id)


async def _draft_source(
    session: AsyncSession,
    plan_id: int,
    chosen: Edition | None,
    editions: Sequence[Edition],
    number: int,
) -> Source:
    ids = [chosen.id] if chosen is not None else [e.id for e in reversed(editions)]
    for edition_id in ids:
        found = (
            await session.exec(
                select(DraftVersion).where(
                    DraftVersion.edition_id == edition_id, DraftVersion.number == number
                )
            )
        ).first()
        if found is not None:
            return Source(plan_id, draft_id=found.id)
    raise SourceError(TEXT["no_draft"].format(n=number))


# -- building ----------------------------------------------------------------------------------


async def load_document(session: AsyncSession, source: Source) -> PlanDocument:
    """The document of ``source``, ready for any renderer."""
    plan = await session.get(OperationalPlan, source.plan_id)
    assert plan is not None
    org = await session.get(Organization, plan.org_id)
    assert org is not None and org.id is not None
    settings = await settings_of(session, org.id)
    facts = await org_facts(session, org)
    key = f"{source.name}-{settings_hash(settings)}"
    if source.draft_id is not None:
        return await _draft(session, source.draft_id, plan, facts, settings, key)
    if source.edition_id is not None:
        edition = await session.get(Edition, source.edition_id)
        assert edition is not None
        rows, note = await _edition_rows(session, edition, plan)
        return build_plan(
            rows,
            fiscal_year=plan.fiscal_year,
            org=facts,
            settings=settings,
            edition=_edition_heading(edition, plan),
            announcements=[await _announcement(session, edition, plan, facts, rows, note)],
            key=key,
        )
    return await _consolidated(session, plan, facts, settings, key)


async def _draft(
    session: AsyncSession,
    draft_id: int,
    plan: OperationalPlan,
    facts: OrgFacts,
    settings: DocumentSettings,
    key: str,
) -> PlanDocument:
    draft = await session.get(DraftVersion, draft_id)
    assert draft is not None
    edition = await session.get(Edition, draft.edition_id)
    assert edition is not None
    return build_plan(
        draft.snapshot.get("projects", []),
        fiscal_year=plan.fiscal_year,
        org=facts,
        settings=settings,
        edition=_edition_heading(edition, plan),
        stamp=TEXT["stamp"].format(n=draft.number),
        key=key,
    )


def _edition_heading(edition: Edition, plan: OperationalPlan) -> str:
    if edition.kind is EditionKind.ORIGINAL:
        return ""
    return edition_title_th(edition, plan.fiscal_year)


async def _edition_rows(
    session: AsyncSession, edition: Edition, plan: OperationalPlan
) -> tuple[list[dict[str, Any]], list[str]]:
    """An edition's rows as approved (its approved draft), or an amendment's changed rows with
    the change lines its announcement lists."""
    assert edition.id is not None
    if edition.kind is not EditionKind.AMENDMENT:
        draft = await approved_draft(session, edition.id)
        return (list(draft.snapshot.get("projects", [])) if draft else []), []
    changes = list(
        (
            await session.exec(
                select(ProjectChange)
                .where(ProjectChange.edition_id == edition.id)
                .order_by(col(ProjectChange.id))
            )
        ).all()
    )
    ids = {c.project_id for c in changes if c.project_id is not None}
    assert plan.id is not None
    standing = [p for p in (await consolidated(session, plan.id)).projects if p.id in ids]
    rows = await rows_of(session, plan.fiscal_year, standing)
    announced = await project_rows(session, plan.fiscal_year, col(Project.id).in_(ids))
    titles = {r["id"]: r["title"] for r in announced}  # cancelled ones too
    lines = [
        TEXT["ann_change"].format(
            number=n,
            title=titles.get(c.project_id, ""),
            what=_change_text(c, plan.fiscal_year),
            reason=c.reason,
        )
        for n, c in enumerate(changes, start=1)
    ]
    return rows, lines


def _change_text(change: ProjectChange, fiscal_year: int) -> str:
    if change.kind == "cancel" or not change.after:
        return TEXT["ann_change_cancel"]
    column, after = next(iter(change.after.items()))
    before = (change.before or {}).get(column)
    return TEXT["ann_change_value"].format(
        column=TEXT["ann_columns"].get(column, column),
        before=_value_text(column, before, fiscal_year),
        after=_value_text(column, after, fiscal_year),
    )


def _value_text(column: str, value: Any, fiscal_year: int) -> str:
    if value is None:
        return "-"
    if column == "budget_satang":
        return format_baht(satang_to_baht(int(value)))
    if column == "months_mask":
        return format_months(mask_to_months(int(value)), fiscal_year)
    return str(value)


async def _announcement(
    session: AsyncSession,
    edition: Edition,
    plan: OperationalPlan,
    facts: OrgFacts,
    rows: Sequence[dict[str, Any]],
    changes: Sequence[str],
) -> Announcement:
    label = _edition_heading(edition, plan)
    common = {
        "org": facts,
        "fiscal_year": plan.fiscal_year,
        "edition": label,
        "announced_on": edition.announced_on,
    }
    if edition.kind is EditionKind.AMENDMENT:
        return announcement(body="ann_amendment", changes=changes, count=len(changes), **common)
    amount = format_baht(satang_to_baht(sum(r["budget_satang"] for r in rows)), unit=False)
    if edition.kind is EditionKind.ADDITION:
        return announcement(
            body="ann_addition",
            count=len(rows),
            amount=amount,
            trigger=edition.trigger_kind.label_th,
            trigger_date=format_thai_date(edition.trigger_date),
            **common,
        )
    return announcement(body="ann_original", count=len(rows), amount=amount, **common)


async def _consolidated(
    session: AsyncSession,
    plan: OperationalPlan,
    facts: OrgFacts,
    settings: DocumentSettings,
    key: str,
) -> PlanDocument:
    assert plan.id is not None
    editions = await in_force_editions(session, plan.id)
    standing = await consolidated(session, plan.id)
    rows = await rows_of(session, plan.fiscal_year, standing.projects)
    marks: dict[int, str] = {}
    by_id = {e.id: e for e in editions}
    for project in standing.projects:
        edition = by_id.get(project.edition_id)
        if edition is not None and edition.kind is EditionKind.ADDITION:
            marks[project.id] = edition_label_th(edition)  # type: ignore[index]
    for project_id, changes in standing.changes.items():
        marks[project_id] = edition_title_th(by_id[changes[-1].edition_id], plan.fiscal_year)
    announcements = []
    for edition in editions:
        edition_rows, notes = await _edition_rows(session, edition, plan)
        announcements.append(
            await _announcement(session, edition, plan, facts, edition_rows, notes)
        )
    key = f"{key}-{'-'.join(str(e.id) for e in editions)}"
    return build_plan(
        rows,
        fiscal_year=plan.fiscal_year,
        org=facts,
        settings=settings,
        edition=TEXT["consolidated"] if len(editions) > 1 else "",
        marks=marks,
        announcements=announcements,
        key=key,
    )


# -- the organization ----------------------------------------------------------------------


SIGNERS = (
    ("sig_prepared", Role.PLAN_OFFICER, False),
    ("sig_proposed", Role.SUPPORT_COMMITTEE, True),
    ("sig_endorsed", Role.DEVELOPMENT_COMMITTEE, True),
    ("sig_approved", Role.EXECUTIVE, False),
)


async def org_facts(session: AsyncSession, org: Organization) -> OrgFacts:
    """The org's names and the people who sign: its plan officer, the chairs, its executive."""
    people = (
        await session.exec(
            select(Membership, Person)
            .join(Person, col(Person.id) == Membership.person_id)
            .where(Membership.org_id == org.id, Membership.active)
            .order_by(col(Membership.id))
        )
    ).all()
    committee = org.kind.development_committee_th
    default_positions = {
        Role.PLAN_OFFICER: TEXT["sig_officer"],
        Role.SUPPORT_COMMITTEE: TEXT["sig_chair_support"],
        Role.DEVELOPMENT_COMMITTEE: TEXT["sig_chair_development"].format(committee=committee),
        Role.EXECUTIVE: f"{org.kind.executive_title_th}{org.name}",
    }
    members: dict[str, tuple[str, str]] = {}
    for label, role, chair in SIGNERS:
        found = next(
            (p for m, p in people if m.role is role and (m.is_chair or not chair)),
            None,
        )
        if found is not None:
            members[label] = (found.name, _position(found, role, default_positions))
    executive = members.get("sig_approved")
    return OrgFacts(
        full_name=org.full_name,
        place=org.place_th,
        committee=committee,
        executive_name=executive[0] if executive else None,
        executive_position=executive[1] if executive else default_positions[Role.EXECUTIVE],
        members=members,
    )


def _position(person: Person, role: Role, defaults: dict[Role, str]) -> str:
    """A chair signs as the chair of the committee; others by their own position."""
    if role in (Role.SUPPORT_COMMITTEE, Role.DEVELOPMENT_COMMITTEE):
        return defaults[role]
    return person.position or defaults[role]


def settings_hash(settings: DocumentSettings) -> str:
    """A short fingerprint of the org's choices: a stored document made before they changed
    is not served after."""
    data = settings.model_dump(mode="json", exclude={"id", "updated_at"})
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:10]

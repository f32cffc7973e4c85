"""ประวัติ: the plan's timeline for the newest fiscal year, read from the audit trail.

Any member may look (it is a peek: a form in progress stays). Each step says when (Thai date
and time), who and as which role, and what, in the regulation's words; the newest first,
PAGE_SIZE to a page. An action code without Thai words yet is shown as it is stored, so a
new step is never hidden. Refusals are left out here; ``planbot audit export`` has them all.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import col, select

from handlers import commands
from handlers.buttons import ActionPress, action_button
from handlers.context import Turn
from handlers.messages import Button, Choices, Outgoing, Text
from handlers.projects_text import project_number, thai_date
from handlers.router import action, command
from models.audit import action_label
from models.audit_export import Event, plan_events
from models.editions import edition_title_th
from models.enums import Role, VoteDecision
from models.org import Organization, Person
from models.permissions import Action
from models.plan import DraftVersion, Edition, OperationalPlan, Project
from models.records import AuditEvent
from models.rounds import latest_rounds

TEXT = {
    "title": "🕘 ประวัติแผนการดำเนินงาน ปีงบประมาณ พ.ศ. {fy} — {org} · {n} รายการ (ล่าสุดก่อน)",
    "page": " · หน้า {page}/{pages}",
    "none": "🕘 {org}: ยังไม่มีประวัติของแผนการดำเนินงาน",
    "which": "ดูประวัติขององค์กรใด",
    "entry": "{when} · {who}\n   {what}",
    "when": "{date} {time} น.",
    "who_role": "{name} ({role})",
    "system": "ระบบ",
    "with_object": "{what} · {object}",
    "with_decision": "{what}: {decision}",
    "no_result": "ไม่ได้มติ",
    "draft": "ร่างที่ {number}",
    "project": "โครงการเลขที่ {number}",
    "next": "ถัดไป",
    "previous": "ก่อนหน้า",
}
PAGE_SIZE = 10
ACTION = "history"
# the audit trail names objects by table (models.audit.record)
EDITION: str = Edition.__tablename__  # type: ignore[assignment]
PROJECT: str = Project.__tablename__  # type: ignore[assignment]
DRAFT: str = DraftVersion.__tablename__  # type: ignore[assignment]


@command(commands.HISTORY)
async def history_command(turn: Turn, _args: str) -> list[Outgoing]:
    orgs = await turn.require(Action.VIEW_HISTORY)
    if len(orgs) == 1:
        return await _page(turn, orgs[0], 1)
    row = tuple(
        Button(org.short_name, action_button(ACTION, 1, str(org.id))) for org in orgs if org.id
    )
    return [Choices(TEXT["which"], row)]


@action(ACTION)
async def history_page(turn: Turn, press: ActionPress) -> list[Outgoing]:
    """A page of an org's history; the org is checked again (a member may have left)."""
    orgs = await turn.require(Action.VIEW_HISTORY)
    org = next((o for o in orgs if str(o.id) == press.arg), None)
    if org is None:
        return await history_command(turn, "")
    return await _page(turn, org, press.object_id)


async def _page(turn: Turn, org: Organization, page: int) -> list[Outgoing]:
    assert org.id is not None
    rounds = await latest_rounds(turn.session, org.id)
    if not rounds:
        return [Text(TEXT["none"].format(org=org.short_name))]
    plan = rounds[0][1]
    events = await plan_events(
        turn.session, org.id, plan.fiscal_year, turn.clock.tz, org_level=False
    )
    if not events:
        return [Text(TEXT["none"].format(org=org.short_name))]
    events.reverse()  # the newest first: what people come to see
    pages = (len(events) + PAGE_SIZE - 1) // PAGE_SIZE
    page = min(max(page, 1), pages)
    shown = events[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    title = TEXT["title"].format(fy=plan.fiscal_year, org=org.short_name, n=len(events))
    if pages > 1:
        title += TEXT["page"].format(page=page, pages=pages)
    names = await _object_names(turn, plan, [e for e, _p in rounds], shown)
    lines = [title, *(_entry(turn, event, person, names) for event, person in shown)]
    row: list[Button] = []
    if page > 1:
        row.append(Button(TEXT["previous"], action_button(ACTION, page - 1, str(org.id))))
    if page < pages:
        row.append(Button(TEXT["next"], action_button(ACTION, page + 1, str(org.id))))
    text = "\n".join(lines)
    return [Choices(text, tuple(row)) if row else Text(text)]


def _entry(
    turn: Turn, event: AuditEvent, person: Person | None, names: dict[tuple[str, int], str]
) -> str:
    local = event.at.astimezone(turn.clock.tz)
    when = TEXT["when"].format(date=thai_date(local.date()), time=local.strftime("%H:%M"))
    who = TEXT["system"]
    if person is not None:
        who = TEXT["who_role"].format(name=person.name, role=_role(event.role))
        if not event.role:
            who = person.name
    what = action_label(event.action)
    name = names.get((event.object_type or "", event.object_id or 0))
    after = event.after or {}
    if event.action == "draft.vote":  # the vote's object is the vote: name its draft instead
        name = names.get((DRAFT, int(after.get("draft_version_id") or 0)))
    if name:
        what = TEXT["with_object"].format(what=what, object=name)
    decision = after.get("decision") if event.action == "draft.vote" else after.get("result")
    if event.action in ("draft.vote", "review.close"):
        label = VoteDecision(decision).label_th if decision else TEXT["no_result"]
        what = TEXT["with_decision"].format(what=what, decision=label)
    return TEXT["entry"].format(when=when, who=who, what=what)


def _role(code: str | None) -> str:
    try:
        return Role(code).label_th
    except ValueError:
        return str(code)


async def _object_names(
    turn: Turn, plan: OperationalPlan, editions: Sequence[Edition], events: Sequence[Event]
) -> dict[tuple[str, int], str]:
    """What each event on the page was about, in Thai: the edition, project or draft."""
    wanted: dict[str, set[int]] = {}
    for event, _person in events:
        if event.object_type and event.object_id is not None:
            wanted.setdefault(event.object_type, set()).add(event.object_id)
        if event.action == "draft.vote" and (event.after or {}).get("draft_version_id"):
            wanted.setdefault(DRAFT, set()).add(int(event.after["draft_version_id"]))  # type: ignore[index]
    names = {
        (EDITION, e.id): edition_title_th(e, plan.fiscal_year)
        for e in editions
        if e.id in wanted.get(EDITION, set())
    }
    if wanted.get(PROJECT):
        rows = await turn.session.exec(
            select(Project.id, Project.seq).where(col(Project.id).in_(wanted[PROJECT]))
        )
        for project_id, seq in rows.all():
            number = project_number(plan.fiscal_year, seq)
            names[(PROJECT, project_id)] = TEXT["project"].format(number=number)
    if wanted.get(DRAFT):
        rows = await turn.session.exec(
            select(DraftVersion.id, DraftVersion.number).where(
                col(DraftVersion.id).in_(wanted[DRAFT])
            )
        )
        for draft_id, number in rows.all():
            names[(DRAFT, draft_id)] = TEXT["draft"].format(number=number)
    return names

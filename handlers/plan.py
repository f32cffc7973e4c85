"""แผนที่ประกาศใช้: the plan in force as every member reads it.

Every edition in force of the org's newest plan — the original, each addition, each
amendment — with its announcement and posting, and what all of it adds up to: the
amendments applied and cancelled projects left out. A peek: a form in progress stays.
"""

from __future__ import annotations

from datetime import date

from handlers import commands
from handlers.browse import plan_buttons
from handlers.context import Turn
from handlers.messages import Choices, Outgoing, Text
from handlers.projects_text import baht, signed_baht, thai_date
from handlers.router import command
from models.editions import (
    AmendmentSummary,
    amendment_summaries,
    announced_projects,
    consolidated,
    edition_title_th,
    in_force_editions,
)
from models.enums import EditionKind, EditionState
from models.org import Organization
from models.permissions import Action
from models.plan import Edition, OperationalPlan, Project
from models.rounds import latest_rounds
from models.schedule import calendar_of, posting_due

TEXT = {
    "title": "📋 แผนการดำเนินงาน ปีงบประมาณ พ.ศ. {fy} ที่ประกาศใช้ — {org}",
    "none": "📋 {org}: ยังไม่มีแผนการดำเนินงานที่ประกาศใช้",
    "edition": "📌 {title} · ประกาศใช้ {announced}",
    "posted": " · ปิดประกาศ {date}",
    "not_posted": " · ยังไม่ได้ปิดประกาศ (ต้องภายใน {date})",
    "edition_projects": "   {n} โครงการ · {budget}",
    "edition_changes": "   แก้ไข {changed} โครงการ · ยกเลิก {cancelled} โครงการ · งบประมาณ {delta}",
    "total": "รวมทั้งสิ้น {n} โครงการ · งบประมาณ {budget}",
    "browse": "กดยุทธศาสตร์เพื่อดูรายการโครงการ",
}


@command(commands.PLAN)
async def plan_command(turn: Turn, _args: str) -> list[Outgoing]:
    """Each org's newest plan as it stands: per edition in force, then the grand total."""
    orgs = await turn.require(Action.VIEW_STATUS)
    return [await _consolidated(turn, org) for org in orgs]


async def _consolidated(turn: Turn, org: Organization) -> Outgoing:
    """The org's plan in force, with a button per strategy into its projects."""
    assert org.id is not None
    rounds = await latest_rounds(turn.session, org.id)
    if not rounds or not any(e.state is EditionState.IN_FORCE for e, _p in rounds):
        return Text(TEXT["none"].format(org=org.short_name))
    plan = rounds[0][1]
    assert plan.id is not None
    text = await _consolidated_text(turn, plan, org)
    row = await plan_buttons(turn, plan.id, plan.fiscal_year)
    return Choices(text + "\n" + TEXT["browse"], tuple(row)) if row else Text(text)


async def _consolidated_text(turn: Turn, plan: OperationalPlan, org: Organization) -> str:
    assert plan.id is not None
    editions = await in_force_editions(turn.session, plan.id)
    announced = await announced_projects(turn.session, plan.id)
    summaries = await amendment_summaries(
        turn.session, [e.id for e in editions if e.id and e.kind is EditionKind.AMENDMENT]
    )
    lines = [TEXT["title"].format(fy=plan.fiscal_year, org=org.short_name)]
    for edition in editions:
        due = posting_due(edition, calendar_of(org, turn.days_off))
        lines += _edition_lines(edition, plan, announced, summaries, due)
    now = await consolidated(turn.session, plan.id)
    lines.append(TEXT["total"].format(n=len(now.projects), budget=baht(now.total_satang)))
    return "\n".join(lines)


def _edition_lines(
    edition: Edition,
    plan: OperationalPlan,
    announced: list[Project],
    summaries: dict[int, AmendmentSummary],
    due: date | None,
) -> list[str]:
    """An edition as it was announced: its own projects, or (an amendment) its own changes."""
    assert edition.id is not None and edition.announced_on is not None
    head = TEXT["edition"].format(
        title=edition_title_th(edition, plan.fiscal_year), announced=thai_date(edition.announced_on)
    )
    if edition.posted_on is not None:
        head += TEXT["posted"].format(date=thai_date(edition.posted_on))
    elif due is not None:
        head += TEXT["not_posted"].format(date=thai_date(due))
    if edition.kind is EditionKind.AMENDMENT:
        summary = summaries.get(edition.id, AmendmentSummary())
        body = TEXT["edition_changes"].format(
            changed=summary.changed,
            cancelled=summary.cancelled,
            delta=signed_baht(summary.budget_delta_satang),
        )
        return [head, body]
    mine = [p for p in announced if p.edition_id == edition.id]
    budget = baht(sum(p.budget_satang for p in mine))
    return [head, TEXT["edition_projects"].format(n=len(mine), budget=budget)]

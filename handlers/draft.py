"""จัดทำร่าง: freeze the round's accepted projects into ร่างที่ N, the draft the committee considers.

The plan officer or the support committee types /draft; the round's accepted projects are
copied into a DraftVersion (the columns of ผด.01/ผด.02/ผด.02/1 and the ผด.01 summary), so
the development committee votes on exactly what it was shown, whatever happens to a
project afterwards. A new draft supersedes the earlier drafts not yet proposed; drafting
again with nothing changed says so instead of making an identical ร่างที่ N+1.

Two people drafting at once queue on the edition's row (and the unique (edition, number)
key backs that up): the second sees the first one's draft.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from handlers import buttons, commands
from handlers.browse import draft_button
from handlers.context import Turn
from handlers.messages import Button, Card, Choices, Outgoing, Text
from handlers.projects_text import baht
from handlers.router import action, command
from handlers.scope import check_step, edition_for, find_round, plan_suffix, round_flow, where
from models.drafts import build_snapshot, percent_text, same_projects
from models.editions import EditionRow
from models.enums import DraftState, ProjectStatus
from models.permissions import Action
from models.plan import DraftVersion, Project
from models.plan_rows import project_rows
from models.rounds import round_counts
from models.workflow import Step

TEXT = {
    "title": "📋 ร่างแผนการดำเนินงาน{suffix} ปีงบประมาณ พ.ศ. {fy} (ร่างที่ {n}) — {org}",
    "total_label": "รวมทั้งสิ้น",
    "total": "{count} โครงการ · งบประมาณรวม {amount}",
    "strategy_label": "{number} {name}",
    "strategy": "{count} โครงการ · {amount} ({pct}%)",
    "made": "✅ จัดทำร่างที่ {n} แล้ว จากโครงการที่รับเข้าแผน {count} โครงการ",
    "superseded": " (แทนร่างที่ {numbers})",
    "waiting": "\n⚠️ ยังมีโครงการรอตรวจ {n} โครงการ — ไม่รวมในร่างนี้",
    "same": "ร่างที่ {n} ตรงกับโครงการที่รับเข้าแผนขณะนี้แล้ว — ไม่ได้จัดทำร่างใหม่",
    "none_accepted": ("⛔ ยังไม่มีโครงการที่รับเข้าแผน — {where}\nกรุณาตรวจโครงการก่อน ด้วยคำสั่ง ตรวจโครงการ"),
    "propose": "เสนอคณะกรรมการพัฒนาฯ",
    "propose_hint": "ตรวจความถูกต้องแล้วกด เสนอคณะกรรมการพัฒนาฯ เพื่อขอความเห็นชอบ",
}
MAKE = "make_draft"  # the button that drafts a round (its edition's id)
PROPOSE = "propose_draft"  # the button that proposes a draft (its id), in handlers.review


@command(commands.DRAFT)
async def draft_command(turn: Turn, _args: str) -> list[Outgoing]:
    found = await find_round(turn, Action.MAKE_DRAFT, Step.MAKE_DRAFT, "draft")
    return await make_draft(turn, found.edition_id)


@action(MAKE)
async def make_draft_press(turn: Turn, press: buttons.ActionPress) -> list[Outgoing]:
    return await make_draft(turn, press.object_id)


@round_flow("draft")
async def make_draft(turn: Turn, edition_id: int) -> list[Outgoing]:
    """Make ร่างที่ N of the round from its accepted projects, or say why not."""
    rnd = await edition_for(turn, edition_id, Action.MAKE_DRAFT, lock="update")
    check_step(rnd, Step.MAKE_DRAFT)
    snapshot = await current_snapshot(turn.session, rnd)
    if not snapshot["projects"]:
        text = TEXT["none_accepted"].format(where=where(rnd))
        return [Choices(text, (commands.button(commands.SCREEN),))]
    drafts = await drafts_of(turn.session, rnd.edition_id)
    prepared = [d for d in drafts if d.state is DraftState.PREPARED]
    if prepared and same_projects(prepared[-1].snapshot, snapshot):
        newest = prepared[-1]
        return [Text(TEXT["same"].format(n=newest.number)), proposable_card(newest, rnd)]
    for older in prepared:
        older.state = DraftState.SUPERSEDED
    draft = DraftVersion(
        edition_id=rnd.edition_id,
        number=(drafts[-1].number if drafts else 0) + 1,
        state=DraftState.PREPARED,
        snapshot=snapshot,
        project_count=snapshot["summary"]["count"],
        total_satang=snapshot["summary"]["satang"],
        created_by_id=turn.person.id if turn.person else None,
        created_at=turn.clock.now(),
    )
    turn.session.add(draft)
    await turn.session.flush()
    await turn.audit(
        "draft.create",
        org_id=rnd.org_id,
        obj=draft,
        role=await turn.acting_as(rnd.org_id, Action.MAKE_DRAFT),
        after={
            "number": draft.number,
            "project_count": draft.project_count,
            "total_satang": draft.total_satang,
            "projects": [row["id"] for row in snapshot["projects"]],
            "superseded": [d.number for d in prepared],
        },
    )
    return [Text(await _made_text(turn, draft, rnd, prepared)), proposable_card(draft, rnd)]


async def _made_text(
    turn: Turn, draft: DraftVersion, rnd: EditionRow, superseded: list[DraftVersion]
) -> str:
    text = TEXT["made"].format(n=draft.number, count=draft.project_count)
    if superseded:
        text += TEXT["superseded"].format(numbers=", ".join(str(d.number) for d in superseded))
    waiting = (await round_counts(turn.session, rnd.edition_id)).submitted
    if waiting:
        text += TEXT["waiting"].format(n=waiting)
    return text


# -- shared with handlers.review ------------------------------------------------------------------


async def current_snapshot(session: AsyncSession, rnd: EditionRow) -> dict[str, Any]:
    """The round's accepted projects now, as a draft would freeze them."""
    fy = rnd.plan.fiscal_year
    rows = await project_rows(
        session,
        fy,
        Project.edition_id == rnd.edition_id,
        Project.status == ProjectStatus.ACCEPTED,
    )
    return build_snapshot(rows, fiscal_year=fy)


async def drafts_of(session: AsyncSession, edition_id: int) -> list[DraftVersion]:
    """Every draft of the round, ร่างที่ 1 first."""
    rows = await session.exec(
        select(DraftVersion)
        .where(DraftVersion.edition_id == edition_id)
        .order_by(DraftVersion.number)  # type: ignore[arg-type]
    )
    return list(rows.all())


def draft_card(
    draft: DraftVersion,
    rnd: EditionRow,
    *,
    footer: str | None = None,
    buttons: tuple[Button, ...] = (),
) -> Card:
    """The draft as the UX sketch shows it: the totals, then a line per strategy."""
    summary = draft.snapshot["summary"]
    rows = [
        (
            TEXT["total_label"],
            TEXT["total"].format(count=summary["count"], amount=baht(summary["satang"])),
        )
    ]
    rows += [
        (
            TEXT["strategy_label"].format(number=s["number"], name=s["name"]),
            TEXT["strategy"].format(
                count=s["count"], amount=baht(s["satang"]), pct=percent_text(s["budget_pct"])
            ),
        )
        for s in summary["strategies"]
    ]
    title = TEXT["title"].format(
        suffix=plan_suffix(rnd),
        fy=rnd.plan.fiscal_year,
        n=draft.number,
        org=rnd.org.short_name,
    )
    return Card(title=title, fields=tuple(rows), buttons=buttons, footer=footer)


def proposable_card(draft: DraftVersion, rnd: EditionRow) -> Card:
    """A draft not yet proposed, with the button that proposes it (the next step)."""
    assert draft.id is not None
    row = (Button(TEXT["propose"], buttons.action_button(PROPOSE, draft.id)), draft_button(draft))
    return draft_card(draft, rnd, footer=TEXT["propose_hint"], buttons=row)

"""The edition (ฉบับ) a step acts on: found, loaded, checked for role and stage, in one place.

Every flow that acts on an edition — screening, drafting, the committee's review, the
executive's approval, posting, extending — goes through here, so the same question always
gets the same answer: a button naming an edition that is gone is expired; someone without
the role in its org is refused with an audit row; a step its stage does not allow says
which stage it is in. Each check raises (``Refused``/``Halt``), so a flow reads as its story.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from handlers import buttons
from handlers.context import Halt, Turn, refusal
from handlers.messages import Button, Choices, Outgoing
from handlers.phrases import PHRASES
from handlers.projects_text import thai_date
from handlers.router import action
from models.editions import EditionRow, Lock, editions_of, load_edition
from models.enums import EditionKind, EditionState
from models.permissions import Action, may, needed_roles_th
from models.rounds import edition_label_th, latest_rounds
from models.workflow import EDITION_RULES, Step, edition_step

TEXT = {
    "where": "ปีงบประมาณ พ.ศ. {fy} ({edition}) — {org}",
    "plan_of": "แผนการดำเนินงาน ปีงบประมาณ พ.ศ. {fy} ({title})",
    "no_round": (
        "📋 {orgs}: ยังไม่มีรอบการจัดทำแผน — รอบจะเปิดเมื่อ{roles}บันทึกการประกาศใช้"
        "ข้อบัญญัติงบประมาณ ด้วยคำสั่ง เปิดรอบ"
    ),
    "pick_round": "ต้องการดำเนินการกับแผนการดำเนินงานฉบับใด",
    "wrong_state": "⛔ {where}\n{reason}",
    "already_approved": "{plan} อนุมัติและประกาศใช้แล้วเมื่อ {announced} — ไม่มีการเปลี่ยนแปลง",
}
# Stages in which a round is still being prepared (the one a committee command most likely means)
ACTIVE = (EditionState.COLLECTING, EditionState.IN_REVIEW, EditionState.AWAITING_EXECUTIVE)


# -- how an edition is named ------------------------------------------------------------------


def where(row: EditionRow) -> str:
    """ "ปีงบประมาณ พ.ศ. 2569 (ฉบับแรก) — อบต.หนองแวง": where a message is about."""
    return TEXT["where"].format(
        fy=row.plan.fiscal_year, edition=edition_label_th(row.edition), org=row.org.short_name
    )


def plan_of(row: EditionRow) -> str:
    """ "แผนการดำเนินงาน ปีงบประมาณ พ.ศ. 2569 (ฉบับแรก)": the edition in every message."""
    return TEXT["plan_of"].format(fy=row.plan.fiscal_year, title=row.title)


def plan_suffix(row: EditionRow) -> str:
    """ "" or "เพิ่มเติม ครั้งที่ 1": read after แผนการดำเนินงาน."""
    return "" if row.edition.kind is EditionKind.ORIGINAL else edition_label_th(row.edition)


# -- loading and checking ---------------------------------------------------------------------


async def load(turn: Turn, edition_id: int, *, lock: Lock = None) -> EditionRow:
    """The edition a button names; expired when it is gone."""
    row = await load_edition(turn.session, edition_id, lock=lock)
    if row is None:
        raise refusal(PHRASES["expired"])
    return row


async def edition_for(turn: Turn, edition_id: int, act: Action, *, lock: Lock = None) -> EditionRow:
    """The edition, if the speaker may ``act`` in its org (else refused, with the audit row).

    ``lock`` holds the edition's row until commit: "update" for a change of the whole round
    (a draft, a proposal, an approval), "share" for one of its projects, so screening and
    drafting one round queue behind each other instead of crossing.
    """
    row = await load(turn, edition_id, lock=lock)
    if not may(act, await turn.roles_in(row.org_id)):
        await turn.refuse_in(act, row.org, obj=row.edition)
    return row


def check_step(row: EditionRow, step: Step) -> None:
    """Refuse a step the edition's stage does not allow, saying which stage it is in."""
    reason = edition_step(step, row.edition.state, None)
    if reason is None:
        return
    if step in (Step.APPROVE, Step.RETURN) and row.edition.announced_on is not None:
        announced = thai_date(row.edition.announced_on)
        raise refusal(TEXT["already_approved"].format(plan=plan_of(row), announced=announced))
    raise refusal(TEXT["wrong_state"].format(where=where(row), reason=reason))


async def edition_at(turn: Turn, edition_id: int, step: Step, *, lock: Lock = None) -> EditionRow:
    """The edition if the speaker may take ``step`` on it now: the role the workflow names
    for the step, then the edition's stage."""
    needed = EDITION_RULES[step].action
    if needed is None:  # a step the system takes, never a person's button
        raise refusal(PHRASES["expired"])
    row = await edition_for(turn, edition_id, needed, lock=lock)
    check_step(row, step)
    return row


async def editions_for(
    turn: Turn, act: Action, states: Iterable[EditionState], *conditions: Any
) -> list[EditionRow]:
    """The editions in ``states`` (meeting ``conditions``) of the orgs where the speaker may
    ``act``; anyone who may not anywhere is refused (``Turn.require``)."""
    orgs = await turn.require(act)
    return await editions_of(turn.session, [o.id for o in orgs if o.id], states, *conditions)


# -- "which round?" for the committee's commands ------------------------------------------------

RoundFlow = Callable[[Turn, int], Awaitable[list[Outgoing]]]
ROUND_FLOWS: dict[str, RoundFlow] = {}  # "screen", "draft" …: what a round-picking button runs
PICK_ROUND = "pick_round"


def round_flow(name: str) -> Callable[[RoundFlow], RoundFlow]:
    """Register what to do with a round once picked (the button carries the edition's id)."""

    def register(flow: RoundFlow) -> RoundFlow:
        ROUND_FLOWS[name] = flow
        return flow

    return register


@action(PICK_ROUND)
async def picked_round(turn: Turn, press: buttons.ActionPress) -> list[Outgoing]:
    flow = ROUND_FLOWS.get(press.arg or "")
    if flow is None:
        raise refusal(PHRASES["expired"])
    return await flow(turn, press.object_id)


async def find_round(turn: Turn, act: Action, step: Step, flow: str) -> EditionRow:
    """The one round of the speaker's orgs where ``step`` may happen now.

    Several: the question which (buttons that run ``flow`` on the one picked). None: why
    not, for the round the speaker most likely means (one still being prepared).
    """
    candidates: list[tuple[EditionRow, str | None]] = []
    for org in await turn.require(act):
        assert org.id is not None
        roles = await turn.roles_in(org.id)
        for edition, plan in await latest_rounds(turn.session, org.id):
            row = EditionRow(edition, plan, org)
            candidates.append((row, edition_step(step, edition.state, roles)))
    if not candidates:
        names = " · ".join(o.short_name for o in await turn.orgs_allowed(act))
        roles_th = needed_roles_th(Action.OPEN_ROUND)
        raise refusal(TEXT["no_round"].format(orgs=names, roles=roles_th))
    ready = [row for row, reason in candidates if reason is None]
    if len(ready) == 1:
        return ready[0]
    if ready:
        row_buttons = tuple(
            Button(where(row), buttons.action_button(PICK_ROUND, row.edition_id, flow))
            for row in ready
        )
        raise Halt([Choices(TEXT["pick_round"], row_buttons)])
    active = [(r, why) for r, why in candidates if r.edition.state in ACTIVE] or candidates
    row, reason = active[-1]
    raise refusal(TEXT["wrong_state"].format(where=where(row), reason=reason))

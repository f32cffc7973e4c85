"""โครงการของฉัน: the projects I submitted, where they stand, and edit or withdraw while I still may.

A peek (it keeps a form in progress). Every button is stateless: แก้ไข/ถอน carry only the
project's id, and each press checks again that the project is still the speaker's, still
editable (รอตรวจ or ส่งกลับแก้ไข) and its round still collecting — an old button, a double
tap or a round closed meanwhile changes nothing and says why.
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from sqlmodel import select

from handlers import buttons, commands, forms
from handlers.context import Turn, refusal
from handlers.messages import Button, Choices, Outgoing, Text
from handlers.phrases import PHRASES
from handlers.projects import ProjectRow, own_editable, submitter_role, submitting_role
from handlers.projects_text import project_line, quoted_number, shorten, thai_date
from handlers.router import action, command, fallback
from handlers.submit import EDIT_FORM, form_context, values_of
from models.days_off import DaysOff
from models.enums import EditionState, ProjectStatus
from models.org import Organization
from models.permissions import Action
from models.plan import Edition, OperationalPlan, Project
from models.rounds import edition_label_th
from models.schedule import collection_cutoff
from models.thaitext import normalize_digits

TEXT = {
    "none": "📋 ยังไม่มีโครงการที่ท่านเสนอ — พิมพ์ เสนอโครงการ เพื่อเริ่ม",
    "title": "📋 โครงการของฉัน — {n} รายการ",
    "page": " (หน้า {page}/{pages})",
    "group": "{org} · ปีงบประมาณ พ.ศ. {fy} {edition} · {state}",
    "group_open": "{org} · ปีงบประมาณ พ.ศ. {fy} {edition} · รับข้อเสนอถึง {deadline}",
    "hint": "กดปุ่มเพื่อแก้ไขหรือถอนโครงการที่ยังอยู่ในช่วงรับข้อเสนอ",
    "edit": "แก้ไข #{seq}",
    "withdraw": "ถอน #{seq}",
    "next": "ถัดไป",
    "previous": "ก่อนหน้า",
    "editing": (
        "✏️ แก้ไขโครงการเลขที่ {number} — กด แก้ไข แล้วเลือกข้อที่ต้องการ"
        " เสร็จแล้วกด ยืนยันแก้ไข (กด ยกเลิก ถ้าไม่แก้ โครงการจะคงเดิม)"
    ),
    "returned_reason": "คณะกรรมการสนับสนุนฯ ส่งกลับให้แก้ไข: {reason}",
    "no_strategies": "ยังไม่มียุทธศาสตร์ของ {org} ในระบบ จึงแก้ไขโครงการไม่ได้ — กรุณาแจ้งเจ้าหน้าที่",
    "confirm_withdraw": "ถอนโครงการเลขที่ {number} “{title}” ออกจากการเสนอใช่หรือไม่",
    "yes": "ยืนยันถอน",
    "no": "ไม่ถอน",
    "kept": "ไม่ได้ถอน — โครงการเลขที่ {number} ยังอยู่ในการเสนอตามเดิม",
    "withdrawn": "✅ ถอนโครงการเลขที่ {number} แล้ว — ไม่นับรวมในแผนการดำเนินงาน",
    "typed_unknown": ("ไม่พบโครงการ #{seq} ของท่านที่แก้ไขหรือถอนได้ — พิมพ์ โครงการของฉัน เพื่อดูรายการ"),
    "typed_many": "มีโครงการ #{seq} มากกว่าหนึ่งรายการ — กรุณากดปุ่มจากรายการ โครงการของฉัน",
}
PAGE_SIZE = 5  # 2 buttons a project + paging stays within LINE's 13 quick-reply buttons
_TYPED = re.compile(r"(แก้ไข|ถอน)\s*(.+)")


@command(commands.MINE)
async def mine_command(turn: Turn, args: str) -> list[Outgoing]:
    page = int(args) if args.strip().isdigit() else 1
    return await _page(turn, page)


@action("mine")
async def mine_page(turn: Turn, press: buttons.ActionPress) -> list[Outgoing]:
    return await _page(turn, press.object_id)


async def _my_projects(turn: Turn) -> list[ProjectRow]:
    assert turn.person is not None
    rows = await turn.session.exec(
        select(Project, Edition, OperationalPlan, Organization)
        .join(Edition, Edition.id == Project.edition_id)
        .join(OperationalPlan, OperationalPlan.id == Project.plan_id)
        .join(Organization, Organization.id == OperationalPlan.org_id)
        .where(Project.submitted_by_id == turn.person.id)
        .order_by(
            sa.desc(OperationalPlan.fiscal_year),  # type: ignore[arg-type]
            Organization.id,
            Edition.id,
            Project.seq,
        )
    )
    return [ProjectRow(*row) for row in rows.all()]


def _group_line(
    edition: Edition, plan: OperationalPlan, org: Organization, days_off: DaysOff
) -> str:
    common = {"org": org.short_name, "fy": plan.fiscal_year, "edition": edition_label_th(edition)}
    if edition.state is EditionState.COLLECTING:
        deadline = collection_cutoff(edition, org, days_off)
        assert deadline is not None
        return TEXT["group_open"].format(**common, deadline=thai_date(deadline))
    return TEXT["group"].format(**common, state=edition.state.label_th)


async def _page(turn: Turn, page: int) -> list[Outgoing]:
    """One page of my projects, grouped by org and round, with the buttons that still work."""
    if turn.person is None or not await turn.orgs():
        return [Text(PHRASES["not_joined"])]
    rows = await _my_projects(turn)
    if not rows:
        row: tuple[Button, ...] = ()
        if forms.current_form(turn) is None and await turn.orgs_allowed(Action.SUBMIT_PROJECT):
            row = (commands.button(commands.SUBMIT),)
        return [Choices(TEXT["none"], row) if row else Text(TEXT["none"])]
    pages = (len(rows) + PAGE_SIZE - 1) // PAGE_SIZE
    page = min(max(page, 1), pages)
    shown = rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    title = TEXT["title"].format(n=len(rows))
    if pages > 1:
        title += TEXT["page"].format(page=page, pages=pages)
    lines = [title]
    group: int | None = None
    row_buttons: list[Button] = []
    for found in shown:
        project, edition = found.project, found.edition
        if group != edition.id:
            group = edition.id
            lines += ["", _group_line(edition, found.plan, found.org, turn.days_off)]
        lines.append(project_line(project))
        if found.editable:
            assert project.id is not None
            row_buttons += [
                Button(
                    TEXT["edit"].format(seq=project.seq),
                    buttons.action_button("edit", project.id),
                ),
                Button(
                    TEXT["withdraw"].format(seq=project.seq),
                    buttons.action_button("withdraw", project.id),
                ),
            ]
    if row_buttons:
        lines += ["", TEXT["hint"]]
    if page > 1:
        row_buttons.append(Button(TEXT["previous"], buttons.action_button("mine", page - 1)))
    if page < pages:
        row_buttons.append(Button(TEXT["next"], buttons.action_button("mine", page + 1)))
    text = "\n".join(lines)
    return [Choices(text, tuple(row_buttons)) if row_buttons else Text(text)]


# -- แก้ไข -------------------------------------------------------------------------------


@action("edit")
async def edit_project(turn: Turn, press: buttons.ActionPress) -> list[Outgoing]:
    """Start the submission form at its summary with the project's values (ctx: its id)."""
    found = await own_editable(turn, press.object_id)
    project, org = found.project, found.org
    await submitting_role(turn, org)
    ctx = await form_context(turn, [(org, [(found.edition, found.plan)])], project_id=project.id)
    if not ctx["orgs"]:
        raise refusal(TEXT["no_strategies"].format(org=org.short_name))
    intro: list[Outgoing] = [Text(TEXT["editing"].format(number=found.number))]
    if project.status is ProjectStatus.RETURNED and project.status_reason:
        intro.append(Text(TEXT["returned_reason"].format(reason=project.status_reason)))
    values = values_of(project, found.org_id)
    return await forms.start(turn, EDIT_FORM, ctx, values, at_summary=True, intro=intro)


# -- ถอน ---------------------------------------------------------------------------------


@action("withdraw")
async def withdraw_project(turn: Turn, press: buttons.ActionPress) -> list[Outgoing]:
    """Ask first (ยืนยันถอน / ไม่ถอน); the answer is another stateless button on the same id."""
    found = await own_editable(turn, press.object_id, lock=press.arg == "yes")
    project, number = found.project, found.number
    assert project.id is not None
    if press.arg == "no":
        return [Text(TEXT["kept"].format(number=number))]
    if press.arg != "yes":
        question = TEXT["confirm_withdraw"].format(number=number, title=shorten(project.title))
        row = (
            Button(TEXT["yes"], buttons.action_button("withdraw", project.id, "yes")),
            Button(TEXT["no"], buttons.action_button("withdraw", project.id, "no")),
        )
        return [Choices(question, row)]
    before = {"status": project.status.value}
    project.status = ProjectStatus.WITHDRAWN
    project.updated_at = turn.clock.now()
    await turn.audit(
        "project.withdraw",
        org_id=found.org_id,
        obj=project,
        role=await submitter_role(turn, found.org_id),
        before=before,
        after={"status": project.status.value},
    )
    return [Text(TEXT["withdrawn"].format(number=number))]


# -- typed labels: "แก้ไข #12" and "ถอน #12" work like the buttons (UX principle 2) ----------


@fallback
async def typed_button(turn: Turn, text: str) -> list[Outgoing] | None:
    match = _TYPED.fullmatch(normalize_digits(text).strip())
    quoted = quoted_number(match.group(2)) if match else None
    if match is None or quoted is None or turn.person is None:
        return None
    verb, seq = match.group(1), quoted.seq
    candidates = [
        row.project
        for row in await _my_projects(turn)
        if row.project.seq == seq and row.editable and quoted.of(row.plan.fiscal_year)
    ]
    if not candidates:
        return [Text(TEXT["typed_unknown"].format(seq=seq))]
    if len(candidates) > 1:
        return [Text(TEXT["typed_many"].format(seq=seq))]
    assert candidates[0].id is not None
    press = buttons.ActionPress("edit" if verb == "แก้ไข" else "withdraw", candidates[0].id)
    handler = edit_project if press.action == "edit" else withdraw_project
    return await handler(turn, press)

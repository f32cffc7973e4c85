"""อนุมัติแผน: the local executive approves and announces (ประกาศใช้) an edition, or returns it.

The story: the development committee approved a draft, so the edition awaits the executive
(part A sends the notice with ``approve`` and ``return`` buttons; ``/approve`` lists the same).
อนุมัติ → the announcement date (today by button, or typed; never in the future nor before the
committee's approval) → a summary with the posting deadline it starts → ยืนยัน: the edition
is in force, and the plan officer is told to post it within 15 days, with the button that
records the posting. ส่งกลับแก้ไข → the reason → ยืนยัน: the edition collects again and the
officer and the support committee read why.

Buttons are stateless (they carry the edition's id) and every press and every confirm checks
the edition again under a row lock: a second tap, an old notice or an edition approved
meanwhile answers plainly and changes nothing.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from handlers import commands, fields, forms
from handlers.buttons import ActionPress, action_button
from handlers.context import Turn, refusal
from handlers.deadlines_text import due_suffix
from handlers.fields import date_field, date_reason, day_of, iso
from handlers.forms import Form, FormData
from handlers.messages import Button, Choices, Outgoing, Text
from handlers.posting import posting_notice
from handlers.projects_text import baht, days_left, thai_date
from handlers.router import action, command
from handlers.scope import edition_at, editions_for, plan_of
from models.deadlines import POSTING_DAYS, posting_deadline
from models.editions import (
    DateProblem,
    EditionRow,
    announce,
    announcement_problem,
    approved_draft,
    send_back,
    snapshot,
)
from models.enums import EditionState, Role
from models.permissions import Action
from models.plan import DraftVersion
from models.schedule import calendar_of
from models.workflow import Step

TEXT = {
    "status": "ดูสถานะ",
    # /approve
    "none_pending": "📋 ไม่มีแผนที่รอท่านอนุมัติ — เมื่อคณะกรรมการพัฒนาฯ เห็นชอบร่างแล้ว ระบบจะแจ้งทางแชทนี้",
    "pending_title": "📋 แผนการดำเนินงานที่รอท่านอนุมัติ — {n} ฉบับ",
    "pending_entry": "{mark}{org} · {plan}\n   {draft}",
    "draft": "ร่างที่ {number} · {count} โครงการ · งบประมาณรวม {budget}",
    "draft_approved": " · คณะกรรมการพัฒนาฯ เห็นชอบ {date}",
    "no_draft": "ยังไม่พบร่างที่คณะกรรมการพัฒนาฯ เห็นชอบ",
    "approve": "อนุมัติและประกาศใช้",
    "return": "ส่งกลับแก้ไข",
    "approve_n": "อนุมัติ ({n})",
    "return_n": "ส่งกลับ ({n})",
    # approving
    "approve_title": "การอนุมัติแผน",
    "approve_header": "📋 อนุมัติและประกาศใช้{plan} — {org}\n{draft}",
    "announced_label": "วันที่ประกาศใช้",
    "announced_prompt": (
        "ประกาศใช้วันใด — กดปุ่ม หรือพิมพ์วันที่ เช่น {example}\n"
        "เมื่อประกาศใช้แล้ว ต้องปิดประกาศภายใน {days} วันนับแต่วันประกาศ"
    ),
    "announced_show": "{date} → ต้องปิดประกาศภายใน {deadline}",
    "approve_summary": "ตรวจสอบก่อนอนุมัติ",
    "approved": (
        "✅ อนุมัติและประกาศใช้แล้ว: {plan} — {org}\n"
        "ประกาศใช้ {announced} · ⏰ ต้องปิดประกาศภายใน {deadline} ({left})\n"
        "แจ้ง{officer}ให้ปิดประกาศแล้ว"
    ),
    "announced_notice": "📣 {org} ประกาศใช้{plan}แล้ว เมื่อ {day}\n{draft}",
    # returning
    "return_title": "การส่งกลับแก้ไข",
    "return_header": "↩️ ส่ง{plan} กลับไปแก้ไข — {org}\n{draft}",
    "reason_label": "เหตุผล",
    "reason_prompt": "สิ่งที่ต้องแก้ไข เช่น ขอให้ปรับงบประมาณโครงการถนนให้ตรงกับข้อบัญญัติงบประมาณ",
    "reason_example": "ขอให้ปรับงบประมาณโครงการถนนให้ตรงกับข้อบัญญัติงบประมาณ",
    "return_summary": "ตรวจสอบก่อนส่งกลับ",
    "return_confirm": "ยืนยันส่งกลับ",
    "returned": ("✅ ส่งกลับแก้ไขแล้ว — {plan} กลับสู่ขั้น “{state}”\nแจ้ง{officer}และคณะกรรมการสนับสนุนฯ แล้ว"),
    "return_notice": (
        "↩️ {executive} ส่ง{plan} — {org} กลับให้แก้ไข\n"
        "เหตุผล: {reason}\n"
        "กรุณาปรับปรุงแล้วจัดทำร่างใหม่เสนอคณะกรรมการพัฒนาฯ"
    ),
}

# -- /approve: what awaits the executive ----------------------------------------------------


@command(commands.APPROVE)
async def approve_command(turn: Turn, _args: str) -> list[Outgoing]:
    """The editions awaiting the speaker's approval, each with its two buttons."""
    rows = await editions_for(turn, Action.APPROVE_PLAN, [EditionState.AWAITING_EXECUTIVE])
    if not rows:
        return [Text(TEXT["none_pending"])]
    lines = [TEXT["pending_title"].format(n=len(rows))]
    row_buttons: list[Button] = []
    for n, row in enumerate(rows, start=1):
        assert row.edition.id is not None
        ctx = await _decision_ctx(turn, row)
        mark = f"{n}) " if len(rows) > 1 else ""
        lines.append(
            TEXT["pending_entry"].format(
                mark=mark, org=row.org.short_name, plan=plan_of(row), draft=ctx["draft"]
            )
        )
        approve, back = (TEXT["approve"], TEXT["return"])
        if len(rows) > 1:
            approve, back = TEXT["approve_n"].format(n=n), TEXT["return_n"].format(n=n)
        row_buttons += [
            Button(approve, action_button("approve", row.edition.id)),
            Button(back, action_button("return", row.edition.id)),
        ]
    return [Choices("\n".join(lines), tuple(row_buttons))]


async def _decision_ctx(turn: Turn, row: EditionRow) -> dict[str, Any]:
    """What the executive decides on: the draft the committee approved, and when."""
    assert row.edition.id is not None
    draft = await approved_draft(turn.session, row.edition.id)
    approved_on = _approved_on(turn, draft)
    return {
        "edition": row.edition.id,
        "org": row.org.short_name,
        "province": row.org.province,
        "plan": plan_of(row),
        "approved_on": iso(approved_on),
        "draft": _draft_line(draft, approved_on),
    }


def _approved_on(turn: Turn, draft: DraftVersion | None) -> date | None:
    if draft is None or draft.closed_at is None:
        return None
    return draft.closed_at.astimezone(turn.clock.tz).date()


def _draft_line(draft: DraftVersion | None, approved_on: date | None) -> str:
    if draft is None:
        return TEXT["no_draft"]
    line = TEXT["draft"].format(
        number=draft.number, count=draft.project_count, budget=baht(draft.total_satang)
    )
    if approved_on is not None:
        line += TEXT["draft_approved"].format(date=thai_date(approved_on))
    return line


# -- อนุมัติ ----------------------------------------------------------------------------------


@action("approve")
async def approve_action(turn: Turn, press: ActionPress) -> list[Outgoing]:
    found = await edition_at(turn, press.object_id, Step.APPROVE)
    return await forms.start(turn, APPROVE_FORM, await _decision_ctx(turn, found))


def _announcement_check(day: date, data: FormData) -> DateProblem | None:
    approved = data.ctx.get("approved_on")
    return announcement_problem(
        day, approved_on=day_of(approved) if approved else None, today=data.today
    )


def _announced_prompt(data: FormData) -> str:
    return TEXT["announced_prompt"].format(example=thai_date(data.today), days=POSTING_DAYS)


def _show_announced(value: Any, data: FormData) -> str:
    assert data.days_off is not None
    day = day_of(value)
    calendar = data.days_off.of(data.ctx.get("province"))
    deadline = posting_deadline(day, calendar)
    text = TEXT["announced_show"].format(date=thai_date(day), deadline=thai_date(deadline.due))
    return text + due_suffix(deadline, calendar)


async def _confirm_approve(turn: Turn, data: FormData) -> list[Outgoing]:
    found = await edition_at(turn, int(data.ctx["edition"]), Step.APPROVE, lock="update")
    edition, org = found.edition, found.org
    day = day_of(data.values["announced"])
    problem = _announcement_check(day, data)
    if problem is not None:
        raise refusal(date_reason(problem, day))
    columns = ("state", "announced_on")
    before = {**snapshot(edition, *columns), "posting_deadline": None}
    calendar = calendar_of(org, turn.days_off)
    deadline = announce(edition, day, calendar, turn.clock.now())
    await turn.audit(  # the audit keeps the deadline as counted on the day (a record)
        "plan.approve",
        org_id=org.id,
        obj=edition,
        role=Role.EXECUTIVE,
        before=before,
        after={**snapshot(edition, *columns), "posting_deadline": deadline.due.isoformat()},
    )
    assert org.id is not None
    await turn.notify_roles(
        org.id,
        [Role.PLAN_OFFICER],
        [posting_notice(found, turn.days_off)],
        dedupe_key=f"plan-approved:{edition.id}",
    )
    await _announce_to_everyone(turn, found, day, str(data.ctx["draft"]))
    text = TEXT["approved"].format(
        plan=plan_of(found),
        org=org.short_name,
        announced=thai_date(day),
        deadline=thai_date(deadline.due),
        left=days_left(deadline.due, turn.clock.today()),
        officer=Role.PLAN_OFFICER.label_th,
    )
    return [Text(text + due_suffix(deadline, calendar))]


async def _announce_to_everyone(turn: Turn, row: EditionRow, day: date, draft: str) -> None:
    """Who proposed projects and who considered the draft hear that the plan is announced
    (issue: before, only the officer did), with the plan in force one tap away."""
    notice = TEXT["announced_notice"].format(
        org=row.org.short_name, plan=plan_of(row), day=thai_date(day), draft=draft
    )
    await turn.notify_roles(
        row.org_id,
        [Role.SUBMITTER, Role.SUPPORT_COMMITTEE, Role.DEVELOPMENT_COMMITTEE],
        [Choices(notice, (commands.button(commands.PLAN),))],
        dedupe_key=f"plan-announced:{row.edition_id}",
    )


APPROVE_FORM = forms.register(
    Form(
        name="plan_approve",
        title=TEXT["approve_title"],
        fields=(
            date_field(
                "announced",
                TEXT["announced_label"],
                _announced_prompt,
                _announcement_check,
                show=_show_announced,
            ),
        ),
        header=lambda data: TEXT["approve_header"].format(**data.ctx),
        summary_title=TEXT["approve_summary"],
        confirm_label=TEXT["approve"],
        on_confirm=_confirm_approve,
    )
)


# -- ส่งกลับแก้ไข ----------------------------------------------------------------------------


@action("return")
async def return_action(turn: Turn, press: ActionPress) -> list[Outgoing]:
    found = await edition_at(turn, press.object_id, Step.RETURN)
    return await forms.start(turn, RETURN_FORM, await _decision_ctx(turn, found))


async def _confirm_return(turn: Turn, data: FormData) -> list[Outgoing]:
    found = await edition_at(turn, int(data.ctx["edition"]), Step.RETURN, lock="update")
    edition, org = found.edition, found.org
    assert org.id is not None
    reason = str(data.values["reason"])
    before = snapshot(edition, "state")
    send_back(edition, turn.clock.now())
    await turn.audit(
        "plan.return",
        org_id=org.id,
        obj=edition,
        role=Role.EXECUTIVE,
        before=before,
        after={**snapshot(edition, "state"), "reason": reason},
    )
    notice = TEXT["return_notice"].format(
        executive=org.kind.executive_title_th,
        plan=plan_of(found),
        org=org.short_name,
        reason=reason,
    )
    await turn.notify_roles(
        org.id,
        [Role.PLAN_OFFICER, Role.SUPPORT_COMMITTEE],
        [Choices(notice, (commands.button(commands.STATUS, TEXT["status"]),))],
        dedupe_key=f"plan-returned:{edition.id}:{turn.clock.now().isoformat()}",
    )
    text = TEXT["returned"].format(
        plan=plan_of(found), state=edition.state.label_th, officer=Role.PLAN_OFFICER.label_th
    )
    return [Text(text)]


RETURN_FORM = forms.reason_form(
    name="plan_return",
    title=TEXT["return_title"],
    field=fields.reason_field(TEXT["reason_label"], TEXT["reason_prompt"], TEXT["reason_example"]),
    header=lambda data: TEXT["return_header"].format(**data.ctx),
    summary_title=TEXT["return_summary"],
    confirm_label=TEXT["return_confirm"],
    on_confirm=_confirm_return,
)

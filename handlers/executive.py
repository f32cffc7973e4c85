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

The helpers under "shared by the edition flows" are used by posting, extend and amend too:
the "which edition?" and "which day?" questions, and loading an edition with the checks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date, timedelta
from typing import Any

from handlers import forms
from handlers.buttons import ActionPress, action_button
from handlers.context import Turn
from handlers.forms import Choice, Field, Form, FormData
from handlers.messages import Button, Choices, Outgoing, Text
from handlers.projects_text import baht, days_left, thai_date
from handlers.router import action, command
from handlers.submit import CMD_STATUS
from models.deadlines import POSTING_DAYS, posting_deadline
from models.editions import (
    DateProblem,
    DateRule,
    EditionRow,
    announce,
    announcement_problem,
    approved_draft,
    editions_of,
    load_edition,
    send_back,
    snapshot,
)
from models.enums import EditionKind, EditionState, Role
from models.permissions import Action, may
from models.plan import DraftVersion
from models.thaitext import ParseError, check_date_range, parse_date
from models.workflow import EDITION_RULES, Step, edition_step

TEXT = {
    # shared by the edition flows
    "expired": "รายการนี้หมดอายุแล้ว",
    "refused": "⛔ {reason}",
    "form_dropped": "(ยกเลิก{title}ที่ค้างไว้แล้ว)",
    "edition_label": "แผน",
    "edition_prompt": "ทำรายการสำหรับแผนฉบับใด",
    "edition_bad": "กรุณากดปุ่มเลือกแผน เช่น {example}",
    "edition_choice": "{title} พ.ศ. {fy}",
    "edition_choice_org": "{org} {title}",
    "plan_of": "แผนการดำเนินงาน ปีงบประมาณ พ.ศ. {fy} ({title})",
    "today": "วันนี้ {date}",
    "dates": {
        DateRule.FUTURE: "วันที่ {day} ยังมาไม่ถึง — กรุณาระบุวันที่ไม่เกินวันนี้ เช่น {limit}",
        DateRule.BEFORE_APPROVAL: (
            "วันที่ประกาศใช้ต้องไม่ก่อนวันที่คณะกรรมการพัฒนาฯ เห็นชอบร่าง ({limit}) — เช่น {limit}"
        ),
        DateRule.BEFORE_ANNOUNCED: "วันที่ปิดประกาศต้องไม่ก่อนวันที่ประกาศใช้ ({limit}) — เช่น {limit}",
        DateRule.TOO_EARLY_REMOVAL: (
            "ยังปลดประกาศไม่ได้ — ต้องปิดประกาศไว้อย่างน้อย 30 วัน ปลดได้ตั้งแต่ {limit}"
        ),
        DateRule.NOT_LATER: "ขยายเวลาได้เฉพาะวันที่หลังกำหนดเดิม {limit} — เช่น {later}",
        DateRule.PAST: "วันที่ {day} ผ่านไปแล้ว — กรุณาระบุวันที่ตั้งแต่วันนี้ ({limit}) เป็นต้นไป",
    },
    "posting_notice": (
        "📋 {org} · {plan}\n"
        "✅ ประกาศใช้แล้ว — ต้องปิดประกาศภายใน {deadline} ({days} วันนับแต่วันประกาศ)\n"
        "เมื่อปิดประกาศแล้ว กรุณากดปุ่มด้านล่างเพื่อบันทึก"
    ),
    "record_posting": "บันทึกการปิดประกาศ",
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
    "already_approved": "{plan} อนุมัติและประกาศใช้แล้วเมื่อ {announced} — ไม่มีการเปลี่ยนแปลง",
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

POST_ACTION = "posted"  # the button that records the posting of an edition (handlers.posting)


# -- shared by the edition flows ------------------------------------------------------------


def plan_of(row: EditionRow) -> str:
    """ "แผนการดำเนินงาน ปีงบประมาณ พ.ศ. 2569 (ฉบับแรก)": the edition in every message."""
    return TEXT["plan_of"].format(fy=row.plan.fiscal_year, title=row.title)


def date_reason(problem: DateProblem, day: date) -> str:
    """A broken date rule in Thai, with the date it is measured against as the example."""
    return TEXT["dates"][problem.rule].format(
        day=thai_date(day),
        limit=thai_date(problem.limit),
        later=thai_date(problem.limit + timedelta(days=15)),
    )


def iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def day_of(value: Any) -> date:
    """A date the form stored JSON-ready (ISO)."""
    return date.fromisoformat(str(value))


def edition_entry(row: EditionRow, *, with_org: bool = False) -> dict[str, Any]:
    """What the forms keep about an edition (JSON-ready): names and the dates its rules need."""
    edition = row.edition
    choice = (
        row.title
        if edition.kind is EditionKind.AMENDMENT
        else TEXT["edition_choice"].format(title=row.title, fy=row.plan.fiscal_year)
    )
    if with_org:
        choice = TEXT["edition_choice_org"].format(org=row.org.short_name, title=choice)
    return {
        "id": edition.id,
        "org": row.org.short_name,
        "fy": row.plan.fiscal_year,
        "plan": plan_of(row),
        "choice": choice,
        "deadline": edition.effective_deadline.isoformat(),
        "announced": iso(edition.announced_on),
        "posting_deadline": iso(edition.posting_deadline),
        "posted": iso(edition.posted_on),
        "earliest_removal": iso(edition.earliest_removal),
    }


def editions_ctx(rows: Sequence[EditionRow]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The forms' context and preset values: the edition is answered when there is one."""
    with_org = len({row.org.id for row in rows}) > 1
    ctx = {"editions": [edition_entry(row, with_org=with_org) for row in rows]}
    values = {"edition": rows[0].edition.id} if len(rows) == 1 else {}
    return ctx, values


def chosen(data: FormData) -> dict[str, Any] | None:
    """The edition the form is about, once answered (or preset)."""
    wanted = data.values.get("edition")
    return next((e for e in data.ctx["editions"] if e["id"] == wanted), None)


def _edition_choices(data: FormData) -> list[Choice]:
    return [Choice(e["choice"], e["id"]) for e in data.ctx["editions"]]


def _parse_edition(_text: str, data: FormData) -> Any:
    return ParseError(TEXT["edition_bad"].format(example=data.ctx["editions"][0]["choice"]))


def edition_field(prompt: str = TEXT["edition_prompt"]) -> Field:
    """ "Which edition?", asked only when several are waiting for this step."""
    return Field(
        "edition",
        TEXT["edition_label"],
        prompt,
        parse=_parse_edition,
        choices=_edition_choices,
        when=lambda data: len(data.ctx["editions"]) > 1,
        show=lambda _value, data: (chosen(data) or {"choice": ""})["choice"],
    )


DateCheck = Callable[[date, FormData], DateProblem | None]


def date_field(
    name: str,
    label: str,
    prompt: str | Callable[[FormData], str],
    check: DateCheck,
    show: Callable[[Any, FormData], str] | None = None,
) -> Field:
    """A day as people type it (วันนี้, 1 ต.ค. 68, 1/10/2568…), with "วันนี้ <date>" as a
    button whenever today itself passes ``check``; a day that breaks it is asked again with
    the reason and the date it is measured against."""

    def parse(text: str, data: FormData) -> Any:
        day = parse_date(text, data.today)
        if isinstance(day, ParseError):
            return day
        near = check_date_range(day, data.today, past_days=366, future_days=366)
        if isinstance(near, ParseError):
            return near
        problem = check(day, data)
        return ParseError(date_reason(problem, day)) if problem else day.isoformat()

    def choices(data: FormData) -> list[Choice]:
        today = data.today
        if check(today, data) is not None:
            return []
        return [Choice(TEXT["today"].format(date=thai_date(today)), today.isoformat())]

    return Field(
        name,
        label,
        prompt,
        parse=parse,
        choices=choices,
        show=show or (lambda value, _data: thai_date(day_of(value))),
        echo=True,
    )


async def start_form(
    turn: Turn, form: Form, ctx: dict[str, Any], values: dict[str, Any] | None = None
) -> list[Outgoing]:
    """Start a form from a button; say so when it replaces a form left half-done."""
    current = forms.current_form(turn)
    intro = [Text(TEXT["form_dropped"].format(title=current.title))] if current else []
    return intro + await forms.start(turn, form, ctx, values)


async def open_edition(
    turn: Turn, edition_id: int, step: Step, *, lock: bool = False
) -> EditionRow | list[Outgoing]:
    """The edition if the speaker may take ``step`` on it now, else the Thai answer.

    A speaker without the role in the edition's org is refused with an audit row (as
    ``Turn.require`` does); a step the edition's state does not allow gets the workflow's
    reason, and approving what is already in force says when it was announced.
    """
    row = await load_edition(turn.session, edition_id, lock=lock)
    if row is None or turn.person is None:
        return [Text(TEXT["expired"])]
    assert row.org.id is not None
    roles = await turn.roles_in(row.org.id)
    needed = EDITION_RULES[step].action
    reason = edition_step(step, row.edition.state, roles)
    if needed is not None and not may(needed, roles):
        await turn.audit(
            f"denied:{needed}",
            org_id=row.org.id,
            obj=row.edition,
            after={"roles": sorted(role.value for role in roles)},
        )
        return [Text(TEXT["refused"].format(reason=reason))]
    if reason is None:
        return row
    announced = row.edition.announced_on
    if step in (Step.APPROVE, Step.RETURN) and announced is not None:
        return [
            Text(TEXT["already_approved"].format(plan=plan_of(row), announced=thai_date(announced)))
        ]
    return [Text(reason)]


async def editions_for(
    turn: Turn, act: Action, states: Iterable[EditionState], *where: Any
) -> list[EditionRow]:
    """The editions in ``states`` (meeting ``where``) of the orgs where the speaker may
    ``act``; refuses (Turn.require) anyone who may not anywhere."""
    orgs = await turn.require(act)
    return await editions_of(turn.session, [o.id for o in orgs if o.id], states, *where)


async def open_chosen(turn: Turn, data: FormData, step: Step) -> EditionRow | list[Outgoing]:
    """At confirm: the form's edition, locked, if ``step`` may still be taken on it."""
    entry = chosen(data)
    assert entry is not None
    return await open_edition(turn, int(entry["id"]), step, lock=True)


def posting_notice(row: EditionRow, deadline: date, extra: str = "") -> Choices:
    """The officer's notice once an edition is in force: post it by the deadline (button)."""
    assert row.edition.id is not None
    text = TEXT["posting_notice"].format(
        org=row.org.short_name, plan=plan_of(row), deadline=thai_date(deadline), days=POSTING_DAYS
    )
    button = Button(TEXT["record_posting"], action_button(POST_ACTION, row.edition.id))
    return Choices(text + (f"\n{extra}" if extra else ""), (button,))


def status_button() -> Button:
    return Button(TEXT["status"], action_button("cmd", 0, CMD_STATUS))


# -- /approve: what awaits the executive ----------------------------------------------------


@command("/approve", "อนุมัติแผน", keeps_form=True)
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
    found = await open_edition(turn, press.object_id, Step.APPROVE)
    if isinstance(found, list):
        return found
    return await start_form(turn, APPROVE_FORM, await _decision_ctx(turn, found))


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
    deadline = posting_deadline(day, data.days_off).legal_day
    return TEXT["announced_show"].format(date=thai_date(day), deadline=thai_date(deadline))


async def _confirm_approve(turn: Turn, data: FormData) -> list[Outgoing]:
    found = await open_edition(turn, int(data.ctx["edition"]), Step.APPROVE, lock=True)
    if isinstance(found, list):
        return found
    edition, org = found.edition, found.org
    day = day_of(data.values["announced"])
    problem = _announcement_check(day, data)
    if problem is not None:
        return [Text(date_reason(problem, day))]
    columns = ("state", "announced_on", "posting_deadline")
    before = snapshot(edition, *columns)
    deadline = announce(edition, day, turn.days_off, turn.clock.now())
    await turn.audit(
        "plan.approve",
        org_id=org.id,
        obj=edition,
        role=Role.EXECUTIVE,
        before=before,
        after=snapshot(edition, *columns),
    )
    assert org.id is not None
    await turn.notify_roles(
        org.id,
        [Role.PLAN_OFFICER],
        [posting_notice(found, deadline.legal_day)],
        dedupe_key=f"plan-approved:{edition.id}",
    )
    text = TEXT["approved"].format(
        plan=plan_of(found),
        org=org.short_name,
        announced=thai_date(day),
        deadline=thai_date(deadline.legal_day),
        left=days_left(deadline.legal_day, turn.clock.today()),
        officer=Role.PLAN_OFFICER.label_th,
    )
    return [Text(text)]


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
    found = await open_edition(turn, press.object_id, Step.RETURN)
    if isinstance(found, list):
        return found
    return await start_form(turn, RETURN_FORM, await _decision_ctx(turn, found))


REASON_FIELD = forms.reason_field(
    TEXT["reason_label"], TEXT["reason_prompt"], TEXT["reason_example"]
)
parse_reason = REASON_FIELD.parse  # the same rule for every reason the executive gives


async def _confirm_return(turn: Turn, data: FormData) -> list[Outgoing]:
    found = await open_edition(turn, int(data.ctx["edition"]), Step.RETURN, lock=True)
    if isinstance(found, list):
        return found
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
        [Choices(notice, (status_button(),))],
        dedupe_key=f"plan-returned:{edition.id}:{turn.clock.now().isoformat()}",
    )
    text = TEXT["returned"].format(
        plan=plan_of(found), state=edition.state.label_th, officer=Role.PLAN_OFFICER.label_th
    )
    return [Text(text)]


RETURN_FORM = forms.reason_form(
    name="plan_return",
    title=TEXT["return_title"],
    field=REASON_FIELD,
    header=lambda data: TEXT["return_header"].format(**data.ctx),
    summary_title=TEXT["return_summary"],
    confirm_label=TEXT["return_confirm"],
    on_confirm=_confirm_return,
)

"""ตรวจโครงการ: the support committee screens the projects submitted to a round.

The story: /screen → the round's projects waiting (รอตรวจ), a card each, three to a page →
per project รับเข้าแผน, ส่งกลับแก้ไข (with the reason), แก้ยุทธศาสตร์-แผนงาน (the committee
groups projects by the development plan's categories) or ซ้ำกับโครงการอื่น (returned with
the other project's number). The submitter is told through the outbox, with the button
that fixes it (/mine's แก้ไข); a fixed project comes back here as รอตรวจ.

Buttons are stateless: each carries the project's id and the status it was shown in, and
every press checks again — the speaker's role, the round still collecting, the project
still as shown — so an old button or a second committee member's tap changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import func, select

from handlers import buttons, commands, fields, forms, project_form
from handlers.context import Turn, refusal
from handlers.forms import Choice, Field, Form, FormData
from handlers.messages import Button, Choices, Outgoing, Text
from handlers.phrases import PHRASES
from handlers.project_form import form_context
from handlers.projects import load_project
from handlers.projects_text import (
    days_left,
    option_label,
    project_card,
    project_number,
    quoted_number,
    shorten,
    thai_date,
)
from handlers.router import action, command, fallback
from handlers.scope import edition_at, edition_for, find_round, round_flow, where
from models.editions import EditionRow
from models.enums import EditionState, ProjectStatus, Role
from models.org import ChannelAccount, Person
from models.permissions import Action, may
from models.plan import Edition, OperationalPlan, PlanArea, Project, Strategy
from models.records import AuditEvent
from models.rounds import round_counts
from models.schedule import collection_cutoff
from models.thaitext import ParseError, normalize_digits
from models.workflow import Step, edition_step, project_step

TEXT = {
    # the list
    "header": "📋 ตรวจโครงการ — แผนการดำเนินงาน {where}",
    "deadline": "รับข้อเสนอถึง {deadline} ({left})",
    "counts": "รอตรวจ {submitted} · รับเข้าแผนแล้ว {accepted} · ส่งกลับแก้ไข {returned}",
    "view": {
        ProjectStatus.SUBMITTED: "โครงการรอตรวจ {n} โครงการ",
        ProjectStatus.ACCEPTED: "โครงการที่รับเข้าแผนแล้ว {n} โครงการ",
    },
    "page": " (หน้า {page}/{pages})",
    "none_waiting": "✅ ไม่มีโครงการรอตรวจ",
    "none_accepted": "ยังไม่มีโครงการที่รับเข้าแผน",
    "card": "📄 เลขที่ {number} · {status}",
    "next": "ถัดไป",
    "previous": "ก่อนหน้า",
    "show_accepted": "ดูที่รับเข้าแผนแล้ว",
    "show_waiting": "ดูที่รอตรวจ",
    "more": "ตรวจโครงการต่อ",
    "pages_hint": "หน้า {page}/{pages}",
    # buttons on a card, by their action
    "p_accept": "รับเข้าแผน #{seq}",
    "p_return": "ส่งกลับแก้ไข #{seq}",
    "p_reclassify": "แก้ยุทธศาสตร์-แผนงาน #{seq}",
    "p_duplicate": "ซ้ำกับโครงการอื่น #{seq}",
    # outcomes
    "already": "โครงการเลขที่ {number} “{status}” อยู่แล้ว",
    "now": "โครงการเลขที่ {number} ขณะนี้ “{status}”",
    "accepted": "✅ รับโครงการเลขที่ {number} เข้าแผนแล้ว",
    "accept_page": "รับเข้าแผนทั้ง {n} โครงการในหน้านี้",
    "accept_page_confirm": "รับโครงการเลขที่ {numbers} ({n} โครงการ) เข้าแผนทั้งหมดใช่หรือไม่",
    "accept_page_yes": "ยืนยันรับ {n} โครงการ",
    "not_now": "กลับไปตรวจทีละโครงการ",
    "accepted_page": "✅ รับโครงการเลขที่ {numbers} เข้าแผนแล้ว ({n} โครงการ)",
    "returned": "↩️ ส่งโครงการเลขที่ {number} กลับให้แก้ไขแล้ว — เหตุผล: {reason}",
    "reclassified": "✅ ปรับโครงการเลขที่ {number} เป็น ยุทธศาสตร์ {strategy} · {area} แล้ว",
    "unchanged": "ไม่มีข้อมูลที่เปลี่ยน — โครงการเลขที่ {number} คงเดิม",
    "told": " · แจ้งผู้เสนอแล้ว",
    "left": "รอตรวจอีก {n} โครงการ",
    "all_done": "ตรวจครบแล้ว — รับเข้าแผน {n} โครงการ พร้อมจัดทำร่าง",
    "all_done_none": "ตรวจครบแล้ว — ยังไม่มีโครงการที่รับเข้าแผน",
    "stale_choice": "⛔ {what}ที่เลือกไม่มีในระบบแล้ว — ไม่มีข้อมูลใดถูกบันทึก",
    # to the submitter
    "notice_accepted": "✅ โครงการเลขที่ {number} “{title}” — คณะกรรมการสนับสนุนฯ รับเข้าแผนแล้ว",
    "notice_returned": (
        "↩️ โครงการเลขที่ {number} “{title}” — คณะกรรมการสนับสนุนฯ ส่งกลับให้แก้ไข\n"
        "เหตุผล: {reason}\nกด แก้ไข แล้ว ยืนยันแก้ไข เพื่อส่งใหม่ (รับข้อเสนอถึง {deadline})"
    ),
    "notice_reclassified": (
        "📌 โครงการเลขที่ {number} “{title}” — คณะกรรมการสนับสนุนฯ จัดให้อยู่ในยุทธศาสตร์ {strategy} · {area}"
    ),
    "fix": "แก้ไข #{seq}",
    # the forms
    "return_title": "ส่งกลับแก้ไข",
    "return_header": "↩️ ส่งกลับแก้ไข โครงการเลขที่ {number} “{title}”",
    "reason_label": "เหตุผลที่ส่งกลับ",
    "reason_prompt": "กรุณาพิมพ์สิ่งที่ผู้เสนอต้องแก้ไข เช่น งบประมาณสูงกว่าราคากลาง กรุณาแนบประมาณการ",
    "reason_example": "งบประมาณสูงกว่าราคากลาง",
    "return_summary": "ตรวจสอบก่อนส่งกลับ",
    "return_confirm": "ยืนยันส่งกลับ",
    "reclassify_title": "แก้ยุทธศาสตร์-แผนงาน",
    "reclassify_header": (
        "🗂 แก้ยุทธศาสตร์-แผนงาน โครงการเลขที่ {number} “{title}”\nปัจจุบัน: ยุทธศาสตร์ {strategy} · {area}"
    ),
    "reclassify_summary": "ตรวจสอบก่อนบันทึก",
    "reclassify_confirm": "ยืนยันแก้ไข",
    "duplicate_title": "แจ้งโครงการซ้ำ",
    "duplicate_header": "🔁 โครงการเลขที่ {number} “{title}” ซ้ำกับโครงการใด",
    "other_label": "ซ้ำกับโครงการเลขที่",
    "other_prompt": "กดปุ่ม หรือพิมพ์เลขที่โครงการ เช่น {example}",
    "other_unknown": "ไม่พบโครงการเลขที่ “{text}” ในแผนนี้ — กรุณาพิมพ์เลขที่ เช่น {example}",
    "other_self": "ต้องเป็นโครงการอื่น ไม่ใช่โครงการเลขที่ {number} เอง",
    "other_choice": "{number} {title}",
    "duplicate_summary": "ตรวจสอบก่อนส่งกลับ",
    "duplicate_confirm": "ยืนยันว่าซ้ำ",
    "duplicate_reason": "ซ้ำกับโครงการเลขที่ {number}",
    # typed labels
    "typed_unknown": "ไม่พบโครงการ #{seq} ที่{verb}ได้ — พิมพ์ ตรวจโครงการ เพื่อดูรายการ",
    "typed_many": "มีโครงการ #{seq} มากกว่าหนึ่งรายการ — กรุณากดปุ่มจากรายการ ตรวจโครงการ",
}
PAGE_SIZE = 3  # a header, three cards and the paging row: LINE's five messages a reply
OTHER_CHOICES = 8  # projects offered as buttons for ซ้ำกับโครงการอื่น; any number may be typed
# The buttons a project's card has, by the status the list is of (action names: the executive
# has "approve" and "return", so screening's are prefixed).
ACCEPT, RETURN, RECLASSIFY, DUPLICATE = "p_accept", "p_return", "p_reclassify", "p_duplicate"
ACCEPT_PAGE, YES = "p_accept_page", "y"
CARD_ACTIONS: dict[ProjectStatus, tuple[str, ...]] = {
    ProjectStatus.SUBMITTED: (ACCEPT, RETURN, RECLASSIFY, DUPLICATE),
    ProjectStatus.ACCEPTED: (RETURN, RECLASSIFY, DUPLICATE),
}
VIEWS = {"s": ProjectStatus.SUBMITTED, "a": ProjectStatus.ACCEPTED}


# -- /screen: the list ------------------------------------------------------------------------


@command(commands.SCREEN)
async def screen_command(turn: Turn, _args: str) -> list[Outgoing]:
    found = await find_round(turn, Action.SCREEN_PROJECT, Step.SCREEN, "screen")
    return await _page(turn, found.edition_id, ProjectStatus.SUBMITTED, 1)


@round_flow("screen")
async def _screen_round(turn: Turn, edition_id: int) -> list[Outgoing]:
    return await _page(turn, edition_id, ProjectStatus.SUBMITTED, 1)


@action("screen")
async def screen_page(turn: Turn, press: buttons.ActionPress) -> list[Outgoing]:
    """Paging and switching lists: the arg is the list ("s" รอตรวจ, "a" รับแล้ว) and the page."""
    arg = press.arg or "s1"
    view = VIEWS.get(arg[:1])
    if view is None or not arg[1:].isdigit():
        raise refusal(PHRASES["expired"])
    return await _page(turn, press.object_id, view, int(arg[1:]))


def _view_code(status: ProjectStatus) -> str:
    return next(code for code, s in VIEWS.items() if s is status)


def _list_button(label: str, edition_id: int, status: ProjectStatus, page: int) -> Button:
    return Button(label, buttons.action_button("screen", edition_id, f"{_view_code(status)}{page}"))


Listed = tuple[Project, Strategy, PlanArea, Person | None]


async def _listed(turn: Turn, edition_id: int, status: ProjectStatus) -> list[Listed]:
    rows = await turn.session.exec(
        select(Project, Strategy, PlanArea, Person)
        .join(Strategy, Strategy.id == Project.strategy_id)
        .join(PlanArea, PlanArea.id == Project.plan_area_id)
        .outerjoin(Person, Person.id == Project.submitted_by_id)  # type: ignore[arg-type]
        .where(Project.edition_id == edition_id, Project.status == status)
        .order_by(Project.seq)
    )
    return [(p, s, a, who) for p, s, a, who in rows.all()]


async def _header(turn: Turn, rnd: EditionRow) -> str:
    """Where they are (UX principle 1): the plan, the deadline, and the counts so far."""
    counts = await round_counts(turn.session, rnd.edition_id)
    deadline = collection_cutoff(rnd.edition, rnd.org, turn.days_off)
    assert deadline is not None
    return "\n".join(
        (
            TEXT["header"].format(where=where(rnd)),
            TEXT["deadline"].format(
                deadline=thai_date(deadline), left=days_left(deadline, turn.clock.today())
            ),
            TEXT["counts"].format(
                submitted=counts.submitted, accepted=counts.accepted, returned=counts.returned
            ),
        )
    )


async def _page(turn: Turn, edition_id: int, status: ProjectStatus, page: int) -> list[Outgoing]:
    """One page of a round's projects in ``status``, a card each with its buttons."""
    rnd = await edition_at(turn, edition_id, Step.SCREEN)
    rows = await _listed(turn, edition_id, status)
    header = await _header(turn, rnd)
    other = ProjectStatus.ACCEPTED if status is ProjectStatus.SUBMITTED else ProjectStatus.SUBMITTED
    switch = _list_button(
        TEXT["show_accepted" if other is ProjectStatus.ACCEPTED else "show_waiting"],
        edition_id,
        other,
        1,
    )
    if not rows:
        return [Choices(header + "\n\n" + _nothing(status), await _when_empty(turn, rnd, switch))]
    pages = (len(rows) + PAGE_SIZE - 1) // PAGE_SIZE
    page = min(max(page, 1), pages)
    title = TEXT["view"][status].format(n=len(rows))
    if pages > 1:
        title += TEXT["page"].format(page=page, pages=pages)
    shown = rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    messages: list[Outgoing] = [Text(header + "\n" + title)]
    messages += [_card(rnd, *row) for row in shown]
    row: list[Button] = []
    if status is ProjectStatus.SUBMITTED and len(shown) > 1:
        ids = ",".join(str(project.id) for project, *_rest in shown)
        label = TEXT["accept_page"].format(n=len(shown))
        row.append(Button(label, buttons.action_button(ACCEPT_PAGE, edition_id, ids)))
    if page > 1:
        row.append(_list_button(TEXT["previous"], edition_id, status, page - 1))
    if page < pages:
        row.append(_list_button(TEXT["next"], edition_id, status, page + 1))
    row.append(switch)
    messages.append(Choices(TEXT["pages_hint"].format(page=page, pages=pages), tuple(row)))
    return messages


def _nothing(status: ProjectStatus) -> str:
    return TEXT["none_waiting" if status is ProjectStatus.SUBMITTED else "none_accepted"]


async def _when_empty(turn: Turn, rnd: EditionRow, switch: Button) -> tuple[Button, ...]:
    """Nothing to list: the next step instead (the other list, or making the draft)."""
    counts = await round_counts(turn.session, rnd.edition_id)
    row = [switch] if counts.accepted or counts.submitted else []
    if counts.accepted and may(Action.MAKE_DRAFT, await turn.roles_in(rnd.org_id)):
        row.append(commands.button(commands.DRAFT))
    return tuple(row)


def _card(
    rnd: EditionRow, project: Project, strategy: Strategy, area: PlanArea, by: Person | None
) -> Outgoing:
    assert project.id is not None
    number = project_number(rnd.plan.fiscal_year, project.seq)
    row = tuple(
        Button(
            TEXT[name].format(seq=project.seq),
            buttons.action_button(name, project.id, project.status.value),
        )
        for name in CARD_ACTIONS[project.status]
    )
    return project_card(
        TEXT["card"].format(number=number, status=project.status.label_th),
        project,
        fiscal_year=rnd.plan.fiscal_year,
        strategy=option_label(strategy.number, strategy.name),
        area=option_label(area.number, area.name),
        submitted_by=by.name if by else None,
        buttons=row,
    )


# -- checking a press against the project as it is now ------------------------------------------


@dataclass(frozen=True)
class Screened:
    """A project the speaker may act on now, with its round."""

    project: Project
    rnd: EditionRow

    @property
    def project_id(self) -> int:
        assert self.project.id is not None
        return self.project.id

    @property
    def number(self) -> str:
        return project_number(self.rnd.plan.fiscal_year, self.project.seq)


async def screenable(
    turn: Turn,
    project_id: int,
    expected: str | None,
    to: ProjectStatus | None,
    *,
    lock: bool = True,
) -> Screened:
    """The project if the speaker may move it to ``to`` (None: edit it in place) now.

    ``expected`` is the status the button was shown for: if it changed meanwhile (another
    member acted, the submitter withdrew it), the button is stale. ``lock`` holds the round
    (shared) and the project until commit, so two members' taps queue and the second one
    sees the first one's result.
    """
    found = await turn.session.get(Project, project_id)
    if found is None:
        raise refusal(PHRASES["expired"])
    rnd = await edition_for(
        turn, found.edition_id, Action.SCREEN_PROJECT, lock="share" if lock else None
    )
    screened = Screened((await load_project(turn, project_id, lock=lock)).project, rnd)
    reason = _why_not(screened, expected, to, await turn.roles_in(rnd.org_id))
    if reason is not None:
        raise refusal(PHRASES["expired_because"].format(reason=reason))
    return screened


def _why_not(
    screened: Screened, expected: str | None, to: ProjectStatus | None, roles: set[Role]
) -> str | None:
    """The first reason a screening step cannot happen now: the round's stage, the project
    already there, changed since the button was shown, or a move the rules forbid."""
    status = screened.project.status
    said = {"number": screened.number, "status": status.label_th}
    reason = edition_step(Step.SCREEN, screened.rnd.edition.state, roles)
    if reason is None and status is to:
        reason = TEXT["already"].format(**said)
    if reason is None and expected is not None and status.value != expected:
        reason = TEXT["now"].format(**said)
    if reason is None and to is not None:
        reason = project_step(status, to, roles)
    if reason is None and to is None and status not in CARD_ACTIONS:
        reason = TEXT["now"].format(**said)  # edited in place: only while listed
    return reason


# -- รับเข้าแผน ------------------------------------------------------------------------------------


@action(ACCEPT)
async def accept_project(turn: Turn, press: buttons.ActionPress) -> list[Outgoing]:
    checked = await screenable(turn, press.object_id, press.arg, ProjectStatus.ACCEPTED)
    told = await _accept(turn, checked)
    return await _done(turn, checked, TEXT["accepted"].format(number=checked.number), told)


async def _accept(turn: Turn, checked: Screened) -> int:
    """Accept one project: its status, the audit row, and its submitter told (how many)."""
    project = checked.project
    before = _status_columns(project)
    project.status = ProjectStatus.ACCEPTED
    project.status_reason = None
    project.duplicate_of_id = None  # accepted after all: no longer held to be a duplicate
    await _record(turn, checked, "project.accept", before, _status_columns(project))
    notice = TEXT["notice_accepted"].format(number=checked.number, title=shorten(project.title))
    return await _tell_submitter(turn, checked, notice, fix=False)


# -- รับทั้งหน้า: the cards on screen, accepted at once after one confirmation ---------------------


@action(ACCEPT_PAGE)
async def accept_page(turn: Turn, press: buttons.ActionPress) -> list[Outgoing]:
    """Ask first, naming the projects; the answer is the same button with "yes" in front."""
    confirmed = (press.arg or "").startswith(YES)
    ids = [int(i) for i in (press.arg or "").removeprefix(YES).split(",") if i.isdigit()]
    if not ids:
        raise refusal(PHRASES["expired"])
    checked = [
        await screenable(
            turn, i, ProjectStatus.SUBMITTED.value, ProjectStatus.ACCEPTED, lock=confirmed
        )
        for i in ids
    ]
    numbers = ", ".join(c.number for c in checked)
    if not confirmed:
        yes = buttons.action_button(ACCEPT_PAGE, press.object_id, YES + ",".join(map(str, ids)))
        back = _list_button(TEXT["not_now"], press.object_id, ProjectStatus.SUBMITTED, 1)
        question = TEXT["accept_page_confirm"].format(n=len(ids), numbers=numbers)
        return [Choices(question, (Button(TEXT["accept_page_yes"].format(n=len(ids)), yes), back))]
    told = 0
    for one in checked:
        told += await _accept(turn, one)
    text = TEXT["accepted_page"].format(n=len(checked), numbers=numbers)
    return await _done(turn, checked[-1], text, told)


def _status_columns(project: Project) -> dict[str, Any]:
    return {
        "status": project.status.value,
        "status_reason": project.status_reason,
        "duplicate_of_id": project.duplicate_of_id,
    }


async def _record(
    turn: Turn,
    checked: Screened,
    what: str,
    before: dict[str, Any],
    after: dict[str, Any],
) -> None:
    """The audit row of a screening step, as the support committee."""
    checked.project.updated_at = turn.clock.now()
    await turn.audit(
        what,
        org_id=checked.rnd.org_id,
        obj=checked.project,
        role=Role.SUPPORT_COMMITTEE,
        before=before,
        after=after,
    )


async def _tell_submitter(turn: Turn, checked: Screened, text: str, *, fix: bool) -> int:
    """A notice to the submitter's chat accounts, with the button that fixes a returned one.

    The key counts the project's audit rows, so every screening step (a second return, an
    accept after a fix) is a new notice, while a retried turn is still the same one.
    """
    project = checked.project
    if project.submitted_by_id is None:
        return 0
    accounts = await turn.session.exec(
        select(ChannelAccount.id).where(
            ChannelAccount.person_id == project.submitted_by_id, ChannelAccount.active
        )
    )
    steps = await turn.session.exec(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.object_type == "project", AuditEvent.object_id == project.id)
    )
    row = [commands.button(commands.MINE)]
    if fix:
        row.insert(0, Button(TEXT["fix"].format(seq=project.seq), _fix_button(checked)))
    key = f"project-screened:{project.id}:{project.status.value}:{steps.one()}"
    return await turn.notify_accounts(
        [a for a in accounts.all() if a is not None], [Choices(text, tuple(row))], key
    )


def _fix_button(checked: Screened) -> str:
    """/mine's แก้ไข: a returned project is fixed and sent again there."""
    return buttons.action_button("edit", checked.project_id)


async def _done(turn: Turn, checked: Screened, text: str, told: int) -> list[Outgoing]:
    """The reply after a step: what was done, what is left, and the next step as a button."""
    if told:
        text += TEXT["told"]
    counts = await round_counts(turn.session, checked.rnd.edition_id)
    edition_id = checked.rnd.edition_id
    if counts.submitted:
        text += "\n" + TEXT["left"].format(n=counts.submitted)
        row = [_list_button(TEXT["more"], edition_id, ProjectStatus.SUBMITTED, 1)]
    elif counts.accepted:
        text += "\n" + TEXT["all_done"].format(n=counts.accepted)
        row = [_list_button(TEXT["show_accepted"], edition_id, ProjectStatus.ACCEPTED, 1)]
        if may(Action.MAKE_DRAFT, await turn.roles_in(checked.rnd.org_id)):
            row.append(commands.button(commands.DRAFT))
    else:
        text += "\n" + TEXT["all_done_none"]
        row = []
    return [Choices(text, tuple(row)) if row else Text(text)]


# -- ส่งกลับแก้ไข ------------------------------------------------------------------------------------


def _screen_ctx(checked: Screened, **extra: Any) -> dict[str, Any]:
    """What a screening form keeps: the project, the status it was in, how to name it."""
    return {
        "project": checked.project_id,
        "expected": checked.project.status.value,
        "number": checked.number,
        "title": shorten(checked.project.title),
        **extra,
    }


@action(RETURN)
async def return_project(turn: Turn, press: buttons.ActionPress) -> list[Outgoing]:
    """Ask for the reason first; the form's confirm checks the project again."""
    checked = await screenable(turn, press.object_id, press.arg, ProjectStatus.RETURNED, lock=False)
    return await forms.start(turn, RETURN_FORM, _screen_ctx(checked))


async def _confirm_return(turn: Turn, data: FormData) -> list[Outgoing]:
    return await _send_back(turn, data, data.values["reason"], duplicate_of=None)


async def _send_back(
    turn: Turn, data: FormData, reason: str, *, duplicate_of: int | None
) -> list[Outgoing]:
    """Return the project to its submitter with ``reason`` (and the project it repeats)."""
    ctx = data.ctx
    checked = await screenable(turn, int(ctx["project"]), ctx["expected"], ProjectStatus.RETURNED)
    project = checked.project
    before = _status_columns(project)
    project.status = ProjectStatus.RETURNED
    project.status_reason = reason
    project.duplicate_of_id = duplicate_of
    what = "project.duplicate" if duplicate_of is not None else "project.return"
    await _record(turn, checked, what, before, _status_columns(project))
    notice = TEXT["notice_returned"].format(
        number=checked.number,
        title=shorten(project.title),
        reason=reason,
        deadline=thai_date(collection_cutoff(checked.rnd.edition, checked.rnd.org, turn.days_off)),
    )
    told = await _tell_submitter(turn, checked, notice, fix=True)
    return await _done(
        turn, checked, TEXT["returned"].format(number=checked.number, reason=reason), told
    )


RETURN_FORM = forms.reason_form(
    name="screen_return",
    title=TEXT["return_title"],
    field=fields.reason_field(TEXT["reason_label"], TEXT["reason_prompt"], TEXT["reason_example"]),
    header=lambda data: TEXT["return_header"].format(**data.ctx),
    summary_title=TEXT["return_summary"],
    confirm_label=TEXT["return_confirm"],
    on_confirm=_confirm_return,
)


# -- ซ้ำกับโครงการอื่น ---------------------------------------------------------------------------------


@action(DUPLICATE)
async def duplicate_project(turn: Turn, press: buttons.ActionPress) -> list[Outgoing]:
    """Ask which project it repeats: the round's likeliest as buttons, any number typed."""
    checked = await screenable(turn, press.object_id, press.arg, ProjectStatus.RETURNED, lock=False)
    others = await _others(turn, checked)
    ctx = _screen_ctx(checked, fy=checked.rnd.plan.fiscal_year, others=others)
    return await forms.start(turn, DUPLICATE_FORM, ctx)


async def _others(turn: Turn, checked: Screened) -> list[dict[str, Any]]:
    """The plan's other projects still in play, the same strategy and plan area first."""
    project = checked.project
    rows = await turn.session.exec(
        select(Project)
        .where(
            Project.plan_id == project.plan_id,
            Project.id != project.id,
            Project.status != ProjectStatus.WITHDRAWN,
        )
        .order_by(Project.seq)
    )
    found = list(rows.all())
    found.sort(
        key=lambda p: (
            (p.strategy_id, p.plan_area_id) != (project.strategy_id, project.plan_area_id),
            p.seq,
        )
    )
    return [{"id": p.id, "seq": p.seq, "title": shorten(p.title, 40)} for p in found]


def _other_number(data: FormData, seq: int) -> str:
    return project_number(int(data.ctx["fy"]), seq)


def _other_label(data: FormData, other: dict[str, Any]) -> str:
    number = _other_number(data, other["seq"])
    return TEXT["other_choice"].format(number=number, title=other["title"])


def _other_choices(data: FormData) -> list[Choice]:
    return [Choice(_other_label(data, o), o["id"]) for o in data.ctx["others"][:OTHER_CHOICES]]


def _example(data: FormData) -> str:
    others = data.ctx["others"]
    return _other_number(data, others[0]["seq"] if others else 1)


def _other_prompt(data: FormData) -> str:
    return TEXT["other_prompt"].format(example=_example(data))


def _parse_other(text: str, data: FormData) -> Any:
    """ "2569-003", "3" or "#3": a project of the same plan, not this one."""
    example = _example(data)
    typed = normalize_digits(text).strip()
    quoted = quoted_number(typed)
    if quoted is None or not quoted.of(int(data.ctx["fy"])):
        return ParseError(TEXT["other_unknown"].format(text=shorten(typed, 20), example=example))
    seq = quoted.seq
    if _other_number(data, seq) == data.ctx["number"]:
        return ParseError(TEXT["other_self"].format(number=data.ctx["number"]))
    found = next((o for o in data.ctx["others"] if o["seq"] == seq), None)
    if found is None:
        return ParseError(TEXT["other_unknown"].format(text=shorten(typed, 20), example=example))
    return found["id"]


def _show_other(value: Any, data: FormData) -> str:
    found = next((o for o in data.ctx["others"] if o["id"] == value), None)
    return str(value) if found is None else _other_label(data, found)


async def _confirm_duplicate(turn: Turn, data: FormData) -> list[Outgoing]:
    other = await turn.session.get(Project, int(data.values["other"]))
    if other is None or other.status is ProjectStatus.WITHDRAWN:
        raise refusal(TEXT["stale_choice"].format(what=TEXT["other_label"]))
    number = _other_number(data, other.seq)
    reason = TEXT["duplicate_reason"].format(number=number)
    return await _send_back(turn, data, reason, duplicate_of=other.id)


DUPLICATE_FORM = forms.register(
    Form(
        name="screen_duplicate",
        title=TEXT["duplicate_title"],
        fields=(
            Field(
                "other",
                TEXT["other_label"],
                _other_prompt,
                parse=_parse_other,
                choices=_other_choices,
                show=_show_other,
            ),
        ),
        header=lambda data: TEXT["duplicate_header"].format(**data.ctx),
        summary_title=TEXT["duplicate_summary"],
        confirm_label=TEXT["duplicate_confirm"],
        on_confirm=_confirm_duplicate,
    )
)


# -- แก้ยุทธศาสตร์-แผนงาน -----------------------------------------------------------------------------


@action(RECLASSIFY)
async def reclassify_project(turn: Turn, press: buttons.ActionPress) -> list[Outgoing]:
    """The submission form's strategy and plan-area questions, started with the current ones."""
    checked = await screenable(turn, press.object_id, press.arg, None, lock=False)
    rnd, project = checked.rnd, checked.project
    ctx = await form_context(turn, [(rnd.org, [(rnd.edition, rnd.plan)])])
    strategy = await turn.session.get(Strategy, project.strategy_id)
    area = await turn.session.get(PlanArea, project.plan_area_id)
    assert strategy is not None and area is not None
    ctx["screen"] = _screen_ctx(
        checked,
        strategy=option_label(strategy.number, strategy.name),
        area=option_label(area.number, area.name),
    )
    values = {"org": rnd.org_id, "strategy": project.strategy_id, "area": project.plan_area_id}
    return await forms.start(turn, RECLASSIFY_FORM, ctx, values)


async def _confirm_reclassify(turn: Turn, data: FormData) -> list[Outgoing]:
    ctx = data.ctx["screen"]
    checked = await screenable(turn, int(ctx["project"]), ctx["expected"], None)
    project = checked.project
    strategy = await turn.session.get(Strategy, int(data.values["strategy"]))
    area = await turn.session.get(PlanArea, int(data.values["area"]))
    if strategy is None or strategy.org_id != checked.rnd.org_id or area is None:
        raise refusal(TEXT["stale_choice"].format(what=TEXT["reclassify_title"]))
    before = {"strategy_id": project.strategy_id, "plan_area_id": project.plan_area_id}
    after = {"strategy_id": strategy.id, "plan_area_id": area.id}
    if before == after:
        return [Text(TEXT["unchanged"].format(number=checked.number))]
    project.strategy_id, project.plan_area_id = strategy.id, area.id  # type: ignore[assignment]
    await _record(turn, checked, "project.reclassify", before, after)
    names = {"strategy": option_label(strategy.number, strategy.name), "area": area.name}
    notice = TEXT["notice_reclassified"].format(
        number=checked.number, title=shorten(project.title), **names
    )
    told = await _tell_submitter(turn, checked, notice, fix=False)
    return await _done(
        turn, checked, TEXT["reclassified"].format(number=checked.number, **names), told
    )


RECLASSIFY_FORM = forms.register(
    Form(
        name="screen_reclassify",
        title=TEXT["reclassify_title"],
        fields=(project_form.strategy_field(), project_form.area_field()),
        header=lambda data: TEXT["reclassify_header"].format(**data.ctx["screen"]),
        summary_title=TEXT["reclassify_summary"],
        confirm_label=TEXT["reclassify_confirm"],
        on_confirm=_confirm_reclassify,
    )
)


# -- typed labels: "รับเข้าแผน #3" works like the button (UX principle 2) --------------------------

_TYPED = re.compile(r"(รับเข้าแผน|ส่งกลับแก้ไข|แก้ยุทธศาสตร์-แผนงาน|ซ้ำกับโครงการอื่น)\s*(.+)")
_VERBS = {
    "รับเข้าแผน": ACCEPT,
    "ส่งกลับแก้ไข": RETURN,
    "แก้ยุทธศาสตร์-แผนงาน": RECLASSIFY,
    "ซ้ำกับโครงการอื่น": DUPLICATE,
}
_HANDLERS: dict[str, Callable[[Turn, buttons.ActionPress], Awaitable[list[Outgoing]]]] = {
    ACCEPT: accept_project,
    RETURN: return_project,
    RECLASSIFY: reclassify_project,
    DUPLICATE: duplicate_project,
}


@fallback
async def typed_screen_button(turn: Turn, text: str) -> list[Outgoing] | None:
    match = _TYPED.fullmatch(normalize_digits(text).strip())
    quoted = quoted_number(match.group(2)) if match else None
    if match is None or quoted is None:
        return None
    orgs = await turn.orgs_allowed(Action.SCREEN_PROJECT)
    if not orgs:
        return None
    verb, seq = _VERBS[match.group(1)], quoted.seq
    statuses = [s for s, names in CARD_ACTIONS.items() if verb in names]
    rows = await turn.session.exec(
        select(Project)
        .join(Edition, Edition.id == Project.edition_id)
        .join(OperationalPlan, OperationalPlan.id == Project.plan_id)
        .where(
            OperationalPlan.org_id.in_([o.id for o in orgs]),  # type: ignore[attr-defined]
            Edition.state == EditionState.COLLECTING,
            Project.seq == seq,
            Project.status.in_(statuses),  # type: ignore[attr-defined]
            *([OperationalPlan.fiscal_year == quoted.fiscal_year] if quoted.fiscal_year else []),
        )
    )
    found: Sequence[Project] = rows.all()
    if not found:
        return [Text(TEXT["typed_unknown"].format(seq=seq, verb=match.group(1)))]
    if len(found) > 1:
        return [Text(TEXT["typed_many"].format(seq=seq))]
    project = found[0]
    assert project.id is not None
    press = buttons.ActionPress(verb, project.id, project.status.value)
    return await _HANDLERS[verb](turn, press)

"""ขยายเวลา: the local executive extends the 30-day preparation time of a round.

Extending is the executive's power (การขยายเวลา…เป็นอำนาจของผู้บริหารท้องถิ่น). /extend: which
round (only when several are still being prepared) → the new deadline, which must be later
than the one in force now (an earlier or equal day is refused with the reason) → the reason,
required: it goes on the record → summary → ขยายเวลา. The plan officer and the support
committee are told; /status shows the extension next to the original deadline.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from handlers import commands, fields, forms
from handlers.context import Turn, refusal
from handlers.deadlines_text import due_suffix
from handlers.fields import (
    chosen,
    chosen_id,
    date_field,
    date_reason,
    day_of,
    edition_field,
    editions_ctx,
)
from handlers.forms import Form, FormData
from handlers.messages import Choices, Outgoing, Text
from handlers.projects_text import days_left, thai_date
from handlers.router import command
from handlers.scope import edition_at, editions_for, plan_of
from models.editions import DateProblem, extend, extension_problem, snapshot
from models.enums import Role
from models.permissions import Action
from models.schedule import calendar_of, preparation_due
from models.workflow import EDITION_RULES, Step

TEXT = {
    "title": "การขยายเวลา",
    "header": "⏰ ขยายเวลาจัดทำแผนการดำเนินงาน{where}",
    "none": "📋 ไม่มีรอบที่กำลังจัดทำแผนซึ่งขยายเวลาได้ — ขยายเวลาได้จนกว่าแผนจะประกาศใช้",
    "edition_prompt": "ขยายเวลาของแผนฉบับใด",
    "until_label": "ขยายถึงวันที่",
    "until_prompt": (
        "{plan} ต้องจัดทำให้แล้วเสร็จภายใน {deadline} ({left}){note}\nขยายถึงวันใด — พิมพ์วันที่ เช่น {example}"
    ),
    "until_show": "{date} (ขยายออกไป {days} วัน จาก {deadline})",
    "reason_prompt": "เหตุผลที่ขยายเวลา เช่น รอหน่วยงานอื่นแจ้งแผนงาน/โครงการที่จะดำเนินการในพื้นที่",
    "reason_label": "เหตุผล",
    "reason_example": "รอหน่วยงานอื่นแจ้งแผนงาน/โครงการที่จะดำเนินการในพื้นที่",
    "status": "ดูสถานะ",
    "summary": "ตรวจสอบก่อนขยายเวลา",
    "confirm": "ขยายเวลา",
    "extended": (
        "✅ ขยายเวลาแล้ว: {plan} — {org}\n"
        "⏰ ต้องจัดทำให้แล้วเสร็จภายใน {until} ({left}) จากเดิม {old}\n"
        "แจ้ง{officer}และคณะกรรมการสนับสนุนฯ แล้ว"
    ),
    "notice": (
        "⏰ {executive} ขยายเวลาจัดทำ{plan} — {org}\n"
        "จากเดิม {old} เป็น {until} ({left})\n"
        "เหตุผล: {reason}"
    ),
}
EXAMPLE_DAYS = 15  # the example date offered: the current deadline + 15 days


@command(commands.EXTEND)
async def extend_command(turn: Turn, _args: str) -> list[Outgoing]:
    rows = await editions_for(turn, Action.EXTEND_DEADLINE, EDITION_RULES[Step.EXTEND].from_states)
    if not rows:
        return [Text(TEXT["none"])]
    return await forms.start(turn, EXTEND_FORM, *editions_ctx(rows, turn.days_off))


def _current(data: FormData) -> date:
    """The preparation deadline in force now (an earlier extension counts)."""
    entry = chosen(data)
    assert entry is not None
    return day_of(entry["deadline"])


def _check(day: date, data: FormData) -> DateProblem | None:
    entry = chosen(data)
    assert entry is not None
    return extension_problem(
        day, current=_current(data), today=data.today, fiscal_year=int(entry["fy"])
    )


def _until_prompt(data: FormData) -> str:
    entry = chosen(data)
    assert entry is not None
    current = _current(data)
    return TEXT["until_prompt"].format(
        plan=entry["plan"],
        deadline=thai_date(current),
        left=days_left(current, data.today),
        note=entry.get("deadline_note", ""),
        example=thai_date(max(current, data.today) + timedelta(days=EXAMPLE_DAYS)),
    )


def _show_until(value: Any, data: FormData) -> str:
    day, current = day_of(value), _current(data)
    return TEXT["until_show"].format(
        date=thai_date(day), days=(day - current).days, deadline=thai_date(current)
    )


async def _confirm(turn: Turn, data: FormData) -> list[Outgoing]:
    found = await edition_at(turn, chosen_id(data), Step.EXTEND, lock="update")
    edition, org = found.edition, found.org
    assert org.id is not None
    calendar = calendar_of(org, turn.days_off)
    old = preparation_due(edition, calendar)
    assert old is not None, "an edition being prepared has a preparation deadline"
    until = day_of(data.values["until"])
    problem = extension_problem(
        until, current=old, today=turn.clock.today(), fiscal_year=found.plan.fiscal_year
    )
    if problem is not None:  # extended meanwhile by someone else, or the day has passed
        raise refusal(date_reason(problem, until))
    reason = str(data.values["reason"])
    columns = ("extended_deadline", "extension_reason")
    before = snapshot(edition, *columns)
    extend(edition, until, reason, turn.clock.now())
    await turn.audit(
        "round.extend",
        org_id=org.id,
        obj=edition,
        role=Role.EXECUTIVE,
        before=before,
        after=snapshot(edition, *columns),
    )
    fmt = {
        "plan": plan_of(found),
        "org": org.short_name,
        "old": thai_date(old),
        "until": thai_date(until),
        "left": days_left(until, turn.clock.today()),
    }
    note = due_suffix(until, calendar)
    notice = TEXT["notice"].format(**fmt, executive=org.kind.executive_title_th, reason=reason)
    notice += note
    await turn.notify_roles(
        org.id,
        [Role.PLAN_OFFICER, Role.SUPPORT_COMMITTEE],
        [Choices(notice, (commands.button(commands.STATUS, TEXT["status"]),))],
        dedupe_key=f"round-extended:{edition.id}:{until.isoformat()}",
    )
    return [Text(TEXT["extended"].format(**fmt, officer=Role.PLAN_OFFICER.label_th) + note)]


EXTEND_FORM = forms.register(
    Form(
        name="round_extend",
        title=TEXT["title"],
        fields=(
            edition_field(TEXT["edition_prompt"]),
            date_field("until", TEXT["until_label"], _until_prompt, _check, show=_show_until),
            fields.reason_field(
                TEXT["reason_label"], TEXT["reason_prompt"], TEXT["reason_example"]
            ),
        ),
        header=fields.edition_header(TEXT["header"]),
        summary_title=TEXT["summary"],
        confirm_label=TEXT["confirm"],
        on_confirm=_confirm,
    )
)

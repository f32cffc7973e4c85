"""แก้ไขแผน: the executive amends the plan in force.

Amending is the executive's power, so confirming approves it at once: /amend → which plan
(only when several are in force) → one change at a time, up to MAX_CHANGES: the project (by
its number) → what to change (งบประมาณ, เดือนที่ดำเนินการ, สถานที่ดำเนินการ, ชื่อโครงการ, or
ยกเลิกโครงการ) → the new value, said back as understood → the reason → another change or
เสร็จแล้ว → summary → อนุมัติการแก้ไข. That makes "แก้ไข ครั้งที่ N/<year>", an edition in force
from today with its own 15-day posting deadline; the officer is told to post it.

Additions (เพิ่มเติม ครั้งที่ N) are new rounds opened by /budget and run the whole process;
they need nothing here. The changes are a repeating group of the form (``CHANGES``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlmodel import select

from handlers import commands, fields, forms
from handlers.context import Refused, Turn, refusal
from handlers.deadlines_text import due_suffix
from handlers.forms import Choice, Field, Form, FormData, Group, ItemData
from handlers.messages import Outgoing, Text
from handlers.posting import posting_notice
from handlers.projects_text import (
    baht,
    baht_with_words,
    days_left,
    months_text,
    project_number,
    quoted_number,
    shorten,
    thai_date,
)
from handlers.router import command
from models.editions import (
    ChangeKind,
    ChangeSpec,
    EditionRow,
    amend,
    consolidated_projects,
    project_values,
)
from models.enums import EditionKind, EditionState, Role
from models.fiscal import mask_to_months, months_to_mask
from models.org import Organization
from models.permissions import Action, may
from models.plan import OperationalPlan, Project, ProjectChange
from models.rounds import latest_rounds
from models.schedule import calendar_of, edition_dates
from models.thaitext import ParseError

TEXT = {
    "title": "การแก้ไขแผน",
    "header": (
        "📝 แก้ไขแผนการดำเนินงาน ปีงบประมาณ พ.ศ. {fy} — {org} (แก้ไข ครั้งที่ {number}/{fy})\n"
        "เมื่อกดอนุมัติ การแก้ไขมีผลและประกาศใช้ทันที · แก้ไขได้ครั้งละไม่เกิน {max} รายการ"
    ),
    "header_pick": "📝 แก้ไขแผนการดำเนินงานที่ประกาศใช้แล้ว",
    "none": "📋 ยังไม่มีแผนการดำเนินงานที่ประกาศใช้ จึงยังแก้ไขไม่ได้ — แผนที่ยังไม่ประกาศใช้ส่งกลับแก้ไขได้",
    "plan_label": "แผน",
    "plan_prompt": "แก้ไขแผนใด",
    "plan_choice": "{org} พ.ศ. {fy}",
    "plan_bad": "กรุณากดปุ่มเลือกแผน เช่น {example}",
    "slot": "รายการที่ {n} · {label}",
    "project_label": "โครงการ",
    "project_prompt": "พิมพ์เลขที่โครงการที่จะแก้ไข เช่น {example}\n{listing}",
    "project_line": "#{seq} {title} — {budget}",
    "project_more": "… และอีก {n} โครงการ",
    "project_bad": "ไม่พบโครงการเลขที่ “{text}” ในแผนที่ประกาศใช้ — กรุณาพิมพ์เลขที่ เช่น {example}",
    "project_cancelled": "โครงการเลขที่ {number} อยู่ในรายการยกเลิกของการแก้ไขนี้แล้ว — กรุณาเลือกโครงการอื่น",
    "project_show": "{number} {title}",
    "unknown": "—",
    "project_button": "#{seq} {title}",
    "what_label": "แก้ไข",
    "what_prompt": "{current}\nจะแก้ไขอะไร",
    "what_bad": "กรุณากดปุ่ม เช่น งบประมาณ หรือ ยกเลิกโครงการ",
    "whats": {
        "budget_satang": "งบประมาณ",
        "months_mask": "เดือนที่ดำเนินการ",
        "location": "สถานที่ดำเนินการ",
        "title": "ชื่อโครงการ",
        ChangeKind.CANCEL.value: "ยกเลิกโครงการ",
    },
    "current": "#{seq} {title} — {budget} · {months} · {location}",
    "value_label": "ค่าใหม่",
    "value_prompts": {
        "budget_satang": "งบประมาณเดิม {old} — พิมพ์งบประมาณใหม่ เช่น 200000 หรือ 1.5 ล้าน",
        "months_mask": "เดิม {old} — กดปุ่ม หรือพิมพ์ช่วงเดือนใหม่ เช่น ม.ค.-มี.ค.",
        "location": "เดิม {old} — พิมพ์สถานที่ดำเนินการใหม่ เช่น หมู่ที่ 5 บ้านหนองแวง",
        "title": "เดิม “{old}” — พิมพ์ชื่อโครงการใหม่",
    },
    "same": "ค่าใหม่เหมือนค่าเดิม ({old}) — กรุณาพิมพ์ค่าที่ต้องการแก้ไข",
    "value_show": "{what}: {old} → {new}",
    "reason_label": "เหตุผล",
    "reason_prompt": "เหตุผลของการแก้ไขรายการนี้ เช่น ได้รับจัดสรรงบประมาณน้อยกว่าที่ตั้งไว้",
    "reason_example": "ได้รับจัดสรรงบประมาณน้อยกว่าที่ตั้งไว้",
    "more_label": "เพิ่มรายการ",
    "more_prompt": "มีรายการแก้ไขอื่นอีกหรือไม่",
    "more": "เพิ่มรายการแก้ไข",
    "done": "เสร็จแล้ว",
    "summary": "ตรวจสอบก่อนอนุมัติการแก้ไขแผน",
    "confirm": "อนุมัติการแก้ไข",
    "stale": (
        "⛔ โครงการเลขที่ {number} เปลี่ยนไปแล้วหรือไม่อยู่ในแผนที่ประกาศใช้แล้ว"
        " — ไม่มีข้อมูลใดถูกบันทึก กรุณาเริ่มแก้ไขใหม่"
    ),
    "conflict": "รายการแก้ไขของโครงการเลขที่ {number} ซ้ำกันหรือขัดกัน — กรุณาแก้ไขรายการก่อนอนุมัติ",
    "amended": (
        "✅ อนุมัติการแก้ไขแผนแล้ว: {title} — {org}\n"
        "ประกาศใช้ {announced} · {n} รายการ\n"
        "⏰ ต้องปิดประกาศภายใน {deadline} ({left}) — แจ้ง{officer}แล้ว"
    ),
    "change_line": "• {number}: {what}",
    "cancel_line": "• {number}: ยกเลิกโครงการ",
}
MAX_CHANGES = 5
MAX_LISTED = 20  # projects listed in the question; any number may be typed
MAX_BUTTONS = 8  # projects offered as buttons when the plan is this small
CANCEL = ChangeKind.CANCEL.value
# a new value is read by the same parser as the project column's own question
PARSERS = {
    "budget_satang": fields.parse_budget_satang,
    "location": fields.parse_location,
    "title": fields.parse_title,
}


# -- /amend ----------------------------------------------------------------------------------


@command(commands.AMEND)
async def amend_command(turn: Turn, _args: str) -> list[Outgoing]:
    orgs = await turn.require(Action.AMEND_PLAN)
    plans = [entry for org in orgs if (entry := await _plan_entry(turn, org)) is not None]
    if not plans:
        return [Text(TEXT["none"])]
    values = {"plan": plans[0]["id"]} if len(plans) == 1 else {}
    return await forms.start(turn, AMEND_FORM, {"plans": plans}, values)


async def _plan_entry(turn: Turn, org: Organization) -> dict[str, Any] | None:
    """The org's newest plan in force, with its projects as they stand (JSON-ready)."""
    assert org.id is not None
    rounds = await latest_rounds(turn.session, org.id)
    if not rounds or not any(e.state is EditionState.IN_FORCE for e, _p in rounds):
        return None
    plan = rounds[0][1]
    assert plan.id is not None
    projects = await consolidated_projects(turn.session, plan.id)
    if not projects:
        return None
    amendments = sum(1 for e, _p in rounds if e.kind is EditionKind.AMENDMENT)
    return {
        "id": plan.id,
        "org": org.short_name,
        "fy": plan.fiscal_year,
        "number": amendments + 1,
        "choice": TEXT["plan_choice"].format(org=org.short_name, fy=plan.fiscal_year),
        "projects": [_project_entry(p) for p in projects],
    }


def _project_entry(project: Project) -> dict[str, Any]:
    return {"id": project.id, "seq": project.seq, **project_values(project)}


def _plan(data: FormData) -> dict[str, Any] | None:
    wanted = data.values.get("plan")
    return next((p for p in data.ctx["plans"] if p["id"] == wanted), None)


def _projects(data: FormData) -> list[dict[str, Any]]:
    plan = _plan(data)
    return plan["projects"] if plan else []


def _project(data: ItemData) -> dict[str, Any] | None:
    """The project the change being asked about is for."""
    wanted = data.item.get("project")
    return next((p for p in _projects(data) if p["id"] == wanted), None)


def _fy(data: FormData) -> int:
    plan = _plan(data)
    assert plan is not None
    return int(plan["fy"])


def _number(data: FormData, project: dict[str, Any]) -> str:
    return project_number(_fy(data), int(project["seq"]))


def _header(data: FormData) -> str:
    plan = _plan(data)
    if plan is None:
        return TEXT["header_pick"]
    return TEXT["header"].format(**plan, max=MAX_CHANGES)


# -- a change: the project -------------------------------------------------------------------------


def _project_prompt(data: FormData) -> str:
    projects = _projects(data)
    lines = [
        TEXT["project_line"].format(
            seq=p["seq"], title=shorten(p["title"], 40), budget=baht(p["budget_satang"])
        )
        for p in projects[:MAX_LISTED]
    ]
    if len(projects) > MAX_LISTED:
        lines.append(TEXT["project_more"].format(n=len(projects) - MAX_LISTED))
    example = projects[0]["seq"] if projects else 1
    return TEXT["project_prompt"].format(example=example, listing="\n".join(lines))


def _project_choices(data: FormData) -> list[Choice]:
    projects = _projects(data)
    if len(projects) > MAX_BUTTONS:
        return []
    return [
        Choice(TEXT["project_button"].format(seq=p["seq"], title=shorten(p["title"], 14)), p["id"])
        for p in projects
    ]


def _parse_project(text: str, data: ItemData) -> Any:
    """A project by its number as people quote it: 3, #3, 003 or 2569-003."""
    quoted = quoted_number(text)
    projects = _projects(data)
    example = projects[0]["seq"] if projects else 1
    found = None
    if quoted is not None and quoted.of(_fy(data)):
        found = next((p for p in projects if p["seq"] == quoted.seq), None)
    if found is None:
        typed = shorten(text.strip(), 20)
        return ParseError(TEXT["project_bad"].format(text=typed, example=example))
    if any(e.get("project") == found["id"] and e.get("what") == CANCEL for e in data.earlier):
        return ParseError(TEXT["project_cancelled"].format(number=_number(data, found)))
    return found["id"]


def _show_project(_value: Any, data: ItemData) -> str:
    project = _project(data)
    if project is None:
        return TEXT["unknown"]
    return TEXT["project_show"].format(number=_number(data, project), title=project["title"])


# -- a change: what, and the new value -------------------------------------------------------------


def _what_choices(data: ItemData) -> list[Choice]:
    """What may still change: not a column changed already in this amendment, and a project
    with other changes here is not cancelled at the same time."""
    project_id = data.item.get("project")
    used = {e.get("what") for e in data.earlier if e.get("project") == project_id}
    whats = [w for w in TEXT["whats"] if w not in used and not (w == CANCEL and used)]
    return [Choice(TEXT["whats"][w], w) for w in whats]


def _what_prompt(data: ItemData) -> str:
    project = _project(data)
    if project is None:
        return TEXT["what_bad"]
    current = TEXT["current"].format(
        seq=project["seq"],
        title=shorten(project["title"], 40),
        budget=baht(project["budget_satang"]),
        months=months_text(mask_to_months(project["months_mask"]), _fy(data)),
        location=project["location"],
    )
    return TEXT["what_prompt"].format(current=current)


def _column(item: dict[str, Any]) -> str | None:
    what = item.get("what")
    return what if what in TEXT["value_prompts"] else None


def _as_text(column: str, value: Any, data: FormData) -> str:
    """A column's value (as the form keeps it) in Thai."""
    if column == "budget_satang":
        return baht(int(value))
    if column == "months_mask":
        months = mask_to_months(value) if isinstance(value, int) else tuple(value)
        return months_text(months, _fy(data))
    return str(value)


def _form_value(column: str, project: dict[str, Any]) -> Any:
    """The project's current value as the form would hold an answer (months as a list)."""
    value = project[column]
    return list(mask_to_months(value)) if column == "months_mask" else value


def _value_prompt(data: ItemData) -> str:
    column, project = _column(data.item), _project(data)
    assert column is not None and project is not None
    return TEXT["value_prompts"][column].format(old=_as_text(column, project[column], data))


def _value_choices(data: ItemData) -> list[Choice]:
    """Months by button (the project form's quarters), except the months it has now."""
    column, project = _column(data.item), _project(data)
    if column != "months_mask" or project is None:
        return []
    current = _form_value(column, project)
    return [c for c in fields.months_choices(data) if sorted(c.value) != sorted(current)]


def _parse_value(text: str, data: ItemData) -> Any:
    """The project column's own parser; a value equal to the old one is no change."""
    column, project = _column(data.item), _project(data)
    assert column is not None and project is not None
    if column == "months_mask":
        value = fields.months_parser(_fy)(text, data)
    else:
        value = PARSERS[column](text, data)
    if isinstance(value, ParseError):
        return value
    old = _form_value(column, project)
    if value == old or (column == "months_mask" and sorted(value) == sorted(old)):
        return ParseError(TEXT["same"].format(old=_as_text(column, project[column], data)))
    return value


def _show_value(value: Any, data: ItemData) -> str:
    column, project = _column(data.item), _project(data)
    if column is None or project is None:
        return str(value)
    if column == "budget_satang":
        new = baht_with_words(int(value))  # said back in words, as the project form does
    else:
        new = _as_text(column, value, data)
    return TEXT["value_show"].format(
        what=TEXT["whats"][column], old=_as_text(column, project[column], data), new=new
    )


CHANGES = Group(
    "change",
    fields=(
        Field(
            "project",
            TEXT["project_label"],
            _project_prompt,
            parse=_parse_project,
            choices=_project_choices,
            show=_show_project,
            depends_on=("plan",),
        ),
        Field(
            "what",
            TEXT["what_label"],
            _what_prompt,
            parse=lambda _text, _data: ParseError(TEXT["what_bad"]),
            choices=_what_choices,
            show=lambda value, _data: TEXT["whats"].get(value, str(value)),
            hidden=lambda value: value != CANCEL,  # the new value's row says what changed
            depends_on=("project",),
        ),
        Field(
            "value",
            TEXT["value_label"],
            _value_prompt,
            parse=_parse_value,
            choices=_value_choices,
            when=lambda data: _column(data.item) is not None,
            show=_show_value,
            echo=True,
            depends_on=("project", "what"),
        ),
        fields.reason_field(TEXT["reason_label"], TEXT["reason_prompt"], TEXT["reason_example"]),
    ),
    max_items=MAX_CHANGES,
    done_label=TEXT["done"],
    more_prompt=TEXT["more_prompt"],
    more_label=TEXT["more_label"],
    add_label=TEXT["more"],
    first_label=TEXT["slot"],
    item_label=TEXT["slot"],
)


# -- approving the amendment ---------------------------------------------------------------------


def _specs(data: FormData) -> list[ChangeSpec]:
    """The answered changes as the domain's ChangeSpecs (months as the stored mask)."""
    specs: list[ChangeSpec] = []
    for item in CHANGES.items(data):
        column = _column(item)
        value = item.get("value")
        if column == "months_mask":
            value = months_to_mask(value)
        specs.append(
            ChangeSpec(
                project_id=int(item["project"]),
                reason=str(item["reason"]),
                column=column,
                value=value,
            )
        )
    return specs


def _conflict(specs: Sequence[ChangeSpec]) -> int | None:
    """A project changed twice in the same column, or cancelled and changed (an edit from the
    summary can make one); the project id, or None."""
    seen: dict[int, set[str | None]] = {}
    for spec in specs:
        columns = seen.setdefault(spec.project_id, set())
        if spec.column in columns or (columns and (spec.column is None or None in columns)):
            return spec.project_id
        columns.add(spec.column)
    return None


async def _confirm(turn: Turn, data: FormData) -> list[Outgoing]:
    plan_ctx = _plan(data)
    assert plan_ctx is not None and turn.person is not None
    await turn.session.exec(
        select(OperationalPlan.id).where(OperationalPlan.id == plan_ctx["id"]).with_for_update()
    )  # one amendment number at a time per plan
    plan = await turn.session.get(OperationalPlan, int(plan_ctx["id"]))
    org = await turn.session.get(Organization, plan.org_id) if plan else None
    if plan is None or org is None or org.id is None:
        raise refusal(TEXT["stale"].format(number="—"))
    if not may(Action.AMEND_PLAN, await turn.roles_in(org.id)):
        await turn.refuse_in(Action.AMEND_PLAN, org, obj=plan)
    specs = _specs(data)
    by_id = {p["id"]: p for p in plan_ctx["projects"]}
    conflict = _conflict(specs)
    if conflict is not None:  # fixable from the summary: the form stays there
        number = _number(data, by_id[conflict])
        raise Refused([Text(TEXT["conflict"].format(number=number))], retry=True)
    assert plan.id is not None
    now_in_force = {p.id: p for p in await consolidated_projects(turn.session, plan.id)}
    for spec in specs:
        current = now_in_force.get(spec.project_id)
        seen = by_id[spec.project_id]
        if current is None or project_values(current) != project_values_of(seen):
            raise refusal(TEXT["stale"].format(number=_number(data, seen)))
    amendment = await amend(
        turn.session, turn.clock, turn.days_off, plan=plan, specs=specs, by_id=turn.person.id
    )
    row = EditionRow(amendment.edition, plan, org)
    return await _announce_amendment(turn, data, row, amendment.changes, now_in_force, by_id)


def project_values_of(entry: dict[str, Any]) -> dict[str, Any]:
    """The amendable values the executive saw, to compare with the project now."""
    return {k: v for k, v in entry.items() if k not in ("id", "seq")}


async def _announce_amendment(
    turn: Turn,
    data: FormData,
    row: EditionRow,
    changes: Sequence[ProjectChange],
    projects: dict[int | None, Project],
    by_id: dict[int, dict[str, Any]],
) -> list[Outgoing]:
    """The audit rows (the edition, then each project), the officer's notice, the reply."""
    edition, org = row.edition, row.org
    assert edition.id is not None and org.id is not None
    calendar = calendar_of(org, turn.days_off)
    posting = edition_dates(edition, calendar).posting
    assert posting is not None and edition.announced_on is not None
    await turn.audit(
        "plan.amend",
        org_id=org.id,
        obj=edition,
        role=Role.EXECUTIVE,
        after={
            **edition.model_dump(mode="json", include={"kind", "number", "state", "announced_on"}),
            "posting_deadline": posting.due.isoformat(),
            "changes": [
                {"project_id": c.project_id, "kind": c.kind, "after": c.after, "reason": c.reason}
                for c in changes
            ],
        },
    )
    lines: list[str] = []
    for change in changes:
        project = by_id[int(change.project_id or 0)]
        number = _number(data, project)
        cancelled = change.kind == ChangeKind.CANCEL
        await turn.audit(
            "project.cancel" if cancelled else "project.amend",
            org_id=org.id,
            obj=projects[change.project_id],
            role=Role.EXECUTIVE,
            before=change.before,
            after={**(change.after or {}), "reason": change.reason, "amendment": edition.id},
        )
        if cancelled:
            lines.append(TEXT["cancel_line"].format(number=number))
        else:
            column = next(iter(change.after or {}))
            what = TEXT["value_show"].format(
                what=TEXT["whats"][column],
                old=_as_text(column, (change.before or {})[column], data),
                new=_as_text(column, (change.after or {})[column], data),
            )
            lines.append(TEXT["change_line"].format(number=number, what=what))
    await turn.notify_roles(
        org.id,
        [Role.PLAN_OFFICER],
        [posting_notice(row, turn.days_off, "\n".join(lines))],
        dedupe_key=f"plan-amended:{edition.id}",
    )
    text = TEXT["amended"].format(
        title=row.title,
        org=org.short_name,
        announced=thai_date(edition.announced_on),
        n=len(changes),
        deadline=thai_date(posting.due),
        left=days_left(posting.due, turn.clock.today()),
        officer=Role.PLAN_OFFICER.label_th,
    )
    return [Text(text + due_suffix(posting, calendar) + "\n" + "\n".join(lines))]


def _plan_choices(data: FormData) -> list[Choice]:
    return [Choice(p["choice"], p["id"]) for p in data.ctx["plans"]]


AMEND_FORM = forms.register(
    Form(
        name="plan_amend",
        title=TEXT["title"],
        fields=(
            Field(
                "plan",
                TEXT["plan_label"],
                TEXT["plan_prompt"],
                parse=lambda _text, data: ParseError(
                    TEXT["plan_bad"].format(example=data.ctx["plans"][0]["choice"])
                ),
                choices=_plan_choices,
                when=lambda data: len(data.ctx["plans"]) > 1,
                show=lambda _value, data: (_plan(data) or {"choice": ""})["choice"],
            ),
            *CHANGES.expand(),
        ),
        header=_header,
        summary_title=TEXT["summary"],
        confirm_label=TEXT["confirm"],
        on_confirm=_confirm,
    )
)

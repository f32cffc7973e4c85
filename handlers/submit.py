"""เสนอโครงการ: a submitter proposes a project (โครงการ/กิจกรรม) for a round that is collecting.

The story: which org (only for people in several) → which round (only when several collect
at once) → the columns of แบบ ผด.02 one question at a time → a summary card → ยืนยันส่ง.
The project gets the plan's next running number (เลขที่ 2569-012), an audit row, and the
support committee a notice through the outbox. The same form, started at its summary with
a project's values, is how /mine edits a project (a returned one is sent again).

Everything a question needs (the org's strategies, the plan areas, the speaker's unit) is
read once when the form starts and kept in the form's context, so parsers stay pure and a
restart resumes without the database; everything is checked again when it is confirmed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sqlmodel import select

from handlers import commands, digest, fields, forms, project_form
from handlers.context import Turn, refusal
from handlers.forms import Choice, Field, Form, FormData
from handlers.messages import Choices, Outgoing, Text
from handlers.org_field import ORG_FIELD, preset
from handlers.phrases import PHRASES
from handlers.project_form import form_context, org_entry, show_option, squash
from handlers.projects import own_editable, submitting_role
from handlers.projects_text import (
    baht,
    days_left,
    project_card,
    project_number,
    shorten,
    thai_date,
)
from handlers.router import command
from models.catalog import EQUIPMENT_TYPES
from models.editions import load_edition
from models.enums import EditionState, ProjectSource, ProjectStatus, Role
from models.fiscal import mask_to_months, months_to_mask
from models.org import Organization
from models.permissions import Action, needed_roles_th
from models.plan import Edition, OperationalPlan, PlanArea, Project, Strategy
from models.reminder_settings import ReminderSettings
from models.rounds import collecting_rounds, next_project_seq
from models.thaitext import ParseError

TEXT = {
    # the form
    "title": "เสนอโครงการ",
    "edit_title": "แก้ไขโครงการ",
    "summary": "ตรวจสอบก่อนส่ง",
    "confirm": "ยืนยันส่ง",
    "edit_confirm": "ยืนยันแก้ไข",
    "header": "📋 เสนอโครงการเข้าแผนการดำเนินงาน ปีงบประมาณ พ.ศ. {fy}{edition} — {org}",
    "header_deadline": "รับข้อเสนอถึง {deadline} ({left})",
    "header_pick": "📋 เสนอโครงการเข้าแผนการดำเนินงาน",
    "edition_suffix": " ({label})",
    "where": "📋 {org} · ปีงบประมาณ พ.ศ. {fy}{edition} · รับข้อเสนอถึง {deadline} ({left})",
    # questions: label, prompt
    "round_label": "รอบ",
    "round_prompt": "เสนอเข้ารอบใด",
    "round_choice": "ปีงบประมาณ พ.ศ. {fy} {label} (ถึง {deadline})",
    "round_bad": "กรุณากดปุ่มเลือกรอบ เช่น {example}",
    "unit_prompt": "กดปุ่มหน่วยงานของท่าน หรือพิมพ์ชื่อหน่วยงานอื่น เช่น กองช่าง",
    "unit_prompt_free": "พิมพ์ชื่อหน่วยงาน เช่น กองช่าง",
    "source_label": "โครงการของ",
    "source_prompt": "เป็นโครงการของ {org} เอง หรือของหน่วยงานอื่นที่จะดำเนินการในพื้นที่",
    "source_other": "หน่วยงานอื่น",
    "source_bad": "กรุณากดปุ่ม {org} หรือ หน่วยงานอื่น",
    "agency_label": "ชื่อหน่วยงาน",
    "agency_prompt": "ชื่อหน่วยงานเจ้าของโครงการ เช่น แขวงทางหลวงชนบทขอนแก่น",
    "agency_example": "แขวงทางหลวงชนบทขอนแก่น",
    "equipment_label": "ครุภัณฑ์",
    "equipment_prompt": (
        "เป็นรายการครุภัณฑ์ที่ไม่ได้ดำเนินการตามโครงการพัฒนาท้องถิ่น (ลงในแบบ ผด.02/1) ใช่หรือไม่"
    ),
    "equipment_type_label": "ประเภทครุภัณฑ์",
    "equipment_type_prompt": "ครุภัณฑ์ประเภทใด — กดปุ่ม หรือพิมพ์ เช่น ครุภัณฑ์สำนักงาน",
    "equipment_type_example": "ครุภัณฑ์สำนักงาน",
    "yes": "ใช่",
    "no": "ไม่ใช่",
    "yes_show": "ใช่ (แบบ ผด.02/1)",
    "yes_no_bad": "กรุณากดปุ่ม ใช่ หรือ ไม่ใช่",
    "unknown_value": "—",
    # outcomes
    "no_round": (
        "📋 ขณะนี้ยังไม่มีรอบที่เปิดรับโครงการ — {orgs}\n"
        "รอบจะเปิดเมื่อ{roles}บันทึกการประกาศใช้ข้อบัญญัติงบประมาณ (หรือเหตุอื่นที่เริ่มนับ 30 วัน)"
        " ด้วยคำสั่ง เปิดรอบ"
    ),
    "no_strategies": (
        "ยังไม่ได้บันทึกยุทธศาสตร์ของ {orgs} จากแผนพัฒนาท้องถิ่น จึงยังเสนอโครงการไม่ได้ — กรุณาแจ้ง{roles}"
    ),
    "round_closed": "⛔ รอบนี้ปิดรับโครงการแล้ว ({state}) — ไม่มีข้อมูลใดถูกบันทึก",
    "stale_choice": "⛔ {what}ที่เลือกไม่มีในระบบแล้ว — ไม่มีข้อมูลใดถูกบันทึก กรุณาเริ่มใหม่",
    "submitted": "✅ ส่งแล้ว เลขที่ {number} — คณะกรรมการสนับสนุนฯ จะตรวจและแจ้งผลทางแชทนี้",
    "resubmitted": "✅ ส่งใหม่แล้ว เลขที่ {number} — คณะกรรมการสนับสนุนฯ จะตรวจอีกครั้งและแจ้งผลทางแชทนี้",
    "edited": "✅ บันทึกการแก้ไขแล้ว เลขที่ {number}",
    "unchanged": "ไม่มีข้อมูลที่เปลี่ยน — โครงการเลขที่ {number} คงเดิม",
    "again": "เสนอโครงการอีก",
    "notice_new": "📋 โครงการใหม่ เลขที่ {number} — {org}",
    "notice_again": "📋 ส่งใหม่หลังแก้ไข เลขที่ {number} — {org}",
    "notice_footer": "รับข้อเสนอถึง {deadline} ({left}) — รอคณะกรรมการสนับสนุนฯ ตรวจ",
    "notice_status": "ดูสถานะ",
    "by": "{name} ({unit})",
    "digest_line": "• {number} {title} — {budget} · {by}{again}",
    "digest_again": " (ส่งใหม่หลังแก้ไข)",
}

# -- /submit ------------------------------------------------------------------------------


@command(commands.SUBMIT)
async def submit_command(turn: Turn, _args: str) -> list[Outgoing]:
    """Start the form, or say plainly why there is nothing to submit to yet."""
    orgs = await turn.require(Action.SUBMIT_PROJECT)
    open_orgs: list[tuple[Organization, Sequence[tuple[Edition, OperationalPlan]]]] = []
    for org in orgs:
        assert org.id is not None
        rounds = await collecting_rounds(turn.session, org.id)
        if rounds:
            open_orgs.append((org, rounds))
    if not open_orgs:
        names = " · ".join(o.short_name for o in orgs)
        return [Text(TEXT["no_round"].format(orgs=names, roles=needed_roles_th(Action.OPEN_ROUND)))]
    ctx = await form_context(turn, open_orgs)
    if not ctx["orgs"]:
        names = " · ".join(o.short_name for o, _r in open_orgs)
        return [Text(TEXT["no_strategies"].format(orgs=names, roles=Role.PLAN_OFFICER.label_th))]
    return await forms.start(turn, SUBMIT_FORM, ctx, preset(ctx))


# -- reading the context ------------------------------------------------------------------


def _round(data: FormData) -> dict[str, Any] | None:
    org = org_entry(data)
    if org is None:
        return None
    if len(org["rounds"]) == 1:
        return org["rounds"][0]
    wanted = data.values.get("round")
    return next((r for r in org["rounds"] if r["edition"] == wanted), None)


def _fy(data: FormData) -> int:
    found = _round(data)
    assert found is not None, "the round is answered before any question that needs it"
    return int(found["fy"])


def _edition_suffix(rnd: dict[str, Any]) -> str:
    return "" if rnd["original"] else TEXT["edition_suffix"].format(label=rnd["label"])


def _deadline_parts(data: FormData, rnd: dict[str, Any]) -> dict[str, str]:
    deadline = date.fromisoformat(rnd["deadline"])
    return {"deadline": thai_date(deadline), "left": days_left(deadline, data.today)}


def _header(data: FormData) -> str:
    """Where they are (UX principle 1): the plan, the org, and how long submissions stay open."""
    org, rnd = org_entry(data), _round(data)
    if org is None or rnd is None:
        return TEXT["header_pick"]
    parts = _deadline_parts(data, rnd)
    return (
        TEXT["header"].format(fy=rnd["fy"], edition=_edition_suffix(rnd), org=org["name"])
        + "\n"
        + TEXT["header_deadline"].format(**parts)
    )


def _picked_before_title(data: FormData) -> bool:
    """Whether org or round was asked: then the header could not say where they are."""
    org = org_entry(data)
    return len(data.ctx["orgs"]) > 1 or (org is not None and len(org["rounds"]) > 1)


# -- questions ----------------------------------------------------------------------------


def _round_choices(data: FormData) -> list[Choice]:
    org = org_entry(data)
    rounds = org["rounds"] if org else []
    return [
        Choice(
            TEXT["round_choice"].format(
                fy=r["fy"], label=r["label"], deadline=_deadline_parts(data, r)["deadline"]
            ),
            r["edition"],
        )
        for r in rounds
    ]


def _parse_round(_text: str, data: FormData) -> Any:
    choices = _round_choices(data)
    return ParseError(TEXT["round_bad"].format(example=choices[0].label if choices else ""))


def _show_round(value: Any, data: FormData) -> str:
    return next((c.label for c in _round_choices(data) if c.value == value), TEXT["unknown_value"])


def _title_prompt(data: FormData) -> str:
    rnd, org = _round(data), org_entry(data)
    if not _picked_before_title(data) or rnd is None or org is None:
        return fields.TEXT["title_prompt"]
    where = TEXT["where"].format(
        org=org["name"], fy=rnd["fy"], edition=_edition_suffix(rnd), **_deadline_parts(data, rnd)
    )
    return where + "\n" + fields.TEXT["title_prompt"]


def _unit_choices(data: FormData) -> list[Choice]:
    org = org_entry(data)
    unit = org["unit"] if org else None
    return [Choice(unit, unit)] if unit else []


def _unit_prompt(data: FormData) -> str:
    return TEXT["unit_prompt"] if _unit_choices(data) else TEXT["unit_prompt_free"]


def _other_agency(data: FormData) -> bool:
    return data.values.get("source") == ProjectSource.OTHER_AGENCY.value


def _source_prompt(data: FormData) -> str:
    return TEXT["source_prompt"].format(org=(org_entry(data) or {"name": ""})["name"])


def _source_choices(data: FormData) -> list[Choice]:
    org = org_entry(data)
    name = org["name"] if org else ""
    return [
        Choice(name, ProjectSource.LAO.value),
        Choice(TEXT["source_other"], ProjectSource.OTHER_AGENCY.value),
    ]


def _parse_source(text: str, data: FormData) -> Any:
    typed = squash(text)
    org = org_entry(data) or {"name": "", "bare": ""}
    if "อื่น" in typed:
        return ProjectSource.OTHER_AGENCY.value
    if typed and (squash(org["bare"]) in typed or typed in squash(org["name"])):
        return ProjectSource.LAO.value
    return ParseError(TEXT["source_bad"].format(org=org["name"]))


def _show_source(value: Any, data: FormData) -> str:
    return next((c.label for c in _source_choices(data) if c.value == value), str(value))


_parse_agency = fields.free_text(TEXT["agency_label"], TEXT["agency_example"])


def _parse_yes_no(text: str, _data: FormData) -> Any:
    typed = squash(text)
    if typed.startswith("ไม่") or typed in {"no", "n"}:
        return False
    if typed in {"ใช่", "เป็น", "yes", "y"}:
        return True
    return ParseError(TEXT["yes_no_bad"])


_equipment_text = fields.free_text(
    TEXT["equipment_type_label"], TEXT["equipment_type_example"], 100
)


def _parse_equipment_type(text: str, data: FormData) -> Any:
    """A type of the budget's list typed in part ("คอมพิวเตอร์"), or another the LAO uses."""
    typed = squash(text).removeprefix("ครุภัณฑ์")
    found = [kind for kind in EQUIPMENT_TYPES if typed and typed in squash(kind)]
    return found[0] if len(found) == 1 else _equipment_text(text, data)


def _show_yes_no(value: Any, _data: FormData) -> str:
    return TEXT["yes_show"] if value else TEXT["no"]


# -- confirming ---------------------------------------------------------------------------


async def _confirm(turn: Turn, data: FormData) -> list[Outgoing]:
    project_id = data.ctx.get("project_id")
    if project_id is not None:
        return await _save_edit(turn, data, int(project_id))
    return await _save_new(turn, data)


async def _check_choices(turn: Turn, org_id: int, values: dict[str, Any]) -> None:
    """The strategy and plan area still exist (for this org); else nothing can be saved."""
    strategy = await turn.session.get(Strategy, int(values["strategy"]))
    if strategy is None or strategy.org_id != org_id:
        raise refusal(TEXT["stale_choice"].format(what=project_form.TEXT["strategy_label"]))
    if await turn.session.get(PlanArea, int(values["area"])) is None:
        raise refusal(TEXT["stale_choice"].format(what=project_form.TEXT["area_label"]))


def project_columns(values: dict[str, Any]) -> dict[str, Any]:
    """The form's answers as the project's columns (satang, a month mask, enums)."""
    source = ProjectSource(values["source"])
    other = source is ProjectSource.OTHER_AGENCY
    return {
        "title": values["title"],
        "strategy_id": int(values["strategy"]),
        "plan_area_id": int(values["area"]),
        "details": values["details"],
        "budget_satang": int(values["budget"]),
        "location": values["location"],
        "responsible_unit": values["agency"] if other else values["unit"],
        "months_mask": months_to_mask(values["months"]),
        "source": source,
        "agency_name": values.get("agency") if other else None,
        "is_equipment": False if other else bool(values["equipment"]),
        "equipment_type": values.get("equipment_type") if values.get("equipment") else None,
    }


def values_of(project: Project, org_id: int) -> dict[str, Any]:
    """A project as the form's answers: what /mine's แก้ไข starts the form with."""
    values: dict[str, Any] = {
        "org": org_id,
        "title": project.title,
        "strategy": project.strategy_id,
        "area": project.plan_area_id,
        "details": project.details,
        "budget": project.budget_satang,
        "location": project.location,
        "months": list(mask_to_months(project.months_mask)),
        "source": project.source.value,
    }
    if project.source is ProjectSource.OTHER_AGENCY:
        values["agency"] = project.agency_name or project.responsible_unit
    else:
        values["unit"] = project.responsible_unit
        values["equipment"] = project.is_equipment
        if project.is_equipment and project.equipment_type:
            values["equipment_type"] = project.equipment_type
    return values


def _snapshot(project: Project, columns: Iterable[str]) -> dict[str, Any]:
    """The columns an edit may change, JSON-ready, for the audit row's before and after."""
    return project.model_dump(mode="json", include={*columns, "status", "status_reason"})


async def _lock_plan(turn: Turn, plan_id: int) -> None:
    """Serialise running numbers per plan: concurrent submitters queue here on PostgreSQL
    instead of colliding on (plan_id, seq) and retrying; SQLite has one writer anyway."""
    await turn.session.exec(
        select(OperationalPlan.id)
        .where(OperationalPlan.id == plan_id)
        .with_for_update(key_share=True)
    )


async def _save_new(turn: Turn, data: FormData) -> list[Outgoing]:
    assert turn.person is not None and turn.person.id is not None
    org, rnd = org_entry(data), _round(data)
    assert org is not None and rnd is not None
    org_id = int(org["id"])
    await _lock_plan(turn, int(rnd["plan"]))
    row = await load_edition(turn.session, int(rnd["edition"]))
    if row is None or row.org_id != org_id:
        raise refusal(PHRASES["expired"])
    edition, plan = row.edition, row.plan
    if edition.state is not EditionState.COLLECTING:
        raise refusal(TEXT["round_closed"].format(state=edition.state.label_th))
    role = await submitting_role(turn, row.org)
    await _check_choices(turn, org_id, data.values)
    now = turn.clock.now()
    assert plan.id is not None and edition.id is not None
    project = Project(
        plan_id=plan.id,
        edition_id=edition.id,
        seq=await next_project_seq(turn.session, plan.id),
        status=ProjectStatus.SUBMITTED,
        submitted_by_id=turn.person.id,
        created_at=now,
        updated_at=now,
        **project_columns(data.values),
    )
    turn.session.add(project)
    await turn.session.flush()
    await turn.audit(
        "project.submit",
        org_id=org_id,
        obj=project,
        role=role,
        after=project.model_dump(mode="json"),
    )
    number = project_number(plan.fiscal_year, project.seq)
    await _notify_committee(turn, data, project, org, rnd, TEXT["notice_new"], "submitted")
    again = (commands.button(commands.SUBMIT, TEXT["again"]), commands.button(commands.MINE))
    return [Choices(TEXT["submitted"].format(number=number), again)]


async def _notify_committee(
    turn: Turn,
    data: FormData,
    project: Project,
    org: dict[str, Any],
    rnd: dict[str, Any],
    title: str,
    event: str,
) -> None:
    """The support committee hears of it: by default gathered with the period's other
    submissions (``handlers.digest``); with the org's digest set to 0, a card at once."""
    assert turn.person is not None and project.id is not None
    number = project_number(int(rnd["fy"]), project.seq)
    by = turn.person.name
    if org.get("unit"):
        by = TEXT["by"].format(name=by, unit=org["unit"])
    found = await turn.session.get(Organization, int(org["id"]))
    minutes = ReminderSettings.from_json(found.reminder_settings if found else None)
    if minutes.submission_digest:
        line = TEXT["digest_line"].format(
            number=number,
            title=shorten(project.title, 50),
            budget=baht(project.budget_satang),
            by=by,
            again=TEXT["digest_again"] if event != "submitted" else "",
        )
        await digest.add_submission(
            turn, int(org["id"]), org["name"], line, minutes.submission_digest
        )
        return
    card = project_card(
        title.format(number=number, org=org["name"]),
        project,
        fiscal_year=int(rnd["fy"]),
        strategy=show_option(org["strategies"], project.strategy_id),
        area=show_option(data.ctx["areas"], project.plan_area_id),
        submitted_by=by,
        buttons=(commands.button(commands.STATUS, TEXT["notice_status"]),),
        footer=TEXT["notice_footer"].format(**_deadline_parts(data, rnd)),
    )
    key = f"project-{event}:{project.id}"
    if event != "submitted":  # a project may be sent again several times
        key += f":{turn.clock.now().isoformat()}"
    await turn.notify_roles(int(org["id"]), [Role.SUPPORT_COMMITTEE], [card], dedupe_key=key)


async def _save_edit(turn: Turn, data: FormData, project_id: int) -> list[Outgoing]:
    found = await own_editable(turn, project_id, lock=True)
    project, org, number = found.project, found.org, found.number
    role = await submitting_role(turn, org)
    await _check_choices(turn, found.org_id, data.values)
    columns = project_columns(data.values)
    before = _snapshot(project, columns)
    was_returned = project.status is ProjectStatus.RETURNED
    for name, value in columns.items():
        setattr(project, name, value)
    project.status = ProjectStatus.SUBMITTED
    if was_returned:
        project.status_reason = None  # the reason was for the version that was returned
    after = _snapshot(project, columns)
    changed = sorted(k for k in after if after[k] != before[k])
    if not changed:
        return [Text(TEXT["unchanged"].format(number=number))]
    project.updated_at = turn.clock.now()
    await turn.audit(
        "project.edit",
        org_id=org.id,
        obj=project,
        role=role,
        before={k: before[k] for k in changed},
        after={k: after[k] for k in changed},
    )
    if was_returned:
        org_ctx, rnd = org_entry(data), _round(data)
        assert org_ctx is not None and rnd is not None
        await _notify_committee(turn, data, project, org_ctx, rnd, TEXT["notice_again"], "resent")
        return [Text(TEXT["resubmitted"].format(number=number))]
    return [Text(TEXT["edited"].format(number=number))]


# -- the form -----------------------------------------------------------------------------

SUBMIT_FORM = forms.register(
    Form(
        name="submit",
        title=TEXT["title"],
        fields=(
            ORG_FIELD,
            Field(
                "round",
                TEXT["round_label"],
                TEXT["round_prompt"],
                parse=_parse_round,
                choices=_round_choices,
                when=lambda data: len((org_entry(data) or {"rounds": []})["rounds"]) > 1,
                show=_show_round,
                depends_on=("org",),
            ),
            fields.title_field(_title_prompt),
            project_form.strategy_field(),
            project_form.area_field(),
            fields.details_field(),
            fields.budget_field(),
            fields.location_field(),
            Field(
                "source",
                TEXT["source_label"],
                _source_prompt,
                parse=_parse_source,
                choices=_source_choices,
                show=_show_source,
            ),
            Field(
                "agency",
                TEXT["agency_label"],
                TEXT["agency_prompt"],
                parse=_parse_agency,
                when=_other_agency,
            ),
            # another agency's project: that agency is the unit responsible (ผด.02's column)
            dataclasses.replace(
                fields.unit_field(_unit_prompt, _unit_choices),
                when=lambda data: not _other_agency(data),
            ),
            fields.months_field(_fy),
            Field(  # ผด.02/1 lists the LAO's own equipment, not other agencies'
                "equipment",
                TEXT["equipment_label"],
                TEXT["equipment_prompt"],
                parse=_parse_yes_no,
                choices=lambda _data: [Choice(TEXT["yes"], True), Choice(TEXT["no"], False)],
                show=_show_yes_no,
                when=lambda data: not _other_agency(data),
            ),
            Field(
                "equipment_type",
                TEXT["equipment_type_label"],
                TEXT["equipment_type_prompt"],
                parse=_parse_equipment_type,
                choices=lambda _data: [Choice(kind, kind) for kind in EQUIPMENT_TYPES],
                when=lambda data: data.values.get("equipment") is True,
                depends_on=("equipment",),
            ),
        ),
        header=_header,
        summary_title=TEXT["summary"],
        confirm_label=TEXT["confirm"],
        on_confirm=_confirm,
    )
)

# Editing a project is the same form started at its summary; its own title makes ยกเลิก say
# "ยกเลิกแก้ไขโครงการแล้ว" (the project stays as it was), not "ยกเลิกเสนอโครงการแล้ว".
EDIT_FORM = forms.register(
    dataclasses.replace(
        SUBMIT_FORM,
        name="project_edit",
        title=TEXT["edit_title"],
        confirm_label=TEXT["edit_confirm"],
    )
)

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
import re
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sqlmodel import select

from handlers import buttons, forms
from handlers.context import Turn
from handlers.forms import Choice, Field, Form, FormData
from handlers.messages import Button, Choices, Outgoing, Text
from handlers.org_field import ORG_FIELD, preset
from handlers.projects_text import (
    baht_with_words,
    days_left,
    months_text,
    project_card,
    project_number,
    shorten,
    thai_date,
)
from handlers.router import command
from models.enums import EditionKind, EditionState, ProjectSource, ProjectStatus, Role
from models.fiscal import FISCAL_MONTHS, mask_to_months, months_to_mask
from models.org import Organization
from models.orgs import strategies_of
from models.permissions import Action, may, needed_roles_th
from models.plan import Edition, OperationalPlan, PlanArea, Project, Strategy
from models.rounds import collecting_rounds, edition_label_th, next_project_seq
from models.thaitext import (
    ParseError,
    baht_to_satang,
    check_budget_range,
    clean_text,
    find_village,
    format_village,
    normalize_digits,
    parse_budget,
    parse_months,
)

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
    "title_label": "ชื่อโครงการ",
    "title_prompt": 'เช่น "โครงการก่อสร้างถนน คสล. หมู่ที่ 5"',
    "title_example": '"โครงการก่อสร้างถนน คสล. หมู่ที่ 5"',
    "strategy_label": "ยุทธศาสตร์",
    "strategy_prompt": "โครงการนี้อยู่ในยุทธศาสตร์ใด — กดปุ่ม หรือพิมพ์เลขหรือชื่อยุทธศาสตร์",
    "strategy_unknown": "ไม่พบยุทธศาสตร์ “{text}” — กรุณาเลือกเลขหรือชื่อจากรายการนี้:\n{listing}",
    "area_label": "แผนงาน",
    "area_prompt": "โครงการนี้อยู่ในแผนงานใด — กดปุ่ม หรือพิมพ์เลขหรือชื่อแผนงาน เช่น 9 หรือ การโยธา",
    "area_unknown": "ไม่พบแผนงาน “{text}” — กรุณาเลือกเลขหรือชื่อจากรายการนี้:\n{listing}",
    "option": "{number} {name}",
    "details_label": "รายละเอียดของกิจกรรม",
    "details_prompt": (
        "กิจกรรมที่เกิดขึ้นจากโครงการ เช่น ก่อสร้างถนน คสล. กว้าง 5 เมตร ยาว 200 เมตร หนา 0.15 เมตร"
    ),
    "details_example": "ก่อสร้างถนน คสล. กว้าง 5 เมตร ยาว 200 เมตร",
    "budget_label": "งบประมาณ (บาท)",
    "budget_prompt": "กรุณาพิมพ์จำนวนเงิน เช่น 150000 หรือ 1.5 ล้าน",
    "location_label": "สถานที่ดำเนินการ",
    "location_prompt": "เช่น หมู่ที่ 5 บ้านหนองแวง หรือ ที่ทำการ อบต.",
    "location_example": "หมู่ที่ 5 บ้านหนองแวง",
    "unit_label": "หน่วยงานรับผิดชอบหลัก",
    "unit_prompt": "กดปุ่มหน่วยงานของท่าน หรือพิมพ์ชื่อหน่วยงานอื่น เช่น กองช่าง",
    "unit_prompt_free": "พิมพ์ชื่อหน่วยงาน เช่น กองช่าง",
    "unit_example": "กองช่าง",
    "months_label": "เดือนที่ดำเนินการ",
    "months_prompt": (
        "ปีงบประมาณ พ.ศ. {fy} (ต.ค. {first} – ก.ย. {fy}) — กดปุ่ม หรือพิมพ์ช่วงเดือน เช่น ม.ค.-มี.ค."
    ),
    "whole_year": "ทั้งปี",
    "quarters": ("ต.ค.–ธ.ค.", "ม.ค.–มี.ค.", "เม.ย.–มิ.ย.", "ก.ค.–ก.ย."),
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
    "lost_role": "⛔ ท่านไม่ได้เป็น{roles}ของ {org} แล้ว — ไม่มีข้อมูลใดถูกบันทึก",
    "stale_choice": "⛔ {what}ที่เลือกไม่มีในระบบแล้ว — ไม่มีข้อมูลใดถูกบันทึก กรุณาเริ่มใหม่",
    "submitted": "✅ ส่งแล้ว เลขที่ {number} — คณะกรรมการสนับสนุนฯ จะตรวจและแจ้งผลทางแชทนี้",
    "resubmitted": "✅ ส่งใหม่แล้ว เลขที่ {number} — คณะกรรมการสนับสนุนฯ จะตรวจอีกครั้งและแจ้งผลทางแชทนี้",
    "edited": "✅ บันทึกการแก้ไขแล้ว เลขที่ {number}",
    "unchanged": "ไม่มีข้อมูลที่เปลี่ยน — โครงการเลขที่ {number} คงเดิม",
    "again": "เสนอโครงการอีก",
    "mine": "โครงการของฉัน",
    "notice_new": "📋 โครงการใหม่ เลขที่ {number} — {org}",
    "notice_again": "📋 ส่งใหม่หลังแก้ไข เลขที่ {number} — {org}",
    "notice_footer": "รับข้อเสนอถึง {deadline} ({left}) — รอคณะกรรมการสนับสนุนฯ ตรวจ",
    "notice_status": "ดูสถานะ",
    "by": "{name} ({unit})",
    # the state of an existing project (used by /mine's buttons and by edit's confirm)
    "expired": "รายการนี้หมดอายุแล้ว",
    "not_editable": "รายการนี้หมดอายุแล้ว — โครงการเลขที่ {number} {status} แก้ไขหรือถอนไม่ได้",
    "round_not_collecting": (
        "รายการนี้หมดอายุแล้ว — รอบนี้ปิดรับโครงการแล้ว ({state}) แก้ไขหรือถอนโครงการเลขที่ {number}"
        " ไม่ได้ หากจำเป็นกรุณาติดต่อ{roles}"
    ),
}

# Commands typed by the buttons under a reply (help's "cmd" action runs them as if typed).
CMD_SUBMIT = "เสนอโครงการ"
CMD_MINE = "โครงการของฉัน"
CMD_STATUS = "สถานะ"

EDITABLE = frozenset({ProjectStatus.SUBMITTED, ProjectStatus.RETURNED})
# The roles a submission is made as, in the order one is named in the audit trail.
SUBMIT_ROLES = (Role.SUBMITTER, Role.SUPPORT_COMMITTEE, Role.PLAN_OFFICER)
QUARTERS = ((10, 11, 12), (1, 2, 3), (4, 5, 6), (7, 8, 9))


# -- /submit ------------------------------------------------------------------------------


@command("/submit", "เสนอโครงการ")
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


async def form_context(
    turn: Turn,
    open_orgs: Sequence[tuple[Organization, Sequence[tuple[Edition, OperationalPlan]]]],
    *,
    project_id: int | None = None,
) -> dict[str, Any]:
    """What the questions need, JSON-ready: per org its strategies, rounds and the speaker's unit.

    An org without strategies cannot take a project (every project sits under one), so it
    is left out; the caller says so when none is left.
    """
    orgs: list[dict[str, Any]] = []
    for org, rounds in open_orgs:
        assert org.id is not None
        strategies = await strategies_of(turn.session, org.id)
        if not strategies:
            continue
        orgs.append(
            {
                "id": org.id,
                "name": org.short_name,
                "bare": org.name,
                "unit": await _unit_of(turn, org.id),
                "strategies": [
                    {"id": s.id, "number": s.number, "name": s.name} for s in strategies
                ],
                "rounds": [_round_ctx(edition, plan) for edition, plan in rounds],
            }
        )
    areas = (await turn.session.exec(select(PlanArea).order_by(PlanArea.number))).all()
    return {
        "orgs": orgs,
        "areas": [{"id": a.id, "number": a.number, "name": a.name} for a in areas],
        "project_id": project_id,
    }


def _round_ctx(edition: Edition, plan: OperationalPlan) -> dict[str, Any]:
    return {
        "edition": edition.id,
        "plan": plan.id,
        "fy": plan.fiscal_year,
        "label": edition_label_th(edition),
        "original": edition.kind is EditionKind.ORIGINAL,
        "deadline": edition.effective_deadline.isoformat(),
    }


async def _unit_of(turn: Turn, org_id: int) -> str | None:
    """The unit the speaker acts for in the org (กองช่าง, หมู่ที่ 5…), a submitter's first."""
    units = {m.role: m.unit for m, _o in await turn.memberships() if m.org_id == org_id and m.unit}
    return next((units[r] for r in SUBMIT_ROLES if r in units), next(iter(units.values()), None))


# -- reading the context ------------------------------------------------------------------


def _org(data: FormData) -> dict[str, Any] | None:
    org_id = data.values.get("org")
    return next((o for o in data.ctx["orgs"] if o["id"] == org_id), None)


def _round(data: FormData) -> dict[str, Any] | None:
    org = _org(data)
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
    org, rnd = _org(data), _round(data)
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
    org = _org(data)
    return len(data.ctx["orgs"]) > 1 or (org is not None and len(org["rounds"]) > 1)


# -- questions ----------------------------------------------------------------------------


def _squash(text: str) -> str:
    """Compare names as people type them: Thai or Arabic digits, any spacing, any case."""
    return re.sub(r"\s+", "", normalize_digits(text)).casefold()


_LEADING_NUMBER = re.compile(r"(?:ยุทธศาสตร์|แผนงาน)?(?:ที่)?([0-9]{1,3})(?:[^0-9.].*)?")


def _pick(text: str, options: list[dict[str, Any]], prefix: str) -> dict[str, Any] | None:
    """An option by its number ("1", "ยุทธศาสตร์ที่ 1", "1 การพัฒนา…") or by (part of) its name."""
    typed = _squash(text)
    number = _LEADING_NUMBER.fullmatch(typed)
    if number is not None:
        return next((o for o in options if o["number"] == int(number.group(1))), None)
    wanted = typed.removeprefix(prefix)
    if len(wanted) < 2:
        return None
    names = {o["id"]: _squash(o["name"]).removeprefix(prefix) for o in options}
    exact = [o for o in options if names[o["id"]] == wanted]
    partial = [o for o in options if wanted in names[o["id"]]]
    found = exact or partial
    return found[0] if len(found) == 1 else None


def _listing(options: list[dict[str, Any]]) -> str:
    return "\n".join(TEXT["option"].format(number=o["number"], name=o["name"]) for o in options)


def _option_label(options: list[dict[str, Any]], value: Any) -> str:
    found = next((o for o in options if o["id"] == value), None)
    if found is None:
        return TEXT["unknown_value"]
    return TEXT["option"].format(number=found["number"], name=found["name"])


def _strategies(data: FormData) -> list[dict[str, Any]]:
    org = _org(data)
    return org["strategies"] if org else []


def _round_choices(data: FormData) -> list[Choice]:
    org = _org(data)
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
    rnd, org = _round(data), _org(data)
    if not _picked_before_title(data) or rnd is None or org is None:
        return TEXT["title_prompt"]
    where = TEXT["where"].format(
        org=org["name"], fy=rnd["fy"], edition=_edition_suffix(rnd), **_deadline_parts(data, rnd)
    )
    return where + "\n" + TEXT["title_prompt"]


def _parse_title(text: str, _data: FormData) -> Any:
    return clean_text(
        text, max_len=300, field_name_th=TEXT["title_label"], example_th=TEXT["title_example"]
    )


def _strategy_choices(data: FormData) -> list[Choice]:
    return [
        Choice(TEXT["option"].format(number=s["number"], name=s["name"]), s["id"])
        for s in _strategies(data)
    ]


def _parse_strategy(text: str, data: FormData) -> Any:
    found = _pick(text, _strategies(data), "ยุทธศาสตร์")
    if found is None:
        return ParseError(
            TEXT["strategy_unknown"].format(
                text=shorten(text.strip(), 40), listing=_listing(_strategies(data))
            )
        )
    return found["id"]


def _area_choices(data: FormData) -> list[Choice]:
    return [
        Choice(TEXT["option"].format(number=a["number"], name=a["name"]), a["id"])
        for a in data.ctx["areas"]
    ]


def _parse_area(text: str, data: FormData) -> Any:
    found = _pick(text, data.ctx["areas"], "แผนงาน")
    if found is None:
        return ParseError(
            TEXT["area_unknown"].format(
                text=shorten(text.strip(), 40), listing=_listing(data.ctx["areas"])
            )
        )
    return found["id"]


def _parse_details(text: str, _data: FormData) -> Any:
    return clean_text(
        text, max_len=2000, field_name_th=TEXT["details_label"], example_th=TEXT["details_example"]
    )


def _parse_budget(text: str, _data: FormData) -> Any:
    """Baht as typed (๑๕๐,๐๐๐ · 1.5 ล้าน · ๒ แสน), within reason, kept as integer satang."""
    amount = parse_budget(text)
    if isinstance(amount, ParseError):
        return amount
    checked = check_budget_range(amount)
    if isinstance(checked, ParseError):
        return checked
    return baht_to_satang(checked)


def _parse_location(text: str, _data: FormData) -> Any:
    return clean_text(
        text, max_len=300, field_name_th=TEXT["location_label"], example_th=TEXT["location_example"]
    )


def _echo_village(value: Any, _data: FormData) -> str | None:
    """Say back the village read from the place, so หมู่ 5 typed as ม.5 is seen to be understood."""
    village = find_village(str(value))
    return format_village(village) if village is not None else None


def _unit_choices(data: FormData) -> list[Choice]:
    org = _org(data)
    unit = org["unit"] if org else None
    return [Choice(unit, unit)] if unit else []


def _unit_prompt(data: FormData) -> str:
    return TEXT["unit_prompt"] if _unit_choices(data) else TEXT["unit_prompt_free"]


def _parse_unit(text: str, _data: FormData) -> Any:
    return clean_text(
        text, max_len=300, field_name_th=TEXT["unit_label"], example_th=TEXT["unit_example"]
    )


def _months_choices(_data: FormData) -> list[Choice]:
    return [Choice(TEXT["whole_year"], list(FISCAL_MONTHS))] + [
        Choice(label, list(months))
        for label, months in zip(TEXT["quarters"], QUARTERS, strict=True)
    ]


def _months_prompt(data: FormData) -> str:
    fy = _fy(data)
    return TEXT["months_prompt"].format(fy=fy, first=fy - 1)


def _parse_months(text: str, data: FormData) -> Any:
    months = parse_months(text, _fy(data))
    return months if isinstance(months, ParseError) else list(months)


def _show_months(value: Any, data: FormData) -> str:
    return months_text(value, _fy(data))


def _source_choices(data: FormData) -> list[Choice]:
    org = _org(data)
    name = org["name"] if org else ""
    return [
        Choice(name, ProjectSource.LAO.value),
        Choice(TEXT["source_other"], ProjectSource.OTHER_AGENCY.value),
    ]


def _parse_source(text: str, data: FormData) -> Any:
    typed = _squash(text)
    org = _org(data) or {"name": "", "bare": ""}
    if "อื่น" in typed:
        return ProjectSource.OTHER_AGENCY.value
    if typed and (_squash(org["bare"]) in typed or typed in _squash(org["name"])):
        return ProjectSource.LAO.value
    return ParseError(TEXT["source_bad"].format(org=org["name"]))


def _show_source(value: Any, data: FormData) -> str:
    return next((c.label for c in _source_choices(data) if c.value == value), str(value))


def _parse_agency(text: str, _data: FormData) -> Any:
    return clean_text(
        text, max_len=300, field_name_th=TEXT["agency_label"], example_th=TEXT["agency_example"]
    )


def _parse_yes_no(text: str, _data: FormData) -> Any:
    typed = _squash(text)
    if typed.startswith("ไม่") or typed in {"no", "n"}:
        return False
    if typed in {"ใช่", "เป็น", "yes", "y"}:
        return True
    return ParseError(TEXT["yes_no_bad"])


def _show_yes_no(value: Any, _data: FormData) -> str:
    return TEXT["yes_show"] if value else TEXT["no"]


# -- confirming ---------------------------------------------------------------------------


async def _confirm(turn: Turn, data: FormData) -> list[Outgoing]:
    project_id = data.ctx.get("project_id")
    if project_id is not None:
        return await _save_edit(turn, data, int(project_id))
    return await _save_new(turn, data)


async def acting_role(turn: Turn, org_id: int) -> Role | None:
    """The role a submission is made as (for the audit row), or None if the speaker has none."""
    roles = await turn.roles_in(org_id)
    return next((r for r in SUBMIT_ROLES if r in roles and may(Action.SUBMIT_PROJECT, {r})), None)


async def lost_role(turn: Turn, org_id: int, org_name: str) -> list[Outgoing]:
    """The speaker no longer holds a submitting role in the org: refuse, with the audit row."""
    await turn.audit(
        f"denied:{Action.SUBMIT_PROJECT}", org_id=org_id, after={"reason": "role_removed"}
    )
    return [
        Text(TEXT["lost_role"].format(roles=needed_roles_th(Action.SUBMIT_PROJECT), org=org_name))
    ]


async def _stale_choices(turn: Turn, org_id: int, values: dict[str, Any]) -> list[Outgoing]:
    """The strategy and plan area still exist (for this org); else nothing can be saved."""
    strategy = await turn.session.get(Strategy, int(values["strategy"]))
    if strategy is None or strategy.org_id != org_id:
        return [Text(TEXT["stale_choice"].format(what=TEXT["strategy_label"]))]
    if await turn.session.get(PlanArea, int(values["area"])) is None:
        return [Text(TEXT["stale_choice"].format(what=TEXT["area_label"]))]
    return []


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
        "responsible_unit": values["unit"],
        "months_mask": months_to_mask(values["months"]),
        "source": source,
        "agency_name": values.get("agency") if other else None,
        "is_equipment": bool(values["equipment"]),
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
        "unit": project.responsible_unit,
        "months": list(mask_to_months(project.months_mask)),
        "source": project.source.value,
        "equipment": project.is_equipment,
    }
    if project.source is ProjectSource.OTHER_AGENCY:
        values["agency"] = project.agency_name or ""
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
    org, rnd = _org(data), _round(data)
    assert org is not None and rnd is not None
    org_id = int(org["id"])
    await _lock_plan(turn, int(rnd["plan"]))
    edition = await turn.session.get(Edition, int(rnd["edition"]))
    plan = await turn.session.get(OperationalPlan, int(rnd["plan"]))
    if edition is None or plan is None or plan.org_id != org_id:
        return [Text(TEXT["expired"])]
    if edition.state is not EditionState.COLLECTING:
        return [Text(TEXT["round_closed"].format(state=edition.state.label_th))]
    role = await acting_role(turn, org_id)
    if role is None:
        return await lost_role(turn, org_id, org["name"])
    stale = await _stale_choices(turn, org_id, data.values)
    if stale:
        return stale
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
    row = (
        Button(TEXT["again"], buttons.action_button("cmd", 0, CMD_SUBMIT)),
        Button(TEXT["mine"], buttons.action_button("cmd", 0, CMD_MINE)),
    )
    return [Choices(TEXT["submitted"].format(number=number), row)]


async def _notify_committee(
    turn: Turn,
    data: FormData,
    project: Project,
    org: dict[str, Any],
    rnd: dict[str, Any],
    title: str,
    event: str,
) -> None:
    """A short card to every support-committee member: they screen what comes in."""
    assert turn.person is not None and project.id is not None
    number = project_number(int(rnd["fy"]), project.seq)
    by = turn.person.name
    if org.get("unit"):
        by = TEXT["by"].format(name=by, unit=org["unit"])
    card = project_card(
        title.format(number=number, org=org["name"]),
        project,
        fiscal_year=int(rnd["fy"]),
        strategy=_option_label(org["strategies"], project.strategy_id),
        area=_option_label(data.ctx["areas"], project.plan_area_id),
        submitted_by=by,
        buttons=(Button(TEXT["notice_status"], buttons.action_button("cmd", 0, CMD_STATUS)),),
        footer=TEXT["notice_footer"].format(**_deadline_parts(data, rnd)),
    )
    key = f"project-{event}:{project.id}"
    if event != "submitted":  # a project may be sent again several times
        key += f":{turn.clock.now().isoformat()}"
    await turn.notify_roles(int(org["id"]), [Role.SUPPORT_COMMITTEE], [card], dedupe_key=key)


async def _save_edit(turn: Turn, data: FormData, project_id: int) -> list[Outgoing]:
    found = await load_project(turn, project_id, lock=True)
    problem = await editable_problem(turn, found)
    if problem:
        return problem
    assert found is not None
    project, _edition, plan, org = found
    assert org.id is not None
    role = await acting_role(turn, org.id)
    if role is None:
        return await lost_role(turn, org.id, org.short_name)
    stale = await _stale_choices(turn, org.id, data.values)
    if stale:
        return stale
    number = project_number(plan.fiscal_year, project.seq)
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
        org_ctx, rnd = _org(data), _round(data)
        assert org_ctx is not None and rnd is not None
        await _notify_committee(turn, data, project, org_ctx, rnd, TEXT["notice_again"], "resent")
        return [Text(TEXT["resubmitted"].format(number=number))]
    return [Text(TEXT["edited"].format(number=number))]


# -- an existing project: shared with /mine -----------------------------------------------

Found = tuple[Project, Edition, OperationalPlan, Organization]


async def load_project(turn: Turn, project_id: int, *, lock: bool = False) -> Found | None:
    """The project with its edition, plan and org; ``lock`` holds the row until commit so a
    second worker's double tap waits and then sees the new status."""
    statement = (
        select(Project, Edition, OperationalPlan, Organization)
        .join(Edition, Edition.id == Project.edition_id)
        .join(OperationalPlan, OperationalPlan.id == Project.plan_id)
        .join(Organization, Organization.id == OperationalPlan.org_id)
        .where(Project.id == project_id)
    )
    if lock:
        statement = statement.with_for_update(of=Project).execution_options(populate_existing=True)
    row = (await turn.session.exec(statement)).first()
    return None if row is None else (row[0], row[1], row[2], row[3])


async def editable_problem(turn: Turn, found: Found | None) -> list[Outgoing]:
    """Why this project cannot be edited or withdrawn now (Thai), or nothing when it can.

    Buttons are stateless, so every press re-checks: still the speaker's, still editable,
    its round still collecting.
    """
    if found is None or turn.person is None or found[0].submitted_by_id != turn.person.id:
        return [Text(TEXT["expired"])]
    project, edition, plan, _org_row = found
    number = project_number(plan.fiscal_year, project.seq)
    if project.status not in EDITABLE:
        return [Text(TEXT["not_editable"].format(number=number, status=project.status.label_th))]
    if edition.state is not EditionState.COLLECTING:
        return [
            Text(
                TEXT["round_not_collecting"].format(
                    state=edition.state.label_th,
                    number=number,
                    roles=Role.PLAN_OFFICER.label_th,
                )
            )
        ]
    return []


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
                when=lambda data: len((_org(data) or {"rounds": []})["rounds"]) > 1,
                show=_show_round,
                depends_on=("org",),
            ),
            Field("title", TEXT["title_label"], _title_prompt, parse=_parse_title),
            Field(
                "strategy",
                TEXT["strategy_label"],
                TEXT["strategy_prompt"],
                parse=_parse_strategy,
                choices=_strategy_choices,
                show=lambda value, data: _option_label(_strategies(data), value),
                depends_on=("org",),
            ),
            Field(
                "area",
                TEXT["area_label"],
                TEXT["area_prompt"],
                parse=_parse_area,
                choices=_area_choices,
                show=lambda value, data: _option_label(data.ctx["areas"], value),
            ),
            Field("details", TEXT["details_label"], TEXT["details_prompt"], parse=_parse_details),
            Field(
                "budget",
                TEXT["budget_label"],
                TEXT["budget_prompt"],
                parse=_parse_budget,
                show=lambda value, _data: baht_with_words(int(value)),
                echo=True,
            ),
            Field(
                "location",
                TEXT["location_label"],
                TEXT["location_prompt"],
                parse=_parse_location,
                echo=_echo_village,
            ),
            Field(
                "unit",
                TEXT["unit_label"],
                _unit_prompt,
                parse=_parse_unit,
                choices=_unit_choices,
            ),
            Field(
                "months",
                TEXT["months_label"],
                _months_prompt,
                parse=_parse_months,
                choices=_months_choices,
                show=_show_months,
                echo=True,
            ),
            Field(
                "source",
                TEXT["source_label"],
                lambda data: TEXT["source_prompt"].format(org=(_org(data) or {"name": ""})["name"]),
                parse=_parse_source,
                choices=_source_choices,
                show=_show_source,
            ),
            Field(
                "agency",
                TEXT["agency_label"],
                TEXT["agency_prompt"],
                parse=_parse_agency,
                when=lambda data: data.values.get("source") == ProjectSource.OTHER_AGENCY.value,
            ),
            Field(
                "equipment",
                TEXT["equipment_label"],
                TEXT["equipment_prompt"],
                parse=_parse_yes_no,
                choices=lambda _data: [Choice(TEXT["yes"], True), Choice(TEXT["no"], False)],
                show=_show_yes_no,
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

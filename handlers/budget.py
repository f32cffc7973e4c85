"""เปิดรอบ: the plan officer records a budget event, which opens a 30-day preparation round.

Fiscal year → what happened (the annual budget ordinance, a supplementary budget, funds
from accumulated savings, or another agency's notice) → when → the legal deadline is shown
→ confirm. Submitters and the support committee are told through the outbox.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from handlers import commands, fields, forms
from handlers.context import Turn, refusal
from handlers.deadlines_text import due_suffix
from handlers.forms import Choice, Field, Form, FormData
from handlers.messages import Choices, Outgoing, Text
from handlers.org_field import ORG_FIELD, org_context, org_days_off, org_name, preset
from handlers.router import command
from models.deadlines import PREPARATION_DAYS, Deadline, preparation_deadline
from models.editions import DateProblem, DateRule
from models.enums import Role, TriggerKind
from models.fiscal import fiscal_year_of
from models.org import Organization
from models.permissions import Action
from models.rounds import (
    DuplicateRound,
    edition_label_th,
    open_round,
    rounds_of_year,
    same_budget_event,
)
from models.schedule import collection_cutoff
from models.thaitext import ParseError, check_date_range, format_thai_date, parse_date

TEXT = {
    "title": "การเปิดรอบ",
    "header": "📋 เปิดรอบจัดทำแผนการดำเนินงาน — บันทึกเหตุที่เริ่มนับ {days} วัน",
    "fy_label": "ปีงบประมาณ",
    "fy_prompt": "แผนการดำเนินงานของปีงบประมาณ พ.ศ. ใด",
    "fy_choice": "พ.ศ. {fy}",
    "fy_bad": "กรุณาพิมพ์ปีงบประมาณเป็น พ.ศ. 4 หลัก เช่น {example}",
    "trigger_label": "เหตุที่เริ่มนับ",
    "trigger_prompt": "เหตุที่ทำให้ต้องจัดทำหรือเพิ่มเติมแผนการดำเนินงาน",
    "trigger_bad": "กรุณาเลือกจากปุ่ม เช่น ข้อบัญญัติงบประมาณรายจ่ายประจำปี",
    "agency_label": "หน่วยงานที่แจ้ง",
    "agency_prompt": "ชื่อหน่วยงานที่แจ้งแผนงาน/โครงการเข้ามา เช่น แขวงทางหลวงชนบทขอนแก่น",
    "agency_example": "แขวงทางหลวงชนบทขอนแก่น",
    "date_label": "วันที่",
    "date_prompt": {
        TriggerKind.OTHER_AGENCY_NOTICE: "วันที่ได้รับแจ้งจากหน่วยงานอื่น เช่น 1 ต.ค. 2568 หรือ วันนี้",
    },
    "date_prompt_default": "วันที่ประกาศใช้ {what} เช่น 1 ต.ค. 2568 หรือ วันนี้",
    "date_show": "{date} → ต้องจัดทำให้แล้วเสร็จภายใน {deadline}",
    "duplicate": (
        "⛔ บันทึก{what} ({day}) ไว้แล้ว — เปิดรอบแผนการดำเนินงาน ปีงบประมาณ พ.ศ. {fy} ({edition})"
        " ไปแล้ว จึงเปิดรอบซ้ำไม่ได้\nหากเป็นเหตุอื่น (เช่น งบประมาณรายจ่ายเพิ่มเติม) กรุณาเลือกเหตุนั้น"
        " · หากรอบเดิมเปิดผิด ยกเลิกได้ด้วยคำสั่ง ยกเลิกรอบ"
    ),
    "summary": "ตรวจสอบก่อนเปิดรอบ",
    "confirm": "เปิดรอบ",
    "opened": (
        "✅ เปิดรอบแล้ว: แผนการดำเนินงาน ปีงบประมาณ พ.ศ. {fy} ({edition}) — {org}\n"
        "⏰ ต้องจัดทำให้แล้วเสร็จภายใน {deadline} (อีก {left} วัน)\n"
        "แจ้งผู้เสนอโครงการและคณะกรรมการสนับสนุนฯ แล้ว {n} บัญชี"
    ),
    "notice": (
        "📋 {org} เปิดรับโครงการเข้าแผนการดำเนินงาน ปีงบประมาณ พ.ศ. {fy} ({edition})\n"
        "⏰ ต้องจัดทำให้แล้วเสร็จภายใน {deadline} — รับข้อเสนอโครงการถึง {cutoff}\n"
        "กดปุ่มด้านล่าง หรือพิมพ์ เสนอโครงการ เพื่อเริ่ม"
    ),
}
TRIGGERS = (
    TriggerKind.ANNUAL_BUDGET,
    TriggerKind.SUPPLEMENTARY_BUDGET,
    TriggerKind.ACCUMULATED_FUNDS,
    TriggerKind.OTHER_AGENCY_NOTICE,
)


@command(commands.BUDGET)
async def budget_command(turn: Turn, _args: str) -> list[Outgoing]:
    orgs = await turn.require(Action.OPEN_ROUND)
    ctx = org_context(orgs)
    ctx["rounds"] = await _rounds_ctx(turn, orgs)
    return await forms.start(turn, BUDGET_FORM, ctx, preset(ctx))


async def _rounds_ctx(turn: Turn, orgs: list[Organization]) -> list[dict[str, Any]]:
    """The rounds the orgs' plans of this and next fiscal year already have (JSON-ready), so
    the form can say at once that a budget event opened its round already."""
    current = fiscal_year_of(turn.clock.today())
    found = []
    for org in orgs:
        assert org.id is not None
        for fy in (current - 1, current, current + 1):
            for edition in await rounds_of_year(turn.session, org.id, fy):
                found.append(
                    {
                        "org": org.id,
                        "fy": fy,
                        "kind": edition.trigger_kind.value,
                        "date": edition.trigger_date.isoformat(),
                        "agency": edition.trigger_agency,
                        "label": edition_label_th(edition),
                    }
                )
    return found


def _same_event(data: FormData, kind: str, day: date | None) -> dict[str, Any] | None:
    """The round this budget event opened already (of the chosen org and year), if any."""
    for existing in data.ctx.get("rounds", []):
        if (existing["org"], existing["fy"]) != (data.values.get("org"), data.values.get("fy")):
            continue
        if same_budget_event(
            TriggerKind(kind),
            day or date.fromisoformat(existing["date"]),
            data.values.get("agency"),
            TriggerKind(existing["kind"]),
            date.fromisoformat(existing["date"]),
            existing["agency"],
        ):
            return existing
    return None


def _duplicate(existing: dict[str, Any]) -> ParseError:
    return ParseError(
        TEXT["duplicate"].format(
            what=TriggerKind(existing["kind"]).label_th,
            day=format_thai_date(date.fromisoformat(existing["date"]), "short"),
            fy=existing["fy"],
            edition=existing["label"],
        )
    )


def _check_trigger(value: Any, data: FormData) -> ParseError | None:
    """The annual budget ordinance comes once a year: its round may already be open."""
    if value != TriggerKind.ANNUAL_BUDGET.value:
        return None
    existing = _same_event(data, value, None)
    return None if existing is None else _duplicate(existing)


def _check_date(value: Any, data: FormData) -> ParseError | None:
    """A budget event that has happened (its 30 days run from it), and not one recorded."""
    day = date.fromisoformat(value)
    if day > data.today:
        return ParseError(fields.date_reason(DateProblem(DateRule.FUTURE, data.today), day))
    existing = _same_event(data, data.values["trigger"], day)
    return None if existing is None else _duplicate(existing)


def _deadline(data: FormData, value: str) -> Deadline:
    return preparation_deadline(date.fromisoformat(value), org_days_off(data))


def _fy_choices(data: FormData) -> list[Choice]:
    current = fiscal_year_of(data.today)
    return [Choice(TEXT["fy_choice"].format(fy=fy), fy) for fy in (current, current + 1)]


def _parse_fy(text: str, data: FormData) -> Any:
    digits = "".join(ch for ch in text if ch.isdigit())
    current = fiscal_year_of(data.today)
    if len(digits) == 4 and current - 1 <= int(digits) <= current + 1:
        return int(digits)
    return ParseError(TEXT["fy_bad"].format(example=current))


def _parse_trigger(text: str, _data: FormData) -> Any:
    for kind in TRIGGERS:
        if text.strip() in (kind.label_th, kind.value):
            return kind.value
    return ParseError(TEXT["trigger_bad"])


_parse_agency = fields.free_text(TEXT["agency_label"], TEXT["agency_example"])


def _parse_date(text: str, data: FormData) -> Any:
    parsed = parse_date(text, data.today)
    if isinstance(parsed, ParseError):
        return parsed
    checked = check_date_range(parsed, data.today, past_days=366, future_days=366)
    return checked if isinstance(checked, ParseError) else checked.isoformat()


def _date_prompt(data: FormData) -> str:
    kind = TriggerKind(data.values.get("trigger", TriggerKind.ANNUAL_BUDGET))
    return TEXT["date_prompt"].get(kind, TEXT["date_prompt_default"].format(what=kind.label_th))


def _show_date(value: str, data: FormData) -> str:
    deadline = _deadline(data, value)
    text = TEXT["date_show"].format(
        date=format_thai_date(deadline.start), deadline=format_thai_date(deadline.due)
    )
    return text + due_suffix(deadline, org_days_off(data))


async def _confirm(turn: Turn, data: FormData) -> list[Outgoing]:
    org = await turn.session.get(Organization, int(data.values["org"]))
    assert org is not None and org.id is not None
    if Role.PLAN_OFFICER not in await turn.roles_in(org.id):
        await turn.require(Action.OPEN_ROUND)  # refuses with the audit row if it was revoked
    try:
        opened = await open_round(
            turn.session,
            turn.clock,
            turn.days_off,
            org=org,
            fiscal_year=int(data.values["fy"]),
            trigger_kind=TriggerKind(data.values["trigger"]),
            trigger_date=date.fromisoformat(data.values["date"]),
            trigger_agency=data.values.get("agency"),
            opened_by_id=turn.person.id if turn.person else None,
        )
    except DuplicateRound as duplicate:  # recorded meanwhile (another officer, another chat)
        edition = duplicate.existing
        existing = {
            "kind": edition.trigger_kind.value,
            "date": edition.trigger_date.isoformat(),
            "fy": data.values["fy"],
            "label": edition_label_th(edition),
        }
        raise refusal(_duplicate(existing).reason) from None
    edition, deadline = opened.edition, opened.deadline
    await turn.audit(
        "round.open",
        org_id=org.id,
        obj=edition,
        role=Role.PLAN_OFFICER,
        after=edition.model_dump(mode="json"),
    )
    fmt = {
        "org": org.short_name,
        "fy": opened.plan.fiscal_year,
        "edition": edition_label_th(edition),
        "deadline": format_thai_date(deadline.due),
        "cutoff": format_thai_date(collection_cutoff(edition, org, turn.days_off) or deadline.due),
    }
    note = due_suffix(deadline, turn.days_off.of(org.province))
    notified = await turn.notify_roles(
        org.id,
        [Role.SUBMITTER, Role.SUPPORT_COMMITTEE],
        [
            Choices(
                TEXT["notice"].format(**fmt) + note,
                (commands.button(commands.SUBMIT),),
            )
        ],
        dedupe_key=f"round-opened:{edition.id}",
    )
    left = deadline.days_left(turn.clock.today())
    return [Text(TEXT["opened"].format(**fmt, left=left, n=notified) + note)]


BUDGET_FORM = forms.register(
    Form(
        name="budget",
        title=TEXT["title"],
        fields=(
            ORG_FIELD,
            Field(
                "fy",
                TEXT["fy_label"],
                TEXT["fy_prompt"],
                parse=_parse_fy,
                choices=_fy_choices,
                show=lambda value, _data: TEXT["fy_choice"].format(fy=value),
            ),
            Field(
                "trigger",
                TEXT["trigger_label"],
                TEXT["trigger_prompt"],
                parse=_parse_trigger,
                choices=lambda _data: [Choice(k.label_th, k.value) for k in TRIGGERS],
                show=lambda value, _data: TriggerKind(value).label_th,
                check=_check_trigger,
            ),
            Field(
                "agency",
                TEXT["agency_label"],
                TEXT["agency_prompt"],
                parse=_parse_agency,
                when=lambda data: data.values.get("trigger") == TriggerKind.OTHER_AGENCY_NOTICE,
            ),
            Field(
                "date",
                TEXT["date_label"],
                _date_prompt,
                parse=_parse_date,
                show=_show_date,
                check=_check_date,
                depends_on=("fy", "trigger"),
                echo=True,
            ),
        ),
        header=lambda data: (
            TEXT["header"].format(days=PREPARATION_DAYS)
            + (f" — {org_name(data)}" if org_name(data) else "")
        ),
        summary_title=TEXT["summary"],
        confirm_label=TEXT["confirm"],
        on_confirm=_confirm,
    )
)

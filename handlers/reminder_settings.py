"""ตั้งค่าการแจ้งเตือน: the plan officer chooses when the organization's people are reminded.

/reminders: which organization (only when several) → which setting (its value now on the
button) → the new value (days before the deadline as a list, a number of days, or on/off)
→ summary → saved, with an audit row of before and after. What is not changed keeps the
default (``models.reminder_settings``), so the defaults can improve for everyone.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from handlers import commands, forms
from handlers.context import Turn
from handlers.digest import DAILY
from handlers.forms import Choice, Field, Form, FormData
from handlers.messages import Outgoing, Text
from handlers.org_field import ORG_FIELD, org_context, org_name, preset
from handlers.router import command
from models.enums import Role
from models.org import Organization
from models.permissions import Action
from models.reminder_settings import MAX_DAYS_BEFORE, ReminderSettings, days_list
from models.thaitext import ParseError, normalize_digits

TEXT = {
    "title": "การตั้งค่าการแจ้งเตือน",
    "header": "⚙️ ตั้งค่าการแจ้งเตือน{org}",
    "header_org": " — {org}",
    "which_label": "หัวข้อ",
    "which_prompt": "ต้องการเปลี่ยนการแจ้งเตือนข้อใด\n{current}",
    "which_bad": "กรุณากดปุ่มเลือกหัวข้อ เช่น {example}",
    "value_label": "ค่าใหม่",
    "summary": "ตรวจสอบก่อนบันทึกการตั้งค่า",
    "confirm": "บันทึก",
    "saved": "✅ บันทึกการตั้งค่าการแจ้งเตือนของ{org}แล้ว: {label} = {value}",
    "on": "เปิด",
    "off": "ปิด",
    "none": "ไม่เตือน",
    "days": "{days} วันก่อน",
    "on_day": "วันครบกำหนด",
    "sep": ", ",
    "days_bad": (
        "กรุณาพิมพ์จำนวนวันก่อนครบกำหนด 0–{max} คั่นด้วยจุลภาค (0 = วันครบกำหนด) "
        "เช่น 14, 7, 3, 1, 0 — หรือ ไม่เตือน"
    ),
    "number_bad": "กรุณาพิมพ์จำนวนวัน 0–{max} เช่น 10",
    "minutes": "ทุก {minutes} นาที",
    "at_once": "ทันที",
    "daily": "วันละครั้ง (เช้า)",
    "minutes_bad": "กรุณาพิมพ์จำนวนนาที 0–1440 เช่น 60 (0 = แจ้งทันที, 1440 = วันละครั้ง)",
    "switch_bad": "กรุณากดปุ่ม เปิด หรือ ปิด",
    "current": "• {button}: {label} — ตอนนี้ {value}",
    # name: (button, what it is, the question for a new value)
    "settings": {
        "preparation_days": (
            "จัดทำแผน",
            "เตือนกำหนดจัดทำแผน (30 วัน)",
            "เตือนกี่วันก่อนครบกำหนด — พิมพ์คั่นด้วยจุลภาค เช่น 14, 7, 3, 1, 0 (0 = วันครบกำหนด)",
        ),
        "collection_cutoff": (
            "ปิดรับข้อเสนอ",
            "ปิดรับข้อเสนอโครงการก่อนครบกำหนด 30 วัน",
            "ปิดรับข้อเสนอโครงการกี่วันก่อนครบกำหนด 30 วัน — เช่น 10",
        ),
        "collection_days": (
            "ผู้ยังไม่เสนอ",
            "เตือนผู้ยังไม่เสนอโครงการ ก่อนปิดรับข้อเสนอ",
            "เตือนกี่วันก่อนปิดรับข้อเสนอ — เช่น 3, 1",
        ),
        "posting_days": (
            "ปิดประกาศ",
            "เตือนกำหนดปิดประกาศ (15 วัน)",
            "เตือนกี่วันก่อนครบกำหนดปิดประกาศ — เช่น 7, 3, 1, 0",
        ),
        "overdue": ("เลยกำหนด", "เตือนทุกวันทำการเมื่อเลยกำหนด", "เปิดหรือปิด"),
        "committee": ("กรรมการพัฒนาฯ", "เตือนกรรมการที่ยังไม่ลงความเห็น", "เปิดหรือปิด"),
        "executive": ("ผู้บริหาร", "เตือนผู้บริหารท้องถิ่นให้อนุมัติแผน", "เปิดหรือปิด"),
        "removal": ("ครบ 30 วัน", "แจ้งเมื่อครบ 30 วันของการปิดประกาศ", "เปิดหรือปิด"),
        "submission_digest": (
            "แจ้งโครงการใหม่",
            "แจ้งคณะกรรมการสนับสนุนฯ เมื่อมีโครงการใหม่",
            "รวบรวมแจ้งทุกกี่นาที — 0 = แจ้งทันทีทุกโครงการ, 1440 = วันละครั้ง (เช้า) เช่น 60",
        ),
    },
}
SWITCHES = ("overdue", "committee", "executive", "removal")


@command(commands.REMINDERS)
async def reminders_command(turn: Turn, _args: str) -> list[Outgoing]:
    orgs = await turn.require(Action.SET_REMINDERS)
    ctx = org_context(orgs)
    for entry, org in zip(ctx["orgs"], orgs, strict=True):
        entry["settings"] = ReminderSettings.from_json(org.reminder_settings).to_json()
    return await forms.start(turn, SETTINGS_FORM, ctx, preset(ctx))


def _current(data: FormData) -> ReminderSettings:
    org_id = data.values.get("org")
    stored = next((o.get("settings") for o in data.ctx["orgs"] if o["id"] == org_id), None)
    return ReminderSettings.from_json(stored)


def show_value(name: str, value: Any) -> str:
    """A setting's value in Thai: "14, 7, 3, 1 วันก่อน · วันครบกำหนด", "10 วันก่อน", "เปิด"."""
    if isinstance(value, bool):
        return TEXT["on"] if value else TEXT["off"]
    if name == "submission_digest":
        if value == 0:
            return TEXT["at_once"]
        return TEXT["daily"] if value >= DAILY else TEXT["minutes"].format(minutes=value)
    if isinstance(value, int):
        return TEXT["days"].format(days=value)
    days = [d for d in value if d > 0]
    parts = [TEXT["days"].format(days=TEXT["sep"].join(map(str, days)))] if days else []
    if 0 in value:
        parts.append(TEXT["on_day"])
    return " · ".join(parts) or TEXT["none"]


def _which_prompt(data: FormData) -> str:
    current = _current(data)
    lines = [
        TEXT["current"].format(
            button=button, label=label, value=show_value(name, getattr(current, name))
        )
        for name, (button, label, _prompt) in TEXT["settings"].items()
    ]
    return TEXT["which_prompt"].format(current="\n".join(lines))


def _which_choices(_data: FormData) -> list[Choice]:
    return [Choice(button, name) for name, (button, _l, _p) in TEXT["settings"].items()]


def _parse_which(text: str, _data: FormData) -> Any:
    wanted = text.strip()
    for name, (button, label, _prompt) in TEXT["settings"].items():
        if wanted and (wanted in (button, name) or wanted in label):
            return name
    example = next(iter(TEXT["settings"].values()))[0]
    return ParseError(TEXT["which_bad"].format(example=example))


def _value_prompt(data: FormData) -> str:
    return str(TEXT["settings"][data.values["which"]][2])


def _value_choices(data: FormData) -> list[Choice]:
    if data.values.get("which") in SWITCHES:
        return [Choice(TEXT["on"], True), Choice(TEXT["off"], False)]
    return []


def _parse_value(text: str, data: FormData) -> Any:
    name = data.values["which"]
    typed = normalize_digits(text).strip()
    if name in SWITCHES:
        if typed in (TEXT["on"], TEXT["off"]):
            return typed == TEXT["on"]
        return ParseError(TEXT["switch_bad"])
    if name == "submission_digest":
        if typed.isdigit() and int(typed) <= DAILY:
            return int(typed)
        return ParseError(TEXT["minutes_bad"])
    if name == "collection_cutoff":
        if typed.isdigit() and int(typed) <= MAX_DAYS_BEFORE:
            return int(typed)
        return ParseError(TEXT["number_bad"].format(max=MAX_DAYS_BEFORE))
    if typed == TEXT["none"]:
        return []
    numbers = re.split(r"[\s,]+", typed)
    days = (
        days_list([int(n) for n in numbers if n.isdigit()])
        if all(n.isdigit() for n in numbers if n)
        else None
    )
    if not days:
        return ParseError(TEXT["days_bad"].format(max=MAX_DAYS_BEFORE))
    return list(days)


def _show(value: Any, data: FormData) -> str:
    return show_value(data.values.get("which", ""), value)


async def _confirm(turn: Turn, data: FormData) -> list[Outgoing]:
    org = await turn.session.get(Organization, int(data.values["org"]))
    assert org is not None and org.id is not None
    if Role.PLAN_OFFICER not in await turn.roles_in(org.id):
        await turn.require(Action.SET_REMINDERS)  # refused, with the audit row
    name, value = data.values["which"], data.values["value"]
    before = ReminderSettings.from_json(org.reminder_settings)
    after = dataclasses.replace(
        before, **{name: tuple(value) if isinstance(value, list) else value}
    )
    org.reminder_settings = after.to_json()
    await turn.audit(
        "reminders.settings",
        org_id=org.id,
        obj=org,
        role=Role.PLAN_OFFICER,
        before={name: _json(getattr(before, name))},
        after={name: _json(getattr(after, name))},
    )
    label = TEXT["settings"][name][1]
    text = TEXT["saved"].format(org=org.short_name, label=label, value=show_value(name, value))
    return [Text(text)]


def _json(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


SETTINGS_FORM = forms.register(
    Form(
        name="reminder_settings",
        title=TEXT["title"],
        fields=(
            ORG_FIELD,
            Field(
                "which",
                TEXT["which_label"],
                _which_prompt,
                parse=_parse_which,
                choices=_which_choices,
                show=lambda value, _data: str(TEXT["settings"][value][1]),
            ),
            Field(
                "value",
                TEXT["value_label"],
                _value_prompt,
                parse=_parse_value,
                choices=_value_choices,
                show=_show,
                echo=True,
                depends_on=("which",),
            ),
        ),
        header=lambda data: TEXT["header"].format(
            org=TEXT["header_org"].format(org=org_name(data)) if org_name(data) else ""
        ),
        summary_title=TEXT["summary"],
        confirm_label=TEXT["confirm"],
        on_confirm=_confirm,
    )
)

"""เชิญ: an admin or plan officer makes a single-use invite code for a role in their org."""

from __future__ import annotations

from typing import Any

from handlers import commands, fields, forms
from handlers.context import Refused, Turn
from handlers.forms import Choice, Field, Form, FormData
from handlers.messages import Outgoing, Text
from handlers.org_field import ORG_FIELD, org_context, org_name, preset
from handlers.router import command
from models.enums import Role
from models.invites import DEFAULT_VALIDITY, create_invite
from models.permissions import INVITABLE_BY, Action
from models.thaitext import ParseError, format_thai_date

TEXT = {
    "title": "การสร้างรหัสเชิญ",
    "header": "🔑 สร้างรหัสเชิญสมาชิกใหม่ (ใช้ได้ครั้งเดียว ภายใน {days} วัน)",
    "role_label": "บทบาท",
    "role_prompt": "ผู้ได้รับเชิญจะมีบทบาทใด",
    "role_unknown": "กรุณาเลือกบทบาทจากปุ่ม เช่น ผู้เสนอโครงการ",
    "unit_label": "หน่วยงาน/ตำแหน่ง",
    "unit_example": "กองช่าง",
    "unit_prompt": "หน่วยงานหรือตำแหน่งของผู้ได้รับเชิญ เช่น กองช่าง หรือ ผู้ใหญ่บ้าน หมู่ที่ 5 (ข้ามได้)",
    "chair_label": "ประธานกรรมการ",
    "chair_prompt": "ผู้ได้รับเชิญเป็นประธานกรรมการหรือไม่",
    "yes": "ใช่",
    "no": "ไม่ใช่",
    "summary": "ตรวจสอบก่อนสร้างรหัสเชิญ",
    "confirm": "สร้างรหัส",
    "created": (
        "✅ รหัสเชิญ: {code}\n"
        "{org} · {role}{unit}\n"
        "ใช้ได้ครั้งเดียว ถึง {expires}\n"
        "ส่งรหัสนี้ให้ผู้ได้รับเชิญ: ใน LINE พิมพ์ เข้าร่วม {code} · ใน Telegram พิมพ์ /start {code}"
    ),
}
COMMITTEES = {Role.SUPPORT_COMMITTEE, Role.DEVELOPMENT_COMMITTEE, Role.MONITORING_COMMITTEE}


@command(commands.INVITE)
async def invite_command(turn: Turn, _args: str) -> list[Outgoing]:
    orgs = await turn.require(Action.INVITE)
    ctx = org_context(orgs)
    ctx["invitable"] = {
        str(o.id): sorted(
            {r.value for own in await turn.roles_in(o.id) for r in INVITABLE_BY.get(own, ())},  # type: ignore[arg-type]
            key=[r.value for r in Role].index,
        )
        for o in orgs
    }
    return await forms.start(turn, INVITE_FORM, ctx, preset(ctx))


def _roles(data: FormData) -> list[Role]:
    return [Role(r) for r in data.ctx["invitable"].get(str(data.values.get("org")), [])]


def _parse_role(text: str, data: FormData) -> Any:
    for role in _roles(data):
        if text.strip() in (role.label_th, role.value):
            return role.value
    return ParseError(TEXT["role_unknown"])


_parse_unit = fields.free_text(TEXT["unit_label"], TEXT["unit_example"])


async def _confirm(turn: Turn, data: FormData) -> list[Outgoing]:
    org_id = int(data.values["org"])
    role = Role(data.values["role"])
    allowed = {r for own in await turn.roles_in(org_id) for r in INVITABLE_BY.get(own, ())}
    if role not in allowed:  # roles may have changed since the form began
        await turn.audit(f"denied:{Action.INVITE}", org_id=org_id, after={"role": role.value})
        raise Refused([Text(TEXT["role_unknown"])], retry=True)
    invite = await create_invite(
        turn.session,
        turn.clock,
        org_id=org_id,
        role=role,
        created_by_id=turn.person.id if turn.person else None,
        unit=data.values.get("unit"),
        is_chair=bool(data.values.get("chair")),
    )
    await turn.audit(
        "invite.create", org_id=org_id, obj=invite, after={"role": role.value, "unit": invite.unit}
    )
    expires = format_thai_date(invite.expires_at.astimezone(turn.clock.tz).date())
    unit = f" · {invite.unit}" if invite.unit else ""
    return [
        Text(
            TEXT["created"].format(
                code=invite.code, org=org_name(data), role=role.label_th, unit=unit, expires=expires
            )
        )
    ]


INVITE_FORM = forms.register(
    Form(
        name="invite",
        title=TEXT["title"],
        fields=(
            ORG_FIELD,
            Field(
                "role",
                TEXT["role_label"],
                TEXT["role_prompt"],
                parse=_parse_role,
                choices=lambda data: [Choice(r.label_th, r.value) for r in _roles(data)],
                show=lambda value, _data: Role(value).label_th,
            ),
            Field(
                "unit", TEXT["unit_label"], TEXT["unit_prompt"], parse=_parse_unit, optional=True
            ),
            Field(
                "chair",
                TEXT["chair_label"],
                TEXT["chair_prompt"],
                choices=lambda _data: [Choice(TEXT["no"], False), Choice(TEXT["yes"], True)],
                when=lambda data: Role(data.values.get("role", Role.SUBMITTER)) in COMMITTEES,
                show=lambda value, _data: TEXT["yes"] if value else TEXT["no"],
            ),
        ),
        header=lambda _data: TEXT["header"].format(days=DEFAULT_VALIDITY.days),
        summary_title=TEXT["summary"],
        confirm_label=TEXT["confirm"],
        on_confirm=_confirm,
    )
)

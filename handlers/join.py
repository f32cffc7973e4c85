"""Joining: an invite code makes a person a member of an organization with a role.

``/start CODE`` (a Telegram deep link), ``เข้าร่วม CODE`` or just the code. The first time,
the bot asks for the person's name and position; later codes only add the membership.
"""

from __future__ import annotations

import math
import re
from datetime import datetime

from handlers import commands, fields, forms, privacy
from handlers.context import Turn
from handlers.forms import Choice, Field, Form, FormData
from handlers.help import show_help
from handlers.messages import Outgoing, Text
from handlers.router import command, fallback
from models import join_limits
from models.enums import Role
from models.invites import (
    CODE_ALPHABET,
    CODE_LENGTH,
    InviteProblem,
    find_invite,
    normalize_code,
    redeem,
)
from models.org import Invite, Organization, Person

TEXT = {
    "welcome": (
        "ยินดีต้อนรับสู่ planbot ผู้ช่วยจัดทำแผนการดำเนินงานขององค์กรปกครองส่วนท้องถิ่น\n"
        "เริ่มใช้งาน: ส่งรหัสเชิญที่ได้รับจากเจ้าหน้าที่ เช่น เข้าร่วม AB2CD3EF"
    ),
    "no_code": "กรุณาพิมพ์รหัสเชิญต่อท้าย เช่น เข้าร่วม AB2CD3EF",
    "problem": {
        InviteProblem.UNKNOWN: "ไม่พบรหัสเชิญ {code} — กรุณาตรวจสอบตัวอักษรอีกครั้ง หรือขอรหัสใหม่จากเจ้าหน้าที่",
        InviteProblem.USED: "รหัสเชิญ {code} ถูกใช้ไปแล้ว — รหัสหนึ่งใช้ได้ครั้งเดียว กรุณาขอรหัสใหม่จากเจ้าหน้าที่",
        InviteProblem.EXPIRED: "รหัสเชิญ {code} หมดอายุแล้ว — กรุณาขอรหัสใหม่จากเจ้าหน้าที่",
    },
    "form_title": "การลงทะเบียน",
    "header": "👋 ลงทะเบียนเข้าร่วม {org} ในฐานะ{role} — ขอข้อมูล 2 ข้อ",
    "header_known": "👋 เข้าร่วม {org} ในฐานะ{role} — กรุณายืนยัน",
    "name_label": "ชื่อ-นามสกุล",
    "name_example": "นายสมชาย ใจดี",
    "name_prompt": "กรุณาพิมพ์ชื่อ-นามสกุล เช่น นายสมชาย ใจดี",
    "position_label": "ตำแหน่ง/หน่วยงาน",
    "position_example": "ผู้อำนวยการกองช่าง",
    "position_prompt": "ตำแหน่งหรือหน่วยงาน เช่น ผู้อำนวยการกองช่าง หรือ ผู้ใหญ่บ้าน หมู่ที่ 5",
    "summary": "ตรวจสอบข้อมูลก่อนลงทะเบียน",
    "confirm": "ยืนยัน",
    "joined": "✅ เข้าร่วม {org} ในฐานะ{role}แล้ว",
    "already": "เป็น{role}ของ {org} อยู่แล้ว — ไม่ต้องใช้รหัสนี้",
    "wait": (
        "⏳ ส่งรหัสเชิญที่ใช้ไม่ได้หลายครั้งเกินไป — กรุณารอประมาณ {minutes} นาที แล้วลองใหม่"
        " หรือขอรหัสใหม่จากเจ้าหน้าที่วิเคราะห์นโยบายและแผน"
    ),
}
_BARE_CODE = re.compile(rf"^[{CODE_ALPHABET}]{{{CODE_LENGTH}}}$")


@command(commands.START)
async def join_command(turn: Turn, args: str) -> list[Outgoing]:
    if args:
        return await join_with_code(turn, args)
    if turn.person is None:
        return [
            Text(
                TEXT["welcome"]
                if turn.incoming.text and turn.incoming.text.startswith("/start")
                else TEXT["no_code"]
            )
        ]
    return await show_help(turn, "")


@fallback
async def bare_code(turn: Turn, text: str) -> list[Outgoing] | None:
    """A message that is just an invite code (as people paste it in LINE)."""
    code = normalize_code(text)
    if len(text.strip()) > CODE_LENGTH + 2 or not _BARE_CODE.match(code):
        return None
    return await join_with_code(turn, code)


async def join_with_code(turn: Turn, raw_code: str) -> list[Outgoing]:
    assert turn.account.id is not None
    code = normalize_code(raw_code)
    waiting = await join_limits.waiting_until(turn.session, turn.clock, turn.account.id)
    if waiting is not None:  # even a good code waits: otherwise the limit stops no guessing
        return [_wait(turn, waiting)]
    found = await find_invite(turn.session, turn.clock, code)
    if isinstance(found, InviteProblem):
        return await _refuse_code(turn, code or raw_code.strip(), found)
    org = await turn.session.get(Organization, found.org_id)
    assert org is not None
    notice = await privacy.pending_notice(turn, org)
    if turn.person is None or notice is not None:
        ctx = {
            "code": code,
            "org": org.short_name,
            "role": found.role.value,
            "display_name": turn.account.display_name,  # offered as a button for the name
            "new": turn.person is None,  # a known person is only asked to confirm
            "notice": notice.version if notice is not None else None,
        }
        intro = [Text(privacy.render(org, notice))] if notice is not None else []
        return await forms.start(turn, PROFILE_FORM, ctx, intro=intro)
    return await _join(turn, found, org, turn.person, unit=None)


async def _refuse_code(turn: Turn, code: str, problem: InviteProblem) -> list[Outgoing]:
    """Say why the code cannot be used; count the try (audited compactly, see join_limits).

    A code that was never issued is not kept: it is whatever someone typed. A used or
    expired one names a real invitation, which the officer may want to trace.
    """
    assert turn.account.id is not None
    failure = await join_limits.count_failure(turn.session, turn.clock, turn.account.id, problem)
    if failure.first_of_kind:
        kept = {} if problem is InviteProblem.UNKNOWN else {"code": code}
        await turn.audit("join.refused", after={"problem": problem.value, **kept})
    answer = [Text(TEXT["problem"][problem].format(code=code))]
    if failure.locked_until is not None:
        until = failure.locked_until.isoformat()
        await turn.audit("join.limited", after={"failures": failure.failures, "until": until})
        answer.append(_wait(turn, failure.locked_until))
    return answer


def _wait(turn: Turn, until: datetime) -> Text:
    minutes = max(1, math.ceil((until - turn.clock.now()).total_seconds() / 60))
    return Text(TEXT["wait"].format(minutes=minutes))


async def _join(
    turn: Turn, invite: Invite, org: Organization, person: Person, unit: str | None
) -> list[Outgoing]:
    assert person.id is not None
    if invite.role in await turn.roles_in(org.id):  # type: ignore[arg-type]
        return [Text(TEXT["already"].format(role=invite.role.label_th, org=org.short_name))]
    membership = await redeem(turn.session, turn.clock, invite, person.id, unit=unit)
    if membership is None:
        return [Text(TEXT["problem"][InviteProblem.USED].format(code=invite.code))]
    turn._memberships = None  # the speaker's roles just changed
    await turn.audit(
        "member.join",
        org_id=org.id,
        obj=membership,
        role=invite.role,
        after={"invite": invite.code, "role": invite.role.value},
    )
    joined = Text(TEXT["joined"].format(org=org.short_name, role=invite.role.label_th))
    return [joined, *await show_help(turn, "")]


async def _confirm_profile(turn: Turn, data: FormData) -> list[Outgoing]:
    found = await find_invite(turn.session, turn.clock, data.ctx["code"])
    if isinstance(found, InviteProblem):
        return [Text(TEXT["problem"][found].format(code=data.ctx["code"]))]
    org = await turn.session.get(Organization, found.org_id)
    assert org is not None
    person = turn.person
    if person is None:
        person = Person(
            name=data.values["name"], position=data.values["position"], created_at=turn.clock.now()
        )
        turn.session.add(person)
        await turn.session.flush()
        turn.account.person_id = person.id
        turn.person = person
        await turn.audit(
            "person.register", obj=person, after={"name": person.name, "position": person.position}
        )
    if data.ctx.get("notice") is not None:
        assert org.id is not None
        await privacy.record(turn, org.id, int(data.ctx["notice"]))
    return await _join(turn, found, org, person, unit=data.values.get("position"))


_parse_name = fields.free_text(TEXT["name_label"], TEXT["name_example"])


_parse_position = fields.free_text(TEXT["position_label"], TEXT["position_example"])


def _new_person(data: FormData) -> bool:
    """Name and position are asked once, of someone planbot does not know yet."""
    return bool(data.ctx.get("new", True))


def _display_name_choice(data: FormData) -> list[Choice]:
    suggested = data.ctx.get("display_name")
    return [Choice(suggested, suggested)] if suggested else []


PROFILE_FORM = forms.register(
    Form(
        name="profile",
        title=TEXT["form_title"],
        fields=(
            Field(
                "name",
                TEXT["name_label"],
                TEXT["name_prompt"],
                parse=_parse_name,
                choices=_display_name_choice,
                when=_new_person,
            ),
            Field(
                "position",
                TEXT["position_label"],
                TEXT["position_prompt"],
                parse=_parse_position,
                when=_new_person,
            ),
        ),
        header=lambda data: TEXT["header" if _new_person(data) else "header_known"].format(
            org=data.ctx["org"], role=Role(data.ctx["role"]).label_th
        ),
        summary_title=TEXT["summary"],
        confirm_label=TEXT["confirm"],
        on_confirm=_confirm_profile,
    )
)

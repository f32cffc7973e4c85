"""ยกเลิกรอบ: the plan officer cancels a round opened by mistake, with the reason.

A round recorded twice, with the wrong year or the wrong event, must not stay open: the
submitters were told to send projects to it. /cancelround: which round (only when several
still collect) → why → ยืนยันยกเลิกรอบ. The round is cancelled (its number is free for the
round opened instead), the audit trail keeps the reason, and everyone who was told it was
open — submitters and the support committee — is told it is not. Only while it collects:
once a draft is proposed the round belongs to the committee.
"""

from __future__ import annotations

from typing import Any

from handlers import commands, fields, forms
from handlers.context import Turn
from handlers.fields import chosen_id, edition_field, editions_ctx
from handlers.forms import Form, FormData
from handlers.messages import Choices, Outgoing, Text
from handlers.router import command
from handlers.scope import edition_at, editions_for, plan_of
from models.editions import snapshot
from models.enums import EditionKind, EditionState, Role
from models.permissions import Action
from models.rounds import cancel_round
from models.workflow import Step

TEXT = {
    "title": "การยกเลิกรอบ",
    "header": "🗑 ยกเลิกรอบจัดทำแผนที่เปิดผิด{where}",
    "none": "📋 ไม่มีรอบที่กำลังรับโครงการซึ่งยกเลิกได้ — ยกเลิกได้เฉพาะรอบที่ยังไม่ได้เสนอร่าง",
    "edition_prompt": "ยกเลิกรอบใด",
    "reason_label": "เหตุผลที่ยกเลิก",
    "reason_prompt": "เหตุที่ต้องยกเลิกรอบนี้ เช่น บันทึกการประกาศงบประมาณซ้ำ",
    "reason_example": "บันทึกการประกาศงบประมาณซ้ำ",
    "summary": "ตรวจสอบก่อนยกเลิกรอบ — โครงการที่เสนอเข้ารอบนี้จะไม่ถูกนำเข้าแผน",
    "confirm": "ยืนยันยกเลิกรอบ",
    "cancelled": "✅ ยกเลิกรอบแล้ว: {plan} — {org}\nแจ้งผู้เสนอโครงการและคณะกรรมการสนับสนุนฯ แล้ว {n} บัญชี",
    "notice": (
        "🗑 {org} ยกเลิกรอบ{plan}\n"
        "เหตุผล: {reason}\n"
        "โครงการที่เสนอเข้ารอบนี้จะไม่ถูกนำเข้าแผน — หากมีรอบใหม่ จะแจ้งทางแชทนี้"
    ),
    "status": "ดูสถานะ",
}


@command(commands.CANCEL_ROUND)
async def cancel_round_command(turn: Turn, _args: str) -> list[Outgoing]:
    rows = await editions_for(turn, Action.OPEN_ROUND, [EditionState.COLLECTING])
    rows = [row for row in rows if row.edition.kind is not EditionKind.AMENDMENT]
    if not rows:
        return [Text(TEXT["none"])]
    return await forms.start(turn, CANCEL_FORM, *editions_ctx(rows, turn.days_off))


async def _confirm(turn: Turn, data: FormData) -> list[Outgoing]:
    found = await edition_at(turn, chosen_id(data), Step.CANCEL_ROUND, lock="update")
    edition, org = found.edition, found.org
    reason = str(data.values["reason"])
    before = snapshot(edition, "state")
    cancel_round(edition, reason, turn.clock.now())
    await turn.audit(
        "round.cancel",
        org_id=found.org_id,
        obj=edition,
        role=Role.PLAN_OFFICER,
        before=before,
        after={**snapshot(edition, "state"), "reason": reason},
    )
    fmt: dict[str, Any] = {"plan": plan_of(found), "org": org.short_name}
    notice = Choices(
        TEXT["notice"].format(**fmt, reason=reason),
        (commands.button(commands.STATUS, TEXT["status"]),),
    )
    told = await turn.notify_roles(
        found.org_id,
        [Role.SUBMITTER, Role.SUPPORT_COMMITTEE],
        [notice],
        dedupe_key=f"round-cancelled:{edition.id}",
    )
    return [Text(TEXT["cancelled"].format(**fmt, n=told))]


CANCEL_FORM = forms.register(
    Form(
        name="round_cancel",
        title=TEXT["title"],
        fields=(
            edition_field(TEXT["edition_prompt"]),
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

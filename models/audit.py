"""The audit trail: one helper so every change and every refusal is written the same way."""

from __future__ import annotations

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from models.clock import Clock
from models.enums import Channel, Role
from models.records import AuditEvent

DENIED = "denied:"

# What each recorded action is, in the regulation's words: /history and the audit CSV say
# it the same way. An action without words here is shown as its code, never hidden.
ACTION_LABELS: dict[str, str] = {
    "org.create": "สร้างองค์กร",
    "invite.create": "สร้างรหัสเชิญ",
    "join.refused": "ใช้รหัสเชิญไม่สำเร็จ",
    "member.join": "เข้าร่วมองค์กร",
    "person.register": "ลงทะเบียนผู้ใช้",
    "round.open": "เปิดรอบจัดทำแผน",
    "round.extend": "ขยายเวลาจัดทำแผน",
    "round.cancel": "ยกเลิกรอบจัดทำแผน",
    "project.submit": "เสนอโครงการ",
    "project.edit": "แก้ไขโครงการที่เสนอ",
    "project.withdraw": "ถอนโครงการ",
    "project.screen": "ตรวจโครงการ",
    "project.accept": "รับโครงการเข้าแผน",
    "project.return": "ส่งโครงการกลับแก้ไข",
    "project.duplicate": "ส่งโครงการกลับ (ซ้ำกับโครงการอื่น)",
    "project.reclassify": "ปรับยุทธศาสตร์/แผนงานของโครงการ",
    "project.amend": "แก้ไขโครงการตามการแก้ไขแผน",
    "project.cancel": "ยกเลิกโครงการตามการแก้ไขแผน",
    "draft.create": "จัดทำร่างแผนการดำเนินงาน",
    "draft.propose": "เสนอร่างต่อคณะกรรมการพัฒนาฯ",
    "draft.vote": "ลงความเห็นต่อร่าง",
    "review.close": "ปิดการพิจารณาร่างของคณะกรรมการพัฒนาฯ",
    "review.approved": "คณะกรรมการพัฒนาฯ เห็นชอบร่าง",
    "review.sent_back": "คณะกรรมการพัฒนาฯ ส่งร่างกลับแก้ไข",
    "plan.approve": "อนุมัติและประกาศใช้",
    "plan.return": "ผู้บริหารท้องถิ่นส่งกลับแก้ไข",
    "plan.post": "บันทึกการปิดประกาศ",
    "plan.remove": "บันทึกการปลดประกาศ",
    "plan.amend": "อนุมัติการแก้ไขแผน",
}
DENIED_LABEL = "ปฏิเสธ: {action}"


def action_label(action: str) -> str:
    """An action in Thai ("ปฏิเสธ: อนุมัติและประกาศใช้" for a refusal), or its code."""
    if action.startswith(DENIED):
        wanted = action.removeprefix(DENIED)
        return DENIED_LABEL.format(action=ACTION_LABELS.get(wanted, wanted))
    return ACTION_LABELS.get(action, action)


async def record(
    session: AsyncSession,
    clock: Clock,
    action: str,
    *,
    person_id: int | None = None,
    role: Role | str | None = None,
    org_id: int | None = None,
    obj: Any = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    channel: Channel | None = None,
) -> AuditEvent:
    """Add an AuditEvent to the session's transaction (it commits or rolls back with the change)."""
    event = AuditEvent(
        at=clock.now(),
        person_id=person_id,
        role=str(role) if role else None,
        org_id=org_id,
        action=action,
        object_type=type(obj).__tablename__ if obj is not None else None,
        object_id=getattr(obj, "id", None),
        before=before,
        after=after,
        channel=channel,
    )
    session.add(event)
    return event

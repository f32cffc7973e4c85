"""The privacy notice (ประกาศความเป็นส่วนตัว) shown once when someone joins an organization.

What is kept, why, for how long and whom to ask (PDPA ม.23). It comes before the joining
form's first question, and confirming the form acknowledges it (recorded per person and
organization, with the notice's version: ``models.privacy``). An organization may replace
the wording and name its own contact (``planbot org privacy``); this is the default.
"""

from __future__ import annotations

from handlers.context import Turn
from models.org import Organization
from models.privacy import PrivacyNotice, acknowledge, acknowledged, notice_of

TEXT = {
    "title": "🔒 ประกาศความเป็นส่วนตัว — {org}",
    "default": (
        "planbot เก็บข้อมูลของท่านเท่าที่จำเป็นต่อการจัดทำแผนการดำเนินงานของ{org}:\n"
        "• ชื่อ ตำแหน่ง และบัญชี LINE/Telegram — เพื่อรู้ว่าใครเสนอ ตรวจ หรือพิจารณา"
        " และส่งการแจ้งเตือนถึงท่าน เก็บไว้ตลอดที่ท่านเป็นสมาชิก\n"
        "• โครงการที่เสนอ ความเห็นที่ให้ และบันทึกการดำเนินการ — เป็นหลักฐานการจัดทำแผน"
        "ตามระเบียบกระทรวงมหาดไทย ซึ่งหน่วยงานต้องเก็บไว้ตามระยะเวลาที่กำหนด\n"
        "• ข้อความที่พิมพ์ถึงบอท — ใช้ตอบแล้วไม่เก็บ (ยกเว้นคำตอบในแบบฟอร์ม)\n"
        "ท่านขอสำเนาข้อมูลได้ด้วยคำสั่ง ข้อมูลของฉัน และขอลบได้ด้วยคำสั่ง ลบข้อมูลของฉัน"
        " (งานที่ทำไว้ยังอยู่ในนามแฝงตามที่กฎหมายกำหนด)"
    ),
    "contact": "สอบถามหรือใช้สิทธิ: {contact}",
    "default_contact": "เจ้าหน้าที่วิเคราะห์นโยบายและแผน {org}",
    "ack": "การกด ยืนยัน ในขั้นสุดท้ายถือว่าท่านได้อ่านและรับทราบประกาศนี้",
}


def render(org: Organization, notice: PrivacyNotice) -> str:
    """The notice as shown: the org's own wording (or the default) and whom to ask."""
    name = org.short_name
    body = notice.text or TEXT["default"].format(org=name)
    contact = notice.contact or TEXT["default_contact"].format(org=name)
    return "\n".join(
        (
            TEXT["title"].format(org=name),
            body,
            TEXT["contact"].format(contact=contact),
            TEXT["ack"],
        )
    )


async def pending_notice(turn: Turn, org: Organization) -> PrivacyNotice | None:
    """The notice the speaker must see before joining ``org``, or None.

    Shown to whoever joins an organization they are not yet in and has not acknowledged
    its current version; a second role in the same organization needs no second reading.
    """
    assert org.id is not None
    notice = await notice_of(turn.session, org.id)
    person = turn.person
    if person is None or person.id is None:
        return notice
    if await turn.roles_in(org.id):
        return None
    if await acknowledged(turn.session, person.id, org.id, notice.version):
        return None
    return notice


async def record(turn: Turn, org_id: int, version: int) -> None:
    """The speaker acknowledged the notice (by confirming the joining form)."""
    assert turn.person is not None and turn.person.id is not None
    await acknowledge(turn.session, turn.clock, turn.person.id, org_id, version)
    await turn.audit("privacy.ack", org_id=org_id, after={"version": version})

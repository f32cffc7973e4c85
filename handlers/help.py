"""ช่วยเหลือ: what the speaker can do here, with buttons for the everyday actions."""

from __future__ import annotations

from handlers import buttons
from handlers.context import Turn
from handlers.messages import Button, Choices, Outgoing, Text
from handlers.router import HELP, action, command, split_command
from models.enums import Role
from models.permissions import Action, may

TEXT = {
    "title": "📋 planbot — แผนการดำเนินงาน{org}",
    "join": (
        "ยินดีต้อนรับสู่ planbot ผู้ช่วยจัดทำแผนการดำเนินงานขององค์กรปกครองส่วนท้องถิ่น\n"
        "เริ่มใช้งาน: ส่งรหัสเชิญที่ได้รับจากเจ้าหน้าที่ เช่น เข้าร่วม AB2CD3EF"
    ),
    "commands": "พิมพ์คำสั่ง หรือกดปุ่มด้านล่าง:",
    "always": [
        ("โครงการของฉัน", "/mine", "ดูและแก้ไขโครงการที่เสนอ"),
        ("สถานะ", "/status", "ความคืบหน้าและกำหนดเวลาของรอบปัจจุบัน"),
        ("แผนที่ประกาศใช้", "/plan", "แผนการดำเนินงานทุกฉบับที่ประกาศใช้แล้ว"),
        ("ประวัติ", "/history", "ลำดับเหตุการณ์ของแผน"),
        ("ยกเลิก", "/cancel", "ยกเลิกสิ่งที่ทำค้างไว้"),
    ],
    "by_action": [
        (Action.SUBMIT_PROJECT, "เสนอโครงการ", "/submit", "เสนอโครงการเข้าแผนการดำเนินงาน"),
        (Action.OPEN_ROUND, "เปิดรอบ", "/budget", "บันทึกการประกาศงบประมาณ เปิดรับโครงการ"),
        (Action.SCREEN_PROJECT, "ตรวจโครงการ", "/screen", "รับเข้าแผนหรือส่งกลับแก้ไข"),
        (Action.MAKE_DRAFT, "จัดทำร่าง", "/draft", "จัดทำร่างแผนการดำเนินงาน"),
        (Action.PROPOSE_DRAFT, "เสนอร่าง", "/propose", "เสนอร่างต่อคณะกรรมการพัฒนาฯ"),
        (Action.VIEW_TALLY, "ผลการพิจารณา", "/tally", "ผลความเห็นของคณะกรรมการพัฒนาฯ"),
        (Action.APPROVE_PLAN, "อนุมัติแผน", "/approve", "อนุมัติและประกาศใช้แผน"),
        (Action.EXTEND_DEADLINE, "ขยายเวลา", "/extend", "ขยายเวลาการจัดทำแผน"),
        (Action.AMEND_PLAN, "แก้ไขแผน", "/amend", "แก้ไขแผนที่ประกาศใช้แล้ว"),
        (Action.RECORD_POSTING, "บันทึกการปิดประกาศ", "/posted", "วันและสถานที่ปิดประกาศ"),
        (Action.RECORD_POSTING, "บันทึกการปลดประกาศ", "/removed", "เมื่อครบ 30 วัน"),
        (Action.INVITE, "เชิญ", "/invite", "สร้างรหัสเชิญสมาชิกใหม่"),
    ],
}
BUTTON_COMMANDS = ("เสนอโครงการ", "ตรวจโครงการ", "อนุมัติแผน", "โครงการของฉัน", "สถานะ")


@command("/help", "ช่วยเหลือ", "help", "เมนู", keeps_form=True)
async def show_help(turn: Turn, _args: str) -> list[Outgoing]:
    if turn.person is None:
        return [Text(TEXT["join"])]
    roles: set[Role] = {m.role for m, _org in await turn.memberships()}
    orgs = await turn.orgs()
    org_names = " — " + " · ".join(o.short_name for o in orgs) if orgs else ""
    lines = [TEXT["title"].format(org=org_names), TEXT["commands"]]
    entries = [(w, c, d) for a, w, c, d in TEXT["by_action"] if may(a, roles)] + TEXT["always"]
    lines += [f"• {word} ({cmd}) — {desc}" for word, cmd, desc in entries]
    shown = [w for w, _c, _d in entries if w in BUTTON_COMMANDS]
    row = tuple(Button(word, buttons.action_button("cmd", 0, word)) for word in shown)
    return [Choices("\n".join(lines), row)]


HELP.append(show_help)


@action("cmd")
async def run_command(turn: Turn, press: buttons.ActionPress) -> list[Outgoing]:
    """A menu button that runs a command, exactly as if its word had been typed."""
    found, args = split_command(press.arg or "")
    if found is None:
        return await show_help(turn, "")
    return await found.handler(turn, args)

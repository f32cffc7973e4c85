"""Every command planbot answers, declared once: its slash name, its Thai words, its help line,
the permission it needs and the menus it belongs in.

Help, Telegram's command menu (setMyCommands) and LINE's rich menu are generated from this
table, and the router reads its words from it, so a command can never be listed in one place
and missing (or worded differently) in another. A flow attaches its handler with
``@router.command(commands.SUBMIT)``; ``tests/test_commands.py`` checks that every command
here has exactly one handler.

Buttons that run a command carry its ASCII ``name`` (``1|x|cmd|0|submit``), not its Thai
words: three bytes a Thai character would eat Telegram's 64-byte callback data.
"""

from __future__ import annotations

from dataclasses import dataclass

from handlers import buttons
from handlers.messages import Button
from models.permissions import Action


@dataclass(frozen=True)
class Command:
    """One command. ``words[0]`` is how it is named to people (help, button labels)."""

    name: str  # ASCII: "/name" is the slash command, and what a button carries
    words: tuple[str, ...]  # Thai words (and aliases) that run it, as typed
    help: str  # one line: help, and Telegram's command menu
    needs: Action | None = None  # None: anyone (joined or not)
    keeps_form: bool = False  # a peek: answer, then ask the open form's question again
    in_help: bool = True  # listed by ช่วยเหลือ (help and joining are not: they are the door)
    menu: bool = True  # offered in Telegram's "/" menu
    group_menu: bool = False  # offered in a committee group's "/" menu too
    buttoned: bool = False  # help offers it as a button (the everyday actions)

    @property
    def slash(self) -> str:
        return f"/{self.name}"

    @property
    def word(self) -> str:
        return self.words[0]


START = Command(
    "start",
    ("เข้าร่วม", "join"),
    "เริ่มใช้งาน หรือเข้าร่วมด้วยรหัสเชิญ",
    in_help=False,
)
HELP = Command(
    "help",
    ("ช่วยเหลือ", "help", "เมนู"),
    "ดูคำสั่งทั้งหมด",
    keeps_form=True,
    in_help=False,
    group_menu=True,
)
SUBMIT = Command(
    "submit",
    ("เสนอโครงการ",),
    "เสนอโครงการเข้าแผนการดำเนินงาน",
    needs=Action.SUBMIT_PROJECT,
    buttoned=True,
)
BUDGET = Command(
    "budget",
    ("เปิดรอบ", "งบประมาณ"),
    "บันทึกการประกาศงบประมาณ เปิดรับโครงการ",
    needs=Action.OPEN_ROUND,
)
CANCEL_ROUND = Command(
    "cancelround",
    ("ยกเลิกรอบ",),
    "ยกเลิกรอบที่เปิดผิด พร้อมเหตุผล",
    needs=Action.OPEN_ROUND,
)
SCREEN = Command(
    "screen",
    ("ตรวจโครงการ",),
    "รับเข้าแผนหรือส่งกลับแก้ไข",
    needs=Action.SCREEN_PROJECT,
    buttoned=True,
)
DRAFT = Command(
    "draft",
    ("จัดทำร่าง",),
    "จัดทำร่างแผนการดำเนินงาน",
    needs=Action.MAKE_DRAFT,
)
PROPOSE = Command(
    "propose",
    ("เสนอร่าง",),
    "เสนอร่างต่อคณะกรรมการพัฒนาฯ",
    needs=Action.PROPOSE_DRAFT,
)
TALLY = Command(
    "tally",
    ("ผลการพิจารณา",),
    "ผลความเห็นของคณะกรรมการพัฒนาฯ",
    needs=Action.VIEW_TALLY,
    keeps_form=True,
    group_menu=True,
)
APPROVE = Command(
    "approve",
    ("อนุมัติแผน",),
    "อนุมัติและประกาศใช้แผน",
    needs=Action.APPROVE_PLAN,
    keeps_form=True,
    buttoned=True,
)
EXTEND = Command(
    "extend",
    ("ขยายเวลา",),
    "ขยายเวลาการจัดทำแผน",
    needs=Action.EXTEND_DEADLINE,
)
AMEND = Command(
    "amend",
    ("แก้ไขแผน",),
    "แก้ไขแผนที่ประกาศใช้แล้ว",
    needs=Action.AMEND_PLAN,
)
POSTED = Command(
    "posted",
    ("บันทึกการปิดประกาศ",),
    "วันและสถานที่ปิดประกาศ",
    needs=Action.RECORD_POSTING,
)
REMOVED = Command(
    "removed",
    ("บันทึกการปลดประกาศ",),
    "เมื่อครบ 30 วัน",
    needs=Action.RECORD_POSTING,
)
INVITE = Command(
    "invite",
    ("เชิญ", "สร้างรหัสเชิญ"),
    "สร้างรหัสเชิญสมาชิกใหม่",
    needs=Action.INVITE,
)
MINE = Command(
    "mine",
    ("โครงการของฉัน",),
    "ดูและแก้ไขโครงการที่เสนอ",
    keeps_form=True,
    buttoned=True,
)
STATUS = Command(
    "status",
    ("สถานะ",),
    "ความคืบหน้าและกำหนดเวลาของรอบปัจจุบัน",
    keeps_form=True,
    group_menu=True,
    buttoned=True,
)
DEADLINES = Command(
    "deadlines",
    ("กำหนดการ",),
    "กำหนดเวลาและการแจ้งเตือนที่จะมาถึง",
    keeps_form=True,
)
REMINDERS = Command(
    "reminders",
    ("ตั้งค่าการแจ้งเตือน",),
    "วันที่จะแจ้งเตือนก่อนครบกำหนด",
    needs=Action.SET_REMINDERS,
)
PLAN = Command(
    "plan",
    ("แผนที่ประกาศใช้",),
    "แผนการดำเนินงานทุกฉบับที่ประกาศใช้แล้ว",
    keeps_form=True,
)
HISTORY = Command(
    "history",
    ("ประวัติ",),
    "ลำดับเหตุการณ์ของแผน",
    keeps_form=True,
)
EXPORT = Command(
    "export",
    ("เอกสาร",),
    "ผด.01 ผด.02 ผด.02/1 และประกาศ เป็น PDF, Excel หรือหน้าเว็บ",
    needs=Action.VIEW_DOCUMENTS,
    keeps_form=True,
)
MYDATA = Command(
    "mydata",
    ("ข้อมูลของฉัน",),
    "สำเนาข้อมูลส่วนบุคคลที่ planbot เก็บเกี่ยวกับท่าน (ไฟล์)",
)
ERASE = Command(
    "erase",
    ("ลบข้อมูลของฉัน",),
    "ขอลบข้อมูลส่วนบุคคลของท่าน (งานที่ทำไว้คงอยู่ในนามแฝง)",
    in_help=False,  # a right, not an everyday action: named by the privacy notice and by
    menu=False,  # the answer to ข้อมูลของฉัน, not in help or the "/" menu
)
CANCEL = Command(
    "cancel",
    ("ยกเลิก",),
    "ยกเลิกสิ่งที่ทำค้างไว้",
)

# The order help lists them in: what the speaker's roles allow first, then what anyone may.
CATALOG: tuple[Command, ...] = (
    START,
    HELP,
    SUBMIT,
    BUDGET,
    CANCEL_ROUND,
    SCREEN,
    DRAFT,
    PROPOSE,
    TALLY,
    APPROVE,
    EXTEND,
    AMEND,
    POSTED,
    REMOVED,
    INVITE,
    REMINDERS,
    MINE,
    STATUS,
    DEADLINES,
    PLAN,
    HISTORY,
    EXPORT,
    MYDATA,
    ERASE,
    CANCEL,
)
BY_NAME: dict[str, Command] = {c.name: c for c in CATALOG}
RUN = "cmd"  # the action of a button that runs a command (handled by handlers.help)


def button(command: Command, label: str | None = None) -> Button:
    """A button that runs ``command`` exactly as if its word had been typed."""
    return Button(label or command.word, buttons.action_button(RUN, 0, command.name))


def telegram_menu() -> list[tuple[str, str]]:
    """(name, description) for Telegram's private-chat command menu."""
    return [(c.name, c.help) for c in CATALOG if c.menu]


def group_menu() -> list[tuple[str, str]]:
    """What a committee's Telegram group is offered: help, status and the tally."""
    return [(c.name, c.help) for c in CATALOG if c.group_menu]


# LINE's rich menu: the four big buttons under the chat, left to right.
RICH_MENU: tuple[Command, ...] = (SUBMIT, MINE, STATUS, HELP)

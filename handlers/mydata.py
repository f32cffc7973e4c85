"""ข้อมูลของฉัน and ลบข้อมูลของฉัน: a person's PDPA rights, in chat.

``ข้อมูลของฉัน`` (/mydata) sends everything planbot holds about the speaker as a JSON file
(a document on Telegram, a signed link on LINE, which cannot carry files). The file is
written under the documents directory's ``personal/`` folder with a random name and
removed by the retention pass after a day (``models.retention``).

``ลบข้อมูลของฉัน`` (/erase) says what will go and what stays, and erases only on the
confirming button (or its label typed): the person becomes a pseudonym, their chat accounts
are cut loose (``models.personal_data.erase``). The confirmation carries the speaker's own
account id, so nobody can press it for someone else.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path

from handlers import buttons, commands
from handlers.context import Turn
from handlers.messages import Button, Choices, Document, Outgoing, Text
from handlers.router import action, command
from models import personal_data

TEXT = {
    "file": "🔒 ข้อมูลส่วนบุคคลที่ planbot เก็บเกี่ยวกับท่าน ณ {date}",
    "summary": (
        "🔒 ข้อมูลของท่านใน planbot: {accounts} บัญชีแชท · {memberships} บทบาท · "
        "{projects} โครงการที่เสนอ · {votes} ความเห็น · {events} รายการในบันทึกการดำเนินการ\n"
        "ไฟล์ด้านล่าง (JSON) มีรายละเอียดทั้งหมด เปิดได้ภายใน 1 วัน — "
        "ขอลบข้อมูลได้ด้วยคำสั่ง ลบข้อมูลของฉัน"
    ),
    "stranger": ("🔒 planbot เก็บเพียงบัญชีแชทของท่าน (ยังไม่ได้เข้าร่วมองค์กรใด) — รายละเอียดอยู่ในไฟล์ด้านล่าง"),
    "confirm": (
        "⚠️ ขอลบข้อมูลส่วนบุคคลของท่าน\n"
        "จะลบ: ชื่อ ตำแหน่ง หน่วยงาน บัญชี LINE/Telegram ที่ผูกไว้ แบบฟอร์มที่ค้าง"
        " และข้อความที่รอส่งถึงท่าน — ท่านจะไม่ได้รับการแจ้งเตือนอีก และต้องใช้รหัสเชิญใหม่"
        "หากจะกลับมาใช้งาน\n"
        "จะคงไว้ในนามแฝง (ตามที่กฎหมายกำหนดให้หน่วยงานเก็บ): โครงการที่เสนอ ความเห็นที่ลงมติ"
        " และบันทึกการดำเนินการ พร้อมบทบาทที่ท่านดำรงอยู่\n"
        "หากท่านรับผิดชอบงานที่ยังค้างอยู่ กรุณาแจ้งเจ้าหน้าที่ให้มอบหมายผู้อื่นก่อน"
    ),
    "yes": "ยืนยันลบข้อมูลของฉัน",
    "no": "ไม่ลบ",
    "kept": "ไม่ได้ลบข้อมูลใด",
    "erased": (
        "✅ ลบข้อมูลส่วนบุคคลของท่านแล้ว — งานที่ทำไว้คงอยู่ในชื่อ {pseudonym}\n"
        "บัญชีแชทนี้ไม่ผูกกับข้อมูลใดแล้ว ขอบคุณที่ใช้ planbot"
    ),
    "expired": "รายการนี้หมดอายุแล้ว — พิมพ์ ลบข้อมูลของฉัน เพื่อเริ่มใหม่",
}
ERASE_ACTION = "erase_me"
EXPORT_DIR = "personal"  # under the documents directory; emptied by the retention pass


@command(commands.MYDATA)
async def my_data(turn: Turn, _args: str) -> list[Outgoing]:
    assert turn.account.id is not None
    person_id = turn.person.id if turn.person else None
    data = await personal_data.export(
        turn.session, turn.clock, person_id=person_id, account_id=turn.account.id
    )
    path = _write(turn, data)
    await turn.audit("person.export")
    today = turn.clock.today()
    filename = f"planbot-mydata-{today.isoformat()}.json"
    if person_id is None:
        head = TEXT["stranger"]
    else:
        head = TEXT["summary"].format(
            accounts=len(data["chat_accounts"]),
            memberships=len(data["memberships"]),
            projects=len(data["projects_submitted"]),
            votes=len(data["votes"]),
            events=len(data["audit_trail"]),
        )
    caption = TEXT["file"].format(date=today.isoformat())
    return [Text(head), Document(str(path), filename, caption)]


def _write(turn: Turn, data: dict[str, object]) -> Path:
    """The copy as a file nobody can guess the name of (links are signed besides)."""
    folder = turn.documents_dir.resolve() / EXPORT_DIR
    folder.mkdir(parents=True, exist_ok=True)
    owner = f"p{turn.person.id}" if turn.person else f"a{turn.account.id}"
    path = folder / f"{owner}-{secrets.token_urlsafe(16)}.json"
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


@command(commands.ERASE)
async def erase_request(turn: Turn, _args: str) -> list[Outgoing]:
    assert turn.account.id is not None
    account = turn.account.id
    return [
        Choices(
            TEXT["confirm"],
            (
                Button(TEXT["yes"], buttons.action_button(ERASE_ACTION, account, "yes")),
                Button(TEXT["no"], buttons.action_button(ERASE_ACTION, account, "no")),
            ),
        )
    ]


@action(ERASE_ACTION)
async def erase_confirmed(turn: Turn, press: buttons.ActionPress) -> list[Outgoing]:
    if press.object_id != turn.account.id:
        return [Text(TEXT["expired"])]
    if press.arg != "yes":
        return [Text(TEXT["kept"])]
    person_id = turn.person.id if turn.person else None
    await turn.audit("person.erase", after={"by": "self"})  # before: the row names no one
    done = await personal_data.erase(
        turn.session, turn.clock, person_id=person_id, account_id=turn.account.id
    )
    _remove_exports(turn, person_id)
    turn.state.clear()  # nothing of the old conversation is written back
    turn.person, turn._memberships = None, None
    return [Text(TEXT["erased"].format(pseudonym=done.pseudonym))]


def _remove_exports(turn: Turn, person_id: int | None) -> None:
    owner = f"p{person_id}" if person_id is not None else f"a{turn.account.id}"
    for path in (turn.documents_dir.resolve() / EXPORT_DIR).glob(f"{owner}-*.json"):
        path.unlink(missing_ok=True)

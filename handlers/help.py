"""ช่วยเหลือ: what the speaker can do here, with buttons for the everyday actions.

Generated from the command table (``handlers.commands``): what the speaker's roles allow
first, then what anyone may, each with its Thai word, its slash command and one line.
"""

from __future__ import annotations

from handlers import buttons, commands
from handlers.commands import CATALOG, HELP, RUN, Command
from handlers.context import Turn
from handlers.messages import Choices, Outgoing, Text
from handlers.router import action, command, run, split_command
from models.enums import Role
from models.permissions import may

TEXT = {
    "title": "📋 planbot — แผนการดำเนินงาน{org}",
    "join": (
        "ยินดีต้อนรับสู่ planbot ผู้ช่วยจัดทำแผนการดำเนินงานขององค์กรปกครองส่วนท้องถิ่น\n"
        "เริ่มใช้งาน: ส่งรหัสเชิญที่ได้รับจากเจ้าหน้าที่ เช่น เข้าร่วม AB2CD3EF"
    ),
    "commands": "พิมพ์คำสั่ง หรือกดปุ่มด้านล่าง:",
    "entry": "• {word} ({slash}) — {help}",
}


def allowed(roles: set[Role]) -> list[Command]:
    """The commands help lists for someone with ``roles``: theirs first, then everyone's."""
    listed = [c for c in CATALOG if c.in_help]
    return [c for c in listed if c.needs is not None and may(c.needs, roles)] + [
        c for c in listed if c.needs is None
    ]


@command(HELP)
async def show_help(turn: Turn, _args: str) -> list[Outgoing]:
    if turn.person is None:
        return [Text(TEXT["join"])]
    roles: set[Role] = {m.role for m, _org in await turn.memberships()}
    orgs = await turn.orgs()
    org_names = " — " + " · ".join(o.short_name for o in orgs) if orgs else ""
    entries = allowed(roles)
    lines = [TEXT["title"].format(org=org_names), TEXT["commands"]]
    lines += [TEXT["entry"].format(word=c.word, slash=c.slash, help=c.help) for c in entries]
    row = tuple(commands.button(c) for c in entries if c.buttoned)
    return [Choices("\n".join(lines), row)]


@action(RUN)
async def run_command(turn: Turn, press: buttons.ActionPress) -> list[Outgoing]:
    """A button that runs a command, exactly as if its word had been typed.

    It carries the command's ASCII name; buttons sent before that carried the Thai word,
    and still work.
    """
    found = commands.BY_NAME.get(press.arg or "")
    if found is None:
        found, _args = split_command(press.arg or "")
    return await run(turn, found or HELP)

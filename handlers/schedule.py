"""กำหนดการ: what is coming — for me, and (to the plan officer) for the whole organization.

A peek (it keeps a form in progress) that every member may take. For each organization:
the deadlines of the editions still in play (with the day-off wording of every deadline),
then the reminders of the next :data:`HORIZON` days as the rules would send them if nothing
changed meanwhile — to the speaker only, or, to a plan officer, to everyone with how many
people each one reaches, and the button that changes the reminder settings.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from handlers import commands
from handlers.context import Turn
from handlers.deadlines_text import due_suffix
from handlers.messages import Choices, Outgoing, Text
from handlers.projects_text import days_left, thai_date
from handlers.reminder_facts import load_facts
from handlers.reminders import Facts, Reminder, collection_cutoff, upcoming
from handlers.router import command
from models.enums import EditionState, Role
from models.org import Organization

HORIZON = 30  # days of reminders shown

TEXT = {
    "join": "ยังไม่ได้เข้าร่วมองค์กรใด — กรุณาส่งรหัสเชิญที่ได้รับจากเจ้าหน้าที่ เช่น เข้าร่วม AB2CD3EF",
    "title_mine": "📅 กำหนดการของท่าน — {org}",
    "title_org": "📅 กำหนดการของ{org} (สำหรับเจ้าหน้าที่วิเคราะห์นโยบายและแผน)",
    "nothing": "ไม่มีรอบการจัดทำแผนหรือการปิดประกาศที่ยังดำเนินอยู่",
    "edition": "📌 {plan} · {state}",
    "prep": "⏰ จัดทำให้แล้วเสร็จภายใน {due} ({left}){note}",
    "cutoff": "📋 รับข้อเสนอโครงการถึง {cutoff} ({left})",
    "post": "⏰ ปิดประกาศภายใน {due} ({left}){note}",
    "removal": "📌 ปลดประกาศได้ตั้งแต่ {day} ({left})",
    "coming_mine": "การแจ้งเตือนที่ท่านจะได้รับ ({days} วันข้างหน้า):",
    "coming_org": "การแจ้งเตือนของ {days} วันข้างหน้า:",
    "none_coming": "  — ไม่มี",
    "line_mine": "  {day} · {reason}",
    "line_org": "  {day} · {reason} → {n} คน",
    "settings": "ตั้งค่าการแจ้งเตือน",
}


@command(commands.DEADLINES)
async def deadlines_command(turn: Turn, _args: str) -> list[Outgoing]:
    orgs = await turn.orgs() if turn.person is not None else []
    if not orgs or turn.person is None:
        return [Text(TEXT["join"])]
    messages: list[Outgoing] = []
    for org in orgs:
        assert org.id is not None
        officer = Role.PLAN_OFFICER in await turn.roles_in(org.id)
        facts = await load_facts(turn.session, turn.clock, turn.days_off, [org.id])
        text = _org_text(turn, org, facts, officer)
        if officer:
            row = (commands.button(commands.REMINDERS, TEXT["settings"]),)
            messages.append(Choices(text, row))
        else:
            messages.append(Text(text))
    return messages


def _org_text(turn: Turn, org: Organization, facts: list[Facts], officer: bool) -> str:
    today = turn.clock.today()
    title = TEXT["title_org" if officer else "title_mine"].format(org=org.short_name)
    lines = [title]
    if not facts:
        return "\n".join([*lines, TEXT["nothing"]])
    person = turn.person.id if turn.person else None
    coming: list[Reminder] = []
    for fact in facts:
        lines += ["", *_deadline_lines(fact, today)]
        for reminder in upcoming(fact, today, HORIZON):
            if officer or person in reminder.people:
                coming.append(reminder)
    lines += ["", TEXT["coming_org" if officer else "coming_mine"].format(days=HORIZON)]
    if not coming:
        lines.append(TEXT["none_coming"])
    counted = Counter((r.day, r.reason) for r in coming)
    for (day, reason), _n in sorted(counted.items()):
        people = {p for r in coming if (r.day, r.reason) == (day, reason) for p in r.people}
        key = "line_org" if officer else "line_mine"
        lines.append(TEXT[key].format(day=thai_date(day), reason=reason.label_th, n=len(people)))
    return "\n".join(lines)


def _deadline_lines(fact: Facts, today: date) -> list[str]:
    lines = [TEXT["edition"].format(plan=fact.plan, state=fact.state.label_th)]
    dates = fact.dates
    due = dates.preparation_due
    if fact.state is not EditionState.IN_FORCE and due is not None:
        note = due_suffix(dates.extended_to or dates.preparation, fact.days_off)
        lines.append(TEXT["prep"].format(due=thai_date(due), left=days_left(due, today), note=note))
        cutoff = collection_cutoff(fact)
        if fact.state is EditionState.COLLECTING and cutoff is not None and cutoff >= today:
            lines.append(
                TEXT["cutoff"].format(cutoff=thai_date(cutoff), left=days_left(cutoff, today))
            )
    if dates.posting is not None and fact.posted_on is None:
        due = dates.posting.due
        note = due_suffix(dates.posting, fact.days_off)
        lines.append(TEXT["post"].format(due=thai_date(due), left=days_left(due, today), note=note))
    if dates.earliest_removal is not None and fact.removed_on is None:
        day = dates.earliest_removal
        lines.append(TEXT["removal"].format(day=thai_date(day), left=days_left(day, today)))
    return lines

"""สถานะ: where each of my organizations' plans stands, and how long is left.

A peek (it keeps a form in progress) that every member may take. For the newest fiscal year
of each org: every edition's stage, what started it, the legal deadline with the days left
(on a day off, the last working day to finish by; under the civil rule, the calendar day a
holiday moved it from, so nobody argues about "30 days"), an extension if the executive
granted one, the project counts and the budget still in play.
"""

from __future__ import annotations

from datetime import date

from handlers import commands, forms
from handlers.context import Turn
from handlers.deadlines_text import due_note
from handlers.messages import Button, Choices, Outgoing, Text
from handlers.phrases import PHRASES
from handlers.projects_text import baht, days_left, thai_date
from handlers.router import command
from models.days_off import DaysOff
from models.deadlines import Deadline
from models.enums import EditionKind, EditionState, ProjectStatus, Role, TriggerKind
from models.org import Organization
from models.permissions import Action, needed_roles_th
from models.plan import Edition, OperationalPlan
from models.rounds import RoundCounts, edition_label_th, latest_rounds, newest_drafts, round_counts
from models.schedule import EditionDates, calendar_of, edition_dates
from models.stages import Next, StageOf, next_steps, stage_of

TEXT = {
    "plan": "📋 แผนการดำเนินงาน ปีงบประมาณ พ.ศ. {fy} — {org}",
    "no_round": (
        "📋 {org}: ยังไม่มีรอบการจัดทำแผน\n"
        "รอบจะเปิดเมื่อ{roles}บันทึกการประกาศใช้ข้อบัญญัติงบประมาณ (หรือเหตุอื่นที่เริ่มนับ 30 วัน)"
        " ด้วยคำสั่ง เปิดรอบ"
    ),
    "edition": "📌 {label} · {state}",
    "trigger": "เริ่มนับจาก {what} {date}",
    "trigger_agency": "{what} ({agency})",
    "deadline": "⏰ จัดทำให้แล้วเสร็จภายใน {date} ({left})",
    "deadline_past": "กำหนดจัดทำให้แล้วเสร็จ {date}",
    "original_deadline": "กำหนดเดิม {date}",
    "note": "   {note}",
    "extended": "⏰ ขยายเวลาถึง {date} ({left})",
    "extended_past": "ขยายเวลาถึง {date}",
    "counts": "โครงการ: {submitted} · {accepted} · {returned}",
    "count": "{label} {n}",
    "withdrawn": " · {label} {n} (ไม่นับรวม)",
    "budget": "งบประมาณรวม {amount}",
    "announced": "ประกาศใช้ {date}",
    "posting_deadline": "⏰ ต้องปิดประกาศภายใน {date} ({left})",
    "posted": "ปิดประกาศ {date}",
    "earliest_removal": " · ปลดประกาศได้ตั้งแต่ {date}",
    "removed": "ปลดประกาศ {date}",
}
MAX_STEPS = 3  # next-step buttons per answer, before โครงการของฉัน (a phone's row)
# Stages in which the preparation deadline still runs (afterwards it is history, not a count).
PREPARING = frozenset(
    {EditionState.COLLECTING, EditionState.IN_REVIEW, EditionState.AWAITING_EXECUTIVE}
)


@command(commands.STATUS)
async def status_command(turn: Turn, _args: str) -> list[Outgoing]:
    orgs = await turn.orgs() if turn.person is not None else []
    if not orgs:
        return [Text(PHRASES["not_joined"])]
    messages: list[Outgoing] = []
    steps: list[Next] = []
    for org in orgs:
        text, org_steps = await _org_status(turn, org)
        steps += [step for step in org_steps if step not in steps]
        messages.append(Text(text))
    row = _buttons(turn, steps)
    if row:
        last = messages.pop()
        assert isinstance(last, Text)
        messages.append(Choices(last.text, row))
    return messages


def _buttons(turn: Turn, steps: list[Next]) -> tuple[Button, ...]:
    """The speaker's next steps as buttons (theirs, by their roles), then โครงการของฉัน;
    none inside a form, whose own question follows the peek."""
    if forms.current_form(turn) is not None:
        return ()
    row = [commands.button(commands.BY_NAME[step.value]) for step in steps[:MAX_STEPS]]
    return (*row, commands.button(commands.MINE))


async def _org_status(turn: Turn, org: Organization) -> tuple[str, list[Next]]:
    """One org's newest fiscal year as one message, and the speaker's next steps in it."""
    assert org.id is not None
    roles = await turn.roles_in(org.id)
    rounds = await latest_rounds(turn.session, org.id)
    if not rounds:
        roles_th = needed_roles_th(Action.OPEN_ROUND)
        opener = [Next.BUDGET] if Role.PLAN_OFFICER in roles else []
        return TEXT["no_round"].format(org=org.short_name, roles=roles_th), opener
    plan: OperationalPlan = rounds[0][1]
    drafts = await newest_drafts(turn.session, [e.id for e, _p in rounds if e.id])
    blocks = [TEXT["plan"].format(fy=plan.fiscal_year, org=org.short_name)]
    steps: list[Next] = []
    days_off = calendar_of(org, turn.days_off)
    for edition, _plan in rounds:
        assert edition.id is not None
        where = stage_of(edition, drafts.get(edition.id))
        counts = await round_counts(turn.session, edition.id)
        dates = edition_dates(edition, days_off)
        blocks.append(await _edition_block(turn, edition, where, counts, dates, days_off))
        found = next_steps(
            where.stage,
            roles,
            waiting=counts.submitted,
            accepted=counts.accepted,
            may_remove_on=dates.earliest_removal,
            today=turn.clock.today(),
        )
        steps += [step for step in found if step not in steps]
    return "\n\n".join(blocks), steps


async def _edition_block(
    turn: Turn,
    edition: Edition,
    where: StageOf,
    counts: RoundCounts,
    dates: EditionDates,
    days_off: DaysOff,
) -> str:
    assert edition.id is not None
    lines = [TEXT["edition"].format(label=edition_label_th(edition), state=where.label_th)]
    lines.append(
        TEXT["trigger"].format(what=_trigger_th(edition), date=thai_date(edition.trigger_date))
    )
    if edition.kind is not EditionKind.AMENDMENT:  # an amendment has no round: approved at once
        lines += _deadline_lines(turn, edition, dates, days_off)
        lines += _count_lines(counts)
    return "\n".join(lines + _posting_lines(turn, edition, dates, days_off))


def _count_lines(counts: RoundCounts) -> list[str]:
    line = TEXT["counts"].format(
        submitted=_count(ProjectStatus.SUBMITTED, counts.submitted),
        accepted=_count(ProjectStatus.ACCEPTED, counts.accepted),
        returned=_count(ProjectStatus.RETURNED, counts.returned),
    )
    if counts.withdrawn:
        line += TEXT["withdrawn"].format(label=ProjectStatus.WITHDRAWN.label_th, n=counts.withdrawn)
    return [line, TEXT["budget"].format(amount=baht(counts.budget_satang))]


def _posting_lines(
    turn: Turn, edition: Edition, dates: EditionDates, days_off: DaysOff
) -> list[str]:
    """Announced; the 15-day posting deadline until it is posted; posted, and from when it
    may come down (30 days at least); taken down."""
    lines: list[str] = []
    if edition.announced_on:
        lines.append(TEXT["announced"].format(date=thai_date(edition.announced_on)))
    if edition.posted_on is None and dates.posting is not None:
        due = dates.posting.due
        left = days_left(due, turn.clock.today())
        lines.append(TEXT["posting_deadline"].format(date=thai_date(due), left=left))
        lines += _note(dates.posting, days_off)
    if edition.posted_on:
        line = TEXT["posted"].format(date=thai_date(edition.posted_on))
        if dates.earliest_removal and edition.removed_on is None:
            line += TEXT["earliest_removal"].format(date=thai_date(dates.earliest_removal))
        lines.append(line)
    if edition.removed_on:
        lines.append(TEXT["removed"].format(date=thai_date(edition.removed_on)))
    return lines


def _count(status: ProjectStatus, n: int) -> str:
    return TEXT["count"].format(label=status.label_th, n=n)


def _trigger_th(edition: Edition) -> str:
    what = edition.trigger_kind.label_th
    if edition.trigger_kind is TriggerKind.OTHER_AGENCY_NOTICE and edition.trigger_agency:
        return TEXT["trigger_agency"].format(what=what, agency=edition.trigger_agency)
    return what


def _deadline_lines(
    turn: Turn, edition: Edition, dates: EditionDates, days_off: DaysOff
) -> list[str]:
    """The legal deadline; on a day off, what that means; the extension, if any."""
    today = turn.clock.today()
    counted = dates.preparation
    assert counted is not None
    running = edition.state in PREPARING
    lines: list[str] = []
    if edition.extended_deadline or not running:
        key = "original_deadline" if edition.extended_deadline else "deadline_past"
        lines.append(TEXT[key].format(date=thai_date(counted.due)))
    else:
        lines.append(
            TEXT["deadline"].format(date=thai_date(counted.due), left=days_left(counted.due, today))
        )
    if running or counted.moved:
        lines += _note(counted, days_off)
    if edition.extended_deadline:
        extended = thai_date(edition.extended_deadline)
        if running:
            left = days_left(edition.extended_deadline, today)
            lines.append(TEXT["extended"].format(date=extended, left=left))
            lines += _note(edition.extended_deadline, days_off)
        else:
            lines.append(TEXT["extended_past"].format(date=extended))
    return lines


def _note(due: Deadline | date, days_off: DaysOff) -> list[str]:
    note = due_note(due, days_off)
    return [TEXT["note"].format(note=note)] if note else []

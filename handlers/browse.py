"""The plan's projects in chat: by strategy and plan area, paged, each one tap from its card.

Every member reads the plan they are part of: the plan in force (แผนที่ประกาศใช้, the editions
in force with the amendments applied) or a draft (ร่างที่ N, as frozen for the committee).
/plan and the draft cards carry a button per strategy; a strategy's page lists its projects
under their plan areas, numbered as ผด.02 numbers them (from 1 under each plan area), and a
button per project opens its full card. Buttons carry the plan's or draft's id and where the
reader was, so a press always shows the plan as it is now, to members of its org only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from handlers import buttons
from handlers.context import Turn, refusal
from handlers.messages import Button, Card, Choices, Outgoing
from handlers.phrases import PHRASES
from handlers.projects_text import baht, months_text, option_label, shorten
from handlers.router import action
from models.drafts import ordered
from models.editions import consolidated
from models.enums import ProjectSource
from models.org import Organization
from models.permissions import Action
from models.plan import DraftVersion, Edition, OperationalPlan
from models.plan_rows import rows_of

TEXT = {
    "plan_title": "แผนที่ประกาศใช้ ปีงบประมาณ พ.ศ. {fy} — {org}",
    "draft_title": "ร่างที่ {n} ปีงบประมาณ พ.ศ. {fy} — {org}",
    "strategy": "📋 {title}\nยุทธศาสตร์ {strategy}\n{count} โครงการ · {budget}{page}",
    "page": " (หน้า {page}/{pages})",
    "area": "🗂 {area}",
    "row": "{n}. {title} — {budget} · {months}",
    "other_agency": " (หน่วยงานอื่น)",
    "pick": "กดเลขที่เพื่อดูรายละเอียด",
    "strategy_button": "ยุทธศาสตร์ {n}",
    "project_button": "#{seq}",
    "previous": "ก่อนหน้า",
    "next": "ถัดไป",
    "strategies": "ยุทธศาสตร์อื่น",
    "draft_projects": "ดูโครงการในร่าง",
    "back": "กลับไปรายการ",
    "pick_strategy": "📋 {title}\nดูโครงการของยุทธศาสตร์ใด",
    "empty": "📋 {title}\nยังไม่มีโครงการ",
    "card_title": "📄 เลขที่ {number}",
    "card": {
        "title": "ชื่อโครงการ",
        "details": "รายละเอียดของกิจกรรม",
        "strategy": "ยุทธศาสตร์",
        "area": "แผนงาน",
        "budget": "งบประมาณ (บาท)",
        "location": "สถานที่ดำเนินการ",
        "unit": "หน่วยงานรับผิดชอบหลัก",
        "months": "เดือนที่ดำเนินการ",
        "agency": "โครงการของหน่วยงาน",
        "equipment": "ครุภัณฑ์",
    },
    "amended": "📝 แก้ไขตามการแก้ไขแผน",
}
VIEW, CARD = "bv", "bc"  # button actions: a strategy's page; a project's card
PLAN, DRAFT = "p", "d"  # what a button reads: the plan in force, or a draft
PAGE_SIZE = 10  # ten project buttons and three to move: LINE's thirteen quick replies


@dataclass(frozen=True)
class Readable:
    """The rows a reader browses, with what to call them and whose they are."""

    title: str
    org: Organization
    fiscal_year: int
    rows: list[dict[str, Any]]
    amended: set[int]  # project ids an amendment in force changed


async def _readable(turn: Turn, kind: str, object_id: int) -> Readable:
    """The plan in force (``p``, by plan id) or a draft (``d``), for a member of its org."""
    if kind == DRAFT:
        draft = await turn.session.get(DraftVersion, object_id)
        edition = await turn.session.get(Edition, draft.edition_id) if draft else None
        plan = await turn.session.get(OperationalPlan, edition.plan_id) if edition else None
    else:
        draft, plan = None, await turn.session.get(OperationalPlan, object_id)
    org = await turn.session.get(Organization, plan.org_id) if plan else None
    if plan is None or org is None or org.id is None:
        raise refusal(PHRASES["expired"])
    if not await turn.roles_in(org.id):
        await turn.refuse_in(Action.VIEW_STATUS, org, obj=plan)
    if draft is not None:
        title = TEXT["draft_title"].format(n=draft.number, fy=plan.fiscal_year, org=org.short_name)
        return Readable(title, org, plan.fiscal_year, list(draft.snapshot["projects"]), set())
    assert plan.id is not None
    now = await consolidated(turn.session, plan.id)
    rows = ordered(await rows_of(turn.session, plan.fiscal_year, now.projects))
    title = TEXT["plan_title"].format(fy=plan.fiscal_year, org=org.short_name)
    return Readable(title, org, plan.fiscal_year, rows, set(now.changes))


def strategy_buttons(kind: str, object_id: int, rows: Sequence[dict[str, Any]]) -> list[Button]:
    """A button per strategy that has projects: the way into the list (for /plan, draft cards)."""
    numbers = sorted({row["strategy_no"] for row in rows})
    return [
        Button(TEXT["strategy_button"].format(n=n), _view(kind, object_id, n, 1)) for n in numbers
    ]


async def plan_buttons(turn: Turn, plan_id: int, fiscal_year: int) -> list[Button]:
    """The strategy buttons of the plan in force (for /plan)."""
    now = await consolidated(turn.session, plan_id)
    rows = await rows_of(turn.session, fiscal_year, now.projects)
    return strategy_buttons(PLAN, plan_id, rows)


def draft_button(draft: DraftVersion) -> Button:
    """One button on a draft's card (it has its own buttons already): its strategies to pick."""
    assert draft.id is not None
    return Button(TEXT["draft_projects"], _view(DRAFT, draft.id, 0, 1))


def _view(kind: str, object_id: int, strategy: int, page: int) -> str:
    return buttons.action_button(VIEW, object_id, f"{kind}{strategy}.{page}")


def _where(arg: str | None) -> tuple[str, list[int]]:
    """ "p3.2" → ("p", [3, 2]); anything else is an old or broken button."""
    text = arg or ""
    kind, rest = text[:1], text[1:].split(".")
    if kind not in (PLAN, DRAFT) or not all(part.isdigit() for part in rest):
        raise refusal(PHRASES["expired"])
    return kind, [int(part) for part in rest]


@action(VIEW)
async def strategy_page(turn: Turn, press: buttons.ActionPress) -> list[Outgoing]:
    kind, numbers = _where(press.arg)
    if len(numbers) != 2:
        raise refusal(PHRASES["expired"])
    strategy, page = numbers
    found = await _readable(turn, kind, press.object_id)
    rows = [row for row in found.rows if row["strategy_no"] == strategy]
    if not rows:
        return [_pick_strategy(kind, press.object_id, found)]
    pages = (len(rows) + PAGE_SIZE - 1) // PAGE_SIZE
    page = min(max(page, 1), pages)
    shown = rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    lines = [
        TEXT["strategy"].format(
            title=found.title,
            strategy=option_label(strategy, rows[0]["strategy_name"]),
            count=len(rows),
            budget=baht(sum(row["budget_satang"] for row in rows)),
            page=TEXT["page"].format(page=page, pages=pages) if pages > 1 else "",
        )
    ]
    for area, numbered in _by_area(rows, shown):
        lines += ["", TEXT["area"].format(area=area)]
        lines += [_line(n, row, found) for n, row in numbered]
    lines += ["", TEXT["pick"]]
    row_buttons = [
        Button(
            TEXT["project_button"].format(seq=row["seq"]),
            buttons.action_button(CARD, press.object_id, f"{kind}{row['seq']}.{strategy}.{page}"),
        )
        for row in shown
    ]
    if page > 1:
        row_buttons.append(
            Button(TEXT["previous"], _view(kind, press.object_id, strategy, page - 1))
        )
    if page < pages:
        row_buttons.append(Button(TEXT["next"], _view(kind, press.object_id, strategy, page + 1)))
    row_buttons.append(Button(TEXT["strategies"], _view(kind, press.object_id, 0, 1)))
    return [Choices("\n".join(lines), tuple(row_buttons))]


def _by_area(
    rows: list[dict[str, Any]], shown: list[dict[str, Any]]
) -> list[tuple[str, list[tuple[int, dict[str, Any]]]]]:
    """The shown rows under their plan areas, numbered from 1 in each area (as ผด.02 does)."""
    groups: dict[int, tuple[str, list[tuple[int, dict[str, Any]]]]] = {}
    counters: dict[int, int] = {}
    for row in rows:
        counters[row["area_no"]] = counters.get(row["area_no"], 0) + 1
        if row in shown:
            area = groups.setdefault(row["area_no"], (row["area_name"], []))
            area[1].append((counters[row["area_no"]], row))
    return list(groups.values())


def _months(row: dict[str, Any], found: Readable) -> str:
    return months_text(row["months"], found.fiscal_year) if row["months"] else "—"


def _line(n: int, row: dict[str, Any], found: Readable) -> str:
    months = _months(row, found)
    title = shorten(row["title"], 50) + (TEXT["other_agency"] if row.get("agency") else "")
    return TEXT["row"].format(n=n, title=title, budget=baht(row["budget_satang"]), months=months)


def _pick_strategy(kind: str, object_id: int, found: Readable) -> Choices:
    choices = strategy_buttons(kind, object_id, found.rows)
    key = "pick_strategy" if choices else "empty"
    return Choices(TEXT[key].format(title=found.title), tuple(choices))


@action(CARD)
async def project_card(turn: Turn, press: buttons.ActionPress) -> list[Outgoing]:
    kind, numbers = _where(press.arg)
    if len(numbers) != 3:
        raise refusal(PHRASES["expired"])
    seq, strategy, page = numbers
    found = await _readable(turn, kind, press.object_id)
    row = next((r for r in found.rows if r["seq"] == seq), None)
    if row is None:
        raise refusal(PHRASES["expired"])
    back = Button(TEXT["back"], _view(kind, press.object_id, strategy, page))
    return [_card(row, found, back)]


def _card(row: dict[str, Any], found: Readable, back: Button) -> Card:
    label = TEXT["card"]
    fields = [
        (label["title"], row["title"]),
        (label["details"], row["details"]),
        (label["strategy"], option_label(row["strategy_no"], row["strategy_name"])),
        (label["area"], row["area_name"]),
        (label["budget"], baht(row["budget_satang"])),
        (label["location"], row["location"]),
        (label["unit"], row["unit"]),
        (label["months"], _months(row, found)),
    ]
    if row.get("source") == ProjectSource.OTHER_AGENCY.value and row.get("agency"):
        fields.append((label["agency"], row["agency"]))
    if row.get("equipment"):
        fields.append((label["equipment"], row.get("equipment_type") or label["equipment"]))
    footer = TEXT["amended"] if row.get("id") in found.amended else None
    title = TEXT["card_title"].format(number=row["number"])
    return Card(title=title, fields=tuple(fields), buttons=(back,), footer=footer)

"""ปิดประกาศ and ปลดประกาศ: the plan officer records where and when a plan was posted, and
when it came down.

The regulation: post within 15 days of the announcement, keep it posted for at least 30 days.
/posted (or the button on the "ประกาศใช้แล้ว" notice): which edition (only when several in
force wait) → the day it went up (today by button; a day past the 15 days is recorded but
flagged "เกินกำหนด 15 วัน") → where, one place at a time (the notice board, a website with its
address, somewhere else by name) until เสร็จแล้ว → a photo of it, or ข้าม → summary → saved,
with the first day it may come down. /removed: which edition → the day it came down, refused
before the 30 days are over with the day it becomes allowed.

Every edition (the original, each addition, each amendment) keeps its own posting.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from sqlmodel import col

from handlers import commands, fields, forms
from handlers.buttons import ActionPress, action_button
from handlers.context import Turn, refusal
from handlers.deadlines_text import due_suffix
from handlers.fields import (
    chosen,
    chosen_id,
    date_field,
    date_reason,
    day_of,
    edition_field,
    editions_ctx,
)
from handlers.forms import Choice, Field, Form, FormData, Group, ItemData
from handlers.messages import Button, Choices, Outgoing, Text
from handlers.projects_text import days_left, thai_date
from handlers.router import action, command
from handlers.scope import edition_at, editions_for, plan_of
from models.days_off import DaysOff
from models.deadlines import POSTING_DAYS, POSTING_MINIMUM_DAYS, earliest_removal
from models.editions import (
    DateProblem,
    DateRule,
    EditionRow,
    posting_problem,
    record_posting,
    record_removal,
    removal_problem,
    snapshot,
)
from models.enums import EditionState, Role
from models.permissions import Action
from models.plan import Edition
from models.schedule import calendar_of, edition_dates, posted_late, posting_due
from models.thaitext import ParseError
from models.workflow import Step

TEXT = {
    # the officer's notice once an edition is in force
    "notice": (
        "📋 {org} · {plan}\n"
        "✅ ประกาศใช้แล้ว — ต้องปิดประกาศภายใน {deadline} ({days} วันนับแต่วันประกาศ)\n"
        "เมื่อปิดประกาศแล้ว กรุณากดปุ่มด้านล่างเพื่อบันทึก"
    ),
    "record_posting": "บันทึกการปิดประกาศ",
    # /posted
    "post_title": "การบันทึกการปิดประกาศ",
    "post_header": "📋 บันทึกการปิดประกาศ{where}",
    "none_to_post": "📋 ไม่มีแผนที่ประกาศใช้แล้วและรอบันทึกการปิดประกาศ",
    "already_posted": "{plan} บันทึกการปิดประกาศไว้แล้ว ({posted}) — ไม่มีการเปลี่ยนแปลง",
    "posted_label": "วันที่ปิดประกาศ",
    "posted_prompt": (
        "{plan} ประกาศใช้ {announced} · ⏰ ต้องปิดประกาศภายใน {deadline} ({left}){note}\n"
        "ปิดประกาศวันใด — กดปุ่ม หรือพิมพ์วันที่ เช่น {example}"
    ),
    "late": " ⚠️ เกินกำหนด {days} วัน (ต้องปิดประกาศภายใน {deadline})",
    "place_label": "สถานที่ปิดประกาศ",
    "place_label_n": "สถานที่ปิดประกาศ (ที่ {n})",
    "place_prompt": "ปิดประกาศไว้ที่ใด — กดปุ่ม (เพิ่มได้หลายแห่ง)",
    "place_prompt_more": "ปิดประกาศที่อื่นอีกหรือไม่ — กดปุ่มเพื่อเพิ่ม หรือ เสร็จแล้ว",
    "place_bad": "กรุณากดปุ่มเลือกสถานที่ เช่น บอร์ดประชาสัมพันธ์ที่ทำการ",
    "places": {
        "board": "บอร์ดประชาสัมพันธ์ที่ทำการ",
        "web": "เว็บไซต์",
        "other": "อื่น ๆ",
    },
    "done": "เสร็จแล้ว",
    "web_prompt": "ที่อยู่เว็บไซต์ที่ปิดประกาศ เช่น https://www.example.go.th/plan2569",
    "web_bad": "ยังอ่านที่อยู่เว็บไซต์ไม่ได้ — กรุณาพิมพ์ เช่น https://www.example.go.th/plan2569",
    "other_prompt": "ชื่อสถานที่ เช่น ศาลาประชาคม หมู่ที่ 5",
    "other_example": "ศาลาประชาคม หมู่ที่ 5",
    "web_show": "เว็บไซต์ {url}",
    "photo_label": "รูปถ่ายประกาศ",
    "photo_prompt": "ส่งรูปถ่ายประกาศที่ปิดไว้ (ถ้ามี) หรือกด ข้าม",
    "photo_bad": "ขั้นนี้ต้องการรูปภาพ — กรุณาส่งรูปถ่ายประกาศ หรือกด ข้าม",
    "photo_show": "ได้รับรูปภาพแล้ว",
    "post_summary": "ตรวจสอบก่อนบันทึกการปิดประกาศ",
    "post_confirm": "บันทึกการปิดประกาศ",
    "posted": (
        "✅ บันทึกการปิดประกาศแล้ว: {plan} — {org}\n"
        "ปิดประกาศ {posted} ที่ {places}\n"
        "📌 ปลดประกาศได้ตั้งแต่ {earliest} (ต้องปิดประกาศไว้อย่างน้อย {minimum} วัน)"
    ),
    "posted_late": "⚠️ เกินกำหนด {days} วัน — ต้องปิดประกาศภายใน {deadline} (ช้าไป {late} วัน)",
    "places_sep": " · ",
    # /removed
    "remove_title": "การบันทึกการปลดประกาศ",
    "remove_header": "📋 บันทึกการปลดประกาศ{where}",
    "none_posted": "📋 ไม่มีแผนที่ปิดประกาศอยู่ — บันทึกการปิดประกาศก่อนด้วยคำสั่ง บันทึกการปิดประกาศ",
    "waiting": "📌 {plan} (ปิดประกาศ {posted}): {reason} ({left})",
    "already_removed": "{plan} บันทึกการปลดประกาศไว้แล้ว ({removed}) — ไม่มีการเปลี่ยนแปลง",
    "not_posted": "{plan} ยังไม่ได้บันทึกการปิดประกาศ — กรุณาบันทึกการปิดประกาศก่อน",
    "removed_label": "วันที่ปลดประกาศ",
    "removed_prompt": (
        "{plan} ปิดประกาศ {posted} · ปลดได้ตั้งแต่ {earliest}\n"
        "ปลดประกาศวันใด — กดปุ่ม หรือพิมพ์วันที่ เช่น {example}"
    ),
    "remove_summary": "ตรวจสอบก่อนบันทึกการปลดประกาศ",
    "remove_confirm": "บันทึกการปลดประกาศ",
    "removed": (
        "✅ บันทึกการปลดประกาศแล้ว: {plan} — {org}\nปิดประกาศ {posted} – {removed} (รวม {days} วัน)"
    ),
}
PLACE_KINDS = tuple(TEXT["places"])  # board, web, other
MAX_PLACES = 4
POST_ACTION = "posted"  # the button that records the posting of an edition
POSTING_COLUMNS = ("posted_on", "posted_places", "posting_photo")
_URL = re.compile(r"(?:https?://)?[\w-]+(?:\.[\w-]+)+(?::\d+)?(?:[/?#]\S*)?", re.IGNORECASE)


# -- the notice that asks for the posting ------------------------------------------------------


def posting_notice(row: EditionRow, days_off: DaysOff, extra: str = "") -> Choices:
    """The officer's notice once an edition is in force (announced or amended): post it by the
    deadline (counted on the org's calendar from ``days_off``), with the button that records it."""
    calendar = calendar_of(row.org, days_off)
    posting = edition_dates(row.edition, calendar).posting
    assert posting is not None, "announced editions have a posting deadline"
    deadline = thai_date(posting.due)
    text = TEXT["notice"].format(
        org=row.org.short_name, plan=plan_of(row), deadline=deadline, days=POSTING_DAYS
    )
    text += due_suffix(posting, calendar)
    button = Button(TEXT["record_posting"], action_button(POST_ACTION, row.edition_id))
    return Choices(text + (f"\n{extra}" if extra else ""), (button,))


# -- /posted ---------------------------------------------------------------------------------


@command(commands.POSTED)
async def posted_command(turn: Turn, _args: str) -> list[Outgoing]:
    rows = await editions_for(
        turn, Action.RECORD_POSTING, [EditionState.IN_FORCE], col(Edition.posted_on).is_(None)
    )
    if not rows:
        return [Text(TEXT["none_to_post"])]
    return await forms.start(turn, POST_FORM, *editions_ctx(rows, turn.days_off))


@action(POST_ACTION)
async def posted_action(turn: Turn, press: ActionPress) -> list[Outgoing]:
    """The button on the "ประกาศใช้แล้ว" notice: record the posting of that edition."""
    found = await edition_at(turn, press.object_id, Step.POST)
    if found.edition.posted_on is not None:
        raise refusal(_already_posted(found))
    return await forms.start(turn, POST_FORM, *editions_ctx([found], turn.days_off))


def _already_posted(row: EditionRow) -> str:
    assert row.edition.posted_on is not None
    return TEXT["already_posted"].format(plan=plan_of(row), posted=thai_date(row.edition.posted_on))


def _posting_check(day: date, data: FormData) -> DateProblem | None:
    entry = chosen(data)
    assert entry is not None
    return posting_problem(day, announced_on=_announced(entry), today=data.today)


def _announced(entry: dict[str, Any]) -> date:
    return day_of(entry["announced"] or entry["deadline"])


def _posted_prompt(data: FormData) -> str:
    entry = chosen(data)
    assert entry is not None
    deadline = day_of(entry["posting_deadline"] or entry["deadline"])
    return TEXT["posted_prompt"].format(
        plan=entry["plan"],
        announced=thai_date(_announced(entry)),
        deadline=thai_date(deadline),
        left=days_left(deadline, data.today),
        note=entry.get("posting_note", ""),
        example=thai_date(data.today),
    )


def _show_posted(value: Any, data: FormData) -> str:
    """The day, flagged when it is past the 15 days (recorded anyway: it is what happened)."""
    day, entry = day_of(value), chosen(data)
    text = thai_date(day)
    if entry and entry["posting_deadline"] and day > day_of(entry["posting_deadline"]):
        deadline = thai_date(day_of(entry["posting_deadline"]))
        text += TEXT["late"].format(days=POSTING_DAYS, deadline=deadline)
    return text


# -- places: a repeating group, one place at a time until เสร็จแล้ว --------------------------


def _kind(data: ItemData) -> Any:
    return data.item.get("kind")


def _kind_choices(data: ItemData) -> list[Choice]:
    """Each kind (the board only once: there is one office board); the group adds เสร็จแล้ว."""
    taken = {item.get("kind") for item in data.earlier}
    kinds = [k for k in PLACE_KINDS if not (k == "board" and k in taken)]
    return [Choice(TEXT["places"][k], k) for k in kinds]


def _detail_prompt(data: ItemData) -> str:
    return TEXT["web_prompt"] if _kind(data) == "web" else TEXT["other_prompt"]


_parse_place_name = fields.free_text(TEXT["place_label"], TEXT["other_example"])


def _parse_detail(text: str, data: ItemData) -> Any:
    if _kind(data) != "web":
        return _parse_place_name(text, data)
    url = text.strip()
    if not _URL.fullmatch(url) or len(url) > 300:
        return ParseError(TEXT["web_bad"])
    return url if re.match(r"https?://", url, re.IGNORECASE) else f"https://{url}"


def _show_detail(value: Any, data: ItemData) -> str:
    return TEXT["web_show"].format(url=value) if _kind(data) == "web" else str(value)


PLACES = Group(
    "place",
    fields=(
        Field(
            "kind",
            TEXT["place_label"],
            lambda data: TEXT["place_prompt"] if data.n == 1 else TEXT["place_prompt_more"],
            parse=lambda _text, _data: ParseError(TEXT["place_bad"]),
            choices=_kind_choices,
            show=lambda value, _data: TEXT["places"][value],
            hidden=lambda value: value != "board",  # the address row says it
        ),
        Field(
            "detail",
            TEXT["place_label"],
            _detail_prompt,
            parse=_parse_detail,
            when=lambda data: _kind(data) in ("web", "other"),
            show=_show_detail,
            depends_on=("kind",),
        ),
    ),
    max_items=MAX_PLACES,
    done_label=TEXT["done"],
    item_label=TEXT["place_label_n"],
)


def posted_places(data: FormData) -> list[dict[str, Any]]:
    """The answers as Edition.posted_places: [{"kind": "web", "text": "https://…"}, …]."""
    return [
        {"kind": item["kind"], "text": item.get("detail") or TEXT["places"][item["kind"]]}
        for item in PLACES.items(data)
    ]


def _places_text(places: list[dict[str, Any]]) -> str:
    return TEXT["places_sep"].join(
        TEXT["web_show"].format(url=p["text"]) if p["kind"] == "web" else p["text"] for p in places
    )


# -- saving the posting ---------------------------------------------------------------------------


async def _confirm_post(turn: Turn, data: FormData) -> list[Outgoing]:
    found = await edition_at(turn, chosen_id(data), Step.POST, lock="update")
    edition, org = found.edition, found.org
    if edition.posted_on is not None:
        raise refusal(_already_posted(found))
    day = day_of(data.values["posted_on"])
    problem = posting_problem(
        day, announced_on=edition.announced_on or day, today=turn.clock.today()
    )
    if problem is not None:
        raise refusal(date_reason(problem, day))
    places = posted_places(data)
    before = {**snapshot(edition, *POSTING_COLUMNS), "earliest_removal": None}
    earliest = record_posting(edition, day, places, data.values.get("photo"), turn.clock.now())
    calendar = calendar_of(org, turn.days_off)
    late = posted_late(edition, calendar)
    after = {**snapshot(edition, *POSTING_COLUMNS), "earliest_removal": earliest.isoformat()}
    await turn.audit(
        "plan.post",
        org_id=org.id,
        obj=edition,
        role=Role.PLAN_OFFICER,
        before=before,
        after={**after, "late": late},
    )
    lines = [
        TEXT["posted"].format(
            plan=plan_of(found),
            org=org.short_name,
            posted=thai_date(day),
            places=_places_text(places),
            earliest=thai_date(earliest),
            minimum=POSTING_MINIMUM_DAYS,
        )
    ]
    due = posting_due(edition, calendar)
    if late and due is not None:
        lines.append(
            TEXT["posted_late"].format(
                days=POSTING_DAYS, deadline=thai_date(due), late=(day - due).days
            )
        )
    return [Text("\n".join(lines))]


POST_FORM = forms.register(
    Form(
        name="plan_post",
        title=TEXT["post_title"],
        fields=(
            edition_field(),
            date_field(
                "posted_on",
                TEXT["posted_label"],
                _posted_prompt,
                _posting_check,
                show=_show_posted,
            ),
            *PLACES.expand(),
            Field(
                "photo",
                TEXT["photo_label"],
                TEXT["photo_prompt"],
                parse=lambda _text, _data: ParseError(TEXT["photo_bad"]),
                optional=True,
                accepts_attachment="image",
                show=lambda _value, _data: TEXT["photo_show"],
                echo=True,
            ),
        ),
        header=fields.edition_header(TEXT["post_header"]),
        summary_title=TEXT["post_summary"],
        confirm_label=TEXT["post_confirm"],
        on_confirm=_confirm_post,
    )
)


# -- /removed ------------------------------------------------------------------------------------


def removable_from(edition: Edition) -> date:
    """The first day the notice may come down (kept on the edition when it was posted)."""
    assert edition.posted_on is not None
    return earliest_removal(edition.posted_on)


@command(commands.REMOVED)
async def removed_command(turn: Turn, _args: str) -> list[Outgoing]:
    """Only editions whose 30 days are over are offered; the others say when they will be."""
    rows = await editions_for(
        turn,
        Action.RECORD_POSTING,
        [EditionState.IN_FORCE],
        col(Edition.posted_on).is_not(None),
        col(Edition.removed_on).is_(None),
    )
    if not rows:
        return [Text(TEXT["none_posted"])]
    today = turn.clock.today()
    ready = [row for row in rows if removable_from(row.edition) <= today]
    notes: list[Outgoing] = [
        Text(_too_early(row, today)) for row in rows if removable_from(row.edition) > today
    ]
    if not ready:
        return notes
    return notes + await forms.start(turn, REMOVE_FORM, *editions_ctx(ready, turn.days_off))


def _too_early(row: EditionRow, today: date) -> str:
    earliest = removable_from(row.edition)
    assert row.edition.posted_on is not None
    return TEXT["waiting"].format(
        plan=plan_of(row),
        posted=thai_date(row.edition.posted_on),
        reason=date_reason(DateProblem(DateRule.TOO_EARLY_REMOVAL, earliest), today),
        left=days_left(earliest, today),
    )


def _removal_check(day: date, data: FormData) -> DateProblem | None:
    entry = chosen(data)
    assert entry is not None
    earliest = day_of(entry["earliest_removal"] or earliest_removal(day_of(entry["posted"])))
    return removal_problem(day, earliest=earliest, today=data.today)


def _removed_prompt(data: FormData) -> str:
    entry = chosen(data)
    assert entry is not None
    posted = day_of(entry["posted"])
    earliest = day_of(entry["earliest_removal"] or earliest_removal(posted))
    return TEXT["removed_prompt"].format(
        plan=entry["plan"],
        posted=thai_date(posted),
        earliest=thai_date(earliest),
        example=thai_date(data.today),
    )


async def _confirm_remove(turn: Turn, data: FormData) -> list[Outgoing]:
    found = await edition_at(turn, chosen_id(data), Step.REMOVE, lock="update")
    edition, org = found.edition, found.org
    if edition.removed_on is not None:
        removed = thai_date(edition.removed_on)
        raise refusal(TEXT["already_removed"].format(plan=plan_of(found), removed=removed))
    if edition.posted_on is None:
        raise refusal(TEXT["not_posted"].format(plan=plan_of(found)))
    day = day_of(data.values["removed_on"])
    problem = removal_problem(day, earliest=removable_from(edition), today=turn.clock.today())
    if problem is not None:
        raise refusal(date_reason(problem, day))
    before = snapshot(edition, "removed_on")
    record_removal(edition, day, turn.clock.now())
    await turn.audit(
        "plan.remove",
        org_id=org.id,
        obj=edition,
        role=Role.PLAN_OFFICER,
        before=before,
        after=snapshot(edition, "removed_on"),
    )
    text = TEXT["removed"].format(
        plan=plan_of(found),
        org=org.short_name,
        posted=thai_date(edition.posted_on),
        removed=thai_date(day),
        days=(day - edition.posted_on).days,
    )
    return [Text(text)]


REMOVE_FORM = forms.register(
    Form(
        name="plan_remove",
        title=TEXT["remove_title"],
        fields=(
            edition_field(),
            date_field("removed_on", TEXT["removed_label"], _removed_prompt, _removal_check),
        ),
        header=fields.edition_header(TEXT["remove_header"]),
        summary_title=TEXT["remove_summary"],
        confirm_label=TEXT["remove_confirm"],
        on_confirm=_confirm_remove,
    )
)

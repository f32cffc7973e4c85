"""Questions several forms ask the same way: which edition, which day, why, and a project's
columns (name, budget, place, months …). A form declares ``fields.date_field(...)`` and gets
the same parsing, buttons, echo and Thai reasons as every other form that asks it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import Any

from handlers.deadlines_text import due_suffix
from handlers.forms import Choice, Field, FormData
from handlers.projects_text import baht_with_words, months_text, thai_date
from handlers.scope import plan_of
from models.days_off import DaysOff
from models.editions import DateProblem, DateRule, EditionRow
from models.enums import EditionKind
from models.fiscal import FISCAL_MONTHS
from models.schedule import calendar_of, edition_dates
from models.thaitext import (
    ParseError,
    baht_to_satang,
    check_budget_range,
    check_date_range,
    clean_text,
    mentions_village,
    normalize_villages,
    parse_budget,
    parse_date,
    parse_months,
)

TEXT = {
    # which edition
    "edition_label": "แผน",
    "edition_prompt": "ทำรายการสำหรับแผนฉบับใด",
    "edition_bad": "กรุณากดปุ่มเลือกแผน เช่น {example}",
    "edition_choice": "{title} พ.ศ. {fy}",
    "edition_choice_org": "{org} {title}",
    "edition_where": " — {plan} · {org}",
    # which day
    "today": "วันนี้ {date}",
    "dates": {
        DateRule.FUTURE: "วันที่ {day} ยังมาไม่ถึง — กรุณาระบุวันที่ไม่เกินวันนี้ เช่น {limit}",
        DateRule.BEFORE_APPROVAL: (
            "วันที่ประกาศใช้ต้องไม่ก่อนวันที่คณะกรรมการพัฒนาฯ เห็นชอบร่าง ({limit}) — เช่น {limit}"
        ),
        DateRule.BEFORE_ANNOUNCED: "วันที่ปิดประกาศต้องไม่ก่อนวันที่ประกาศใช้ ({limit}) — เช่น {limit}",
        DateRule.TOO_EARLY_REMOVAL: (
            "ยังปลดประกาศไม่ได้ — ต้องปิดประกาศไว้อย่างน้อย 30 วัน ปลดได้ตั้งแต่ {limit}"
        ),
        DateRule.NOT_LATER: "ขยายเวลาได้เฉพาะวันที่หลังกำหนดเดิม {limit} — เช่น {later}",
        DateRule.PAST: "วันที่ {day} ผ่านไปแล้ว — กรุณาระบุวันที่ตั้งแต่วันนี้ ({limit}) เป็นต้นไป",
        DateRule.AFTER_YEAR_END: (
            "ขยายเวลาได้ไม่เกินสิ้นปีงบประมาณ ({limit}) — แผนการดำเนินงานใช้ได้ภายในปีงบประมาณนั้น"
        ),
    },
    # a project's columns (แบบ ผด.02)
    "title_label": "ชื่อโครงการ",
    "title_prompt": 'เช่น "โครงการก่อสร้างถนน คสล. หมู่ที่ 5"',
    "title_example": '"โครงการก่อสร้างถนน คสล. หมู่ที่ 5"',
    "details_label": "รายละเอียดของกิจกรรม",
    "details_prompt": (
        "กิจกรรมที่เกิดขึ้นจากโครงการ เช่น ก่อสร้างถนน คสล. กว้าง 5 เมตร ยาว 200 เมตร หนา 0.15 เมตร"
    ),
    "details_example": "ก่อสร้างถนน คสล. กว้าง 5 เมตร ยาว 200 เมตร",
    "budget_label": "งบประมาณ (บาท)",
    "budget_prompt": "กรุณาพิมพ์จำนวนเงิน เช่น 150000 หรือ 1.5 ล้าน",
    "location_label": "สถานที่ดำเนินการ",
    "location_prompt": "เช่น หมู่ที่ 5 บ้านหนองแวง หรือ ที่ทำการ อบต.",
    "location_example": "หมู่ที่ 5 บ้านหนองแวง",
    "unit_label": "หน่วยงานรับผิดชอบหลัก",
    "unit_example": "กองช่าง",
    "months_label": "เดือนที่ดำเนินการ",
    "months_prompt": (
        "ปีงบประมาณ พ.ศ. {fy} (ต.ค. {first} – ก.ย. {fy}) — กดปุ่ม หรือพิมพ์ช่วงเดือน เช่น ม.ค.-มี.ค."
    ),
    "whole_year": "ทั้งปี",
    "quarters": ("ต.ค.–ธ.ค.", "ม.ค.–มี.ค.", "เม.ย.–มิ.ย.", "ก.ค.–ก.ย."),
}
QUARTERS = ((10, 11, 12), (1, 2, 3), (4, 5, 6), (7, 8, 9))
TEXT_MAX = 300  # a name, a place, a unit
LONG_TEXT_MAX = 2000  # details, a reason


# -- a reason ---------------------------------------------------------------------------------


Parser = Callable[[str, FormData], Any]


def free_text(
    label: str, example: str | None = None, max_len: int = TEXT_MAX, *, words: bool = False
) -> Parser:
    """A required free-text answer, tidied; empty or too long is asked again with the field's
    name (and an example) in the Thai reason. ``words``: it must be real words (a title, a
    reason on the record), not "ok" or a row of emoji."""

    def parse(text: str, _data: FormData) -> Any:
        return clean_text(
            text, max_len=max_len, field_name_th=label, example_th=example, words=words
        )

    return parse


def reason_field(label: str, prompt: str, example: str, name: str = "reason") -> Field:
    """A required free-text reason (a return, a refusal, an extension), kept on the record."""
    return Field(name, label, prompt, parse=free_text(label, example, LONG_TEXT_MAX, words=True))


# -- which edition --------------------------------------------------------------------------------


def iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def day_of(value: Any) -> date:
    """A date the form stored JSON-ready (ISO)."""
    return date.fromisoformat(str(value))


def edition_entry(row: EditionRow, days_off: DaysOff, *, with_org: bool = False) -> dict[str, Any]:
    """What the forms keep about an edition (JSON-ready): names and the dates its rules need
    (counted on the org's calendar when the form starts; a form lives a day at most)."""
    edition = row.edition
    calendar = calendar_of(row.org, days_off)
    dates = edition_dates(edition, calendar)
    choice = (
        row.title
        if edition.kind is EditionKind.AMENDMENT
        else TEXT["edition_choice"].format(title=row.title, fy=row.plan.fiscal_year)
    )
    if with_org:
        choice = TEXT["edition_choice_org"].format(org=row.org.short_name, title=choice)
    return {
        "id": edition.id,
        "org": row.org.short_name,
        "fy": row.plan.fiscal_year,
        "plan": plan_of(row),
        "choice": choice,
        "deadline": iso(dates.preparation_due),
        "deadline_note": due_suffix(dates.preparation_due, calendar),
        "announced": iso(edition.announced_on),
        "posting_deadline": iso(dates.posting.due if dates.posting else None),
        "posting_note": due_suffix(dates.posting, calendar),
        "posted": iso(edition.posted_on),
        "earliest_removal": iso(dates.earliest_removal),
    }


def editions_ctx(
    rows: Sequence[EditionRow], days_off: DaysOff
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The forms' context and preset values: the edition is answered when there is one."""
    with_org = len({row.org.id for row in rows}) > 1
    ctx = {"editions": [edition_entry(row, days_off, with_org=with_org) for row in rows]}
    values = {"edition": rows[0].edition.id} if len(rows) == 1 else {}
    return ctx, values


def chosen(data: FormData) -> dict[str, Any] | None:
    """The edition the form is about, once answered (or preset)."""
    wanted = data.values.get("edition")
    return next((e for e in data.ctx["editions"] if e["id"] == wanted), None)


def chosen_id(data: FormData) -> int:
    entry = chosen(data)
    assert entry is not None, "the edition is answered before the form can be confirmed"
    return int(entry["id"])


def edition_header(header: str) -> Callable[[FormData], str]:
    """A form's header that names the edition once it is chosen: ``header``'s ``{where}`` is
    " — แผนการดำเนินงาน … · อบต.…", or empty while the edition is still to be picked."""

    def make(data: FormData) -> str:
        entry = chosen(data)
        return header.format(where=TEXT["edition_where"].format(**entry) if entry else "")

    return make


def edition_field(prompt: str = TEXT["edition_prompt"]) -> Field:
    """ "Which edition?", asked only when several are waiting for this step."""
    return Field(
        "edition",
        TEXT["edition_label"],
        prompt,
        parse=lambda _text, data: ParseError(
            TEXT["edition_bad"].format(example=data.ctx["editions"][0]["choice"])
        ),
        choices=lambda data: [Choice(e["choice"], e["id"]) for e in data.ctx["editions"]],
        when=lambda data: len(data.ctx["editions"]) > 1,
        show=lambda _value, data: (chosen(data) or {"choice": ""})["choice"],
    )


# -- which day ------------------------------------------------------------------------------------


def date_reason(problem: DateProblem, day: date) -> str:
    """A broken date rule in Thai, with the date it is measured against as the example."""
    return TEXT["dates"][problem.rule].format(
        day=thai_date(day),
        limit=thai_date(problem.limit),
        later=thai_date(problem.limit + timedelta(days=15)),
    )


DateCheck = Callable[[date, FormData], DateProblem | None]


def date_field(
    name: str,
    label: str,
    prompt: str | Callable[[FormData], str],
    check: DateCheck,
    show: Callable[[Any, FormData], str] | None = None,
) -> Field:
    """A day as people type it (วันนี้, 1 ต.ค. 68, 1/10/2568…), with "วันนี้ <date>" as a
    button whenever today itself passes ``check``; a day that breaks it is asked again with
    the reason and the date it is measured against."""

    def parse(text: str, data: FormData) -> Any:
        day = parse_date(text, data.today)
        if isinstance(day, ParseError):
            return day
        near = check_date_range(day, data.today, past_days=366, future_days=366)
        if isinstance(near, ParseError):
            return near
        problem = check(day, data)
        return ParseError(date_reason(problem, day)) if problem else day.isoformat()

    def choices(data: FormData) -> list[Choice]:
        today = data.today
        if check(today, data) is not None:
            return []
        return [Choice(TEXT["today"].format(date=thai_date(today)), today.isoformat())]

    return Field(
        name,
        label,
        prompt,
        parse=parse,
        choices=choices,
        show=show or (lambda value, _data: thai_date(day_of(value))),
        echo=True,
    )


# -- a project's columns ----------------------------------------------------------------------


def _text(key: str, max_len: int = TEXT_MAX, *, words: bool = False) -> Parser:
    """A free-text column, with its label and example in the Thai reason."""
    return free_text(TEXT[f"{key}_label"], TEXT[f"{key}_example"], max_len, words=words)


parse_title = _text("title", words=True)
parse_details = _text("details", LONG_TEXT_MAX)
_location_text = _text("location")


def parse_location(text: str, data: FormData) -> Any:
    """The place, its villages written the official way (what is stored is what is echoed)."""
    place = _location_text(text, data)
    return place if isinstance(place, ParseError) else normalize_villages(place)


parse_unit = _text("unit")


def parse_budget_satang(text: str, _data: FormData) -> Any:
    """Baht as typed (๑๕๐,๐๐๐ · 1.5 ล้าน · ๒ แสน), within reason, kept as integer satang."""
    amount = parse_budget(text)
    if isinstance(amount, ParseError):
        return amount
    checked = check_budget_range(amount)
    if isinstance(checked, ParseError):
        return checked
    return baht_to_satang(checked)


def show_budget(value: Any, _data: FormData) -> str:
    """ "1,500,000 บาท (หนึ่งล้านห้าแสนบาทถ้วน)": money said back in words too."""
    return baht_with_words(int(value))


def echo_village(value: Any, _data: FormData) -> str | None:
    """Say back a place that names villages, as stored: ม.1-6 typed is seen to be หมู่ที่ 1–6."""
    return str(value) if mentions_village(str(value)) else None


FiscalYear = Callable[[FormData], int]


def months_choices(_data: FormData) -> list[Choice]:
    """ทั้งปี and the four quarters of the fiscal year, as buttons (months as a list)."""
    return [Choice(TEXT["whole_year"], list(FISCAL_MONTHS))] + [
        Choice(label, list(months))
        for label, months in zip(TEXT["quarters"], QUARTERS, strict=True)
    ]


def months_parser(fy: FiscalYear) -> Callable[[str, FormData], Any]:
    """Months of the fiscal year ``fy(data)`` as typed (ต.ค.-ธ.ค., ม.ค. ถึง มี.ค., ทั้งปี)."""

    def parse(text: str, data: FormData) -> Any:
        months = parse_months(text, fy(data))
        return months if isinstance(months, ParseError) else list(months)

    return parse


def months_field(fy: FiscalYear) -> Field:
    """เดือนที่ดำเนินการ: buttons for the year and its quarters, any range typed, said back."""

    def prompt(data: FormData) -> str:
        year = fy(data)
        return TEXT["months_prompt"].format(fy=year, first=year - 1)

    return Field(
        "months",
        TEXT["months_label"],
        prompt,
        parse=months_parser(fy),
        choices=months_choices,
        show=lambda value, data: months_text(value, fy(data)),
        echo=True,
    )


def title_field(prompt: str | Callable[[FormData], str] = TEXT["title_prompt"]) -> Field:
    return Field("title", TEXT["title_label"], prompt, parse=parse_title)


def details_field() -> Field:
    return Field("details", TEXT["details_label"], TEXT["details_prompt"], parse=parse_details)


def budget_field() -> Field:
    return Field(
        "budget",
        TEXT["budget_label"],
        TEXT["budget_prompt"],
        parse=parse_budget_satang,
        show=show_budget,
        echo=True,
    )


def location_field() -> Field:
    return Field(
        "location",
        TEXT["location_label"],
        TEXT["location_prompt"],
        parse=parse_location,
        echo=echo_village,
    )


def unit_field(
    prompt: str | Callable[[FormData], str], choices: Callable[[FormData], list[Choice]]
) -> Field:
    """หน่วยงานรับผิดชอบหลัก: the speaker's own unit as a button, any other typed."""
    return Field("unit", TEXT["unit_label"], prompt, parse=parse_unit, choices=choices)

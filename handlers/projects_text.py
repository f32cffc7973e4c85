"""How a project (โครงการ/กิจกรรม) and its dates read in chat, shared by submit, mine and status.

One place for the project number (เลขที่ 2569-012), the Thai date with its พ.ศ. year, the
days left to a deadline and the one-line and card forms of a project, so the submitter,
the committee and /status all see the same words for the same thing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from handlers.messages import Button, Card
from models.drafts import project_ref
from models.enums import ProjectStatus
from models.fiscal import BE_OFFSET, mask_to_months
from models.plan import Project
from models.thaitext import (
    format_baht,
    format_baht_words,
    format_months,
    normalize_digits,
    satang_to_baht,
)

TEXT = {
    "date": "{day} {month} {year}",
    "days_left": "อีก {n} วัน",
    "today": "วันนี้",
    "overdue": "เลยกำหนด {n} วัน",
    "budget_words": "{amount} ({words})",
    "line": "#{seq} {title} — {budget} · {status}",
    "line_reason": "\n    เหตุผล: {reason}",
    "ellipsis": "…",
    "no_months": "—",
    "card_title": "ชื่อโครงการ",
    "card_details": "รายละเอียดของกิจกรรม",
    "card_budget": "งบประมาณ (บาท)",
    "card_strategy": "ยุทธศาสตร์",
    "card_area": "แผนงาน",
    "card_location": "สถานที่ดำเนินการ",
    "card_unit": "หน่วยงานรับผิดชอบหลัก",
    "card_months": "เดือนที่ดำเนินการ",
    "card_agency": "โครงการของหน่วยงาน",
    "card_equipment": "ครุภัณฑ์",
    "equipment_yes": "ใช่ (แบบ ผด.02/1)",
    "card_by": "เสนอโดย",
    "option": "{number} {name}",
    "minus": "−",
    "plus": "+",
}
MONTHS_SHORT = (
    "ม.ค.",
    "ก.พ.",
    "มี.ค.",
    "เม.ย.",
    "พ.ค.",
    "มิ.ย.",
    "ก.ค.",
    "ส.ค.",
    "ก.ย.",
    "ต.ค.",
    "พ.ย.",
    "ธ.ค.",
)
LINE_TITLE_CHARS = 60  # a list line stays one line on a phone; the card has the full name


@dataclass(frozen=True)
class Quoted:
    """A project number as someone typed it: the running number, and the year if given."""

    seq: int
    fiscal_year: int | None = None

    def of(self, fiscal_year: int) -> bool:
        """Whether it can be a number of this fiscal year's plan."""
        return self.fiscal_year is None or self.fiscal_year == fiscal_year


# 3 · #3 · 003 · 2569-003 · 2569/3 · ๒๕๖๙-๐๐๓
_QUOTED = re.compile(r"(?:(?P<fy>\d{4})\s*[-/]\s*)?#?\s*0*(?P<seq>\d{1,4})")


def quoted_number(text: str) -> Quoted | None:
    """A project number as people quote it (เลขที่ 2569-003, #3, 3), or None."""
    match = _QUOTED.fullmatch(normalize_digits(text).strip())
    if match is None:
        return None
    fy = match.group("fy")
    return Quoted(int(match.group("seq")), int(fy) if fy else None)


def project_number(fiscal_year: int, seq: int) -> str:
    """เลขที่ as officials quote it: the fiscal year and the running number, "2569-012"."""
    return project_ref(fiscal_year, seq)


def option_label(number: int, name: str) -> str:
    """ "1 การพัฒนาด้านโครงสร้างพื้นฐาน": a strategy or plan area as forms and cards show it."""
    return TEXT["option"].format(number=number, name=name)


def thai_date(d: date) -> str:
    """A date as chat shows deadlines: "31 ต.ค. 2568" (short month, full พ.ศ. year)."""
    return TEXT["date"].format(day=d.day, month=MONTHS_SHORT[d.month - 1], year=d.year + BE_OFFSET)


def days_left(deadline: date, today: date) -> str:
    """ "อีก 9 วัน", "วันนี้" or "เลยกำหนด 2 วัน": what a deadline means to the reader today."""
    n = (deadline - today).days
    if n > 0:
        return TEXT["days_left"].format(n=n)
    if n == 0:
        return TEXT["today"]
    return TEXT["overdue"].format(n=-n)


def baht(satang: int) -> str:
    """ "1,500,000 บาท" from stored satang."""
    return format_baht(satang_to_baht(satang))


def signed_baht(satang: int) -> str:
    """ "−150,000 บาท" or "+50,000 บาท": a change of budget, its sign always shown."""
    sign = TEXT["minus"] if satang < 0 else TEXT["plus"] if satang > 0 else ""
    return sign + baht(abs(satang))


def baht_with_words(satang: int) -> str:
    """ "1,500,000 บาท (หนึ่งล้านห้าแสนบาทถ้วน)": the echo after a typed amount (UX principle 3)."""
    amount = satang_to_baht(satang)
    return TEXT["budget_words"].format(amount=format_baht(amount), words=format_baht_words(amount))


def months_text(months: list[int] | tuple[int, ...], fiscal_year: int) -> str:
    return format_months(months, fiscal_year) if months else TEXT["no_months"]


def shorten(text: str, limit: int = LINE_TITLE_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + TEXT["ellipsis"]


def project_line(project: Project) -> str:
    """One line of a list: "#12 ก่อสร้างถนน… — 1,500,000 บาท · รอตรวจ" (+ the return reason)."""
    line = TEXT["line"].format(
        seq=project.seq,
        title=shorten(project.title),
        budget=baht(project.budget_satang),
        status=project.status.label_th,
    )
    if project.status is ProjectStatus.RETURNED and project.status_reason:
        line += TEXT["line_reason"].format(reason=shorten(project.status_reason, 200))
    return line


def project_card(
    title: str,
    project: Project,
    *,
    fiscal_year: int,
    strategy: str,
    area: str,
    submitted_by: str | None = None,
    buttons: tuple[Button, ...] = (),
    footer: str | None = None,
) -> Card:
    """A project as the committee reads it: the columns of แบบ ผด.02, in the regulation's words."""
    rows: list[tuple[str, str]] = [
        (TEXT["card_title"], project.title),
        (TEXT["card_details"], project.details),
        (TEXT["card_strategy"], strategy),
        (TEXT["card_area"], area),
        (TEXT["card_budget"], baht(project.budget_satang)),
        (TEXT["card_location"], project.location),
        (TEXT["card_unit"], project.responsible_unit),
        (TEXT["card_months"], months_text(mask_to_months(project.months_mask), fiscal_year)),
    ]
    if project.agency_name:
        rows.append((TEXT["card_agency"], project.agency_name))
    if project.is_equipment:
        kind = project.equipment_type or TEXT["equipment_yes"]
        rows.append((TEXT["card_equipment"], kind))
    if submitted_by:
        rows.append((TEXT["card_by"], submitted_by))
    return Card(title=title, fields=tuple(rows), buttons=buttons, footer=footer)

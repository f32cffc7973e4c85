"""The documents as data: what every renderer (XLSX, PDF, phone page) prints, built once.

``build_plan`` turns the forms' rows (a draft's frozen snapshot, or the plan in force) and
what the organization chose (``models.document_settings``) into a :class:`PlanDocument`:
ผด.01's summary, ผด.02's groups (strategy → optional middle level → plan area, numbering
restarting per plan area), ผด.02/1's groups (plan area → equipment type), ส่วนที่ 1, the
announcements and the signature block. Renderers only lay it out; no arithmetic or wording
happens there, so the three formats always agree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from documents.texts import MONTHS_ABBR, PART1_DEFAULTS, PART1_HEADINGS, PART1_SECTIONS, TEXT
from models.document_settings import DocumentSettings, ExtraColumn
from models.drafts import ordered, summarize
from models.fiscal import fiscal_month_index
from models.thaitext import format_thai_date


class Form(StrEnum):
    """What a renderer prints: one form, or the whole plan (cover to announcement)."""

    WHOLE = "whole"
    PD01 = "pd01"
    PD02 = "pd02"
    PD021 = "pd021"
    PART1 = "part1"
    ANNOUNCEMENT = "announcement"

    @property
    def label_th(self) -> str:
        return _FORM_LABEL[self]


_FORM_LABEL = {
    Form.WHOLE: "ทั้งฉบับ",
    Form.PD01: "ผด.01",
    Form.PD02: "ผด.02",
    Form.PD021: "ผด.02/1",
    Form.PART1: "ส่วนที่ 1 บทนำ",
    Form.ANNOUNCEMENT: "ประกาศ",
}


@dataclass(frozen=True)
class Heading:
    """What the header of every page says, and the draft stamp when it is one."""

    fiscal_year: int
    org_full_name: str
    place: str
    edition: str = ""  # "" (the first), "เพิ่มเติม ครั้งที่ 1", "ฉบับรวมที่ประกาศใช้" …
    stamp: str | None = None  # "ร่าง (ร่างที่ 2)" on a draft's documents

    @property
    def title(self) -> str:
        text = TEXT["plan_year"].format(fy=self.fiscal_year)
        return f"{text} {self.edition}" if self.edition else text

    @property
    def org_line(self) -> str:
        return f"{self.org_full_name} {self.place}"

    @property
    def years(self) -> tuple[str, str]:
        """The month grid's two year headings: พ.ศ. of ต.ค.–ธ.ค., then of ม.ค.–ก.ย."""
        return (
            TEXT["year"].format(year=self.fiscal_year - 1),
            TEXT["year"].format(year=self.fiscal_year),
        )


@dataclass(frozen=True)
class Line:
    """A row of ผด.02 or ผด.02/1."""

    no: int  # restarts under each plan area (or equipment type)
    ref: str  # planbot's เลขที่ (2569-012), for talking about it in chat
    title: str
    details: str
    satang: int
    location: str
    unit: str
    months: frozenset[int]  # fiscal positions 0 (ต.ค.) … 11 (ก.ย.)
    agency: str | None = None  # another agency's project: whose
    mark: str | None = None  # in the consolidated plan: "เพิ่มเติม ครั้งที่ 1", "แก้ไข …"
    extras: tuple[str, ...] = ()  # the optional columns switched on, in order

    @property
    def unit_text(self) -> str:
        return self.agency or self.unit


@dataclass(frozen=True)
class Group:
    """A plan area (ผด.02) or an equipment type (ผด.02/1) with its lines."""

    title: str
    lines: tuple[Line, ...]

    @property
    def satang(self) -> int:
        return sum(line.satang for line in self.lines)


@dataclass(frozen=True)
class Section:
    """A strategy (with its middle level, when the org uses one), or a plan area in ผด.02/1."""

    title: str
    groups: tuple[Group, ...]
    subtitle: str | None = None

    @property
    def satang(self) -> int:
        return sum(group.satang for group in self.groups)

    @property
    def lines(self) -> list[Line]:
        return [line for group in self.groups for line in group.lines]


@dataclass(frozen=True)
class SummaryRow:
    """A plan area's row of ผด.01 (or a strategy's subtotal: ``units`` empty)."""

    title: str
    count: int
    count_pct: int  # hundredths of a percent: 1234 is 12.34
    satang: int
    budget_pct: int
    units: tuple[str, ...] = ()


@dataclass(frozen=True)
class SummaryStrategy:
    title: str
    areas: tuple[SummaryRow, ...]
    subtotal: SummaryRow


@dataclass(frozen=True)
class Summary:
    """แบบ ผด.01: per strategy its plan areas and subtotal, and the grand total."""

    strategies: tuple[SummaryStrategy, ...]
    total: SummaryRow


@dataclass(frozen=True)
class Part1Section:
    heading: str
    paragraphs: tuple[str, ...]


@dataclass(frozen=True)
class Announcement:
    """ประกาศ … เรื่อง แผนการดำเนินงาน …: one per edition (the first, each addition, each
    amendment with its changes and reasons)."""

    title: str
    subject: str
    paragraphs: tuple[str, ...]
    changes: tuple[str, ...]
    date_line: str
    signer: str
    position: str


@dataclass(frozen=True)
class Signature:
    label: str  # ผู้จัดทำ, ผู้เสนอ, ผู้ให้ความเห็นชอบ, ผู้อนุมัติ
    name: str
    position: str


@dataclass(frozen=True)
class PlanDocument:
    """Everything the documents of one draft, edition or consolidated plan print."""

    heading: Heading
    summary: Summary
    projects: tuple[Section, ...]  # ผด.02
    equipment: tuple[Section, ...]  # ผด.02/1
    part1: tuple[Part1Section, ...]
    announcements: tuple[Announcement, ...]
    signatures: tuple[Signature, ...]
    top_level: str = "ยุทธศาสตร์"
    extra_columns: tuple[str, ...] = ()  # the optional columns' headings
    marked_note: bool = False  # the consolidated plan explains its marks
    months: tuple[str, ...] = MONTHS_ABBR
    key: str = ""  # what the stored files are named by (documents.store)

    @property
    def is_draft(self) -> bool:
        return self.heading.stamp is not None

    @property
    def all_lines(self) -> list[Line]:
        return [line for section in (*self.projects, *self.equipment) for line in section.lines]


# -- building ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class OrgFacts:
    """What the documents say about the organization, read from the database by ``load``."""

    full_name: str
    place: str
    committee: str  # its development committee's name
    executive_name: str | None = None
    executive_position: str | None = None
    members: Mapping[str, tuple[str, str]] = field(default_factory=dict)  # sig label → (name, pos)


def build_plan(
    rows: Sequence[Mapping[str, Any]],
    *,
    fiscal_year: int,
    org: OrgFacts,
    settings: DocumentSettings,
    edition: str = "",
    stamp: str | None = None,
    marks: Mapping[int, str] | None = None,
    announcements: Sequence[Announcement] = (),
    key: str = "",
) -> PlanDocument:
    """The whole plan from its rows (``models.drafts.project_row`` dicts, any order)."""
    rows = ordered(rows)
    marks = marks or {}
    columns = settings.columns
    projects = [r for r in rows if not r.get("equipment")]
    equipment = [r for r in rows if r.get("equipment")]
    return PlanDocument(
        heading=Heading(fiscal_year, org.full_name, org.place, edition, stamp),
        summary=build_summary(rows, settings.top_level),
        projects=tuple(_project_sections(projects, settings, marks, columns)),
        equipment=tuple(_equipment_sections(equipment, marks, columns)),
        part1=build_part1(settings, org, fiscal_year),
        announcements=tuple(announcements),
        signatures=build_signatures(settings, org),
        top_level=settings.top_level,
        extra_columns=tuple(c.label_th for c in columns),
        marked_note=bool(marks),
        key=key,
    )


def build_summary(rows: Sequence[Mapping[str, Any]], top_level: str) -> Summary:
    """ผด.01 from ``models.drafts.summarize`` (percentages by largest remainder)."""
    data = summarize([dict(r) for r in rows])
    strategies = []
    for s in data["strategies"]:
        areas = tuple(
            SummaryRow(
                a["name"],
                a["count"],
                a["count_pct"],
                a["satang"],
                a["budget_pct"],
                tuple(a["units"]),
            )
            for a in s["areas"]
        )
        title = TEXT["strategy"].format(top=top_level, number=s["number"], name=s["name"])
        subtotal = SummaryRow(
            TEXT["subtotal"], s["count"], s["count_pct"], s["satang"], s["budget_pct"]
        )
        strategies.append(SummaryStrategy(title, areas, subtotal))
    whole = 10_000 if data["count"] else 0
    total = SummaryRow(
        TEXT["grand_total"],
        data["count"],
        whole,
        data["satang"],
        whole if data["satang"] else 0,
    )
    return Summary(tuple(strategies), total)


def _line(
    row: Mapping[str, Any], no: int, marks: Mapping[int, str], columns: Sequence[ExtraColumn]
) -> Line:
    other = row.get("source") == "other_agency"
    return Line(
        no=no,
        ref=row.get("number", ""),
        title=row["title"],
        details=row.get("details") or "",
        satang=row["budget_satang"],
        location=row.get("location") or "",
        unit=row.get("unit") or "",
        months=frozenset(fiscal_month_index(m) for m in row.get("months", ())),
        agency=(row.get("agency") or row.get("unit") or "") if other else None,
        mark=marks.get(row["id"]),
        extras=tuple(_extra(row, column) for column in columns),
    )


def _extra(row: Mapping[str, Any], column: ExtraColumn) -> str:
    if column is ExtraColumn.PROCUREMENT:
        return row.get("procurement") or ""
    done = row.get("completed_on")
    if not done:
        return ""
    return format_thai_date(date.fromisoformat(done), "short")


def _numbered(
    rows: Iterable[Mapping[str, Any]], marks: Mapping[int, str], columns: Sequence[ExtraColumn]
) -> tuple[Line, ...]:
    return tuple(_line(row, no, marks, columns) for no, row in enumerate(rows, start=1))


def _project_sections(
    rows: Sequence[Mapping[str, Any]],
    settings: DocumentSettings,
    marks: Mapping[int, str],
    columns: Sequence[ExtraColumn],
) -> list[Section]:
    """ผด.02: strategy (and middle level) → plan area; numbering restarts per plan area."""
    middle = settings.middle_level
    sections: dict[tuple[Any, ...], dict[tuple[int, str], list[Mapping[str, Any]]]] = {}
    titles: dict[tuple[Any, ...], tuple[str, str | None]] = {}
    keyed = sorted(
        rows,
        key=lambda r: (
            r["strategy_no"],
            (r.get("approach_no") or 0) if middle else 0,
            r["area_no"],
            r["seq"],
        ),
    )
    for row in keyed:
        approach = row.get("approach_no") if middle else None
        key = (row["strategy_no"], approach)
        if key not in titles:
            title = TEXT["strategy"].format(
                top=settings.top_level, number=row["strategy_no"], name=row["strategy_name"]
            )
            subtitle = None
            if middle and approach is not None:
                subtitle = TEXT["middle"].format(
                    middle=middle,
                    strategy=row["strategy_no"],
                    number=approach,
                    name=row.get("approach_name") or "",
                )
            titles[key] = (title, subtitle)
        areas = sections.setdefault(key, {})
        areas.setdefault((row["area_no"], row["area_name"]), []).append(row)
    return [
        Section(
            title=titles[key][0],
            subtitle=titles[key][1],
            groups=tuple(
                Group(TEXT["area"].format(name=name), _numbered(area_rows, marks, columns))
                for (_no, name), area_rows in areas.items()
            ),
        )
        for key, areas in sections.items()
    ]


def _equipment_sections(
    rows: Sequence[Mapping[str, Any]],
    marks: Mapping[int, str],
    columns: Sequence[ExtraColumn],
) -> list[Section]:
    """ผด.02/1: plan area → equipment type (in the order first met); numbering per type."""
    sections: dict[tuple[int, str], dict[str, list[Mapping[str, Any]]]] = {}
    for row in sorted(rows, key=lambda r: (r["area_no"], r["seq"])):
        kinds = sections.setdefault((row["area_no"], row["area_name"]), {})
        kind = row.get("equipment_type") or TEXT["no_equipment_type"]
        kinds.setdefault(kind, []).append(row)
    return [
        Section(
            title=name,
            groups=tuple(
                Group(kind, _numbered(kind_rows, marks, columns))
                for kind, kind_rows in sorted(kinds.items())
            ),
        )
        for (_no, name), kinds in sections.items()
    ]


def build_part1(
    settings: DocumentSettings, org: OrgFacts, fiscal_year: int
) -> tuple[Part1Section, ...]:
    """ส่วนที่ 1 from the org's own text where it wrote one, else the default template."""
    sections = []
    for key in PART1_SECTIONS:
        template = settings.part1.get(key) or PART1_DEFAULTS[key]
        text = _fill(template, org=org.full_name, fy=fiscal_year, committee=org.committee)
        paragraphs = tuple(p.strip() for p in text.split("\n") if p.strip())
        sections.append(Part1Section(PART1_HEADINGS[key], paragraphs))
    return tuple(sections)


def _fill(template: str, **values: Any) -> str:
    """``str.format`` that leaves unknown or broken placeholders as written (org text)."""
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError):
        return template


SIGNATURE_LABELS = ("sig_prepared", "sig_proposed", "sig_endorsed", "sig_approved")


def build_signatures(settings: DocumentSettings, org: OrgFacts) -> tuple[Signature, ...]:
    """The org's own signature block, else prepared/proposed/endorsed/approved by its people."""
    if settings.signatures:
        return tuple(
            Signature(str(s.get("label", "")), str(s.get("name", "")), str(s.get("position", "")))
            for s in settings.signatures
        )
    signatures = []
    for key in SIGNATURE_LABELS:
        name, position = org.members.get(key, ("", ""))
        signatures.append(Signature(TEXT[key], name, position))
    return tuple(signatures)


def development_plan_years(fiscal_year: int) -> tuple[int, int]:
    """The five-year development plan a fiscal year falls under (2566–2570, 2571–2575 …)."""
    start = 2561 + (fiscal_year - 2561) // 5 * 5
    return start, start + 4


def announcement(
    *,
    org: OrgFacts,
    fiscal_year: int,
    body: str,
    edition: str = "",
    announced_on: date | None = None,
    changes: Sequence[str] = (),
    **values: Any,
) -> Announcement:
    """One announcement; every year in it comes from ``fiscal_year`` (and the date given)."""
    dev_from, dev_to = development_plan_years(fiscal_year)
    filled = TEXT[body].format(
        org=org.full_name,
        fy=fiscal_year,
        prev=fiscal_year - 1,
        dev_from=dev_from,
        dev_to=dev_to,
        committee=org.committee,
        edition=edition,
        **values,
    )
    date_line = (
        TEXT["ann_date"].format(date=format_thai_date(announced_on))
        if announced_on is not None
        else TEXT["ann_date_blank"]
    )
    signer = org.executive_name
    return Announcement(
        title=TEXT["ann_title"].format(org=org.full_name),
        subject=TEXT["ann_subject"].format(
            fy=fiscal_year, edition=f" {edition}" if edition else ""
        ),
        paragraphs=(TEXT["ann_regulation"], filled),
        changes=tuple(changes),
        date_line=date_line,
        signer=TEXT["name"].format(name=signer) if signer else TEXT["blank_name"],
        position=org.executive_position or "",
    )

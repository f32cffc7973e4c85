"""Days on which Thai government offices (and so local governments) are closed.

Deadlines under the Civil and Commercial Code §193/8 move to the next working day
when their last day is a day off, so the bot needs the government-office calendar,
not the banks' or the private sector's one.

The calendar is built in two layers:

1. The ``holidays`` library's Thailand calendar, categories ``PUBLIC`` and
   ``GOVERNMENT``, Thai names (``language="th"``):

   * ``PUBLIC`` holds the holidays of the Prime Minister's Office announcement on
     official holidays (วันหยุดราชการประจำปี), their substitution days (``ชดเชย…``,
     which offices do close on), and the cabinet's special/bridge holidays
     (``วันหยุดพิเศษ (เพิ่มเติม)``, e.g. Fri 2 Jan 2026). National Children's Day is
     also in it; it is always the second Saturday of January, so it changes nothing.
   * ``GOVERNMENT`` holds only the Royal Ploughing Ceremony (วันพืชมงคล), a day off
     for government offices but not for banks.
   * National Labour Day (1 May, and its ``ชดเชย`` day) is in ``PUBLIC`` but is a
     holiday for banks and private employers only; government offices stay open,
     so it is removed (``NOT_GOVERNMENT_DAYS_OFF``).
   * Not used: ``BANK`` (banks' own closing days), ``WORKDAY`` (observances such as
     วันลอยกระทง that are working days), ``SCHOOL`` (วันครู, Ministry of Education
     only) and ``ARMED_FORCES`` (วันกองทัพไทย, the military only).

2. An operator file (YAML or CSV), because the cabinet adds special holidays at
   short notice and the library only knows what was decided before its release
   (and only knows วันพืชมงคล up to the year it was last updated). Each entry
   either adds a day off or, with ``working: true``, corrects a library holiday
   that offices in fact work on (it never opens a Saturday or Sunday). An entry
   with a ``province`` (one name or a list) is a regional day off: it counts only
   for organizations in that province (``DaysOff.of(province)``). See
   ``holidays.extra.example.yaml``.

The calendar also carries the deployment's deadline rule (``rule``): whether a duty's
period that ends on a day off ends there anyway (APA §64, the default) or on the next
working day (Civil Code §193/8). It is the one object every deadline computation is
handed, so the setting reaches every round without being threaded separately.

Several holidays on one date are shown as one name joined with ", " (5 December).
"""

from __future__ import annotations

import copy
import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import holidays
import yaml
from holidays.constants import GOVERNMENT, PUBLIC

from models.enums import DeadlineRule

__all__ = [
    "LIBRARY_CATEGORIES",
    "NOT_GOVERNMENT_DAYS_OFF",
    "WEEKEND",
    "DaysOff",
    "DeadlineRule",
    "ExtraDay",
    "load_extra_days",
]

LIBRARY_CATEGORIES: tuple[str, ...] = (PUBLIC, GOVERNMENT)
"""Library categories whose days government offices close on (see module docstring)."""

NOT_GOVERNMENT_DAYS_OFF: tuple[str, ...] = ("วันแรงงานแห่งชาติ",)
"""Library holiday names (substring match, so ``ชดเชย…`` goes too) offices work on."""

WEEKEND: frozenset[int] = frozenset({5, 6})
"""Saturday and Sunday, as ``date.weekday()`` numbers."""

WEEKDAY_NAMES: tuple[str, ...] = (
    "วันจันทร์",
    "วันอังคาร",
    "วันพุธ",
    "วันพฤหัสบดี",
    "วันศุกร์",
    "วันเสาร์",
    "วันอาทิตย์",
)

BE_OFFSET = 543
"""Buddhist Era year minus Common Era year."""

_BE_THRESHOLD = 2400
"""A year above this in the operator file is a Buddhist Era year."""

_MAX_RUN_OF_DAYS_OFF = 366
"""Safety stop for ``next_working_day`` against a file that closes a whole year."""

_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_ALLOWED_KEYS = frozenset({"date", "name", "working", "province"})
_PROVINCE_PREFIX = "จังหวัด"
_CSV_PROVINCE_SEPARATOR = ";"
_TRUE_TEXT = frozenset({"true", "yes", "y", "1"})
_FALSE_TEXT = frozenset({"false", "no", "n", "0", ""})


@dataclass(frozen=True)
class ExtraDay:
    """One entry of the operator file."""

    day: date
    name: str
    working: bool
    where: str  # "file: line N (entry M)", for error messages
    provinces: frozenset[str] = frozenset()  # empty: the whole country


class _TextDateLoader(yaml.SafeLoader):
    """SafeLoader that leaves dates as text, so ``2567-02-29`` (BE) is not rejected."""


_TextDateLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_extra_days(path: Path | str) -> list[ExtraDay]:
    """Read and validate an operator file; raise ``ValueError`` naming the bad entry."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"operator holiday file not found: {path}")
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        rows = _yaml_rows(path)
    elif suffix == ".csv":
        rows = _csv_rows(path)
    else:
        raise ValueError(f"{path}: unsupported extension {suffix!r} (use .yaml, .yml or .csv)")
    entries = [_parse_entry(raw, where) for where, raw in rows]
    _reject_duplicates(entries)
    return entries


def _yaml_rows(path: Path) -> list[tuple[str, Any]]:
    """Entries of a YAML list with their line numbers (taken from the node tree)."""
    text = path.read_text(encoding="utf-8")
    try:
        data = yaml.load(text, Loader=_TextDateLoader)  # a SafeLoader: no arbitrary objects
        node = yaml.compose(text, Loader=_TextDateLoader)
    except yaml.YAMLError as exc:
        raise ValueError(f"{path}: not valid YAML: {exc}") from exc
    if data is None:
        return []
    if not isinstance(data, list) or not isinstance(node, yaml.SequenceNode):
        raise ValueError(f"{path}: expected a list of entries such as '- date: 2025-10-24'")
    return [
        (f"{path}: line {item.start_mark.line + 1} (entry {index})", raw)
        for index, (item, raw) in enumerate(zip(node.value, data, strict=True), start=1)
    ]


def _csv_rows(path: Path) -> list[tuple[str, Any]]:
    """Rows of a CSV file with a ``date,name[,working][,province]`` header."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames is None:
            return []
        rows: list[tuple[str, Any]] = []
        for index, row in enumerate(reader, start=1):
            if not any((value or "").strip() for value in row.values() if isinstance(value, str)):
                continue  # blank line
            rows.append((f"{path}: line {reader.line_num} (entry {index})", row))
        return rows


def _parse_entry(raw: Any, where: str) -> ExtraDay:
    """Validate one entry; every problem names the file and the entry."""
    if not isinstance(raw, dict):
        raise ValueError(f"{where}: expected a mapping with 'date' and 'name', got {raw!r}")
    if None in raw:  # csv.DictReader's key for cells beyond the header
        raise ValueError(f"{where}: more cells than header columns")
    unknown = set(raw) - _ALLOWED_KEYS
    if unknown:
        raise ValueError(f"{where}: unknown field(s) {sorted(map(str, unknown))}")
    day = _parse_date(raw.get("date"), where)
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"{where}: 'name' is required (the Thai name shown to users)")
    working = _parse_working(raw.get("working"), where)
    provinces = _parse_provinces(raw.get("province"), where)
    if working and provinces:
        raise ValueError(f"{where}: a 'working' correction is national: remove 'province'")
    return ExtraDay(day, name.strip(), working, where, provinces)


def province_key(name: str) -> str:
    """A province as the file and the organization table may write it: ``จังหวัดขอนแก่น``,
    ``ขอนแก่น`` and `` ขอนแก่น `` are one province."""
    return "".join(name.split()).removeprefix(_PROVINCE_PREFIX)


def _parse_provinces(value: Any, where: str) -> frozenset[str]:
    """``province`` is optional: one name, a YAML list, or CSV names joined by ``;``."""
    if value is None:
        return frozenset()
    if isinstance(value, str):
        names = value.split(_CSV_PROVINCE_SEPARATOR)
    elif isinstance(value, list) and all(isinstance(v, str) for v in value):
        names = value
    else:
        raise ValueError(f"{where}: 'province' must be a province name or a list, got {value!r}")
    keys = frozenset(province_key(n) for n in names if province_key(n))
    if not keys and isinstance(value, list):
        raise ValueError(f"{where}: 'province' is an empty list")
    return keys


def _parse_date(value: Any, where: str) -> date:
    """ISO ``YYYY-MM-DD``; a year above 2400 is read as Buddhist Era."""
    match = _ISO_DATE.fullmatch(value.strip()) if isinstance(value, str) else None
    if match is None:
        raise ValueError(f"{where}: 'date' must be YYYY-MM-DD (e.g. 2025-10-24), got {value!r}")
    year, month, day = (int(part) for part in match.groups())
    if year > _BE_THRESHOLD:
        year -= BE_OFFSET
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise ValueError(f"{where}: 'date' {value!r} is not a real date ({exc})") from exc


def _parse_working(value: Any, where: str) -> bool:
    """``working`` is optional; YAML gives a bool, CSV gives text."""
    if value is None or isinstance(value, bool):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE_TEXT | _FALSE_TEXT:
        return value.strip().lower() in _TRUE_TEXT
    raise ValueError(f"{where}: 'working' must be true or false, got {value!r}")


def _reject_duplicates(entries: Iterable[ExtraDay]) -> None:
    """Two entries for one date and place are ambiguous (which name? day off or not?).

    Regional entries for different provinces on one date are fine; a national entry and
    a regional one on the same date are not (the national one already covers it).
    """
    seen: dict[tuple[date, str | None], ExtraDay] = {}
    for entry in entries:
        places: Iterable[str | None] = entry.provinces or [None]
        for place in places:
            clash = seen.get((entry.day, place)) or seen.get((entry.day, None))
            if clash is None and place is None:
                clash = next((e for (d, _p), e in seen.items() if d == entry.day), None)
            if clash is not None:
                raise ValueError(f"{entry.where}: {entry.day} is already listed at {clash.where}")
            seen[(entry.day, place)] = entry


class DaysOff:
    """The government-office calendar: weekends, library holidays, operator file.

    An instance made from the file is the national calendar; ``of(province)`` is the same
    calendar with that province's regional days off added (cached, sharing the library's
    years), which is what an organization's deadlines are counted on.
    """

    def __init__(
        self,
        extra_file: Path | str | None = None,
        *,
        weekend: frozenset[int] = WEEKEND,
        rule: DeadlineRule = DeadlineRule.AUTHORITY,
    ) -> None:
        if not weekend < frozenset(range(7)):
            raise ValueError(
                f"weekend must be weekday numbers 0-6 leaving a working day: {weekend}"
            )
        self.weekend = frozenset(weekend)
        self.rule = DeadlineRule(rule)
        self.province: str | None = None
        self._library: dict[int, dict[date, str]] = {}
        entries = load_extra_days(extra_file) if extra_file is not None else []
        self._national = {e.day: e.name for e in entries if not e.working and not e.provinces}
        self._added = self._national
        self._working = {e.day: e.name for e in entries if e.working}
        self._regional: dict[str, dict[date, str]] = {}
        for e in entries:
            for key in e.provinces:
                self._regional.setdefault(key, {})[e.day] = e.name
        self._views: dict[str | None, DaysOff] = {None: self}

    def of(self, province: str | None) -> DaysOff:
        """This calendar for an organization in ``province``: its regional days off too."""
        key = province_key(province) if province else None
        if key not in self._regional:
            key = None
        if key not in self._views:
            view = copy.copy(self)
            view.province = key
            view._added = {**self._national, **self._regional.get(key or "", {})}
            self._views[key] = view
        return self._views[key]

    def with_rule(self, rule: DeadlineRule) -> DaysOff:
        """The same calendar counting deadlines by ``rule`` (``planbot deadline --rule``)."""
        if rule is self.rule:
            return self
        other = copy.copy(self)
        other.rule = DeadlineRule(rule)
        other._views = {self.province: other}
        return other

    def warm(self, around: date, years: int = 1) -> None:
        """Build the calendars of the years around ``around`` now.

        The first calendar imports the holidays library's country modules, which takes
        most of a second; a server does it before taking traffic, not inside the first
        person's turn, where it would hold up everyone else's answers too.
        """
        for year in range(around.year - years, around.year + years + 1):
            self._year(year)

    def is_day_off(self, d: date) -> bool:
        """Whether government offices are closed on ``d``."""
        return d.weekday() in self.weekend or self._holiday_name(d) is not None

    def reason(self, d: date) -> str | None:
        """Thai reason ``d`` is a day off, or None; a holiday name beats ``วันเสาร์``."""
        name = self._holiday_name(d)
        if name is not None:
            return name
        return WEEKDAY_NAMES[d.weekday()] if d.weekday() in self.weekend else None

    def next_working_day(self, d: date) -> date:
        """``d`` itself if offices are open, else the first day after it that they are."""
        return self._working_day(d, 1)

    def last_working_day(self, d: date) -> date:
        """``d`` itself if offices are open, else the last day before it that they were."""
        return self._working_day(d, -1)

    def _working_day(self, d: date, step: int) -> date:
        for offset in range(_MAX_RUN_OF_DAYS_OFF):
            candidate = d + timedelta(days=offset * step)
            if not self.is_day_off(candidate):
                return candidate
        raise ValueError(f"no working day in the {_MAX_RUN_OF_DAYS_OFF} days from {d}")

    def holidays_between(self, start: date, end: date) -> list[tuple[date, str]]:
        """Holidays (not plain weekends) from ``start`` to ``end`` inclusive, sorted."""
        candidates = set(self._added)
        for year in range(start.year, end.year + 1):
            candidates.update(self._year(year))
        named = ((d, self._holiday_name(d)) for d in candidates if start <= d <= end)
        return sorted((d, name) for d, name in named if name is not None)

    def holidays_in_fiscal_year(self, fy_be: int) -> list[tuple[date, str]]:
        """Holidays of Thai fiscal year ``fy_be`` (BE): 1 Oct of the year before to 30 Sep."""
        if fy_be <= _BE_THRESHOLD:
            raise ValueError(f"fiscal year is a Buddhist Era year such as 2569, got {fy_be}")
        ce_year = fy_be - BE_OFFSET
        return self.holidays_between(date(ce_year - 1, 10, 1), date(ce_year, 9, 30))

    def _holiday_name(self, d: date) -> str | None:
        """The operator file wins over the library, both ways."""
        if d in self._added:
            return self._added[d]
        if d in self._working:
            return None
        return self._year(d.year).get(d)

    def _year(self, year: int) -> dict[date, str]:
        """Library holidays of one year, built on first use and kept (lazy cache)."""
        if year not in self._library:
            self._library[year] = _library_year(year)
        return self._library[year]


def _library_year(year: int) -> dict[date, str]:
    """One year of the library calendar, minus days offices work on, names joined."""
    calendar = holidays.country_holidays(
        "TH", years=year, categories=LIBRARY_CATEGORIES, language="th"
    )
    result: dict[date, str] = {}
    for d in calendar:
        names = [
            name
            for name in calendar.get_list(d)
            if not any(skip in name for skip in NOT_GOVERNMENT_DAYS_OFF)
        ]
        if names:
            result[d] = ", ".join(names)
    return result

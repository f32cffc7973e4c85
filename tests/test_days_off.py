"""The government-office calendar: library categories, operator file, fiscal years."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from models.days_off import DaysOff, load_extra_days

EXAMPLE_FILE = Path(__file__).resolve().parents[1] / "holidays.extra.example.yaml"

# Every day off in fiscal year 2569 (1 Oct 2025 - 30 Sep 2026), weekends aside,
# checked against the cabinet's 2568/2569 calendars. If a `holidays` upgrade
# changes this, review the change before updating the list.
FY2569_DAYS_OFF = [
    date(2025, 10, 13),  # วันนวมินทรมหาราช
    date(2025, 10, 23),  # วันปิยมหาราช
    date(2025, 12, 5),  # วันพ่อแห่งชาติ
    date(2025, 12, 10),  # วันรัฐธรรมนูญ
    date(2025, 12, 31),  # วันสิ้นปี
    date(2026, 1, 1),  # วันขึ้นปีใหม่
    date(2026, 1, 2),  # วันหยุดพิเศษ (มติ ครม. 12 พ.ย. 2567)
    date(2026, 1, 10),  # วันเด็กแห่งชาติ (a Saturday)
    date(2026, 3, 3),  # วันมาฆบูชา
    date(2026, 4, 6),  # วันจักรี
    date(2026, 4, 13),  # วันสงกรานต์
    date(2026, 4, 14),
    date(2026, 4, 15),
    date(2026, 5, 4),  # วันฉัตรมงคล
    date(2026, 5, 13),  # วันพืชมงคล (GOVERNMENT category)
    date(2026, 5, 31),  # วันวิสาขบูชา (a Sunday)
    date(2026, 6, 1),  # ชดเชยวันวิสาขบูชา
    date(2026, 6, 3),  # วันเฉลิมพระชนมพรรษา พระราชินี
    date(2026, 7, 28),  # วันเฉลิมพระชนมพรรษา ร.10
    date(2026, 7, 29),  # วันอาสาฬหบูชา
    date(2026, 7, 30),  # วันเข้าพรรษา
    date(2026, 8, 12),  # วันแม่แห่งชาติ
]


@pytest.fixture(scope="module")
def days_off() -> DaysOff:
    return DaysOff()


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- library calendar -------------------------------------------------------------


def test_thai_holiday_name_is_the_reason(days_off: DaysOff) -> None:
    assert days_off.reason(date(2025, 10, 23)) == "วันปิยมหาราช"
    assert days_off.is_day_off(date(2025, 10, 23))


def test_weekends_are_named_in_thai(days_off: DaysOff) -> None:
    assert days_off.reason(date(2025, 11, 1)) == "วันเสาร์"
    assert days_off.reason(date(2025, 11, 2)) == "วันอาทิตย์"


def test_working_day_has_no_reason(days_off: DaysOff) -> None:
    assert not days_off.is_day_off(date(2025, 11, 3))
    assert days_off.reason(date(2025, 11, 3)) is None


def test_holiday_on_a_weekend_shows_the_holiday_name(days_off: DaysOff) -> None:
    assert days_off.reason(date(2026, 1, 10)) == "วันเด็กแห่งชาติ"


def test_substitution_days_are_days_off(days_off: DaysOff) -> None:
    assert days_off.reason(date(2026, 6, 1)) == "ชดเชยวันวิสาขบูชา"
    assert days_off.reason(date(2025, 4, 16)) == "ชดเชยวันสงกรานต์"


def test_cabinet_bridge_holiday_is_a_day_off(days_off: DaysOff) -> None:
    assert days_off.reason(date(2026, 1, 2)) == "วันหยุดพิเศษ (เพิ่มเติม)"


def test_royal_ploughing_ceremony_is_a_government_day_off(days_off: DaysOff) -> None:
    assert days_off.reason(date(2026, 5, 13)) == "วันพืชมงคล"


@pytest.mark.parametrize(
    "working_day",
    [
        date(2026, 5, 1),  # วันแรงงานแห่งชาติ: banks and private sector only
        date(2027, 5, 3),  # ชดเชยวันแรงงานแห่งชาติ (1 May 2027 is a Saturday)
        date(2025, 11, 5),  # วันลอยกระทง: WORKDAY category, an observance
        date(2026, 1, 16),  # วันครู: SCHOOL category
    ],
)
def test_days_offices_work_on_are_not_days_off(days_off: DaysOff, working_day: date) -> None:
    assert not days_off.is_day_off(working_day)


def test_several_holidays_on_one_day_are_all_named(days_off: DaysOff) -> None:
    reason = days_off.reason(date(2025, 12, 5))
    assert reason is not None
    assert "วันชาติ" in reason
    assert "วันพ่อแห่งชาติ" in reason


def test_next_working_day_is_the_day_itself_when_working(days_off: DaysOff) -> None:
    assert days_off.next_working_day(date(2025, 10, 31)) == date(2025, 10, 31)


def test_next_working_day_skips_songkran_and_weekend(days_off: DaysOff) -> None:
    assert days_off.next_working_day(date(2026, 4, 11)) == date(2026, 4, 16)


def test_custom_weekend(days_off: DaysOff) -> None:
    sunday_only = DaysOff(weekend=frozenset({6}))
    assert not sunday_only.is_day_off(date(2025, 11, 1))
    assert sunday_only.is_day_off(date(2025, 11, 2))


def test_weekend_of_every_day_is_rejected() -> None:
    with pytest.raises(ValueError, match="weekend"):
        DaysOff(weekend=frozenset(range(7)))


def test_holidays_between_lists_holidays_not_weekends(days_off: DaysOff) -> None:
    assert days_off.holidays_between(date(2025, 10, 1), date(2025, 10, 31)) == [
        (date(2025, 10, 13), "วันนวมินทรมหาราช"),
        (date(2025, 10, 23), "วันปิยมหาราช"),
    ]


def test_holidays_between_spans_years(days_off: DaysOff) -> None:
    dates = [d for d, _ in days_off.holidays_between(date(2025, 12, 31), date(2026, 1, 2))]
    assert dates == [date(2025, 12, 31), date(2026, 1, 1), date(2026, 1, 2)]


def test_holidays_in_fiscal_year_2569(days_off: DaysOff) -> None:
    listed = days_off.holidays_in_fiscal_year(2569)
    dates = [d for d, _ in listed]
    assert date(2025, 10, 13) in dates
    assert date(2026, 4, 13) in dates
    assert all(date(2025, 10, 1) <= d <= date(2026, 9, 30) for d in dates)
    assert dates == sorted(dates)
    assert dates == FY2569_DAYS_OFF


def test_fiscal_year_must_be_buddhist_era(days_off: DaysOff) -> None:
    with pytest.raises(ValueError, match="Buddhist Era"):
        days_off.holidays_in_fiscal_year(2026)


# --- operator file ------------------------------------------------------------------


def test_file_adds_a_day_off(tmp_path: Path) -> None:
    path = write(tmp_path, "extra.yaml", '- date: 2025-10-24\n  name: "วันหยุดพิเศษ (มติ ครม.)"\n')
    days_off = DaysOff(path)
    assert days_off.reason(date(2025, 10, 24)) == "วันหยุดพิเศษ (มติ ครม.)"
    assert (date(2025, 10, 24), "วันหยุดพิเศษ (มติ ครม.)") in days_off.holidays_in_fiscal_year(2569)


def test_file_working_correction_removes_a_library_holiday(tmp_path: Path) -> None:
    path = write(tmp_path, "extra.yaml", "- date: 2025-10-23\n  working: true\n  name: แก้ไข\n")
    days_off = DaysOff(path)
    assert not days_off.is_day_off(date(2025, 10, 23))
    assert days_off.reason(date(2025, 10, 23)) is None
    assert date(2025, 10, 23) not in [d for d, _ in days_off.holidays_in_fiscal_year(2569)]


def test_working_correction_does_not_open_a_weekend(tmp_path: Path) -> None:
    path = write(tmp_path, "extra.yaml", "- date: 2026-01-10\n  working: true\n  name: x\n")
    days_off = DaysOff(path)
    assert days_off.reason(date(2026, 1, 10)) == "วันเสาร์"


def test_file_name_wins_over_library_name(tmp_path: Path) -> None:
    path = write(tmp_path, "extra.yaml", "- date: 2026-01-02\n  name: วันหยุดพิเศษ ครม.\n")
    listed = DaysOff(path).holidays_between(date(2026, 1, 2), date(2026, 1, 2))
    assert listed == [(date(2026, 1, 2), "วันหยุดพิเศษ ครม.")]


def test_buddhist_era_dates_are_accepted(tmp_path: Path) -> None:
    path = write(
        tmp_path, "extra.yaml", "- date: 2567-02-29\n  name: x\n- date: '2568-10-24'\n  name: y\n"
    )
    assert [e.day for e in load_extra_days(path)] == [date(2024, 2, 29), date(2025, 10, 24)]


def test_csv_file_works(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "extra.csv",
        "date,name,working\n2568-10-24,วันหยุดพิเศษ,\n2025-10-23,แก้ไข,true\n",
    )
    days_off = DaysOff(path)
    assert days_off.reason(date(2025, 10, 24)) == "วันหยุดพิเศษ"
    assert not days_off.is_day_off(date(2025, 10, 23))


def test_empty_yaml_file_adds_nothing(tmp_path: Path) -> None:
    assert load_extra_days(write(tmp_path, "extra.yaml", "# nothing yet\n")) == []


def test_example_file_is_valid() -> None:
    entries = load_extra_days(EXAMPLE_FILE)
    assert entries
    assert all(not e.working for e in entries)


def test_missing_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"not found: .*holidays\.yaml"):
        DaysOff(tmp_path / "holidays.yaml")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("- date: 2025-10-24\n  name: ok\n- date: 24/10/2025\n  name: bad\n", "line 3 (entry 2)"),
        ("- date: 2025-02-30\n  name: x\n", "not a real date"),
        ("- date: 2025-10-24\n", "'name' is required"),
        ("- date: 2025-10-24\n  name: x\n  workng: true\n", "unknown field"),
        ("- date: 2025-10-24\n  name: x\n  working: maybe\n", "'working' must be"),
        ("- date: 2025-10-24\n  name: x\n- date: 2568-10-24\n  name: y\n", "already listed"),
        ("- 2025-10-24\n", "expected a mapping"),
        ("date: 2025-10-24\nname: x\n", "expected a list"),
        ("- date: [\n", "not valid YAML"),
    ],
)
def test_bad_yaml_entry_names_file_and_entry(tmp_path: Path, text: str, problem: str) -> None:
    path = write(tmp_path, "extra.yaml", text)
    with pytest.raises(ValueError, match=re.escape(problem)) as error:
        DaysOff(path)
    assert "extra.yaml" in str(error.value)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("date,name\n2025-10-24,ok\n2025-13-01,bad\n", "line 3 (entry 2)"),
        ("date,name\n2025-10-24,\n", "'name' is required"),
        ("date,name\n2025-10-24,x,extra\n", "more cells"),
        ("date,name,working\n2025-10-24,x,maybe\n", "'working' must be"),
    ],
)
def test_bad_csv_row_names_file_and_line(tmp_path: Path, text: str, problem: str) -> None:
    path = write(tmp_path, "extra.csv", text)
    with pytest.raises(ValueError, match=re.escape(problem)) as error:
        DaysOff(path)
    assert "extra.csv" in str(error.value)


def test_unknown_extension_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unsupported extension"):
        DaysOff(write(tmp_path, "extra.txt", "2025-10-24"))


def test_warm_builds_the_years_around_a_day_before_anyone_asks() -> None:
    """A server warms the calendar at start-up so no turn pays for the library's import."""
    days_off = DaysOff()
    days_off.warm(date(2025, 10, 1))
    assert sorted(days_off._library) == [2024, 2025, 2026]
    assert days_off.reason(date(2025, 12, 5)) is not None  # answered from the warm cache
    assert sorted(days_off._library) == [2024, 2025, 2026]


# --- regional days off (one province) ------------------------------------------------------


def test_a_regional_day_off_counts_only_for_its_province(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "extra.yaml",
        "- date: 2025-11-20\n  name: วันหยุดจังหวัด\n  province: [ขอนแก่น, จังหวัดอุดรธานี]\n",
    )
    national = DaysOff(path)
    assert not national.is_day_off(date(2025, 11, 20))
    for province in ("ขอนแก่น", "จังหวัดขอนแก่น", " ขอนแก่น ", "อุดรธานี"):
        assert national.of(province).reason(date(2025, 11, 20)) == "วันหยุดจังหวัด", province
    assert not national.of("เชียงใหม่").is_day_off(date(2025, 11, 20))
    assert national.of(None) is national
    assert (date(2025, 11, 20), "วันหยุดจังหวัด") in national.of("ขอนแก่น").holidays_in_fiscal_year(2569)


def test_csv_lists_provinces_with_semicolons(tmp_path: Path) -> None:
    path = write(tmp_path, "extra.csv", "date,name,province\n2025-11-20,วันหยุดจังหวัด,ขอนแก่น;อุดรธานี\n")
    assert DaysOff(path).of("อุดรธานี").is_day_off(date(2025, 11, 20))


def test_two_provinces_may_have_their_own_day_off_on_one_date(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "extra.yaml",
        "- date: 2025-11-20\n  name: ก\n  province: ขอนแก่น\n"
        "- date: 2025-11-20\n  name: ข\n  province: อุดรธานี\n",
    )
    days_off = DaysOff(path)
    assert days_off.of("ขอนแก่น").reason(date(2025, 11, 20)) == "ก"
    assert days_off.of("อุดรธานี").reason(date(2025, 11, 20)) == "ข"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("- date: 2025-11-20\n  name: x\n  working: true\n  province: ขอนแก่น\n", "national"),
        ("- date: 2025-11-20\n  name: x\n  province: 5\n", "'province' must be"),
        (
            "- date: 2025-11-20\n  name: x\n- date: 2025-11-20\n  name: y\n  province: ขอนแก่น\n",
            "already listed",
        ),
    ],
)
def test_bad_regional_entries_are_refused(tmp_path: Path, text: str, problem: str) -> None:
    with pytest.raises(ValueError, match=re.escape(problem)):
        DaysOff(write(tmp_path, "extra.yaml", text))

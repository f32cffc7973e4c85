"""Deadlines counted as the Civil and Commercial Code §193/3 and §193/8 say.

Every expected date below was worked out by hand against the real 2025/2026
calendar (weekdays and the cabinet's holiday lists), not computed by the code.
"""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.days_off import DaysOff
from models.deadlines import (
    POSTING_DAYS,
    POSTING_MINIMUM_DAYS,
    PREPARATION_DAYS,
    deadline_after,
    earliest_removal,
    posting_deadline,
    preparation_deadline,
)

DAYS_OFF = DaysOff()  # module level: hypothesis tests cannot use function-scoped fixtures


def test_constants_match_the_regulation() -> None:
    assert (PREPARATION_DAYS, POSTING_DAYS, POSTING_MINIMUM_DAYS) == (30, 15, 30)


# --- preparation deadline (30 days) ------------------------------------------------------


def test_budget_announced_wed_1_oct_2025_is_due_fri_31_oct_2025() -> None:
    deadline = preparation_deadline(date(2025, 10, 1), DAYS_OFF)
    assert deadline.calendar_day == date(2025, 10, 31)
    assert deadline.legal_day == date(2025, 10, 31)
    assert not deadline.moved
    assert deadline.skipped == ()


def test_30th_day_on_a_saturday_moves_to_monday() -> None:
    deadline = preparation_deadline(date(2025, 10, 2), DAYS_OFF)  # day 30: Sat 1 Nov 2025
    assert deadline.calendar_day == date(2025, 11, 1)
    assert deadline.legal_day == date(2025, 11, 3)
    assert deadline.moved
    assert deadline.skipped == ((date(2025, 11, 1), "วันเสาร์"), (date(2025, 11, 2), "วันอาทิตย์"))


def test_30th_day_on_mon_13_oct_2025_moves_to_tue_14_oct() -> None:
    deadline = preparation_deadline(date(2025, 9, 13), DAYS_OFF)
    assert deadline.calendar_day == date(2025, 10, 13)
    assert deadline.legal_day == date(2025, 10, 14)
    assert deadline.skipped == ((date(2025, 10, 13), "วันนวมินทรมหาราช"),)


def test_30th_day_on_thu_23_oct_2025_moves_to_fri_24_oct() -> None:
    deadline = preparation_deadline(date(2025, 9, 23), DAYS_OFF)
    assert deadline.calendar_day == date(2025, 10, 23)
    assert deadline.legal_day == date(2025, 10, 24)
    assert deadline.skipped == ((date(2025, 10, 23), "วันปิยมหาราช"),)


def test_30th_day_on_fri_5_dec_2025_moves_past_the_weekend_to_mon_8_dec() -> None:
    deadline = preparation_deadline(date(2025, 11, 5), DAYS_OFF)
    assert deadline.calendar_day == date(2025, 12, 5)
    assert deadline.legal_day == date(2025, 12, 8)
    assert [d for d, _ in deadline.skipped] == [
        date(2025, 12, 5),
        date(2025, 12, 6),
        date(2025, 12, 7),
    ]
    assert "วันพ่อแห่งชาติ" in deadline.skipped[0][1]


def test_30th_day_on_wed_10_dec_2025_moves_to_thu_11_dec() -> None:
    deadline = preparation_deadline(date(2025, 11, 10), DAYS_OFF)
    assert deadline.calendar_day == date(2025, 12, 10)
    assert deadline.legal_day == date(2025, 12, 11)
    assert deadline.skipped == ((date(2025, 12, 10), "วันรัฐธรรมนูญ"),)


def test_30th_day_on_wed_31_dec_2025_skips_new_year_run_to_mon_5_jan_2026() -> None:
    deadline = preparation_deadline(date(2025, 12, 1), DAYS_OFF)
    assert deadline.calendar_day == date(2025, 12, 31)
    assert deadline.legal_day == date(2026, 1, 5)
    assert deadline.skipped == (
        (date(2025, 12, 31), "วันสิ้นปี"),
        (date(2026, 1, 1), "วันขึ้นปีใหม่"),
        (date(2026, 1, 2), "วันหยุดพิเศษ (เพิ่มเติม)"),  # cabinet resolution of 12 Nov 2024
        (date(2026, 1, 3), "วันเสาร์"),
        (date(2026, 1, 4), "วันอาทิตย์"),
    )


@pytest.mark.parametrize(
    ("trigger", "day_30"),
    [
        (date(2026, 3, 14), date(2026, 4, 13)),  # Mon
        (date(2026, 3, 15), date(2026, 4, 14)),  # Tue
        (date(2026, 3, 16), date(2026, 4, 15)),  # Wed
    ],
)
def test_30th_day_in_songkran_2026_moves_to_thu_16_apr(trigger: date, day_30: date) -> None:
    deadline = preparation_deadline(trigger, DAYS_OFF)
    assert deadline.calendar_day == day_30
    assert deadline.legal_day == date(2026, 4, 16)
    assert all(reason == "วันสงกรานต์" for _, reason in deadline.skipped)


def test_30th_day_on_sun_13_apr_2025_skips_songkran_and_its_substitute_to_thu_17_apr() -> None:
    deadline = preparation_deadline(date(2025, 3, 14), DAYS_OFF)
    assert deadline.calendar_day == date(2025, 4, 13)
    assert deadline.legal_day == date(2025, 4, 17)
    assert deadline.skipped == (
        (date(2025, 4, 13), "วันสงกรานต์"),
        (date(2025, 4, 14), "วันสงกรานต์"),
        (date(2025, 4, 15), "วันสงกรานต์"),
        (date(2025, 4, 16), "ชดเชยวันสงกรานต์"),
    )


def test_weekend_joined_to_songkran_2026_moves_past_the_whole_run() -> None:
    deadline = preparation_deadline(date(2026, 3, 12), DAYS_OFF)  # day 30: Sat 11 Apr 2026
    assert deadline.calendar_day == date(2026, 4, 11)
    assert deadline.legal_day == date(2026, 4, 16)
    assert deadline.skipped == (
        (date(2026, 4, 11), "วันเสาร์"),
        (date(2026, 4, 12), "วันอาทิตย์"),
        (date(2026, 4, 13), "วันสงกรานต์"),
        (date(2026, 4, 14), "วันสงกรานต์"),
        (date(2026, 4, 15), "วันสงกรานต์"),
    )


# --- posting deadline (15 days) and posting period (at least 30 days) --------------------


def test_posting_deadline_is_15_days_after_announcement() -> None:
    deadline = posting_deadline(date(2025, 11, 3), DAYS_OFF)  # Mon
    assert deadline.days == 15
    assert deadline.legal_day == date(2025, 11, 18)  # Tue
    assert not deadline.moved


def test_posting_deadline_on_a_saturday_moves_to_monday() -> None:
    deadline = posting_deadline(date(2025, 10, 31), DAYS_OFF)  # day 15: Sat 15 Nov 2025
    assert deadline.calendar_day == date(2025, 11, 15)
    assert deadline.legal_day == date(2025, 11, 17)


def test_posted_5_nov_2025_may_come_down_from_6_dec_2025() -> None:
    assert earliest_removal(date(2025, 11, 5)) == date(2025, 12, 6)


def test_earliest_removal_is_not_moved_by_a_holiday() -> None:
    removal = earliest_removal(date(2025, 11, 4))
    assert removal == date(2025, 12, 5)
    assert DAYS_OFF.is_day_off(removal)  # วันพ่อแห่งชาติ, and still the answer


# --- the Deadline value --------------------------------------------------------------------


def test_days_left_counts_to_the_legal_day() -> None:
    deadline = preparation_deadline(date(2025, 10, 2), DAYS_OFF)  # legal day Mon 3 Nov 2025
    assert deadline.days_left(date(2025, 10, 2)) == 32
    assert deadline.days_left(date(2025, 11, 3)) == 0
    assert deadline.days_left(date(2025, 11, 5)) == -2


def test_deadline_is_immutable() -> None:
    deadline = preparation_deadline(date(2025, 10, 1), DAYS_OFF)
    with pytest.raises(dataclasses.FrozenInstanceError):
        deadline.legal_day = date(2025, 11, 1)  # type: ignore[misc]


def test_period_must_have_days() -> None:
    with pytest.raises(ValueError, match="at least one day"):
        deadline_after(date(2025, 10, 1), 0, DAYS_OFF)


# --- operator file ---------------------------------------------------------------------------


def test_extra_holiday_from_operator_file_moves_a_deadline(tmp_path: Path) -> None:
    extra = tmp_path / "holidays.extra.yaml"
    extra.write_text('- date: 2025-10-24\n  name: "วันหยุดพิเศษ (มติคณะรัฐมนตรี)"\n', encoding="utf-8")
    deadline = preparation_deadline(date(2025, 9, 24), DaysOff(extra))  # day 30: Fri 24 Oct
    assert deadline.legal_day == date(2025, 10, 27)
    assert deadline.skipped[0] == (date(2025, 10, 24), "วันหยุดพิเศษ (มติคณะรัฐมนตรี)")
    assert preparation_deadline(date(2025, 9, 24), DAYS_OFF).legal_day == date(2025, 10, 24)


def test_working_correction_in_operator_file_unmoves_a_deadline(tmp_path: Path) -> None:
    extra = tmp_path / "holidays.extra.yaml"
    extra.write_text("- date: 2025-10-13\n  working: true\n  name: เปิดทำการ\n", encoding="utf-8")
    deadline = preparation_deadline(date(2025, 9, 13), DaysOff(extra))
    assert deadline.legal_day == date(2025, 10, 13)
    assert not deadline.moved


def test_csv_operator_file_moves_a_deadline(tmp_path: Path) -> None:
    extra = tmp_path / "holidays.extra.csv"
    extra.write_text("date,name\n2568-10-24,วันหยุดพิเศษ\n", encoding="utf-8")
    deadline = preparation_deadline(date(2025, 9, 24), DaysOff(extra))
    assert deadline.legal_day == date(2025, 10, 27)


# --- properties --------------------------------------------------------------------------------

starts = st.dates(min_value=date(2015, 1, 1), max_value=date(2035, 12, 31))
lengths = st.integers(min_value=1, max_value=120)
# No per-example deadline: the first example of a new year builds that year's calendar.
calendar_property = settings(deadline=None)


@calendar_property
@given(starts, lengths)
def test_legal_day_is_never_a_day_off(start: date, days: int) -> None:
    assert not DAYS_OFF.is_day_off(deadline_after(start, days, DAYS_OFF).legal_day)


@calendar_property
@given(starts, lengths)
def test_legal_day_is_never_before_calendar_day(start: date, days: int) -> None:
    deadline = deadline_after(start, days, DAYS_OFF)
    assert deadline.calendar_day == start + timedelta(days=days)
    assert deadline.legal_day >= deadline.calendar_day


@calendar_property
@given(starts, lengths)
def test_no_working_day_between_calendar_day_and_legal_day(start: date, days: int) -> None:
    deadline = deadline_after(start, days, DAYS_OFF)
    gap = (deadline.legal_day - deadline.calendar_day).days
    between = [deadline.calendar_day + timedelta(days=i) for i in range(gap)]
    assert all(DAYS_OFF.is_day_off(d) for d in between)
    assert [d for d, _ in deadline.skipped] == between
    assert all(reason for _, reason in deadline.skipped)
    assert deadline.moved == bool(between)


@calendar_property
@given(starts)
def test_earliest_removal_is_always_31_days_after_posting(posted_on: date) -> None:
    assert earliest_removal(posted_on) == posted_on + timedelta(days=31)

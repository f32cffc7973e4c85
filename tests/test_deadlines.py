"""Deadlines as the law counts an authority's duty (the default) and as §193/8 counts them.

§193/3: the first day is not counted, so an N-day period's last day is ``event + N``. By
default (APA §64, ``authority``) that day is the deadline even when offices are closed; the
last working day before it is named. Under ``civil`` (§193/8) it moves to the next working day.

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
    DeadlineRule,
    deadline_after,
    earliest_removal,
    posting_deadline,
    preparation_deadline,
)

DAYS_OFF = DaysOff()  # module level: hypothesis tests cannot use function-scoped fixtures
CIVIL = DaysOff(rule=DeadlineRule.CIVIL)


def test_constants_match_the_regulation() -> None:
    assert (PREPARATION_DAYS, POSTING_DAYS, POSTING_MINIMUM_DAYS) == (30, 15, 30)


def test_the_default_rule_is_the_authoritys() -> None:
    assert DAYS_OFF.rule is DeadlineRule.AUTHORITY


# --- preparation deadline (30 days), default rule: never moved ----------------------------


def test_budget_announced_wed_1_oct_2025_is_due_fri_31_oct_2025_either_way() -> None:
    for days_off in (DAYS_OFF, CIVIL):
        deadline = preparation_deadline(date(2025, 10, 1), days_off)
        assert deadline.calendar_day == deadline.due == date(2025, 10, 31)
        assert deadline.last_working_day == deadline.civil_code_day == date(2025, 10, 31)
        assert deadline.act_by == date(2025, 10, 31)
        assert not deadline.moved and not deadline.on_day_off
        assert deadline.days_off == ()


def test_30th_day_on_a_saturday_stays_and_names_friday() -> None:
    deadline = preparation_deadline(date(2025, 10, 2), DAYS_OFF)  # day 30: Sat 1 Nov 2025
    assert deadline.due == deadline.calendar_day == date(2025, 11, 1)
    assert deadline.on_day_off and not deadline.moved
    assert deadline.last_working_day == deadline.act_by == date(2025, 10, 31)  # Fri
    assert deadline.civil_code_day == date(2025, 11, 3)
    assert deadline.days_off == ((date(2025, 11, 1), "วันเสาร์"), (date(2025, 11, 2), "วันอาทิตย์"))


def test_30th_day_on_a_sunday_stays_and_names_friday() -> None:
    deadline = preparation_deadline(date(2025, 10, 3), DAYS_OFF)  # day 30: Sun 2 Nov 2025
    assert deadline.due == date(2025, 11, 2)
    assert deadline.on_day_off
    assert deadline.act_by == date(2025, 10, 31)  # Fri
    assert deadline.civil_code_day == date(2025, 11, 3)  # Mon
    assert deadline.days_off == ((date(2025, 11, 1), "วันเสาร์"), (date(2025, 11, 2), "วันอาทิตย์"))


def test_30th_day_on_mon_13_oct_2025_stays_and_names_fri_10_oct() -> None:
    deadline = preparation_deadline(date(2025, 9, 13), DAYS_OFF)
    assert deadline.due == date(2025, 10, 13)  # วันนวมินทรมหาราช
    assert deadline.act_by == date(2025, 10, 10)
    assert deadline.civil_code_day == date(2025, 10, 14)
    assert deadline.days_off == (
        (date(2025, 10, 11), "วันเสาร์"),
        (date(2025, 10, 12), "วันอาทิตย์"),
        (date(2025, 10, 13), "วันนวมินทรมหาราช"),
    )


def test_30th_day_on_thu_23_oct_2025_stays_and_names_wed_22_oct() -> None:
    deadline = preparation_deadline(date(2025, 9, 23), DAYS_OFF)
    assert (deadline.due, deadline.act_by) == (date(2025, 10, 23), date(2025, 10, 22))
    assert deadline.civil_code_day == date(2025, 10, 24)
    assert deadline.days_off == ((date(2025, 10, 23), "วันปิยมหาราช"),)


def test_30th_day_on_fri_5_dec_2025_stays_and_names_thu_4_dec() -> None:
    deadline = preparation_deadline(date(2025, 11, 5), DAYS_OFF)
    assert (deadline.due, deadline.act_by) == (date(2025, 12, 5), date(2025, 12, 4))
    assert deadline.civil_code_day == date(2025, 12, 8)
    assert [d for d, _ in deadline.days_off] == [
        date(2025, 12, 5),
        date(2025, 12, 6),
        date(2025, 12, 7),
    ]
    assert "วันพ่อแห่งชาติ" in deadline.days_off[0][1]


def test_30th_day_on_wed_10_dec_2025_stays_and_names_tue_9_dec() -> None:
    deadline = preparation_deadline(date(2025, 11, 10), DAYS_OFF)
    assert (deadline.due, deadline.act_by) == (date(2025, 12, 10), date(2025, 12, 9))
    assert deadline.civil_code_day == date(2025, 12, 11)
    assert deadline.days_off == ((date(2025, 12, 10), "วันรัฐธรรมนูญ"),)


def test_30th_day_on_wed_31_dec_2025_stays_and_names_tue_30_dec() -> None:
    deadline = preparation_deadline(date(2025, 12, 1), DAYS_OFF)
    assert (deadline.due, deadline.act_by) == (date(2025, 12, 31), date(2025, 12, 30))
    assert deadline.civil_code_day == date(2026, 1, 5)
    assert deadline.days_off == (
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
def test_30th_day_in_songkran_2026_stays_and_names_fri_10_apr(trigger: date, day_30: date) -> None:
    deadline = preparation_deadline(trigger, DAYS_OFF)
    assert deadline.due == deadline.calendar_day == day_30
    assert deadline.act_by == date(2026, 4, 10)
    assert deadline.civil_code_day == date(2026, 4, 16)
    assert [reason for _, reason in deadline.days_off] == [
        "วันเสาร์",
        "วันอาทิตย์",
        "วันสงกรานต์",
        "วันสงกรานต์",
        "วันสงกรานต์",
    ]


def test_30th_day_on_sun_13_apr_2025_in_songkran_names_fri_11_apr() -> None:
    deadline = preparation_deadline(date(2025, 3, 14), DAYS_OFF)
    assert (deadline.due, deadline.act_by) == (date(2025, 4, 13), date(2025, 4, 11))
    assert deadline.civil_code_day == date(2025, 4, 17)
    assert deadline.days_off == (
        (date(2025, 4, 12), "วันเสาร์"),
        (date(2025, 4, 13), "วันสงกรานต์"),
        (date(2025, 4, 14), "วันสงกรานต์"),
        (date(2025, 4, 15), "วันสงกรานต์"),
        (date(2025, 4, 16), "ชดเชยวันสงกรานต์"),
    )


# --- the same dates under §193/8 (PLANBOT_DEADLINE_RULE=civil): moved forward ----------------


@pytest.mark.parametrize(
    ("trigger", "calendar_day", "due"),
    [
        (date(2025, 10, 2), date(2025, 11, 1), date(2025, 11, 3)),  # Sat → Mon
        (date(2025, 10, 3), date(2025, 11, 2), date(2025, 11, 3)),  # Sun → Mon
        (date(2025, 9, 13), date(2025, 10, 13), date(2025, 10, 14)),  # วันนวมินทรมหาราช
        (date(2025, 9, 23), date(2025, 10, 23), date(2025, 10, 24)),  # วันปิยมหาราช
        (date(2025, 11, 5), date(2025, 12, 5), date(2025, 12, 8)),  # past the weekend
        (date(2025, 11, 10), date(2025, 12, 10), date(2025, 12, 11)),  # วันรัฐธรรมนูญ
        (date(2025, 12, 1), date(2025, 12, 31), date(2026, 1, 5)),  # the new-year run
        (date(2026, 3, 14), date(2026, 4, 13), date(2026, 4, 16)),  # Songkran 2026
        (date(2026, 3, 12), date(2026, 4, 11), date(2026, 4, 16)),  # weekend + Songkran
        (date(2025, 3, 14), date(2025, 4, 13), date(2025, 4, 17)),  # Songkran + substitute
    ],
)
def test_civil_rule_moves_a_day_off_to_the_next_working_day(
    trigger: date, calendar_day: date, due: date
) -> None:
    deadline = preparation_deadline(trigger, CIVIL)
    assert deadline.rule is DeadlineRule.CIVIL
    assert deadline.calendar_day == calendar_day
    assert deadline.due == deadline.act_by == due
    assert deadline.moved and not deadline.on_day_off
    assert deadline.days_left(due) == 0


def test_one_call_may_override_the_calendars_rule() -> None:
    deadline = deadline_after(date(2025, 9, 13), 30, DAYS_OFF, DeadlineRule.CIVIL)
    assert deadline.due == date(2025, 10, 14)
    assert DAYS_OFF.with_rule(DeadlineRule.CIVIL).rule is DeadlineRule.CIVIL
    assert DAYS_OFF.rule is DeadlineRule.AUTHORITY  # the calendar itself is unchanged


# --- posting deadline (15 days) and posting period (at least 30 days) --------------------


def test_posting_deadline_is_15_days_after_announcement() -> None:
    deadline = posting_deadline(date(2025, 11, 3), DAYS_OFF)  # Mon
    assert deadline.days == 15
    assert deadline.due == date(2025, 11, 18)  # Tue
    assert not deadline.moved and not deadline.on_day_off


def test_posting_deadline_on_a_saturday_stays_and_names_friday() -> None:
    deadline = posting_deadline(date(2025, 10, 31), DAYS_OFF)  # day 15: Sat 15 Nov 2025
    assert deadline.due == date(2025, 11, 15)
    assert deadline.act_by == date(2025, 11, 14)
    assert posting_deadline(date(2025, 10, 31), CIVIL).due == date(2025, 11, 17)


def test_posted_5_nov_2025_may_come_down_from_6_dec_2025() -> None:
    assert earliest_removal(date(2025, 11, 5)) == date(2025, 12, 6)


def test_earliest_removal_is_not_moved_by_a_holiday() -> None:
    removal = earliest_removal(date(2025, 11, 4))
    assert removal == date(2025, 12, 5)
    assert DAYS_OFF.is_day_off(removal)  # วันพ่อแห่งชาติ, and still the answer


# --- the Deadline value --------------------------------------------------------------------


def test_days_left_counts_to_the_deadline() -> None:
    deadline = preparation_deadline(date(2025, 10, 2), DAYS_OFF)  # due Sat 1 Nov 2025
    assert deadline.days_left(date(2025, 10, 2)) == 30
    assert deadline.days_left(date(2025, 11, 1)) == 0
    assert deadline.days_left(date(2025, 11, 3)) == -2
    assert preparation_deadline(date(2025, 10, 2), CIVIL).days_left(date(2025, 10, 2)) == 32


def test_deadline_is_immutable() -> None:
    deadline = preparation_deadline(date(2025, 10, 1), DAYS_OFF)
    with pytest.raises(dataclasses.FrozenInstanceError):
        deadline.calendar_day = date(2025, 11, 1)  # type: ignore[misc]


def test_period_must_have_days() -> None:
    with pytest.raises(ValueError, match="at least one day"):
        deadline_after(date(2025, 10, 1), 0, DAYS_OFF)


# --- operator file ---------------------------------------------------------------------------


def test_extra_holiday_from_operator_file_makes_the_deadline_a_day_off(tmp_path: Path) -> None:
    extra = tmp_path / "holidays.extra.yaml"
    extra.write_text('- date: 2025-10-24\n  name: "วันหยุดพิเศษ (มติคณะรัฐมนตรี)"\n', encoding="utf-8")
    deadline = preparation_deadline(date(2025, 9, 24), DaysOff(extra))  # day 30: Fri 24 Oct
    assert deadline.due == date(2025, 10, 24)
    assert deadline.act_by == date(2025, 10, 22)  # Thu 23 Oct is วันปิยมหาราช
    assert deadline.days_off[1] == (date(2025, 10, 24), "วันหยุดพิเศษ (มติคณะรัฐมนตรี)")
    civil = preparation_deadline(date(2025, 9, 24), DaysOff(extra, rule=DeadlineRule.CIVIL))
    assert civil.due == date(2025, 10, 27)
    assert not preparation_deadline(date(2025, 9, 24), DAYS_OFF).on_day_off


def test_working_correction_in_operator_file_unmakes_a_day_off(tmp_path: Path) -> None:
    extra = tmp_path / "holidays.extra.yaml"
    extra.write_text("- date: 2025-10-13\n  working: true\n  name: เปิดทำการ\n", encoding="utf-8")
    deadline = preparation_deadline(date(2025, 9, 13), DaysOff(extra))
    assert deadline.due == deadline.act_by == date(2025, 10, 13)
    assert not deadline.on_day_off


def test_csv_operator_file_makes_a_day_off(tmp_path: Path) -> None:
    extra = tmp_path / "holidays.extra.csv"
    extra.write_text("date,name\n2568-10-24,วันหยุดพิเศษ\n", encoding="utf-8")
    deadline = preparation_deadline(date(2025, 9, 24), DaysOff(extra, rule=DeadlineRule.CIVIL))
    assert deadline.due == date(2025, 10, 27)


def test_regional_day_off_counts_only_in_its_province(tmp_path: Path) -> None:
    """A provincial day off from the operator file: 30th day Fri 24 Oct 2025 in ขอนแก่น."""
    extra = tmp_path / "holidays.extra.yaml"
    extra.write_text(
        "- date: 2025-10-24\n  name: วันหยุดราชการกรณีพิเศษ จังหวัดขอนแก่น\n  province: ขอนแก่น\n",
        encoding="utf-8",
    )
    national = DaysOff(extra)
    khon_kaen = national.of("จังหวัดขอนแก่น")
    deadline = preparation_deadline(date(2025, 9, 24), khon_kaen)
    assert deadline.due == date(2025, 10, 24) and deadline.on_day_off
    assert deadline.act_by == date(2025, 10, 22)
    assert deadline.days_off == (
        (date(2025, 10, 23), "วันปิยมหาราช"),
        (date(2025, 10, 24), "วันหยุดราชการกรณีพิเศษ จังหวัดขอนแก่น"),
        (date(2025, 10, 25), "วันเสาร์"),
        (date(2025, 10, 26), "วันอาทิตย์"),
    )
    assert preparation_deadline(date(2025, 9, 24), khon_kaen.with_rule(DeadlineRule.CIVIL)).due == (
        date(2025, 10, 27)
    )
    elsewhere = preparation_deadline(date(2025, 9, 24), national.of("อุดรธานี"))
    assert not elsewhere.on_day_off and elsewhere.act_by == date(2025, 10, 24)
    assert not preparation_deadline(date(2025, 9, 24), national).on_day_off


# --- properties --------------------------------------------------------------------------------

starts = st.dates(min_value=date(2015, 1, 1), max_value=date(2035, 12, 31))
lengths = st.integers(min_value=1, max_value=120)
# No per-example deadline: the first example of a new year builds that year's calendar.
calendar_property = settings(deadline=None)


@calendar_property
@given(starts, lengths)
def test_the_default_deadline_is_the_calendar_day(start: date, days: int) -> None:
    deadline = deadline_after(start, days, DAYS_OFF)
    assert deadline.due == deadline.calendar_day == start + timedelta(days=days)
    assert deadline.on_day_off == DAYS_OFF.is_day_off(deadline.due)
    assert not deadline.moved


@calendar_property
@given(starts, lengths)
def test_act_by_is_the_last_working_day_not_after_the_deadline(start: date, days: int) -> None:
    for days_off in (DAYS_OFF, CIVIL):
        deadline = deadline_after(start, days, days_off)
        assert not DAYS_OFF.is_day_off(deadline.act_by)
        assert deadline.act_by <= deadline.due
        between = [
            deadline.act_by + timedelta(days=i + 1)
            for i in range(deadline.days_left(deadline.act_by))
        ]
        assert all(DAYS_OFF.is_day_off(d) for d in between)


@calendar_property
@given(starts, lengths)
def test_civil_code_day_is_never_a_day_off_nor_before_the_calendar_day(
    start: date, days: int
) -> None:
    deadline = deadline_after(start, days, CIVIL)
    assert deadline.due == deadline.civil_code_day
    assert not DAYS_OFF.is_day_off(deadline.due)
    assert deadline.due >= deadline.calendar_day
    assert deadline.moved == DAYS_OFF.is_day_off(deadline.calendar_day)


@calendar_property
@given(starts, lengths)
def test_the_days_off_named_are_the_run_around_the_calendar_day(start: date, days: int) -> None:
    deadline = deadline_after(start, days, DAYS_OFF)
    run = (deadline.civil_code_day - deadline.last_working_day).days - 1
    expected = [deadline.last_working_day + timedelta(days=i + 1) for i in range(run)]
    assert [d for d, _ in deadline.days_off] == expected
    assert all(DAYS_OFF.is_day_off(d) and reason for d, reason in deadline.days_off)
    assert bool(deadline.days_off) == DAYS_OFF.is_day_off(deadline.calendar_day)


@calendar_property
@given(starts)
def test_earliest_removal_is_always_31_days_after_posting(posted_on: date) -> None:
    assert earliest_removal(posted_on) == posted_on + timedelta(days=31)

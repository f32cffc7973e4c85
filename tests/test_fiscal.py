"""Fiscal-year arithmetic: FY 2569 = 1 Oct 2025 – 30 Sep 2026, named in พ.ศ."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.fiscal import (
    ALL_MONTHS_MASK,
    BE_OFFSET,
    FISCAL_MONTHS,
    be_year_of_month,
    fiscal_month_index,
    fiscal_year_bounds,
    fiscal_year_of,
    mask_to_months,
    month_date,
    months_to_mask,
)

FAST = settings(max_examples=200, deadline=None)
# Fiscal years whose bounds stay inside what datetime.date can hold.
fiscal_years = st.integers(min_value=BE_OFFSET + 2, max_value=9999 + BE_OFFSET)
months = st.integers(min_value=1, max_value=12)


def test_constants() -> None:
    assert BE_OFFSET == 543
    assert FISCAL_MONTHS == (10, 11, 12, 1, 2, 3, 4, 5, 6, 7, 8, 9)
    assert ALL_MONTHS_MASK == 0b1111_1111_1111


@pytest.mark.parametrize(
    ("day", "fy"),
    [
        (date(2025, 10, 1), 2569),
        (date(2025, 9, 30), 2568),
        (date(2025, 12, 31), 2569),
        (date(2026, 1, 1), 2569),
        (date(2026, 9, 30), 2569),
        (date(2026, 10, 1), 2570),
    ],
)
def test_fiscal_year_of(day: date, fy: int) -> None:
    assert fiscal_year_of(day) == fy


def test_fiscal_year_bounds_2569() -> None:
    assert fiscal_year_bounds(2569) == (date(2025, 10, 1), date(2026, 9, 30))


@pytest.mark.parametrize(
    ("month", "be_year", "first_day"),
    [
        (10, 2568, date(2025, 10, 1)),
        (11, 2568, date(2025, 11, 1)),
        (12, 2568, date(2025, 12, 1)),
        (1, 2569, date(2026, 1, 1)),
        (3, 2569, date(2026, 3, 1)),
        (9, 2569, date(2026, 9, 1)),
    ],
)
def test_month_in_fiscal_year_2569(month: int, be_year: int, first_day: date) -> None:
    assert be_year_of_month(2569, month) == be_year
    assert month_date(2569, month) == first_day


@pytest.mark.parametrize(("month", "index"), [(10, 0), (12, 2), (1, 3), (9, 11)])
def test_fiscal_month_index(month: int, index: int) -> None:
    assert fiscal_month_index(month) == index
    assert FISCAL_MONTHS[index] == month


@pytest.mark.parametrize("bad", [0, 13, -1])
def test_bad_month_numbers_raise(bad: int) -> None:
    with pytest.raises(ValueError):
        be_year_of_month(2569, bad)
    with pytest.raises(ValueError):
        fiscal_month_index(bad)
    with pytest.raises(ValueError):
        months_to_mask([1, bad])


@pytest.mark.parametrize("bad", [-1, ALL_MONTHS_MASK + 1])
def test_bad_mask_raises(bad: int) -> None:
    with pytest.raises(ValueError):
        mask_to_months(bad)


def test_mask_examples() -> None:
    assert months_to_mask([]) == 0
    assert months_to_mask([1]) == 0b1
    assert months_to_mask([1, 1, 3]) == 0b101
    assert months_to_mask(FISCAL_MONTHS) == ALL_MONTHS_MASK
    assert mask_to_months(months_to_mask([3, 12, 1, 10])) == (10, 12, 1, 3)


@FAST
@given(st.dates(min_value=date(1, 10, 1), max_value=date(9999, 9, 30)))
def test_every_date_lies_inside_its_fiscal_year(day: date) -> None:
    fy = fiscal_year_of(day)
    first, last = fiscal_year_bounds(fy)
    assert first <= day <= last


@FAST
@given(fiscal_years)
def test_bounds_are_a_year_and_adjacent_years_touch(fy: int) -> None:
    first, last = fiscal_year_bounds(fy)
    assert (first.month, first.day, last.month, last.day) == (10, 1, 9, 30)
    assert fiscal_year_of(first) == fiscal_year_of(last) == fy
    assert fiscal_year_of(first - timedelta(days=1)) == fy - 1
    assert 365 <= (last - first).days + 1 <= 366


@FAST
@given(fiscal_years, months)
def test_month_date_is_inside_the_fiscal_year(fy: int, month: int) -> None:
    first_day = month_date(fy, month)
    assert first_day.month == month and first_day.day == 1
    assert fiscal_year_of(first_day) == fy
    assert first_day.year + BE_OFFSET == be_year_of_month(fy, month)


@FAST
@given(st.sets(months))
def test_mask_round_trip(chosen: set[int]) -> None:
    mask = months_to_mask(chosen)
    assert 0 <= mask <= ALL_MONTHS_MASK
    assert mask_to_months(mask) == tuple(m for m in FISCAL_MONTHS if m in chosen)


@FAST
@given(st.integers(min_value=0, max_value=ALL_MONTHS_MASK))
def test_mask_decode_encode(mask: int) -> None:
    decoded = mask_to_months(mask)
    assert months_to_mask(decoded) == mask
    assert list(decoded) == sorted(decoded, key=fiscal_month_index)

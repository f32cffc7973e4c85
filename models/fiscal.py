"""Thai government fiscal year (ปีงบประมาณ) arithmetic.

A fiscal year runs 1 October – 30 September and is named by the Buddhist Era (พ.ศ.) year
in which it ends: FY 2569 = 1 Oct 2025 – 30 Sep 2026. Everything here is pure and
integer-based so the rest of planbot never has to remember the +543 or the October shift.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

__all__ = [
    "ALL_MONTHS_MASK",
    "BE_OFFSET",
    "FISCAL_MONTHS",
    "be_year_of_month",
    "fiscal_month_index",
    "fiscal_year_bounds",
    "fiscal_year_of",
    "mask_to_months",
    "month_date",
    "months_to_mask",
]

BE_OFFSET = 543
"""Buddhist Era year = Common Era year + BE_OFFSET."""

FISCAL_MONTHS: tuple[int, ...] = (10, 11, 12, 1, 2, 3, 4, 5, 6, 7, 8, 9)
"""Calendar month numbers in the order a fiscal year walks through them (ต.ค. first)."""

ALL_MONTHS_MASK = (1 << 12) - 1
"""`months_to_mask` of all twelve months."""

_FIRST_FISCAL_MONTH = FISCAL_MONTHS[0]


def _check_month(month: int) -> None:
    """Reject month numbers outside 1..12 early, before they turn into odd dates or bits."""
    if not 1 <= month <= 12:
        raise ValueError(f"month must be 1..12, got {month!r}")


def fiscal_year_of(d: date) -> int:
    """Return the fiscal year (พ.ศ.) containing `d`; October onwards belongs to the next one."""
    shift = 1 if d.month >= _FIRST_FISCAL_MONTH else 0
    return d.year + BE_OFFSET + shift


def fiscal_year_bounds(fy: int) -> tuple[date, date]:
    """Return the first and last day (inclusive) of fiscal year `fy` (พ.ศ.)."""
    ce_end = fy - BE_OFFSET
    return date(ce_end - 1, 10, 1), date(ce_end, 9, 30)


def be_year_of_month(fy: int, month: int) -> int:
    """Return the พ.ศ. calendar year of `month` inside fiscal year `fy` (ต.ค.–ธ.ค. → fy - 1)."""
    _check_month(month)
    return fy - 1 if month >= _FIRST_FISCAL_MONTH else fy


def month_date(fy: int, month: int) -> date:
    """Return the first day of calendar `month` as it falls inside fiscal year `fy`."""
    return date(be_year_of_month(fy, month) - BE_OFFSET, month, 1)


def fiscal_month_index(month: int) -> int:
    """Return 0..11, the position of calendar `month` in the fiscal year (ต.ค. = 0, ก.ย. = 11)."""
    _check_month(month)
    return (month - _FIRST_FISCAL_MONTH) % 12


def months_to_mask(months: Iterable[int]) -> int:
    """Encode months of operation as 12 bits for storage: bit (month - 1), so ม.ค. is bit 0.

    Calendar bits (not fiscal positions) keep the stored value readable without knowing the
    fiscal-year convention; duplicates are harmless.
    """
    mask = 0
    for month in months:
        _check_month(month)
        mask |= 1 << (month - 1)
    return mask


def mask_to_months(mask: int) -> tuple[int, ...]:
    """Decode `months_to_mask` output back to calendar months, in fiscal order (ต.ค. first)."""
    if not 0 <= mask <= ALL_MONTHS_MASK:
        raise ValueError(f"mask must be 0..{ALL_MONTHS_MASK}, got {mask!r}")
    return tuple(m for m in FISCAL_MONTHS if mask & (1 << (m - 1)))

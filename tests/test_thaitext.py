"""Thai text rules: every way people write amounts, dates, months and villages.

Examples come from DOMAIN.md ("How people write things") and UX.md (echo what was
understood); properties check that whatever planbot writes, it reads back, and that no
parser ever raises on any text.
"""

from __future__ import annotations

import ast
import re
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Literal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pythainlp.util import bahttext

from models.fiscal import FISCAL_MONTHS, fiscal_month_index
from models.thaitext import (
    MAX_BUDGET,
    MESSAGES,
    ParseError,
    Village,
    baht_to_satang,
    check_budget_range,
    check_date_range,
    clean_text,
    find_village,
    format_baht,
    format_baht_words,
    format_months,
    format_thai_date,
    format_village,
    normalize_digits,
    parse_budget,
    parse_date,
    parse_months,
    parse_village,
    satang_to_baht,
    to_thai_digits,
)

FAST = settings(max_examples=150, deadline=None)
TODAY = date(2025, 11, 22)  # a Saturday in FY 2569
FY = 2569
THAI_LETTER = re.compile(r"[\u0e01-\u0e4e]")


def assert_reason(result: object, *, example: bool = True) -> ParseError:
    """A rejection: Thai, gender-neutral, and (usually) with an example."""
    assert isinstance(result, ParseError), result
    assert THAI_LETTER.search(result.reason)
    assert "ค่ะ" not in result.reason and "ครับ" not in result.reason
    if example:
        assert "เช่น" in result.reason, result.reason
    return result


# --- strategies ------------------------------------------------------------------------

FRAGMENTS = [
    *"0123456789๐๑๒๓๔๕๖๗๘๙.,-–/() ",
    "\u200b",
    "00",
    "31",
    "68",
    "99",
    "100",
    "2568",
    "2025",
    "1,000",
    ".5",
    "ม.ค.",
    "มกราคม",
    "มกรา",
    "ก.พ.",
    "มี.ค",
    "เมย",
    "ต.ค.",
    "ตค",
    "ธันวาคม",
    "ก.ย.",
    "พ.ศ.",
    "ค.ศ.",
    "ถึง",
    "และ",
    "ทั้งปี",
    "12 เดือน",
    "เดือน",
    "ตั้งแต่",
    "ระหว่าง",
    "เป็นต้นไป",
    "วันที่",
    "วันพุธ",
    "ที่",
    "วันนี้",
    "พรุ่งนี้",
    "ล้าน",
    "แสน",
    "หมื่น",
    "พัน",
    "ลบ",
    "ลบ.",
    "k",
    "฿",
    "บาท",
    "ถ้วน",
    "สตางค์",
    "หนึ่ง",
    "สอง",
    "ยี่",
    "สิบ",
    "เอ็ด",
    "ห้า",
    "ศูนย์",
    "หมู่",
    "หมู่ที่",
    "ม.",
    "บ้าน",
    "บ.",
    "หนองแวง",
    "ชั้น",
    "ตำบล",
]
tricky_text = st.lists(st.sampled_from(FRAGMENTS), max_size=12).map("".join)
any_text = st.one_of(st.text(), tricky_text)
# From FY 2402 on, every month's พ.ศ. year is above 2400 and so reads as พ.ศ. when typed.
fiscal_years = st.integers(min_value=2402, max_value=2700)
amounts = st.integers(min_value=1, max_value=baht_to_satang(MAX_BUDGET)).map(satang_to_baht)


# --- digits and free text ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("๑๕๐,๐๐๐", "150,000"),
        ("  1\u200b5\u200d0  \t บาท ", "150 บาท"),
        ("๑.๕\u00a0ล้าน", "1.5 ล้าน"),
        ("", ""),
    ],
)
def test_normalize_digits(raw: str, expected: str) -> None:
    assert normalize_digits(raw) == expected


def test_to_thai_digits() -> None:
    assert to_thai_digits("1,500,000 บาท") == "๑,๕๐๐,๐๐๐ บาท"


@FAST
@given(st.integers(min_value=0))
def test_thai_digits_round_trip(number: int) -> None:
    assert normalize_digits(to_thai_digits(str(number))) == str(number)


def test_clean_text_tidies() -> None:
    assert clean_text("  ก่อสร้าง\n\nถนน \u200b คสล.  ", max_len=50, field_name_th="ชื่อ") == (
        "ก่อสร้าง ถนน คสล."
    )
    assert clean_text("เเปลก", max_len=50, field_name_th="ชื่อ") == "แปลก"  # เ+เ typed for แ


def test_clean_text_empty() -> None:
    result = clean_text(
        " \u200b ", max_len=50, field_name_th="ชื่อโครงการ", example_th="โครงการก่อสร้างถนน"
    )
    reason = assert_reason(result).reason
    assert reason.startswith("กรุณาพิมพ์ชื่อโครงการ")
    assert "โครงการก่อสร้างถนน" in reason
    assert_reason(clean_text("", max_len=5, field_name_th="ชื่อ"), example=False)


def test_clean_text_too_long_says_limit_and_length() -> None:
    reason = assert_reason(
        clean_text("ก" * 12, max_len=10, field_name_th="ชื่อโครงการ"), example=False
    ).reason
    assert "ชื่อโครงการ" in reason and "12" in reason and "10" in reason


@FAST
@given(any_text, st.integers(min_value=1, max_value=30))
def test_clean_text_never_raises_and_is_tidy(text: str, max_len: int) -> None:
    result = clean_text(text, max_len=max_len, field_name_th="ชื่อโครงการ")
    if isinstance(result, str):
        assert result and len(result) <= max_len
        assert result == result.strip() and "  " not in result
        assert clean_text(result, max_len=max_len, field_name_th="ชื่อโครงการ") == result
    else:
        assert_reason(result, example=False)


# --- money ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("๑๕๐,๐๐๐", "150000"),
        ("150,000", "150000"),
        ("150000", "150000"),
        ("150,000 บาท", "150000"),
        ("150000.50", "150000.50"),
        ("150,000.-", "150000"),
        ("1,500,000.5", "1500000.50"),
        ("1.5 ล้าน", "1500000"),
        ("๑.๕ ล้าน", "1500000"),
        ("1.5ล้าน", "1500000"),
        ("1.5 ล้านบาท", "1500000"),
        ("1.5 ลบ.", "1500000"),
        ("1.5 ล.บ.", "1500000"),
        ("2 แสน", "200000"),
        ("๒ แสน", "200000"),
        ("2.5 หมื่น", "25000"),
        ("3 พัน", "3000"),
        ("1 ล้าน 2 แสน", "1200000"),
        ("1ล้าน2แสนบาท", "1200000"),
        ("1 ล้าน 250,000", "1250000"),
        ("สองแสนบาท", "200000"),
        ("สองแสน", "200000"),
        ("หนึ่งล้านห้าแสนบาทถ้วน", "1500000"),
        ("หนึ่งล้าน ห้าแสน บาท", "1500000"),
        ("หนึ่งพันห้าร้อยบาทห้าสิบสตางค์", "1500.50"),
        ("ห้าสิบสตางค์", "0.50"),
        ("หนึ่งแสนห้าบาทถ้วน", "100005"),  # formal wording (bahttext) is read formally
        ("฿150,000", "150000"),
        ("150k", "150000"),
        ("งบประมาณ 20,000 บาท", "20000"),
        ("1,500,000 บาท (หนึ่งล้านห้าแสนบาทถ้วน)", "1500000"),
    ],
)
def test_parse_budget_accepts(text: str, expected: str) -> None:
    result = parse_budget(text)
    assert result == Decimal(expected)
    assert isinstance(result, Decimal) and result.as_tuple().exponent == -2


@pytest.mark.parametrize(
    ("text", "must_mention"),
    [
        ("", "กรุณาพิมพ์"),
        ("   ", "กรุณาพิมพ์"),
        ("ประมาณล้านกว่าๆ", "ยังอ่านจำนวนเงินไม่ได้"),
        ("abc", "ยังอ่านจำนวนเงินไม่ได้"),
        ("บาท", "ยังอ่านจำนวนเงินไม่ได้"),
        ("-150000", "ติดลบ"),
        ("ลบ 5 แสน", "ติดลบ"),
        ("0", "มากกว่า 0 บาท"),
        ("0.00 บาท", "มากกว่า 0 บาท"),
        ("ศูนย์บาทถ้วน", "มากกว่า 0 บาท"),
        ("150000.505", "2 ตำแหน่ง"),
        ("1.234567891 ล้าน", "2 ตำแหน่ง"),
        ("1,50,000", "จุลภาค"),
        ("150 000", "ติดกัน"),
        ("2 แสน 1 ล้าน", "มากไปน้อย"),
        ("1 ล้าน 2500000", "มากไปน้อย"),
        ("แสนห้า", "หลายแบบ"),
        ("ล้านสอง", "หลายแบบ"),
        ("150,000 บาท (สองแสนบาท)", "ไม่ตรงกัน"),
        ("1" * 101, "ยาวเกิน"),
    ],
)
def test_parse_budget_rejects(text: str, must_mention: str) -> None:
    reason = assert_reason(parse_budget(text)).reason
    assert must_mention in reason


def test_parse_budget_unreadable_message_matches_ux() -> None:
    assert parse_budget("ประมาณล้านกว่าๆ") == ParseError(
        "ยังอ่านจำนวนเงินไม่ได้ — กรุณาพิมพ์ตัวเลข เช่น 150000 หรือ 1.5 ล้าน"
    )


def test_check_budget_range() -> None:
    assert check_budget_range(Decimal("1500000.00")) == Decimal("1500000.00")
    assert check_budget_range(MAX_BUDGET) == MAX_BUDGET
    assert "10,000,000,000 บาท" in assert_reason(check_budget_range(MAX_BUDGET + 1)).reason
    assert_reason(check_budget_range(Decimal(0)))


@pytest.mark.parametrize(
    ("amount", "plain", "thai"),
    [
        (Decimal("1500000"), "1,500,000 บาท", "๑,๕๐๐,๐๐๐ บาท"),
        (Decimal("1500.50"), "1,500.50 บาท", "๑,๕๐๐.๕๐ บาท"),
        (Decimal("1500.5"), "1,500.50 บาท", "๑,๕๐๐.๕๐ บาท"),
        (Decimal("0.01"), "0.01 บาท", "๐.๐๑ บาท"),
        (150000, "150,000 บาท", "๑๕๐,๐๐๐ บาท"),
    ],
)
def test_format_baht(amount: Decimal | int, plain: str, thai: str) -> None:
    assert format_baht(amount) == plain
    assert format_baht(amount, thai_digits=True) == thai
    assert format_baht(amount, unit=False) == plain.removesuffix(" บาท")


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (Decimal("1500000"), "หนึ่งล้านห้าแสนบาทถ้วน"),
        (Decimal("1500.50"), "หนึ่งพันห้าร้อยบาทห้าสิบสตางค์"),
        (Decimal("21.21"), "ยี่สิบเอ็ดบาทยี่สิบเอ็ดสตางค์"),
        (Decimal("0.01"), "ศูนย์บาทหนึ่งสตางค์"),
        (MAX_BUDGET, "หนึ่งหมื่นล้านบาทถ้วน"),
        (
            Decimal("9999999999.99"),
            "เก้าพันเก้าร้อยเก้าสิบเก้าล้านเก้าแสนเก้าหมื่นเก้าพันเก้าร้อยเก้าสิบเก้าบาทเก้าสิบเก้าสตางค์",
        ),
    ],
)
def test_format_baht_words(amount: Decimal, words: str) -> None:
    assert format_baht_words(amount) == words
    assert parse_budget(words) == amount


def test_money_helpers_refuse_sub_satang() -> None:
    with pytest.raises(ValueError):
        format_baht(Decimal("1.005"))
    with pytest.raises(ValueError):
        baht_to_satang(Decimal("0.001"))
    with pytest.raises(ValueError):
        baht_to_satang(Decimal("NaN"))


def test_satang_conversions() -> None:
    assert baht_to_satang(Decimal("1500.50")) == 150050
    assert baht_to_satang(7) == 700
    assert satang_to_baht(150050) == Decimal("1500.50")
    assert str(satang_to_baht(100)) == "1.00"


@FAST
@given(amounts, st.booleans(), st.booleans())
def test_format_baht_round_trip(amount: Decimal, thai_digits: bool, unit: bool) -> None:
    assert parse_budget(format_baht(amount, thai_digits=thai_digits, unit=unit)) == amount


@FAST
@given(amounts)
def test_format_baht_words_round_trip_and_matches_bahttext(amount: Decimal) -> None:
    words = format_baht_words(amount)
    assert parse_budget(words) == amount
    echo = f"{format_baht(amount)} ({words})"  # what the bot echoes, pasted back
    assert parse_budget(echo) == amount or len(echo) > 100
    # bahttext takes a float; up to MAX_BUDGET a float still carries every satang.
    assert words == bahttext(float(amount))


@FAST
@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_satang_round_trip(satang: int) -> None:
    assert baht_to_satang(satang_to_baht(satang)) == satang


@FAST
@given(any_text)
def test_parse_budget_never_raises(text: str) -> None:
    result = parse_budget(text)
    if isinstance(result, Decimal):
        assert result > 0 and result.as_tuple().exponent == -2
    else:
        assert_reason(result)


# --- dates ------------------------------------------------------------------------------

OCT_1 = date(2025, 10, 1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 ต.ค. 68", OCT_1),
        ("1 ตุลาคม 2568", OCT_1),
        ("1 ต.ค. 2568", OCT_1),
        ("1 ต.ค 2568", OCT_1),
        ("1 ตค 2568", OCT_1),
        ("1 ตค. 68", OCT_1),
        ("1ต.ค.68", OCT_1),
        ("1 ตุลา 68", OCT_1),
        ("1 ตุลาคม พ.ศ. 2568", OCT_1),
        ("1 ต.ค. ค.ศ. 2025", OCT_1),
        ("1 ตุลาคม 2025", OCT_1),
        ("1/10/2568", OCT_1),
        ("01/10/68", OCT_1),
        ("1-10-2568", OCT_1),
        ("1.10.2568", OCT_1),
        ("1/10/2025", OCT_1),
        ("2025-10-01", OCT_1),
        ("2568-10-01", OCT_1),
        ("๑ ต.ค. ๒๕๖๘", OCT_1),
        ("๑/๑๐/๖๘", OCT_1),
        ("วันที่ 1 ต.ค. 68", OCT_1),
        ("วันพุธที่ 1 ตุลาคม 2568", OCT_1),
        ("วันพุธ วันที่ 1 ตุลาคม 2568", OCT_1),
        ("พุธที่ 1 ต.ค. 68", OCT_1),
        ("1 ต.ค.", OCT_1),  # no year: nearest to TODAY
        ("1/10", OCT_1),
        ("1 ม.ค.", date(2026, 1, 1)),
        ("1 มิ.ย.", date(2025, 6, 1)),
        ("31 ก.ค. 2568", date(2025, 7, 31)),
        ("29 ก.พ. 2567", date(2024, 2, 29)),
        ("วันนี้", TODAY),
        ("พรุ่งนี้", TODAY + timedelta(days=1)),
        ("วันพรุ่งนี้", TODAY + timedelta(days=1)),
        ("วัน มะรืนนี้", TODAY + timedelta(days=2)),
        ("มะรืน", TODAY + timedelta(days=2)),
        ("มะรืนนี้", TODAY + timedelta(days=2)),
        ("เมื่อวาน", TODAY - timedelta(days=1)),
        ("เมื่อวานนี้", TODAY - timedelta(days=1)),
    ],
)
def test_parse_date_accepts(text: str, expected: date) -> None:
    assert parse_date(text, TODAY) == expected


@pytest.mark.parametrize(
    ("text", "must_mention"),
    [
        ("", "กรุณาพิมพ์วันที่"),
        ("เร็วๆ นี้", "ยังอ่านวันที่ไม่ได้"),
        ("ต.ค. 2568", "ยังอ่านวันที่ไม่ได้"),
        ("31/02/2568", "ไม่มีวันที่ 31/2/2568"),
        ("31 เม.ย. 68", "ไม่มีวันที่"),
        ("1/13/2568", "ไม่มีวันที่"),
        ("0/10/2568", "ไม่มีวันที่"),
        ("29 ก.พ. 2568", "ไม่มีวันที่"),
        ("1/10/256", "ปี"),
        ("1 ต.ค. 25680", "ปี"),
        ("วันศุกร์ที่ 1 ตุลาคม 2568", "ตรงกับวันพุธ"),
        ("1 ต.ค. 68 " + "ก" * 100, "ยาวเกิน"),
    ],
)
def test_parse_date_rejects(text: str, must_mention: str) -> None:
    reason = assert_reason(parse_date(text, TODAY)).reason
    assert must_mention in reason


def test_parse_date_examples_follow_today() -> None:
    reason = assert_reason(parse_date("31/02/2568", TODAY)).reason
    assert reason.endswith("เช่น 22 พ.ย. 2568 หรือ 22/11/2568")


def test_check_date_range() -> None:
    assert check_date_range(OCT_1, TODAY) == OCT_1
    assert check_date_range(TODAY + timedelta(days=730), TODAY) == TODAY + timedelta(days=730)
    old = assert_reason(check_date_range(date(2018, 10, 1), TODAY)).reason
    assert "1 ต.ค. 2561" in old and "ย้อนหลัง" in old
    far = assert_reason(check_date_range(date(2030, 10, 1), TODAY)).reason
    assert "ล่วงหน้า" in far
    assert_reason(check_date_range(TODAY + timedelta(days=8), TODAY, future_days=7))
    assert check_date_range(date.max, date.max) == date.max  # no overflow at the ends
    assert_reason(parse_date("พรุ่งนี้", date.max))


@pytest.mark.parametrize(
    ("style", "thai_digits", "weekday", "expected"),
    [
        ("long", False, False, "31 ตุลาคม 2568"),
        ("short", False, False, "31 ต.ค. 68"),
        ("long", False, True, "วันศุกร์ที่ 31 ตุลาคม 2568"),
        ("long", True, False, "๓๑ ตุลาคม ๒๕๖๘"),
        ("short", True, True, "วันศุกร์ที่ ๓๑ ต.ค. ๖๘"),
    ],
)
def test_format_thai_date(
    style: Literal["long", "short"], thai_digits: bool, weekday: bool, expected: str
) -> None:
    text = format_thai_date(date(2025, 10, 31), style, thai_digits=thai_digits, weekday=weekday)
    assert text == expected


@FAST
@given(
    st.dates(min_value=date(1858, 1, 1), max_value=date(9456, 12, 31)),
    st.dates(),
    st.booleans(),
    st.booleans(),
)
def test_long_date_round_trip(day: date, today: date, thai_digits: bool, weekday: bool) -> None:
    text = format_thai_date(day, "long", thai_digits=thai_digits, weekday=weekday)
    assert parse_date(text, today) == day


@FAST
@given(
    st.dates(min_value=date(1957, 1, 1), max_value=date(2056, 12, 31)),  # พ.ศ. 2500–2599
    st.dates(),
    st.booleans(),
    st.booleans(),
)
def test_short_date_round_trip(day: date, today: date, thai_digits: bool, weekday: bool) -> None:
    text = format_thai_date(day, "short", thai_digits=thai_digits, weekday=weekday)
    assert parse_date(text, today) == day


@FAST
@given(
    st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)),
    st.integers(min_value=-150, max_value=150),
)
def test_date_without_year_is_nearest_to_today(today: date, offset: int) -> None:
    day = today + timedelta(days=offset)
    text = " ".join(format_thai_date(day, "short").split()[:2])  # "31 ต.ค."
    assert parse_date(text, today) == day


@FAST
@given(any_text, st.dates())
def test_parse_date_never_raises(text: str, today: date) -> None:
    result = parse_date(text, today)
    assert isinstance(result, date) or assert_reason(result)


# --- months of operation ----------------------------------------------------------------

Q1 = (10, 11, 12)
Q2 = (1, 2, 3)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ม.ค.", (1,)),
        ("มกราคม", (1,)),
        ("มกรา", (1,)),
        ("มค", (1,)),
        ("ต.ค.-ธ.ค.", Q1),
        ("ต.ค. - ธ.ค.", Q1),
        ("ตุลาคม ถึง ธันวาคม", Q1),
        ("ตคถึงธค", Q1),
        ("ม.ค. ถึง มี.ค.", Q2),
        ("ม.ค. - มี.ค.", Q2),
        ("ม.ค. – มี.ค.", Q2),
        ("เดือน ม.ค. จนถึงเดือน มี.ค.", Q2),
        ("ตั้งแต่ ม.ค. ถึง มี.ค.", Q2),
        ("ระหว่าง ม.ค. และ มี.ค.", Q2),
        ("พ.ย.–ก.พ.", (11, 12, 1, 2)),
        ("ต.ค., ธ.ค., ก.พ.", (10, 12, 2)),
        ("ต.ค. ธ.ค.", (10, 12)),
        ("ต.ค. และ ธ.ค.", (10, 12)),
        ("ก.พ., ต.ค.", (10, 2)),
        ("ต.ค.-ธ.ค., มี.ค.", (10, 11, 12, 3)),
        ("ม.ค.-มี.ค. และ ก.ค.-ก.ย.", (1, 2, 3, 7, 8, 9)),
        ("ม.ค., ม.ค.-ก.พ.", (1, 2)),
        ("ตั้งแต่ มิ.ย. เป็นต้นไป", (6, 7, 8, 9)),
        ("ทั้งปี", FISCAL_MONTHS),
        ("ตลอดปี", FISCAL_MONTHS),
        ("ทั้งปีงบประมาณ", FISCAL_MONTHS),
        ("12 เดือน", FISCAL_MONTHS),
        ("๑๒ เดือน", FISCAL_MONTHS),
        ("ม.ค. 69 - มี.ค. 69", Q2),
        ("ต.ค. 2568", (10,)),
        ("ต.ค. 68 – ธ.ค. 68", Q1),
        ("ม.ค. พ.ศ. 2569", (1,)),
        ("ม.ค. 2026", (1,)),
        ("ม.ค. – มี.ค. 2569 (3 เดือน)", Q2),
        ("ต.ค. 2568 – ก.ย. 2569 (ทั้งปี 12 เดือน)", FISCAL_MONTHS),
    ],
)
def test_parse_months_accepts(text: str, expected: tuple[int, ...]) -> None:
    assert parse_months(text, FY) == expected


@pytest.mark.parametrize(
    ("text", "must_mention"),
    [
        ("", "กรุณาระบุเดือน"),
        ("เร็วๆ นี้", "ยังอ่านเดือนไม่ได้"),
        ("ม.ค. 256", "ยังอ่านเดือนไม่ได้"),
        ("มี.ค.-ธ.ค.", "ปีงบประมาณเริ่มเดือน ต.ค."),
        ("ก.ย. ถึง ต.ค.", "ย้อนกลับ"),
        ("ต.ค. 2569", "เดือนที่ระบุอยู่นอกปีงบประมาณ พ.ศ. 2569 (1 ต.ค. 2568 – 30 ก.ย. 2569)"),
        ("ม.ค. 68", "นอกปีงบประมาณ"),
        ("ม.ค. - มี.ค. 2570", "นอกปีงบประมาณ"),
        ("ม.ค. -", "ไม่ครบ"),
        ("- มี.ค.", "ไม่ครบ"),
        ("ตั้งแต่ ม.ค.", "ไม่ครบ"),
        ("ม.ค. - - มี.ค.", "ไม่ครบ"),
        ("ม.ค. – มี.ค. (4 เดือน)", "4 เดือน"),
        ("ม.ค., " * 40, "ยาวเกิน"),
    ],
)
def test_parse_months_rejects(text: str, must_mention: str) -> None:
    reason = assert_reason(parse_months(text, FY)).reason
    assert must_mention in reason


@pytest.mark.parametrize(
    ("months", "expected"),
    [
        ((1, 2, 3), "ม.ค. – มี.ค. 2569 (3 เดือน)"),
        (FISCAL_MONTHS, "ต.ค. 2568 – ก.ย. 2569 (ทั้งปี 12 เดือน)"),
        ((10, 12, 1, 2), "ต.ค. 2568, ธ.ค. 2568 – ก.พ. 2569 (4 เดือน)"),
        ((2, 10, 2), "ต.ค. 2568, ก.พ. 2569 (2 เดือน)"),
        ((10, 11), "ต.ค. – พ.ย. 2568 (2 เดือน)"),
    ],
)
def test_format_months(months: tuple[int, ...], expected: str) -> None:
    assert format_months(months, FY) == expected


def test_format_months_rejects_programming_errors() -> None:
    with pytest.raises(ValueError):
        format_months([], FY)
    with pytest.raises(ValueError):
        format_months([13], FY)


@FAST
@given(st.sets(st.integers(min_value=1, max_value=12), min_size=1), fiscal_years)
def test_months_round_trip(chosen: set[int], fiscal_year: int) -> None:
    expected = tuple(m for m in FISCAL_MONTHS if m in chosen)
    assert parse_months(format_months(chosen, fiscal_year), fiscal_year) == expected


@FAST
@given(any_text, fiscal_years)
def test_parse_months_never_raises(text: str, fiscal_year: int) -> None:
    result = parse_months(text, fiscal_year)
    if isinstance(result, tuple):
        assert result and len(set(result)) == len(result)
        assert list(result) == sorted(result, key=fiscal_month_index)
    else:
        assert_reason(result)


# --- villages ---------------------------------------------------------------------------

NONG_WAENG = Village(5, "หนองแวง")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("หมู่ที่ 5", Village(5)),
        ("หมู่ 5", Village(5)),
        ("หมู่5", Village(5)),
        ("ม.5", Village(5)),
        ("ม. 5", Village(5)),
        ("5", Village(5)),
        ("หมู่ที่ 12", Village(12)),
        ("หมู่ ๕ บ้านหนองแวง", NONG_WAENG),
        ("หมู่ที่ 5 บ้านหนองแวง", NONG_WAENG),
        ("ม.5 บ.หนองแวง", NONG_WAENG),
        ("บ้านหนองแวง หมู่ 5", NONG_WAENG),
        ("บ้านหนองแวงหมู่5", NONG_WAENG),
        ("หมู่บ้านหนองแวง หมู่ที่ 5", NONG_WAENG),
    ],
)
def test_parse_village_accepts(text: str, expected: Village) -> None:
    assert parse_village(text) == expected


@pytest.mark.parametrize(
    ("text", "must_mention"),
    [
        ("", "กรุณาพิมพ์หมู่ที่"),
        ("หนองแวง", "ยังอ่านหมู่บ้านไม่ได้"),
        ("หมู่ 0", "1–99"),
        ("หมู่ที่ 120", "1–99"),
        ("หมู่ 5 บ้านหนองแวง ต.ภูเวียง", "ยังอ่านหมู่บ้านไม่ได้"),
        ("หมู่ 5 บ้านหนองแวงตำบลภูเวียง", "ยังอ่านหมู่บ้านไม่ได้"),
        ("หมู่ 5 " + "ก" * 100, "ยาวเกิน"),
    ],
)
def test_parse_village_rejects(text: str, must_mention: str) -> None:
    reason = assert_reason(parse_village(text)).reason
    assert must_mention in reason


def test_format_village() -> None:
    assert format_village(NONG_WAENG) == "หมู่ที่ 5 บ้านหนองแวง"
    assert format_village(Village(7)) == "หมู่ที่ 7"


@pytest.mark.parametrize(("number", "name"), [(0, None), (100, None), (5, " ")])
def test_village_rejects_invalid_values(number: int, name: str | None) -> None:
    with pytest.raises(ValueError):
        Village(number, name)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ถนนสายบ้านหนองแวง หมู่ที่ 5 ถึงหมู่ที่ 7", NONG_WAENG),
        ("ก่อสร้างถนนคอนกรีตเสริมเหล็ก หมู่ 5 บ้านหนองแวง", NONG_WAENG),
        ("หมู่ที่ 5 บ้านหนองแวงถึงหมู่ที่ 7", NONG_WAENG),
        ("หมู่ที่ 5 บ้านหนองแวง ตำบลภูเวียง", NONG_WAENG),
        ("ศาลาประชาคม ม.๗ ต.ภูเวียง", Village(7)),
        ("หมู่ 0 และหมู่ 3", Village(3)),
        ("นักเรียนชั้น ม.5", None),
        ("สำนักงาน อบต.ภูเวียง", None),
        ("", None),
    ],
)
def test_find_village(text: str, expected: Village | None) -> None:
    assert find_village(text) == expected


SYLLABLES = ["หนอง", "แวง", "โนน", "สว่าง", "นา", "คำ", "ดอน", "ใหม่", "ป่า", "ตาล", "ห้วย"]
CONSONANTS = "กขคฆงจฉชซญฎฏฐฑฒณดตถทธนบปผฝพฟภมยรลวศษสหฬอฮ"
village_names = st.one_of(
    st.lists(st.sampled_from([*SYLLABLES, "บ้าน"]), min_size=1, max_size=4).map("".join),
    st.text(alphabet=CONSONANTS, min_size=1, max_size=20),
).filter(lambda name: not re.search("ตำบล|อำเภอ|จังหวัด|ถึง|และ|หมู่", name))
villages = st.builds(
    Village, st.integers(min_value=1, max_value=99), st.one_of(st.none(), village_names)
)


@FAST
@given(villages)
def test_village_round_trip(village: Village) -> None:
    text = format_village(village)
    assert parse_village(text) == village
    assert parse_village(to_thai_digits(text)) == village
    assert find_village(f"ก่อสร้างถนนคอนกรีตเสริมเหล็ก {text} ตำบลภูเวียง") == village


@FAST
@given(any_text)
def test_village_parsers_never_raise(text: str) -> None:
    result = parse_village(text)
    assert isinstance(result, Village) or assert_reason(result)
    found = find_village(text)
    assert found is None or isinstance(found, Village)


# --- the module's own rules -------------------------------------------------------------


def test_every_message_is_polite_thai() -> None:
    for key, message in MESSAGES.items():
        assert THAI_LETTER.search(message), key
        assert "ค่ะ" not in message and "ครับ" not in message, key
        standalone = not key.startswith("text_") and key != "date_examples"
        if standalone:
            assert "เช่น" in message, key


def test_no_float_in_money_code() -> None:
    """Money must never pass through float: no float literal or float() call in the module."""
    source = Path(__file__).parents[1] / "models" / "thaitext.py"
    tree = ast.parse(source.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        assert not (isinstance(node, ast.Constant) and isinstance(node.value, float))
        assert not (isinstance(node, ast.Name) and node.id == "float")

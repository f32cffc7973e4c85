"""Every Thai text rule planbot has: reading what people type, and writing it back.

Users type amounts, dates, months and villages in many shapes (Thai or Arabic digits,
พ.ศ. or ค.ศ., ``ต.ค.`` or ``ตุลาคม``, ``1.5 ล้าน`` or ``หนึ่งล้านห้าแสนบาทถ้วน``). Each
``parse_*`` function turns one answer into a value or a :class:`ParseError` whose Thai
reason says what was wrong and shows an example; none of them raises on any ``str``.
The ``format_*`` functions write values the way officials read them, and everything they
write parses back to the same value, so the bot can echo what it understood (UX principle 3).

Money is ``Decimal`` (Baht, 2 places) or ``int`` satang; never float.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from decimal import Decimal, localcontext
from types import MappingProxyType
from typing import Final, Literal

from pythainlp.util import (
    arabic_digit_to_thai_digit,
    num_to_thaiword,
    reorder_vowels,
    thai_digit_to_arabic_digit,
    thai_strftime,
    thaiword_to_num,
)
from pythainlp.util.date import (
    thai_abbr_months,
    thai_full_month_lists,
    thai_full_months,
    thai_full_weekdays,
)

from models.fiscal import (
    BE_OFFSET,
    FISCAL_MONTHS,
    be_year_of_month,
    fiscal_month_index,
    fiscal_year_bounds,
)

__all__ = [
    "LABELS",
    "MAX_BUDGET",
    "MESSAGES",
    "ParseError",
    "Village",
    "baht_to_satang",
    "check_budget_range",
    "check_date_range",
    "clean_text",
    "find_village",
    "format_baht",
    "format_baht_words",
    "format_months",
    "format_thai_date",
    "format_village",
    "normalize_digits",
    "parse_budget",
    "parse_date",
    "parse_months",
    "parse_village",
    "satang_to_baht",
    "to_thai_digits",
]

# ---------------------------------------------------------------------------------------
# User-facing Thai text. Polite, gender-neutral (no ค่ะ/ครับ); every rejection says what was
# wrong and gives an example ("เช่น …"). Placeholders are filled with str.format.
# ---------------------------------------------------------------------------------------

MESSAGES: Final[Mapping[str, str]] = MappingProxyType(
    {
        # money
        "budget_empty": "กรุณาพิมพ์จำนวนเงินงบประมาณ เช่น 150000 หรือ 1.5 ล้าน",
        "budget_unreadable": "ยังอ่านจำนวนเงินไม่ได้ — กรุณาพิมพ์ตัวเลข เช่น 150000 หรือ 1.5 ล้าน",
        "budget_too_long": (
            "ข้อความยาวเกินกว่าจะเป็นจำนวนเงิน — กรุณาพิมพ์เฉพาะจำนวนเงิน เช่น 150000 หรือ 1.5 ล้าน"
        ),
        "budget_negative": "งบประมาณต้องไม่ติดลบ — กรุณาพิมพ์จำนวนเงินที่มากกว่า 0 บาท เช่น 150000",
        "budget_zero": "งบประมาณต้องมากกว่า 0 บาท — กรุณาพิมพ์จำนวนเงิน เช่น 150000 หรือ 1.5 ล้าน",
        "budget_satang": ("จำนวนเงินมีทศนิยมได้ไม่เกิน 2 ตำแหน่ง (สตางค์) — เช่น 150000.50 หรือ 1.25 ล้าน"),
        "budget_commas": (
            "เครื่องหมายจุลภาค (,) ต้องคั่นทุก 3 หลัก — เช่น 150,000 หรือ 1,500,000 หรือพิมพ์ติดกัน เช่น 150000"
        ),
        "budget_spaces": ("ตัวเลขถูกเว้นวรรคจนอ่านไม่ได้ — กรุณาพิมพ์ตัวเลขติดกัน เช่น 1500000 หรือ 1,500,000"),
        "budget_units_order": ("ยังอ่านจำนวนเงินไม่ได้ — กรุณาเรียงหน่วยจากมากไปน้อย เช่น 1 ล้าน 2 แสน"),
        "budget_ambiguous_words": (
            "“{text}” อ่านได้หลายแบบ (แสนห้า อาจหมายถึง 150,000 หรือ 100,005)"
            " — กรุณาพิมพ์เป็นตัวเลข เช่น 150000 หรือ 1.5 แสน"
        ),
        "budget_mismatch": (
            "จำนวนเงินตัวเลขกับในวงเล็บไม่ตรงกัน ({first} กับ {second})"
            " — กรุณาพิมพ์อย่างใดอย่างหนึ่ง เช่น 1500000 หรือ 1.5 ล้าน"
        ),
        "budget_too_high": (
            "งบประมาณ {amount} สูงเกินกว่าที่รับได้ (ไม่เกิน {limit}) — กรุณาตรวจสอบจำนวนหลัก เช่น 1,500,000"
        ),
        # dates
        "date_examples": "{day} {month} {year} หรือ {day}/{month_no}/{year}",
        "date_empty": "กรุณาพิมพ์วันที่ เช่น {examples}",
        "date_too_long": "ข้อความยาวเกินกว่าจะเป็นวันที่ — กรุณาพิมพ์เฉพาะวันที่ เช่น {examples}",
        "date_unreadable": "ยังอ่านวันที่ไม่ได้ — กรุณาพิมพ์วัน เดือน ปี เช่น {examples}",
        "date_bad_year": ("ยังอ่านปี “{year}” ไม่ได้ — กรุณาพิมพ์ปี พ.ศ. 4 หลักหรือ 2 หลัก เช่น {examples}"),
        "date_invalid": (
            "ไม่มีวันที่ {day}/{month}/{year} ในปฏิทิน — กรุณาตรวจสอบวันและเดือน เช่น {examples}"
        ),
        "date_no_year_fits": ("วันที่ {day}/{month} ไม่มีในปีนี้ — กรุณาระบุปี พ.ศ. ด้วย เช่น {examples}"),
        "date_weekday": "{date} ตรงกับ{actual} ไม่ใช่{given} — กรุณาตรวจสอบอีกครั้ง เช่น {correct}",
        "date_too_old": (
            "วันที่ {date} ย้อนหลังมากเกินไป (ต้องไม่ก่อน {limit}) — กรุณาตรวจสอบปี พ.ศ. เช่น {example}"
        ),
        "date_too_far": (
            "วันที่ {date} ล่วงหน้ามากเกินไป (ต้องไม่เกิน {limit}) — กรุณาตรวจสอบปี พ.ศ. เช่น {example}"
        ),
        # months of operation
        "months_empty": "กรุณาระบุเดือนที่ดำเนินการ เช่น ต.ค. – ธ.ค. หรือ ม.ค., มี.ค. หรือ ทั้งปี",
        "months_too_long": (
            "ข้อความยาวเกินกว่าจะเป็นช่วงเดือน — กรุณาพิมพ์เฉพาะเดือน เช่น ต.ค. – ธ.ค. หรือ ทั้งปี"
        ),
        "months_unreadable": (
            "ยังอ่านเดือนไม่ได้ตรง “{snippet}” — กรุณาพิมพ์ชื่อเดือน เช่น ต.ค. – ธ.ค. หรือ ม.ค., มี.ค. หรือ ทั้งปี"
        ),
        "months_incomplete_range": (
            "ช่วงเดือนไม่ครบ — กรุณาระบุทั้งเดือนเริ่มต้นและเดือนสิ้นสุด เช่น ม.ค. ถึง มี.ค."
        ),
        "months_backwards": (
            "ปีงบประมาณเริ่มเดือน ต.ค. และสิ้นสุดเดือน ก.ย. ช่วง {start} – {end} จึงย้อนกลับ"
            " — กรุณาพิมพ์ตามลำดับของปีงบประมาณ เช่น ต.ค. – ธ.ค. หรือ ม.ค. – มี.ค."
        ),
        "months_outside_fy": (
            "เดือนที่ระบุอยู่นอกปีงบประมาณ พ.ศ. {fy} ({first} – {last})"
            " — เช่น ต.ค. {first_year} หรือ ม.ค. – มี.ค. {fy}"
        ),
        "months_count_mismatch": (
            "ในวงเล็บระบุ {given} เดือน แต่เดือนที่อ่านได้มี {actual} เดือน ({months})"
            " — กรุณาตรวจสอบ เช่น ม.ค. – มี.ค. (3 เดือน)"
        ),
        # villages
        "village_empty": "กรุณาพิมพ์หมู่ที่ เช่น หมู่ที่ 5 หรือ หมู่ที่ 5 บ้านหนองแวง",
        "village_too_long": (
            "ข้อความยาวเกินกว่าจะเป็นหมู่บ้าน — กรุณาพิมพ์เฉพาะหมู่ที่และชื่อบ้าน เช่น หมู่ที่ 5 บ้านหนองแวง"
        ),
        "village_unreadable": (
            "ยังอ่านหมู่บ้านไม่ได้ — กรุณาพิมพ์หมู่ที่และชื่อบ้าน เช่น หมู่ที่ 5 หรือ หมู่ที่ 5 บ้านหนองแวง"
        ),
        "village_number": "หมู่ที่ต้องเป็นเลข 1–99 (ที่พิมพ์มาคือ {number}) — เช่น หมู่ที่ 5",
        # free text
        "text_empty": "กรุณาพิมพ์{field}",
        "text_example": " เช่น {example}",
        "text_too_long": (
            "{field}ยาวเกินไป ({length} ตัวอักษร รับได้ไม่เกิน {max_len} ตัวอักษร) — กรุณาย่อให้สั้นลง"
        ),
        "text_no_words": "ยังไม่เข้าใจ{field} “{text}” — กรุณาพิมพ์เป็นข้อความที่อ่านเข้าใจได้",
    }
)
"""Every Thai reason a parser can give, by key."""

LABELS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "baht": "บาท",
        "words_minus": "ลบ",
        "words_baht": "บาท",
        "words_satang": "สตางค์",
        "words_exact": "ถ้วน",
        "months_count": "({count} เดือน)",
        "months_whole_year": "(ทั้งปี 12 เดือน)",
        "months_list_sep": ", ",
        "months_range": "{start} – {end}",
        "month_year": "{month} {year}",
        "village": "หมู่ที่ {number}",
        "village_name": " บ้าน{name}",
        "weekday_date": "{weekday}ที่ {date}",
    }
)
"""The non-error Thai fragments the formatters write."""


@dataclass(frozen=True)
class ParseError:
    """Why an answer could not be read, in Thai, with an example; shown to the user as is."""

    reason: str


def _err(key: str, **fields: object) -> ParseError:
    """Build a ParseError from the message table, so no Thai text lives inside the logic."""
    return ParseError(MESSAGES[key].format(**fields))


# ---------------------------------------------------------------------------------------
# Normalisation
# ---------------------------------------------------------------------------------------

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
_DASHES = str.maketrans(dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\uff0d", "-"))
_WHITESPACE_RE = re.compile(r"\s+")
_MAX_INPUT_LEN = 100
_MAX_MONTHS_INPUT_LEN = 200


def normalize_digits(text: str) -> str:
    """Return `text` with Arabic digits, no zero-width characters, NFC and single spaces.

    LINE and phone keyboards mix Thai digits and paste invisible characters; every parser
    starts from this so that ``๑๕๐,๐๐๐`` and ``150,000`` are the same answer.
    """
    text = unicodedata.normalize("NFC", text.translate(_ZERO_WIDTH))
    text = thai_digit_to_arabic_digit(text)
    return _WHITESPACE_RE.sub(" ", text).strip()


def to_thai_digits(text: str) -> str:
    """Return `text` with Arabic digits written as Thai digits (for documents that want ๑๒๓)."""
    return arabic_digit_to_thai_digit(text)


def _prep(text: str) -> str:
    """Normalise an answer before parsing: digits, spaces, dashes and Thai vowel typos.

    `reorder_vowels` fixes what Thai keyboards commonly produce (เ+เ for แ, ํ+า for ำ,
    tone marks typed before vowels) so month and village names match.
    """
    return reorder_vowels(normalize_digits(text).translate(_DASHES))


# ---------------------------------------------------------------------------------------
# Money
# ---------------------------------------------------------------------------------------

MAX_BUDGET: Final = Decimal("10000000000")
"""10,000 million Baht: above this an amount is surely a typo (checked by the caller)."""

_CENT = Decimal("0.01")
_DECIMAL_PREC = 400  # exact arithmetic for anything a 100-character answer can spell

_UNIT_VALUES: Final[Mapping[str, int]] = MappingProxyType(
    {"ล้าน": 10**6, "แสน": 10**5, "หมื่น": 10**4, "พัน": 10**3, "ร้อย": 100, "k": 1000}
)
_FILLER_RE = re.compile(r"^(?:(?:งบประมาณ|งบ|จำนวนเงิน|จำนวน|เป็นเงิน|ประมาณ|รวม)\s*[:=]?\s*)+")
_MINUS_RE = re.compile(r"^(?:-|ติดลบ|ลบ)\s*")
_BAHT_SIGN_RE = re.compile(r"^฿\s*")
_MILLION_BAHT_RE = re.compile(r"(?<=[0-9\s])(?:ล\.\s?บ\.?|ลบ\.?)(?![ก-๎])")
_SUFFIX_RE = re.compile(r"(?:\s*(?:บาทถ้วน|บาท|ถ้วน|\.-|/-|=|-|\.))+$")
_PAREN_RE = re.compile(r"(?P<first>[^()]*?)\s*\((?P<second>[^()]*)\)")
_TERM_RE = re.compile(
    r"\s*(?P<num>[0-9][0-9,]*(?:\.[0-9]+)?|\.[0-9]+)\s*(?P<unit>ล้าน|แสน|หมื่น|พัน|ร้อย|k)?\s*"
)
_PLAIN_NUMBER_RE = re.compile(r"[0-9]+(?:\.[0-9]+)?|\.[0-9]+|[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?")
_HAS_DIGIT_RE = re.compile(r"[0-9]")
# "แสนห้า" is 100,005 by the book but 150,000 in speech: a place word followed by one bare
# digit is only trusted when written the formal way (with บาท, as bahttext writes it).
_COLLOQUIAL_RE = re.compile(r"(?:ร้อย|พัน|หมื่น|แสน|ล้าน)(?:หนึ่ง|สอง|สาม|สี่|ห้า|หก|เจ็ด|แปด|เก้า)$")


def parse_budget(text: str) -> Decimal | ParseError:
    """Read a budget in Baht as typed by people: digits, Thai digits, units, or Thai words.

    Returns a Decimal quantised to satang, > 0. Range checks beyond that are the caller's
    (see `check_budget_range`).
    """
    cleaned = _prep(text).lower()
    if not cleaned:
        return _err("budget_empty")
    if len(cleaned) > _MAX_INPUT_LEN:
        return _err("budget_too_long")
    with localcontext() as ctx:
        ctx.prec = _DECIMAL_PREC
        value = _parse_amount_with_words_in_parens(cleaned)
    if isinstance(value, ParseError):
        return value
    if value < 0:
        return _err("budget_negative")
    if value == 0:
        return _err("budget_zero")
    return value


def _parse_amount_with_words_in_parens(text: str) -> Decimal | ParseError:
    """Accept "1,500,000 บาท (หนึ่งล้านห้าแสนบาทถ้วน)" — what officials copy — if both agree."""
    match = _PAREN_RE.fullmatch(text)
    if match is None:
        return _parse_signed_amount(text)
    first = _parse_signed_amount(match["first"])
    second = _parse_signed_amount(match["second"])
    if isinstance(first, ParseError):
        return first
    if isinstance(second, ParseError):
        return second
    if first != second:
        return _err("budget_mismatch", first=format_baht(first), second=format_baht(second))
    return first


def _parse_signed_amount(text: str) -> Decimal | ParseError:
    """Strip filler words and a minus sign, then read the amount (negative if signed)."""
    text = _BAHT_SIGN_RE.sub("", _FILLER_RE.sub("", text.strip()))
    minus = _MINUS_RE.match(text)
    if minus is None:
        return _parse_amount(text)
    value = _parse_amount(_BAHT_SIGN_RE.sub("", text[minus.end() :]))
    if isinstance(value, ParseError):
        return value
    return -value


def _parse_amount(text: str) -> Decimal | ParseError:
    """Read an unsigned amount, choosing between digit notation and Thai words."""
    if _HAS_DIGIT_RE.search(text):
        value = _parse_digit_terms(_SUFFIX_RE.sub("", _MILLION_BAHT_RE.sub(" ล้าน", text)).strip())
    else:  # words keep their บาท/ถ้วน: whether บาท is there decides how "แสนห้า" reads
        value = _parse_baht_words(text.replace(" ", ""))
    if isinstance(value, ParseError):
        return value
    quantized = value.quantize(_CENT)
    if quantized != value:
        return _err("budget_satang")
    return quantized


def _parse_digit_terms(text: str) -> Decimal | ParseError:
    """Sum "<number> <unit>" terms with units in decreasing order: "1 ล้าน 2 แสน", "1.5 ล้าน"."""
    total = Decimal(0)
    previous_unit: int | None = None
    pos = 0
    while pos < len(text):
        match = _TERM_RE.match(text, pos)
        if match is None:
            return _err("budget_unreadable")
        pos = match.end()
        number = match["num"]
        if not _PLAIN_NUMBER_RE.fullmatch(number):
            return _err("budget_commas")
        unit = _UNIT_VALUES[match["unit"]] if match["unit"] else 1
        if previous_unit is not None:
            if previous_unit == 1:
                return _err("budget_spaces")
            if unit >= previous_unit:
                return _err("budget_units_order")
        term = Decimal(number.replace(",", "")) * unit
        if previous_unit is not None and term >= previous_unit:
            return _err("budget_units_order")
        total += term
        previous_unit = unit
    return total


def _parse_baht_words(text: str) -> Decimal | ParseError:
    """Read Thai words the way bahttext writes them: "หนึ่งล้านห้าแสนบาทถ้วน", "…บาทห้าสิบสตางค์"."""
    baht_words, satang_words = text, ""
    formal = "บาท" in text
    if formal:
        baht_words, _, rest = text.partition("บาท")
        if rest.endswith("สตางค์"):
            satang_words = rest.removesuffix("สตางค์")
        elif rest not in ("", "ถ้วน"):
            return _err("budget_unreadable")
    elif text.endswith("สตางค์"):
        baht_words, satang_words = "", text.removesuffix("สตางค์")
    if not formal and _COLLOQUIAL_RE.search(baht_words):
        return _err("budget_ambiguous_words", text=baht_words)
    baht = _thai_words_to_int(baht_words) if baht_words else 0
    satang = _thai_words_to_int(satang_words) if satang_words else 0
    if baht is None or satang is None or satang >= 100 or not (baht_words or satang_words):
        return _err("budget_unreadable")
    return Decimal(baht) + Decimal(satang) / 100


def _thai_words_to_int(words: str) -> int | None:
    """Wrap pythainlp's validated Thai-numeral reader; None where it refuses."""
    if words.startswith("ลบ"):  # minus is handled (and rejected) by the caller
        return None
    try:
        return thaiword_to_num(words)
    except ValueError:
        return None


def check_budget_range(value: Decimal) -> Decimal | ParseError:
    """Reject budgets that cannot be meant: zero or less, or above `MAX_BUDGET`."""
    if value <= 0:
        return _err("budget_zero")
    if value > MAX_BUDGET:
        return _err("budget_too_high", amount=format_baht(value), limit=format_baht(MAX_BUDGET))
    return value


def _exact_cents(amount: Decimal | int) -> Decimal:
    """Return `amount` as a Decimal with exactly 2 places; refuse to round money silently."""
    value = Decimal(amount) if isinstance(amount, int) else amount
    if not value.is_finite():
        raise ValueError(f"amount must be finite, got {amount!r}")
    with localcontext() as ctx:
        ctx.prec = _DECIMAL_PREC
        quantized = value.quantize(_CENT)
    if quantized != value:
        raise ValueError(f"amount has more than 2 decimal places: {amount!r}")
    return quantized


def baht_to_satang(amount: Decimal | int) -> int:
    """Return the amount as integer satang (for storage); raises if it has sub-satang digits."""
    return int(_exact_cents(amount).scaleb(2))


def satang_to_baht(satang: int) -> Decimal:
    """Return integer satang as Baht with exactly 2 places."""
    with localcontext() as ctx:
        ctx.prec = _DECIMAL_PREC
        return Decimal(satang).scaleb(-2).quantize(_CENT)


def format_baht(amount: Decimal | int, *, thai_digits: bool = False, unit: bool = True) -> str:
    """Write an amount as officials do: "1,500,000 บาท"; satang only when not zero."""
    value = _exact_cents(amount)
    text = f"{value:,.2f}".removesuffix(".00")
    if unit:
        text = f"{text} {LABELS['baht']}"
    return to_thai_digits(text) if thai_digits else text


def format_baht_words(amount: Decimal | int) -> str:
    """Write an amount in Thai words exactly as pythainlp's bahttext does, without floats.

    bahttext only takes float; this rebuilds its output from the integer `num_to_thaiword`
    so amounts near 10,000 million keep every satang.
    """
    satang_total = baht_to_satang(amount)
    sign = LABELS["words_minus"] if satang_total < 0 else ""
    baht, satang = divmod(abs(satang_total), 100)
    words = num_to_thaiword(baht) + LABELS["words_baht"]
    if satang:
        words += num_to_thaiword(satang) + LABELS["words_satang"]
    else:
        words += LABELS["words_exact"]
    return sign + words


# ---------------------------------------------------------------------------------------
# Month names (shared by dates and months of operation)
# ---------------------------------------------------------------------------------------

_EXTRA_MONTH_NAMES: Final[Mapping[str, int]] = MappingProxyType(
    {"กรกฎา": 7, "กรกฏาคม": 7, "กรกฏา": 7}  # pythainlp lacks the short form and the ฏ typo
)


def _month_name_table() -> dict[str, int]:
    """Map every accepted spelling (dots and spaces removed) to its month number."""
    table: dict[str, int] = {}
    for number, names in enumerate(thai_full_month_lists, start=1):
        for name in names:
            if not name.isdigit():
                table[name.replace(".", "")] = number
    for number, name in enumerate(thai_full_months, start=1):
        table[name] = number
    for number, abbr in enumerate(thai_abbr_months, start=1):
        table[abbr.replace(".", "")] = number
    table.update(_EXTRA_MONTH_NAMES)
    return table


def _abbr_pattern(abbr: str) -> str:
    """Regex for "ต.ค." that also takes "ต.ค", "ตค", "ต. ค." and "ตค."."""
    parts = [re.escape(part) for part in abbr.split(".") if part]
    return r"\.?\s?".join(parts) + r"\.?"


_MONTH_BY_NAME: Final = MappingProxyType(_month_name_table())
_MONTH_RE_SOURCE = "|".join(
    [re.escape(n) for n in sorted(_MONTH_BY_NAME, key=len, reverse=True) if len(n) > 3]
    + [_abbr_pattern(abbr) for abbr in thai_abbr_months]
)
_ERA_RE_SOURCE = r"(?P<era>พ\.?\s?ศ\.?|ค\.?\s?ศ\.?)"


def _month_of(token: str) -> int:
    """Month number of a token matched by `_MONTH_RE_SOURCE`."""
    return _MONTH_BY_NAME[re.sub(r"[.\s]", "", token)]


def _abbr_month(month: int) -> str:
    """ "ต.ค." for 10."""
    return thai_abbr_months[month - 1]


def _year_to_be(digits: str, era: str | None) -> int | None:
    """Turn a typed year into พ.ศ.: 2 digits are พ.ศ. 25xx, 4 digits above 2400 are พ.ศ.

    An explicit พ.ศ./ค.ศ. wins. Returns None for any other length.
    """
    if len(digits) not in (2, 4):
        return None
    year = int(digits)
    is_ce = era is not None and era.startswith("ค")
    if len(digits) == 2:
        return 2000 + year + BE_OFFSET if is_ce else 2500 + year
    if era is None:
        is_ce = year <= 2400
    return year + BE_OFFSET if is_ce else year


# ---------------------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------------------

_RELATIVE_DAYS: Final[Mapping[str, int]] = MappingProxyType(
    {
        "วันนี้": 0,
        "พรุ่งนี้": 1,
        "มะรืน": 2,
        "มะรืนนี้": 2,
        "เมื่อวาน": -1,
        "เมื่อวานนี้": -1,
        "เมื่อวานซืน": -2,
    }
)
_WEEKDAY_BY_NAME: Final[Mapping[str, int]] = MappingProxyType(
    {name.removeprefix("วัน"): i for i, name in enumerate(thai_full_weekdays)} | {"พฤหัส": 3}
)
_WEEKDAY_ALTS = "|".join(sorted(_WEEKDAY_BY_NAME, key=len, reverse=True))
_DATE_PREFIX_RE = re.compile(rf"^(?:วันที่|(?:วัน)?(?P<wd>{_WEEKDAY_ALTS})(?:\s*ที่)?)\s*,?\s*")
_NAMED_MONTH_DATE_RE = re.compile(
    rf"(?P<day>[0-9]{{1,2}})\s*(?:เดือน\s*)?(?P<month>{_MONTH_RE_SOURCE})"
    rf"(?:\s*(?:ปี\s*)?(?:{_ERA_RE_SOURCE}\s*)?(?P<year>[0-9]+))?"
)
_DMY_DATE_RE = re.compile(
    r"(?P<day>[0-9]{1,2})\s*(?P<sep>[/.\-])\s*(?P<month>[0-9]{1,2})"
    r"(?:\s*(?P=sep)\s*(?P<year>[0-9]+))?"
)
_YMD_DATE_RE = re.compile(
    r"(?P<year>[0-9]{4})\s*(?P<sep>[/.\-])\s*(?P<month>[0-9]{1,2})\s*(?P=sep)\s*(?P<day>[0-9]{1,2})"
)


def parse_date(text: str, today: date) -> date | ParseError:
    """Read a date as Thai people type it (พ.ศ. or ค.ศ., month names, D/M/Y, ISO, วันนี้…).

    A date without a year takes the year that puts it nearest to `today`.
    """
    cleaned = _prep(text)
    examples = _date_examples(today)
    if not cleaned:
        return _err("date_empty", examples=examples)
    if len(cleaned) > _MAX_INPUT_LEN:
        return _err("date_too_long", examples=examples)
    squashed = cleaned.replace(" ", "")
    # "วันพรุ่งนี้", "วันมะรืน" are said with วัน in front too (but "วันนี้" is a word of its own)
    relative = _RELATIVE_DAYS.get(squashed, _RELATIVE_DAYS.get(squashed.removeprefix("วัน")))
    if relative is not None:
        shifted = _shift(today, relative)
        return (
            shifted
            if shifted != today or relative == 0
            else _err("date_unreadable", examples=examples)
        )
    body, weekday = _strip_date_prefix(cleaned)
    match = _match_date(body)
    if match is None:
        return _err("date_unreadable", examples=examples)
    result = _date_from_match(match, today, examples)
    if isinstance(result, ParseError) or weekday is None or result.weekday() == weekday:
        return result
    return _err(
        "date_weekday",
        date=format_thai_date(result),
        actual=thai_full_weekdays[result.weekday()],
        given=thai_full_weekdays[weekday],
        correct=format_thai_date(result, weekday=True),
    )


_TIME_RE = re.compile(r"(?:^|\s)([0-2]?[0-9])[:.]([0-5][0-9])(?:\s*น\.?)?$")


def parse_moment(
    text: str, today: date, tz: tzinfo, default: time = time(8, 30)
) -> datetime | ParseError:
    """A date as :func:`parse_date` reads it, with an optional time at the end ("08:30",
    "8.30 น."); ``default`` when none is given. An operator's "when" (``--at``, ``@clock``)."""
    found = _TIME_RE.search(text.strip())
    at = default
    if found is not None:
        hour, minute = int(found.group(1)), int(found.group(2))
        if hour > 23:
            return _err("date_unreadable", examples=_date_examples(today))
        at, text = time(hour, minute), text.strip()[: found.start()]
    day = parse_date(text, today)
    if isinstance(day, ParseError):
        return day
    return datetime.combine(day, at, tzinfo=tz)


def _shift(day: date, days: int) -> date:
    """`day` + `days`, clamped to the calendar's ends instead of overflowing."""
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return date.max if days > 0 else date.min


def _strip_date_prefix(text: str) -> tuple[str, int | None]:
    """Remove "วันที่", "วันพุธที่" and the like; return the rest and the weekday if named."""
    weekday: int | None = None
    for _ in range(2):  # "วันพุธ วันที่ 1 ต.ค." has two prefixes
        match = _DATE_PREFIX_RE.match(text)
        if match is None or match.end() == 0:
            break
        if match["wd"]:
            weekday = _WEEKDAY_BY_NAME[match["wd"]]
        text = text[match.end() :]
    return text, weekday


def _match_date(text: str) -> re.Match[str] | None:
    """Try the date shapes in turn (ISO first, since "2025-10-01" also looks like D-M-Y)."""
    for pattern in (_YMD_DATE_RE, _NAMED_MONTH_DATE_RE, _DMY_DATE_RE):
        match = pattern.fullmatch(text)
        if match is not None:
            return match
    return None


def _date_from_match(match: re.Match[str], today: date, examples: str) -> date | ParseError:
    """Build the date from a matched pattern, resolving the year and checking the calendar."""
    day = int(match["day"])
    raw_month = match["month"]
    month = int(raw_month) if raw_month.isdigit() else _month_of(raw_month)
    groups = match.groupdict()
    if groups.get("year") is None:
        return _nearest_date(day, month, today, examples)
    be_year = _year_to_be(groups["year"], groups.get("era"))
    if be_year is None:
        return _err("date_bad_year", year=groups["year"], examples=examples)
    try:
        return date(be_year - BE_OFFSET, month, day)
    except ValueError:
        return _err("date_invalid", day=day, month=month, year=be_year, examples=examples)


def _nearest_date(day: int, month: int, today: date, examples: str) -> date | ParseError:
    """Pick last, this or next year for a date typed without one: whichever is nearest."""
    candidates: list[date] = []
    for year in (today.year - 1, today.year, today.year + 1):
        try:
            candidates.append(date(year, month, day))
        except ValueError:
            continue
    if not candidates:
        if (day, month) == (29, 2):
            return _err("date_no_year_fits", day=day, month=month, examples=examples)
        return _err(
            "date_invalid", day=day, month=month, year=today.year + BE_OFFSET, examples=examples
        )
    return min(candidates, key=lambda d: (abs((d - today).days), d < today))


def _date_examples(today: date) -> str:
    """Examples built from today's date, so they never go stale."""
    return MESSAGES["date_examples"].format(
        day=today.day,
        month=_abbr_month(today.month),
        month_no=today.month,
        year=today.year + BE_OFFSET,
    )


def check_date_range(
    d: date, today: date, *, past_days: int = 730, future_days: int = 730
) -> date | ParseError:
    """Reject dates implausibly far from today (usually a wrong พ.ศ./ค.ศ. year)."""
    earliest = _shift(today, -past_days)
    latest = _shift(today, future_days)
    if d < earliest:
        key, limit = "date_too_old", earliest
    elif d > latest:
        key, limit = "date_too_far", latest
    else:
        return d
    return _err(key, date=_medium_date(d), limit=_medium_date(limit), example=_medium_date(today))


def _medium_date(d: date) -> str:
    """ "1 ต.ค. 2568": short month, full พ.ศ. year — the form used in examples."""
    return f"{d.day} {_abbr_month(d.month)} {d.year + BE_OFFSET}"


def format_thai_date(
    d: date,
    style: Literal["long", "short"] = "long",
    *,
    thai_digits: bool = False,
    weekday: bool = False,
) -> str:
    """Write a date in พ.ศ.: long "31 ตุลาคม 2568", short "31 ต.ค. 68"; `weekday` adds "วันศุกร์ที่"."""
    fmt = "%-d %B %Y" if style == "long" else "%-d %b %y"
    moment = datetime(d.year, d.month, d.day)
    text = thai_strftime(moment, fmt, thaidigit=thai_digits)
    if weekday:
        text = LABELS["weekday_date"].format(weekday=thai_full_weekdays[d.weekday()], date=text)
    return text


# ---------------------------------------------------------------------------------------
# Months of operation
# ---------------------------------------------------------------------------------------

_MonthKind = Literal["month", "range", "list", "whole", "from", "between", "onward", "noise"]

_MONTH_TOKEN_RE = re.compile(
    r"\s*(?:"
    r"(?P<whole>(?:ทั้ง|ตลอด)\s*ปี(?:\s*งบประมาณ)?|(?:ตลอด\s*)?12\s*เดือน)"
    rf"|(?P<month>{_MONTH_RE_SOURCE})"
    rf"(?:\s*(?:{_ERA_RE_SOURCE}\s*)?(?P<year>[0-9]{{4}}|[0-9]{{2}})(?![0-9]))?"
    r"|(?P<range>-|ไปจนถึง|จนถึง|ถึง|จน|~|→)"
    r"|(?P<list>,|และ|กับ|/|;|、)"
    r"|(?P<from>ตั้งแต่)"
    r"|(?P<between>ระหว่าง)"
    r"|(?P<onward>เป็นต้นไป|จนสิ้นปีงบประมาณ|จนจบปีงบประมาณ)"
    r"|(?P<noise>เดือน|ช่วง)"
    r")\s*"
)
_MONTH_KINDS: tuple[_MonthKind, ...] = (
    "whole",
    "month",
    "range",
    "list",
    "from",
    "between",
    "onward",
    "noise",
)
_MONTHS_COUNT_RE = re.compile(r"\(\s*(?:ทั้งปี\s*)?(?P<count>[0-9]+)\s*เดือน\s*\)\s*$")


@dataclass(frozen=True)
class _MonthToken:
    """One lexical piece of a months answer; `month`/`year` only for kind "month"."""

    kind: _MonthKind
    month: int = 0
    year: int | None = None
    text: str = ""


def parse_months(text: str, fiscal_year: int) -> tuple[int, ...] | ParseError:
    """Read the months a project runs in fiscal year `fiscal_year` (พ.ศ.).

    Returns unique calendar month numbers in fiscal order (10, 11, 12, 1, …, 9).
    """
    cleaned = _prep(text)
    if not cleaned:
        return _err("months_empty")
    if len(cleaned) > _MAX_MONTHS_INPUT_LEN:
        return _err("months_too_long")
    given_count: int | None = None
    count_match = _MONTHS_COUNT_RE.search(cleaned)
    if count_match is not None:
        given_count = int(count_match["count"])
        cleaned = cleaned[: count_match.start()]
    tokens = _tokenize_months(cleaned)
    if isinstance(tokens, ParseError):
        return tokens
    spans = _month_spans(tokens)
    if isinstance(spans, ParseError):
        return spans
    months = _months_in_spans(spans, fiscal_year)
    if isinstance(months, ParseError):
        return months
    if given_count is not None and given_count != len(months):
        return _err(
            "months_count_mismatch",
            given=given_count,
            actual=len(months),
            months=_month_runs_text(months, fiscal_year),
        )
    return months


def _tokenize_months(text: str) -> list[_MonthToken] | ParseError:
    """Split a months answer into month names (with optional year), separators and keywords."""
    tokens: list[_MonthToken] = []
    pos = 0
    while pos < len(text):
        match = _MONTH_TOKEN_RE.match(text, pos)
        if match is None or match.end() == pos:
            return _err("months_unreadable", snippet=text[pos : pos + 12].strip())
        pos = match.end()
        token = _month_token(match)
        if token.kind != "noise":  # "เดือน", "ช่วง" carry no meaning
            tokens.append(token)
    return tokens


def _month_token(match: re.Match[str]) -> _MonthToken:
    """Classify one `_MONTH_TOKEN_RE` match."""
    kind = next(k for k in _MONTH_KINDS if match[k] is not None)  # the alternative that matched
    if kind != "month":
        return _MonthToken(kind, text=match[kind])
    year = None
    if match["year"] is not None:
        year = _year_to_be(match["year"], match["era"])
    return _MonthToken("month", month=_month_of(match["month"]), year=year, text=match["month"])


_Span = tuple[_MonthToken, _MonthToken]


def _month_spans(tokens: list[_MonthToken]) -> list[_Span] | ParseError:
    """Group tokens into (start, end) spans; a single month is a span of one."""
    spans: list[_Span] = []
    whole_year = _MonthToken("month", month=FISCAL_MONTHS[0])
    end_of_year = _MonthToken("month", month=FISCAL_MONTHS[-1])
    opener: _MonthKind | None = None  # "ตั้งแต่"/"ระหว่าง" waiting for a range
    i = 0
    while i < len(tokens):
        token = tokens[i]
        i += 1
        if token.kind == "whole":
            spans.append((whole_year, end_of_year))
        elif token.kind in ("from", "between"):
            opener = token.kind
        elif token.kind in ("range", "onward"):
            return _err("months_incomplete_range")
        elif token.kind == "month":
            nxt = tokens[i] if i < len(tokens) else None
            joins = nxt is not None and (
                nxt.kind == "range" or (opener == "between" and nxt.kind == "list")
            )
            if joins:
                end = tokens[i + 1] if i + 1 < len(tokens) else None
                if end is None or end.kind != "month":
                    return _err("months_incomplete_range")
                spans.append((token, end))
                i += 2
            elif nxt is not None and nxt.kind == "onward":
                spans.append((token, end_of_year))
                i += 1
            elif opener is not None:
                return _err("months_incomplete_range")
            else:
                spans.append((token, token))
            opener = None
    if opener is not None:
        return _err("months_incomplete_range")
    return spans


def _months_in_spans(spans: list[_Span], fiscal_year: int) -> tuple[int, ...] | ParseError:
    """Check years and direction of each span and collect the months in fiscal order."""
    if not spans:
        return _err("months_empty")
    chosen: set[int] = set()
    for start, end in spans:
        for token in (start, end):
            if token.year is not None and token.year != be_year_of_month(fiscal_year, token.month):
                return _outside_fiscal_year(fiscal_year)
        first, last = fiscal_month_index(start.month), fiscal_month_index(end.month)
        if first > last:
            return _err(
                "months_backwards", start=_abbr_month(start.month), end=_abbr_month(end.month)
            )
        chosen.update(FISCAL_MONTHS[first : last + 1])
    return tuple(m for m in FISCAL_MONTHS if m in chosen)


def _outside_fiscal_year(fiscal_year: int) -> ParseError:
    """The "month outside the fiscal year" error, with the year's first and last day."""
    first, last = fiscal_year_bounds(fiscal_year)
    return _err(
        "months_outside_fy",
        fy=fiscal_year,
        first=_medium_date(first),
        last=_medium_date(last),
        first_year=fiscal_year - 1,
    )


def format_months(months: Iterable[int], fiscal_year: int) -> str:
    """Write months compactly with their พ.ศ. years: "ต.ค. 2568, ธ.ค. 2568 – ก.พ. 2569 (4 เดือน)".

    Raises ValueError for an empty selection or a month outside 1..12 (a programming error).
    """
    ordered = tuple(sorted(set(months), key=fiscal_month_index))
    if not ordered:
        raise ValueError("months must not be empty")
    count = len(ordered)
    suffix = (
        LABELS["months_whole_year"]
        if count == len(FISCAL_MONTHS)
        else LABELS["months_count"].format(count=count)
    )
    return f"{_month_runs_text(ordered, fiscal_year)} {suffix}"


def _month_runs_text(months: tuple[int, ...], fiscal_year: int) -> str:
    """Consecutive runs (in fiscal order) as ranges, the year written once per range."""
    runs: list[list[int]] = []
    for month in months:
        if runs and fiscal_month_index(month) == fiscal_month_index(runs[-1][-1]) + 1:
            runs[-1].append(month)
        else:
            runs.append([month])
    return LABELS["months_list_sep"].join(_run_text(run, fiscal_year) for run in runs)


def _run_text(run: list[int], fiscal_year: int) -> str:
    """ "ม.ค. – มี.ค. 2569" when both ends share a year, else "ต.ค. 2568 – ก.พ. 2569"."""
    first, last = run[0], run[-1]
    last_text = LABELS["month_year"].format(
        month=_abbr_month(last), year=be_year_of_month(fiscal_year, last)
    )
    if first == last:
        return last_text
    if be_year_of_month(fiscal_year, first) == be_year_of_month(fiscal_year, last):
        first_text = _abbr_month(first)
    else:
        first_text = LABELS["month_year"].format(
            month=_abbr_month(first), year=be_year_of_month(fiscal_year, first)
        )
    return LABELS["months_range"].format(start=first_text, end=last_text)


# ---------------------------------------------------------------------------------------
# Villages
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Village:
    """A village (หมู่บ้าน) of the LAO: its number and, if given, its name without "บ้าน"."""

    number: int
    name: str | None = None

    def __post_init__(self) -> None:
        """Keep invalid villages out of storage: numbers run 1..99, names are not blank."""
        if not 1 <= self.number <= 99:
            raise ValueError(f"village number must be 1..99, got {self.number!r}")
        if self.name is not None and not self.name.strip():
            raise ValueError("village name must not be blank")


_VILLAGE_NUMBER_SOURCE = r"(?:หมู่?\s*ที่|หมู่?|ม\.)\s*(?P<number>[0-9]+)(?![0-9])"
_NAME_CHARS = "\u0e01-\u0e2e\u0e30-\u0e3a\u0e40-\u0e4e"  # Thai letters, no ฯ ฿ or digits
_VILLAGE_NAME_SOURCE = (
    rf"(?:หมู่บ้าน|บ้าน|(?<![{_NAME_CHARS}])บ\.)\s*"
    rf"(?P<name>[\u0e01-\u0e2e\u0e40-\u0e44][{_NAME_CHARS}]*)"
)
_VILLAGE_FORMS = (
    re.compile(rf"{_VILLAGE_NUMBER_SOURCE}(?:\s*{_VILLAGE_NAME_SOURCE})?"),
    re.compile(rf"{_VILLAGE_NAME_SOURCE}\s*{_VILLAGE_NUMBER_SOURCE}"),
    re.compile(rf"(?P<number>[0-9]+)(?:\s*{_VILLAGE_NAME_SOURCE})?"),
)
_VILLAGE_NUMBER_RE = re.compile(rf"(?<!ชั้น)(?<!ชั้น ){_VILLAGE_NUMBER_SOURCE}")
_NAME_AFTER_RE = re.compile(rf"\s*{_VILLAGE_NAME_SOURCE}")
_NAME_BEFORE_RE = re.compile(rf"{_VILLAGE_NAME_SOURCE}\s*$")
# Words that end a village name written without spaces: "บ้านหนองแวงตำบลภูเวียง".
_NAME_STOP_RE = re.compile(r"ตำบล|อำเภอ|จังหวัด|ถึง|และ|หมู่")


def parse_village(text: str) -> Village | ParseError:
    """Read a village answer: "หมู่ที่ 5", "ม.5", "หมู่ ๕ บ้านหนองแวง", "บ้านหนองแวง หมู่ 5"."""
    cleaned = _prep(text)
    if not cleaned:
        return _err("village_empty")
    if len(cleaned) > _MAX_INPUT_LEN:
        return _err("village_too_long")
    for pattern in _VILLAGE_FORMS:
        match = pattern.fullmatch(cleaned)
        if match is not None:
            break
    else:
        return _err("village_unreadable")
    number = int(match["number"])
    if not 1 <= number <= 99:
        return _err("village_number", number=number)
    name = match["name"]
    if name is not None and _trim_village_name(name) != name:
        return _err("village_unreadable")
    return Village(number, name)


def find_village(text: str) -> Village | None:
    """Find the first village mentioned in a longer location text, to echo it back.

    "ถนนสายบ้านหนองแวง หมู่ที่ 5 ถึงหมู่ที่ 7" → Village(5, "หนองแวง"). A name right after
    the number wins over one right before it (the official order is "หมู่ที่ 5 บ้าน…").
    """
    cleaned = _prep(text)
    for match in _VILLAGE_NUMBER_RE.finditer(cleaned):
        number = int(match["number"])
        if not 1 <= number <= 99:
            continue
        after = _NAME_AFTER_RE.match(cleaned, match.end())
        before = _NAME_BEFORE_RE.search(cleaned, 0, match.start())
        found = after or before
        name = _trim_village_name(found["name"]) if found is not None else None
        return Village(number, name or None)
    return None


def _trim_village_name(name: str) -> str:
    """Cut a name at the first word that cannot belong to it (ตำบล, ถึง, และ …)."""
    stop = _NAME_STOP_RE.search(name, 1)
    return name if stop is None else name[: stop.start()]


# "ม.5", "หมู่ ๕", "หมู่ที่5" — and the numbers that run on from it: "1-6", "1, 3 และ 5"
_VILLAGE_REF_RE = re.compile(
    r"(?:หมู่?\s*ที่|หมู่?|ม\.)\s*(?P<numbers>[0-9]+(?:\s*(?:-|–|ถึง|,|และ)\s*[0-9]+)*)"
)
_VILLAGE_LINK_RE = re.compile(r"\s*(-|–|ถึง|,|และ)\s*")
_VILLAGE_LINKS = {"-": "–", "–": "–", "ถึง": " ถึง ", ",": ", ", "และ": " และ "}


def normalize_villages(text: str) -> str:
    """Write every village a place mentions the official way, keeping ranges and lists:
    "ม.1-6 บ้านหนองแวง" → "หมู่ที่ 1–6 บ้านหนองแวง", "หมู่ ๓" → "หมู่ที่ 3"."""

    def official(match: re.Match[str]) -> str:
        numbers = _VILLAGE_LINK_RE.sub(lambda m: _VILLAGE_LINKS[m.group(1)], match["numbers"])
        return LABELS["village"].format(number=numbers)

    return _VILLAGE_REF_RE.sub(official, _prep(text))


def mentions_village(text: str) -> bool:
    return _VILLAGE_REF_RE.search(_prep(text)) is not None


def format_village(village: Village) -> str:
    """Write a village the official way: "หมู่ที่ 5 บ้านหนองแวง"."""
    text = LABELS["village"].format(number=village.number)
    if village.name:
        text += LABELS["village_name"].format(name=village.name)
    return text


# ---------------------------------------------------------------------------------------
# Free text
# ---------------------------------------------------------------------------------------


# letters that make words: Thai consonants and vowels (not tone marks alone), Latin letters
_LETTER_RE = re.compile(r"[\u0e01-\u0e30\u0e32\u0e33\u0e40-\u0e45a-zA-Z]")
MIN_WORD_LETTERS = 3
# what people type when they have nothing to say; never a title or a reason on the record
FILLER_WORDS: Final[frozenset[str]] = frozenset(
    {"ok", "okay", "oki", "test", "โอเค", "โอเคค่ะ", "โอเคครับ", "ทดสอบ", "ได้", "ได้ครับ", "ได้ค่ะ"}
)


def clean_text(
    text: str,
    *,
    max_len: int,
    field_name_th: str,
    example_th: str | None = None,
    words: bool = False,
) -> str | ParseError:
    """Tidy a free-text answer (project name, details…) and check it is present and short enough.

    `field_name_th` names the field in the reason ("ชื่อโครงการ"); `example_th`, when given,
    is appended to the "please type" reason as an example. With `words`, the answer must be
    real words (a title, a reason on the record): at least three letters, not emoji or
    punctuation alone, not a filler such as "ok".
    """
    cleaned = unicodedata.normalize("NFC", text.translate(_ZERO_WIDTH))
    cleaned = _WHITESPACE_RE.sub(" ", reorder_vowels(cleaned)).strip()
    if not cleaned:
        reason = MESSAGES["text_empty"].format(field=field_name_th)
        if example_th:
            reason += MESSAGES["text_example"].format(example=example_th)
        return ParseError(reason)
    if len(cleaned) > max_len:
        return _err("text_too_long", field=field_name_th, length=len(cleaned), max_len=max_len)
    if words and not has_words(cleaned):
        reason = MESSAGES["text_no_words"].format(field=field_name_th, text=cleaned[:40])
        if example_th:
            reason += MESSAGES["text_example"].format(example=example_th)
        return ParseError(reason)
    return cleaned


def has_words(text: str) -> bool:
    """Whether ``text`` says something in letters (see ``clean_text``'s ``words``)."""
    if "".join(text.split()).casefold().strip(".!?-") in FILLER_WORDS:
        return False
    return len(_LETTER_RE.findall(text)) >= MIN_WORD_LETTERS

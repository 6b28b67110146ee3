"""Reading values typed by people: money, dates, months, quarters, periods, flags, names.

Everything here is pure (no I/O, no printing) and raises :class:`ParseError` with a short
Simplified Chinese message that quotes the offending value in 「」 and says which form is
accepted.  ``decimal`` and OpenCC (traditional → simplified) are imported on first use so
that importing this module stays cheap.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable

from zhaoshang.errors import ParseError
from zhaoshang.names import fold

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    import decimal
    from typing import Any

__all__ = [
    "MONEY_UNITS",
    "format_money",
    "month_bounds",
    "month_only",
    "normalize_key",
    "normalize_name",
    "parse_bool",
    "parse_credit_code",
    "parse_date",
    "parse_int",
    "parse_money",
    "parse_month",
    "parse_period",
    "parse_quarter",
    "parse_typed_bound",
    "parse_typed_date",
    "parse_typed_month",
    "parse_typed_period",
    "parse_typed_quarter",
    "quarter_bounds",
    "split_assignment",
    "to_halfwidth",
    "to_simplified",
]

# --------------------------------------------------------------------------- width & script

# U+FF01..U+FF5E are the full-width forms of U+0021..U+007E; U+3000 is the ideographic space.
_HALFWIDTH: dict[int, int] = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
_HALFWIDTH[0x3000] = 0x20


def to_halfwidth(s: str) -> str:
    """Full-width ASCII (０-９, Ａ-Ｚ, ．，：＝－／ …) and the ideographic space to ASCII."""
    return s.translate(_HALFWIDTH)


_T2S: Any = None  # the OpenCC converter, made on first use (≈6 ms: most commands never need it)


def to_simplified(s: str) -> str:
    """Traditional Chinese to simplified with OpenCC's ``t2s`` conversion (characters and
    phrases: 辦理時限 → 办理时限, 序號 → 序号, 進展 → 进展); everything else is left alone.

    OpenCC rather than a table of our own: its dictionaries cover every character in use and
    the phrase-level cases (乾隆 stays, 乾燥 → 干燥) a character table gets wrong."""
    if s.isascii():
        return s
    hit = _SIMPLIFIED.get(s)
    if hit is None:
        hit = _convert(s)
        if len(_SIMPLIFIED) >= 100_000:
            _SIMPLIFIED.clear()
        _SIMPLIFIED[s] = hit
    return hit


_SIMPLIFIED: dict[str, str] = {}


def simplify_many(texts: Iterable[str]) -> None:
    """Convert many strings in ONE call to OpenCC, ahead of :func:`to_simplified` on each (an
    import's batch of 2,000 titles: one call instead of 2,000).  A phrase never spans a line
    break, so converting the lines joined is converting each."""
    todo = [t for t in dict.fromkeys(texts) if not t.isascii() and t not in _SIMPLIFIED and "\n" not in t]
    if len(todo) < 16:
        return
    out = _convert("\n".join(todo)).split("\n")
    if len(out) == len(todo):
        if len(_SIMPLIFIED) + len(todo) >= 100_000:
            _SIMPLIFIED.clear()
        _SIMPLIFIED.update(zip(todo, out, strict=True))


def _convert(s: str) -> str:
    global _T2S
    if _T2S is None:
        import opencc

        _T2S = opencc.OpenCC("t2s")
    try:
        return str(_T2S.convert(s))
    except UnicodeEncodeError:  # a lone surrogate (a broken file): convert around it
        parts = _SURROGATES.split(s)
        return "".join(p if _SURROGATES.fullmatch(p) else str(_T2S.convert(p)) if p else "" for p in parts)


_SURROGATES = re.compile("([\ud800-\udfff]+)")


# ------------------------------------------------------------------------------ keys, names

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))

_NAME_DROP = dict.fromkeys(
    map(
        ord,
        "()[]{}<>（）【】〔〕〈〉《》〖〗｛｝「」『』·・‧•、-_.,，。–—―‐\"'“”‘’＂＇`´",
    )
)


def normalize_key(s: str) -> str:
    """Key for matching names, labels and enum values typed by people — the one identity of
    a name (chains, units, owners, item titles through :func:`normalize_name`).

    :func:`zhaoshang.names.fold` (NFKC: full-width to half-width, Kangxi radicals, NFD;
    invisible characters such as LRM, RLO, soft hyphen, ZWSP, U+180E removed), traditional
    to simplified, all whitespace removed, casefolded: ``normalize_key(" 招什麼 ") == "招什么"``.
    """
    key = "".join(to_simplified(fold(s)).casefold().split())
    # casefolding and removing spaces may undo NFKC (K + space + U+0327 becomes k + U+0327,
    # which composes to ķ): fold again until nothing changes
    if key.isascii():
        return key
    import unicodedata

    for _ in range(4):  # (twice is the most seen: a bound, not a loop that could hang)
        if unicodedata.is_normalized("NFKC", key):
            break
        key = "".join(fold(key).casefold().split())
    return key


# A separator between two digits is part of a number (1-13号地块, 3.5万吨, 2-1#楼): it is kept
# (as one mark), or 1-13号地块 and 11-3号地块 would be one name.
_DIGIT_SEPARATOR = re.compile(r"(?<=[0-9])[-_.·・‧•、–—―‐/,，。]+(?=[0-9])")
_NUMBER_MARK = "⁃"  # U+2043: never typed, never dropped


def normalize_name(s: str) -> str:
    """Key for duplicate detection of item titles: :func:`normalize_key` without brackets,
    quotes and the punctuation · 、 - _ . , ， 。 — except between two digits, where a
    separator is kept: ``normalize_name("1-13号地块") != normalize_name("11-3号地块")``."""
    key = normalize_key(s)
    if _DIGIT_SEPARATOR.search(key) is not None:
        key = _DIGIT_SEPARATOR.sub(_NUMBER_MARK, key)
    return key.translate(_NAME_DROP)


# -------------------------------------------------------------------------------- helpers


def _show(value: object) -> str:
    """The value as it goes between 「」 in a message (long strings are cut)."""
    if isinstance(value, str):
        text = value.strip() or value
    elif isinstance(value, float):
        text = repr(value)
    else:
        text = str(value)
    return text if len(text) <= 40 else text[:39] + "…"


def _is_finite(x: float) -> bool:
    return x == x and x not in (float("inf"), float("-inf"))


def _clean(value: str) -> str:
    """Half-width, invisible characters removed, stripped, minus signs unified."""
    return to_halfwidth(value).translate(_INVISIBLE).replace("\u2212", "-").strip()


# ---------------------------------------------------------------------------------- money

#: Unit words the money parser understands (traditional forms 萬 億 are accepted too).  A
#: trailing 元 (人民币) or 美元/美金 may follow any magnitude word.
MONEY_UNITS: tuple[str, ...] = (
    "元",
    "千元",
    "万",
    "万元",
    "十万",
    "百万",
    "千万",
    "亿",
    "亿元",
    "十亿",
    "百亿",
    "千亿",
    "万亿",
    "美元",
    "万美元",
    "百万美元",
    "千万美元",
    "亿美元",
)

# Magnitude words in units of 万 (of whatever currency).
_MAGNITUDES: dict[str, str] = {
    "千": "0.1",
    "万": "1",
    "十万": "10",
    "百万": "100",
    "千万": "1000",
    "亿": "10000",
    "十亿": "100000",
    "百亿": "1000000",
    "千亿": "10000000",
    "万亿": "100000000",
}

_DEFAULT_UNITS: dict[str, str] = {"元": "0.0001", "万": "1", "亿": "10000"}
_CURRENCIES: dict[str, str] = {"CNY": "万元", "USD": "万美元"}

# Far beyond any real amount (10^16 元); it only keeps absurd input out of the arithmetic.
_MONEY_LIMIT = "1e12"

_NUMBER = r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?|\.[0-9]+"
_MONEY_RE = rf"([+-]?)\s*([0-9]+(?:\.[0-9]+)?[eE][+-]?[0-9]{{1,3}}|{_NUMBER})\s*(.*)"


def _money_hint(currency: str) -> str:
    if currency == "USD":
        return "请填写数字，可带单位 亿/万/美元，如 36.5亿美元、2000万美元、2000"
    return "请填写数字，可带单位 亿/万/元，如 3.56亿、35600万、1,200.5"


def _money_error(value: object, currency: str) -> ParseError:
    return ParseError(f"无法识别的金额「{_show(value)}」：{_money_hint(currency)}")


def parse_money(value: object, *, currency: str = "CNY", default_unit: str = "万") -> float:
    """An amount typed by a person, in 万 of ``currency`` (CNY: 万元, USD: 万美元).

    Numbers are taken as already in ``default_unit`` ("万", "亿" or "元"), and so are strings
    without a unit.  The result is rounded to 6 decimal places.  Amounts in the other
    currency are refused, never converted.
    """
    if currency not in _CURRENCIES:
        raise ValueError(f"unknown currency {currency!r}")
    unit = to_simplified(default_unit).removesuffix("元") or "元"
    if unit not in _DEFAULT_UNITS:
        raise ValueError(f"unknown default_unit {default_unit!r}")
    from decimal import Decimal

    if isinstance(value, bool) or value is None:
        raise _money_error(value, currency)
    if isinstance(value, int):
        number = Decimal(value)
        scale = _DEFAULT_UNITS[unit]
    elif isinstance(value, float):
        if not _is_finite(value):
            raise _money_error(value, currency)
        number = Decimal(repr(value))
        scale = _DEFAULT_UNITS[unit]
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise _money_error(value, currency)
        number = value
        scale = _DEFAULT_UNITS[unit]
    elif isinstance(value, str):
        number, scale = _read_money_text(value, currency, unit)
    else:
        raise _money_error(value, currency)
    return _scale_money(value, number, scale, currency)


def _read_money_text(value: str, currency: str, unit: str) -> tuple[decimal.Decimal, str]:
    from decimal import Decimal

    text = _clean(value)
    if not text:
        raise ParseError(f"金额「{_show(value)}」为空：{_money_hint(currency)}")
    m = re.fullmatch(_MONEY_RE, text)
    if m is None:
        raise _money_error(value, currency)
    sign, digits, unit_text = m.groups()
    unit_text = to_simplified(unit_text.strip())
    given: str | None = None  # currency named in the text
    for suffix, cur in (("美元", "USD"), ("美金", "USD"), ("元", "CNY")):
        if unit_text.endswith(suffix):
            given = cur
            unit_text = unit_text[: -len(suffix)].rstrip()
            break
    if unit_text:
        scale = _MAGNITUDES.get(unit_text)
        if scale is None:
            if re.search(r"[0-9]", unit_text) and re.search(r"[千万亿]", unit_text):
                raise ParseError(f"金额「{_show(value)}」含义不明确：请只用一个单位写成小数，如 3.5亿、35000万")
            raise _money_error(value, currency)
    elif given is not None:
        scale = "0.0001"  # a bare 元 / 美元
    else:
        scale = _DEFAULT_UNITS[unit]
    if given is not None and given != currency:
        if given == "USD":
            raise ParseError(
                f"「{_show(value)}」是美元金额：本栏按万元人民币计，美元金额请填到外资栏（万美元），不做汇率换算"
            )
        raise ParseError(f"「{_show(value)}」是人民币金额：本栏按万美元计，请填写美元金额，如 2000万美元")
    number = Decimal(digits.replace(",", ""))
    return (-number if sign == "-" else number), scale


def _scale_money(value: object, number: decimal.Decimal, scale: str, currency: str) -> float:
    from decimal import ROUND_HALF_EVEN, Decimal, localcontext

    with localcontext() as ctx:
        ctx.prec = 60
        amount = number * Decimal(scale)
        if abs(amount) > Decimal(_MONEY_LIMIT):
            raise ParseError(
                f"金额「{_show(value)}」大得不合常理（超过一万亿{_CURRENCIES[currency]}）：请检查数字和单位"
            )
        result = float(amount.quantize(Decimal("0.000001"), rounding=ROUND_HALF_EVEN))
    return result + 0.0  # turns -0.0 into 0.0


def format_money(amount: float | None) -> str:
    """An amount for display: plain digits, no exponent, at most 6 decimals, no trailing zeros.

    ``None`` (and NaN/∞, which never come out of :func:`parse_money`) give "".
    """
    if amount is None or isinstance(amount, bool):
        return ""
    if isinstance(amount, float) and not _is_finite(amount):
        return ""
    from decimal import ROUND_HALF_EVEN, Decimal, localcontext

    exact = Decimal(amount)
    with localcontext() as ctx:
        ctx.prec = max(400, exact.adjusted() + 20)
        d = exact.quantize(Decimal("0.000001"), rounding=ROUND_HALF_EVEN)
    text = format(d, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


# ------------------------------------------------------------------------------------ dates

_MIN_YEAR = 1900
_MAX_YEAR = 2100
_EXCEL_MAX_SERIAL = 2958465  # 9999-12-31
#: A date given as a bare serial number (not a date cell, not text) before this year is not a
#: project's date but some other number in a date column (a 序号, 2026.1 …): refused.
_SERIAL_MIN_YEAR = 1950
#: (the same bound for a cell typed as a date: 2026.1 in a date-formatted cell is 1905-07-18)
PLAUSIBLE_FROM_YEAR = _SERIAL_MIN_YEAR

_TIME = (
    r"(?:(?:\s+|\s*[Tt]\s*)([0-9]{1,2}):([0-9]{2})(?::([0-9]{2})(?:\.[0-9]+)?)?"
    r"(?:\s*(?:[Zz]|[+-][0-9]{2}:?[0-9]{2}))?)?"
)
_DATE_FORMS = (
    r"([0-9]{4})\s*([-/.])\s*([0-9]{1,2})\s*\2\s*([0-9]{1,2})",
    r"([0-9]{4})\s*(年|[-/.])\s*([0-9]{1,2})\s*月\s*([0-9]{1,2})\s*[日号]?",  # (also 2026.10月31日)
    r"([0-9]{4})()([0-9]{2})([0-9]{2})",
)
_AMBIGUOUS_DATE = (
    r"[0-9]{1,2}\s*[-/.]\s*[0-9]{1,2}\s*[-/.]\s*[0-9]{2,4}"
    r"|[0-9]{2}\s*[-/.]\s*[0-9]{1,2}\s*[-/.]\s*[0-9]{1,2}"
)
_DATE_HINT = "请按 年-月-日 书写，如 2026-03-15、2026/3/15、2026年3月15日"


def _year_ok(value: object, year: int, what: str = "日期") -> None:
    if not _MIN_YEAR <= year <= _MAX_YEAR:
        raise ParseError(f"{what}「{_show(value)}」的年份 {year} 不在 {_MIN_YEAR}–{_MAX_YEAR} 之间：请检查年份")


def _make_date(value: object, year: int, month: int, day: int) -> datetime.date:
    _year_ok(value, year)
    if not 1 <= month <= 12:
        raise ParseError(f"日期「{_show(value)}」不存在：月份应为 1–12；{_DATE_HINT}")
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise ParseError(f"日期「{_show(value)}」不存在：{year}年{month}月没有{day}日") from None


def _date_from_number(value: object, number: float) -> datetime.date:
    if not _is_finite(number):
        raise ParseError(f"无法识别的日期「{_show(value)}」：{_DATE_HINT}")
    whole = int(number // 1)
    if 19000101 <= number <= 21001231:  # a date typed as the number 20260315
        if whole != number:
            raise ParseError(f"无法识别的日期「{_show(value)}」：{_DATE_HINT}")
        return _make_date(value, whole // 10000, whole // 100 % 100, whole % 100)
    if 190001 <= number <= 210012 and whole == number and 1 <= whole % 100 <= 12:
        # 年月 typed as the number 202610: as a serial it would be a day in 2454
        raise ParseError(
            f"日期「{_show(value)}」是一个数字，像是把年月 {whole // 100}年{whole % 100}月 写成了数字，只有年月、"
            f"没有日：请写出是哪一天，如 {whole // 100}-{whole % 100:02d}-15"
        )
    if _MIN_YEAR <= number <= _MAX_YEAR:
        # A year, or 年.月 typed as a number: a spreadsheet stores 2026.10 as 2026.1, which as a
        # serial would be a day in 1905.  Which month was meant cannot be known: refused.
        if whole == number:
            raise ParseError(f"日期「{_show(value)}」只有年份，没有月和日：{_DATE_HINT}")
        raise ParseError(
            f"日期「{_show(value)}」是一个数字，像是把「年.月」输成了数字（电子表格会把 2026.10 存成 2026.1，"
            f"分不清是 1 月还是 10 月），不是日期：请在单元格里写成文本或日期，如 2026-10-15、2026年10月15日"
        )
    if not 1 <= whole <= _EXCEL_MAX_SERIAL:
        raise ParseError(
            f"无法识别的日期「{_show(value)}」：作为 Excel 日期序号应在 1–{_EXCEL_MAX_SERIAL} 之间；{_DATE_HINT}"
        )
    if whole == 60:
        raise ParseError(f"日期「{_show(value)}」不存在：Excel 序号 60 是并不存在的 1900-02-29")
    # The 1900 date system counts the fictitious 1900-02-29, so serials from 61 on are one
    # day ahead of a plain count from 1899-12-31.
    origin = datetime.date(1899, 12, 31 if whole < 60 else 30)
    date = origin + datetime.timedelta(days=whole)
    _year_ok(value, date.year)
    if date.year < _SERIAL_MIN_YEAR:
        raise ParseError(
            f"数字「{_show(value)}」作为 Excel 日期序号是 {date.isoformat()}，"
            f"不像是真实的日期（早于 {_SERIAL_MIN_YEAR} 年）：请检查这一列是否真是日期列；{_DATE_HINT}"
        )
    return date


def _match_date_text(value: object, text: str) -> datetime.date | None:
    for form in _DATE_FORMS:
        m = re.fullmatch(form + _TIME, text)
        if m is None:
            continue
        year, _sep, month, day, hh, mm, ss = m.groups()
        if hh is not None and (int(hh) > 23 or int(mm) > 59 or (ss is not None and int(ss) > 59)):
            raise ParseError(f"日期「{_show(value)}」的时间部分不存在：{_DATE_HINT}")
        return _make_date(value, int(year), int(month), int(day))
    return None


def parse_date(value: object) -> datetime.date:
    """A date: a ``date``/``datetime`` object, an Excel serial number (1900 system), an
    8-digit number like 20260315, or text such as 2026-03-15, 2026/3/15, 2026.3.15,
    2026年3月15日 or 20260315 (a time after it is dropped).  Day-first, month-first and
    two-digit-year forms are refused as ambiguous."""
    if isinstance(value, datetime.datetime):
        _year_ok(value, value.year)
        return value.date()
    if isinstance(value, datetime.date):
        _year_ok(value, value.year)
        return value
    if isinstance(value, bool) or value is None:
        raise ParseError(f"无法识别的日期「{_show(value)}」：{_DATE_HINT}")
    if isinstance(value, int | float):
        return _date_from_number(value, value)
    if not isinstance(value, str):
        raise ParseError(f"无法识别的日期「{_show(value)}」：{_DATE_HINT}")
    text = _clean(value)
    if not text:
        raise ParseError(f"日期「{_show(value)}」为空：{_DATE_HINT}")
    date = _match_date_text(value, text)
    if date is not None:
        return date
    if (y := re.fullmatch(r"([0-9]{4})\s*年度?", text)) is not None:
        raise ParseError(
            f"日期「{_show(value)}」只有年份，没有月和日：请按 年-月-日 写出是哪一天，如 {y.group(1)}-03-15"
        )
    ym = month_only(text)
    if ym is not None:
        year, month = ym
        if year is None:
            raise ParseError(
                f"日期「{_show(value)}」只有月份，没有年和日：请按 年-月-日 写出完整日期，如 2026-{month:02d}-15"
            )
        raise ParseError(
            f"日期「{_show(value)}」只有年月，没有日：请按 年-月-日 写出是哪一天，如 {year}-{month:02d}-15"
        )
    if re.fullmatch(rf"(?:{_AMBIGUOUS_DATE}){_TIME}", text):
        raise ParseError(f"日期「{_show(value)}」有歧义（年份或日、月的先后不明确）：请按 年-月-日 书写，如 2026-03-15")
    raise ParseError(f"无法识别的日期「{_show(value)}」：{_DATE_HINT}")


# ----------------------------------------------------------------------------------- months

_CN_MONTHS = {
    "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
    "十": 10, "十一": 11, "十二": 12,
}  # fmt: skip
_MONTH_FORMS = (
    r"([0-9]{4})\s*[-/.]\s*([0-9]{1,2})(?:\s*月份?)?",  # (2026.10月: a separator and 月 both)
    r"([0-9]{4})([0-9]{2})",
    r"([0-9]{4})\s*年\s*([0-9]{1,2}|十[一二]?|[一二三四五六七八九])\s*月份?",
)
_MONTH_HINT = "请写成 年-月，如 2026-03、2026年3月"


def _match_month(value: object, text: str) -> tuple[int, int] | None:
    """(year, month) when ``text`` is a month-only form; None when it is not one."""
    for form in _MONTH_FORMS:
        m = re.fullmatch(form, text)
        if m is None:
            continue
        year = int(m.group(1))
        raw = m.group(2)
        month = _CN_MONTHS[raw] if raw in _CN_MONTHS else int(raw)
        _year_ok(value, year, "月份")
        if not 1 <= month <= 12:
            raise ParseError(f"月份「{_show(value)}」不存在：月份应为 1–12，如 2026-03")
        return year, month
    return None


_MONTH_ALONE = re.compile(r"([0-9]{1,2}|十[一二]?|[一二三四五六七八九])\s*月份?(?:底|末|初|中旬|上旬|下旬)?")


def month_only(value: object) -> tuple[int | None, int] | None:
    """(year, month) of a text that names a month and no day — 2026年10月, 2026-10, 2026/10,
    2026.10, 2026.10月, 202610, 2026年十月份 — or (None, month) for 10月 / 十月 alone; None for anything
    else (a full date, a number, words).  A date column holding one must not get a day in silence."""
    if not isinstance(value, str):
        return None
    text = _clean(value)
    try:
        ym = _match_month(value, text)
    except ParseError:
        return None
    if ym is not None:
        return ym
    m = _MONTH_ALONE.fullmatch(text)
    if m is None:
        return None
    raw = m.group(1)
    month = _CN_MONTHS[raw] if raw in _CN_MONTHS else int(raw)
    return (None, month) if 1 <= month <= 12 else None


def parse_month(value: object) -> str:
    """A month as "YYYY-MM": 2026-03, 2026-3, 2026/03, 2026.3, 202603, 2026年3月, a date or
    datetime object, or a full date string (its month).  Numbers are read as YYYYMM only."""
    if isinstance(value, datetime.date):  # datetime.datetime too
        _year_ok(value, value.year, "月份")
        return f"{value.year:04d}-{value.month:02d}"
    if isinstance(value, bool) or value is None:
        raise ParseError(f"无法识别的月份「{_show(value)}」：{_MONTH_HINT}")
    if isinstance(value, int | float):
        if not _is_finite(value) or value != int(value // 1):
            raise ParseError(f"无法识别的月份「{_show(value)}」：{_MONTH_HINT}")
        text = str(int(value))
    elif isinstance(value, str):
        text = _clean(value)
    else:
        raise ParseError(f"无法识别的月份「{_show(value)}」：{_MONTH_HINT}")
    if not text:
        raise ParseError(f"月份「{_show(value)}」为空：{_MONTH_HINT}")
    ym = _match_month(value, text)
    if ym is None:
        if not isinstance(value, str):
            raise ParseError(f"无法识别的月份「{_show(value)}」：{_MONTH_HINT}")
        try:
            date = parse_date(value)
        except ParseError:
            raise ParseError(f"无法识别的月份「{_show(value)}」：{_MONTH_HINT}") from None
        ym = date.year, date.month
    return f"{ym[0]:04d}-{ym[1]:02d}"


def month_bounds(month: str) -> tuple[datetime.date, datetime.date]:
    """First and last day of a month (any :func:`parse_month` form): "2026-02" ->
    (2026-02-01, 2026-02-28)."""
    year, mon = (int(part) for part in parse_month(month).split("-"))
    return datetime.date(year, mon, 1), _last_day(year, mon)


def _last_day(year: int, month: int) -> datetime.date:
    if month == 12:
        return datetime.date(year, 12, 31)
    return datetime.date(year, month + 1, 1) - datetime.timedelta(days=1)


# --------------------------------------------------------------------------------- quarters

_CN_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6,
              "七": 7, "八": 8, "九": 9}  # fmt: skip
_QUARTER_NAMES = ("", "第一季度", "第二季度", "第三季度", "第四季度")
_QUARTER_FORMS = (
    # (pattern, group of the year, group of the quarter)
    (r"([0-9]{4})\s*(?:年|[-/.])?\s*q\s*([0-9])", 1, 2),
    (r"q\s*([0-9])\s*[-/.]?\s*([0-9]{4})\s*年?", 2, 1),
    (r"([0-9]{4})\s*(?:年|[-/.])?\s*第?\s*([0-9]|[〇零一二三四五六七八九])\s*季度?", 1, 2),
)
_QUARTER_HINT = "请写成 2026Q1、2026-Q1、Q1 2026 或 2026年第一季度"


def _match_quarter(value: object, text: str) -> tuple[int, int] | None:
    text = text.casefold()
    for form, y_group, q_group in _QUARTER_FORMS:
        m = re.fullmatch(form, text)
        if m is None:
            continue
        year = int(m.group(y_group))
        raw = m.group(q_group)
        quarter = _CN_DIGITS[raw] if raw in _CN_DIGITS else int(raw)
        _year_ok(value, year, "季度")
        if not 1 <= quarter <= 4:
            raise ParseError(f"季度「{_show(value)}」不存在：季度应为 1–4，{_QUARTER_HINT}")
        return year, quarter
    return None


def parse_quarter(value: object) -> tuple[int, int]:
    """(year, quarter 1..4) from 2026Q1, 2026q1, 2026-Q1, 2026 Q1, Q1 2026, 2026年一季度,
    2026年第一季度, 2026年1季度, 2026年第1季度, or a date (the quarter it falls in)."""
    if isinstance(value, datetime.date):
        _year_ok(value, value.year, "季度")
        return value.year, (value.month - 1) // 3 + 1
    if not isinstance(value, str):
        raise ParseError(f"无法识别的季度「{_show(value)}」：{_QUARTER_HINT}")
    text = _clean(value)
    if not text:
        raise ParseError(f"季度「{_show(value)}」为空：{_QUARTER_HINT}")
    yq = _match_quarter(value, text)
    if yq is None:
        raise ParseError(f"无法识别的季度「{_show(value)}」：{_QUARTER_HINT}")
    return yq


def quarter_bounds(year: int, q: int) -> tuple[datetime.date, datetime.date]:
    """First and last day of quarter ``q`` (1..4) of ``year``."""
    if isinstance(q, bool) or q not in (1, 2, 3, 4):
        raise ParseError(f"季度「{q}」不存在：季度应为 1–4")
    if isinstance(year, bool) or not isinstance(year, int):
        raise ParseError(f"无法识别的年份「{_show(year)}」：请写四位数年份，如 2026")
    _year_ok(year, year, "年份")
    first_month = 3 * q - 2
    return datetime.date(year, first_month, 1), _last_day(year, first_month + 2)


# ---------------------------------------------------------------------------------- periods

_PERIOD_HINT = (
    "可写 年（2026）、半年（2026年上半年）、季度（2026Q1、2026年一季度）、"
    "月（2026-03、2026年3月）或半月（2026年3月上半月）"
)


def parse_period(value: str) -> tuple[datetime.date, datetime.date, str]:
    """A reporting period: a year (2026, 2026年), a half-year (2026年上半年), a quarter (any
    :func:`parse_quarter` form), a month (any month-only :func:`parse_month` form) or a
    half-month (2026-03上半月, 2026年3月下半月: days 1–15 / 16–end).

    Returns (first day, last day, label) with labels such as 2026年, 2026年上半年,
    2026年第一季度, 2026年3月 and 2026年3月上半月.  A single day is not a period.
    """
    if not isinstance(value, str):
        raise ParseError(f"无法识别的期间「{_show(value)}」：{_PERIOD_HINT}")
    text = _clean(value)
    if not text:
        raise ParseError(f"期间「{_show(value)}」为空：{_PERIOD_HINT}")

    m = re.fullmatch(r"(.+?)\s*的?\s*([上下])半月", text)
    if m is not None:
        ym = _match_month(value, m.group(1).strip())
        if ym is None:
            raise ParseError(f"无法识别的期间「{_show(value)}」：{_PERIOD_HINT}")
        year, month = ym
        if m.group(2) == "上":
            return (
                datetime.date(year, month, 1),
                datetime.date(year, month, 15),
                f"{year}年{month}月上半月",
            )
        return datetime.date(year, month, 16), _last_day(year, month), f"{year}年{month}月下半月"

    m = re.fullmatch(r"([0-9]{4})\s*年?\s*度?\s*的?\s*([上下])半年", text)
    if m is not None:
        year = int(m.group(1))
        _year_ok(value, year, "期间")
        if m.group(2) == "上":
            return datetime.date(year, 1, 1), datetime.date(year, 6, 30), f"{year}年上半年"
        return datetime.date(year, 7, 1), datetime.date(year, 12, 31), f"{year}年下半年"

    m = re.fullmatch(r"([0-9]{4})\s*(?:年度?)?", text)
    if m is not None:
        year = int(m.group(1))
        _year_ok(value, year, "期间")
        return datetime.date(year, 1, 1), datetime.date(year, 12, 31), f"{year}年"

    yq = _match_quarter(value, text)
    if yq is not None:
        first, last = quarter_bounds(*yq)
        return first, last, f"{yq[0]}年{_QUARTER_NAMES[yq[1]]}"

    ym = _match_month(value, text)
    if ym is not None:
        year, month = ym
        return datetime.date(year, month, 1), _last_day(year, month), f"{year}年{month}月"

    raise ParseError(f"无法识别的期间「{_show(value)}」：{_PERIOD_HINT}")


# ------------------------------------------------------------------------ integers, flags


def parse_int(value: object) -> int:
    """A whole number: 12, "１２", "1,200", 12.0, "12.0"; 12.5 and booleans are refused."""
    error = ParseError(f"无法识别的整数「{_show(value)}」：请填写整数，如 12、1,200")
    if isinstance(value, bool) or value is None:
        raise error
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not _is_finite(value) or value != int(value // 1):
            raise error
        return int(value)
    if not isinstance(value, str):
        raise error
    text = _clean(value)
    # at most 30 digits: int() refuses more than 4,300 (ValueError), and no field needs them
    m = re.fullmatch(r"([+-]?)\s*([0-9]{1,3}(?:,[0-9]{3}){1,9}|[0-9]{1,30})(?:\.0+)?", text)
    if m is None:
        raise error
    number = int(m.group(2).replace(",", ""))
    return -number if m.group(1) == "-" else number


_TRUE_WORDS = frozenset({"是", "true", "yes", "y", "1", "√", "✓", "✔", "对"})
_FALSE_WORDS = frozenset({"否", "false", "no", "n", "0", "×", "✗", "✘", "不是"})


def parse_bool(value: object) -> bool:
    """是/否, true/false, yes/no, 1/0, √/×, Y/N (any case, full-width too)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = normalize_key(value)
        if word in _TRUE_WORDS:
            return True
        if word in _FALSE_WORDS:
            return False
    raise ParseError(
        f"无法识别的是/否值「{_show(value)}」：请填写 是 或 否（也可写 true/false、yes/no、1/0、√/×、Y/N）"
    )


# ----------------------------------------------------------------------------- assignments

_ASSIGN_SEPARATORS = "=＝:："


def split_assignment(arg: str) -> tuple[str, str]:
    """Split "FIELD=VALUE" typed on the command line at the first =, ＝, : or ：.

    The key is stripped; the value is returned as typed (it may contain = or : itself).
    """
    cut = next((i for i, ch in enumerate(arg) if ch in _ASSIGN_SEPARATORS), -1)
    if cut < 0 or not arg[:cut].strip():
        raise ParseError(f"「{_show(arg)}」不是 字段=值 的形式：例如 投资额=3.56亿")
    return arg[:cut].strip(), arg[cut + 1 :]


# ------------------------------------------------------------- dates as people say them

#: words for days, relative to today (typed at a terminal; never read from an imported cell,
#: where "today" would mean the day the clerk typed it, not the day of import)
_RELATIVE_DAYS = {"今天": 0, "今日": 0, "昨天": -1, "昨日": -1, "前天": -2, "明天": 1, "明日": 1, "后天": 2}
_RELATIVE_MONTHS = {"本月": 0, "这个月": 0, "当月": 0, "上月": -1, "上个月": -1, "下月": 1, "下个月": 1}
_MONTH_DAY = re.compile(r"([0-9]{1,2})\s*月\s*([0-9]{1,2})\s*[日号]?")
_MONTH_ONLY = re.compile(r"([0-9]{1,2}|十[一二]?|[一二三四五六七八九])\s*月份?")


def parse_typed_date(value: object, *, today: datetime.date | None = None) -> datetime.date:
    """A date typed by a person: every :func:`parse_date` form, and 今天 / 昨天 / 前天 / 明天 /
    后天, and 11月28日 (this year)."""
    if isinstance(value, str):
        text = _clean(value)
        today = today or datetime.date.today()
        if text in _RELATIVE_DAYS:
            return today + datetime.timedelta(days=_RELATIVE_DAYS[text])
        m = _MONTH_DAY.fullmatch(text)
        if m is not None:
            return _make_date(value, today.year, int(m.group(1)), int(m.group(2)))
    return parse_date(value)


def parse_typed_month(value: object, *, today: datetime.date | None = None) -> str:
    """A month typed by a person: every :func:`parse_month` form, and 本月 / 上月 / 下月, and
    3月 (this year)."""
    if isinstance(value, str):
        text = _clean(value)
        today = today or datetime.date.today()
        if text in _RELATIVE_MONTHS:
            total = today.year * 12 + today.month - 1 + _RELATIVE_MONTHS[text]
            return f"{total // 12:04d}-{total % 12 + 1:02d}"
        m = _MONTH_ONLY.fullmatch(text)
        if m is not None:
            raw = m.group(1)
            month = _CN_MONTHS[raw] if raw in _CN_MONTHS else int(raw)
            if not 1 <= month <= 12:
                raise ParseError(f"月份「{_show(value)}」不存在：月份应为 1–12，如 2026-03")
            return f"{today.year:04d}-{month:02d}"
        if text in _RELATIVE_DAYS or _MONTH_DAY.fullmatch(text):
            day = parse_typed_date(value, today=today)
            return f"{day.year:04d}-{day.month:02d}"
    return parse_month(value)


_RELATIVE_QUARTERS = {
    "本季度": 0, "本季": 0, "这个季度": 0, "当季": 0, "上季度": -1, "上个季度": -1, "上季": -1,
    "下季度": 1, "下个季度": 1, "下季": 1,
}  # fmt: skip
_RELATIVE_YEARS = {"今年": 0, "本年": 0, "本年度": 0, "当年": 0, "去年": -1, "上年": -1, "上年度": -1, "明年": 1}
_QUARTER_ONLY = re.compile(r"(?:第\s*)?([1-4]|[一二三四])\s*季度?|q\s*([1-4])")
_HALF_YEAR_ONLY = re.compile(r"(今年|去年|明年|本年度?)?\s*的?\s*([上下])半年")
_TYPED_PERIOD_HINT = _PERIOD_HINT + "，或 上月、本月、本季度、上季度、今年、去年、3月、三季度、上半年"


def parse_typed_quarter(value: object, *, today: datetime.date | None = None) -> tuple[int, int]:
    """A quarter typed by a person: every :func:`parse_quarter` form, 本季度 / 上季度 / 下季度,
    三季度 / 第三季度 / Q3 (this year), and a typed day (the quarter it falls in)."""
    if isinstance(value, str):
        text = _clean(value)
        today = today or datetime.date.today()
        if text in _RELATIVE_QUARTERS:
            total = today.year * 4 + (today.month - 1) // 3 + _RELATIVE_QUARTERS[text]
            return total // 4, total % 4 + 1
        m = _QUARTER_ONLY.fullmatch(text.casefold())
        if m is not None:
            raw = m.group(1) or m.group(2)
            return today.year, _CN_DIGITS[raw] if raw in _CN_DIGITS else int(raw)
        yq = _match_quarter(value, text) if text else None
        if yq is not None:
            return yq
        try:
            return parse_quarter(parse_typed_date(value, today=today))
        except ParseError:
            pass
    return parse_quarter(value)


def parse_typed_period(
    value: object, *, today: datetime.date | None = None
) -> tuple[datetime.date, datetime.date, str]:
    """A period typed by a person: every :func:`parse_period` form, and the words relative to
    today -- 本月 / 上月 / 下月, 本季度 / 上季度, 今年 / 去年, 上半年 -- and 3月, 三季度 (this
    year).  Returns (first day, last day, label) as :func:`parse_period` does; the label is
    itself a form :func:`parse_period` reads."""
    if not isinstance(value, str):
        raise ParseError(f"无法识别的期间「{_show(value)}」：{_TYPED_PERIOD_HINT}")
    text = _clean(value)
    today = today or datetime.date.today()
    if text in _RELATIVE_YEARS:
        year = today.year + _RELATIVE_YEARS[text]
        return datetime.date(year, 1, 1), datetime.date(year, 12, 31), f"{year}年"
    m = _HALF_YEAR_ONLY.fullmatch(text)
    if m is not None:
        year = today.year + _RELATIVE_YEARS.get(m.group(1) or "今年", 0)
        return parse_period(f"{year}年{m.group(2)}半年")
    if text in _RELATIVE_QUARTERS or _QUARTER_ONLY.fullmatch(text.casefold()):
        year, q = parse_typed_quarter(value, today=today)
        first, last = quarter_bounds(year, q)
        return first, last, f"{year}年{_QUARTER_NAMES[q]}"
    m = re.fullmatch(r"(.+?)\s*的?\s*([上下])半月", text)
    if m is not None and (m.group(1) in _RELATIVE_MONTHS or _MONTH_ONLY.fullmatch(m.group(1))):
        month = parse_typed_month(m.group(1), today=today)
        return parse_period(f"{month}{m.group(2)}半月")
    if text in _RELATIVE_MONTHS or _MONTH_ONLY.fullmatch(text):
        year, mon = (int(part) for part in parse_typed_month(value, today=today).split("-"))
        return datetime.date(year, mon, 1), _last_day(year, mon), f"{year}年{mon}月"
    try:
        return parse_period(value)
    except ParseError as exc:
        if "无法识别" not in exc.message:
            raise
    raise ParseError(f"无法识别的期间「{_show(value)}」：{_TYPED_PERIOD_HINT}")


def parse_typed_bound(value: object, *, end: bool = False, today: datetime.date | None = None) -> datetime.date:
    """One end of a span of days typed by a person: a day (any :func:`parse_typed_date` form)
    or a period (any :func:`parse_typed_period` form) -- its first day, or with ``end`` its
    last: ``--from 上月 --to 本月`` is the first of last month to the end of this one."""
    try:
        return parse_typed_date(value, today=today)
    except ParseError as exc:
        if "无法识别" not in exc.message:
            raise
        day_error = exc
    try:
        first, last, _label = parse_typed_period(value, today=today)
    except ParseError as exc:
        if "无法识别" not in exc.message:
            raise
        raise ParseError(
            f"无法识别的日期「{_show(value)}」：可写日期（2026-03-15、3月15日、今天、昨天）"
            "或一段期间（2026-03、上月、本季度、2026Q3、2026年三季度、今年）"
        ) from day_error
    return last if end else first


# ----------------------------------------------------------------------- 统一社会信用代码

# GB 32100-2015: 18 characters from these 31 (no I, O, S, V, Z); the last is a check character.
_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def uscc_check_char(first17: str) -> str:
    """The check character (18th) of a unified social credit code's first 17 characters."""
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return _USCC_CHARS[(31 - total % 31) % 31]


def parse_credit_code(value: object) -> str:
    """A 统一社会信用代码 as stored: 18 characters, upper case, check character verified.

    Raises :class:`ParseError` naming the value for a wrong length, a character the code
    never uses, or a wrong check character (a digit copied wrong)."""
    text = "".join(to_halfwidth(str(value)).split()).upper().replace("-", "")
    bad = next((c for c in text if c not in _USCC_CHARS), None)
    if len(text) != 18 or bad is not None:
        why = f"含有不允许的字符「{bad}」" if bad is not None else f"应为 18 位，这里是 {len(text)} 位"
        raise ParseError(f"统一社会信用代码「{_show(value)}」{why}（18 位数字或大写字母，不含 I、O、S、V、Z）")
    if uscc_check_char(text[:17]) != text[17]:
        want = uscc_check_char(text[:17])
        raise ParseError(f"统一社会信用代码「{_show(value)}」校验位不对（第 18 位应为「{want}」）：请核对是否抄错")
    return text


#: words that say a stage is planned, not reached (拟签约, 计划开工, 待投产), longest first
_PLANNED = ("计划", "准备", "预计", "意向", "打算", "将要", "拟", "待", "将")


def planned_stem(word: str) -> str | None:
    """The stage a word says is only planned (拟签约 → 签约, 意向签约 → 签约, 待开工 → 开工);
    None for a word that says no such thing."""
    key = normalize_key(word)
    for prefix in _PLANNED:
        if key.startswith(prefix) and len(key) > len(prefix):
            return key[len(prefix) :]
    return None

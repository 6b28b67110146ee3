"""One way to write a figure, for every document: the terminal dashboard, the text written
from the report's JSON, the workbook and the 通报.  The same value reads the same in all of
them — a completion of 0.3125 is 「31.3%」 in the 通报 because Excel shows it as 31.3% with
the workbook's ``0.0%``: values are rounded half away from zero, as Excel rounds on display,
not to the even digit (Python's ``format`` would write 31.2%).

The rules:

* counts: thousands separators, no decimals, the unit right after the number with no space
  (「1,370件」, 「5,866个」);
* money (万元, 万美元): thousands separators; a whole number has no decimals, any other one
  decimal (「11,509.2万元」, 「205,000万元」); in prose a sum of 1亿元 or more is written in 亿元
  to two decimals (「76.30亿元」), never 「763,000万元」;
* percentages and completion: one decimal (「31.3%」); a gap in percentage points one decimal
  (「13.1个百分点」);
* scores of the 擂台赛: two decimals (「53.13」);
* days: one decimal;
* dates in prose: 「2026年11月1日」.

:data:`EXCEL` holds the Excel number formats that show a value as these functions write it.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .metrics import Metric

#: decimals per kind of figure
PERCENT_PLACES = 1
MONEY_PLACES = 1
YI_PLACES = 2
SCORE_PLACES = 2
DAY_PLACES = 1
#: 1亿元 in 万元: from here on prose writes 亿元
YI = 10_000
#: Excel number formats that show what the functions below write
EXCEL = {
    "int": "#,##0",
    "money": "#,##0.0",  # only for a value that is not whole: a whole one takes "int"
    "pct": "0.0%",
    "days": "0.0",
    "score": "0.00",
}


def rounded(value: float, places: int) -> Decimal:
    """``value`` to ``places`` decimals, half away from zero (as Excel displays it)."""
    d = Decimal(repr(float(value)))
    return d.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def grouped(value: float, places: int = 0) -> str:
    """``value`` with thousands separators and ``places`` decimals (half away from zero)."""
    r = rounded(value, places)
    if r == 0:
        r = abs(r)  # never "-0.0"
    return f"{r:,.{places}f}"


def is_whole(value: float) -> bool:
    return rounded(value, MONEY_PLACES) == rounded(value, 0)


def amount(value: float) -> str:
    """Money in its own unit (万元 / 万美元): 「205,000」, 「11,509.2」."""
    return grouped(value, 0 if is_whole(value) else MONEY_PLACES)


def percent(fraction: float | None) -> str:
    """A share as a percentage: 0.3125 → 「31.3%」; None → 「—」."""
    if fraction is None:
        return "—"
    return f"{grouped(float(fraction) * 100, PERCENT_PLACES)}%"


def points(fraction: float) -> str:
    """The size of a gap between two shares: -0.131 → 「13.1个百分点」 (the caller says which way)."""
    return f"{grouped(abs(float(fraction)) * 100, PERCENT_PLACES)}个百分点"


def score(value: float) -> str:
    """A 擂台赛 score: 「53.13」."""
    return grouped(value, SCORE_PLACES)


def count(value: float, unit: str = "") -> str:
    """A count with its unit, no space: 「1,370件」."""
    return f"{grouped(value, 0)}{unit}"


def money(value: float, unit: str = "万元") -> str:
    """A sum in prose: 1亿元 or more in 亿元 (「76.30亿元」), else in its unit (「11,509.2万元」)."""
    if unit == "万元" and abs(value) >= YI - 0.05:
        return f"{grouped(value / YI, YI_PLACES)}亿元"
    return f"{amount(value)}{unit}"


def figure(value: float | None, m: Metric | None = None) -> str:
    """A figure in a table (terminal or workbook): no unit, thousands separators; rates as
    percentages; money with one decimal unless whole; days with one decimal; None → 「—」."""
    if value is None:
        return "—"
    if m is not None and m.rate:
        return percent(value)
    if m is not None and m.unit == "天":
        return grouped(value, DAY_PLACES)
    if m is not None and m.money:
        return amount(value)
    if float(value).is_integer():
        return grouped(value, 0)
    return amount(value)


def prose(value: float | None, m: Metric) -> str:
    """A figure in a sentence, with its unit: 「2个」, 「76.30亿元」, 「31.3%」."""
    if value is None:
        return "—"
    if m.rate:
        return percent(value)
    if m.money:
        return money(value, m.unit)
    if m.unit == "天":
        return f"{grouped(value, DAY_PLACES)}{m.unit}"
    return f"{figure(value, m)}{m.unit}"


def excel_format(value: float, kind: str) -> str:
    """The key of :data:`EXCEL` for ``value`` written as ``kind``: whole money shows no decimals."""
    if kind == "money" and is_whole(value):
        return "int"
    return kind


def rank_change(change: int | None) -> str:
    """名次变化: 「↑1」 (up one place), 「↓2」, 「—」 (the same place), 「新」 (not ranked before)."""
    if change is None:
        return "新"
    if change == 0:
        return "—"
    return f"↑{change}" if change > 0 else f"↓{-change}"


def chinese_date(day: date) -> str:
    """「2026年11月1日」."""
    return f"{day.year}年{day.month}月{day.day}日"

"""Reporting periods: month, quarter, half-month, half-year, year or any range of days,
with the period before it (for ↑↓) and the year to date (for goals and the ranking)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from ..errors import ZsError
from ..parse import (
    month_bounds,
    parse_date,
    parse_period,
    parse_quarter,
    parse_typed_month,
    quarter_bounds,
)

_QUARTERS = {1: "第一季度", 2: "第二季度", 3: "第三季度", 4: "第四季度"}
KIND_NAMES = {
    "month": "月度",
    "quarter": "季度",
    "half": "半月",
    "halfyear": "半年",
    "year": "年度",
    "range": "期间",
}


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    label: str  # 2026年11月, 2026年第四季度, 2026年11月上半月, 2026年1月1日至3月15日 …
    kind: str  # month | quarter | half | halfyear | year | range

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def contains(self, d: date) -> bool:
        return self.start <= d <= self.end

    def previous(self) -> Period:
        """The period just before: last month, last quarter, the other half-month …"""
        if self.kind == "month":
            return month(_shift_month(self.start, -1))
        if self.kind == "quarter":
            y, q = self.start.year, (self.start.month - 1) // 3 + 1
            return quarter(y - 1, 4) if q == 1 else quarter(y, q - 1)
        if self.kind == "half":
            if self.start.day == 1:
                prev = _shift_month(self.start, -1)
                return half_month(prev.year, prev.month, second=True)
            return half_month(self.start.year, self.start.month, second=False)
        if self.kind == "halfyear":
            if self.start.month == 1:
                return from_text(f"{self.start.year - 1}年下半年")
            return from_text(f"{self.start.year}年上半年")
        if self.kind == "year":
            return year(self.start.year - 1)
        end = self.start - timedelta(days=1)
        return between(end - timedelta(days=self.days - 1), end)

    def year_before(self) -> Period:
        """The same period a year earlier (同比): November 2025 for November 2026, the same
        quarter or half-month, or the same days (29 February becomes the 28th)."""
        if self.kind == "month":
            return month(self.start.replace(year=self.start.year - 1))
        if self.kind == "quarter":
            return quarter(self.start.year - 1, (self.start.month - 1) // 3 + 1)
        if self.kind == "half":
            return half_month(self.start.year - 1, self.start.month, second=self.start.day > 1)
        if self.kind == "halfyear":
            return from_text(f"{self.start.year - 1}年{'上' if self.start.month == 1 else '下'}半年")
        if self.kind == "year":
            return year(self.start.year - 1)
        return between(_year_earlier(self.start), _year_earlier(self.end))

    def year_to_date(self) -> Period:
        """1 January of the end's year to the end (the window of goals and the ranking)."""
        first = date(self.end.year, 1, 1)
        if self.end.month == 12 and self.end.day == 31:
            return year(self.end.year)
        if _is_month_end(self.end):
            label = f"{self.end.year}年1—{self.end.month}月" if self.end.month > 1 else f"{self.end.year}年1月"
        else:
            label = f"{self.end.year}年1月1日至{self.end.month}月{self.end.day}日"
        return Period(first, self.end, label, "range")

    def as_dict(self) -> dict[str, str]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat(), "label": self.label, "kind": self.kind}


#: the first year a report may be about: earlier is a typing slip (1900-01, 0226-03), and its
#: previous period and the same period a year earlier must still be dates
FIRST_YEAR = 2000


def check_reportable(p: Period, today: date) -> Period:
    """``p`` if a report can be about it: it begins in or after :data:`FIRST_YEAR` and has
    begun by ``today`` (a period still to come has no figures: every number would be 0 and
    时序进度 0.0%).  The message names the period as the user wrote it, not a derived one."""
    if p.start.year < FIRST_YEAR:
        raise ZsError(f"统计期「{p.label}」早于 {FIRST_YEAR} 年：请检查年份，如 {today.year}-{today.month:02d}")
    if p.start > today:
        raise ZsError(
            f"统计期「{p.label}」还没开始（从 {p.start.isoformat()} 起，今天是 {today.isoformat()}）："
            f"报表只统计已经开始的期间，未来的期间每个数字都是 0；请检查年份和月份，如 {today.year}-{today.month:02d}"
        )
    return p


def _shift_month(d: date, n: int) -> date:
    total = d.year * 12 + d.month - 1 + n
    return date(total // 12, total % 12 + 1, 1)


def _is_month_end(d: date) -> bool:
    return (d + timedelta(days=1)).day == 1


def month(first: date) -> Period:
    start, end = month_bounds(f"{first.year:04d}-{first.month:02d}")
    return Period(start, end, f"{start.year}年{start.month}月", "month")


def quarter(y: int, q: int) -> Period:
    start, end = quarter_bounds(y, q)
    return Period(start, end, f"{y}年{_QUARTERS[q]}", "quarter")


def half_month(y: int, m: int, *, second: bool) -> Period:
    start, end = month_bounds(f"{y:04d}-{m:02d}")
    if second:
        return Period(date(y, m, 16), end, f"{y}年{m}月下半月", "half")
    return Period(start, date(y, m, 15), f"{y}年{m}月上半月", "half")


def year(y: int) -> Period:
    return Period(date(y, 1, 1), date(y, 12, 31), f"{y}年", "year")


def _year_earlier(d: date) -> date:
    try:
        return d.replace(year=d.year - 1)
    except ValueError:  # 29 February
        return d.replace(year=d.year - 1, day=28)


def between(start: date, end: date) -> Period:
    if end < start:
        raise ZsError(f"统计期的结束日期 {end} 早于开始日期 {start}：请检查 --from 和 --to")
    if start.day == 1 and _is_month_end(end) and (start.year, start.month) == (end.year, end.month):
        return month(start)
    if start.year == end.year:
        tail = f"{end.month}月{end.day}日"
    else:
        tail = f"{end.year}年{end.month}月{end.day}日"
    return Period(start, end, f"{start.year}年{start.month}月{start.day}日至{tail}", "range")


def from_text(text: str) -> Period:
    """Any period people write: 2026、2026年上半年、2026Q1、2026年3月、2026-03上半月 …, or one
    day (2026-03-15: the period of that day alone)."""
    if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text.strip()):
        day = parse_date(text)
        return between(day, day)
    start, end, label = parse_period(text)
    if "半月" in label:
        kind = "half"
    elif "半年" in label:
        kind = "halfyear"
    elif "季度" in label:
        kind = "quarter"
    elif label.endswith("月"):
        kind = "month"
    else:
        kind = "year"
    return Period(start, end, label, kind)


def month_of(text: str | None, today: date) -> Period:
    if text is None:
        return month(today.replace(day=1))
    first, _ = month_bounds(parse_typed_month(text, today=today))
    return month(first)


def default_month(today: date, previous_until: int) -> tuple[Period, bool]:
    """The month a monthly report asked for no month is about, and whether it is the month
    just ended: on days 1..``previous_until`` the office holds the 按月调度 of last month."""
    if today.day <= previous_until:
        return month(_shift_month(today.replace(day=1), -1)), True
    return month(today.replace(day=1)), False


def default_quarter(today: date, previous_until: int) -> tuple[Period, bool]:
    """As :func:`default_month`, for the first days of a quarter's first month."""
    q = (today.month - 1) // 3 + 1
    if today.month in (1, 4, 7, 10) and today.day <= previous_until:
        return (quarter(today.year, q - 1) if q > 1 else quarter(today.year - 1, 4)), True
    return quarter(today.year, q), False


def quarter_of(text: str | None, today: date) -> Period:
    if text is None:
        return quarter(today.year, (today.month - 1) // 3 + 1)
    return quarter(*parse_quarter(text))


def half_of(text: str | None, today: date) -> Period:
    """The half-month containing today, or the one named (2026-03上半月)."""
    if text is None:
        return half_month(today.year, today.month, second=today.day > 15)
    p = from_text(text)
    if p.kind != "half":
        raise ZsError(f"「{text}」不是半月：请写成 2026-03上半月 或 2026年3月下半月")
    return p


def range_of(start: str | None, end: str | None, today: date) -> Period:
    """--from / --to: either may be left out (the start of the year / today)."""
    s = parse_date(start) if start else date(today.year, 1, 1)
    e = parse_date(end) if end else today
    return between(s, e)


def funds_months(p: Period) -> tuple[str, str] | None:
    """The months whose funds count in ``p``: those whose last day falls inside it (a
    month's funds belong to the period containing its end, so consecutive periods never
    count a month twice).  None when no month ends inside the period."""
    lo = p.start.replace(day=1)  # the month of the start always ends on or after it
    hi = p.end.replace(day=1) if _is_month_end(p.end) else _shift_month(p.end.replace(day=1), -1)
    if hi < lo:
        return None
    return f"{lo.year:04d}-{lo.month:02d}", f"{hi.year:04d}-{hi.month:02d}"


def time_progress(asof: date, year_: int | None = None) -> float:
    """Share of ``year_`` (default: the year of ``asof``) that has passed by the end of
    ``asof`` (时序进度): 0 before the year begins, 1 after it ends."""
    if year_ is not None and asof.year != year_:
        return 0.0 if asof.year < year_ else 1.0
    first = date(asof.year, 1, 1)
    total = (date(asof.year + 1, 1, 1) - first).days
    return ((asof - first).days + 1) / total

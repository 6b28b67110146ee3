"""One parser for every date, month, quarter and period a person types at the terminal: every
date-like option of every command (found by walking the app, not listed by hand) takes 今天,
昨天, 11月1日 and 2026-11-01, and those taking spans take 上月, 本月, 本季度, 2026Q3 and
2026年三季度; the parsers behind them round-trip every form they accept and refuse the
ambiguous and the impossible with a message."""

from __future__ import annotations

import calendar
import json
import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import typer
from conftest import Cli
from hypothesis import given
from hypothesis import strategies as st

from zhaoshang.cli import app
from zhaoshang.errors import ParseError
from zhaoshang.parse import (
    parse_date,
    parse_month,
    parse_period,
    parse_quarter,
    parse_typed_bound,
    parse_typed_date,
    parse_typed_month,
    parse_typed_period,
    parse_typed_quarter,
    quarter_bounds,
)

# ------------------------------------------------------------------- the options, found

#: option names that hold a date, a month, a quarter or a period
DATE_LIKE = re.compile(
    r"--(?:[a-z]+-)?(date|from|to|since|until|today|month|quarter|next|as-of|before|after|day|period)$"
)
#: positional arguments that hold a period (by command)
PERIOD_ARGS = {("report", "period"): "which", ("report", "half"): "which"}
#: date-like names that are not dates: escalate --to is a level (市级、省级、国家)
NOT_DATES = {(("escalate",), "--to")}
#: names whose value is one end of a span: they take a period too (its first / last day or month)
STARTS = {"--from", "--since"}
ENDS = {"--to", "--until"}


def _commands(cmd: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    if hasattr(cmd, "commands"):
        for name, sub in cmd.commands.items():
            yield from _commands(sub, (*path, name))
    else:
        yield path, cmd


def date_params() -> list[tuple[tuple[str, ...], Any]]:
    found = []
    for path, cmd in _commands(typer.main.get_command(app)):
        for p in cmd.params:
            if p.param_type_name == "option" and not p.is_flag:  # --no-next is a switch
                name = next((o for o in p.opts if o.startswith("--")), "")
                if DATE_LIKE.fullmatch(name) and (path, name) not in NOT_DATES:
                    found.append((path, p))
            elif PERIOD_ARGS.get(path) == p.name:
                found.append((path, p))
    return found


PARAMS = date_params()


def _id(item: tuple[tuple[str, ...], Any]) -> str:
    path, p = item
    return " ".join(path) + " " + (p.opts[0] if p.param_type_name == "option" else p.name)


def _span(plain: str) -> tuple[date, date]:
    """The days a converted value stands for, read by the strict (non-relative) parsers only:
    a value still holding a word (今天, 上月) is not plain and fails here."""
    for read in (
        lambda t: (parse_date(t), parse_date(t)),
        lambda t: (date.fromisoformat(parse_month(t) + "-01"), _month_end(parse_month(t))),
        lambda t: quarter_bounds(*parse_quarter(t)),
        lambda t: parse_period(t)[:2],
    ):
        try:
            return read(plain)  # type: ignore[no-untyped-call]
        except ParseError:
            continue
    raise AssertionError(f"「{plain}」 is not in a plain form the core reads")


def _month_end(month: str) -> date:
    y, m = (int(x) for x in month.split("-"))
    return date(y, m, calendar.monthrange(y, m)[1])


def _convert(p: Any, text: str) -> str:
    return str(p.type.convert(text, p, SimpleNamespace(params={})))


def test_the_walk_finds_the_options_the_issue_names() -> None:
    ids = {_id(x) for x in PARAMS}
    for expected in (
        "list --from",
        "list --to",
        "report period --from",
        "report monthly --today",
        "funds --since",
        "export --month",
        "report period which",
        "report quarterly --quarter",
        "stage --date",
        "note --next",
        "import --as-of",
        "history prune --before",
        "warn --today",
        "init --demo-date",
    ):
        assert expected in ids, expected
    assert len(PARAMS) >= 40


@pytest.mark.parametrize("item", PARAMS, ids=_id)
def test_every_date_option_takes_every_typed_day(item: tuple[tuple[str, ...], Any]) -> None:
    _, p = item
    today = date.today()
    for text, day in (
        ("今天", today),
        ("昨天", today - timedelta(days=1)),
        ("11月1日", date(today.year, 11, 1)),
        ("2026-11-01", date(2026, 11, 1)),
    ):
        first, last = _span(_convert(p, text))
        assert first <= day <= last, (text, first, last)


@pytest.mark.parametrize("item", PARAMS, ids=_id)
def test_options_taking_spans_take_every_typed_period(item: tuple[tuple[str, ...], Any]) -> None:
    path, p = item
    name = p.opts[0] if p.param_type_name == "option" else "which"
    today = date.today()
    if name in STARTS | ENDS or (path, name) == (("report", "period"), "which"):
        words = ("上月", "本月", "本季度", "2026Q3", "2026年三季度")
    elif name == "--month":
        words = ("上月", "本月")
    elif name == "--quarter":
        words = ("本季度", "2026Q3", "2026年三季度")
    else:
        pytest.skip("takes one day (or a half-month)")
    for text in words:
        start, end, _ = parse_typed_period(text, today=today)
        first, last = _span(_convert(p, text))
        if name in STARTS:
            assert first <= start <= last, (text, first, last)
        elif name in ENDS:
            assert first <= end <= last, (text, first, last)
        else:
            assert (first, last) == (start, end), text


def test_a_refused_value_names_the_option(cli: Cli) -> None:
    r = cli("list", "招什么", "--reached", "已签约", "--from", "上上月", ok=False)
    assert r.exit_code == 1
    assert r.stderr.startswith("--from：无法识别的日期「上上月」：可写日期")
    r = cli("report", "quarterly", "-q", "2026Q5", ok=False)
    assert r.exit_code == 1 and "--quarter：季度「2026Q5」不存在" in r.stderr


# ------------------------------------------------------------- the issue's own commands


def test_the_issue_commands_take_date_words(cli: Cli, demo_db: Path, tmp_path: Path) -> None:
    cli("list", "招什么", "--reached", "已签约", "--from", "上月", "--to", "今天", ok=True)
    got = json.loads(cli("report", "period", "--from", "11月1日", "--to", "今天", "-f", "json", ok=True).stdout)
    assert got["period"]["start"] == f"{date.today().year}-11-01"
    got = json.loads(cli("report", "monthly", "--today", "昨天", "--month", "本月", "-f", "json", ok=True).stdout)
    yesterday = date.today() - timedelta(days=1)
    assert got["period"]["start"] == yesterday.replace(day=1).isoformat()
    cli("funds", "--since", "上月", ok=True)
    cli("export", str(tmp_path / "x.xlsx"), "--month", "本月", ok=True)
    got = json.loads(cli("report", "period", "2026年三季度", "-f", "json", ok=True).stdout)
    assert (got["period"]["start"], got["period"]["end"]) == ("2026-07-01", "2026-09-30")


@pytest.mark.parametrize("order", ["today first", "today last"])
def test_words_count_from_the_commands_today(cli: Cli, demo_db: Path, order: str) -> None:
    args = ["--month", "上月"]
    args = [*args, "--today", "2026-03-20"] if order == "today last" else ["--today", "2026-03-20", *args]
    got = json.loads(cli("report", "monthly", *args, "-f", "json", ok=True).stdout)
    assert got["period"]["label"] == "2026年2月"
    got = json.loads(cli("report", "period", "本季度", "--today", "2026-08-02", "-f", "json", ok=True).stdout)
    assert got["period"]["label"] == "2026年第三季度"


# --------------------------------------------------------------------- parser properties

days = st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31))


def _day_forms(d: date) -> list[str]:
    return [
        d.isoformat(),
        f"{d.year}/{d.month}/{d.day}",
        f"{d.year}.{d.month:02d}.{d.day:02d}",
        f"{d.year}年{d.month}月{d.day}日",
        f"{d.year}年{d.month}月{d.day}号",
        f"{d.year}{d.month:02d}{d.day:02d}",
        f" {d.isoformat()} 08:30",
    ]


@given(days)
def test_every_day_form_round_trips(d: date) -> None:
    for text in _day_forms(d):
        assert parse_typed_date(text) == d, text
        assert parse_typed_bound(text) == d == parse_typed_bound(text, end=True), text
    assert parse_typed_date(f"{d.month}月{d.day}日", today=date(d.year, 6, 1)) == d


@given(days, st.sampled_from([("今天", 0), ("今日", 0), ("昨天", -1), ("前天", -2), ("明天", 1), ("后天", 2)]))
def test_day_words_count_from_today(today: date, word: tuple[str, int]) -> None:
    if date(1900, 1, 3) <= today <= date(2100, 12, 29):
        assert parse_typed_date(word[0], today=today) == today + timedelta(days=word[1])


@given(st.integers(1900, 2100), st.integers(1, 4))
def test_every_quarter_form_round_trips(year: int, q: int) -> None:
    cn = "一二三四"[q - 1]
    bounds = quarter_bounds(year, q)
    for text in (f"{year}Q{q}", f"{year}-q{q}", f"Q{q} {year}", f"{year}年{cn}季度", f"{year}年第{cn}季度"):
        start, end, label = parse_typed_period(text)
        assert (start, end) == bounds, text
        assert parse_period(label)[:2] == bounds  # the label reads back
        assert parse_typed_quarter(text) == (year, q)
        assert parse_typed_bound(text) == start and parse_typed_bound(text, end=True) == end
    today = date(year, 3 * q - 1, 10)
    assert parse_typed_period(f"{cn}季度", today=today)[:2] == bounds
    assert parse_typed_period("本季度", today=today)[:2] == bounds


@given(st.integers(1900, 2100), st.integers(1, 12))
def test_every_month_form_round_trips(year: int, month: int) -> None:
    expected = f"{year:04d}-{month:02d}"
    bounds = (date(year, month, 1), _month_end(expected))
    for text in (expected, f"{year}/{month}", f"{year}年{month}月", f"{year}{month:02d}"):
        assert parse_typed_month(text) == expected, text
        start, end, label = parse_typed_period(text)
        assert (start, end) == bounds and parse_period(label)[:2] == bounds
    today = date(year, month, 15)
    assert parse_typed_month("本月", today=today) == expected
    assert parse_typed_period(f"{month}月", today=today)[:2] == bounds
    if (year, month) < (2100, 12):
        after = bounds[1] + timedelta(days=1)
        assert parse_typed_period("上月", today=after)[:2] == bounds


@given(days)
def test_relative_periods_hold_today_and_follow_each_other(today: date) -> None:
    if not date(1901, 1, 1) <= today <= date(2099, 12, 31):
        return
    for this, last in (("本月", "上月"), ("本季度", "上季度"), ("今年", "去年")):
        start, end, _ = parse_typed_period(this, today=today)
        assert start <= today <= end
        assert parse_typed_period(last, today=today)[1] == start - timedelta(days=1)


@given(st.integers(1, 12), st.integers(1, 12), st.integers(1900, 2100))
def test_day_first_and_month_first_are_refused_as_ambiguous(a: int, b: int, year: int) -> None:
    for text in (f"{a:02d}/{b:02d}/{year}", f"{a}-{b}-{year % 100:02d}"):
        for parse in (parse_typed_date, parse_typed_bound):
            with pytest.raises(ParseError, match="歧义"):
                parse(text)


@given(st.integers(1900, 2100), st.integers(1, 12), st.integers(1, 40))
def test_impossible_days_are_refused(year: int, month: int, day: int) -> None:
    last = calendar.monthrange(year, month)[1]
    if day <= last:
        return
    for parse in (parse_typed_date, parse_typed_bound):
        with pytest.raises(ParseError, match=f"不存在：{year}年{month}月没有{day}日"):
            parse(f"{year}-{month:02d}-{day:02d}")


@given(st.integers(1900, 2100), st.integers(5, 9))
def test_impossible_quarters_and_months_are_refused(year: int, q: int) -> None:
    with pytest.raises(ParseError, match="季度应为 1–4"):
        parse_typed_period(f"{year}Q{q}")
    with pytest.raises(ParseError, match="季度应为 1–4"):
        parse_typed_quarter(f"{year}Q{q}")
    with pytest.raises(ParseError, match="月份应为 1–12"):
        parse_typed_month(f"{year}-{q + 8}")
    with pytest.raises(ParseError, match="月份应为 1–12"):
        parse_typed_bound(f"{year}-{q + 8}")


@given(st.text(alphabet="上下本今去明年月季度天日号半ABCxyz", min_size=1, max_size=6))
def test_nonsense_is_refused_with_the_forms_to_write(text: str) -> None:
    try:
        parse_typed_bound(text)
    except ParseError as exc:
        assert "「" in exc.message and ("可写" in exc.message or "不存在" in exc.message), exc.message

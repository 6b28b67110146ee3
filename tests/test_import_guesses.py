"""Right or refused (issue 25): the guesses an import used to make in silence — sub-rows 1.1 / 1.2
taken for projects, the last month's status taken for this month's, the later of two figures for
one project, a 「其中」 line taken for a project, a month read as its first day, 3,000 in a 亿元
column read as 3000亿元, a header only *containing* a field's name — are now read right, listed
as an :class:`~zhaoshang.exchange.inference.Inference`, or refused naming sheet, row, column and
value with the fix (``--confirm`` where the user may take the guess)."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import Cli
from exchange_util import SOFFICE_BIN, import_sheet, libreoffice_resave, open_city, open_db, write_xlsx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zhaoshang import items
from zhaoshang.choices import Confirm
from zhaoshang.cli.options import FLAG_NAMES
from zhaoshang.db import Database
from zhaoshang.definitions import load
from zhaoshang.errors import ZsError
from zhaoshang.exchange import columns, sheet_rules
from zhaoshang.exchange.inference import Rule
from zhaoshang.exchange.readers import RawSheet
from zhaoshang.exchange.rows import implausible_amount, is_breakdown, month_day
from zhaoshang.exchange.sheetfacts import month_format
from zhaoshang.exchange.tables import DataRow, RowClass, find_table, parse_header
from zhaoshang.hints import option
from zhaoshang.parse import month_only, parse_date, parse_money

DEFS = load()
KIND = DEFS.kind("招什么")
KNOWN = columns.known_labels(DEFS, list(DEFS.kinds), [], {})
AS_OF = dt.date(2026, 10, 31)
TODAY = dt.date(2026, 11, 20)


@pytest.fixture
def city(db_path: Path) -> Iterator[Database]:
    yield from open_city(db_path)


def _import(db: Database, path: Path, **opts: Any) -> Any:
    opts.setdefault("as_of", AS_OF)
    opts.setdefault("today", TODAY)
    return import_sheet(db, path, **opts)


def _refused(db: Database, path: Path, **opts: Any) -> str:
    """The refusal, with the options spelled as on the command line (--map, --confirm)."""
    with pytest.raises(ZsError) as exc:
        _import(db, path, **opts)
    text = str(exc.value)
    for name, flag in FLAG_NAMES.items():
        text = text.replace(f" {name} ", f" {flag} ")
    return text


def _titles(db: Database) -> list[str]:
    return [r[0] for r in db.conn.execute("SELECT title FROM items WHERE kind = 'targets' ORDER BY id")]


def _item(db: Database, title: str) -> dict[str, Any]:
    row = db.conn.execute("SELECT id FROM items WHERE title = ?", (title,)).fetchone()
    assert row is not None, title
    return items.get(db, row[0])


def _rules(report: Any, rule: Rule) -> list[Any]:
    return [i for i in report.inferences if i.rule == rule]


HEAD = ["序号", "项目名称", "产业链", "投资额（万元）", "状态"]

# ---------------------------------------------------------------------------------------------
# 1. 序号 1.1 / 1.2: parts of project 1, never projects of their own


def test_sub_rows_that_add_up_are_the_parents_parts_skipped_and_listed(city: Database, tmp_path: Path) -> None:
    rows = [
        HEAD,
        [1, "铜箔产业园项目", "有色金属", 5000, "在谈"],
        [1.1, "一期", "有色金属", 3000, "在谈"],  # a number, as a spreadsheet keeps 1.1
        ["1.2", "二期", "有色金属", 2000, "在谈"],
        [2, "锌冶炼项目", "有色金属", 100, "在谈"],
    ]
    report = _import(city, write_xlsx(tmp_path / "s.xlsx", {"招什么": rows}))
    assert "一期" not in _titles(city) and "二期" not in _titles(city)
    assert {"铜箔产业园项目", "锌冶炼项目"} <= set(_titles(city))
    (inf,) = _rules(report, Rule.sub_rows)
    assert inf.rows == [3, 4] and "是第2行（序号 1）的分项：金额之和等于第2行" in inf.text
    fates = {f.first: f for f in report.sheets[0].rows}
    assert fates[3].cls is RowClass.breakdown and fates[4].cls is RowClass.breakdown


def test_sub_rows_that_do_not_add_up_are_refused_with_both_fixes(city: Database, tmp_path: Path) -> None:
    rows = [HEAD, [1, "铜箔产业园项目", "有色金属", 5000, "在谈"], ["1.1", "一期", "有色金属", 3000, "在谈"]]
    said = _refused(city, write_xlsx(tmp_path / "s.xlsx", {"招什么": rows}))
    assert "「招什么」第3行 序号 值「1.1」：序号 1.1 是第2行（序号 1）下的分项行，金额之和与它不符" in said
    assert "是分项请删去第3行" in said and "是独立项目请把序号改成整数，并删去第2行这个汇总行" in said


def _row(n: int, index: object, amount: float | None) -> DataRow:
    return DataRow(n, {1: f"项目{n}", **({3: amount} if amount is not None else {})}, None, index)


@settings(max_examples=300, deadline=None)
@given(
    parent=st.integers(1, 30),
    parts=st.lists(st.integers(1, 100_000), min_size=1, max_size=5),
    extra=st.sampled_from([0, 0, 1, -1]),
    form=st.sampled_from(["float", "dot", "dash", "fullwidth"]),
)
def test_sub_rows_are_parts_exactly_when_they_add_up(parent: int, parts: list[int], extra: int, form: str) -> None:
    """Generated groups: a parent numbered N and its rows N.1 … in every way a 序号 is written —
    skipped as parts when the amounts add up, refused otherwise, never plain rows."""

    def mark(i: int) -> object:
        return {
            "float": float(f"{parent}.{i}") if i % 10 else f"{parent}.{i}",
            "dot": f"{parent}.{i}",
            "dash": f"{parent}-{i}",
            "fullwidth": f"{parent}．{i}",
        }[form]

    rows = [_row(2, parent, float(sum(parts) + extra))]
    rows += [_row(3 + i, mark(i + 1), float(p)) for i, p in enumerate(parts)]
    rows.append(_row(3 + len(parts), parent + 1, 5.0))  # the next project
    got = list(sheet_rules.sub_rows(iter(rows), lambda r: {c: v for c, v in r.cells.items() if c == 3}))
    assert [r.number for r, _ in got] == [r.number for r in rows]
    assert got[0][1] is None and got[-1][1] is None
    verdicts = [v for _, v in got[1:-1]]
    assert all(v is not None and v.part == (extra == 0) and v.parent == 2 for v in verdicts)


def test_numbered_rows_under_a_heading_are_ordinary_rows() -> None:
    """1.1, 1.2 without a data row 1 above them (the heading 「1、新能源」 is no project): projects."""
    rows = [_row(3, "1.1", 5.0), _row(4, "1.2", 6.0)]
    assert all(v is None for _, v in sheet_rules.sub_rows(iter(rows), lambda r: {}))


# ---------------------------------------------------------------------------------------------
# 2. 上月状态 / 本月状态: the state is this month's


PAST = ["上月", "上期", "上年", "去年", "上季度"]
NOW = ["本月", "本期", "本年", "今年", "当前"]


@settings(max_examples=200, deadline=None)
@given(
    past=st.sampled_from(PAST),
    now=st.sampled_from([*NOW, ""]),
    name=st.sampled_from(["状态", "项目状态", "推进状态", "阶段", "狀態"]),
    past_first=st.booleans(),
)
def test_the_current_status_column_is_the_status(past: str, now: str, name: str, past_first: bool) -> None:
    """Generated header sets: a column of the past beside the current one — the current one is
    the state whatever the order, the past is listed, never imported."""
    if now == "" and name == "狀態":
        name = "状态"
    heads = [f"{past}{name}", f"{now}{name}"]
    if not past_first:
        heads.reverse()
    header = [parse_header(t) for t in ["项目名称", "产业链", *heads]]
    cells = find_table(RawSheet("表", [[t for t, _, _ in header], ["甲", "有色金属", "在谈", "已签约"]]), KNOWN).header
    m = columns.map_item_columns(DEFS, KIND, cells, {})
    status = m.by_key("status")
    assert status is not None and status.header == f"{now}{name}", (heads, m.targets, m.problems)
    past_col = next(h for h in cells if h.text == f"{past}{name}")
    assert past_col.column in m.ignored and past_col.column not in m.shadowed and not m.problems
    assert any(f"是{past}的「状态」，不导入" in g[2] for g in m.guesses)


def test_a_status_of_the_past_alone_is_refused_with_the_map_fix(city: Database, tmp_path: Path) -> None:
    rows = [["项目名称", "产业链", "上月状态"], ["甲项目", "有色金属", "在谈"]]
    said = _refused(city, write_xlsx(tmp_path / "p.xlsx", {"招什么": rows}))
    assert "C列「上月状态」：本列是上月的「状态」，表中没有现在的「状态」列" in said
    assert "--map 上月状态=状态" in said and "--map 上月状态=忽略" in said


def test_last_and_this_months_status_imports_this_months(city: Database, tmp_path: Path) -> None:
    rows = [
        ["项目名称", "产业链", "上月状态", "本月状态", "签约日期"],
        ["甲项目", "有色金属", "在谈", "已签约", "2026-10-09"],
    ]
    report = _import(city, write_xlsx(tmp_path / "p.xlsx", {"招什么": rows}))
    assert _item(city, "甲项目")["status"] == "已签约"
    said = "C列「上月状态」是上月的「状态」，不导入；「状态」取 D列「本月状态」"
    assert any(said in i.text for i in report.inferences)


def test_two_status_columns_of_one_time_name_both_fixes(city: Database, tmp_path: Path) -> None:
    rows = [["项目名称", "产业链", "状态", "项目状态"], ["甲项目", "有色金属", "在谈", "已签约"]]
    said = _refused(city, write_xlsx(tmp_path / "p.xlsx", {"招什么": rows}))
    assert "--map 项目状态=忽略 或 --map 状态=忽略" in said


# ---------------------------------------------------------------------------------------------
# 3. one project on two sheets: one figure, or refused


def _two_sheets(tmp_path: Path, first: object, second: object) -> Path:
    head = ["项目名称", "产业链", "投资额（万元）", "状态"]
    return write_xlsx(
        tmp_path / "two.xlsx",
        {
            "签约项目": [head, ["甲项目", "有色金属", first, "已签约"]],
            "开工项目": [head, ["甲项目", "有色金属", second, "已开工"]],
        },
    )


def test_two_figures_for_one_project_are_refused_naming_both(city: Database, tmp_path: Path) -> None:
    said = _refused(city, _two_sheets(tmp_path, 5000, 6000), on_duplicate="update")
    assert (
        "「开工项目」第2行 C列「投资额（万元）」 值「6000」：与「签约项目」第2行 C列「投资额（万元）」（5000）"
        "是同一项目「甲项目」，投资额却不同" in said
    )
    assert "甲项目" not in _titles(city)


def test_two_sheets_that_agree_are_one_item(city: Database, tmp_path: Path) -> None:
    report = _import(city, _two_sheets(tmp_path, 5000, "5000"), on_duplicate="update")
    assert _titles(city).count("甲项目") == 1 and _rules(report, Rule.same_item)
    got = _item(city, "甲项目")
    assert (got["status"], got["investment"]) == ("已开工", 5000)


def test_a_third_row_is_checked_against_every_earlier_one(city: Database, tmp_path: Path) -> None:
    head = ["项目名称", "产业链", "投资额（万元）", "外资额（万美元）"]
    rows = [head, ["甲项目", "有色金属", 5000, None], ["甲 项目", "有色金属", None, 20]]
    rows.append(["甲项目", "有色金属", None, 30])
    said = _refused(city, write_xlsx(tmp_path / "t.xlsx", {"招什么": rows}), on_duplicate="update")
    assert "「招什么」第4行 D列「外资额（万美元）」 值「30」：与「招什么」第3行 D列「外资额（万美元）」（20）" in said


def test_two_rows_updating_one_stored_item_must_agree(city: Database, tmp_path: Path) -> None:
    """Not only a new item: two rows of the file naming one stored item (by name, or 编号) with
    two figures are refused, never the later one in silence."""
    head = ["项目名称", "产业链", "投资额（万元）"]
    path = write_xlsx(
        tmp_path / "stored.xlsx",
        {
            "签约项目": [head, ["年产5万吨铜箔项目", "有色金属", 1000]],
            "开工项目": [head, ["年产5万吨铜箔项目", "有色金属", 2000]],
        },
    )
    said = _refused(city, path, on_duplicate="update")
    assert (
        "「开工项目」第2行 C列「投资额（万元）」 值「2000」：与「签约项目」第2行 C列「投资额（万元）」（1000）" in said
    )
    assert _item(city, "年产5万吨铜箔项目")["investment"] == 35600


# ---------------------------------------------------------------------------------------------
# 4. 「其中：…」 is a breakdown line, never a project

BREAKDOWN = st.sampled_from(["其中：", "其中:", "其中", "其 中：", "其中，"]).flatmap(
    lambda head: st.sampled_from(["固定资产投资", "新签约项目", "外资", "设备购置"]).map(lambda tail: head + tail)
)
INDEX = st.sampled_from([None, 1, 2, "1.1", 1.1, "（1）", "(2)", "1-1", "①", "2、"])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=BREAKDOWN, index=INDEX)
def test_a_breakdown_line_after_any_index_is_skipped(name: str, index: object) -> None:
    grid = [HEAD, [1, "甲项目", "有色金属", 5000, "在谈"], [index, name, "有色金属", 3000, "在谈"]]
    table = find_table(RawSheet("表", grid), KNOWN)
    assert [r.number for r in table.rows] == [2]
    assert any(f.first == 3 and f.cls is RowClass.breakdown for f in table.fates)


@given(name=BREAKDOWN)
def test_a_breakdown_name_is_known_by_its_words(name: str) -> None:
    assert is_breakdown(name) and is_breakdown("  " + name)
    assert not is_breakdown(name.replace("其", "另", 1))


def test_a_breakdown_name_after_the_chain_is_refused(city: Database, tmp_path: Path) -> None:
    rows = [
        ["序号", "产业链", "项目名称", "投资额（万元）", "状态"],
        [1, "有色金属", "甲项目", 5000, "在谈"],
        [None, "有色金属", "其中：固定资产投资", 3000, None],
    ]
    said = _refused(city, write_xlsx(tmp_path / "q.xlsx", {"招什么": rows}))
    assert "「招什么」第3行 C列「项目名称」 值「其中：固定资产投资」：「其中」开头的是上一行" in said
    assert "请删去本行" in said


# ---------------------------------------------------------------------------------------------
# 5. a month without its day


@st.composite
def month_texts(draw: st.DrawFn) -> tuple[str, int, int]:
    year, month = draw(st.integers(1990, 2099)), draw(st.integers(1, 12))
    cn = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二"][month - 1]
    form = draw(
        st.sampled_from(
            [f"{year}年{month}月", f"{year}年{month:02d}月份", f"{year}年{cn}月", f"{year}-{month}",
             f"{year}/{month:02d}", f"{year}.{month}", f"{year}{month:02d}", f" {year} 年 {month} 月 ",
             f"{year}．{month}"]
        )
    )  # fmt: skip
    return form, year, month


@settings(max_examples=400)
@given(month_texts())
def test_a_month_alone_is_never_a_day(case: tuple[str, int, int]) -> None:
    text, year, month = case
    assert month_only(text) == (year, month)
    with pytest.raises(ZsError, match="只有年月，没有日"):
        parse_date(text)
    assert month_day(text, frozenset()) is None  # nothing confirmed: no day
    end = month_day(text, frozenset({Confirm.month_end}))
    start = month_day(text, frozenset({Confirm.month_start}))
    last = calendar.monthrange(year, month)[1]
    assert end == (f"{year:04d}-{month:02d}-{last:02d}", Confirm.month_end)
    assert start == (f"{year:04d}-{month:02d}-01", Confirm.month_start)


@settings(max_examples=300)
@given(st.dates(dt.date(1990, 1, 1), dt.date(2099, 12, 31)))
def test_a_full_date_is_no_month_alone(day: dt.date) -> None:
    for text in (day.isoformat(), f"{day.year}年{day.month}月{day.day}日", f"{day.year}/{day.month}/{day.day}"):
        assert month_only(text) is None and parse_date(text) == day


@given(st.integers(1, 12), st.sampled_from(["{m}月", "{m}月份", "{m}月底"]))
def test_a_month_without_a_year_is_refused_even_when_confirmed(month: int, form: str) -> None:
    text = form.format(m=month)
    assert month_only(text) == (None, month)
    assert month_day(text, frozenset(Confirm)) is None
    with pytest.raises(ZsError, match="只有月份，没有年和日"):
        parse_date(text)


def test_a_month_in_a_date_column_is_refused_or_dated_as_confirmed(city: Database, tmp_path: Path) -> None:
    rows = [["项目名称", "产业链", "状态", "签约日期"], ["甲项目", "有色金属", "已签约", "2026年10月"]]
    path = write_xlsx(tmp_path / "d.xlsx", {"招什么": rows})
    said = _refused(city, path)
    assert "「招什么」第2行 D列「签约日期」 值「2026年10月」：日期「2026年10月」只有年月，没有日" in said
    assert "--confirm month_end" in said and "--confirm month_start" in said
    report = _import(city, path, confirm=frozenset({Confirm.month_end}))
    assert _item(city, "甲项目")["signed_date"] == "2026-10-31"
    (inf,) = _rules(report, Rule.month_day)
    assert inf.rows == [2] and inf.confirmed_by == f"{option('confirm')} month_end" and inf.value == "2026-10-31"


def test_a_part_of_a_month_is_refused_or_dated_as_confirmed(city: Database, tmp_path: Path) -> None:
    rows = [
        ["项目名称", "产业链", "状态", "签约日期"],
        ["甲项目", "有色金属", "已签约", "2026年10月底"],
        ["乙项目", "有色金属", "已签约", "2026年10月上旬"],
    ]
    path = write_xlsx(tmp_path / "d.xlsx", {"招什么": rows})
    said = _refused(city, path)
    assert (
        "「招什么」第2行 D列「签约日期」 值「2026年10月底」：日期「2026年10月底」说的是2026年10月底，不是哪一天："
        "请写出具体日期，如 2026-10-31；按月统计时记为月末就行：加 --confirm month_end 记为 2026-10-31"
    ) in said
    early = "日期「2026年10月上旬」说的是2026年10月上旬（1–10日），不是哪一天"
    assert f"第3行 D列「签约日期」 值「2026年10月上旬」：{early}" in said
    # month_end dates 月底, never 上旬: that row stays refused
    said = _refused(city, path, confirm=frozenset({Confirm.month_end}))
    assert "第2行" not in said and "第3行" in said
    only_end = write_xlsx(tmp_path / "e.xlsx", {"招什么": rows[:2]})
    report = _import(city, only_end, confirm=frozenset({Confirm.month_end}))
    assert _item(city, "甲项目")["signed_date"] == "2026-10-31"
    (inf,) = _rules(report, Rule.month_day)
    assert inf.rows == [2] and inf.evidence == "「2026年10月底」没有具体日子"


def _month_formatted(path: Path) -> Path:
    """A date typed as 「2026年10月」 in Excel: the date 2026-10-01, formatted to show no day."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "招什么"
    ws.append(["项目名称", "产业链", "状态", "签约日期"])
    ws.append(["甲项目", "有色金属", "已签约", dt.datetime(2026, 10, 1)])
    ws["D2"].number_format = 'yyyy"年"m"月"'
    ws.append(["乙项目", "有色金属", "已签约", dt.datetime(2026, 10, 9)])
    ws["D3"].number_format = "yyyy-mm-dd"
    wb.save(path)
    return path


def test_a_date_cell_showing_only_its_month_is_a_month(city: Database, tmp_path: Path) -> None:
    path = _month_formatted(tmp_path / "m.xlsx")
    said = _refused(city, path)
    assert "「招什么」第2行 D列「签约日期」 值「2026年10月」：日期「2026年10月」只有年月，没有日" in said
    assert "第3行" not in said  # a date shown with its day is a day
    _import(city, path, confirm=frozenset({Confirm.month_end}))
    assert _item(city, "甲项目")["signed_date"] == "2026-10-31" and _item(city, "乙项目")["signed_date"] == "2026-10-09"


@pytest.mark.slow
@pytest.mark.skipif(SOFFICE_BIN is None, reason="LibreOffice is not installed")
def test_a_month_formatted_cell_saved_by_libreoffice_is_a_month(city: Database, tmp_path: Path) -> None:
    path = libreoffice_resave(_month_formatted(tmp_path / "m.xlsx"), tmp_path)
    said = _refused(city, path)
    assert "D列「签约日期」 值「2026年10月」：日期「2026年10月」只有年月，没有日" in said


@pytest.mark.slow
@pytest.mark.skipif(SOFFICE_BIN is None, reason="LibreOffice is not installed")
@pytest.mark.parametrize("fmt", ["ods", "xls"])
def test_a_month_formatted_cell_in_an_ods_or_xls_is_a_month(city: Database, tmp_path: Path, fmt: str) -> None:
    """(.xls: calamine reads the date 2026-10-01 and no format; the format is xlrd's)"""
    path = libreoffice_resave(_month_formatted(tmp_path / "m.xlsx"), tmp_path, fmt)
    said = _refused(city, path)
    assert "「招什么」第2行 D列「签约日期」 值「2026年10月」：日期「2026年10月」只有年月，没有日" in said
    assert "第3行" not in said  # a date shown with its day is a day
    _import(city, path, confirm=frozenset({Confirm.month_end}))
    assert _item(city, "甲项目")["signed_date"] == "2026-10-31" and _item(city, "乙项目")["signed_date"] == "2026-10-09"


@given(
    st.sampled_from(['yyyy"年"m"月"', "mmm-yy", "yyyy/mm", "[$-804]yyyy年m月", "mmmm yyyy", 'yyyy"年"mm"月份"']),
    st.sampled_from(["", "[Red]", "[$-409]"]),
)
def test_number_formats_without_a_day_are_months(code: str, prefix: str) -> None:
    assert month_format(prefix + code)
    assert not month_format(prefix + code.replace("m", "m/d", 1).replace("mmm/d", "mmm d"))


def test_confirm_is_an_option_of_the_command(cli: Cli, tmp_path: Path, db_path: Path) -> None:
    from exchange_util import make_city

    make_city(db_path)
    rows = [["项目名称", "产业链", "状态", "签约日期"], ["甲项目", "有色金属", "已签约", "2026-10"]]
    path = write_xlsx(tmp_path / "d.xlsx", {"招什么": rows})
    r = cli("import", str(path), ok=False)
    assert "只有年月，没有日" in r.stderr and "Traceback" not in r.stderr
    cli("import", str(path), "--confirm", "month_start", ok=True)
    db = open_db(db_path)
    assert _item(db, "甲项目")["signed_date"] == "2026-10-01"
    db.close()


# ---------------------------------------------------------------------------------------------
# 6. a figure in its column's unit, and one implausible for that unit


@st.composite
def bare_numbers(draw: st.DrawFn) -> tuple[object, float]:
    number = draw(st.integers(1, 10**7)) / draw(st.sampled_from([1, 10, 100]))
    form = draw(st.sampled_from(["int", "float", "text", "thousands", "fullwidth"]))
    if form == "int" and number == int(number):
        return int(number), number
    if form == "thousands" and number == int(number):
        return f"{int(number):,}", number
    text = f"{number:.2f}".rstrip("0").rstrip(".")
    if form == "fullwidth":
        return text.translate(str.maketrans("0123456789.", "０１２３４５６７８９．")), number
    return (number if form == "float" else text), number


@settings(max_examples=500)
@given(bare_numbers(), st.sampled_from(["亿", "万", "元"]), st.sampled_from(["CNY", "USD"]))
def test_a_bare_number_is_read_in_its_columns_unit_and_refused_when_implausible(
    case: tuple[object, float], unit: str, currency: str
) -> None:
    raw, number = case
    wan = parse_money(raw, currency=currency, default_unit=unit)
    assert wan == pytest.approx(number * {"亿": 10000, "万": 1, "元": 0.0001}[unit], rel=1e-9, abs=1e-6)
    odd = implausible_amount(raw, unit, currency)
    plausible = {"亿": number < 1000, "万": number >= 1, "元": number >= 10000}[unit]
    assert (odd is None) == plausible, (raw, unit, odd)
    if odd is not None:  # both readings named, and the fix
        assert "读作" in odd[1] and "若是" in odd[1] and "请写成" in odd[1]
        assert odd[0].endswith("美元" if currency == "USD" else "元")


@settings(max_examples=200)
@given(bare_numbers(), st.sampled_from(["亿", "万", "元"]), st.sampled_from(["亿元", "万元", "元", "亿", "万", "億元"]))
def test_a_number_with_its_own_unit_is_read_as_written(case: tuple[object, float], unit: str, own: str) -> None:
    raw, _ = case
    assert implausible_amount(f"{raw}{own}", unit) is None


def test_3000_in_a_yi_column_is_refused_with_both_readings(city: Database, tmp_path: Path) -> None:
    rows = [["项目名称", "产业链", "投资额（亿元）"], ["甲项目", "有色金属", "3,000"]]
    path = write_xlsx(tmp_path / "y.xlsx", {"招什么": rows})
    said = _refused(city, path)
    assert "「招什么」第2行 C列「投资额（亿元）」 值「3,000」：「3,000」在亿元栏读作3000亿元，对一个项目太大" in said
    assert "若是3000万元，请写成 0.3" in said and "确是3000亿元请加 --confirm amount" in said
    report = _import(city, path, confirm=frozenset({Confirm.amount}))
    assert _item(city, "甲项目")["investment"] == 30_000_000
    (inf,) = _rules(report, Rule.amount_unit)
    assert inf.value == "3000亿元" and inf.confirmed_by == f"{option('confirm')} amount"


# ---------------------------------------------------------------------------------------------
# 7. a header that only contains a field's name


def test_a_header_containing_a_field_name_is_a_listed_guess(city: Database, tmp_path: Path) -> None:
    rows = [["项目名称", "产业链", "计划总投资（万元）其中固投"], ["甲项目", "有色金属", 3000]]
    report = _import(city, write_xlsx(tmp_path / "h.xlsx", {"招什么": rows}))
    (inf,) = _rules(report, Rule.header_guess)
    assert inf.column == "C列「计划总投资（万元）其中固投」" and inf.value == "投资额"
    assert "按其中的「计划总投资」当作「投资额」" in inf.text


def test_a_guessed_header_beside_the_fields_own_column_is_refused(city: Database, tmp_path: Path) -> None:
    rows = [["项目名称", "产业链", "计划总投资（万元）其中固投", "投资额（万元）"], ["甲项目", "有色金属", 3000, None]]
    said = _refused(city, write_xlsx(tmp_path / "h.xlsx", {"招什么": rows}))
    assert "C列「计划总投资（万元）其中固投」：本列和D列「投资额（万元）」都可能是「投资额」" in said
    assert "--map 计划总投资（万元）其中固投=忽略" in said


@settings(max_examples=200, deadline=None)
@given(
    before=st.sampled_from(["", "项目", "全部", "实际"]),
    name=st.sampled_from(["计划总投资", "投资总额", "签约额", "利用外资"]),
    after=st.sampled_from(["其中固投", "合计", "数额", "情况"]),
    rival=st.sampled_from([None, "投资额", "外资额", "备注"]),
)
def test_generated_guessed_headers_are_listed_or_refused(before: str, name: str, after: str, rival: str | None) -> None:
    """Generated header sets: a header that contains a field's name is either listed as a guess
    (alone on its field) or refused (beside another column of that field) — never shadowed."""
    texts = ["项目名称", "产业链", f"{before}{name}{after}", *([rival] if rival else [])]
    header = find_table(RawSheet("表", [texts, ["甲", "有色金属", 1, 2][: len(texts)]]), KNOWN).header
    m = columns.map_item_columns(DEFS, KIND, header, {})
    guessed = header[2]
    target = next((t for t in m.targets if t.column == guessed.column), None)
    if target is None:
        assert guessed.column in m.ignored or guessed.column in m.unknown or guessed.column in m.ambiguous
        assert guessed.column not in m.shadowed
        if guessed.column in m.ignored:
            assert any(h.column == guessed.column and "都可能是" in p for h, p in m.problems)
    else:
        assert any(g[0] == target.where for g in m.guesses), m.guesses
        assert not any(t.key == target.key and t.column != target.column for t in m.targets)

"""Issue 25: the money units a workbook's 填表说明 sheet states, each for the money it names
(「金额单位：亿元；外资额单位：万美元」): read by the header matcher the import uses, listed as
inferences with their source; a line naming units without saying which money each is for is
refused."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhaoshang import lookups
from zhaoshang.db import Database
from zhaoshang.definitions import load
from zhaoshang.errors import ZsError
from zhaoshang.exchange.header_area import instructions_money_unit, unit_statements
from zhaoshang.exchange.importer import ImportOptions, ImportReport, import_file

TODAY = dt.date(2026, 12, 7)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    d = Database.open(tmp_path / "city.db", load())
    with d.command("setup", user="测试员"):
        lookups.create(d, lookups.CHAIN, "新能源", {})
        lookups.create(d, lookups.UNIT, "孙吴县", {"type": "区县"})
    try:
        yield d
    finally:
        d.close()


def workbook(path: Path, lines: list[str], header: list[str], values: list[Any]) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "招什么"
    for r in (["孙吴县2026年10月招商引资项目表"], ["序号", "项目名称", "产业链", *header, "状态", "签约日期"]):
        ws.append(r)
    ws.append([1, "氢能产业园项目", "新能源", *values, "已签约", "2026-10-08"])
    notes = wb.create_sheet("填表说明")
    notes.append(["填表说明"])
    for line in lines:
        notes.append([line])
    wb.save(path)
    return path


def run(db: Database, path: Path, **opts: Any) -> ImportReport:
    return import_file(db, path, ImportOptions(kind="招什么", today=TODAY, sheet="招什么", **opts), user="测试员")


def amounts(db: Database) -> tuple[float, float]:
    (got,) = db.query("SELECT investment, foreign_investment FROM kind_targets")
    return float(got[0]), float(got[1])


@pytest.mark.parametrize(
    "lines",
    [
        ["1. 金额单位：亿元；外资额单位：万美元"],
        ["1. 金额单位：亿元，外资：万美元"],
        ["1. 金额单位：亿元。", "2. 外资单位：万美元。"],
        ["本表金额单位为亿元，其中外资额单位为万美元"],
        ["1. 投资额单位：亿元；外资额单位：万美元"],
        ["1. 投资额单位：亿元", "2. 利用外资单位：万美元"],
    ],
)
def test_each_unit_goes_to_the_money_it_names(db: Database, tmp_path: Path, lines: list[str]) -> None:
    path = workbook(tmp_path / "a.xlsx", lines, ["投资额", "外资额"], [5, 100])
    shown = "\n".join(i.text for i in run(db, path, dry_run=True).inferences)
    assert "用作D列「投资额」的金额单位（亿元）" in shown, shown
    assert "用作E列「外资额」的金额单位（万美元）" in shown, shown
    assert "工作表「填表说明」第" in shown
    run(db, path)
    assert amounts(db) == (50000.0, 100.0)


def test_a_named_unit_for_money_the_sheet_lacks_changes_nothing(db: Database, tmp_path: Path) -> None:
    lines = ["1. 金额单位：亿元", "2. 到位资金单位：万元"]
    path = workbook(tmp_path / "b.xlsx", lines, ["投资额", "外资额（万美元）"], [5, 7])
    run(db, path)
    assert amounts(db) == (50000.0, 7.0)


@pytest.mark.parametrize("line", ["单位：亿元、万美元", "金额单位：亿元，万美元", "1. 金额单位：万元或亿元"])
def test_units_named_for_no_money_are_refused(db: Database, tmp_path: Path, line: str) -> None:
    path = workbook(tmp_path / "c.xlsx", [line], ["投资额", "外资额"], [5, 100])
    with pytest.raises(ZsError) as refused:
        run(db, path)
    said = str(refused.value)
    assert "填表说明里写了不止一个金额单位" in said and "请在各金额列的表头写明单位" in said
    assert db.query("SELECT count(*) FROM items")[0][0] == 0


def test_a_named_unit_against_the_columns_own_is_refused(db: Database, tmp_path: Path) -> None:
    path = workbook(tmp_path / "d.xlsx", ["1. 外资额单位：美元"], ["投资额（亿元）", "外资额（万美元）"], [5, 100])
    with pytest.raises(ZsError) as refused:
        run(db, path)
    assert "矛盾" in str(refused.value) and "E列「外资额（万美元）」" in str(refused.value)


_SUBJECTS = {"外资额": "外资额", "外资": "外资", "投资额": "投资额", "到位资金": "到位资金", "利用外资": "利用外资"}
_UNITS = ["亿元", "万元", "元", "万美元", "亿美元", "美元"]
_SEPS = ["；", "，", ";", "。", " "]


@settings(max_examples=200, deadline=None)
@given(
    general=st.sampled_from(_UNITS),
    named=st.lists(st.tuples(st.sampled_from(sorted(_SUBJECTS)), st.sampled_from(_UNITS)), max_size=3),
    sep=st.sampled_from(_SEPS),
    lead=st.sampled_from(["", "1. ", "二、", "注："]),
    verb=st.sampled_from(["：", ":", "为", "是"]),
)
def test_a_line_of_units_is_read_each_for_its_money(
    general: str, named: list[tuple[str, str]], sep: str, lead: str, verb: str
) -> None:
    line = lead + f"金额单位{verb}{general}" + "".join(f"{sep}{s}单位{verb}{u}" for s, u in named)
    assert unit_statements(line) == [("", general), *[(_SUBJECTS[s], u) for s, u in named]]
    (said, *_rest) = instructions_money_unit("填表说明", [["填表说明"], [line]])
    assert said.row == 2 and said.source == f"工作表「填表说明」第2行的「{line.strip()}」"


@settings(max_examples=200, deadline=None)
@given(
    units=st.lists(st.sampled_from(_UNITS), min_size=2, max_size=3),
    joiner=st.sampled_from(["、", "，", "或", "/", "和"]),
)
def test_units_without_their_money_are_all_for_all(units: list[str], joiner: str) -> None:
    """「单位：亿元、万美元」: no unit is said for any one money — each is for all (refused)."""
    got = unit_statements("单位：" + joiner.join(units))
    assert [s for s, _ in got] == [""] * len(units)
    assert sorted(u for _, u in got) == sorted(units)


def test_an_example_in_quotes_states_no_unit() -> None:
    """Our own template's 填写说明 line: 「如「投资额（亿元）」」 is an example, not a third unit."""
    from zhaoshang.exchange.template import GENERAL

    (line,) = [x for x in GENERAL if "金额默认单位" in x]
    assert unit_statements(line) == [("", "万元"), ("外资", "万美元")]
    assert unit_statements("可直接写「3.56亿」，或在表头注明单位，如「投资额（亿元）」") == []

"""What an import infers rather than reads is an :class:`Inference` — rule, sheet, column, value,
evidence and the rows it was used for — in the report (``inferences``, JSON included) and on the
terminal under its own heading; a guess that could be wrong (a move dated the day of import) is
refused unless the user gives the value."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import Cli, dump
from exchange_util import import_sheet, make_city, open_city, write_xlsx
from hypothesis import given, settings
from hypothesis import strategies as st

from zhaoshang.db import Database
from zhaoshang.errors import ZsError
from zhaoshang.exchange.inference import Inference, Inferences, Rule, Scope
from zhaoshang.hints import option


@pytest.fixture
def city(db_path: Path) -> Iterator[Database]:
    yield from open_city(db_path)


def _import(db: Database, path: Path, **opts: Any) -> Any:
    return import_sheet(db, path, **opts)


def _one(report: Any, rule: Rule) -> Inference:
    found = [i for i in report.inferences if i.rule == rule]
    assert len(found) == 1, (rule, report.inferences)
    return found[0]


def test_a_merged_chain_is_an_inference_for_the_rows_it_covers(city: Database, tmp_path: Path) -> None:
    rows = [
        ["项目名称", "产业链", "投资额（万元）"],
        ["甲项目", "有色金属", 100],
        ["乙项目", None, 200],
        ["丙项目", None, 300],
        ["丁项目", "大豆加工", 400],
    ]
    report = _import(city, write_xlsx(tmp_path / "m.xlsx", {"招什么": rows}, merges={"招什么": ["B2:B4"]}))
    inf = _one(report, Rule.merged_cell)
    assert (inf.value, inf.evidence, inf.rows) == ("有色金属", "合并单元格 B2:B4", [3, 4])
    assert inf.column == "B列「产业链」" and inf.scope is Scope.rows and inf.confirmed_by is None
    assert report.as_dict()["inferences"][0]["rows"] == [[3, 4]]


def test_a_heading_chain_is_listed_for_exactly_the_rows_that_took_it(city: Database, tmp_path: Path) -> None:
    rows = [
        ["序号", "项目名称", "产业链", "投资额（万元）"],
        ["一、有色金属产业链（2个）", None, None, None],
        [1, "甲项目", None, 100],
        [2, "乙项目", "有色金属", 200],
        ["二、大豆加工产业链", None, None, None],
        [3, "丙项目", None, 300],
    ]
    report = _import(city, write_xlsx(tmp_path / "h.xlsx", {"招什么": rows}))
    got = {i.value: i.rows for i in report.inferences if i.rule == Rule.group_heading}
    assert got == {"有色金属": [3], "大豆加工": [6]}  # row 4 wrote its own chain: read, not inferred


def test_the_report_period_dates_moves_and_is_listed_per_row(city: Database, tmp_path: Path) -> None:
    rows = [
        ["爱辉区2026年10月重点招商项目推进情况表", None, None],
        ["项目名称", "产业链", "状态"],
        ["甲项目", "有色金属", "在谈"],
        ["乙项目", "有色金属", "线索"],
    ]
    report = _import(city, write_xlsx(tmp_path / "p.xlsx", {"招什么": rows}), today=dt.date(2026, 11, 20))
    inf = _one(report, Rule.report_period)
    assert inf.value == "2026-10-31" and "2026年10月" in inf.evidence and inf.rows == [3, 4]
    assert report.move_dates == {"report_period": 1}
    assert report.as_dict()["move_dates"] == {"report_period": 1}  # ASCII keys


def test_a_move_nothing_dates_is_refused_until_the_user_gives_the_date(city: Database, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "n.xlsx", {"招什么": [["项目名称", "产业链", "状态"], ["甲项目", "有色金属", "在谈"]]})
    before = dump(city.path)
    with pytest.raises(ZsError) as exc:
        _import(city, path, today=dt.date(2026, 11, 20))
    said = "\n".join(exc.value.details)
    assert (
        "「招什么」第2行 C列「状态」 值「在谈」" in said and "导入当天 2026-11-20" in said and option("as_of") in said
    )
    assert dump(city.path) == before
    report = _import(city, path, today=dt.date(2026, 11, 20), as_of=dt.date(2026, 10, 31))
    inf = _one(report, Rule.as_of)
    assert (inf.value, inf.confirmed_by, inf.rows) == ("2026-10-31", option("as_of"), [2])
    sql = "SELECT to_status, date FROM status_log WHERE item_id = (SELECT id FROM items WHERE title = '甲项目')"
    assert [tuple(r) for r in city.conn.execute(sql + " ORDER BY id")] == [
        ("线索", "2026-10-31"),
        ("在谈", "2026-10-31"),
    ]


def test_an_entry_dated_the_import_day_is_listed(city: Database, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "e.xlsx", {"招什么": [["项目名称", "产业链"], ["甲项目", "有色金属"]]})
    report = _import(city, path, today=dt.date(2026, 11, 20))
    inf = _one(report, Rule.import_day)
    assert inf.value == "2026-11-20" and inf.rows == [2]


def test_a_number_in_a_date_column_read_as_a_serial_is_listed(city: Database, tmp_path: Path) -> None:
    rows = [["项目名称", "产业链", "状态", "签约日期"], ["甲项目", "有色金属", "已签约", 46000]]
    report = _import(city, write_xlsx(tmp_path / "s.xlsx", {"招什么": rows}), today=dt.date(2026, 11, 20))
    inf = _one(report, Rule.date_serial)
    assert inf.value == "2025-12-09" and inf.evidence == "数字「46000」" and inf.rows == [2]


def test_the_terminal_and_json_show_them(cli: Cli, tmp_path: Path, db_path: Path) -> None:
    make_city(db_path)
    rows = [["项目名称", "产业链"], ["甲项目", "有色金属"], ["乙项目", None]]
    path = write_xlsx(tmp_path / "t.xlsx", {"招什么": rows}, merges={"招什么": ["B2:B3"]})
    r = cli("import", str(path), "--dry-run", ok=True)
    assert "推断（不是各行自己写明的，请核对）：" in r.stderr
    assert "[合并单元格] 「招什么」第3行：B列「产业链」的合并单元格 B2:B3：「有色金属」也用于第3行" in r.stderr
    data = json.loads(cli("import", str(path), "--dry-run", "-f", "json", ok=True).stdout)
    merged = next(i for i in data["inferences"] if i["rule"] == "merged_cell")
    assert merged == {
        "rule": "merged_cell",
        "scope": "rows",
        "sheet": "招什么",
        "column": "B列「产业链」",
        "value": "有色金属",
        "evidence": "合并单元格 B2:B3",
        "rows": [[3, 3]],
        "confirmed_by": None,
        "text": "B列「产业链」的合并单元格 B2:B3：「有色金属」也用于第3行",
    }


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(1, 200), max_size=60))
def test_rows_are_kept_as_runs_whatever_the_order(rows: list[int]) -> None:
    inf = Inferences()
    made = inf.prepare(Rule.report_period, "表", "2026-10-31", "标题", "…")
    for r in rows:
        inf.use(made, r)
    listed = inf.all()
    assert (listed == [made]) == bool(rows)  # listed once used, never before
    assert made.rows == sorted(set(rows))
    for r in set(rows):
        assert made in inf.of_row("表", r)
    if rows == sorted(rows) and rows == list(range(rows[0], rows[0] + len(rows))) if rows else False:
        assert len(made.runs) == 1  # rows in order are one run: flat at a million rows

"""Issue 25: a county's 到位资金 (or 对接记录) sheet names its projects by name, never by our 编号.

Such a row is matched to the one item of exactly its name (normalised), of the sheet's unit when
the sheet names one — listed as an inference — or refused naming what was found: two items of
the name, a name only alike (「…有限公司…项目」), an item of another unit, none.  Without a 月份
column the month is the one the title reports on; a title of several months (「1—10月」, sums no
month can be split from) is refused."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from exchange_util import write_xlsx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zhaoshang import items, lookups
from zhaoshang.db import Database
from zhaoshang.definitions import load
from zhaoshang.errors import ZsError
from zhaoshang.exchange.importer import ImportOptions, ImportReport, import_file
from zhaoshang.exchange.inference import Rule
from zhaoshang.exchange.matching import LOOSE_WORDS

TODAY = dt.date(2026, 11, 20)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    d = Database.open(tmp_path / "city.db", load())
    with d.command("setup", user="测试员"):
        lookups.create(d, lookups.CHAIN, "新能源", {})
        lookups.create(d, lookups.CHAIN, "绿色矿业", {})
        lookups.create(d, lookups.UNIT, "孙吴县", {"type": "区县"})
        lookups.create(d, lookups.UNIT, "逊克县", {"type": "区县"})
        for title, chain, unit in [
            ("氢能产业园项目", "新能源", "孙吴县"),
            ("标准化厂房项目", "新能源", "孙吴县"),
            ("标准化厂房项目", "绿色矿业", "逊克县"),
            ("钼矿深加工项目", "绿色矿业", "逊克县"),
        ]:
            items.add(
                d,
                "招什么",
                title,
                chain=chain,
                values={"责任单位": unit, "状态": "已签约"},
                on="2026-03-01",
                force=True,
            )
    try:
        yield d
    finally:
        d.close()


def run(db: Database, path: Path, **opts: Any) -> ImportReport | ZsError:
    opts.setdefault("today", TODAY)
    try:
        return import_file(db, path, ImportOptions(**opts), user="测试员")
    except ZsError as exc:
        return exc


def funds(db: Database) -> list[tuple[str, str, float]]:
    rows = db.query("SELECT i.title, u.name, f.month, f.domestic FROM funds f JOIN items i ON i.id = f.item_id "
                    "LEFT JOIN units u ON u.id = i.unit_id ORDER BY f.id")  # fmt: skip
    return [(f"{r[0]}@{r[1]}", r[2], float(r[3])) for r in rows]


def sheet(tmp: Path, title: str, rows: list[list[Any]], header: list[str] | None = None, name: str = "f") -> Path:
    header = header or ["序号", "项目名称", "本月到位资金（万元）"]
    return write_xlsx(tmp / f"{name}.xlsx", {"到位资金": [[title], header, *rows]})


def test_a_name_and_the_title_month_give_the_item_and_month(db: Database, tmp_path: Path) -> None:
    path = sheet(
        tmp_path, "孙吴县2026年10月项目资金到位情况表", [[1, "氢能产业园项目", 300], [2, "标准化厂房项目", 50]]
    )
    got = run(db, path)
    assert isinstance(got, ImportReport), got
    # 标准化厂房项目: one of 孙吴县 and one of 逊克县 — the title's unit tells which
    assert funds(db) == [("氢能产业园项目@孙吴县", "2026-10", 300.0), ("标准化厂房项目@孙吴县", "2026-10", 50.0)]
    rules = {i.rule for i in got.inferences}
    assert {Rule.item_by_name, Rule.report_period} <= rules
    by_name = [i for i in got.inferences if i.rule is Rule.item_by_name]
    assert sorted(r for i in by_name for r in i.rows) == [3, 4]
    assert "按名称「氢能产业园项目」对应编号" in by_name[0].text
    # sent again: the same figures, nothing added
    again = run(db, path)
    assert isinstance(again, ImportReport) and len(funds(db)) == 2


def test_a_name_of_another_units_project_is_refused(db: Database, tmp_path: Path) -> None:
    before = funds(db)
    got = run(db, sheet(tmp_path, "孙吴县2026年10月项目资金到位情况表", [[1, "钼矿深加工项目", 300]]))
    assert isinstance(got, ZsError)
    text = "\n".join(p.text() for p in got.problems) if hasattr(got, "problems") else str(got)
    assert "逊克县" in text and "孙吴县" in text and "条目编号" in text
    assert funds(db) == before


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("标准化厂房项目", "有 2 个条目叫这个名字"),  # no unit on the sheet: which one cannot be told
        ("氢能产业园有限公司项目", "名称相近的有"),
        ("氫能產業園項目", None),  # traditional script: the same name
        ("氢能 产业园（项目）", None),
        ("光伏电站项目", "没有叫这个名字的条目"),
    ],
)
def test_only_the_one_item_of_exactly_the_name_is_taken(
    db: Database, tmp_path: Path, name: str, why: str | None
) -> None:
    got = run(db, sheet(tmp_path, "2026年10月项目资金到位情况表", [[1, name, 300]]))
    if why is None:
        assert isinstance(got, ImportReport), got
        assert funds(db) == [("氢能产业园项目@孙吴县", "2026-10", 300.0)]
        return
    assert isinstance(got, ZsError)
    assert why in str(got) + "".join(str(p) for p in getattr(got, "problems", []))
    assert funds(db) == []


def test_a_chain_column_picks_among_items_of_the_name(db: Database, tmp_path: Path) -> None:
    path = sheet(
        tmp_path, "2026年10月项目资金到位情况表", [[1, "标准化厂房项目", "绿色矿业", 80]],
        header=["序号", "项目名称", "产业链", "到位资金（万元）"],
    )  # fmt: skip
    got = run(db, path)
    assert isinstance(got, ImportReport), got
    assert funds(db) == [("标准化厂房项目@逊克县", "2026-10", 80.0)]


@pytest.mark.parametrize(
    "title", ["孙吴县2026年1—10月项目资金到位情况表", "2026年第三季度到位资金", "2026年上半年到位资金"]
)
def test_a_title_of_several_months_without_a_month_column_is_refused(db: Database, tmp_path: Path, title: str) -> None:
    got = run(db, sheet(tmp_path, title, [[1, "氢能产业园项目", 300]]))
    assert isinstance(got, ZsError)
    assert "「月份」" in str(got) + "".join(str(p) for p in getattr(got, "problems", []))
    assert funds(db) == []


def test_a_month_column_is_read_over_the_title(db: Database, tmp_path: Path) -> None:
    path = sheet(
        tmp_path, "孙吴县2026年1—10月项目资金到位情况表", [[1, "氢能产业园项目", "2026-09", 300]],
        header=["序号", "项目名称", "月份", "到位资金（万元）"],
    )  # fmt: skip
    got = run(db, path)
    assert isinstance(got, ImportReport), got
    assert funds(db) == [("氢能产业园项目@孙吴县", "2026-09", 300.0)]


def test_a_project_of_the_same_workbook_is_found(db: Database, tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "two.xlsx",
        {
            "招什么": [
                ["孙吴县2026年10月招商引资项目推进情况表"],
                ["序号", "项目名称", "产业链", "投资额（万元）", "状态", "签约日期"],
                [1, "寒地测试场二期项目", "新能源", 5000, "已签约", "2026-10-08"],
            ],
            "到位资金": [["孙吴县2026年10月项目资金到位情况表"], ["序号", "项目名称", "本月到位资金（万元）"],
                      [1, "寒地测试场二期项目", 300]],
        },
    )  # fmt: skip
    got = run(db, path)
    assert isinstance(got, ImportReport), got
    assert funds(db) == [("寒地测试场二期项目@孙吴县", "2026-10", 300.0)]


def test_an_activity_sheet_by_name(db: Database, tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "a.xlsx",
        {
            "对接记录": [
                ["逊克县2026年10月项目对接情况"],
                ["项目名称", "日期", "内容"],
                ["钼矿深加工项目", "2026-10-12", "赴企业洽谈"],
            ]
        },
    )
    got = run(db, path)
    assert isinstance(got, ImportReport), got
    rows = db.query("SELECT i.title, a.date, a.summary FROM activities a JOIN items i ON i.id = a.item_id")
    assert [tuple(r) for r in rows] == [("钼矿深加工项目", "2026-10-12", "赴企业洽谈")]


# ---------------------------------------------------------------------------------------
# generated: a name with words added or dropped anywhere is never taken for an item

_names = st.sampled_from(["氢能产业园项目", "钼矿深加工项目"])


@st.composite
def altered(draw: st.DrawFn) -> tuple[str, str]:
    base = draw(_names)
    stem = base.removesuffix("项目")
    word = draw(st.sampled_from([*LOOSE_WORDS, "二期", "一期", "扩建", "孙吴", "（续建）"]))
    at = draw(st.integers(0, len(stem)))
    return base, stem[:at] + word + stem[at:] + draw(st.sampled_from(["项目", "", "工程"]))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(altered())
def test_an_altered_name_is_never_taken(db: Database, tmp_path: Path, names: tuple[str, str]) -> None:
    from zhaoshang.parse import normalize_name

    _base, name = names
    with db.command("clear", user="测试员"):
        db.conn.execute("DELETE FROM funds")
    got = run(db, sheet(tmp_path, "2026年10月项目资金到位情况表", [[1, name, 300]]))
    stored = funds(db)
    if isinstance(got, ZsError):
        assert stored == []
        return
    # taken: only when the name is the item's own once normalised
    assert len(stored) == 1 and normalize_name(stored[0][0].split("@")[0]) == normalize_name(name)


@pytest.mark.parametrize(
    ("title", "pending"),
    [
        ("孙吴县2026年10月项目资金到位情况表", 1),  # a ranked county's report: waits for 认定
        ("2026年10月项目资金到位情况表", 0),  # no unit: the office's own sheet
    ],
)
def test_a_funds_sheet_titled_by_a_county_waits_for_review(
    db: Database, tmp_path: Path, title: str, pending: int
) -> None:
    got = run(db, sheet(tmp_path, title, [[1, "氢能产业园项目", 300]]))
    assert isinstance(got, ImportReport), got
    assert got.pending_funds == pending
    assert funds(db) == [("氢能产业园项目@孙吴县", "2026-10", 300.0)]
    if pending:
        off = run(db, sheet(tmp_path, title, [[1, "氢能产业园项目", 310]], name="g"), review=False)
        assert isinstance(off, ImportReport) and off.pending_funds == 0

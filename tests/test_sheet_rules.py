"""The sheet rules (:mod:`zhaoshang.exchange.sheet_rules`) on in-memory tables: each returns its
value with the inference that says where it came from — no file, no database."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhaoshang.definitions import load
from zhaoshang.errors import ZsError
from zhaoshang.exchange import columns, sheet_rules
from zhaoshang.exchange.inference import DateSource, Rule
from zhaoshang.exchange.readers import RawSheet
from zhaoshang.exchange.tables import Table, find_table

DEFS = load()
KNOWN = columns.known_labels(DEFS, list(DEFS.kinds), [], {})
TODAY = dt.date(2026, 11, 20)


def _table(*above: list[Any]) -> Table:
    grid = [*above, ["项目名称", "产业链", "状态"], ["甲项目", "有色金属", "在谈"]]
    return find_table(RawSheet("表", grid), KNOWN)


def _opt(name: str) -> str:
    return "--" + name.replace("_", "-")


def _date(table: Table, as_of: dt.date | None = None) -> sheet_rules.MoveDate:
    return sheet_rules.move_date("表", table, as_of=as_of, today=TODAY, option=_opt)


def test_as_of_wins_and_is_confirmed_by_the_user() -> None:
    got = _date(_table(["爱辉区2026年10月项目表"]), as_of=dt.date(2026, 9, 30))
    assert (got.date, got.source) == ("2026-09-30", DateSource.as_of)
    assert got.inference.rule is Rule.as_of and got.inference.confirmed_by == "--as-of"


def test_the_title_period_beats_the_filing_day_unless_filed_inside_it() -> None:
    got = _date(_table(["爱辉区2026年10月项目表"], ["填报日期：2026年11月4日"]))
    assert (got.date, got.source, got.filed) == ("2026-10-31", DateSource.report_period, "2026-11-04")
    assert got.inference.evidence == "标题中的报告期「2026年10月」" and got.inference.confirmed_by is None
    inside = _date(_table(["爱辉区2026年10月项目表"], ["填报日期：2026年10月25日"]))
    assert inside.date == "2026-10-25"  # nothing reported can be after the day it was filled in


def test_a_quarter_and_a_range_of_months() -> None:
    assert _date(_table(["2026年第三季度重点项目"])).date == "2026-09-30"
    assert _date(_table(["2026年1—10月重点项目进展"])).date == "2026-10-31"


def test_a_period_not_yet_begun_is_refused() -> None:
    with pytest.raises(ZsError, match="还没有到"):
        _date(_table(["2027年3月项目表"]))


def test_a_filing_day_without_a_period_then_the_import_day() -> None:
    got = _date(_table(["報送時間：2026年11月4日"]))  # traditional, as an .ods from 台账 may be
    assert (got.date, got.source) == ("2026-11-04", DateSource.filing_date)
    assert "報送時間" in got.inference.evidence
    none = _date(_table())
    assert (none.date, none.source, none.inference.rule) == ("2026-11-20", DateSource.import_day, Rule.import_day)


def test_a_filing_day_that_is_no_date_is_refused_with_its_words() -> None:
    with pytest.raises(ZsError, match="填报日期「下周一」不是日期"):
        _date(_table(["填报日期：下周一"]))


def test_the_reporting_unit_is_the_unit_whose_office_the_line_names() -> None:
    units = {1: "爱辉区", 2: "北安市"}
    got = sheet_rules.reporting_unit("表", _table(["填报单位：爱辉区商务局（盖章）"]), units)
    assert got is not None and got.name == "爱辉区"
    assert got.inference.rule is Rule.reporting_unit and "爱辉区商务局" in got.inference.evidence
    assert sheet_rules.reporting_unit("表", _table(["爱辉区项目表"]), units) is None


CHAINS = {1: "新能源", 2: "新能源汽车", 3: "有色金属", 4: "绿色食品"}


@pytest.mark.parametrize(
    ("heading", "chain"),
    [
        ("一、新能源汽车产业链（3个）", 2),  # the longest name it holds
        ("二、新能源产业链", 1),
        ("（三）有色金属", 3),
        ("四、续建项目", None),
    ],
)
def test_a_heading_names_its_chain(heading: str, chain: int | None) -> None:
    got = sheet_rules.heading_chain(heading, CHAINS)
    assert (got[0] if got else None) == chain


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(sorted(CHAINS.values())), st.text(alphabet="一二三、（）产业链项目个0123", max_size=6))
def test_a_heading_never_names_a_chain_it_does_not_contain(name: str, noise: str) -> None:
    got = sheet_rules.heading_chain(noise + name + noise, CHAINS)
    assert got is not None and got[1] in noise + name + noise
    assert len(got[1]) >= len(name)  # never a shorter name inside the one written

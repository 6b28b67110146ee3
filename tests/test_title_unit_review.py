"""Issue 25 (h25h): whose report a sheet is.  A title that begins with a ranked county's name
(「爱辉区2026年10月…」) makes the sheet that county's report — it waits for 认定 like a sheet with a
填报单位 line; a title naming a department or no unit leaves it the office's own.  A title naming
one unit and a 填报单位 line naming another is refused naming both (unless a 招商主体 column gives
each row its unit)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from exchange_util import write_xlsx

HEADER = ["序号", "项目名称", "产业链", "投资额（万元）", "状态", "签约日期"]
ROW = [1, "榛子加工项目", "对俄跨境物流", 5000, "已签约", "2026-10-12"]


@pytest.fixture
def city(cli: Any) -> Any:
    cli("init", ok=True)
    cli("chain", "add", "对俄跨境物流", ok=True)
    cli("unit", "add", "爱辉区", "类型=区县", ok=True)
    cli("unit", "add", "孙吴县", "类型=区县", ok=True)
    cli("unit", "add", "市发改委", "类型=部门", "参加排名=否", ok=True)
    return cli


def signed(cli: Any, unit: str) -> int:
    data = json.loads(cli("report", "monthly", "-m", "2026-10", "-f", "json", ok=True).stdout)
    return int(next(u for u in data["units"] if u["name"] == unit)["period"]["signed"] or 0)


def pending(cli: Any) -> int:
    return len(json.loads(cli("review", "-f", "json", ok=True).stdout))


@pytest.mark.parametrize("title", ["爱辉区2026年10月招商引资项目推进情况表", "爱辉区10月签约项目", "爱辉区 招商项目表"])
def test_a_title_naming_a_county_waits_for_review(city: Any, tmp_path: Path, title: str) -> None:
    path = write_xlsx(tmp_path / "t.xlsx", {"招什么": [[title], HEADER, ROW]})
    result = city("import", str(path), ok=True)
    assert "爱辉区填报的表，要经认定" in result.stdout + result.stderr
    assert signed(city, "爱辉区") == 0 and pending(city) > 0
    city("review", "confirm", "--all", ok=True)
    assert signed(city, "爱辉区") == 1


@pytest.mark.parametrize("title", ["市发改委2026年10月招商项目表", "2026年10月招商引资项目推进情况表"])
def test_a_title_naming_no_county_is_the_offices_own(city: Any, tmp_path: Path, title: str) -> None:
    header, row = [*HEADER, "责任单位"], [*ROW, "爱辉区"]
    path = write_xlsx(tmp_path / "t.xlsx", {"招什么": [[title], header, row]})
    city("import", str(path), ok=True)
    assert (signed(city, "爱辉区"), pending(city)) == (1, 0)


@pytest.mark.parametrize(
    ("title", "line"),
    [
        ("爱辉区2026年10月招商引资项目推进情况表", "填报单位：孙吴县商务局"),
        ("孙吴县2026年10月签约项目", "报送单位：爱辉区商务局　报送时间：2026年11月4日"),
        ("爱辉区2026年10月招商引资项目推进情况表", "填报单位：市发改委"),
    ],
)
def test_a_title_and_a_line_naming_two_units_are_refused(city: Any, tmp_path: Path, title: str, line: str) -> None:
    path = write_xlsx(tmp_path / "t.xlsx", {"招什么": [[title], [line], HEADER, ROW]})
    result = city("import", str(path))
    assert result.exit_code == 1, result.stdout
    said = result.stderr
    assert "分不清是谁的数据" in said and "招商主体" in said, said
    assert json.loads(city("list", "招什么", "-f", "json", ok=True).stdout) == []


def test_a_unit_column_settles_it(city: Any, tmp_path: Path) -> None:
    header, row = [*HEADER, "招商主体"], [*ROW, "孙吴县"]
    path = write_xlsx(
        tmp_path / "t.xlsx",
        {"招什么": [["爱辉区2026年10月招商引资项目推进情况表"], ["填报单位：孙吴县商务局"], header, row]},
    )
    city("import", str(path), ok=True)
    (got,) = json.loads(city("list", "招什么", "-f", "json", ok=True).stdout)
    assert got["unit"] == "孙吴县"


def test_a_title_and_a_line_of_one_unit_agree(city: Any, tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "t.xlsx",
        {"招什么": [["爱辉区2026年10月招商引资项目推进情况表"], ["填报单位：爱辉区商务局"], HEADER, ROW]},
    )
    city("import", str(path), ok=True)
    assert pending(city) > 0

"""Issue 25 (h25h): a sheet's row never updates, merges into or takes over a same-named project
of ANOTHER unit under --on-duplicate update — its figures would change counties in the
ranking.  The row is refused naming both units (a fix: --on-duplicate new for two projects of
one generic name, or correct the row); the duplicate list says the match is another unit's."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from exchange_util import write_xlsx

HEADER = ["序号", "项目名称", "产业链", "责任单位", "投资额（万元）", "状态", "签约日期"]


@pytest.fixture
def two(cli: Any) -> Any:
    cli("init", ok=True)
    cli("chain", "add", "绿色矿业", ok=True)
    cli("unit", "add", "爱辉区", "类型=区县", ok=True)
    cli("unit", "add", "孙吴县", "类型=区县", ok=True)
    cli("unit", "add", "市发改委", "类型=部门", "参加排名=否", ok=True)
    cli(
        "add", "招什么", "标准化厂房项目", "--chain", "绿色矿业", "责任单位=孙吴县", "投资额=1亿",
        "--date", "2026-03-18", ok=True,
    )  # fmt: skip
    return cli


def item(cli: Any, item_id: int = 1) -> dict[str, Any]:
    return dict(json.loads(cli("show", str(item_id), "-f", "json", ok=True).stdout))


def items(cli: Any) -> list[dict[str, Any]]:
    return list(json.loads(cli("list", "招什么", "-f", "json", ok=True).stdout))


def sheet(path: Path, *, above: list[list[Any]], unit: str | None, name: str = "标准化厂房项目") -> Path:
    header = HEADER if unit is not None else [h for h in HEADER if h != "责任单位"]
    row: list[Any] = [1, name, "绿色矿业", unit, 20000, "已签约", "2026-10-13"]
    if unit is None:
        del row[3]
    return write_xlsx(path, {"招什么": [*above, header, row]})


# the ways a sheet says whose row it is: its 责任单位 column, its 填报单位 line, its title
WHOSE = {
    "unit_column": ([], "爱辉区"),
    "reporting_line": ([["填报单位：爱辉区商务局"]], None),
    "title": ([["爱辉区2026年10月招商引资项目推进情况表"]], None),
    "line_and_column": ([["填报单位：爱辉区商务局"]], "爱辉区"),
    "county_sheet_names_the_other_county": ([["填报单位：爱辉区商务局"]], "孙吴县"),
}


@pytest.mark.parametrize("whose", list(WHOSE))
@pytest.mark.parametrize("name", ["标准化厂房项目", "标准化厂房"], ids=["exact", "alike"])
def test_an_update_never_moves_another_units_project(two: Any, tmp_path: Path, whose: str, name: str) -> None:
    above, unit = WHOSE[whose]
    before = item(two)
    result = two(
        "import", str(sheet(tmp_path / "a.xlsx", above=above, unit=unit, name=name)), "--on-duplicate", "update"
    )
    assert result.exit_code == 1, result.stdout
    said = result.stdout + result.stderr
    assert "孙吴县" in said and "爱辉区" in said and "--on-duplicate new" in said, said
    assert item(two) == before
    assert len(items(two)) == 1


def test_two_projects_of_one_generic_name_are_kept_apart_with_new(two: Any, tmp_path: Path) -> None:
    path = sheet(tmp_path / "a.xlsx", above=[["填报单位：爱辉区商务局"]], unit=None)
    two("import", str(path), "--on-duplicate", "new", "--no-review", ok=True)
    units = sorted(i["unit"] for i in items(two))
    assert units == ["孙吴县", "爱辉区"]
    assert item(two)["unit"] == "孙吴县"


def test_the_duplicate_list_says_the_match_is_another_units(two: Any, tmp_path: Path) -> None:
    result = two("import", str(sheet(tmp_path / "a.xlsx", above=[], unit="爱辉区")))
    said = result.stdout + result.stderr
    assert "单位却不同" in said and "孙吴县" in said, said
    assert len(items(two)) == 1


def test_the_same_units_project_is_still_updated(two: Any, tmp_path: Path) -> None:
    path = sheet(tmp_path / "a.xlsx", above=[["填报单位：孙吴县商务局"]], unit="孙吴县")
    two("import", str(path), "--on-duplicate", "update", "--no-review", ok=True)
    got = item(two)
    assert (got["unit"], len(items(two))) == ("孙吴县", 1)
    assert got["status"] == "已签约"


def test_a_departments_sheet_may_update_a_countys_project_it_names(two: Any, tmp_path: Path) -> None:
    """A city department's sheet lists the counties' projects with their 责任单位: not a contradiction."""
    path = sheet(tmp_path / "a.xlsx", above=[["填报单位：市发改委"]], unit="孙吴县")
    two("import", str(path), "--on-duplicate", "update", "--no-review", ok=True)
    assert (item(two)["unit"], item(two)["status"]) == ("孙吴县", "已签约")


def test_two_rows_of_one_file_of_two_units_are_not_merged(two: Any, tmp_path: Path) -> None:
    rows = [
        [1, "物流仓储项目", "绿色矿业", "爱辉区", 20000, "已签约", "2026-10-13"],
        [2, "物流仓储项目", "绿色矿业", "孙吴县", 10000, "已签约", "2026-10-11"],
    ]
    path = write_xlsx(tmp_path / "a.xlsx", {"招什么": [HEADER, *rows]})
    result = two("import", str(path), "--on-duplicate", "update")
    assert result.exit_code == 1, result.stdout
    assert "物流仓储项目" not in [i["title"] for i in items(two)]

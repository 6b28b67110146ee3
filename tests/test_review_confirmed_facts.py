"""报送 → 认定 of a fact already confirmed (issue 25): a unit's change of a month of 到位资金, a
stage date or a stage that already counts never takes the confirmed fact out of the figures
before 认定; a return leaves it as it was; 认定 replaces it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import test_fresh_sheets_5 as fresh
from exchange_util import write_xlsx
from test_fresh_sheets_5 import MONTH, unit_figure

city = fresh.city  # the fixture: two counties, 编号 1 signed with 1000 万元 counted in October

HEADER = ["条目编号", "项目名称", "月份", "国内资金（万元）", "外资（万美元）"]


def figures(cli: Any, *extra: str) -> tuple[float, float]:
    return (
        unit_figure(cli, "爱辉区", "funds_domestic", *extra),
        unit_figure(cli, "爱辉区", "funds_foreign", *extra),
    )


def submit(cli: Any, tmp_path: Path, name: str, cells: list[Any]) -> str:
    path = write_xlsx(tmp_path / name, {"到位资金": [HEADER, [1, "黑河跨境冷链物流园项目", MONTH, *cells]]})
    cli("import", str(path), "--review", ok=True)
    return str(json.loads(cli("review", "-f", "json", ok=True).stdout)[0]["ref"])


# (cells as the county's sheet gives them, the figures (国内, 外资) once confirmed)
CHANGES = [
    ([500, None], (500.0, 0.0)),
    ([None, 50], (1000.0, 50.0)),
    ([1200, 30], (1200.0, 30.0)),
    ([1000, 20], (1000.0, 20.0)),
]


@pytest.mark.parametrize(("cells", "confirmed"), CHANGES, ids=["domestic", "foreign_only", "both", "same_domestic"])
def test_a_pending_funds_change_counts_the_confirmed_figure_until_confirmed(
    city: Any, tmp_path: Path, cells: list[Any], confirmed: tuple[float, float]
) -> None:
    ref = submit(city, tmp_path, "a.xlsx", cells)
    assert figures(city) == (1000, 0)  # waiting: the confirmed month counts as it was
    assert figures(city, "--include-pending") == confirmed
    entry = json.loads(city("review", "-f", "json", ok=True).stdout)[0]
    assert entry["change"] == "到位资金更改" and "替换已认定的 国内 1000 万元" in entry["figure"]
    city("review", "confirm", ref, ok=True)
    assert figures(city) == confirmed


@pytest.mark.parametrize(("cells", "confirmed"), CHANGES, ids=["domestic", "foreign_only", "both", "same_domestic"])
def test_a_returned_funds_change_leaves_the_confirmed_figure_and_a_resubmission_replaces_it(
    city: Any, tmp_path: Path, cells: list[Any], confirmed: tuple[float, float]
) -> None:
    ref = submit(city, tmp_path, "a.xlsx", cells)
    city("review", "return", ref, "--reason", "金额不对", ok=True)
    assert figures(city) == (1000, 0)
    assert figures(city, "--include-pending") == (1000, 0)  # a returned change never counts
    ref = submit(city, tmp_path, "b.xlsx", [c + 1 if c is not None else None for c in cells])
    assert figures(city) == (1000, 0)  # resubmitted: still the confirmed figure while it waits
    city("review", "confirm", ref, ok=True)
    assert figures(city) == tuple(v + 1 if c is not None else v for v, c in zip(confirmed, cells, strict=True))


def test_undoing_a_confirmation_of_a_funds_change_brings_the_confirmed_figure_back(city: Any, tmp_path: Path) -> None:
    ref = submit(city, tmp_path, "a.xlsx", [500, None])
    city("review", "confirm", ref, ok=True)
    assert figures(city) == (500, 0)
    city("undo", "--yes", ok=True)
    assert figures(city) == (1000, 0)
    city("undo", "--yes", ok=True)  # the import itself
    assert figures(city) == (1000, 0)
    assert json.loads(city("review", "-f", "json", ok=True).stdout) == []


def test_a_new_month_of_funds_has_no_confirmed_figure_to_keep(city: Any, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "n.xlsx", {"到位资金": [HEADER, [1, "黑河跨境冷链物流园项目", "2026-09", 300, None]]})
    city("import", str(path), "--review", ok=True)
    assert unit_figure(city, "爱辉区", "funds_domestic", month="2026-09") == 0
    assert unit_figure(city, "爱辉区", "funds_domestic", "--include-pending", month="2026-09") == 300


def test_the_offices_own_change_under_review_keeps_the_confirmed_figure(city: Any) -> None:
    city("review", "own", "开", ok=True)
    city("fund", "1", "--month", MONTH, "--domestic", "700", ok=True)
    assert figures(city) == (1000, 0)
    ref = json.loads(city("review", "-f", "json", ok=True).stdout)[0]["ref"]
    city("review", "return", str(ref), "--reason", "核对", ok=True)
    assert figures(city) == (1000, 0)
    city("review", "confirm", str(ref), ok=True)
    assert figures(city) == (700, 0)


# ---------------------------------------------------------------------------------------
# a confirmed stage date corrected by a later sheet


def stage_sheet(path: Path, rows: list[list[Any]], *, month: int = 10) -> Path:
    return fresh.county_sheet(path, "爱辉区", rows, month=month)


def show(cli: Any, item: int) -> dict[str, Any]:
    return dict(json.loads(cli("show", str(item), "-f", "json", ok=True).stdout))


#: (the row's stage, its date column's index in the row, the report's key, the field)
STAGES = [("已签约", 5, "signed", "signed_date"), ("已开工", 6, "started", "started_date")]


def correction_case(cli: Any, tmp_path: Path, stage: str, at: int, first: str, second: str) -> int:
    """A project reaches ``stage`` on ``first`` by 爱辉区's sheet (confirmed: 编号 2 signs; 编号 1,
    已入统, starts), then a later sheet says ``second``.  Returns the project's 编号."""
    item = 2 if stage == "已签约" else 1
    title = "保税仓储项目" if item == 2 else "黑河跨境冷链物流园项目"
    row: list[Any] = [item, title, "对俄跨境物流", 20000 if item == 2 else 80000, stage, "2026-06-23", None]
    row[at] = first
    cli("import", str(stage_sheet(tmp_path / "a.xlsx", [row])), "--on-duplicate", "update", ok=True)
    cli("review", "confirm", "--all", ok=True)
    row[at] = second
    month = int(second[5:7])
    cli("import", str(stage_sheet(tmp_path / "b.xlsx", [row], month=month)), "--on-duplicate", "update", ok=True)
    return item


@pytest.mark.parametrize(("stage", "at", "key", "field"), STAGES, ids=["signing", "start"])
@pytest.mark.parametrize("second", ["2026-10-12", "2026-11-02"], ids=["same_month", "next_month"])
def test_a_corrected_stage_date_waits_and_a_return_restores_it(
    city: Any, tmp_path: Path, stage: str, at: int, key: str, field: str, second: str
) -> None:
    item = correction_case(city, tmp_path, stage, at, "2026-10-10", second)
    entries = json.loads(city("review", "-f", "json", ok=True).stdout)
    refs = [str(e["ref"]) for e in entries]
    entry = entries[0]
    assert entry["change"] == "日期更正" and f"「{stage}」日期 2026-10-10 → {second}" in entry["figure"]
    assert unit_figure(city, "爱辉区", key) == 1  # the confirmed date counts while it waits
    assert show(city, item)[field] == "2026-10-10"
    city("review", "return", *refs, "--reason", "日期不对", ok=True)
    assert unit_figure(city, "爱辉区", key) == 1
    assert (show(city, item)[field], show(city, item)["status"]) == ("2026-10-10", stage)
    returned = json.loads(city("review", "--returned", "-f", "json", ok=True).stdout)
    assert [e["change"] for e in returned] == ["日期更正"]


@pytest.mark.parametrize(("stage", "at", "key", "field"), STAGES, ids=["signing", "start"])
@pytest.mark.parametrize("second", ["2026-10-12", "2026-11-02"], ids=["same_month", "next_month"])
def test_a_confirmed_correction_moves_the_stage_date(
    city: Any, tmp_path: Path, stage: str, at: int, key: str, field: str, second: str
) -> None:
    item = correction_case(city, tmp_path, stage, at, "2026-10-10", second)
    city("review", "confirm", "--all", ok=True)
    october = 1 if second.startswith(MONTH) else 0
    assert unit_figure(city, "爱辉区", key) == october
    assert unit_figure(city, "爱辉区", key, month="2026-11") == 1 - october
    assert (show(city, item)[field], show(city, item)["status"]) == (second, stage)
    # the same sheet again changes nothing and asks for nothing
    city("import", str(tmp_path / "b.xlsx"), "--on-duplicate", "update", ok=True)
    assert json.loads(city("review", "-f", "json", ok=True).stdout) == []
    city("undo", "--yes", ok=True)  # (the import of nothing)
    city("undo", "--yes", ok=True)  # the confirmation
    assert unit_figure(city, "爱辉区", key) == 1 and show(city, item)[field] == "2026-10-10"


def test_a_closed_months_report_lists_what_a_correction_moved_out(city: Any, tmp_path: Path) -> None:
    assert correction_case(city, tmp_path, "已签约", 5, "2026-10-28", "2026-11-02") == 2
    city("review", "confirm", "--all", ok=True)
    october = json.loads(city("report", "monthly", "-m", MONTH, "-f", "json", ok=True).stdout)
    said = [e for e in october["review"]["late"] if e["item_id"] == 2]
    assert any("2026-10-28 → 2026-11-02" in e["figure"] and "2026-10 的数字因此减少" in e["figure"] for e in said)
    text = "".join(city("report", "monthly", "-m", MONTH, ok=True).stdout.split())
    assert "补认定：保税仓储项目（编号2，爱辉区）「已签约」日期2026-10-28→2026-11-02" in text


# ---------------------------------------------------------------------------------------
# a corrected sheet moving a project back: a misreport withdrawn, or a real 回退 — asked

#: (编号, the stage a first sheet reports (confirmed), its date column, the stage a corrected sheet
#: says, the figure that stage counts, the item's date field of it)
BACK = [
    (2, "已签约", 5, "在谈", "signed", "signed_date"),
    (1, "已开工", 6, "已入统", "started", "started_date"),
]


def back_case(cli: Any, tmp_path: Path, item: int, stage: str, at: int, back: str, *confirm: str) -> Any:
    title = "保税仓储项目" if item == 2 else "黑河跨境冷链物流园项目"
    row: list[Any] = [item, title, "对俄跨境物流", 20000, stage, "2026-06-23" if item == 1 else None, None]
    row[at] = "2026-10-15"
    cli("import", str(stage_sheet(tmp_path / "a.xlsx", [row])), "--on-duplicate", "update", ok=True)
    cli("review", "confirm", "--all", ok=True)
    row[4], row[at] = back, None
    path = stage_sheet(tmp_path / "b.xlsx", [row])
    return cli("import", str(path), "--on-duplicate", "update", *(x for c in confirm for x in ("--confirm", c)))


@pytest.mark.parametrize(("item", "stage", "at", "back", "key", "field"), BACK, ids=["signing", "start"])
def test_a_move_back_on_a_sheet_under_review_is_asked(
    city: Any, tmp_path: Path, item: int, stage: str, at: int, back: str, key: str, field: str
) -> None:
    from conftest import dump

    result = back_case(city, tmp_path, item, stage, at, back)
    before = dump(city.db)
    assert result.exit_code == 1
    said = "".join(result.stderr.split())
    assert "--confirmmisreport" in said and "--confirmbackward" in said and f"本表改为「{back}」" in said
    assert "「招什么」第4行" in said
    assert dump(city.db) == before and unit_figure(city, "爱辉区", key) == 1


@pytest.mark.parametrize(("item", "stage", "at", "back", "key", "field"), BACK, ids=["signing", "start"])
def test_a_misreport_withdraws_the_stage_from_every_month_once_confirmed(
    city: Any, tmp_path: Path, item: int, stage: str, at: int, back: str, key: str, field: str
) -> None:
    result = back_case(city, tmp_path, item, stage, at, back, "misreport")
    assert result.exit_code == 0 and "[误报或回退]" in result.stderr and "按误报撤回" in result.stderr
    assert unit_figure(city, "爱辉区", key) == 1  # waiting: the confirmed report still counts
    entries = json.loads(city("review", "-f", "json", ok=True).stdout)
    assert [e["change"] for e in entries] == ["误报撤回"]
    city("review", "return", str(entries[0]["ref"]), "--reason", "核实", ok=True)
    assert unit_figure(city, "爱辉区", key) == 1 and show(city, item)["status"] == stage
    city("review", "confirm", str(entries[0]["ref"]), ok=True)
    for month in ("2026-10", "2026-11"):  # (编号 1 signed in June: not this project)
        assert unit_figure(city, "爱辉区", key, month=month) == 0
    assert (show(city, item)["status"], show(city, item)[field]) == (back, None)
    city("undo", "--yes", ok=True)
    assert unit_figure(city, "爱辉区", key) == 1 and show(city, item)[field] == "2026-10-15"


@pytest.mark.parametrize(("item", "stage", "at", "back", "key", "field"), BACK, ids=["signing", "start"])
def test_a_real_move_back_keeps_the_stage_counted_where_it_happened(
    city: Any, tmp_path: Path, item: int, stage: str, at: int, back: str, key: str, field: str
) -> None:
    result = back_case(city, tmp_path, item, stage, at, back, "backward")
    assert result.exit_code == 0 and "[误报或回退]" in result.stderr and "按回退" in result.stderr
    entries = json.loads(city("review", "-f", "json", ok=True).stdout)
    assert [e["change"] for e in entries] == [f"{stage} → {back}"]
    city("review", "confirm", "--all", ok=True)
    assert unit_figure(city, "爱辉区", key) == 1
    assert (show(city, item)["status"], show(city, item)[field]) == (back, "2026-10-15")


def test_confirming_all_with_nothing_waiting_is_no_error(city: Any) -> None:
    result = city("review", "confirm", "--all", ok=True)
    assert "没有待认定的记录" in result.stdout + result.stderr

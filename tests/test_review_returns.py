"""报送 → 认定: a move the office returns goes back to the unit — in the next sheet exported for
it to fill in (a 退回 sheet, with the reason) and in an import's --errors file (beside the
project's row) — and comes back 待认定 once the unit corrects and sends it again."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
from conftest import Cli
from exchange_util import edit_cell, make_city, records, write_xlsx
from pipeline_helpers import query

COPPER = "年产5万吨铜箔项目"
HEAD = ["项目名称", "产业链", "状态", "签约日期"]


def _county(path: Path, month: int, status: str, signed: str | None) -> Path:
    return write_xlsx(
        path,
        {
            "招什么": [
                [f"爱辉区2026年{month}月重点招商项目推进情况表", None, None, None],
                ["填报单位：爱辉区商务局", None, None, None],
                HEAD,
                [COPPER, "有色金属", status, signed],
            ]
        },
    )


def _signed(cli: Cli) -> int:
    data = json.loads(cli("report", "monthly", "--month", "2026-10", "-f", "json", ok=True).stdout)
    return int(data["total"]["period"]["signed"])


def _reported_and_returned(cli: Cli, db_path: Path, tmp_path: Path) -> int:
    """爱辉区 reports 铜箔 signed on 15 October; the office returns it.  Returns the move's number."""
    make_city(db_path)
    cli(
        "import",
        str(_county(tmp_path / "爱辉区10月.xlsx", 10, "已签约", "2026-10-15")),
        "--on-duplicate",
        "update",
        ok=True,
    )
    ref = query(db_path, "SELECT id FROM status_log WHERE review = 'pending'")[0][0]
    cli("review", "return", str(ref), "--reason", "缺少合同编号", ok=True)
    return int(ref)


def test_a_returned_move_goes_back_in_the_units_export_and_comes_back_pending(
    cli: Cli, db_path: Path, tmp_path: Path
) -> None:
    _reported_and_returned(cli, db_path, tmp_path)
    before = _signed(cli)
    sheet = tmp_path / "爱辉区填报.xlsx"
    r = cli("export", str(sheet), "--unit", "爱辉区", ok=True)
    assert "退回 1" in r.stderr
    back = records(sheet, "退回")
    assert [(x["名称"], x["退回的报送"], x["退回原因"], x["来源"]) for x in back] == [
        (COPPER, "在谈 → 已签约（2026-10-15）", "缺少合同编号", "爱辉区10月.xlsx「招什么」第4行")
    ]
    # the county corrects its row (the contract number, the signing again) and sends the sheet back
    copper = next(x for x in records(sheet, "招什么") if x["项目名称"] == COPPER)
    assert copper["状态"] == "在谈" and copper["签约日期"] is None  # the returned move does not count
    edit_cell(sheet, "招什么", copper["编号"], "状态", "已签约")
    edit_cell(sheet, "招什么", copper["编号"], "签约日期", "2026-10-15")
    edit_cell(sheet, "招什么", copper["编号"], "备注", "合同编号 HT-2026-031")
    r = cli("import", str(sheet), ok=True)
    assert "「退回」列出退回的报送，仅供查看，不导入" in r.stderr
    assert "爱辉区填报的表，要经认定：阶段变更 1 次" in r.stderr  # the unit's sheet waits again
    assert query(
        db_path, "SELECT review, date FROM status_log WHERE to_status = '已签约' AND item_id = ? ORDER BY id",
        (copper["编号"],),
    ) == [("returned", "2026-10-15"), ("pending", "2026-10-15")]  # fmt: skip
    again = tmp_path / "爱辉区填报（再）.xlsx"
    cli("export", str(again), "--unit", "爱辉区", ok=True)
    assert "退回" not in openpyxl.load_workbook(again).sheetnames  # sent again: nothing waits to be fixed
    cli("review", "confirm", "--all", ok=True)
    assert _signed(cli) == before + 1  # counted once, in October


def test_the_errors_file_carries_a_returned_move_until_it_is_sent_again(
    cli: Cli, db_path: Path, tmp_path: Path
) -> None:
    _reported_and_returned(cli, db_path, tmp_path)
    # November's sheet does not send the signing again: the errors file says what was returned
    november = _county(tmp_path / "爱辉区11月.xlsx", 11, "在谈", None)
    errors = tmp_path / "爱辉区11月-退回.xlsx"
    r = cli("import", str(november), "--on-duplicate", "update", "--errors", str(errors), ok=True)
    assert f"1 条退回的报送还没有重新报送：已在「{errors}」相应行的「错误说明」列注明" in r.stderr
    rows = [list(x) for x in openpyxl.load_workbook(errors)["招什么"].iter_rows(values_only=True)]
    assert rows[2][4] == "错误说明"
    assert rows[3][4] == "已退回：在谈 → 已签约（2026-10-15），原因：缺少合同编号；改正后重新报送"
    # the county corrects that row of the file and sends it again: pending again, nothing to send back
    book = openpyxl.load_workbook(errors)
    book["招什么"]["C4"], book["招什么"]["D4"] = "已签约", "2026-10-15"
    book.save(errors)
    second = tmp_path / "再次-退回.xlsx"
    r = cli("import", str(errors), "--on-duplicate", "update", "--errors", str(second), ok=True)
    assert "爱辉区填报的表，要经认定：阶段变更 1 次" in r.stderr
    assert not second.exists() and "退回的报送还没有重新报送" not in r.stderr
    assert query(db_path, "SELECT review FROM status_log WHERE to_status = '已签约' AND date = '2026-10-15'") == [
        ("returned",),
        ("pending",),
    ]


def test_a_returned_new_project_listed_again_waits_again(cli: Cli, db_path: Path, tmp_path: Path) -> None:
    make_city(db_path)
    path = write_xlsx(
        tmp_path / "爱辉区10月.xlsx",
        {
            "招什么": [
                ["爱辉区2026年10月重点招商项目推进情况表", None, None, None],
                ["填报单位：爱辉区商务局", None, None, None],
                HEAD,
                ["铜箔新项目", "有色金属", "在谈", None],
            ]
        },
    )
    cli("import", str(path), ok=True)
    entry = query(db_path, "SELECT id FROM status_log WHERE review = 'pending' AND from_status IS NULL")[0][0]
    cli("review", "return", str(entry), "--reason", "与已有项目重复？请核实", ok=True)
    sheet = tmp_path / "爱辉区填报.xlsx"
    cli("export", str(sheet), "--unit", "爱辉区", ok=True)
    assert next(x["退回的报送"] for x in records(sheet, "退回")).startswith("新报项目（「线索」")
    r = cli("import", str(path), "--on-duplicate", "update", ok=True)  # the county lists it again
    assert "新项目 1 个" in r.stderr
    assert query(db_path, "SELECT review FROM status_log WHERE id = ?", (entry,)) == [("pending",)]
    cli("review", "confirm", "--all", ok=True)
    data = json.loads(cli("report", "monthly", "--month", "2026-10", "-f", "json", ok=True).stdout)
    assert data["total"]["period"]["new_targets"] >= 1

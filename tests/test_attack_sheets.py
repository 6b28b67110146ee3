"""County sheets a fresh-eyed tester found imported silently wrong (exit 0, wrong figures), each
fixed as a class: a project on two sheets that moves on, a 汇总 sheet with projects, the stage and
the unit a group heading names, a 「（盖章）」 or 「…产业链」 name under --create-missing, a --map key
with 「：」 or naming no column, a letter map meant for one sheet, a duplicate of a row of the same
file."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import dump
from exchange_util import import_sheet, open_city, write_xlsx

from zhaoshang.db import Database
from zhaoshang.errors import ZsError
from zhaoshang.exchange.inference import Rule

TODAY = dt.date(2026, 11, 20)


@pytest.fixture
def city(db_path: Path) -> Iterator[Database]:
    yield from open_city(db_path)


def _import(db: Database, path: Path, **opts: Any) -> Any:
    opts.setdefault("review", False)  # a 「孙吴县…」 title waits for 认定; these tests read stored results at once
    return import_sheet(db, path, today=TODAY, **opts)


def _item(db: Database, title: str) -> dict[str, Any]:
    sql = (
        "SELECT i.id, i.status, c.name, u.name FROM items i JOIN chains c ON c.id = i.chain_id "
        "LEFT JOIN units u ON u.id = i.unit_id WHERE i.title = ?"
    )
    row = db.conn.execute(sql, (title,)).fetchone()
    assert row is not None, title
    return {"id": row[0], "status": row[1], "chain": row[2], "unit": row[3]}


def _log(db: Database, item_id: int) -> list[tuple[str, str]]:
    sql = "SELECT to_status, date FROM status_log WHERE item_id = ? ORDER BY id"
    return [tuple(r) for r in db.conn.execute(sql, (item_id,))]


def test_a_project_that_moves_on_in_a_second_sheet_is_never_unchanged(city: Database, tmp_path: Path) -> None:
    title = ["爱辉区2026年10月重点项目表"]
    signed = [title, ["项目名称", "产业链", "状态", "签约日期"], ["矿泉水项目", "有色金属", "已签约", "2026-10-12"]]
    started = [title, ["项目名称", "产业链", "项目状态"], ["矿泉水项目", "有色金属", "已开工"]]
    path = write_xlsx(tmp_path / "两表.xlsx", {"签约项目": signed, "开工项目": started})
    with pytest.raises(ZsError) as exc:  # it was counted 「不变」 and its 开工 lost
        _import(city, path)
    assert any("疑似重复" in d and "本文件「签约项目」第3行" in d for d in exc.value.details), exc.value.details
    report = _import(city, path, on_duplicate="update")
    item = _item(city, "矿泉水项目")
    assert item["status"] == "已开工"
    assert _log(city, item["id"]) == [("线索", "2026-10-12"), ("已签约", "2026-10-12"), ("已开工", "2026-10-31")]
    assert any(i.rule == Rule.same_item and i.rows == [3] for i in report.inferences)


def test_a_summary_sheet_with_projects_is_imported_and_one_of_figures_is_said(city: Database, tmp_path: Path) -> None:
    head = ["项目名称", "产业链", "状态", "签约日期"]
    summary = [head, ["甲项目", "有色金属", "已签约", "2026-10-08"], ["乙项目", "大豆加工", "线索", None]]
    october = [head, ["甲项目", "有色金属", "已签约", "2026-10-08"]]
    _import(city, write_xlsx(tmp_path / "汇总.xlsx", {"汇总": summary, "10月新签约": october}))
    assert _item(city, "乙项目")["status"] == "线索"  # only on 汇总: it used to be dropped without a word
    figures = [["产业链", "项目数", "投资额（万元）"], ["有色金属", 3, 5000]]
    report = _import(city, write_xlsx(tmp_path / "b.xlsx", {"汇总": figures, "10月新签约": october}))
    assert "「汇总」是汇总表（没有项目名称列），未导入" in report.notes


def test_the_stage_a_heading_names_is_its_rows_stage_or_the_row_is_refused(city: Database, tmp_path: Path) -> None:
    rows = [
        ["爱辉区2026年10月重点项目表", None],
        ["项目名称", "产业链"],
        ["一、已开工项目（1个）", None],
        ["开工甲项目", "有色金属"],
        ["二、在谈项目", None],
        ["在谈乙项目", "有色金属"],
    ]
    report = _import(city, write_xlsx(tmp_path / "阶段.xlsx", {"Sheet1": rows}))
    assert _item(city, "开工甲项目")["status"] == "已开工" and _item(city, "在谈乙项目")["status"] == "在谈"
    listed = {(i.value, tuple(i.rows)) for i in report.inferences if i.rule == Rule.group_heading}
    assert listed == {("已开工", (4,)), ("在谈", (6,))}
    unknown = [*rows[:2], ["一、签约未开工项目", None], ["丙项目", "有色金属"]]
    before = dump(city.path)
    with pytest.raises(ZsError) as exc:
        _import(city, write_xlsx(tmp_path / "未知.xlsx", {"Sheet1": unknown}))
    said = "\n".join(exc.value.details)
    assert "第4行" in said and "认不出是哪个阶段" in said and "zs synonym add 招什么 状态" in said
    assert dump(city.path) == before


def test_the_unit_a_heading_names_is_its_rows_unit(city: Database, tmp_path: Path) -> None:
    rows = [["项目名称", "产业链"], ["一、北安市（1个）", None], ["北安项目", "有色金属"], ["二、爱辉区", None]]
    rows.append(["爱辉项目", "大豆加工"])
    report = _import(city, write_xlsx(tmp_path / "单位.xlsx", {"Sheet1": rows}))
    assert _item(city, "北安项目")["unit"] == "北安市" and _item(city, "爱辉项目")["unit"] == "爱辉区"
    assert {i.value for i in report.inferences if i.rule == Rule.group_heading} == {"北安市", "爱辉区"}


def test_create_missing_never_makes_a_seal_or_a_longer_form_of_an_existing_name(city: Database, tmp_path: Path) -> None:
    rows = [
        ["项目名称", "产业链", "责任单位"],
        ["甲项目", "有色金属产业链", "北安市发展和改革局（盖章）"],
        ["乙项目", "大豆加工", "爱辉区人民政府"],
        ["丙项目", "大豆加工", "逊克县商务局（盖章）"],
    ]
    report = _import(city, write_xlsx(tmp_path / "建.xlsx", {"Sheet1": rows}), create_missing=True)
    assert _item(city, "甲项目")["chain"] == "有色金属" and _item(city, "甲项目")["unit"] == "北安市"
    assert _item(city, "乙项目")["unit"] == "爱辉区"
    assert _item(city, "丙项目")["unit"] == "逊克县商务局"  # a new unit, without its seal
    assert report.created_chains == [] and report.created_units == ["逊克县商务局"]
    typed = city.conn.execute("SELECT type, ranked FROM units WHERE name = '逊克县商务局'").fetchone()
    assert tuple(typed) == ("部门", 0)  # a department: never in the county ranking
    assert {i.value for i in report.inferences if i.rule == Rule.name_by_part} == {"有色金属", "北安市", "爱辉区"}


def test_a_map_key_with_a_colon_and_a_map_naming_no_column(city: Database, tmp_path: Path) -> None:
    rows = [["项目名称", "产业链", "其中：外资（万美元）"], ["甲项目", "有色金属", "人民币100万元"]]
    path = write_xlsx(tmp_path / "map.xlsx", {"Sheet1": rows})
    _import(city, path, mapping=["其中：外资=忽略"])  # the key keeps its 「：」 and the column is dropped
    assert _item(city, "甲项目")["chain"] == "有色金属"
    before = dump(city.path)
    with pytest.raises(ZsError) as exc:
        _import(city, path, mapping=["不存在的列=忽略"])
    assert any("不存在的列=忽略" in d and "没有哪张表有" in d for d in exc.value.details)
    assert dump(city.path) == before


def test_a_letter_map_for_one_sheet_leaves_the_other_sheets_alone(city: Database, tmp_path: Path) -> None:
    title = ["爱辉区2026年10月重点项目表"]
    first = [title, ["项目名称", "产业链", "状态", "签约日期", "旧数"]]
    first.append(["甲项目", "有色金属", "已签约", "2026-09-20", "x"])
    second = [
        title,
        ["项目名称", "产业链", "状态", "备注", "开工日期"],
        ["乙项目", "有色金属", "已开工", "无", "2026-09-26"],
    ]
    path = write_xlsx(tmp_path / "letter.xlsx", {"签约项目": first, "开工项目": second})
    _import(city, path, mapping=["签约项目!E=忽略"])
    started = _item(city, "乙项目")
    assert ("已开工", "2026-09-26") in _log(city, started["id"])  # 开工项目's column E still read


def test_a_reserve_project_comes_in_at_the_reserve(city: Database, tmp_path: Path) -> None:
    rows = [["爱辉区2026年10月项目表"], ["项目名称", "产业链", "状态"], ["谋划甲项目", "有色金属", "谋划储备"]]
    _import(city, write_xlsx(tmp_path / "储备.xlsx", {"招什么": rows}))
    item = _item(city, "谋划甲项目")
    flags = city.conn.execute("SELECT flag FROM status_log WHERE item_id = ?", (item["id"],)).fetchall()
    assert item["status"] == "谋划储备" and _log(city, item["id"]) == [("谋划储备", "2026-10-31")]
    assert flags == [(None,)]  # not a 线索 → 谋划储备 move flagged 回退


# --- a second tester's attack ------------------------------------------------------------


def test_a_countys_own_row_numbers_never_overwrite_our_items(city: Database, tmp_path: Path) -> None:
    ours = [tuple(r) for r in city.conn.execute("SELECT id, title FROM items WHERE kind = 'targets' ORDER BY id")]
    ref, title = ours[0]
    rows = [["编号", "项目名称", "产业链"], [ref, "钼矿新项目", "有色金属"]]
    before = dump(city.path)
    with pytest.raises(ZsError) as exc:
        _import(city, write_xlsx(tmp_path / "续表.xlsx", {"招什么": rows}))
    said = "\n".join(exc.value.details)
    assert f"本库编号 {ref} 是「{title}」，与本行的名称不符" in said and "编号=忽略" in said
    assert dump(city.path) == before
    _import(city, tmp_path / "续表.xlsx", mapping=["编号=忽略"])
    assert _item(city, "钼矿新项目")["id"] != ref and _item(city, title)["id"] == ref


def test_a_status_with_a_date_in_it_is_refused_without_the_synonym_hint(city: Database, tmp_path: Path) -> None:
    rows = [["爱辉区2026年第三季度项目表"], ["项目名称", "产业链", "状态"], ["甲项目", "有色金属", "已签约（10月）"]]
    with pytest.raises(ZsError) as exc:
        _import(city, write_xlsx(tmp_path / "s.xlsx", {"招什么": rows}))
    said = "\n".join(exc.value.details)
    assert "状态「已签约（10月）」里写了时间" in said and "synonym" not in said


def test_a_filing_day_before_the_report_period_is_refused(city: Database, tmp_path: Path) -> None:
    rows = [["孙吴县2026年10月项目表"], ["报送时间：2026-09-30"], ["项目名称", "产业链", "状态"]]
    rows.append(["乙项目", "有色金属", "在谈"])
    with pytest.raises(ZsError, match="早于标题说的报告期「2026年10月」"):
        _import(city, write_xlsx(tmp_path / "f.xlsx", {"招什么": rows}))


def test_an_older_sheet_never_sends_a_project_back(city: Database, tmp_path: Path) -> None:
    from zhaoshang import items

    with city.command("setup", user="测试员"):
        pid = items.add(city, "招什么", "已开工老项目", chain="有色金属", values={"状态": "在谈"}, on="2026-11-02")
        items.update(city, city.defs.kind("招什么"), pid, items.Parsed(status="已签约"), user="测试员",
                     status_date="2026-11-10", force=True)  # fmt: skip
    rows = [["爱辉区2026年10月项目表"], ["项目名称", "产业链", "状态"], ["已开工老项目", "有色金属", "在谈"]]
    before = dump(city.path)
    with pytest.raises(ZsError) as exc:
        _import(city, write_xlsx(tmp_path / "旧.xlsx", {"招什么": rows}), on_duplicate="update")
    assert "较早的表不能把阶段改回去" in "\n".join(exc.value.details)
    assert dump(city.path) == before


def test_a_planned_date_header_is_never_the_actual_stage_date(city: Database, tmp_path: Path) -> None:
    rows = [
        ["爱辉区2026年10月项目表"],
        ["项目名称", "产业链", "状态", "签约日期", "开工时间（计划）", "投产时间（预计）"],
        ["计划甲项目", "有色金属", "已签约", "2026-10-08", "2027-03-01", "2027-09-01"],
    ]
    _import(city, write_xlsx(tmp_path / "计划.xlsx", {"招什么": rows}))
    item = _item(city, "计划甲项目")
    assert item["status"] == "已签约" and [s for s, _d in _log(city, item["id"])] == ["线索", "已签约"]
    sql = (
        "SELECT planned_start_date, planned_production_date, started_date, produced_date FROM kind_targets WHERE id = ?"
    )
    got = city.conn.execute(sql, (item["id"],)).fetchone()
    assert tuple(got) == ("2027-03-01", "2027-09-01", None, None)  # the plans, not a start and a production

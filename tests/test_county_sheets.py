"""County sheets as clerks make them: HTML tables opened in LibreOffice and saved as .xlsx,
.xls and .ods, in simplified and traditional characters, with titles, 填报单位 lines, 合计 and
其中 rows, 落款, notes, several tables, hidden rows — each imported through the core and
checked on its result objects: every column's and every row's fate, and what was written."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from exchange_util import SOFFICE_BIN, html_table, libreoffice_resave, libreoffice_sheets, make_city, open_db

from zhaoshang import items
from zhaoshang.errors import ZsError
from zhaoshang.exchange.importer import ImportOptions, ImportReport, RowOutcome, import_file
from zhaoshang.exchange.tables import RowClass

pytestmark = [
    pytest.mark.libreoffice,
    pytest.mark.slow,
    pytest.mark.skipif(SOFFICE_BIN is None, reason="LibreOffice is not installed"),
]

TITLE = ("爱辉区2026年11月重点招商项目推进情况表", 6)
META = [("填报单位：爱辉区商务局", 3), ("填报日期：2026年11月30日", 3)]
FOOT = [("制表：张三　　审核：李四", 6)]


def _page(header: list[Any], rows: list[list[Any]], *, above: list[list[Any]] | None = None,
          below: list[list[Any]] | None = None) -> str:  # fmt: skip
    head = above if above is not None else [[TITLE], META]
    return html_table([*head, header, *rows, *(below if below is not None else [FOOT])])


TRAD_HEADER = ["序號", "項目名稱", "產業鏈", "計劃總投資（億元）", "項目階段", "簽約日期"]
SIMP_HEADER = ["序号", "项目名称", "产业链", "计划总投资（亿元）", "推进状态", "签约日期"]
TWO = [
    [1, "年产1万吨铜箔项目", "有色金屬", 3.5, "已簽約", "2026/10/8"],
    [2, "1-13号地块项目", "有色金属", 1.2, "在谈", None],
]

PAGES: dict[str, str] = {
    # 1, 2: the same sheet in both scripts; a 合计 row with a formula, a 落款 line
    "trad": _page(TRAD_HEADER, [*TWO, ["合计", None, None, "=SUM(D4:D5)", None, None]]),
    "simp": _page(SIMP_HEADER, [*TWO, ["合计", None, None, "=SUM(D4:D5)", None, None]]),
    # 3: every kind of footer
    "footers": _page(
        SIMP_HEADER,
        TWO,
        below=[
            [("统计：王五", 3), ("联系电话：0456-8220000", 3)],
            [("注：本表金额单位为亿元。", 6)],
            [("说明：在谈项目不计入签约额", 6)],
        ],
    ),
    # 4: 其中 breakdown rows under a 合计
    "breakdown": _page(
        SIMP_HEADER,
        [
            *TWO,
            ["合计", None, None, 4.7, None, None],
            [None, "其中：新签约 1 个", None, 3.5, None, None],
            [None, "其中：在谈 1 个", None, 1.2, None, None],
        ],
    ),
    # 5: group headings between the rows
    "sections": _page(
        SIMP_HEADER,
        [[("一、新签约项目", 6)], TWO[0], [("二、在谈项目", 6)], TWO[1]],
    ),
    # 6: two tables one above the other with the same header: both imported
    "stacked_same": _page(
        SIMP_HEADER,
        [*TWO, [None] * 6, SIMP_HEADER, [3, "石墨负极材料项目", "有色金属", 12, "已签约", "2026-02-20"]],
    ),
    # 7: two tables one above the other with different headers: refused
    "stacked_other": _page(
        SIMP_HEADER,
        [
            *TWO,
            [None] * 6,
            ["序号", "姓名", "单位", "职务", "联系电话", "类别"],
            [1, "张三", "深圳黑龙江商会", "会长", "13800138000", "商会"],
        ],
    ),
    # 8: two tables side by side: refused
    "side_by_side": _page(
        ["序号", "项目名称", "产业链", "投资额（万元）", None, "序号", "项目名称", "产业链", "投资额（万元）"],
        [[1, "甲项目", "有色金属", 100, None, 1, "乙项目", "大豆加工", 200]],
    ),
    # 9: money a 亿/万 slip makes implausible, and a negative amount
    "money": _page(
        SIMP_HEADER,
        [[1, "超大项目", "有色金属", 35000, "在谈", None], [2, "负数项目", "有色金属", "-2亿", "在谈", None]],
    ),
    # 10: a column that is no field
    "unknown_column": _page(["项目名称", "产业链", "领导批示"], [["锌项目", "有色金属", "抓紧推进"]]),
    # 11: a header naming two fields at once
    "ambiguous": _page(["项目名称", "产业链", "目标企业投资额"], [["铅项目", "有色金属", 100]]),
    # 12: 解决什么 in traditional characters: 辦理時限 → 时限, 辦理進展 → 进展
    "problems": _page(
        ["序號", "問題", "產業鏈", "辦理時限", "辦理進展"],
        [[1, "园区道路未通", "有色金属", "2026年12月31日", "已上报省厅"]],
    ),
    # 13: planned dates are not stage dates
    "planned": _page(
        ["项目名称", "产业链", "推进状态", "计划开工时间", "计划投产时间"],
        [["钼精矿项目", "有色金属", "在谈", "2027-03-01", "2028-06-30"]],
    ),
    # 14: 统一社会信用代码, one right and one with a wrong check character
    "credit_code": _page(
        ["项目名称", "产业链", "统一社会信用代码"],
        [["信用甲项目", "有色金属", "91230100MA1BXXXX0W"], ["信用乙项目", "有色金属", "91230100MA1BXXXX0X"]],
    ),
    # 15: 项目编码 names an existing project under another name
    "project_code": _page(
        ["项目名称", "产业链", "项目编码", "计划总投资（万元）"],
        [["铜箔扩产项目（二期）", "有色金属", "2611-231100-04-01-000001", 50000]],
    ),
    # 16: 在谈 with a 签约日期
    "talks_signed": _page(SIMP_HEADER, [[1, "矛盾项目", "有色金属", 1, "在谈", "2026-10-01"]]),
    # 17: names differing in their digits
    "digits": _page(["项目名称", "产业链"], [["1-13号地块项目", "有色金属"]]),
    # 18: a chain and a unit that do not exist yet
    "missing": _page(["项目名称", "产业链", "责任单位"], [["光伏项目", "新能源", "逊克县"]]),
    # 19: for --errors: one bad row among good ones, with title, 填报单位 and 落款
    "errors": _page(
        SIMP_HEADER,
        [*TWO, [3, "坏日期项目", "有色金属", 1, "已签约", "2026-02-30"]],
    ),
    # 20: data in a column without a header
    "headless_column": _page(["项目名称", "产业链", None], [["镁项目", "有色金属", "这格有字"]]),
    # 22: a county's own words for enum values (找谁招)
    "synonyms": _page(
        ["序号", "姓名", "产业链", "类别", "单位"],
        [
            [1, "王五", "有色金属", "部委工作人员", "国家发改委"],
            [2, "某招商顾问公司", "有色金属", "委托招商机构", None],
        ],
    ),
    # 21: a template with 序号 filled in and nothing else in most rows
    "template": _page(SIMP_HEADER, [TWO[0], [2, None, None, None, None, None], [3, None, None, None, None, None]]),
}


@pytest.fixture(scope="module")
def sheets(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("county")
    made = libreoffice_sheets(tmp, PAGES, "xlsx")
    for fmt in ("xls", "ods"):
        for name, path in libreoffice_sheets(tmp, {k: PAGES[k] for k in ("trad", "simp")}, fmt).items():
            made[f"{name}.{fmt}"] = path
    return made


@pytest.fixture
def city(tmp_path: Path) -> Iterator[Any]:
    path = tmp_path / "zs.db"
    make_city(path)
    db = open_db(path)
    yield db
    db.close()


def _run(db: Any, path: Path, **opts: Any) -> ImportReport:
    options = ImportOptions(kind="招什么", dry_run=opts.pop("dry_run", True), **opts)
    return import_file(db, path, options, user="测试员")


def _confirm(db: Any, report: ImportReport) -> None:
    """A county's sheet waits for 认定 by itself: confirm it, as the office does, to see what it says."""
    from zhaoshang import review

    assert report.review_because and report.command_id is not None
    with db.command("review confirm", user="审核员"):
        review.confirm(db, submission=report.command_id)


def _fates(report: ImportReport) -> dict[str, str]:
    return {c.letter: c.target or f"-{c.how}" for c in report.sheets[0].columns}


def _classes(report: ImportReport) -> dict[int, RowClass]:
    return {n: r.cls for r in report.sheets[0].rows for n in range(r.first, r.last + 1)}


def _item(db: Any, title: str) -> dict[str, Any]:
    row = db.conn.execute("SELECT id FROM items WHERE title = ?", (title,)).fetchone()
    assert row is not None, title
    return items.get(db, row[0])


def _reasons(report: ImportReport) -> list[str]:
    return [p.text() for p in report.problems]


@pytest.mark.parametrize("name", ["trad", "simp", "trad.xls", "simp.ods", "trad.ods", "simp.xls"])
def test_the_same_sheet_in_both_scripts_and_three_formats(city: Any, sheets: dict[str, Path], name: str) -> None:
    report = _run(city, sheets[name])
    assert not report.problems, _reasons(report)
    fates = _fates(report)
    assert fates["A"].startswith("-序号列")
    assert [fates[c] for c in "BCDEF"] == ["项目名称", "产业链", "投资额", "状态", "签约日期"]
    money = next(c for c in report.sheets[0].columns if c.letter == "D")
    assert money.unit == "亿元 → 万元"
    classes = _classes(report)
    assert classes[1] is RowClass.caption and classes[2] is RowClass.meta and classes[3] is RowClass.header
    assert classes[6] is RowClass.total and classes[7] is RowClass.footer
    # (.xls too: its formats, hidden rows and comments are read)
    assert not any("无法检查隐藏的行" in n for n in report.sheets[0].notes)
    report = _run(city, sheets[name], dry_run=False)
    assert report.total("added") == 2
    sheet = report.sheets[0]
    assert [sheet.outcome(n) for n in (3, 4, 5, 6)] == [None, RowOutcome.added, RowOutcome.added, None]
    assert sheet.as_dict()["row_outcomes"] == [{"first": 4, "last": 5, "outcome": "added"}]
    again = _run(city, sheets[name])
    assert [again.sheets[0].outcome(n) for n in (4, 5)] == [RowOutcome.unchanged, RowOutcome.unchanged]
    _confirm(city, report)
    a = _item(city, "年产1万吨铜箔项目")
    assert a["investment"] == 35000 and a["status"] == "已签约" and a["signed_date"] == "2026-10-08"
    assert a["unit"] == "爱辉区"  # 填报单位：爱辉区商务局 is the office of 爱辉区
    b = _item(city, "1-13号地块项目")
    assert b["status"] == "在谈" and b["investment"] == 12000


def test_footers_and_notes_are_classified_never_projects(city: Any, sheets: dict[str, Path]) -> None:
    report = _run(city, sheets["footers"])
    assert not report.problems, _reasons(report)
    classes = _classes(report)
    assert classes[6] is RowClass.footer and classes[7] is RowClass.note and classes[8] is RowClass.note
    assert report.total("added") == 2


def test_breakdown_rows_are_not_projects(city: Any, sheets: dict[str, Path]) -> None:
    report = _run(city, sheets["breakdown"])
    assert not report.problems, _reasons(report)
    classes = _classes(report)
    assert classes[6] is RowClass.total
    assert classes[7] is RowClass.breakdown and classes[8] is RowClass.breakdown
    assert report.total("added") == 2


def test_group_headings_are_not_projects(city: Any, sheets: dict[str, Path]) -> None:
    report = _run(city, sheets["sections"])
    assert not report.problems, _reasons(report)
    classes = _classes(report)
    assert classes[4] is RowClass.section and classes[6] is RowClass.section
    assert report.total("added") == 2


def test_stacked_tables_with_the_same_header_are_both_imported(city: Any, sheets: dict[str, Path]) -> None:
    report = _run(city, sheets["stacked_same"])
    assert not report.problems, _reasons(report)
    classes = _classes(report)
    assert classes[6] is RowClass.blank and classes[7] is RowClass.repeated_header
    assert report.total("added") == 3


def test_a_second_table_with_another_header_is_refused(city: Any, sheets: dict[str, Path]) -> None:
    report = _run(city, sheets["stacked_other"])
    assert any("第7行" in r and "另一张表的表头" in r for r in _reasons(report)), _reasons(report)
    assert report.total("added") == 0


def test_tables_side_by_side_are_refused(city: Any, sheets: dict[str, Path]) -> None:
    report = _run(city, sheets["side_by_side"])
    assert any("并排的 2 张表" in r and "A–D列、F–I列" in r for r in _reasons(report)), _reasons(report)


def test_implausible_and_negative_money_is_refused(city: Any, sheets: dict[str, Path]) -> None:
    reasons = _reasons(_run(city, sheets["money"]))
    assert any("第4行" in r and "超过单个项目的合理上限 5000亿元" in r for r in reasons), reasons
    assert any("第5行" in r and "是负数" in r for r in reasons), reasons


def test_a_column_that_is_no_field_must_be_mapped_or_ignored(city: Any, sheets: dict[str, Path]) -> None:
    reasons = _reasons(_run(city, sheets["unknown_column"]))
    # the core names the option (ImportOptions.mapping), never a command-line flag
    assert any("C列「领导批示」" in r and "mapping 领导批示=忽略" in r for r in reasons), reasons
    assert not any("--" in r for r in reasons)
    report = _run(city, sheets["unknown_column"], mapping=["领导批示=忽略"])
    assert not report.problems and _fates(report)["C"] == "-按 mapping 忽略"
    report = _run(city, sheets["unknown_column"], mapping=["领导批示=备注"], dry_run=False)
    assert _item(city, "锌项目")["notes"] == "抓紧推进"


def test_an_ambiguous_header_is_listed_not_guessed(city: Any, sheets: dict[str, Path]) -> None:
    reasons = _reasons(_run(city, sheets["ambiguous"]))
    assert any("「目标企业投资额」" in r and "「目标企业」" in r and "「投资额」" in r for r in reasons), reasons


def test_traditional_headers_matched_by_the_name_they_contain(city: Any, sheets: dict[str, Path]) -> None:
    report = import_file(city, sheets["problems"], ImportOptions(kind="解决什么"), user="测试员")
    fates = {c.letter: (c.target, c.how) for c in report.sheets[0].columns}
    assert fates["D"] == ("时限", "含「时限」") and fates["E"][0] == "进展"
    p = _item(city, "园区道路未通")
    assert p["due"] == "2026-12-31" and p["progress"] == "已上报省厅"


def test_planned_dates_are_fields_not_stage_moves(city: Any, sheets: dict[str, Path]) -> None:
    report = _run(city, sheets["planned"], dry_run=False)
    assert report.total("added") == 1
    _confirm(city, report)
    m = _item(city, "钼精矿项目")
    assert m["status"] == "在谈" and m["started_date"] is None
    assert m["planned_start_date"] == "2027-03-01" and m["planned_production_date"] == "2028-06-30"


def test_credit_codes_are_checked(city: Any, sheets: dict[str, Path]) -> None:
    reasons = _reasons(_run(city, sheets["credit_code"]))
    assert len(reasons) == 1 and "第5行" in reasons[0] and "校验位不对" in reasons[0], reasons
    assert "应为「W」" in reasons[0]


def test_a_project_code_identifies_the_project(city: Any, sheets: dict[str, Path]) -> None:
    with city.command("setup", user="测试员"):
        pid = items.add(
            city, "招什么", "铜箔扩产项目", chain="有色金属", values={"项目编码": "2611-231100-04-01-000001"}
        )
    report = _run(city, sheets["project_code"], dry_run=False)
    assert report.total("added") == 0 and report.total("updated") == 1
    renamed = _item(city, "铜箔扩产项目（二期）")  # the same project, under the name the county uses now
    assert renamed["id"] == pid and renamed["investment"] == 50000
    (code,) = [i for i in report.inferences if i.rule == "project_code"]
    assert code.value == str(pid) and code.evidence == "项目编码「2611-231100-04-01-000001」" and code.rows


def test_talks_with_a_signing_date_is_reported(city: Any, sheets: dict[str, Path]) -> None:
    reasons = _reasons(_run(city, sheets["talks_signed"]))
    assert any("第4行" in r and "签约日期" in r and "在谈" in r for r in reasons), reasons


def test_names_that_differ_in_their_digits_are_different_items(city: Any, sheets: dict[str, Path]) -> None:
    with city.command("setup", user="测试员"):
        items.add(city, "招什么", "11-3号地块项目", chain="有色金属")
    report = _run(city, sheets["digits"], dry_run=False)
    assert report.total("added") == 1 and not report.duplicates
    assert _item(city, "1-13号地块项目")["title"] == "1-13号地块项目"


def test_create_missing_chains_and_units_in_the_same_command(city: Any, sheets: dict[str, Path]) -> None:
    reasons = _reasons(_run(city, sheets["missing"]))
    assert any("没有名为「新能源」的产业链" in r for r in reasons), reasons
    report = _run(city, sheets["missing"], create_missing=True)
    assert report.created_chains == ["新能源"] and report.created_units == ["逊克县"] and not report.problems
    assert city.conn.execute("SELECT count(*) FROM chains WHERE name = '新能源'").fetchone()[0] == 0  # dry run
    report = _run(city, sheets["missing"], create_missing=True, dry_run=False)
    assert _item(city, "光伏项目")["unit"] == "逊克县"
    from zhaoshang import history

    with city.command("undo", user="测试员"):
        history.undo_last(city, expected=report.command_id, user="测试员")
    assert city.conn.execute("SELECT count(*) FROM chains WHERE name = '新能源'").fetchone()[0] == 0


def test_errors_file_is_the_whole_sheet_and_imports_everything_once(
    city: Any, sheets: dict[str, Path], tmp_path: Path
) -> None:
    import openpyxl

    errors = tmp_path / "改正.xlsx"
    with pytest.raises(ZsError):
        _run(city, sheets["errors"], dry_run=False, errors_path=errors)
    wb = openpyxl.load_workbook(errors)
    ws = wb.active
    assert ws["A1"].value == TITLE[0] and ws["A2"].value == "填报单位：爱辉区商务局"
    assert ws["G3"].value == "错误说明" and ws["G4"].value is None and "2026年2月没有30日" in ws["G6"].value
    assert ws["A7"].value.startswith("制表：张三")
    ws["F6"] = "2026-02-28"
    wb.save(errors)
    report = _run(city, errors, dry_run=False)
    assert report.total("added") == 3
    assert _item(city, "坏日期项目")["unit"] == "爱辉区"  # the 填报单位 line came back with the rows
    assert _run(city, errors, dry_run=False).total("added") == 0  # exactly once


def test_data_without_a_header_is_refused(city: Any, sheets: dict[str, Path]) -> None:
    reasons = _reasons(_run(city, sheets["headless_column"]))
    assert any("C列" in r and "没有表头" in r for r in reasons), reasons
    _run(city, sheets["headless_column"], mapping=["C=备注"], dry_run=False)
    assert _item(city, "镁项目")["notes"] == "这格有字"


def test_template_rows_with_only_a_number(city: Any, sheets: dict[str, Path]) -> None:
    report = _run(city, sheets["template"])
    assert not report.problems, _reasons(report)
    classes = _classes(report)
    assert classes[5] is RowClass.template and classes[6] is RowClass.template
    assert report.total("added") == 1


def test_hidden_rows_and_sheets_survive_libreoffice_and_are_reported(city: Any, tmp_path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "招什么"
    for row in (["项目名称", "产业链"], ["可见项目", "有色金属"], ["隐藏项目", "有色金属"]):
        ws.append(row)
    ws.row_dimensions[3].hidden = True
    old = wb.create_sheet("旧表")
    old.append(["项目名称", "产业链"])
    old.append(["旧项目", "有色金属"])
    old.sheet_state = "hidden"
    wb.save(tmp_path / "hidden.xlsx")
    for path in (
        libreoffice_resave(tmp_path / "hidden.xlsx", tmp_path),
        libreoffice_resave(tmp_path / "hidden.xlsx", tmp_path, "ods"),
        libreoffice_resave(tmp_path / "hidden.xlsx", tmp_path, "xls"),
    ):
        report = _run(city, path)
        assert report.sheets[0].hidden_rows == [3], path
        assert any("隐藏的工作表「旧表」未导入" in n for n in report.notes)
        assert report.total("added") == 2 and len(report.sheets) == 1


def test_a_formula_without_a_value_is_an_error_naming_the_cell(city: Any, tmp_path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "招什么"
    ws.append(["项目名称", "产业链", "投资额"])
    ws.append(["甲项目", "有色金属", 100])
    ws.append(["乙项目", "有色金属", "=C2*2"])  # written by a program: no computed value
    wb.save(tmp_path / "formula.xlsx")
    reasons = _reasons(_run(city, tmp_path / "formula.xlsx"))
    assert any(r.startswith("「招什么」第3行 C列「投资额」") and "公式没有计算结果" in r for r in reasons), reasons
    # opened and saved by LibreOffice, the formula has its value
    _run(city, libreoffice_resave(tmp_path / "formula.xlsx", tmp_path), dry_run=False)
    assert _item(city, "乙项目")["investment"] == 200


def test_the_dry_run_shows_every_columns_and_rows_fate_in_chinese(sheets: dict[str, Path], tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from zhaoshang.cli import app

    db = tmp_path / "zs.db"
    make_city(db)
    r = CliRunner().invoke(app, ["--db", str(db), "import", str(sheets["trad"]), "--kind", "招什么", "--dry-run"])
    assert r.exit_code == 0, r.stderr
    out = r.stdout
    assert "「Sheet1」第3行为表头，各列去向：" in out
    assert "計劃總投資（億元）" in out and "→ 投资额（别名，亿元 → 万元）" in out
    assert "項目階段" in out and "→ 状态（别名）" in out
    for line in ("第1行", "标题", "第2行", "填报信息", "第6行", "合计", "第7行", "落款"):
        assert line in out


def test_a_countys_words_for_values_can_be_taught(city: Any, sheets: dict[str, Path]) -> None:
    from zhaoshang import synonyms

    options = ImportOptions(kind="找谁招", dry_run=True)
    reasons = _reasons(import_file(city, sheets["synonyms"], options, user="测试员"))
    assert any("「部委工作人员」不是可选值" in r and "zs synonym add" in r for r in reasons), reasons
    with city.command("synonym add", user="测试员"):
        synonyms.add(city, "找谁招", "类别", "在京人员", ["部委工作人员"])
        synonyms.add(city, "找谁招", "类别", "委托招商", ["委托招商机构"])
    options = ImportOptions(kind="找谁招")
    report = import_file(city, sheets["synonyms"], options, user="测试员")
    assert report.total("added") == 2
    assert _item(city, "王五")["category"] == "在京人员" and _item(city, "某招商顾问公司")["category"] == "委托招商"
    with pytest.raises(ZsError, match="已经表示「在京人员」"), city.command("synonym add", user="测试员"):
        synonyms.add(city, "找谁招", "类别", "商会", ["部委工作人员"])

"""Issue 25, the detail sheets (到位资金, 前期手续, 对接记录, 服务专班): right or refused.

The rules item sheets follow hold on these sheets too — the same code, not a copy:

* the money unit a sheet states anywhere but its header (a line above it, its title, the
  workbook's 填表说明, a cell's number format) is read or refused by the item sheets' rule
  (:mod:`zhaoshang.exchange.money_units`, :func:`zhaoshang.exchange.rows.money_cell`);
* an amount implausible for its column's unit is refused unless ``--confirm amount``;
* a 名称 beside a 条目编号 must name that item (or the title this import gives it);
* a 到位资金 figure of several months (「1-11月」 title, 「累计」 header) is never one month's;
* a 填报单位 line makes the sheet another unit's submission: its funds wait for 认定;
* a sheet named 「资金到位情况」 is a 到位资金 sheet, and ``--kind 到位资金`` chooses it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import Cli
from exchange_util import write_xlsx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zhaoshang.exchange import header_area, money_units, sheetplan
from zhaoshang.exchange.details import several_months
from zhaoshang.exchange.inference import Inferences, Rule
from zhaoshang.exchange.itemnames import same_name
from zhaoshang.exchange.tables import HeaderCell

MONTH = "2026-10"
TITLE = "黑河跨境冷链物流园项目"
_BUILT: dict[str, Path] = {}


def _build(cli: Cli) -> None:
    cli("init", ok=True)
    cli("chain", "add", "对俄跨境物流", ok=True)
    cli("unit", "add", "爱辉区", "类型=区县", ok=True)
    cli("unit", "add", "孙吴县", "类型=区县", ok=True)
    cli("add", "招什么", TITLE, "--chain", "对俄跨境物流", "责任单位=爱辉区", "投资额=8亿", "状态=已入统",
        "签约日期=2026-06-23", "入统日期=2026-08-03", "--date", "2026-03-18", "--force", ok=True)  # fmt: skip
    cli("add", "招什么", "保税仓储项目", "--chain", "对俄跨境物流", "责任单位=爱辉区", "投资额=2亿",
        "--date", "2026-03-18", ok=True)  # fmt: skip
    cli("fund", "1", "--month", MONTH, "--domestic", "1000", ok=True)


@pytest.fixture
def city(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Cli:
    """编号 1 「黑河跨境冷链物流园项目」 (爱辉区, 1000 万元 到位 in October), 编号 2 「保税仓储项目」
    — built once per worker, copied for each test."""
    if "db" not in _BUILT:
        built = tmp_path_factory.mktemp("city") / "city.db"
        _build(Cli(built))
        _BUILT["db"] = built
    path = tmp_path / "city.db"
    shutil.copy(_BUILT["db"], path)
    return Cli(path)


def show(cli: Cli, item: int = 1) -> dict[str, Any]:
    return json.loads(cli("show", str(item), "-f", "json", ok=True).stdout)


def funds_of(cli: Cli, item: int = 1, month: str = MONTH) -> float | None:
    for row in show(cli, item).get("funds", []):
        if row.get("month") == month:
            return float(row.get("domestic") or 0) + float(row.get("foreign_usd") or 0)
    return None


def funds_sheet(tmp: Path, above: list[list[Any]], header: list[str], rows: list[list[Any]], **extra: Any) -> Path:
    return write_xlsx(tmp / "funds.xlsx", {**extra, "到位资金": [*above, header, *rows]})


def inferences(result: Any) -> list[dict[str, Any]]:
    return list(json.loads(result.stdout).get("inferences", []))


# ---------------------------------------------------------------------------------------
# 1. the sheet's money unit: the item sheets' rule


@pytest.mark.parametrize(
    ("above", "extra", "value"),
    [
        ([["单位：亿元"]], {}, 0.05),
        ([["（金额单位：亿元）"]], {}, 0.05),
        ([["爱辉区2026年10月到位资金（单位：亿元）"]], {}, 0.05),
        ([["单位：元"]], {}, 5_000_000),
        ([], {"填表说明": [["1. 金额单位：亿元。"]]}, 0.05),
        ([], {"填表说明": [["金额单位：亿元；外资单位：万美元"]]}, 0.05),
        ([["單位：億元"]], {}, 0.05),
    ],
    ids=["line", "bracket_line", "title", "yuan", "instructions", "instructions_named", "traditional"],
)
def test_a_funds_sheets_money_unit_stated_above_is_read_and_listed(
    city: Cli, tmp_path: Path, above: list[list[Any]], extra: dict[str, Any], value: float
) -> None:
    path = funds_sheet(
        tmp_path, above, ["条目编号", "项目名称", "月份", "国内资金"], [[1, TITLE, MONTH, value]], **extra
    )
    result = city("import", str(path), "-f", "json", ok=True)
    assert funds_of(city) == 500
    units = [i for i in inferences(result) if i["rule"] == Rule.sheet_money_unit]
    assert units and "国内资金" in units[0]["column"], inferences(result)


@pytest.mark.parametrize(
    ("above", "header", "why"),
    [
        ([["单位：千万元"]], "国内资金", "不能用于整张表"),
        ([["单位：亿元"]], "国内资金（万元）", "矛盾"),
        ([["单位：万美元"]], "国内资金", "不能填美元金额"),
    ],
    ids=["unconvertible", "clash", "dollars_for_yuan"],
)
def test_a_funds_sheets_money_unit_item_sheets_refuse_is_refused(
    city: Cli, tmp_path: Path, above: list[list[Any]], header: str, why: str
) -> None:
    before = show(city)
    path = funds_sheet(tmp_path, above, ["条目编号", "项目名称", "月份", header], [[1, TITLE, MONTH, 5]])
    result = city("import", str(path), ok=False)
    assert why in result.stderr and "到位资金" in result.stderr
    assert show(city) == before


def test_a_money_unit_written_only_by_a_cells_format_is_refused(city: Cli, tmp_path: Path) -> None:
    import openpyxl

    path = funds_sheet(tmp_path, [], ["条目编号", "项目名称", "月份", "国内资金"], [[1, TITLE, MONTH, 0.05]])
    wb = openpyxl.load_workbook(path)
    wb["到位资金"]["D2"].number_format = '0.00"亿元"'
    wb.save(path)
    result = city("import", str(path), ok=False)
    assert "第2行 D列「国内资金」" in result.stderr and "只写在单元格格式里" in result.stderr
    assert funds_of(city) == 1000


@given(unit=st.sampled_from(["亿元", "万元", "元"]), form=st.sampled_from(["line", "title", "instructions"]))
@settings(max_examples=9, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_same_unit_statement_reads_alike_on_a_project_sheet_and_a_funds_sheet(unit: str, form: str) -> None:
    """One rule: the header a 招什么 sheet and a 到位资金 sheet are read with gets the same unit."""
    meta = {"单位": unit} if form != "instructions" else {}
    stated = [header_area.SaidElsewhere(unit, f"金额单位：{unit}", sheet="填表说明", row=1)]
    for texts in (["项目名称", "投资额"], ["条目编号", "月份", "国内资金"]):
        header = [HeaderCell(i, "ABCD"[i], t, t, None) for i, t in enumerate(texts)]
        got = money_units.sheet_units(
            "表", meta, header, workbook_unit=lambda: stated, named_columns=lambda said: set()
        )
        assert not got.early
        assert [h.unit for h in got.header] == [unit] * len(texts)
        assert set(got.given) == {h.column for h in header}


def test_a_money_unit_given_is_listed_once_per_place_it_was_said() -> None:
    header = [HeaderCell(0, "A", "国内资金", "国内资金", None), HeaderCell(1, "B", "外资", "外资", "万美元")]
    got = money_units.sheet_units(
        "到位资金", {"单位": "亿元"}, header, workbook_unit=None, named_columns=lambda s: set()
    )
    assert [h.unit for h in got.header] == ["亿元", "万美元"] and set(got.given) == {0}
    assert "算作亿元" in got.explain(0, "问题") and got.explain(1, "问题") == "问题"
    from zhaoshang.exchange.columns import Target
    from zhaoshang.exchange.layout import funds_sheet as spec

    inferred = Inferences()
    targets = [Target(0, "A", "国内资金", "domestic", col=spec().col("domestic"), unit="亿")]
    money_units.record("到位资金", got, targets, inferred)
    (one,) = inferred.all()
    assert one.rule is Rule.sheet_money_unit and one.value == "亿元" and "A列「国内资金」" in one.column


# ---------------------------------------------------------------------------------------
# 2. an amount implausible for its column's unit


@pytest.mark.parametrize(
    ("header", "value"),
    [("国内资金（亿元）", 3000), ("国内资金（万元）", 0.05), ("外资（万美元）", 0.3), ("国内资金（元）", 500)],
    ids=["too_big_yi", "too_small_wan", "too_small_usd", "too_small_yuan"],
)
def test_a_funds_amount_implausible_for_its_unit_is_refused_unless_confirmed(
    city: Cli, tmp_path: Path, header: str, value: float
) -> None:
    path = funds_sheet(tmp_path, [], ["条目编号", "项目名称", "月份", header], [[1, TITLE, "2026-09", value]])
    result = city("import", str(path), ok=False)
    assert "--confirm amount" in result.stderr and "第2行 D列" in result.stderr
    assert funds_of(city, month="2026-09") is None
    confirmed = city("import", str(path), "--confirm", "amount", "-f", "json", ok=True)
    assert funds_of(city, month="2026-09") is not None
    assert any(i["rule"] == Rule.amount_unit for i in inferences(confirmed))


def test_our_own_export_of_a_small_figure_is_not_gated(city: Cli, tmp_path: Path) -> None:
    city("fund", "2", "--month", "2026-09", "--domestic", "0.5", ok=True)
    city("export", str(tmp_path / "out.xlsx"), ok=True)
    result = city("import", str(tmp_path / "out.xlsx"), ok=True)
    assert "不变" in result.stdout


# ---------------------------------------------------------------------------------------
# 3. a 条目编号 and a 名称 that disagree


DETAIL_ROWS: dict[str, tuple[list[str], list[Any]]] = {
    "到位资金": (["条目编号", "项目名称", "月份", "国内资金（万元）"], [MONTH, 300]),
    "前期手续": (["条目编号", "项目名称", "手续", "办结日期"], ["施工许可", "2026-10-20"]),
    "对接记录": (["条目编号", "名称", "方式", "日期", "内容"], ["走访", "2026-10-12", "现场调度"]),
    "服务专班": (["条目编号", "名称", "角色", "姓名"], ["包联领导", "王强"]),
}


@pytest.mark.parametrize("sheet", list(DETAIL_ROWS))
def test_a_number_and_a_name_of_two_projects_are_refused_naming_both(city: Cli, tmp_path: Path, sheet: str) -> None:
    header, rest = DETAIL_ROWS[sheet]
    path = write_xlsx(tmp_path / "d.xlsx", {sheet: [header, [1, "保税仓储项目", *rest]]})
    before = (show(city, 1), show(city, 2))
    result = city("import", str(path), ok=False)
    text = result.stderr
    assert f"「{sheet}」第2行 A列「条目编号」 值「1」" in text, text
    assert TITLE in text and "保税仓储项目" in text and "改成 2" in text and "序号" in text
    assert (show(city, 1), show(city, 2)) == before


@pytest.mark.parametrize("sheet", list(DETAIL_ROWS))
@pytest.mark.parametrize(
    "name",
    ["黑河跨境冷链物流园项目", "黑河 跨境冷链物流园（项目）", "黑河跨境冷鏈物流園項目", "黑河跨境冷链物流园", None],
)
def test_a_name_that_is_the_numbers_item_is_accepted(city: Cli, tmp_path: Path, sheet: str, name: str | None) -> None:
    header, rest = DETAIL_ROWS[sheet]
    path = write_xlsx(tmp_path / "d.xlsx", {sheet: [header, [1, name, *rest]]})
    city("import", str(path), ok=True)


def test_a_renamed_item_in_our_own_export_keeps_its_funds_row(city: Cli, tmp_path: Path) -> None:
    import openpyxl

    city("export", str(tmp_path / "out.xlsx"), ok=True)
    wb = openpyxl.load_workbook(tmp_path / "out.xlsx")
    ws = wb["招什么"]
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == 1)
    ws.cell(row, 2).value = "黑河跨境冷链物流园二期"  # renamed on the list; 到位资金 still shows the old name
    funds = wb["到位资金"]
    funds.cell(2, 5).value = 1200
    wb.save(tmp_path / "out.xlsx")
    city("import", str(tmp_path / "out.xlsx"), ok=True)
    assert show(city)["title"] == "黑河跨境冷链物流园二期" and funds_of(city) == 1200


@given(
    name=st.text(alphabet="冷链物流园黑河项目有限公司 （）·-", min_size=2, max_size=12),
    other=st.text(alphabet="保税仓储钼矿厂房", min_size=2, max_size=6),
)
@settings(max_examples=200, deadline=None)
def test_same_name_is_a_check_of_names_not_a_fuzzy_match(name: str, other: str) -> None:
    assert same_name(name, name)
    assert same_name(f" {name}（）", name) or not name.strip()
    assert not same_name(other, other + "二期工程园区")


# ---------------------------------------------------------------------------------------
# 4. several months are no month's figure


@pytest.mark.parametrize(
    ("title", "month"),
    [
        ("爱辉区2026年1-11月资金到位情况", "2026-11"),
        ("爱辉区2026年第三季度到位资金", "2026-09"),
        ("2026年上半年到位资金", "2026-06"),
        ("截至11月底累计到位资金", "2026-11"),
        ("截至10月底累计到位资金", "2026-09"),  # (累计 names no months: any one month is refused)
    ],
)
def test_a_title_of_several_months_over_rows_of_the_month_it_runs_to_is_refused(
    city: Cli, tmp_path: Path, title: str, month: str
) -> None:
    header = ["条目编号", "项目名称", "月份", "国内资金（万元）"]
    path = funds_sheet(tmp_path, [[title]], header, [[1, TITLE, month, 3600], [2, "保税仓储项目", month, 10]])
    result = city("import", str(path), ok=False)
    assert f"「到位资金」第3行 C列「月份」 值「{month}」" in result.stderr
    assert "累计数" in result.stderr and "第4行" in result.stderr
    assert funds_of(city, month=month) is None


def test_one_month_of_a_several_months_title_that_is_not_its_last_is_a_listing(city: Cli, tmp_path: Path) -> None:
    header = ["条目编号", "项目名称", "月份", "国内资金（万元）"]
    path = funds_sheet(tmp_path, [["爱辉区2026年1-11月资金到位情况"]], header, [[1, TITLE, "2026-09", 200]])
    city("import", str(path), ok=True)
    assert funds_of(city, month="2026-09") == 200


def test_a_title_of_several_months_over_rows_of_different_months_is_a_listing(city: Cli, tmp_path: Path) -> None:
    header = ["条目编号", "项目名称", "月份", "国内资金（万元）"]
    rows = [[1, TITLE, "2026-09", 200], [1, TITLE, "2026-10", 300], [1, TITLE, "2026-11", 400]]
    city("import", str(funds_sheet(tmp_path, [["爱辉区2026年1-11月资金到位情况"]], header, rows)), ok=True)
    assert [funds_of(city, month=m) for m in ("2026-09", "2026-10", "2026-11")] == [200, 300, 400]


@pytest.mark.parametrize(
    "amount",
    ["累计到位资金（万元）", "1-10月到位资金（万元）", "本年到位外资（万美元）", "年度到位资金", "今年以来到位内资"],
)
def test_an_amount_header_of_several_months_is_refused_even_when_mapped(city: Cli, tmp_path: Path, amount: str) -> None:
    path = funds_sheet(tmp_path, [], ["条目编号", "项目名称", "月份", amount], [[1, TITLE, "2026-09", 3600]])
    result = city("import", str(path), ok=False)
    assert "累计数，不是一个月的到位资金" in result.stderr and "--map" not in result.stderr
    mapped = city("import", str(path), "--map", f"{amount}=国内资金", ok=False)
    assert "累计数" in mapped.stderr
    assert funds_of(city, month="2026-09") is None


def test_a_title_month_without_a_month_column_but_cumulative_words_is_refused(city: Cli, tmp_path: Path) -> None:
    path = funds_sheet(tmp_path, [["爱辉区2026年10月累计到位资金"]], ["条目编号", "项目名称", "国内资金（万元）"],
                       [[1, TITLE, 3600]])  # fmt: skip
    result = city("import", str(path), ok=False)
    assert "累计" in result.stderr and funds_of(city) == 1000


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("本月到位资金（万元）", None),
        ("国内资金", None),
        ("2026年度10月到位资金", None),
        ("爱辉区2026年10月招商引资项目推进情况表", None),
        ("累计到位资金", "累计"),
        ("1—10月到位资金", "1—10月"),
        ("一至十月到位资金", "一至十月"),
        ("前10个月到位资金", "前10个月"),
        ("三季度到位资金", "季度"),
        ("上半年到位资金", "上半年"),
        ("本年到位資金", "本年"),
    ],
)
def test_several_months_reads_the_words_of_a_sum(text: str, words: str | None) -> None:
    assert several_months(text) == words


# ---------------------------------------------------------------------------------------
# 5. a 填报单位 line: another unit's submission


@pytest.mark.parametrize("line", ["填报单位：爱辉区商务局　填报日期：2026年11月4日", "填報單位：爱辉区商务局"])
def test_a_funds_sheet_with_a_reporting_unit_waits_for_review(city: Cli, tmp_path: Path, line: str) -> None:
    header = ["条目编号", "项目名称", "月份", "国内资金（万元）"]
    path = funds_sheet(tmp_path, [[line]], header, [[2, "保税仓储项目", "2026-09", 500]])
    result = city("import", str(path), "-f", "json", ok=True)
    assert json.loads(result.stdout)["review"]["funds"] == 1

    def september() -> float:
        out = json.loads(city("report", "monthly", "-m", "2026-09", "-f", "json", ok=True).stdout)
        return float(next(u for u in out["units"] if u["name"] == "爱辉区")["period"]["funds_domestic"] or 0)

    assert september() == 0  # not before 认定
    city("review", "confirm", "--all", ok=True)
    assert september() == 500


def test_a_funds_sheet_without_a_reporting_unit_counts_at_once(city: Cli, tmp_path: Path) -> None:
    header = ["条目编号", "项目名称", "月份", "国内资金（万元）"]
    path = funds_sheet(tmp_path, [], header, [[2, "保税仓储项目", "2026-09", 500]])
    assert json.loads(city("import", str(path), "-f", "json", ok=True).stdout)["review"]["funds"] == 0


# ---------------------------------------------------------------------------------------
# 6. which sheet it is: by a name that contains a detail sheet's words, or --kind


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("资金到位情况", "funds"),
        ("到位资金情况表", "funds"),
        ("爱辉区2026年10月资金到位情况表", "funds"),
        ("到位資金情況", "funds"),
        ("前期手续办理情况", "approvals"),
        ("对接记录表", "activities"),
        ("服务专班成员名单", "team"),
    ],
)
def test_a_sheet_named_with_a_detail_sheets_words_is_that_sheet(name: str, key: str) -> None:
    from zhaoshang.definitions import load
    from zhaoshang.exchange import layout
    from zhaoshang.exchange.readers import RawSheet

    defs = load()
    specs = {s.key: s for s in layout.detail_sheets(defs)}
    p = sheetplan.plan(RawSheet(name, []), defs=defs, specs=specs, ours=False, rollup=False, only_kind=None, option=str)
    assert p.role is sheetplan.Role.detail and p.spec is not None and p.spec.key == key and p.said


def test_a_funds_sheet_named_otherwise_is_imported_as_funds_and_listed(city: Cli, tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "f.xlsx",
        {"资金到位情况": [["条目编号", "项目名称", "月份", "国内资金（万元）"], [1, TITLE, "2026-09", 300]]},
    )
    result = city("import", str(path), "-f", "json", ok=True)
    assert funds_of(city, month="2026-09") == 300
    assert any(i["rule"] == Rule.sheet_by_name and i["value"] == "到位资金" for i in inferences(result))


@pytest.mark.parametrize("kind", ["到位资金", "funds", "到位資金"])
def test_kind_names_a_detail_sheet(city: Cli, tmp_path: Path, kind: str) -> None:
    csv = tmp_path / "f.csv"
    csv.write_text(f"项目名称,月份,本月到位资金（万元）\n{TITLE},2026-09,300\n", encoding="utf-8")
    city("import", str(csv), "--kind", kind, ok=True)
    assert funds_of(city, month="2026-09") == 300


def test_kind_naming_nothing_lists_the_detail_sheets_too(city: Cli, tmp_path: Path) -> None:
    csv = tmp_path / "f.csv"
    csv.write_text(f"项目名称,月份,本月到位资金（万元）\n{TITLE},2026-09,300\n", encoding="utf-8")
    result = city("import", str(csv), "--kind", "资金", ok=False)
    assert "没有「资金」这个清单" in result.stderr and "到位资金" in result.stderr


def test_a_sheet_with_a_detail_sheets_headers_says_what_it_is(city: Cli, tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "f.xlsx", {"Sheet1": [["项目名称", "月份", "本月到位资金（万元）"], [TITLE, "2026-09", 3]]}
    )
    result = city("import", str(path), ok=False)
    assert "是「到位资金」表的列" in result.stderr and "--kind 到位资金" in result.stderr
    assert funds_of(city, month="2026-09") is None


def test_a_project_sheet_named_otherwise_is_still_read_as_a_list(city: Cli, tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "p.xlsx",
        {
            "Sheet1": [
                ["项目名称", "产业链", "投资额（万元）", "备注"],
                ["榛子加工项目", "对俄跨境物流", 5000, "9月对接"],
            ]
        },
    )
    city("import", str(path), ok=True)
    assert "榛子加工项目" in city("list", "招什么", ok=True).stdout


def test_an_item_renamed_since_the_export_keeps_its_funds_row(city: Cli, tmp_path: Path) -> None:
    import openpyxl

    city("export", str(tmp_path / "out.xlsx"), ok=True)
    city("edit", "1", "项目名称=黑河冷链物流园二期", ok=True)
    wb = openpyxl.load_workbook(tmp_path / "out.xlsx")
    wb["到位资金"].cell(2, 5).value = 1300
    wb.save(tmp_path / "out.xlsx")
    city("import", str(tmp_path / "out.xlsx"), "--sheet", "到位资金", ok=True)
    assert funds_of(city) == 1300

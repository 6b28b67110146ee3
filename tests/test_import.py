"""zs import of sheets as counties and other systems really send them: title rows, merged
cells, 填报单位 lines, 序号 columns, units in headers, traditional characters, text dates,
合计 rows, 填报人 footers, GB18030 CSV, formula-looking text — and every way of getting it
wrong, which must write nothing and say exactly where."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import openpyxl
import pytest
from conftest import Cli, dump
from exchange_util import make_city, open_db, records, write_xlsx
from pipeline_helpers import query

from zhaoshang import items

pytestmark = pytest.mark.engines


@pytest.fixture
def city(db_path: Path) -> dict[str, int]:
    return make_city(db_path)


def _get(db_path: Path, title: str) -> dict[str, object]:
    db = open_db(db_path)
    row = db.conn.execute("SELECT id FROM items WHERE title = ?", (title,)).fetchone()
    assert row is not None, title
    return items.get(db, row[0])


COUNTY = [
    ["爱辉区重点招商项目推进情况表", None, None, None, None, None, None, None, None],
    ["填报单位：爱辉区招商局", None, None, None, None, "填报日期：2026年4月5日", None, None, None],
    ["序号", "項目名稱", "產業鏈", "投资额（亿元）", "狀態", "签约日期", "优先级", "责任人", "备注"],
    [1, "年产2万吨铜杆项目", "有色金屬", 3.56, "簽約", "2026年3月15日", "重点", "李明", "=客商已来访"],
    [None, None, None, None, None, None, None, None, None],
    [2, "  大豆肽  功能食品项目 ", "大豆加工", "0.8", "簽約", "2026/4/1", "b", "赵丽", "+需要用地 30 亩"],
    [3, "石墨负极材料项目", "有色金属", 12, "已签约", dt.datetime(2026, 2, 20), "C", None, None],
    [4, "钼精矿项目", "有色金属", 2, "在谈", None, "C", None, None],
    ["合计", None, None, 16.36, None, None, None, None, None],
    ["填报人：王芳", None, None, "审核人：李强", None, "联系电话：0456-1234567", None, None, None],
]


def test_county_sheet_with_title_rows_units_traditional_and_footer(
    cli: Cli, city: dict[str, int], tmp_path: Path, db_path: Path
) -> None:
    path = write_xlsx(tmp_path / "爱辉区.xlsx", {"招什么": COUNTY}, merges={"招什么": ["A1:I1", "A2:E2"]})
    r = cli("import", str(path), ok=True)
    assert "已导入：新增 4，修改 0，不变 0，拒绝 0" in r.stderr
    # each signing is dated by its 签约日期, the one move without a date by the sheet's 填报日期
    assert "阶段变更 4 次，日期取自：本行日期列 3，填报日期 1" in r.stderr
    assert "第1–2行为标题行，已跳过" in r.stderr
    assert "第9行为合计行，已跳过" in r.stderr
    assert "第10行为填报人/落款行，已跳过" in r.stderr
    assert "已忽略「序号」列（A列）" in r.stderr
    # a sheet naming its 填报单位 waits for 认定 by itself; confirmed, it is what the sheet says
    assert "爱辉区填报的表，要经认定：新项目 4 个、阶段变更 4 次、到位资金 0 笔待认定" in r.stderr
    assert _get(db_path, "年产2万吨铜杆项目")["status"] == "线索"
    cli("review", "confirm", "--all", ok=True)
    a = _get(db_path, "年产2万吨铜杆项目")
    assert a["investment"] == 35600  # 3.56 亿元 → 35600 万元
    assert a["chain"] == "有色金属" and a["status"] == "已签约" and a["priority"] == "A"
    assert a["signed_date"] == "2026-03-15"
    assert a["notes"] == "=客商已来访"  # formula-looking text stored as text
    assert a["unit"] == "爱辉区"  # 填报单位「爱辉区招商局」is the office of the unit 爱辉区
    assert "[填报单位] 「招什么」第" in r.stderr
    assert "填报单位「爱辉区」用作未填责任单位的行的责任单位" in r.stderr
    b = _get(db_path, "大豆肽  功能食品项目")
    assert b["investment"] == 8000 and b["status"] == "已签约" and b["priority"] == "B"
    assert b["signed_date"] == "2026-04-01"
    assert b["notes"] == "+需要用地 30 亩"
    c = _get(db_path, "石墨负极材料项目")
    assert c["investment"] == 120000 and c["signed_date"] == "2026-02-20" and c["priority"] == "C"
    d = _get(db_path, "钼精矿项目")
    assert d["status"] == "在谈" and d["signed_date"] is None
    dates = query(db_path, "SELECT date FROM status_log WHERE item_id = ? ORDER BY id", (d["id"],))
    assert dates == [("2026-04-05",), ("2026-04-05",)]  # 填报日期：2026年4月5日


def test_fill_in_unit_from_the_preamble(cli: Cli, city: dict[str, int], tmp_path: Path, db_path: Path) -> None:
    rows = [["填报单位：北安市"], ["项目名称", "产业链", "投资额"], ["铜管项目", "有色金属", "2亿"]]
    r = cli("import", str(write_xlsx(tmp_path / "a.xlsx", {"Sheet1": rows})), "--kind", "招什么", ok=True)
    assert "填报单位「北安市」用作未填责任单位的行的责任单位" in r.stderr
    item = _get(db_path, "铜管项目")
    assert item["unit"] == "北安市" and item["investment"] == 20000


def test_gb18030_csv_with_text_dates(cli: Cli, city: dict[str, int], tmp_path: Path, db_path: Path) -> None:
    path = tmp_path / "问题.csv"
    with path.open("w", encoding="gb18030", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["问题描述", "所属产业链", "问题类型", "时限", "办理层级", "责任单位"])
        w.writerow(["项目用电增容", "有色金属", "要素保障", "2026.5.31", "市級", "爱辉区"])
        w.writerow(["环评批复慢", "大豆加工", "環保", "2026年6月1日", "省级", "北安市"])
    r = cli("import", str(path), "--kind", "解决什么", ok=True)
    assert "新增 2" in r.stderr
    p = _get(db_path, "项目用电增容")
    assert p["due"] == "2026-05-31" and p["level"] == "市级" and p["type"] == "要素保障" and p["unit"] == "爱辉区"
    assert _get(db_path, "环评批复慢")["type"] == "环保"


def test_csv_strips_the_formula_guard_quote(cli: Cli, city: dict[str, int], tmp_path: Path, db_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("名称,产业链,备注\n公式项目,有色金属,'=1+2\n引号项目,有色金属,'普通引号\n", encoding="utf-8-sig")
    cli("import", str(path), "--kind", "招什么", ok=True)
    assert _get(db_path, "公式项目")["notes"] == "=1+2"
    assert _get(db_path, "引号项目")["notes"] == "'普通引号"  # only the guard before = + - @ is removed


def test_kind_is_guessed_from_headers(cli: Cli, city: dict[str, int], tmp_path: Path, db_path: Path) -> None:
    rows = [["活动名称", "产业链", "开始日期", "地点"], ["中国国际投资贸易洽谈会", "大豆加工", "2026-09-08", "厦门"]]
    r = cli("import", str(write_xlsx(tmp_path / "a.xlsx", {"Sheet1": rows})), ok=True)
    assert "按表头判断为「去哪招」清单" in r.stderr
    assert _get(db_path, "中国国际投资贸易洽谈会")["venue"] == "厦门"
    rows = [["名称", "产业链"], ["什么都行", "大豆加工"]]
    r = cli("import", str(write_xlsx(tmp_path / "b.xlsx", {"Sheet1": rows})), ok=False)
    assert "无法判断这张表是哪一张清单" in r.stderr and "--kind" in r.stderr


def test_map_columns_explicitly(cli: Cli, city: dict[str, int], tmp_path: Path, db_path: Path) -> None:
    rows = [["项目", "链", "完成情况", "金额", "内部编码"], ["铝箔项目", "有色金属", "已签框架协议", "5000", "A-17"]]
    path = write_xlsx(tmp_path / "a.xlsx", {"表1": rows})
    maps = ["--map", "链=产业链", "--map", "完成情况=备注", "--map", "D=投资额", "--map", "内部编码=忽略"]
    r = cli("import", str(path), "--kind", "招什么", *maps, ok=True)
    assert "按 --map 忽略 E列「内部编码」" in r.stderr
    item = _get(db_path, "铝箔项目")
    assert item["notes"] == "已签框架协议" and item["investment"] == 5000 and item["chain"] == "有色金属"
    r = cli("import", str(path), "--kind", "招什么", "--map", "完成情况=不存在的字段", ok=False)
    assert "--map 的字段「不存在的字段」" in r.stderr


def test_unknown_columns_are_refused_until_mapped_or_ignored(
    cli: Cli, city: dict[str, int], tmp_path: Path, db_path: Path
) -> None:
    rows = [["项目名称", "产业链", "领导批示", None], ["锌项目", "有色金属", "抓紧推进", "x"]]
    path = write_xlsx(tmp_path / "a.xlsx", {"招什么": rows})
    before = dump(db_path)
    r = cli("import", str(path), ok=False)
    assert "C列「领导批示」：不是「招什么」的字段" in r.stderr
    assert "--map 领导批示=忽略" in r.stderr
    assert "D列：这一列有数据但没有表头" in r.stderr
    assert dump(db_path) == before
    r = cli("import", str(path), "--map", "领导批示=忽略", "--map", "D=备注", ok=True)
    assert "按 --map 忽略 C列「领导批示」" in r.stderr
    assert _get(db_path, "锌项目")["notes"] == "x"


def test_units_in_headers_that_cannot_hold_the_currency(
    cli: Cli, city: dict[str, int], tmp_path: Path, db_path: Path
) -> None:
    rows = [["项目名称", "产业链", "投资额（亿美元）"], ["美元项目", "有色金属", 1]]
    before = dump(db_path)
    r = cli("import", str(write_xlsx(tmp_path / "a.xlsx", {"招什么": rows})), ok=False)
    assert "C列「投资额（亿美元）」" in r.stderr and "不能填美元金额" in r.stderr
    assert dump(db_path) == before
    rows = [["项目名称", "产业链", "外资额（亿美元）"], ["美元项目", "有色金属", 1.5]]
    cli("import", str(write_xlsx(tmp_path / "b.xlsx", {"招什么": rows})), ok=True)
    assert _get(db_path, "美元项目")["foreign_investment"] == 15000  # 1.5 亿美元 = 15000 万美元


BAD = [
    ["项目名称", "产业链", "投资额", "状态", "签约日期", "优先级"],
    ["好项目", "有色金属", "1000", "已签约", "2026-03-01", "A"],
    ["金额坏了", "有色金属", "三亿", "线索", None, None],
    ["日期坏了", "有色金属", None, None, "2026-02-30", None],
    ["状态坏了", "有色金属", None, "洽谈中了吧", "03/04/2026", "D"],
    ["链坏了", "火星产业", None, None, None, None],
    [None, "有色金属", "5", None, None, None],
]


def test_invalid_rows_write_nothing_and_every_problem_is_listed(
    cli: Cli, city: dict[str, int], tmp_path: Path, db_path: Path
) -> None:
    path = write_xlsx(tmp_path / "坏表.xlsx", {"招什么": BAD})
    before = dump(db_path)
    errors = tmp_path / "被拒绝.xlsx"
    r = cli("import", str(path), "--errors", str(errors), ok=False)
    assert r.exit_code == 1
    assert dump(db_path) == before  # not even the good row, not even a history entry
    err = r.stderr
    assert err.startswith("导入「坏表.xlsx」失败，没有写入任何数据：发现 7 个问题")
    assert "「招什么」第3行 C列「投资额」 值「三亿」：" in err and "无法识别的金额" in err
    assert "「招什么」第4行 E列「签约日期」 值「2026-02-30」：" in err and "2026年2月没有30日" in err
    assert "「招什么」第5行 D列「状态」 值「洽谈中了吧」：" in err and "可用：谋划储备、线索、在谈" in err
    assert "「招什么」第5行 E列「签约日期」 值「03/04/2026」：" in err and "有歧义" in err
    assert "「招什么」第5行 F列「优先级」 值「D」：「D」不是可选值" in err
    assert "「招什么」第6行 B列「产业链」 值「火星产业」：没有名为「火星产业」的产业链" in err
    assert "「招什么」第7行 项目名称：项目名称不能为空" in err
    assert "Traceback" not in err
    # the whole sheet comes back: every row in its place, the reasons beside the bad ones
    back = records(errors, "招什么")
    assert [x["项目名称"] for x in back] == ["好项目", "金额坏了", "日期坏了", "状态坏了", "链坏了", None]
    assert back[0]["错误说明"] is None
    assert "无法识别的金额" in back[1]["错误说明"]
    assert "有歧义" in back[3]["错误说明"] and "不是可选值" in back[3]["错误说明"]
    # fix the rejected rows in the errors file and import it: every row arrives exactly once
    wb = openpyxl.load_workbook(errors)
    ws = wb["招什么"]
    fixes = {3: ("C", "3亿"), 4: ("E", "2026-02-28"), 6: ("B", "有色金属")}
    for row, (col, value) in fixes.items():
        ws[f"{col}{row}"] = value
    ws["D4"] = "已签约"  # a signing date needs the status that goes with it
    ws["D5"], ws["E5"], ws["F5"] = "已签约", "2026-03-04", "B"
    ws["A7"] = "补上名称的项目"
    wb.save(errors)
    r = cli("import", str(errors), ok=True)
    assert "新增 6" in r.stderr
    assert _get(db_path, "金额坏了")["investment"] == 30000
    assert _get(db_path, "好项目")["investment"] == 1000
    r = cli("import", str(errors), ok=True)  # and once only
    assert "没有变化" in r.stderr


def test_dry_run_reports_and_writes_nothing(cli: Cli, city: dict[str, int], tmp_path: Path, db_path: Path) -> None:
    rows = [
        ["编号", "项目名称", "产业链", "投资额"],
        [city["铜箔"], "年产5万吨铜箔项目", "有色金属", 40000],
        [city["蛋白"], "大豆分离蛋白项目", "大豆加工", 1200.5],
        [None, "新项目", "大豆加工", 100],
    ]
    path = write_xlsx(tmp_path / "a.xlsx", {"招什么": rows})
    before = dump(db_path)
    r = cli("import", str(path), "--dry-run", ok=True)
    assert dump(db_path) == before
    assert "预演（没有写入）：新增 1，修改 1，不变 1，拒绝 0" in r.stderr
    assert f"编号 {city['铜箔']}「年产5万吨铜箔项目」：投资额 35600 → 40000" in r.stdout
    r = cli("import", str(path), "--dry-run", "--format", "json", ok=True)
    data = json.loads(r.stdout)
    assert (data["added"], data["updated"], data["unchanged"], data["rejected"], data["written"]) == (1, 1, 1, 0, False)
    assert data["changes"][0]["fields"] == [{"field": "投资额", "old": "35600", "new": "40000"}]
    bad = write_xlsx(tmp_path / "b.xlsx", {"招什么": BAD})
    r = cli("import", str(bad), "--dry-run", ok=False)
    assert r.exit_code == 1 and "预演导入「b.xlsx」：发现 7 个问题，正式导入将被拒绝" in r.stderr
    assert dump(db_path) == before


def test_suspected_duplicates_are_never_silently_doubled(
    cli: Cli, city: dict[str, int], tmp_path: Path, db_path: Path
) -> None:
    rows = [["项目名称", "产业链", "投资额"], ["年產 5萬噸銅箔（项目）", "有色金属", 50000]]
    path = write_xlsx(tmp_path / "a.xlsx", {"招什么": rows})
    before = dump(db_path)
    r = cli("import", str(path), ok=False)
    assert "发现 1 个疑似重复" in r.stderr
    assert f"≈ 编号 {city['铜箔']}「年产5万吨铜箔项目」" in r.stderr and "--on-duplicate" in r.stderr
    assert dump(db_path) == before
    r = cli("import", str(path), "--dry-run", ok=False)
    assert "疑似重复" in r.stdout
    cli("import", str(path), "--on-duplicate", "skip", ok=True)
    assert dump(db_path)["items"] == before["items"]
    r = cli("import", str(path), "--on-duplicate", "update", ok=True)
    assert "修改 1" in r.stderr
    assert _get(db_path, "年产5万吨铜箔项目")["investment"] == 50000
    r = cli("import", str(path), ok=True)  # now identical: unchanged, no question asked
    assert "没有变化" in r.stderr
    rows[1][2] = 60000
    cli("import", str(write_xlsx(tmp_path / "b.xlsx", {"招什么": rows})), "--on-duplicate", "new", ok=True)
    db = open_db(db_path)
    assert db.conn.execute("SELECT count(*) FROM items WHERE kind = 'targets'").fetchone()[0] == 3


def test_duplicates_inside_one_file(cli: Cli, city: dict[str, int], tmp_path: Path, db_path: Path) -> None:
    rows = [["项目名称", "产业链", "投资额"], ["锌冶炼项目", "有色金属", 1], ["锌冶炼 项目", "有色金属", 2]]
    path = write_xlsx(tmp_path / "a.xlsx", {"招什么": rows})
    r = cli("import", str(path), ok=False)
    assert "「招什么」第3行「锌冶炼 项目」≈ 本文件「招什么」第2行「锌冶炼项目」" in r.stderr
    # one project, two figures: which is right only the county can say (never the later row in silence)
    r = cli("import", str(path), "--on-duplicate", "update", ok=False)
    assert "「招什么」第3行 C列「投资额」 值「2」：与「招什么」第2行 C列「投资额」（1）是同一项目" in r.stderr
    rows[1][2] = 2
    cli("import", str(write_xlsx(tmp_path / "b.xlsx", {"招什么": rows})), "--on-duplicate", "update", ok=True)
    assert _get(db_path, "锌冶炼项目")["investment"] == 2
    db = open_db(db_path)
    assert db.conn.execute("SELECT count(*) FROM items WHERE title LIKE '锌冶炼%'").fetchone()[0] == 1


def test_plain_file_ids_are_checked(cli: Cli, city: dict[str, int], tmp_path: Path, db_path: Path) -> None:
    """A CSV from elsewhere with its own 编号: unknown ids are new items, an id naming an
    unrelated item of ours is refused rather than overwriting it."""
    path = tmp_path / "other.csv"
    path.write_text(
        f"编号,项目名称,产业链\n{city['蛋白']},完全无关的项目,有色金属\n9999,外来项目,有色金属\n", encoding="utf-8"
    )
    r = cli("import", str(path), "--kind", "招什么", ok=False)
    assert f"本库编号 {city['蛋白']} 是「大豆分离蛋白项目」，与本行的名称不符" in r.stderr
    path.write_text("编号,项目名称,产业链\n9999,外来项目,有色金属\n", encoding="utf-8")
    r = cli("import", str(path), "--kind", "招什么", ok=True)
    assert "1 行的编号在本库中不存在，已作为新条目导入" in r.stderr
    assert _get(db_path, "外来项目")["id"] != 9999


def test_mixed_kinds_table_and_other_systems_json(
    cli: Cli, city: dict[str, int], tmp_path: Path, db_path: Path
) -> None:
    path = tmp_path / "list.json"
    data = [
        {"清单": "招什么", "名称": "光伏组件项目", "产业链": "有色金属", "投资额": "2.5亿"},
        {"清单": "找誰招", "名称": "李四", "产业链": "有色金属", "电话": "13512345678", "单位": "校友会"},
        {"清单": "有什么", "名称": "某园区", "产业链": "大豆加工", "投资额": "1"},
    ]
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    r = cli("import", str(path), ok=False)
    assert "「list」第4行 D列「投资额」 值「1」：「有什么」清单没有这一项" in r.stderr
    data.pop()
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    cli("import", str(path), ok=True)
    assert _get(db_path, "光伏组件项目")["investment"] == 25000
    li = _get(db_path, "李四")
    assert li["kind"] == "contacts" and li["phone"] == "13512345678" and li["organization"] == "校友会"


def test_yaml_records(cli: Cli, city: dict[str, int], tmp_path: Path, db_path: Path) -> None:
    path = tmp_path / "去哪招.yaml"
    path.write_text("- 活动名称: 哈洽会\n  产业链: 大豆加工\n  开始日期: 2026-06-15\n  级别: 国际\n", encoding="utf-8")
    cli("import", str(path), ok=True)
    ev = _get(db_path, "哈洽会")
    assert ev["kind"] == "events" and ev["start_date"] == "2026-06-15" and ev["level"] == "国际"


def test_detail_sheets_from_a_county(cli: Cli, city: dict[str, int], tmp_path: Path, db_path: Path) -> None:
    sheets = {
        "对接记录": [
            ["项目编号", "对接方式", "日期", "对接内容"],
            [city["铜箔"], "洽谈", "2026年4月8日", "签约前最后一轮"],
            [city["铜箔"], "走访", "2030-01-01", "未来的走访"],
        ],
        "到位资金": [
            ["条目编号", "月份", "到位资金（亿元）"],
            [city["蛋白"], "2026年4月", 0.2],
            [city["铜矿"], "2026-04", 1],
        ],
    }
    path = write_xlsx(tmp_path / "a.xlsx", sheets)
    before = dump(db_path)
    r = cli("import", str(path), ok=False)
    assert "「对接记录」第3行 C列「日期」 值「2030-01-01」：对接日期晚于今天" in r.stderr
    assert "「到位资金」第3行" in r.stderr and "到位资金只能记在项目上" in r.stderr
    assert dump(db_path) == before
    sheets["对接记录"].pop()
    sheets["到位资金"].pop()
    cli("import", str(write_xlsx(tmp_path / "b.xlsx", sheets)), ok=True)
    db = open_db(db_path)
    act = db.conn.execute("SELECT type, date FROM activities WHERE summary = '签约前最后一轮'").fetchone()
    assert act == ("对接", "2026-04-08")
    fund = db.conn.execute(
        "SELECT domestic FROM funds WHERE item_id = ? AND month = '2026-04'", (city["蛋白"],)
    ).fetchone()
    assert fund == (2000.0,)
    r = cli("import", str(tmp_path / "b.xlsx"), ok=True)
    assert "没有变化" in r.stderr


def test_not_a_list_at_all(cli: Cli, city: dict[str, int], tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "a.xlsx", {"招什么": [["会议纪要"], ["今天开了个会"]]})
    r = cli("import", str(path), ok=False)
    assert "找不到表头" in r.stderr
    r = cli("import", str(tmp_path / "nothing.xlsx"), ok=False)
    assert "找不到文件" in r.stderr


def test_a_filled_in_template_imports_as_new_items(
    cli: Cli, city: dict[str, int], tmp_path: Path, db_path: Path
) -> None:
    path = tmp_path / "模板.xlsx"
    cli("template", str(path), "--kind", "招什么", ok=True)
    wb = openpyxl.load_workbook(path)
    ws = wb["招什么"]
    heads = [c.value for c in ws[1]]
    row = [None] * len(heads)
    row[heads.index("项目名称")] = "模板填报的项目"
    row[heads.index("产业链")] = "大豆加工"
    row[heads.index("投资额（万元）")] = "1.2亿"
    ws.append(row)
    wb.save(path)
    r = cli("import", str(path), ok=True)
    assert "这是 zs template 生成的填报模板" in r.stderr and "新增 1" in r.stderr
    assert _get(db_path, "模板填报的项目")["investment"] == 12000


def test_progress_is_reported_for_large_files(city: dict[str, int], tmp_path: Path, db_path: Path) -> None:
    from zhaoshang.exchange.importer import ImportOptions, import_file

    path = tmp_path / "大表.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["项目名称", "产业链", "投资额"])
        w.writerows([f"批量项目{i}", "有色金属", i] for i in range(6000))
    seen: list[tuple[str, int]] = []
    report = import_file(
        open_db(db_path), path, ImportOptions(kind="招什么"), user="测试员", progress=lambda s, n: seen.append((s, n))
    )
    assert report.total("added") == 6000
    assert seen == [("大表", 5000)]


def test_a_headerless_column_with_data_only_far_down_is_never_dropped(
    cli: Cli, city: dict[str, int], tmp_path: Path, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from zhaoshang.exchange import tables

    monkeypatch.setattr(tables, "LOOKAHEAD", 5)  # the column map is made from the first 5 rows
    lines = ["项目名称,产业链"] + [f"远行项目{i},有色金属" for i in range(12)]
    lines[10] += ",第10行多出来的一格"
    path = tmp_path / "far.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = dump(db_path)
    r = cli("import", str(path), "--kind", "招什么", ok=False)
    assert "第11行 C列 值「第10行多出来的一格」：这一列没有表头" in r.stderr and "--map far!C=忽略" in r.stderr
    assert dump(db_path) == before
    cli("import", str(path), "--kind", "招什么", "--map", "C=忽略", ok=True)
    assert _get(db_path, "远行项目11")["chain"] == "有色金属"


def test_a_project_alone_on_its_row_is_not_taken_for_a_heading(
    cli: Cli, city: dict[str, int], tmp_path: Path, db_path: Path
) -> None:
    path = tmp_path / "alone.csv"
    path.write_text("项目名称,产业链\n1.5万吨铜箔项目,\n二、续建项目,\n", encoding="utf-8")
    r = cli("import", str(path), "--kind", "招什么", "--chain", "有色金属", ok=True)
    assert "新增 1" in r.stderr and "第3行为分组标题，已跳过" in r.stderr
    assert _get(db_path, "1.5万吨铜箔项目")["chain"] == "有色金属"


def test_errors_file_for_a_csv_whose_name_no_sheet_may_have(
    cli: Cli, city: dict[str, int], tmp_path: Path, db_path: Path
) -> None:
    path = tmp_path / "爱辉区[11月]报表：终稿.csv"
    path.write_text("项目名称,产业链,投资额\n好项目,有色金属,5\n坏项目,有色金属,三亿\n", encoding="utf-8")
    errors = tmp_path / "改正.xlsx"
    r = cli("import", str(path), "--kind", "招什么", "--errors", str(errors), ok=False)
    assert "Traceback" not in r.stderr and "内部错误" not in r.stderr
    back = records(errors, "爱辉区_11月_报表：终稿")
    assert [x["项目名称"] for x in back] == ["好项目", "坏项目"] and "无法识别的金额" in back[1]["错误说明"]


def test_a_second_table_far_down_the_sheet_is_a_problem_of_the_sheet(
    cli: Cli, city: dict[str, int], tmp_path: Path, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from zhaoshang.exchange import tables

    monkeypatch.setattr(tables, "LOOKAHEAD", 3)  # the second table lies beyond the rows read ahead
    lines = ["项目名称,产业链,投资额"] + [f"上表项目{i},有色金属,{i}" for i in range(6)]
    lines += [",,", "姓名,单位,职务", "张三,深圳黑龙江商会,会长"]
    path = tmp_path / "two.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = dump(db_path)
    errors = tmp_path / "改正.xlsx"
    r = cli("import", str(path), "--kind", "招什么", "--errors", str(errors), ok=False)
    assert "第9行（姓名、单位、职务）是另一张表的表头" in r.stderr
    assert dump(db_path) == before and errors.exists()  # the sheet comes back to be split

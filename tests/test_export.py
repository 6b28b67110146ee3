"""zs export and zs template: the workbook layout, cell types, drop-downs, the hidden meta
sheet, formula safety, CSV/JSON/YAML forms, masking, filters and atomic writes."""

from __future__ import annotations

import csv
import datetime as dt
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
import yaml
from conftest import Cli, dump
from exchange_util import make_city, open_db, records, sheet_rows

pytestmark = pytest.mark.engines

ROOT = Path(__file__).resolve().parent.parent
KIND_SHEETS = ["有什么", "招什么", "去哪招", "说什么", "找谁招", "配套什么", "解决什么"]


@pytest.fixture
def city(db_path: Path) -> dict[str, int]:
    return make_city(db_path)


@pytest.fixture
def book(cli: Cli, city: dict[str, int], tmp_path: Path) -> Path:
    out = tmp_path / "全部.xlsx"
    r = cli("export", str(out), ok=True)
    assert r.stdout == ""
    assert "已导出 8 个条目" in r.stderr
    return out


def test_workbook_sheets_in_order_with_hidden_meta(book: Path, db_path: Path) -> None:
    wb = openpyxl.load_workbook(book)
    assert wb.sheetnames == [
        "汇总",
        *KIND_SHEETS,
        "产业链",
        "招商主体",
        "对接记录",
        "到位资金",
        "前期手续",
        "服务专班",
        "阶段变更",
        "_meta",
    ]
    assert [wb[s].sheet_state for s in wb.sheetnames if s.startswith("_")] == ["hidden"]
    assert all(wb[s].sheet_state == "visible" for s in wb.sheetnames if not s.startswith("_"))
    meta = {r[0]: r[1] for r in sheet_rows(book, "_meta")[1:]}
    db = open_db(db_path)
    assert meta["format"] == "zhaoshang"
    assert meta["type"] == "export"
    assert meta["db_id"] == db.identity
    assert meta["schema_version"] == str(db.version)
    assert meta["filter"] == "全部"
    assert meta["masked"] == "0"
    exported = dt.datetime.fromisoformat(meta["exported_at"])
    assert abs((dt.datetime.now() - exported).total_seconds()) < 120
    assert meta["sheets"].startswith("有什么=1；招什么=2；")


def test_item_sheet_header_freeze_filter_widths(book: Path, db_path: Path) -> None:
    wb = openpyxl.load_workbook(book)
    ws = wb["招什么"]
    header = [c.value for c in ws[1]]
    db = open_db(db_path)
    kind = db.defs.kind("招什么")
    assert header[:7] == ["编号", "项目名称", "产业链", "状态", "责任人", "责任单位", "时限"]
    assert header[7 : 7 + len(kind.fields)] == [f.header for f in kind.fields]
    assert header[-4:] == ["备注", "创建时间", "更新时间", "办结时间"]
    assert "投资额（万元）" in header and "外资额（万美元）" in header
    assert ws.freeze_panes == "C2"
    assert ws.auto_filter.ref == f"A1:{openpyxl.utils.get_column_letter(len(header))}3"
    assert all(c.font.b for c in ws[1])
    widths = {k: v.width for k, v in ws.column_dimensions.items()}
    assert widths["B"] >= 20  # 项目名称 is wide, measured from the data
    assert 8 <= widths["A"] <= 12


def test_cells_are_typed_dates_money_text(book: Path, city: dict[str, int]) -> None:
    wb = openpyxl.load_workbook(book)
    ws = wb["招什么"]
    header = [c.value for c in ws[1]]
    row = next(r for r in ws.iter_rows(min_row=2) if r[0].value == city["铜箔"])
    cell = dict(zip(header, row, strict=True))
    assert cell["编号"].data_type == "n"
    assert cell["投资额（万元）"].value == 35600 and cell["投资额（万元）"].data_type == "n"
    assert cell["投资额（万元）"].number_format == "#,##0.00"
    assert cell["时限"].is_date and cell["时限"].value == dt.datetime(2026, 6, 30)
    assert cell["时限"].number_format == "yyyy-mm-dd"
    assert cell["创建时间"].is_date
    assert cell["状态"].value == "在谈"
    assert cell["重点项目"].value == "是"
    assert cell["优先级"].value == "A"
    assets = wb["有什么"]
    heads = [c.value for c in assets[1]]
    phone = assets.cell(row=2, column=heads.index("联系电话") + 1)
    assert phone.value == "13800138000" and phone.data_type == "s"  # a phone number stays text
    assert phone.number_format == "@"


def test_every_item_round_trips_cell_by_cell(book: Path, db_path: Path) -> None:
    """Each exported cell equals the stored value (dates as dates, money as numbers)."""
    from zhaoshang import items

    db = open_db(db_path)
    for kind in db.defs.kinds:
        rows = records(book, kind.name)
        assert len(rows) == db.conn.execute("SELECT count(*) FROM items WHERE kind = ?", (kind.key,)).fetchone()[0]
        for rec in rows:
            item = items.get(db, rec["编号"])
            assert rec[kind.title.label] == item["title"]
            assert rec["产业链"] == item["chain"]
            assert rec["状态"] == item["status"]
            assert rec["责任单位"] == item["unit"]
            for f in kind.fields:
                want, got = item.get(f.key), rec[f.header]
                if want is None:
                    assert got is None, (f.key, got)
                elif f.type == "date":
                    assert got == dt.datetime.fromisoformat(want)
                elif f.type == "bool":
                    assert got == ("是" if want else "否")
                elif f.type in ("money", "number", "integer", "ref"):
                    assert got == want
                else:
                    assert got == want, (f.key, got, want)


def test_detail_sheets(book: Path, city: dict[str, int]) -> None:
    acts = records(book, "对接记录")
    assert [a["内容"] for a in acts] == ["赴江西洽谈，对方有意向", "电话跟进"]
    assert acts[1]["条目编号"] == city["铜箔"]
    assert acts[1]["名称"] == "年产5万吨铜箔项目"
    assert acts[1]["下次跟进"] == dt.datetime(2026, 5, 1)
    funds = records(book, "到位资金")
    assert funds == [
        {
            "条目编号": city["蛋白"],
            "项目名称": "大豆分离蛋白项目",
            "产业链": "大豆加工",
            "月份": "2026-03",
            "国内资金（万元）": 500,
            "外资（万美元）": 20,
            "填报人": "测试员",
            "认定状态": "已认定",  # (报送 → 认定: only confirmed rows count)
        }
    ]
    assert records(book, "前期手续")[0]["手续"] == "立项"
    assert records(book, "服务专班")[0]["电话"] == "13900001111"
    chains = records(book, "产业链")
    assert chains[0]["名称"] == "有色金属" and chains[0]["包保领导"] == "王建国"
    log = records(book, "阶段变更")
    assert {(r["条目编号"], r["新状态"]) for r in log} >= {(city["铜箔"], "在谈")}
    assert {r["认定状态"] for r in log} == {"已认定"}


def test_summary_sheet_counts(book: Path) -> None:
    rows = sheet_rows(book, "汇总")
    assert rows[0][0] == "招商引资清单汇总"
    header = next(r for r in rows if r[0] == "产业链")
    assert header[:4] == ["产业链", "包保领导", "有什么", "招什么"]
    metal = next(r for r in rows if r[0] == "有色金属")
    assert metal[2:9] == [1, 1, 0, 1, 1, 1, 1]
    total = next(r for r in rows if r[0] == "合计")
    assert total[9] == 8


def test_drop_downs_on_enum_status_chain_unit_columns(book: Path, city: dict[str, int]) -> None:
    wb = openpyxl.load_workbook(book)
    ws = wb["招什么"]
    header = [c.value for c in ws[1]]
    lists = {}
    for dv in ws.data_validations.dataValidation:
        col = str(dv.sqref).split(":")[0].rstrip("0123456789")
        lists[header[openpyxl.utils.column_index_from_string(col) - 1]] = dv
    assert set(lists) >= {"状态", "产业链", "责任单位", "优先级", "链环节", "招商方式", "类别", "重点项目"}
    assert lists["状态"].formula1 == '"谋划储备,线索,在谈,已签约,已入统,已开工,已投产,退库"'
    assert lists["产业链"].formula1 == '"有色金属,大豆加工"'
    assert lists["状态"].type == "list" and lists["状态"].allow_blank
    assert str(lists["状态"].sqref) == "D2:D1048576"
    assert "项目名称" not in lists and "投资额（万元）" not in lists


def test_long_lists_go_to_a_hidden_lists_sheet(cli: Cli, city: dict[str, int], tmp_path: Path, db_path: Path) -> None:
    from zhaoshang import lookups

    with open_db(db_path) as db, db.command("units", user="测试员"):
        for i in range(40):
            lookups.create(db, lookups.UNIT, f"第{i}个很长名字的经济技术开发区", {})
    out = tmp_path / "x.xlsx"
    cli("export", str(out), "--kind", "招什么", ok=True)
    wb = openpyxl.load_workbook(out)
    assert wb["_lists"].sheet_state == "hidden"
    ws = wb["招什么"]
    unit_dv = next(dv for dv in ws.data_validations.dataValidation if str(dv.sqref).startswith("F2"))
    assert unit_dv.formula1.startswith("'_lists'!$A$1:$A$")
    listed = [r[0] for r in sheet_rows(out, "_lists")]
    assert listed[:2] == ["爱辉区", "北安市"] and len(listed) == 42


FORMULAS = ["=1+2", "+86 138", "-5 天", "@SUM(A1)", '=HYPERLINK("http://x")']


def test_text_never_becomes_a_formula(cli: Cli, city: dict[str, int], tmp_path: Path) -> None:
    for i, text in enumerate(FORMULAS):
        cli("add", "--chain", "有色金属", "--", "招什么", text, f"备注={text}", f"目标企业=公司{i}", ok=True)
    out = tmp_path / "f.xlsx"
    cli("export", str(out), "--kind", "招什么", ok=True)
    with zipfile.ZipFile(out) as z:
        sheet_xml = z.read("xl/worksheets/sheet2.xml").decode()
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml
    wb = openpyxl.load_workbook(out)
    titles = {c.value: c.data_type for c in wb["招什么"]["B"][1:]}
    for text in FORMULAS:
        assert titles[text] == "s"
    csv_out = tmp_path / "f.csv"
    cli("export", str(csv_out), "--kind", "招什么", ok=True)
    rows = list(csv.reader(csv_out.open(encoding="utf-8-sig")))
    titles_csv = {r[1] for r in rows[1:]}
    for text in FORMULAS:
        assert "'" + text in titles_csv
    assert "年产5万吨铜箔项目" in titles_csv  # ordinary text is untouched
    assert any(r[-4] == "'=SUM(A1:A9)" for r in rows[1:])  # 备注 of 铜箔


def test_csv_is_utf8_with_bom_and_one_kind(cli: Cli, city: dict[str, int], tmp_path: Path) -> None:
    out = tmp_path / "项目.csv"
    cli("export", str(out), "--kind", "targets", ok=True)
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows[0][:4] == ["编号", "项目名称", "产业链", "状态"]
    assert len(rows) == 3
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["投资额（万元）"] == "35600"
    assert row["时限"] == "2026-06-30"
    assert row["重点项目"] == "是"
    assert row["创建时间"][10] == " "  # readable timestamps, not ISO "T"


def test_csv_of_all_kinds_has_a_kind_column(cli: Cli, city: dict[str, int], tmp_path: Path) -> None:
    out = tmp_path / "全部.csv"
    cli("export", str(out), ok=True)
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    assert len(rows) == 8
    assert rows[0]["清单"] == "有什么" and rows[0]["联系电话"] == "13800138000"
    contact = next(r for r in rows if r["清单"] == "找谁招")
    assert contact["电话"] == "0456-8123456" and contact["单位"] == "深圳黑龙江商会"
    assert contact["职务"] == "'+86 会长"


def test_json_and_yaml_are_machine_forms(cli: Cli, city: dict[str, int], tmp_path: Path, db_path: Path) -> None:
    j, y = tmp_path / "a.json", tmp_path / "a.yaml"
    cli("export", str(j), ok=True)
    cli("export", str(y), ok=True)
    data = json.loads(j.read_text(encoding="utf-8"))
    assert list(data) == ["_meta", "chains", "units", "items", "activities", "funds", "approvals", "team", "status_log"]
    from_yaml = yaml.safe_load(y.read_text(encoding="utf-8"))
    assert {k: v for k, v in from_yaml.items() if k != "_meta"} == {k: v for k, v in data.items() if k != "_meta"}
    meta = {m["key"]: m["value"] for m in data["_meta"]}
    assert meta["db_id"] == open_db(db_path).identity
    item = next(i for i in data["items"] if i["id"] == city["铜箔"])
    assert item["kind"] == "targets"
    assert item["investment"] == 35600 and isinstance(item["investment"], int)
    assert item["due"] == "2026-06-30"
    assert item["key_project"] is True
    assert item["notes"] == "=SUM(A1:A9)"  # JSON is data, not a spreadsheet: no escaping
    assert all(k.isascii() for rec in data["items"] for k in rec)
    assert data["funds"][0]["foreign_usd"] == 20


def test_mask_hides_phones(cli: Cli, city: dict[str, int], tmp_path: Path) -> None:
    out = tmp_path / "m.xlsx"
    r = cli("export", str(out), "--mask", ok=True)
    assert "已隐藏敏感信息" in r.stderr
    assert records(out, "有什么")[0]["联系电话"] == "138****8000"
    assert records(out, "找谁招")[0]["电话"] == "045****3456"
    assert records(out, "服务专班")[0]["电话"] == "139****1111"
    meta = {r[0]: r[1] for r in sheet_rows(out, "_meta")[1:]}
    assert meta["masked"] == "1"
    c = tmp_path / "m.csv"
    cli("export", str(c), "--mask", ok=True)
    assert "13800138000" not in c.read_text(encoding="utf-8-sig")


def test_filters(cli: Cli, city: dict[str, int], tmp_path: Path) -> None:
    out = tmp_path / "f.xlsx"
    r = cli("export", str(out), "--chain", "大豆加工", "--month", "2026-04", ok=True)
    assert "产业链=大豆加工" in r.stderr
    assert [x["项目名称"] for x in records(out, "招什么")] == ["大豆分离蛋白项目"]
    assert records(out, "对接记录") == []  # the chain's activities are in March… and 铜箔 is not in it
    assert records(out, "到位资金") == []  # funds of 2026-03 only
    out2 = tmp_path / "g.xlsx"
    cli("export", str(out2), "--kind", "招什么", "投资额>=10000", "--month", "2026-04", ok=True)
    wb = openpyxl.load_workbook(out2)
    assert "有什么" not in wb.sheetnames and "到位资金" not in wb.sheetnames
    assert [x["编号"] for x in records(out2, "招什么")] == [city["铜箔"]]
    assert [x["内容"] for x in records(out2, "对接记录")] == ["电话跟进"]
    out3 = tmp_path / "h.csv"
    cli("export", str(out3), "--status", "在谈", ok=True)
    assert [r["名称"] for r in csv.DictReader(out3.open(encoding="utf-8-sig"))] == ["年产5万吨铜箔项目"]


def test_bad_requests_are_user_errors(cli: Cli, city: dict[str, int], tmp_path: Path) -> None:
    r = cli("export", str(tmp_path / "x.pdf"), ok=False)
    assert r.exit_code == 1 and "不支持导出为「.pdf」" in r.stderr
    r = cli("export", str(tmp_path / "no" / "x.xlsx"), ok=False)
    assert "不存在" in r.stderr
    r = cli("export", str(tmp_path / "x.xlsx"), "--chain", "火星", ok=False)
    assert "没有名为「火星」的产业链" in r.stderr
    assert not (tmp_path / "x.xlsx").exists()


def test_export_is_atomic(city: dict[str, int], db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A failure half way leaves the old file as it was and no temporary file behind."""
    from zhaoshang.exchange import export as ex

    out = tmp_path / "清单.xlsx"
    out.write_bytes(b"old content")
    db = open_db(db_path)
    real = ex.add_validations
    calls = 0

    def failing(*a: object, **k: object) -> None:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise OSError(28, "No space left on device")
        real(*a, **k)  # type: ignore[arg-type]

    monkeypatch.setattr(ex, "add_validations", failing)
    from zhaoshang.errors import ZsError

    with pytest.raises(ZsError, match="磁盘空间不足") as err:  # the domain error, naming the file
        ex.export(db, out)
    assert str(out) in err.value.message
    assert out.read_bytes() == b"old content"
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(("zs.db", "_"))) == ["清单.xlsx"]
    monkeypatch.setattr(ex, "add_validations", real)
    ex.export(db, out)
    assert openpyxl.load_workbook(out).sheetnames[0] == "汇总"


def test_fast_and_plain_writers_give_the_same_cells(city: dict[str, int], db_path: Path, tmp_path: Path) -> None:
    from zhaoshang.exchange.export import export

    db = open_db(db_path)
    a, b = tmp_path / "fast.xlsx", tmp_path / "plain.xlsx"
    export(db, a, fast=True)
    export(db, b, fast=False)
    wa, wb = openpyxl.load_workbook(a), openpyxl.load_workbook(b)
    for name in wa.sheetnames:
        if name in ("汇总", "_meta"):
            continue
        va = [[(c.value, c.number_format) for c in r] for r in wa[name].iter_rows()]
        vb = [[(c.value, c.number_format) for c in r] for r in wb[name].iter_rows()]
        assert va == vb, name


def test_export_writes_nothing_to_the_database(cli: Cli, city: dict[str, int], db_path: Path, tmp_path: Path) -> None:
    before = dump(db_path)
    cli("export", str(tmp_path / "a.xlsx"), ok=True)
    cli("export", str(tmp_path / "a.csv"), ok=True)
    assert dump(db_path) == before


def test_template(cli: Cli, city: dict[str, int], tmp_path: Path, db_path: Path) -> None:
    out = tmp_path / "填报模板.xlsx"
    r = cli("template", str(out), ok=True)
    assert "已生成填报模板" in r.stderr
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[:8] == ["填写说明", *KIND_SHEETS]
    ws = wb["招什么"]
    assert ws.max_row == 1
    header = [c.value for c in ws[1]]
    assert header[:3] == ["编号", "项目名称", "产业链"] and "创建时间" not in header
    assert any(dv.formula1 == '"有色金属,大豆加工"' for dv in ws.data_validations.dataValidation)
    notes = sheet_rows(out, "填写说明")
    text = "\n".join(str(c) for r in notes for c in r if c)
    assert "新条目请留空" in text and "投资额（万元）" in text and "线索、在谈、已签约" in text
    meta = {r[0]: r[1] for r in sheet_rows(out, "_meta")[1:]}
    assert meta["type"] == "template" and meta["db_id"] == open_db(db_path).identity
    one = tmp_path / "项目.xlsx"
    cli("template", str(one), "--kind", "招什么", ok=True)
    assert [s for s in openpyxl.load_workbook(one).sheetnames if not s.startswith("_")] == ["填写说明", "招什么"]
    r = cli("template", str(tmp_path / "t.csv"), ok=False)
    assert "只能生成 .xlsx" in r.stderr


def test_help_and_list_do_not_load_excel_libraries(tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-m", "zhaoshang", "--db", str(tmp_path / "x.db"), "init"], cwd=ROOT, check=True)
    for args in (["--help"], ["--db", str(tmp_path / "x.db"), "list"]):
        proc = subprocess.run(
            [sys.executable, "-X", "importtime", "-m", "zhaoshang", *args],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "ZHAOSHANG_CACHE": str(tmp_path / "c")},
        )
        assert proc.returncode == 0, proc.stderr[-500:]
        loaded = [ln for ln in proc.stderr.splitlines() if "import time:" in ln]
        assert loaded, "no import timings"
        assert not [ln for ln in loaded if any(x in ln for x in ("openpyxl", "xlsxwriter", "python_calamine"))]

"""The Excel report reopened and checked: sheets, native charts, print setup, figures equal
to the JSON (and so to the terminal), detail rows (in the 明细 workbook beside it) that add up
to every figure, text that never becomes a formula — and LibreOffice opens it (converted to PDF
where installed)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import DEMO_TODAY, Cli

SECTIONS = [
    "封面",
    "产业链",
    "招商主体",
    "擂台赛",
    "项目推进",
    "到位资金",
    "问题台账",
    "大走访与手续",
    "预警",
    "口径说明",
]
DETAILS = [
    "明细-新增项目",
    "明细-对接项目",
    "明细-签约",
    "明细-入统",
    "明细-开工",
    "明细-投产",
    "明细-退库",
    "明细-对接记录",
    "明细-到位资金",
    "明细-问题",
    "明细-走访",
    "明细-施工许可",
    "明细-预警",
]
COVER_ROWS = {  # label on the cover -> figure key
    "对接次数": "contacts",
    "新增项目": "new_targets",
    "签约项目": "signed",
    "签约额": "signed_amount",
    "签约外资额": "signed_foreign",
    "入统项目": "registered",
    "开工项目": "started",
    "投产项目": "producing",
    "到位资金": "funds_domestic",
    "到位外资": "funds_foreign",
}


def _today() -> str:
    return DEMO_TODAY.isoformat()


@pytest.fixture(scope="module")
def demo_report(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, Any]]]:
    """The demo city's monthly report, as a workbook and as JSON (built once for the module,
    in the same isolated environment every test gets)."""
    from zhaoshang.db import Database
    from zhaoshang.definitions import load
    from zhaoshang.demo import load_demo

    tmp_path = tmp_path_factory.mktemp("report")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ZHAOSHANG_CACHE", str(tmp_path / "_cache"))
        mp.setenv("ZHAOSHANG_USER", "测试员")
        mp.setenv("NO_COLOR", "1")
        mp.setenv("ZHAOSHANG_CONFIG", str(tmp_path / "_config.toml"))
        for name in ("ZHAOSHANG_DB", "ZHAOSHANG_CHECKLISTS", "ZHAOSHANG_DEBUG", "ZHAOSHANG_OFFICE"):
            mp.delenv(name, raising=False)
        db_path = tmp_path / "demo.db"
        db = Database.open(db_path, load())
        with db.command("init --demo", user="测试员"):
            load_demo(db, today=DEMO_TODAY)
        db.close()
        yield _build(Cli(db_path), tmp_path)


def _build(cli: Cli, tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    # a title that would be a formula if written carelessly; signed in the report's month
    new = cli("add", "招什么", '=HYPERLINK("http://x","点我")', "--chain", "绿色矿业", "投资额=1200", ok=True)
    item = new.stdout.strip()
    cli("stage", item, "已签约", "--force", "--date", "2026-11-03", ok=True)
    out = tmp_path / "月报.xlsx"
    r = cli("report", "monthly", "--today", _today(), "--out", str(out), ok=True)
    assert r.stdout == ""
    assert "已生成" in r.stderr and "月报.xlsx" in r.stderr and "月报明细.xlsx" in r.stderr
    data = json.loads(cli("report", "monthly", "--today", _today(), "--format", "json", ok=True).stdout)
    data["_db"] = str(cli.db)
    return out, data


def _details(path: Path) -> Any:
    """The 明细 workbook beside the report ``path`` (月报.xlsx → 月报明细.xlsx)."""
    return openpyxl.load_workbook(path.with_name(f"{path.stem}明细.xlsx"))


def _rows(ws: Any) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in ws.iter_rows(values_only=True)]


def _table(ws: Any, header_first: str) -> tuple[list[str], list[dict[str, Any]]]:
    """The table of a detail sheet: its header row (found by its first cell) and rows."""
    rows = _rows(ws)
    i = next(k for k, r in enumerate(rows) if r and r[0] == header_first)
    head = [str(h) for h in rows[i]]
    body = []
    for r in rows[i + 1 :]:
        if all(v is None for v in r):  # a blank row ends the table
            break
        body.append(dict(zip(head, r, strict=False)))
    return head, body


def test_sheets_and_print_setup(demo_report: tuple[Path, dict[str, Any]]) -> None:
    path, data = demo_report
    wb, details = openpyxl.load_workbook(path), _details(path)
    assert wb.sheetnames == SECTIONS and details.sheetnames == DETAILS
    for ws in [*wb.worksheets, *details.worksheets]:
        assert ws.page_setup.orientation == "landscape", ws.title
        assert ws.page_setup.paperSize == 9, ws.title  # A4
        if ws.sheet_properties.pageSetUpPr is not None and ws.sheet_properties.pageSetUpPr.fitToPage:
            # one page wide (1 is the default, which xlsxwriter leaves out), as many pages tall as
            # needed; the cover on one page
            tall = (None, 1) if ws.title == "封面" else (0,)
            assert ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight in tall, ws.title
        else:
            raise AssertionError(f"{ws.title} is not fitted to the page width")
        assert data["title"] in ws.oddHeader.center.text, ws.title
        assert "&P" in ws.oddFooter.center.text
    assert wb["封面"]["A1"].value == f"{data['title']}（{data['period']['label']}）"
    assert details["明细-签约"].print_title_rows is not None  # the header repeats on every page
    assert details["明细-签约"].auto_filter.ref is not None


def test_native_charts_are_present(demo_report: tuple[Path, dict[str, Any]]) -> None:
    path, _ = demo_report
    with zipfile.ZipFile(path) as z:
        charts = {n: z.read(n).decode() for n in z.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n)}
        drawings = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/drawings/_rels/"))
    assert len(charts) == 4
    assert all(Path(n).name in drawings for n in charts)  # each chart is placed on a sheet
    by_title = {
        next(t for t in ("签约额", "擂台赛得分", "项目推进漏斗", "到位资金月度趋势") if t in x): x
        for x in charts.values()
    }
    ranking = by_title["擂台赛得分"]
    assert "<c:barChart>" in ranking and '<c:barDir val="bar"/>' in ranking and "擂台赛!$D$" in ranking
    funnel = by_title["项目推进漏斗"]
    assert '<c:grouping val="stacked"/>' in funnel and "<a:noFill/>" in funnel  # the invisible offset bars
    trend = by_title["到位资金月度趋势"]
    assert "<c:barChart>" in trend and "<c:lineChart>" in trend  # 万元 columns, 万美元 line
    assert trend.count("<c:valAx>") == 2  # two value axes: currencies never share one


def test_cover_figures_equal_the_json(demo_report: tuple[Path, dict[str, Any]]) -> None:
    path, data = demo_report
    ws = openpyxl.load_workbook(path)["封面"]
    total = data["total"]
    seen = set()
    for row in _rows(ws):
        if row and row[0] in COVER_ROWS and row[1] in ("次", "个", "万元", "万美元"):
            key = COVER_ROWS[row[0]]
            seen.add(key)
            assert row[2] == total["period"][key], key
            assert row[3] == total["previous"][key], key
            assert row[5] == total["last_year"][key], key  # 去年同期
            assert row[7] == total["year_to_date"][key], key
            assert row[8] == total["goals"].get(key), key
            assert row[9] == total["completion"].get(key), key
            gap = total["schedule_gap"].get(key)
            assert row[10] == (None if gap is None else round(gap * 100, 1)), key  # 比时序进度（百分点）
            assert row[11] == "查看明细"
    assert seen == set(COVER_ROWS.values())
    ranking = [(r[1], r[2]) for r in _rows(ws) if r and isinstance(r[0], int) and isinstance(r[2], float)]
    assert ranking == [(r["name"], r["score"]) for r in data["ranking"]["rows"]]
    rates = {r[0]: r[1] for r in _rows(ws) if r and r[0] in ("对接签约率", "签约入统率", "入统开工率")}
    assert rates == {
        "对接签约率": total["year_to_date"]["rate_signing"],
        "签约入统率": total["year_to_date"]["rate_registering"],
        "入统开工率": total["year_to_date"]["rate_starting"],
    }


def test_section_sheets_equal_the_json(demo_report: tuple[Path, dict[str, Any]]) -> None:
    path, data = demo_report
    wb = openpyxl.load_workbook(path)
    _, rows = _table(wb["产业链"], "产业链")
    by_chain = {r["产业链"]: r for r in rows}
    for c in data["chains"]:
        assert by_chain[c["name"]]["签约额（万元）"] == c["period"]["signed_amount"]
        assert by_chain[c["name"]]["对接次数（次）"] == c["period"]["contacts"]
    _, ranking = _table(wb["擂台赛"], "名次")
    assert [(r["招商主体"], r["得分"]) for r in ranking if r["招商主体"]] == [
        (r["name"], r["score"]) for r in data["ranking"]["rows"]
    ]
    _, trend = _table(wb["到位资金"], "月份")
    assert [(r["月份"], r["到位资金（万元）"], r["到位外资（万美元）"]) for r in trend if r["月份"]] == [
        (t["month"], t["funds_domestic"], t["funds_foreign"]) for t in data["trend"]
    ]
    definitions = {r[3]: r[2] for r in _rows(wb["口径说明"]) if r and len(r) > 3 and r[3]}
    assert definitions["rate_signing"] == next(
        d["definition"] for d in data["definitions"] if d["key"] == "rate_signing"
    )


def test_detail_rows_add_up_to_every_figure(demo_report: tuple[Path, dict[str, Any]]) -> None:
    path, data = demo_report
    wb = _details(path)
    period, ytd = data["total"]["period"], data["total"]["year_to_date"]

    def counted(sheet: str, first: str, flag: str) -> list[dict[str, Any]]:
        return [r for r in _table(wb[sheet], first)[1] if r.get(flag) == "是"]

    for sheet, key in (
        ("明细-新增项目", "new_targets"),
        ("明细-对接项目", "talks"),
        ("明细-签约", "signed"),
        ("明细-入统", "registered"),
        ("明细-开工", "started"),
        ("明细-投产", "producing"),
        ("明细-退库", "withdrawn"),
    ):
        assert len(counted(sheet, "编号", "计入本期")) == period[key], sheet
        assert len(counted(sheet, "编号", "计入年累计")) == ytd[key], sheet
    signed = counted("明细-签约", "编号", "计入本期")
    assert sum(r["投资额（万元）"] or 0 for r in signed) == pytest.approx(period["signed_amount"])
    contacts = _table(wb["明细-对接记录"], "条目编号")[1]
    assert sum(r["本期对接次数"] for r in contacts) == period["contacts"]
    assert sum(r["年累计对接次数"] for r in contacts) == ytd["contacts"]
    funds = _table(wb["明细-到位资金"], "编号")[1]
    assert sum(r["本期国内资金（万元）"] for r in funds) == pytest.approx(period["funds_domestic"])
    assert sum(r["年累计国内资金（万元）"] for r in funds) == pytest.approx(ytd["funds_domestic"])
    assert sum(r["年累计外资（万美元）"] for r in funds) == pytest.approx(ytd["funds_foreign"])
    visits = _table(wb["明细-走访"], "企业编号")[1]
    assert sum(r["年累计走访次数"] for r in visits) == ytd["visits"]
    assert sum(1 for r in visits if r["年累计走访次数"]) == ytd["visited"]
    assert len(counted("明细-问题", "编号", "在办")) == period["problems_open"]
    assert len(counted("明细-问题", "编号", "超期")) == period["problems_overdue"]
    assert len(counted("明细-问题", "编号", "本期新增")) == period["problems_new"]
    assert len(counted("明细-施工许可", "编号", "计入年累计")) == ytd["permits"]


def test_warning_sheet_equals_zs_warn(demo_report: tuple[Path, dict[str, Any]], tmp_path: Path) -> None:
    """The 预警 sheet counts what zs warn lists (by list, chain and unit) and names the worst red
    items; 明细-预警 in the 明细 workbook lists every warning, in zs warn's order."""
    from zhaoshang.reports.workbook import LEADER_ITEMS

    path, data = demo_report
    warned = json.loads(Cli(Path(data["_db"]))("warn", "--today", _today(), "-f", "json", ok=True).stdout)
    ws = openpyxl.load_workbook(path)["预警"]
    totals = [r for r in _rows(ws) if r and r[0] == "合计"]
    red = sum(w["light"] == "red" for w in warned)
    yellow = sum(w["light"] == "yellow" for w in warned)
    assert red and yellow  # the demo city has both
    assert [(r[1], r[2], r[3]) for r in totals] == [(red, yellow, len({w["id"] for w in warned}))] * 3
    _, leader = _table(ws, "名称")
    worst = list(dict.fromkeys(w["id"] for w in warned if w["light"] == "red"))[:LEADER_ITEMS]
    assert [r["编号"] for r in leader] == worst
    _, listed = _table(_details(path)["明细-预警"], "灯")
    assert [(r["编号"], r["类型"], r["灯"]) for r in listed] == [
        (w["id"], w["type_name"], w["light_name"]) for w in warned
    ]


def test_text_is_never_a_formula(demo_report: tuple[Path, dict[str, Any]]) -> None:
    path, _ = demo_report
    ws = _details(path)["明细-签约"]
    cells = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith("=HYPERLINK")]
    assert cells and all(c.data_type == "s" for c in cells)
    for book in (path, path.with_name("月报明细.xlsx")):
        with zipfile.ZipFile(book) as z:
            sheets = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/sheet"))
        assert "<f>" not in sheets  # no formula anywhere in either workbook


def test_dates_in_detail_sheets_are_date_cells(demo_report: tuple[Path, dict[str, Any]]) -> None:
    path, _ = demo_report
    ws = _details(path)["明细-签约"]
    _, rows = _table(ws, "编号")
    assert rows and all(r["签约日期"] is None or hasattr(r["签约日期"], "year") for r in rows)


def test_an_empty_period_still_makes_a_workbook(demo_db: Path, tmp_path: Path) -> None:
    cli = Cli(demo_db)
    out = tmp_path / "空.xlsx"
    cli(
        "report",
        "period",
        "--from",
        "2020-01-01",
        "--to",
        "2020-01-31",
        "--today",
        _today(),
        "--out",
        str(out),
        ok=True,
    )
    assert openpyxl.load_workbook(out).sheetnames == SECTIONS
    details = _details(out)
    assert details.sheetnames == DETAILS
    assert _table(details["明细-签约"], "编号")[1] == []


def test_refuses_other_extensions_and_writes_nothing(demo_db: Path, tmp_path: Path) -> None:
    cli = Cli(demo_db)
    r = cli("report", "monthly", "--out", str(tmp_path / "月报.csv"), ok=False)
    assert r.exit_code == 1 and ".xlsx" in r.stderr
    r = cli("report", "monthly", "--out", str(tmp_path / "没有的目录" / "月报.xlsx"), ok=False)
    assert r.exit_code == 1 and "不存在" in r.stderr
    (tmp_path / "月报.xlsx").mkdir()
    r = cli("report", "monthly", "--out", str(tmp_path / "月报.xlsx"), ok=False)
    assert r.exit_code == 1 and "是一个目录" in r.stderr
    assert [p.name for p in tmp_path.glob("月报*")] == ["月报.xlsx"] and not any((tmp_path / "月报.xlsx").iterdir())


@pytest.mark.slow
@pytest.mark.libreoffice
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_opens_the_workbook(demo_report: tuple[Path, dict[str, Any]], tmp_path: Path) -> None:
    path, _ = demo_report
    outdir = tmp_path / "pdf"
    profile = tmp_path / "lo-profile"  # a private profile: runs beside any other soffice
    done = subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(outdir),
            str(path),
        ],
        capture_output=True,
        timeout=180,
        check=False,
    )
    pdf = outdir / "月报.pdf"
    assert done.returncode == 0, done.stderr
    assert pdf.is_file() and pdf.stat().st_size > 10_000
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page\b", data))
    sheets = len(openpyxl.load_workbook(path).sheetnames)
    # every sheet on at least one page; wide sheets spread over a few more at 8 pt, not one at 4 pt
    assert sheets <= pages <= 6 * sheets, (sheets, pages)


@pytest.mark.parametrize("sheet", ["产业链", "招商主体"])
def test_a_total_is_the_sum_of_the_rows_above_it(demo_report: tuple[Path, dict[str, Any]], sheet: str) -> None:
    """合计 adds up the rows above it, targets included; the office-wide target, where it is
    not that sum, is a row of its own that says what it is."""
    from zhaoshang.reports.workbook import TOTAL_GOAL_LABEL

    path, data = demo_report
    ws = openpyxl.load_workbook(path)[sheet]
    rows = _rows(ws)
    start = next(i for i, r in enumerate(rows) if str(r[0] or "").startswith("年累计与年度目标")) + 2
    end = next(i for i in range(start, len(rows)) if rows[i][0] == "合计")
    body, total = rows[start:end], rows[end]
    heads = rows[start - 1]
    checked = 0
    for col, head in enumerate(heads):
        if head and (str(head).endswith("年累计") or str(head).endswith("目标")):
            values = [r[col] for r in body if isinstance(r[col], int | float)]
            if total[col] is None:
                assert values == [], head
                continue
            assert total[col] == pytest.approx(sum(values)), (sheet, head)
            checked += 1
    assert checked >= 5  # every 年累计 column, and each 目标 column some row has
    scope = data["total"]
    following = rows[end + 1] if end + 1 < len(rows) else ()
    goal_cols = {
        key: heads.index(f"{label}目标")
        for key, label in (("signed_amount", "签约额"), ("funds_domestic", "到位资金"), ("started", "开工项目"))
    }
    if following and following[0] == TOTAL_GOAL_LABEL:  # the office-wide targets, as the JSON has them
        assert all(following[c] == scope["goals"].get(k) for k, c in goal_cols.items())
        assert any(total[c] != scope["goals"].get(k) for k, c in goal_cols.items())
    else:
        assert all(total[c] == scope["goals"].get(k) for k, c in goal_cols.items())


def test_a_past_periods_warnings_are_those_of_its_last_day(demo_db: Path) -> None:
    cli = Cli(demo_db)
    args = ("report", "monthly", "--month", "2026-10", "--today", "2026-11-15", "-f", "json", "--details")
    details = json.loads(cli(*args, ok=True).stdout)["details"]
    assert details["warnings_today"] == "2026-10-31"
    warned = json.loads(cli("warn", "--today", "2026-10-31", "-f", "json", ok=True).stdout)
    assert sorted((w["id"], w["type"]) for w in details["warnings"]) == sorted((w["id"], w["type"]) for w in warned)
    later = json.loads(cli("warn", "--today", "2026-11-15", "-f", "json", ok=True).stdout)
    assert sorted((w["id"], w["type"]) for w in later) != sorted((w["id"], w["type"]) for w in warned)


def _printed_size(ws: Any) -> float:
    """The text size (pt) a sheet prints at on A4 landscape, from its own page setup."""
    from zhaoshang.reports.workbook import BASE_PT, DEFAULT_WIDTH, PRINTABLE_PT

    fit = ws.sheet_properties.pageSetUpPr is not None and ws.sheet_properties.pageSetUpPr.fitToPage
    if not fit:
        return BASE_PT * (ws.page_setup.scale or 100) / 100
    last = ws.max_column
    # openpyxl keeps a run of columns of one width as one dimension (min..max): asking for a
    # column inside the run would make a new one of its own default width
    stored: dict[int, float] = {}
    for dim in list(ws.column_dimensions.values()):
        if dim.min is not None and dim.width:
            for c in range(dim.min, (dim.max or dim.min) + 1):
                stored[c] = dim.width
    widths = [stored.get(c, DEFAULT_WIDTH) for c in range(1, last + 1)]
    width_pt = sum((w * 7 + 5) * 0.75 for w in widths)
    return BASE_PT * min(1.0, PRINTABLE_PT / width_pt)


def test_every_sheet_prints_at_eight_points_or_more(demo_report: tuple[Path, dict[str, Any]]) -> None:
    """The sheets a leader reads at 8 pt or more; a list of details (one line a row, whole rows
    one page wide) at 7 pt or more."""
    from zhaoshang.reports.workbook import DETAIL_PREFIX, DETAIL_PRINT_PT, MIN_PRINT_PT

    path, _ = demo_report
    sheets = [*openpyxl.load_workbook(path).worksheets, *_details(path).worksheets]
    small = {ws.title: round(_printed_size(ws), 1) for ws in sheets}
    least = {k: DETAIL_PRINT_PT if k.startswith(DETAIL_PREFIX) else MIN_PRINT_PT for k in small}
    assert {k: v for k, v in small.items() if v < least[k]} == {}, small


def test_no_chart_is_cut_across_pages(demo_report: tuple[Path, dict[str, Any]]) -> None:
    """Every chart starts a page of its own (a manual break at its anchor row)."""
    import zipfile

    path, _ = demo_report
    ns = {
        "x": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
        "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
        "xdr": "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing",
    }
    import xml.etree.ElementTree as ET

    charts = 0
    with zipfile.ZipFile(path) as z:
        names = set(z.namelist())
        for name in sorted(n for n in names if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n)):
            sheet = ET.fromstring(z.read(name))
            drawing = sheet.find("x:drawing", ns)
            if drawing is None:
                continue
            rels = ET.fromstring(z.read(name.replace("worksheets/", "worksheets/_rels/") + ".rels"))
            rid = drawing.get(f"{{{ns['r']}}}id")
            target = next(r.get("Target") for r in rels if r.get("Id") == rid)
            drawing_xml = ET.fromstring(z.read("xl/" + str(target).replace("../", "")))
            breaks = {int(b.get("id", "-1")) for b in sheet.iterfind("x:rowBreaks/x:brk", ns)}
            for anchor in drawing_xml:
                row = int(anchor.find("xdr:from/xdr:row", ns).text)  # type: ignore[union-attr]
                charts += 1
                assert row == 0 or row in breaks, (name, row, sorted(breaks))
    assert charts >= 3


def test_the_demo_gives_every_chain_a_target_for_each_metric_its_ranking_weighs(demo_db: Path) -> None:
    data = json.loads(
        Cli(demo_db)("report", "ranking", "--by", "chain", "--today", _today(), "-f", "json", ok=True).stdout
    )
    goal_metrics = [w["metric"] for w in data["weights"] if w["method"] == "goal"]
    for row in data["rows"]:
        assert set(goal_metrics) <= set(row["goals"]), row["name"]

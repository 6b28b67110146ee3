"""The 通报 as an office sends it and the workbooks as they print (issue 27): one way to write a
number everywhere, the 公文 frame (主送, opening, 署名, the day it is issued), sensible text for a
quarter, a half-year and an empty month, 基础工作 from the 对接记录, the GB/T 9704 details, and —
through LibreOffice, as a person would print them — whole A4 pages with nothing off the page
and no English on paper."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from _harness import libreoffice, read_docx, to_pdf
from _harness import pdf_pages as _pages
from conftest import Cli
from hypothesis import given
from hypothesis import strategies as st

from zhaoshang.reports import numbers
from zhaoshang.reports.metrics import BY_KEY

docx = pytest.importorskip("docx")

TODAY = ("--today", "2026-11-15")  # the demo city's day (conftest.DEMO_TODAY)
ISSUED = "2026-11-16"
PERIODS = {
    "month": ("--month", "2026-11"),
    "quarter": ("--quarter", "2026Q3"),
    "halfyear": ("--from", "2026-01-01", "--to", "2026-06-30"),
    "empty": ("--month", "2026-02"),
}


# ------------------------------------------------------------------------------ numbers


def test_one_way_to_write_a_number() -> None:
    assert numbers.percent(0.3125) == "31.3%"  # as Excel shows 0.3125 with 0.0%, not 31.2%
    assert numbers.percent(0.0005) == "0.1%" and numbers.percent(None) == "—"
    assert numbers.points(-0.1315) == "13.2个百分点"
    assert numbers.score(53.125) == "53.13" and numbers.score(63.2) == "63.20"
    assert numbers.count(5866, "个") == "5,866个" and numbers.count(1370, "件") == "1,370件"
    assert numbers.money(83_434_170) == "8,343.42亿元" and numbers.money(763_000) == "76.30亿元"
    assert numbers.money(9_876.5) == "9,876.5万元" and numbers.money(205_000 / 100) == "2,050万元"
    assert numbers.money(11_509.2) == "1.15亿元"
    assert numbers.money(676.5, "万美元") == "676.5万美元"
    assert numbers.figure(205_000.0, BY_KEY["signed_amount"]) == "205,000"  # whole 万元: no .0
    assert numbers.figure(0.3125, BY_KEY["close_rate"]) == "31.3%"
    assert numbers.rank_change(1) == "↑1" and numbers.rank_change(-2) == "↓2"
    assert numbers.rank_change(0) == "—" and numbers.rank_change(None) == "新"
    assert numbers.chinese_date(date(2026, 11, 1)) == "2026年11月1日"


@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False))
def test_numbers_round_half_away_from_zero(value: float) -> None:
    """As Excel displays: the decimal written is the value's own, rounded half away from zero."""
    exact = Decimal(repr(value))
    shown = numbers.grouped(value, 1).replace(",", "")
    assert abs(Decimal(shown) - exact) <= Decimal("0.05")
    assert not shown.startswith("-0") or Decimal(shown) != 0
    if numbers.is_whole(value):
        assert "." not in numbers.amount(value)


@given(st.floats(min_value=0, max_value=1e8, allow_nan=False))
def test_money_in_prose_says_yi_from_one_yi(value: float) -> None:
    text = numbers.money(value)
    if value >= 10_000:
        assert re.fullmatch(r"[\d,]+\.\d\d亿元", text), text
    else:
        assert text.endswith("万元") and "亿" not in text


# ------------------------------------------------------------------------------ the 通报


def _bulletin(cli: Cli, tmp_path: Path, which: str, *extra: str) -> tuple[Any, dict[str, Any]]:
    out = tmp_path / f"通报-{which}.docx"
    cli("report", "bulletin", *PERIODS[which], *TODAY, "--date", ISSUED, "--out", str(out), *extra, ok=True)
    kind = {"month": "monthly", "quarter": "quarterly", "halfyear": "period", "empty": "monthly"}[which]
    args = ("report", kind, *PERIODS[which], *TODAY, "-f", "json")
    data = json.loads(cli(*args, ok=True).stdout)
    return read_docx(out), data


def _prose(doc: Any) -> str:
    return "\n".join(p.text for p in doc.paragraphs)


def _section(doc: Any, heading: str) -> str:
    out, inside = [], False
    for p in doc.paragraphs:
        if re.match(r"^[一二三四]、", p.text):
            inside = p.text == heading
            continue
        if inside and p.alignment != 2:  # not the signature / date (right-aligned)
            out.append(p.text)
    return "\n".join(out)


def _allowed(data: dict[str, Any], stalled: list[dict[str, Any]]) -> set[str]:
    """Every way the 通报 may write a number of the JSON: the value (a count, money, 亿元, a
    percentage, a score), a gap to 时序进度, a 同比 ratio, a count of a list in it."""
    allowed: set[str] = set()

    def forms(v: float) -> set[str]:
        return {
            numbers.grouped(v, 0),
            numbers.amount(v),
            numbers.grouped(v * 100, 1),
            numbers.score(v),
            numbers.grouped(v / 10_000, 2),
        }

    def walk(x: Any) -> None:
        if isinstance(x, bool):
            return
        if isinstance(x, int | float):
            allowed.update(forms(float(x)))
        elif isinstance(x, dict):
            for v in x.values():
                walk(v)
        elif isinstance(x, list):
            allowed.update(forms(len(x)))
            for v in x:
                walk(v)
        elif isinstance(x, str):
            allowed.update(re.findall(r"\d+", x))

    walk(data)
    progress = data["time_progress"]
    for scope in [data["total"], *data["units"], *data["chains"]]:
        for key, cur in scope["period"].items():
            before = scope["last_year"].get(key)
            if isinstance(cur, int | float) and isinstance(before, int | float) and before:
                allowed.update(forms(abs(cur - before) / abs(before)))
        for comp in scope["completion"].values():
            if comp is not None:
                allowed.update(forms(abs(comp - progress)))
    per_unit: dict[str, int] = {}
    for w in stalled:
        per_unit[w.get("unit") or ""] = per_unit.get(w.get("unit") or "", 0) + 1
    allowed.update(str(n) for n in [*per_unit.values(), len(stalled)])
    amounts = [w.get("amount") or 0 for w in data["groundwork"]["withdrawn"] if w["signed_in_period"]]
    allowed.update(forms(sum(amounts)))
    return allowed


@pytest.mark.parametrize("which", list(PERIODS))
def test_every_number_in_the_prose_is_in_the_json(demo_db: Path, tmp_path: Path, which: str) -> None:
    cli = Cli(demo_db)
    doc, data = _bulletin(cli, tmp_path, which)
    stalled = json.loads(cli("warn", "--today", data["asof"], "--type", "停滞", "-f", "json", ok=True).stdout)
    stalled = [w for w in stalled if w["kind"] == "targets"]
    allowed = _allowed(data, stalled)
    text = _prose(doc)
    text = re.sub(r"\d{4}年\d{1,2}月(\d{1,2}日)?|\d{4}年\d{1,2}—\d{1,2}月|\d{4}年", "", text)  # dates
    text = re.sub(r"落后\d+个百分点以上", "", text)  # the 黄榜 / 黑榜 thresholds (settings, not figures)
    found = re.findall(r"\d[\d,]*(?:\.\d+)?", text)
    strays = [n for n in found if n not in allowed]
    assert strays == [], strays


def test_the_bulletin_is_a_gongwen(demo_db: Path, tmp_path: Path) -> None:
    doc, data = _bulletin(Cli(demo_db), tmp_path, "month")
    texts = [p.text for p in doc.paragraphs if p.text]
    assert texts[0] == "关于2026年11月招商引资工作情况的通报"
    assert texts[1] == "各招商主体、各产业链专班："  # 主送
    assert texts[2].startswith("今年以来（截至2026年11月15日）")
    assert "现将2026年11月招商引资工作情况通报如下" in texts[2]
    assert texts[-2:] == ["招商引资工作领导小组办公室", "2026年11月16日"]  # 署名, the day it is issued
    assert not re.search(r"\d{4}-\d\d-\d\d", _prose(doc))  # no ISO dates in prose
    assert not re.search(r"\d (个|件|次|万元|亿元)|\d\s+%", _prose(doc))  # no space before a unit
    overall = _section(doc, "一、总体情况")
    assert overall.count("时序进度") == 1  # said once
    assert "（一）项目签约。" in overall and "年累计签约项目" in overall
    ytd = data["total"]["year_to_date"]
    by_size = data["groundwork"]["signed_by_size"]["year_to_date"]
    assert f"年累计签约项目{ytd['signed']}个（其中亿元以上项目{by_size['over_1yi']}个" in overall
    withdrawn = data["groundwork"]["withdrawn"]
    assert withdrawn and f"本月退库项目{len(withdrawn)}个" in overall
    assert all(w["title"] in overall for w in withdrawn)
    units = _section(doc, "二、各地各专班情况")
    assert "（三）产业链专班。" in units and "（四）基础工作。" in units
    problems = _section(doc, "三、存在问题")
    assert problems.startswith("一是")


def test_the_office_signs_but_the_figures_are_not_its_own(demo_db: Path, tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setenv("ZHAOSHANG_OFFICE", "黑河市商务局")
    doc, _ = _bulletin(Cli(demo_db), tmp_path, "month", "--recipients", "各县（市、区）招商引资领导小组")
    texts = [p.text for p in doc.paragraphs if p.text]
    assert texts[0] == "黑河市商务局关于2026年11月\n招商引资工作情况的通报"  # two lines: too long for one
    assert texts[1] == "各县（市、区）招商引资领导小组："
    assert texts[-2] == "黑河市商务局"
    body = "\n".join(texts[1:-2])
    assert "黑河市商务局" not in body  # 「黑河市商务局签约项目2个」 was the city's figure under its name


def test_an_empty_month_reads_sensibly(demo_db: Path, tmp_path: Path) -> None:
    doc, data = _bulletin(Cli(demo_db), tmp_path, "empty")
    flows = ("signed", "signed_amount", "registered", "started", "funds_domestic")
    assert not any(data["total"]["year_to_date"][k] for k in flows)  # the demo's February: nothing yet
    text = _prose(doc)
    assert "本月没有新签约、入统、开工项目，也没有到位资金。" in text
    assert "前三名" not in text and "后三名" not in text  # an eight-way tie is not split
    assert "本期不排名次" in text and "本期不列红黑榜" in text
    assert text.count("时序进度") <= 2 and "低于时序进度" not in text
    assert "黄榜（" not in text
    assert "签约额和到位资金均不低于时序进度" not in text  # that would be untrue
    assert "尚未起步" in _section(doc, "三、存在问题")


def test_a_half_year_is_not_its_own_year_to_date(demo_db: Path, tmp_path: Path) -> None:
    doc, data = _bulletin(Cli(demo_db), tmp_path, "halfyear")
    text = _prose(doc)
    assert "年累计" not in text  # the period is the year to date: said once
    assert "上期" not in text and "环比" not in text  # no comparison with an empty period
    assert "现将今年以来（2026年1月1日至2026年6月30日）招商引资工作情况通报如下" in text
    comp = data["total"]["completion"]["signed_amount"]
    assert f"完成年度目标的{numbers.percent(comp)}" in _section(doc, "一、总体情况")


def test_a_quarter_says_its_own_and_the_years_figures(demo_db: Path, tmp_path: Path) -> None:
    doc, data = _bulletin(Cli(demo_db), tmp_path, "quarter")
    overall = _section(doc, "一、总体情况")
    assert overall.startswith("2026年第三季度（2026年7月1日至2026年9月30日），时序进度为")
    p, y = data["total"]["period"], data["total"]["year_to_date"]
    assert f"本期签约项目{p['signed']}个" in overall and f"年累计签约项目{y['signed']}个" in overall


def test_groundwork_comes_from_the_contact_log(demo_db: Path, tmp_path: Path) -> None:
    """外出招商 = 「走访」「推介」, 接待客商 = 「来访」 on 招商项目; 报送线索 = 新增项目: counted
    here from the database itself, and written in the 通报's 基础工作 list."""
    doc, data = _bulletin(Cli(demo_db), tmp_path, "month")
    gw = data["groundwork"]
    assert set(gw["sources"]) == {"trips", "visitors", "leads"}
    con = sqlite3.connect(demo_db)
    sql = (
        "SELECT count(*) FROM activities x JOIN items i ON i.id = x.item_id JOIN units u ON u.id = i.unit_id "
        "WHERE i.kind = 'targets' AND u.name = ? AND x.type IN ({}) AND x.date BETWEEN ? AND ?"
    )
    start, end = data["period"]["start"], data["asof"]
    for unit in gw["units"]:
        trips = con.execute(sql.format("'走访', '推介'"), (unit["name"], start, end)).fetchone()[0]
        visitors = con.execute(sql.format("'来访'"), (unit["name"], start, end)).fetchone()[0]
        assert (unit["period"]["trips"], unit["period"]["visitors"]) == (trips, visitors), unit["name"]
    assert gw["total"]["period"]["leads"] == data["total"]["period"]["new_targets"]
    assert gw["total"]["year_to_date"]["leads"] == data["total"]["year_to_date"]["new_targets"]
    work = _section(doc, "二、各地各专班情况")
    assert f"外出招商{gw['total']['period']['trips']}次" in work
    for unit in gw["units"]:
        if unit["period"]["trips"]:
            assert f"{unit['name']}{unit['period']['trips']}次" in work


def test_the_same_value_reads_the_same_in_the_bulletin_and_the_workbook(demo_db: Path, tmp_path: Path) -> None:
    cli = Cli(demo_db)
    doc, _ = _bulletin(cli, tmp_path, "month")
    book = tmp_path / "月报.xlsx"
    cli("report", "monthly", *PERIODS["month"], *TODAY, "--out", str(book), ok=True)
    ws = openpyxl.load_workbook(book)["招商主体"]
    lists = _section(doc, "二、各地各专班情况")
    rows = [list(r) for r in ws.iter_rows()]
    head = next(i for i, r in enumerate(rows) if r[0].value == "招商主体" and any(c.value == "签约额完成率" for c in r))
    col = [c.value for c in rows[head]].index("签约额完成率")
    checked = 0
    for r in rows[head + 1 :]:
        cell = r[col]
        if r[0].value and isinstance(cell.value, float) and f"{r[0].value}（" in lists:
            assert cell.number_format == "0.0%"  # Excel shows it rounded half away from zero …
            assert f"{r[0].value}（{numbers.percent(cell.value)}）" in lists  # … and so does the 通报
            checked += 1
    assert checked >= 3
    rank = openpyxl.load_workbook(book)["擂台赛"]
    rows = [[c for c in r] for r in rank.iter_rows()]
    head = next(i for i, r in enumerate(rows) if r[0].value == "名次")
    col = [c.value for c in rows[head]].index("得分")
    scores = [r[col] for r in rows[head + 1 :] if isinstance(r[col].value, float)]
    assert scores and all(c.number_format == "0.00" for c in scores)  # two decimals, as the 通报 writes them
    for c in scores[:3]:
        assert f"（{numbers.score(c.value)}分）" in lists


def test_the_docx_follows_gb_t_9704(demo_db: Path, tmp_path: Path) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn

    doc, _ = _bulletin(Cli(demo_db), tmp_path, "month")
    sec = doc.sections[0]
    grid = sec._sectPr.find(qn("w:docGrid"))
    assert grid is not None and grid.get(qn("w:linePitch")) == "579"  # 22 lines of 28.95 pt
    body = next(p for p in doc.paragraphs if p.text.startswith("今年以来"))
    spacing = body.runs[0]._element.rPr.find(qn("w:spacing"))
    assert spacing is not None and 16 + int(spacing.get(qn("w:val"))) / 20 <= (156 / 25.4 * 72) / 28  # 28 a line
    assert doc.settings.odd_and_even_pages_header_footer
    assert sec.footer.paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.RIGHT  # odd pages
    assert sec.even_page_footer.paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.LEFT
    headings = [p for p in doc.paragraphs if re.match(r"^[一二三四]、", p.text)]
    assert all(p.paragraph_format.keep_with_next for p in headings)
    run_in = [p.runs[0] for p in doc.paragraphs if p.text.startswith("（一）")]
    assert run_in and all(r._element.rPr.rFonts.get(qn("w:eastAsia")) == "楷体_GB2312" for r in run_in)
    date_line = doc.paragraphs[-1]
    assert date_line.text == "2026年11月16日" and date_line.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert 60 <= date_line.paragraph_format.right_indent.pt <= 66  # 右空四字
    assert doc.paragraphs[-3].text == ""  # one blank line above the 署名
    props = doc.core_properties
    assert props.language == "zh-CN" and props.created.date() >= date.today().replace(day=1)
    with zipfile.ZipFile(tmp_path / "通报-month.docx") as z:
        app = z.read("docProps/app.xml").decode()
        styles = z.read("word/styles.xml").decode()
    assert "Microsoft" not in app and "<Application>zhaoshang" in app
    # the text is Chinese; Latin letters and digits have a Latin language, as Word writes a Chinese
    # document (in zh-CN LibreOffice broke lines inside 「404.1」: tests/test_bulletin_lines.py)
    assert '<w:lang w:val="en-US" w:eastAsia="zh-CN"' in styles


# ------------------------------------------------------------------------------ on paper


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The 通报 of every kind of period, the monthly workbook and the ranking workbook of the
    demo city, converted to PDF by ONE LibreOffice run."""
    from zhaoshang.db import Database
    from zhaoshang.definitions import load
    from zhaoshang.demo import load_demo

    tmp = tmp_path_factory.mktemp("printed")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ZHAOSHANG_CACHE", str(tmp / "_cache"))
        mp.setenv("ZHAOSHANG_USER", "测试员")
        mp.setenv("ZHAOSHANG_CONFIG", str(tmp / "_config.toml"))
        for name in ("ZHAOSHANG_DB", "ZHAOSHANG_CHECKLISTS", "ZHAOSHANG_OFFICE"):
            mp.delenv(name, raising=False)
        db_path = tmp / "demo.db"
        db = Database.open(db_path, load())
        with db.command("init --demo", user="测试员"):
            load_demo(db, today=date(2026, 11, 15))
        db.close()
        cli = Cli(db_path)
        files = []
        for which, period in PERIODS.items():
            out = tmp / f"通报-{which}.docx"
            cli("report", "bulletin", *period, *TODAY, "--out", str(out), ok=True)
            files.append(out)
        cli("report", "monthly", *PERIODS["month"], *TODAY, "--out", str(tmp / "月报.xlsx"), ok=True)
        cli("report", "ranking", *TODAY, "--out", str(tmp / "擂台赛.xlsx"), ok=True)
        files += [tmp / "月报.xlsx", tmp / "擂台赛.xlsx"]
        titles = {t for (t,) in sqlite3.connect(db_path).execute("SELECT title FROM items")}
    out = to_pdf(files, tmp / "pdf")
    (tmp / "titles.json").write_text(json.dumps(sorted(titles), ensure_ascii=False), encoding="utf-8")
    out["_titles"] = tmp / "titles.json"
    return out


def _off_page(pdf: Path) -> list[str]:
    """Words whose box is not inside their page's box (pdftotext -bbox)."""
    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    bad = []
    for page in re.finditer(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', html, re.S):
        w, h = float(page.group(1)), float(page.group(2))
        for m in re.finditer(
            r'<word xMin="([-\d.]+)" yMin="([-\d.]+)" xMax="([-\d.]+)" yMax="([-\d.]+)">([^<]*)</word>', page.group(3)
        ):
            x0, y0, x1, y1 = map(float, m.groups()[:4])
            if x0 < 0 or y0 < 0 or x1 > w + 0.5 or y1 > h + 0.5:
                bad.append(m.group(5))
    return bad


def _english(pages: list[str], allowed: set[str]) -> set[str]:
    words = set()
    for page in pages:
        words.update(re.findall(r"[A-Za-z][A-Za-z_./]+", page))
    return {w for w in words if w not in allowed}


@pytest.mark.parametrize("which", list(PERIODS))
@libreoffice
def test_the_bulletin_prints_on_whole_pages(printed: dict[str, Path], which: str) -> None:
    pdf = printed[f"通报-{which}"]
    pages = _pages(pdf)
    assert 1 <= len(pages) <= 4, len(pages)  # a month's 通报: two or three pages of A4
    assert _off_page(pdf) == []
    assert _english(pages, set()) == set()
    assert re.search(r"—\s*1\s*—", pages[0])  # page numbers
    assert "招商引资工作领导小组办公室" in pages[-1]


@libreoffice
def test_the_workbooks_print_on_whole_readable_pages(printed: dict[str, Path]) -> None:
    titles = json.loads(printed["_titles"].read_text(encoding="utf-8"))
    data_words = {w for t in titles for w in re.findall(r"[A-Za-z][A-Za-z_./]+", t)}
    month, ranking = _pages(printed["月报"]), _pages(printed["擂台赛"])
    sheets: dict[str, int] = {}
    for page in month:  # the sheet's name closes every page (the footer's right part)
        name = page.strip().splitlines()[-1].split()[-1]
        sheets[name] = sheets.get(name, 0) + 1
    assert sheets["封面"] == 1  # the cover on one page
    for name in ("产业链", "招商主体", "擂台赛", "问题台账", "口径说明"):
        assert sheets[name] <= 3, (name, sheets)  # the table (with its notes), and a chart on a page of its own
    assert sum(sheets.values()) <= 40, sheets  # was 47
    assert len(ranking) <= 4, len(ranking)  # was 9: 排名 on one page, names beside their scores
    assert "查看明细" not in month[0]  # the links are for the screen
    assert _english(month, data_words) == set()
    assert _english(ranking, data_words) == set()
    assert _off_page(printed["月报"]) == [] and _off_page(printed["擂台赛"]) == []
    first = ranking[0]
    assert "名次变化" in first and re.search(r"[↑↓—新]", first)
    assert re.search(r"\d{1,3}(,\d{3})+", "\n".join(ranking))  # thousands separators


def test_a_wrong_issue_date_is_a_message(demo_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "通报.docx"
    args = ("report", "bulletin", *PERIODS["month"], *TODAY, "--date", "2026-13-45", "--out", str(out))
    r = Cli(demo_db)(*args, ok=False)
    assert r.exit_code == 1 and "--date" in r.stderr and "月份应为 1–12" in r.stderr
    assert not out.exists()

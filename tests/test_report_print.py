"""Printing the whole monthly workbook of a large city (issue 27): a leader's print button prints
whole A4 pages of what a leader reads, as many whatever the number of items — no itemised list.
At 20,000 items it printed 245 pages, 230 of them the 预警 sheet's 5,000 warnings one by one; the
warnings one by one are now 明细-预警 in the 明细 workbook, and the 预警 sheet counts them and
names the worst red items."""

from __future__ import annotations

import re
import sqlite3
from collections import Counter
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from _harness import generate, libreoffice, pdf_pages, to_pdf
from conftest import Cli

from zhaoshang.reports.workbook import LEADER_ITEMS

TODAY = date(2026, 12, 1)  # the report is about 2026年11月
#: the pages the whole report may print.  Each of its 10 sheets is laid out by chain, by unit or by
#: figure — never one row an item — and a chart has a page of its own: at 20,000 items (15 chains,
#: 20 units, 17,006 warnings) it prints 17 pages, the demo city 16.  A city with more units or
#: chains adds a page here and there; an itemised list would add hundreds.
PAGE_BUDGET = 24
#: the most pages one sheet may take (擂台赛: ranking, chain ranking and rules, then its chart)
SHEET_BUDGET = 4


def _sheet_of_each_page(pages: list[str]) -> list[str]:
    """The sheet of each printed page: the right part of its footer 「标题 第 1 页，共 2 页 封面」."""
    out = []
    for page in pages:
        footer = [line for line in page.splitlines() if re.search(r"第 \d+ 页，共 \d+ 页", line)]
        assert footer, page[-300:]
        out.append(footer[-1].split()[-1])
    return out


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A generated city of 20,000 items and its monthly report (``zs report monthly --out``)."""
    tmp = tmp_path_factory.mktemp("print")
    db = tmp / "city.db"
    generate(db, 20_000, seed=1, today=TODAY)
    out = tmp / "月报.xlsx"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ZHAOSHANG_CACHE", str(tmp / "_cache"))
        mp.setenv("ZHAOSHANG_USER", "测试员")
        mp.setenv("ZHAOSHANG_CONFIG", str(tmp / "_config.toml"))
        for name in ("ZHAOSHANG_DB", "ZHAOSHANG_CHECKLISTS", "ZHAOSHANG_OFFICE"):
            mp.delenv(name, raising=False)
        Cli(db)("report", "monthly", "--month", "2026-11", "--today", TODAY.isoformat(), "--out", str(out), ok=True)
    return {"db": db, "report": out, "details": tmp / "月报明细.xlsx"}


@libreoffice
def test_the_whole_report_of_a_large_city_prints_on_a_few_pages(city: dict[str, Path]) -> None:
    pages = pdf_pages(to_pdf([city["report"]], city["report"].parent / "pdf")["月报"])
    per_sheet = Counter(_sheet_of_each_page(pages))
    assert len(pages) <= PAGE_BUDGET, per_sheet
    assert max(per_sheet.values()) <= SHEET_BUDGET, per_sheet
    assert set(per_sheet) == set(openpyxl.load_workbook(city["report"]).sheetnames), per_sheet
    # on the 预警 sheet each table is on one page with its heading: no heading or header at the
    # foot of a page with its rows on the next
    sheets = _sheet_of_each_page(pages)
    for page in (p for p, sheet in zip(pages, sheets, strict=True) if sheet == "预警"):
        text = re.sub(r"\s+", "", page)
        for heading in re.findall(r"按(?:清单|产业链|责任单位)(?=[^按]*?红灯)", text):
            assert "合计" in text.split(heading, 1)[1], (heading, page)
        if "需领导关注" in text:
            assert "条预警逐条列在明细文件" in text.split("需领导关注", 1)[1], page
    # no itemised list: the only items named on paper are the worst red ones of the 预警 sheet
    printed = re.sub(r"\s+", "", "".join(pages))
    with sqlite3.connect(city["db"]) as conn:
        titles = {t for (t,) in conn.execute("SELECT title FROM items") if len(t) >= 6}
    named = {t for t in titles if t in printed}
    assert len(named) <= LEADER_ITEMS, len(named)


def test_every_warning_is_in_the_details_and_a_leader_reads_the_worst(city: dict[str, Path]) -> None:
    """The 预警 sheet: counts and at most LEADER_ITEMS items; 明细-预警: every warning."""
    report = openpyxl.load_workbook(city["report"], read_only=True)["预警"]
    rows = [r for r in report.iter_rows(values_only=True) if any(v is not None for v in r)]
    assert len(rows) < 100  # three tables of counts, the worst red items, a few lines
    totals = [r for r in rows if r[0] == "合计"]
    details = openpyxl.load_workbook(city["details"], read_only=True)["明细-预警"]
    lights = [r[0] for r in details.iter_rows(values_only=True) if r[0] in ("红", "黄")]
    assert len(lights) > 10_000  # thousands of warnings: none of them on the leader's sheet
    assert [(r[1], r[2]) for r in totals] == [(lights.count("红"), lights.count("黄"))] * 3
    more = next(str(r[0]) for r in rows if str(r[0] or "").startswith("其余"))
    assert "全部" in more and f"{len(lights):,}条预警逐条列在明细文件「月报明细」的「明细-预警」" in more
    # that line's 「查看明细」 opens the sheet in the 明细 workbook beside the report
    sheet = openpyxl.load_workbook(city["report"])["预警"]
    links = [c.hyperlink for row in sheet.iter_rows() for c in row if c.value == "查看明细"]
    assert [(x.target, x.location) for x in links] == [("月报明细.xlsx", "'明细-预警'!A1")]


def test_a_month_without_signings_prints_no_empty_chart(demo_db: Path, tmp_path: Path) -> None:
    """No chain signed in the month: no page of empty axes under 「各产业链本期签约额」 (it printed
    a chart of zeros on axes 0, 1, 1); a month with signings has its chart."""
    import zipfile

    def chart_on_chains(month: str) -> bool:
        out = tmp_path / f"{month}.xlsx"
        Cli(demo_db)("report", "monthly", "--month", month, "--today", "2026-11-15", "--out", str(out), ok=True)
        assert openpyxl.load_workbook(out).sheetnames[1] == "产业链"
        with zipfile.ZipFile(out) as z:
            return "<drawing " in z.read("xl/worksheets/sheet2.xml").decode()

    assert not chart_on_chains("2026-02")
    assert chart_on_chains("2026-09")

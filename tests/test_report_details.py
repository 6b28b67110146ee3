"""The monthly workbook prints what a leader reads (issue 27): its 明细-… sheets — thousands of rows
for checking a figure on screen, 374 pages of 对接记录 at 20,000 items — are a workbook of their own
beside it (月报.xlsx → 月报明细.xlsx), which the 「查看明细」 links open.  An .xlsx has no per-sheet
"do not print", and a hidden sheet cannot be the target of a link: printing the whole report
(LibreOffice's PDF export prints every sheet) prints no 明细 page."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from _harness import libreoffice, pdf_pages, to_pdf
from conftest import DEMO_TODAY, Cli

from zhaoshang.reports.dashboard import HEADLINE
from zhaoshang.reports.metrics import BY_KEY
from zhaoshang.reports.workbook import DETAIL_PREFIX, DETAIL_SHEETS, TRACE

SECTIONS = ["封面", "产业链", "招商主体", "擂台赛", "项目推进", "到位资金", "问题台账", "大走访与手续", "预警"]
SECTIONS.append("口径说明")


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The demo city's monthly report written by ``zs report monthly --out 月报.xlsx``."""
    from zhaoshang.db import Database
    from zhaoshang.definitions import load
    from zhaoshang.demo import load_demo

    tmp = tmp_path_factory.mktemp("details")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ZHAOSHANG_CACHE", str(tmp / "_cache"))
        mp.setenv("ZHAOSHANG_USER", "测试员")
        mp.setenv("ZHAOSHANG_CONFIG", str(tmp / "_config.toml"))
        for name in ("ZHAOSHANG_DB", "ZHAOSHANG_CHECKLISTS", "ZHAOSHANG_OFFICE"):
            mp.delenv(name, raising=False)
        db_path = tmp / "demo.db"
        db = Database.open(db_path, load())
        with db.command("init --demo", user="测试员"):
            load_demo(db, today=DEMO_TODAY)
        db.close()
        out = tmp / "月报.xlsx"
        r = Cli(db_path)("report", "monthly", "--today", DEMO_TODAY.isoformat(), "--out", str(out), ok=True)
    return {"report": out, "details": tmp / "月报明细.xlsx", "said": r.stderr}


def test_the_report_holds_the_sheets_a_leader_reads(books: dict[str, Any]) -> None:
    assert openpyxl.load_workbook(books["report"]).sheetnames == SECTIONS
    details = openpyxl.load_workbook(books["details"])
    assert details.sheetnames == list(DETAIL_SHEETS.values())
    assert all(name.startswith(DETAIL_PREFIX) for name in details.sheetnames)
    assert details.properties.title.endswith("· 明细")


def test_the_command_says_where_the_details_are(books: dict[str, Any]) -> None:
    said = books["said"]
    assert "10 张工作表（封面、产业链、招商主体、擂台赛、项目推进、到位资金…）" in said
    assert f"明细 {len(DETAIL_SHEETS)} 张表在「{books['details']}」" in said and "两个文件放在同一文件夹" in said


def _links(ws: Any) -> list[tuple[str, Any]]:
    """(the row's first cell, the link) of every 「查看明细」 cell of ``ws``."""
    out = []
    for row in ws.iter_rows():
        for cell in row:
            if cell.value == "查看明细":
                assert cell.hyperlink is not None, (ws.title, cell.coordinate)
                out.append((row[0].value, cell.hyperlink))
    return out


def test_every_link_opens_the_detail_sheet_of_its_figure(books: dict[str, Any]) -> None:
    """Cell by cell: each 「查看明细」 names the 明细 workbook beside the report (a relative path:
    the two files travel together) and the sheet listing that figure's rows."""
    report = openpyxl.load_workbook(books["report"])
    details = set(openpyxl.load_workbook(books["details"]).sheetnames)
    key_of = {BY_KEY[k].label: k for k in HEADLINE}
    cover = _links(report["封面"])
    assert [label for label, _ in cover] == [BY_KEY[k].label for k in HEADLINE]
    for label, link in cover:
        assert link.target == "月报明细.xlsx", (label, link.target)
        assert link.location == f"'{DETAIL_SHEETS[TRACE[key_of[label]]]}'!A1", (label, link.location)
    others = _links(report["项目推进"]) + _links(report["大走访与手续"])
    assert others
    for label, link in cover + others:
        assert link.target == "月报明细.xlsx" and re.fullmatch(r"'(.+)'!A1", link.location or ""), (label, link)
        assert link.location.strip("'").split("'!")[0] in details, (label, link.location)
    notes = [c.value for row in report["封面"].iter_rows() for c in row if isinstance(c.value, str)]
    assert any("明细文件「月报明细」" in n for n in notes)  # the cover says where (on paper: no file suffix)


def test_details_that_cannot_be_written_leave_the_old_report(demo_db: Path, tmp_path: Path) -> None:
    """Refused before any work, and nothing half-done: the report in place stays as it was."""
    old = tmp_path / "月报.xlsx"
    old.write_bytes(b"old")
    (tmp_path / "月报明细.xlsx").mkdir()
    r = Cli(demo_db)("report", "monthly", "--today", DEMO_TODAY.isoformat(), "--out", str(old), ok=False)
    assert r.exit_code == 1 and "月报明细.xlsx" in r.stderr and "是一个目录" in r.stderr
    assert old.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith((".月报", "月报"))) == [
        "月报.xlsx",
        "月报明细.xlsx",
    ]


def _printed_sheets(pdf: Path) -> list[str]:
    """The sheet of each printed page: the right part of its footer 「标题 第 1 页，共 2 页 封面」."""
    out = []
    for page in pdf_pages(pdf):
        footer = [line for line in page.splitlines() if re.search(r"第 \d+ 页，共 \d+ 页", line)]
        assert footer, page[-300:]
        out.append(footer[-1].split()[-1])
    return out


@libreoffice
def test_printing_the_whole_report_prints_no_detail_page(books: dict[str, Any]) -> None:
    """Print the whole workbook, as a leader's print button does (LibreOffice's PDF export
    prints every sheet): every leader sheet, no 明细 page.  The 明细 workbook prints on its own."""
    pdfs = to_pdf([books["report"], books["details"]], books["report"].parent / "pdf")
    pages = pdf_pages(pdfs["月报"])
    printed = _printed_sheets(pdfs["月报"])
    assert not [s for s in printed if s.startswith(DETAIL_PREFIX)], printed
    assert set(SECTIONS) <= set(printed), printed
    assert 10 <= len(pages) <= 20, len(pages)  # the demo month: 17 pages (29 with the 明细 in it)
    titles = [t for t in (f"{BY_KEY[k].label}明细" for k in ("signed", "started")) if any(t in p for p in pages)]
    assert titles == []  # no 明细 table printed under another name either
    details = _printed_sheets(pdfs["月报明细"])
    assert details and all(s.startswith(DETAIL_PREFIX) for s in details), details

"""A date cell formatted to show the year alone (「2026年」) in .xlsx, .xls and .ods: the clerk
sees a year, the file holds a day of it.  It is refused naming the year the clerk sees, with a
fix that asks for the day — never the 「只有年月」 message and its --confirm month_end, which
would have stored the last day of a month nobody wrote (a defect until these tests)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from conftest import Cli
from exchange_util import in_every_format, make_city

from zhaoshang.exchange.sheetfacts import sheet_facts, year_format

H = ["项目名称", "产业链", "签约日期", "状态", "投资额"]


@pytest.mark.parametrize(
    ("code", "year"),
    [
        ('yyyy"年"', True),
        ("yyyy", True),
        ('[$-804]yyyy"年"', True),
        ('yyyy"年度"', True),
        ('yyyy"年"m"月"', False),
        ("mmm-yy", False),
        ("yyyy-mm-dd", False),
        ("0.00", False),
    ],
)
def test_year_formats(code: str, year: bool) -> None:
    assert year_format(code) is year


def _book(path: Path) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "招什么"
    ws.append(H)
    ws.append(["年份项目", "有色金属", dt.datetime(2026, 1, 1), "已签约", 100])
    ws.append(["月份项目", "有色金属", dt.datetime(2026, 10, 1), "已签约", 200])
    ws.append(["合并年份甲", "有色金属", dt.datetime(2026, 1, 1), "已签约", 300])
    ws.append(["合并年份乙", "有色金属", None, "已签约", 400])
    ws.append(["有日子项目", "有色金属", dt.datetime(2026, 3, 5), "已签约", 500])
    ws["C2"].number_format = 'yyyy"年"'
    ws["C3"].number_format = 'yyyy"年"m"月"'
    ws["C4"].number_format = 'yyyy"年"'
    ws.merge_cells("C4:C5")
    ws["C6"].number_format = "yyyy-mm-dd"
    hidden = wb.create_sheet("藏日子")  # days typed into cells whose format hides them
    hidden.append(H)
    hidden.append(["十五日项目", "有色金属", dt.datetime(2026, 10, 15), "已签约", 100])
    hidden.append(["三月五日项目", "有色金属", dt.datetime(2026, 3, 5), "已签约", 200])
    hidden["C2"].number_format = 'yyyy"年"m"月"'
    hidden["C3"].number_format = 'yyyy"年"'
    wb.save(path)
    return path


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("years")
    return in_every_format(_book(tmp / "county.xlsx"), tmp)


@pytest.mark.parametrize("fmt", ["xlsx", "xls", "ods"])
def test_year_cells_read_from_every_format(fmt: str, books: dict[str, Path]) -> None:
    if fmt not in books:
        pytest.skip("LibreOffice is not installed")
    facts = sheet_facts(books[fmt], "招什么")
    assert facts.checked
    assert facts.year_cells == {(2, 2), (4, 2), (5, 2)}  # C2, and C4:C5 merged
    assert facts.month_cells == {(2, 2), (3, 2), (4, 2), (5, 2)}
    hidden = sheet_facts(books[fmt], "藏日子")
    assert (hidden.month_cells, hidden.year_cells) == ({(2, 2), (3, 2)}, {(3, 2)})


@pytest.mark.parametrize("fmt", ["xlsx", "xls", "ods"])
def test_a_year_cell_is_refused_as_a_year(fmt: str, books: dict[str, Path], cli: Cli, db_path: Path) -> None:
    if fmt not in books:
        pytest.skip("LibreOffice is not installed")
    make_city(db_path)
    before = cli("list", "-f", "json", ok=True).stdout
    for confirm in ([], ["--confirm", "month_end"]):
        r = cli("import", str(books[fmt]), *confirm)
        assert r.exit_code == 1
        said = r.stderr
        for row in (2, 4, 5):
            assert f"第{row}行 C列「签约日期」 值「2026年」" in said, said
        assert said.count("只有年份，没有月和日") == 3, said
        assert "2026年1月" not in said and "2026-01-31" not in said  # no month the clerk never wrote
        assert ("「2026年10月」" in said) is not confirm  # the month cell: a month, confirmed or not
    assert cli("list", "-f", "json", ok=True).stdout == before  # nothing written


@pytest.mark.parametrize("fmt", ["xlsx", "xls", "ods"])
def test_a_day_the_format_hides_is_taken_and_said(fmt: str, books: dict[str, Path], cli: Cli, db_path: Path) -> None:
    """A month (or a year) typed is its 1st; a cell that holds another day had that day typed:
    it is taken, and the dry run and the import say so, row by row."""
    if fmt not in books:
        pytest.skip("LibreOffice is not installed")
    make_city(db_path)
    dry = cli("import", str(books[fmt]), "--sheet", "藏日子", "--dry-run", ok=True)
    said = dry.stdout + dry.stderr
    assert "「签约日期」显示为「2026年10月」，单元格里存的日期是 2026-10-15：按这一天记" in said, said
    assert "「签约日期」显示为「2026年」，单元格里存的日期是 2026-03-05：按这一天记" in said, said
    cli("import", str(books[fmt]), "--sheet", "藏日子", ok=True)
    items = json.loads(cli("list", "-f", "json", ok=True).stdout)
    signed = {}
    for x in items:
        if x["title"] in ("十五日项目", "三月五日项目"):
            signed[x["title"]] = json.loads(cli("show", str(x["id"]), "-f", "json", ok=True).stdout)["signed_date"]
    assert signed == {"十五日项目": "2026-10-15", "三月五日项目": "2026-03-05"}

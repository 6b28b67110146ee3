"""A real two-row header — 「计划投资（亿元）」 merged over 总投资 / 年度计划 — is one header: the
sub-labels are the columns, they take their group's unit (总投资 is in 亿元), and a sub-column
the tool does not know is asked about.  It used to be one header row plus a data row 「总投资」
refused as money, with a fix that led nowhere.  Told apart from a data row by its content."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from conftest import Cli
from exchange_util import SOFFICE_BIN, html_table, libreoffice_sheets, make_city, write_xlsx
from pipeline_helpers import query

ROWS = [
    ["某县重点项目表", None, None, None, None],
    ["项目名称", "产业链", "计划投资（亿元）", None, "状态"],
    [None, None, "总投资", "年度计划", None],
    ["甲项目", "有色金属", 5, 1, "在谈"],
    ["乙项目", "大豆加工", 2.5, 0.5, "线索"],
]


@pytest.fixture
def city(db_path: Path) -> dict[str, int]:
    return make_city(db_path)


def _investment(db_path: Path) -> dict[str, float]:
    sql = "SELECT i.title, t.investment FROM items i JOIN kind_targets t ON t.id = i.id WHERE i.title LIKE '_项目'"
    return dict(query(db_path, sql))


def _check(cli: Cli, path: Path, db_path: Path) -> None:
    dry = cli("import", str(path), "--dry-run", ok=False)
    said = dry.stdout + dry.stderr
    assert "两行表头" in said and "总投资（亿元）" in said
    assert "年度计划（亿元）" in said and "--map" in said  # the unknown sub-column is asked about
    assert "无法识别的金额「总投资」" not in said
    cli("import", str(path), "--map", "年度计划（亿元）=忽略", "--as-of", "2026-11-30", ok=True)
    assert _investment(db_path) == {"甲项目": 50000, "乙项目": 25000}  # 亿元 → 万元


def test_a_merged_two_row_header_xlsx(cli: Cli, city: dict[str, int], tmp_path: Path, db_path: Path) -> None:
    merges = ["A1:E1", "A2:A3", "B2:B3", "C2:D2", "E2:E3"]
    _check(cli, write_xlsx(tmp_path / "两行.xlsx", {"招什么": ROWS}, merges={"招什么": merges}), db_path)


def test_a_two_row_header_in_csv_without_merges(cli: Cli, city: dict[str, int], tmp_path: Path, db_path: Path) -> None:
    path = tmp_path / "招什么.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows([["" if v is None else v for v in r] for r in ROWS[1:]])
    _check(cli, path, db_path)


def test_a_data_row_under_a_header_is_never_taken_for_sub_labels(
    cli: Cli, city: dict[str, int], tmp_path: Path, db_path: Path
) -> None:
    rows = [["项目名称", "产业链", "计划投资（亿元）", "状态"], ["总投资项目", "有色金属", None, "在谈"]]
    cli("import", str(write_xlsx(tmp_path / "一行.xlsx", {"招什么": rows})), "--as-of", "2026-11-30", ok=True)
    assert query(db_path, "SELECT count(*) FROM items WHERE title = '总投资项目'") == [(1,)]


PAGE = [
    [("某县重点项目表", 5), ..., ..., ..., ...],
    [("项目名称", 1, 2), ("产业链", 1, 2), ("计划投资（亿元）", 2), ..., ("状态", 1, 2)],
    [..., ..., "总投资", "年度计划", ...],
    ["甲项目", "有色金属", 5, 1, "在谈"],
    ["乙项目", "大豆加工", 2.5, 0.5, "线索"],
]


@pytest.mark.slow
@pytest.mark.libreoffice
@pytest.mark.skipif(SOFFICE_BIN is None, reason="LibreOffice is not installed")
def test_two_row_headers_in_sheets_made_by_libreoffice(tmp_path: Path) -> None:
    page = {"招什么": html_table(PAGE)}
    made = {fmt: libreoffice_sheets(tmp_path / fmt, page, fmt) for fmt in ("xlsx", "xls", "ods")}
    for fmt, files in made.items():
        db_path = tmp_path / f"{fmt}.db"
        make_city(db_path)
        _check(Cli(db_path), files["招什么"], db_path)

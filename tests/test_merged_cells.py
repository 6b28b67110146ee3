"""Merged cells in a county sheet's data: a 产业链 or 责任单位 typed once and merged over the rows
it belongs to is that value for each of them (it used to read as empty, and the hint to use
--chain then put a 新能源 project into another chain); an amount merged over rows is refused —
one figure for the rows together or each row's cannot be known.  Proved in memory over
generated layouts, and on real .xlsx, .xls and .ods files made by LibreOffice from HTML."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import Cli, dump
from exchange_util import SOFFICE_BIN, html_table, libreoffice_sheets, make_city, write_xlsx
from hypothesis import given, settings
from hypothesis import strategies as st
from pipeline_helpers import query

from zhaoshang.exchange import merged
from zhaoshang.exchange.tables import DataRow


@st.composite
def layouts(draw: st.DrawFn) -> tuple[int, list[dict[int, object]], list[tuple[int, int, int, int]], set[int]]:
    """A header row, data rows (some cells empty), vertical merges that do not overlap."""
    header_row = draw(st.integers(1, 4))
    n_rows = draw(st.integers(1, 12))
    n_cols = draw(st.integers(1, 5))
    grid: list[dict[int, object]] = [
        {c: f"r{r}c{c}" for c in range(n_cols) if draw(st.booleans())} for r in range(n_rows)
    ]
    merges: list[tuple[int, int, int, int]] = []
    for c in range(n_cols):
        r = 0
        while r < n_rows:
            length = draw(st.integers(1, 4))
            if length > 1 and r + length <= n_rows and draw(st.booleans()):
                top = header_row + r  # 0-based sheet row of data row r
                merges.append((top, c, top + length - 1, c))
                for covered in range(r + 1, r + length):
                    grid[covered].pop(c, None)  # a merged area holds its value in the top cell only
                r += length
            else:
                r += 1
    amounts = {c for c in range(n_cols) if draw(st.booleans())}
    return header_row, grid, merges, amounts


@settings(max_examples=400, deadline=None)
@given(layouts())
def test_every_row_a_merge_covers_gets_its_value_and_nothing_else_changes(
    layout: tuple[int, list[dict[int, object]], list[tuple[int, int, int, int]], set[int]],
) -> None:
    header_row, grid, merges, amounts = layout
    rows = [DataRow(header_row + 1 + i, dict(cells)) for i, cells in enumerate(grid)]
    out = merged.MergeFills()
    got = list(merged.fill_merged(rows, merges, header_row=header_row, is_amount=amounts.__contains__, out=out))
    expected = [dict(cells) for cells in grid]
    filled: set[tuple[int, int]] = set()
    refused: set[tuple[int, int]] = set()
    for r0, c0, r1, _c1 in merges:
        top = r0 - header_row
        value = grid[top].get(c0)
        if value is None:
            continue
        if c0 in amounts:
            refused.add((r0 + 1, c0))
            continue
        for i in range(top + 1, r1 - header_row + 1):
            expected[i][c0] = value
            filled.add((header_row + 1 + i, c0))
    assert [r.cells for r in got] == expected
    assert {(n, f.column) for f in out.fills for n in f.rows} == filled
    assert {(r.row, r.column) for r in out.refusals} == refused


def test_a_merge_that_starts_in_the_header_is_layout_not_data() -> None:
    rows = [DataRow(3, {0: "甲"}), DataRow(4, {0: "乙"})]
    out = merged.MergeFills()
    got = list(merged.fill_merged(rows, [(1, 1, 3, 1)], header_row=2, is_amount=lambda c: False, out=out))
    assert [r.cells for r in got] == [{0: "甲"}, {0: "乙"}]
    assert out.fills == [] and out.refusals == []


# ---------------------------------------------------------------------------------- real files


@pytest.fixture
def city(db_path: Path) -> dict[str, int]:
    return make_city(db_path)


def _chains(db_path: Path) -> dict[str, str]:
    rows = query(db_path, "SELECT i.title, c.name FROM items i JOIN chains c ON c.id = i.chain_id")
    return dict(rows)


def test_a_chain_merged_over_rows_is_each_rows_chain_xlsx(
    cli: Cli, city: dict[str, int], tmp_path: Path, db_path: Path
) -> None:
    rows = [
        ["项目名称", "产业链", "责任人"],
        ["合并甲项目", "有色金属", "李明"],
        ["合并乙项目", None, "赵丽"],
        ["合并丙项目", None, None],
        ["大豆项目", "大豆加工", None],
    ]
    path = write_xlsx(tmp_path / "合并.xlsx", {"招什么": rows}, merges={"招什么": ["B2:B4"]})
    dry = cli("import", str(path), "--dry-run", ok=True)
    assert "B列「产业链」的合并单元格 B2:B4：「有色金属」也用于第3–4行" in dry.stdout + dry.stderr
    cli("import", str(path), ok=True)
    got = _chains(db_path)
    assert [got[t] for t in ("合并甲项目", "合并乙项目", "合并丙项目", "大豆项目")] == ["有色金属"] * 3 + ["大豆加工"]


def test_an_amount_merged_over_rows_is_refused(cli: Cli, city: dict[str, int], tmp_path: Path, db_path: Path) -> None:
    rows = [["项目名称", "产业链", "投资额"], ["一期", "有色金属", 5000], ["二期", "有色金属", None]]
    path = write_xlsx(tmp_path / "金额.xlsx", {"招什么": rows}, merges={"招什么": ["C2:C3"]})
    before = dump(db_path)
    r = cli("import", str(path), ok=False)
    assert "合并单元格 C2:C3 跨 2 行" in r.stderr and "C列「投资额」" in r.stderr
    assert dump(db_path) == before


PAGE = [
    ["某县2026年10月招商引资项目表", ..., ..., ...],
    ["项目名称", "产业链", "责任单位", "状态"],
    ["新能源甲项目", ("大豆加工", 1, 3), ("爱辉区", 1, 2), "在谈"],
    ["新能源乙项目", ..., ..., "在谈"],
    ["新能源丙项目", ..., "北安市", "线索"],
    ["矿业项目", "有色金属", "北安市", "线索"],
]
PAGE[0][0] = ("某县2026年10月招商引资项目表", 4)


@pytest.mark.slow
@pytest.mark.libreoffice
@pytest.mark.skipif(SOFFICE_BIN is None, reason="LibreOffice is not installed")
@pytest.mark.parametrize("fmt", ["xlsx", "xls", "ods"])
def test_merged_cells_in_sheets_made_by_libreoffice(fmt: str, tmp_path: Path) -> None:
    made = libreoffice_sheets(tmp_path, {"招什么": html_table(PAGE)}, fmt)
    db_path = tmp_path / f"{fmt}.db"
    make_city(db_path)
    cli = Cli(db_path)
    r = cli("import", str(made["招什么"]), "--kind", "招什么", ok=True)
    assert "合并单元格 B3:B5" in r.stdout + r.stderr
    got = _chains(db_path)
    assert [got[t] for t in ("新能源甲项目", "新能源乙项目", "新能源丙项目")] == ["大豆加工"] * 3
    assert got["矿业项目"] == "有色金属"
    sql = "SELECT i.title, u.name FROM items i JOIN units u ON u.id = i.unit_id WHERE i.title LIKE '新能源%'"
    units = dict(query(db_path, sql))
    assert units == {"新能源甲项目": "爱辉区", "新能源乙项目": "爱辉区", "新能源丙项目": "北安市"}

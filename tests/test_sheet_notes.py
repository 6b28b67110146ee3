"""What a county sheet says besides its values has a visible fate: a cell comment (批注 —
「增资，1200万美元外资」) is listed as not imported, with where it is and what to do; a hidden
column says it is hidden.  Both used to vanish without a word.  .xlsx from openpyxl, and the
same file re-saved by LibreOffice as .xlsx, .ods and .xls (read by xlrd)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import Cli
from exchange_util import SOFFICE_BIN, libreoffice_resave, make_city

from zhaoshang.exchange.sheetfacts import sheet_facts


def _sheet(path: Path) -> Path:
    import openpyxl
    from openpyxl.comments import Comment

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "招什么"
    ws.append(["项目名称", "产业链", "投资额", "责任人"])
    ws.append(["批注项目", "有色金属", 800, "李明"])
    ws.append(["另一项目", "大豆加工", 5, "赵丽"])
    ws["C2"].comment = Comment("增资，1200万美元外资", "县招商局")
    ws.column_dimensions["D"].hidden = True
    wb.save(path)
    return path


def _check(cli: Cli, path: Path) -> None:
    facts = sheet_facts(path, "招什么")
    assert (2, 2, "增资，1200万美元外资") in [(r, c, t.strip()) for r, c, t in facts.comments]
    assert 3 in facts.hidden_columns
    r = cli("import", str(path), "--dry-run", ok=True)
    said = r.stdout + r.stderr
    assert "C2 单元格有批注「增资，1200万美元外资" in said and "没有导入" in said
    assert "责任人" in said and "隐藏列" in said


@pytest.fixture
def city(db_path: Path) -> dict[str, int]:
    return make_city(db_path)


def test_comments_and_hidden_columns_are_said_xlsx(cli: Cli, city: dict[str, int], tmp_path: Path) -> None:
    _check(cli, _sheet(tmp_path / "批注.xlsx"))


@pytest.mark.slow
@pytest.mark.libreoffice
@pytest.mark.skipif(SOFFICE_BIN is None, reason="LibreOffice is not installed")
@pytest.mark.parametrize("fmt", ["xlsx", "ods", "xls"])
def test_comments_and_hidden_columns_survive_libreoffice(
    fmt: str, cli: Cli, city: dict[str, int], tmp_path: Path
) -> None:
    _check(cli, libreoffice_resave(_sheet(tmp_path / "批注.xlsx"), tmp_path, fmt))

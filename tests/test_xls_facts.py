""".xls sheet facts as a county clerk's file brings them.

The workbooks are typed with openpyxl and saved as .xls by LibreOffice (MS Excel 97 filter),
as the county's Excel/WPS would save them: month-formatted date cells in several number
formats next to formats WITH a day, a table that starts at C4 (row numbers and column letters
must be the ones Excel shows), hidden rows and columns, comments, sheets named with spaces and
traditional characters, a merged date cell.  Then the files a clerk really sends: cut short,
an .xlsx renamed .xls, and an .xls whose date cell uses one of Excel's built-in Chinese
formats (number format 57 「2026年10月」, 31 「2026年10月15日」): Excel writes no FORMAT
record for these, and xlrd gives their format string as None.

Each case of the last group was a defect when these tests were written: a built-in format
turned every check of the sheet off, format 57 was no month, a merged month cell gave its
lower rows the 1st, a cut .xls showed a Rust panic and a traceback, a renamed .xlsx was not
checked.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from _harness import run_zs, zs_env
from conftest import Cli
from exchange_util import SOFFICE_BIN, make_city

from zhaoshang.errors import ZsError
from zhaoshang.exchange.readers import read_file
from zhaoshang.exchange.sheetfacts import sheet_facts

pytestmark = [
    pytest.mark.slow,
    pytest.mark.libreoffice,
    pytest.mark.skipif(SOFFICE_BIN is None, reason="LibreOffice is not installed"),
]

H = ["项目名称", "产业链", "签约日期", "状态", "投资额"]

#: (number format, whether a clerk sees a month only) of the 格式 sheet's C column, row 2 on
FORMATS = [
    ('yyyy"年"m"月"', True),
    ("mmm-yy", True),
    ("[$-804]yyyy年m月", True),
    ("yyyy/mm", True),
    ("mmmm yyyy", True),
    ("yy.mm", True),
    ('yyyy"年"m"月"d"日"', False),
    ("yyyy/m/d", False),
    ("m/d/yy", False),
    ("yyyy-mm-dd", False),
    ("[$-804]yyyy年m月d日", False),
    ("yyyy-mm-dd hh:mm", False),
]


def _county_book(path: Path) -> Path:
    import openpyxl
    from openpyxl.comments import Comment

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    fmt = wb.create_sheet("格式")
    fmt.append(H)
    for i, (code, _month) in enumerate(FORMATS):
        fmt.append([f"格式项目{i + 1}", "有色金属", dt.datetime(2025, 3, 1 + i), "已签约", 10 + i])
        fmt.cell(fmt.max_row, 3).number_format = code
    # a table that starts at C4, as many county sheets do (a title area left blank)
    off = wb.create_sheet("招什么")
    for i, h in enumerate(H):
        off.cell(4, 3 + i, h)
    for r, (title, day) in enumerate([("甲项目", 1), ("乙项目", 20), ("丙项目", 1), ("丁项目", 1)]):
        for c, v in enumerate([title, "有色金属", dt.datetime(2025, 9 - r, day), "已签约", 100 + r]):
            off.cell(5 + r, 3 + c, v)
        off.cell(5 + r, 5).number_format = "yyyy-mm-dd"
    off["E5"].number_format = 'yyyy"年"m"月"'  # 甲项目: a month
    off["G6"].comment = Comment("甲方备注：外资", "县局")
    off.row_dimensions[7].hidden = True
    off.column_dimensions["F"].hidden = True
    spaced = wb.create_sheet("二 季 度 表")
    spaced.append(H)
    for i, title in enumerate(["戊项目", "己项目", "庚项目"]):
        spaced.append([title, "有色金属", dt.datetime(2025, 3 + i, 5), "已签约", 1 + i])
        spaced.cell(2 + i, 3).number_format = "yyyy-mm-dd"
    spaced["C3"].number_format = "mmm-yy"
    spaced["B2"].comment = Comment("二季度批注", "县局")
    spaced.row_dimensions[4].hidden = True
    merged = wb.create_sheet("招商項目清單")
    merged.append(H)
    merged.append(["辛項目", "有色金属", dt.datetime(2025, 7, 1), "已签约", 5])
    merged.append(["壬項目", "有色金属", None, "已签约", 6])
    merged.append(["癸項目", "有色金属", dt.datetime(2025, 8, 8), "已签约", 7])
    merged.merge_cells("C2:C3")
    merged["C2"].number_format = '[$-804]yyyy"年"m"月"'
    merged["C4"].number_format = 'yyyy"年"m"月"d"日"'
    wb.save(path)
    return path


def _builtin_book(path: Path) -> Path:
    """One month cell (C2) in a custom format used nowhere else, a comment and a hidden row."""
    import openpyxl
    from openpyxl.comments import Comment

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "招什么"
    ws.append(H)
    ws.append(["内置格式项目", "有色金属", dt.datetime(2025, 10, 1), "已签约", 100])
    ws.append(["另一项目", "有色金属", dt.datetime(2025, 10, 15), "已签约", 200])
    ws["C2"].number_format = 'yyyy"年"mm"月"'
    ws["C3"].number_format = "yyyy-mm-dd"
    ws["E3"].comment = Comment("外资200万美元", "县局")
    ws.row_dimensions[3].hidden = True
    wb.save(path)
    return path


def _to_xls(tmp: Path, sources: list[Path]) -> dict[str, Path]:
    """Every source saved as .xls (MS Excel 97) in ONE LibreOffice run."""
    assert SOFFICE_BIN is not None
    out = tmp / "xls"
    out.mkdir(exist_ok=True)
    args = [SOFFICE_BIN, f"-env:UserInstallation={(tmp / 'lo_profile').as_uri()}", "--headless"]
    args += ["--convert-to", "xls:MS Excel 97", "--outdir", str(out), *map(str, sources)]
    proc = subprocess.run(args, capture_output=True, text=True, timeout=600)
    made = {p.stem: out / f"{p.stem}.xls" for p in sources}
    assert all(p.exists() for p in made.values()), (proc.stdout, proc.stderr)
    return made


def _with_builtin_format(src: Path, dst: Path, builtin: int) -> Path:
    """``src`` with the XF records of its 「yyyy"年"mm"月"」 format pointed at Excel's built-in
    number format ``builtin`` (27–36, 50–58: the Chinese date formats Excel writes by number,
    without a FORMAT record).  Sizes are kept, so the compound file stays valid."""
    import io

    import xlrd

    book = xlrd.open_workbook(str(src), formatting_info=True, logfile=io.StringIO())
    custom = [k for k, f in book.format_map.items() if f.format_str and "mm" in f.format_str and "年" in f.format_str]
    assert len(custom) == 1, custom
    data = bytearray(src.read_bytes())
    head = b"\xe0\x00\x14\x00"  # an XF record: type 0x00E0, 20 bytes; ifmt at +6
    hits = 0
    at = data.find(head)
    while at >= 0:
        if int.from_bytes(data[at + 6 : at + 8], "little") == custom[0]:
            data[at + 6 : at + 8] = builtin.to_bytes(2, "little")
            hits += 1
        at = data.find(head, at + 1)
    assert hits >= 1
    dst.write_bytes(bytes(data))
    again = xlrd.open_workbook(str(dst), formatting_info=True, logfile=io.StringIO())
    sh = again.sheet_by_index(0)
    assert again.xf_list[sh.cell_xf_index(1, 2)].format_key == builtin
    assert again.format_map[builtin].format_str is None  # as xlrd gives Excel's own Chinese formats
    return dst


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("xls_facts")
    made = _to_xls(tmp, [_county_book(tmp / "county.xlsx"), _builtin_book(tmp / "builtin.xlsx")])
    made["builtin57"] = _with_builtin_format(made["builtin"], tmp / "builtin57.xls", 57)
    made["builtin31"] = _with_builtin_format(made["builtin"], tmp / "builtin31.xls", 31)
    return made


@pytest.fixture
def city(db_path: Path) -> dict[str, int]:
    return make_city(db_path)


def _signed(cli: Cli, title: str) -> Any:
    items = json.loads(cli("list", "-f", "json", ok=True).stdout)
    ids = [x["id"] for x in items if x["title"] == title]
    assert len(ids) == 1, (title, items)
    return json.loads(cli("show", str(ids[0]), "-f", "json", ok=True).stdout).get("signed_date")


# -- what works (guards) ---------------------------------------------------------------------


def test_month_formats_are_months_and_day_formats_are_not(books: dict[str, Path]) -> None:
    facts = sheet_facts(books["county"], "格式")
    assert facts.checked
    months = {row for row, col in facts.month_cells if col == 2}
    assert months == {i + 2 for i, (_code, month) in enumerate(FORMATS) if month}


def test_offset_table_facts_are_the_rows_and_letters_excel_shows(
    cli: Cli, city: dict[str, int], books: dict[str, Path]
) -> None:
    facts = sheet_facts(books["county"], "招什么")
    assert facts.checked
    assert facts.month_cells == {(5, 4)}  # E5
    assert facts.hidden_rows == [7]
    assert facts.hidden_columns == [5]  # F
    assert [(r, c, t) for r, c, t in facts.comments] == [(6, 6, "甲方备注：外资")]  # G6
    r = cli("import", str(books["county"]), "--sheet", "招什么", "--dry-run")
    said = r.stdout + r.stderr
    assert "「招什么」第5行 E列「签约日期」 值「2025年9月」" in said and "只有年月" in said
    assert "G6 单元格有批注「甲方备注：外资」" in said
    assert "第7行在表中被隐藏" in said
    assert "隐藏列" in said


def test_each_sheets_facts_come_from_its_own_sheet(books: dict[str, Path]) -> None:
    spaced = sheet_facts(books["county"], "二 季 度 表")
    assert (spaced.month_cells, spaced.hidden_rows, [(r, c) for r, c, _t in spaced.comments]) == (
        {(3, 2)},
        [4],
        [(2, 1)],
    )
    traditional = sheet_facts(books["county"], "招商項目清單")
    assert traditional.checked
    assert traditional.month_cells == {(2, 2), (3, 2)}  # (C2:C3 merged: the month covers row 3 too)
    assert traditional.merges == [(1, 2, 2, 2)]
    assert (traditional.hidden_rows, traditional.hidden_columns, traditional.comments) == ([], [], [])


def test_month_cell_holding_a_typed_day_keeps_it(cli: Cli, city: dict[str, int], books: dict[str, Path]) -> None:
    # 己项目 is shown as Apr-25 but holds 2025-04-05: a month typed would be its 1st, so the 5th
    # was typed and the format hides it — taken and said, with or without --confirm month_end
    # (a month's 1st is refused or dated by --confirm: test_merged_month_cell_is_a_month_on_every_row)
    r = cli("import", str(books["county"]), "--sheet", "二 季 度 表", "--confirm", "month_end", ok=True)
    assert "显示为「2025年4月」，单元格里存的日期是 2025-04-05：按这一天记" in r.stdout + r.stderr
    assert _signed(cli, "己项目") == "2025-04-05"
    assert _signed(cli, "戊项目") == "2025-03-05"  # yyyy-mm-dd: its day kept


def test_damaged_xls_refused_in_chinese(tmp_path: Path, books: dict[str, Path]) -> None:
    data = books["county"].read_bytes()
    for name, body in [
        ("半个.xls", data[: len(data) // 2]),
        ("头.xls", data[:600]),
        ("乱码.xls", bytes(range(256)) * 40),
    ]:
        p = tmp_path / name
        p.write_bytes(body)
        with pytest.raises(ZsError) as e:
            for sheet in read_file(p):
                list(sheet.rows)
        assert "另存为 .xlsx" in e.value.message


# -- defects found ---------------------------------------------------------------------------


@pytest.mark.parametrize("builtin", ["builtin31", "builtin57"])
def test_builtin_chinese_format_does_not_blind_the_sheet(builtin: str, books: dict[str, Path]) -> None:
    facts = sheet_facts(books[builtin], "招什么")
    assert facts.checked
    assert facts.hidden_rows == [3]
    assert [(r, c) for r, c, _t in facts.comments] == [(3, 4)]


def test_builtin_57_is_a_month(cli: Cli, city: dict[str, int], books: dict[str, Path]) -> None:
    assert (2, 2) in sheet_facts(books["builtin57"], "招什么").month_cells
    r = cli("import", str(books["builtin57"]), "--dry-run", "--kind", "招什么", ok=False)
    assert "「招什么」第2行 C列「签约日期」 值「2025年10月」" in r.stdout + r.stderr


def test_builtin_31_keeps_its_day(cli: Cli, city: dict[str, int], books: dict[str, Path]) -> None:
    # 31 is zh-CN 「yyyy年m月d日」: a day shown, never a month (guard for the fix of the above)
    assert (2, 2) not in sheet_facts(books["builtin31"], "招什么").month_cells


def test_merged_month_cell_is_a_month_on_every_row(cli: Cli, city: dict[str, int], books: dict[str, Path]) -> None:
    cli("import", str(books["county"]), "--sheet", "招商項目清單", "--confirm", "month_end", ok=True)
    assert _signed(cli, "辛項目") == "2025-07-31"
    assert _signed(cli, "癸項目") == "2025-08-08"
    assert _signed(cli, "壬項目") == "2025-07-31"


def test_xls_cut_short_at_the_end_is_refused(tmp_path: Path, books: dict[str, Path]) -> None:
    data = books["county"].read_bytes()
    p = tmp_path / "少了结尾.xls"
    p.write_bytes(data[:-100])
    try:
        for sheet in read_file(p):
            list(sheet.rows)
    except ZsError as e:
        assert "另存为 .xlsx" in e.message
    except BaseException as e:
        pytest.fail(f"{type(e).__name__}: {e}")
    # and the whole command: the Chinese message only, not Rust's panic text on stderr
    env = zs_env(tmp_path, RUST_BACKTRACE="1")
    assert run_zs(tmp_path / "zs.db", "init", env=env).returncode == 0
    r = run_zs(tmp_path / "zs.db", "import", str(p), "--dry-run", env=env)
    assert r.returncode == 1 and "文件已损坏" in r.stderr, r.stderr
    assert "panicked" not in r.stderr and "Traceback" not in r.stderr and "backtrace" not in r.stderr, r.stderr


def test_xlsx_renamed_xls_is_still_checked(tmp_path: Path) -> None:
    p = _county_book(tmp_path / "county.xlsx").rename(tmp_path / "改了扩展名.xls")
    facts = sheet_facts(p, "招什么")
    assert facts.checked
    assert facts.month_cells == {(5, 4)}

"""Reading files people send: raw sheets (readers) and the tables in them (tables)."""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import json
import shutil
import subprocess
import sys
import tracemalloc
from collections.abc import Iterable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from zhaoshang.errors import ZsError
from zhaoshang.exchange.readers import RawSheet, merged_ranges, read_file
from zhaoshang.exchange.tables import (
    DataRow,
    HeaderCell,
    Table,
    column_letter,
    find_table,
    parse_header,
)

LABELS = {
    "编号", "名称", "产业链", "投资额", "到位资金", "状态", "签约日期", "备注", "企业", "联系人",
    # traditional spellings, as a caller's normaliser would accept them
    "名稱", "產業鏈", "狀態", "投資額",
}  # fmt: skip


def known(label: str) -> bool:
    return label in LABELS


def rows_of(sheet: RawSheet) -> list[list[object]]:
    return list(sheet.rows)


def only(sheets: list[RawSheet]) -> RawSheet:
    assert len(sheets) == 1, [s.name for s in sheets]
    return sheets[0]


def data(table: Table) -> list[DataRow]:
    return list(table.rows)


def by_label(table: Table) -> dict[str, HeaderCell]:
    return {h.label: h for h in table.header}


def write_csv(path: Path, rows: Iterable[Iterable[object]], encoding: str, delimiter: str = ",") -> Path:
    with path.open("w", encoding=encoding, newline="") as f:
        csv.writer(f, delimiter=delimiter).writerows(rows)
    return path


# ---------------------------------------------------------------------------------------------
# a messy workbook, made the way people make them


def messy_workbook(path: Path) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "项目清单"
    ws["A1"] = "XX县2026年3月招商引资项目清单"
    ws.merge_cells("A1:H1")
    ws["A2"] = "填报单位：XX县商务局\u3000填报日期：2026年3月5日"
    ws["G2"] = "单位：万元"
    # two-row header: 投资情况 over 投资额/到位资金, the rest merged vertically
    for col, text in zip("ABCDGH", ["序号", "编号", "名称", "产业链", "状　态", "签约日期"], strict=True):
        ws[f"{col}3"] = text
        ws.merge_cells(f"{col}3:{col}4")
    ws["E3"] = "投资情况"
    ws.merge_cells("E3:F3")
    ws["E4"] = "投资额（亿元）"
    ws["F4"] = "到位资金\n（万元）"
    ws.append([1, "XM-001", "新能源电池项目", "新能源", 12.5, 3000, "签约", dt.date(2026, 3, 1)])
    ws.append([2, "XM-002", "=SUM(A1)", "装备制造", 8, 0, "在谈", "2026-03-02"])
    ws["C6"].data_type = "s"  # typed text that merely looks like a formula
    ws.append([])  # row 7: blank
    ws.append(
        [3, "007", "  智能制造合计产业园  ", "电子信息", 3.2, None, "开工",
         dt.datetime(2026, 3, 3, 9, 30)]
    )  # fmt: skip
    ws.append([4])  # row 9: a pre-numbered template row, otherwise empty
    ws["A10"] = "合　计"
    ws.merge_cells("A10:D10")
    ws["E10"] = 23.7
    ws["F10"] = 3000
    ws["A11"] = "填报人：张三"
    ws["D11"] = "审核人：李四"
    ws["F11"] = "联系电话：0371-12345678"
    ws["A12"] = "注：1.本表金额单位见表头；2.状态按最新进展填写。"
    ws.merge_cells("A12:H12")
    ws["A13"] = "2026年3月5日"

    hidden = wb.create_sheet("草稿")
    hidden.append(["名称", "状态"])
    hidden.append(["隐藏的项目", "在谈"])
    hidden.sheet_state = "hidden"
    very = wb.create_sheet("底稿")
    very.append(["名称", "状态"])
    very.sheet_state = "veryHidden"
    other = wb.create_sheet("Sheet2")
    other.append(["名称", "状态"])
    other.append(["另一个项目", "签约"])
    wb.save(path)
    return path


@pytest.fixture
def messy(tmp_path: Path) -> Path:
    return messy_workbook(tmp_path / "3月清单.xlsx")


def test_raw_rows_keep_file_rows_types_and_text(messy: Path) -> None:
    sheets = read_file(messy)
    assert [s.name for s in sheets] == ["项目清单", "Sheet2"]  # hidden sheets skipped
    rows = rows_of(sheets[0])
    assert rows[0] == ["XX县2026年3月招商引资项目清单"]  # merged: value in the top-left only
    assert rows[2][:4] == ["序号", "编号", "名称", "产业链"]
    assert rows[3] == [None, None, None, None, "投资额（亿元）", "到位资金\n（万元）"]
    assert rows[4] == [1, "XM-001", "新能源电池项目", "新能源", 12.5, 3000, "签约",
                       dt.date(2026, 3, 1)]  # fmt: skip
    assert type(rows[4][5]) is int and type(rows[4][4]) is float
    assert rows[5][2] == "=SUM(A1)"
    assert rows[5][7] == "2026-03-02"
    assert rows[6] == []
    assert rows[7][1] == "007" and rows[7][2] == "  智能制造合计产业园  "  # kept as typed
    assert rows[7][5] is None
    assert rows[7][7] == dt.datetime(2026, 3, 3, 9, 30)
    # re-iterable: a second pass reads the same rows again
    assert rows_of(sheets[0]) == rows


def test_messy_table(messy: Path) -> None:
    table = find_table(only(read_file(messy, sheet="项目清单")), known)
    assert table.sheet == "项目清单"
    assert table.header_row == 4
    heads = [(h.letter, h.text, h.label, h.unit) for h in table.header]
    assert heads == [
        ("B", "编号", "编号", None),
        ("C", "名称", "名称", None),
        ("D", "产业链", "产业链", None),
        ("E", "投资额（亿元）", "投资额", "亿元"),
        ("F", "到位资金 （万元）", "到位资金", "万元"),
        ("G", "状 态", "状态", None),
        ("H", "签约日期", "签约日期", None),
    ]
    rows = data(table)
    assert [r.number for r in rows] == [5, 6, 8]
    first, second, third = (r.cells for r in rows)
    assert first == {1: "XM-001", 2: "新能源电池项目", 3: "新能源", 4: 12.5, 5: 3000, 6: "签约",
                     7: dt.date(2026, 3, 1)}  # fmt: skip
    assert second[2] == "=SUM(A1)" and second[5] == 0 and second[7] == "2026-03-02"
    assert third[1] == "007"
    assert third[2] == "智能制造合计产业园"  # stripped; 合计 in the middle is not a total row
    assert 5 not in third
    assert 0 not in third  # the 序号 column is ignored
    assert table.notes == [
        "第1–2行为标题行，已跳过",
        "第3–4行为两行表头，已合并",
        "已忽略「序号」列（A列）",
        "第10行为合计行，已跳过",
        "第11行为填报人/落款行，已跳过",
        "第12行为说明行，已跳过",
        "第13行为填报人/落款行，已跳过",
    ]
    assert table.meta == {
        "填报单位": "XX县商务局",
        "填报日期": "2026年3月5日",
        "单位": "万元",
        "填报人": "张三",
        "审核人": "李四",
        "联系电话": "0371-12345678",
    }


def test_hidden_sheet_returned_when_named(messy: Path) -> None:
    sheet = only(read_file(messy, sheet="草稿"))
    assert rows_of(sheet) == [["名称", "状态"], ["隐藏的项目", "在谈"]]
    assert only(read_file(messy, sheet="底稿")).name == "底稿"
    assert only(read_file(messy, sheet="sheet2")).name == "Sheet2"  # casefold match


def test_unknown_sheet_lists_the_sheets(messy: Path) -> None:
    with pytest.raises(ZsError) as err:
        read_file(messy, sheet="项目")
    msg = str(err.value)
    assert "3月清单.xlsx" in msg and "「项目」" in msg
    assert "「项目清单」" in msg and "「Sheet2」" in msg


def test_merged_ranges(messy: Path, tmp_path: Path) -> None:
    ranges = merged_ranges(messy, "项目清单")
    assert (0, 0, 0, 7) in ranges  # A1:H1
    assert (2, 4, 2, 5) in ranges  # E3:F3
    assert (9, 0, 9, 3) in ranges  # A10:D10
    csv_path = write_csv(tmp_path / "a.csv", [["名称", "状态"]], "utf-8")
    assert merged_ranges(csv_path, "a") == []


def test_group_header_above_the_chosen_row(tmp_path: Path) -> None:
    """The lower row has more known labels; the row above fills its gaps."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["序号", "名称", "基本情况", None, None])
    ws.append([None, None, "产业链", "投资额(万元)", "状态"])
    ws.append([1, "甲项目", "新能源", 100, "在谈"])
    wb.save(tmp_path / "g.xlsx")
    table = find_table(only(read_file(tmp_path / "g.xlsx")), known)
    assert table.header_row == 2
    assert [h.label for h in table.header] == ["名称", "产业链", "投资额", "状态"]
    assert by_label(table)["投资额"].unit == "万元"
    assert [r.cells for r in data(table)] == [{1: "甲项目", 2: "新能源", 3: 100, 4: "在谈"}]
    assert "已忽略「序号」列（A列）" in table.notes


def test_title_row_is_not_a_group_header(tmp_path: Path) -> None:
    sheet = RawSheet(
        "表",
        [["XX县重点项目"], [None, "名称", "状态"], [None, "甲", "签约"]],
    )
    table = find_table(sheet, known)
    assert table.header_row == 2
    assert [h.text for h in table.header] == ["名称", "状态"]
    assert table.notes == ["第1行为标题行，已跳过"]


def test_traditional_headers_and_units(tmp_path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "項目"
    ws.append(["No.", "名稱", "產業鏈", "投資額/萬元", "狀態", "投资额 (亿元)"])
    ws.append([1, "甲項目", "新能源", 5, "簽約", 1.5])
    ws.append([2, "乙項目", None, None, None, None])
    ws.append(["總計", None, None, 5, None, 1.5])
    wb.save(tmp_path / "繁體.xlsx")
    table = find_table(only(read_file(tmp_path / "繁體.xlsx")), known)
    labels = [(h.label, h.unit) for h in table.header]
    # 萬元 is not a simplified unit word, so the slash part stays in the label
    assert labels == [("名稱", None), ("產業鏈", None), ("投資額/萬元", None), ("狀態", None),
                      ("投资额", "亿元")]  # fmt: skip
    assert [r.number for r in data(table)] == [2, 3]
    assert table.notes == ["已忽略「No.」列（A列）", "第4行为合计行，已跳过"]


@pytest.mark.parametrize(
    ("text", "label", "unit"),
    [
        ("投资额（亿元）", "投资额", "亿元"),
        ("投资额(万元)", "投资额", "万元"),
        ("投资额/万元", "投资额", "万元"),
        ("投资额 (亿元)", "投资额", "亿元"),
        ("投资额\n（万元）", "投资额", "万元"),
        ("合同外资【万美元】", "合同外资", "万美元"),
        ("增速/%", "增速", "%"),
        ("工期（天）", "工期", "天"),
        ("名\u3000称", "名称", None),
        ("产业链/行业", "产业链/行业", None),
        ("签约/开工时间", "签约/开工时间", None),
        ("名称（）", "名称", None),
    ],
)
def test_parse_header(text: str, label: str, unit: str | None) -> None:
    assert parse_header(text)[1:] == (label, unit)
    assert "\n" not in parse_header(text)[0] and "\u3000" not in parse_header(text)[0]


def test_column_letter() -> None:
    assert [column_letter(i) for i in (0, 1, 25, 26, 27, 51, 52, 701, 702, 16383)] == [
        "A", "B", "Z", "AA", "AB", "AZ", "BA", "ZZ", "AAA", "XFD",
    ]  # fmt: skip
    with pytest.raises(ValueError):
        column_letter(-1)


def test_total_rows_only_when_the_cell_is_the_marker() -> None:
    rows: list[list[object]] = [
        ["名称", "状态", "投资额"],
        ["合计产业园项目", "签约", 1],  # a name that starts with 合计 followed by text
        ["某某小计器材厂", "在谈", 2],
        ["合计：", None, 3],
        [None, "小 计", 4],
        ["全县合计", None, 5],
        ["合計", None, 6],
        ["總計", None, 7],
        ["总计", None, 8],
    ]
    table = find_table(RawSheet("s", rows), known)
    assert [r.number for r in data(table)] == [2, 3]
    assert len(table.notes) == 6 and all("合计行" in n for n in table.notes)


def test_index_columns_ignored_but_bianhao_kept() -> None:
    rows: list[list[object]] = [
        ["序 号", "编号", "名称", "#", "NO", "状态"],
        [1, "A01", "甲", 1, 1, "在谈"],
    ]
    table = find_table(RawSheet("s", rows), known)
    assert [h.label for h in table.header] == ["编号", "名称", "状态"]
    assert data(table)[0].cells == {1: "A01", 2: "甲", 5: "在谈"}
    assert table.notes == [
        "已忽略「序 号」列（A列）",
        "已忽略「#」列（D列）",
        "已忽略「NO」列（E列）",
    ]


def test_empty_header_columns() -> None:
    rows: list[list[object]] = [
        ["名称", None, "状态", None, "备注"],
        ["甲", None, "签约", "手写的补充", None],
        ["乙", None, "在谈", None, None],
    ]
    table = find_table(RawSheet("s", rows), known)
    assert [(h.letter, h.text, h.label) for h in table.header] == [
        ("A", "名称", "名称"),
        ("C", "状态", "状态"),
        ("D", "", ""),  # no header but data: kept so the caller can report it
        ("E", "备注", "备注"),  # a header without data stays
    ]


def test_bare_column_found_after_the_lookahead() -> None:
    from zhaoshang.exchange import tables

    rows: list[list[object]] = [["名称", "状态"]]
    rows += [[f"项目{i}", "在谈"] for i in range(tables.LOOKAHEAD + 10)]
    rows.append(["最后", "签约", "多出来的"])
    table = find_table(RawSheet("s", rows), known)
    assert [h.letter for h in table.header] == ["A", "B"]
    assert len(data(table)) == tables.LOOKAHEAD + 11
    assert [h.letter for h in table.header] == ["A", "B", "C"]
    assert table.notes == [f"C列没有表头，但第{tables.LOOKAHEAD + 12}行起有数据"]


def test_repeated_header_blocks_are_skipped() -> None:
    rows: list[list[object]] = [
        ["名称", "产业链", "状态"],
        ["甲", "新能源", "签约"],
        [],
        ["名称", "产业链", "状态"],
        ["乙", "装备", "在谈"],
        ["名 称", "产业链", None],
        ["丙", "名称", "在谈"],  # one header-like value is just data
    ]
    table = find_table(RawSheet("s", rows), known)
    assert [r.number for r in data(table)] == [2, 5, 7]
    assert table.notes == ["第4行重复了表头，已跳过", "第6行重复了表头，已跳过"]


def test_footer_keys_and_notes() -> None:
    rows: list[list[object]] = [
        ["名称", "状态", "备注"],
        ["甲", "签约", "说明：已完成"],  # 说明 in a data cell, not in the first one
        ["说明：本表由各乡镇填报"],
        ["审核人:", "王五"],
        ["制表人：赵六  联系电话：13800000000"],
    ]
    table = find_table(RawSheet("s", rows), known)
    assert [r.number for r in data(table)] == [2]
    assert table.meta == {"审核人": "王五", "制表人": "赵六", "联系电话": "13800000000"}
    assert table.notes == [
        "第3行为说明行，已跳过",
        "第4行为填报人/落款行，已跳过",
        "第5行为填报人/落款行，已跳过",
    ]


def test_no_header_found_names_the_sheet() -> None:
    rows: list[list[object]] = [["标题"], ["甲", "乙", "丙"], ["名称", "随便"]]
    with pytest.raises(ZsError) as err:
        find_table(RawSheet("汇总", rows), known, max_scan=3)
    assert str(err.value) == (
        "「汇总」工作表中找不到表头：前3行没有可识别的列名。可识别的列名如 名称、产业链、状态…；或用 mapping 指定列"
    )
    # the header must lie within max_scan rows
    late: list[list[object]] = [["x"], ["x"], ["x"], ["x"], ["x"], ["名称", "状态"], ["甲", "在谈"]]
    with pytest.raises(ZsError):
        find_table(RawSheet("s", late), known, max_scan=5)
    assert find_table(RawSheet("s", late), known, max_scan=6).header_row == 6


def test_header_tie_goes_to_the_earliest_row() -> None:
    rows: list[list[object]] = [["名称", "状态"], ["名称", "状态"], ["甲", "在谈"]]
    table = find_table(RawSheet("s", rows), known)
    assert table.header_row == 1


# ---------------------------------------------------------------------------------------------
# delimited text

CHINESE_ROWS = [
    ["编号", "名称", "投资额（亿元）", "备注"],
    ["007", "新能源电池项目", "12.5", "=SUM(A1)"],
    ["XM-2", "装备制造产业园，二期", "", "含“引号”与换行\n第二行"],
]


def expected_text_rows(rows: list[list[str]]) -> list[list[object]]:
    out: list[list[object]] = []
    for row in rows:
        cells: list[object] = [c or None for c in row]
        while cells and cells[-1] is None:
            cells.pop()
        out.append(cells)
    return out


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8-sig", "utf-8"])
def test_csv_encodings(tmp_path: Path, encoding: str) -> None:
    path = write_csv(tmp_path / f"清单-{encoding}.csv", CHINESE_ROWS, encoding)
    sheet = only(read_file(path))
    assert sheet.name == f"清单-{encoding}"
    assert rows_of(sheet) == expected_text_rows(CHINESE_ROWS)
    table = find_table(sheet, known)
    assert by_label(table)["投资额"].unit == "亿元"
    assert data(table)[1].cells == {0: "XM-2", 1: "装备制造产业园，二期",
                                    3: "含“引号”与换行\n第二行"}  # fmt: skip


def test_gb18030_detected_even_when_the_start_is_ascii(tmp_path: Path) -> None:
    rows = [["name", "state"]] + [[f"p{i}", "ok"] for i in range(30_000)] + [["项目", "签约"]]
    path = write_csv(tmp_path / "late.csv", rows, "gb18030")
    assert rows_of(only(read_file(path)))[-1] == ["项目", "签约"]


def test_tsv_and_semicolons_and_txt(tmp_path: Path) -> None:
    tsv = write_csv(tmp_path / "a.tsv", CHINESE_ROWS, "utf-8", delimiter="\t")
    assert rows_of(only(read_file(tsv))) == expected_text_rows(CHINESE_ROWS)
    semi = [["名称", "投资额"], ["甲", "1,5"], ["乙", "2,25"]]
    path = write_csv(tmp_path / "b.csv", semi, "utf-8", delimiter=";")
    assert rows_of(only(read_file(path))) == semi
    txt = write_csv(tmp_path / "c.txt", CHINESE_ROWS, "utf-16", delimiter="\t")
    assert rows_of(only(read_file(txt))) == expected_text_rows(CHINESE_ROWS)


def test_csv_messy_sheet(tmp_path: Path) -> None:
    rows = [
        ["XX县招商项目清单", "", "", ""],
        ["填报单位：XX县商务局", "", "", "填报日期：2026-03-05"],
        ["序号", "名称", "状态", "签约日期"],
        ["1", "甲", "签约", "2026/3/1"],
        ["", "", "", ""],
        ["合计", "1个", "", ""],
        ["填报人：张三", "", "", ""],
    ]
    table = find_table(only(read_file(write_csv(tmp_path / "m.csv", rows, "gb18030"))), known)
    assert table.header_row == 3
    assert [r.cells for r in data(table)] == [{1: "甲", 2: "签约", 3: "2026/3/1"}]
    assert table.meta == {"填报单位": "XX县商务局", "填报日期": "2026-03-05", "填报人": "张三"}


def test_csv_bad_bytes_deep_in_the_file(tmp_path: Path) -> None:
    path = tmp_path / "坏.csv"
    path.write_bytes("名称,状态\n甲,签约\n".encode("gb18030") + b"\x81\x20,x\n")
    with pytest.raises(ZsError) as err:
        rows_of(only(read_file(path)))
    assert "坏.csv" in str(err.value) and "第3行" in str(err.value)


cell_text = st.text(
    alphabet=st.one_of(
        st.characters(exclude_categories=["Cs"]),
        st.sampled_from(list("招商引资项目清单中文，。“”😀👍🏽𠀀\r\n\t\x00\x1e\x85,;\"'= \u3000\ufeff")),
    ),
    max_size=30,
)
long_text = st.builds(lambda s, n: (s * n)[:5000], cell_text.filter(bool), st.integers(50, 5000))
cell = st.one_of(
    cell_text,
    long_text,
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=False),
    st.sampled_from(["007", "=SUM(A1)", "-0", "1e5", "  spaced  "]),
)
grids = st.integers(2, 5).flatmap(
    lambda width: st.lists(st.lists(cell, min_size=width, max_size=width), min_size=1, max_size=8)
)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(grid=grids, encoding=st.sampled_from(["utf-8-sig", "gb18030"]))
def test_csv_round_trip(tmp_path: Path, grid: list[list[object]], encoding: str) -> None:
    text_rows = [[str(c) for c in row] for row in grid]
    path = tmp_path / "round.csv"
    write_csv(path, text_rows, encoding)
    raw = path.read_bytes()
    if encoding == "gb18030":
        # GB18030 bytes that also happen to be valid UTF-8 are undecidable: assume them away.
        with contextlib.suppress(UnicodeDecodeError):
            assume(raw.decode("utf-8") == raw.decode("gb18030"))
        assume(not raw.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)))
    assert rows_of(only(read_file(path))) == expected_text_rows(text_rows)


def test_lazy_memory_200k_rows(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["XX县招商项目清单"])
        w.writerow(["序号", "编号", "名称", "产业链", "投资额（亿元）", "状态", "签约日期", "备注"])
        for i in range(200_000):
            w.writerow([i + 1, f"XM-{i:06d}", f"第{i}号新能源项目", "新能源", i % 97 / 10,
                        "在谈", "2026-03-05", "无"])  # fmt: skip
    tracemalloc.start()
    try:
        table = find_table(only(read_file(path)), known)
        count = sum(1 for _ in table.rows)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 200_000
    assert peak < 30 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB"


# ---------------------------------------------------------------------------------------------
# JSON and YAML


def test_json_list_of_records(tmp_path: Path) -> None:
    records = [
        {"名称": "甲", "投资额": 12.5},
        {"名称": "乙", "状态": "在谈", "投资额": 3, "启用": True},
        {"名称": "", "状态": None},
    ]
    path = tmp_path / "项目.json"
    path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    sheet = only(read_file(path))
    assert sheet.name == "项目"
    assert rows_of(sheet) == [
        ["名称", "投资额", "状态", "启用"],
        ["甲", 12.5],
        ["乙", 3, "在谈", True],
        [],
    ]
    table = find_table(sheet, known)
    assert [r.number for r in data(table)] == [2, 3]


@pytest.mark.parametrize("wrap", [False, True])
def test_json_several_sheets(tmp_path: Path, wrap: bool) -> None:
    sheets = {"项目": [{"名称": "甲"}], "企业": [{"企业": "某公司", "联系人": "张三"}]}
    path = tmp_path / "多表.json"
    path.write_text(json.dumps({"sheets": sheets} if wrap else sheets), encoding="utf-8")
    got = read_file(path)
    assert [s.name for s in got] == ["项目", "企业"]
    assert rows_of(got[1]) == [["企业", "联系人"], ["某公司", "张三"]]
    assert rows_of(only(read_file(path, sheet="企业"))) == rows_of(got[1])
    with pytest.raises(ZsError) as err:
        read_file(path, sheet="问题")
    assert "「项目」" in str(err.value) and "多表.json" in str(err.value)


def test_json_nested_value_names_key_and_record(tmp_path: Path) -> None:
    path = tmp_path / "嵌套.json"
    path.write_text(json.dumps([{"名称": "甲"}, {"名称": "乙", "联系人": {"姓名": "张三"}}]))
    with pytest.raises(ZsError) as err:
        read_file(path)
    msg = str(err.value)
    assert "嵌套.json" in msg and "第2条记录" in msg and "「联系人」" in msg and "对象" in msg


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ('{"名称": "甲"}', "不是记录列表"),
        ("[1, 2]", "第1条记录"),
        ('"text"', "结构无法识别"),
        ('[{"a": 1}', "不是有效的 JSON"),
    ],
)
def test_json_bad_shapes(tmp_path: Path, content: str, fragment: str) -> None:
    path = tmp_path / "x.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ZsError) as err:
        read_file(path)
    assert fragment in str(err.value) and "x.json" in str(err.value)


def test_yaml(tmp_path: Path) -> None:
    path = tmp_path / "项目.yaml"
    path.write_text(
        "项目:\n"
        "  - 名称: 甲\n"
        "    签约日期: 2026-03-05\n"
        "    编号: '007'\n"
        "    投资额: 1.5\n"
        "  - 名称: 乙\n"
        "    状态: 在谈\n"
        "企业:\n"
        "  - 企业: 某公司\n",
        encoding="utf-8",
    )
    sheets = read_file(path)
    assert [s.name for s in sheets] == ["项目", "企业"]
    assert rows_of(sheets[0]) == [
        ["名称", "签约日期", "编号", "投资额", "状态"],
        ["甲", dt.date(2026, 3, 5), "007", 1.5],
        ["乙", None, None, None, "在谈"],
    ]
    lst = tmp_path / "list.yml"
    lst.write_text("- {名称: 甲, 状态: 签约}\n", encoding="utf-8")
    assert rows_of(only(read_file(lst))) == [["名称", "状态"], ["甲", "签约"]]
    bad = tmp_path / "bad.yaml"
    bad.write_text("名称: [甲\n", encoding="utf-8")
    with pytest.raises(ZsError) as err:
        read_file(bad)
    assert "bad.yaml" in str(err.value) and "YAML" in str(err.value)


# ---------------------------------------------------------------------------------------------
# errors and file types


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ZsError) as err:
        read_file(tmp_path / "没有这个.xlsx")
    assert "没有这个.xlsx" in str(err.value) and "找不到文件" in str(err.value)


def test_directory(tmp_path: Path) -> None:
    folder = tmp_path / "清单.xlsx"
    folder.mkdir()
    with pytest.raises(ZsError) as err:
        read_file(folder)
    assert "清单.xlsx" in str(err.value) and "文件夹" in str(err.value)


@pytest.mark.parametrize("name", ["假的.xlsx", "假的.xls", "假的.ods"])
def test_garbage_workbook(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text("名称,状态\n甲,签约\n", encoding="utf-8")
    with pytest.raises(ZsError) as err:
        read_file(path)
    assert name in str(err.value) and "另存为 .xlsx" in str(err.value)


@pytest.mark.parametrize("name", ["清单.docx", "清单", "清单.pdf"])
def test_unknown_extension(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"x")
    with pytest.raises(ZsError) as err:
        read_file(path)
    msg = str(err.value)
    assert name in msg and ".xlsx、.xls、.ods、.csv、.tsv、.json、.yaml" in msg


def test_xlsx_renamed_to_xls_still_reads(messy: Path, tmp_path: Path) -> None:
    renamed = tmp_path / "改了扩展名.xls"
    shutil.copy(messy, renamed)
    assert [s.name for s in read_file(renamed)] == ["项目清单", "Sheet2"]
    assert rows_of(read_file(renamed)[0]) == rows_of(read_file(messy)[0])


def test_sheet_offset_from_a1(tmp_path: Path) -> None:
    """calamine starts rows at the first used column: the reader pads them back."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws["C3"] = "名称"
    ws["D3"] = "状态"
    ws["C4"] = "甲"
    wb.save(tmp_path / "偏.xlsx")
    rows = rows_of(only(read_file(tmp_path / "偏.xlsx")))
    assert rows == [[], [], [None, None, "名称", "状态"], [None, None, "甲"]]
    table = find_table(only(read_file(tmp_path / "偏.xlsx")), known)
    assert table.header_row == 3 and [h.letter for h in table.header] == ["C", "D"]
    assert data(table)[0] == DataRow(4, {2: "甲"})


def test_empty_sheet_and_empty_csv(tmp_path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.save(tmp_path / "空.xlsx")
    assert rows_of(only(read_file(tmp_path / "空.xlsx"))) == []
    (tmp_path / "空.csv").write_bytes(b"")
    assert rows_of(only(read_file(tmp_path / "空.csv"))) == []


def test_csv_sheet_name_must_match(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "项目.csv", [["名称"]], "utf-8")
    assert only(read_file(path, sheet="项目")).name == "项目"
    with pytest.raises(ZsError) as err:
        read_file(path, sheet="企业")
    assert "「项目」" in str(err.value)


def test_imports_stay_light() -> None:
    code = (
        "import sys, zhaoshang.exchange.readers, zhaoshang.exchange.tables;"
        "print([m for m in ('python_calamine', 'yaml', 'openpyxl') if m in sys.modules])"
    )
    root = Path(__file__).resolve().parents[1]
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=root, check=True,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert out.stdout.strip() == "[]"


@pytest.mark.slow
@pytest.mark.libreoffice
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
@pytest.mark.parametrize("fmt", ["ods", "xls"])
def test_libreoffice_formats(messy: Path, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / "out"
    subprocess.run(
        ["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
         "--convert-to", fmt, "--outdir", str(out), str(messy)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    converted = out / f"{messy.stem}.{fmt}"
    assert [s.name for s in read_file(converted)] == ["项目清单", "Sheet2"]
    table = find_table(read_file(converted)[0], known)
    rows = data(table)
    assert [r.number for r in rows] == [5, 6, 8]
    assert rows[0].cells[7] == dt.date(2026, 3, 1) and rows[1].cells[2] == "=SUM(A1)"
    assert table.header_row == 4 and table.meta["填报单位"] == "XX县商务局"
    ranges = merged_ranges(converted, "项目清单")
    assert ranges == [] if fmt == "ods" else (0, 0, 0, 7) in ranges

"""The bare libraries doing the same reading and writing as zhaoshang, for comparison.

Each sub-command runs as its own process under ``benchmarks/run.py`` so that start-up and
imports are counted exactly as they are for ``zs``:

    python benchmarks/bare.py read-xlsx FILE.xlsx            # python-calamine, every sheet
    python benchmarks/bare.py cells SRC.xlsx CELLS.pickle    # (not timed) the cells of a workbook
    python benchmarks/bare.py write-xlsx CELLS.pickle OUT.xlsx  # xlsxwriter constant_memory, same cells
    python benchmarks/bare.py read-csv FILE.csv              # csv module
    python benchmarks/bare.py write-csv SRC.csv OUT.csv      # csv module, same cells (UTF-8 BOM)
    python benchmarks/bare.py dump-xlsx DB OUT.xlsx          # items as one plain sheet (when zs export is missing)
    python benchmarks/bare.py dump-csv DB OUT.csv

``write-xlsx`` loads the cells from a pickle made beforehand (about as fast as zhaoshang
reading its rows from SQLite), so what it measures is the writing.
"""

from __future__ import annotations

import csv
import pickle
import sqlite3
import sys
from collections.abc import Iterator
from typing import Any

ITEM_SQL = (
    "SELECT i.id, i.kind, c.name, i.title, i.status, i.owner, u.name, i.due, i.notes, i.created_at, "
    "i.updated_at, i.closed_at FROM items i JOIN chains c ON c.id = i.chain_id "
    "LEFT JOIN units u ON u.id = i.unit_id ORDER BY i.id"
)
ITEM_HEADER = [
    "编号",
    "清单",
    "产业链",
    "名称",
    "状态",
    "责任人",
    "责任单位",
    "时限",
    "备注",
    "创建时间",
    "更新时间",
    "办结时间",
]


def read_xlsx(path: str) -> dict[str, list[list[Any]]]:
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(path)
    return {name: wb.get_sheet_by_name(name).to_python() for name in wb.sheet_names}


def write_xlsx(sheets: dict[str, list[list[Any]]], out: str) -> int:
    import xlsxwriter

    wb = xlsxwriter.Workbook(out, {"constant_memory": True, "strings_to_formulas": False, "strings_to_numbers": False})
    n = 0
    for name, rows in sheets.items():
        ws = wb.add_worksheet(name[:31])
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None or value == "":
                    continue
                if isinstance(value, str):
                    ws.write_string(r, c, value)
                else:
                    ws.write(r, c, value)
            n += 1
    wb.close()
    return n


def read_csv(path: str) -> Iterator[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        yield from csv.reader(fh)


def write_csv(rows: Iterator[list[Any]], out: str) -> int:
    n = 0
    with open(out, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        for row in rows:
            w.writerow(row)
            n += 1
    return n


def _db_rows(db: str) -> Iterator[list[Any]]:
    conn = sqlite3.connect(db)
    try:
        yield ITEM_HEADER
        for row in conn.execute(ITEM_SQL):
            yield list(row)
    finally:
        conn.close()


def main(argv: list[str]) -> int:
    cmd, *args = argv
    if cmd == "read-xlsx":
        sheets = read_xlsx(args[0])
        print(sum(len(rows) for rows in sheets.values()))
    elif cmd == "cells":
        with open(args[1], "wb") as fh:
            pickle.dump(read_xlsx(args[0]), fh, protocol=pickle.HIGHEST_PROTOCOL)
    elif cmd == "write-xlsx":
        with open(args[0], "rb") as fh:
            print(write_xlsx(pickle.load(fh), args[1]))
    elif cmd == "read-csv":
        print(sum(1 for _ in read_csv(args[0])))
    elif cmd == "write-csv":
        print(write_csv(read_csv(args[0]), args[1]))
    elif cmd == "dump-xlsx":
        print(write_xlsx({"条目": list(_db_rows(args[0]))}, args[1]))
    elif cmd == "dump-csv":
        print(write_csv(_db_rows(args[0]), args[1]))
    else:
        print(f"unknown command {cmd}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

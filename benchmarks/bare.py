"""The bare libraries doing the same reading and writing as zhaoshang, for comparison.

Each sub-command runs as its own process under ``benchmarks/run.py`` so that start-up and
imports are counted exactly as they are for ``zs``:

    python benchmarks/bare.py read-xlsx FILE.xlsx            # python-calamine, every sheet
    python benchmarks/bare.py cells SRC.xlsx CELLS.jsonl     # (not timed) the cells of a workbook
    python benchmarks/bare.py write-xlsx CELLS.jsonl OUT.xlsx   # xlsxwriter constant_memory, same cells
    python benchmarks/bare.py read-csv FILE.csv              # csv module
    python benchmarks/bare.py write-csv SRC.csv OUT.csv      # csv module, same cells (UTF-8 BOM)
    python benchmarks/bare.py dump-xlsx DB OUT.xlsx          # items as one plain sheet (when zs export is missing)
    python benchmarks/bare.py dump-csv DB OUT.csv
    python benchmarks/bare.py load-csv FILE.csv OUT.db       # csv module + executemany into one table
    python benchmarks/bare.py load-xlsx FILE.xlsx OUT.db     # python-calamine + executemany, a table per sheet
    python benchmarks/bare.py list-chain DB CHAIN            # sqlite3: a chain's items, printed a line each
    python benchmarks/bare.py search DB WORD                 # sqlite3: newest 200 titles holding WORD
    python benchmarks/bare.py open-items DB                  # sqlite3: open items, latest stage and contact dates
    python benchmarks/bare.py month DB YYYY-MM               # sqlite3: the month's stage moves, activities, funds

``write-xlsx`` streams the cells from JSON lines made beforehand (about as cheap as
zhaoshang reading its rows from SQLite), so what it measures is the writing.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import sqlite3
import sys
from collections.abc import Iterable, Iterator
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


def read_xlsx(path: str) -> Iterator[tuple[str, Iterator[list[Any]]]]:
    """Every sheet's rows, streamed (python-calamine)."""
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(path)
    for name in wb.sheet_names:
        yield name, wb.get_sheet_by_name(name).iter_rows()


def _to_json(v: Any) -> Any:
    if isinstance(v, dt.datetime | dt.date):
        return {"d": v.isoformat()}
    return v


def _from_json(v: Any) -> Any:
    if isinstance(v, dict):
        text = v["d"]
        return dt.datetime.fromisoformat(text) if "T" in text else dt.date.fromisoformat(text)
    return v


def save_cells(path: str, out: str) -> int:
    """The cells of a workbook as JSON lines (a sheet name line, then its rows), so that the
    writing baseline reads them about as cheaply as zhaoshang reads rows from SQLite."""
    n = 0
    with open(out, "w", encoding="utf-8") as fh:
        for name, rows in read_xlsx(path):
            fh.write(json.dumps({"sheet": name}, ensure_ascii=False) + "\n")
            for row in rows:
                fh.write(json.dumps([_to_json(v) for v in row], ensure_ascii=False, default=str) + "\n")
                n += 1
    return n


def load_cells(path: str) -> Iterator[tuple[str, Iterator[list[Any]]]]:
    with open(path, encoding="utf-8") as fh:
        line = fh.readline()
        while line:
            name = json.loads(line)["sheet"]

            def rows() -> Iterator[list[Any]]:
                nonlocal line
                line = fh.readline()
                while line and not line.startswith("{"):
                    yield [_from_json(v) for v in json.loads(line)]
                    line = fh.readline()

            yield name, rows()  # consumed before the next sheet is read


def write_xlsx(sheets: Iterable[tuple[str, Iterable[list[Any]]]], out: str) -> int:
    """The same cells with xlsxwriter in constant_memory mode: text as text, numbers as
    numbers, dates as date cells."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(out, {"constant_memory": True, "strings_to_formulas": False, "strings_to_numbers": False})
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    n = 0
    for name, rows in sheets:
        ws = wb.add_worksheet(name[:31])
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None or value == "":
                    continue
                if isinstance(value, str):
                    ws.write_string(r, c, value)
                elif isinstance(value, dt.date):
                    ws.write_datetime(r, c, value, date_fmt)
                elif isinstance(value, bool):
                    ws.write_boolean(r, c, value)
                else:
                    ws.write_number(r, c, value)
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


def _load(sheets: Iterable[tuple[str, Iterator[list[Any]]]], out: str) -> int:
    """Each sheet into a table of its own (header row = TEXT columns), ``executemany`` in one
    transaction: what any import must at least do."""
    conn = sqlite3.connect(out, isolation_level=None)
    conn.execute("BEGIN")
    n = 0
    for i, (_name, rows) in enumerate(sheets):
        header = next(rows, None)
        if not header:
            continue
        cols = ", ".join(f"c{j} TEXT" for j in range(len(header)))
        conn.execute(f"CREATE TABLE t{i} (id INTEGER PRIMARY KEY, {cols})")
        marks = ", ".join("?" * len(header))
        width = len(header)

        def fit(rs: Iterator[list[Any]], width: int = width) -> Iterator[list[Any]]:
            for r in rs:
                yield (list(r) + [None] * width)[:width]

        cur = conn.executemany(f"INSERT INTO t{i} VALUES (NULL, {marks})", fit(rows))
        n += max(cur.rowcount, 0)
    conn.execute("COMMIT")
    conn.close()
    return n


def _print_rows(rows: Iterable[tuple[Any, ...]]) -> int:
    out = sys.stdout
    n = 0
    for r in rows:
        out.write("  ".join("" if v is None else str(v) for v in r) + "\n")
        n += 1
    return n


def list_chain(db: str, chain: str) -> int:
    conn = sqlite3.connect(db)
    return _print_rows(
        conn.execute(
            "SELECT i.id, c.name, i.title, i.status, i.owner, u.name, i.due FROM items i "
            "JOIN chains c ON c.id = i.chain_id LEFT JOIN units u ON u.id = i.unit_id "
            "WHERE c.name = ? ORDER BY i.kind, i.id",
            (chain,),
        )
    )


def search(db: str, word: str) -> int:
    conn = sqlite3.connect(db)
    return _print_rows(
        conn.execute(
            "SELECT rowid, title FROM items_fts WHERE instr(title, ?) > 0 ORDER BY rowid DESC LIMIT 200", (word,)
        )
    )


def open_items(db: str) -> int:
    """What every warning is computed from: each open item with the date it entered its
    status, its latest contact and next follow-up, from the same table zs warn reads them
    from (item_dates, schema v6) — read into Python and counted, not printed (zs warn
    prints a few of them)."""
    conn = sqlite3.connect(db)
    n = 0
    for _ in conn.execute(
        "SELECT i.id, i.kind, i.status, i.due, i.owner, d.entered, d.act_date, d.next_date "
        "FROM items i LEFT JOIN item_dates d ON d.item_id = i.id WHERE i.closed_at IS NULL"
    ):
        n += 1
    return n


def month(db: str, ym: str) -> int:
    """The month's facts a monthly report adds up: stage moves, activities, funds."""
    conn = sqlite3.connect(db)
    lo, hi = f"{ym}-01", f"{ym}-31"
    n = 0
    for sql in (
        "SELECT to_status, count(*) FROM status_log WHERE date BETWEEN ? AND ? GROUP BY to_status",
        "SELECT type, count(*) FROM activities WHERE date BETWEEN ? AND ? GROUP BY type",
    ):
        n += len(conn.execute(sql, (lo, hi)).fetchall())
    n += len(conn.execute("SELECT sum(domestic), sum(foreign_usd) FROM funds WHERE month = ?", (ym,)).fetchall())
    return n


def main(argv: list[str]) -> int:
    cmd, *args = argv
    if cmd == "read-xlsx":
        print(sum(1 for _name, rows in read_xlsx(args[0]) for _ in rows))
    elif cmd == "cells":
        print(save_cells(args[0], args[1]))
    elif cmd == "write-xlsx":
        print(write_xlsx(load_cells(args[0]), args[1]))
    elif cmd == "read-csv":
        print(sum(1 for _ in read_csv(args[0])))
    elif cmd == "write-csv":
        print(write_csv(read_csv(args[0]), args[1]))
    elif cmd == "dump-xlsx":
        print(write_xlsx([("条目", _db_rows(args[0]))], args[1]))
    elif cmd == "dump-csv":
        print(write_csv(_db_rows(args[0]), args[1]))
    elif cmd == "load-csv":
        print(_load([("csv", read_csv(args[0]))], args[1]))
    elif cmd == "load-xlsx":
        print(_load(((name, iter(rows)) for name, rows in read_xlsx(args[0])), args[1]))
    elif cmd == "list-chain":
        print(list_chain(args[0], args[1]), file=sys.stderr)
    elif cmd == "search":
        print(search(args[0], args[1]), file=sys.stderr)
    elif cmd == "open-items":
        print(open_items(args[0]))
    elif cmd == "month":
        print(month(args[0], args[1]))
    else:
        print(f"unknown command {cmd}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

"""Bulk writes for import: many rows per statement, history recorded set-based.

The history triggers (see :mod:`zhaoshang.db`) cost tens of microseconds per row — for
100,000 new items (items + kind row + status log) that is most of an import.  While a batch
of new rows is inserted the triggers of those tables are dropped, the batch goes in with
``executemany``, the ``changes`` rows the triggers would have written are written with one
``INSERT … SELECT`` per table, and the triggers are put back — all inside the import's one
transaction, so a failure or a kill leaves the schema and the data as they were, and
``zs undo`` reverts the whole import exactly like any other command.

Updates are not batched here: they go through the ordinary code paths with the triggers in
place.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from ..db import Database, install_history_triggers


def _triggers(db: Database, table: str) -> list[str]:
    return [
        r[0]
        for r in db.conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ? "
            "AND name LIKE 'hist\\_%' ESCAPE '\\'",
            (table,),
        )
    ]


def _columns(db: Database, table: str) -> list[str]:
    return [r[1] for r in db.conn.execute(f'PRAGMA table_info("{table}")')]


@contextmanager
def history_paused(db: Database, tables: Sequence[str]) -> Iterator[dict[str, int]]:
    """Drop the history triggers of ``tables``; yield {table: max rowid before}; on leaving
    record every row inserted meanwhile in ``changes`` (as the triggers would have) and
    reinstall the triggers.  Only inserts may happen inside."""
    if db.current is None:
        raise RuntimeError("history_paused must run inside db.command()")
    paused: list[str] = []
    before: dict[str, int] = {}
    for t in tables:
        names = _triggers(db, t)
        before[t] = int(db.conn.execute(f'SELECT coalesce(max(rowid), 0) FROM "{t}"').fetchone()[0])
        if names:
            for n in names:
                db.conn.execute(f'DROP TRIGGER "{n}"')
            paused.append(t)
    yield before
    for t in paused:
        _record_inserts(db, db.current.id, t, before[t])
        install_history_triggers(db.conn, t)


def _record_inserts(db: Database, command_id: int, table: str, after_rowid: int) -> None:
    cols = _columns(db, table)
    if table == "items" or table.startswith("kind_"):
        item = "id"
    elif "item_id" in cols:
        item = "item_id"
    else:
        item = "NULL"
    obj = "json_object(" + ", ".join(f"'{c}', \"{c}\"" for c in cols) + ")"
    db.conn.execute(
        f"INSERT INTO changes(command_id, tbl, row_id, item_id, action, old, new) "
        f"SELECT ?, '{table}', rowid, {item}, 'insert', NULL, {obj} FROM \"{table}\" WHERE rowid > ? ORDER BY rowid",
        (command_id, after_rowid),
    )


def next_item_id(db: Database) -> int:
    """The id the next new item gets (AUTOINCREMENT never reuses an id, even a deleted one)."""
    seq = db.conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'items'").fetchone()
    top = db.conn.execute("SELECT coalesce(max(id), 0) FROM items").fetchone()[0]
    return max(int(seq[0]) if seq else 0, int(top)) + 1


def insert_rows(db: Database, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    if not rows:
        return
    cols = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join("?" * len(columns))
    db.conn.executemany(f'INSERT INTO "{table}" ({cols}) VALUES ({marks})', rows)

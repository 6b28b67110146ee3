"""Bulk writes for import: many rows per statement, history recorded set-based.

The history triggers (see :mod:`zhaoshang.db`) cost tens of microseconds per row — for
100,000 new items (items + kind row + status log) that is most of an import.  While a batch
of new rows is inserted the triggers of those tables are dropped (:class:`PausedHistory`),
the batch goes in with ``executemany``, and the rows are recorded in ``changes`` as ONE
change per table and run of rowids (``row_id``..``last_row_id``: rows new in this command,
whose values are the rows themselves — no JSON copy of each, so history costs a few bytes
per import instead of about half the imported file), and the triggers are put back before
anything but inserts happens — all inside the import's one transaction, so
a failure or a kill leaves the schema and the data as they were, and ``zs undo`` reverts the
whole import exactly like any other command.

Updates are not batched here: they go through the ordinary code paths with the triggers in
place.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..db import (
    DATES_TABLES,
    Database,
    drop_history_triggers,
    install_history_triggers,
    install_item_dates,
    pause_item_dates,
    record_range,
    refresh_item_dates,
)


class PausedHistory:
    """History triggers dropped for a run of bulk inserts that spans many batches.

    :meth:`pause` drops the triggers of tables about to receive inserts, :meth:`record`
    notes each run of new rowids (it may run on the import's writer thread), and
    :meth:`resume` writes them as one range change per run and puts the triggers back
    before anything but inserts happens."""

    def __init__(self, db: Database) -> None:
        if db.current is None:
            raise RuntimeError("PausedHistory must run inside db.command()")
        self.db = db
        self.command_id = db.current.id
        self.tables: set[str] = set()  # paused (whether or not they had triggers)
        self.dropped: set[str] = set()  # whose triggers were dropped: to record and reinstall
        #: the runs of new rows per table, in order: (first, last, rows), merged while contiguous
        self.ranges: dict[str, list[tuple[int, int, int]]] = {}
        #: the item_dates triggers are dropped too while log rows go in; the runs of new log
        #: rows, whose items' dates :meth:`resume` recomputes at once
        self.dates_paused = False
        self.dated: dict[str, list[tuple[int, int]]] = {}

    def pause(self, tables: Sequence[str]) -> None:
        for t in tables:
            if t in self.tables:
                continue
            self.tables.add(t)
            if drop_history_triggers(self.db.conn, t):
                self.dropped.add(t)
            if t in DATES_TABLES and not self.dates_paused:
                pause_item_dates(self.db.conn)
                self.dates_paused = True

    def record(self, table: str, first: int, last: int) -> None:
        """Note the rows of ``table`` with rowids ``first``..``last`` as inserted: every one
        new in this command (rowids above any the table had), so undo deletes the range.  A
        range that continues the previous one of the table extends it.  (Kept here and
        written by :meth:`resume`, on the main thread: this may run on the writer thread,
        where a change's ``lastrowid`` could be another thread's insert.)"""
        if first > last:
            return
        if table in DATES_TABLES and self.dates_paused:
            runs_of = self.dated.setdefault(table, [])
            if runs_of and runs_of[-1][1] + 1 == first:
                runs_of[-1] = (runs_of[-1][0], last)
            else:
                runs_of.append((first, last))
        if table not in self.dropped:
            return
        sql = f'SELECT count(*) FROM "{table}" WHERE rowid BETWEEN ? AND ?'
        n = int(self.db.conn.execute(sql, (first, last)).fetchone()[0])
        runs = self.ranges.setdefault(table, [])
        if runs and runs[-1][1] + 1 == first:
            start, _, count = runs[-1]
            runs[-1] = (start, last, count + n)
        else:
            runs.append((first, last, n))

    def resume(self) -> None:
        for table, runs in self.ranges.items():
            for first, last, n in runs:
                if n:
                    record_range(self.db.conn, self.command_id, table, "insert", first, last, n)
        self.ranges.clear()
        if self.dates_paused:
            for table, spans in self.dated.items():
                for first, last in spans:
                    touched = f'i.id IN (SELECT item_id FROM "{table}" WHERE rowid BETWEEN ? AND ?)'
                    refresh_item_dates(self.db.conn, touched, (first, last))
            install_item_dates(self.db.conn)
            self.dated.clear()
            self.dates_paused = False
        for t in sorted(self.dropped):
            install_history_triggers(self.db.conn, t)
        self.tables.clear()
        self.dropped.clear()


def next_item_id(db: Database) -> int:
    """The id the next new item gets (AUTOINCREMENT never reuses an id, even a deleted one)."""
    return db.dialect.next_id(db.conn, "items")


def insert_rows(db: Database, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    if not rows:
        return
    cols = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join("?" * len(columns))
    db.conn.executemany(f'INSERT INTO "{table}" ({cols}) VALUES ({marks})', rows)
    if "id" in columns:  # rows written with their (reserved) ids: never given again
        at = list(columns).index("id")
        db.dialect.keep_ids_above(db.conn, table, max(int(r[at]) for r in rows))

"""The "write" stage of an import: batches of rows inserted with their history recorded
set-based, the big statements on a second thread while the main thread parses the next batch.

:class:`BatchWriter` owns the import's writing: the writer thread, the history triggers it
pauses for bulk inserts (:class:`~zhaoshang.exchange.bulk.PausedHistory`) and puts back, the
queued rows of the detail sheets.  It never decides anything: what to write comes decided.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

from ..db import Database
from ..search import index_entries
from . import bulk, moves
from .rows import NewItem

__all__ = ["ITEM_COLUMNS", "BatchWriter", "max_rowid"]

#: the columns of ``items`` a new item is inserted with, in :meth:`BatchWriter.add_items`' order
ITEM_COLUMNS = (
    "id", "kind", "chain_id", "title", "status", "owner", "unit_id", "due", "notes",
    "created_at", "updated_at", "closed_at", "created_by", "updated_by", "origin", "origin_id",
)  # fmt: skip


class WriterThread:
    """Runs one batch's SQL at a time on a second thread.

    The sqlite3 module releases the GIL while SQLite executes a statement, and the big
    statements of a batch (the rows, their history, the stage log, the search index) need
    no Python, so they run on the second core while the main thread parses the next batch.
    Both threads share the import's one connection and transaction; SQLite serialises their
    statements.  The writer only inserts rows of items this import adds, so the main thread
    calls :meth:`wait` before it reads such an item or writes items itself, and before the
    command commits or rolls back.  Without a serialised SQLite build it runs inline."""

    def __init__(self) -> None:
        import sqlite3
        import threading

        self._threads = threading if sqlite3.threadsafety == 3 else None
        self._thread: Any = None
        self._error: BaseException | None = None

    def submit(self, work: Callable[[], None]) -> None:
        self.wait()
        if self._threads is None:
            work()
            return
        self._thread = self._threads.Thread(target=self._run, args=(work,), name="zs-import-writer", daemon=True)
        self._thread.start()

    def _run(self, work: Callable[[], None]) -> None:
        try:
            work()
        except BaseException as exc:  # handed to the main thread by wait()
            self._error = exc

    def wait(self, *, quiet: bool = False) -> None:
        """Block until the batch in progress is written; re-raise its error (unless the
        caller is already failing: ``quiet``)."""
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        error, self._error = self._error, None
        if error is not None and not quiet:
            raise error


def max_rowid(db: Database, table: str) -> int:
    return int(db.conn.execute(f'SELECT coalesce(max(rowid), 0) FROM "{table}"').fetchone()[0])


class BatchWriter:
    def __init__(self, db: Database, *, user: str, ts: str, batch: int) -> None:
        self.db = db
        self.user = user
        self.ts = ts
        self.batch = batch
        self.thread = WriterThread()
        self.paused: bulk.PausedHistory | None = None
        self.detail_pending: dict[str, tuple[list[str], list[tuple[Any, ...]]]] = {}

    def settle(self) -> None:
        """Wait for the writer and put the history triggers back: from here on the main
        thread may write items (every write recorded by the triggers again)."""
        self.thread.wait()
        if self.paused is not None:
            self.paused.resume()
            self.paused = None

    def _pause(self, tables: list[str]) -> bulk.PausedHistory:
        if self.paused is None or not self.paused.tables.issuperset(tables):
            self.thread.wait()  # no statement of the writer's may run during DDL
            if self.paused is None:
                self.paused = bulk.PausedHistory(self.db)
            self.paused.pause(tables)
        return self.paused

    def add_items(self, new: list[NewItem], *, origin: str | None, today: str, index: bool = True) -> None:
        """Insert the decided new items ``new`` (ids in one run): their rows, each kind's own
        rows, and the stage log each brings (:meth:`insert_items`)."""
        ts, user = self.ts, self.user
        kinds: dict[str, list[NewItem]] = {}
        for n in new:
            kinds.setdefault(n.kind.key, []).append(n)

        def item_row(n: NewItem) -> tuple[Any, ...]:
            c = n.common
            closed = ts if n.kind.status(n.status).terminal else None
            return (
                n.id, n.kind.key, c["chain_id"], c["title"], n.status, c["owner"], c["unit_id"], c["due"], c["notes"],
                ts, ts, closed, user, user, n.origin, n.origin_id,
            )  # fmt: skip

        item_rows = [item_row(n) for n in new]
        ids = [n.id for n in new]
        # the row's own reason (退库原因 …) goes with its move into the row's status
        planned = json.dumps(
            [
                (n.id, f, t, d, flag, n.row.reason if i == len(n.log) - 1 and t == n.status else None)
                for n in new
                if n.log is not None
                for i, (f, t, d, flag) in enumerate(n.log)
            ]
        )
        own = []
        for key, group in kinds.items():
            kind = self.db.defs.kind_by_key(key)
            stored = set(self.db.kind_columns(kind))
            cols = [f.key for f in kind.fields if f.key in stored]
            own.append((key, kind.table, ["id", *cols], [(n.id, *(n.own.get(c) for c in cols)) for n in group]))
        self.insert_items(
            ITEM_COLUMNS, item_rows, own, min(ids), max(ids), planned, origin=origin, today=today, index=index
        )

    def insert_items(
        self,
        item_columns: tuple[str, ...],
        item_rows: list[tuple[Any, ...]],
        own: list[tuple[str, str, list[str], list[tuple[Any, ...]]]],
        lo: int,
        hi: int,
        planned: str,
        *,
        origin: str | None,
        today: str,
        index: bool = True,
    ) -> None:
        """Insert new items ``lo``..``hi``: their rows here (executemany binds every value in
        Python: on a second thread it would fight the parser for the GIL), their history,
        stage log (``planned``: one JSON text SQLite unpacks) and search index on the writer
        thread.  ``own`` is (kind key, table, columns, rows) per kind."""
        db, user, ts = self.db, self.user, self.ts
        tables = [table for _, table, _, _ in own]
        hist = self._pause(["items", "status_log", *tables])
        bulk.insert_rows(db, "items", item_columns, item_rows)
        for _key, table, cols, rows in own:
            bulk.insert_rows(db, table, cols, rows)
        # a dry run is rolled back: its items need no search index.  The index text is worked
        # out here, on the main thread: the writer thread runs no statement that calls back
        # into Python (see search.index_entries)
        fts = json.dumps(index_entries(db, item_columns, item_rows, own), ensure_ascii=False) if index else None

        v = db.dialect.packed_value

        def write() -> None:
            log_before = max_rowid(db, "status_log")
            db.conn.execute(
                "INSERT INTO status_log(item_id, from_status, to_status, date, reason, flag, user, at) "
                f"SELECT {v(0, 'INTEGER')}, {v(1, 'TEXT')}, {v(2, 'TEXT')}, {v(3, 'TEXT')}, {v(5, 'TEXT')}, "
                f"{v(4, 'TEXT')}, ?, ? FROM {db.dialect.packed_rows} ORDER BY j.key",
                (user, ts, planned),
            )
            if origin is not None:
                moves.copy_for_new(db, origin, lo, hi, ts)
            moves.close_gaps(db, lo, hi, today, user, ts)
            hist.record("items", lo, hi)
            for table in tables:
                hist.record(table, lo, hi)
            hist.record("status_log", log_before + 1, max_rowid(db, "status_log"))
            if fts is not None:
                db.conn.execute(
                    f"INSERT INTO items_fts(rowid, title, body) SELECT {v(0, 'INTEGER')}, {v(1, 'TEXT')}, "
                    f"{v(2, 'TEXT')} FROM {db.dialect.packed_rows}",
                    (fts,),
                )

        self.thread.submit(write)

    def queue_insert(self, table: str, cols: list[str], row: tuple[Any, ...]) -> None:
        entry = self.detail_pending.setdefault(table, (cols, []))
        entry[1].append(row)
        if len(entry[1]) >= self.batch:
            self.flush_details(table)

    def flush_details(self, only: str | None = None) -> None:
        """Insert the queued rows of the other sheets (activities, funds …) with their
        history triggers dropped; their history is recorded on the writer thread."""
        for table in list(self.detail_pending):
            if only is not None and table != only:
                continue
            cols, rows = self.detail_pending.pop(table)
            if not rows:
                continue
            hist = self._pause([table])
            first = max_rowid(self.db, table) + 1
            bulk.insert_rows(self.db, table, cols, rows)
            last = max_rowid(self.db, table)
            self.thread.submit(functools.partial(hist.record, table, first, last))

"""SQLite, the embedded default: history captured by triggers writing ``json_object`` under the
newest active command; one writer at a time by ``BEGIN IMMEDIATE``."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Sequence
from typing import Any

from .base import DATES_TABLES, Connection, Dialect


class SqliteDialect(Dialect):
    name = "sqlite"
    server = False
    no_limit = "LIMIT -1"

    def columns(self, conn: Connection, table: str) -> list[str]:
        return [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')]

    def tables(self, conn: Connection, prefix: str = "") -> list[str]:
        like = prefix.replace("\\", "\\\\").replace("_", "\\_").replace("%", "\\%") + "%"
        rows = conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE ? ESCAPE '\\' ORDER BY rowid", (like,)
        )
        return [r[0] for r in rows if not r[0].startswith("sqlite_")]

    def has_trigger(self, conn: Connection, name: str) -> bool:
        row = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = ?", (name,)).fetchone()
        return row is not None

    def schema_version(self, conn: Connection) -> int:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])

    def set_schema_version(self, conn: Connection, version: int) -> None:
        conn.execute(f"PRAGMA user_version = {int(version)}")

    def free_bytes(self, conn: Connection) -> int:
        page = int(conn.execute("PRAGMA page_size").fetchone()[0])
        return int(conn.execute("PRAGMA freelist_count").fetchone()[0]) * page

    def begin_write(
        self, conn: Connection, on_wait: Callable[[], None] | None = None, *, notice_ms: int = 0, timeout_ms: int = 0
    ) -> None:
        """(The busy timeout and its notice are the connection's: Database._write_begin.)"""
        conn.execute("BEGIN IMMEDIATE")

    def defer_foreign_keys(self, conn: Connection) -> None:
        conn.execute("PRAGMA defer_foreign_keys = ON")

    def foreign_key_problems(self, conn: Connection) -> list[Any]:
        return list(conn.execute("PRAGMA foreign_key_check").fetchall())

    def insert_id(self, conn: Connection, sql: str, params: Sequence[Any] = ()) -> int:
        return int(conn.execute(sql, params).lastrowid or 0)

    def check_before_upgrade(self, conn: Connection, where: str) -> None:
        """A quick check of the pages before a migration rewrites tables (about a second per
        million items, once per upgrade): a damaged file is refused, not upgraded."""
        from ..errors import ZsError

        verdict = conn.execute("PRAGMA quick_check(1)").fetchone()[0]
        if verdict != "ok":
            name = os.path.basename(where)
            raise ZsError(
                f"数据库「{where}」需要升级，但升级前的检查发现它已损坏（{verdict}）：没有升级。请从备份恢复"
                f"（zs backup 备份文件 --restore），或抢救能读出的数据：sqlite3 {name} .recover | sqlite3 抢救.db"
            )

    def give_back_ids(self, conn: Connection, table: str) -> None:
        conn.execute(
            f'UPDATE sqlite_sequence SET seq = (SELECT coalesce(max(id), 0) FROM "{table}") WHERE name = ?', (table,)
        )

    def next_id(self, conn: Connection, table: str) -> int:
        seq = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = ?", (table,)).fetchone()
        top = conn.execute(f'SELECT coalesce(max(id), 0) FROM "{table}"').fetchone()[0]
        return max(int(seq[0]) if seq else 0, int(top)) + 1

    def at_max(self, value: str, key: str, tie: str) -> str:
        """A bare column beside max(): SQLite takes it from the row holding the maximum (the
        first such row in the scan: ``tie`` order, the table's)."""
        return value

    packed_rows = "json_each(?) j"

    def packed_value(self, index: int, sql_type: str) -> str:
        return f"json_extract(j.value, '$[{int(index)}]')"

    def search_match(self, alias: str, words: Sequence[str]) -> tuple[str, list[Any]]:
        """FTS5's trigram index: every word, as a phrase."""
        query = " AND ".join('"' + w.replace('"', '""') + '"' for w in words)
        return "items_fts MATCH ?", [query]

    def keep_ids_above(self, conn: Connection, table: str, last: int) -> None:
        """(AUTOINCREMENT keeps ``sqlite_sequence`` itself on every insert; this is for a
        copy, whose source's counter may be above its highest id.)"""
        if conn.execute("UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = ?", (last, table)).rowcount == 0:
            conn.execute("INSERT INTO sqlite_sequence(name, seq) VALUES (?, ?)", (table, last))

    def begin_snapshot(self, conn: Connection) -> None:
        conn.execute("BEGIN")  # (a read transaction in WAL mode is one snapshot)

    def begin_read(self, conn: Connection) -> None:
        conn.execute("BEGIN")

    # -- history -----------------------------------------------------------------------
    def pause_history(self, conn: Connection, table: str) -> bool:
        names = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ? "
                "AND name LIKE 'hist\\_%' ESCAPE '\\'",
                (table,),
            )
        ]
        for n in names:
            conn.execute(f'DROP TRIGGER "{n}"')
        return bool(names)

    def install_history(self, conn: Connection, table: str) -> None:
        cols = self.columns(conn, table)
        if table == "items" or table.startswith("kind_"):
            item_expr = "{r}.id"
        elif "item_id" in cols:
            item_expr = "{r}.item_id"
        else:
            item_expr = "NULL"

        def obj(r: str) -> str:
            return "json_object(" + ", ".join(f"'{c}', {r}.\"{c}\"" for c in cols) + ")"

        cmd = "(SELECT max(id) FROM commands WHERE active = 1)"
        changed = " OR ".join(f'old."{c}" IS NOT new."{c}"' for c in cols)
        for action in ("insert", "update", "delete"):
            conn.execute(f'DROP TRIGGER IF EXISTS "hist_{table}_{action}"')
        conn.execute(
            f'CREATE TRIGGER "hist_{table}_insert" AFTER INSERT ON "{table}" BEGIN '
            f"INSERT INTO changes(command_id, tbl, row_id, item_id, action, old, new) VALUES "
            f"({cmd}, '{table}', new.rowid, {item_expr.format(r='new')}, 'insert', NULL, {obj('new')}); END"
        )
        conn.execute(
            f'CREATE TRIGGER "hist_{table}_update" AFTER UPDATE ON "{table}" WHEN {changed} BEGIN '
            f"INSERT INTO changes(command_id, tbl, row_id, item_id, action, old, new) VALUES "
            f"({cmd}, '{table}', new.rowid, {item_expr.format(r='new')}, 'update', {obj('old')}, "
            f"{obj('new')}); END"
        )
        conn.execute(
            f'CREATE TRIGGER "hist_{table}_delete" AFTER DELETE ON "{table}" BEGIN '
            f"INSERT INTO changes(command_id, tbl, row_id, item_id, action, old, new) VALUES "
            f"({cmd}, '{table}', old.rowid, {item_expr.format(r='old')}, 'delete', {obj('old')}, NULL); END"
        )

    def start_command(self, conn: Connection, command_id: int) -> None:
        """(The triggers read the newest active command: nothing to set.)"""

    # -- item_dates --------------------------------------------------------------------
    def install_item_dates(self, conn: Connection, refresh_sql: Callable[[str], str]) -> None:
        for table in DATES_TABLES:
            for action, refs in (("insert", ("new",)), ("update", ("old", "new")), ("delete", ("old",))):
                body = " ".join(
                    f"DELETE FROM item_dates WHERE item_id = {r}.item_id; " + refresh_sql(f"i.id = {r}.item_id") + ";"
                    for r in refs
                )
                conn.execute(f'DROP TRIGGER IF EXISTS "dates_{table}_{action}"')
                conn.execute(
                    f'CREATE TRIGGER "dates_{table}_{action}" AFTER {action.upper()} ON "{table}" BEGIN {body} END'
                )
        conn.execute('DROP TRIGGER IF EXISTS "dates_items_delete"')
        conn.execute(
            'CREATE TRIGGER "dates_items_delete" AFTER DELETE ON items BEGIN '
            "DELETE FROM item_dates WHERE item_id = old.id; END"
        )
        # an item put back after its logs (an undo or restore replays rows in any order, foreign
        # keys deferred): its dates from the logs already there
        conn.execute('DROP TRIGGER IF EXISTS "dates_items_insert"')
        conn.execute(
            'CREATE TRIGGER "dates_items_insert" AFTER INSERT ON items BEGIN ' + refresh_sql("i.id = new.id") + "; END"
        )

    def keeps_item_dates(self, conn: Connection) -> bool:
        return self.has_trigger(conn, "dates_status_log_update")

    def pause_item_dates(self, conn: Connection) -> None:
        for table in DATES_TABLES:
            for action in ("insert", "update", "delete"):
                conn.execute(f'DROP TRIGGER IF EXISTS "dates_{table}_{action}"')
        conn.execute('DROP TRIGGER IF EXISTS "dates_items_insert"')  # (new items' logs come in the same write)


SQLITE = SqliteDialect()


class SqliteConnection(sqlite3.Connection):
    """``sqlite3.Connection`` that says its dialect (``sqlite3.connect(..., factory=...)``)."""

    dialect: Dialect = SQLITE

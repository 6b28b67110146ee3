"""Moving an office's database between engines: ``zs db copy FILE.db postgresql://…`` (and back).

Everything is copied as it is — items, their kinds' fields, logs, history (commands and
changes, so ``zs history`` and ``zs undo`` go on where they were), synonyms, definitions,
goals, the ids and the ids never to be given again — in one transaction on the target, with
the target's history capture paused (the copy is not a command: the history is the source's).
The search index is rebuilt on the target (each engine keeps its own); ``item_dates`` is
recomputed there from the logs.  The result says how many rows each table has on both sides.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from .db import Database, install_history_triggers, install_item_dates, pause_item_dates, refresh_item_dates
from .errors import ZsError
from .search import rebuild

#: tables each engine keeps for itself (the search index, id counters)
_OWN = ("items_fts", "sqlite_sequence", "zs_sequence", "item_dates", "accounts")  # (accounts: the server's own)
#: meta keys that describe the engine's copy rather than the office's data
_ENGINE_META = ("schema_version", "rights_database")
BATCH = 5000


@dataclass
class TableCount:
    table: str
    source: int
    target: int

    @property
    def same(self) -> bool:
        return self.source == self.target


@dataclass
class CopyResult:
    source: str
    target: str
    tables: list[TableCount] = field(default_factory=list)
    indexed: int = 0

    @property
    def ok(self) -> bool:
        return all(t.same for t in self.tables)

    def count(self, table: str) -> int:
        return next((t.target for t in self.tables if t.table == table), 0)


def _tables(db: Database) -> list[str]:
    """The program's tables of ``db`` in creation order (parents before children)."""
    return [t for t in db.dialect.tables(db.conn) if t not in _OWN and not t.startswith("items_fts")]


def _empty(db: Database) -> bool:
    return all(
        db.conn.execute(f'SELECT 1 FROM "{t}" LIMIT 1').fetchone() is None
        for t in ("items", "commands", "chains", "units")
    )


def _rows(db: Database, table: str, cols: list[str]) -> Iterator[list[Any]]:
    names = ", ".join(f'"{c}"' for c in cols)
    order = " ORDER BY id" if "id" in cols else ""
    cur = db.conn.execute(f'SELECT {names} FROM "{table}"{order}')
    while True:
        batch = cur.fetchmany(BATCH)
        if not batch:
            return
        yield [list(r) for r in batch]


def copy(source: Database, target: Database) -> CopyResult:
    """Copy everything of ``source`` into ``target`` (new and empty: ``zs init`` made it, or
    the copy made it), which must be of the same schema version."""
    if source.version != target.version:
        raise ZsError(
            f"两个数据库的结构版本不同（{source.where}：{source.version}，{target.where}：{target.version}）："
            "请先用同一版本的 zhaoshang 打开两者（升级较旧的一个）再复制"
        )
    if not _empty(target):
        raise ZsError(
            f"目标数据库「{target.where}」里已有数据：复制只能进一个新的空库（zs --db 目标 init 新建），"
            "不会与已有数据合并"
        )
    missing = [t for t in _tables(source) if not target.dialect.columns(target.conn, t)]
    if missing:
        raise ZsError(
            f"目标数据库缺少表 {'、'.join(missing)}：两边的清单定义（checklists）不同，请用同一套定义打开两者再复制"
        )
    result = CopyResult(source.where, target.where)
    conn = target.conn
    dialect = target.dialect
    tables = _tables(source)
    source.dialect.begin_read(source.conn)
    dialect.begin_write(conn)
    try:
        dialect.defer_foreign_keys(conn)
        pause_item_dates(conn)
        paused = [t for t in tables if dialect.pause_history(conn, t)]
        # what init wrote on the target (meta, definitions) gives way to the source's
        conn.execute("DELETE FROM definitions")
        conn.execute(f"DELETE FROM meta WHERE key NOT IN ({', '.join('?' * len(_ENGINE_META))})", _ENGINE_META)
        for table in tables:
            have = set(dialect.columns(conn, table))
            cols = [c for c in source.dialect.columns(source.conn, table) if c in have]
            names = ", ".join(f'"{c}"' for c in cols)
            marks = ", ".join("?" * len(cols))
            sql = f'INSERT INTO "{table}" ({names}) VALUES ({marks})'
            for batch in _rows(source, table, cols):
                if table == "meta":
                    batch = [r for r in batch if r[cols.index("key")] not in _ENGINE_META]
                if batch:
                    conn.executemany(sql, batch)
            if "id" in have:
                dialect.keep_ids_above(conn, table, source.dialect.next_id(source.conn, table) - 1)
        conn.execute("DELETE FROM item_dates")
        refresh_item_dates(conn)
        install_item_dates(conn)
        for t in paused:
            install_history_triggers(conn, t)
        result.indexed = rebuild(target)
        for table in tables:
            n_source = _count(source, table)
            n_target = _count(target, table)
            if table == "meta":  # (each engine's own keys left out)
                n_source, n_target = _count(source, table, True), _count(target, table, True)
            result.tables.append(TableCount(table, n_source, n_target))
        if not result.ok:
            wrong = "、".join(f"{t.table}（{t.source} → {t.target}）" for t in result.tables if not t.same)
            raise ZsError(f"复制后行数不符：{wrong}；目标数据库没有改动")
        if dialect.foreign_key_problems(conn):
            raise ZsError("复制后有数据的关联对不上（外键）：目标数据库没有改动；请先在源数据库上运行 zs check")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    finally:
        if source.conn.in_transaction:
            source.conn.execute("COMMIT")
    target.load_synonyms()
    return result


def _count(db: Database, table: str, skip_engine_meta: bool = False) -> int:
    if skip_engine_meta:
        marks = ", ".join("?" * len(_ENGINE_META))
        return int(db.conn.execute(f"SELECT count(*) FROM meta WHERE key NOT IN ({marks})", _ENGINE_META).fetchone()[0])
    return int(db.conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0])

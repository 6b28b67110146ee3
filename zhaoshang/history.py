"""History of every change, and undo.

Triggers (see :mod:`zhaoshang.db`) copy each inserted, updated or deleted row into
``changes`` under the command that made it.  A bulk import records its new rows as ranges
instead (one change per table: rows ``row_id``..``last_row_id``, all new in that command —
see :mod:`zhaoshang.exchange.bulk`); history shows them row by row, as inserted, and undo
deletes the range.  Undo replays a command's changes backwards; restore re-inserts the rows
deleted with an item.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from .db import (
    DATES_TABLES,
    Database,
    drop_history_triggers,
    install_history_triggers,
    install_item_dates,
    pause_item_dates,
    record_range,
    refresh_item_dates,
)
from .errors import NotFoundError, ZsError
from .search import reindex

#: columns not worth showing in a history line
_NOISE = {"updated_at", "updated_by", "created_at", "created_by"}


@dataclass
class Change:
    id: int
    table: str
    row_id: int
    item_id: int | None
    action: str
    old: dict[str, Any] | None
    new: dict[str, Any] | None

    def fields(self) -> dict[str, tuple[Any, Any]]:
        """Changed columns: key -> (old, new)."""
        old, new = self.old or {}, self.new or {}
        keys = list(dict.fromkeys([*old, *new]))
        return {k: (old.get(k), new.get(k)) for k in keys if old.get(k) != new.get(k) and k not in _NOISE}


@dataclass(frozen=True)
class Range:
    """Rows ``first``..``last`` of ``table``, inserted by one command at once (or deleted at
    once by the undo of such an insert): one change, ``rows`` rows."""

    id: int
    table: str
    first: int
    last: int
    rows: int
    action: str


@dataclass
class CommandEntry:
    id: int
    name: str
    args: str
    user: str
    at: str
    undone_by: int | None
    undo_of: int | None
    changes: list[Change] = field(default_factory=list)
    #: (table, action) -> number of changed rows, for all changes (``changes`` may be cut)
    counts: dict[tuple[str, str], int] = field(default_factory=dict)
    #: the command's ranges of rows (read by :func:`last_undoable` for undo)
    ranges: list[Range] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.counts.values()) if self.counts else len(self.changes)

    def summary(self) -> str:
        counts: dict[tuple[str, str], int] = dict(self.counts)
        if not counts:
            for c in self.changes:
                counts[(c.table, c.action)] = counts.get((c.table, c.action), 0) + 1
        words = {"insert": "新增", "update": "修改", "delete": "删除"}
        names = {
            "items": "条目",
            "chains": "产业链",
            "units": "招商主体",
            "activities": "对接记录",
            "funds": "到位资金",
            "status_log": "状态变更",
            "goals": "目标",
            "approvals": "前期手续",
            "team_members": "服务专班成员",
            "escalations": "问题升级",
            "assessments": "准入研判",
            "performance": "履约实绩",
            "invest_changes": "投资额变更",
        }
        if self.name == PRUNE_COMMAND:
            fold = next((c.new for c in self.changes if c.table == "meta" and c.new), None) or {}
            if fold:
                return (
                    f"折叠 {fold.get(PRUNED_KEY)} 以前 {fold.get('folded_commands')} 次操作的 "
                    f"{fold.get('folded_changes')} 处改动明细"
                )
            return "折叠旧历史"
        parts = [
            f"{words[a]}{names.get(t, '明细' if t.startswith('kind_') else t)} {n}"
            for (t, a), n in counts.items()
            if t != "status_log" or a != "insert"
        ]
        moves = sum(n for (t, a), n in counts.items() if t == "status_log" and a == "insert")
        if moves and not counts.get(("items", "insert")):
            parts.append(f"状态变更 {moves}")
        return "，".join(parts) or "修改明细"


_COLS = "id, tbl, row_id, item_id, action, old, new"


def _change(r: Any) -> Change:
    return Change(r[0], r[1], r[2], r[3], r[4], json.loads(r[5]) if r[5] else None, json.loads(r[6]) if r[6] else None)


def _per_row(db: Database, where: str, params: tuple[Any, ...], limit: int | None = None) -> list[Change]:
    """The changes recorded row by row (not the ranges), in order."""
    cap = "" if limit is None else f" LIMIT {int(limit)}"
    sql = f"SELECT {_COLS} FROM changes WHERE {where} AND last_row_id IS NULL ORDER BY id{cap}"
    rows = db.conn.execute(sql, params)
    return [_change(r) for r in rows]


def _ranges(db: Database, command_id: int) -> list[Range]:
    rows = db.conn.execute(
        "SELECT id, tbl, row_id, last_row_id, n_rows, action FROM changes "
        "WHERE command_id = ? AND last_row_id IS NOT NULL ORDER BY id",
        (command_id,),
    )
    return [Range(r[0], r[1], r[2], r[3], int(r[4] or 0), r[5]) for r in rows]


def _item_column(db: Database, table: str) -> str | None:
    """How a row of ``table`` names its item: its rowid (items, kind tables), ``item_id``, or not."""
    if table == "items" or table.startswith("kind_"):
        return "rowid"
    return "item_id" if "item_id" in _table_columns(db, table) else None


def _table_columns(db: Database, table: str) -> list[str]:
    return db.dialect.columns(db.conn, table)


def _expand(db: Database, r: Range, *, item_id: int | None = None, limit: int | None = None) -> list[Change]:
    """A range's rows as changes, each as it was inserted: the row now, or — when a later
    command changed it — the values that command found (its ``old``)."""
    if r.action != "insert" or not db.dialect.columns(db.conn, r.table):
        return []  # deleted rows (an undo's): the counts say how many
    by = _item_column(db, r.table)
    where, params = "rowid BETWEEN ? AND ?", [r.first, r.last]
    if item_id is not None:
        if by is None:
            return []
        where += f" AND {by} = ?"
        params.append(item_id)
    cols = _table_columns(db, r.table)
    cap = "" if limit is None else f" LIMIT {int(limit)}"
    names = ", ".join(f'"{c}"' for c in cols)
    out: list[Change] = []
    for values in db.conn.execute(f'SELECT rowid, {names} FROM "{r.table}" WHERE {where} ORDER BY rowid{cap}', params):
        rowid, row = values[0], dict(zip(cols, values[1:], strict=True))
        item = rowid if by == "rowid" else row.get("item_id")
        if item is not None:
            later = db.conn.execute(
                "SELECT old FROM changes WHERE item_id = ? AND tbl = ? AND row_id = ? AND id > ? "
                "AND last_row_id IS NULL AND old IS NOT NULL ORDER BY id LIMIT 1",
                (item, r.table, rowid, r.id),
            ).fetchone()
            if later:
                row = json.loads(later[0])
        out.append(Change(r.id, r.table, rowid, item, "insert", None, row))
    return out


def _scope(command_id: int, item_id: int | None) -> tuple[str, tuple[Any, ...]]:
    """The ``changes`` rows of one command (about one item when ``item_id``)."""
    if item_id is None:
        return "command_id = ?", (command_id,)
    return "command_id = ? AND item_id = ?", (command_id, item_id)


def _command_changes(
    db: Database, command_id: int, *, item_id: int | None = None, limit: int | None = None
) -> list[Change]:
    """What one command changed (about ``item_id`` when given), in order, ranges row by row."""
    where, params = _scope(command_id, item_id)
    found = _per_row(db, where, params, limit)
    ranges = _ranges(db, command_id)
    if not ranges:
        return found
    for r in ranges:
        found += _expand(db, r, item_id=item_id, limit=limit)
    found.sort(key=lambda c: (c.id, c.row_id))
    return found if limit is None else found[:limit]


def changes_of(db: Database, command_id: int, *, limit: int | None = None) -> list[Change]:
    """What one command changed (also while it is still running), in order."""
    return _command_changes(db, command_id, limit=limit)


def _entry(db: Database, cid: int) -> CommandEntry:
    r = db.conn.execute(
        "SELECT id, name, args, user, at, undone_by, undo_of FROM commands WHERE id = ?", (cid,)
    ).fetchone()
    return CommandEntry(*r)


#: a row of a kind table is the same item as its row in ``items`` (one change, not two)
_MERGED_TABLE = "CASE WHEN tbl LIKE 'kind\\_%' ESCAPE '\\' THEN 'items' ELSE tbl END"


def _count(db: Database, command_id: int, item_id: int | None = None) -> dict[tuple[str, str], int]:
    """(table, action) -> rows changed: each row once however many times the command wrote
    it (an edit updates an item's row for its fields, then for its time stamp), an item's
    kind-table row counted with its ``items`` row, and a row new in the command counted as
    new only."""
    where, params = _scope(command_id, item_id)
    rows = db.conn.execute(
        "SELECT t, act, count(*) FROM (SELECT t, row_id, CASE WHEN max(action = 'insert') THEN 'insert' "
        "WHEN max(action = 'delete') THEN 'delete' ELSE 'update' END AS act FROM "
        f"(SELECT {_MERGED_TABLE} AS t, row_id, action FROM changes WHERE {where} AND last_row_id IS NULL) AS c "
        "GROUP BY t, row_id) AS r GROUP BY t, act",
        params,
    )
    out = {(t, a): int(n) for t, a, n in rows}
    for r in _ranges(db, command_id):
        if r.table.startswith("kind_"):  # the same items as the command's range of items rows
            continue
        n = r.rows if item_id is None else len(_expand(db, r, item_id=item_id))
        if n:
            out[(r.table, r.action)] = out.get((r.table, r.action), 0) + n
    return out


def rows_changed(changes: list[Change]) -> int:
    """How many rows ``changes`` touch (each once; an item's kind row is the item)."""
    return len({("items" if c.table.startswith("kind_") else c.table, c.row_id) for c in changes})


def _range_commands(db: Database, item_id: int) -> set[int]:
    """The commands whose ranges of inserted rows hold a row of ``item_id``."""
    found: set[int] = set()
    for cid, table, first, last in db.conn.execute(
        "SELECT command_id, tbl, row_id, last_row_id FROM changes WHERE last_row_id IS NOT NULL AND action = 'insert'"
    ).fetchall():
        if cid in found:
            continue
        by = _item_column(db, table)
        if by == "rowid":
            if first <= item_id <= last:
                found.add(cid)
        elif (
            by is not None
            and db.conn.execute(
                f'SELECT 1 FROM "{table}" WHERE item_id = ? AND rowid BETWEEN ? AND ? LIMIT 1', (item_id, first, last)
            ).fetchone()
        ):
            found.add(cid)
    return found


def commands(
    db: Database, *, item_id: int | None = None, limit: int = 20, max_changes: int | None = 200
) -> list[CommandEntry]:
    """Recent commands, newest first, with their changes (only those about ``item_id``
    when given; at most ``max_changes`` each — ``counts`` always covers all of them)."""
    if item_id is not None:
        ids = [
            r[0]
            for r in db.conn.execute(
                "SELECT DISTINCT command_id FROM changes WHERE item_id = ? ORDER BY command_id DESC LIMIT ?",
                (item_id, limit),
            )
        ]
        ids = sorted({*ids, *_range_commands(db, item_id)}, reverse=True)[:limit]
        if not ids:
            exists = db.conn.execute("SELECT 1 FROM items WHERE id = ?", (item_id,)).fetchone()
            if not exists:
                raise NotFoundError(f"编号 {item_id} 没有任何历史记录：请检查编号")
    else:
        ids = [r[0] for r in db.conn.execute("SELECT id FROM commands ORDER BY id DESC LIMIT ?", (limit,))]
    out: list[CommandEntry] = []
    for cid in ids:
        entry = _entry(db, cid)
        entry.changes = _command_changes(db, cid, item_id=item_id, limit=max_changes)
        entry.counts = _count(db, cid, item_id)
        out.append(entry)
    return out


def last_undoable(db: Database, *, with_changes: bool = True) -> CommandEntry:
    """The newest command not yet undone (undo commands themselves are not undone);
    without ``with_changes`` only its counts are read (for the confirmation prompt)."""
    row = db.conn.execute(
        "SELECT id FROM commands WHERE undone_by IS NULL AND undo_of IS NULL AND name NOT IN ('undo', ?) "
        "AND id != ? ORDER BY id DESC LIMIT 1",
        (PRUNE_COMMAND, db.current.id if db.current else -1),
    ).fetchone()
    if row is None:
        raise ZsError("没有可以撤销的操作")
    if row[0] <= folded_through(db):
        raise ZsError(
            f"没有可以撤销的操作：{pruned_before(db)} 以前的历史已折叠（zs history prune），更早的操作只留下了记录，"
            "不能再撤销"
        )
    return _loaded(db, row[0], with_changes)


def _loaded(db: Database, cid: int, with_changes: bool) -> CommandEntry:
    entry = _entry(db, cid)
    entry.counts = _count(db, entry.id)
    if with_changes:
        entry.changes = _per_row(db, "command_id = ?", (entry.id,))
        entry.ranges = _ranges(db, entry.id)
    return entry


def undoable(db: Database, number: int, *, with_changes: bool = True) -> CommandEntry:
    """Command ``number`` if it can be undone (it exists, is not undone, is not itself an
    undo or a fold, and its changes were not folded away); a ZsError saying why otherwise."""
    row = db.conn.execute("SELECT id, name, undone_by, undo_of FROM commands WHERE id = ?", (number,)).fetchone()
    if row is None or (db.current is not None and number == db.current.id):
        raise NotFoundError(f"没有第 {number} 次操作：请用 zs history 查看操作号")
    if row[2] is not None:
        raise ZsError(f"第 {number} 次操作已被第 {row[2]} 次操作撤销：不需要再撤销")
    if row[3] is not None or row[1] == "undo":
        raise ZsError(
            f"第 {number} 次操作本身是一次撤销（撤销第 {row[3]} 次操作），不能再撤销：需要时请重新执行那条命令"
        )
    if row[1] == PRUNE_COMMAND:
        raise ZsError(f"第 {number} 次操作是折叠历史（history prune）：折叠掉的明细已删除，不能撤销")
    if number <= folded_through(db):
        raise ZsError(
            f"第 {number} 次操作的改动明细已折叠（zs history prune，{pruned_before(db)} 以前）："
            "只留下了记录，不能再撤销"
        )
    return _loaded(db, number, with_changes)


def dependents(db: Database, target: CommandEntry) -> list[CommandEntry]:
    """The commands after ``target``, still in force, that changed a row ``target`` changed,
    or a row of an item it added or deleted: undoing ``target`` alone would undo part of
    them too (or break them).  A later command undone since does not count, nor its undo."""
    ranges = target.ranges or _ranges(db, target.id)
    changes = target.changes or _per_row(db, "command_id = ?", (target.id,))
    last = db.conn.execute("SELECT max(id) FROM changes WHERE command_id = ?", (target.id,)).fetchone()[0]
    if last is None:
        return []
    rows = {(c.table, c.row_id) for c in changes}
    items = {c.row_id for c in changes if c.table == "items" and c.action != "update"}
    spans = [(r.table, r.first, r.last) for r in ranges if r.action == "insert"]
    item_spans = [(a, b) for t, a, b in spans if t == "items"]

    def same_item(item: int | None) -> bool:
        return item is not None and (item in items or any(a <= item <= b for a, b in item_spans))

    found: set[int] = set()
    current = db.current.id if db.current else -1
    later = db.conn.execute(
        "SELECT c.command_id, c.tbl, c.row_id, c.item_id, c.last_row_id FROM changes c "
        "JOIN commands m ON m.id = c.command_id WHERE c.id > ? AND c.command_id > ? AND c.command_id != ? "
        "AND m.undone_by IS NULL AND coalesce(m.undo_of, 0) < ? AND m.name != ?",
        (last, target.id, current, target.id, PRUNE_COMMAND),
    )
    for cid, table, row_id, item, last_row in later:
        if cid in found:
            continue
        if last_row is None:
            in_span = any(t == table and a <= row_id <= b for t, a, b in spans)
            hit = (table, row_id) in rows or in_span or same_item(item)
        else:  # a later bulk insert: its rows are new, but they may belong to target's items
            hit = bool(items or item_spans) and _range_touches(db, table, row_id, last_row, items, item_spans)
        if hit:
            found.add(cid)
    return [_entry(db, cid) for cid in sorted(found)]


def _range_touches(
    db: Database, table: str, first: int, last: int, items: set[int], spans: list[tuple[int, int]]
) -> bool:
    """Whether rows ``first``..``last`` of ``table`` hold a row of one of these items."""
    if _item_column(db, table) != "item_id":
        return False
    cond = " OR ".join(["item_id IN (SELECT value FROM json_each(?))", *("item_id BETWEEN ? AND ?" for _ in spans)])
    params: list[Any] = [first, last, json.dumps(sorted(items))]
    for a, b in spans:
        params += [a, b]
    sql = f'SELECT 1 FROM "{table}" WHERE rowid BETWEEN ? AND ? AND ({cond}) LIMIT 1'
    return db.conn.execute(sql, params).fetchone() is not None


def _named(entries: list[CommandEntry], limit: int = 3) -> str:
    shown = "、".join(f"#{e.id}（{e.user}「{e.args or e.name}」）" for e in entries[:limit])
    return shown + (f" 等 {len(entries)} 次操作" if len(entries) > limit else "")


def undo_last(db: Database, *, expected: int | None, user: str, any_user: bool = False) -> tuple[CommandEntry, int]:
    """Undo the newest undoable command -- exactly the one a person was shown (``expected``,
    its id).  If another command was written since (a colleague's, while the person read
    the prompt or while this command waited for the write lock), the one shown is still
    undone when nothing written since depends on it; otherwise nothing is undone and the
    message names the command in the way.  A command of another user is undone only with
    ``any_user``.  Runs inside the current command; returns the command undone and the
    rows restored."""
    newest = last_undoable(db)
    if expected is None or newest.id == expected:
        check_owner(newest, user=user, any_user=any_user)
        return newest, undo(db, newest)
    try:
        target = undoable(db, expected)
    except ZsError as exc:
        raise ZsError(
            f"确认期间 {newest.user} 又执行了 #{newest.id}「{newest.args or newest.name}」，而要撤销的 #{expected} "
            f"已不能撤销（{exc.message}）：没有撤销任何操作"
        ) from None
    later = dependents(db, target)
    if later:
        raise ZsError(
            f"确认期间 {newest.user} 又执行了 #{newest.id}「{newest.args or newest.name}」，"
            f"之后的 {_named(later)} 改动了 #{target.id} 改过的数据：没有撤销任何操作。"
            "请重新运行 zs undo，看清要撤销的是哪一条"
        )
    check_owner(target, user=user, any_user=any_user)
    return target, undo(db, target)


def undo_command(db: Database, number: int, *, user: str, any_user: bool = False) -> tuple[CommandEntry, int]:
    """Undo command ``number`` when no later command still in force changed the same rows
    (see :func:`dependents`); otherwise nothing is undone and the message names them."""
    target = undoable(db, number)
    check_dependents(db, target)
    check_owner(target, user=user, any_user=any_user)
    return target, undo(db, target)


def check_dependents(db: Database, target: CommandEntry) -> None:
    """A ZsError naming the later commands that depend on ``target`` (see :func:`dependents`)."""
    later = dependents(db, target)
    if later:
        raise ZsError(
            f"不能单独撤销 #{target.id}「{target.args or target.name}」：之后的 {_named(later)} 改动了同样的数据。"
            "没有撤销任何操作；请先撤销这些操作（从最新的开始），或手动修改"
        )


def check_owner(target: CommandEntry, *, user: str, any_user: bool) -> None:
    """Undoing another user's command is a deliberate choice (``any_user``)."""
    if target.user != user and not any_user:
        raise ZsError(
            f"要撤销的 #{target.id}「{target.args or target.name}」（{target.at}）是 {target.user} 的操作，不是你"
            f"（{user}）的：确需撤销别人的操作请加 --any-user"
        )


#: prefixes of the ``meta`` keys a command writes about itself (``<prefix><command id>``): an
#: undo of the command deletes them (the day an import's sheets speak for: exchange.sheetdates)
COMMAND_STAMPS = ("sheet_date:",)


def stamp(db: Database, sql: str, params: Sequence[Any]) -> bool:
    """Run ``sql`` on a command's stamp in ``meta`` if the login may (on a server a 填报 account
    may not write ``meta``: the stamp is then left out, and False returned) — in a savepoint,
    so a refusal leaves the command's transaction as it was."""
    db.conn.execute("SAVEPOINT zs_stamp")
    try:
        db.conn.execute(sql, params)
    except Exception as exc:
        db.conn.execute("ROLLBACK TO SAVEPOINT zs_stamp")
        db.conn.execute("RELEASE SAVEPOINT zs_stamp")
        if db.dialect.refused(exc) is None:
            raise
        return False
    db.conn.execute("RELEASE SAVEPOINT zs_stamp")
    return True


def undo(db: Database, target: CommandEntry) -> int:
    """Revert every change of ``target`` (inside the current command, which becomes the
    undo).  Returns the number of rows restored."""
    if db.current is None:
        raise RuntimeError("undo must run inside db.command()")
    db.dialect.defer_foreign_keys(db.conn)
    touched: set[int] = set()
    # rows the command inserted are deleted a table at a time, between the changes of other
    # kinds (which keep their order): on a server a statement per row took 14 s for the 9,000
    # rows of a 3,000-row import (an account whose imports are recorded row by row)
    inserted: dict[str, list[int]] = {}
    # a row the command inserted and then changed (a county's new project marked 待认定) goes
    # with its insert: its later changes are not reverted one by one first
    born = {(ch.table, ch.row_id): i for i, ch in enumerate(target.changes) if ch.action == "insert"}
    columns: dict[str, set[str]] = {}
    for i in range(len(target.changes) - 1, -1, -1):
        ch = target.changes[i]
        if ch.action == "insert":
            inserted.setdefault(ch.table, []).append(ch.row_id)
        elif born.get((ch.table, ch.row_id), i) >= i:
            _delete_inserted(db, inserted)
            _revert(db, ch, columns)
        if ch.item_id is not None:
            touched.add(ch.item_id)
    _delete_inserted(db, inserted)
    # the ranges last: every row in them is new in ``target``, so whatever happened to them
    # in between (reverted above), they go — children before the items they belong to
    removed = 0
    for r in reversed(target.ranges):
        if r.action == "insert":
            n = _delete_range(db, r)
            removed += 0 if r.table.startswith("kind_") else n  # (the items of the range's items rows)
            if r.table == "items":
                db.conn.execute("DELETE FROM items_fts WHERE rowid BETWEEN ? AND ?", (r.first, r.last))
                touched = {i for i in touched if not r.first <= i <= r.last}
    db.conn.execute("UPDATE commands SET undone_by = ? WHERE id = ?", (db.current.id, target.id))
    db.conn.execute("UPDATE commands SET undo_of = ? WHERE id = ?", (target.id, db.current.id))
    for prefix in COMMAND_STAMPS:  # (what the command noted of itself goes with it)
        stamp(db, "DELETE FROM meta WHERE key = ?", (f"{prefix}{target.id}",))
    _check_foreign_keys(db)
    _drop_index(db, touched)
    reindex(db, touched)
    return rows_changed(target.changes) + removed


def _delete_range(db: Database, r: Range) -> int:
    """Delete a range of inserted rows, recorded as one change of the undo (not a JSON copy
    of each row: an undone import cannot be restored row by row, only imported again)."""
    assert db.current is not None
    conn = db.conn
    with _item_dates_once(db, r.table, "rowid BETWEEN ? AND ?", (r.first, r.last)):
        paused = drop_history_triggers(conn, r.table)
        try:
            cur = conn.execute(f'DELETE FROM "{r.table}" WHERE rowid BETWEEN ? AND ?', (r.first, r.last))
            n_rows = max(cur.rowcount, 0)
        finally:
            if paused:
                install_history_triggers(conn, r.table)
    record_range(db.conn, db.current.id, r.table, "delete", r.first, r.last, n_rows)
    return n_rows


@contextlib.contextmanager
def _item_dates_once(
    db: Database, table: str, where: str, params: Sequence[Any], *, many: bool = True
) -> Iterator[None]:
    """Around a delete of the rows of ``table`` that ``where`` chooses: when the items' dates
    come from that table (stage moves, activities) and the rows are ``many``, the items'
    dates are recomputed once afterwards, not per row (same transaction)."""
    if table not in DATES_TABLES or not many or not db.dialect.keeps_item_dates(db.conn):
        yield
        return
    found = db.conn.execute(f'SELECT DISTINCT item_id FROM "{table}" WHERE {where}', params)
    items = json.dumps([r[0] for r in found])
    pause_item_dates(db.conn)
    try:
        yield
    finally:
        refresh_item_dates(db.conn, "i.id IN (SELECT value FROM json_each(?))", (items,))
        install_item_dates(db.conn)


#: rows deleted by one statement (one JSON array parameter)
_DELETE_BATCH = 10_000


def _delete_inserted(db: Database, inserted: dict[str, list[int]]) -> None:
    """Delete the rows a command inserted (``inserted``: their ids by table, newest first; the
    tables in the order met, children before their items) and empty ``inserted``.  Deleting
    new rows cannot break a unique rule, and foreign keys are checked at the end: their order
    among themselves does not matter."""
    chosen = "rowid IN (SELECT value FROM json_each(?))"
    for table, ids in inserted.items():
        for start in range(0, len(ids), _DELETE_BATCH):
            chunk = (json.dumps(ids[start : start + _DELETE_BATCH]),)
            with _item_dates_once(db, table, chosen, chunk, many=len(ids) > 200):
                db.conn.execute(f'DELETE FROM "{table}" WHERE {chosen}', chunk)
    inserted.clear()


def _check_foreign_keys(db: Database) -> None:
    bad = db.dialect.foreign_key_problems(db.conn)
    if bad:
        raise ZsError("撤销会破坏数据之间的关联（之后的操作依赖这次的结果）：请先撤销之后的操作，或手动修改")


def _drop_index(db: Database, ids: set[int]) -> None:
    if ids:
        db.conn.execute(
            "DELETE FROM items_fts WHERE rowid IN (SELECT value FROM json_each(?))", (json.dumps(sorted(ids)),)
        )


def _revert(db: Database, ch: Change, columns: dict[str, set[str]] | None = None) -> None:
    """Undo one change (``columns``: the tables' columns, as far as read already)."""
    t = ch.table
    if ch.action == "insert":
        db.conn.execute(f'DELETE FROM "{t}" WHERE rowid = ?', (ch.row_id,))
    elif ch.action == "delete":
        _insert_row(db, t, ch.old or {}, columns)
    else:
        old = ch.old or {}
        cols = _existing_columns(db, t, old, columns)
        sets = ", ".join(f'"{c}" = ?' for c in cols)
        db.conn.execute(f'UPDATE "{t}" SET {sets} WHERE rowid = ?', [old[c] for c in cols] + [ch.row_id])


def _existing_columns(
    db: Database, table: str, row: dict[str, Any], columns: dict[str, set[str]] | None = None
) -> list[str]:
    known = {} if columns is None else columns
    have = known.get(table)
    if have is None:
        have = known[table] = set(_table_columns(db, table))
    return [c for c in row if c in have]


def _insert_row(db: Database, table: str, row: dict[str, Any], columns: dict[str, set[str]] | None = None) -> None:
    cols = _existing_columns(db, table, row, columns)
    db.conn.execute(
        f'INSERT INTO "{table}" ({", ".join(chr(34) + c + chr(34) for c in cols)}) '
        f"VALUES ({', '.join('?' * len(cols))})",
        [row[c] for c in cols],
    )


def restore_item(db: Database, item_id: int) -> int:
    """Re-insert an item removed by ``rm`` (its own row, its kind row, its activities, funds
    and status log as they were when it was deleted).  Returns the item id."""
    if db.conn.execute("SELECT 1 FROM items WHERE id = ?", (item_id,)).fetchone():
        raise ZsError(f"编号 {item_id} 的条目存在，并未删除")
    last = db.conn.execute(
        "SELECT command_id FROM changes WHERE tbl = 'items' AND row_id = ? AND action = 'delete' "
        "AND last_row_id IS NULL ORDER BY id DESC LIMIT 1",
        (item_id,),
    ).fetchone()
    if last is None:
        raise NotFoundError(f"没有编号 {item_id} 被删除的记录：请用 zs history 查看")
    rows = _per_row(db, "command_id = ? AND item_id = ? AND action = 'delete'", (last[0], item_id))
    if not rows:
        raise NotFoundError(f"没有编号 {item_id} 被删除的记录")
    chain_id = next((c.old or {}).get("chain_id") for c in rows if c.table == "items")
    if not db.conn.execute("SELECT 1 FROM chains WHERE id = ?", (chain_id,)).fetchone():
        raise ZsError(f"编号 {item_id} 原属的产业链已被删除：请先用 zs undo 或重新建立该产业链")
    db.dialect.defer_foreign_keys(db.conn)
    order = {"items": 0}
    for ch in sorted(rows, key=lambda c: (order.get(c.table, 1), c.id)):
        _insert_row(db, ch.table, ch.old or {})
    _check_foreign_keys(db)
    reindex(db, [item_id])
    return item_id


# ---------------------------------------------------------------------------------------
# Folding old history
# ---------------------------------------------------------------------------------------

#: meta key: commands before this day have had their change rows folded away
PRUNED_KEY = "history_pruned_before"
#: meta key: the newest command whose change rows were folded away (the commands after it,
#: even on the same day — ``--before`` tomorrow — keep theirs and can be undone)
PRUNED_ID_KEY = "history_pruned_through"
#: the name of the command that folds history (recorded, never undone)
PRUNE_COMMAND = "history prune"


@dataclass
class PrunePlan:
    """What ``history prune --before`` folds: the commands before the day keep who, when
    and what was run; their row-by-row changes (what undo and restore replay) go."""

    before: str
    commands: int
    changes: int
    #: bytes of the change rows (their JSON), and free pages already in the file
    change_bytes: int
    free_bytes: int
    file_bytes: int
    #: deleted items whose rows go with it (zs restore can no longer bring them back)
    unrestorable: int
    #: the newest command kept whole (undo works back to it)
    oldest_kept: str | None


def pruned_before(db: Database) -> str | None:
    """The day before which history has been folded (None: never)."""
    return db.meta(PRUNED_KEY)


def folded_through(db: Database) -> int:
    """The newest command whose changes were folded (0: none)."""
    through = db.meta(PRUNED_ID_KEY)
    if through is not None:
        return int(through)
    horizon = pruned_before(db)
    if horizon is None:
        return 0
    # folded by an older zhaoshang, which kept only the day: the commands before the day
    # that the last fold saw (those after it kept their changes)
    row = db.conn.execute(
        "SELECT max(id) FROM commands WHERE at < ? AND id < (SELECT coalesce(max(id), 0) FROM commands WHERE name = ?)",
        (horizon, PRUNE_COMMAND),
    ).fetchone()
    return int(row[0] or 0)


def prune_plan(db: Database, before: str) -> PrunePlan:
    """What folding the history before ``before`` (a day, YYYY-MM-DD) would do; writes nothing."""
    cut = (before,)
    n_cmd = db.conn.execute("SELECT count(*) FROM commands WHERE at < ? AND name != ?", (*cut, PRUNE_COMMAND))
    commands = int(n_cmd.fetchone()[0])
    changes, size = db.conn.execute(
        "SELECT count(*), coalesce(sum(length(coalesce(old, '')) + length(coalesce(new, '')) + 48), 0) "
        "FROM changes WHERE command_id IN (SELECT id FROM commands WHERE at < ?)",
        cut,
    ).fetchone()
    gone = db.conn.execute(
        # items a person deleted (zs rm), not those an undo took away again
        "SELECT count(DISTINCT c.row_id) FROM changes c WHERE c.tbl = 'items' AND c.action = 'delete' "
        "AND c.command_id IN (SELECT id FROM commands WHERE at < ? AND name != 'undo') "
        "AND NOT EXISTS (SELECT 1 FROM items i WHERE i.id = c.row_id)",
        cut,
    ).fetchone()[0]
    free = db.dialect.free_bytes(db.conn)
    kept = db.conn.execute("SELECT min(at) FROM commands WHERE at >= ?", cut).fetchone()[0]
    return PrunePlan(before, commands, int(changes), int(size), free, db.file_size(), int(gone), kept)


def prune(db: Database, before: str) -> PrunePlan:
    """Fold the history before ``before`` inside the current command (see :class:`PrunePlan`);
    :meth:`Database.vacuum` afterwards gives the space back to the disk."""
    if db.current is None:
        raise RuntimeError("prune must run inside db.command()")
    plan = prune_plan(db, before)
    previous = pruned_before(db)
    horizon = max(before, previous or before)
    db.conn.execute(
        "DELETE FROM changes WHERE command_id IN (SELECT id FROM commands WHERE at < ? AND id != ?)",
        (before, db.current.id),
    )
    last = db.conn.execute(
        "SELECT coalesce(max(id), 0) FROM commands WHERE at < ? AND id != ?", (before, db.current.id)
    ).fetchone()[0]
    through = max(int(last), folded_through(db))
    db.conn.execute(
        "INSERT INTO meta(key, value) VALUES (?, ?), (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (PRUNED_KEY, horizon, PRUNED_ID_KEY, str(through)),
    )
    # the fold itself, in history: one row saying what went (meta is not tracked by triggers)
    db.conn.execute(
        "INSERT INTO changes(command_id, tbl, row_id, item_id, action, old, new) VALUES (?, 'meta', 0, NULL, "
        "'update', ?, ?)",
        (
            db.current.id,
            json.dumps({PRUNED_KEY: previous}, ensure_ascii=False),
            json.dumps(
                {PRUNED_KEY: horizon, "folded_commands": plan.commands, "folded_changes": plan.changes},
                ensure_ascii=False,
            ),
        ),
    )
    return plan


def reclaim(db: Database, command_id: int) -> int:
    """Give the space of a fold (command ``command_id``, committed) back to the disk; returns
    the bytes on disk afterwards.  When that fails (a full disk: VACUUM needs room for a
    copy) the message says the fold itself is saved and how to get the space later."""
    try:
        return db.vacuum()
    except ZsError as exc:
        raise ZsError(
            f"历史已折叠并保存（第 {command_id} 次操作，可用 zs history 查看）；但{exc.message}。"
            "数据完好：清理出空间后再运行一次同样的 zs history prune 即可收回"
        ) from None

"""Checklist items: add, read, list, edit, change status, close, reopen, remove, restore.

Every function takes an open :class:`~zhaoshang.db.Database`, returns data and never prints.
Writes must run inside ``db.command(...)`` (the CLI opens one per command); functions here
open one themselves when called outside a command, so library users get atomic writes too.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from . import increments, lookups, stages
from .db import Database, now
from .definitions import COMMON_KEYS, FieldDef, KindDef
from .errors import NotFoundError, ParseError, ZsError
from .search import reindex
from .values import field_error, to_display, to_json, to_storage

Record = dict[str, Any]

#: columns of ``items`` that a user may set directly (chain and unit go through lookups)
_SETTABLE_COMMON = ("title", "owner", "due", "notes")


@contextmanager
def _writing(db: Database, name: str, user: str | None) -> Iterator[str]:
    """Use the enclosing command, or open one (library use)."""
    if db.current is not None:
        yield db.current.user
        return
    who = user or "library"
    with db.command(name, user=who):
        yield who


# ---------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------


def _select(
    kind: KindDef | None, db: Database, keys: Collection[str] | None = None, *, names: bool = True
) -> tuple[str, list[str]]:
    """The SELECT of items (with ``kind``'s own fields): every column, or ``keys`` and the
    id and kind.  ``names=False`` reads chain and unit as ids (``chain_id``, ``unit_id``)
    for the caller to name from a lookup table — a listing of many rows then makes no
    string per row for them."""
    common = {
        "id": "i.id AS id",
        "kind": "i.kind AS kind",
        "chain": "c.name AS chain" if names else "i.chain_id AS chain_id",
        "title": "i.title AS title",
        "status": "i.status AS status",
        "owner": "i.owner AS owner",
        "unit": "u.name AS unit" if names else "i.unit_id AS unit_id",
        "due": "i.due AS due",
        "notes": "i.notes AS notes",
        "created_at": "i.created_at AS created_at",
        "updated_at": "i.updated_at AS updated_at",
        "closed_at": "i.closed_at AS closed_at",
    }
    wanted = None if keys is None else {"id", "kind", *keys}
    cols = [sql for key, sql in common.items() if wanted is None or key in wanted]
    joins = "FROM items i JOIN chains c ON c.id = i.chain_id LEFT JOIN units u ON u.id = i.unit_id"
    extra: list[str] = []
    if kind is not None:
        stored = set(db.kind_columns(kind))
        for f in kind.fields:
            if f.key in stored and (wanted is None or f.key in wanted):
                cols.append(f'k."{f.key}" AS "{f.key}"')
                extra.append(f.key)
        joins += f' LEFT JOIN "{kind.table}" k ON k.id = i.id'
    return f"SELECT {', '.join(cols)} {joins}", extra


def _record(db: Database, row: sqlite3.Row | tuple[Any, ...], names: Sequence[str], kind: KindDef | None) -> Record:
    rec: Record = dict(zip(names, row, strict=True))
    k = db.defs.kind_by_key(rec["kind"])
    rec["kind"] = k.key
    if kind is not None:
        for f in kind.fields:
            if f.key in rec:
                rec[f.key] = to_json(f, rec[f.key])
    return rec


def get(db: Database, item_id: int) -> Record:
    """One item with every field of its kind, keyed by field key."""
    row = db.conn.execute("SELECT kind FROM items WHERE id = ?", (item_id,)).fetchone()
    if row is None:
        raise _unknown_id(db, item_id)
    kind = db.defs.kind_by_key(row[0])
    sql, _ = _select(kind, db)
    cur = db.conn.execute(sql + " WHERE i.id = ?", (item_id,))
    names = [d[0] for d in cur.description]
    return _record(db, cur.fetchone(), names, kind)


def _unknown_id(db: Database, item_id: int) -> NotFoundError:
    deleted = db.conn.execute(
        "SELECT 1 FROM changes WHERE tbl = 'items' AND row_id = ? AND action = 'delete' "
        "AND last_row_id IS NULL LIMIT 1",
        (item_id,),
    ).fetchone()
    if deleted:
        return NotFoundError(f"编号 {item_id} 的条目已删除：可用 zs restore {item_id} 恢复")
    return NotFoundError(f"没有编号为 {item_id} 的条目：用 zs list 或 zs search 查找编号")


def kind_of(db: Database, item_id: int) -> KindDef:
    row = db.conn.execute("SELECT kind FROM items WHERE id = ?", (item_id,)).fetchone()
    if row is None:
        raise _unknown_id(db, item_id)
    return db.defs.kind_by_key(row[0])


# ---------------------------------------------------------------------------------------
# Listing
# ---------------------------------------------------------------------------------------

# ≥ ≤ ≠ and the full-width forms are what Chinese input methods type, and need no shell quoting
# (a bare > or < on a shell command line is a redirect).
_OPERATORS = (
    ">=",
    "<=",
    "!=",
    "≥",
    "≤",
    "≠",
    "＞＝",
    "＜＝",
    "！＝",
    "~",
    "～",
    "=",
    "＝",
    ">",
    "<",
    "＞",
    "＜",
    "：",
    ":",
)
_OPERATOR_ALIASES = {
    "＝": "=",
    "：": "=",
    ":": "=",
    "≥": ">=",
    "＞＝": ">=",
    "≤": "<=",
    "＜＝": "<=",
    "≠": "!=",
    "！＝": "!=",
    "～": "~",
    "＞": ">",
    "＜": "<",
}
_FILTER_RE = re.compile(
    r"^(?P<key>[^=＝~～<>＜＞!！≥≤≠：:]+?)\s*(?P<op>" + "|".join(map(re.escape, _OPERATORS)) + r")(?P<value>.*)$", re.S
)


def is_condition(db: Database, text: str) -> bool:
    """Whether ``text`` (typed where a kind may stand) is a condition such as 责任人=王强
    rather than the name of a kind."""
    if _FILTER_RE.match(text.strip()) is None:
        return False
    try:
        db.defs.kind(text)
    except ZsError:
        return True
    return False


@dataclass
class Filter:
    """What ``zs list`` selects.  ``where`` holds ``FIELD op VALUE`` strings, where op is
    one of ``= != ~ (contains) > >= < <=``."""

    kind: str | None = None
    chain: str | None = None
    status: str | None = None
    owner: str | None = None
    #: a leader's portfolio: leader field, team member in a leader role, or chain leader
    leader: str | None = None
    unit: str | None = None
    overdue: bool = False
    open_only: bool = False
    where: list[str] = field(default_factory=list)
    sort: str | None = None
    descending: bool = False
    limit: int | None = None
    today: date | None = None
    #: first reached this status (for a stage: it or a later one) within [reached_from,
    #: reached_to] — what the reports count (zhaoshang.reports.figures.reached_clause)
    reached: str | None = None
    reached_from: date | None = None
    reached_to: date | None = None


@dataclass
class Listing:
    kind: KindDef | None
    fields: list[FieldDef]
    rows: list[Record]


@dataclass
class ItemStream:
    """:func:`iter_items`' answer: the rows are read from the database as they are used
    (one pass; memory does not grow with the number of items)."""

    kind: KindDef | None
    fields: list[FieldDef]
    rows: Iterator[Record]
    #: the largest item id in the database: how wide an id column can get
    max_id: int


def list_items(db: Database, flt: Filter) -> Listing:
    """Items matching ``flt``, sorted (by default: kind order, then id)."""
    found = iter_items(db, flt)
    return Listing(found.kind, found.fields, list(found.rows))


def iter_items(db: Database, flt: Filter, keys: Collection[str] | None = None) -> ItemStream:
    """:func:`list_items` as a stream.  The query is checked (and the filter's errors
    raised) here, before any row is read.  ``keys``: the only fields the records need
    (with ``id`` and ``kind``; None for all) — fewer columns read is faster."""
    defs = db.defs
    kind = defs.kind(flt.kind) if flt.kind else None
    sql, _ = _select(kind, db, keys, names=False)
    where, params = _conditions(db, kind, flt)
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY " + _order(db, kind, flt)
    if flt.limit is not None:
        sql += " LIMIT ?"
        params.append(int(flt.limit))
    cur = db.conn.execute(sql, params)
    names = [d[0] for d in cur.description]
    max_id = db.conn.execute("SELECT coalesce(max(id), 0) FROM items").fetchone()[0]
    return ItemStream(kind, defs.fields_of(kind), _records(db, cur, names, kind), max_id)


def count_items(db: Database, flt: Filter) -> int:
    """How many items ``flt`` selects, its limit aside (what a cut listing's total is)."""
    kind = db.defs.kind(flt.kind) if flt.kind else None
    where, params = _conditions(db, kind, flt)
    sql = "SELECT count(*) FROM items i JOIN chains c ON c.id = i.chain_id LEFT JOIN units u ON u.id = i.unit_id"
    if kind is not None:
        sql += f' LEFT JOIN "{kind.table}" k ON k.id = i.id'
    if where:
        sql += " WHERE " + " AND ".join(where)
    return int(db.conn.execute(sql, params).fetchone()[0])


def _conditions(db: Database, kind: KindDef | None, flt: Filter) -> tuple[list[str], list[Any]]:
    """The WHERE clauses (on ``i`` items, ``k`` the kind's table, ``c`` chains, ``u`` units)
    and their parameters for what ``flt`` selects."""
    where: list[str] = []
    params: list[Any] = []
    if kind is not None:
        where.append("i.kind = ?")
        params.append(kind.key)
    if flt.chain:
        where.append("i.chain_id = ?")
        params.append(lookups.chain_id(db, flt.chain))
    if flt.unit:
        where.append("i.unit_id = ?")
        params.append(lookups.unit_id(db, flt.unit))
    if flt.owner:
        where.append("i.owner = ?")
        params.append(flt.owner.strip())
    if flt.leader:
        from .people import leader_clause

        clause, values = leader_clause(db, flt.leader)
        where.append(clause)
        params.extend(values)
    if flt.reached:
        from .stages import reached_clause

        clause, values = reached_clause(db, kind, flt.reached, flt.reached_from, flt.reached_to)
        where.append(clause)
        params.extend(values)
    if flt.status:
        names = status_filter(db, kind, flt.status)
        where.append(f"i.status IN ({', '.join('?' * len(names))})")
        params.extend(names)
    if flt.open_only or flt.overdue:
        where.append("i.closed_at IS NULL")
    if flt.overdue:
        where.append("i.due IS NOT NULL AND i.due < ?")
        params.append((flt.today or date.today()).isoformat())
    for expr in flt.where:
        clause, values = where_clause(db, kind, expr)
        where.append(clause)
        params.extend(values)
    return where, params


def _records(db: Database, cur: sqlite3.Cursor, names: Sequence[str], kind: KindDef | None) -> Iterator[Record]:
    """The rows of ``cur`` (read by ``_select(..., names=False)``) as records: what
    :func:`_record` makes, with converters looked up once and chain and unit named from
    their tables."""
    convert = [
        (f.key, f) for f in (kind.fields if kind is not None else ()) if f.key in names and f.ftype.json != "str"
    ]
    known = {k.key for k in db.defs.kinds}
    keys = [{"chain_id": "chain", "unit_id": "unit"}.get(n, n) for n in names]
    chains = dict(db.conn.execute("SELECT id, name FROM chains")) if "chain_id" in names else {}
    units = dict(db.conn.execute("SELECT id, name FROM units")) if "unit_id" in names else {}
    has_chain, has_unit = "chain_id" in names, "unit_id" in names
    chain_name, unit_name = chains.__getitem__, units.get
    for row in cur:
        # (read back from the record, not the row: a server's row indexed by position is a
        # Python call, 0.5 µs each)
        rec: Record = dict(zip(keys, row, strict=False))  # (same length by construction; strict costs 0.4 µs a row)
        if rec["kind"] not in known:
            rec["kind"] = db.defs.kind_by_key(rec["kind"]).key
        if has_chain:
            rec["chain"] = chain_name(rec["chain"])
        if has_unit and rec["unit"] is not None:
            rec["unit"] = unit_name(rec["unit"])
        for key, f in convert:
            value = rec[key]
            if value is not None:
                rec[key] = to_json(f, value)
        yield rec


def status_filter(db: Database, kind: KindDef | None, text: str) -> list[str]:
    from .parse import normalize_key

    out: list[str] = []
    kinds = [kind] if kind else list(db.defs.kinds)
    for part in re.split(r"[,，、]", text):
        wanted = normalize_key(part)
        if not wanted:
            continue
        hits = [s.name for k in kinds for s in k.statuses if wanted in {normalize_key(x) for x in (s.name, *s.aliases)}]
        if not hits:
            allowed = sorted({s.name for k in kinds for s in k.statuses})
            raise NotFoundError(f"没有「{part.strip()}」这个状态。可用：{'、'.join(allowed)}")
        out.extend(hits)
    return list(dict.fromkeys(out))


def _column_ref(db: Database, kind: KindDef | None, f: FieldDef) -> str:
    if f.common:
        return {"chain": "c.name", "unit": "u.name"}.get(f.key, f"i.{f.key}")
    return f'k."{f.key}"'


def where_clause(db: Database, kind: KindDef | None, expr: str) -> tuple[str, list[Any]]:
    m = _FILTER_RE.match(expr.strip())
    if not m:
        raise ParseError(
            f"「{expr}」不是 字段=值 形式的筛选条件：例如 优先级=A、投资额≥10000（或加引号 '投资额>=10000'）、名称~铜"
        )
    key, op, raw = m.group("key").strip(), m.group("op"), m.group("value").strip()
    op = _OPERATOR_ALIASES.get(op, op)
    f = db.defs.field(kind, key)
    col = _column_ref(db, kind, f)
    if raw == "" and op in ("=", "!="):
        return (f"({col} IS NULL OR {col} = '')" if op == "=" else f"({col} IS NOT NULL AND {col} != '')"), []
    if op == "~":
        # contains, ignoring ASCII case like LIKE — but with no pattern-length limit, no
        # wildcard escaping and no stop at a NUL character
        return f"instr(lower({col}), lower(?)) > 0", [raw]
    if f.key in ("id",):
        value: Any = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 19 else raw
    elif f.key == "status":
        value = status_filter(db, kind, raw)[0]
    elif f.common and f.key in ("chain", "unit", "kind"):
        value = raw
        if f.key == "kind":
            value = db.defs.kind(raw).key
    else:
        # 时限 and the timestamps are dates to compare with: "时限<abc" is an error, not a
        # text comparison that quietly selects everything or nothing
        typed = _DATE_FIELD if f.key in ("due", "created_at", "updated_at", "closed_at") else f
        try:
            # text compares as typed: a value longer than any stored text simply matches nothing
            value = raw if typed.ftype.verbatim else to_storage(typed, raw)
        except ZsError as exc:
            raise field_error(f, exc, where="筛选条件：") from None
        if f.key in ("created_at", "updated_at", "closed_at"):
            if op in ("=", "!="):
                col = f"substr({col}, 1, 10)"
            elif op in ("<=", ">"):
                value = f"{value}T99"  # the whole day: every time of it sorts before this
    sql_op = {"=": "=", "!=": "IS NOT", ">": ">", ">=": ">=", "<": "<", "<=": "<="}[op]
    return f"{col} {sql_op} ?", [value]


def _order(db: Database, kind: KindDef | None, flt: Filter) -> str:
    direction = "DESC" if flt.descending else "ASC"
    if flt.sort:
        f = db.defs.field(kind, flt.sort)
        col = _column_ref(db, kind, f)
        return f"{col} IS NULL, {col} {direction}, i.id"
    if kind is None:
        cases = " ".join(f"WHEN '{k.key}' THEN {i}" for i, k in enumerate(db.defs.kinds))
        return f"CASE i.kind {cases} END, i.id {direction}"
    return f"i.id {direction}"


# ---------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------


@dataclass
class Parsed:
    """Values parsed for an item, split into the common columns and the kind's columns."""

    common: dict[str, Any] = field(default_factory=dict)
    own: dict[str, Any] = field(default_factory=dict)
    status: str | None = None


def parse_values(db: Database, kind: KindDef, values: Mapping[str, object], *, where: str = "") -> Parsed:
    """Resolve field names (key, label or alias) and parse every value.  Unknown fields and
    unreadable values are errors; the first one found is raised."""
    out = Parsed()
    for name, raw in values.items():
        f = db.defs.field(kind, name)
        if f.key in ("id", "kind", "created_at", "updated_at", "closed_at"):
            raise ZsError(f"{where}字段「{f.label}」由系统维护，不能直接修改")
        if f.key == "status":
            out.status = None if raw is None else resolve_status(kind, str(raw))
            continue
        if f.key == "chain":
            if raw is None or str(raw).strip() == "":
                raise ZsError(f"{where}产业链不能为空")
            out.common["chain_id"] = lookups.chain_id(db, str(raw), label=f.label)
            continue
        if f.key == "unit":
            text = "" if raw is None else str(raw).strip()
            out.common["unit_id"] = lookups.unit_id(db, text, label=f.label) if text else None
            continue
        try:
            if f.key == "due":
                value = to_storage(_DATE_FIELD, raw)
            elif f.common:
                value = to_storage(f, raw)
            else:
                value = to_storage(f, raw)
        except ZsError as exc:
            raise field_error(f, exc, where=where) from None
        if f.key == "title" and value is None:
            raise ZsError(f"{where}{kind.title.label}不能为空")
        if (
            f.type == "ref"
            and value is not None
            and db.conn.execute("SELECT 1 FROM items WHERE id = ?", (value,)).fetchone() is None
        ):
            raise ZsError(f"{where}字段「{f.label}」：没有编号为 {value} 的条目")
        if f.common:
            out.common[f.key] = value
        else:
            out.own[f.key] = value
    return out


_DATE_FIELD = FieldDef(key="due", label="时限", type="date", common=True)


def resolve_status(kind: KindDef, text: str) -> str:
    """The status a name or alias stands for (:func:`zhaoshang.stages.resolve_status`)."""
    return stages.resolve_status(kind, text)


def add(
    db: Database,
    kind_name: str,
    title: str,
    *,
    chain: str,
    values: Mapping[str, object] | None = None,
    user: str | None = None,
    origin: str | None = None,
    origin_id: int | None = None,
    on: str | date | None = None,
    force: bool = False,
    reason: str | None = None,
) -> int:
    """Add an item; returns its new global id.  ``on`` is the day it came in (default today;
    数据补录 gives an earlier one), which the 新增 figures count.  A status other than the
    kind's first goes through the very rules of ``zs stage`` (same refusals, flags and dates):
    the item comes in at its first status and moves on, each stage on its own date field
    (签约日期=…) where given, else on ``on``."""
    kind = db.defs.kind(kind_name)
    merged: dict[str, object] = {"title": title, "chain": chain}
    merged.update(values or {})
    parsed = parse_values(db, kind, merged)
    for f in kind.fields:
        if f.key not in parsed.own and f.default is not None:
            parsed.own[f.key] = to_storage(f, f.default)
        if f.required and parsed.own.get(f.key) is None:
            raise ZsError(f"「{kind.name}」清单的「{f.label}」必填：请加上 {f.label}=…")
    entry = stages.effective(on, what="登记日期")
    dates = {st: str(parsed.own.pop(key)) for st, key in stages.date_fields(kind).items() if parsed.own.get(key)}
    target = parsed.status or kind.default_status
    # a project packaged before any investor exists (谋划储备) comes in there, not at 线索
    start = target if kind.status(target).reserve else kind.default_status
    planned = stages.plan(kind, start, target, dates, entry)
    with _writing(db, "add", user) as who:
        item_id = insert(
            db,
            kind,
            parsed,
            status=start,
            user=who,
            origin=origin,
            origin_id=origin_id,
            status_date=entry,
            index=not planned,
        )
        try:
            for step in planned:
                set_status(
                    db,
                    item_id,
                    step.to_status,
                    user=who,
                    on=step.date,
                    force=force,
                    reason=reason,
                    touch=step is planned[-1],
                )
        except ZsError as exc:  # the add is undone: its id never comes to exist, so never name it
            message = re.sub(rf"编号 {item_id}(?![0-9])\s*", "新条目", exc.message)
            raise type(exc)(message, details=exc.details) from None
        return item_id


def insert(
    db: Database,
    kind: KindDef,
    parsed: Parsed,
    *,
    status: str,
    user: str,
    origin: str | None = None,
    origin_id: int | None = None,
    status_date: str | None = None,
    index: bool = True,
) -> int:
    """Insert an already parsed item (inside a command).  Used by ``add`` and import."""
    ts = now()
    common = dict(parsed.common)
    closed_at = ts if kind.status(status).terminal else None
    cols = [
        "kind",
        "status",
        "created_at",
        "updated_at",
        "closed_at",
        "created_by",
        "updated_by",
        "origin",
        "origin_id",
        *common,
    ]
    vals = [kind.key, status, ts, ts, closed_at, user, user, origin, origin_id, *common.values()]
    item_id = db.insert_id(f"INSERT INTO items ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})", vals)
    own = {k: v for k, v in parsed.own.items()}
    kcols = ["id", *own]
    db.conn.execute(
        f'INSERT INTO "{kind.table}" ({", ".join(f"{c!r}".replace(chr(39), chr(34)) for c in kcols)}) '
        f"VALUES ({', '.join('?' * len(kcols))})",
        [item_id, *own.values()],
    )
    entry = db.insert_id(
        "INSERT INTO status_log(item_id, from_status, to_status, date, user, at) VALUES (?, NULL, ?, ?, ?, ?)",
        (item_id, status, status_date or date.today().isoformat(), user, ts),
    )
    stages.hold_own(db, "status_log", entry, user)  # (zs review own 开)
    if index:
        reindex(db, [item_id])
    return item_id


def edit(
    db: Database,
    item_id: int,
    values: Mapping[str, object],
    *,
    user: str | None = None,
    reason: str | None = None,
    force: bool = False,
    where: str = "",
) -> list[str]:
    """Change fields of an item; returns the keys that actually changed.  A status given
    here goes through :func:`set_status` (recorded, pipeline rules applied)."""
    kind = kind_of(db, item_id)
    parsed = parse_values(db, kind, values, where=where)
    with _writing(db, "edit", user) as who:
        return update(db, kind, item_id, parsed, user=who, reason=reason, force=force)


def update(
    db: Database,
    kind: KindDef,
    item_id: int,
    parsed: Parsed,
    *,
    user: str,
    reason: str | None = None,
    force: bool = False,
    status_date: str | None = None,
    index: bool = True,
) -> list[str]:
    """Apply parsed values to an existing item (inside a command)."""
    changed: list[str] = []
    cur_common = db.conn.execute(
        "SELECT title, owner, due, notes, chain_id, unit_id, status FROM items WHERE id = ?",
        (item_id,),
    ).fetchone()
    current = dict(zip(("title", "owner", "due", "notes", "chain_id", "unit_id", "status"), cur_common, strict=True))
    common = {k: v for k, v in parsed.common.items() if current.get(k) != v}
    stored_cols = set(db.kind_columns(kind))
    own_now = {}
    if parsed.own:
        keys = [k for k in parsed.own if k in stored_cols]
        row = db.conn.execute(
            f'SELECT {", ".join(chr(34) + k + chr(34) for k in keys)} FROM "{kind.table}" WHERE id = ?',
            (item_id,),
        ).fetchone()
        own_now = dict(zip(keys, row, strict=True)) if row else {}
    own = {k: v for k, v in parsed.own.items() if own_now.get(k) != v}
    # a stage's date field and the log are one fact: editing 签约日期 moves the signing; a
    # status change carrying its own stage's date (an imported row) is dated by it
    fields = stages.date_fields(kind)
    stage_dates = {st: key for st, key in fields.items() if key in own}
    moving = parsed.status is not None and parsed.status != current["status"]
    later: dict[str, Any] = {}
    if moving:
        target = resolve_status(kind, str(parsed.status))
        key = fields.get(target)
        if key and key in own:
            value = own.pop(key)
            if status_date is None and value is not None:
                status_date = str(value)
            stage_dates.pop(target, None)
        later = {st: own.pop(k) for st, k in stage_dates.items()}
        stage_dates = {}
    for st, key in stage_dates.items():
        value = own.pop(key)
        stages.move_reached_date(db, kind, item_id, st, None if value is None else str(value))
        stages.sync_date_fields(db, kind, item_id)
        changed.append(key)
    if common:
        sets = ", ".join(f"{k} = ?" for k in common)
        db.conn.execute(f"UPDATE items SET {sets} WHERE id = ?", [*common.values(), item_id])
        changed.extend("chain" if k == "chain_id" else "unit" if k == "unit_id" else k for k in common)
    if own:
        sets = ", ".join(f'"{k}" = ?' for k in own)
        db.conn.execute(f'UPDATE "{kind.table}" SET {sets} WHERE id = ?', [*own.values(), item_id])
        changed.extend(own)
        # (entries that need review: a signed project's investment amount changed waits too)
        increments.hold_edit(db, kind, item_id, {k: own_now.get(k) for k in own})
    if moving:
        set_status(db, item_id, str(parsed.status), user=user, reason=reason, force=force, on=status_date, touch=False)
        changed.append("status")
        for st, value in later.items():
            if value != stages.first_reached_item(db, kind, item_id, st):
                stages.move_reached_date(db, kind, item_id, st, None if value is None else str(value))
                stages.sync_date_fields(db, kind, item_id)
            changed.append(fields[st])
    if changed:
        db.conn.execute("UPDATE items SET updated_at = ?, updated_by = ? WHERE id = ?", (now(), user, item_id))
        if index:
            reindex(db, [item_id])
    return changed


@dataclass
class StatusMove:
    item_id: int
    from_status: str
    to_status: str
    date: str
    flag: str | None
    #: keys of the stage date fields this move changed (签约日期 …)
    filled: list[str] = field(default_factory=list)
    #: the earlier day the item had been recorded as coming in, when this move (dated before
    #: it) moved its entry back (数据补录); else None
    entry_moved_from: str | None = None
    #: the office's own entries need review (zs review own 开): the move is 待认定, the item
    #: keeps its status until it is confirmed
    pending: bool = False


def set_status(
    db: Database,
    item_id: int,
    status: str,
    *,
    user: str | None = None,
    reason: str | None = None,
    on: str | date | None = None,
    force: bool = False,
    touch: bool = True,
    reopening: bool = False,
) -> StatusMove:
    """Move an item to ``status`` (already resolved, or any alias), recording the move with
    its effective date, by the rules of :mod:`zhaoshang.stages`: a move backwards or over a
    stage, out of a terminal status (other than by ``reopening``) or dated before the last
    move is refused unless ``force`` (and then flagged); statuses that require a reason refuse
    to go without; no date after the real today.  The stage date fields follow the log."""
    kind = kind_of(db, item_id)
    target = resolve_status(kind, status)
    row = db.conn.execute("SELECT status FROM items WHERE id = ?", (item_id,)).fetchone()
    current = str(row[0])
    if target == current:
        raise ZsError(f"编号 {item_id} 已经是「{target}」状态")
    sdef = kind.status(target)
    if sdef.requires_reason and not (reason and reason.strip()):
        raise ZsError(f'改为「{target}」需要说明原因：请加 --reason "原因"')
    flag = stages.pipeline_flag(kind, current, target)
    if stages.leaves_terminal(kind, current, target) and not reopening:
        if not force:
            raise ZsError(
                f"编号 {item_id} 已是「{current}」（终止状态），不能直接改为「{target}」："
                f"要恢复请用 zs reopen {item_id}；确需如此请加 --force（将被标记）"
            )
        flag = flag or stages.LEFT_TERMINAL
    if flag and not force:
        what = "回退" if flag == stages.BACKWARD else "跨阶段推进"
        raise ZsError(f"编号 {item_id} 从「{current}」到「{target}」是{what}：确需如此请加 --force（将被标记）")
    eff = stages.effective(on)
    log = stages.log_of(db, item_id)
    stages.check_order(item_id, log, eff, force=force)
    last = max((r.date for r in log if r.from_status is not None), default=None)
    if last and eff < last:
        flag = flag or stages.OUT_OF_ORDER
    if reopening and flag != stages.OUT_OF_ORDER:
        flag = None  # reopen is the way out of a terminal status, recorded as a plain move
    with _writing(db, "stage", user) as who:
        ts = now()
        closed = ts if sdef.terminal else None
        db.conn.execute(
            "UPDATE items SET status = ?, closed_at = ?, updated_at = ?, updated_by = ? WHERE id = ?",
            (target, closed, ts, who, item_id),
        )
        row_id = db.insert_id(
            "INSERT INTO status_log(item_id, from_status, to_status, date, reason, flag, user, at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (item_id, current, target, eff, (reason or "").strip() or None, flag, who, ts),
        )
        moved = stages.backdate_entry(db, item_id, log, eff)
        pending = stages.hold_own(db, "status_log", int(row_id or 0), who)
        filled = stages.sync_date_fields(db, kind, item_id)
        if touch:
            reindex(db, [item_id])
    return StatusMove(item_id, current, target, eff, flag, filled, moved, pending)


def close(
    db: Database,
    item_id: int,
    *,
    reason: str | None = None,
    user: str | None = None,
    on: str | date | None = None,
) -> StatusMove:
    """销号: move an item to its kind's closing status."""
    kind = kind_of(db, item_id)
    row = db.conn.execute("SELECT status FROM items WHERE id = ?", (item_id,)).fetchone()
    if kind.status(str(row[0])).terminal:
        raise ZsError(f"编号 {item_id} 已是「{row[0]}」，无需再销号；要重新打开请用 zs reopen {item_id}")
    with _writing(db, "close", user):
        return set_status(db, item_id, kind.close_status, reason=reason, on=on)


def reopen(db: Database, item_id: int, *, reason: str | None = None, user: str | None = None) -> StatusMove:
    """Reopen a closed item: back to the status it had before it was closed."""
    kind = kind_of(db, item_id)
    row = db.conn.execute("SELECT status FROM items WHERE id = ?", (item_id,)).fetchone()
    if not kind.status(str(row[0])).terminal:
        raise ZsError(f"编号 {item_id} 是「{row[0]}」，并未销号或终止，无需重新打开")
    prev = db.conn.execute(
        "SELECT from_status FROM status_log WHERE item_id = ? AND +to_status = ? ORDER BY id DESC LIMIT 1",
        (item_id, row[0]),
    ).fetchone()
    back = prev[0] if prev and prev[0] and not kind.status(prev[0]).terminal else kind.default_status
    with _writing(db, "reopen", user):
        return set_status(db, item_id, back, reason=reason, force=True, reopening=True)


def remove(db: Database, item_id: int, *, user: str | None = None) -> Record:
    """Delete an item (and its activities, funds, status log).  Recoverable: the rows are
    kept in history; ``restore`` or ``undo`` brings them back."""
    rec = get(db, item_id)
    refs = _referenced_by(db, item_id)
    if refs:
        raise ZsError(f"编号 {item_id} 被其他条目引用（{'、'.join(map(str, refs[:5]))}）：请先修改这些条目的关联字段")
    with _writing(db, "rm", user):
        db.conn.execute("DELETE FROM items_fts WHERE rowid = ?", (item_id,))
        db.conn.execute("DELETE FROM items WHERE id = ?", (item_id,))
    return rec


def _referenced_by(db: Database, item_id: int) -> list[int]:
    out: list[int] = []
    for kind, f in db.defs.all_fields():
        if f.type == "ref" and f.key in db.kind_columns(kind):
            out.extend(r[0] for r in db.conn.execute(f'SELECT id FROM "{kind.table}" WHERE "{f.key}" = ?', (item_id,)))
    return out


def restore(db: Database, item_id: int, *, user: str | None = None) -> int:
    """Bring back a removed item from history, with everything deleted alongside it."""
    from .history import restore_item

    with _writing(db, "restore", user):
        return restore_item(db, item_id)


def display_value(f: FieldDef, rec: Mapping[str, Any]) -> str:
    v = rec.get(f.key)
    if f.key in COMMON_KEYS:
        return "" if v is None else str(v)
    return to_display(f, v)


# ---------------------------------------------------------------------------------------
# Details shown by `show`: status history, activities, funds (+ sections added by others)
# ---------------------------------------------------------------------------------------

#: Extra detail providers: name -> (fetch(db, id) -> list[dict], heading, columns).
#: Columns are (key, Chinese header) pairs.  Other modules append to this.
DETAIL_PROVIDERS: dict[str, tuple[Any, str, list[tuple[str, str]]]] = {}


def _rows(db: Database, sql: str, params: tuple[Any, ...]) -> list[dict[str, Any]]:
    cur = db.conn.execute(sql, params)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur]


def _status_rows(db: Database, item_id: int) -> list[dict[str, Any]]:
    return _rows(
        db,
        "SELECT date, from_status, to_status, reason, flag, user, review FROM status_log WHERE item_id = ? "
        "ORDER BY date, from_status IS NOT NULL, id",
        (item_id,),
    )


def _activity_rows(db: Database, item_id: int) -> list[dict[str, Any]]:
    return _rows(
        db,
        "SELECT id, date, type, summary, next_date, user FROM activities WHERE item_id = ? ORDER BY date, id",
        (item_id,),
    )


def _fund_rows(db: Database, item_id: int) -> list[dict[str, Any]]:
    return _rows(
        db,
        "SELECT month, domestic, foreign_usd, user FROM funds WHERE item_id = ? ORDER BY month",
        (item_id,),
    )


DETAIL_PROVIDERS["status_log"] = (
    _status_rows,
    "状态变更",
    [
        ("date", "日期"),
        ("from_status", "原状态"),
        ("to_status", "新状态"),
        ("reason", "原因"),
        ("flag", "标记"),
        ("user", "操作人"),
    ],
)
DETAIL_PROVIDERS["activities"] = (
    _activity_rows,
    "对接记录",
    [
        ("id", "记录号"),
        ("date", "日期"),
        ("type", "方式"),
        ("summary", "内容"),
        ("next_date", "下次跟进"),
        ("user", "记录人"),
    ],
)
DETAIL_PROVIDERS["funds"] = (
    _fund_rows,
    "到位资金",
    [("month", "月份"), ("domestic", "国内资金（万元）"), ("foreign_usd", "外资（万美元）"), ("user", "填报人")],
)


#: Modules that add sections to DETAIL_PROVIDERS when imported; loaded on first use so that
#: commands which never show details (``zs list``) do not pay for them.
DETAIL_MODULES: list[str] = ["zhaoshang.pipeline.details"]


def _load_detail_modules() -> None:
    import importlib

    for name in DETAIL_MODULES:
        importlib.import_module(name)


def details(db: Database, item_id: int) -> dict[str, list[dict[str, Any]]]:
    """Everything recorded about an item besides its fields, keyed by section name."""
    _load_detail_modules()
    out: dict[str, list[dict[str, Any]]] = {}
    for name, (fetch, _heading, _cols) in DETAIL_PROVIDERS.items():
        out[name] = fetch(db, item_id)
    return out


def _flag_text(row: Mapping[str, Any], flags: Mapping[str, str]) -> str | None:
    """A log row's 标记 for people: its flag, and 待认定 / 已退回 when it does not count yet."""
    from .counted import CONFIRMED, REVIEW_NAMES

    flag = row.get("flag")
    text = flags.get(flag or "", flag)
    review = row.get("review")
    if review in (None, CONFIRMED):
        return text
    return "，".join(t for t in (text, REVIEW_NAMES.get(str(review), str(review))) if t)


def detail_sections(
    db: Database, item_id: int, data: dict[str, list[dict[str, Any]]] | None = None, width: int | None = None
) -> list[str]:
    """The non-empty detail sections as text tables, for people; ``width``: fitted to it,
    long text wrapped inside its column (every column stays)."""
    from .render import Column, layout

    _load_detail_modules()
    data = data if data is not None else details(db, item_id)
    flags = stages.FLAG_NAMES
    sections: list[str] = []
    for name, (_fetch, heading, cols) in DETAIL_PROVIDERS.items():
        rows = data.get(name) or []
        if not rows:
            continue
        shown = [{**r, "flag": _flag_text(r, flags)} if "flag" in r else r for r in rows]
        text = layout(shown, [Column(k, h) for k, h in cols], max_width=width, asked=[k for k, _ in cols]).text
        sections.append(f"【{heading}】\n{text.rstrip()}")
    return sections

"""What an export reads from the database: the selection (filters) and streaming row queries.

Rows come straight from SQLite cursors in sheet-column order, so exporting 100,000 items never
holds them all in memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ..counted import REVIEW_NAMES
from ..db import Database
from ..definitions import KindDef
from ..stages import FLAG_NAMES
from .layout import READONLY_ITEM_KEYS, SheetSpec

_ITEM_FROM = "FROM items i JOIN chains c ON c.id = i.chain_id LEFT JOIN units u ON u.id = i.unit_id"


@dataclass
class ExportFilter:
    """What ``zs export`` selects (all optional)."""

    kind: str | None = None
    chain: str | None = None
    status: str | None = None
    unit: str | None = None
    owner: str | None = None
    month: str | None = None
    open_only: bool = False
    where: list[str] = field(default_factory=list)


@dataclass
class Selection:
    kinds: list[KindDef]
    single: KindDef | None
    conditions: list[str]
    params: list[Any]
    month: str | None
    month_first: str | None
    month_last: str | None
    chain_id: int | None
    description: str

    @property
    def filtered(self) -> bool:
        return bool(self.conditions) or self.single is not None


def select(db: Database, flt: ExportFilter) -> Selection:
    """Resolve the filter against the database (unknown chain, kind, status … are errors)."""
    from .. import items, lookups
    from ..parse import month_bounds, parse_month

    defs = db.defs
    single = defs.kind(flt.kind) if flt.kind else None
    kinds = [single] if single else list(defs.kinds)
    conditions: list[str] = []
    params: list[Any] = []
    said: list[str] = []
    if single is not None:
        said.append(f"清单={single.name}")
    chain_id = None
    if flt.chain:
        chain_id = lookups.chain_id(db, flt.chain)
        conditions.append("i.chain_id = ?")
        params.append(chain_id)
        name = db.conn.execute("SELECT name FROM chains WHERE id = ?", (chain_id,)).fetchone()[0]
        said.append(f"产业链={name}")
    if flt.unit:
        uid = lookups.unit_id(db, flt.unit)
        conditions.append("i.unit_id = ?")
        params.append(uid)
        said.append(f"责任单位={flt.unit.strip()}")
    if flt.owner:
        conditions.append("i.owner = ?")
        params.append(flt.owner.strip())
        said.append(f"责任人={flt.owner.strip()}")
    if flt.status:
        names = items.status_filter(db, single, flt.status)
        conditions.append(f"i.status IN ({', '.join('?' * len(names))})")
        params.extend(names)
        said.append(f"状态={'、'.join(names)}")
    if flt.open_only:
        conditions.append("i.closed_at IS NULL")
        said.append("只含未办结")
    for expr in flt.where:
        clause, values = items.where_clause(db, single, expr)
        conditions.append(clause)
        params.extend(values)
        said.append(expr.strip())
    month = first = last = None
    if flt.month:
        month = parse_month(flt.month)
        start, end = month_bounds(month)
        first, last = start.isoformat(), end.isoformat()
        said.append(f"月份={month}（对接记录、到位资金、阶段变更）")
    return Selection(
        kinds=kinds,
        single=single,
        conditions=conditions,
        params=params,
        month=month,
        month_first=first,
        month_last=last,
        chain_id=chain_id,
        description="；".join(said) or "全部",
    )


def _kind_join(kind: KindDef | None) -> str:
    return f' LEFT JOIN "{kind.table}" k ON k.id = i.id' if kind is not None else ""


def _item_where(sel: Selection, kind: KindDef | None) -> tuple[str, list[Any]]:
    conds = list(sel.conditions)
    params = list(sel.params)
    if kind is not None:
        conds.insert(0, "i.kind = ?")
        params.insert(0, kind.key)
    return (" WHERE " + " AND ".join(conds)) if conds else "", params


# ---------------------------------------------------------------------------------------
# Items
# ---------------------------------------------------------------------------------------


def _item_select(db: Database, spec: SheetSpec, kind: KindDef) -> str:
    stored = set(db.kind_columns(kind))
    common = {
        "id": "i.id",
        "title": "i.title",
        "chain": "c.name",
        "status": "i.status",
        "owner": "i.owner",
        "unit": "u.name",
        "due": "i.due",
        "notes": "i.notes",
        "created_at": "i.created_at",
        "updated_at": "i.updated_at",
        "closed_at": "i.closed_at",
        "kind": "i.kind",
    }
    own = {f.key for f in kind.fields}
    exprs = []
    for col in spec.cols:
        if col.key in common and (col.key not in own):
            exprs.append(common[col.key])
        elif col.key in own and col.key in stored:
            exprs.append(f'k."{col.key}"')
        else:
            exprs.append("NULL")
    return "SELECT " + ", ".join(exprs)


def count_items(db: Database, sel: Selection, kind: KindDef) -> int:
    where, params = _item_where(sel, kind)
    sql = f"SELECT count(*) {_ITEM_FROM}{_kind_join(kind)}{where}"
    return int(db.conn.execute(sql, params).fetchone()[0])


def item_rows(db: Database, sel: Selection, spec: SheetSpec, kind: KindDef) -> Iterator[tuple[Any, ...]]:
    """The items of ``kind`` selected, as tuples in the order of ``spec.cols``."""
    where, params = _item_where(sel, kind)
    sql = f"{_item_select(db, spec, kind)} {_ITEM_FROM}{_kind_join(kind)}{where} ORDER BY i.id"
    yield from db.conn.execute(sql, params)


# ---------------------------------------------------------------------------------------
# The other sheets
# ---------------------------------------------------------------------------------------


def selected_items(sel: Selection, column: str) -> tuple[str, list[Any]]:
    """An SQL condition on ``column`` (an item id) true for the selected items ("": every item)."""
    return _subset(sel, column)


def _subset(sel: Selection, column: str) -> tuple[str, list[Any]]:
    """A condition restricting a detail table to the selected items."""
    if not sel.filtered:
        return "", []
    kind = sel.single
    where, params = _item_where(sel, kind)
    return f"{column} IN (SELECT i.id {_ITEM_FROM}{_kind_join(kind)}{where})", params


def _detail_sql(sel: Selection, key: str) -> tuple[str, list[Any]] | None:
    conds: list[str] = []
    params: list[Any] = []
    if key == "chains":
        if sel.chain_id is not None:
            conds.append("id = ?")
            params.append(sel.chain_id)
        where = (" WHERE " + " AND ".join(conds)) if conds else ""
        return (
            f"SELECT id, name, leader, lead_unit, coop_units, task_force, description FROM chains{where} ORDER BY id",
            params,
        )
    if key == "units":
        return "SELECT id, name, type, leader, contact, ranked FROM units ORDER BY id", []
    table, alias, cols, order = {
        "activities": (
            "activities",
            "a",
            "a.id, a.item_id, i.title, c.name, a.type, a.date, a.summary, a.next_date, a.user",
            "a.date, a.id",
        ),
        "funds": (
            "funds",
            "f",
            "f.item_id, i.title, c.name, f.month, f.domestic, f.foreign_usd, f.user, f.review",
            "f.month, f.item_id",
        ),
        "approvals": ("approvals", "p", "p.item_id, i.title, c.name, p.step, p.date, p.note", "p.item_id, p.id"),
        "team": ("team_members", "t", "t.item_id, i.title, c.name, t.role, t.name, t.org, t.phone", "t.item_id, t.id"),
        "status_log": (
            "status_log",
            "s",
            "s.item_id, i.title, c.name, s.date, s.from_status, s.to_status, s.reason, s.flag, s.user, s.review",
            "s.item_id, s.id",  # as recorded: the last row of an item is its current status
        ),
    }[key]
    cond, cparams = _subset(sel, f"{alias}.item_id")
    if cond:
        conds.append(cond)
        params.extend(cparams)
    if sel.month:
        if key == "funds":
            conds.append("f.month = ?")
            params.append(sel.month)
        elif key in ("activities", "status_log"):
            conds.append(f"{alias}.date BETWEEN ? AND ?")
            params.extend([sel.month_first, sel.month_last])
    where = (" WHERE " + " AND ".join(conds)) if conds else ""
    sql = (
        f"SELECT {cols} FROM {table} {alias} JOIN items i ON i.id = {alias}.item_id "
        f"JOIN chains c ON c.id = i.chain_id{where} ORDER BY {order}"
    )
    return sql, params


def count_detail(db: Database, sel: Selection, spec: SheetSpec) -> int:
    q = _detail_sql(sel, spec.key)
    if q is None:
        return 0
    sql, params = q
    return int(db.conn.execute(f"SELECT count(*) FROM ({sql})", params).fetchone()[0])


def detail_rows(db: Database, sel: Selection, spec: SheetSpec) -> Iterator[tuple[Any, ...]]:
    q = _detail_sql(sel, spec.key)
    if q is None:
        return
    sql, params = q
    cur = db.conn.execute(sql, params)
    if spec.key == "status_log":
        for r in cur:
            yield (*r[:7], FLAG_NAMES.get(r[7] or "", r[7]), r[8], REVIEW_NAMES.get(r[9], r[9]))
    elif spec.key == "funds":  # (the review state as people read it)
        for r in cur:
            yield (*r[:7], REVIEW_NAMES.get(r[7], r[7]))
    elif spec.key == "units":
        for r in cur:
            yield (*r[:5], bool(r[5]))
    else:
        yield from cur


# ---------------------------------------------------------------------------------------
# Summary figures
# ---------------------------------------------------------------------------------------


def summary_counts(db: Database, sel: Selection) -> dict[tuple[str, str], tuple[int, int]]:
    """(chain name, kind key) -> (items, open items) over the selection."""
    conds = list(sel.conditions)
    params = list(sel.params)
    if sel.single is not None:
        conds.insert(0, "i.kind = ?")
        params.insert(0, sel.single.key)
    where = (" WHERE " + " AND ".join(conds)) if conds else ""
    sql = (
        f"SELECT c.name, i.kind, count(*), sum(i.closed_at IS NULL) {_ITEM_FROM}{_kind_join(sel.single)}{where} "
        "GROUP BY c.id, i.kind"
    )
    return {(r[0], r[1]): (int(r[2]), int(r[3] or 0)) for r in db.conn.execute(sql, params)}


def stage_counts(db: Database, sel: Selection, kind: KindDef) -> dict[tuple[str, str], tuple[int, float]]:
    """(chain name, status) -> (items, investment 万元) for a pipeline kind."""
    where, params = _item_where(sel, kind)
    money = next((f.key for f in kind.fields if f.type == "money" and f.currency == "CNY"), None)
    stored = set(db.kind_columns(kind))
    total = f'sum(k."{money}")' if money and money in stored else "0"
    sql = (
        f"SELECT c.name, i.status, count(*), coalesce({total}, 0) {_ITEM_FROM}{_kind_join(kind)}{where} "
        "GROUP BY c.id, i.status"
    )
    return {(r[0], r[1]): (int(r[2]), float(r[3] or 0)) for r in db.conn.execute(sql, params)}


def month_figures(db: Database, sel: Selection) -> dict[str, tuple[int, float, float]]:
    """chain name -> (activities, domestic 万元, foreign 万美元) in the selected month."""
    if not sel.month:
        return {}
    out: dict[str, list[float]] = {}
    q = _detail_sql(sel, "activities")
    assert q is not None
    for name, n in db.conn.execute(f"SELECT item_chain, count(*) FROM ({_renamed(q[0])}) GROUP BY item_chain", q[1]):
        out.setdefault(name, [0, 0.0, 0.0])[0] = n
    q = _detail_sql(sel, "funds")
    assert q is not None
    for name, d, f in db.conn.execute(
        f"SELECT item_chain, sum(coalesce(domestic, 0)), sum(coalesce(foreign_usd, 0)) FROM ({_renamed(q[0])}) "
        "GROUP BY item_chain",
        q[1],
    ):
        row = out.setdefault(name, [0, 0.0, 0.0])
        row[1], row[2] = float(d or 0), float(f or 0)
    return {k: (int(v[0]), float(v[1]), float(v[2])) for k, v in out.items()}


def _renamed(sql: str) -> str:
    """Name the chain column of a detail query ``item_chain`` (for grouping)."""
    return sql.replace("c.name,", "c.name AS item_chain,", 1)


__all__ = [
    "READONLY_ITEM_KEYS",
    "ExportFilter",
    "Selection",
    "count_detail",
    "count_items",
    "detail_rows",
    "item_rows",
    "select",
]

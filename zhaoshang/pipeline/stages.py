"""Pipeline stages: recorded moves with an effective date, and counting each project once.

A project counts as having reached a stage on the FIRST day it entered that stage or any
later one (a skipped stage counts as passed).  Moving back and signing again, a capital
increase, or leaving as 退库 afterwards never adds a second count: that is what
:func:`first_reached` and :func:`reached_sql` compute, for reports to use.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .. import items
from ..db import Database
from ..definitions import Definitions, KindDef
from ..errors import ZsError
from .common import marks, not_future, stages_of, to_date


@dataclass
class StageResult:
    item_id: int
    from_status: str
    to_status: str
    date: str
    flag: str | None
    #: the first day the item reached this stage (earlier than ``date`` when re-reached)
    first_date: str | None
    #: the stage had been reached before: this move is not counted again
    repeated: bool
    #: label of the date field filled by this move (e.g. 签约日期), if any
    filled: str | None = None


def move(
    db: Database,
    item_id: int,
    stage: str,
    *,
    today: date,
    on: str | date | None = None,
    reason: str | None = None,
    force: bool = False,
) -> StageResult:
    """Move an item to ``stage`` (name or alias) effective ``on`` (default today), inside the
    current command.  Pipeline rules come from :func:`zhaoshang.items.set_status`; on top of
    them the date may not lie in the future, and the first arrival at a stage that names a
    ``date_field`` in the YAML fills that field (签约日期) unless it is already set."""
    kind = items.kind_of(db, item_id)
    target = items.resolve_status(kind, stage)
    eff = to_date(on, what="生效日期") or today
    not_future(eff, today, "生效日期")
    before = first_reached_item(db, kind, item_id, target)
    key = kind.status(target).date_field
    was = _field(db, kind, item_id, key)
    mv = items.set_status(db, item_id, target, reason=reason, on=eff, force=force)
    first = first_reached_item(db, kind, item_id, target)
    filled = kind.field(key).label if key and not was and _field(db, kind, item_id, key) else None
    return StageResult(
        item_id=item_id,
        from_status=mv.from_status,
        to_status=mv.to_status,
        date=mv.date,
        flag=mv.flag,
        first_date=first,
        repeated=before is not None,
        filled=filled,
    )


def fill_date_field(db: Database, kind: KindDef, item_id: int, stage: str) -> None:
    """Fill the date field a stage names in the YAML (``date_field: signed_date``) with the
    first day the item reached that stage, unless the field is already set (a re-signing
    never moves the signing date).  Called by :func:`zhaoshang.items.set_status`."""
    key = kind.status(stage).date_field
    if not key or key not in db.kind_columns(kind) or _field(db, kind, item_id, key):
        return
    first = first_reached_item(db, kind, item_id, stage)
    if first is not None:
        db.conn.execute(f'UPDATE "{kind.table}" SET "{key}" = ? WHERE id = ?', (first, item_id))


def _field(db: Database, kind: KindDef, item_id: int, key: str | None) -> object:
    if not key or key not in db.kind_columns(kind):
        return None
    row = db.conn.execute(f'SELECT "{key}" FROM "{kind.table}" WHERE id = ?', (item_id,)).fetchone()
    return None if row is None else row[0]


def signing_stage(kind: KindDef) -> str | None:
    """The stage that counts as signing: the first status that records a date field
    (``date_field: signed_date`` on 已签约 in targets.yaml)."""
    return next((s.name for s in kind.statuses if s.date_field), None)


def reached_stages(kind: KindDef, stage: str) -> list[str]:
    """``stage`` and every later pipeline stage (reaching any of them means ``stage`` was
    passed).  For a status outside the ordered stages (退库), just that status."""
    order = stages_of(kind) if kind.pipeline else []
    if stage in order:
        return order[order.index(stage) :]
    return [stage]


def _kind_for(defs: Definitions, kind: str | KindDef | None) -> KindDef:
    if isinstance(kind, KindDef):
        return kind
    if kind is not None:
        return defs.kind(kind)
    pipelines = [k for k in defs.kinds if k.pipeline]
    if not pipelines:
        raise ZsError("没有定义项目阶段的清单（YAML 中 pipeline: true）")
    return pipelines[0]


def reached_sql(defs: Definitions, stage: str, kind: str | KindDef | None = None) -> tuple[str, list[str]]:
    """A sub-query (SQL, params) with columns ``item_id, date``: every item of ``kind``
    (default: the pipeline kind, 招什么) that has reached ``stage`` (name or alias), with the
    first date it did.  Join it to ``items`` for chain/unit/amount:

    >>> sql, params = reached_sql(db.defs, "已签约")
    >>> db.conn.execute(f"SELECT count(*) FROM ({sql}) r WHERE r.date BETWEEN ? AND ?",
    ...                 [*params, "2026-01-01", "2026-03-31"])
    """
    k = _kind_for(defs, kind)
    target = items.resolve_status(k, stage)
    names = reached_stages(k, target)
    sql = (
        "SELECT s.item_id AS item_id, min(s.date) AS date FROM status_log s "
        f"JOIN items i ON i.id = s.item_id WHERE i.kind = ? AND s.to_status IN ({marks(names)}) "
        "GROUP BY s.item_id"
    )
    return sql, [k.key, *names]


def first_reached(
    db: Database,
    stage: str,
    start: str | date | None = None,
    end: str | date | None = None,
    *,
    kind: str | KindDef | None = None,
) -> dict[int, str]:
    """{item id: first date} of the items that first reached ``stage`` (or a later stage)
    between ``start`` and ``end`` inclusive (either may be None: unbounded).  Each item
    appears once, on its first date, however many times it moved back and forth."""
    sql, params = reached_sql(db.defs, stage, kind)
    where: list[str] = []
    args: list[str] = list(params)
    if start is not None:
        where.append("r.date >= ?")
        args.append(start.isoformat() if isinstance(start, date) else str(start))
    if end is not None:
        where.append("r.date <= ?")
        args.append(end.isoformat() if isinstance(end, date) else str(end))
    clause = (" WHERE " + " AND ".join(where)) if where else ""
    cur = db.conn.execute(f"SELECT r.item_id, r.date FROM ({sql}) r{clause} ORDER BY r.date, r.item_id", args)
    return {int(i): str(d) for i, d in cur}


def first_reached_item(db: Database, kind: KindDef, item_id: int, stage: str) -> str | None:
    """The first date one item reached ``stage`` (or a later stage); None if it never did."""
    names = reached_stages(kind, stage)
    row = db.conn.execute(
        f"SELECT min(date) FROM status_log WHERE item_id = ? AND to_status IN ({marks(names)})",
        (item_id, *names),
    ).fetchone()
    return None if row is None or row[0] is None else str(row[0])


def stage_entered(db: Database, item_id: int) -> str | None:
    """The effective date of the item's latest status change (when it entered its current
    status)."""
    row = db.conn.execute(
        "SELECT date FROM status_log WHERE item_id = ? ORDER BY date DESC, id DESC LIMIT 1", (item_id,)
    ).fetchone()
    return None if row is None else str(row[0])

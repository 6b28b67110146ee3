"""问题台账 (解决什么): escalation (本级 → 市级 → 省级 → 国家), the monthly coordination
meeting's agenda (会办清单), and the ledger's counts and 销号率 per chain and per unit.

小事随时解决、大事集中会办: a problem escalated above the first level (or created there) is a
"big matter" and goes on the 会办清单 until it is closed.  销号 (``zs close ID --reason``)
needs a resolution note; 销号率 = 已销号 ÷ (all problems − 已取消).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from .. import items, lookups
from ..counted import counted
from ..db import Database, now
from ..definitions import FieldDef, KindDef
from ..errors import ZsError
from ..search import reindex
from ..stages import marks
from .common import iso, iter_rows, not_future, require_kind, rows, scope, to_date


def problem_kinds(db: Database) -> list[KindDef]:
    """Kinds with an escalation ladder (``escalation:`` in YAML): the problem list."""
    return [k for k in db.defs.kinds if k.escalation]


def problem_kind(db: Database) -> KindDef:
    kinds = problem_kinds(db)
    if not kinds:
        raise ZsError("没有可升级的问题清单（YAML 中 escalation: level）")
    return kinds[0]


def ladder(kind: KindDef) -> tuple[FieldDef, list[str]]:
    assert kind.escalation is not None
    f = kind.field(kind.escalation)
    return f, f.value_names()


# ---------------------------------------------------------------------------------------
# Escalation
# ---------------------------------------------------------------------------------------


@dataclass
class EscalationResult:
    item_id: int
    from_level: str
    to_level: str
    date: str


def escalate(
    db: Database,
    item_id: int,
    *,
    reason: str,
    today: date,
    to: str | None = None,
    on: str | date | None = None,
) -> EscalationResult:
    """Raise an open problem one level (or to ``to``), with a reason, inside the current
    command.  Lowering is refused (that is an edit, not an escalation)."""
    from ..values import match_enum

    if db.current is None:
        raise RuntimeError("escalate must run inside db.command()")
    kind = items.kind_of(db, item_id)
    require_kind(db, item_id, bool(kind.escalation), "只有问题（解决什么）可以升级")
    f, levels = ladder(kind)
    row = db.conn.execute(
        f'SELECT i.closed_at, i.status, k."{f.key}" FROM items i JOIN "{kind.table}" k ON k.id = i.id WHERE i.id = ?',
        (item_id,),
    ).fetchone()
    if row[0] is not None:
        raise ZsError(f"编号 {item_id} 已「{row[1]}」，不能升级；要重新办理请先 zs reopen {item_id}")
    current = row[2] or levels[0]
    pos = levels.index(current) if current in levels else 0
    if to:
        try:
            target = match_enum(f, to)
        except ZsError as exc:
            raise ZsError(f"{f.label}：{exc.message}") from None
    elif pos + 1 < len(levels):
        target = levels[pos + 1]
    else:
        raise ZsError(f"编号 {item_id} 已在最高层级「{current}」，无法再升级")
    if levels.index(target) <= pos:
        raise ZsError(
            f"「{target}」不高于当前{f.label}「{current}」：升级只能向上（{' → '.join(levels)}）；"
            f"确需调整请用 zs edit {item_id} {f.label}={target}"
        )
    text = " ".join((reason or "").split())
    if not text:
        raise ZsError('升级需要说明原因：请加 --reason "原因"，如 --reason "涉及省级审批权限，需提请省厅协调"')
    day = to_date(on, what="升级日期") or today
    not_future(day, today, "升级日期")
    db.conn.execute(f'UPDATE "{kind.table}" SET "{f.key}" = ? WHERE id = ?', (target, item_id))
    db.conn.execute(
        "INSERT INTO escalations(item_id, from_level, to_level, reason, date, user, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (item_id, current, target, text, day.isoformat(), db.current.user, now()),
    )
    db.conn.execute("UPDATE items SET updated_at = ?, updated_by = ? WHERE id = ?", (now(), db.current.user, item_id))
    reindex(db, [item_id])
    return EscalationResult(item_id, current, target, day.isoformat())


def escalations(db: Database, item_id: int) -> list[dict[str, Any]]:
    return rows(
        db,
        "SELECT date, from_level, to_level, reason, user FROM escalations WHERE item_id = ? ORDER BY date, id",
        (item_id,),
    )


# ---------------------------------------------------------------------------------------
# The ledger
# ---------------------------------------------------------------------------------------


def _problem_rows(db: Database, **filters: Any) -> list[dict[str, Any]]:
    """The problems (with their level, project, escalations and dates), as a list."""
    return list(_iter_problem_rows(db, **filters))


def _iter_problem_rows(
    db: Database,
    *,
    today: date,
    chain: str | None = None,
    unit: str | None = None,
    since: str | date | None = None,
    until: str | date | None = None,
    extra_where: str = "",
    extra_params: tuple[Any, ...] = (),
) -> Iterator[dict[str, Any]]:
    """:func:`_problem_rows` as a stream (the filters checked when it is called)."""
    kind = problem_kind(db)
    f, _levels = ladder(kind)
    cols = set(db.kind_columns(kind))

    def col(key: str) -> str:
        return f'k."{key}"' if key in cols else "NULL"

    where = ["i.kind = ?"]
    params: list[Any] = [kind.close_status, kind.key]
    scope(db, where, params, chain=chain, unit=unit)
    start = to_date(since, what="起始日期")
    end = to_date(until, what="截止日期")
    if start:
        where.append("substr(i.created_at, 1, 10) >= ?")
        params.append(start.isoformat())
    if end:
        where.append("substr(i.created_at, 1, 10) <= ?")
        params.append(end.isoformat())
    if extra_where:
        where.append(extra_where)
        params.extend(extra_params)
    found = iter_rows(
        db,
        "SELECT i.id, i.title, c.name AS chain, i.chain_id, u.name AS unit, i.unit_id, i.status, i.owner, i.due, "
        f"substr(i.created_at, 1, 10) AS created, i.closed_at, {col('type')} AS type, {col(f.key)} AS level, "
        f"{col('project')} AS project, p.title AS project_title, {col('progress')} AS progress, "
        "(SELECT count(*) FROM escalations e WHERE e.item_id = i.id) AS escalations, "
        "(SELECT s.date FROM status_log s WHERE s.item_id = i.id AND +s.to_status = ? "
        f" AND {counted('s')} ORDER BY s.id DESC LIMIT 1) AS closed_on "
        f'FROM items i JOIN "{kind.table}" k ON k.id = i.id JOIN chains c ON c.id = i.chain_id '
        f"LEFT JOIN units u ON u.id = i.unit_id LEFT JOIN items p ON p.id = {col('project')} "
        f"WHERE {' AND '.join(where)} ORDER BY i.id",
        params,
    )
    cancelled = set(kind.terminal_statuses()) - {kind.close_status}

    def derived() -> Iterator[dict[str, Any]]:
        for r in found:
            r["closed"] = r["status"] == kind.close_status
            r["cancelled"] = r["status"] in cancelled
            r["open"] = r["closed_at"] is None
            due = iso(r["due"])
            r["overdue_days"] = (today - due).days if (r["open"] and due and due < today) else 0
            closed_on = iso(r["closed_on"]) if r["closed"] else None
            r["closed_late"] = bool(closed_on and due and closed_on > due)
            end_day = closed_on if closed_on else today
            r["days"] = (end_day - (iso(r["created"]) or today)).days
            yield r

    return derived()


def ledger(db: Database, **filters: Any) -> list[dict[str, Any]]:
    """The problems themselves, with their linked project, level, escalations and age."""
    return list(iter_ledger(db, **filters))


def iter_ledger(
    db: Database,
    *,
    today: date,
    chain: str | None = None,
    unit: str | None = None,
    level: str | None = None,
    open_only: bool = False,
    overdue_only: bool = False,
    since: str | date | None = None,
    until: str | date | None = None,
) -> Iterator[dict[str, Any]]:
    """:func:`ledger` as a stream: the filters are checked when it is called, the problems
    read as they are written."""
    extra: str = ""
    params: tuple[Any, ...] = ()
    if level:
        from ..values import match_enum

        kind = problem_kind(db)
        f, _ = ladder(kind)
        extra, params = f'k."{f.key}" = ?', (match_enum(f, level),)
    found = _iter_problem_rows(
        db, today=today, chain=chain, unit=unit, since=since, until=until, extra_where=extra, extra_params=params
    )
    if open_only or overdue_only:
        found = (r for r in found if r["open"])
    if overdue_only:
        found = (r for r in found if r["overdue_days"])
    return found


@dataclass
class LedgerGroup:
    name: str
    total: int = 0
    open: int = 0
    closed: int = 0
    cancelled: int = 0
    overdue: int = 0
    closed_late: int = 0
    escalated: int = 0

    @property
    def rate(self) -> float | None:
        """销号率 in percent (one decimal); None when there is nothing to close."""
        base = self.total - self.cancelled
        return round(100.0 * self.closed / base, 1) if base else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "total": self.total,
            "open": self.open,
            "closed": self.closed,
            "cancelled": self.cancelled,
            "overdue": self.overdue,
            "closed_late": self.closed_late,
            "escalated": self.escalated,
            "close_rate": self.rate,
        }


def summary(
    db: Database,
    *,
    by: str,
    today: date,
    chain: str | None = None,
    unit: str | None = None,
    since: str | date | None = None,
    until: str | date | None = None,
) -> list[LedgerGroup]:
    """Counts per chain or per unit (``by`` = "chain" / "unit"), every chain or unit listed
    (also those without problems), then a 合计 row last."""
    if by not in ("chain", "unit"):
        raise ValueError(by)
    kind = problem_kind(db)
    _f, levels = ladder(kind)
    table = "chains" if by == "chain" else "units"
    groups: dict[Any, LedgerGroup] = {
        gid: LedgerGroup(name) for gid, name in db.conn.execute(f"SELECT id, name FROM {table} ORDER BY id")
    }
    if by == "chain" and chain:
        keep = lookups.chain_id(db, chain)
        groups = {k: v for k, v in groups.items() if k == keep}
    if by == "unit" and unit:
        keep = lookups.unit_id(db, unit)
        groups = {k: v for k, v in groups.items() if k == keep}
    total = LedgerGroup("合计")
    for r in _problem_rows(db, today=today, chain=chain, unit=unit, since=since, until=until):
        key = r["chain_id"] if by == "chain" else r["unit_id"]
        g = groups.get(key)
        if g is None:
            g = groups.setdefault(key, LedgerGroup("（未指定）"))
        for target in (g, total):
            target.total += 1
            target.open += r["open"]
            target.closed += r["closed"]
            target.cancelled += r["cancelled"]
            target.overdue += bool(r["overdue_days"])
            target.closed_late += r["closed_late"]
            target.escalated += bool(r["open"] and (r["level"] or levels[0]) != levels[0])
    out = list(groups.values())
    if by == "unit":
        out = [g for g in out if g.total]  # departments and units without problems say nothing
    return [*out, total]


def meeting(
    db: Database,
    *,
    today: date,
    chain: str | None = None,
    unit: str | None = None,
) -> list[dict[str, Any]]:
    """会办清单: open problems above the first level (escalated, or raised there), highest
    level first, then the most overdue; each with its latest escalation reason."""
    kind = problem_kind(db)
    _f, levels = ladder(kind)
    found = [
        r
        for r in _problem_rows(db, today=today, chain=chain, unit=unit)
        if r["open"] and ((r["level"] or levels[0]) != levels[0] or r["escalations"])
    ]
    last: dict[int, tuple[str, str]] = {}
    ids = [r["id"] for r in found]
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        for item_id, d, reason in db.conn.execute(
            f"SELECT item_id, date, reason FROM escalations WHERE item_id IN ({marks(chunk)}) ORDER BY date, id",
            chunk,
        ):
            last[item_id] = (d, reason)
    rank = {name: i for i, name in enumerate(levels)}
    found.sort(key=lambda r: (-rank.get(r["level"] or levels[0], 0), -r["overdue_days"], r["id"]))
    for no, r in enumerate(found, 1):
        r["no"] = no
        r["escalated_on"], r["escalation_reason"] = last.get(r["id"], (None, None))
    return found

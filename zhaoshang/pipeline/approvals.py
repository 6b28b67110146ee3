"""前期手续: the approval milestones of a project (from the kind's ``approvals`` in YAML),
the date each was obtained, the step it waits on, and the approval speed the offices
compete on (``approval_speed``: days from 土地出让合同 to 施工许可)."""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .. import items
from ..db import Database, now
from ..definitions import KindDef
from ..errors import NotFoundError, ZsError
from ..stages import marks
from .common import iso, not_future, require_kind, scope, to_date


def approval_kinds(db: Database) -> list[KindDef]:
    return [k for k in db.defs.kinds if k.approvals]


def resolve_step(kind: KindDef, text: str) -> str:
    """A step by name, or by a part of it that names exactly one step (施工 → 施工许可)."""
    from ..parse import normalize_key

    wanted = normalize_key(text)
    if not wanted:
        raise ZsError(f"请写明手续名称：{'、'.join(kind.approvals)}")
    exact = [s for s in kind.approvals if normalize_key(s) == wanted]
    if exact:
        return exact[0]
    partial = [s for s in kind.approvals if wanted in normalize_key(s)]
    if len(partial) == 1:
        return partial[0]
    if partial:
        raise ZsError(f"「{text.strip()}」可指多项手续：{'、'.join(partial)}，请写全名")
    close = difflib.get_close_matches(text.strip(), list(kind.approvals), n=1, cutoff=0.3)
    hint = f"是不是「{close[0]}」？" if close else ""
    raise NotFoundError(f"没有「{text.strip()}」这项前期手续。{hint}可选：{'、'.join(kind.approvals)}")


@dataclass
class ApprovalResult:
    item_id: int
    step: str
    date: str | None
    old_date: str | None
    speed_days: int | None = None


def record(
    db: Database,
    item_id: int,
    step: str,
    *,
    today: date,
    on: str | date | None = None,
    note: str | None = None,
    clear: bool = False,
    force: bool = False,
) -> ApprovalResult:
    """Record that ``step`` was obtained ``on`` (default today), or with ``clear`` that it was
    not (a mistake), inside the current command.  A date out of the configured order —
    before a step that comes earlier, or after one that comes later — is refused unless
    ``force`` (some offices do obtain a step early; the listing then marks it)."""
    if db.current is None:
        raise RuntimeError("record must run inside db.command()")
    kind = items.kind_of(db, item_id)
    require_kind(db, item_id, bool(kind.approvals), "只有项目（招什么）有前期手续")
    name = resolve_step(kind, step)
    old = db.conn.execute("SELECT date, note FROM approvals WHERE item_id = ? AND step = ?", (item_id, name)).fetchone()
    old_date = old[0] if old else None
    if clear:
        if old is None:
            raise ZsError(f"编号 {item_id} 没有「{name}」的办理记录，无需撤销")
        db.conn.execute("DELETE FROM approvals WHERE item_id = ? AND step = ?", (item_id, name))
        return ApprovalResult(item_id, name, None, old_date)
    day = to_date(on, what="办结日期") or today
    not_future(day, today, "办结日期")
    if not force:
        _check_order(db, kind, item_id, name, day)
    text = (note or "").strip() or (old[1] if old else None)
    if old is None:
        db.conn.execute(
            "INSERT INTO approvals(item_id, step, date, note, user, at) VALUES (?, ?, ?, ?, ?, ?)",
            (item_id, name, day.isoformat(), text, db.current.user, now()),
        )
    else:
        db.conn.execute(
            "UPDATE approvals SET date = ?, note = ?, user = ?, at = ? WHERE item_id = ? AND step = ?",
            (day.isoformat(), text, db.current.user, now(), item_id, name),
        )
    st = status(db, item_id, today=today)
    return ApprovalResult(item_id, name, day.isoformat(), old_date, st.speed_days)


def _check_order(db: Database, kind: KindDef, item_id: int, name: str, day: date) -> None:
    """Refuse ``day`` for step ``name`` when it is before an earlier step's date or after a
    later step's date (the order of the kind's ``approvals``)."""
    from ..hints import option

    if name not in kind.approvals:
        return
    at = kind.approvals.index(name)
    order = " → ".join(kind.approvals)
    for step, d in db.conn.execute(
        "SELECT step, date FROM approvals WHERE item_id = ? AND date IS NOT NULL AND step != ?", (item_id, name)
    ):
        if step not in kind.approvals:
            continue
        other = iso(d)
        before = kind.approvals.index(step) < at
        if other is None or (before and day >= other) or (not before and day <= other):
            continue
        where = "早于前面的" if before else "晚于后面的"
        raise ZsError(
            f"编号 {item_id}「{name}」的办结日期 {day.isoformat()} {where}「{step}」（{other.isoformat()}）："
            f"前期手续按 {order} 的顺序办理，请检查日期；若这一步确实提前或推后办结，"
            f"加 {option('force')} 登记（进度表中会标明顺序不符）"
        )


@dataclass
class ApprovalStatus:
    item_id: int
    steps: list[dict[str, Any]] = field(default_factory=list)
    #: the first step (in YAML order) not obtained yet, once the project has started on them
    waiting: str | None = None
    #: days since the last step was obtained (how long it has been waiting)
    waiting_days: int | None = None
    speed_from: str | None = None
    speed_to: str | None = None
    #: days from ``speed_from`` to ``speed_to`` (拿地到施工许可); None until both are obtained
    speed_days: int | None = None

    @property
    def done(self) -> int:
        return sum(1 for s in self.steps if s["date"])


def status(db: Database, item_id: int, *, today: date) -> ApprovalStatus:
    """Every step of the project in order with its date and the days since the step before."""
    kind = items.kind_of(db, item_id)
    got = {
        step: (d, note)
        for step, d, note in db.conn.execute("SELECT step, date, note FROM approvals WHERE item_id = ?", (item_id,))
    }
    closed = db.conn.execute("SELECT closed_at FROM items WHERE id = ?", (item_id,)).fetchone()[0]
    return _status(kind, item_id, got, today=today, open_=closed is None)


def _status(
    kind: KindDef, item_id: int, got: dict[str, tuple[str | None, str | None]], *, today: date, open_: bool
) -> ApprovalStatus:
    st = ApprovalStatus(item_id)
    previous: date | None = None
    steps = list(kind.approvals) + [s for s in got if s not in kind.approvals]  # steps no longer in YAML last
    for step in steps:
        d, note = got.get(step, (None, None))
        day = iso(d)
        gap = (day - previous).days if day and previous else None
        state = "已办结" if d else "未办"
        if gap is not None and gap < 0:  # obtained before a step ahead of it (recorded with force)
            gap, state = None, "已办结（早于前一步）"
        st.steps.append({"step": step, "date": d, "days": gap, "note": note, "state": state})
        if day:
            previous = max(previous, day) if previous else day
    dated = [iso(d) for d, _ in got.values() if d]
    if dated and open_:
        for s in st.steps:
            if not s["date"] and s["step"] in kind.approvals:
                st.waiting = s["step"]
                s["state"] = "卡点"
                last = max(x for x in dated if x)
                st.waiting_days = (today - last).days
                break
    if kind.approval_speed:
        a, b = kind.approval_speed
        st.speed_from, st.speed_to = a, b
        da, db_ = iso(got.get(a, (None, None))[0]), iso(got.get(b, (None, None))[0])
        if da and db_:
            st.speed_days = (db_ - da).days
    return st


def overview(db: Database, **filters: Any) -> list[dict[str, Any]]:
    """Every project with at least one recorded step: done/total, the step it waits on and
    for how long, and its approval speed.  Longest waits first."""
    return list(iter_overview(db, **filters))


def iter_overview(
    db: Database,
    *,
    today: date,
    chain: str | None = None,
    unit: str | None = None,
    waiting_only: bool = False,
) -> Iterator[dict[str, Any]]:
    """:func:`overview`, each row made a dict only as it is written."""
    where: list[str] = []
    params: list[Any] = []
    kinds = approval_kinds(db)
    if not kinds:
        return iter(())
    where.append(f"i.kind IN ({marks(kinds)})")
    params.extend(k.key for k in kinds)
    scope(db, where, params, chain=chain, unit=unit)
    # one pass over the projects and their steps, in id order: each project's row is made
    # as soon as its steps are read, and kept as a tuple (made a dict when returned) — the
    # order (longest wait first) needs every row, but not every step of every project
    cur = db.conn.execute(
        "SELECT i.id, i.kind, i.title, c.name, u.name, i.status, i.closed_at, a.step, a.date, a.note FROM items i "
        "JOIN chains c ON c.id = i.chain_id LEFT JOIN units u ON u.id = i.unit_id "
        "JOIN approvals a ON a.item_id = i.id "
        f"WHERE {' AND '.join(where)} ORDER BY i.id",
        params,
    )
    rows: list[tuple[Any, ...]] = []
    head: tuple[Any, ...] | None = None
    got: dict[str, tuple[str | None, str | None]] = {}

    def done_with(project: tuple[Any, ...]) -> None:
        item_id, kind_key, title, chain_name, unit_name, status_name, closed = project
        kind = db.defs.kind_by_key(kind_key)
        st = _status(kind, item_id, got, today=today, open_=closed is None)
        if waiting_only and not st.waiting:
            return
        rows.append(
            (item_id, title, chain_name, unit_name, status_name, st.done, len(kind.approvals), st.waiting,
             st.waiting_days, st.speed_days)
        )  # fmt: skip

    head_id = None
    for row in cur:
        if row[0] != head_id:
            if head is not None:
                done_with(head)
            head, head_id, got = row[:7], row[0], {}
        got[row[7]] = (row[8], row[9])
    if head is not None:
        done_with(head)
    rows.sort(key=lambda r: (r[8] is None, -(r[8] or 0), r[0]))
    keys = ("id", "title", "chain", "unit", "status", "done", "total", "waiting", "waiting_days", "speed_days")
    return (dict(zip(keys, r, strict=True)) for r in rows)


def speeds(db: Database, start: str | date | None = None, end: str | date | None = None) -> list[dict[str, Any]]:
    """Approval speeds (days from the kind's ``approval_speed.from`` to ``.to`` step) of the
    projects whose ``to`` step was obtained between ``start`` and ``end`` inclusive: for
    reports (e.g. the average 拿地即开工 days of a quarter).  Fastest first."""
    out: list[dict[str, Any]] = []
    for kind in approval_kinds(db):
        if not kind.approval_speed:
            continue
        a, b = kind.approval_speed
        where = ["i.kind = ?"]
        params: list[Any] = [a, b, kind.key]
        if start is not None:
            where.append("t.date >= ?")
            params.append(start.isoformat() if isinstance(start, date) else str(start))
        if end is not None:
            where.append("t.date <= ?")
            params.append(end.isoformat() if isinstance(end, date) else str(end))
        cur = db.conn.execute(
            "SELECT i.id, i.title, c.name, u.name, f.date, t.date, "
            "CAST(julianday(t.date) - julianday(f.date) AS INTEGER) AS days "
            "FROM approvals f JOIN approvals t ON t.item_id = f.item_id AND f.step = ? AND t.step = ? "
            "JOIN items i ON i.id = f.item_id JOIN chains c ON c.id = i.chain_id LEFT JOIN units u ON u.id = i.unit_id "
            f"WHERE f.date IS NOT NULL AND t.date IS NOT NULL AND {' AND '.join(where)}",
            params,
        )
        for item_id, title, chain_name, unit_name, d1, d2, days in cur:
            out.append(
                {
                    "id": item_id,
                    "title": title,
                    "chain": chain_name,
                    "unit": unit_name,
                    "from_step": a,
                    "from_date": d1,
                    "to_step": b,
                    "to_date": d2,
                    "days": days,
                }
            )
    out.sort(key=lambda r: (r["days"], r["id"]))
    return out

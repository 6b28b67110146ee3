"""项目保: everything late, with a traffic light.

Four checks on every open item (all limits come from the YAML):

* ``overdue``   超期 — past its due date (时限).
* ``stalled``   阶段停滞 — in its current status longer than that status's ``limit_days``.
* ``no_contact`` 久未对接 — no activity (对接记录) or status change for longer than the status's
  ``contact_days`` or, failing that, the kind's ``limit_days``.
* ``follow_up`` 跟进逾期 — the latest activity's next follow-up date has passed.

The light compares the days elapsed with the days allowed: yellow when over the limit, red
when over twice the limit.  For a deadline (due date, follow-up date) the days allowed are
those from the start (creation, the activity) to the deadline, so a task given 30 days
turns yellow on day 31 and red on day 61.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any

from .. import lookups
from ..db import Database
from ..errors import ZsError
from .common import LIGHT_NAMES, RED, YELLOW, light
from .team import chain_leaders, direct_leaders, leader_clause

TYPES = {"overdue": "超期", "stalled": "阶段停滞", "no_contact": "久未对接", "follow_up": "跟进逾期"}
_TYPE_WORDS = {
    "overdue": ("overdue", "超期", "逾期", "过期"),
    "stalled": ("stalled", "停滞", "阶段停滞", "滞留"),
    "no_contact": ("no_contact", "久未对接", "未对接", "无对接"),
    "follow_up": ("follow_up", "跟进逾期", "跟进", "回访"),
}


@dataclass
class Warning:
    id: int
    kind: str
    chain: str
    title: str
    status: str
    owner: str | None
    unit: str | None
    leader: str | None
    chain_leader: str | None
    type: str
    light: str
    elapsed: int
    limit: int
    over: int
    since: str
    deadline: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["type_name"] = TYPES[self.type]
        d["light_name"] = LIGHT_NAMES[self.light]
        return d


def resolve_types(text: str | None) -> set[str] | None:
    """Warning types from a comma-separated list of keys or Chinese names."""
    import re

    from ..parse import normalize_key

    if not text:
        return None
    out: set[str] = set()
    for part in re.split(r"[,，、]", text):
        w = normalize_key(part)
        if not w:
            continue
        hits = [t for t, words in _TYPE_WORDS.items() if w in {normalize_key(x) for x in words}]
        if not hits:
            choices = "、".join(f"{k}（{v}）" for k, v in TYPES.items())
            raise ZsError(f"预警类型「{part.strip()}」不可用。可选：{choices}")
        out.update(hits)
    return out


def resolve_light(text: str | None) -> str | None:
    from ..parse import normalize_key

    if not text:
        return None
    w = normalize_key(text)
    if w in ("red", "红", "红灯", "r"):
        return RED
    if w in ("yellow", "黄", "黄灯", "y"):
        return YELLOW
    raise ZsError(f"信号灯「{text.strip()}」不可用：red（红灯）或 yellow（黄灯，含红灯以上）")


def _days(a: str, b: date) -> int:
    return (b - date.fromisoformat(a[:10])).days


def compute(
    db: Database,
    *,
    today: date,
    kind: str | None = None,
    chain: str | None = None,
    unit: str | None = None,
    owner: str | None = None,
    leader: str | None = None,
    min_light: str | None = None,
    types: Iterable[str] | None = None,
    ids: Sequence[int] | None = None,
) -> list[Warning]:
    """Every warning on open items as of ``today``, worst first (red before yellow, then by
    days over the limit).  ``min_light`` = red keeps the red ones only."""
    wanted = set(types) if types is not None else set(TYPES)
    where = ["i.closed_at IS NULL"]
    params: list[Any] = []
    if kind:
        where.append("i.kind = ?")
        params.append(db.defs.kind(kind).key)
    if chain:
        where.append("i.chain_id = ?")
        params.append(lookups.chain_id(db, chain))
    if unit:
        where.append("i.unit_id = ?")
        params.append(lookups.unit_id(db, unit))
    if owner:
        where.append("i.owner = ?")
        params.append(owner.strip())
    if leader:
        clause, extra = leader_clause(db, leader)
        where.append(clause)
        params.extend(extra)
    if ids is not None:
        where.append("i.id IN (SELECT value FROM json_each(?))")
        import json

        params.append(json.dumps(list(ids)))
    today_s = today.isoformat()
    limits = {
        (k.key, s.name): (s.limit_days, s.contact_days or (k.limit_days if not s.terminal else None))
        for k in db.defs.kinds
        for s in k.statuses
    }
    check_stage = "stalled" in wanted or "no_contact" in wanted
    last_status = _max_dates(db, "status_log") if check_stage else {}
    last_contact = _max_dates(db, "activities") if "no_contact" in wanted else {}
    follow = _follow_ups(db, today_s) if "follow_up" in wanted else {}
    chain_names = dict(db.conn.execute("SELECT id, name FROM chains").fetchall())
    by_chain = chain_leaders(db)
    units = dict(db.conn.execute("SELECT id, name FROM units").fetchall())
    direct = direct_leaders(db)
    out: list[Warning] = []
    cur = db.conn.execute(
        "SELECT i.id, i.kind, i.title, i.status, i.owner, i.due, i.created_at, i.chain_id, i.unit_id "
        f"FROM items i WHERE {' AND '.join(where)}",
        params,
    )
    for item_id, kind_key, title, status, own, due, created, chain_id, unit_id in cur:
        found: list[tuple[str, int, int, str, str, str]] = []  # type, elapsed, limit, since, deadline, msg
        if "overdue" in wanted and due and due < today_s:
            start = created[:10] if created[:10] < due else due
            allowed = max(1, _days(start, date.fromisoformat(due)))
            over = _days(due, today)
            found.append(("overdue", allowed + over, allowed, start, due, f"超时限 {over} 天（时限 {due}）"))
        stage_limit, contact_limit = limits.get((kind_key, status), (None, None))
        entered = last_status.get(item_id) or created[:10]
        if "stalled" in wanted and stage_limit and _before(entered, today, stage_limit):
            elapsed = _days(entered, today)
            deadline = (date.fromisoformat(entered) + timedelta(days=stage_limit)).isoformat()
            msg = f"「{status}」已 {elapsed} 天（限 {stage_limit} 天）"
            found.append(("stalled", elapsed, stage_limit, entered, deadline, msg))
        if "no_contact" in wanted and contact_limit:
            since = max(entered, last_contact.get(item_id) or "")
            if _before(since, today, contact_limit):
                elapsed = _days(since, today)
                deadline = (date.fromisoformat(since) + timedelta(days=contact_limit)).isoformat()
                found.append(
                    (
                        "no_contact",
                        elapsed,
                        contact_limit,
                        since,
                        deadline,
                        f"{elapsed} 天未对接（限 {contact_limit} 天）",
                    )
                )
        fu = follow.get(item_id)
        if fu is not None:
            act_date, nxt = fu
            allowed = max(1, _days(act_date, date.fromisoformat(nxt)))
            over = _days(nxt, today)
            found.append(("follow_up", allowed + over, allowed, act_date, nxt, f"约定 {nxt} 跟进，已过 {over} 天"))
        if not found:
            continue
        chain_name, c_leaders = chain_names[chain_id], by_chain.get(chain_id, [])
        mine = direct.get(item_id) or []
        for wtype, elapsed, limit, since, deadline, msg in found:
            lt = light(elapsed, limit)
            if lt is None or (min_light == RED and lt != RED):
                continue
            out.append(
                Warning(
                    id=item_id,
                    kind=kind_key,
                    chain=chain_name,
                    title=title,
                    status=status,
                    owner=own,
                    unit=units.get(unit_id),
                    leader=(mine or c_leaders or [""])[0] or None,
                    chain_leader=c_leaders[0] if c_leaders else None,
                    type=wtype,
                    light=lt,
                    elapsed=elapsed,
                    limit=limit,
                    over=elapsed - limit,
                    since=since,
                    deadline=deadline,
                    message=msg,
                )
            )
    out.sort(key=lambda w: (w.light != RED, -w.over, w.id, list(TYPES).index(w.type)))
    return out


def _before(start: str, today: date, limit: int) -> bool:
    """True when more than ``limit`` days have passed since ``start`` (a cheap string test
    that avoids parsing dates of items that are within their limit)."""
    return start < (today - timedelta(days=limit)).isoformat()


def _max_dates(db: Database, table: str) -> dict[int, str]:
    return dict(db.conn.execute(f"SELECT item_id, max(date) FROM {table} GROUP BY item_id").fetchall())


def _follow_ups(db: Database, today: str) -> dict[int, tuple[str, str]]:
    """{item id: (date, next date)} of items whose latest activity set a follow-up date that
    has passed."""
    cur = db.conn.execute(
        "SELECT a.item_id, a.date, a.next_date FROM activities a "
        "WHERE a.next_date IS NOT NULL AND a.next_date < ? AND NOT EXISTS ("
        "SELECT 1 FROM activities b WHERE b.item_id = a.item_id "
        "AND (b.date > a.date OR (b.date = a.date AND b.id > a.id)))",
        (today,),
    )
    return {int(i): (str(d), str(n)) for i, d, n in cur}


# ---------------------------------------------------------------------------------------
# Grouping (by owner, by leader)
# ---------------------------------------------------------------------------------------

NOBODY = "（未指定）"


@dataclass
class Group:
    name: str
    red: int
    yellow: int
    items: int
    warnings: list[Warning]


def group_by(warnings: Sequence[Warning], key: str) -> list[Group]:
    """Warnings grouped by ``owner`` or ``leader``: most red first, then most warnings."""
    if key not in ("owner", "leader", "chain", "unit"):
        raise ValueError(key)
    groups: dict[str, list[Warning]] = {}
    for w in warnings:
        groups.setdefault(getattr(w, key) or NOBODY, []).append(w)
    out = [
        Group(
            name=name,
            red=sum(1 for w in ws if w.light == RED),
            yellow=sum(1 for w in ws if w.light == YELLOW),
            items=len({w.id for w in ws}),
            warnings=ws,
        )
        for name, ws in groups.items()
    ]
    out.sort(key=lambda g: (g.name == NOBODY, -g.red, -(g.red + g.yellow), g.name))
    return out


def counts(warnings: Sequence[Warning]) -> dict[str, int]:
    return {
        "warnings": len(warnings),
        "items": len({w.id for w in warnings}),
        "red": sum(1 for w in warnings if w.light == RED),
        "yellow": sum(1 for w in warnings if w.light == YELLOW),
    }


__all__ = ["TYPES", "Group", "Warning", "compute", "counts", "group_by"]

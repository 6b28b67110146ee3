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

import gc
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, NamedTuple

from ..db import Database
from ..errors import ZsError
from .common import LIGHT_NAMES, RED, YELLOW, kinds_with, people, scope
from .team import chain_leaders, leader_clause, team_leaders

TYPES = {"overdue": "超期", "stalled": "阶段停滞", "no_contact": "久未对接", "follow_up": "跟进逾期"}
_TYPE_WORDS = {
    "overdue": ("overdue", "超期", "逾期", "过期"),
    "stalled": ("stalled", "停滞", "阶段停滞", "滞留"),
    "no_contact": ("no_contact", "久未对接", "未对接", "无对接"),
    "follow_up": ("follow_up", "跟进逾期", "跟进", "回访"),
}


class Warning(NamedTuple):
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
        d = self._asdict()
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
    days over the limit).  ``min_light`` = red keeps the red ones only.

    Written for 100,000 items: one query fetches each open item with the date it entered
    its status and its latest activity; dates are compared as day numbers."""
    wanted = set(types) if types is not None else set(TYPES)
    where = ["i.closed_at IS NULL"]
    params: list[Any] = []
    if kind:
        where.append("i.kind = ?")
        params.append(db.defs.kind(kind).key)
    scope(db, where, params, chain=chain, unit=unit)
    if owner:
        where.append("i.owner = ?")
        params.append(owner.strip())
    if leader:
        clause, extra = leader_clause(db, leader)
        where.append(clause)
        params.extend(extra)
    if ids is not None:
        import json

        where.append("i.id IN (SELECT value FROM json_each(?))")
        params.append(json.dumps(list(ids)))
    # (yellow?, limit - elapsed, id, type order, warning): sorts worst first, natively
    found: list[tuple[bool, int, int, int, Warning]] = []
    collecting = gc.isenabled()
    gc.disable()  # hundreds of thousands of small objects, no cycles: skip the collector's passes
    try:
        _scan(db, where, params, today, wanted, min_light, found)
    finally:
        if collecting:
            gc.enable()
    found.sort()
    return [f[4] for f in found]


def _scan(
    db: Database,
    where: list[str],
    params: list[Any],
    today: date,
    wanted: set[str],
    min_light: str | None,
    found: list[tuple[bool, int, int, int, Warning]],
) -> None:
    limits = {
        (k.key, s.name): (s.limit_days, s.contact_days or (k.limit_days if not s.terminal else None))
        for k in db.defs.kinds
        for s in k.statuses
    }
    days = _DayNumbers()
    num = days.number
    now_n = today.toordinal()
    today_s = today.isoformat()
    check_overdue = "overdue" in wanted
    check_stalled = "stalled" in wanted
    check_contact = "no_contact" in wanted
    check_follow = "follow_up" in wanted
    red_only = min_light == RED
    chain_names = dict(db.conn.execute("SELECT id, name FROM chains").fetchall())
    units = dict(db.conn.execute("SELECT id, name FROM units").fetchall())
    by_chain = chain_leaders(db)
    team = team_leaders(db)
    named: dict[str | None, list[str]] = {None: _EMPTY}
    add = found.append
    for row in _open_items(db, where, params, today=today, limits=limits, wanted=wanted):
        item_id, kind_key, status, due, created, entered, act_date, next_date = row[:8]
        entered = entered or created
        hits: list[tuple[int, str, int, int, str, str, str]] = []
        if check_overdue and due and due < today_s:
            start = created if created < due else due
            due_n = num(due)
            allowed = max(1, due_n - num(start))
            over = now_n - due_n
            if not red_only or over > allowed:
                hits.append((0, "overdue", allowed + over, allowed, start, due, f"超时限 {over} 天（时限 {due}）"))
        stage_limit, contact_limit = limits.get((kind_key, status), _NONE)
        if check_stalled and stage_limit:
            elapsed = now_n - num(entered)
            if elapsed > (2 * stage_limit if red_only else stage_limit):
                msg = f"「{status}」已 {elapsed} 天（限 {stage_limit} 天）"
                hits.append((1, "stalled", elapsed, stage_limit, entered, days.iso(now_n - elapsed + stage_limit), msg))
        if check_contact and contact_limit:
            since = entered if not act_date or entered > act_date else act_date
            elapsed = now_n - num(since)
            if elapsed > (2 * contact_limit if red_only else contact_limit):
                msg = f"{elapsed} 天未对接（限 {contact_limit} 天）"
                deadline = days.iso(now_n - elapsed + contact_limit)
                hits.append((2, "no_contact", elapsed, contact_limit, since, deadline, msg))
        if check_follow and next_date and next_date < today_s:
            next_n = num(next_date)
            allowed = max(1, next_n - num(act_date))
            over = now_n - next_n
            if not red_only or over > allowed:
                msg = f"约定 {next_date} 跟进，已过 {over} 天"
                hits.append((3, "follow_up", allowed + over, allowed, act_date, next_date, msg))
        if not hits:
            continue
        title, own, chain_id, unit_id, raw = row[8], row[9], row[10], row[11], row[12]
        c_leaders = by_chain.get(chain_id) or _EMPTY
        own_leaders = named.get(raw)
        if own_leaders is None:
            own_leaders = named[raw] = people(raw)
        mine = own_leaders or team.get(item_id) or c_leaders
        chain_name, unit_name = chain_names[chain_id], units.get(unit_id)
        lead, chain_lead = (mine[0] if mine else None), (c_leaders[0] if c_leaders else None)
        for order, wtype, elapsed, limit, since, deadline, msg in hits:
            red = elapsed > 2 * limit
            w = Warning(
                item_id,
                kind_key,
                chain_name,
                title,
                status,
                own,
                unit_name,
                lead,
                chain_lead,
                wtype,
                RED if red else YELLOW,
                elapsed,
                limit,
                elapsed - limit,
                since,
                deadline,
                msg,
            )
            add((not red, limit - elapsed, item_id, order, w))


_NONE: tuple[None, None] = (None, None)
_EMPTY: list[str] = []


class _DayNumbers:
    """ISO date strings to day numbers and back, each distinct date converted once."""

    def __init__(self) -> None:
        self._num: dict[str, int] = {}
        self._iso: dict[int, str] = {}

    def number(self, text: str) -> int:
        n = self._num.get(text)
        if n is None:
            n = self._num[text] = date.fromisoformat(text[:10]).toordinal()
        return n

    def iso(self, n: int) -> str:
        s = self._iso.get(n)
        if s is None:
            s = self._iso[n] = date.fromordinal(n).isoformat()
        return s


def _open_items(
    db: Database,
    where: list[str],
    params: list[Any],
    *,
    today: date,
    limits: dict[tuple[str, str], tuple[int | None, int | None]],
    wanted: set[str],
) -> Iterable[tuple[Any, ...]]:
    """Open items that may be late: id, kind, status, due, created, entered (latest status
    change), latest activity's date and next date, title, owner, chain id, unit id, leader
    field.  The SQL keeps only items past at least one cut-off date, so the text columns of
    items within their limits never reach Python; the exact check is done by the caller."""
    leader_kinds = kinds_with(db, "leader")
    if leader_kinds:
        cases = " ".join(
            f"WHEN '{k.key}' THEN (SELECT leader FROM \"{k.table}\" WHERE id = x.id)" for k in leader_kinds
        )
        leader = f"CASE x.kind {cases} END"
    else:
        leader = "NULL"
    today_s = today.isoformat()
    stage_cut = _cut_case(today, {k: v[0] for k, v in limits.items()})
    contact_cut = _cut_case(today, {k: v[1] for k, v in limits.items()})
    late: list[str] = []
    late_params: list[Any] = []
    if "overdue" in wanted:
        late.append("due < ?")
        late_params.append(today_s)
    if "stalled" in wanted and stage_cut != "NULL":
        late.append(f"entered < {stage_cut}")
    if "no_contact" in wanted and contact_cut != "NULL":
        late.append(f"max(entered, coalesce(act, '')) < {contact_cut}")
    if "follow_up" in wanted:
        late.append("nxt < ?")
        late_params.append(today_s)
    if not late:
        return []
    return db.conn.execute(
        "SELECT id, kind, status, due, created, entered, act, nxt, title, owner, chain_id, unit_id, "
        f"{leader} FROM ("
        "SELECT i.id, i.kind, i.status, i.due, substr(i.created_at, 1, 10) AS created, "
        "coalesce((SELECT max(s.date) FROM status_log s WHERE s.item_id = i.id), substr(i.created_at, 1, 10)) "
        "AS entered, a.date AS act, a.next_date AS nxt, i.title, i.owner, i.chain_id, i.unit_id "
        "FROM items i LEFT JOIN activities a ON a.id = ("
        "SELECT b.id FROM activities b WHERE b.item_id = i.id ORDER BY b.date DESC, b.id DESC LIMIT 1) "
        f"WHERE {' AND '.join(where)}) x WHERE {' OR '.join(late)}",
        [*params, *late_params],
    )


def _cut_case(today: date, limits: dict[tuple[str, str], int | None]) -> str:
    """A SQL CASE giving, for an item's kind and status, the date before which it is past
    ``limits`` days (NULL where there is no limit).  Values are dates we computed."""
    whens = [
        f"WHEN '{kind}|{status}' THEN '{(today - timedelta(days=days)).isoformat()}'"
        for (kind, status), days in limits.items()
        if days and "'" not in kind + status
    ]
    return f"(CASE kind || '|' || status {' '.join(whens)} END)" if whens else "NULL"


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

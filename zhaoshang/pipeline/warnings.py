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
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from heapq import heappush, heapreplace
from typing import Any, NamedTuple, overload

from ..db import Database
from ..errors import ZsError
from ..people import chain_leaders, kinds_with, leader_clause, people
from .common import LIGHT_NAMES, RED, YELLOW, scope
from .team import team_leaders

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


def compute(db: Database, **filters: Any) -> list[Warning]:
    """Every warning on open items as of ``today``, worst first (red before yellow, then by
    days over the limit), as a list; the filters are those of :func:`iter_warnings`.

    Written for 100,000 items: one query fetches each open item with the date it entered
    its status and its latest activity; dates are compared as day numbers."""
    return list(iter_warnings(db, **filters))


def iter_warnings(
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
) -> Iterator[Warning]:
    """Every warning on open items as of ``today``, worst first, as a stream: the items
    are checked (and bad filters refused) when it is called; each warning is built as it is
    read and its hit freed, so a caller that writes them out as they come never holds them
    all.  ``min_light`` = red keeps the red ones only."""
    where, params = _filters(db, kind=kind, chain=chain, unit=unit, owner=owner, leader=leader, ids=ids)
    wanted = _wanted(types)
    # one snapshot for both passes (unless the caller is inside a transaction of its own)
    own = not db.conn.in_transaction
    if own:
        db.dialect.begin_read(db.conn)
    try:
        found, order = _keys_pass(db, where, params, today, wanted, min_light)
    except BaseException:
        if own and db.conn.in_transaction:
            db.conn.execute("COMMIT")
        raise
    return _built(db, where, params, today, wanted, min_light, found, order, own)


def _keys_pass(
    db: Database, where: list[str], params: list[Any], today: date, wanted: set[str], min_light: str | None
) -> tuple[_Found, list[int]]:
    order: list[int] = []
    with _no_gc():
        # first the sort keys only (an int per warning: a province has 1,500,000 of them),
        # kept as sorted runs of 8-byte numbers; each batch of them, in order, is then
        # checked again item by item and built: what is held is the keys and one batch, not
        # every warning's facts
        found = _scan(db, where, params, today, wanted, min_light, group="keys")
        if found.odd:  # a day count outside its bits: every hit kept and sorted on tuples
            found = _scan(db, where, params, today, wanted, min_light, group=None, slim=True)
            order = found.ordered(list(found.hits))
    return found, order


def _built(
    db: Database,
    where: list[str],
    params: list[Any],
    today: date,
    wanted: set[str],
    min_light: str | None,
    found: _Found,
    order: list[int],
    own: bool,
) -> Iterator[Warning]:
    """The warnings of the keys found, built a batch at a time; ends the snapshot (``own``)."""
    try:
        if found.odd:
            hits = found.hits
            for start in range(0, len(order), FACTS_BATCH):
                batch = order[start : start + FACTS_BATCH]
                facts = _read_facts(db, [hits[k][5][0] for k in batch])
                for k in batch:
                    yield _warning(hits.pop(k), found, facts)  # (pop: each hit freed once built)
            return
        import json
        from heapq import merge
        from itertools import islice

        mask = (1 << found.id_bits) - 1
        runs, found.runs = found.runs, []
        keys = iter(runs[0]) if len(runs) == 1 else merge(*runs)
        while batch := list(islice(keys, _CHECK_BATCH)):
            ids = sorted({((k >> 2) & mask) + found.low_id for k in batch})
            with _no_gc():
                again = _scan(
                    db,
                    [*where, "i.id IN (SELECT value FROM json_each(?))"],
                    [*params, json.dumps(ids)],
                    today,
                    wanted,
                    min_light,
                    group=None,
                    like=found,
                )
            hits = again.hits
            for k in batch:
                hit = hits.get(k)
                if hit is not None:  # (None: the item changed since the first pass, outside a snapshot)
                    yield _warning(hit, found)
            del batch, hits, again
    finally:
        if own and db.conn.in_transaction:
            db.conn.execute("COMMIT")


@dataclass
class Overview:
    """What the table of ``zs warn`` shows: the counts, the groups (each with its worst
    ``per_group`` warnings in ``warnings`` and the number of them all in ``total``), the
    groups the other way round (no warnings listed) and the largest item id listed (how
    wide the id column gets)."""

    counts: dict[str, int]
    groups: list[Group]
    others: list[Group]
    widest_id: int = 0


class Listed(Sequence["Warning"]):
    """A group's listed warnings, built each time they are read (from the few numbers kept
    per warning) and not kept: a caller that writes one group at a time holds one group's
    warnings, not the 100,000 of a province's table.  Compares equal to the same list."""

    def __init__(self, keys: list[int], found: _Found) -> None:
        self.keys = keys
        self.found = found
        #: where the text of the items comes from when the hits hold none (slim), and
        #: which of its batches holds this group's
        self.pager: _FactsPager | None = None
        self.batch = 0

    def __len__(self) -> int:
        return len(self.keys)

    @overload
    def __getitem__(self, i: int) -> Warning: ...
    @overload
    def __getitem__(self, i: slice) -> list[Warning]: ...
    def __getitem__(self, i: int | slice) -> Warning | list[Warning]:
        if isinstance(i, slice):
            return self._build(self.keys[i])
        return self._build([self.keys[i]])[0]

    def __iter__(self) -> Iterator[Warning]:
        return iter(self._build(self.keys))

    def _build(self, keys: list[int]) -> list[Warning]:
        found = self.found
        hits = found.hits
        facts = None
        if self.pager is not None:  # slim: the items' text is read now, a batch of groups at a time
            facts = self.pager.facts(self.batch)
        return [_warning(hits[k], found, facts) for k in keys]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Listed({list(self)!r})"


#: listed items whose text ``zs warn`` reads at a time (a batch of whole groups)
FACTS_BATCH = 5000
#: warnings :func:`iter_warnings` checks again and builds at a time
_CHECK_BATCH = 20_000
#: sort keys :func:`iter_warnings` sorts at a time into a run (of 8 bytes each)
_RUN = 200_000


class _FactsPager:
    """The text (title, status, owner) of the listed items, read for a batch of groups at a
    time in the order they are shown (one query per few thousand items; one batch held)."""

    def __init__(self, db: Database, groups: Sequence[Listed]) -> None:
        self.db = db
        self.batches: list[list[int]] = [[]]
        for listed in groups:
            hits = listed.found.hits
            ids = [hits[k][5][0] for k in listed.keys]
            if self.batches[-1] and len(self.batches[-1]) + len(ids) > FACTS_BATCH:
                self.batches.append([])
            self.batches[-1].extend(ids)
            listed.pager, listed.batch = self, len(self.batches) - 1
        self.current = -1
        self.cached: dict[int, tuple[str, str, str | None]] = {}

    def facts(self, batch: int) -> dict[int, tuple[str, str, str | None]]:
        if batch != self.current:
            self.cached = {}  # (the previous batch freed before the next is read)
            self.cached = _read_facts(self.db, self.batches[batch])
            self.current = batch
        return self.cached


def overview(
    db: Database,
    *,
    today: date,
    by: str = "owner",
    per_group: int | None = None,
    kind: str | None = None,
    chain: str | None = None,
    unit: str | None = None,
    owner: str | None = None,
    leader: str | None = None,
    min_light: str | None = None,
    types: Iterable[str] | None = None,
) -> Overview:
    """The warnings of :func:`compute` grouped by ``by`` (owner or leader) and the other way
    round, as :func:`group_by` and :func:`counts` give them, with only the worst ``per_group``
    warnings of each group (all when None) built: 100,000 items make about as many
    warnings, of which a table shows a few thousand."""
    if by not in ("owner", "leader"):
        raise ValueError(by)
    where, params = _filters(db, kind=kind, chain=chain, unit=unit, owner=owner, leader=leader)
    with _no_gc():
        found = _scan(db, where, params, today, _wanted(types), min_light, group=by, keep=per_group)
        mine = found.listed
        theirs = found.other
        groups = []
        widest = 0
        mask = (1 << found.id_bits) - 1
        for name, negated in mine.items():
            keys = found.ordered([-k for k in negated])
            total, red, n_items = found.tally[name]
            shown = keys if per_group is None else keys[:per_group]
            for k in keys[len(shown) :]:
                found.hits.pop(k, None)
            if shown:
                widest = max(widest, max(((k >> 2) & mask) for k in shown) + found.low_id)
            # built when read (Listed): the table writes a group at a time
            groups.append(Group(name, red, total - red, n_items, Listed(shown, found), total))
        others = [Group(name, red, total - red, n_items, [], total) for name, (total, red, n_items) in theirs.items()]
        total_red = sum(g.red for g in groups)
        n_warnings = sum(g.total for g in groups)
        c = {
            "warnings": n_warnings,
            "items": found.n_items,
            "red": total_red,
            "yellow": n_warnings - total_red,
        }
    groups.sort(key=_group_order)
    others.sort(key=_group_order)
    if found.db is not None:
        _FactsPager(found.db, [g.warnings for g in groups if isinstance(g.warnings, Listed)])
    return Overview(c, groups, others, widest)


def worst_lights(db: Database, *, today: date) -> dict[int, str]:
    """Each open item with a warning as of ``today``, and its worst light (red when any of
    its warnings is): what :func:`compute` gives, item by item, without building the
    warnings (a province has a million of them)."""
    where, params = _filters(db, kind=None, chain=None, unit=None, owner=None, leader=None)
    with _no_gc():
        found = _scan(db, where, params, today, set(TYPES), None, group="light")
    return found.lights


def _wanted(types: Iterable[str] | None) -> set[str]:
    return set(types) if types is not None else set(TYPES)


def _filters(
    db: Database,
    *,
    kind: str | None,
    chain: str | None,
    unit: str | None,
    owner: str | None,
    leader: str | None,
    ids: Sequence[int] | None = None,
) -> tuple[list[str], list[Any]]:
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
    return where, params


@contextmanager
def _no_gc() -> Iterator[None]:
    """Hundreds of thousands of small objects, no cycles: skip the collector's passes."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


# An item's facts shared by its warnings: id, kind, chain id, title, status, owner, unit id,
# leader, chain leader (title, status and owner None when slim: read as a group is built, Listed).
_Item = tuple[int, str, int, str | None, str | None, str | None, int | None, str | None, str | None]
# A warning before it is built: type order, days elapsed, days allowed, since, deadline, item.
_Hit = tuple[int, int, int, str, str, _Item]
_ORDER = tuple(TYPES)
_OVER_BITS = 23  # days over the limit: under 2**23 for any two dates of the calendar


class _Found:
    """The warnings found, each under a sort key: an int made of (yellow, -days over, item
    id, type order), so that sorting them is sorting ints (a tuple key is four times
    slower).  Should a count of days fall outside its bits (dates that only parse by
    accident), :meth:`ordered` sorts on the tuple instead."""

    def __init__(self, low_id: int, high_id: int) -> None:
        self.low_id, self.high_id = low_id, high_id
        self.id_bits = max(1, (high_id - low_id).bit_length())
        self.yellow = 1 << (_OVER_BITS + self.id_bits + 2)  # the smallest yellow key
        self.odd = False  # a key could not hold its days over: sort on tuples
        self.hits: dict[int, _Hit] = {}
        self.n_items = 0
        #: the groups whose warnings are listed: their worst keys, negated (all, or a heap of
        #: the worst ``keep``); and per group of either side: [warnings, red ones, items]
        self.listed: dict[str, list[int]] = {}
        self.tally: dict[str, list[int]] = {}
        self.other: dict[str, list[int]] = {}
        self.chain_names: dict[int, str] = {}
        #: set when the hits hold no text (slim): where to read it as warnings are built
        self.db: Database | None = None
        #: group="light": each warned item's worst light
        self.lights: dict[int, str] = {}
        self.units: dict[int, str] = {}
        #: group="keys": the sort keys found (``keys``, then sorted runs of them)
        self.keys: list[int] = []
        self.runs: list[Sequence[int]] = []
        #: each chain's leaders, each item's team leaders, day numbers and the leaders a leader
        #: field names (read once, shared by a scan ``like`` this one)
        self.by_chain: dict[int, list[str]] = {}
        self.team: dict[int, list[str]] = {}
        self.days = _DayNumbers()
        self.named: dict[str | None, list[str]] = {None: _EMPTY}

    def add_run(self, keys: list[int]) -> None:
        """``keys`` sorted into a new run (8-byte numbers when they fit), and emptied."""
        from array import array

        keys.sort()
        fits = not keys or (keys[0] >= 0 and keys[-1] < 1 << 64)  # (odd keys may not: they are not used)
        self.runs.append(array("Q", keys) if fits else list(keys))
        keys.clear()

    def ordered(self, keys: list[int]) -> list[int]:
        """``keys`` worst first (red before yellow, then by days over the limit)."""
        if not self.odd:
            keys.sort()
            return keys
        hits = self.hits

        def worst(key: int) -> tuple[bool, int, int, int]:
            order, elapsed, limit, _since, _deadline, item = hits[key]
            return (elapsed <= 2 * limit, limit - elapsed, item[0], order)

        keys.sort(key=worst)
        return keys


def _warning(hit: _Hit, found: _Found, facts: dict[int, tuple[str, str, str | None]] | None = None) -> Warning:
    order, elapsed, limit, since, deadline, item = hit
    item_id, kind_key, chain_id, title, status, own, unit_id, lead, chain_lead = item
    if title is None or status is None:
        title, status, own = facts.get(item_id, _GONE) if facts is not None else _GONE
    over = elapsed - limit
    if order == 0:
        msg = f"超时限 {over} 天（时限 {deadline}）"
    elif order == 1:
        msg = f"「{status}」已 {elapsed} 天（限 {limit} 天）"
    elif order == 2:
        msg = f"{elapsed} 天未对接（限 {limit} 天）"
    else:
        msg = f"约定 {deadline} 跟进，已过 {over} 天"
    return Warning(
        item_id,
        kind_key,
        found.chain_names[chain_id],
        title,
        status,
        own,
        found.units.get(unit_id) if unit_id is not None else None,
        lead,
        chain_lead,
        _ORDER[order],
        RED if elapsed > 2 * limit else YELLOW,
        elapsed,
        limit,
        over,
        since,
        deadline,
        msg,
    )


def _group_order(g: Group) -> tuple[bool, int, int, str]:
    return (g.name == NOBODY, -g.red, -(g.red + g.yellow), g.name)


def _scan(
    db: Database,
    where: list[str],
    params: list[Any],
    today: date,
    wanted: set[str],
    min_light: str | None,
    *,
    group: str | None,
    keep: int | None = None,
    slim: bool = False,
    like: _Found | None = None,
) -> _Found:
    """The warnings, as sort keys and hits.  ``group`` ("owner" or "leader"): also count
    them by owner and by leader, keeping the hits of each ``group`` group's worst ``keep``
    only (None: all) — the rest are counted, never kept, so memory is that of the table
    shown, not of every warning.  ``group="light"``: only each item's worst light, in
    ``lights`` (no warning kept).  ``group="keys"``: only the sort keys, in ``keys`` (no
    warning kept).  ``like``: a scan done before, whose id range (so whose keys), names and
    leaders this one shares instead of reading them again."""
    limits = {
        (k.key, s.name): (s.limit_days, s.contact_days or (k.limit_days if not s.terminal else None))
        for k in db.defs.kinds
        for s in k.statuses
    }
    if like is not None:
        found = _Found(like.low_id, like.high_id)
        found.chain_names, found.units = like.chain_names, like.units
        by_chain, team = found.by_chain, found.team = like.by_chain, like.team
        found.days, found.named = like.days, like.named
    else:
        low_id, high_id = db.conn.execute("SELECT coalesce(min(id), 0), coalesce(max(id), 0) FROM items").fetchone()
        found = _Found(low_id, high_id)
        found.chain_names = dict(db.conn.execute("SELECT id, name FROM chains").fetchall())
        found.units = dict(db.conn.execute("SELECT id, name FROM units").fetchall())
        by_chain = found.by_chain = chain_leaders(db)
        team = found.team = team_leaders(db)
    low_id = found.low_id
    days = found.days
    num, iso = days.number, days.iso
    now_n = today.toordinal()
    today_s = today.isoformat()
    check_overdue = "overdue" in wanted
    check_stalled = "stalled" in wanted
    check_contact = "no_contact" in wanted
    check_follow = "follow_up" in wanted
    red_only = min_light == RED
    named = found.named
    hits_of = found.hits
    lights = found.lights
    listed, tally, other = found.listed, found.tally, found.other
    heaps: dict[str, list[tuple[int, _Hit]]] = {}
    by_owner = group == "owner"
    # key = ((yellow << OVER_BITS | top - over) << id_bits | id - low_id) << 2 | type order
    id_shift = found.id_bits + 2
    top = 1 << _OVER_BITS
    yellow_key = found.yellow
    n_items = 0
    odd = False
    # the SQL returns only items with a warning or (rarely) about to have one, so each item's
    # facts are gathered before its checks, and each warning is filed as soon as it is found
    nums, isos = days.numbers, days.isos
    # when only a few warnings are kept, their items hold no text of their row (title, status,
    # owner are read for them at the end) and equal dates share one string: memory is that
    # of the table shown, not of the rows read
    only_keys = group == "keys"
    slim = (slim or keep is not None or group == "light") and not only_keys
    all_keys = found.keys
    canon: dict[str, str] = {}
    rows = _open_items(db, where, params, today=today, limits=limits, wanted=wanted, titles=not (slim or only_keys))
    for row in rows:
        item_id, kind_key, status, due, created, entered, act_date, next_date, title, own, chain_id, unit_id, raw = row
        entered = entered or created
        c_leaders = by_chain.get(chain_id) or _EMPTY
        own_leaders = named.get(raw)
        if own_leaders is None:
            own_leaders = named[raw] = people(raw)
        mine = own_leaders or team.get(item_id) or c_leaders
        lead = mine[0] if mine else None
        if slim:  # kept by the few hits that are listed: no text of the row's own, dates shared
            kind_key = canon.setdefault(kind_key, kind_key)
            entered = canon.setdefault(entered, entered)
            if due:
                due = canon.setdefault(due, due)
            if act_date:
                act_date = canon.setdefault(act_date, act_date)
            if next_date:
                next_date = canon.setdefault(next_date, next_date)
            item = (item_id, kind_key, chain_id, None, None, None, unit_id, lead, c_leaders[0] if c_leaders else None)
        else:
            item = (item_id, kind_key, chain_id, title, status, own, unit_id, lead, c_leaders[0] if c_leaders else None)
        base = (item_id - low_id) << 2
        keys: list[int] = []
        if check_overdue and due and due < today_s:
            start = created if created < due else due
            due_n = nums.get(due) or num(due)
            allowed = max(1, due_n - (nums.get(start) or num(start)))
            over = now_n - due_n
            if not red_only or over > allowed:
                key = ((top - over) << id_shift | base) + (yellow_key if over <= allowed else 0)
                hits_of[key] = (0, allowed + over, allowed, start, due, item)
                keys.append(key)
                odd = odd or not 0 < over < top
        stage_limit, contact_limit = limits.get((kind_key, status), _NONE)
        if check_stalled and stage_limit:
            elapsed = now_n - (nums.get(entered) or num(entered))
            if elapsed > (2 * stage_limit if red_only else stage_limit):
                over = elapsed - stage_limit
                key = ((top - over) << id_shift | base | 1) + (yellow_key if over <= stage_limit else 0)
                deadline = isos.get(now_n - over) or iso(now_n - over)
                hits_of[key] = (1, elapsed, stage_limit, entered, deadline, item)
                keys.append(key)
                odd = odd or not 0 < over < top
        if check_contact and contact_limit:
            since = entered if not act_date or entered > act_date else act_date
            elapsed = now_n - (nums.get(since) or num(since))
            if elapsed > (2 * contact_limit if red_only else contact_limit):
                over = elapsed - contact_limit
                key = ((top - over) << id_shift | base | 2) + (yellow_key if over <= contact_limit else 0)
                deadline = isos.get(now_n - over) or iso(now_n - over)
                hits_of[key] = (2, elapsed, contact_limit, since, deadline, item)
                keys.append(key)
                odd = odd or not 0 < over < top
        if check_follow and next_date and next_date < today_s:
            next_n = nums.get(next_date) or num(next_date)
            allowed = max(1, next_n - (nums.get(act_date) or num(act_date)))
            over = now_n - next_n
            if not red_only or over > allowed:
                key = ((top - over) << id_shift | base | 3) + (yellow_key if over <= allowed else 0)
                hits_of[key] = (3, allowed + over, allowed, act_date, next_date, item)
                keys.append(key)
                odd = odd or not 0 < over < top
        if not keys:
            continue
        n_items += 1
        if group is None:
            continue
        if only_keys:  # the keys only; no hit kept
            all_keys.extend(keys)
            hits_of.clear()
            if len(all_keys) >= _RUN:
                found.add_run(all_keys)
            continue
        if group == "light":  # the item's worst light only; no hit kept
            worst = YELLOW
            for k in keys:
                hit = hits_of.pop(k)
                if hit[1] > 2 * hit[2]:
                    worst = RED
            lights[item_id] = worst
            continue
        red = 0
        for k in keys:
            hit = hits_of[k]
            if hit[1] > 2 * hit[2]:  # red: more than twice the days allowed
                red += 1
        mine_g, theirs_g = (own or NOBODY, lead or NOBODY) if by_owner else (lead or NOBODY, own or NOBODY)
        for counts, name in ((other, theirs_g), (tally, mine_g)):  # [warnings, red ones, items]
            t = counts.get(name)
            if t is None:
                counts[name] = [len(keys), red, 1]
            else:
                t[0] += len(keys)
                t[1] += red
                t[2] += 1
        if keep is None:  # every key, its hit in ``hits``
            listed.setdefault(mine_g, []).extend(-k for k in keys)
            continue
        # the group's worst ``keep`` as a heap of (negated key, hit): its top is the least bad
        # kept; the hit leaves ``hits`` (which so never grows past one item's warnings)
        heap = heaps.setdefault(mine_g, [])
        for k in keys:
            entry = (-k, hits_of.pop(k))
            if odd:  # keys do not sort right: keep the rest as they come
                heap.append(entry)
            elif len(heap) < keep:
                heappush(heap, entry)
            elif k < -heap[0][0]:
                heapreplace(heap, entry)
    for name, entries in heaps.items():
        for negated, hit in entries:
            hits_of[-negated] = hit
        listed[name] = [negated for negated, _ in entries]
    if only_keys and all_keys:
        found.add_run(all_keys)
    found.n_items = n_items
    found.odd = odd
    if slim:  # the kept items' text is read a group at a time, as the groups are built
        found.db = db
    return found


def _read_facts(db: Database, ids: Iterable[int]) -> dict[int, tuple[str, str, str | None]]:
    """Title, status and owner of the items ``ids`` (of warnings being built)."""
    import json

    wanted = sorted(set(ids))
    facts: dict[int, tuple[str, str, str | None]] = {}
    for start in range(0, len(wanted), 50_000):
        chunk = json.dumps(wanted[start : start + 50_000])
        for item_id, title, status, owner in db.conn.execute(
            "SELECT id, title, status, owner FROM items WHERE id IN (SELECT value FROM json_each(?))", (chunk,)
        ):
            facts[item_id] = (title, status, owner)
    return facts


#: an item deleted (by another program) between the scan and the reading of its text
_GONE = ("（条目已删除）", "", None)
_NONE: tuple[None, None] = (None, None)
_EMPTY: list[str] = []


class _DayNumbers:
    """ISO date strings to day numbers and back, each distinct date converted once."""

    def __init__(self) -> None:
        self.numbers: dict[str, int] = {}  # (day numbers are never 0: ``numbers.get(t) or``)
        self.isos: dict[int, str] = {}

    def number(self, text: str) -> int:
        n = self.numbers.get(text)
        if n is None:
            n = self.numbers[text] = date.fromisoformat(text[:10]).toordinal()
        return n

    def iso(self, n: int) -> str:
        s = self.isos.get(n)
        if s is None:
            s = self.isos[n] = date.fromordinal(n).isoformat()
        return s


def _open_items(
    db: Database,
    where: list[str],
    params: list[Any],
    *,
    today: date,
    limits: dict[tuple[str, str], tuple[int | None, int | None]],
    wanted: set[str],
    titles: bool = True,
) -> Iterable[tuple[Any, ...]]:
    """Open items that may be late: id, kind, status, due, created, entered (latest status
    change), latest activity's date and next date, title (NULL without ``titles``: read
    later for the few kept), owner, chain id, unit id, leader field.  The SQL keeps only
    items past at least one cut-off date, so the text columns of items within their limits
    never reach Python; the exact check is done by the caller."""
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
        "coalesce(d.entered, substr(i.created_at, 1, 10)) AS entered, d.act_date AS act, d.next_date AS nxt, "
        f"{'i.title' if titles else 'NULL AS title'}, i.owner, i.chain_id, i.unit_id "
        # item_dates: each item's latest stage move and activity, kept by triggers (db.py)
        "FROM items i LEFT JOIN item_dates d ON d.item_id = i.id "
        # LIMIT -1 keeps the subquery from being flattened into the outer query, which would
        # compute the entered date once per condition that uses it
        f"WHERE {' AND '.join(where)} LIMIT -1) x WHERE {' OR '.join(late)}",
        [*params, *late_params],
    )


def _cut_case(today: date, limits: dict[tuple[str, str], int | None]) -> str:
    """A SQL CASE giving, for an item's kind and status, the date before which it is past
    ``limits`` days (NULL where there is no limit).  Values are dates we computed.  A CASE
    on the kind then on the status: cheaper than one on ``kind || '|' || status``."""
    by_kind: dict[str, list[str]] = {}
    for (kind, status), days in limits.items():
        if days and "'" not in kind + status:
            cut = (today - timedelta(days=days)).isoformat()
            by_kind.setdefault(kind, []).append(f"WHEN '{status}' THEN '{cut}'")
    whens = [f"WHEN '{kind}' THEN CASE status {' '.join(w)} END" for kind, w in by_kind.items()]
    return f"(CASE kind {' '.join(whens)} END)" if whens else "NULL"


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
    warnings: Sequence[Warning]
    total: int = 0  # warnings in the group, listed or not


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
            total=len(ws),
        )
        for name, ws in groups.items()
    ]
    out.sort(key=_group_order)
    return out


def counts(warnings: Sequence[Warning]) -> dict[str, int]:
    return {
        "warnings": len(warnings),
        "items": len({w.id for w in warnings}),
        "red": sum(1 for w in warnings if w.light == RED),
        "yellow": sum(1 for w in warnings if w.light == YELLOW),
    }


__all__ = [
    "TYPES",
    "Group",
    "Overview",
    "Warning",
    "compute",
    "counts",
    "group_by",
    "iter_warnings",
    "overview",
    "worst_lights",
]


# ---------------------------------------------------------------------------------------
# What falls due soon (zs agenda): the other side of the warnings, which list what is late
# ---------------------------------------------------------------------------------------


def agenda(
    db: Database,
    *,
    today: date,
    days: int = 1,
    chain: str | None = None,
    unit: str | None = None,
    owner: str | None = None,
) -> list[dict[str, Any]]:
    """Open items with something due from ``today`` for ``days`` days (1: today only): the
    next follow-up their latest 对接记录 agreed (``what`` = ``follow_up``) and their 时限
    (``due``).  One row per date, earliest first; an item due on both counts twice."""
    if days < 1:
        raise ZsError("天数至少为 1（1 = 只看今天）")
    start, end = today.isoformat(), (today + timedelta(days=days - 1)).isoformat()
    where = ["i.closed_at IS NULL"]
    params: list[Any] = []
    scope(db, where, params, chain=chain, unit=unit)
    if owner:
        where.append("i.owner = ?")
        params.append(owner.strip())
    rows = db.conn.execute(
        "SELECT i.id, i.kind, i.title, i.status, i.owner, c.name, u.name, i.due, d.next_date, d.act_date, a.summary "
        "FROM items i JOIN chains c ON c.id = i.chain_id LEFT JOIN units u ON u.id = i.unit_id "
        "LEFT JOIN item_dates d ON d.item_id = i.id LEFT JOIN activities a ON a.id = d.act_id "
        f"WHERE {' AND '.join(where)} AND (d.next_date BETWEEN ? AND ? OR i.due BETWEEN ? AND ?)",
        [*params, start, end, start, end],
    ).fetchall()
    out: list[dict[str, Any]] = []
    for item_id, kind, title, status, who, chain_name, unit_name, due, nxt, act, summary in rows:
        base = {"id": item_id, "kind": kind, "title": title, "status": status, "owner": who}
        base.update(chain=chain_name, unit=unit_name)
        if nxt and start <= nxt <= end:
            out.append({"date": nxt, "what": "follow_up", **base, "note": f"{act} 约定：{summary}" if act else ""})
        if due and start <= due <= end:
            out.append({"date": due, "what": "due", **base, "note": ""})
    out.sort(key=lambda r: (r["date"], r["what"] != "follow_up", r["id"]))
    return out

"""对接记录: dated meetings, visits, calls and pitches on any item, with an optional next
follow-up date (which feeds the warnings).  A visit (走访) that finds problems records them
as items of the problem list linked back to the visited item and to the visit."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .. import items
from ..db import Database, now
from ..errors import ZsError
from ..people import kinds_with
from ..values import check_length, to_storage
from .common import iter_rows, not_future, scope, to_date

ACTIVITY_TYPES = ("对接", "走访", "来访", "推介", "会办", "电话")
#: other words people write for the same thing (traditional forms are matched anyway)
_TYPE_ALIASES = {
    "洽谈": "对接",
    "会谈": "对接",
    "座谈": "对接",
    "拜访": "走访",
    "上门": "走访",
    "大走访": "走访",
    "来访接待": "来访",
    "接待": "来访",
    "推介会": "推介",
    "路演": "推介",
    "会商": "会办",
    "协调会": "会办",
    "调度会": "会办",
    "视频": "电话",
    "微信": "电话",
}


def resolve_type(text: str | None) -> str:
    """The canonical activity type for what was typed (default 对接)."""
    from ..parse import normalize_key

    if text is None or not text.strip():
        return ACTIVITY_TYPES[0]
    wanted = normalize_key(text)
    for t in ACTIVITY_TYPES:
        if normalize_key(t) == wanted:
            return t
    for alias, t in _TYPE_ALIASES.items():
        if normalize_key(alias) == wanted:
            return t
    raise ZsError(f"对接方式「{text.strip()}」不可用。可选：{'、'.join(ACTIVITY_TYPES)}")


@dataclass
class NoteResult:
    activity_id: int
    item_id: int
    type: str
    date: str
    next_date: str | None
    problem_ids: list[int] = field(default_factory=list)
    #: the follow-up date was not given and is the one an earlier note set, still ahead
    next_carried: bool = False
    #: an earlier follow-up date that this note cancelled (``keep_next=False``)
    next_cancelled: str | None = None


def _summary(text: str, *, empty: str = "") -> str:
    """A note's text on one line, within the length every field keeps; never empty."""
    summary = " ".join(text.split())
    try:
        check_length(summary)
    except ZsError as exc:
        raise ZsError(f"对接内容：{exc.message}") from None
    if not summary:
        raise ZsError(f"对接内容不能为空：请写明谈了什么、对方态度、下一步{empty}")
    return summary


def add_note(
    db: Database,
    item_id: int,
    text: str,
    *,
    today: date,
    type: str | None = None,
    on: str | date | None = None,
    next_date: str | date | None = None,
    keep_next: bool = True,
    problems: Sequence[str] = (),
) -> NoteResult:
    """Record an activity on an item (inside the current command).  Each text in ``problems``
    becomes a problem item linked to this item (关联项目) and to this activity (来源走访).

    A follow-up date agreed earlier stays in force when this note gives none and is dated
    before it (a phone call in between does not cancel the visit planned for the 20th); a
    note on or after that date is the follow-up.  ``keep_next=False`` cancels it."""
    if db.current is None:
        raise RuntimeError("add_note must run inside db.command()")
    summary = _summary(text)
    kind_name = resolve_type(type)
    day = to_date(on, what="对接日期") or today
    not_future(day, today, "对接日期")
    nxt = to_date(next_date, what="下次跟进日期")
    if nxt is not None and nxt <= day:
        raise ZsError(f"下次跟进日期 {nxt.isoformat()} 应晚于对接日期 {day.isoformat()}")
    if any(not p.strip() for p in problems):
        raise ZsError("--problem 的问题描述不能为空")
    items.kind_of(db, item_id)  # unknown or deleted id: a clear error
    if nxt is not None and not keep_next:
        raise ZsError("下次跟进日期和「取消下次跟进」不能同时写：请只写其中一个")
    carried, cancelled = False, None
    pending = _pending_follow_up(db, item_id, day)
    if nxt is None and pending is not None:
        if keep_next:
            nxt, carried = pending, True
        else:
            cancelled = pending.isoformat()
    cur = db.insert_id(
        "INSERT INTO activities(item_id, type, date, summary, next_date, user, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (item_id, kind_name, day.isoformat(), summary, nxt.isoformat() if nxt else None, db.current.user, now()),
    )
    activity_id = cur
    found = [_problem_from_visit(db, item_id, activity_id, kind_name, p, day) for p in problems]
    return NoteResult(
        activity_id, item_id, kind_name, day.isoformat(), nxt.isoformat() if nxt else None, found, carried, cancelled
    )


@dataclass
class NoteChange:
    """A past 对接记录 changed or removed: the record before and after (None: removed)."""

    activity_id: int
    item_id: int
    old: dict[str, Any]
    new: dict[str, Any] | None
    #: the keys that changed (summary, type, date, next_date)
    changed: list[str] = field(default_factory=list)


_NOTE_COLUMNS = ("id", "item_id", "type", "date", "summary", "next_date", "user")


def get_note(db: Database, activity_id: int) -> dict[str, Any]:
    """One 对接记录 by its number (记录号)."""
    row = db.conn.execute(f"SELECT {', '.join(_NOTE_COLUMNS)} FROM activities WHERE id = ?", (activity_id,)).fetchone()
    if row is None:
        raise ZsError(f"没有记录号为 {activity_id} 的对接记录：用 zs notes 编号 查看某个条目的记录号")
    return dict(zip(_NOTE_COLUMNS, row, strict=True))


def edit_note(
    db: Database,
    activity_id: int,
    *,
    today: date,
    text: str | None = None,
    type: str | None = None,
    on: str | date | None = None,
    next_date: str | date | None = None,
    clear_next: bool = False,
) -> NoteChange:
    """Correct a past 对接记录 (inside the current command): its text, type, date or next
    follow-up date, by the rules of :func:`add_note`; what is not given stays."""
    if db.current is None:
        raise RuntimeError("edit_note must run inside db.command()")
    old = get_note(db, activity_id)
    new = dict(old)
    if text is not None:
        new["summary"] = _summary(text, empty="；要删除这条记录请用 zs note rm")
    if type is not None:
        new["type"] = resolve_type(type)
    if on is not None:
        day = to_date(on, what="对接日期")
        assert day is not None
        not_future(day, today, "对接日期")
        new["date"] = day.isoformat()
    if next_date is not None and clear_next:
        raise ZsError("下次跟进日期和「取消下次跟进」不能同时写：请只写其中一个")
    if next_date is not None:
        nxt = to_date(next_date, what="下次跟进日期")
        new["next_date"] = nxt.isoformat() if nxt else None
    if clear_next:
        new["next_date"] = None
    if new["next_date"] is not None and new["next_date"] <= new["date"]:
        raise ZsError(f"下次跟进日期 {new['next_date']} 应晚于对接日期 {new['date']}")
    changed = [k for k in ("summary", "type", "date", "next_date") if new[k] != old[k]]
    if changed:
        sets = ", ".join(f"{k} = ?" for k in changed)
        db.conn.execute(f"UPDATE activities SET {sets} WHERE id = ?", [*(new[k] for k in changed), activity_id])
    return NoteChange(activity_id, int(old["item_id"]), old, new, changed)


def remove_note(db: Database, activity_id: int) -> NoteChange:
    """Delete a 对接记录 (inside the current command; zs undo brings it back).  A visit that
    problems were registered from is kept while they point at it."""
    if db.current is None:
        raise RuntimeError("remove_note must run inside db.command()")
    old = get_note(db, activity_id)
    linked = [
        int(r[0])
        for k in kinds_with(db, "visit")
        if "visit" in db.kind_columns(k)
        for r in db.conn.execute(f'SELECT id FROM "{k.table}" WHERE visit = ?', (activity_id,))
    ]
    if linked:
        ids = "、".join(map(str, linked[:5]))
        raise ZsError(
            f"对接记录 {activity_id} 登记过问题（编号 {ids}），这些问题的「来源走访」指向它：不能删除；"
            f"可用 zs note edit {activity_id} 修改内容"
        )
    db.conn.execute("DELETE FROM activities WHERE id = ?", (activity_id,))
    return NoteChange(activity_id, int(old["item_id"]), old, None, ["summary", "type", "date", "next_date"])


def _pending_follow_up(db: Database, item_id: int, day: date) -> date | None:
    """The follow-up date the item's latest note set, if it is still after ``day``."""
    row = db.conn.execute(
        "SELECT next_date FROM activities WHERE item_id = ? AND date <= ? ORDER BY date DESC, id DESC LIMIT 1",
        (item_id, day.isoformat()),
    ).fetchone()
    if row is None or not row[0] or row[0] <= day.isoformat():
        return None
    return date.fromisoformat(row[0])


def _problem_from_visit(db: Database, item_id: int, activity_id: int, activity_type: str, text: str, day: date) -> int:
    kinds = [k for k in kinds_with(db, "visit") if "project" in db.kind_columns(k)]
    if not kinds:
        raise ZsError("问题清单没有「来源走访」（visit）和「关联项目」（project）字段：无法从走访登记问题")
    kind = kinds[0]
    src = db.conn.execute(
        "SELECT c.name, u.name, i.owner FROM items i JOIN chains c ON c.id = i.chain_id "
        "LEFT JOIN units u ON u.id = i.unit_id WHERE i.id = ?",
        (item_id,),
    ).fetchone()
    values: dict[str, object] = {"title": text.strip(), "chain": src[0], "project": item_id, "visit": activity_id}
    if "source" in db.kind_columns(kind):
        values["source"] = "大走访" if activity_type == "走访" else activity_type
    if src[1]:
        values["unit"] = src[1]
    if src[2]:
        values["owner"] = src[2]
    parsed = items.parse_values(db, kind, values)
    for f in kind.fields:
        if f.key not in parsed.own and f.default is not None:
            parsed.own[f.key] = to_storage(f, f.default)
    assert db.current is not None
    return items.insert(db, kind, parsed, status=kind.default_status, user=db.current.user, status_date=day.isoformat())


def list_notes(db: Database, **filters: Any) -> list[dict[str, Any]]:
    """Activities, newest first, with the item they concern."""
    return list(iter_notes(db, **filters))


def iter_notes(
    db: Database,
    *,
    item_id: int | None = None,
    since: str | date | None = None,
    until: str | date | None = None,
    type: str | None = None,
    chain: str | None = None,
    unit: str | None = None,
    user: str | None = None,
    limit: int | None = None,
    count: bool = False,
) -> Iterator[dict[str, Any]]:
    """:func:`list_notes` as a stream: the filters are checked (and refused) when it is
    called, the rows read as they are written — a province's million activities are never
    all in memory."""
    where: list[str] = []
    params: list[Any] = []
    if item_id is not None:
        items.kind_of(db, item_id)
        where.append("a.item_id = ?")
        params.append(item_id)
    start = to_date(since, what="起始日期")
    end = to_date(until, what="截止日期")
    if start:
        where.append("a.date >= ?")
        params.append(start.isoformat())
    if end:
        where.append("a.date <= ?")
        params.append(end.isoformat())
    if type:
        where.append("a.type = ?")
        params.append(resolve_type(type))
    scope(db, where, params, chain=chain, unit=unit)
    if user:
        where.append("a.user = ?")
        params.append(user.strip())
    if count:
        sql = "SELECT count(*) AS n FROM activities a JOIN items i ON i.id = a.item_id"
        return iter_rows(db, sql + (" WHERE " + " AND ".join(where) if where else ""), params)
    sql = (
        "SELECT a.id, a.date, a.type, a.item_id, i.kind, i.title, c.name AS chain, a.summary, a.next_date, a.user "
        "FROM activities a JOIN items i ON i.id = a.item_id JOIN chains c ON c.id = i.chain_id"
    )
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY a.date DESC, a.id DESC"
    if limit is not None:
        sql += " LIMIT ?"
        params.append(int(limit))
    return iter_rows(db, sql, params)


def count_notes(db: Database, **filters: Any) -> int:
    """How many activities the filters of :func:`iter_notes` select, its limit aside."""
    filters.pop("limit", None)
    return int(next(iter_notes(db, **filters, count=True))["n"])

"""The stage model: one set of rules for every way a status changes (``stage``, ``add``,
``edit``, ``close``/``reopen``, import and roll-up), and the SQL that ``list``, reports and
warnings share to count "reached".

Below :mod:`zhaoshang.items`, :mod:`zhaoshang.pipeline` and :mod:`zhaoshang.reports`; it knows the
definitions and the ``status_log`` table and nothing above them.

* **Order.**  A pipeline kind's stages are its statuses in YAML order, exits that need a reason
  (退库) left out.  A move to the next stage is plain; back or over a stage is flagged
  (``backward`` / ``skip``) and needs ``force`` where a person typed it.
* **Reached.**  An item reached a stage on the FIRST day it entered that stage or any later
  one: a skipped stage counts as passed that day; moving back, re-signing or 退库 afterwards
  never adds a second count.
* **Dates.**  Every log row has an effective date: the day it happened.  The first row of an
  item (``from_status`` NULL) is the day it came in (新增).  No write is dated after the real
  today.  A stage may name its date field in the YAML (``date_field: signed_date`` on 已签约):
  field and log are one fact — the field holds the first day the stage was reached.
* **Terminal.**  Leaving a terminal status (退库, 已投产, 已销号) is ``reopen`` (recorded as a
  move) or a forced, flagged move.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from itertools import pairwise
from typing import Any

from . import counted
from .db import Database
from .definitions import Definitions, KindDef
from .errors import NotFoundError, ZsError

BACKWARD = "backward"
SKIP = "skip"
#: leaving a terminal status (退库, 已投产, 已销号) other than by reopen: forced
LEFT_TERMINAL = "left_terminal"
#: dated before the item's last move: forced
OUT_OF_ORDER = "out_of_order"
#: how a flag reads for people (show, exports)
#: a move back that withdraws an earlier report (a county's --confirm misreport): not a 回退;
#: once confirmed, the moves it takes back count in no month (:func:`withdraw_misreports`)
MISREPORT = "misreport"
FLAG_NAMES = {
    BACKWARD: "回退",
    SKIP: "跨阶段",
    LEFT_TERMINAL: "离开终止状态",
    OUT_OF_ORDER: "日期早于上次变更",
    MISREPORT: "误报撤回",
}


def marks(values: Iterable[Any]) -> str:
    return ", ".join("?" for _ in values)


def resolve_status(kind: KindDef, text: str) -> str:
    """The status a name or alias (simplified or traditional) stands for."""
    from .parse import normalize_key, planned_stem

    wanted = normalize_key(text)
    for s in kind.statuses:
        if wanted in {normalize_key(x) for x in (s.name, *s.aliases)}:
            return s.name
    import difflib

    word = text.strip()
    names = kind.status_names()
    planned = planned_stem(word)
    if planned is not None and any(n.startswith("已") and planned in normalize_key(n) for n in names):
        raise NotFoundError(
            f"「{kind.name}」清单没有「{word}」这个状态：「{word}」说的是打算{planned}、还没有{planned}，"
            f"请填写实际所处的阶段（可用：{'、'.join(names)}）"
        )
    close = difflib.get_close_matches(word, names, n=1, cutoff=0.4)
    hint = f"是不是「{close[0]}」？" if close else ""
    raise NotFoundError(
        f"「{kind.name}」清单没有「{word}」这个状态。{hint}可用：{'、'.join(names)}。"
        f"若是本地的叫法，可用 zs synonym add {kind.name} 状态 {close[0] if close else '对应状态'} {word} 教给系统"
    )


def stages_of(kind: KindDef) -> list[str]:
    """The ordered pipeline stages of a kind (exits such as 退库 and the reserve before the
    pipeline, 谋划储备, excluded)."""
    return [s.name for s in kind.statuses if not (s.terminal and s.requires_reason) and not s.reserve]


def reached_stages(kind: KindDef, stage: str) -> list[str]:
    """``stage`` and every later pipeline stage (reaching any of them means ``stage`` was
    passed).  For a status outside the ordered stages (退库), just that status."""
    order = stages_of(kind) if kind.pipeline else []
    if stage in order:
        return order[order.index(stage) :]
    return [stage]


def pipeline_flag(kind: KindDef, current: str, target: str) -> str | None:
    """``backward`` / ``skip`` for a pipeline move that is not the next stage, else None.
    Exits that are not stages (退库) are not flagged here (leaving a terminal status is
    :func:`leaves_terminal`)."""
    if not kind.pipeline:
        return None
    order = stages_of(kind)
    if current in order and kind.status(target).reserve:
        return BACKWARD  # back from a stage into the reserve (已签约 → 谋划储备)
    if current not in order and kind.status(current).reserve and target in order:
        # out of the reserve when an investor appears: into 线索 or straight into 在谈
        return SKIP if order.index(target) > 1 else None
    if current not in order or target not in order:
        return None
    ci, ti = order.index(current), order.index(target)
    if ti < ci:
        return BACKWARD
    if ti > ci + 1:
        return SKIP
    return None


def leaves_terminal(kind: KindDef, current: str, target: str) -> bool:
    return current != target and kind.status(current).terminal


def passed_stages(kind: KindDef, current: str, target: str) -> list[str]:
    """The stages a forward move from ``current`` to ``target`` passes over (线索 → 已开工:
    在谈, 已签约, 已入统); [] for any other move."""
    order = stages_of(kind) if kind.pipeline else []
    if current not in order or target not in order:
        return []
    ci, ti = order.index(current), order.index(target)
    return order[ci + 1 : ti] if ti > ci + 1 else []


def date_fields(kind: KindDef) -> dict[str, str]:
    """{status: the key of the date field the YAML ties to it} (已签约 → signed_date …)."""
    return {s.name: s.date_field for s in kind.statuses if s.date_field}


def stage_of_field(kind: KindDef, key: str) -> str | None:
    """The status whose date field is ``key`` (signed_date → 已签约), or None."""
    return next((s for s, k in date_fields(kind).items() if k == key), None)


def signing_stage(kind: KindDef) -> str | None:
    """The stage that counts as signing: the first ordered stage that records a date field
    (``date_field: signed_date`` on 已签约 in targets.yaml)."""
    fields = date_fields(kind)
    return next((s for s in stages_of(kind) if s in fields), None)


# ---------------------------------------------------------------------------------------
# Effective dates
# ---------------------------------------------------------------------------------------


def real_today() -> date:
    """The real today (no option changes it): no write may be dated after it."""
    return date.today()


def effective(on: str | date | None, *, what: str = "生效日期") -> str:
    """An effective date as ISO text: ``on`` (any form people write), else today; refused
    when it lies after the real today."""
    from .parse import parse_typed_date

    today = real_today()
    if on is None or (isinstance(on, str) and not on.strip()):
        day = today
    elif isinstance(on, date):
        day = on
    else:
        try:
            day = parse_typed_date(on, today=today)
        except ZsError as exc:
            raise ZsError(f"{what}：{exc.message}") from None
    if day > today:
        raise ZsError(f"{what} {day.isoformat()} 晚于今天（{today.isoformat()}）：只能记录已经发生的事")
    return day.isoformat()


@dataclass(frozen=True)
class LogRow:
    id: int
    from_status: str | None
    to_status: str
    date: str


def log_of(db: Database, item_id: int) -> list[LogRow]:
    """An item's status log in date order (the first row is when it came in), without the
    moves the office returned (已退回: as if never reported)."""
    return [
        LogRow(int(r[0]), r[1], str(r[2]), str(r[3]))
        for r in db.conn.execute(
            "SELECT id, from_status, to_status, date FROM status_log WHERE item_id = ? "
            f"AND review != '{counted.RETURNED}' ORDER BY date, from_status IS NOT NULL, id",
            (item_id,),
        )
    ]


def check_order(item_id: int, log: list[LogRow], eff: str, *, force: bool) -> None:
    """A new move must not be dated before the item's last move (the history stays in time
    order); forced moves may (and are flagged by the caller)."""
    moves = [r for r in log if r.from_status is not None]
    last = max((r.date for r in moves), default=None)
    if last and eff < last and not force:
        raise ZsError(
            f"编号 {item_id}：生效日期 {eff} 早于上一次阶段变更（{last}）：阶段要按时间先后记录；"
            "请检查日期，确需如此请加 --force（将被标记）"
        )


def backdate_entry(db: Database, item_id: int, log: list[LogRow], eff: str) -> str | None:
    """When a move is dated before the day the item came in (数据补录: a project in talks
    since October typed in today), the item came in no later than that move: its first log
    row moves back to ``eff``.  Returns the old date when it moved, else None."""
    first = next((r for r in log if r.from_status is None), None)
    if first is None or eff >= first.date:
        return None
    db.conn.execute("UPDATE status_log SET date = ? WHERE id = ?", (eff, first.id))
    return first.date


# ---------------------------------------------------------------------------------------
# Reached: first dates, shared SQL
# ---------------------------------------------------------------------------------------


def _kind_for(defs: Definitions, kind: str | KindDef | None) -> KindDef:
    if isinstance(kind, KindDef):
        return kind
    if kind is not None:
        return defs.kind(kind)
    pipelines = [k for k in defs.kinds if k.pipeline]
    if not pipelines:
        raise ZsError("没有定义项目阶段的清单（YAML 中 pipeline: true）")
    return pipelines[0]


def reached_sql(
    defs: Definitions, stage: str, kind: str | KindDef | None = None, *, include_pending: bool = False
) -> tuple[str, list[str]]:
    """A sub-query (SQL, params) with columns ``item_id, date``: every item of ``kind``
    (default: the pipeline kind, 招什么) that has reached ``stage`` (name or alias), with the
    first date a counted move (:mod:`zhaoshang.counted`) did.  Join it to ``items`` for
    chain/unit/amount:

    >>> sql, params = reached_sql(db.defs, "已签约")
    >>> db.conn.execute(f"SELECT count(*) FROM ({sql}) r WHERE r.date BETWEEN ? AND ?",
    ...                 [*params, "2026-01-01", "2026-03-31"])
    """
    k = _kind_for(defs, kind)
    target = resolve_status(k, stage)
    names = reached_stages(k, target)
    return counted.reached(True, len(names), include_pending=include_pending), [k.key, *names]


def reached_clause(
    db: Database,
    kind: KindDef | None,
    status: str,
    start: date | None,
    end: date | None,
    *,
    include_pending: bool = False,
) -> tuple[str, list[Any]]:
    """SQL condition on ``i`` (items) for ``zs list --reached``: the item first reached
    ``status`` (any name or alias; for a stage, it or a later stage) within [start, end]
    (either bound may be open) — exactly what the report counts as 签约 / 开工 … in a period.
    Without a kind, every kind that has such a status is searched."""
    kinds = [kind] if kind is not None else list(db.defs.kinds)
    parts: list[str] = []
    params: list[Any] = []
    for k in kinds:
        try:
            name = resolve_status(k, status)
        except NotFoundError:
            if kind is not None:
                raise
            continue
        statuses = reached_stages(k, name)
        having: list[str] = []
        bounds: list[Any] = []
        if start is not None:
            having.append("r.date >= ?")
            bounds.append(start.isoformat())
        if end is not None:
            having.append("r.date <= ?")
            bounds.append(end.isoformat())
        parts.append(
            f"(i.kind = ? AND i.id IN (SELECT r.item_id FROM ("
            f"{counted.reached(False, len(statuses), include_pending=include_pending)}) r"
            f"{' WHERE ' + ' AND '.join(having) if having else ''}))"
        )
        params += [k.key, *statuses, *bounds]
    if not parts:
        raise NotFoundError(
            f"没有哪张清单有「{status.strip()}」这个状态：请写明清单，如 zs list 招什么 --reached 已签约"
        )
    return "(" + " OR ".join(parts) + ")", params


def first_reached(
    db: Database,
    stage: str,
    start: str | date | None = None,
    end: str | date | None = None,
    *,
    kind: str | KindDef | None = None,
    include_pending: bool = False,
) -> dict[int, str]:
    """{item id: first date} of the items that first reached ``stage`` (or a later stage)
    between ``start`` and ``end`` inclusive (either may be None: unbounded).  Each item
    appears once, on its first date, however many times it moved back and forth."""
    sql, params = reached_sql(db.defs, stage, kind, include_pending=include_pending)
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


def first_reached_item(
    db: Database, kind: KindDef, item_id: int, stage: str, *, include_pending: bool = False
) -> str | None:
    """The first date one item reached ``stage`` (or a later stage) by a counted move; None if
    it never did."""
    names = reached_stages(kind, stage)
    row = db.conn.execute(
        f"SELECT min(s.date) FROM status_log s WHERE s.item_id = ? AND s.to_status IN ({marks(names)}) "
        f"AND {counted.counted('s', include_pending=include_pending)}",
        (item_id, *names),
    ).fetchone()
    return None if row is None or row[0] is None else str(row[0])


def stage_entered(db: Database, item_id: int) -> str | None:
    """The effective date of the item's latest counted status change (when it entered its
    current status)."""
    row = db.conn.execute(f"SELECT {counted.last_date('?')}", (item_id,)).fetchone()
    return None if row is None or row[0] is None else str(row[0])


#: SQL (on ``items i``) for the day an item came in -- what 新增 counts -- falling back to the
#: day it was typed in for a database without an entry row; NULL while its entry is 待认定
CAME_IN_SQL = counted.came_in("i")


def came_in(db: Database, item_id: int) -> str | None:
    """The day an item came in: the date of its first log row (None while that row does not
    count: 待认定 or 已退回)."""
    row = db.conn.execute(
        "SELECT date FROM status_log s WHERE item_id = ? AND from_status IS NULL "
        f"AND {counted.counted('s')} ORDER BY id LIMIT 1",
        (item_id,),
    ).fetchone()
    return None if row is None else str(row[0])


# ---------------------------------------------------------------------------------------
# Date fields and the log: one fact
# ---------------------------------------------------------------------------------------


def _field(db: Database, kind: KindDef, item_id: int, key: str) -> Any:
    if key not in db.kind_columns(kind):
        return None
    row = db.conn.execute(f'SELECT "{key}" FROM "{kind.table}" WHERE id = ?', (item_id,)).fetchone()
    return None if row is None else row[0]


def sync_date_fields(db: Database, kind: KindDef, item_id: int) -> list[str]:
    """Set every stage date field of the item to the first day the log says it reached that
    stage (None when it never did).  Returns the keys that changed."""
    changed: list[str] = []
    columns = db.kind_columns(kind)
    for stage, key in date_fields(kind).items():
        if key not in columns:
            continue
        first = first_reached_item(db, kind, item_id, stage)
        if _field(db, kind, item_id, key) != first:
            db.conn.execute(f'UPDATE "{kind.table}" SET "{key}" = ? WHERE id = ?', (first, item_id))
            changed.append(key)
    return changed


def move_reached_date(db: Database, kind: KindDef, item_id: int, stage: str, new: str | None) -> str | None:
    """A person edited a stage's date field (签约日期=2026-10-15): move the first arrival at
    that stage in the log to ``new``, keeping the history in time order.  Refuses a date for a
    stage the item never reached, clearing it, and a date that would put the stage before an
    earlier stage or after a later one.  Returns the old date."""
    label = kind.field(date_fields(kind)[stage]).label
    names = reached_stages(kind, stage)
    rows = db.conn.execute(
        f"SELECT id, date FROM status_log s WHERE item_id = ? AND to_status IN ({marks(names)}) "
        f"AND from_status IS NOT NULL AND {counted.counted('s')} ORDER BY date, id",
        (item_id, *names),
    ).fetchall()
    if not rows:
        if new is None:
            return None
        raise ZsError(
            f"编号 {item_id} 还没有到「{stage}」阶段，不能填「{label}」：请用 zs stage {item_id} {stage} --date {new}"
        )
    first_id, old = int(rows[0][0]), str(rows[0][1])
    if new is None:
        raise ZsError(
            f"编号 {item_id} 已于 {old} 到「{stage}」阶段，「{label}」不能清空：要撤回这次变更请用 zs undo 或 zs stage"
        )
    if new == old:
        return old
    new = effective(new, what=label)
    log = log_of(db, item_id)
    if str(rows[0][0]) and next(r for r in log if r.id == first_id).to_status != stage:
        moved = next(r for r in log if r.id == first_id)
        raise ZsError(
            f"编号 {item_id} 的「{stage}」是随「{moved.to_status}」（{old}）一起记的跨阶段推进，"
            f"「{label}」不能单独改：请用 zs history {item_id} 查看并 zs undo，再按实际日期逐步 zs stage"
        )
    order = [r for r in log if r.from_status is not None]
    idx = next(i for i, r in enumerate(order) if r.id == first_id)
    prev = order[idx - 1] if idx > 0 else None
    nxt = order[idx + 1] if idx + 1 < len(order) else None
    if prev is not None and new < prev.date:
        raise ZsError(f"{label} {new} 早于此前的「{prev.to_status}」（{prev.date}）：阶段要按时间先后")
    if nxt is not None and new > nxt.date:
        raise ZsError(f"{label} {new} 晚于此后的「{nxt.to_status}」（{nxt.date}）：阶段要按时间先后")
    db.conn.execute("UPDATE status_log SET date = ? WHERE id = ?", (new, first_id))
    backdate_entry(db, item_id, log, new)
    return old


# ---------------------------------------------------------------------------------------
# A new item's history from what a person or a sheet says (add, import)
# ---------------------------------------------------------------------------------------


class StageDateError(ZsError):
    """A stage date that does not fit the row's status; ``keys`` are the fields at fault."""

    def __init__(self, message: str, keys: list[str]) -> None:
        super().__init__(message)
        self.keys = keys


@dataclass(frozen=True)
class PlannedMove:
    to_status: str
    date: str
    #: where the date came from: "field" (the stage's own date column / 签约日期=…),
    #: "given" (--date / --as-of / the sheet's 填报日期 / the day of import: the caller's default)
    source: str


def plan(kind: KindDef, start: str, target: str, dates: dict[str, str], default: str) -> list[PlannedMove]:
    """The moves that take a new item from ``start`` (its entry status) to ``target`` when the
    stage dates in ``dates`` ({stage: ISO date}, from its date fields) are known: one move to
    each dated stage on the way, in order, then to ``target`` (on its own date, else
    ``default``).  A date for a stage the item does not reach, or dates out of order, is an
    error naming the fields -- never a guess."""
    order = stages_of(kind) if kind.pipeline else []
    if target in order and start in order:
        path = order[order.index(start) + 1 : order.index(target) + 1]
    elif target not in order and start in order:  # an exit (退库) after the dated stages
        path = [s for s in order[order.index(start) + 1 :] if s in dates] + [target]
    else:
        path = [target] if target != start else []
    fields = date_fields(kind)

    def label(stage: str) -> str:  # only for messages: worked out when one is needed
        key = fields.get(stage)
        return next((f.label for f in kind.fields if f.key == key), stage)

    today = real_today().isoformat()
    for s, d in dates.items():
        if d > today:
            raise StageDateError(f"{label(s)} {d} 晚于今天（{today}）：只能记录已经发生的事", [fields[s]])
    stray = [s for s in dates if s not in path]
    if stray:
        names = "、".join(label(s) for s in stray)
        keys = [fields[s] for s in stray if s in fields]
        if target == start:
            raise StageDateError(
                f"状态是「{target}」，却填了{names}：请填写实际状态（如 状态={stray[0]}），或去掉这些日期", keys
            )
        raise StageDateError(f"状态是「{target}」，还没有到「{stray[0]}」阶段，不能填{names}", keys)
    out: list[PlannedMove] = []
    for s in path:
        if s in dates:
            out.append(PlannedMove(s, dates[s], "field"))
        elif s == target:
            out.append(PlannedMove(s, max([default, *(m.date for m in out)]), "given"))
    for a, b in pairwise(out):
        if b.date < a.date:
            raise StageDateError(
                f"{label(b.to_status)} {b.date} 早于{label(a.to_status)} {a.date}：阶段日期要按先后顺序",
                [fields[b.to_status]] if b.to_status in fields else [],
            )
    return out


# ---------------------------------------------------------------------------------------
# The item's state follows its confirmed moves (报送 → 认定)
# ---------------------------------------------------------------------------------------


def follow_confirmed(db: Database, item_ids: Iterable[int]) -> list[int]:
    """Make each item's status (and ``closed_at``) and its stage date fields what its
    confirmed moves say (:func:`zhaoshang.counted.state_moves`): after moves were marked
    待认定, confirmed or returned.  An item without a confirmed move keeps the status it came
    in with.  Set-based, per kind (a roll-up marks thousands at once).  Returns the ids whose
    status or a date field changed.  (Neither is in the search index.)"""
    import json

    from .db import now

    ids = list(dict.fromkeys(int(i) for i in item_ids))
    if not ids:
        return []
    chosen = json.dumps(ids)
    changed: set[int] = set()
    state = counted.state_moves("i.id")
    kinds = [str(r[0]) for r in db.conn.execute(
        "SELECT DISTINCT kind FROM items WHERE id IN (SELECT value FROM json_each(?))", (chosen,)
    )]  # fmt: skip
    for key in kinds:
        kind = db.defs.kind_by_key(key)
        terminal = [st.name for st in kind.statuses if st.terminal]
        moved = [
            int(r[0])
            for r in db.conn.execute(
                f"SELECT i.id FROM items i WHERE i.id IN (SELECT value FROM json_each(?)) AND i.kind = ? "
                f"AND {state} IS NOT NULL AND i.status IS NOT {state}",
                (chosen, key),
            )
        ]
        if moved:
            new_state = counted.state_moves("items.id")
            db.conn.execute(
                f"UPDATE items SET status = {new_state}, closed_at = CASE WHEN {new_state} IN ({marks(terminal)}) "
                "THEN coalesce(closed_at, ?) END WHERE id IN (SELECT value FROM json_each(?))",
                (*terminal, now(), json.dumps(moved)),
            )
            changed.update(moved)
        columns = set(db.kind_columns(kind))
        for stage, field in date_fields(kind).items():
            if field not in columns:
                continue
            names = reached_stages(kind, stage)
            first = (
                f"(SELECT min(s.date) FROM status_log s WHERE s.item_id = k.id AND s.to_status IN ({marks(names)}) "
                f"AND {counted.counted('s')})"
            )
            wrong = [
                int(r[0])
                for r in db.conn.execute(
                    f'SELECT k.id FROM "{kind.table}" k WHERE k.id IN (SELECT value FROM json_each(?)) '
                    f'AND k."{field}" IS NOT {first}',
                    (chosen, *names),
                )
            ]
            if wrong:
                db.conn.execute(
                    f'UPDATE "{kind.table}" AS k SET "{field}" = {first} '
                    "WHERE k.id IN (SELECT value FROM json_each(?))",
                    (*names, json.dumps(wrong)),
                )
                changed.update(wrong)
    return sorted(changed)


#: the meta key of the setting "the office's own entries need review too" ('1' / '0')
OWN_REVIEW_KEY = "review_own"


def own_review(db: Database) -> bool:
    """Whether the office's own entries (zs stage, add, fund …) are 待认定 too (``zs review
    own``).  Default no: an office of one does not review itself."""
    return db.entries_wait or db.meta(OWN_REVIEW_KEY) == "1"  # (a server's 填报 account: always)


@contextmanager
def paused_dates(db: Database, table: str, n: int, rows_sql: str, params: Sequence[Any]) -> Iterator[None]:
    """Around an update of ``n`` rows of ``table`` (the ids ``rows_sql`` selects): for many
    stage moves, the ``item_dates`` triggers are dropped and each item's row recomputed once
    afterwards (a per-row recomputation costs seconds for a roll-up).  Same transaction."""
    from .db import install_item_dates, pause_item_dates, refresh_item_dates

    paused = table == "status_log" and n > 200 and db.dialect.keeps_item_dates(db.conn)
    if paused:
        pause_item_dates(db.conn)
    yield
    if paused:
        refresh_item_dates(db.conn, f"i.id IN (SELECT item_id FROM status_log WHERE id IN ({rows_sql}))", params)
        install_item_dates(db.conn)


def hold(
    db: Database,
    table: str,
    rows: Iterable[tuple[str | None, str | None, int, int]],
    *,
    follow: bool = True,
) -> list[int]:
    """Mark rows of ``table`` (``status_log`` or ``funds``) 待认定: ``rows`` are (source,
    evidence, submission command id, row id); a source or evidence None keeps the row's.
    Their items then follow their confirmed moves (:func:`follow_confirmed`).  Returns the
    items whose status or stage dates changed."""
    import json

    if table not in counted.REVIEWED_TABLES:
        raise ValueError(table)
    batch = list(rows)
    if not batch:
        return []
    if table == "funds":
        keep_confirmed_funds(db, batch)
    else:
        batch = corrections(db, batch)
    v = db.dialect.packed_value
    with paused_dates(db, table, len(batch), "SELECT value FROM json_each(?)", (json.dumps([r[3] for r in batch]),)):
        # one statement for the whole batch (a statement per row: 1.4 s of a 3,000-project
        # county import on a server)
        db.conn.execute(
            f"UPDATE {table} SET review = '{counted.PENDING}', reviewed_by = NULL, reviewed_at = NULL, "
            f"review_note = NULL, source = coalesce(p.source, {table}.source), "
            f"evidence = coalesce(p.evidence, {table}.evidence), submitted_by = p.cid "
            f"FROM (SELECT {v(0, 'TEXT')} AS source, {v(1, 'TEXT')} AS evidence, {v(2, 'INTEGER')} AS cid, "
            f"{v(3, 'INTEGER')} AS id FROM {db.dialect.packed_rows}) AS p WHERE {table}.id = p.id",
            (json.dumps(batch, ensure_ascii=False),),
        )
    if not follow or table != "status_log":
        return []
    found = db.conn.execute(
        "SELECT DISTINCT item_id FROM status_log WHERE id IN (SELECT value FROM json_each(?))",
        (json.dumps([r[3] for r in batch]),),
    )
    return follow_confirmed(db, [int(r[0]) for r in found])


def _firsts(db: Database, table: str, wanted: set[tuple[int, int]]) -> dict[int, dict[str, Any] | None]:
    """{row id: the row as the command that changed it found it} for the (command, row) pairs
    ``wanted``: its first recorded update in that command; None when that command added it."""
    import json

    cids = json.dumps(sorted({c for c, _ in wanted}))
    firsts = db.conn.execute(
        f"SELECT command_id, row_id, old FROM changes WHERE tbl = '{table}' AND action = 'update' "
        "AND command_id IN (SELECT value FROM json_each(?)) AND row_id IN (SELECT value FROM json_each(?)) "
        "ORDER BY id",
        (cids, json.dumps(sorted({r for _, r in wanted}))),
    ).fetchall()
    spans: dict[int, list[tuple[int, int]]] = {}
    for c, a, b in db.conn.execute(
        f"SELECT command_id, row_id, coalesce(last_row_id, row_id) FROM changes WHERE tbl = '{table}' "
        "AND action = 'insert' AND command_id IN (SELECT value FROM json_each(?))",
        (cids,),
    ):
        spans.setdefault(int(c), []).append((int(a), int(b)))
    for found in spans.values():
        found.sort()
    out: dict[int, dict[str, Any] | None] = {}
    for cid, rid in wanted:  # (a row the command added had nothing before, whatever it did since)
        found = spans.get(cid, [])
        at = bisect.bisect_right(found, (rid, float("inf"))) - 1
        if at >= 0 and found[at][0] <= rid <= found[at][1]:
            out[rid] = None
    for cid, rid, old in firsts:
        if (int(cid), int(rid)) in wanted and int(rid) not in out:
            out[int(rid)] = json.loads(old) if old else None
    return out


def corrections(
    db: Database, batch: Sequence[tuple[str | None, str | None, int, int]]
) -> list[tuple[str | None, str | None, int, int]]:
    """Before stage moves (``batch`` as :func:`hold` takes it) wait for 认定: a confirmed move
    whose date the submission changed (a county's resubmitted sheet correcting 开工日期 10-10 →
    10-12) keeps its confirmed date — it counts until 认定 — and the new date becomes a
    correction row of its own (to the same status, ``corrects`` the confirmed date), which is
    what waits; one already waiting for that move takes the new date.  Returns the batch with
    each such move replaced by its correction."""
    if not batch:
        return []
    before = _firsts(db, "status_log", {(int(r[2]), int(r[3])) for r in batch})
    out: list[tuple[str | None, str | None, int, int]] = []
    for src, evi, cid, rid in batch:
        old = before.get(int(rid))
        if old is None:  # (a move the submission added: no confirmed date to keep; no look-up)
            out.append((src, evi, cid, rid))
            continue
        row = db.conn.execute(
            "SELECT item_id, from_status, to_status, date, corrects FROM status_log WHERE id = ?", (rid,)
        ).fetchone()
        if (
            row is None
            or row[4] is not None
            or old.get("review", counted.CONFIRMED) != counted.CONFIRMED
            or old.get("to_status") != row[2]
            or old.get("from_status") != row[1]
            or not old.get("date")
            or old["date"] == row[3]
        ):
            out.append((src, evi, cid, rid))
            continue
        item_id, status, new_date, was = int(row[0]), str(row[2]), str(row[3]), str(old["date"])
        db.conn.execute("UPDATE status_log SET date = ? WHERE id = ?", (was, rid))  # the confirmed move stays
        waiting = db.conn.execute(
            "SELECT id FROM status_log WHERE item_id = ? AND to_status = ? AND corrects = ? AND review != ? "
            "ORDER BY id DESC LIMIT 1",
            (item_id, status, was, counted.CONFIRMED),
        ).fetchone()
        if waiting is not None:
            fix = int(waiting[0])
            db.conn.execute("UPDATE status_log SET date = ? WHERE id = ?", (new_date, fix))
        else:
            user = db.current.user if db.current is not None else str(old.get("user") or "")
            from .db import now

            fix = db.insert_id(
                "INSERT INTO status_log(item_id, from_status, to_status, date, reason, user, at, corrects) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (item_id, status, status, new_date, "日期更正", user, now(), was),
            )
        out.append((src, evi, cid, fix))
    return out


def apply_corrections(db: Database, row_ids: Iterable[int]) -> list[int]:
    """Confirmed corrections (rows of :func:`corrections`) move the confirmed move they correct
    to their date; the correction stays in the log (a closed month's report lists what it
    moved out).  Returns the items concerned."""
    import json

    items: list[int] = []
    for item_id, status, day, was in db.conn.execute(
        "SELECT item_id, to_status, date, corrects FROM status_log WHERE corrects IS NOT NULL "
        "AND id IN (SELECT value FROM json_each(?))",
        (json.dumps([int(i) for i in row_ids]),),
    ).fetchall():
        target = db.conn.execute(
            "SELECT id FROM status_log WHERE item_id = ? AND to_status = ? AND date = ? AND corrects IS NULL "
            f"AND review = '{counted.CONFIRMED}' ORDER BY id LIMIT 1",
            (item_id, status, was),
        ).fetchone()
        if target is not None:
            db.conn.execute("UPDATE status_log SET date = ? WHERE id = ?", (day, int(target[0])))
        items.append(int(item_id))
    return items


def mark_misreport(db: Database, item_id: int) -> None:
    """The item's move back just written (its last move, a 回退) withdraws an earlier report
    instead (``--confirm misreport``): flag it :data:`MISREPORT`."""
    db.conn.execute(
        "UPDATE status_log SET flag = ? WHERE id = (SELECT max(id) FROM status_log WHERE item_id = ?) AND flag = ?",
        (MISREPORT, item_id, BACKWARD),
    )


def withdraw_misreports(db: Database, row_ids: Iterable[int]) -> list[int]:
    """Confirmed misreports (rows flagged :data:`MISREPORT`) withdraw what they take back: the
    item's earlier moves (and their date corrections) to a stage beyond the one the misreport
    goes to are deleted — counted in no month, the stage dates cleared (the item follows its
    confirmed moves); the misreport stays in the log as the trace.  Returns the items."""
    import json

    out: list[int] = []
    for rid, item_id, target, kind_key in db.conn.execute(
        "SELECT s.id, s.item_id, s.to_status, i.kind FROM status_log s JOIN items i ON i.id = s.item_id "
        "WHERE s.flag = ? AND s.id IN (SELECT value FROM json_each(?))",
        (MISREPORT, json.dumps([int(i) for i in row_ids])),
    ).fetchall():
        kind = db.defs.kind_by_key(str(kind_key))
        order = stages_of(kind) if kind.pipeline else []
        if str(target) not in order:
            continue
        beyond = order[order.index(str(target)) + 1 :]
        if beyond:
            db.conn.execute(
                f"DELETE FROM status_log WHERE item_id = ? AND id < ? AND from_status IS NOT NULL "
                f"AND to_status IN ({marks(beyond)})",
                (item_id, rid, *beyond),
            )
        out.append(int(item_id))
    return out


def keep_confirmed_funds(db: Database, batch: Sequence[tuple[str | None, str | None, int, int]]) -> int:
    """Before months of funds (``batch`` as :func:`hold` takes it) wait for 认定: a month that
    counted (confirmed) before the submission changed it keeps its confirmed figure in
    ``confirmed_domestic`` / ``confirmed_foreign_usd`` — it counts
    (:func:`zhaoshang.counted.fund_amount`) until 认定 replaces it, and after a return.  The
    figure before is the row as the submission's command found it (its first recorded
    change); a month already waiting keeps the confirmed figure it holds.  Returns the rows."""
    if not batch:
        return 0
    kept: dict[int, tuple[Any, Any]] = {}
    for rid, before in _firsts(db, "funds", {(int(r[2]), int(r[3])) for r in batch}).items():
        if before is not None and before.get("review", counted.CONFIRMED) == counted.CONFIRMED:
            kept[rid] = (before.get("domestic"), before.get("foreign_usd"))
    held = [(rid, dom, fx) for rid, (dom, fx) in kept.items() if dom is not None or fx is not None]
    for rid, dom, fx in held:
        db.conn.execute(
            "UPDATE funds SET confirmed_domestic = ?, confirmed_foreign_usd = ? WHERE id = ?", (dom, fx, rid)
        )
    return len(held)


def hold_own(db: Database, table: str, row_id: int, who: str) -> bool:
    """When the office's own entries need review (:func:`own_review`), mark the row it just
    wrote 待认定 (source: who typed it in).  Returns whether it did."""
    if db.current is None or not own_review(db):
        return False
    hold(db, table, [(f"{who} 录入", None, db.current.id, row_id)])
    return True

"""增资只计增加的金额: dated changes of a signed project's investment amount.

三明's 签约项目甄别 rule: a project counts once, at its first signing, with the amount signed;
a later 增资 (a supplementary agreement raising the investment) counts only the amount added,
in the month it happened.  A project's amount field therefore cannot simply be overwritten:

* ``zs invest add 项目 5000 --date 2026-11-03`` (:func:`add`) records an **increase** in
  ``invest_changes`` (old, new, date) and raises the field; the report counts the 5000 in
  November's 签约额, the first signing's amount where it was;
* ``zs edit 项目 投资额=…`` is a **correction** (the amount was typed wrong): the field changes and
  the first signing's amount with it, in the month of the signing — no row, nothing new counted;
* a county's sheet that changes the amount of a project the office counts as signed
  (:func:`from_submission`, called by :func:`zhaoshang.review.mark_submission`) is a
  reported change waiting for 认定: an increase when the amount went up, a correction when it
  went down; the field keeps its counted value until the office confirms (:func:`apply`).

What the figures count is defined in :mod:`zhaoshang.counted` (``signing_amount``,
``increments``): the field holds the first signing's amount plus every confirmed change.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from .counted import CHANGE_NAMES, CONFIRMED, CORRECTION, INCREASE, PENDING, REVIEW_NAMES
from .db import Database, now
from .definitions import KindDef
from .errors import NotFoundError, ZsError
from .stages import effective, first_reached_item, hold, hold_own, own_review, signing_stage

__all__ = [
    "AMOUNT_FIELDS",
    "Added",
    "Change",
    "add",
    "amount_fields",
    "apply",
    "changes",
    "from_submission",
    "held_by",
    "hold_edit",
    "record_increase",
]

#: the money fields whose changes are investment changes (the report's 签约额 and 签约外资额:
#: reports/_ranking.yaml ``amount`` / ``foreign_amount`` name these by default)
AMOUNT_FIELDS = ("investment", "foreign_investment")


@dataclass(frozen=True)
class Change:
    """One change of a project's investment amount."""

    id: int
    item_id: int
    title: str
    field: str
    label: str  # the field's label (投资额)
    unit: str  # 万元 / 万美元
    change: str  # increase | correction
    date: str
    old: float | None
    new: float
    note: str | None
    review: str
    source: str | None
    evidence: str | None
    user: str
    at: str

    @property
    def delta(self) -> float:
        return self.new - (self.old or 0.0)

    def as_dict(self) -> dict[str, Any]:
        out = dict(self.__dict__)
        out["delta"] = self.delta
        out["change_name"] = CHANGE_NAMES[self.change]
        out["review_name"] = REVIEW_NAMES.get(self.review, self.review)
        return out


@dataclass(frozen=True)
class Added:
    """What :func:`add` did."""

    change: Change
    #: 待认定 (the office's own entries need review, or a 填报 account): the field keeps its value
    pending: bool
    #: the project has no confirmed signing yet: the increase counts with its first signing
    unsigned: bool


def amount_fields(kind: KindDef) -> list[str]:
    """The fields of ``kind`` whose changes are investment changes."""
    keys = {f.key: f for f in kind.fields}
    return [k for k in AMOUNT_FIELDS if k in keys and keys[k].type == "money"]


def signed_on(db: Database, kind: KindDef, item_id: int) -> str | None:
    """The day the project first reached its signing stage by a confirmed move (None: not signed)."""
    stage = signing_stage(kind)
    return None if stage is None else first_reached_item(db, kind, item_id, stage)


_SELECT = (
    "SELECT x.id, x.item_id, i.title, i.kind, x.field, x.change, x.date, x.old, x.new, x.note, x.review, "
    "x.source, x.evidence, x.user, x.at FROM invest_changes x JOIN items i ON i.id = x.item_id"
)


def _change(db: Database, r: Sequence[Any]) -> Change:
    kind = db.defs.kind_by_key(str(r[3]))
    try:
        f = kind.field(str(r[4]))
        label, unit = f.label, f.unit_label
    except KeyError:
        label, unit = str(r[4]), ""
    return Change(
        int(r[0]), int(r[1]), str(r[2]), str(r[4]), label, unit, str(r[5]), str(r[6]),
        None if r[7] is None else float(r[7]), float(r[8]), r[9], str(r[10]), r[11], r[12], str(r[13]), str(r[14]),
    )  # fmt: skip


def changes(db: Database, item_id: int | None = None, *, ids: Iterable[int] | None = None) -> list[Change]:
    """The investment changes (of one project, or the rows ``ids``), by date then id."""
    conds: list[str] = []
    args: list[Any] = []
    if item_id is not None:
        conds.append("x.item_id = ?")
        args.append(item_id)
    if ids is not None:
        conds.append("x.id IN (SELECT value FROM json_each(?))")
        args.append(json.dumps(sorted({int(i) for i in ids})))
    sql = _SELECT + (" WHERE " + " AND ".join(conds) if conds else "") + " ORDER BY x.date, x.id"
    return [_change(db, r) for r in db.conn.execute(sql, args)]


def _kind_of(db: Database, item_id: int) -> KindDef:
    row = db.conn.execute("SELECT kind FROM items WHERE id = ?", (item_id,)).fetchone()
    if row is None:
        raise NotFoundError(f"没有编号为 {item_id} 的条目：用 zs list 或 zs search 查找编号")
    return db.defs.kind_by_key(str(row[0]))


def _field_value(db: Database, kind: KindDef, item_id: int, field: str) -> float | None:
    row = db.conn.execute(f'SELECT "{field}" FROM "{kind.table}" WHERE id = ?', (item_id,)).fetchone()
    return None if row is None or row[0] is None else float(row[0])


def _resolve_field(kind: KindDef, foreign: bool) -> str:
    fields = amount_fields(kind)
    want = "foreign_investment" if foreign else "investment"
    if want not in fields:
        what = "外资额（万美元）" if foreign else "投资额（万元）"
        raise ZsError(f"「{kind.name}」没有{what}字段（{want}）：增资只能记在有投资额的项目上")
    return want


def add(
    db: Database,
    item_id: int,
    amount: object,
    *,
    on: str | date | None,
    foreign: bool = False,
    note: str | None = None,
    evidence: str | None = None,
) -> Added:
    """增资: the project's investment (``foreign``: its foreign investment) went up by ``amount``
    (万元 / 万美元) on ``on``; inside the current command.  Counts that increment in the month
    of ``on`` once confirmed (the office's own entries are, unless ``zs review own 开``)."""
    from .parse import parse_money
    from .values import check_money

    if db.current is None:
        raise RuntimeError("add runs inside db.command()")
    kind = _kind_of(db, item_id)
    field = _resolve_field(kind, foreign)
    currency = "USD" if foreign else "CNY"
    try:
        inc = parse_money(amount, currency=currency)
    except ZsError as exc:
        raise ZsError(f"增资金额：{exc.message}") from None
    if inc <= 0:
        raise ZsError(
            f"增资金额「{amount}」应大于 0：增资只记增加的金额；"
            f"投资额原来填错了，用 zs edit {item_id} 投资额=正确金额 更正"
        )
    day = effective(on, what="增资日期")
    old = _field_value(db, kind, item_id, field)
    new = (old or 0.0) + inc
    check_money(new, currency)
    row_id = db.dialect.insert_id(
        db.conn,
        "INSERT INTO invest_changes(item_id, field, change, date, old, new, note, evidence, source, user, at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (item_id, field, INCREASE, day, old, new, note, evidence, f"{db.current.user} 录入", db.current.user, now()),
    )
    hold_own(db, "invest_changes", row_id, db.current.user)
    state = db.conn.execute("SELECT review FROM invest_changes WHERE id = ?", (row_id,)).fetchone()[0]
    if state == CONFIRMED:  # (a 填报 account's row is pending whatever it asked: the database decides)
        apply(db, [row_id])
    (change,) = changes(db, ids=[row_id])
    return Added(change, state == PENDING, signed_on(db, kind, item_id) is None)


def record_increase(
    db: Database, item_id: int, field: str, old: float | None, new: float, *, on: str, source: str
) -> int:
    """增资 an import wrote itself (the field already holds ``new``): record it, confirmed, dated
    ``on`` — the increment counts in that month, the first signing's amount stays.  Inside
    the command of the import; returns the ``invest_changes`` id."""
    if db.current is None:
        raise RuntimeError("record_increase runs inside db.command()")
    return db.dialect.insert_id(
        db.conn,
        "INSERT INTO invest_changes(item_id, field, change, date, old, new, source, user, at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (item_id, field, INCREASE, on, old, new, source, db.current.user, now()),
    )


def apply(db: Database, ids: Iterable[int]) -> list[int]:
    """Put confirmed changes into their items' amount fields (the field moves by each row's
    new - old: what else changed it in between stays).  Returns the items changed."""
    done: list[int] = []
    for c in changes(db, ids=ids):
        kind = db.defs.kind_by_key(
            str(db.conn.execute("SELECT kind FROM items WHERE id = ?", (c.item_id,)).fetchone()[0])
        )
        db.conn.execute(
            f'UPDATE "{kind.table}" SET "{c.field}" = coalesce("{c.field}", 0) + ? WHERE id = ?', (c.delta, c.item_id)
        )
        done.append(c.item_id)
    return sorted(set(done))


def from_submission(
    db: Database,
    command_id: int,
    *,
    on: str,
    source: str | dict[int, str | None] | None = None,
    evidence: str | dict[int, str | None] | None = None,
) -> list[int]:
    """A reported sheet (the import ``command_id``, under review) that changed the amount of a
    project the office counts as signed reported an investment change: record it 待认定 (an
    increase when the amount went up, a correction when down; dated ``on``) and put the field
    back to its counted value until the office confirms.  ``source`` / ``evidence``: one text
    or {item id: text}.  Returns the ``invest_changes`` ids written."""
    if db.current is None:
        raise RuntimeError("from_submission runs inside db.command()")
    written: list[int] = []
    tables = {k.table: k for k in db.defs.kinds if amount_fields(k)}
    if not tables:
        return written
    marks = ", ".join("?" * len(tables))
    found = db.conn.execute(
        f"SELECT tbl, row_id, old, new FROM changes WHERE command_id = ? AND action = 'update' AND tbl IN ({marks}) "
        "ORDER BY id",
        (command_id, *tables),
    ).fetchall()
    first: dict[tuple[int, str], float | None] = {}
    kinds: dict[int, KindDef] = {}
    for tbl, row_id, old_json, _new_json in found:
        kind = tables[str(tbl)]
        before = json.loads(old_json) if old_json else {}
        for field in amount_fields(kind):
            key = (int(row_id), field)
            if key not in first and field in before:
                first[key] = None if before[field] is None else float(before[field])
                kinds[int(row_id)] = kind
    for (item_id, field), old in first.items():
        kind = kinds[item_id]
        now_value = _field_value(db, kind, item_id, field)
        if now_value == old or now_value is None:
            continue
        if signed_on(db, kind, item_id) is None:
            continue  # not signed yet: the amount counts with its first signing as reported
        change = INCREASE if now_value > (old or 0.0) else CORRECTION
        src = source if source is None or isinstance(source, str) else source.get(item_id)
        evi = evidence if evidence is None or isinstance(evidence, str) else evidence.get(item_id)
        row_id = db.dialect.insert_id(
            db.conn,
            "INSERT INTO invest_changes(item_id, field, change, date, old, new, source, evidence, submitted_by, "
            "user, at, review) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (item_id, field, change, on, old, now_value, src, evi, command_id, db.current.user, now(), PENDING),
        )
        db.conn.execute(f'UPDATE "{kind.table}" SET "{field}" = ? WHERE id = ?', (old, item_id))
        written.append(row_id)
    # changes an edit of the same command already held (zs review own 开 during the import):
    # they came from the sheet's rows
    for row_id, item_id in db.conn.execute(
        "SELECT id, item_id FROM invest_changes WHERE submitted_by = ? AND review = ?", (command_id, PENDING)
    ).fetchall():
        src = source if source is None or isinstance(source, str) else source.get(int(item_id))
        evi = evidence if evidence is None or isinstance(evidence, str) else evidence.get(int(item_id))
        db.conn.execute(
            "UPDATE invest_changes SET source = coalesce(?, source), evidence = coalesce(?, evidence) WHERE id = ?",
            (src, evi, row_id),
        )
    return written


def hold_edit(db: Database, kind: KindDef, item_id: int, before: dict[str, Any]) -> list[int]:
    """After an edit of a project's fields (``before``: the values it changed, as they were):
    when the office's own entries need review (zs review own 开, a server's 填报 account), a
    changed investment amount of a project counted as signed is a reported change like a
    county's — 待认定 (an increase when it went up, a correction when down; dated today), the
    field back to its counted value until confirmed.  Inside the command of the edit.
    Returns the ``invest_changes`` ids written."""
    if db.current is None or not own_review(db):
        return []
    fields = [f for f in amount_fields(kind) if f in before]
    if not fields or signed_on(db, kind, item_id) is None:
        return []
    written: list[int] = []
    for field in fields:
        old = None if before[field] is None else float(before[field])
        new = _field_value(db, kind, item_id, field)
        if new is None or new == old:
            continue
        change = INCREASE if new > (old or 0.0) else CORRECTION
        row_id = db.dialect.insert_id(
            db.conn,
            "INSERT INTO invest_changes(item_id, field, change, date, old, new, user, at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (item_id, field, change, effective(None), old, new, db.current.user, now()),
        )
        hold(db, "invest_changes", [(f"{db.current.user} 录入", None, db.current.id, row_id)])
        db.conn.execute(f'UPDATE "{kind.table}" SET "{field}" = ? WHERE id = ?', (old, item_id))
        written.append(row_id)
    return written


def held_by(db: Database, command_id: int | None) -> list[Change]:
    """The changes the command ``command_id`` left 待认定 (an edit under review, an import)."""
    if command_id is None:
        return []
    ids = [int(r[0]) for r in db.conn.execute(
        "SELECT id FROM invest_changes WHERE submitted_by = ? AND review = ?", (command_id, PENDING)
    )]  # fmt: skip
    return changes(db, ids=ids) if ids else []


def pending_ids(db: Database, item_ids: Iterable[int]) -> list[int]:
    """The 待认定 changes of these items."""
    return [
        int(r[0])
        for r in db.conn.execute(
            "SELECT id FROM invest_changes WHERE review = ? AND item_id IN (SELECT value FROM json_each(?))",
            (PENDING, json.dumps(sorted({int(i) for i in item_ids}))),
        )
    ]

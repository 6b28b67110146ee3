"""报送 → 认定: the review queue of figures other units reported.

A stage move (``status_log``) or a month's funds (``funds``) that another unit reported — a
county's sheet, a roll-up workbook — arrives 待认定 (:func:`mark_pending`, called by the
import) and counts only once the office confirms it (:func:`confirm`); the office may send it
back with a reason (:func:`return_rows`).  What "counts" is defined once, in
:mod:`zhaoshang.counted`; while a row waits, its item keeps the status and stage dates of its
confirmed moves (:func:`zhaoshang.stages.follow_confirmed`) and nothing else is lost.

Every decision is a change of the row's ``review`` columns inside a recorded command, so
``zs history`` shows who confirmed what, when and why, and ``zs undo`` takes it back.

Rows are named by a reference: a stage move by its number in the log (``12``), a month's funds
by ``F`` and its number (``F3``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from . import counted
from .counted import CONFIRMED, PENDING, RETURNED, REVIEW_NAMES
from .db import Database, now
from .errors import ZsError
from .stages import (
    MISREPORT,
    OWN_REVIEW_KEY,
    apply_corrections,
    follow_confirmed,
    hold,
    paused_dates,
    reached_stages,
    real_today,
    stages_of,
    withdraw_misreports,
)

__all__ = [
    "CONFIRMED",
    "PENDING",
    "RETURNED",
    "Decision",
    "Entry",
    "Marked",
    "UnitReport",
    "confirm",
    "mark_pending",
    "mark_submission",
    "outstanding_returns",
    "own_review",
    "queue",
    "return_rows",
    "returned_text",
    "returned_what",
    "set_own_review",
    "submission_status",
]

#: the meta key of the setting "the office's own entries need review too" ('1' / '0')
OWN_KEY = OWN_REVIEW_KEY
#: a period's figures are 补认定 when confirmed more than this many days after the period
#: ended: the office makes a month's report in the first days of the next month
CLOSE_DAYS = 5

_REF = re.compile(r"^\s*([fFzZ]|资金|增资)?\s*(\d+)\s*$")


# ---------------------------------------------------------------------------------------
# Result objects
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One reported row (a stage move or a month's funds) with what it would change."""

    ref: str  # "12" (stage move) or "F3" (funds)
    table: str  # status_log | funds
    row_id: int
    item_id: int
    title: str
    kind: str  # the kind's name (招什么 …)
    unit: str | None
    what: str  # 新增 / 阶段变更 / 到位资金
    from_status: str | None
    to_status: str | None
    date: str  # effective date (funds: the month)
    month: str  # the month it counts in (YYYY-MM)
    figure: str  # the figure it changes once confirmed, for people
    review: str
    evidence: str | None
    source: str | None
    submission: int | None  # the command (import) that brought it
    user: str
    at: str
    reviewed_by: str | None
    reviewed_at: str | None
    review_note: str | None
    #: what the reviewer should know before confirming: a move that would count nothing
    #: again (a second signing), a new project like one already listed (二期? the same one?)
    warnings: tuple[str, ...] = ()
    #: a correction of a confirmed move's date (what = 日期更正): the date it replaces
    corrects: str | None = None

    def as_dict(self) -> dict[str, Any]:
        out = dict(self.__dict__)
        out["warnings"] = list(self.warnings)
        out["review_name"] = REVIEW_NAMES.get(self.review, self.review)
        return out


@dataclass
class Marked:
    """What :func:`mark_pending` did."""

    moves: int = 0
    funds: int = 0
    #: investment changes (增资, 更正) of signed projects the sheet reported
    invests: int = 0
    #: items whose status or stage date fields went back to what their confirmed moves say
    items_followed: list[int] = field(default_factory=list)


@dataclass
class Decision:
    """What :func:`confirm` / :func:`return_rows` did."""

    state: str  # confirmed | returned
    entries: list[Entry]
    #: rows asked for that could not take that state (already in it, or confirmed), as
    #: "12（已认定）" (nothing done to them)
    unchanged: list[str] = field(default_factory=list)
    items_followed: list[int] = field(default_factory=list)


@dataclass
class UnitReport:
    """What one unit submitted in a month (``zs review status``)."""

    unit_id: int | None
    unit: str
    submissions: int
    first_at: str | None
    last_at: str | None
    rows: int
    pending: int
    confirmed: int
    returned: int

    @property
    def sent(self) -> bool:
        return self.rows > 0

    def as_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "sent": self.sent}


# ---------------------------------------------------------------------------------------
# The setting: do the office's own entries need review?
# ---------------------------------------------------------------------------------------


def own_review(db: Database) -> bool:
    """Whether the office's own entries (zs stage, add, fund …) need review too.  Default no:
    an office of one does not review itself."""
    from .stages import own_review as own

    return own(db)


def set_own_review(db: Database, on: bool) -> bool:
    """Set :func:`own_review` (inside a command); returns the old value."""
    old = own_review(db)
    db.conn.execute(
        "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (OWN_KEY, "1" if on else "0"),
    )
    return old


# ---------------------------------------------------------------------------------------
# Marking rows pending: the hook of the import
# ---------------------------------------------------------------------------------------


def _per_row(value: str | Mapping[int, str | None] | None, row_id: int) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return value.get(row_id)


def mark_pending(
    db: Database,
    move_ids: Iterable[int] = (),
    *,
    fund_ids: Iterable[int] = (),
    source: str | Mapping[int, str | None] | None = None,
    evidence: str | Mapping[int, str | None] | None = None,
    fund_source: str | Mapping[int, str | None] | None = None,
    fund_evidence: str | Mapping[int, str | None] | None = None,
    submission: int | None = None,
) -> Marked:
    """Mark stage moves (``status_log`` ids) and fund rows (``funds`` ids) 待认定, inside the
    current command (the import that wrote them): they stop counting until the office
    confirms them, and their items go back to the status and stage dates of their confirmed
    moves.  ``source`` / ``evidence``: one text for all, or {id: text} per row (file / sheet /
    row; 合同编号, 入统编号 …).  ``submission``: the command the rows were submitted by
    (default: the current one).  A row already returned is pending again (the unit resubmitted)."""
    if db.current is None:
        raise RuntimeError("mark_pending runs inside db.command()")
    cid = submission if submission is not None else db.current.id
    out = Marked()
    followed: list[int] = []
    for table, ids, src, evi in (
        ("status_log", move_ids, source, evidence),
        ("funds", fund_ids, fund_source, fund_evidence),
    ):
        rows = [(_per_row(src, i), _per_row(evi, i), cid, i) for i in dict.fromkeys(int(x) for x in ids)]
        if table == "status_log":
            out.moves = len(rows)
        else:
            out.funds = len(rows)
        followed += hold(db, table, rows)
    out.items_followed = followed
    return out


def mark_submission(
    db: Database,
    *,
    command_id: int | None = None,
    source: str | Mapping[int, str | None] | None = None,
    evidence: str | Mapping[int, str | None] | None = None,
    on: str | date | None = None,
) -> Marked:
    """Mark 待认定 every stage move and fund row that the command ``command_id`` (default: the
    current one — the import of another unit's sheet) inserted or changed, whether its
    history holds them row by row or as a bulk range.  ``source`` / ``evidence``: one text,
    or {item id: text} (the sheet row each item came from; its 合同编号 …).  The submission is
    that command.  Call it inside a command, after the import's writes are done.

    A changed investment amount of a project the office counts as signed becomes a 待认定
    investment change (:func:`zhaoshang.increments.from_submission`: 增资 when it went up),
    dated ``on`` (the import's --as-of) — without it, the latest date of the stage moves the
    submission brings, else today.  Without ``evidence``, an item's evidence is its 备注 as the
    sheet gave it (where sheets write 合同编号 HT-2026-031), when the submission set it."""
    if db.current is None:
        raise RuntimeError("mark_submission runs inside db.command()")
    cid = command_id if command_id is not None else db.current.id
    from .increments import from_submission

    if on is None:
        latest = db.conn.execute(
            "SELECT max(s.date) FROM changes c JOIN status_log s ON s.id BETWEEN c.row_id AND "
            "coalesce(c.last_row_id, c.row_id) WHERE c.command_id = ? AND c.tbl = 'status_log'",
            (cid,),
        ).fetchone()
        on = latest[0] if latest and latest[0] else None
    day = on.isoformat() if isinstance(on, date) else (str(on) if on else real_today().isoformat())
    item_text = dict(source) if isinstance(source, Mapping) else source
    item_evidence = dict(evidence) if isinstance(evidence, Mapping) else evidence
    if evidence is None:
        item_evidence = evidence = _sheet_notes(db, cid)
    invests = from_submission(db, cid, on=day, source=item_text, evidence=item_evidence)
    items_of: dict[str, dict[int, int]] = {}
    for table in ("status_log", "funds"):
        spans = db.conn.execute(
            "SELECT row_id, coalesce(last_row_id, row_id) FROM changes WHERE command_id = ? AND tbl = ? "
            "AND action IN ('insert', 'update')",
            (cid, table),
        ).fetchall()
        wanted = list(dict.fromkeys(i for first, last in spans for i in range(int(first), int(last) + 1)))
        found: dict[int, int] = {}  # row id -> item id (rows deleted since are left out)
        for start in range(0, len(wanted), 5000):
            chunk = wanted[start : start + 5000]
            sql = f"SELECT id, item_id FROM {table} WHERE id IN (SELECT value FROM json_each(?))"
            found.update((int(r), int(i)) for r, i in db.conn.execute(sql, (_json(chunk),)))
        items_of[table] = found

    def per_row(value: str | Mapping[int, str | None] | None, rows: dict[int, int]) -> Any:
        if value is None or isinstance(value, str):
            return value
        return {row: value.get(item) for row, item in rows.items()}

    moves, funds = items_of["status_log"], items_of["funds"]
    marked = mark_pending(
        db,
        list(moves),
        fund_ids=list(funds),
        source=per_row(source, moves),
        evidence=per_row(evidence, moves),
        fund_source=per_row(source, funds),
        fund_evidence=per_row(evidence, funds),
        submission=cid,
    )
    # (with zs review own 开 the import's own edits held some already: they are this submission's too)
    held = db.conn.execute(
        "SELECT count(*) FROM invest_changes WHERE submitted_by = ? AND review = ?", (cid, PENDING)
    ).fetchone()[0]
    marked.invests = max(len(invests), int(held))
    return marked


#: how much of a 备注 is kept as a row's evidence
EVIDENCE_CHARS = 80


def _sheet_notes(db: Database, cid: int) -> dict[int, str | None]:
    """{item id: its 备注} for the items the command ``cid`` added or whose 备注 it changed."""
    import json

    out: dict[int, str | None] = {}
    new_ids: list[int] = []
    for first, last, old, new in db.conn.execute(
        "SELECT row_id, last_row_id, old, new FROM changes WHERE command_id = ? AND tbl = 'items' "
        "AND action IN ('insert', 'update')",
        (cid,),
    ):
        if last is not None:  # a range of new items
            new_ids.extend(range(int(first), int(last) + 1))
            continue
        before = json.loads(old) if old else {}
        after = json.loads(new) if new else {}
        if after.get("notes") and after.get("notes") != before.get("notes"):
            out[int(first)] = str(after["notes"])[:EVIDENCE_CHARS]
    for start in range(0, len(new_ids), 5000):
        chunk = new_ids[start : start + 5000]
        for iid, notes in db.conn.execute(
            "SELECT id, notes FROM items WHERE notes IS NOT NULL AND id IN (SELECT value FROM json_each(?))",
            (_json(chunk),),
        ):
            out[int(iid)] = str(notes)[:EVIDENCE_CHARS]
    return out


def _items_of(db: Database, table: str, ids: Sequence[int]) -> list[int]:
    found: list[int] = []
    for start in range(0, len(ids), 500):
        chunk = list(ids[start : start + 500])
        marks = ", ".join("?" * len(chunk))
        found += [
            int(r[0]) for r in db.conn.execute(f"SELECT DISTINCT item_id FROM {table} WHERE id IN ({marks})", chunk)
        ]
    return found


# ---------------------------------------------------------------------------------------
# Reading the queue
# ---------------------------------------------------------------------------------------


def _ref_list(prefix: str | None, moves: list[int], funds: list[int], invests: list[int]) -> list[int]:
    if not prefix:
        return moves
    return invests if prefix in ("z", "Z", "增资") else funds


def parse_refs(refs: Iterable[str]) -> tuple[list[int], list[int], list[int]]:
    """(stage move ids, fund ids, investment change ids) from references as people write
    them: 12、12,13、12-15、F3、Z2."""
    moves: list[int] = []
    funds: list[int] = []
    invests: list[int] = []
    for token in refs:
        for part in re.split(r"[,，、\s]+", str(token).strip()):
            if not part:
                continue
            rng = re.match(r"^([fFzZ]|资金|增资)?(\d+)-([fFzZ]|资金|增资)?(\d+)$", part)
            if rng:
                lo, hi = int(rng.group(2)), int(rng.group(4))
                if hi < lo or hi - lo > 10000:
                    raise ZsError(f"「{part}」不是有效的编号范围：请写成 12-15（前小后大，最多 10000 个）")
                _ref_list(rng.group(1), moves, funds, invests).extend(range(lo, hi + 1))
                continue
            m = _REF.match(part)
            if not m:
                raise ZsError(
                    f"「{part}」不是待认定记录的编号：阶段变更写数字（如 12），到位资金写 F 加数字（如 F3），"
                    "投资额变更（增资）写 Z 加数字（如 Z2）"
                )
            _ref_list(m.group(1), moves, funds, invests).append(int(m.group(2)))
    return moves, funds, invests


_MOVE_SELECT = (
    "SELECT 'status_log', s.id, s.item_id, i.title, i.kind, u.name, s.from_status, s.to_status, s.date, "
    "NULL, NULL, s.review, s.evidence, s.source, s.submitted_by, s.user, s.at, s.reviewed_by, s.reviewed_at, "
    "s.review_note FROM status_log s JOIN items i ON i.id = s.item_id JOIN chains c ON c.id = i.chain_id "
    "LEFT JOIN units u ON u.id = i.unit_id"
)
_FUND_SELECT = (
    "SELECT 'funds', s.id, s.item_id, i.title, i.kind, u.name, NULL, NULL, s.month, s.domestic, s.foreign_usd, "
    "s.review, s.evidence, s.source, s.submitted_by, s.user, s.at, s.reviewed_by, s.reviewed_at, s.review_note "
    "FROM funds s JOIN items i ON i.id = s.item_id JOIN chains c ON c.id = i.chain_id "
    "LEFT JOIN units u ON u.id = i.unit_id"
)
#: (the change's kind and field in the places of from_status / to_status; old and new amounts
#: in those of the funds)
_INVEST_SELECT = (
    "SELECT 'invest_changes', s.id, s.item_id, i.title, i.kind, u.name, s.change, s.field, s.date, s.old, s.new, "
    "s.review, s.evidence, s.source, s.submitted_by, s.user, s.at, s.reviewed_by, s.reviewed_at, s.review_note "
    "FROM invest_changes s JOIN items i ON i.id = s.item_id JOIN chains c ON c.id = i.chain_id "
    "LEFT JOIN units u ON u.id = i.unit_id"
)


def queue(
    db: Database,
    *,
    refs: Iterable[str] = (),
    where: Sequence[str] = (),
    submission: int | None = None,
    states: Sequence[str] = (PENDING,),
) -> list[Entry]:
    """The reported rows in ``states`` (default 待认定), chosen by references, ``where``
    conditions on their items (字段=值, as zs list) and/or a submission (an import's command
    number); grouped by unit (in the units' order) and kind, oldest first within a group."""
    move_ids, fund_ids, invest_ids = parse_refs(refs)
    chosen = bool(move_ids or fund_ids or invest_ids)
    conds: list[str] = []
    params: list[Any] = []
    if states:
        conds.append(f"s.review IN ({', '.join('?' * len(states))})")
        params += list(states)
    if submission is not None:
        conds.append("s.submitted_by = ?")
        params.append(submission)
    if where:
        from .items import where_clause

        for expr in where:
            sql, values = where_clause(db, None, expr)
            conds.append(sql)
            params += values
    rows: list[tuple[Any, ...]] = []
    for select, ids in ((_MOVE_SELECT, move_ids), (_FUND_SELECT, fund_ids), (_INVEST_SELECT, invest_ids)):
        if chosen and not ids:
            continue
        extra = list(conds)
        args = list(params)
        if ids:
            extra.append("s.id IN (SELECT value FROM json_each(?))")
            args.append(_json(ids))
        sql = select + (" WHERE " + " AND ".join(extra) if extra else "")
        rows += db.conn.execute(sql, args).fetchall()
    if chosen:
        found = {(r[0], int(r[1])) for r in rows}
        missing = [str(i) for i in move_ids if ("status_log", i) not in found]
        missing += [f"F{i}" for i in fund_ids if ("funds", i) not in found]
        missing += [f"Z{i}" for i in invest_ids if ("invest_changes", i) not in found]
        if missing:
            which = "待认定的记录" if tuple(states) == (PENDING,) else "报送记录"
            raise ZsError(
                f"没有编号为 {'、'.join(missing[:10])}{'等' if len(missing) > 10 else ''} 的{which}："
                "请用 zs review 查看待认定的记录和编号"
            )
    entries = _with_warnings(db, [_entry(db, r) for r in rows])
    kinds = {k.key: i for i, k in enumerate(db.defs.kinds)}
    units = {str(name): i for i, (name,) in enumerate(db.conn.execute("SELECT name FROM units ORDER BY id"))}
    entries.sort(
        key=lambda e: (
            units.get(e.unit or "", len(units)),
            kinds.get(_kind_key(db, e.kind), 99),
            e.at,
            e.table,
            e.row_id,
        )
    )
    return entries


def _json(ids: Sequence[int]) -> str:
    import json

    return json.dumps(list(ids))


def _kind_key(db: Database, name: str) -> str:
    try:
        return db.defs.kind(name).key
    except ZsError:
        return name


def _entry(db: Database, r: Sequence[Any]) -> Entry:
    table, row_id, item_id, title, kind_key, unit = r[0], int(r[1]), int(r[2]), str(r[3]), str(r[4]), r[5]
    kind = db.defs.kind_by_key(kind_key)
    before_date: str | None = None
    if table == "funds":
        month = str(r[8])
        parts = []
        if r[9]:
            parts.append(f"国内 {r[9]:g} 万元")
        if r[10]:
            parts.append(f"外资 {r[10]:g} 万美元")
        what, figure, ref = "到位资金", f"计入 {month}：到位资金 {'、'.join(parts) or '0'}", f"F{row_id}"
        held = db.conn.execute(
            "SELECT confirmed_domestic, confirmed_foreign_usd FROM funds WHERE id = ?", (row_id,)
        ).fetchone()
        if held is not None and (held[0] is not None or held[1] is not None):
            was = [f"国内 {held[0]:g} 万元"] if held[0] else []
            was += [f"外资 {held[1]:g} 万美元"] if held[1] else []
            # (a change of a month already counted: the confirmed figure counts until 认定)
            what = "到位资金更改"
            figure += f"（替换已认定的 {'、'.join(was) or '0'}；认定前仍计已认定数）"
        from_status = to_status = None
    elif table == "invest_changes":
        what, figure, month = _invest_figure(db, kind, item_id, str(r[6]), str(r[7]), str(r[8]), r[9], float(r[10]))
        ref, from_status, to_status = f"Z{row_id}", None, None
    else:
        from_status, to_status = r[6], str(r[7])
        month = str(r[8])[:7]
        ref = str(row_id)
        fixes = db.conn.execute("SELECT corrects, flag FROM status_log WHERE id = ?", (row_id,)).fetchone()
        if fixes is not None and fixes[1] == MISREPORT:  # a county withdrawing an earlier report
            what = "误报撤回"
            figure = f"撤回此前报的「{from_status}」等阶段：认定后任何月份都不再计入，阶段日期清空（认定前照原来计入）"
        elif fixes is not None and fixes[0] is not None:  # a correction of a confirmed move's date
            before, day = str(fixes[0]), str(r[8])
            before_date = before
            what = "日期更正"
            moved = f"计入月份 {before[:7]} → {month}" if before[:7] != month else f"仍计入 {month}"
            figure = f"「{to_status}」日期 {before} → {day}：{moved}"
            if str(r[11]) != CONFIRMED:
                figure += f"（认定前仍按 {before} 计）"
            elif before[:7] != month:
                figure += f"（{before[:7]} 的数字因此减少）"
        elif from_status is None:
            what, figure = "新增", f"计入 {month}：新增（以「{to_status}」建档）"
        else:
            what = "阶段变更"
            firsts = _first_reached(db, kind, item_id, to_status, str(r[8]), row_id)
            figure = (
                f"计入 {month}：首次达到{'、'.join(f'「{s}」' for s in firsts)}"
                if firsts
                else f"不新增计数（「{to_status}」此前已达到，只改变当前状态）"
            )
    return Entry(
        ref=ref,
        table=table,
        row_id=row_id,
        item_id=item_id,
        title=title,
        kind=kind.name,
        unit=unit,
        what=what,
        from_status=from_status,
        to_status=to_status,
        date=str(r[8]),
        month=month,
        figure=figure,
        review=str(r[11]),
        evidence=r[12],
        source=r[13],
        submission=r[14],
        user=str(r[15]),
        at=str(r[16]),
        reviewed_by=r[17],
        reviewed_at=r[18],
        review_note=r[19],
        corrects=before_date,
    )


def _invest_figure(
    db: Database, kind: Any, item_id: int, change: str, field: str, day: str, old: float | None, new: float
) -> tuple[str, str, str]:
    """(what, the figure it changes once confirmed, the month it counts in) of an investment
    change: an increase counts its increment in its own month (or with the first signing, if
    it came before it); a correction puts the first signing's amount right."""
    from .increments import signed_on

    try:
        f = kind.field(field)
        label, unit = f.label, f.unit_label
    except KeyError:
        label, unit = field, ""
    delta = new - (old or 0.0)
    was = f"{label} {old or 0:g} → {new:g} {unit}"
    signed = signed_on(db, kind, item_id)
    if change == counted.CORRECTION:
        at = (signed or day)[:7]
        where = f"首次签约（{signed[:7]}）的签约额" if signed else "首次签约时的签约额"
        return "投资额更正", f"更正{where} {delta:+g} {unit}（{was}），不是新增的签约额", at
    if signed is None:
        return "增资", f"项目尚未签约：增加的 {delta:g} {unit}并入首次签约额（{was}）", day[:7]
    month = max(day, signed)[:7]
    return "增资", f"计入 {month}：签约额增加 {delta:g} {unit}（{was}）", month


#: 一期 / 二期 / 三期 … at the end of a project's name: the same project's phases
_PHASE = re.compile(r"[（(]?[一二三四五六七八九十\d]+期(?:工程|项目)?[）)]?$")


def _base_title(title: str) -> str:
    from .names import fold

    text = re.sub(r"\s+", "", fold(title)).removesuffix("项目")
    return _PHASE.sub("", text).removesuffix("项目")


def _phase(title: str) -> str:
    """The phase a project's name ends with (二期), or ''."""
    from .names import fold

    m = _PHASE.search(re.sub(r"\s+", "", fold(title)).removesuffix("项目"))
    return m.group(0).strip("（()）") if m else ""


def _company(db: Database, kind: Any, item_id: int) -> str | None:
    """The project's investor (its ``company`` field), folded for comparing; None: none."""
    from .names import fold

    if not any(f.key == "company" for f in kind.fields):
        return None
    row = db.conn.execute(f'SELECT company FROM "{kind.table}" WHERE id = ?', (item_id,)).fetchone()
    return fold(str(row[0])).strip() if row and row[0] else None


def _with_warnings(db: Database, entries: list[Entry]) -> list[Entry]:
    """The no-double-count rules (三明 签约项目甄别) as warnings for the reviewer, each saying
    why: a signing of a project already signed counts nothing (a 增资 counts only its increment:
    zs invest add); a new project named like one already listed is the same project (return
    it) — also when only its investor changed (a change of owner keeps the project) — unless
    its name says another phase (二期: a new project, counted, linked to the first); an
    investment change of a project not yet signed counts with its first signing; a smaller
    amount is a correction of the first signing, not a new figure."""
    new = [e for e in entries if e.what == "新增"]
    titles: dict[tuple[str, str], list[tuple[int, str]]] = {}
    if new:
        for kind in {e.kind for e in new}:
            key = db.defs.kind(kind).key
            for iid, title in db.conn.execute("SELECT id, title FROM items WHERE kind = ?", (key,)):
                titles.setdefault((kind, _base_title(str(title))), []).append((int(iid), str(title)))
    out: list[Entry] = []
    for e in entries:
        notes: list[str] = []
        if e.what == "新增":
            like = [(i, t) for i, t in titles.get((e.kind, _base_title(e.title)), []) if i != e.item_id]
            kdef = db.defs.kind(e.kind)
            for i, t in like[:3]:
                mine, theirs = _phase(e.title), _phase(t)
                if mine != theirs and (mine or theirs):
                    notes.append(
                        f"与编号 {i}「{t}」是同一项目的不同期（{mine or '首期'} / {theirs or '首期'}）：二期作为新项目"
                        f"计数，不算重复；请在备注写明关联编号 {i}"
                    )
                    continue
                a, b = _company(db, kdef, e.item_id), _company(db, kdef, i)
                if a and b and a != b:
                    notes.append(
                        f"与编号 {i}「{t}」同名、投资方不同：投资方变更仍是同一项目（不重新计数、不算新签约），"
                        f"请退回，在编号 {i} 上改投资方"
                    )
                else:
                    notes.append(f"与编号 {i}「{t}」名称相同或相近：同一项目请退回（一个项目只在首次签约时计数）")
        elif e.table == "status_log" and e.figure.startswith("不新增计数"):
            notes.append(
                f"「{e.to_status}」此前已达到：同一项目再次签约不重复计数；增资只计增加的金额，"
                f"用 zs invest add {e.item_id} 金额 --date 日期 记增资；二期是新项目，应作为新项目报送"
            )
        elif e.table == "invest_changes" and e.figure.startswith("项目尚未签约"):
            notes.append("项目尚未签约：增资不单独计数，并入首次签约额")
        elif e.what == "投资额更正":
            notes.append("投资额减少：按更正处理（改首次签约额），不是新的签约额；确是减资请退回说明")
        out.append(replace(e, warnings=tuple(notes)) if notes else e)
    return out


def _first_reached(db: Database, kind: Any, item_id: int, to_status: str, day: str, row_id: int) -> list[str]:
    """The stages (or status) a move to ``to_status`` on ``day`` would reach for the first
    time, counting the item's confirmed moves only (and not this row)."""
    order = stages_of(kind) if kind.pipeline else []
    reached = [s for s in order if to_status in reached_stages(kind, s)] if to_status in order else [to_status]
    out = []
    for stage in reached:
        names = reached_stages(kind, stage)
        row = db.conn.execute(
            f"SELECT min(s.date) FROM status_log s WHERE s.item_id = ? AND s.id != ? "
            f"AND s.to_status IN ({', '.join('?' * len(names))}) AND {counted.counted('s')}",
            (item_id, row_id, *names),
        ).fetchone()
        if row[0] is None or str(row[0]) > day:
            out.append(stage)
    return out


# ---------------------------------------------------------------------------------------
# Deciding
# ---------------------------------------------------------------------------------------


def confirm(
    db: Database,
    *,
    refs: Iterable[str] = (),
    where: Sequence[str] = (),
    submission: int | None = None,
    note: str | None = None,
    everything: bool = False,
) -> Decision:
    """认定: the chosen 待认定 (or 已退回) rows count from now on, in the month of their own
    date; records the reviewer (the command's user), the day and the opinion ``note``.
    Inside the current command.  Something must be chosen unless ``everything``."""
    return _decide(db, CONFIRMED, refs, where, submission, (note or "").strip() or None, everything)


def return_rows(
    db: Database,
    *,
    reason: str,
    refs: Iterable[str] = (),
    where: Sequence[str] = (),
    submission: int | None = None,
    everything: bool = False,
) -> Decision:
    """退回: the chosen 待认定 rows do not count; ``reason`` (required) says why, for the unit to
    fix and resubmit.  Inside the current command."""
    text = (reason or "").strip()
    if not text:
        raise ZsError('退回需要说明原因：请加 --reason "原因"（如 缺少合同编号）')
    return _decide(db, RETURNED, refs, where, submission, text, everything)


def _decide(
    db: Database,
    state: str,
    refs: Iterable[str],
    where: Sequence[str],
    submission: int | None,
    note: str | None,
    everything: bool,
) -> Decision:
    if db.current is None:
        raise RuntimeError("review decisions run inside db.command()")
    refs = list(refs)
    if not (refs or where or submission is not None or everything):
        raise ZsError("请指明要处理哪些记录：编号（如 12 13、F3）、--where 条件或 --submission 操作号")
    # returned rows may be confirmed after all (the evidence arrived); confirmed ones stay
    states = (PENDING, RETURNED) if state == CONFIRMED else (PENDING,)
    if refs:
        # every reference must name a reported row that is not yet in that state
        found = queue(db, refs=refs, where=where, submission=submission, states=REVIEW_STATES_ALL)
        unchanged = [
            f"{e.ref}（{REVIEW_NAMES[e.review]}）" for e in found if e.review == state or e.review not in states
        ]
        chosen = [e for e in found if e.review in states and e.review != state]
    else:  # a whole selection takes what waits; a returned row is confirmed only by its number
        found = queue(db, where=where, submission=submission, states=(PENDING,))
        unchanged, chosen = [], [e for e in found if e.review != state]
    if not chosen and not unchanged:
        if everything and not (refs or where or submission is not None):
            return Decision(state, [])  # --all with nothing waiting: nothing to do, no error
        raise ZsError("没有符合条件的待认定记录：zs review 可查看")
    ts, who = now(), db.current.user
    for table in counted.REVIEWED_TABLES:
        ids = [e.row_id for e in chosen if e.table == table]
        if not ids:
            continue
        with paused_dates(db, table, len(ids), "SELECT value FROM json_each(?)", (_json(ids),)):
            db.conn.execute(
                f"UPDATE {table} SET review = ?, reviewed_by = ?, reviewed_at = ?, review_note = ? "
                "WHERE id IN (SELECT value FROM json_each(?))",
                (state, who, ts, note, _json(ids)),
            )
        if table == "funds" and state == CONFIRMED:  # the month's new figure replaces the confirmed one
            db.conn.execute(
                "UPDATE funds SET confirmed_domestic = NULL, confirmed_foreign_usd = NULL "
                "WHERE id IN (SELECT value FROM json_each(?)) AND "
                "(confirmed_domestic IS NOT NULL OR confirmed_foreign_usd IS NOT NULL)",
                (_json(ids),),
            )
    if state == CONFIRMED:  # a confirmed date correction moves the confirmed move it corrects
        apply_corrections(db, [e.row_id for e in chosen if e.table == "status_log"])
        withdraw_misreports(db, [e.row_id for e in chosen if e.table == "status_log"])
    followed = follow_confirmed(db, [e.item_id for e in chosen if e.table == "status_log"])
    if state == CONFIRMED:  # a confirmed investment change moves the project's amount field
        from .increments import apply

        followed = sorted({*followed, *apply(db, [e.row_id for e in chosen if e.table == "invest_changes"])})
    # (the figure an entry changes is worked out before the decision: what it changes by it)
    decided = [replace(e, review=state, reviewed_by=who, reviewed_at=ts, review_note=note) for e in chosen]
    return Decision(state, decided, unchanged, followed)


REVIEW_STATES_ALL = counted.REVIEW_STATES


# ---------------------------------------------------------------------------------------
# What goes back to the unit: the rows returned and not yet sent again
# ---------------------------------------------------------------------------------------


def outstanding_returns(
    db: Database, *, item_ids: Iterable[int] | None = None, items_sql: tuple[str, Sequence[Any]] | None = None
) -> list[Entry]:
    """The rows the office returned (已退回) that the unit has not sent again — a stage move
    of an item that has no later move (pending or confirmed) to the same status, a month of
    funds still returned — for the unit to fix and resubmit: the next sheet it fills in (zs
    export) and an import's --errors file carry them with the reason.  Restricted to
    ``item_ids``, or to the items an SQL condition on ``s.item_id`` selects (``items_sql``:
    condition text, parameters).  Oldest return first."""
    conds = [f"s.review = '{RETURNED}'"]
    sent_again = (
        "NOT EXISTS (SELECT 1 FROM status_log n WHERE n.item_id = s.item_id AND n.id > s.id "
        f"AND n.to_status = s.to_status AND n.review != '{RETURNED}')"
    )
    args: list[Any] = []
    if item_ids is not None:
        conds.append("s.item_id IN (SELECT value FROM json_each(?))")
        args.append(_json(sorted(set(int(i) for i in item_ids))))
    if items_sql is not None and items_sql[0]:
        conds.append(items_sql[0])
        args += list(items_sql[1])
    rows: list[tuple[Any, ...]] = []
    invest_again = (
        "NOT EXISTS (SELECT 1 FROM invest_changes n WHERE n.item_id = s.item_id AND n.id > s.id "
        f"AND n.field = s.field AND n.review != '{RETURNED}')"
    )
    for select, table in ((_MOVE_SELECT, "status_log"), (_FUND_SELECT, "funds"), (_INVEST_SELECT, "invest_changes")):
        again = {"status_log": [sent_again], "invest_changes": [invest_again]}.get(table, [])
        where = [*conds, *again]
        rows += db.conn.execute(f"{select} WHERE {' AND '.join(where)}", args).fetchall()
    entries = [_entry(db, r) for r in rows]
    entries.sort(key=lambda e: (e.reviewed_at or "", e.table, e.row_id))
    return entries


def returned_what(e: Entry) -> str:
    """「在谈 → 已签约（2026-10-15）」: what a returned row reported, for the unit."""
    if e.table == "funds":
        return f"到位资金 {e.month}（{e.figure.split('：', 1)[-1]}）"
    if e.table == "invest_changes":
        return f"{e.what}（{e.date}，{e.figure.rsplit('（', 1)[-1].rstrip('）')}）"
    if e.what == "日期更正":
        return f"日期更正（{e.figure.split('（认定前', 1)[0]}）"
    if e.from_status is None:
        return f"新报项目（「{e.to_status}」，{e.date}）"
    return f"{e.from_status} → {e.to_status}（{e.date}）"


def returned_text(e: Entry) -> str:
    """「已退回：在谈 → 已签约（2026-10-15），原因：缺少合同编号；改正后重新报送」."""
    return f"已退回：{returned_what(e)}，原因：{e.review_note or '（未写）'}；改正后重新报送"


# ---------------------------------------------------------------------------------------
# Who has reported
# ---------------------------------------------------------------------------------------


def month_bounds(month: str) -> tuple[str, str]:
    """('YYYY-MM-01', the first day of the next month) of a 'YYYY-MM'."""
    y, m = int(month[:4]), int(month[5:7])
    nxt = f"{y + 1:04d}-01" if m == 12 else f"{y:04d}-{m + 1:02d}"
    return f"{month}-01", f"{nxt}-01"


def submission_status(db: Database, month: str, *, belonging: tuple[date, date] | None = None) -> list[UnitReport]:
    """Per unit: the submissions made in ``month`` ('YYYY-MM', by the day they arrived), when,
    how many rows, and how many of them are confirmed / returned / pending now; then every
    ranked unit (参加擂台赛) that sent nothing that month (``sent`` False), in the units' order.  With
    ``belonging`` (start, end) instead: the submitted rows whose own date lies in it, whenever
    they arrived — who has reported for a period (a report's view)."""
    per: dict[int | None, UnitReport] = {}
    sql = (
        "SELECT i.unit_id, x.review, x.submitted_by, c.at FROM ({rows}) x JOIN items i ON i.id = x.item_id "
        "JOIN commands c ON c.id = x.submitted_by WHERE {where}"
    )
    rows_sql = (
        "SELECT item_id, review, submitted_by, date AS day FROM status_log WHERE submitted_by IS NOT NULL "
        "UNION ALL SELECT item_id, review, submitted_by, month || '-01' FROM funds WHERE submitted_by IS NOT NULL "
        "UNION ALL SELECT item_id, review, submitted_by, date FROM invest_changes WHERE submitted_by IS NOT NULL"
    )
    if belonging is None:
        where, args = "c.at >= ? AND c.at < ?", month_bounds(month)
    else:  # (a month of funds belongs to a period that holds its first day)
        where, args = "x.day BETWEEN ? AND ?", (belonging[0].isoformat(), belonging[1].isoformat())
    subs: dict[int | None, set[int]] = {}
    for unit_id, review, sub, at in db.conn.execute(sql.format(rows=rows_sql, where=where), args):
        rep = per.get(unit_id)
        if rep is None:
            rep = per[unit_id] = UnitReport(unit_id, "", 0, None, None, 0, 0, 0, 0)
        subs.setdefault(unit_id, set()).add(int(sub))
        rep.rows += 1
        rep.first_at = min(filter(None, (rep.first_at, str(at))))
        rep.last_at = max(filter(None, (rep.last_at, str(at))))
        if review == PENDING:
            rep.pending += 1
        elif review == CONFIRMED:
            rep.confirmed += 1
        else:
            rep.returned += 1
    out: list[UnitReport] = []
    for uid, name, ranked in db.conn.execute("SELECT id, name, ranked FROM units ORDER BY id"):
        if uid not in per and not ranked:  # a department outside the ranking is not expected to report
            continue
        rep = per.pop(uid, None) or UnitReport(uid, "", 0, None, None, 0, 0, 0, 0)
        rep.unit = str(name)
        rep.submissions = len(subs.get(uid, ()))
        out.append(rep)
    if None in per:
        rep = per.pop(None)
        rep.unit, rep.submissions = "（未指定责任单位）", len(subs.get(None, ()))
        out.append(rep)
    out.sort(key=lambda r: not r.sent)  # (stable: the units' order within each part)
    return out


# ---------------------------------------------------------------------------------------
# For reports: what was pending and what was confirmed late
# ---------------------------------------------------------------------------------------


def pending_in(db: Database, start: date, end: date) -> int:
    """How many rows dated in [start, end] (funds: their month) are 待认定 now."""
    a, b = start.isoformat(), end.isoformat()
    row = db.conn.execute(
        "SELECT (SELECT count(*) FROM status_log WHERE review = ? AND date BETWEEN ? AND ?) + "
        "(SELECT count(*) FROM funds WHERE review = ? AND month BETWEEN ? AND ?) + "
        "(SELECT count(*) FROM invest_changes WHERE review = ? AND date BETWEEN ? AND ?)",
        (PENDING, a, b, PENDING, a[:7], b[:7], PENDING, a, b),
    ).fetchone()
    return int(row[0])


def any_pending(db: Database) -> bool:
    """Whether anything waits for review at all (one look in a partial index)."""
    row = db.conn.execute(
        "SELECT EXISTS (SELECT 1 FROM status_log WHERE review = ?) OR EXISTS (SELECT 1 FROM funds WHERE review = ?) "
        "OR EXISTS (SELECT 1 FROM invest_changes WHERE review = ?)",
        (PENDING, PENDING, PENDING),
    ).fetchone()
    return bool(row[0])


def _late_sql(table: str) -> str:
    day = "s.month || '-01'" if table == "funds" else "s.date"
    # the closing day of the month the row belongs to: its last day + CLOSE_DAYS
    return (
        f"s.review = '{CONFIRMED}' AND s.reviewed_at IS NOT NULL AND substr(s.reviewed_at, 1, 10) > "
        f"date({day}, 'start of month', '+1 month', '-1 day', '+{CLOSE_DAYS} days')"
    )


def late_confirmations(
    db: Database,
    *,
    belongs: tuple[date, date] | None = None,
    confirmed: tuple[date, date] | None = None,
) -> list[Entry]:
    """补认定: confirmed rows whose confirmation came after their month closed (its last day +
    :data:`CLOSE_DAYS`) — those that belong to [start, end] (``belongs``: what a closed
    period's report gained since), and/or those confirmed in [start, end] (``confirmed``)."""
    rows: list[tuple[Any, ...]] = []
    for select, table in ((_MOVE_SELECT, "status_log"), (_FUND_SELECT, "funds"), (_INVEST_SELECT, "invest_changes")):
        conds, args = [_late_sql(table)], []
        col = "s.month" if table == "funds" else "s.date"
        if belongs is not None:
            a, b = belongs[0].isoformat(), belongs[1].isoformat()
            conds.append(f"{col} BETWEEN ? AND ?")
            args += [a[:7], b[:7]] if table == "funds" else [a, b]
        if confirmed is not None:
            conds.append("substr(s.reviewed_at, 1, 10) BETWEEN ? AND ?")
            args += [confirmed[0].isoformat(), confirmed[1].isoformat()]
        rows += db.conn.execute(f"{select} WHERE {' AND '.join(conds)}", args).fetchall()
    # a confirmed date correction that moved a move out of a month closed by then: that
    # month's report lists it too (its figure fell), as a 补认定 does when one rises
    conds = [_late_sql("status_log").replace("s.date", "s.corrects"), "s.corrects IS NOT NULL"]
    conds.append("substr(s.corrects, 1, 7) != substr(s.date, 1, 7)")
    args = []
    if belongs is not None:
        conds.append("s.corrects BETWEEN ? AND ?")
        args += [belongs[0].isoformat(), belongs[1].isoformat()]
    if confirmed is not None:
        conds.append("substr(s.reviewed_at, 1, 10) BETWEEN ? AND ?")
        args += [confirmed[0].isoformat(), confirmed[1].isoformat()]
    rows += db.conn.execute(f"{_MOVE_SELECT} WHERE {' AND '.join(conds)}", args).fetchall()
    entries = [_entry(db, r) for r in {(str(r[0]), int(r[1])): r for r in rows}.values()]
    entries.sort(key=lambda e: (e.reviewed_at or "", e.table, e.row_id))
    return entries

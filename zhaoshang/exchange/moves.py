"""Stage history in a roll-up: the office's own dates, not the day of the import.

Monthly reports count what was signed, registered or started *in a month* from the stage
history (``status_log``).  When a city rolls up a county's export, the county's 阶段变更
sheet says when each of its projects moved; importing them as moves dated the day of the
import would put a March signing into the city's April report.  So in a roll-up the 阶段变更
sheet is read first into a temporary table, and:

* a new item gets the office's moves for it (dates, reasons, flags, who) instead of one
  entry dated today;
* an item whose status changed since the last roll-up gets the office's moves it does not
  have yet, when they lead from our status to the new one; otherwise one move dated with
  the office's date of the new status.

Any item whose last recorded status is not its status gets a closing entry dated today (the
only entry for items without history in the file, as for every new item outside a roll-up).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..db import Database
from ..errors import ZsError
from ..parse import parse_date
from ..stages import FLAG_NAMES
from .layout import SheetSpec
from .readers import RawSheet

_FLAGS = {v: k for k, v in FLAG_NAMES.items()} | {k: k for k in FLAG_NAMES}
_TEMP = "zs_import_moves"


def create(db: Database) -> None:
    db.conn.execute(
        f"CREATE TEMP TABLE IF NOT EXISTS {_TEMP} (ref INTEGER, date TEXT, from_status TEXT, to_status TEXT, "
        "reason TEXT, flag TEXT, user TEXT, seq INTEGER)"
    )
    db.conn.execute(f"DELETE FROM temp.{_TEMP}")
    db.conn.execute(f"CREATE INDEX IF NOT EXISTS temp.{_TEMP}_ref ON {_TEMP}(ref, seq)")


def drop(db: Database) -> None:
    db.conn.execute(f"DROP TABLE IF EXISTS temp.{_TEMP}")


def load(db: Database, rows: Iterable[dict[str, Any]]) -> int:
    """Store the file's moves (dicts with item_id, date, from_status, to_status, reason, flag,
    user); rows that cannot be read are left out (the history is informative, not imported
    data to validate).  Returns how many were kept."""
    batch: list[tuple[Any, ...]] = []
    n = 0
    for seq, r in enumerate(rows):
        try:
            ref = int(r["item_id"])
            day = parse_date(r["date"]).isoformat()
        except (KeyError, TypeError, ValueError, ZsError):
            continue
        to = r.get("to_status")
        if not to:
            continue
        flag = _FLAGS.get(str(r.get("flag") or ""), None)
        batch.append(
            (ref, day, r.get("from_status") or None, str(to), r.get("reason") or None, flag, r.get("user"), seq)
        )
        if len(batch) >= 5000:
            n += _flush(db, batch)
    return n + _flush(db, batch)


def _flush(db: Database, batch: list[tuple[Any, ...]]) -> int:
    db.conn.executemany(f"INSERT INTO temp.{_TEMP} VALUES (?, ?, ?, ?, ?, ?, ?, ?)", batch)
    n = len(batch)
    batch.clear()
    return n


def copy_for_new(db: Database, origin: str, lo: int, hi: int, at: str) -> None:
    """The office's moves of the new items ``lo``..``hi`` (their ``origin_id`` is the ref)."""
    db.conn.execute(
        "INSERT INTO status_log(item_id, from_status, to_status, date, reason, flag, user, at) "
        f"SELECT i.id, m.from_status, m.to_status, m.date, m.reason, m.flag, coalesce(m.user, ''), ? "
        f"FROM items i JOIN temp.{_TEMP} m ON m.ref = i.origin_id "
        "WHERE i.id BETWEEN ? AND ? AND i.origin = ? ORDER BY i.id, m.seq",
        (at, lo, hi, origin),
    )


_LAST = "(SELECT s.to_status FROM status_log s WHERE s.item_id = i.id ORDER BY s.id DESC LIMIT 1)"


def close_gaps(db: Database, lo: int, hi: int, today: str, user: str, at: str) -> None:
    """A move to its status, dated today, for every new item whose history does not end in it
    (for most imports: the one entry of each new item)."""
    db.conn.execute(
        "INSERT INTO status_log(item_id, from_status, to_status, date, reason, flag, user, at) "
        f"SELECT i.id, {_LAST}, i.status, ?, NULL, NULL, ?, ? FROM items i "
        f"WHERE i.id BETWEEN ? AND ? AND i.status IS NOT {_LAST}",
        (today, user, at, lo, hi),
    )


def newer(db: Database, item_id: int, ref: int, current: str, target: str) -> tuple[list[tuple[Any, ...]], str | None]:
    """The office's moves of ``ref`` we do not have, if they lead from ``current`` to
    ``target`` (else []), and the office's date of reaching ``target`` (or None)."""
    # a move the office returned (已退回) is not had: the unit's resubmission brings it again;
    # a move still 待认定 is had, and the unit's next moves follow on from it
    have = {
        (d, f, t)
        for d, f, t in db.conn.execute(
            "SELECT date, from_status, to_status FROM status_log WHERE item_id = ? AND review != 'returned'",
            (item_id,),
        )
    }
    waiting = db.conn.execute(
        "SELECT to_status FROM status_log WHERE item_id = ? AND review = 'pending' ORDER BY id DESC LIMIT 1",
        (item_id,),
    ).fetchone()
    theirs = db.conn.execute(
        f"SELECT date, from_status, to_status, reason, flag, user FROM temp.{_TEMP} WHERE ref = ? ORDER BY seq",
        (ref,),
    ).fetchall()
    reached = next((m[0] for m in reversed(theirs) if m[2] == target), None)
    todo = [m for m in theirs if (m[0], m[1], m[2]) not in have]
    starts = {current} if waiting is None else {current, waiting[0]}
    if todo and todo[0][1] in starts and todo[-1][2] == target:
        return todo, reached
    return [], reached


def apply(db: Database, item_id: int, todo: list[tuple[Any, ...]], *, closed: bool, at: str, user: str) -> None:
    """Record the office's moves and set the item's status to the last one."""
    db.conn.executemany(
        "INSERT INTO status_log(item_id, from_status, to_status, date, reason, flag, user, at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [(item_id, f, t, d, reason, flag, who or "", at) for d, f, t, reason, flag, who in todo],
    )
    db.conn.execute(
        "UPDATE items SET status = ?, closed_at = ?, updated_at = ?, updated_by = ? WHERE id = ?",
        (todo[-1][2], at if closed else None, at, user, item_id),
    )


def load_sheet(db: Database, raw: RawSheet, spec: SheetSpec, known: Any) -> bool:
    """Read a roll-up's 阶段变更 sheet ``raw`` into the temporary table (:func:`load`); False
    when it has no table of moves (编号, 日期 and 变更后状态 columns)."""
    from . import columns
    from .tables import find_table

    try:
        table = find_table(raw, known)
    except ZsError:
        return False
    mapping = columns.map_detail_columns(spec, table.header, {})
    cols = {t.column: t.key for t in mapping.targets}
    if not {"item_id", "date", "to_status"} <= set(cols.values()):
        return False
    create(db)

    def rows() -> Iterable[dict[str, Any]]:
        for row in table.rows:
            yield {cols[c]: v for c, v in row.cells.items() if c in cols}

    load(db, rows())
    return True

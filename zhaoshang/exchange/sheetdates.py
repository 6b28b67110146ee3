"""The day a county's sheet speaks for (its report period, its filing day, --as-of), kept per
import, so that an older sheet arriving later does not put back what a newer one said.

An import of sheets from outside records the latest such day of its sheets (:func:`record`,
under the key ``sheet_date:<command>`` of the ``meta`` table, as :mod:`.origin` keeps a
roll-up's export time).  :func:`latest` is the newest day of the imports that wrote an item
(its insert or an update) and were not undone: the stored figures are as of that day.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..db import Database

__all__ = ["AsOf", "latest", "record"]

_PREFIX = "sheet_date:"


@dataclass(frozen=True)
class AsOf:
    """The day an item's stored figures speak for, and the import (command) that wrote them."""

    day: str
    command_id: int


def record(db: Database, command_id: int, day: str) -> None:
    """The import ``command_id`` wrote what sheets dated ``day`` say (inside the command)."""
    db.conn.execute(
        "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (f"{_PREFIX}{command_id}", day),
    )


def latest(db: Database, item_id: int) -> AsOf | None:
    """The newest sheet day of the imports (not undone) that wrote item ``item_id``; None when
    none of them was a dated sheet."""
    conn = db.conn
    commands = {
        int(r[0]) for r in conn.execute("SELECT DISTINCT command_id FROM changes WHERE item_id = ?", (item_id,))
    }
    bulk = conn.execute(
        "SELECT command_id, last_row_id FROM changes WHERE tbl = 'items' AND last_row_id IS NOT NULL AND row_id <= ? "
        "ORDER BY row_id DESC LIMIT 1",
        (item_id,),
    ).fetchone()
    if bulk is not None and int(bulk[1]) >= item_id:
        commands.add(int(bulk[0]))
    best: AsOf | None = None
    for cid in sorted(commands):
        row = conn.execute("SELECT value FROM meta WHERE key = ?", (f"{_PREFIX}{cid}",)).fetchone()
        if row is None:
            continue
        undone = conn.execute("SELECT undone_by FROM commands WHERE id = ?", (cid,)).fetchone()
        if undone is None or undone[0] is not None:
            continue
        if best is None or str(row[0]) >= best.day:
            best = AsOf(str(row[0]), cid)
    return best

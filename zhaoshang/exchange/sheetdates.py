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
from ..history import COMMAND_STAMPS, stamp

__all__ = ["AsOf", "latest", "newest", "record"]

_PREFIX = COMMAND_STAMPS[0]  # (also in _LATEST); an undo of the import deletes its row


@dataclass(frozen=True)
class AsOf:
    """The day an item's stored figures speak for, and the import (command) that wrote them."""

    day: str
    command_id: int


def record(db: Database, command_id: int, day: str) -> None:
    """The import ``command_id`` wrote what sheets dated ``day`` say (inside the command)."""
    # (a server's 填报 account may not write meta: its imports then record no day)
    stamp(
        db,
        "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (f"{_PREFIX}{command_id}", day),
    )


#: the newest sheet day of the imports not undone that wrote one item: its updates (by item) and
#: the bulk insert whose row range holds it
_LATEST = (
    "SELECT m.value, k.id FROM commands k JOIN meta m ON m.key = 'sheet_date:' || k.id "
    "WHERE k.undone_by IS NULL AND k.id IN ("
    "SELECT c.command_id FROM changes c WHERE c.item_id = ? "
    "UNION SELECT b.command_id FROM (SELECT command_id, last_row_id FROM changes WHERE tbl = 'items' "
    "AND last_row_id IS NOT NULL AND row_id <= ? ORDER BY row_id DESC LIMIT 1) b WHERE b.last_row_id >= ?) "
    "ORDER BY m.value DESC, k.id DESC LIMIT 1"
)


def latest(db: Database, item_id: int) -> AsOf | None:
    """The newest sheet day of the imports (not undone) that wrote item ``item_id``; None when
    none of them was a dated sheet."""
    row = db.conn.execute(_LATEST, (item_id, item_id, item_id)).fetchone()
    return None if row is None else AsOf(str(row[0]), int(row[1]))


def newest(db: Database) -> str | None:
    """The newest sheet day any import recorded (undone ones too): a sheet no older than it
    cannot be older than what an item holds, and :func:`latest` need not be asked row by row."""
    row = db.conn.execute(
        "SELECT max(value) FROM meta WHERE key >= ? AND key < ?", (_PREFIX, _PREFIX[:-1] + ";")
    ).fetchone()
    return None if row is None or row[0] is None else str(row[0])

"""Which of our items a file's 编号 names — the identity map of one import.

In a round trip the 编号 are our ids; in a roll-up they are the office's ids, kept on our items
as ``origin_id``; in a plain sheet they may be ours or the county's own numbering.  Rows of this
file that became items (new or matched) are remembered, so the other sheets of the same file
(对接记录, 到位资金 …) find them by the file's 编号.
"""

from __future__ import annotations

from ..db import Database
from .outcome import Mode

__all__ = ["ItemIds"]


class ItemIds:
    def __init__(self, db: Database, *, mode: Mode, origin: str | None, first_new_id: int) -> None:
        self.db = db
        self.mode = mode
        self.origin = origin
        #: ids from here on are items this import creates: a file's 编号 never names them
        self.first_new_id = first_new_id
        #: roll-up: the office's id -> ours
        self.origin_ids: dict[int, int] = {}
        #: roll-up: whether the database held items of this office before this import
        self.origin_had_items: bool | None = None
        #: a file's 编号 -> our id, for every item row of this import that has one
        self.file_ids: dict[int, int] = {}
        #: a file's 编号 whose row was not imported (rejected, skipped, undecided duplicate):
        #: rows of the other sheets about it are skipped rather than reported again
        self.skipped_refs: set[int] = set()
        #: our id -> kind key, as looked up
        self.kinds: dict[int, str] = {}

    def local(self, refs: list[int]) -> dict[int, int]:
        """A file's 编号 -> our id, for those of ``refs`` that name an item here."""
        if self.mode is Mode.rollup:
            return self.lookup_origins(refs)
        return {i: self.file_ids.get(i, i) for i in refs if i in self.file_ids or i < self.first_new_id}

    def lookup_origins(self, refs: list[int]) -> dict[int, int]:
        """Roll-up: the office's ids -> ours (from this import, else from earlier ones)."""
        out = {i: self.origin_ids[i] for i in refs if i in self.origin_ids}
        if self.origin_had_items is None:
            sql = "SELECT 1 FROM items WHERE origin = ? AND id < ? LIMIT 1"
            self.origin_had_items = self.db.conn.execute(sql, (self.origin, self.first_new_id)).fetchone() is not None
        if not self.origin_had_items:
            return out  # the office's first roll-up: its items are all in origin_ids
        missing = [i for i in refs if i not in out]
        for start in range(0, len(missing), 500):
            chunk = missing[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for lid, oid in self.db.conn.execute(
                f"SELECT id, origin_id FROM items WHERE origin = ? AND origin_id IN ({marks})", [self.origin, *chunk]
            ):
                out[int(oid)] = int(lid)
                self.origin_ids[int(oid)] = int(lid)
        return out

    def item_id(self, ref: int) -> int | None:
        """Our id of the item a file's 编号 names (None: unknown)."""
        hit = self.file_ids.get(ref)
        if hit is not None:
            return hit
        if self.mode is Mode.rollup:
            hit = self.origin_ids.get(ref)
            if hit is None:
                hit = self.lookup_origins([ref]).get(ref)
            return hit
        if ref >= self.first_new_id:
            return None  # not one of ours before this import (and not a row of this file)
        if ref in self.kinds:
            return ref
        row = self.db.conn.execute("SELECT kind FROM items WHERE id = ?", (ref,)).fetchone()
        if row is None:
            return None
        self.kinds[ref] = row[0]
        return ref

    def kind_key(self, item_id: int) -> str:
        key = self.kinds.get(item_id)
        if key is None:
            row = self.db.conn.execute("SELECT kind FROM items WHERE id = ?", (item_id,)).fetchone()
            key = self.kinds[item_id] = str(row[0])
        return key

"""Matching a new row to the items that exist: the "match" stage of an import.

An item sheet's row without 编号 is matched by name within its kind and chain —
exactly (after :func:`~zhaoshang.parse.normalize_name`: spaces, brackets, punctuation and the
traditional/simplified difference ignored, a separator between two digits kept) or loosely
(endings like 项目 / 有限公司 / 集团 dropped too).  An exact match with the same values is the same
item sent again; a loose one is always a suspected duplicate.  (项目编码 identifies a project
before any name is compared; see the importer.)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..db import Database
from ..parse import normalize_name

__all__ = ["LOOSE_SUFFIXES", "NameIndex", "loose_name", "loosen"]

LOOSE_SUFFIXES = ("股份有限公司", "有限责任公司", "有限公司", "集团", "公司", "项目")


def loose_name(name: str) -> str:
    """A name as duplicate detection compares it loosely: normalised, endings dropped."""
    return loosen(normalize_name(name))


def loosen(key: str) -> str:
    """A normalised name without its 项目 / 有限公司 / 集团 … endings."""
    if not key.endswith(LOOSE_SUFFIXES):
        return key
    changed = True
    while changed:
        changed = False
        for suffix in LOOSE_SUFFIXES:
            if key.endswith(suffix) and len(key) > len(suffix) + 1:
                key = key[: -len(suffix)]
                changed = True
    return key


class NameIndex:
    """Items by (kind, chain, normalised name) — for spotting near-identical names.

    Rows that carry their source's own 编号 are told apart by it: in a roll-up the office's
    items never count as duplicates of each other, nor do two rows of one file with
    different 编号.  They are checked against everything else.

    The database's items are loaded one (kind, chain) at a time, when a row of the file
    first needs them: a county's file touching a few chains does not load a province."""

    def __init__(self, db: Database, origin: str | None, *, below: int, before_read: Callable[[], None]) -> None:
        self.db = db
        self.origin = origin
        self.below = below  # ids from here on are this import's own (added with add())
        self.before_read = before_read
        Entry = tuple[int, str, "str | None", "int | None"]
        self.exact: dict[tuple[str, int, str], list[Entry]] = {}
        self.loose: dict[tuple[str, int, str], list[Entry]] = {}
        self.loaded: set[tuple[str, int]] = set()

    def _load(self, kind: str, chain: int) -> None:
        self.loaded.add((kind, chain))
        self.before_read()
        sql = "SELECT id, title, origin FROM items WHERE kind = ? AND chain_id = ? AND id < ?"
        params: list[Any] = [kind, chain, self.below]
        if self.origin is not None:
            sql += " AND origin IS NOT ?"
            params.append(self.origin)
        for rid, title, org in self.db.conn.execute(sql + " ORDER BY id", params).fetchall():
            self.add(kind, chain, title, rid, org, None)

    def add(
        self, kind: str, chain: int, title: str, rid: int, origin: str | None, ref: int | None, key: str | None = None
    ) -> None:
        if self.origin is not None and origin == self.origin:
            return  # the office's own items are told apart by their 编号
        entry = (rid, title, origin, ref)
        exact = key if key is not None else normalize_name(title)
        self.exact.setdefault((kind, chain, exact), []).append(entry)
        self.loose.setdefault((kind, chain, loosen(exact)), []).append(entry)

    def find(self, kind: str, chain: int, key: str, ref: int | None) -> tuple[int, str, bool] | None:
        """The item named like ``key`` (a :func:`normalize_name`): (id, its name, whether the
        names are the same once normalised — else they differ by an ending like 项目)."""
        if (kind, chain) not in self.loaded:
            self._load(kind, chain)
        for index, k, exact in ((self.exact, key, True), (self.loose, loosen(key), False)):
            for rid, name, origin, other in index.get((kind, chain, k), ()):
                if self.origin is not None and origin == self.origin:
                    continue
                if ref is not None and other is not None and ref != other:
                    continue
                return rid, name, exact
        return None

"""Matching a new row to the items that exist: the "match" stage of an import.

An item sheet's row without 编号 is matched by name within its kind and chain —
exactly (after :func:`~zhaoshang.parse.normalize_name`: spaces, brackets, punctuation and the
traditional/simplified difference ignored, a separator between two digits kept) or loosely
(endings like 项目 / 有限公司 / 集团 dropped too).  An exact match with the same values is the same
item sent again; a loose one is always a suspected duplicate.  (项目编码 identifies a project
before any name is compared; see the importer.)
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from typing import Any

from ..db import Database
from ..definitions import IDENTITY_FIELD, KindDef
from ..errors import ZsError
from ..parse import normalize_name

__all__ = ["LOOSE_WORDS", "NameIndex", "by_code", "loose_name", "loosen"]

#: words that make two names of one project differ wherever they stand: 「石家庄常山纺织高端纺织
#: 面料项目」 and 「石家庄常山纺织有限公司高端纺织面料项目」 are suspected duplicates
LOOSE_WORDS = ("股份有限公司", "有限责任公司", "有限公司", "股份", "集团", "公司", "项目", "工程")
_LOOSE = re.compile("|".join(LOOSE_WORDS))  # longest first: 股份有限公司 before 股份


def loose_name(name: str) -> str:
    """A name as duplicate detection compares it loosely: normalised, endings dropped."""
    return loosen(normalize_name(name))


def loosen(key: str) -> str:
    """A normalised name without 项目 / 有限公司 / 集团 / 工程 … wherever they stand (a name
    that would be left shorter than two characters keeps them)."""
    out = _LOOSE.sub("", key)
    return out if len(out) >= 2 or out == key else key


_Entry = tuple[int, int, "int | None", str, str, int]  # hash, id, 编号, name, kind, chain
_INSERT = "INSERT INTO names VALUES (?, ?, ?, ?, ?, ?)"


class NameIndex:
    """Items by (kind, chain, normalised name) — for spotting near-identical names.

    Rows that carry their source's own 编号 are told apart by it: in a roll-up the office's
    items never count as duplicates of each other, nor do two rows of one file with
    different 编号.  They are checked against everything else.

    The database's items are loaded one (kind, chain) at a time, when a row of the file
    first needs them: a county's file touching a few chains does not load a province.

    The names are kept in a private SQLite file of their own (deleted when the import ends),
    not in Python: a province's million rows made the index about 0.5 KB of memory per row.
    Each name is filed under a 64-bit hash of (exact or loose, kind, chain, key); a hit is
    confirmed on the name itself, so two names sharing a hash never match.  The last rows
    added wait in memory (:attr:`recent`) and go in a batch at a time.  (Its own connection:
    the import's writer thread keeps the database's connection busy meanwhile.)"""

    FLUSH = 2000
    #: 8 MiB: a million rows mark 4 million hashes (exact, loose, each alone and with its
    #: 编号), about 12 % of the bits, so about 3 % of the rows query the store needlessly
    BLOOM_BITS = 1 << 26

    def __init__(self, db: Database, origin: str | None, *, below: int, before_read: Callable[[], None]) -> None:
        self.db = db
        self.origin = origin
        self.below = below  # ids from here on are this import's own (added with add())
        self.before_read = before_read
        self.loaded: set[tuple[str, int]] = set()
        # "": a temporary database on disk, removed when the connection closes
        self.store = sqlite3.connect("")
        self.store.execute("PRAGMA journal_mode = OFF")
        self.store.execute("PRAGMA synchronous = OFF")
        self.store.execute("PRAGMA cache_size = -16384")
        self.store.execute(
            "CREATE TABLE names (h INTEGER NOT NULL, rid INTEGER NOT NULL, ref INTEGER, title TEXT NOT NULL, "
            "kind TEXT NOT NULL, chain INTEGER NOT NULL)"
        )
        self.store.execute("CREATE INDEX names_h ON names(h, ref)")
        #: entries (hash, id, 编号, name, kind, chain) not yet in the store, in order; and by hash
        self.pending: list[_Entry] = []
        self.recent: dict[int, list[_Entry]] = {}
        #: a Bloom filter (two bits per hash) of the hashes filed and of (hash, 编号) — with
        #: 编号 None for rows without one: most rows name no item (or only rows of another
        #: 编号, which are other items), and are told so without a query
        self.bloom = bytearray(self.BLOOM_BITS // 8)

    def close(self) -> None:
        self.store.close()

    def _load(self, kind: str, chain: int) -> None:
        self.loaded.add((kind, chain))
        self.before_read()
        sql = "SELECT id, title, origin FROM items WHERE kind = ? AND chain_id = ? AND id < ?"
        params: list[Any] = [kind, chain, self.below]
        if self.origin is not None:
            sql += " AND origin IS NOT ?"
            params.append(self.origin)
        self._flush()
        rows: list[_Entry] = []
        for rid, title, _org in self.db.conn.execute(sql + " ORDER BY id", params):
            exact = normalize_name(title)
            for h in (hash((True, kind, chain, exact)), hash((False, kind, chain, loosen(exact)))):
                self._mark(h)
                self._mark(hash((h, None)))
                rows.append((h, rid, None, title, kind, chain))
            if len(rows) >= 2 * self.FLUSH:
                self._write(rows)
                rows = []
        self._write(rows)

    def add(
        self, kind: str, chain: int, title: str, rid: int, origin: str | None, ref: int | None, key: str | None = None
    ) -> None:
        if self.origin is not None and origin == self.origin:
            return  # the office's own items are told apart by their 编号
        exact = key if key is not None else normalize_name(title)
        recent = self.recent
        for h in (hash((True, kind, chain, exact)), hash((False, kind, chain, loosen(exact)))):
            self._mark(h)
            self._mark(hash((h, ref)))  # (ref None: a row any later row may match)
            entry = (h, rid, ref, title, kind, chain)
            self.pending.append(entry)
            same = recent.get(h)
            if same is None:
                recent[h] = [entry]
            else:
                same.append(entry)
        if len(self.pending) >= self.FLUSH:
            self._flush()

    def _write(self, rows: list[_Entry]) -> None:
        try:
            self.store.executemany(_INSERT, rows)
        except sqlite3.OperationalError as exc:  # a full temporary directory
            import tempfile

            raise ZsError(
                f"导入查重用的临时文件写不下（{exc}）：它在临时目录「{tempfile.gettempdir()}」，"
                "约每行 0.2 KB。请清理该处磁盘空间，或把环境变量 SQLITE_TMPDIR 设为空间充足的目录后重试；"
                "这次导入没有写入任何数据"
            ) from None

    def _mark(self, h: int) -> None:
        bloom, top = self.bloom, self.BLOOM_BITS - 1
        a, b = h & top, (h >> 32) & top
        bloom[a >> 3] |= 1 << (a & 7)
        bloom[b >> 3] |= 1 << (b & 7)

    def _maybe(self, h: int) -> bool:
        bloom, top = self.bloom, self.BLOOM_BITS - 1
        a, b = h & top, (h >> 32) & top
        return bool(bloom[a >> 3] >> (a & 7) & 1 and bloom[b >> 3] >> (b & 7) & 1)

    def _flush(self) -> None:
        if self.pending:
            self._write(self.pending)
            self.pending = []
            self.recent = {}

    def find(self, kind: str, chain: int, key: str, ref: int | None) -> tuple[int, str, bool] | None:
        """The item named like ``key`` (a :func:`normalize_name`): (id, its name, whether the
        names are the same once normalised — else they differ by an ending like 项目)."""
        if (kind, chain) not in self.loaded:
            self._load(kind, chain)
        for exact, k in ((True, key), (False, loosen(key))):
            h = hash((exact, kind, chain, k))
            if not self._maybe(h) if ref is None else not (self._maybe(hash((h, None))) or self._maybe(hash((h, ref)))):
                continue  # filed under no name it may match (or only under other 编号): certainly none
            sql = "SELECT * FROM names WHERE h = ? AND kind = ? AND chain = ?"
            if ref is None:
                stored = self.store.execute(sql + " ORDER BY rowid", (h, kind, chain))
            else:  # rows of other 编号 are other items: not even read
                sql += " AND (ref IS NULL OR ref = ?) ORDER BY rowid"
                stored = self.store.execute(sql, (h, kind, chain, ref))
            for entries in (stored, self.recent.get(h, ())):
                for _h, rid, other, name, of_kind, of_chain in entries:
                    if ref is not None and other is not None and ref != other:
                        continue
                    if of_kind != kind or of_chain != chain:
                        continue  # another list's name with the same hash
                    named = normalize_name(name)
                    if (named if exact else loosen(named)) != k:
                        continue  # another name with the same hash
                    return rid, name, exact
        return None


def by_code(db: Database, kind: KindDef, code: str, *, below: int, origin: str | None) -> int | None:
    """The item of ``kind`` whose 项目编码 is ``code`` among the items with ids below ``below``
    (those there before the import), not one of ``origin``'s (a roll-up's own); None: none, or
    the kind has no 项目编码."""
    if not any(f.key == IDENTITY_FIELD for f in kind.fields):
        return None
    sql = f'SELECT k.id FROM "{kind.table}" k JOIN items i ON i.id = k.id WHERE k."{IDENTITY_FIELD}" = ? AND k.id < ?'
    params: list[Any] = [code, below]
    if origin is not None:
        sql += " AND i.origin IS NOT ?"
        params.append(origin)
    hit = db.conn.execute(sql, params).fetchone()
    return None if hit is None else int(hit[0])

"""Matching a new row to the items that exist: the "match" stage of an import.

An item sheet's row without 编号 is matched by name within its kind and chain —
exactly (after :func:`~zhaoshang.parse.normalize_name`: spaces, brackets, punctuation and the
traditional/simplified difference ignored, a separator between two digits kept) or loosely
(endings like 项目 / 有限公司 / 集团 dropped too).  An exact match with the same values is the same
item sent again; a loose one is always a suspected duplicate.  (项目编码 identifies a project
before any name is compared; see the importer.)
"""

from __future__ import annotations

import enum
import functools
import re
import sqlite3
from collections.abc import Callable
from typing import Any, NamedTuple

from ..db import Database
from ..definitions import IDENTITY_FIELD, KindDef
from ..errors import ZsError
from ..parse import normalize_name, to_simplified

__all__ = [
    "CORE_WORDS",
    "LOOSE_WORDS",
    "Found",
    "Likeness",
    "NameIndex",
    "by_code",
    "core_name",
    "loose_name",
    "loosen",
    "same_company",
]

#: words that make two names of one project differ wherever they stand: 「石家庄常山纺织高端纺织
#: 面料项目」 and 「石家庄常山纺织有限公司高端纺织面料项目」 are suspected duplicates
LOOSE_WORDS = ("股份有限公司", "有限责任公司", "有限公司", "股份", "集团", "公司", "项目", "工程")
_LOOSE = re.compile("|".join(LOOSE_WORDS))  # longest first: 股份有限公司 before 股份


#: words a project's name is written with or without anywhere, beyond :data:`LOOSE_WORDS`:
#: 「大豆分离蛋白生产项目」「大豆分离蛋白建设工程」 are 「大豆分离蛋白项目」
CORE_WORDS = ("生产", "建设")
_CORE = re.compile("|".join(sorted({*LOOSE_WORDS, *CORE_WORDS}, key=len, reverse=True)))
#: a province (or municipality) at the start of a company's name: 山东禹王集团 is 禹王 for short
_PROVINCE = re.compile(
    "^(?:内蒙古|黑龙江|北京|天津|上海|重庆|河北|山西|辽宁|吉林|江苏|浙江|安徽|福建|江西|山东|河南|湖北|湖南|广东|"
    "海南|四川|贵州|云南|陕西|甘肃|青海|台湾|广西|西藏|宁夏|新疆|香港|澳门)(?:省|市|自治区|壮族自治区|回族自治区|维吾尔自治区)?"
)


class Likeness(enum.StrEnum):
    """How a row's name is an item's: the same once normalised (``exact``); alike but for an
    ending like 项目 / 有限公司 (``loose``); alike once the company's name and 生产 / 建设 / 工程
    words are dropped too (``core``)."""

    exact = "exact"
    loose = "loose"
    core = "core"


class Found(NamedTuple):
    """An item a row's name matches: its id and name, how alike, and its chain when that is
    not the row's (a known project under another chain)."""

    rid: int
    name: str
    likeness: Likeness
    other_chain: int | None = None
    #: why a known project under another chain is taken for this one (Chinese, for the report)
    because: str = ""
    #: the item's unit (责任单位; None: none)
    unit: int | None = None

    @property
    def exact(self) -> bool:
        return self.likeness is Likeness.exact and self.other_chain is None


@functools.lru_cache(maxsize=1 << 14)
def _company_forms(company: str | None) -> tuple[str, ...]:
    """The ways a company is written inside a project's name, normalised and without 集团 /
    有限公司 …, with and without a leading province: 「江西铜业集团股份有限公司」 → 江西铜业, 铜业;
    「山东禹王集团」 → 山东禹王, 禹王 (longest first; none shorter than two characters)."""
    if not company:
        return ()
    loose = _CORE.sub("", normalize_name(company))
    short = _PROVINCE.sub("", loose)
    return tuple(f for f in dict.fromkeys((loose, short)) if len(f) >= 2)


def same_company(a: str | None, b: str | None) -> bool | None:
    """Whether two companies are one (normalised, without 集团 / 有限公司 …, one may add a
    province: 「江西铜业集团股份有限公司」 and 「江西铜业集团」, 「山东禹王集团」 and 「禹王集团有限公司」);
    None when either is not given."""
    fa, fb = _company_forms(a), _company_forms(b)
    if not fa or not fb:
        return None
    return fa[0] == fb[0] or fa[-1] == fb[0] or fa[0] == fb[-1]


@functools.lru_cache(maxsize=256)  # (a row's is worked out to find it, then to file it)
def core_name(key: str, company: str | None) -> str | None:
    """A normalised name (``key``) as it is compared loosest: without its company's name
    (``company``: the row's or item's 目标企业, also for short: 山东禹王集团 → 禹王) and without
    项目 / 工程 / 生产 / 建设 / 有限公司 … anywhere.  None when less than two characters are left
    (「禹王项目」 says nothing but the company)."""
    core = _CORE.sub("", key)
    for f in _company_forms(company):
        core = core.replace(f, "")
    return core if len(core) >= 2 else None


def loose_name(name: str) -> str:
    """A name as duplicate detection compares it loosely: normalised, endings dropped."""
    return loosen(normalize_name(name))


def loosen(key: str) -> str:
    """A normalised name without 项目 / 有限公司 / 集团 / 工程 … wherever they stand (a name
    that would be left shorter than two characters keeps them)."""
    out = _LOOSE.sub("", key)
    return out if len(out) >= 2 or out == key else key


#: hash, id, 编号, name, kind, chain, company (目标企业), unit (责任单位)
_Entry = tuple[int, int, "int | None", str, str, int, "str | None", "int | None"]
_INSERT = "INSERT INTO names VALUES (?, ?, ?, ?, ?, ?, ?, ?)"


def _hashes(kind: str, chain: int, exact: str, company: str | None) -> list[int]:
    """The hashes an item's name is filed under: exact (of the kind, any chain: a known project
    may stand under another chain), loose in its chain, and its core (:func:`core_name`) in its
    chain."""
    out = [hash((True, kind, exact)), hash((False, kind, chain, loosen(exact)))]
    core = core_name(exact, company)
    if core is not None:
        out.append(hash(("core", kind, chain, core)))
    return out


class NameIndex:
    """Items by (kind, chain, normalised name) — for spotting near-identical names.

    Rows that carry their source's own 编号 are told apart by it: in a roll-up the office's
    items never count as duplicates of each other, nor do two rows of one file with
    different 编号.  They are checked against everything else.

    The database's items of a kind are loaded when a row of the file first needs them (a
    known project may stand under another chain, so all chains of the kind at once).

    The names are kept in a private SQLite file of their own (deleted when the import ends),
    not in Python: a province's million rows made the index about 0.5 KB of memory per row.
    Each name is filed under 64-bit hashes of (exact, loose or core, kind, chain, key) and of
    (kind, exact key) for other chains; a hit is confirmed on the name itself, so two names
    sharing a hash never match.  The last rows added wait in memory (:attr:`recent`) and go in
    a batch at a time.  (Its own connection: the import's writer thread keeps the database's
    connection busy meanwhile.)"""

    FLUSH = 2000
    SEARCHED = 200
    #: 8 MiB: a million rows mark about 12 million hashes (exact, loose, core, any chain, each
    #: alone and with its 编号); a miss is still mostly told without a query
    BLOOM_BITS = 1 << 26

    def __init__(self, db: Database, origin: str | None, *, below: int, before_read: Callable[[], None]) -> None:
        self.db = db
        self.origin = origin
        self.below = below  # ids from here on are this import's own (added with add())
        self.before_read = before_read
        self.loaded: set[tuple[str, int]] = set()
        self.titled: set[str] = set()
        #: rows looked up under other chains in the search index (after SEARCHED of them, every
        #: title of the kind is filed instead)
        self.searched = 0
        # "": a temporary database on disk, removed when the connection closes
        self.store = sqlite3.connect("")
        self.store.execute("PRAGMA journal_mode = OFF")
        self.store.execute("PRAGMA synchronous = OFF")
        self.store.execute("PRAGMA cache_size = -16384")
        self.store.execute(
            "CREATE TABLE names (h INTEGER NOT NULL, rid INTEGER NOT NULL, ref INTEGER, title TEXT NOT NULL, "
            "kind TEXT NOT NULL, chain INTEGER NOT NULL, company TEXT, unit INTEGER)"
        )
        self.store.execute("CREATE INDEX names_h ON names(h, ref)")
        #: entries not yet in the store, in order; and by hash
        self.pending: list[_Entry] = []
        self.recent: dict[int, list[_Entry]] = {}
        #: a Bloom filter (two bits per hash) of the hashes filed and of (hash, 编号) — with
        #: 编号 None for rows without one: most rows name no item (or only rows of another
        #: 编号, which are other items), and are told so without a query
        self.bloom = bytearray(self.BLOOM_BITS // 8)
        #: the companies (:func:`_company_forms`) of the items filed, by kind: a row that gives
        #: no company may begin or end its name with one (「山东禹王集团大豆分离蛋白项目」)
        self.companies: dict[str, set[str]] = {}

    def close(self) -> None:
        self.store.close()

    def _select(self, kind: str) -> str:
        """The SQL of the items of ``kind`` filed: id, title, chain, unit, company (目标企业)."""
        try:
            kdef: KindDef | None = self.db.defs.kind_by_key(kind)
        except ZsError:  # a kind no definition has: nothing of it is stored
            kdef = None
        if kdef is not None and any(f.key == "company" for f in kdef.fields):
            sql = (
                f'SELECT i.id, i.title, i.chain_id, i.unit_id, k."company" FROM items i '
                f'LEFT JOIN "{kdef.table}" k ON k.id = i.id WHERE i.kind = ? AND i.id < ?'
            )
        else:
            sql = "SELECT i.id, i.title, i.chain_id, i.unit_id, NULL FROM items i WHERE i.kind = ? AND i.id < ?"
        if self.origin is not None:
            sql += " AND i.origin IS NOT ?"
        return sql

    def _params(self, *first: Any) -> list[Any]:
        return [*first, self.below] + ([self.origin] if self.origin is not None else [])

    def _load(self, kind: str, chain: int) -> None:
        """File the database's items of ``kind`` in ``chain`` (exact, loose, core)."""
        self.loaded.add((kind, chain))
        self.before_read()
        sql = self._select(kind).replace("WHERE i.kind = ?", "WHERE i.kind = ? AND i.chain_id = ?")
        self._flush()
        rows: list[_Entry] = []
        known = self.companies.setdefault(kind, set())
        for rid, title, of_chain, unit, company in self.db.conn.execute(
            sql + " ORDER BY i.id", self._params(kind, chain)
        ):
            exact = normalize_name(title)
            company = company or None
            if company is not None:
                known.update(_company_forms(company))
            for h in _hashes(kind, of_chain, exact, company):
                self._mark(h)
                self._mark(hash((h, None)))
                rows.append((h, rid, None, title, kind, of_chain, company, unit))
            if len(rows) >= 2 * self.FLUSH:
                self._write(rows)
                rows = []
        self._write(rows)

    def _load_titles(self, kind: str) -> None:
        """File the database's items of ``kind`` in every chain by their titles as typed (spaces
        dropped): a known project under another chain.  Not normalised — a county's sheet into a
        province's database would normalise every name of the kind."""
        self.titled.add(kind)
        self.before_read()
        self._flush()
        rows: list[_Entry] = []
        for rid, title, of_chain, unit, company in self.db.conn.execute(
            self._select(kind) + " ORDER BY i.id", self._params(kind)
        ):
            h = hash(("title", kind, "".join(title.split())))
            self._mark(h)
            self._mark(hash((h, None)))
            rows.append((h, rid, None, title, kind, of_chain, company or None, unit))
            if len(rows) >= 2 * self.FLUSH:
                self._write(rows)
                rows = []
        self._write(rows)

    def add(
        self,
        kind: str,
        chain: int,
        title: str,
        rid: int,
        origin: str | None,
        ref: int | None,
        key: str | None = None,
        *,
        company: str | None = None,
        unit: int | None = None,
    ) -> None:
        if self.origin is not None and origin == self.origin:
            return  # the office's own items are told apart by their 编号
        exact = key if key is not None else normalize_name(title)
        recent = self.recent
        company = company or None
        if company is not None:
            self.companies.setdefault(kind, set()).update(_company_forms(company))
        for h in _hashes(kind, chain, exact, company):
            self._mark(h)
            self._mark(hash((h, ref)))  # (ref None: a row any later row may match)
            entry = (h, rid, ref, title, kind, chain, company, unit)
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
                "约每行 0.4 KB。请清理该处磁盘空间，或把环境变量 SQLITE_TMPDIR 设为空间充足的目录后重试；"
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

    def _may_hold(self, h: int, ref: int | None) -> bool:
        """False when nothing a row of 编号 ``ref`` may match is filed under hash ``h`` (nothing
        at all, or only rows of other 编号); True: perhaps."""
        maybe = self._maybe
        return maybe(h) if ref is None else maybe(hash((h, None))) or maybe(hash((h, ref)))

    def _entries(self, h: int, kind: str, ref: int | None) -> Any:
        """The entries filed under hash ``h`` of ``kind`` a row of 编号 ``ref`` may match, in
        the order added (rows of another 编号 are other items); call when :meth:`_may_hold`."""
        sql = "SELECT * FROM names WHERE h = ? AND kind = ?"
        if ref is None:
            stored = self.store.execute(sql + " ORDER BY rowid", (h, kind))
        else:  # rows of other 编号 are other items: not even read
            sql += " AND (ref IS NULL OR ref = ?) ORDER BY rowid"
            stored = self.store.execute(sql, (h, kind, ref))
        for entries in (stored, self.recent.get(h, ())):
            for e in entries:
                if ref is not None and e[2] is not None and ref != e[2]:
                    continue
                if e[4] == kind:
                    yield e

    def find(
        self,
        kind: str,
        chain: int,
        key: str,
        ref: int | None,
        *,
        company: str | None = None,
        unit: int | None = None,
        title: str | None = None,
    ) -> Found | None:
        """The item named like ``key`` (a :func:`normalize_name`) in ``chain``: the same name
        once normalised, else alike but for an ending like 项目, else alike once the companies'
        names (``company``: the row's 目标企业; the item's own) and 生产 / 建设 / 工程 words are
        dropped too (:func:`core_name`; when both name a company, the same one).  Else the item
        of the same name under another chain when it is the same project as far as can be told:
        a row of this file, an item of the same company, or (either has no company) of the same
        unit (``unit``).  (An item of a chain no row has named yet is found by its ``title`` as
        typed, spaces aside.)"""
        if (kind, chain) not in self.loaded:
            self._load(kind, chain)
        elsewhere: Found | None = None
        may = self._may_hold
        h = hash((True, kind, key))
        for _h, rid, _ref, name, _kind, of_chain, of_company, of_unit in (
            self._entries(h, kind, ref) if may(h, ref) else ()
        ):
            if normalize_name(name) != key:
                continue  # another name with the same hash
            if of_chain == chain:
                return Found(rid, name, Likeness.exact, unit=of_unit)
            if elsewhere is None:
                same = same_company(company, of_company)
                if same is False:
                    continue
                if rid >= self.below:
                    elsewhere = Found(rid, name, Likeness.exact, of_chain, "同在本文件", of_unit)
                elif same:
                    elsewhere = Found(rid, name, Likeness.exact, of_chain, "目标企业相同", of_unit)
                elif unit is not None and unit == of_unit:
                    elsewhere = Found(rid, name, Likeness.exact, of_chain, "责任单位相同", of_unit)
        if elsewhere is None and title is not None:
            elsewhere = self._typed_elsewhere(kind, chain, title, company, unit)
        loose = loosen(key)
        h = hash((False, kind, chain, loose))
        for _h, rid, _ref, name, _kind, of_chain, _co, of_unit in self._entries(h, kind, ref) if may(h, ref) else ():
            if of_chain == chain and loosen(normalize_name(name)) == loose:
                return Found(rid, name, Likeness.loose, unit=of_unit)
        for k, by, named_company in self._core_probes(kind, key, company):
            h = hash(("core", kind, chain, k))
            if not may(h, ref):
                continue
            for _h, rid, _ref, name, _kind, of_chain, of_company, of_unit in self._entries(h, kind, ref):
                if of_chain != chain:
                    continue
                same = same_company(by, of_company)
                if same is False or (same is None and named_company):
                    continue
                if core_name(normalize_name(name), of_company) == k:
                    return Found(rid, name, Likeness.core, unit=of_unit)
        return elsewhere

    def _typed_elsewhere(
        self, kind: str, chain: int, title: str, company: str | None, unit: int | None
    ) -> Found | None:
        """The database's item titled ``title`` (spaces aside, or in simplified script) under
        another chain, of the same company or (either has no company) the same unit."""
        typed = "".join(title.split())
        writings = list(dict.fromkeys((typed, to_simplified(typed))))  # 「大豆分離蛋白項目」 too
        if kind not in self.titled and self.searched < self.SEARCHED and all(3 <= len(w) <= 60 for w in writings):
            # a county's few rows into a province's database: a look in the search index for
            # each (filing every title of the kind would read hundreds of thousands of rows)
            self.searched += 1
            candidates = self._by_search(kind, writings)
        else:
            if kind not in self.titled:
                self._load_titles(kind)
            candidates = []
            for written in writings:
                h = hash(("title", kind, written))
                if self._maybe(h):
                    candidates += [(e[1], e[3], e[5], e[6], e[7]) for e in self._entries(h, kind, None)]
        for rid, name, of_chain, of_company, of_unit in candidates:
            if of_chain == chain or "".join(name.split()) not in writings:
                continue
            same = same_company(company, of_company)
            if same:
                return Found(rid, name, Likeness.exact, of_chain, "目标企业相同", of_unit)
            if same is None and unit is not None and unit == of_unit:
                return Found(rid, name, Likeness.exact, of_chain, "责任单位相同", of_unit)
        return None

    def _by_search(self, kind: str, writings: list[str]) -> list[tuple[int, str, int, str | None, int | None]]:
        """The database's items of ``kind`` whose title holds one of ``writings`` (the search
        index's trigrams), as (id, title, chain, company, unit)."""
        import json

        from ..search import matching_ids

        self.before_read()
        ids: set[int] = set()
        for written in writings:
            ids.update(matching_ids(self.db, written, kind=kind))
        if not ids:
            return []
        sql = self._select(kind) + " AND i.id IN (SELECT value FROM json_each(?))"
        rows = self.db.conn.execute(sql, [*self._params(kind), json.dumps(sorted(ids))]).fetchall()
        return [(rid, name, of_chain, company or None, unit) for rid, name, of_chain, unit, company in rows]

    def _core_probes(self, kind: str, key: str, company: str | None) -> list[tuple[str, str | None, bool]]:
        """The cores a row's name (``key``) is looked up by, each with the company it is taken
        to be of and whether only that company's items may match (a company name read off the
        row's name, not given by the row): its core without its company; with a company, that
        core with the company's name before it (in full) or after it (short: 「…（禹王）」) — an
        item that writes the company in its name and gives none; without a company, its core
        without a company's name it begins or ends with (one an item of this kind has)."""
        core = core_name(key, company)
        if core is None:
            return []
        probes: list[tuple[str, str | None, bool]] = [(core, company, False)]
        if company is not None:
            forms = _company_forms(company)
            if forms:  # written before the name in full, after it (「（禹王）」) short
                probes += [(forms[0] + core, company, False), (core + forms[-1], company, False)]
            return probes
        known = self.companies.get(kind)
        if known:
            top = min(len(core) - 2, 24)
            for n in range(2, top + 1):
                head, tail = core[:n], core[-n:]
                if head in known:
                    probes.append((core[n:], head, True))
                if tail in known:
                    probes.append((core[:-n], tail, True))
        return probes


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

"""The item a detail row (到位资金, 对接记录, 前期手续, 服务专班) names by its project's name when
the sheet has no 条目编号 — a county's 到位资金 sheet lists 项目名称, never our 编号.

Only an exact match is taken: the same name once normalised (:func:`~zhaoshang.parse.normalize_name`:
spaces, brackets, punctuation and traditional script aside), of a kind the sheet may hold, in the
row's 产业链 when it gives one — and exactly one such item.  Anything less is refused with what
was found: two items of that name (which one cannot be read from the sheet), a name alike but not
the same (「…有限公司…项目」: asked, never taken), no item at all.  The caller lists each match
as an inference.

The titles are read once per import, at the first row that needs them.
"""

from __future__ import annotations

import contextlib
import enum
import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..parse import normalize_name
from .matching import core_name, loose_name, loosen

if TYPE_CHECKING:
    from ..db import Database

__all__ = ["ByName", "Candidate", "ItemsByName", "Match", "Titles", "same_name"]


class Match(enum.StrEnum):
    """How a row's name came out."""

    one = "one"
    """Exactly one item of the name: taken."""
    several = "several"
    """Two or more items of the name: which one cannot be read from the sheet."""
    alike = "alike"
    """No item of the name, but items of a name alike (with or without 有限公司, 项目 …)."""
    none = "none"
    """No item of the name or alike."""


@dataclass(frozen=True, slots=True)
class Candidate:
    id: int
    title: str
    chain: str
    unit: str | None

    def text(self) -> str:
        where = f"{self.chain}，{self.unit}" if self.unit else self.chain
        return f"编号 {self.id}「{self.title}」（{where}）"


@dataclass(frozen=True, slots=True)
class ByName:
    """The answer for one name: the item taken (``one``) or what was found instead."""

    match: Match
    found: tuple[Candidate, ...] = field(default_factory=tuple)

    @property
    def item_id(self) -> int | None:
        return self.found[0].id if self.match is Match.one else None


class ItemsByName:
    """Items of ``kinds`` by name, for the rows of one import.  Every title of those kinds is
    read once, at the first name asked for (the items this import created included): an index
    of the search text would miss a title written with a dot or a bracket the row leaves out,
    and a missed second item of the name would make the first look like the only one."""

    def __init__(self, db: Database, kinds: Sequence[str], *, origin: str | None) -> None:
        self.db = db
        self.kinds = list(kinds)
        self.origin = origin
        self._exact: dict[str, list[Candidate]] | None = None
        self._loose: dict[str, list[Candidate]] = {}
        self._core: dict[str, list[Candidate]] = {}

    def find(self, name: str, chain: str | None = None) -> ByName:
        """The item ``name`` names (within the chain named ``chain`` when given)."""
        key = normalize_name(name)
        if not key:
            return ByName(Match.none)
        if self._exact is None:
            self._load()
        assert self._exact is not None

        def of_chain(found: list[Candidate]) -> list[Candidate]:
            return [c for c in found if chain is None or c.chain == chain]

        exact = of_chain(self._exact.get(key, []))
        if len(exact) == 1:
            return ByName(Match.one, (exact[0],))
        if exact:
            return ByName(Match.several, tuple(exact[:8]))
        core = core_name(key, None)
        alike = of_chain(self._loose.get(loose_name(key), []))
        if core:
            alike += [c for c in of_chain(self._core.get(core, [])) if c not in alike]
        return ByName(Match.alike, tuple(alike[:8])) if alike else ByName(Match.none)

    def _load(self) -> None:
        marks = ", ".join("?" * len(self.kinds))
        sql = _SELECT + f" WHERE i.kind IN ({marks})"
        params: list[object] = list(self.kinds)
        if self.origin is not None:
            sql += " AND i.origin = ?"
            params.append(self.origin)
        self._exact = {}
        for rid, title, chain, unit in self.db.conn.execute(sql + " ORDER BY i.id", params):
            c = Candidate(int(rid), title, chain, unit)
            key = normalize_name(title)
            self._exact.setdefault(key, []).append(c)
            self._loose.setdefault(loose_name(key), []).append(c)
            core = core_name(key, None)
            if core:
                self._core.setdefault(core, []).append(c)


def same_name(name: str, title: str) -> bool:
    """Whether a row's 名称 names the item titled ``title``: the same name once normalised
    (spaces, brackets, punctuation, traditional script aside), or differing only by the words
    duplicate detection drops (项目, 有限公司, 集团, 工程 …)."""
    if name == title:  # (our own export: the title as written, the common case)
        return True
    a, b = _normalized(name), _normalized(title)
    return a == b or (bool(a) and loosen(a) == loosen(b))


@functools.lru_cache(maxsize=4096)
def _normalized(name: str) -> str:
    return normalize_name(name)


class Titles:
    """The titles of the items a detail sheet's rows name by 编号: each item's title now (as
    the import's item sheets left it) and, asked for one that does not agree, every title it
    had before (our own export edited and imported again — renamed on its list sheet, or
    since the export — still shows the old name beside the 编号 on its 到位资金 sheet)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def of(self, ids: Sequence[int]) -> dict[int, str]:
        """Each item's title now."""
        out: dict[int, str] = {}
        ids = sorted(set(ids))
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            for rid, title in self.db.conn.execute(f"SELECT id, title FROM items WHERE id IN ({marks})", chunk):
                out[int(rid)] = title
        return out

    def former(self, item_id: int) -> list[str]:
        """The titles the item had before (its history, this import's changes included)."""
        import json

        out: list[str] = []
        sql = "SELECT old FROM changes WHERE item_id = ? AND tbl = 'items' AND action = 'update' AND old IS NOT NULL"
        for (old,) in self.db.conn.execute(sql, (item_id,)):
            with contextlib.suppress(TypeError, ValueError, AttributeError):
                title = json.loads(old).get("title")
                if isinstance(title, str) and title not in out:
                    out.append(title)
        return out

    def item(self, item_id: int) -> Candidate:
        """The item as messages name it (title, chain, unit)."""
        rid, title, chain, unit = self.db.conn.execute(_SELECT + " WHERE i.id = ?", (item_id,)).fetchone()
        return Candidate(int(rid), title, chain, unit)


_SELECT = (
    "SELECT i.id, i.title, c.name, u.name FROM items i JOIN chains c ON c.id = i.chain_id "
    "LEFT JOIN units u ON u.id = i.unit_id"
)

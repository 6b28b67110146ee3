"""People and their portfolios: names without titles, leader and butler roles, and the SQL
condition that selects a leader's items (``zs list --leader``, ``warn --leader``, ``leaders``).

A leader's portfolio is every item whose leader field names them, every item on whose team they
serve in a leader role, and every item of a chain they lead.  Names match without titles:
王建国（副市长） is 王建国.  Below :mod:`zhaoshang.items`, which filters by it.
"""

from __future__ import annotations

import difflib
import re
from functools import lru_cache
from typing import Any

from .db import Database
from .definitions import KindDef
from .errors import NotFoundError, ZsError
from .stages import marks

_TITLE_RE = re.compile(r"\s*[（(][^（）()]*[)）]\s*")
_SPLIT_RE = re.compile(r"[、,，;；/／\n]+")
_LEADER_WORDS = ("领导", "链长", "市长", "书记")
_BUTLER_WORDS = ("管家", "秘书", "专员")


def person(name: str) -> str:
    """A person's name without a trailing title: 王建国（副市长） → 王建国."""
    return _TITLE_RE.sub("", name.strip()).strip()


def people(text: str | None) -> list[str]:
    """The names in a field that may hold several (、 , ； separated), titles removed."""
    if not text:
        return []
    out = [p.strip() for p in _SPLIT_RE.split(_TITLE_RE.sub(" ", str(text)))]
    return list(dict.fromkeys(p for p in out if p))


def person_key(name: str) -> str:
    from .parse import normalize_key

    return normalize_key(person(name))


def kinds_with(db: Database, field_key: str) -> list[KindDef]:
    """Kinds that define a field with this key."""
    return [k for k in db.defs.kinds if any(f.key == field_key for f in k.fields) and field_key in db.kind_columns(k)]


@lru_cache(maxsize=1024)
def is_leader_role(role: str) -> bool:
    from .parse import normalize_key

    r = normalize_key(role)
    return any(w in r for w in _LEADER_WORDS)


@lru_cache(maxsize=1024)
def is_butler_role(role: str) -> bool:
    from .parse import normalize_key

    r = normalize_key(role)
    return any(w in r for w in _BUTLER_WORDS)


def chain_leaders(db: Database) -> dict[int, list[str]]:
    """{chain id: its leaders' names (titles removed)}."""
    return {int(cid): people(leader) for cid, leader in db.conn.execute("SELECT id, leader FROM chains")}


def known_leaders(db: Database) -> list[str]:
    """Every leader's name: chain leaders, leader fields, team members in leader roles."""
    names: list[str] = []
    for leaders in chain_leaders(db).values():
        names.extend(leaders)
    for kind in kinds_with(db, "leader"):
        for (value,) in db.conn.execute(f'SELECT DISTINCT leader FROM "{kind.table}" WHERE leader IS NOT NULL'):
            names.extend(people(value))
    for name, role in db.conn.execute("SELECT DISTINCT name, role FROM team_members"):
        if is_leader_role(role):
            names.append(person(name))
    return list(dict.fromkeys(n for n in names if n))


def leader_clause(db: Database, name: str) -> tuple[str, list[Any]]:
    """SQL condition on ``items i`` selecting a leader's portfolio (see the module doc);
    NotFoundError naming the known leaders when nobody of that name leads anything."""
    key = person_key(name)
    if not key:
        raise ZsError("领导姓名不能为空")
    parts: list[str] = []
    params: list[Any] = []
    chains = [cid for cid, leaders in chain_leaders(db).items() if key in {person_key(p) for p in leaders}]
    if chains:
        parts.append(f"i.chain_id IN ({marks(chains)})")
        params.extend(chains)
    for kind in kinds_with(db, "leader"):
        values = [
            v
            for (v,) in db.conn.execute(f'SELECT DISTINCT leader FROM "{kind.table}" WHERE leader IS NOT NULL')
            if key in {person_key(p) for p in people(v)}
        ]
        if values:
            parts.append(f'i.id IN (SELECT id FROM "{kind.table}" WHERE leader IN ({marks(values)}))')
            params.extend(values)
    pairs = [
        (n, r)
        for n, r in db.conn.execute("SELECT DISTINCT name, role FROM team_members")
        if is_leader_role(r) and person_key(n) == key
    ]
    if pairs:
        names = sorted({n for n, _ in pairs})
        roles = sorted({r for _, r in pairs})
        parts.append(
            f"i.id IN (SELECT item_id FROM team_members WHERE name IN ({marks(names)}) AND role IN ({marks(roles)}))"
        )
        params.extend([*names, *roles])
    if not parts:
        known = known_leaders(db)
        close = difflib.get_close_matches(person(name), known, n=3, cutoff=0.3)
        hint = f"是不是：{'、'.join(close)}？" if close else ""
        listing = "、".join(known[:15]) + ("…" if len(known) > 15 else "") if known else "（还没有）"
        raise NotFoundError(f"没有名为「{person(name)}」的包保领导。{hint}已有：{listing}。领导责任清单：zs leaders")
    return "(" + " OR ".join(parts) + ")", params

"""领导责任清单: every leader with their chains, their projects, open problems and what is
late in their portfolio (see :mod:`zhaoshang.pipeline.team` for who counts as a leader and
what their portfolio is)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from ..db import Database
from ..people import chain_leaders, kinds_with, known_leaders, leader_clause, person, person_key
from .common import RED, rows
from .ledger import problem_kinds
from .team import direct_leaders
from .warnings import worst_lights


@dataclass
class LeaderRow:
    leader: str
    chains: list[str] = field(default_factory=list)
    direct: int = 0
    projects: int = 0
    key_projects: int = 0
    investment: float = 0.0
    enterprises: int = 0
    open_problems: int = 0
    overdue: int = 0
    red: int = 0
    yellow: int = 0

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["chains"] = "、".join(self.chains)
        d["investment"] = round(self.investment, 6)
        return d


def responsibility(db: Database, *, today: date, name: str | None = None) -> list[LeaderRow]:
    """One row per leader (or just ``name``), most red items first.  Counts are over open
    items of the leader's portfolio; ``direct`` counts the items that name them directly."""
    by_chain = chain_leaders(db)
    direct = direct_leaders(db)
    chain_names = dict(db.conn.execute("SELECT id, name FROM chains").fetchall())
    leaders = known_leaders(db)
    if name is not None:
        leader_clause(db, name)  # unknown names: a helpful error
        leaders = [n for n in leaders if person_key(n) == person_key(name)] or [person(name)]
    table: dict[str, LeaderRow] = {n: LeaderRow(n) for n in leaders}
    for cid, names in by_chain.items():
        for n in names:
            if n in table:
                table[n].chains.append(chain_names[cid])
    pipeline = {k.key for k in db.defs.kinds if k.pipeline}
    problems = {k.key for k in problem_kinds(db)}
    assets = {k.key for k in kinds_with(db, "butler")} - pipeline
    extra = _project_facts(db)
    worst = worst_lights(db, today=today)  # (not every warning built: a province has a million)
    today_s = today.isoformat()
    linked = _linked_projects(db)
    for item_id, kind, chain_id, due in db.conn.execute(
        "SELECT id, kind, chain_id, due FROM items WHERE closed_at IS NULL"
    ):
        mine = direct.get(item_id, [])
        via = linked.get(item_id)
        through = [*direct.get(via[0], []), *by_chain.get(via[1], [])] if via else []
        for n in dict.fromkeys([*mine, *by_chain.get(chain_id, []), *through]):
            row = table.get(n)
            if row is None:
                continue
            row.direct += n in mine
            if kind in pipeline:
                row.projects += 1
                key, amount = extra.get(item_id, (False, None))
                row.key_projects += key
                row.investment += amount or 0
            elif kind in problems:
                row.open_problems += 1
            elif kind in assets:
                row.enterprises += 1
            row.overdue += bool(due and due < today_s)
            light = worst.get(item_id)
            row.red += light == RED
            row.yellow += light is not None and light != RED
    out = list(table.values())
    out.sort(key=lambda r: (-r.red, -(r.red + r.yellow), -r.projects, r.leader))
    return out


def _linked_projects(db: Database) -> dict[int, tuple[int, int]]:
    """{problem id: (its project's id, that project's chain id)} for open problems."""
    out: dict[int, tuple[int, int]] = {}
    for kind in problem_kinds(db):
        if "project" not in db.kind_columns(kind):
            continue
        for pid, project, chain_id in db.conn.execute(
            f'SELECT k.id, k.project, p.chain_id FROM "{kind.table}" k JOIN items i ON i.id = k.id '
            "JOIN items p ON p.id = k.project WHERE i.closed_at IS NULL"
        ):
            out[int(pid)] = (int(project), int(chain_id))
    return out


def _project_facts(db: Database) -> dict[int, tuple[bool, float | None]]:
    out: dict[int, tuple[bool, float | None]] = {}
    for kind in db.defs.kinds:
        if not kind.pipeline:
            continue
        cols = db.kind_columns(kind)
        key = '"key_project"' if "key_project" in cols else "0"
        amount = '"investment"' if "investment" in cols else "NULL"
        for item_id, k, a in db.conn.execute(f'SELECT id, {key}, {amount} FROM "{kind.table}"'):
            out[int(item_id)] = (bool(k), a)
    return out


def open_problems_of(db: Database, name: str) -> list[dict[str, Any]]:
    """The open problems in a leader's portfolio (their chains', their projects' and those
    naming them), oldest first."""
    clause, params = leader_clause(db, name)
    kinds = problem_kinds(db)
    if not kinds:
        return []
    kind = kinds[0]
    assert kind.escalation is not None
    level = kind.escalation
    project = '"project"' if "project" in db.kind_columns(kind) else "NULL"
    # the problems of the leader's own projects count too
    return rows(
        db,
        f'SELECT i.id, i.title, c.name AS chain, k."{level}" AS level, u.name AS unit, i.owner, i.due, i.status '
        f'FROM items i JOIN "{kind.table}" k ON k.id = i.id JOIN chains c ON c.id = i.chain_id '
        "LEFT JOIN units u ON u.id = i.unit_id "
        f"WHERE i.kind = ? AND i.closed_at IS NULL AND ({clause} OR k.{project} IN "
        f"(SELECT i.id FROM items i WHERE {clause})) ORDER BY i.created_at, i.id",
        [kind.key, *params, *params],
    )

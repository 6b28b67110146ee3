"""Responsibility: who answers for an item.

* The chain's leader (包保领导 / 链长, on the chain) answers for the whole chain.
* An item's own leader and butler are the ``leader`` / ``butler`` fields of its kind (招什么,
  有什么), and its service team (多对一专班) is a list of members with roles.
* A member whose role names a leader (包保市领导, 包保县领导, 联系领导, 链长 …) is one of the item's
  leaders; 项目管家 / 企业管家 / 服务秘书 / 服务专员 are butlers.
* A key project carries the 五要件: 定领导、定举措、定工期、定标准、定奖惩.

A leader's portfolio (``zs list --leader NAME``) is every item whose leader field names them,
every item on whose team they serve in a leader role, and every item of a chain they lead.
Names match without titles: 王建国（副市长） is 王建国.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .. import items, lookups
from ..db import Database, now
from ..definitions import KindDef
from ..errors import NotFoundError, ZsError
from ..people import is_butler_role, is_leader_role, kinds_with, people, person, person_key
from ..stages import marks
from .common import rows

STANDARD_ROLES = (
    "包保市领导",
    "包保县领导",
    "部门负责人",
    "挂点处长",
    "区县联络员",
    "项目管家",
    "企业管家",
    "服务秘书",
)

#: 五要件: (the essential, the field that holds it)
ESSENTIALS = (
    ("定领导", "leader"),
    ("定举措", "measures"),
    ("定工期", "schedule"),
    ("定标准", "standard"),
    ("定奖惩", "reward"),
)


# ---------------------------------------------------------------------------------------
# The service team
# ---------------------------------------------------------------------------------------


def members(db: Database, item_id: int) -> list[dict[str, Any]]:
    items.kind_of(db, item_id)
    return rows(
        db,
        "SELECT id, role, name, org, phone FROM team_members WHERE item_id = ? ORDER BY id",
        (item_id,),
    )


#: what a team member carries besides role and name, as 项=值 keys (English key or label)
MEMBER_FIELDS = {"org": "单位", "phone": "电话"}


def member_values(values: dict[str, str]) -> dict[str, str]:
    """``单位=市政府 电话=139…`` (or ``org=`` / ``phone=``) as ``{"org": …, "phone": …}``."""
    by_word = {**{k: k for k in MEMBER_FIELDS}, **{v: k for k, v in MEMBER_FIELDS.items()}}
    out: dict[str, str] = {}
    for key, value in values.items():
        field = by_word.get(key.strip()) or by_word.get(key.strip().lower())
        if field is None:
            known = "、".join(MEMBER_FIELDS.values())
            raise ZsError(f"专班成员没有「{key}」这一项：可写 {known}，如 单位=市政府 电话=13900000000")
        out[field] = value
    return out


def add_member(
    db: Database,
    item_id: int,
    role: str,
    name: str,
    *,
    org: str | None = None,
    phone: str | None = None,
) -> int:
    """Add a member to an item's service team (inside the current command)."""
    if db.current is None:
        raise RuntimeError("add_member must run inside db.command()")
    items.kind_of(db, item_id)
    role, name = " ".join(role.split()), " ".join(name.split())
    if not role:
        raise ZsError(f"请写明角色，如 {'、'.join(STANDARD_ROLES[:5])}")
    if not name:
        raise ZsError("请写明成员姓名")
    for mid, r, n in db.conn.execute("SELECT id, role, name FROM team_members WHERE item_id = ?", (item_id,)):
        if person_key(n) == person_key(name) and r == role:
            raise ZsError(f"{name} 已是编号 {item_id} 服务专班的「{role}」（成员号 {mid}）")
    cur = db.insert_id(
        "INSERT INTO team_members(item_id, role, name, org, phone, user, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (item_id, role, name, (org or "").strip() or None, (phone or "").strip() or None, db.current.user, now()),
    )
    return cur


def remove_member(db: Database, item_id: int, who: str, *, role: str | None = None) -> dict[str, Any]:
    """Remove a team member given by member number or name (and role when the name holds
    several roles); returns the removed row."""
    from ..parse import to_halfwidth

    team = members(db, item_id)
    text = to_halfwidth(who.strip())
    if text.isdigit():
        hits = [m for m in team if m["id"] == int(text)]
    else:
        hits = [m for m in team if person_key(m["name"]) == person_key(text)]
        if role:
            hits = [m for m in hits if m["role"] == role.strip()]
    if not hits:
        names = "、".join(f"{m['name']}（{m['role']}）" for m in team) or "（空）"
        raise NotFoundError(f"编号 {item_id} 的服务专班里没有「{who.strip()}」。现有成员：{names}")
    if len(hits) > 1:
        roles = "、".join(m["role"] for m in hits)
        raise ZsError(f"{who.strip()} 在专班中有多个角色（{roles}）：请加 --role 指明，或用成员号")
    db.conn.execute("DELETE FROM team_members WHERE id = ?", (hits[0]["id"],))
    return hits[0]


# ---------------------------------------------------------------------------------------
# Leaders and butlers of items
# ---------------------------------------------------------------------------------------


def _field_value(db: Database, item_id: int, key: str) -> str | None:
    kind = items.kind_of(db, item_id)
    if key not in db.kind_columns(kind):
        return None
    row = db.conn.execute(f'SELECT "{key}" FROM "{kind.table}" WHERE id = ?', (item_id,)).fetchone()
    return None if row is None or row[0] in (None, "") else str(row[0])


@dataclass
class Responsible:
    leaders: list[str]
    butlers: list[str]
    chain_leaders: list[str]


def responsible(db: Database, item_id: int) -> Responsible:
    """The leaders and butlers of one item (fields first, then team roles) and its chain's
    leaders."""
    team = members(db, item_id)
    leaders = people(_field_value(db, item_id, "leader"))
    leaders += [person(m["name"]) for m in team if is_leader_role(m["role"])]
    butlers = people(_field_value(db, item_id, "butler"))
    butlers += [person(m["name"]) for m in team if is_butler_role(m["role"])]
    row = db.conn.execute(
        "SELECT c.leader FROM items i JOIN chains c ON c.id = i.chain_id WHERE i.id = ?", (item_id,)
    ).fetchone()
    return Responsible(list(dict.fromkeys(leaders)), list(dict.fromkeys(butlers)), people(row[0] if row else None))


def direct_leaders(db: Database, only: set[int] | None = None) -> dict[int, list[str]]:
    """{item id: leaders named on the item itself}: its ``leader`` field and team members in
    a leader role.  Items with neither are absent; ``only`` limits the answer to some items.
    One query per kind: fit for 100,000 items."""
    out: dict[int, list[str]] = {}
    for kind in kinds_with(db, "leader"):
        names: dict[str, list[str]] = {}
        for item_id, value in db.conn.execute(f'SELECT id, leader FROM "{kind.table}" WHERE leader IS NOT NULL'):
            if only is not None and item_id not in only:
                continue
            found = names.get(value)
            if found is None:
                found = names[value] = people(value)
            if found:
                out[int(item_id)] = list(found)
    roles = [r for (r,) in db.conn.execute("SELECT DISTINCT role FROM team_members") if is_leader_role(r)]
    if roles:
        for item_id, name in db.conn.execute(
            f"SELECT item_id, name FROM team_members WHERE role IN ({marks(roles)}) ORDER BY id", roles
        ):
            if only is not None and item_id not in only:
                continue
            got = out.setdefault(int(item_id), [])
            p = person(name)
            if p and p not in got:
                got.append(p)
    return out


def team_leaders(db: Database) -> dict[int, list[str]]:
    """{item id: names of its team members in a leader role}."""
    out: dict[int, list[str]] = {}
    roles = [r for (r,) in db.conn.execute("SELECT DISTINCT role FROM team_members") if is_leader_role(r)]
    if roles:
        for item_id, name in db.conn.execute(
            f"SELECT item_id, name FROM team_members WHERE role IN ({marks(roles)}) ORDER BY id", roles
        ):
            got = out.setdefault(int(item_id), [])
            p = person(name)
            if p and p not in got:
                got.append(p)
    return out


# ---------------------------------------------------------------------------------------
# 五要件
# ---------------------------------------------------------------------------------------


def is_key_project(db: Database, item_id: int) -> bool:
    value = _field_value(db, item_id, "key_project")
    return bool(value and value not in ("0", "False"))


def five_essentials(db: Database, item_id: int) -> list[dict[str, Any]]:
    """The 五要件 of an item whose kind defines them: essential, label, value, ok.  The
    leader counts as set when the leader field or a team member in a leader role names one.
    Empty for kinds without these fields."""
    kind = items.kind_of(db, item_id)
    stored = set(db.kind_columns(kind))
    if not all(key in stored for _, key in ESSENTIALS):
        return []
    row = db.conn.execute(
        f'SELECT {", ".join(chr(34) + k + chr(34) for _, k in ESSENTIALS)} FROM "{kind.table}" WHERE id = ?',
        (item_id,),
    ).fetchone()
    values = dict(zip((k for _, k in ESSENTIALS), row or (None,) * len(ESSENTIALS), strict=True))
    return _essentials(kind, values, responsible(db, item_id).leaders)


def _essentials(kind: KindDef, values: dict[str, Any], team_leaders: list[str]) -> list[dict[str, Any]]:
    if not values.get("leader") and team_leaders:
        values = {**values, "leader": "、".join(team_leaders) + "（服务专班）"}
    return [
        {"essential": name, "label": kind.field(key).label, "value": values.get(key), "ok": bool(values.get(key))}
        for name, key in ESSENTIALS
    ]


def teams_overview(db: Database, *, chain: str | None = None, incomplete: bool = False) -> list[dict[str, Any]]:
    """Open key projects (and any open item with a service team): leader, butler, team size,
    五要件 done/missing.  ``incomplete`` keeps the key projects missing an essential.
    A few queries in all, whatever the number of items."""
    import json

    where = ["i.closed_at IS NULL"]
    params: list[Any] = []
    if chain:
        where.append("i.chain_id = ?")
        params.append(lookups.chain_id(db, chain))
    scope = ["i.id IN (SELECT item_id FROM team_members)"]
    scope += [f'i.id IN (SELECT id FROM "{k.table}" WHERE key_project = 1)' for k in kinds_with(db, "key_project")]
    where.append("(" + " OR ".join(scope) + ")")
    found = rows(
        db,
        "SELECT i.id, i.kind, i.title, c.name AS chain, i.status, i.owner, cl.leader AS chain_leader FROM items i "
        f"JOIN chains c ON c.id = i.chain_id JOIN chains cl ON cl.id = i.chain_id WHERE {' AND '.join(where)} "
        "ORDER BY i.id",
        params,
    )
    ids = json.dumps([r["id"] for r in found])
    team: dict[int, list[tuple[str, str]]] = {}
    for item_id, role, name in db.conn.execute(
        "SELECT item_id, role, name FROM team_members WHERE item_id IN (SELECT value FROM json_each(?)) ORDER BY id",
        (ids,),
    ):
        team.setdefault(item_id, []).append((role, name))
    fields: dict[int, dict[str, Any]] = {}
    wanted = ["leader", "butler", "key_project", *(k for _, k in ESSENTIALS[1:])]
    for kind in db.defs.kinds:
        cols = [c for c in wanted if c in db.kind_columns(kind)]
        if not cols:
            continue
        cur = db.conn.execute(
            f'SELECT id, {", ".join(chr(34) + c + chr(34) for c in cols)} FROM "{kind.table}" '
            "WHERE id IN (SELECT value FROM json_each(?))",
            (ids,),
        )
        for r in cur:
            fields[r[0]] = dict(zip(cols, r[1:], strict=True))
    complete = {k.key: all(c in db.kind_columns(k) for _, c in ESSENTIALS) for k in db.defs.kinds}
    out = []
    for r in found:
        kind = db.defs.kind_by_key(r["kind"])
        values = fields.get(r["id"], {})
        members_ = team.get(r["id"], [])
        leaders = people(values.get("leader")) + [person(n) for role, n in members_ if is_leader_role(role)]
        butlers = people(values.get("butler")) + [person(n) for role, n in members_ if is_butler_role(role)]
        ess = _essentials(kind, values, leaders) if complete[kind.key] and values.get("key_project") else []
        missing = [e["essential"] for e in ess if not e["ok"]]
        if incomplete and not missing:
            continue
        out.append(
            {
                "id": r["id"],
                "kind": r["kind"],
                "title": r["title"],
                "chain": r["chain"],
                "status": r["status"],
                "owner": r["owner"],
                "leader": "、".join(dict.fromkeys(leaders)),
                "butler": "、".join(dict.fromkeys(butlers)),
                "chain_leader": "、".join(people(r["chain_leader"])),
                "team_size": len(members_),
                "team": "、".join(f"{role}{name}" for role, name in members_),
                "essentials_done": sum(1 for e in ess if e["ok"]) if ess else None,
                "essentials_missing": "、".join(missing),
            }
        )
    return out

"""Industry chains (产业链) and units (招商主体): lookup by name, and their CRUD.

Chains and units share one implementation driven by a small :class:`Entity` description:
the columns people may set, their Chinese labels and aliases.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from .errors import NotFoundError, ZsError

if TYPE_CHECKING:  # (the CLI reads CHAIN and UNIT at start-up: no database code loaded for that)
    from .db import Database


class Column(NamedTuple):
    key: str
    label: str
    aliases: tuple[str, ...] = ()
    kind: str = "text"  # text | bool
    choices: tuple[str, ...] = ()


class Entity(NamedTuple):
    """A chain or unit table described for CRUD.  (NamedTuples: the CLI builds its chain and
    unit commands from these at start-up, and dataclasses cost ~1 ms each to make.)"""

    table: str
    noun: str  # 产业链 / 招商主体
    command: str  # chain / unit
    columns: tuple[Column, ...]

    def column(self, name: str) -> Column:
        from .parse import normalize_key

        wanted = normalize_key(name)
        for c in self.columns:
            if wanted in {normalize_key(x) for x in (c.key, c.label, *c.aliases)}:
                return c
        raise NotFoundError(f"{self.noun}没有「{name}」这一项。可用：" + "、".join(c.label for c in self.columns))


CHAIN = Entity(
    table="chains",
    noun="产业链",
    command="chain",
    columns=(
        Column("name", "名称", ("产业链", "链名", "名稱")),
        Column("leader", "包保领导", ("链长", "领导", "包保領導", "责任领导")),
        Column("lead_unit", "牵头单位", ("牽頭單位", "牵头部门")),
        Column("coop_units", "配合单位", ("配合部门", "配合單位")),
        Column("task_force", "专班", ("工作专班", "专班组长", "專班")),
        Column("description", "说明", ("描述", "简介", "說明")),
    ),
)

UNIT = Entity(
    table="units",
    noun="招商主体",
    command="unit",
    columns=(
        Column("name", "名称", ("单位", "单位名称", "名稱")),
        Column("type", "类型", ("類型",), choices=("区县", "开发区", "园区", "专班", "部门", "其他")),
        Column("leader", "负责人", ("领导", "負責人")),
        Column("contact", "联系人", ("联系方式", "聯繫人")),
        Column("ranked", "参加排名", ("排名", "擂台赛"), kind="bool"),
    ),
)


class Guess(NamedTuple):
    """A name resolved by a guess rather than typed in full: what was typed and what it was
    taken for.  ``how``: ``prefix`` (a unique name starting with it), ``part`` (the only name
    containing it) or ``id`` (a number taken as the row's id)."""

    noun: str
    typed: str
    name: str
    how: str

    @property
    def message(self) -> str:
        way = {"prefix": "按唯一前缀", "part": "按名称中唯一含有它", "id": "按编号"}[self.how]
        return f"{self.noun}「{self.typed}」{way}认作「{self.name}」"


def _guessed(db: Database, ent: Entity, typed: str, rid: int, how: str, label: str | None) -> int:
    """``rid``, noted on the running command (if any) as a guess for the confirmation."""
    if db.current is not None:
        name = db.conn.execute(f"SELECT name FROM {ent.table} WHERE id = ?", (rid,)).fetchone()[0]
        guess = Guess(label or ent.noun, typed, str(name), how)
        if guess not in db.current.guesses:
            db.current.guesses.append(guess)
    return rid


def find(db: Database, ent: Entity, name: str, *, label: str | None = None) -> int:
    """The id of the chain or unit ``name`` stands for: its name (any form), its id, or a
    unique part of its name — the last two noted as a :class:`Guess` on the running command
    (named by ``label``, the field it was typed in, else the entity's noun)."""
    from .parse import normalize_key, to_halfwidth

    text = name.strip()
    if not text:
        raise ZsError(f"{ent.noun}名称不能为空")
    row = db.conn.execute(f"SELECT id FROM {ent.table} WHERE name = ?", (text,)).fetchone()
    if row:
        return int(row[0])
    rows = db.conn.execute(f"SELECT id, name FROM {ent.table} ORDER BY id").fetchall()
    names = [r[1] for r in rows]
    wanted = normalize_key(text)
    for rid, n in rows:
        if normalize_key(n) == wanted:
            return int(rid)
    text = to_halfwidth(text)
    if text.isascii() and text.isdigit() and len(text) < 19:  # an id (SQLite integers are 64-bit)
        row = db.conn.execute(f"SELECT id FROM {ent.table} WHERE id = ?", (int(text),)).fetchone()
        if row:
            return _guessed(db, ent, text, int(row[0]), "id", label)
    import difflib

    close = difflib.get_close_matches(text, names, n=3, cutoff=0.3)
    # also accept a unique name containing what was typed (e.g. 石墨 → 石墨新材料)
    partial = [rid for rid, n in rows if wanted and wanted in normalize_key(n)]
    if len(partial) == 1:
        rid = int(partial[0])
        full = normalize_key(next(n for i, n in rows if i == rid))
        return _guessed(db, ent, name.strip(), rid, "prefix" if full.startswith(wanted) else "part", label)
    hint = ("是不是：" + "、".join(close) + "？") if close else ""
    known = "、".join(names[:15]) + ("…" if len(names) > 15 else "")
    listing = f"已有：{known}" if names else f"还没有任何{ent.noun}"
    raise NotFoundError(f"没有名为「{text}」的{ent.noun}。{hint}{listing}。新建请用 zs {ent.command} add {text}")


def chain_id(db: Database, name: str, *, label: str | None = None) -> int:
    """The id of a chain by name (simplified or traditional, or a unique part of it)."""
    return find(db, CHAIN, name, label=label)


def unit_id(db: Database, name: str, *, label: str | None = None) -> int:
    """The id of a unit by name (simplified or traditional, or a unique part of it)."""
    return find(db, UNIT, name, label=label)


# ---------------------------------------------------------------------------------------
# CRUD shared by chains and units
# ---------------------------------------------------------------------------------------


def _parse(ent: Entity, values: Mapping[str, object]) -> dict[str, Any]:
    from .names import check_name, control_character
    from .parse import parse_bool

    out: dict[str, Any] = {}
    for name, raw in values.items():
        col = ent.column(name)
        text = "" if raw is None else str(raw).strip()
        if col.key == "name":
            check_name(text, what=f"{ent.noun}名称")
        elif text and control_character(text, multiline=col.key == "description") is not None:
            check_name(text, what=f"{ent.noun}{col.label}")
        if col.kind == "bool":
            out[col.key] = 1 if parse_bool(text) else 0
        elif col.choices and text:
            if text not in col.choices:
                raise ZsError(f"{ent.noun}{col.label}「{text}」不可用。可选：{'、'.join(col.choices)}")
            out[col.key] = text
        else:
            out[col.key] = text or None
    if "name" in out and not out["name"]:
        raise ZsError(f"{ent.noun}名称不能为空")
    return out


def same_name(db: Database, ent: Entity, name: str, *, but: int | None = None) -> tuple[int, str] | None:
    """The chain or unit (id, name as typed) whose name is ``name`` once normalised
    (:func:`~zhaoshang.parse.normalize_key`: width, script, case, spaces and invisible
    characters ignored) — other than ``but``; None when there is none."""
    from .parse import normalize_key

    wanted = normalize_key(name)
    for rid, other in db.conn.execute(f"SELECT id, name FROM {ent.table} ORDER BY id"):
        if rid != but and normalize_key(other) == wanted:
            return int(rid), str(other)
    return None


def create(db: Database, ent: Entity, name: str, values: Mapping[str, object]) -> int:
    """Add a chain or unit (inside a command); returns its id."""
    data = _parse(ent, {**values, "name": name})
    exists = same_name(db, ent, data["name"])
    if exists:
        raise ZsError(
            f"{ent.noun}「{data['name']}」已存在（编号 {exists[0]}「{exists[1]}」）：修改请用 zs {ent.command} edit"
        )
    from .db import now

    ts = now()
    data.update(created_at=ts, updated_at=ts)
    cols = list(data)
    cur = db.insert_id(
        f"INSERT INTO {ent.table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
        list(data.values()),
    )
    return cur


def update(db: Database, ent: Entity, name: str, values: Mapping[str, object]) -> list[str]:
    """Change a chain or unit (inside a command); returns the changed column keys."""
    row_id = find(db, ent, name)
    data = _parse(ent, values)
    if "name" in data:
        clash = same_name(db, ent, data["name"], but=row_id)
        if clash:
            raise ZsError(f"{ent.noun}「{data['name']}」已存在（编号 {clash[0]}「{clash[1]}」）：名称不能重复")
    current = _record(db, ent, row_id)
    changed = {k: v for k, v in data.items() if current.get(k) != v}
    if changed:
        from .db import now

        changed["updated_at"] = now()
        sets = ", ".join(f"{k} = ?" for k in changed)
        db.conn.execute(f"UPDATE {ent.table} SET {sets} WHERE id = ?", [*changed.values(), row_id])
    return [k for k in changed if k != "updated_at"]


def get(db: Database, ent: Entity, name: str) -> dict[str, Any]:
    return _record(db, ent, find(db, ent, name))


def _record(db: Database, ent: Entity, row_id: int) -> dict[str, Any]:
    """The chain or unit ``row_id`` with its number of items (found already: no guess noted)."""
    cur = db.conn.execute(f"SELECT * FROM {ent.table} WHERE id = ?", (row_id,))
    names = [d[0] for d in cur.description]
    rec = dict(zip(names, cur.fetchone(), strict=True))
    ref = "chain_id" if ent is CHAIN else "unit_id"
    rec["items"] = db.conn.execute(f"SELECT count(*) FROM items WHERE {ref} = ?", (row_id,)).fetchone()[0]
    if "ranked" in rec:
        rec["ranked"] = bool(rec["ranked"])
    return rec


def list_all(db: Database, ent: Entity) -> list[dict[str, Any]]:
    ref = "chain_id" if ent is CHAIN else "unit_id"
    # the items counted in one pass over the table (a million items: 0.8 s), not by two
    # lookups per chain or unit, which read every item's row at random (4 to 8 s)
    counts = {
        rid: (int(n), int(still_open or 0))
        for rid, n, still_open in db.conn.execute(
            f"SELECT {ref}, count(*), sum(CASE WHEN closed_at IS NULL THEN 1 ELSE 0 END) "
            f"FROM items NOT INDEXED GROUP BY {ref}"
        )
    }
    cur = db.conn.execute(f"SELECT t.* FROM {ent.table} t ORDER BY t.id")
    names = [d[0] for d in cur.description]
    out = []
    for r in cur:
        rec = dict(zip(names, r, strict=True))
        rec["items"], rec["open_items"] = counts.get(rec["id"], (0, 0))
        if "ranked" in rec:
            rec["ranked"] = bool(rec["ranked"])
        out.append(rec)
    return out


def delete(db: Database, ent: Entity, name: str) -> dict[str, Any]:
    """Remove a chain or unit that no item uses (inside a command)."""
    rec = get(db, ent, name)
    if rec["items"]:
        if ent is CHAIN:
            fix = (
                f"先把这些条目移到其他产业链（zs edit 编号 产业链=…），或删除它们（zs list --chain {rec['name']} 查看）"
            )
        else:
            fix = f"先修改这些条目的责任单位（zs list --unit {rec['name']} 查看）"
        raise ZsError(f"{ent.noun}「{rec['name']}」下还有 {rec['items']} 个条目，不能删除：{fix}")
    db.conn.execute(f"DELETE FROM {ent.table} WHERE id = ?", (rec["id"],))
    return rec

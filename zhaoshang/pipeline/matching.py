"""政策匹配: which support policies (配套什么) fit a project (招什么), and why.

A policy's structured conditions are fields of its kind (supports.yaml); an empty field is
no condition:

==============  =========================  ==============================================
field           meaning                    holds when the project's …
==============  =========================  ==============================================
chains          适用产业链（顿号分隔）       chain is one of them
units           适用区域（顿号分隔）         responsible unit is one of them
min_investment  最低投资额（万元）           投资额 is at least this
stages          适用阶段（多选）             current stage is one of them
categories      适用类别（多选）             类别 is one of them
segments        适用链环节（多选）           链环节 is one of them
key_only        仅限重点项目                 重点项目 is 是
==============  =========================  ==============================================

A policy that has lapsed (a terminal status such as 已失效, or 有效期 before today) fits
nothing.  The free-text 适用条件 cannot be checked by a machine and is shown as a note.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

from .. import items
from ..db import Database
from ..definitions import KindDef
from ..errors import ZsError
from ..parse import format_money, normalize_key
from ..stages import marks, stages_of
from .common import require_kind

CONDITION_FIELDS = ("chains", "units", "min_investment", "stages", "categories", "segments", "key_only")
_SPLIT = re.compile(r"[、,，;；/|\s]+")
_ANY = {"全部", "不限", "所有", "全市", "全部产业链"}


@dataclass
class Check:
    name: str
    ok: bool
    detail: str

    @property
    def text(self) -> str:
        return f"{self.name}：{'符合' if self.ok else '不符合'}（{self.detail}）"


@dataclass
class Match:
    policy_id: int
    policy: str
    target_id: int
    target: str
    checks: list[Check] = field(default_factory=list)
    note: str | None = None
    general: bool = False
    #: the target's chain, unit, status and fields (for listing)
    facts: dict[str, Any] = field(default_factory=dict)

    @property
    def fits(self) -> bool:
        return all(c.ok for c in self.checks)

    @property
    def failed(self) -> int:
        return sum(1 for c in self.checks if not c.ok)

    @property
    def explanation(self) -> str:
        parts = [c.text for c in self.checks]
        if self.general:
            parts.insert(0, "未设结构化条件（普遍适用）")
        return "；".join(parts)


def policy_kinds(db: Database) -> list[KindDef]:
    return [k for k in db.defs.kinds if any(f.key in CONDITION_FIELDS for f in k.fields)]


def target_kinds(db: Database) -> list[KindDef]:
    return [k for k in db.defs.kinds if k.pipeline]


def _names(text: Any) -> list[str]:
    return [] if text is None else list(_split_names(str(text)))


@lru_cache(maxsize=4096)
def _split_names(text: str) -> tuple[str, ...]:
    parts = tuple(p.strip() for p in _SPLIT.split(text) if p.strip())
    return () if any(p in _ANY for p in parts) else parts


_key = lru_cache(maxsize=4096)(normalize_key)
_money = lru_cache(maxsize=4096)(format_money)


def _load(db: Database, kinds: list[KindDef], where: str, params: list[Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for kind in kinds:
        stored = db.kind_columns(kind)
        cols = ", ".join(f'k."{c}" AS "{c}"' for c in stored)
        cur = db.conn.execute(
            f"SELECT i.id, i.kind, i.title, i.status, i.closed_at, c.name AS chain, u.name AS unit"
            f"{', ' + cols if cols else ''} FROM items i JOIN chains c ON c.id = i.chain_id "
            f'LEFT JOIN units u ON u.id = i.unit_id LEFT JOIN "{kind.table}" k ON k.id = i.id '
            f"WHERE i.kind = ? AND {where} ORDER BY i.id",
            [kind.key, *params],
        )
        names = [d[0] for d in cur.description]
        out.extend(dict(zip(names, r, strict=True)) for r in cur)
    return out


def _stage_text(kind: KindDef | None, wanted: list[str]) -> str:
    order = stages_of(kind) if kind else []
    if len(wanted) == 1:
        return f"需{wanted[0]}"
    if order and wanted[0] in order:
        tail = order[order.index(wanted[0]) :]
        if wanted == tail:
            return f"需{wanted[0]}及以后"
    return "需" + "或".join(wanted)


def check(policy: dict[str, Any], target: dict[str, Any], *, today: date, kind: KindDef | None = None) -> Match:
    """Evaluate one policy's conditions against one target; every condition is explained."""
    m = Match(policy["id"], policy["title"], target["id"], target["title"], facts=target)
    chains = _names(policy.get("chains"))
    if chains:
        ok = _key(target["chain"]) in {_key(c) for c in chains}
        m.checks.append(
            Check("产业链", ok, target["chain"] if ok else f"限{'、'.join(chains)}，本项目属{target['chain']}")
        )
    units = _names(policy.get("units"))
    if units:
        have = str(target.get("unit") or "")
        ok = bool(have) and _key(have) in {_key(u) for u in units}
        where = f"本项目在{have}" if have else "本项目未填责任单位"
        m.checks.append(Check("区域", ok, have if ok else f"限{'、'.join(units)}，{where}"))
    floor = policy.get("min_investment")
    if floor:
        amount = target.get("investment")
        name = f"投资额≥{_money(floor)}万元"
        if amount is None:
            m.checks.append(Check(name, False, "未填投资额"))
        else:
            m.checks.append(Check(name, amount >= floor, f"{_money(amount)}万元"))
    for key, label, tkey, prefix in (
        ("stages", "阶段", "status", "当前"),
        ("categories", "类别", "category", "本项目为"),
        ("segments", "链环节", "segment", "本项目为"),
    ):
        wanted = _names(policy.get(key))
        if not wanted:
            continue
        have = str(target.get(tkey) or "")
        ok = have in wanted
        if key == "stages":
            need = _stage_text(kind, wanted)
        else:
            need = "限" + "、".join(wanted)
        where = f"{prefix}{have}" if have else f"本项目未填{label}"
        m.checks.append(Check(label, ok, have if ok else f"{need}，{where}"))
    if policy.get("key_only"):
        ok = bool(target.get("key_project"))
        m.checks.append(Check("重点项目", ok, "是" if ok else "仅限重点项目，本项目不是"))
    m.general = not m.checks
    valid = policy.get("valid_until")
    if policy.get("closed_at") is not None:
        m.checks.append(Check("政策状态", False, f"已{policy['status'].removeprefix('已')}"))
    elif valid and valid < today.isoformat():
        m.checks.append(Check("有效期", False, f"已于 {valid} 到期"))
    elif valid:
        m.checks.append(Check("有效期", True, f"至 {valid}"))
    cond = policy.get("conditions")
    if cond:
        m.note = f"其他条件：{cond}（需人工核实）"
    return m


def match_target(db: Database, item_id: int, *, today: date, include_all: bool = False) -> list[Match]:
    """The policies that fit a project, best first; ``include_all`` adds those that do not
    (fewest failed conditions first).  Without it, policies missing exactly one condition
    are kept too (they say what the project still needs), marked by ``fits`` = False."""
    kind = items.kind_of(db, item_id)
    require_kind(
        db, item_id, kind.pipeline, "只能为项目（招什么）匹配政策；查某项政策适用的项目请用 zs match --policy 编号"
    )
    target = _load(db, [kind], "i.id = ?", [item_id])[0]
    live = "1" if include_all else "i.closed_at IS NULL AND (k.valid_until IS NULL OR k.valid_until >= ?)"
    policies: list[dict[str, Any]] = []
    for pk in policy_kinds(db):
        dated = "valid_until" in db.kind_columns(pk)
        where = live if dated or include_all else "i.closed_at IS NULL"
        policies += _load(db, [pk], where, [today.isoformat()] if where == live and not include_all else [])
    found = [check(p, target, today=today, kind=kind) for p in policies]
    if not include_all:
        found = [m for m in found if m.failed <= 1 and not _lapsed(m)]
    found.sort(key=lambda m: (m.failed, m.general, m.policy_id))
    return found


def _lapsed(m: Match) -> bool:
    return any(not c.ok and c.name in ("有效期", "政策状态") for c in m.checks)


def policy_summary(db: Database, policy_id: int) -> dict[str, Any]:
    kinds = policy_kinds(db)
    kind = items.kind_of(db, policy_id)
    require_kind(db, policy_id, kind in kinds, "请给出一项政策（配套什么）的编号")
    return _load(db, [kind], "i.id = ?", [policy_id])[0]


def conditions_text(db: Database, policy: dict[str, Any]) -> str:
    """The policy's conditions in one line, e.g. 产业链限绿色矿业；投资额≥5000万元；阶段需已签约及以后."""
    kind = target_kinds(db)[0] if target_kinds(db) else None
    parts = []
    if _names(policy.get("chains")):
        parts.append("产业链限" + "、".join(_names(policy["chains"])))
    if _names(policy.get("units")):
        parts.append("区域限" + "、".join(_names(policy["units"])))
    if policy.get("min_investment"):
        parts.append(f"投资额≥{format_money(policy['min_investment'])}万元")
    if _names(policy.get("stages")):
        parts.append("阶段" + _stage_text(kind, _names(policy["stages"])))
    if _names(policy.get("categories")):
        parts.append("类别限" + "、".join(_names(policy["categories"])))
    if _names(policy.get("segments")):
        parts.append("链环节限" + "、".join(_names(policy["segments"])))
    if policy.get("key_only"):
        parts.append("仅限重点项目")
    return "；".join(parts) or "未设结构化条件（普遍适用）"


def match_policy(db: Database, policy_id: int, *, today: date) -> tuple[dict[str, Any], list[Match]]:
    """The projects a policy fits (projects that left the pipeline, 退库, excluded)."""
    policy = policy_summary(db, policy_id)
    kinds = target_kinds(db)
    if not kinds:
        raise ZsError("没有项目清单（YAML 中 pipeline: true）")
    out: list[Match] = []
    valid = policy.get("valid_until")
    if policy.get("closed_at") is not None or (valid and valid < today.isoformat()):
        return policy, out  # a lapsed policy fits nothing
    for kind in kinds:
        exits = [s.name for s in kind.statuses if s.terminal and s.requires_reason]
        where, params = _prefilter(db, kind, policy)
        where.append(f"i.status NOT IN ({marks(exits)})" if exits else "1")
        params.extend(exits)
        for t in _load(db, [kind], " AND ".join(where), params):
            m = check(policy, t, today=today, kind=kind)
            if m.fits:
                out.append(m)
    return policy, out


def _prefilter(db: Database, kind: KindDef, policy: dict[str, Any]) -> tuple[list[str], list[Any]]:
    """SQL conditions that keep only the projects that can fit (a speed-up only: every
    project kept is still checked and explained in Python)."""
    where: list[str] = []
    params: list[Any] = []
    chains = _names(policy.get("chains"))
    if chains:
        keys = {normalize_key(c) for c in chains}
        ids = [cid for cid, name in db.conn.execute("SELECT id, name FROM chains") if normalize_key(name) in keys]
        where.append(f"i.chain_id IN ({marks(ids)})" if ids else "0")
        params.extend(ids)
    if policy.get("min_investment") and "investment" in db.kind_columns(kind):
        where.append('k."investment" >= ?')
        params.append(policy["min_investment"])
    stages = _names(policy.get("stages"))
    if stages:
        where.append(f"i.status IN ({marks(stages)})")
        params.extend(stages)
    return where or ["1"], params

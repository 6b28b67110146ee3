"""``checklists/_ranking.yaml``: what the reports count and how the ranking scores.

Validated strictly, like the checklist definitions: an unknown key, a stage that is not a
status of the project list, a field that is not a money field, a metric that does not exist
— each is a one-line Chinese error naming the file and the key.  The parsed file is cached
as JSON beside the definitions cache so that reports do not pay for importing PyYAML.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..definitions import Definitions, KindDef, default_dir
from ..errors import ZsError
from ..files import replace_text
from .figures import stage_order
from .metrics import BY_KEY, METRICS

FILE = "_ranking.yaml"
STAGE_ROLES = ("talks", "signed", "registered", "started", "producing")
METHODS = {
    "goal": "年度目标完成率 × 权重（封顶 cap）",
    "best": "本单位数值 ÷ 参赛单位最高值 × 权重",
    "rate": "比率 × 权重（没有统计对象时不计，总分按其余指标折算）",
}


@dataclass(frozen=True)
class Weight:
    metric: str
    weight: float
    method: str  # goal | best | rate


@dataclass(frozen=True)
class ReportConfig:
    pipeline_kind: str
    amount_field: str
    foreign_field: str
    amount_label: str  # 投资额
    foreign_label: str  # 外资额
    stages: dict[str, str]  # role -> status name
    stage_order: tuple[str, ...]  # every stage of the pipeline kind in order (线索 … 已投产)
    withdrawn: str  # the exit status (退库)
    contact_types: tuple[str, ...]
    contact_kinds: tuple[str, ...]
    problem_kind: str
    problem_link: str | None
    closed_status: str  # 已销号
    cancelled: tuple[str, ...]  # other terminal statuses of problems (已取消)
    visit_types: tuple[str, ...]
    visit_kinds: tuple[str, ...]
    visit_sources: tuple[str, ...]
    permit_from: str | None
    permit_to: str | None
    cap: float
    weights: tuple[Weight, ...]
    kind_names: dict[str, str]  # key -> Chinese name, for messages and definitions
    #: a monthly (quarterly) report asked for no period reports the month (quarter) just
    #: ended on days 1..previous_until of a month (of a quarter's first month); 0: never
    previous_until: int = 0
    #: percentage points behind 时序进度 that put a unit on the bulletin's 黄榜 / 黑榜
    yellow_points: float = 10.0
    red_points: float = 30.0

    def reached_statuses(self, stage: str) -> tuple[str, ...]:
        """The statuses that mean ``stage`` has been reached: the stage and every later one."""
        i = self.stage_order.index(stage)
        return self.stage_order[i:]

    def vocabulary(self) -> dict[str, str]:
        """Names used in the figure definitions (see metrics.definition)."""

        def kinds(keys: Iterable[str]) -> str:
            return "、".join(f"「{self.kind_names.get(k, k)}」" for k in keys)

        return {
            **self.stages,
            "pipeline": f"「{self.kind_names.get(self.pipeline_kind, self.pipeline_kind)}」",
            "amount": f"「{self.amount_label}」",
            "foreign_amount": f"「{self.foreign_label}」",
            "withdrawn": self.withdrawn,
            "contact_types": "、".join(self.contact_types),
            "contact_kinds": kinds(self.contact_kinds),
            "problems": f"「{self.kind_names.get(self.problem_kind, self.problem_kind)}」",
            "closed": self.closed_status,
            "cancelled": "、".join(self.cancelled) or "无",
            "visit_types": "、".join(self.visit_types),
            "visit_kinds": kinds(self.visit_kinds),
            "visit_sources": "、".join(self.visit_sources) or "（未设置）",
            "permit_from": self.permit_from or "（未设置）",
            "permit_to": self.permit_to or "（未设置）",
        }


# ---------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------


def path(directory: Path | None = None) -> Path:
    return (directory or default_dir()) / FILE


def load(defs: Definitions, directory: Path | None = None) -> ReportConfig:
    """Read and validate ``_ranking.yaml`` against the checklist definitions."""
    p = path(directory)
    if not p.is_file():
        raise ZsError(f"找不到报表配置「{p}」：请恢复 checklists/{FILE}（统计口径与擂台赛评分）")
    return _build(_read(p), defs)


def _read(p: Path) -> Any:
    st = p.stat()
    stamp = hashlib.sha1(f"{p.resolve()}:{st.st_size}:{st.st_mtime_ns}".encode()).hexdigest()
    cache = _cache_file(stamp)
    if cache is not None and cache.is_file():
        try:
            return json.loads(cache.read_text(encoding="utf-8"))["data"]
        except (OSError, ValueError, KeyError):
            pass
    from ..definitions import _read_yaml

    data = _read_yaml(p)
    if cache is not None:
        try:
            cache.parent.mkdir(parents=True, exist_ok=True)
            replace_text(cache, json.dumps({"data": data}, ensure_ascii=False, default=str))
        except OSError:
            pass
    return data


def _cache_file(stamp: str) -> Path | None:
    base = os.environ.get("ZHAOSHANG_CACHE")
    if base == "":
        return None
    if base is None:
        xdg = os.environ.get("XDG_CACHE_HOME")
        base = str((Path(xdg) if xdg else Path.home() / ".cache") / "zhaoshang")
    return Path(base) / f"ranking-{stamp}.json"


# ---------------------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------------------


class _Map:
    """One mapping of the file: known keys only, with errors naming the key path."""

    def __init__(self, data: Any, where: str) -> None:
        if not isinstance(data, dict):
            raise _err(where, "应是键值映射（键: 值）")
        self.data: dict[str, Any] = data
        self.where = where

    def keys(self, allowed: Iterable[str], required: Iterable[str] = ()) -> None:
        allowed = list(allowed)
        for k in self.data:
            if k not in allowed:
                close = difflib.get_close_matches(str(k), allowed, n=1)
                hint = f"，是不是「{close[0]}」？" if close else "。"
                raise _err(self.at(str(k)), f"是未知的键{hint}允许的键：{'、'.join(allowed)}")
        for k in required:
            if self.data.get(k) is None:
                raise _err(self.at(k), "不能缺少")

    def at(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def text(self, key: str, default: str | None = None) -> str:
        v = self.data.get(key, default)
        if v is None or isinstance(v, bool) or not isinstance(v, str | int | float) or str(v).strip() == "":
            raise _err(self.at(key), "应是一个名称（文字）")
        return str(v).strip()

    def texts(self, key: str, default: tuple[str, ...] = ()) -> tuple[str, ...]:
        v = self.data.get(key)
        if v is None:
            return default
        if isinstance(v, str):
            v = [v]
        if not isinstance(v, list) or not all(isinstance(x, str | int) and not isinstance(x, bool) for x in v):
            raise _err(self.at(key), "应是文字列表，如 [对接, 走访]")
        return tuple(str(x).strip() for x in v)

    def number(self, key: str, default: float | None = None) -> float:
        v = self.data.get(key, default)
        if isinstance(v, bool) or not isinstance(v, int | float):
            raise _err(self.at(key), "应是数字")
        return float(v)

    def sub(self, key: str) -> _Map:
        return _Map(self.data.get(key) or {}, self.at(key))


def _err(where: str, message: str) -> ZsError:
    return ZsError(f"报表配置「{FILE}」中 {where} {message}")


def _kind(defs: Definitions, where: str, key: str) -> KindDef:
    for k in defs.kinds:
        if key in (k.key, k.name):
            return k
    raise _err(where, f"「{key}」不是清单。可用：{'、'.join(f'{k.key}（{k.name}）' for k in defs.kinds)}")


def _money_field(kind: KindDef, where: str, key: str, currency: str) -> str:
    try:
        f = kind.field(key)
    except KeyError:
        money = [f.key for f in kind.fields if f.type == "money"]
        raise _err(where, f"「{key}」不是「{kind.name}」的字段。金额字段有：{'、'.join(money)}") from None
    if f.type != "money" or f.currency != currency:
        unit = "万元" if currency == "CNY" else "万美元"
        raise _err(where, f"「{key}」应是以{unit}计的金额字段")
    return key


def _build(raw: Any, defs: Definitions) -> ReportConfig:
    top = _Map(raw if raw is not None else {}, "")
    top.keys(
        ("pipeline", "contacts", "problems", "visits", "ranking", "schedule", "bulletin"),
        required=("pipeline", "ranking"),
    )
    names = {k.key: k.name for k in defs.kinds}

    pl = top.sub("pipeline")
    pl.keys(("kind", "amount", "foreign_amount", "stages"), required=("kind", "stages"))
    pkind = _kind(defs, pl.at("kind"), pl.text("kind"))
    if not pkind.pipeline:
        raise _err(pl.at("kind"), f"「{pkind.name}」不是按阶段推进的清单（其 YAML 没有 pipeline: true）")
    order = stage_order(pkind)
    exits = [s.name for s in pkind.statuses if s.terminal and s.requires_reason]
    st = pl.sub("stages")
    st.keys(STAGE_ROLES, required=STAGE_ROLES)
    stages: dict[str, str] = {}
    for role in STAGE_ROLES:
        name = st.text(role)
        if name not in order:
            raise _err(st.at(role), f"「{name}」不是「{pkind.name}」的阶段。阶段：{'、'.join(order)}")
        stages[role] = name
    positions = [order.index(stages[r]) for r in STAGE_ROLES]
    if positions != sorted(positions) or len(set(positions)) != len(positions):
        raise _err(st.at("talks…producing"), f"应按推进顺序排列且互不相同：{'→'.join(order)}")

    co = top.sub("contacts")
    co.keys(("types", "kinds"))
    contact_kinds = tuple(_kind(defs, co.at("kinds"), k).key for k in co.texts("kinds", (pkind.key,)))

    pr = top.sub("problems")
    pr.keys(("kind", "link"))
    qkind = _kind(defs, pr.at("kind"), pr.text("kind", "problems"))
    link = pr.data.get("link")
    if link is not None:
        link = pr.text("link")
        refs = [f.key for f in qkind.fields if f.type == "ref"]
        if link not in refs:
            raise _err(
                pr.at("link"), f"「{link}」不是「{qkind.name}」的关联（ref）字段。可用：{'、'.join(refs) or '无'}"
            )

    vi = top.sub("visits")
    vi.keys(("types", "kinds", "problem_sources"))
    visit_kinds = tuple(_kind(defs, vi.at("kinds"), k).key for k in vi.texts("kinds", ()))

    speed = pkind.approval_speed
    amount = _money_field(pkind, pl.at("amount"), pl.text("amount", "investment"), "CNY")
    foreign = _money_field(pkind, pl.at("foreign_amount"), pl.text("foreign_amount", "foreign_investment"), "USD")
    return ReportConfig(
        pipeline_kind=pkind.key,
        amount_field=amount,
        foreign_field=foreign,
        amount_label=pkind.field(amount).label,
        foreign_label=pkind.field(foreign).label,
        stages=stages,
        stage_order=order,
        withdrawn=exits[0] if exits else pkind.close_status,
        contact_types=co.texts("types", ("对接", "走访", "来访", "推介", "电话", "会办")),
        contact_kinds=contact_kinds,
        problem_kind=qkind.key,
        problem_link=link,
        closed_status=qkind.close_status,
        cancelled=tuple(s for s in qkind.terminal_statuses() if s != qkind.close_status),
        visit_types=vi.texts("types", ("走访",)),
        visit_kinds=visit_kinds,
        visit_sources=vi.texts("problem_sources", ()),
        permit_from=speed[0] if speed else None,
        permit_to=speed[1] if speed else None,
        cap=_cap(top.sub("ranking")),
        weights=_weights(top.sub("ranking")),
        kind_names=names,
        previous_until=_previous_until(top.sub("schedule")),
        **_bulletin(top.sub("bulletin")),
    )


def _bulletin(bu: _Map) -> dict[str, float]:
    bu.keys(("yellow", "red"))
    yellow, red = bu.number("yellow", 10), bu.number("red", 30)
    if not 0 < yellow < red <= 100:
        raise _err(bu.at("yellow/red"), "应是 0 到 100 的百分点数，且 yellow 小于 red（如 yellow: 10、red: 30）")
    return {"yellow_points": yellow, "red_points": red}


def _previous_until(sc: _Map) -> int:
    sc.keys(("previous_until",))
    days = sc.number("previous_until", 0)
    if days != int(days) or not 0 <= days <= 28:
        raise _err(sc.at("previous_until"), "应是 0 到 28 的整数（每月前几天默认报上个月；0 = 总是报本月）")
    return int(days)


def _cap(rk: _Map) -> float:
    rk.keys(("cap", "metrics"), required=("metrics",))
    cap = rk.number("cap", 1.0)
    if not 1.0 <= cap <= 10:
        raise _err(rk.at("cap"), "应在 1 到 10 之间（1 = 完成目标即满分，1.2 = 超额最多按 120% 计）")
    return cap


def _weights(rk: _Map) -> tuple[Weight, ...]:
    items = rk.data.get("metrics")
    if not isinstance(items, list) or not items:
        raise _err(rk.at("metrics"), "应是至少一项的列表：- metric: signed_amount / weight: 30 / method: goal")
    out: list[Weight] = []
    for i, raw in enumerate(items):
        m = _Map(raw, rk.at(f"metrics[{i}]"))
        m.keys(("metric", "weight", "method"), required=("metric", "weight"))
        key = m.text("metric")
        known = BY_KEY.get(key)
        if known is None:
            close = difflib.get_close_matches(key, list(BY_KEY), n=1)
            hint = f"是不是「{close[0]}」？" if close else ""
            listing = "、".join(f"{x.key}（{x.label}）" for x in METRICS)
            raise _err(m.at("metric"), f"「{key}」不是报表指标。{hint}可用：{listing}")
        weight = m.number("weight")
        if weight <= 0:
            raise _err(m.at("weight"), "应是正数")
        method = m.text("method", "rate" if known.rate else "goal")
        if method not in METHODS:
            raise _err(
                m.at("method"), f"「{method}」不可用。可选：{'、'.join(f'{k}（{v}）' for k, v in METHODS.items())}"
            )
        if method == "goal" and not known.goal:
            raise _err(m.at("method"), f"「{known.label}」不能设年度目标，不能用 goal 计分：请用 best 或 rate")
        if method == "rate" and not known.rate:
            raise _err(m.at("method"), f"「{known.label}」不是比率，不能用 rate 计分：请用 goal 或 best")
        if method == "best" and known.rate:
            raise _err(m.at("method"), f"「{known.label}」是比率，请用 rate 计分")
        if any(w.metric == key for w in out):
            raise _err(m.at("metric"), f"「{key}」重复出现")
        out.append(Weight(key, weight, method))
    return tuple(out)

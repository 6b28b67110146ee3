"""擂台赛: score units (or chains) on their year-to-date figures with the weights of
``_ranking.yaml``, rank them, and say who is behind the share of the year that has passed.

Scoring, per weighted metric (``method``):

* ``goal`` — points = weight × min(年累计 ÷ 年度目标, cap); no goal set gives 0 points and
  says so;
* ``best`` — points = weight × value ÷ the highest value among those ranked (0 when all are 0);
* ``rate`` — points = weight × rate; a unit without any case (no problems: nothing to
  divide by) is not scored on it (不计): that metric is left out of its points, and its
  score is the points of the other metrics scaled up by the highest total they allow
  (× 总分上限 ÷ 其余指标的上限, each goal metric's limit being weight × cap), so it neither
  gains full points for having nothing nor loses them, and no score passes the maximum.

Only entrants that existed by the report date are ranked (see report._rank).
Equal scores share a rank (1, 2, 2, 4).  A unit is *behind schedule* on a goal metric when
its completion is below 时序进度, the share of the year passed on the report date.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .config import METHODS, ReportConfig, Weight
from .metrics import BY_KEY


@dataclass
class Entrant:
    id: int | None
    name: str
    values: dict[str, float | None]  # year-to-date figures (derived)
    goals: dict[str, float]


@dataclass
class RankRow:
    rank: int
    id: int | None
    name: str
    score: float
    points: dict[str, float]
    values: dict[str, float | None]
    goals: dict[str, float]
    completion: dict[str, float | None]
    behind: list[str]
    notes: list[str] = field(default_factory=list)
    previous_rank: int | None = None

    @property
    def change(self) -> int | None:
        """Places gained since the previous ranking (positive = up)."""
        return None if self.previous_rank is None else self.previous_rank - self.rank

    def as_dict(self) -> dict[str, Any]:
        return {
            "rank": self.rank,
            "previous_rank": self.previous_rank,
            "change": self.change,
            "id": self.id,
            "name": self.name,
            "score": self.score,
            "points": self.points,
            "values": {k: self.values.get(k) for k in self.points},
            "goals": self.goals,
            "completion": self.completion,
            "behind": self.behind,
            "notes": self.notes,
        }


@dataclass
class Ranking:
    level: str  # unit | chain
    year: int
    asof: date
    time_progress: float
    weights: tuple[Weight, ...]
    cap: float
    rows: list[RankRow]
    previous_asof: date | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "year": self.year,
            "asof": self.asof.isoformat(),
            "previous_asof": self.previous_asof.isoformat() if self.previous_asof else None,
            "time_progress": round(self.time_progress, 4),
            "cap": self.cap,
            "weights": [
                {"metric": w.metric, "label": BY_KEY[w.metric].label, "weight": w.weight, "method": w.method}
                for w in self.weights
            ],
            "rows": [r.as_dict() for r in self.rows],
        }


def completion(values: dict[str, float | None], goals: dict[str, float]) -> dict[str, float | None]:
    """年度目标完成率 per goal metric (None where the goal is 0)."""
    out: dict[str, float | None] = {}
    for metric, goal in goals.items():
        v = values.get(metric) or 0.0
        out[metric] = round(v / goal, 4) if goal else None
    return out


def behind(comp: dict[str, float | None], progress: float) -> list[str]:
    """Goal metrics whose completion is below the share of the year passed."""
    return [m for m, c in comp.items() if c is not None and c < progress]


def score(entrants: list[Entrant], cfg: ReportConfig, *, progress: float) -> list[RankRow]:
    """Score and rank ``entrants`` (highest score first)."""
    best: dict[str, float] = {}
    for w in cfg.weights:
        if w.method == "best":
            best[w.metric] = max((e.values.get(w.metric) or 0.0 for e in entrants), default=0.0)
    rows: list[RankRow] = []
    most = {w.metric: w.weight * (cfg.cap if w.method == "goal" else 1.0) for w in cfg.weights}
    total = sum(most.values())
    for e in entrants:
        points: dict[str, float] = {}
        notes: list[str] = []
        counted = total
        comp = completion(e.values, e.goals)
        for w in cfg.weights:
            label = BY_KEY[w.metric].label
            value = e.values.get(w.metric)
            if w.method == "goal":
                c = comp.get(w.metric)
                if c is None:
                    notes.append(f"{label}未设年度目标，得 0 分")
                points[w.metric] = round(w.weight * min(c or 0.0, cfg.cap), 2)
            elif w.method == "best":
                top = best.get(w.metric, 0.0)
                points[w.metric] = round(w.weight * (value or 0.0) / top, 2) if top else 0.0
            elif value is None:  # a rate of nothing: not scored, not full points
                counted -= most[w.metric]
                notes.append(f"{label}无统计对象，不计（总分按其余指标折算）")
            else:
                points[w.metric] = round(w.weight * value, 2)
        raw = sum(points.values())
        rows.append(
            RankRow(
                rank=0,
                id=e.id,
                name=e.name,
                score=round(raw * total / counted if 0 < counted < total else raw, 2),
                points=points,
                values=e.values,
                goals=e.goals,
                completion=comp,
                behind=behind(comp, progress),
                notes=notes,
            )
        )
    rows.sort(key=lambda r: (-r.score, r.name))
    for i, r in enumerate(rows):
        r.rank = rows[i - 1].rank if i and r.score == rows[i - 1].score else i + 1
    return rows


def link_previous(rows: list[RankRow], previous: list[RankRow]) -> None:
    """Record each entrant's rank in the previous ranking (for ↑↓)."""
    before = {r.id: r.rank for r in previous}
    for r in rows:
        r.previous_rank = before.get(r.id)


def explain(cfg: ReportConfig) -> list[str]:
    """The scoring rules in words (``zs report ranking --explain``)."""
    total = sum(w.weight for w in cfg.weights)
    lines = [
        f"擂台赛按年度累计数计分，满分 {total:g} 分（超额完成的指标最多按 {cfg.cap:.0%} 计，总分最高 "
        f"{sum(w.weight * (cfg.cap if w.method == 'goal' else 1) for w in cfg.weights):g} 分）。",
        "各项指标：",
    ]
    said = {  # the methods in words (METHODS names the YAML's own keys: for whoever edits the file)
        "goal": f"年度目标完成率 × 权重（超额完成最多按 {cfg.cap:.0%} 计）",
        "best": "本单位数值 ÷ 参赛单位最高值 × 权重",
        "rate": "比率 × 权重",
    }
    for w in cfg.weights:
        m = BY_KEY[w.metric]
        lines.append(f"  · {m.label} 权重 {w.weight:g}：{said.get(w.method, METHODS[w.method])}")
    lines += [
        "比率指标（如问题销号率）没有统计对象时（本年没有问题）不计：这一项不给分也不扣分，"
        "总分按其余指标的得分折算（× 总分上限 ÷ 其余指标的上限），不会超过总分上限。",
        "只有在统计截止日之前已存在的单位（建档，或其条目最早的登记日期）参加排名：年中新设的单位从设立的那一期起排名。",
        "得分相同的名次并列。落后：某项有年度目标的指标完成率低于时序进度（全年已过去的比例）。",
        f"{SETTINGS_LINE}checklists/_ranking.yaml，改动后立即生效。",
    ]
    return lines


#: the line of :func:`explain` that names the settings file
SETTINGS_LINE = "评分设置在 "


def explain_on_paper(cfg: ReportConfig) -> list[str]:
    """:func:`explain` for a printed page: the settings file is not named (a leader does not
    edit it; the terminal's ``--explain`` names it for whoever does)."""
    return [
        "评分权重和计分方法由系统管理员在评分设置中维护，改动后立即生效。" if line.startswith(SETTINGS_LINE) else line
        for line in explain(cfg)
    ]

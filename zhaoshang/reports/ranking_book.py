"""``zs report ranking --out 擂台赛.xlsx``: the ranking on its own, for the leader's desk —
the table (every entrant's score and points per metric), the basis of every point (value,
target, completion, method) and the rules in words.  The figures are those of
``report ranking --format json``: numbers stay numbers, completions are percentages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..render import Column
from .config import METHODS, ReportConfig
from .metrics import BY_KEY
from .ranking import Ranking, explain

_WHO = {"unit": "招商主体", "chain": "产业链"}


def _percent(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 1)


Sheet = tuple[str, str, list[Column], list[dict[str, Any]]]


def ranking_sheets(ranking: Ranking, cfg: ReportConfig, *, office: str = "") -> list[Sheet]:
    """The sheets as (name, title, columns, rows)."""
    who = _WHO.get(ranking.level, ranking.level)
    head = (
        f"{office}招商引资擂台赛 · {who} · {ranking.year}年"
        f"（截至 {ranking.asof}，时序进度 {ranking.time_progress:.1%}）"
    )
    cols = [
        Column("rank", "名次", "right"),
        Column("change", "名次变化", "right"),
        Column("name", who),
        Column("score", "得分", "right"),
    ]
    for w in ranking.weights:
        label = BY_KEY[w.metric].label
        cols.append(Column(f"points:{w.metric}", f"{label}得分（满分 {w.weight:g}）", "right"))
    cols.append(Column("behind", "落后于时序进度的指标"))
    rows: list[dict[str, Any]] = []
    for r in ranking.rows:
        row: dict[str, Any] = {
            "rank": r.rank,
            "change": r.change,
            "name": r.name,
            "score": round(r.score, 2),
            "behind": "、".join(BY_KEY[m].label for m in r.behind),
        }
        row.update({f"points:{w.metric}": r.points.get(w.metric, "不计") for w in ranking.weights})
        rows.append(row)
    basis_cols = [
        Column("rank", "名次", "right"),
        Column("name", who),
        Column("metric", "指标"),
        Column("unit", "单位"),
        Column("weight", "权重", "right"),
        Column("method", "计分方法"),
        Column("value", "年累计", "right"),
        Column("goal", "年度目标", "right"),
        Column("completion", "完成率（%）", "right"),
        Column("points", "得分", "right"),
    ]
    basis = [
        {
            "rank": r.rank,
            "name": r.name,
            "metric": BY_KEY[w.metric].label,
            "unit": BY_KEY[w.metric].unit,
            "weight": w.weight,
            "method": METHODS[w.method].split("（")[0],
            "value": r.values.get(w.metric),
            "goal": r.goals.get(w.metric),
            "completion": _percent(r.completion.get(w.metric)),
            "points": r.points.get(w.metric, "不计"),
        }
        for r in ranking.rows
        for w in ranking.weights
    ]
    rules = [{"line": line} for line in explain(cfg)]
    rules += [{"line": f"{r.name}：{n}"} for r in ranking.rows for n in r.notes]
    return [
        ("排名", head, cols, rows),
        ("得分依据", f"{head} · 得分依据", basis_cols, basis),
        ("评分规则", f"{head} · 评分规则", [Column("line", "说明")], rules),
    ]


def write_ranking(ranking: Ranking, cfg: ReportConfig, path: Path, *, office: str = "") -> list[str]:
    """Write the ranking workbook to ``path`` (atomically); returns the sheet names."""
    from ..pipeline.xlsx import write_tables

    sheets = ranking_sheets(ranking, cfg, office=office)
    write_tables(path, sheets)
    return [name for name, *_ in sheets]

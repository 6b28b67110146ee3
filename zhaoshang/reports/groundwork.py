"""基础工作 (the second list of a 红黑榜 通报: 外出招商, 接待客商, 报送线索) and the figures a
通报 adds to the indicators (签约项目 by size, the projects withdrawn in the period) — all
derived from records the system already keeps, no record of their own:

* 外出招商（次）: 对接记录 of the types 「走访」「推介」 on 招商项目 — a visit to the investor
  or a promotion held elsewhere;
* 接待客商（次）: 对接记录 of the type 「来访」 on 招商项目;
* 报送线索（个）: 招商项目 entered in the period (the report's 新增项目).

Each per 责任单位, for the period and the year to date.  Which record each figure comes from
is in :data:`SOURCES` and in the JSON (``groundwork.sources``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .figures import Figures
    from .periods import Period

#: the 对接记录 types per figure
TRIPS = ("走访", "推介")
VISITORS = ("来访",)
#: the figures, in the order a 通报 lists them: key -> (label, unit)
FIGURES = {"trips": ("外出招商", "次"), "visitors": ("接待客商", "次"), "leads": ("报送线索", "个")}
SOURCES = {
    "trips": "对接记录中类型为「走访」「推介」的记录（招商项目）",
    "visitors": "对接记录中类型为「来访」的记录（招商项目）",
    "leads": "本期录入的招商项目（即新增项目）",
}
#: 其中 by size: key -> (least amount in 万元, label)
SIZES = {"over_1yi": (10_000.0, "亿元以上"), "over_10yi": (100_000.0, "10亿元以上")}
UNASSIGNED = "（未指定责任单位）"


@dataclass
class Groundwork:
    units: list[dict[str, Any]]  # name, period {trips, visitors, leads}, year_to_date {…}
    total: dict[str, dict[str, int]]
    signed_by_size: dict[str, dict[str, int]]  # period / year_to_date -> {over_1yi, over_10yi}
    withdrawn: list[dict[str, Any]]  # projects withdrawn in the period

    def as_dict(self) -> dict[str, Any]:
        return {
            "sources": SOURCES,
            "units": self.units,
            "total": self.total,
            "signed_by_size": self.signed_by_size,
            "withdrawn": self.withdrawn,
        }


def _within(day: Any, p: Period) -> bool:
    return bool(day) and p.start.isoformat() <= str(day)[:10] <= p.end.isoformat()


def compute(fig: Figures, period: Period, ytd: Period) -> Groundwork:
    """The figures of the module docstring for ``period`` and its year to date ``ytd``."""
    cfg, conn = fig.cfg, fig.db.conn
    windows = {"period": period, "year_to_date": ytd}
    lo = min(period.start, ytd.start)
    hi = max(period.end, ytd.end)
    names = [n for (n,) in conn.execute("SELECT name FROM units WHERE ranked = 1 ORDER BY id")]
    empty = {k: 0 for k in FIGURES}
    per: dict[str, dict[str, dict[str, int]]] = {}

    def add(unit: str | None, key: str, day: Any) -> None:
        row = per.setdefault(unit or UNASSIGNED, {w: dict(empty) for w in windows})
        for w, p in windows.items():
            if _within(day, p):
                row[w][key] += 1

    types = (*TRIPS, *VISITORS)
    rows = conn.execute(
        f"SELECT u.name, x.type, x.date FROM activities x JOIN items i ON i.id = x.item_id "
        f"LEFT JOIN units u ON u.id = i.unit_id WHERE i.kind = ? AND x.type IN ({', '.join('?' * len(types))}) "
        f"AND x.date BETWEEN ? AND ?",
        (cfg.pipeline_kind, *types, lo.isoformat(), hi.isoformat()),
    )
    for unit, kind, day in rows:
        add(unit, "trips" if kind in TRIPS else "visitors", day)
    targets = fig.target_rows(lo, hi)
    by_size = {w: {k: 0 for k in SIZES} for w in windows}
    withdrawn: list[dict[str, Any]] = []
    for t in targets:
        if t.get("created"):
            add(t.get("unit"), "leads", t["created"])
        for w, p in windows.items():
            if _within(t.get("signed"), p):
                for k, (least, _label) in SIZES.items():
                    if (t.get("amount") or 0) >= least:
                        by_size[w][k] += 1
        if _within(t.get("withdrawn"), period):
            withdrawn.append(
                {
                    "id": t["id"],
                    "title": t["title"],
                    "unit": t.get("unit") or UNASSIGNED,
                    "withdrawn": str(t["withdrawn"])[:10],
                    "signed": str(t["signed"])[:10] if t.get("signed") else None,
                    "signed_in_period": _within(t.get("signed"), period),
                    "amount": t.get("amount"),
                }
            )
    units = [{"name": n, **per.pop(n, {w: dict(empty) for w in windows})} for n in names]
    units += [{"name": n, **v} for n, v in per.items() if any(any(c.values()) for c in v.values())]
    total = {w: {k: sum(u[w][k] for u in units) for k in FIGURES} for w in windows}
    return Groundwork(units, total, by_size, withdrawn)

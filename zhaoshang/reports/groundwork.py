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

from collections.abc import Sequence
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


def _inside(column: str, window: int) -> str:
    """SQL: ``column``'s day lies in window ``window`` (``:a<window>`` … ``:b<window>``) — the
    day is the first ten characters, as the detail rows show it."""
    return f"(substr({column}, 1, 10) BETWEEN :a{window} AND :b{window})"


def compute(fig: Figures, period: Period, ytd: Period) -> Groundwork:
    """The figures of the module docstring for ``period`` and its year to date ``ytd``.

    Counted in SQL, per unit and window (only sums reach Python): the cost grows with the
    records of the two windows, not with the items.  Units that are not ranked appear
    after the ranked ones, in the order of the units' list (then 未指定), when they have
    anything to count."""
    from .figures import TARGET_FLOWS

    cfg, conn = fig.cfg, fig.db.conn
    windows = {"period": period, "year_to_date": ytd}
    lo = min(period.start, ytd.start).isoformat()
    hi = max(period.end, ytd.end).isoformat()
    params: dict[str, Any] = {"lo": lo, "hi": hi, "kind": cfg.pipeline_kind}
    for i, p in enumerate(windows.values()):
        params[f"a{i}"], params[f"b{i}"] = p.start.isoformat(), p.end.isoformat()
    everyone = conn.execute("SELECT name, ranked FROM units ORDER BY id").fetchall()
    names = [n for n, ranked in everyone if ranked == 1]
    place = {n: i for i, (n, _ranked) in enumerate(everyone)}
    empty = {k: 0 for k in FIGURES}
    per: dict[str, dict[str, dict[str, int]]] = {}

    def add(unit: str | None, key: str, counts: Sequence[float]) -> None:
        row = per.setdefault(unit or UNASSIGNED, {w: dict(empty) for w in windows})
        for w, n in zip(windows, counts, strict=True):
            row[w][key] += int(n)

    trips = ", ".join(f"'{t}'" for t in TRIPS)
    types = ", ".join(f"'{t}'" for t in (*TRIPS, *VISITORS))
    sums = ", ".join(f"total({_inside('x.date', i)})" for i in range(len(windows)))
    for unit, is_trip, *counts in conn.execute(
        # the activities in file order (CROSS JOIN, +date): a full scan beats the date index
        # over a year to date (4× at 1,000,000 items), as in Figures._activities
        f"SELECT u.name, x.type IN ({trips}), {sums} FROM activities x CROSS JOIN items i ON i.id = x.item_id "
        f"LEFT JOIN units u ON u.id = i.unit_id WHERE i.kind = :kind AND x.type IN ({types}) "
        f"AND +x.date BETWEEN :lo AND :hi GROUP BY 1, 2",
        params,
    ):
        add(unit, "trips" if is_trip else "visitors", counts)
    # the projects of Figures.target_rows(lo, hi): any stage (or creation) date in [lo, hi]
    fig.prepare_reached(min(period.start, ytd.start))
    anywhere = " OR ".join(f"r.{c} BETWEEN :lo AND :hi" for c in TARGET_FLOWS.values())
    # (every row of zs_reached is a project of the items, whose chain_id is a chain: the
    # joins of target_rows are needed only where its title is)
    rows = f"FROM zs_reached r LEFT JOIN units u ON u.id = r.unit_id WHERE ({anywhere})"
    frm = (
        "FROM zs_reached r JOIN items i ON i.id = r.item_id JOIN chains c ON c.id = r.chain_id "
        f"LEFT JOIN units u ON u.id = r.unit_id WHERE ({anywhere})"
    )
    leads = ", ".join(f"total(r.created IS NOT NULL AND {_inside('r.created', i)})" for i in range(len(windows)))
    for unit, *counts in conn.execute(f"SELECT u.name, {leads} {rows} GROUP BY 1", params):
        add(unit, "leads", counts)
    by_size = {w: {k: 0 for k in SIZES} for w in windows}
    sized = []
    for i, w in enumerate(windows):
        for k, (least, _label) in SIZES.items():
            params[f"least_{k}"] = least
            sized.append(
                (
                    w,
                    k,
                    f"total(r.signed IS NOT NULL AND {_inside('r.signed', i)} AND coalesce(r.amount, 0) >= :least_{k})",
                )
            )
    row = conn.execute(f"SELECT {', '.join(sql for _w, _k, sql in sized)} {rows}", params).fetchone()
    for (w, k, _sql), n in zip(sized, row, strict=True):
        by_size[w][k] = int(n)
    withdrawn: list[dict[str, Any]] = []
    for item_id, title, unit, day, signed, signed_in, amount in conn.execute(
        f"SELECT r.item_id, i.title, u.name, r.withdrawn, r.signed, "
        f"r.signed IS NOT NULL AND {_inside('r.signed', 0)}, r.amount "
        f"{frm} AND r.withdrawn IS NOT NULL AND {_inside('r.withdrawn', 0)} ORDER BY r.item_id",
        params,
    ):
        withdrawn.append(
            {
                "id": item_id,
                "title": title,
                "unit": unit or UNASSIGNED,
                "withdrawn": str(day)[:10],
                "signed": str(signed)[:10] if signed else None,
                "signed_in_period": bool(signed_in),
                "amount": amount,
            }
        )
    units = [{"name": n, **per.pop(n, {w: dict(empty) for w in windows})} for n in names]
    units += [
        {"name": n, **per[n]}
        for n in sorted(per, key=lambda n: place.get(n, len(place)))
        if any(any(c.values()) for c in per[n].values())
    ]
    total = {w: {k: sum(u[w][k] for u in units) for k in FIGURES} for w in windows}
    return Groundwork(units, total, by_size, withdrawn)

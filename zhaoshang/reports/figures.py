"""Every figure of the reports, defined once.

The terminal dashboard, ``--format json``, the Excel workbook, goal completion and the
擂台赛 ranking all read the numbers computed here; the detail lists behind them come from
the same date columns and the same windows, so a number can always be traced to its rows.

Definitions (also written out in :mod:`zhaoshang.reports.metrics`, the README and every
report):

* **Stages are counted once, by the date they were first reached.**  A project reaches a
  stage on the effective date of the first stage move into that stage *or any later one*:
  moving 在谈 → 已开工 on 5 March means 已签约 and 已入统 were also reached on 5 March (the
  move is flagged 'skip' in the log).  Moving back and forth, re-signing, or leaving as
  退库 afterwards never counts a stage twice and never uncounts it.
* **Windows are inclusive ranges of days** [start, end].  Funds are monthly: a month counts
  in the window that contains its last day (so adjacent windows never share a month).
* **Point-in-time figures** (open / overdue problems, 销号率) are taken "as of" a date:
  the status an item had at the end of that day — its current status when it has not
  moved since, otherwise the last move on or before that day in its status log.
* **Scopes**: every flow is grouped by (chain, unit) of the item it belongs to; totals,
  chains and units are sums of the same cells, so they always add up.

Everything here is read-only and returns plain data.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from .. import counted
from .periods import Period, funds_months

if TYPE_CHECKING:
    from ..db import Database
    from ..definitions import KindDef
    from .config import ReportConfig

Values = dict[str, float]
Cell = tuple[int | None, int | None]  # (chain_id, unit_id)

# ---------------------------------------------------------------------------------------
# Stages: the one definition of "reached"
# ---------------------------------------------------------------------------------------


def stage_order(kind: KindDef) -> tuple[str, ...]:
    """The stages of a pipeline kind in order (its statuses minus exits such as 退库)."""
    from ..stages import stages_of

    return tuple(stages_of(kind))


def reached_statuses(kind: KindDef, status: str) -> tuple[str, ...]:
    """Statuses whose first appearance in the log means ``status`` was reached: for a stage
    of a pipeline kind the stage and every later stage; otherwise the status itself — the
    rule of :func:`zhaoshang.stages.reached_stages`, shared with ``zs stage``."""
    from ..stages import reached_stages

    return tuple(reached_stages(kind, status))


# ---------------------------------------------------------------------------------------
# Cells: values per (chain, unit), rolled up to totals, chains and units
# ---------------------------------------------------------------------------------------


@dataclass
class Cells:
    """Additive figures per (chain_id, unit_id)."""

    data: dict[Cell, Values] = field(default_factory=dict)

    def add(self, cell: Cell, values: dict[str, Any]) -> None:
        slot = self.data.setdefault(cell, {})
        for k, v in values.items():
            slot[k] = slot.get(k, 0.0) + float(v or 0)

    def merge(self, other: Cells) -> Cells:
        out = Cells()
        for src in (self, other):
            for cell, values in src.data.items():
                out.add(cell, values)
        return out

    def minus(self, other: Cells, drop: Iterable[str] = ()) -> Cells:
        """``self`` − ``other`` cell by cell (for a window that is ``self``'s without
        ``other``'s days); keys in ``drop`` (figures that do not add up) are left out."""
        out = Cells()
        skip = set(drop)
        for cell, values in self.data.items():
            less = other.data.get(cell, {})
            out.add(cell, {k: v - less.get(k, 0.0) for k, v in values.items() if k not in skip})
        return out

    def total(self) -> Values:
        return _sum(self.data.values())

    def by_chain(self) -> dict[int | None, Values]:
        return self._group(0)

    def by_unit(self) -> dict[int | None, Values]:
        return self._group(1)

    def _group(self, axis: int) -> dict[int | None, Values]:
        groups: dict[int | None, list[Values]] = {}
        for cell, values in self.data.items():
            groups.setdefault(cell[axis], []).append(values)
        return {k: _sum(v) for k, v in groups.items()}


def _sum(rows: Iterable[Values]) -> Values:
    out: Values = {}
    for values in rows:
        for k, v in values.items():
            out[k] = out.get(k, 0.0) + v
    return out


#: flows of the project list: metric -> the date column of ``zs_reached`` it counts
TARGET_FLOWS = {
    "new_targets": "created",
    "talks": "talks",
    "signed": "signed",
    "registered": "registered",
    "started": "started",
    "producing": "producing",
    "withdrawn": "withdrawn",
}
#: sums over signed projects: metric -> column of ``zs_reached``
SIGNED_SUMS = {"signed_amount": "amount", "signed_foreign": "foreign_amount"}
#: cohorts behind the conversion rates: (numerator, cohort stage, next stage)
COHORTS = (
    ("talks_signed", "talks", "signed"),
    ("signed_registered", "signed", "registered"),
    ("registered_started", "registered", "started"),
)
#: conversion rates: rate -> (numerator, denominator)
RATES = {
    "rate_signing": ("talks_signed", "talks"),
    "rate_registering": ("signed_registered", "signed"),
    "rate_starting": ("registered_started", "registered"),
}
_MONEY_KEYS = ("signed_amount", "signed_foreign", "funds_domestic", "funds_foreign")
#: figures that do not add up over consecutive windows (distinct counts and cohorts)
NOT_ADDITIVE = ("visited", *(c[0] for c in COHORTS))
#: metrics that depend on them
NEEDS_EXACT_WINDOW = ("visited", *RATES)
#: the city's monthly series (``trend``)
TREND_KEYS = ("funds_domestic", "funds_foreign", "signed", "signed_amount", "contacts")
#: every additive figure (cells hold these; rates and averages are derived from them)
ADDITIVE = (
    "contacts",
    *TARGET_FLOWS,
    *SIGNED_SUMS,
    *(c[0] for c in COHORTS),
    "funds_domestic",
    "funds_foreign",
    "problems_new",
    "problems_closed",
    "problems_open",
    "problems_overdue",
    "problems_closed_total",
    "problems_total",
    "visits",
    "visited",
    "visit_problems_found",
    "visit_problems_solved",
    "permits",
    "permit_days_total",
)


def derive(values: Values) -> dict[str, float | None]:
    """Rates and averages from the additive figures; None where the denominator is 0.
    Money is rounded to 0.01 (万元 / 万美元), rates to 4 decimals, days to 0.1."""
    out: dict[str, float | None] = {}
    for k in ADDITIVE:
        v = values.get(k, 0.0)
        out[k] = round(v, 2) if k in _MONEY_KEYS else (round(v, 1) if k == "permit_days_total" else round(v))
    for rate, (num, den) in RATES.items():
        d = values.get(den, 0.0)
        out[rate] = round(values.get(num, 0.0) / d, 4) if d else None
    total = values.get("problems_total", 0.0)
    out["close_rate"] = round(values.get("problems_closed_total", 0.0) / total, 4) if total else None
    permits = values.get("permits", 0.0)
    out["permit_days"] = round(values.get("permit_days_total", 0.0) / permits, 1) if permits else None
    return out


# ---------------------------------------------------------------------------------------
# The engine
# ---------------------------------------------------------------------------------------


class Figures:
    """Computes figures over one database snapshot.

    >>> with Figures.open(db, cfg) as fig:
    ...     cells = fig.window(period)          # flows in the period, per (chain, unit)
    ...     state = fig.asof(date(2026, 3, 31))  # problem ledger on that day
    """

    def __init__(self, db: Database, cfg: ReportConfig, *, include_pending: bool = False) -> None:
        self.db = db
        self.cfg = cfg
        self.conn = db.conn
        #: count 待认定 rows as if confirmed (what the figures would be): zhaoshang.counted
        self.include_pending = include_pending
        self._problems_ready = False
        self._reached_since: date | None = None  # None: not built yet; date.min: every project
        self.series: dict[str, dict[str, Any]] = {}

    @classmethod
    @contextmanager
    def open(cls, db: Database, cfg: ReportConfig, *, include_pending: bool = False) -> Iterator[Figures]:
        """A consistent snapshot: one read transaction for every query (unless the caller
        is already inside a command's transaction)."""
        fig = cls(db, cfg, include_pending=include_pending)
        # reports read much of the file: map it instead of copying pages through read()
        db.conn.execute("PRAGMA mmap_size = 1073741824")
        db.conn.execute("PRAGMA cache_size = -65536")
        own = not db.conn.in_transaction
        if own:
            db.dialect.begin_snapshot(db.conn)
        try:
            yield fig
        finally:
            fig._drop()
            if own and db.conn.in_transaction:
                db.conn.execute("COMMIT")

    # -- per-item tables (temporary, this connection only) ---------------------------
    def _need_problems(self) -> None:
        if not self._problems_ready:
            self._prepare_problems()
            self._problems_ready = True

    def _need_reached(self, since: date) -> None:
        """Build ``zs_reached``: each project's creation date, the day it first reached each
        stage, and its amounts — for the projects created or moved on or after ``since``
        (the others cannot count in any window starting then, so years of history are not
        carried into the report)."""
        if self._reached_since is not None and since >= self._reached_since:
            return
        cfg = self.cfg
        pkind = self.db.defs.kind_by_key(cfg.pipeline_kind)
        cols = set(self.db.kind_columns(pkind))
        # what the first signing counts: the amount less the increases (增资) after it (no
        # lookup per project when nothing was ever increased)
        changed = self._any_increments()

        def money(f: str) -> str:
            if f not in cols:
                return "NULL"
            if not changed:
                return f'k."{f}"'
            return counted.signing_amount(f'k."{f}"', "i.id", f, include_pending=self.include_pending)

        amount, foreign = money(cfg.amount_field), money(cfg.foreign_field)
        parts: list[str] = []
        params: list[Any] = []
        for role in ("talks", "signed", "registered", "started", "producing"):
            statuses = reached_statuses(pkind, cfg.stages[role])
            parts.append(f"min(CASE WHEN s.to_status IN ({', '.join('?' * len(statuses))}) THEN s.date END) AS {role}")
            params.extend(statuses)
        parts.append("min(CASE WHEN s.to_status = ? THEN s.date END) AS withdrawn")
        params.append(cfg.withdrawn)
        moves = [*reached_statuses(pkind, cfg.stages["talks"]), cfg.withdrawn]
        marks = ", ".join("?" * len(moves))
        counts = counted.counted("s", include_pending=self.include_pending)
        recent = f"SELECT item_id FROM status_log s NOT INDEXED WHERE to_status IN ({marks}) AND date >= ? AND {counts}"
        self.conn.execute("DROP TABLE IF EXISTS temp.zs_reached")
        # Full scans (NOT INDEXED) and one sort beat index lookups here: the report needs
        # nearly every recent project and stage move.  Rows of other kinds that happen to
        # use the same status names are dropped by the outer join on the project list.
        self.conn.execute(
            f"CREATE TEMP TABLE zs_reached AS "
            f"SELECT i.id AS item_id, i.chain_id AS chain_id, i.unit_id AS unit_id, "
            f"{self._came_in()} AS created, {amount} AS amount, {foreign} AS foreign_amount, "
            f"r.talks, r.signed, r.registered, r.started, r.producing, r.withdrawn "
            f'FROM items i NOT INDEXED LEFT JOIN "{pkind.table}" k ON k.id = i.id '
            f"LEFT JOIN (SELECT s.item_id, {', '.join(parts)} FROM status_log s NOT INDEXED "
            f"WHERE s.to_status IN ({marks}) AND {counts} AND s.item_id IN ({recent}) GROUP BY s.item_id) r "
            f"ON r.item_id = i.id "
            f"WHERE i.kind = ? AND (r.item_id IS NOT NULL OR i.created_at >= ?)",
            [*params, *moves, *moves, since.isoformat(), pkind.key, since.isoformat()],
        )
        self._reached_since = since

    def prepare_reached(self, since: date) -> None:
        """Make sure the temporary table ``zs_reached`` holds every project that can count
        in a window starting ``since`` (columns: item_id, chain_id, unit_id, created,
        amount, foreign_amount and the first day of each stage), for queries of its own."""
        self._need_reached(since)

    def _problem_visit_sql(self) -> tuple[str, list[Any]]:
        """SQL (on ``i`` / ``k``) true when a problem was found by a visit (大走访)."""
        cfg = self.cfg
        qkind = self.db.defs.kind_by_key(cfg.problem_kind)
        cols = set(self.db.kind_columns(qkind))
        conds: list[str] = []
        params: list[Any] = []
        if "source" in cols:
            for s in cfg.visit_sources:
                conds.append("k.source LIKE ?")
                params.append(f"%{s}%")
        if cfg.problem_link and cfg.problem_link in cols and cfg.visit_kinds:
            marks = ", ".join("?" * len(cfg.visit_kinds))
            conds.append(f'EXISTS (SELECT 1 FROM items v WHERE v.id = k."{cfg.problem_link}" AND v.kind IN ({marks}))')
            params.extend(cfg.visit_kinds)
        return ("(" + " OR ".join(conds) + ")" if conds else "0"), params

    def _prepare_problems(self) -> None:
        cfg = self.cfg
        qkind = self.db.defs.kind_by_key(cfg.problem_kind)
        visit, vparams = self._problem_visit_sql()
        self.conn.execute("DROP TABLE IF EXISTS temp.zs_problems")
        self.conn.execute(
            "CREATE TEMP TABLE zs_problems AS "
            "SELECT i.id AS item_id, i.chain_id AS chain_id, i.unit_id AS unit_id, i.due AS due, "
            f"i.status AS status, {self._came_in()} AS created, "
            # the first closing: a lookup in the problem's own log (status_log_item; the + keeps
            # SQLite from walking every closing in the log by status_log_to instead)
            "(SELECT min(s.date) FROM status_log s WHERE s.item_id = i.id AND +s.to_status = ? "
            f"AND {counted.counted('s', include_pending=self.include_pending)}) AS closed, "
            f"{visit} AS from_visit "
            f'FROM items i NOT INDEXED LEFT JOIN "{qkind.table}" k ON k.id = i.id WHERE i.kind = ?',
            [cfg.closed_status, *vparams, qkind.key],
        )

    def _came_in(self) -> str:
        return counted.came_in("i", include_pending=self.include_pending)

    def _counts(self, alias: str) -> str:
        return counted.counted(alias, include_pending=self.include_pending)

    def _fund(self, column: str) -> str:
        return counted.fund_amount("f", column, include_pending=self.include_pending)

    def _fund_counts(self) -> str:
        return counted.fund_counts("f", include_pending=self.include_pending)

    def _drop(self) -> None:
        self.conn.execute("DROP TABLE IF EXISTS temp.zs_reached")
        self.conn.execute("DROP TABLE IF EXISTS temp.zs_problems")
        self._problems_ready, self._reached_since = False, None

    # -- flows in windows --------------------------------------------------------------
    def windows(self, periods: Sequence[Period], trend_months: Sequence[str] = ()) -> list[Cells]:
        """Every flow figure in each of ``periods``, per (chain, unit).  Each source is read
        once for all periods together (conditional sums per period).  When
        ``trend_months`` are given, the city's monthly series is kept in :attr:`series`."""
        starts = [p.start for p in periods] + [date.fromisoformat(f"{m}-01") for m in trend_months]
        self._need_problems()
        self._need_reached(min(starts, default=date.min))
        out = [Cells() for _ in periods]
        spans = [(p.start.isoformat(), p.end.isoformat()) for p in periods]
        self.series = {m: {"month": m, **dict.fromkeys(TREND_KEYS, 0.0)} for m in trend_months}
        self._targets(out, spans)
        self._activities(out, periods)
        self._funds(out, periods)
        self._problem_flows(out, spans)
        self._permits(out, spans)
        return out

    def window(self, p: Period) -> Cells:
        """Every flow figure in ``p`` per (chain, unit)."""
        return self.windows([p])[0]

    def trend(self) -> list[dict[str, Any]]:
        """The city's monthly series for the ``trend_months`` of the last :meth:`windows`."""
        rows = []
        for m in self.series.values():
            rows.append(
                {k: (round(v, 2) if k in _MONEY_KEYS else (v if k == "month" else round(v))) for k, v in m.items()}
            )
        return rows

    def _targets(self, out: list[Cells], spans: list[tuple[str, str]]) -> None:
        sel: list[str] = []
        params: dict[str, Any] = {}
        for i, (a, b) in enumerate(spans):
            params[f"a{i}"], params[f"b{i}"] = a, b
            lo, hi = f":a{i}", f":b{i}"
            sel += [f"total({col} BETWEEN {lo} AND {hi}) AS w{i}_{key}" for key, col in TARGET_FLOWS.items()]
            sel += [
                f"total(CASE WHEN signed BETWEEN {lo} AND {hi} THEN {col} END) AS w{i}_{key}"
                for key, col in SIGNED_SUMS.items()
            ]
            sel += [f"total({c} BETWEEN {lo} AND {hi} AND {n} <= {hi}) AS w{i}_{key}" for key, c, n in COHORTS]
        self._collect(out, f"SELECT chain_id, unit_id, {', '.join(sel)} FROM zs_reached GROUP BY 1, 2", params)
        if self.series:
            months = list(self.series)
            for m, n, amount in self.conn.execute(
                "SELECT substr(signed, 1, 7), count(*), total(amount) FROM zs_reached "
                "WHERE signed >= ? AND signed < ? GROUP BY 1",
                (f"{months[0]}-01", f"{months[-1]}-32"),
            ):
                if m in self.series:
                    self.series[m].update(signed=n, signed_amount=amount)
        self._increments(out, spans)

    def _any_increments(self) -> bool:
        return bool(self.conn.execute("SELECT EXISTS (SELECT 1 FROM invest_changes)").fetchone()[0])

    def _increments(self, out: list[Cells], spans: list[tuple[str, str]]) -> None:
        """增资: each counted increase adds its increment to 签约额 (签约外资额) in the month it
        happened — or of the first signing, if it came before it; nothing before a signing."""
        cfg = self.cfg
        if not self._any_increments():
            return
        pkind = self.db.defs.kind_by_key(cfg.pipeline_kind)
        signed = reached_statuses(pkind, cfg.stages["signed"])
        params: dict[str, Any] = {"pk": pkind.key, "af": cfg.amount_field, "ff": cfg.foreign_field}
        params.update({f"s{j}": st for j, st in enumerate(signed)})
        sel: list[str] = []
        for i, (a, b) in enumerate(spans):
            params[f"a{i}"], params[f"b{i}"] = a, b
            for key, fld in (("signed_amount", ":af"), ("signed_foreign", ":ff")):
                sel.append(
                    f"total(CASE WHEN d BETWEEN :a{i} AND :b{i} AND field = {fld} THEN amount END) AS w{i}_{key}"
                )
        for j, m in enumerate(self.series):
            params[f"m{j}"] = m
            sel.append(
                f"total(CASE WHEN substr(d, 1, 7) = :m{j} AND field = :af THEN amount END) AS t{j}_signed_amount"
            )
        if not sel:
            return
        marks = ", ".join(f":s{j}" for j in range(len(signed)))
        self._collect(
            out,
            f"SELECT chain_id, unit_id, {', '.join(sel)} FROM (SELECT i.chain_id AS chain_id, i.unit_id AS unit_id, "
            f"x.field AS field, x.amount AS amount, CASE WHEN x.date > g.signed THEN x.date ELSE g.signed END AS d "
            f"FROM ({counted.increments(include_pending=self.include_pending)}) x JOIN items i ON i.id = x.item_id "
            f"JOIN (SELECT s.item_id AS item_id, min(s.date) AS signed FROM status_log s "
            f"WHERE s.to_status IN ({marks}) AND {self._counts('s')} "
            "AND s.item_id IN (SELECT item_id FROM invest_changes) GROUP BY s.item_id) g "
            f"ON g.item_id = x.item_id WHERE i.kind = :pk) z GROUP BY 1, 2",
            params,
        )

    def _activities(self, out: list[Cells], periods: Sequence[Period]) -> None:
        """对接次数 and 走访次数 from month buckets (one pass over the activities for every
        window and the trend) plus day-precise edges; 走访企业 (distinct) per window."""
        cfg = self.cfg
        contact = _activity_cond(cfg.contact_types, cfg.contact_kinds)
        visit = _activity_cond(cfg.visit_types, cfg.visit_kinds)
        if contact == "0" and visit == "0":
            return
        types = ", ".join(_quote(t) for t in sorted(set(cfg.contact_types) | set(cfg.visit_types)))
        counts = f"total({contact}) AS contacts, total({visit}) AS visits"
        plans = [month_split(p) for p in periods]
        months = sorted({m for full, _ in plans for m in full} | set(self.series))
        buckets: dict[str, list[tuple[Cell, dict[str, Any]]]] = {}
        if months:
            # activities first, in file order: a full scan beats the date index once the
            # span is a large share of the table, which the year to date always is
            cur = self.conn.execute(
                f"SELECT i.chain_id, i.unit_id, substr(x.date, 1, 7), {counts} FROM activities x "
                f"CROSS JOIN items i ON i.id = x.item_id WHERE +x.date BETWEEN ? AND ? AND x.type IN ({types}) "
                f"GROUP BY 1, 2, 3",
                (f"{months[0]}-01", f"{months[-1]}-31"),
            )
            for chain_id, unit_id, m, c, v in cur:
                buckets.setdefault(m, []).append(((chain_id, unit_id), {"contacts": c, "visits": v}))
                if m in self.series:
                    self.series[m]["contacts"] += c
        for cells, (full, edges) in zip(out, plans, strict=True):
            for m in full:
                for cell, values in buckets.get(m, []):
                    cells.add(cell, values)
            for a, b in edges:
                for chain_id, unit_id, c, v in self.conn.execute(
                    f"SELECT i.chain_id, i.unit_id, {counts} FROM activities x JOIN items i ON i.id = x.item_id "
                    f"WHERE x.date BETWEEN ? AND ? AND x.type IN ({types}) GROUP BY 1, 2",
                    (a, b),
                ):
                    cells.add((chain_id, unit_id), {"contacts": c, "visits": v})
        if visit == "0":
            return
        # 走访企业 is a count of distinct enterprises: not additive over months, so taken
        # from the (few) visit records themselves
        lo, hi = min(p.start for p in periods).isoformat(), max(p.end for p in periods).isoformat()
        seen: list[dict[Cell, set[int]]] = [{} for _ in periods]
        spans = [(p.start.isoformat(), p.end.isoformat()) for p in periods]
        for chain_id, unit_id, day, item_id in self.conn.execute(
            f"SELECT i.chain_id, i.unit_id, x.date, x.item_id FROM activities x CROSS JOIN items i ON i.id = x.item_id "
            f"WHERE +x.date BETWEEN ? AND ? AND {visit}",
            (lo, hi),
        ):
            for i, (a, b) in enumerate(spans):
                if a <= day <= b:
                    seen[i].setdefault((chain_id, unit_id), set()).add(item_id)
        for cells, per_cell in zip(out, seen, strict=True):
            for cell, ids in per_cell.items():
                cells.add(cell, {"visited": len(ids)})

    def _funds(self, out: list[Cells], periods: Sequence[Period]) -> None:
        """到位资金 from month buckets: one pass for every window and the trend."""
        ranges = [funds_months(p) for p in periods]
        months = sorted({m for r in ranges if r is not None for m in r} | set(self.series))
        if not months:
            return
        buckets: dict[str, list[tuple[Cell, dict[str, Any]]]] = {}
        for chain_id, unit_id, m, dom, fx in self.conn.execute(
            f"SELECT i.chain_id, i.unit_id, f.month, total({self._fund('domestic')}), "
            f"total({self._fund('foreign_usd')}) FROM funds f "
            f"CROSS JOIN items i ON i.id = f.item_id WHERE +f.month BETWEEN ? AND ? AND {self._fund_counts()} "
            "GROUP BY 1, 2, 3",
            (months[0], months[-1]),
        ):
            buckets.setdefault(m, []).append(((chain_id, unit_id), {"funds_domestic": dom, "funds_foreign": fx}))
            if m in self.series:
                self.series[m]["funds_domestic"] += dom
                self.series[m]["funds_foreign"] += fx
        for cells, r in zip(out, ranges, strict=True):
            if r is None:
                continue
            for m, rows in buckets.items():
                if r[0] <= m <= r[1]:
                    for cell, values in rows:
                        cells.add(cell, values)

    def _problem_flows(self, out: list[Cells], spans: list[tuple[str, str]]) -> None:
        sel: list[str] = []
        params: dict[str, Any] = {}
        for i, (a, b) in enumerate(spans):
            params[f"a{i}"], params[f"b{i}"] = a, b
            lo, hi = f":a{i}", f":b{i}"
            sel += [
                f"total(created BETWEEN {lo} AND {hi}) AS w{i}_problems_new",
                f"total(closed BETWEEN {lo} AND {hi}) AS w{i}_problems_closed",
                f"total(from_visit AND created BETWEEN {lo} AND {hi}) AS w{i}_visit_problems_found",
                f"total(from_visit AND closed BETWEEN {lo} AND {hi}) AS w{i}_visit_problems_solved",
            ]
        self._collect(out, f"SELECT chain_id, unit_id, {', '.join(sel)} FROM zs_problems GROUP BY 1, 2", params)

    def _permits(self, out: list[Cells], spans: list[tuple[str, str]]) -> None:
        cfg = self.cfg
        if not (cfg.permit_from and cfg.permit_to):
            return
        sel: list[str] = []
        params: dict[str, Any] = {"from": cfg.permit_from, "to": cfg.permit_to}
        for i, (a, b) in enumerate(spans):
            params[f"a{i}"], params[f"b{i}"] = a, b
            inside = f"t.date BETWEEN :a{i} AND :b{i}"
            sel += [
                f"total({inside}) AS w{i}_permits",
                f"total(CASE WHEN {inside} THEN julianday(t.date) - julianday(f.date) END) AS w{i}_permit_days_total",
            ]
        params["lo"] = min(a for a, _ in spans)
        params["hi"] = max(b for _, b in spans)
        self._collect(
            out,
            f"SELECT i.chain_id, i.unit_id, {', '.join(sel)} FROM approvals t "
            "JOIN approvals f ON f.item_id = t.item_id AND f.step = :from AND f.date IS NOT NULL "
            "JOIN items i ON i.id = t.item_id WHERE t.step = :to AND t.date BETWEEN :lo AND :hi GROUP BY 1, 2",
            params,
        )

    def _collect(self, out: list[Cells], sql: str, params: dict[str, Any]) -> None:
        """Run a per-(chain, unit) query whose columns are ``w<i>_<figure>`` (window i) or
        ``t<j>_<figure>`` (trend month j) and add the values where they belong."""
        cur = self.conn.execute(sql, params)
        cols = []
        months = list(self.series)
        for name in [d[0] for d in cur.description][2:]:
            head, key = name.split("_", 1)
            cols.append((head[0], int(head[1:]), key))
        for row in cur:
            per: list[dict[str, Any]] = [{} for _ in out]
            for (where, i, key), v in zip(cols, row[2:], strict=True):
                if where == "w":
                    per[i][key] = v
                else:
                    self.series[months[i]][key] += v or 0
            for i, values in enumerate(per):
                if values:
                    out[i].add((row[0], row[1]), values)

    # -- the problem ledger on given days ------------------------------------------------
    #: SQL (on ``zs_problems p``) true for a problem with a status move dated after ``:lo``, or
    #: with a row not confirmed (its current status is then not what the counted moves say)
    _MOVED = (
        "EXISTS (SELECT 1 FROM status_log s WHERE s.item_id = p.item_id AND (s.date > :lo OR s.review != 'confirmed'))"
    )

    def _last_move(self, day: str) -> str:
        """SQL (on ``zs_problems p``): the status of the problem's last move dated on or
        before ``:<day>`` (by date, then id; NULL when none, i.e. not yet created then) —
        one lookup in status_log_item.  A problem that did not move after the earliest day
        asked about (:attr:`_MOVED`) is taken at its current status instead."""
        return counted.last_move("p.item_id", upto=f":{day}", include_pending=self.include_pending)

    def ledgers(self, days: Sequence[date]) -> list[Cells]:
        """Open, overdue, closed and total problems per (chain, unit) at the end of each
        of ``days`` (so a past day shows what the ledger showed then).  Problems that did
        not move after the earliest day are counted from their current status; those that
        did, from the last move in their log dated on or before each day (not counted on a
        day before their first move).  Both in SQL: the replay is one index lookup per
        problem and day, and only per-(chain, unit) sums reach Python."""
        self._need_problems()
        cfg = self.cfg
        qkind = self.db.defs.kind_by_key(cfg.problem_kind)
        out = [Cells() for _ in days]
        params: dict[str, Any] = {"lo": min(days).isoformat(), "closed": cfg.closed_status}
        # (an empty list is valid SQLite: x NOT IN () is true)
        t_list = ", ".join(_quote(t) for t in qkind.terminal_statuses())
        c_list = ", ".join(_quote(c) for c in cfg.cancelled)
        for i, d in enumerate(days):
            params[f"d{i}"] = d.isoformat()

        def figures(status: str, day: int) -> list[str]:
            # (IS NOT NULL first: NULL NOT IN () is true in SQLite)
            is_open = f"{status} IS NOT NULL AND {status} NOT IN ({t_list})"
            return [
                f"total({is_open})",
                f"total({is_open} AND due IS NOT NULL AND due < :d{day})",
                f"total({status} = :closed)",
                f"total({status} IS NOT NULL AND {status} NOT IN ({c_list}))",
                f"count({status})",
            ]

        keys = ("problems_open", "problems_overdue", "problems_closed_total", "problems_total")
        moved = self._MOVED
        # problems that did not move since the earliest day: their current status on every day
        still = [f for i in range(len(days)) for f in figures("status", i)]
        # the others: the status of their last move dated on or before each day (NULL when
        # none: not yet created then, and not counted); status_log_item serves each lookup
        as_of = [f"{self._last_move(f'd{i}')} AS st{i}" for i in range(len(days))]
        replayed = [f for i in range(len(days)) for f in figures(f"st{i}", i)]
        for sql in (
            f"SELECT chain_id, unit_id, {', '.join(still)} FROM zs_problems p WHERE NOT {moved} GROUP BY 1, 2",
            f"SELECT chain_id, unit_id, {', '.join(replayed)} FROM (SELECT p.chain_id, p.unit_id, p.due, "
            # (LIMIT -1: not flattened, so each lookup runs once, not once per figure using it)
            f"{', '.join(as_of)} FROM zs_problems p WHERE {moved} LIMIT -1) GROUP BY 1, 2",
        ):
            for chain_id, unit_id, *values in self.conn.execute(sql, params):
                for i, cells in enumerate(out):
                    *sums, n = values[5 * i : 5 * i + 5]
                    if n:
                        cells.add((chain_id, unit_id), dict(zip(keys, sums, strict=True)))
        return out

    def asof(self, day: date) -> Cells:
        """The problem ledger at the end of ``day`` (see :meth:`ledgers`)."""
        return self.ledgers([day])[0]

    # -- the rows behind the figures -----------------------------------------------------
    def target_rows(self, start: date, end: date) -> list[dict[str, Any]]:
        """Projects with any stage (or creation) date in [start, end]: the rows behind
        新增项目, 新增对接项目, 签约, 签约额, 入统, 开工, 投产 and 退库."""
        self._need_reached(start)
        cols = list(TARGET_FLOWS.values())
        cond = " OR ".join(f"r.{c} BETWEEN :a AND :b" for c in cols)
        return self._rows(
            f"SELECT r.item_id AS id, i.title, c.name AS chain, u.name AS unit, i.status, r.amount, "
            f"r.foreign_amount, {', '.join('r.' + c for c in cols)} FROM zs_reached r "
            f"JOIN items i ON i.id = r.item_id JOIN chains c ON c.id = r.chain_id "
            f"LEFT JOIN units u ON u.id = r.unit_id WHERE {cond} ORDER BY r.item_id",
            {"a": start.isoformat(), "b": end.isoformat()},
        )

    def activity_items(
        self, periods: Sequence[Period], types: Sequence[str], kinds: Sequence[str]
    ) -> list[dict[str, Any]]:
        """One row per item with activities of ``types`` (on items of ``kinds``) in any of
        ``periods``: how many fall in each (``n0``, ``n1`` …) and the latest of them."""
        if not types or not kinds or not periods:
            return []
        params: dict[str, Any] = {}
        counts = []
        for i, p in enumerate(periods):
            params[f"a{i}"], params[f"b{i}"] = p.start.isoformat(), p.end.isoformat()
            counts.append(f"total(x.date BETWEEN :a{i} AND :b{i}) AS n{i}")
        params["lo"] = min(p.start for p in periods).isoformat()
        params["hi"] = max(p.end for p in periods).isoformat()
        cond = _activity_cond(types, kinds)
        # the type and summary of the row holding max(date) (Dialect.at_max)
        at_max = self.db.dialect.at_max
        rows = self._rows(
            f"SELECT x.item_id AS id, i.kind, i.title, c.name AS chain, u.name AS unit, {', '.join(counts)}, "
            f"max(x.date) AS last_date, {at_max('x.type', 'x.date', 'x.id')} AS last_type, "
            f"{at_max('x.summary', 'x.date', 'x.id')} AS last_summary "
            f"FROM activities x CROSS JOIN items i ON i.id = x.item_id JOIN chains c ON c.id = i.chain_id "
            f"LEFT JOIN units u ON u.id = i.unit_id WHERE +x.date BETWEEN :lo AND :hi AND {cond} "
            f"GROUP BY x.item_id, i.id, c.name, u.name ORDER BY x.item_id",
            params,
        )
        for r in rows:
            for i in range(len(periods)):
                r[f"n{i}"] = round(r[f"n{i}"])
        return rows

    def fund_items(self, periods: Sequence[Period]) -> list[dict[str, Any]]:
        """One row per item with funds counted in any of ``periods``: domestic (``d0`` …)
        and foreign (``f0`` …) sums per period, and the months they came from."""
        ranges = [funds_months(p) for p in periods]
        used = [r for r in ranges if r is not None]
        if not used:
            return []
        params: dict[str, Any] = {"lo": min(r[0] for r in used), "hi": max(r[1] for r in used)}
        sums = []
        for i, r in enumerate(ranges):
            if r is None:
                sums.append(f"0.0 AS d{i}, 0.0 AS f{i}")
                continue
            params[f"a{i}"], params[f"b{i}"] = r
            inside = f"f.month BETWEEN :a{i} AND :b{i}"
            sums.append(
                f"total(CASE WHEN {inside} THEN {self._fund('domestic')} END) AS d{i}, "
                f"total(CASE WHEN {inside} THEN {self._fund('foreign_usd')} END) AS f{i}"
            )
        rows = self._rows(
            f"SELECT f.item_id AS id, i.title, c.name AS chain, u.name AS unit, {', '.join(sums)}, "
            f"group_concat(f.month, '、') AS months FROM funds f CROSS JOIN items i ON i.id = f.item_id "
            f"JOIN chains c ON c.id = i.chain_id LEFT JOIN units u ON u.id = i.unit_id "
            f"WHERE +f.month BETWEEN :lo AND :hi AND {self._fund_counts()} "
            "GROUP BY f.item_id, i.id, c.name, u.name ORDER BY f.item_id",
            params,
        )
        for row in rows:
            for i in range(len(periods)):
                row[f"d{i}"], row[f"f{i}"] = round(row[f"d{i}"], 2), round(row[f"f{i}"], 2)
        return rows

    def problem_rows(self, start: date, end: date, day: date) -> list[dict[str, Any]]:
        """Problems created or first closed in [start, end], or not closed at the end of
        ``day``; with their status on ``day`` (the same status the ledger counts)."""
        self._need_problems()
        qkind = self.db.defs.kind_by_key(self.cfg.problem_kind)
        cols = set(self.db.kind_columns(qkind))
        level = 'k."level"' if "level" in cols else "NULL"
        terminal = set(qkind.terminal_statuses())
        rows = self._rows(
            f"SELECT p.item_id AS id, i.title, c.name AS chain, u.name AS unit, {level} AS level, "
            f"p.created, p.closed, p.due, p.from_visit, "
            f"CASE WHEN {self._MOVED} THEN {self._last_move('day')} ELSE p.status END AS status_on "
            f"FROM zs_problems p JOIN items i ON i.id = p.item_id JOIN chains c ON c.id = p.chain_id "
            f'LEFT JOIN units u ON u.id = p.unit_id LEFT JOIN "{qkind.table}" k ON k.id = p.item_id ORDER BY p.item_id',
            {"lo": day.isoformat(), "day": day.isoformat()},
        )
        out = []
        for r in rows:
            st = r["status"] = r.pop("status_on")
            r["from_visit"] = bool(r["from_visit"])
            if (
                in_window(r["created"], start, end)
                or in_window(r["closed"], start, end)
                or (st is not None and st not in terminal)
            ):
                out.append(r)
        return out

    def permit_rows(self, start: date, end: date) -> list[dict[str, Any]]:
        """Projects that obtained the permit in [start, end] with a land-contract date."""
        cfg = self.cfg
        if not (cfg.permit_from and cfg.permit_to):
            return []
        return self._rows(
            "SELECT t.item_id AS id, i.title, c.name AS chain, u.name AS unit, f.date AS land_date, "
            "t.date AS permit_date, CAST(julianday(t.date) - julianday(f.date) AS INTEGER) AS days "
            "FROM approvals t JOIN approvals f ON f.item_id = t.item_id AND f.step = ? AND f.date IS NOT NULL "
            "JOIN items i ON i.id = t.item_id JOIN chains c ON c.id = i.chain_id "
            "LEFT JOIN units u ON u.id = i.unit_id WHERE t.step = ? AND t.date BETWEEN ? AND ? ORDER BY t.date",
            [cfg.permit_from, cfg.permit_to, start.isoformat(), end.isoformat()],
        )

    def _rows(self, sql: str, params: Sequence[Any] | dict[str, Any]) -> list[dict[str, Any]]:
        cur = self.conn.execute(sql, params)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur]


def _quote(text: str) -> str:
    """A SQL string literal (for names from the YAML definitions, inlined so that one
    statement can test several sets)."""
    return "'" + text.replace("'", "''") + "'"


def _activity_cond(types: Sequence[str], kinds: Sequence[str]) -> str:
    """SQL (on ``x`` activities / ``i`` items) selecting activities of ``types`` on items
    of ``kinds``."""
    if not types or not kinds:
        return "0"
    return f"(x.type IN ({', '.join(_quote(t) for t in types)}) AND i.kind IN ({', '.join(_quote(k) for k in kinds)}))"


def month_split(p: Period) -> tuple[list[str], list[tuple[str, str]]]:
    """The whole months inside ``p`` ('YYYY-MM') and the day ranges left over at its
    edges (ISO dates), so that a window is a sum of month buckets and at most two short
    ranges."""
    first = p.start if p.start.day == 1 else _next_month(p.start)
    months: list[str] = []
    edges: list[tuple[str, str]] = []
    m = first
    while _next_month(m) - timedelta(days=1) <= p.end:
        months.append(f"{m.year:04d}-{m.month:02d}")
        m = _next_month(m)
    if not months:
        return [], [(p.start.isoformat(), p.end.isoformat())]
    if first > p.start:
        edges.append((p.start.isoformat(), (first - timedelta(days=1)).isoformat()))
    if m <= p.end:
        edges.append((m.isoformat(), p.end.isoformat()))
    return months, edges


def _next_month(d: date) -> date:
    return date(d.year + 1, 1, 1) if d.month == 12 else date(d.year, d.month + 1, 1)


def in_window(value: str | None, start: date, end: date) -> bool:
    """The same test as SQL ``value BETWEEN start AND end`` on ISO dates."""
    return value is not None and start.isoformat() <= value <= end.isoformat()


def month_range(last: date, n: int = 12) -> list[str]:
    """The ``n`` months ending with the month of ``last``, oldest first ('YYYY-MM')."""
    out = []
    total = last.year * 12 + last.month - 1
    for k in range(n - 1, -1, -1):
        t = total - k
        out.append(f"{t // 12:04d}-{t % 12 + 1:02d}")
    return out

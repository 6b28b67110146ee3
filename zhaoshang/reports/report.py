"""A report: the figures of a period, the period before and the year to date, for the
city, every chain and every unit, with goals, completion, the ranking, the monthly trend
and the definitions.  One :class:`Report` feeds the dashboard, JSON and the workbook."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from ..pipeline.performance import lifecycle_figures
from . import config as config_mod
from . import groundwork
from .figures import ADDITIVE, NEEDS_EXACT_WINDOW, NOT_ADDITIVE, Cells, Figures, derive, month_range
from .goals import goals_for
from .metrics import METRICS, definition
from .periods import Period, check_reportable, month, time_progress, year
from .ranking import Entrant, Ranking, behind, completion, link_previous, score

if TYPE_CHECKING:
    from ..db import Database
    from .config import ReportConfig

TITLES = {
    "monthly": "招商引资月度调度",
    "quarterly": "招商引资季度通报",
    "half": "招商引资半月通报",
    "period": "招商引资工作通报",
    "ranking": "招商引资擂台赛",
}
UNASSIGNED = "（未指定责任单位）"
#: the figures a pending count is given for (counts and sums; rates are not)
NOT_RATES = frozenset(ADDITIVE)
#: the figures whose pending counts a report names, in the order leaders read them
HEADLINE_PENDING = (
    "new_targets",
    "signed",
    "signed_amount",
    "signed_foreign",
    "registered",
    "started",
    "producing",
    "funds_domestic",
    "funds_foreign",
    "problems_new",
    "problems_closed",
)
SHORT_LABELS = {
    "new_targets": "新增项目",
    "signed": "签约",
    "registered": "入统",
    "started": "开工",
    "producing": "投产",
}


def _pending_words(pend: dict[str, float]) -> list[str]:
    from .dashboard import number
    from .metrics import BY_KEY

    return [
        f"{SHORT_LABELS.get(k, BY_KEY[k].label)} {number(pend[k], BY_KEY[k])} {BY_KEY[k].unit}"
        for k in HEADLINE_PENDING
        if pend.get(k)
    ]


@dataclass
class ScopeRow:
    level: str  # total | chain | unit
    id: int | None
    name: str
    period: dict[str, float | None]
    previous: dict[str, float | None]
    year_to_date: dict[str, float | None]
    goals: dict[str, float] = field(default_factory=dict)
    completion: dict[str, float | None] = field(default_factory=dict)
    behind: list[str] = field(default_factory=list)
    info: dict[str, Any] = field(default_factory=dict)
    #: the same period a year earlier (同比)
    last_year: dict[str, float | None] = field(default_factory=dict)
    #: completion minus 时序进度, per goal metric (a fraction: -0.131 is 13.1 points behind)
    schedule_gap: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "id": self.id,
            "name": self.name,
            **self.info,
            "period": self.period,
            "previous": self.previous,
            "last_year": self.last_year,
            "year_to_date": self.year_to_date,
            "goals": self.goals,
            "completion": self.completion,
            "schedule_gap": self.schedule_gap,
            "behind": self.behind,
        }


@dataclass
class Details:
    """The rows behind the figures, for the window [start, end] that covers both the
    period and the year to date.  Projects and problems carry the dates the figures test;
    contacts, visits and funds are one row per item with its count / sums for the period
    and for the year to date (they add up to the figures)."""

    start: date
    end: date
    targets: list[dict[str, Any]]
    contacts: list[dict[str, Any]]
    funds: list[dict[str, Any]]
    problems: list[dict[str, Any]]
    visits: list[dict[str, Any]]
    permits: list[dict[str, Any]]
    #: 项目保 warnings today (zs warn): what is late now, whatever the period
    warnings: list[dict[str, Any]] = field(default_factory=list)
    today: date | None = None

    def masked(self) -> Details:
        """The same rows with every phone number, 身份证号 and e-mail in their text masked."""
        from ..privacy import mask_value

        def rows(rs: list[dict[str, Any]]) -> list[dict[str, Any]]:
            return [{k: mask_value(v) for k, v in r.items()} for r in rs]

        return replace(
            self,
            targets=rows(self.targets),
            contacts=rows(self.contacts),
            funds=rows(self.funds),
            problems=rows(self.problems),
            visits=rows(self.visits),
            permits=rows(self.permits),
            warnings=rows(self.warnings),
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "targets": self.targets,
            "contacts": self.contacts,
            "funds": self.funds,
            "problems": self.problems,
            "visits": self.visits,
            "permits": self.permits,
            "warnings_today": self.today.isoformat() if self.today else None,
            "warnings": self.warnings,
        }


@dataclass
class ReviewNote:
    """报送 → 认定 in a report: how many of its figures were still 待认定 when it was made, what
    they would add, and the late confirmations (补认定).  Rule (README「报送与认定」): a
    confirmed figure counts in the month of its own date, whenever it was confirmed; a
    confirmation after that month closed (its last day + ``close_days``) is 补认定 — listed by the
    report of its own period (``late``: what a closed period gained since) and by the report
    of the period it was made in (``late_for_earlier``)."""

    include_pending: bool
    #: rows dated in the period / the year to date (funds: their month) still 待认定 now
    pending_rows: int
    pending_rows_ytd: int
    #: {"period": {metric: n}, "year_to_date": {...}}: what the 待认定 rows add to the city's
    #: figures (already in them with include_pending); only metrics they change
    pending: dict[str, dict[str, float]]
    #: {unit id: {metric: n}} for the period, the same per unit
    units: dict[int | None, dict[str, float]]
    late: list[dict[str, Any]]
    late_for_earlier: list[dict[str, Any]]
    close_days: int
    #: per unit, what it submitted for the period (rows dated in it), and the units that
    #: submitted nothing for it; empty when no unit submitted anything at all
    reported: list[dict[str, Any]] = field(default_factory=list)

    def beside(self, key: str, value: float | None, scope: str = "period") -> str:
        """A headline figure with its pending count beside it, for people: 「签约 12 个，另有 3 个
        待认定」 (with include_pending: 「签约 15 个，其中 3 个待认定」); without one, 「签约 12 个」."""
        from .dashboard import number
        from .metrics import BY_KEY

        m = BY_KEY[key]
        text = f"{SHORT_LABELS.get(key, m.label)} {number(value, m)} {m.unit}"
        extra = self.pending.get(scope, {}).get(key)
        if not extra:
            return text
        word = "其中" if self.include_pending else "另有"
        return f"{text}，{word} {number(extra, m)} {m.unit}待认定"

    def lines(self) -> list[str]:
        """What a report says of 报送 → 认定, for people (terminal, workbook, 通报)."""
        out: list[str] = []
        pend = self.pending.get("period", {})
        if self.pending_rows or pend:
            items = "、".join(_pending_words(pend))
            how = "已计入上面的数字" if self.include_pending else "认定后才计入上面的数字"
            out.append(
                f"本期还有 {self.pending_rows} 条报送待认定{('：' + items) if items else ''}，{how}；"
                "zs review 可查看并认定"
            )
        silent = [r["unit"] for r in self.reported if not r["sent"]]
        if self.reported and silent:
            sent = len(self.reported) - len(silent)
            out.append(f"报送本期数字的单位 {sent} 个；未报送：{'、'.join(silent)}")
        for row in self.late:
            out.append(
                f"补认定：{row['title']}（编号 {row['item_id']}，{row['unit'] or '未指定单位'}）{row['figure']}，"
                f"{row['confirmed']} 认定"
            )
        for row in self.late_for_earlier:
            out.append(
                f"本期补认定以前月份的数字：{row['title']}（编号 {row['item_id']}）{row['figure']}，"
                f"{row['confirmed']} 认定"
            )
        return out

    def bulletin_lines(self) -> list[str]:
        """The 通报's one sentence on 报送 → 认定 (none when nothing was pending or late)."""
        parts: list[str] = []
        if self.pending_rows:
            items = "、".join(_pending_words(self.pending.get("period", {})))
            done = "已计入" if self.include_pending else "未计入"
            which = f"（{items}）" if items else ""
            parts.append(f"截至出表，本期还有 {self.pending_rows} 条报送待认定{which}，{done}以上数字")
        if self.late:
            parts.append(f"本期数字含关账后补认定的 {len(self.late)} 条")
        return ["；".join(parts) + "。"] if parts else []

    def as_dict(self) -> dict[str, Any]:
        return {
            "include_pending": self.include_pending,
            "pending_rows": self.pending_rows,
            "pending_rows_ytd": self.pending_rows_ytd,
            "pending": self.pending,
            "units": [{"id": k, "period": v} for k, v in self.units.items()],
            "late": self.late,
            "late_for_earlier": self.late_for_earlier,
            "close_days": self.close_days,
            "reported": self.reported,
        }


@dataclass
class Report:
    kind: str
    title: str
    period: Period
    previous: Period
    year_to_date: Period
    asof: date
    previous_asof: date
    time_progress: float
    generated_at: str
    total: ScopeRow
    chains: list[ScopeRow]
    units: list[ScopeRow]
    ranking: Ranking
    chain_ranking: Ranking
    trend: list[dict[str, Any]]
    config: ReportConfig
    details: Details | None = None
    #: the office the report is for (市商务局 …), printed before the title; "" when not set
    office: str = ""
    #: the same period a year earlier (同比) and the day its ledger figures are taken
    last_year: Period | None = None
    last_year_asof: date | None = None
    #: 报送 → 认定: pending counts and 补认定 (None: not computed)
    review: ReviewNote | None = None
    #: 基础工作 and the 通报's extra figures, from records already kept (:mod:`.groundwork`)
    groundwork: dict[str, Any] | None = None
    #: 谋划储备, 准入研判, 达产, 入规, 履约: {"period": …, "year_to_date": …}
    #: (:func:`zhaoshang.pipeline.performance.lifecycle_figures`)
    lifecycle: dict[str, Any] | None = None

    @property
    def heading(self) -> str:
        return f"{self.office}{self.title}（{self.period.label}）"

    def definitions(self) -> list[dict[str, str]]:
        return [
            {"key": m.key, "label": m.label, "unit": m.unit, "definition": definition(m, self.config)} for m in METRICS
        ]

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "report": self.kind,
            "title": self.title,
            "office": self.office,
            "period": self.period.as_dict(),
            "previous": self.previous.as_dict(),
            "last_year": self.last_year.as_dict() if self.last_year else None,
            "last_year_asof": self.last_year_asof.isoformat() if self.last_year_asof else None,
            "year_to_date": self.year_to_date.as_dict(),
            "asof": self.asof.isoformat(),
            "previous_asof": self.previous_asof.isoformat(),
            "time_progress": round(self.time_progress, 4),
            "generated_at": self.generated_at,
            "total": self.total.as_dict(),
            "chains": [c.as_dict() for c in self.chains],
            "units": [u.as_dict() for u in self.units],
            "ranking": self.ranking.as_dict(),
            "chain_ranking": self.chain_ranking.as_dict(),
            "trend": self.trend,
            "definitions": self.definitions(),
        }
        if self.groundwork is not None:
            data["groundwork"] = self.groundwork
        if self.lifecycle is not None:
            data["lifecycle"] = self.lifecycle
        if self.details is not None:
            data["details"] = self.details.as_dict()
        if self.review is not None:
            data["review"] = self.review.as_dict()
        return data


# ---------------------------------------------------------------------------------------
# Building
# ---------------------------------------------------------------------------------------


def build(
    db: Database,
    period: Period,
    *,
    kind: str = "monthly",
    today: date | None = None,
    cfg: ReportConfig | None = None,
    details: bool = False,
    mask: bool = False,
    office: str | None = None,
    include_pending: bool = False,
) -> Report:
    """Every figure of ``period`` (and the period before, and the year to date); with
    ``mask``, phone numbers and the like in the detail rows are masked (free text too);
    ``office`` names the office on every page.  Figures count confirmed rows only
    (:mod:`zhaoshang.counted`); ``include_pending`` counts the 待认定 ones too.  The report
    says how many were pending and what they add (:class:`ReviewNote`)."""
    today = today or date.today()
    check_reportable(period, today)
    cfg = cfg or config_mod.load(db.defs)
    prev = period.previous()
    ytd = period.year_to_date()
    asof, prev_asof = min(period.end, today), min(prev.end, today)
    ago = period.year_before()  # 同比
    ago_asof = min(ago.end, today)
    with Figures.open(db, cfg, include_pending=include_pending) as fig:
        flows = _flows(fig, cfg, period, [period, prev, ytd], month_range(period.end), (ago,))
        now, then, back = fig.ledgers([asof, prev_asof, ago_asof])
        cur, before = flows[0].merge(now), flows[1].merge(then)
        year_cells, prev_year = flows[2].merge(now), flows[3].merge(then)
        last_year = flows[4].merge(back)
        trend = fig.trend()
        det = _details(fig, period, ytd, asof, today) if details else None
        basics = groundwork.compute(fig, period, ytd).as_dict()
        life_now = lifecycle_figures(db, period.start, asof)
        life_ytd = lifecycle_figures(db, ytd.start, asof, stocks=life_now)
        life = {"period": life_now.as_dict(), "year_to_date": life_ytd.as_dict()}
    if det is not None and mask:
        det = det.masked()
    note = review_note(db, cfg, period, ytd, asof, (cur, year_cells), include_pending=include_pending)
    chain_goals, unit_goals = goals_for(db, ytd.end.year)
    progress = time_progress(asof, ytd.end.year)
    chains = _chain_rows(db, cur, before, year_cells, chain_goals, progress)
    units = _unit_rows(db, cur, before, year_cells, unit_goals, progress)
    total = _scope(
        "total", None, "合计", cur.total(), before.total(), year_cells.total(), _total_goals(units, chains), progress
    )
    _add_last_year(total, chains, units, last_year)
    now_year, before_year = (ytd.end.year, asof), (prev.year_to_date().end.year, prev_asof)
    rank = _rank(db, cfg, "unit", year_cells, prev_year, now_year, before_year)
    chain_rank = _rank(db, cfg, "chain", year_cells, prev_year, now_year, before_year)
    return Report(
        kind=kind,
        title=TITLES.get(kind, TITLES["period"]),
        office=(office or "").strip(),
        period=period,
        previous=prev,
        last_year=ago,
        last_year_asof=ago_asof,
        year_to_date=ytd,
        asof=asof,
        previous_asof=prev_asof,
        time_progress=progress,
        generated_at=datetime.now().isoformat(timespec="seconds"),
        total=total,
        chains=chains,
        units=units,
        ranking=rank,
        chain_ranking=chain_rank,
        trend=trend,
        config=cfg,
        details=det,
        review=note,
        groundwork=basics,
        lifecycle=life,
    )


def review_note(
    db: Database,
    cfg: ReportConfig,
    period: Period,
    ytd: Period,
    asof: date,
    cells: tuple[Cells, Cells],
    *,
    include_pending: bool,
) -> ReviewNote:
    """The report's :class:`ReviewNote`: the 待认定 rows' contribution is the difference
    between the figures with and without them (computed only when anything is pending)."""
    from .. import review

    pending: dict[str, dict[str, float]] = {"period": {}, "year_to_date": {}}
    units: dict[int | None, dict[str, float]] = {}
    anything = review.any_pending(db)  # (nothing pending: no count to make, no second pass)
    if anything:
        with Figures.open(db, cfg, include_pending=not include_pending) as fig:
            flows = fig.windows([period, ytd])
            (now,) = fig.ledgers([asof])
            other = (flows[0].merge(now), flows[1].merge(now))
        for key, mine, theirs in (("period", cells[0], other[0]), ("year_to_date", cells[1], other[1])):
            pending[key] = _difference(mine.total(), theirs.total(), include_pending)
        mine_u, theirs_u = cells[0].by_unit(), other[0].by_unit()
        for uid in sorted(set(mine_u) | set(theirs_u), key=lambda u: (u is None, u or 0)):
            diff = _difference(mine_u.get(uid, {}), theirs_u.get(uid, {}), include_pending)
            if diff:
                units[uid] = diff
    late = review.late_confirmations(db, belongs=(period.start, period.end))
    made = review.late_confirmations(db, confirmed=(period.start, period.end))
    # (a date correction is for the month it moved a figure out of, too)
    earlier = [e for e in made if min(e.date, e.corrects or e.date) < period.start.isoformat()]
    return ReviewNote(
        include_pending=include_pending,
        pending_rows=review.pending_in(db, period.start, period.end) if anything else 0,
        pending_rows_ytd=review.pending_in(db, ytd.start, ytd.end) if anything else 0,
        pending=pending,
        units=units,
        late=[_late_row(e) for e in late],
        late_for_earlier=[_late_row(e) for e in earlier],
        close_days=review.CLOSE_DAYS,
        reported=_reported(db, period),
    )


def _reported(db: Database, period: Period) -> list[dict[str, Any]]:
    """Who submitted figures for ``period`` (nothing when the office receives no submissions)."""
    from .. import review

    if db.conn.execute(
        "SELECT EXISTS (SELECT 1 FROM status_log WHERE submitted_by IS NOT NULL) "
        "OR EXISTS (SELECT 1 FROM funds WHERE submitted_by IS NOT NULL) "
        "OR EXISTS (SELECT 1 FROM invest_changes WHERE submitted_by IS NOT NULL)"
    ).fetchone()[0]:
        return [r.as_dict() for r in review.submission_status(db, "", belonging=(period.start, period.end))]
    return []


def _difference(mine: dict[str, float], theirs: dict[str, float], include_pending: bool) -> dict[str, float]:
    """What the pending rows add: (with them) − (without them), metrics that differ only."""
    a, b = derive(mine), derive(theirs)
    out: dict[str, float] = {}
    for k, v in a.items():
        w = b.get(k)
        if v is None or w is None or k not in NOT_RATES:
            continue
        d = (v - w) if include_pending else (w - v)
        if d:
            out[k] = round(d, 2)
    return out


def _late_row(e: Any) -> dict[str, Any]:
    return {
        "ref": e.ref,
        "item_id": e.item_id,
        "title": e.title,
        "unit": e.unit,
        "figure": e.figure,
        "month": e.month,
        "confirmed": (e.reviewed_at or "")[:10],
        "reviewed_by": e.reviewed_by,
    }


def _flows(
    fig: Figures,
    cfg: ReportConfig,
    period: Period,
    windows: list[Period],
    months: list[str] | None = None,
    extra: tuple[Period, ...] = (),
) -> list[Cells]:
    """Flows of ``windows`` (the last being the year to date of ``period``), followed by
    the year to date of the previous period — for the ranking's ↑↓ — and then by those of
    ``extra`` (the same period a year earlier), all read in one pass.  The previous year to
    date is the year to date less this period when they are consecutive in one year and the
    ranking only weighs figures that add up; otherwise it is computed."""
    ytd, prev_ytd = windows[-1], period.previous().year_to_date()
    consecutive = prev_ytd.start == ytd.start and prev_ytd.end == period.start - timedelta(days=1)
    if consecutive and not any(w.metric in NEEDS_EXACT_WINDOW for w in cfg.weights):
        flows = fig.windows([*windows, *extra], months or ())
        main, more = flows[: len(windows)], flows[len(windows) :]
        i = windows.index(period)
        return [*main, main[-1].minus(main[i], NOT_ADDITIVE), *more]
    return fig.windows([*windows, prev_ytd, *extra], months or ())


def build_ranking(
    db: Database,
    *,
    year_: int | None = None,
    level: str = "unit",
    today: date | None = None,
    cfg: ReportConfig | None = None,
) -> Ranking:
    """The ranking of ``year_`` as of today (or the year's end), compared with the end of
    the previous month — the same ranking the monthly report of that month shows."""
    today = today or date.today()
    y = year_ or today.year
    check_reportable(year(y), today)
    cfg = cfg or config_mod.load(db.defs)
    last = min(year(y).end, max(today, year(y).start))
    current = month(last.replace(day=1))
    prev = current.previous()
    asof, prev_asof = min(current.end, today), min(prev.end, today)
    with Figures.open(db, cfg) as fig:
        flows = _flows(fig, cfg, current, [current, current.year_to_date()])
        now, then = fig.ledgers([asof, prev_asof])
        year_cells, prev_year = flows[1].merge(now), flows[2].merge(then)
    return _rank(db, cfg, level, year_cells, prev_year, (y, asof), (prev.end.year, prev_asof))


def _scope(
    level: str,
    sid: int | None,
    name: str,
    cur: dict[str, float],
    before: dict[str, float],
    ytd: dict[str, float],
    goals: dict[str, float],
    progress: float,
    info: dict[str, Any] | None = None,
) -> ScopeRow:
    y = derive(ytd)
    comp = completion(y, goals)
    gap = {k: round(c - progress, 4) for k, c in comp.items() if c is not None}
    return ScopeRow(
        level,
        sid,
        name,
        derive(cur),
        derive(before),
        y,
        dict(goals),
        comp,
        behind(comp, progress),
        info or {},
        schedule_gap=gap,
    )


def _add_last_year(total: ScopeRow, chains: list[ScopeRow], units: list[ScopeRow], cells: Cells) -> None:
    """Give every scope its figures of the same period a year earlier (同比)."""
    total.last_year = derive(cells.total())
    by_chain, by_unit = cells.by_chain(), cells.by_unit()
    for row in chains:
        row.last_year = derive(by_chain.get(row.id, {}))
    for row in units:
        row.last_year = derive(by_unit.get(row.id, {}))


def _chain_rows(
    db: Database, cur: Cells, before: Cells, ytd: Cells, goals: dict[int, dict[str, float]], progress: float
) -> list[ScopeRow]:
    c, b, y = cur.by_chain(), before.by_chain(), ytd.by_chain()
    rows = []
    for cid, name, leader, lead_unit in db.conn.execute("SELECT id, name, leader, lead_unit FROM chains ORDER BY id"):
        rows.append(
            _scope(
                "chain",
                cid,
                name,
                c.get(cid, {}),
                b.get(cid, {}),
                y.get(cid, {}),
                goals.get(cid, {}),
                progress,
                {"leader": leader, "lead_unit": lead_unit},
            )
        )
    return rows


def _unit_rows(
    db: Database, cur: Cells, before: Cells, ytd: Cells, goals: dict[int, dict[str, float]], progress: float
) -> list[ScopeRow]:
    c, b, y = cur.by_unit(), before.by_unit(), ytd.by_unit()
    rows = []
    for uid, name, utype, ranked in db.conn.execute("SELECT id, name, type, ranked FROM units ORDER BY id"):
        rows.append(
            _scope(
                "unit",
                uid,
                name,
                c.get(uid, {}),
                b.get(uid, {}),
                y.get(uid, {}),
                goals.get(uid, {}),
                progress,
                {"type": utype, "ranked": bool(ranked)},
            )
        )
    if any(None in d for d in (c, b, y)):
        rows.append(
            _scope(
                "unit",
                None,
                UNASSIGNED,
                c.get(None, {}),
                b.get(None, {}),
                y.get(None, {}),
                {},
                progress,
                {"type": None, "ranked": False},
            )
        )
    return rows


def _total_goals(units: list[ScopeRow], chains: list[ScopeRow]) -> dict[str, float]:
    """City goals: the sum of the units' goals for a metric; where no unit has one, the sum
    of the chains' goals."""
    out: dict[str, float] = {}
    for rows in (units, chains):
        sums: dict[str, float] = {}
        for r in rows:
            for k, v in r.goals.items():
                sums[k] = sums.get(k, 0.0) + v
        for k, v in sums.items():
            out.setdefault(k, v)
    return out


def _rank(
    db: Database,
    cfg: ReportConfig,
    level: str,
    ytd: Cells,
    prev_ytd: Cells,
    year_: tuple[int, date],
    prev: tuple[int, date],
) -> Ranking:
    """Rank units (or chains) on ``ytd`` against the goals of ``year_ = (year, as-of day)``,
    and record each one's rank on ``prev_ytd`` with the goals of ``prev`` (for ↑↓)."""
    (y, asof), (prev_y, prev_asof) = year_, prev
    # only entrants that existed by the day: entered by then, or with an item of their own
    # that came in (or moved) by then — a unit set up in December is not ranked in November,
    # one whose back-dated projects go back to March is
    if level == "unit":
        table, key, extra = "units", "unit_id", " AND t.ranked = 1"
        now, before = ytd.by_unit(), prev_ytd.by_unit()
    else:
        table, key, extra = "chains", "chain_id", ""
        now, before = ytd.by_chain(), prev_ytd.by_chain()
    existing = (
        f"SELECT t.id, t.name FROM {table} t WHERE (substr(t.created_at, 1, 10) <= :day OR EXISTS ("
        f"SELECT 1 FROM items i JOIN status_log e ON e.item_id = i.id WHERE i.{key} = t.id AND e.date <= :day))"
        f"{extra} ORDER BY t.id"
    )

    def entrants(values: dict[int | None, dict[str, float]], year_goals: int, day: date) -> list[Entrant]:
        chain_goals, unit_goals = goals_for(db, year_goals)
        goals = unit_goals if level == "unit" else chain_goals
        who = db.conn.execute(existing, {"day": day.isoformat()}).fetchall()
        return [Entrant(i, n, derive(values.get(i, {})), goals.get(i, {})) for i, n in who]

    progress = time_progress(asof, y)
    rows = score(entrants(now, y, asof), cfg, progress=progress)
    then = entrants(before, prev_y, prev_asof)
    link_previous(rows, score(then, cfg, progress=time_progress(prev_asof, prev_y)))
    return Ranking(level, y, asof, progress, cfg.weights, cfg.cap, rows, prev_asof)


def _details(fig: Figures, period: Period, ytd: Period, asof: date, today: date) -> Details:
    start, end = min(period.start, ytd.start), max(period.end, ytd.end)
    cfg = fig.cfg
    windows = [period, ytd]

    def renamed(rows: list[dict[str, Any]], names: dict[str, str]) -> list[dict[str, Any]]:
        return [{names.get(k, k): v for k, v in r.items()} for r in rows]

    return Details(
        start=start,
        end=end,
        targets=fig.target_rows(start, end),
        contacts=renamed(
            fig.activity_items(windows, cfg.contact_types, cfg.contact_kinds), {"n0": "period", "n1": "year_to_date"}
        ),
        funds=renamed(
            fig.fund_items(windows),
            {"d0": "period_domestic", "f0": "period_foreign", "d1": "ytd_domestic", "f1": "ytd_foreign"},
        ),
        problems=fig.problem_rows(start, end, asof),
        visits=renamed(
            fig.activity_items(windows, cfg.visit_types, cfg.visit_kinds), {"n0": "period", "n1": "year_to_date"}
        ),
        permits=fig.permit_rows(start, end),
        # a past period's warnings are those of its last day, not of the day it is printed
        warnings=_warnings(fig.db, asof),
        today=asof,
    )


def _warnings(db: Database, today: date) -> list[dict[str, Any]]:
    """The warnings of ``zs warn`` on ``today`` (red first), as plain rows."""
    from ..pipeline.warnings import compute

    return [w.as_dict() for w in compute(db, today=today)]

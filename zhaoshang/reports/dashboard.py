"""The report on the terminal: a dashboard drawn with rich (imported here only, when a
report is shown), with bars for completion and arrows for the change on the period before.

Everything shown comes from a :class:`~zhaoshang.reports.report.Report`; nothing is
computed here but formatting.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TextIO

from . import numbers
from .metrics import BY_KEY, Metric
from .ranking import Ranking, explain

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

    from .config import ReportConfig
    from .report import Report, ScopeRow

#: the headline figures, in the order leaders read them
HEADLINE = (
    "contacts",
    "new_targets",
    "talks",
    "signed",
    "signed_amount",
    "signed_foreign",
    "registered",
    "started",
    "producing",
    "withdrawn",
    "funds_domestic",
    "funds_foreign",
)
FUNNEL = (("talks", "对接"), ("signed", "签约"), ("registered", "入统"), ("started", "开工"), ("producing", "投产"))
RATE_PAIRS = (
    ("rate_signing", "talks_signed", "talks"),
    ("rate_registering", "signed_registered", "signed"),
    ("rate_starting", "registered_started", "registered"),
)
#: short names where space is tight (落后指标)
SHORT = {
    "signed_amount": "签约额",
    "signed": "签约",
    "funds_domestic": "资金",
    "funds_foreign": "外资",
    "started": "开工",
    "registered": "入统",
    "producing": "投产",
    "contacts": "对接",
    "new_targets": "新增",
    "talks": "在谈",
    "signed_foreign": "签约外资",
    "visits": "走访",
    "visited": "走访企业",
    "problems_closed": "销号",
}
WIDTH = 120  # when not on a terminal: a fixed width, so output is the same everywhere


# ---------------------------------------------------------------------------------------
# Formatting (plain functions: also used by the workbook and tests)
# ---------------------------------------------------------------------------------------


def number(value: float | None, m: Metric | None = None) -> str:
    """A figure for people (:func:`.numbers.figure`: the same text as the workbook and the 通报)."""
    return numbers.figure(value, m)


def percent(value: float | None) -> str:
    return numbers.percent(value)


def change(cur: float | None, prev: float | None, m: Metric) -> tuple[str, str]:
    """(text, style) of the change on the period before: ↑3 / ↓1.5 / 持平."""
    if cur is None or prev is None:
        return "—", "dim"
    diff = cur - prev
    if abs(diff) < 1e-9:
        return "持平", "dim"
    arrow = "↑" if diff > 0 else "↓"
    amount = numbers.points(diff) if m.rate else number(abs(diff), m)
    good = (diff > 0) == (m.better >= 0)
    style = "dim" if m.better == 0 else ("green" if good else "red")
    return f"{arrow}{amount}", style


def growth(cur: float | None, before: float | None, m: Metric) -> tuple[str, str]:
    """(text, style) of 同比: ↑12.3% / ↓8.9% on the same period a year earlier (a rate: in
    percentage points); — when last year had none to compare with."""
    if m.rate:
        return change(cur, before, m)
    if cur is None or before is None or abs(before) < 1e-9:
        return "—", "dim"
    ratio = (cur - before) / abs(before)
    if abs(ratio) < 0.0005:
        return "持平", "dim"
    good = (ratio > 0) == (m.better >= 0)
    style = "dim" if m.better == 0 else ("green" if good else "red")
    return f"{'↑' if ratio > 0 else '↓'}{numbers.percent(abs(ratio))}", style


def bar(fraction: float | None, size: int = 10) -> str:
    """A completion bar: █ for done, ░ for the rest (capped at 100%)."""
    if fraction is None:
        return ""
    done = max(0, min(size, round(fraction * size)))
    return "█" * done + "░" * (size - done)


def rank_change(change_: int | None) -> tuple[str, str]:
    text = numbers.rank_change(change_)
    return text, "dim" if not change_ else ("green" if change_ > 0 else "red")


# ---------------------------------------------------------------------------------------
# Drawing
# ---------------------------------------------------------------------------------------


class _Trimmed:
    """A text stream that writes ``out`` line by line without the spaces rich pads a
    table's lines with (piped reports carry no trailing blanks)."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.held = ""

    def write(self, text: str) -> int:
        import re

        self.held += text
        if "\n" in self.held:
            done, self.held = self.held.rsplit("\n", 1)
            trail = re.compile(r"(?:[ \u3000]|\x1b\[[0-9;]*m)+$")

            def trimmed(line: str) -> str:
                m = trail.search(line)
                if m is None:
                    return line
                return line[: m.start()] + ("\x1b[0m" if "\x1b[" in m.group(0) else "")

            self.out.write("\n".join(trimmed(line) for line in done.split("\n")) + "\n")
        return len(text)

    def flush(self) -> None:
        if self.held:
            self.out.write(self.held)
            self.held = ""
        self.out.flush()

    def isatty(self) -> bool:
        return False


def _console(out: TextIO, color: bool, width: int | None) -> Console:
    from rich.console import Console

    class _Console(Console):
        def on_broken_pipe(self) -> None:
            # rich exits 1 when the reader goes away (`zs report monthly | head -1`); hand it
            # to the CLI, which treats a closed pipe as a quiet success for every command
            raise BrokenPipeError

    return _Console(
        file=_Trimmed(out),  # type: ignore[arg-type]
        width=width or WIDTH,
        no_color=not color,
        color_system="auto" if color else None,
        highlight=False,
        emoji=False,
        soft_wrap=False,
        force_terminal=color,
    )


def _table(title: str, *, caption: str | None = None) -> Table:
    from rich import box
    from rich.table import Table

    return Table(
        title=title,
        title_justify="left",
        title_style="bold",
        caption=caption,
        caption_justify="left",
        caption_style="dim",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        show_edge=False,
    )


def render(report: Report, out: TextIO, *, color: bool = False, width: int | None = None) -> None:
    """Draw the whole report."""
    from rich.text import Text

    con = _console(out, color, width)
    p = report.period
    con.rule(Text(f"{report.office}{report.title} · {p.label}", style="bold"))
    con.print(
        f"统计期 {p.start} 至 {p.end}　截至 {report.asof}　上期 {report.previous.label}　"
        f"年累计 {report.year_to_date.label}　时序进度 {percent(report.time_progress)}",
        style="dim",
    )
    con.print()
    con.print(fit(con, _headline(report)))
    for line in report.review.lines() if report.review is not None else ():  # 报送 → 认定
        con.print(line, style="yellow")
    con.print()
    con.print(fit(con, _funnel(report)))
    con.print()
    con.print(fit(con, _chains(report)))
    con.print()
    ranking = _ranking_table(report.ranking, f"擂台赛 · 招商主体（{report.year_to_date.label}）")
    con.print(fit(con, ranking, lead=3))
    con.print()
    con.print(fit(con, _problems(report)))
    con.print()
    con.print(fit(con, _visits_and_permits(report)))
    con.print()
    if report.lifecycle is not None:
        con.print(fit(con, _lifecycle(report.lifecycle)))
        con.print()
    con.print(
        "项目保预警（超期、阶段停滞、久未对接、跟进逾期，红黄灯）：zs warn；Excel 报表的「预警」工作表。", style="dim"
    )
    for line in _notes(report.config):
        con.print(line, style="dim")


def fit(con: Console, table: Table, *, lead: int = 1) -> Any:
    """``table`` as it is when it fits the console; narrower, the same rows re-flowed as
    blocks — the first ``lead`` cells as the block's heading, then every other column as
    「列名 值」 pairs, as many to a line as fit — so that an 80-column terminal shows every
    column and every value in full, never cut and never hidden."""
    if _needs(table, set()) <= con.width:
        return table
    return _stacked(table, con.width, lead)


def _header_text(header: Any) -> str:
    """A column heading on one line: 「签约额\n30分」 → 「签约额（30分）」, 「对接\n次数」 → 「对接次数」."""
    parts = str(header).split("\n")
    if len(parts) == 2 and parts[1].endswith("分"):
        return f"{parts[0]}（{parts[1]}）"
    return "".join(parts)


def _stacked(table: Table, width: int, lead: int) -> Any:
    from rich.cells import cell_len
    from rich.console import Group
    from rich.text import Text

    def text(cell: Any) -> Text:
        return cell.copy() if isinstance(cell, Text) else Text(str(cell))

    lines: list[Any] = []
    if table.title:
        lines.append(Text(str(table.title), style="bold"))
    columns = table.columns
    cells = [list(c.cells) for c in columns]
    for n, row in enumerate(table.rows):
        heading = Text("  ").join(t for t in (text(cells[i][n]) for i in range(min(lead, len(columns)))) if t.plain)
        if heading.plain:
            if row.style:
                heading.stylize(str(row.style))
            lines.append(heading)
        line = Text("  ")
        for i in range(lead, len(columns)):
            value = text(cells[i][n])
            if not value.plain.strip():
                continue
            head = _header_text(columns[i].header)
            pair = Text()
            if head:
                pair.append(f"{head} ", style="dim")
            pair.append_text(value)
            if cell_len(line.plain) > 2 and cell_len(line.plain) + 3 + cell_len(pair.plain) > width:
                lines.append(line)
                line = Text("  ")
            elif cell_len(line.plain) > 2:
                line.append("   ")
            line.append_text(pair)
        if line.plain.strip():
            lines.append(line)
    if table.caption:
        lines.append(Text(str(table.caption), style="dim"))
    return Group(*lines)


def _without(table: Table, headers: set[str]) -> Table:
    """A copy of ``table`` without the columns headed ``headers`` (rich has no way to remove
    a column once rows are added: its cells are looked up by the column's position)."""
    keep = [c for c in table.columns if str(c.header) not in headers]
    copy = _table(str(table.title or ""), caption=str(table.caption) if table.caption else None)
    copy.title = table.title
    for c in keep:
        copy.add_column(
            c.header,
            justify=c.justify,
            no_wrap=c.no_wrap,
            min_width=c.min_width,
            overflow=c.overflow,
            style=c.style,
            header_style=c.header_style,
        )
    cells = [list(c.cells) for c in keep]
    for i, row in enumerate(table.rows):
        copy.add_row(*(col[i] for col in cells), style=row.style, end_section=row.end_section)
    return copy


def _needs(table: Table, without: set[str]) -> int:
    """The width ``table`` takes without the columns ``without`` when nothing limits it:
    drawn on a very wide console (a table's own measurement stops at the width it is given,
    and shrinks cells to get there)."""
    import io

    from rich.cells import cell_len
    from rich.console import Console

    probe = Console(file=io.StringIO(), width=10_000, no_color=True, highlight=False, emoji=False)
    bare = _without(table, without)
    bare.caption = bare.title = None
    probe.print(bare)
    text = probe.file.getvalue()  # type: ignore[attr-defined]
    return max((cell_len(line.rstrip()) for line in text.splitlines()), default=0)


def _weight_header(w: Any) -> str:
    return f"{BY_KEY[w.metric].label}\n{w.weight:g}分"


def _headline(report: Report) -> Table:
    t = _table(
        f"核心指标 · {report.period.label}",
        caption=f"环比为与{report.previous.label}相比，同比为与{_ago(report)}相比；"
        "完成率 = 年累计 ÷ 年度目标（各招商主体目标合计），"
        f"低于时序进度 {percent(report.time_progress)} 即为落后。",
    )
    for name, just in (
        ("指标", "left"),
        ("本期", "right"),
        ("上期", "right"),
        ("环比", "right"),
        ("去年同期", "right"),
        ("同比", "right"),
        ("年累计", "right"),
        ("年度目标", "right"),
        ("完成率", "left"),
    ):
        t.add_column(name, justify=just, no_wrap=True)  # type: ignore[arg-type]
    pending = report.review.pending.get("period", {}) if report.review is not None else {}
    if pending:  # 签约 12，另有 3 个待认定
        t.add_column("其中待认定" if report.review and report.review.include_pending else "另有待认定", justify="right")
    tot = report.total
    for key in HEADLINE:
        m = BY_KEY[key]
        text, style = change(tot.period.get(key), tot.previous.get(key), m)
        yoy, yoy_style = growth(tot.period.get(key), tot.last_year.get(key), m)
        goal = tot.goals.get(key)
        t.add_row(
            m.header,
            number(tot.period.get(key), m),
            number(tot.previous.get(key), m),
            _styled(text, style),
            number(tot.last_year.get(key), m),
            _styled(yoy, yoy_style),
            number(tot.year_to_date.get(key), m),
            number(goal, m) if goal else "",
            _completion(tot.completion.get(key), report),
            *([number(pending[key], m) if pending.get(key) else ""] if pending else []),
        )
    return t


def _ago(report: Report) -> str:
    return report.last_year.label if report.last_year else "去年同期"


def _completion(value: float | None, report: Report) -> Any:
    """A completion bar and share, then how far it is from 时序进度 in percentage points —
    yellow from the bulletin's yellow threshold behind, red from its red one."""
    from rich.text import Text

    if value is None:
        return ""
    text = Text(f"{bar(value)} {percent(value)}")
    gap = (value - report.time_progress) * 100
    if gap < 0:
        cfg = report.config
        style = "bold red" if -gap >= cfg.red_points else "yellow" if -gap >= cfg.yellow_points else "dim"
        text.append(f" 落后{numbers.grouped(-gap, numbers.PERCENT_PLACES)}点", style=style)
    return text


def _styled(text: str, style: str) -> Any:
    from rich.text import Text

    return Text(text, style=style)


def _funnel(report: Report) -> Table:
    y, cur = report.total.year_to_date, report.total.period
    t = _table(
        f"项目推进漏斗 · {report.year_to_date.label}",
        caption="转化率：对接签约率 = 新增对接项目中已签约的比例；签约入统率 = 签约项目中已入统的比例；"
        "入统开工率 = 入统项目中已开工的比例（均以统计期末为准）。",
    )
    t.add_column("阶段", no_wrap=True)
    t.add_column("年累计", justify="right", no_wrap=True)
    t.add_column("", no_wrap=True)
    t.add_column("本期", justify="right", no_wrap=True)
    t.add_column("转化率（年累计）", no_wrap=True)
    t.add_column("转化率（本期）", no_wrap=True)
    top = max([float(y.get(k) or 0) for k, _ in FUNNEL] + [1.0])
    rates = {nxt: (rate, num, den) for rate, num, den in RATE_PAIRS for nxt in [_next(den)]}
    for key, label in FUNNEL:
        n = float(y.get(key) or 0)
        width = round(30 * n / top)
        rate_y = rate_p = ""
        if key in rates:
            rate, num, den = rates[key]
            m = BY_KEY[rate]
            rate_y = f"{m.label} {percent(y.get(rate))}（{y.get(num)}/{y.get(den)}）"
            rate_p = f"{percent(cur.get(rate))}（{cur.get(num)}/{cur.get(den)}）"
        t.add_row(label, number(n), "▇" * width, number(cur.get(key)), rate_y, rate_p)
    return t


def _next(stage: str) -> str:
    keys = [k for k, _ in FUNNEL]
    return keys[keys.index(stage) + 1]


def _chains(report: Report) -> Table:
    t = _table(
        f"产业链 · {report.period.label}",
        caption="金额单位：万元。签约额完成率 = 年累计签约额 ÷ 该链年度签约额目标，「落后 N 点」为低于时序进度的"
        "百分点；问题为该链在办 / 超期件数。",
    )
    cols = (
        ("产业链", "left"),
        ("包保领导", "left"),
        ("对接\n次数", "right"),
        ("签约\n项目", "right"),
        ("签约额", "right"),
        ("开工\n项目", "right"),
        ("到位资金", "right"),
        ("年签约额完成率", "left"),
        ("问题\n在办/超期", "right"),
    )
    for name, just in cols:
        t.add_column(name, justify=just, no_wrap=True)  # type: ignore[arg-type]
    for r in [*report.chains, report.total]:
        p = r.period
        total = r.level == "total"
        t.add_row(
            "合计" if total else r.name,
            "" if total else str(r.info.get("leader") or "").split("（")[0],
            number(p.get("contacts")),
            number(p.get("signed")),
            number(p.get("signed_amount")),
            number(p.get("started")),
            number(p.get("funds_domestic")),
            _completion(r.completion.get("signed_amount"), report),
            f"{number(p.get('problems_open'))}/{number(p.get('problems_overdue'))}",
            style="bold" if total else None,
        )
    return t


def _ranking_table(ranking: Ranking, title: str) -> Table:
    t = _table(
        title,
        caption=f"得分按年累计；变化为与 {ranking.previous_asof} 的排名相比；落后 = 有目标的指标完成率低于时序进度 "
        f"{percent(ranking.time_progress)}。评分规则：zs report ranking --explain",
    )
    t.add_column("名次", justify="right", no_wrap=True)
    t.add_column("变化", justify="right", no_wrap=True)
    t.add_column("名称", no_wrap=True)
    t.add_column("得分", justify="right", no_wrap=True)
    for w in ranking.weights:
        t.add_column(_weight_header(w), justify="right", no_wrap=True)
    t.add_column("落后指标", min_width=12, overflow="fold")
    for r in ranking.rows:
        text, style = rank_change(r.change)
        t.add_row(
            str(r.rank),
            _styled(text, style),
            r.name,
            numbers.score(r.score),
            *(_points(r, w.metric) for w in ranking.weights),
            _styled("、".join(SHORT.get(m, BY_KEY[m].label) for m in r.behind), "red"),
        )
    return t


def _explain_table(ranking: Ranking) -> Table:
    """Every entrant's points, metric by metric, with what they were computed from."""
    from .config import METHODS

    t = _table("得分依据", caption="完成率 = 年累计 ÷ 年度目标；按最高值计分的指标，以参赛者中的最高值为满分。")
    for name, just in (
        ("名次", "right"),
        ("名称", "left"),
        ("指标", "left"),
        ("权重", "right"),
        ("方法", "left"),
        ("依据", "right"),
        ("得分", "right"),
    ):
        t.add_column(name, justify=just, no_wrap=True)  # type: ignore[arg-type]
    for r in ranking.rows:
        for i, w in enumerate(ranking.weights):
            t.add_row(
                str(r.rank) if i == 0 else "",
                r.name if i == 0 else "",
                BY_KEY[w.metric].label,
                f"{w.weight:g}",
                METHODS[w.method].split("（")[0],
                _basis(r, w.metric, w.method),
                _points(r, w.metric),
                end_section=i == len(ranking.weights) - 1,
            )
    return t


def _points(row: Any, metric: str) -> str:
    """A metric's points, or 不计 for a rate with nothing to count (left out of the score)."""
    got = row.points.get(metric)
    return "不计" if got is None else f"{got:g}"


def _basis(row: Any, metric: str, method: str) -> str:
    m = BY_KEY[metric]
    value = row.values.get(metric)
    if method == "goal":
        goal = row.goals.get(metric)
        if not goal:
            return f"{number(value, m)}，未设目标"
        return f"{number(value, m)}÷{number(goal, m)}={percent(row.completion.get(metric))}"
    if method == "rate":
        return percent(value) if value is not None else "无，不计"
    return number(value, m)


def _problems(report: Report) -> Table:
    tot = report.total
    p, y = tot.period, tot.year_to_date
    t = _table(
        f"问题台账 · 截至 {report.asof}",
        caption=f"本期新增 {number(p.get('problems_new'))} 件、销号 {number(p.get('problems_closed'))} 件；"
        f"年累计新增 {number(y.get('problems_new'))} 件、销号 {number(y.get('problems_closed'))} 件。"
        "销号率 = 已销号 ÷ 问题总数（不含已取消）。",
    )
    for name, just in (
        ("责任单位", "left"),
        ("在办", "right"),
        ("超期", "right"),
        ("已销号", "right"),
        ("总数", "right"),
        ("销号率", "left"),
        ("本期新增", "right"),
        ("本期销号", "right"),
    ):
        t.add_column(name, justify=just, no_wrap=True)  # type: ignore[arg-type]
    rows: list[ScopeRow] = [u for u in report.units if (u.period.get("problems_total") or 0) > 0]
    for r in [*rows, tot]:
        v = r.period
        overdue = number(v.get("problems_overdue"))
        t.add_row(
            r.name,
            number(v.get("problems_open")),
            _styled(overdue, "red" if (v.get("problems_overdue") or 0) > 0 else ""),
            number(v.get("problems_closed_total")),
            number(v.get("problems_total")),
            f"{bar(v.get('close_rate'), 8)} {percent(v.get('close_rate'))}",
            number(v.get("problems_new")),
            number(v.get("problems_closed")),
            style="bold" if r.level == "total" else None,
        )
    return t


def _visits_and_permits(report: Report) -> Table:
    t = _table("大走访与前期手续", caption=None)
    t.add_column("指标", no_wrap=True)
    t.add_column("本期", justify="right", no_wrap=True)
    t.add_column("上期", justify="right", no_wrap=True)
    t.add_column("变化", justify="right", no_wrap=True)
    t.add_column("年累计", justify="right", no_wrap=True)
    tot = report.total
    for key in ("visits", "visited", "visit_problems_found", "visit_problems_solved", "permits", "permit_days"):
        m = BY_KEY[key]
        text, style = change(tot.period.get(key), tot.previous.get(key), m)
        t.add_row(
            m.header,
            number(tot.period.get(key), m),
            number(tot.previous.get(key), m),
            _styled(text, style),
            number(tot.year_to_date.get(key), m),
        )
    return t


#: the figures before 线索 and after 已投产 (pipeline.performance.LifecycleFigures): key, label,
#: whether the figure is a stock as of the report day (the same in both columns)
LIFECYCLE_ROWS = (
    ("reserve", "谋划储备项目（个）", True),
    ("reserve_amount", "谋划储备投资额（万元）", True),
    ("reserve_converted", "储备转入洽谈（个）", False),
    ("assessed", "准入研判（个）", False),
    ("assessed_passed", "其中准予准入（个）", False),
    ("vetoed", "一票否决（个）", False),
    ("awaiting", "研判超时未办（个）", True),
    ("full_production", "达产项目（个）", False),
    ("above_scale", "入规项目（个）", False),
    ("contracts_failed", "履约未达标项目（个）", True),
)


def _lifecycle(data: dict[str, Any]) -> Table:
    t = _table("谋划储备、准入研判与履约达产", caption="zs assess、zs contract 查看明细")
    t.add_column("指标", no_wrap=True)
    t.add_column("本期", justify="right", no_wrap=True)
    t.add_column("年累计", justify="right", no_wrap=True)
    for key, label, stock in LIFECYCLE_ROWS:
        now, ytd = data["period"].get(key, 0), data["year_to_date"].get(key, 0)
        cell = f"{now:,.0f}" if isinstance(now, float) else str(now)
        t.add_row(label, cell, "—" if stock else (f"{ytd:,.0f}" if isinstance(ytd, float) else str(ytd)))
    return t


def _notes(cfg: ReportConfig) -> list[str]:
    from .metrics import definition

    keys = ("signed", "funds_domestic", "rate_signing", "rate_registering", "rate_starting", "close_rate")
    lines = ["口径说明："]
    lines += [f"  {BY_KEY[k].label}：{definition(BY_KEY[k], cfg)}" for k in keys]
    lines.append(
        "  全部指标的定义见 --format json 的 definitions、Excel 报表的「口径说明」或 README「月度调度与擂台赛」。"
    )
    return lines


# ---------------------------------------------------------------------------------------
# The ranking on its own
# ---------------------------------------------------------------------------------------


def render_ranking(
    ranking: Ranking,
    cfg: ReportConfig,
    out: TextIO,
    *,
    explain_rules: bool = False,
    color: bool = False,
    width: int | None = None,
) -> None:
    """``zs report ranking``: the table, and with ``explain_rules`` the rules and, for
    every entrant, the basis of each metric's points."""
    from rich.text import Text

    con = _console(out, color, width)
    who = "招商主体" if ranking.level == "unit" else "产业链"
    con.rule(Text(f"招商引资擂台赛 · {who} · {ranking.year}年（截至 {ranking.asof}）", style="bold"))
    con.print(f"时序进度 {percent(ranking.time_progress)}　对比 {ranking.previous_asof} 的排名", style="dim")
    con.print()
    con.print(fit(con, _ranking_table(ranking, "排名"), lead=3))
    if explain_rules:
        con.print()
        for line in explain(cfg):
            con.print(line)
        con.print()
        con.print(fit(con, _explain_table(ranking), lead=2))
        notes = [(r.name, n) for r in ranking.rows for n in r.notes]
        if notes:
            con.print()
            con.print("说明：")
            for name, note in notes:
                con.print(f"  {name}：{note}", style="dim")

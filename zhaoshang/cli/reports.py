"""report monthly|quarterly|half|period|ranking, and goal set|list|rm|import|metrics."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..choices import RankLevel
from ._app import ZsCommand, new_app, out, say, state, use_color
from .options import when
from .output import emit, records

if TYPE_CHECKING:
    from datetime import date

    from ..reports.goals import GoalChange
    from ..reports.periods import Period


class ReportFormat(StrEnum):
    table = "table"
    json = "json"


FormatOpt = Annotated[
    ReportFormat | None,
    typer.Option("--format", "-f", help="输出格式：table（终端看板，默认）或 json", case_sensitive=False),
]
OutOpt = Annotated[
    Path | None,
    typer.Option(
        "--out", help="生成 Excel 报表（.xlsx）：封面、各分项和图表；明细另存在旁边（月报.xlsx 的明细是 月报明细.xlsx）"
    ),
]
TodayOpt = Annotated[
    str | None,
    typer.Option(
        "--today", help="把这一天当作今天（重出历史报表、复现报表用），默认今天", click_type=when("day"), is_eager=True
    ),
]
DetailsOpt = Annotated[bool, typer.Option("--details", help="JSON 中附上每个数字背后的明细行")]
PendingOpt = Annotated[
    bool,
    typer.Option("--include-pending", help="把待认定的报送也计入数字（看认定后会是多少；默认只计已认定的）"),
]
MaskOpt = Annotated[
    bool, typer.Option("--mask", help="明细中的电话、身份证号、邮箱打码（对接记录等文字里的也一样），用于广泛分发")
]

_EPILOG = (
    "口径：阶段按首次达到的生效日期计（跨阶段视为同日达到被跳过的阶段，退库不冲减）；"
    "到位资金按月计入包含该月最后一天的统计期，人民币与美元分列。完整定义见 README「月度调度与擂台赛」。"
)


def register(app: typer.Typer) -> None:
    report = new_app("report", "月度调度、季度通报、半月通报与擂台赛排名：终端看板、JSON 或 Excel 报表")
    report.command("monthly", cls=ZsCommand, epilog=_EPILOG)(monthly)
    report.command("quarterly", cls=ZsCommand, epilog=_EPILOG)(quarterly)
    report.command("half", cls=ZsCommand, epilog=_EPILOG)(half)
    report.command("period", cls=ZsCommand, epilog=_EPILOG)(period)
    report.command("ranking", cls=ZsCommand)(ranking)
    report.command("bulletin", cls=ZsCommand, epilog=_EPILOG)(bulletin)
    app.add_typer(report, name="report", help="月度调度、季度通报与擂台赛排名（终端看板 / JSON / Excel）")

    goal = new_app("goal", "年度目标：招商主体和产业链的签约额、到位资金、开工项目等目标")
    goal.command("set", cls=ZsCommand)(goal_set)
    goal.command("list", cls=ZsCommand)(records(goal_list))
    goal.command("rm", cls=ZsCommand)(goal_rm)
    goal.command("import", cls=ZsCommand)(goal_import)
    goal.command("metrics", cls=ZsCommand)(goal_metrics)
    app.add_typer(goal, name="goal", help="年度目标：设置、查看、删除、从 Excel/CSV 导入")


# ---------------------------------------------------------------------------------------
# report …
# ---------------------------------------------------------------------------------------


def _today(text: str | None, option: str = "--today") -> date:
    from datetime import date

    from ..errors import ZsError
    from ..parse import parse_date

    if not text:
        return date.today()
    try:
        return parse_date(text)
    except ZsError as exc:
        raise ZsError(f"{option}：{exc.message}") from None


def _show(
    ctx: typer.Context,
    kind: str,
    p: Period,
    today: date,
    fmt: ReportFormat | None,
    out_file: Path | None,
    details: bool,
    mask: bool = False,
    include_pending: bool = False,
) -> None:
    from ..reports.report import build

    if out_file is not None:
        from ..reports.workbook import check_target

        check_target(out_file)
    from ..config import office_setting

    db = state(ctx).open()
    office = office_setting().value
    report = build(
        db,
        p,
        kind=kind,
        today=today,
        details=details or out_file is not None,
        mask=mask,
        office=office,
        include_pending=include_pending,
    )
    if out_file is not None:
        from ..reports.workbook import write

        done = write(report, out_file)
        say(
            f"已生成「{out_file}」：{report.heading}，{len(done.sheets)} 张工作表（{'、'.join(done.sheets[:6])}…）；"
            f"明细 {len(done.detail_sheets)} 张表在「{done.details}」，"
            "封面上的「查看明细」链接打开它（两个文件放在同一文件夹）"
        )
        if fmt is None:
            return
    if fmt is ReportFormat.json:
        import json

        out().write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2, default=str) + "\n")
        return
    from ..reports.dashboard import render

    render(report, out(), color=use_color(), width=_width())


def _width() -> int | None:
    import shutil
    import sys

    if sys.stdout.isatty():  # the window's width: the dashboard leaves out columns to fit it
        return max(60, shutil.get_terminal_size((120, 40)).columns)
    return None


def monthly(
    ctx: typer.Context,
    month: Annotated[
        str | None,
        typer.Option(
            "--month",
            "-m",
            help="月份，如 2026-03、2026年3月、上月（默认本月；每月 1–10 日默认上个月）",
            click_type=when("month"),
        ),
    ] = None,
    fmt: FormatOpt = None,
    out_file: OutOpt = None,
    today_text: TodayOpt = None,
    details: DetailsOpt = False,
    mask: MaskOpt = False,
    include_pending: PendingOpt = False,
) -> None:
    """月度调度：本月与上月、年累计、年度目标完成率、产业链、擂台赛、问题台账、大走访、审批速度。

    例：zs report monthly --out 月报.xlsx
    """
    from ..reports.periods import default_month, month_of

    today = _today(today_text)
    if month is None:
        p, previous = default_month(today, _previous_until(ctx))
        if previous:
            _said_default(p.label, "--month 本月", today)
    else:
        p = month_of(month, today)
    _show(ctx, "monthly", p, today, fmt, out_file, details, mask, include_pending)


def _previous_until(ctx: typer.Context) -> int:
    from ..reports import config

    return config.load(state(ctx).defs()).previous_until


def _said_default(label: str, other: str, today: date) -> None:
    say(
        f"未指定期间：{today} 在月初调度期内，默认报刚结束的 {label}"
        f"（规则见 checklists/_ranking.yaml 的 schedule.previous_until）；要报当期请写 {other}"
    )


def quarterly(
    ctx: typer.Context,
    quarter: Annotated[
        str | None,
        typer.Option(
            "--quarter",
            "-q",
            help="季度，如 2026Q1、2026年一季度（默认本季度；季初 1–10 日默认上季度）",
            click_type=when("quarter"),
        ),
    ] = None,
    fmt: FormatOpt = None,
    out_file: OutOpt = None,
    today_text: TodayOpt = None,
    details: DetailsOpt = False,
    mask: MaskOpt = False,
    include_pending: PendingOpt = False,
) -> None:
    """季度通报：本季度与上季度、年累计、目标完成率与排名。例：zs report quarterly --quarter 2026Q3"""
    from ..reports.periods import default_quarter, quarter_of

    today = _today(today_text)
    if quarter is None:
        p, previous = default_quarter(today, _previous_until(ctx))
        if previous:
            _said_default(p.label, f"--quarter {today.year}Q{(today.month - 1) // 3 + 1}", today)
    else:
        p = quarter_of(quarter, today)
    _show(ctx, "quarterly", p, today, fmt, out_file, details, mask, include_pending)


def half(
    ctx: typer.Context,
    which: Annotated[
        str | None,
        typer.Argument(
            metavar="半月",
            help="半月，如 2026-03上半月、2026年3月下半月（默认当前半月）",
            show_default=False,
            click_type=when("half"),
        ),
    ] = None,
    fmt: FormatOpt = None,
    out_file: OutOpt = None,
    today_text: TodayOpt = None,
    details: DetailsOpt = False,
    mask: MaskOpt = False,
    include_pending: PendingOpt = False,
) -> None:
    """半月通报（半月一要账、一排名、一通报）：1–15 日为上半月，16 日至月末为下半月。"""
    from ..reports.periods import half_of

    today = _today(today_text)
    _show(ctx, "half", half_of(which, today), today, fmt, out_file, details, mask, include_pending)


def period(
    ctx: typer.Context,
    which: Annotated[
        str | None,
        typer.Argument(
            metavar="期间",
            help="期间：2026、2026年上半年、2026Q2、2026-03、2026-03上半月",
            show_default=False,
            click_type=when("period"),
        ),
    ] = None,
    start: Annotated[
        str | None, typer.Option("--from", help="开始日期（含），如 2026-03-01", click_type=when("from"))
    ] = None,
    end: Annotated[str | None, typer.Option("--to", help="结束日期（含），默认今天", click_type=when("to"))] = None,
    fmt: FormatOpt = None,
    out_file: OutOpt = None,
    today_text: TodayOpt = None,
    details: DetailsOpt = False,
    mask: MaskOpt = False,
    include_pending: PendingOpt = False,
) -> None:
    """任意期间的通报：写一个期间，或用 --from/--to 给出起止日期。

    例：zs report period 2026-03上半月；zs report period --from 2026-03-01 --to 2026-03-20
    """
    from ..errors import ZsError
    from ..reports.periods import from_text, range_of

    today = _today(today_text)
    if which and (start or end):
        raise ZsError("期间和 --from/--to 只能选一种写法")
    if not which and not (start or end):
        raise ZsError("请给出期间（如 2026Q2、2026-03上半月），或用 --from 2026-03-01 --to 2026-03-20")
    p = from_text(which) if which else range_of(start, end, today)
    _show(ctx, "period", p, today, fmt, out_file, details, mask, include_pending)


def bulletin(
    ctx: typer.Context,
    out_file: Annotated[Path, typer.Option("--out", help="生成的通报（.docx），如 十一月通报.docx")],
    month: Annotated[
        str | None,
        typer.Option("--month", "-m", help="月份，如 2026-11、上月（默认同 monthly）", click_type=when("month")),
    ] = None,
    quarter: Annotated[
        str | None, typer.Option("--quarter", "-q", help="季度，如 2026Q3", click_type=when("quarter"))
    ] = None,
    start: Annotated[
        str | None, typer.Option("--from", help="开始日期（含），与 --to 连用", click_type=when("from"))
    ] = None,
    end: Annotated[str | None, typer.Option("--to", help="结束日期（含），默认今天", click_type=when("to"))] = None,
    template: Annotated[
        Path | None, typer.Option("--template", help="单位自己的红头模板（.docx，docxtpl 标签，见 README）")
    ] = None,
    next_steps: Annotated[
        Path | None, typer.Option("--next-steps", help="「四、下步打算」的文字（UTF-8 文本文件，空行分段）")
    ] = None,
    issued_text: Annotated[
        str | None,
        typer.Option("--date", help="成文日期（落款），默认今天，如 2026-12-05", click_type=when("day")),
    ] = None,
    recipients: Annotated[
        str | None,
        typer.Option(
            "--recipients", help="主送机关，默认「各招商主体、各产业链专班」，如 各县（市、区）招商引资领导小组"
        ),
    ] = None,
    today_text: TodayOpt = None,
) -> None:
    """招商引资工作情况通报（Word 公文）：总体情况、各地各专班情况、存在问题、下步打算。

    各地各专班情况含擂台赛、红黑榜、产业链、基础工作；有主送、开头语、署名和成文日期。
    数字全部取自同一期 zs report --format json；版式按 GB/T 9704（A4、仿宋_GB2312 三号、每页 22 行 28 字）。
    署名取配置的 office，未配置时写「招商引资工作领导小组办公室」。
    例：zs report bulletin --month 上月 --out 通报.docx --next-steps 下步打算.txt --date 2026-12-05"""
    from ..config import office_setting
    from ..errors import ZsError
    from ..reports import bulletin as core
    from ..reports import bulletin_docx, config
    from ..reports.periods import default_month, month_of, quarter_of, range_of
    from ..reports.report import build

    bulletin_docx.check_target(out_file)
    today = _today(today_text)
    if sum(x is not None for x in (month, quarter, start or end)) > 1:
        raise ZsError("--month、--quarter、--from/--to 只能写一种")
    text = None
    if next_steps is not None:
        try:
            text = next_steps.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise ZsError(f"读不了「{next_steps}」（{exc}）：请给出 UTF-8 编码的文本文件") from None
    db = state(ctx).open()
    cfg = config.load(db.defs)
    if quarter is not None:
        p, kind = quarter_of(quarter, today), "quarterly"
    elif start or end:
        p, kind = range_of(start, end, today), "period"
    elif month is not None:
        p, kind = month_of(month, today), "monthly"
    else:
        p, previous = default_month(today, cfg.previous_until)
        kind = "monthly"
        if previous:
            _said_default(p.label, "--month 本月", today)
    report = build(db, p, kind=kind, today=today, cfg=cfg, office=office_setting().value)
    doc = core.compose(
        report,
        thresholds=core.Thresholds(cfg.yellow_points, cfg.red_points),
        next_steps=text,
        stalled=core.stalled_by_unit(db, report),
        issued=_today(issued_text, "--date") if issued_text else today,
        recipients=recipients,
    )
    if template is not None:
        bulletin_docx.write_template(doc, template, out_file)
    else:
        bulletin_docx.write_default(doc, out_file)
    note = "；「四、下步打算」是待填写的占位文字（可用 --next-steps 文件.txt）" if doc.placeholder else ""
    say(f"已生成「{out_file}」：{doc.title}（{len(doc.sections)} 部分）{note}")


def ranking(
    ctx: typer.Context,
    year: Annotated[int | None, typer.Option("--year", help="年度（默认今年）", min=2000, max=2100)] = None,
    by: Annotated[RankLevel, typer.Option("--by", help="unit：招商主体（默认）；chain：产业链")] = RankLevel.unit,
    explain: Annotated[bool, typer.Option("--explain", help="说明评分规则和每一项得分的依据")] = False,
    fmt: FormatOpt = None,
    out_file: Annotated[
        Path | None, typer.Option("--out", help="生成 Excel（.xlsx）：排名、得分依据、评分规则三张表")
    ] = None,
    today_text: TodayOpt = None,
) -> None:
    """擂台赛排名：按年度累计数和 checklists/_ranking.yaml 的权重计分，标出落后于时序进度的单位。"""
    from ..config import office_setting
    from ..reports import config
    from ..reports.report import build_ranking

    if out_file is not None:
        from ..reports.workbook import check_target

        check_target(out_file)
    db = state(ctx).open()
    cfg = config.load(db.defs)
    result = build_ranking(db, year_=year, level=by.value, today=_today(today_text), cfg=cfg)
    if out_file is not None:
        from ..reports.ranking_book import write_ranking

        sheets = write_ranking(result, cfg, out_file, office=office_setting().value or "")
        who = "招商主体" if by is RankLevel.unit else "产业链"
        say(
            f"已生成「{out_file}」：擂台赛排名（{result.year}年，{len(result.rows)} 个{who}），"
            f"{len(sheets)} 张工作表（{'、'.join(sheets)}）"
        )
        if fmt is None:
            return
    if fmt is ReportFormat.json:
        import json

        from ..reports.ranking import explain as rules

        data = result.as_dict()
        if explain:
            data["rules"] = rules(cfg)
        out().write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        return
    from ..reports.dashboard import render_ranking

    render_ranking(result, cfg, out(), explain_rules=explain, color=use_color(), width=_width())


# ---------------------------------------------------------------------------------------
# goal …
# ---------------------------------------------------------------------------------------

YearOpt = Annotated[int | None, typer.Option("--year", help="年度（默认今年）", min=2000, max=2100)]
UnitFlag = Annotated[bool, typer.Option("--unit", help="名称指招商主体（与产业链重名时用）")]
ChainFlag = Annotated[bool, typer.Option("--chain", help="名称指产业链（与招商主体重名时用）")]


def _level(unit: bool, chain: bool) -> str | None:
    from ..errors import ZsError

    if unit and chain:
        raise ZsError("--unit 和 --chain 只能选一个")
    return "unit" if unit else "chain" if chain else None


def _year(year: int | None) -> int:
    from datetime import date

    return year or date.today().year


def _describe(changes: list[GoalChange]) -> list[str]:
    from ..reports.dashboard import number
    from ..reports.metrics import BY_KEY

    lines = []
    for ch in changes:
        m = BY_KEY[ch.metric]
        who = f"{ch.owner.name} {ch.year}年{m.label}"
        if not ch.changed:
            lines.append(f"{who}：{number(ch.new, m)} {m.unit}（未变）")
        elif ch.new is None:
            lines.append(f"{who}：已删除（原为 {number(ch.old, m)} {m.unit}）")
        elif ch.old is None:
            lines.append(f"{who}：{number(ch.new, m)} {m.unit}")
        else:
            lines.append(f"{who}：{number(ch.old, m)} → {number(ch.new, m)} {m.unit}")
    return lines


def goal_set(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="名称", help="招商主体或产业链名称")],
    pairs: Annotated[
        list[str],
        typer.Argument(metavar="指标=值...", help="指标=目标值，如 签约额=30亿 到位资金=8亿 开工项目=5；值留空即删除"),
    ],
    year: YearOpt = None,
    unit: UnitFlag = False,
    chain: ChainFlag = False,
) -> None:
    """设置年度目标。例：zs goal set 爱辉区 --year 2026 签约额=30亿 到位资金=8亿 开工项目=5"""
    from ..parse import split_assignment
    from ..reports import goals

    values = dict(split_assignment(p) for p in pairs)
    with state(ctx).command("goal set") as db:
        owner = goals.resolve_owner(db, name, _level(unit, chain))
        changes = goals.plan(db, owner, _year(year), values)
        goals.apply(db, changes)
    for line in _describe(changes):
        say(line)


def goal_list(
    ctx: typer.Context,
    name: Annotated[
        str | None, typer.Argument(metavar="名称", help="只看某个招商主体或产业链", show_default=False)
    ] = None,
    year: Annotated[int | None, typer.Option("--year", help="年度（默认全部）", min=2000, max=2100)] = None,
    unit: UnitFlag = False,
    chain: ChainFlag = False,
    fmt: Annotated[
        ReportFormat, typer.Option("--format", "-f", help="table 或 json", case_sensitive=False)
    ] = ReportFormat.table,
) -> None:
    """列出年度目标。"""
    from ..render import Column
    from ..reports import goals
    from ..reports.dashboard import number
    from ..reports.metrics import BY_KEY

    db = state(ctx).open()
    owner = goals.resolve_owner(db, name, _level(unit, chain)) if name else None
    rows = goals.list_goals(db, year, owner)
    if fmt is ReportFormat.json:
        emit(rows, [Column(k, k) for k in ("year", "level", "name", "metric", "metric_unit", "value")], "json")
        return
    shown = [{**r, "shown": number(r["value"], BY_KEY.get(r["metric"]))} for r in rows]
    cols = [
        Column("year", "年度", "right"),
        Column("level_label", "类别"),
        Column("name", "名称"),
        Column("metric_label", "指标"),
        Column("shown", "目标值", "right"),
        Column("metric_unit", "单位"),
    ]
    emit(shown, cols, "table")
    say(f"共 {len(rows)} 项目标")


def goal_rm(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="名称", help="招商主体或产业链名称")],
    metrics: Annotated[list[str], typer.Argument(metavar="指标...", help="要删除的指标，如 签约额 开工项目")],
    year: YearOpt = None,
    unit: UnitFlag = False,
    chain: ChainFlag = False,
) -> None:
    """删除年度目标（可用 zs undo 恢复）。"""
    from ..errors import ZsError
    from ..reports import goals

    with state(ctx).command("goal rm") as db:
        owner = goals.resolve_owner(db, name, _level(unit, chain))
        changes = goals.plan(db, owner, _year(year), dict.fromkeys(metrics, ""))
        missing = [c for c in changes if c.old is None]
        if missing:
            from ..reports.metrics import BY_KEY

            labels = "、".join(BY_KEY[c.metric].label for c in missing)
            raise ZsError(f"{owner.name} {_year(year)}年没有设置「{labels}」目标：用 zs goal list {owner.name} 查看")
        goals.apply(db, changes)
    for line in _describe(changes):
        say(line)


def goal_import(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(metavar="文件", help="目标表：.xlsx / .csv …，每行一个单位或产业链", exists=False)
    ],
    year: YearOpt = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="只检查并显示将要做的修改，不写入")] = False,
) -> None:
    """从 Excel 或 CSV 导入年度目标（全部成功才写入）。

    两种表都认：每行一个单位、每个指标一列（名称 | 签约额（亿元） | 到位资金（亿元） | 开工项目 [| 年度]），
    或每行一个目标（名称 | 指标 | 目标值 [| 年度]）。表头里的单位（亿元、万元）会换算成万元。
    """
    from ..reports import goals

    st = state(ctx)
    if dry_run:
        result = goals.read_goals(st.open(), file, year=_year(year))
    else:
        with st.command("goal import") as db:
            result = goals.read_goals(db, file, year=_year(year))
            goals.apply(db, result.changes)
    for line in _describe([c for c in result.changes if c.changed]):
        say(("将设置 " if dry_run else "") + line)
    for note in result.notes:
        say(f"提示：{note}")
    verb = "将" if dry_run else "已"
    say(
        f"{verb}新增 {result.added} 项、修改 {result.updated} 项，{result.unchanged} 项不变"
        + ("（试运行，未写入）" if dry_run else "")
    )


def goal_metrics(ctx: typer.Context) -> None:
    """可以设年度目标的指标及其单位。"""
    from ..render import Column, render
    from ..reports.metrics import goal_metrics as metrics

    rows = [{"key": m.key, "label": m.label, "unit": m.unit, "aliases": "、".join(m.aliases)} for m in metrics()]
    render(
        rows,
        [Column("key", "键"), Column("label", "指标"), Column("unit", "单位"), Column("aliases", "也可写作")],
        "table",
        out(),
    )

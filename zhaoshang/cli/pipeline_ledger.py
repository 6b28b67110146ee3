"""escalate (问题升级), ledger (问题台账、销号率、会办清单), match (政策匹配)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ..choices import LedgerBy
from ._app import ZsCommand, echo, say, state
from .options import ChainOpt, DateOpt, Format, FormatOpt, IdArg, TodayOpt, UnitOpt, today_of, when
from .output import cell_money, emit, records

if TYPE_CHECKING:
    from ..render import Column


def register(app: typer.Typer) -> None:
    app.command("escalate", cls=ZsCommand)(escalate)
    app.command("ledger", cls=ZsCommand)(records(ledger))
    app.command("match", cls=ZsCommand)(match)


# ---------------------------------------------------------------------------------------
# escalate, ledger
# ---------------------------------------------------------------------------------------


def escalate(
    ctx: typer.Context,
    item_id: IdArg,
    reason: Annotated[str | None, typer.Option("--reason", "-r", help="升级原因（必填）")] = None,
    to: Annotated[str | None, typer.Option("--to", help="升到哪一级（默认上一级）：市级、省级、国家")] = None,
    date_: DateOpt = None,
) -> None:
    """问题升级：本级 → 市级 → 省级 → 国家（大事集中会办），记录原因；升级后的问题进入会办清单。"""
    from ..pipeline import ledger as core

    with state(ctx).command("escalate") as db:
        res = core.escalate(db, item_id, reason=reason or "", today=date.today(), to=to, on=date_)
    say(f"编号 {item_id}：{res.from_level} → {res.to_level}（{res.date}），已列入会办清单")


def ledger(
    ctx: typer.Context,
    by: Annotated[
        LedgerBy,
        typer.Option(
            "--by", help="汇总维度：chain（产业链）、unit（责任单位）、all（两者，默认）", case_sensitive=False
        ),
    ] = LedgerBy.all,
    list_: Annotated[bool, typer.Option("--list", help="逐条列出问题（而不是汇总）")] = False,
    meeting: Annotated[bool, typer.Option("--meeting", help="会办清单：已升级或本级以上、尚未销号的问题")] = False,
    open_only: Annotated[bool, typer.Option("--open", help="逐条列出时只看未销号的")] = False,
    overdue: Annotated[bool, typer.Option("--overdue", help="逐条列出时只看超期未销号的")] = False,
    level: Annotated[str | None, typer.Option("--level", help="逐条列出时只看某一层级：本级、市级、省级、国家")] = None,
    chain: ChainOpt = None,
    unit: UnitOpt = None,
    since: Annotated[
        str | None, typer.Option("--since", help="只算此日期以后提出的问题", click_type=when("from"))
    ] = None,
    until: Annotated[
        str | None, typer.Option("--until", help="只算此日期以前提出的问题", click_type=when("to"))
    ] = None,
    out_file: Annotated[
        Path | None, typer.Option("--out", help="导出到 Excel 文件（.xlsx），如 会办清单.xlsx", dir_okay=False)
    ] = None,
    today: TodayOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """问题台账：按产业链、责任单位统计问题数、已销号、未销号、超期和销号率；--list 逐条；
    --meeting 会办清单（可 --out 会办清单.xlsx 或 --format csv 导出）。"""
    from ..errors import ZsError
    from ..pipeline import ledger as core

    if out_file is not None and out_file.suffix.lower() != ".xlsx":
        raise ZsError(f"--out 只支持 .xlsx 文件（「{out_file.name}」）；要 CSV 请用 --format csv > 文件.csv")
    db = state(ctx).open()
    day = today_of(today)
    if meeting:
        found = core.meeting(db, today=day, chain=chain, unit=unit)
        cols = _meeting_columns()
        title = f"会办清单（{day.year}年{day.month}月，截至 {day.isoformat()}）"
        _emit(found, cols, fmt, out_file, title, "会办清单")
        if fmt is Format.table or out_file is not None:
            say(f"会办清单共 {len(found)} 项")
        return
    if list_ or open_only or overdue or level:
        stream = core.iter_ledger(
            db,
            today=day,
            chain=chain,
            unit=unit,
            level=level,
            open_only=open_only,
            overdue_only=overdue,
            since=since,
            until=until,
        )
        if out_file is not None:
            _emit(list(stream), _ledger_columns(), fmt, out_file, f"问题台账（截至 {day.isoformat()}）", "问题台账")
            return
        count = emit(stream, _ledger_columns(), fmt)  # written as read: a province's problems
        if fmt is Format.table:
            say(f"共 {count} 个问题")
        return
    dims = ["chain", "unit"] if by == "all" else [by]
    sections = []
    for dim in dims:
        groups = core.summary(db, by=dim, today=day, chain=chain, unit=unit, since=since, until=until)
        sections.append((dim, [{"group": dim, **g.as_dict()} for g in groups]))
    if out_file is not None:
        from ..pipeline.xlsx import write_tables

        write_tables(
            out_file,
            [
                (f"按{_DIM[d]}", f"问题台账销号情况（按{_DIM[d]}，截至 {day.isoformat()}）", _summary_columns(d), rs)
                for d, rs in sections
            ],
        )
        say(f"已导出到 {out_file}")
        return
    if fmt is not Format.table:
        emit([r for _, rs in sections for r in rs], [_summary_key(c) for c in _summary_columns("group")], fmt)
        return
    for i, (dim, rs) in enumerate(sections):
        if i:
            echo("")
        echo(f"【按{_DIM[dim]}】")
        emit(rs, _summary_columns(dim), fmt, display={"close_rate": _rate_cell})


_DIM = {"chain": "产业链", "unit": "责任单位", "group": "分组"}


def _rate_cell(r: dict[str, Any]) -> str:
    v = r.get("close_rate")
    return "—" if v is None else f"{v:.1f}%"


def _summary_key(c: Column) -> Column:
    from ..render import Column

    return Column(c.key, c.key, c.align)


def _summary_columns(dim: str) -> list[Column]:
    from ..render import Column

    cols = [
        Column("name", _DIM.get(dim, "分组")),
        Column("total", "问题数", "right", priority=2),
        Column("closed", "已销号", "right", priority=3),
        Column("open", "未销号", "right", priority=2),
        Column("overdue", "超期未销号", "right", priority=2),
        Column("escalated", "已升级待办", "right", priority=5),
        Column("closed_late", "逾期销号", "right", priority=6),
        Column("cancelled", "已取消", "right", priority=7),
        Column("close_rate", "销号率", "right", priority=1),
    ]
    if dim == "group":
        cols.insert(0, Column("group", "group"))
    return cols


def _ledger_columns() -> list[Column]:
    from ..render import Column

    return [
        Column("id", "编号", "right", priority=1),
        Column("title", "问题", priority=1),
        Column("chain", "产业链", priority=6),
        Column("project", "关联项目编号", "right", priority=8),
        Column("project_title", "关联项目", priority=7),
        Column("type", "类型", priority=7),
        Column("level", "层级", priority=6),
        Column("unit", "责任单位", priority=3),
        Column("owner", "责任人", priority=4),
        Column("due", "时限", priority=2),
        Column("status", "状态", priority=2),
        Column("days", "历时（天）", "right", priority=5),
        Column("overdue_days", "超期（天）", "right", priority=3),
        Column("escalations", "升级次数", "right", priority=7),
        Column("progress", "进展", priority=6),
    ]


def _meeting_columns() -> list[Column]:
    from ..render import Column

    return [
        Column("no", "序号", "right", priority=1),
        Column("id", "编号", "right", priority=2),
        Column("title", "问题", priority=1),
        Column("chain", "产业链", priority=6),
        Column("project_title", "关联项目", priority=7),
        Column("type", "类型", priority=7),
        Column("level", "层级", priority=6),
        Column("unit", "责任单位", priority=3),
        Column("owner", "责任人", priority=4),
        Column("due", "时限", priority=3),
        Column("days", "已历（天）", "right", priority=5),
        Column("overdue_days", "超期（天）", "right", priority=3),
        Column("escalated_on", "升级日期", priority=6),
        Column("escalation_reason", "提请会办事由", priority=2),
        Column("progress", "进展", priority=5),
    ]


def _emit(
    found: list[dict[str, Any]], cols: list[Column], fmt: Format, out_file: Path | None, title: str, sheet: str
) -> None:
    if out_file is not None:
        from ..pipeline.xlsx import write_tables

        write_tables(out_file, [(sheet, title, cols, found)])
        say(f"已导出到 {out_file}")
        return
    emit(found, cols, fmt)


# ---------------------------------------------------------------------------------------
# match
# ---------------------------------------------------------------------------------------


def match(
    ctx: typer.Context,
    item_id: Annotated[int | None, typer.Argument(metavar="[编号]", help="项目编号", show_default=False)] = None,
    policy: Annotated[int | None, typer.Option("--policy", help="政策编号：列出它适用的项目", min=1)] = None,
    all_: Annotated[bool, typer.Option("--all", help="也列出不适用的政策及不符合的条件")] = False,
    today: TodayOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """政策匹配：哪些支持政策（配套什么）适用于这个项目，逐条说明符合与不符合的条件；
    --policy 编号：这项政策适用于哪些项目。"""
    from ..errors import ZsError
    from ..pipeline import matching as core

    if (item_id is None) == (policy is None):
        raise ZsError("请给出项目编号（zs match 编号）或政策编号（zs match --policy 编号），二者选一")
    db = state(ctx).open()
    day = today_of(today)
    if policy is not None:
        pol, found = core.match_policy(db, policy, today=day)
        _render_policy_matches(db, pol, found, fmt, day)
        return
    assert item_id is not None
    found = core.match_target(db, item_id, today=day, include_all=all_)
    _render_target_matches(db, item_id, found, fmt)


def _match_json(m: Any) -> dict[str, Any]:
    return {
        "policy_id": m.policy_id,
        "policy": m.policy,
        "target_id": m.target_id,
        "target": m.target,
        "fits": m.fits,
        "failed": m.failed,
        "general": m.general,
        "explanation": m.explanation,
        "conditions": [{"name": c.name, "ok": c.ok, "detail": c.detail} for c in m.checks],
        "note": m.note,
    }


def _render_target_matches(db: Any, item_id: int, found: list[Any], fmt: Format) -> None:
    from ..render import Column

    data = [_match_json(m) for m in found]
    if fmt is not Format.table:
        if fmt in (Format.csv, Format.tsv):
            cols = ["policy_id", "policy", "fits", "failed", "explanation", "note"]
            emit(data, [Column(k, k) for k in cols], fmt)
        else:
            emit(data, [Column(k, k) for k in data[0]] if data else [], fmt)
        return
    from ..pipeline.common import item_row

    row = item_row(db, item_id)
    echo(f"编号 {item_id}「{row['title']}」（{row['chain']}，{row['status']}）")
    fits = [m for m in found if m.fits]
    near = [m for m in found if not m.fits]
    blocks = [
        ("适用的政策", fits),
        ("差一个条件的政策" if not any(m.failed > 1 for m in near) else "不适用的政策", near),
    ]
    for heading, ms in blocks:
        if not ms:
            continue
        echo("")
        echo(f"【{heading}（{len(ms)} 项）】")
        for m in ms:
            echo(f"  {m.policy_id}  {m.policy}")
            echo(f"      {m.explanation}")
            if m.note:
                echo(f"      {m.note}")
    if not fits:
        say("没有完全适用的政策")
    else:
        say(f"适用政策 {len(fits)} 项")


def _render_policy_matches(db: Any, policy: dict[str, Any], found: list[Any], fmt: Format, day: date) -> None:
    from ..pipeline.matching import conditions_text
    from ..render import Column

    if fmt is not Format.table:
        data = [_match_json(m) for m in found]
        keys = (
            ["target_id", "target", "fits", "explanation"]
            if fmt in (Format.csv, Format.tsv)
            else list(data[0] if data else [])
        )
        emit(data, [Column(k, k) for k in keys], fmt)
        return
    echo(f"政策 {policy['id']}「{policy['title']}」")
    echo(f"条件：{conditions_text(db, policy)}")
    valid = policy.get("valid_until")
    if policy.get("closed_at") is not None:
        echo(f"状态：{policy['status']}（不再适用任何项目）")
    elif valid and valid < day.isoformat():
        echo(f"有效期：已于 {valid} 到期（不再适用任何项目）")
    if policy.get("conditions"):
        echo(f"其他条件（需人工核实）：{policy['conditions']}")
    echo("")
    rows = [
        {
            "id": m.target_id,
            "title": m.target,
            "chain": m.facts.get("chain"),
            "status": m.facts.get("status"),
            "investment": m.facts.get("investment"),
            "unit": m.facts.get("unit"),
        }
        for m in found
    ]
    cols = [
        Column("id", "编号", "right", priority=1),
        Column("title", "项目名称", priority=1),
        Column("chain", "产业链", priority=6),
        Column("status", "阶段", priority=3),
        Column("investment", "投资额（万元）", "right", priority=4),
        Column("unit", "责任单位", priority=5),
    ]
    emit(rows, cols, fmt, display={"investment": cell_money("investment")})
    say(f"适用项目 {len(found)} 个")

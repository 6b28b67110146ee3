"""Project life-cycle commands: stage, note, notes, fund, funds, approve, approvals (here);
team, leaders, warn (:mod:`.pipeline_people`); escalate, ledger, match (:mod:`.pipeline_ledger`).
Each parses its options, calls one core function in :mod:`zhaoshang.pipeline` and renders."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ._app import ZsCommand, echo, say, state
from .options import ChainOpt, DateOpt, Format, FormatOpt, IdArg, TodayOpt, UnitOpt, today_of
from .output import cell_money, emit, money, records

if TYPE_CHECKING:
    pass


def register(app: typer.Typer) -> None:
    for name, func in (
        ("stage", stage),
        ("note", note),
        ("notes", notes),
        ("fund", fund),
        ("funds", funds),
        ("approve", approve),
        ("approvals", approvals),
    ):
        app.command(name, cls=ZsCommand)(records(func) if name in ("notes", "funds", "approvals") else func)


def stage(
    ctx: typer.Context,
    item_id: IdArg,
    stage_name: Annotated[str, typer.Argument(metavar="阶段", help="新阶段/状态，如 在谈、已签约、已开工、退库")],
    date_: DateOpt = None,
    reason: Annotated[str | None, typer.Option("--reason", "-r", help="原因（退库、回退时必填）")] = None,
    force: Annotated[bool, typer.Option("--force", help="确需回退或跨阶段推进时使用（会被标记）")] = False,
) -> None:
    """推进项目阶段：线索 → 在谈 → 已签约 → 已入统 → 已开工 → 已投产，或 退库（须写原因）。

    记录生效日期、操作人和时间。回退或跳过阶段须加 --force，并被标记。
    项目只在第一次签约时计为签约，再签约、增资、签约后退库都不重复计数。
    """
    from ..pipeline import stages

    with state(ctx).command("stage") as db:
        res = stages.move(db, item_id, stage_name, on=date_, reason=reason, force=force)
    from ..stages import BACKWARD, FLAG_NAMES

    flag = f"（已标记：{FLAG_NAMES.get(res.flag, res.flag)}）" if res.flag else ""
    say(f"编号 {item_id}：{res.from_status} → {res.to_status}（{res.date}）{flag}")
    if res.entry_moved_from:
        say(f"登记日期随之提前：{res.entry_moved_from} → {res.entry_date}（项目不会晚于第一次变更才进库）")
    if res.repeated and res.flag != BACKWARD and res.first_date and res.first_date != res.date:
        say(f"该项目已于 {res.first_date} 首次达到「{res.to_status}」，统计按首次计，不重复计数")
    if res.filled:
        say(f"已记{res.filled}")


def note(
    ctx: typer.Context,
    item_id: IdArg,
    text: Annotated[str, typer.Argument(metavar="文字", help="对接内容：谈了什么、对方态度、下一步")],
    type_: Annotated[
        str | None, typer.Option("--type", "-t", help="方式：对接、走访、来访、推介、会办、电话（默认对接）")
    ] = None,
    date_: DateOpt = None,
    next_: Annotated[
        str | None,
        typer.Option("--next", help="下次跟进日期（到期未跟进会预警）；不写时沿用之前约定、尚未到的跟进日期"),
    ] = None,
    no_next: Annotated[bool, typer.Option("--no-next", help="取消之前约定的下次跟进（不再需要跟进）")] = False,
    problem: Annotated[
        list[str] | None,
        typer.Option("--problem", "-p", help="走访发现的问题（可重复）：登记到问题清单并关联本条目和本次走访"),
    ] = None,
) -> None:
    """记一次对接（对接记录）：任何条目都可以——项目、企业（大走访）、联系人、问题。输出记录号。"""
    from ..pipeline import activities

    with state(ctx).command("note") as db:
        res = activities.add_note(
            db,
            item_id,
            text,
            today=date.today(),
            type=type_,
            on=date_,
            next_date=next_,
            keep_next=not no_next,
            problems=problem or (),
        )
    echo(res.activity_id)
    nxt = f"，下次跟进 {res.next_date}" if res.next_date else ""
    if res.next_carried:
        nxt += "（沿用之前约定的日期；--no-next 可取消）"
    if res.next_cancelled:
        nxt = f"，已取消原定 {res.next_cancelled} 的下次跟进"
    say(f"已记录编号 {item_id} 的{res.type}（{res.date}{nxt}），记录号 {res.activity_id}")
    for pid in res.problem_ids:
        say(f"已登记问题，编号 {pid}（关联编号 {item_id}，来源走访记录 {res.activity_id}）")


def notes(
    ctx: typer.Context,
    item_id: Annotated[int | None, typer.Argument(metavar="[编号]", help="只看某个条目", show_default=False)] = None,
    since: Annotated[str | None, typer.Option("--since", help="起始日期（含）")] = None,
    until: Annotated[str | None, typer.Option("--until", help="截止日期（含）")] = None,
    type_: Annotated[str | None, typer.Option("--type", "-t", help="方式：对接、走访、来访、推介、会办、电话")] = None,
    chain: ChainOpt = None,
    unit: UnitOpt = None,
    by: Annotated[str | None, typer.Option("--by", help="记录人")] = None,
    limit: Annotated[int | None, typer.Option("--limit", "-n", help="最多显示条数", min=1)] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """列出对接记录（新的在前），可按条目、日期、方式、产业链、单位、记录人筛选。"""
    from ..pipeline import activities
    from ..render import Column

    db = state(ctx).open()
    found = activities.iter_notes(
        db, item_id=item_id, since=since, until=until, type=type_, chain=chain, unit=unit, user=by, limit=limit
    )
    cols = [
        Column("id", "记录号", "right", priority=3),
        Column("date", "日期", priority=2),
        Column("type", "方式", priority=5),
        Column("item_id", "编号", "right", priority=6),
        Column("title", "名称", priority=2),
        Column("chain", "产业链", priority=7),
        Column("summary", "内容", priority=1),
        Column("next_date", "下次跟进", priority=6),
        Column("user", "记录人", priority=8),
    ]
    count = emit(found, cols, fmt)
    if fmt is Format.table:
        say(f"共 {count} 条对接记录")


# ---------------------------------------------------------------------------------------
# fund, funds
# ---------------------------------------------------------------------------------------


def fund(
    ctx: typer.Context,
    item_id: IdArg,
    month: Annotated[str | None, typer.Option("--month", "-m", help="到位月份，如 2026-03、2026年3月")] = None,
    domestic: Annotated[
        str | None, typer.Option("--domestic", help="国内资金（万元），可写 3000、0.3亿、3000万元")
    ] = None,
    foreign: Annotated[
        str | None, typer.Option("--foreign", help="外资（万美元），可写 500、500万美元；不与人民币换算")
    ] = None,
    add: Annotated[bool, typer.Option("--add", help="在该月已有金额上累加（默认为改写该月金额）")] = False,
    fmt: FormatOpt = Format.table,
) -> None:
    """登记到位资金（按月），或不给金额时列出该项目的到位资金及合计。

    国内资金以万元计、外资以万美元计，分列、分别合计，绝不换算。同一月份再登记即改写（--add 累加）。
    """
    from ..pipeline import funds as core

    if domestic is None and foreign is None:
        db = state(ctx).open()
        _show_project_funds(db, item_id, fmt)
        return
    if month is None:
        from ..errors import ZsError

        raise ZsError("请用 --month 指明到位月份，如 --month 2026-03")
    with state(ctx).command("fund") as db:
        res = core.record(db, item_id, month, today=date.today(), domestic=domestic, foreign=foreign, add=add)
    if res.deleted:
        say(f"编号 {item_id} {res.month} 的到位资金已清零，记录已删除")
    else:
        parts = []
        if res.domestic is not None:
            parts.append(f"国内资金 {money(res.domestic)} 万元")
        if res.foreign_usd is not None:
            parts.append(f"外资 {money(res.foreign_usd)} 万美元")
        was = []
        if res.old_domestic is not None and res.old_domestic != res.domestic:
            was.append(f"国内资金原为 {money(res.old_domestic)} 万元")
        if res.old_foreign_usd is not None and res.old_foreign_usd != res.foreign_usd:
            was.append(f"外资原为 {money(res.old_foreign_usd)} 万美元")
        extra = f"（{'，'.join(was)}）" if was else ""
        say(f"编号 {item_id} {res.month} 到位：{'，'.join(parts)}{extra}")
    if res.unsigned:
        say(f"提示：编号 {item_id} 尚未签约，请确认是否应先 zs stage {item_id} 已签约")


def _show_project_funds(db: Any, item_id: int, fmt: Format) -> None:
    from ..pipeline.funds import project_funds, totals
    from ..render import Column

    recs = project_funds(db, item_id)
    cols = [
        Column("month", "月份", priority=1),
        Column("domestic", "国内资金（万元）", "right", priority=1),
        Column("foreign_usd", "外资（万美元）", "right", priority=1),
        Column("user", "填报人", priority=6),
    ]
    if fmt is not Format.table:
        emit(recs, cols, fmt)
        return
    total = totals(recs)
    shown = [*recs, {"month": "合计", **total}] if recs else []
    emit(shown, cols, fmt, display={"domestic": cell_money("domestic"), "foreign_usd": cell_money("foreign_usd")})
    say(f"共 {len(recs)} 个月")


def funds(
    ctx: typer.Context,
    chain: ChainOpt = None,
    unit: UnitOpt = None,
    since: Annotated[str | None, typer.Option("--since", help="起始月份（含），如 2026-01")] = None,
    until: Annotated[str | None, typer.Option("--until", help="截止月份（含），如 2026-03")] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """到位资金按项目汇总：国内资金（万元）、外资（万美元）分列合计，不换算。"""
    from ..pipeline.funds import iter_by_project, with_total
    from ..render import Column

    db = state(ctx).open()
    found = iter_by_project(db, chain=chain, unit=unit, since=since, until=until)
    cols = [
        Column("id", "编号", "right", priority=1),
        Column("title", "项目名称", priority=1),
        Column("chain", "产业链", priority=6),
        Column("unit", "责任单位", priority=7),
        Column("status", "阶段", priority=5),
        Column("months", "月数", "right", priority=4),
        Column("domestic", "国内资金（万元）", "right", priority=2),
        Column("foreign_usd", "外资（万美元）", "right", priority=2),
        Column("first_month", "首笔", priority=8),
        Column("last_month", "最近", priority=8),
    ]
    if fmt is not Format.table:
        emit(found, cols, fmt)
        return
    money_cells = {"domestic": cell_money("domestic"), "foreign_usd": cell_money("foreign_usd")}
    shown = emit(with_total(found), cols, fmt, display=money_cells)
    say(f"共 {max(shown - 1, 0)} 个项目")  # (less the 合计 row)


# ---------------------------------------------------------------------------------------
# approve, approvals
# ---------------------------------------------------------------------------------------


def approve(
    ctx: typer.Context,
    item_id: IdArg,
    step: Annotated[
        str, typer.Argument(metavar="环节", help="手续名称，如 立项、土地出让合同、施工许可（可写其中一部分）")
    ],
    date_: DateOpt = None,
    note_: Annotated[str | None, typer.Option("--note", help="说明，如 文号")] = None,
    clear: Annotated[bool, typer.Option("--clear", help="撤销这一步的办结记录（登记错了时）")] = False,
) -> None:
    """登记一项前期手续的办结日期（立项、用地预审、土地出让合同、环评批复、规划许可、施工许可…）。"""
    from ..pipeline import approvals as core

    with state(ctx).command("approve") as db:
        res = core.record(db, item_id, step, today=date.today(), on=date_, note=note_, clear=clear)
    if clear:
        say(f"编号 {item_id}「{res.step}」的办结记录已撤销（原 {res.old_date}）")
        return
    was = f"（原 {res.old_date}）" if res.old_date and res.old_date != res.date else ""
    say(f"编号 {item_id}「{res.step}」办结于 {res.date}{was}")
    if res.speed_days is not None:
        kind = db.defs.kind_by_key(db.conn.execute("SELECT kind FROM items WHERE id = ?", (item_id,)).fetchone()[0])
        a, b = kind.approval_speed or ("", "")
        say(f"从{a}到{b}用时 {res.speed_days} 天")


def approvals(
    ctx: typer.Context,
    item_id: Annotated[int | None, typer.Argument(metavar="[编号]", help="只看一个项目", show_default=False)] = None,
    chain: ChainOpt = None,
    unit: UnitOpt = None,
    waiting: Annotated[bool, typer.Option("--waiting", help="只看有卡点的项目")] = False,
    today: TodayOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """前期手续进度：一个项目的每一步及用时；或全部项目的卡点、已等天数和审批速度（拿地到施工许可）。"""
    from ..pipeline import approvals as core
    from ..render import Column

    db = state(ctx).open()
    day = today_of(today)
    if item_id is not None:
        st = core.status(db, item_id, today=day)
        cols = [
            Column("step", "手续", priority=1),
            Column("date", "办结日期", priority=1),
            Column("days", "距上一步（天）", "right", priority=3),
            Column("state", "状态", priority=2),
            Column("note", "说明", priority=4),
        ]
        emit(st.steps, cols, fmt)
        if fmt is Format.table:
            if st.waiting:
                say(f"卡点：{st.waiting}（距上一步办结已 {st.waiting_days} 天）")
            if st.speed_from:
                speed = f"{st.speed_days} 天" if st.speed_days is not None else "尚未办齐"
                say(f"审批速度（{st.speed_from}→{st.speed_to}）：{speed}")
        return
    found = core.iter_overview(db, today=day, chain=chain, unit=unit, waiting_only=waiting)
    cols = [
        Column("id", "编号", "right", priority=1),
        Column("title", "项目名称", priority=1),
        Column("chain", "产业链", priority=6),
        Column("unit", "责任单位", priority=7),
        Column("status", "阶段", priority=5),
        Column("done", "已办", "right", priority=4),
        Column("total", "共", "right", priority=4),
        Column("waiting", "卡点", priority=2),
        Column("waiting_days", "已等（天）", "right", priority=2),
        Column("speed_days", "拿地到开工（天）", "right", priority=3),
    ]
    tally = {"waiting": 0, "speeds": 0, "speed_total": 0}

    def counted() -> Iterator[dict[str, Any]]:  # the summary line's figures, as the rows go by
        for r in found:
            tally["waiting"] += bool(r["waiting"])
            if r["speed_days"] is not None:
                tally["speeds"] += 1
                tally["speed_total"] += r["speed_days"]
            yield r

    n = emit(counted(), cols, fmt)
    if fmt is Format.table:
        avg = f"，平均审批速度 {tally['speed_total'] / tally['speeds']:.1f} 天" if tally["speeds"] else ""
        say(f"共 {n} 个项目，{tally['waiting']} 个有卡点{avg}")

"""Project life-cycle commands: stage, note, notes, fund, funds, approve, approvals (here);
team, leaders, warn (:mod:`.pipeline_people`); escalate, ledger, match (:mod:`.pipeline_ledger`).
Each parses its options, calls one core function in :mod:`zhaoshang.pipeline` and renders."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ._app import ZsCommand, echo, say, state
from .options import ChainOpt, DateOpt, Format, FormatOpt, IdArg, TodayOpt, UnitOpt, today_of, when
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
        ("agenda", agenda),
    ):
        app.command(name, cls=ZsCommand)(records(func) if name in ("notes", "funds", "approvals", "agenda") else func)


def stage(
    ctx: typer.Context,
    args: Annotated[
        list[str],
        typer.Argument(
            metavar="编号... 阶段",
            help="条目编号（可写多个：15 16、15,16）和新阶段/状态，如 15 在谈、15,16 已签约、20 退库",
            show_default=False,
        ),
    ],
    date_: DateOpt = None,
    reason: Annotated[str | None, typer.Option("--reason", "-r", help="原因（退库、回退时必填）")] = None,
    force: Annotated[bool, typer.Option("--force", help="确需回退或跨阶段推进时使用（会被标记）")] = False,
) -> None:
    """推进项目阶段：（谋划储备 →）线索 → 在谈 → 已签约 → 已入统 → 已开工 → 已投产，或 退库（须写原因）。

    谋划储备（还没有投资方的推介项目）有了投资方即可推进到线索或在谈，不算跨阶段。
    记录生效日期、操作人和时间。回退或跳过阶段须加 --force，并被标记。
    项目只在第一次签约时计为签约，再签约、增资、签约后退库都不重复计数。
    几个项目同时推进：zs stage 15 16 已签约（一条命令，zs undo 一次撤销）。
    """
    from ..errors import ZsError
    from ..pipeline import stages
    from .items import ids_of, write

    if len(args) < 2:
        raise ZsError("请写出条目编号和新阶段，如 zs stage 15 在谈")
    ids, stage_name = ids_of(args[:-1]), args[-1]
    done = write(
        ctx,
        "stage",
        False,
        lambda db: [stages.move(db, i, stage_name, on=date_, reason=reason, force=force) for i in ids],
    )
    from ..stages import BACKWARD, FLAG_NAMES

    for item_id, res in zip(ids, done or [], strict=True):
        flag = f"（已标记：{FLAG_NAMES.get(res.flag, res.flag)}）" if res.flag else ""
        say(f"编号 {item_id}：{res.from_status} → {res.to_status}（{res.date}）{flag}")
        if res.entry_moved_from:
            say(f"登记日期随之提前：{res.entry_moved_from} → {res.entry_date}（项目不会晚于第一次变更才进库）")
        if res.repeated and res.flag != BACKWARD and res.first_date and res.first_date != res.date:
            say(f"该项目已于 {res.first_date} 首次达到「{res.to_status}」，统计按首次计，不重复计数")
        if res.filled:
            say(f"已记{res.filled}")
        if res.pending:
            say("这次变更待认定：认定后才计入统计（zs review confirm；本单位录入也要认定的设置见 zs review own）")
    if len(ids) > 1:
        say(f"以上 {len(ids)} 个条目是一次操作（zs undo 可一次撤销）")


def note(
    ctx: typer.Context,
    args: Annotated[
        list[str],
        typer.Argument(
            metavar="编号 文字 | edit 记录号 [文字] | rm 记录号",
            help="记一次对接：编号和对接内容；改一条记录：edit 记录号 [新内容]；删一条：rm 记录号（记录号见 zs notes）",
            show_default=False,
        ),
    ],
    type_: Annotated[
        str | None, typer.Option("--type", "-t", help="方式：对接、走访、来访、推介、会办、电话（默认对接）")
    ] = None,
    date_: DateOpt = None,
    next_: Annotated[
        str | None,
        typer.Option(
            "--next",
            help="下次跟进日期（到期未跟进会预警）；不写时沿用之前约定、尚未到的跟进日期",
            click_type=when("day"),
        ),
    ] = None,
    no_next: Annotated[bool, typer.Option("--no-next", help="取消之前约定的下次跟进（不再需要跟进）")] = False,
    problem: Annotated[
        list[str] | None,
        typer.Option("--problem", "-p", help="走访发现的问题（可重复）：登记到问题清单并关联本条目和本次走访"),
    ] = None,
    editor: Annotated[
        bool,
        typer.Option("--edit", "-e", help="在编辑器（$EDITOR）里写对接内容（不写内容且在终端里运行时也会打开）"),
    ] = False,
) -> None:
    """记一次对接（对接记录）：任何条目都可以——项目、企业（大走访）、联系人、问题。输出记录号。

    改正一条过去的记录：zs note edit 记录号 [新内容] [--date/--type/--next/--no-next/--edit]；
    删除：zs note rm 记录号。两者都记入历史，可 zs undo。"""
    from ..errors import ZsError

    head, rest = args[0], args[1:]
    if head in ("edit", "rm"):
        if problem:
            raise ZsError(f"--problem 只用于新记一次走访，不能用于 zs note {head}")
        if len(rest) < 1 or not rest[0].isdigit():
            raise ZsError(
                f"请写出要{'修改' if head == 'edit' else '删除'}的记录号，如 zs note {head} 12（zs notes 查看）"
            )
        if head == "rm":
            if len(rest) > 1 or editor or type_ or date_ or next_ or no_next:
                raise ZsError("zs note rm 只写记录号，如 zs note rm 12；要修改记录请用 zs note edit")
            _note_rm(ctx, int(rest[0]))
            return
        if len(rest) > 2:
            raise ZsError('新内容请用引号括成一段，如 zs note edit 12 "谈了价格，对方同意"')
        text = rest[1] if len(rest) == 2 else None
        _note_edit(ctx, int(rest[0]), text, type_, date_, next_, no_next, editor)
        return
    from .items import ids_of

    ids = ids_of([head])
    if len(ids) != 1:
        raise ZsError("对接记录一次记一个条目：请只写一个编号")
    if len(rest) > 1:
        raise ZsError('对接内容请用引号括成一段，如 zs note 15 "谈了价格，对方同意"')
    text = rest[0] if rest else None
    if editor or (text is None and _interactive()):
        text = _written(text or "", "对接内容")
    if text is None:
        raise ZsError(f'请写出对接内容，如 zs note {ids[0]} "谈了价格，对方同意"（或加 --edit 用编辑器写）')
    _note_add(ctx, ids[0], text, type_, date_, next_, no_next, problem)


def _interactive() -> bool:
    import sys

    return sys.stdin.isatty() and sys.stdout.isatty()


def _written(start: str, what: str) -> str:
    from .items import edit_text

    return edit_text(start, what=what)


def _note_add(
    ctx: typer.Context,
    item_id: int,
    text: str,
    type_: str | None,
    date_: str | None,
    next_: str | None,
    no_next: bool,
    problem: list[str] | None,
) -> None:
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


_NOTE_LABELS = {"summary": "内容", "type": "方式", "date": "日期", "next_date": "下次跟进"}


def _note_edit(
    ctx: typer.Context,
    activity_id: int,
    text: str | None,
    type_: str | None,
    date_: str | None,
    next_: str | None,
    no_next: bool,
    editor: bool,
) -> None:
    from ..errors import ZsError
    from ..pipeline import activities

    st = state(ctx)
    if editor:
        text = _written(
            text if text is not None else activities.get_note(st.open(), activity_id)["summary"], "对接内容"
        )
    if text is None and not (type_ or date_ or next_ or no_next):
        raise ZsError(
            f'请写出要改什么：新内容，或 --date/--type/--next/--no-next，如 zs note edit {activity_id} "新内容"'
            "（--edit 用编辑器改内容）"
        )
    with st.command("note edit") as db:
        res = activities.edit_note(
            db, activity_id, today=date.today(), text=text, type=type_, on=date_, next_date=next_, clear_next=no_next
        )
    if not res.changed:
        say(f"对接记录 {activity_id} 没有变化")
        return
    assert res.new is not None
    parts = [f"{_NOTE_LABELS[k]}：{res.old[k] or '（空）'} → {res.new[k] or '（空）'}" for k in res.changed]
    say(f"已修改编号 {res.item_id} 的对接记录 {activity_id}：{'；'.join(parts)}（zs undo 可撤销）")


def _note_rm(ctx: typer.Context, activity_id: int) -> None:
    from ..pipeline import activities

    with state(ctx).command("note rm") as db:
        res = activities.remove_note(db, activity_id)
    old = res.old
    say(
        f"已删除编号 {res.item_id} 的对接记录 {activity_id}（{old['date']} {old['type']}：{old['summary']}）"
        "；zs undo 可恢复"
    )


def notes(
    ctx: typer.Context,
    item_id: Annotated[int | None, typer.Argument(metavar="[编号]", help="只看某个条目", show_default=False)] = None,
    since: Annotated[str | None, typer.Option("--since", help="起始日期（含）", click_type=when("from"))] = None,
    until: Annotated[str | None, typer.Option("--until", help="截止日期（含）", click_type=when("to"))] = None,
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
    filters: dict[str, Any] = {"item_id": item_id, "since": since, "until": until, "type": type_}
    filters.update(chain=chain, unit=unit, user=by)
    found = activities.iter_notes(db, **filters, limit=limit)
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
        from .items import shown_of

        say(shown_of(count, limit, lambda: activities.count_notes(db, **filters), "条对接记录"))


def agenda(
    ctx: typer.Context,
    week: Annotated[bool, typer.Option("--week", help="今天起 7 天内（默认只看今天）")] = False,
    days: Annotated[
        int | None, typer.Option("--days", help="今天起多少天内（1 = 只看今天）", min=1, show_default=False)
    ] = None,
    chain: ChainOpt = None,
    unit: UnitOpt = None,
    owner: Annotated[str | None, typer.Option("--owner", "-o", help="只看某位责任人")] = None,
    today: TodayOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """到期提醒：今天（--week 为 7 天内）该跟进的对接（上次约定的下次跟进日期）和时限到期的未办结条目。

    已经逾期的见 zs warn（跟进逾期、超期）；这里只列还没过的。"""
    from ..errors import ZsError
    from ..pipeline import warnings as core
    from ..render import Column

    if week and days is not None:
        raise ZsError("--week 和 --days 只写一个：--week 就是 --days 7")
    span = days or (7 if week else 1)
    day = today_of(today)
    db = state(ctx).open()
    rows = core.agenda(db, today=day, days=span, chain=chain, unit=unit, owner=owner)
    cols = [
        Column("date", "日期"),
        Column("what", "事项"),
        Column("id", "编号", "right"),
        Column("title", "名称"),
        Column("status", "状态"),
        Column("owner", "责任人"),
        Column("unit", "责任单位"),
        Column("note", "上次对接"),
    ]
    if fmt is not Format.table:
        emit(rows, cols, fmt)
        return
    words = {"follow_up": "跟进", "due": "时限到期"}
    emit(rows, cols, fmt, display={"what": lambda r: words[r["what"]]})
    when = "今天" if span == 1 else f"{day.isoformat()} 起 {span} 天内"
    follow = sum(r["what"] == "follow_up" for r in rows)
    say(f"{when}：{follow} 次跟进，{len(rows) - follow} 个时限到期（已逾期的见 zs warn）")


# ---------------------------------------------------------------------------------------
# fund, funds
# ---------------------------------------------------------------------------------------


def fund(
    ctx: typer.Context,
    item_id: IdArg,
    month: Annotated[
        str | None, typer.Option("--month", "-m", help="到位月份，如 2026-03、2026年3月", click_type=when("month"))
    ] = None,
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
    if res.pending:
        say("这笔到位资金待认定：认定后才计入统计（zs review confirm；本单位录入也要认定的设置见 zs review own）")


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
    since: Annotated[
        str | None, typer.Option("--since", help="起始月份（含），如 2026-01", click_type=when("month_from"))
    ] = None,
    until: Annotated[
        str | None, typer.Option("--until", help="截止月份（含），如 2026-03", click_type=when("month_to"))
    ] = None,
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
    force: Annotated[
        bool, typer.Option("--force", help="日期与手续顺序不符（早于前一步或晚于后一步）时仍登记，进度表中标明")
    ] = False,
) -> None:
    """登记一项前期手续的办结日期（立项、用地预审、土地出让合同、环评批复、规划许可、施工许可…）。

    日期须符合手续的先后顺序：早于前面已办结的一步、或晚于后面已办结的一步时拒绝（确有其事加 --force）。"""
    from ..pipeline import approvals as core

    with state(ctx).command("approve") as db:
        res = core.record(db, item_id, step, today=date.today(), on=date_, note=note_, clear=clear, force=force)
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

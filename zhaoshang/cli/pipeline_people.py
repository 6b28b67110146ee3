"""team (show/add/rm/list), leaders (领导责任清单), warn (项目保预警)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ..choices import WarnGroup
from ._app import ZsCommand, ZsGroup, echo, new_app, out, say, state
from .options import ChainOpt, Format, FormatOpt, IdArg, TodayOpt, UnitOpt, today_of
from .output import asked_keys, cell_money, choose, emit, hidden_note, records, terminal_size, write_chunks

if TYPE_CHECKING:
    from ..render import Column


def register(app: typer.Typer) -> None:
    app.command("leaders", cls=ZsCommand)(records(leaders))
    app.command("warn", cls=ZsCommand)(records(warn))
    app.add_typer(_team_app(), name="team", help="服务专班（多对一）与五要件：包保领导、项目管家、部门负责人…")


# ---------------------------------------------------------------------------------------
# team, leaders
# ---------------------------------------------------------------------------------------


class TeamGroup(ZsGroup):
    """``zs team`` alone lists (as ``zs team list``); ``zs team 3`` shows (as ``zs team show 3``)."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if not args or (args[0].startswith("-") and args[0] not in ("-h", "--help")):
            args = ["list", *args]
        elif args[0].isdigit():
            args = ["show", *args]
        return super().parse_args(ctx, args)


def _team_app() -> typer.Typer:
    sub = new_app(
        "team",
        "服务专班（多对一）与五要件（zs team 列出全部，zs team 编号 看一个）",
        cls=TeamGroup,
        no_args_is_help=False,
    )
    sub.command("show", cls=ZsCommand)(team_show)
    sub.command("add", cls=ZsCommand)(team_add)
    sub.command("rm", cls=ZsCommand)(team_rm)
    sub.command("list", cls=ZsCommand)(records(team_list))
    return sub


def team_show(ctx: typer.Context, item_id: IdArg, fmt: FormatOpt = Format.table) -> None:
    """一个条目的包保领导、管家、服务专班成员和五要件落实情况。"""
    from ..pipeline import team as core
    from ..render import Column, render_record

    db = state(ctx).open()
    who = core.responsible(db, item_id)
    members = core.members(db, item_id)
    ess = core.five_essentials(db, item_id) if core.is_key_project(db, item_id) else []
    if fmt is not Format.table:
        data = {
            "id": item_id,
            "leaders": who.leaders,
            "butlers": who.butlers,
            "chain_leaders": who.chain_leaders,
            "team": members,
            "essentials": ess,
        }
        render_record(data, [(k, k) for k in data], fmt.value, out())
        return
    echo(f"包保领导  {'、'.join(who.leaders) or '（未定）'}")
    echo(f"管家      {'、'.join(who.butlers) or '（未定）'}")
    echo(f"链长      {'、'.join(who.chain_leaders) or '（未定）'}")
    if members:
        echo("")
        echo("【服务专班】")
        cols = [
            Column("id", "成员号", "right", priority=3),
            Column("role", "角色", priority=1),
            Column("name", "姓名", priority=1),
            Column("org", "单位", priority=4),
            Column("phone", "电话", priority=2),
        ]
        emit(members, cols, fmt)
    if ess:
        echo("")
        echo("【五要件】")
        shown = [{**e, "ok": "已落实" if e["ok"] else "缺"} for e in ess]
        emit(shown, [Column("essential", "要件"), Column("value", "内容"), Column("ok", "落实")], fmt)


def team_add(
    ctx: typer.Context,
    item_id: IdArg,
    role: Annotated[
        str, typer.Argument(metavar="角色", help="角色，如 包保市领导、部门负责人、挂点处长、区县联络员、项目管家")
    ],
    name: Annotated[str, typer.Argument(metavar="姓名", help="姓名")],
    pairs: Annotated[
        list[str] | None,
        typer.Argument(metavar="项=值...", help="单位=… 电话=…（可不写）", show_default=False),
    ] = None,
) -> None:
    """为条目的服务专班增加一名成员（多对一专班），如 zs team add 3 包保市领导 王德林 单位=市政府。"""
    from ..parse import split_assignment
    from ..pipeline import team as core

    values = core.member_values(dict(split_assignment(p) for p in pairs or []))
    with state(ctx).command("team add") as db:
        mid = core.add_member(db, item_id, role, name, org=values.get("org"), phone=values.get("phone"))
    echo(mid)
    say(f"已将 {name.strip()} 作为「{role.strip()}」加入编号 {item_id} 的服务专班（成员号 {mid}）")


def team_rm(
    ctx: typer.Context,
    item_id: IdArg,
    who: Annotated[str, typer.Argument(metavar="成员", help="成员号或姓名")],
    role: Annotated[str | None, typer.Option("--role", help="同一人有多个角色时指明角色")] = None,
) -> None:
    """从服务专班移除一名成员（可 zs undo 撤销）。"""
    from ..pipeline import team as core

    with state(ctx).command("team rm") as db:
        gone = core.remove_member(db, item_id, who, role=role)
    say(f"已将 {gone['name']}（{gone['role']}）移出编号 {item_id} 的服务专班")


def team_list(
    ctx: typer.Context,
    chain: ChainOpt = None,
    incomplete: Annotated[bool, typer.Option("--incomplete", help="只看五要件不全的重点项目")] = False,
    fmt: FormatOpt = Format.table,
) -> None:
    """重点项目（及有服务专班的条目）的包保领导、管家、专班人数和五要件落实情况。"""
    from ..pipeline import team as core
    from ..render import Column

    db = state(ctx).open()
    found = core.teams_overview(db, chain=chain, incomplete=incomplete)
    cols = [
        Column("id", "编号", "right", priority=1),
        Column("title", "名称", priority=1),
        Column("chain", "产业链", priority=6),
        Column("status", "状态", priority=5),
        Column("leader", "包保领导", priority=4),
        Column("butler", "管家", priority=4),
        Column("team_size", "专班人数", "right", priority=7),
        Column("essentials_done", "五要件", "right", priority=3),
        Column("essentials_missing", "缺", priority=2),
    ]
    emit(found, cols, fmt, display={"essentials_done": _essentials_cell})
    if fmt is Format.table:
        say(f"共 {len(found)} 个，五要件不全 {sum(1 for r in found if r['essentials_missing'])} 个")


def _essentials_cell(r: dict[str, Any]) -> str:
    return "" if r.get("essentials_done") is None else f"{r['essentials_done']}/5"


def leaders(
    ctx: typer.Context,
    name: Annotated[
        str | None, typer.Argument(metavar="[名称]", help="只看一位领导（含明细）", show_default=False)
    ] = None,
    today: TodayOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """领导责任清单：每位包保领导的产业链、项目、重点项目、未销号问题、超期和红黄灯。

    领导的范围：其包保的条目（包保领导字段）、在服务专班中任领导角色的条目、所领产业链的全部条目。
    """
    from ..pipeline.leaders import open_problems_of, responsibility
    from ..render import Column

    db = state(ctx).open()
    day = today_of(today)
    found = [r.as_dict() for r in responsibility(db, today=day, name=name)]
    cols = [
        Column("leader", "领导", priority=1),
        Column("chains", "所领产业链", priority=7),
        Column("direct", "直接包保", "right", priority=3),
        Column("projects", "在库项目", "right", priority=3),
        Column("key_projects", "重点项目", "right", priority=4),
        Column("investment", "计划投资（万元）", "right", priority=6),
        Column("enterprises", "包联企业", "right", priority=5),
        Column("open_problems", "未销号问题", "right", priority=2),
        Column("overdue", "超期", "right", priority=2),
        Column("red", "红灯", "right", priority=2),
        Column("yellow", "黄灯", "right", priority=3),
    ]
    emit(found, cols, fmt, display={"investment": cell_money("investment")})
    if name is None or fmt is not Format.table:
        return
    from ..pipeline.warnings import compute

    problems = open_problems_of(db, name)
    if problems:
        echo("")
        echo("【未销号问题】")
        pcols = [
            Column("id", "编号", "right", priority=1),
            Column("title", "问题", priority=1),
            Column("chain", "产业链", priority=6),
            Column("level", "层级", priority=5),
            Column("unit", "责任单位", priority=3),
            Column("due", "时限", priority=2),
            Column("status", "状态", priority=2),
        ]
        emit(problems, pcols, fmt)
    warns = [w.as_dict() for w in compute(db, today=day, leader=name)]
    if warns:
        echo("")
        echo("【预警】")
        emit(warns, _warn_columns(owner=True), fmt, display={"light": _light_cell})


# ---------------------------------------------------------------------------------------
# warn
# ---------------------------------------------------------------------------------------


def _warn_columns(*, owner: bool = False, leader: bool = False) -> list[Column]:
    from ..render import Column

    cols = [
        Column("light", "灯", priority=1),
        Column("id", "编号", "right", 1),
        Column("title", "名称", priority=1),
        Column("chain", "产业链", priority=6),
        Column("status", "状态", priority=5),
        Column("type_name", "类型", priority=3),
        Column("message", "说明", priority=2),
    ]
    if owner:
        cols.append(Column("owner", "责任人", priority=4))
    if leader:
        cols.append(Column("leader", "包保领导", priority=4))
    return cols


def _warn_extra_columns() -> list[Column]:
    """What else a warning carries, for --columns."""
    from ..render import Column

    return [
        Column("kind", "清单"),
        Column("unit", "责任单位"),
        Column("chain_leader", "链长"),
        Column("light_name", "灯色"),
        Column("elapsed", "已用天数", "right"),
        Column("limit", "时限天数", "right"),
        Column("over", "超出天数", "right"),
        Column("since", "起算日期"),
        Column("deadline", "到期日期"),
        Column("type", "类型键"),
    ]


def _light_cell(r: dict[str, Any]) -> str:
    return {"red": "红", "yellow": "黄"}.get(r.get("light") or "", "")


def warn(
    ctx: typer.Context,
    chain: ChainOpt = None,
    unit: UnitOpt = None,
    owner: Annotated[str | None, typer.Option("--owner", "-o", help="只看某位责任人")] = None,
    leader: Annotated[str | None, typer.Option("--leader", "-l", help="只看某位包保领导的条目")] = None,
    kind: Annotated[str | None, typer.Option("--kind", "-k", help="只看某张清单，如 招什么、解决什么")] = None,
    light: Annotated[str | None, typer.Option("--light", help="red 只看红灯；yellow 黄灯和红灯（默认）")] = None,
    type_: Annotated[
        str | None,
        typer.Option("--type", "-t", help="预警类型（逗号分隔）：超期、停滞、久未对接、跟进逾期"),
    ] = None,
    by: Annotated[
        WarnGroup,
        typer.Option("--by", help="分组：owner（按责任人，默认）或 leader（按包保领导）", case_sensitive=False),
    ] = WarnGroup.owner,
    per_group: Annotated[int, typer.Option("--limit", "-n", help="表格中每组最多列出几条（最重的在前）", min=1)] = 30,
    all_: Annotated[bool, typer.Option("--all", help="表格中列出全部预警")] = False,
    today: TodayOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """项目保预警：超过时限、阶段停滞、久未对接、跟进逾期的条目，黄灯（超过时限）、红灯（超过两倍）。

    按责任人分组列出，再按包保领导汇总（--by leader 反之）。没有预警也以 0 退出；
    --format json 输出扁平数组，供发送提醒的脚本使用。时限在 checklists/*.yaml 中设置。
    """
    from ..pipeline import warnings as core

    db = state(ctx).open()
    filters: dict[str, Any] = {
        "today": today_of(today),
        "kind": kind,
        "chain": chain,
        "unit": unit,
        "owner": owner,
        "leader": leader,
        "min_light": core.resolve_light(light),
        "types": core.resolve_types(type_),
    }
    if fmt is not Format.table:
        _show_flat(core.iter_warnings(db, **filters), fmt)
        return
    # only the warnings the table lists are built (a few thousand of 100,000)
    view = core.overview(db, by=by, per_group=None if all_ else per_group, **filters)
    if not view.counts["warnings"]:
        say("没有预警：所有条目都在时限内")
    else:
        _show_overview(view, by, per_group)
    if not any((kind, chain, unit, owner, leader, type_)):
        _lifecycle_note(db, filters["today"])


def _lifecycle_note(db: Any, today: Any) -> None:
    """Under the table: leads waiting too long for a 研判, projects past an agreed date."""
    from ..pipeline.performance import late_counts

    late = late_counts(db, today=today)
    parts = []
    if late.awaiting:
        parts.append(f"待研判超过时限 {late.awaiting} 个（红灯 {late.awaiting_red}，zs assess --waiting）")
    if late.overdue:
        parts.append(f"约定日期已过仍未做到 {late.overdue} 个（红灯 {late.overdue_red}，zs contract --status failed）")
    if parts:
        say("准入与履约：" + "；".join(parts))


def _show_flat(found: Iterable[Any], fmt: Format) -> None:
    """``warn -f json|csv|…``: one record per warning, every field (or the --columns chosen),
    written as they are built."""
    from ..render import Column

    keys = [
        c.key
        for c in choose(
            [Column(k, k) for k in _WARN_KEYS], [*_warn_columns(owner=True, leader=True), *_warn_extra_columns()]
        )
    ]
    if fmt is Format.json:
        _json_array(map(_record_maker(keys), found))
        return
    emit((w.as_dict() for w in found), [Column(k, k) for k in keys], fmt)


def _show_overview(view: Any, by: str, per_group: int) -> None:
    """The table for people: a group per owner (or leader), the heaviest first, one column
    layout for all groups, then the summary by the other."""
    from ..pipeline import warnings as core
    from ..render import BATCH, Column, Plan, inert

    c = view.counts
    parts = [f"预警 {c['warnings']} 条（{c['items']} 个条目）：红灯 {c['red']}，黄灯 {c['yellow']}\n"]
    other = "leader" if by == "owner" else "owner"
    heading = {"owner": "责任人", "leader": "包保领导"}
    cols = _warn_columns(owner=other == "owner", leader=other == "leader")
    cols = choose(cols, [*cols, *_warn_columns(owner=True, leader=True)[len(cols) :], *_warn_extra_columns()])
    # one table for every group, so the columns line up from group to group
    # the cells the table shows, as in w.as_dict() (which builds all nineteen)
    keys, names = [col.key for col in cols], core.TYPES

    def row(w: Any) -> dict[str, Any]:
        return {k: names[w.type] if k == "type_name" else getattr(w, k) for k in keys}

    # one column layout for every group, so the columns line up from group to group: measured
    # on the first rows (the widest id known in advance), then written a group at a time
    sample: list[dict[str, Any]] = []
    for g in view.groups:
        sample += [row(w) for w in g.warnings[: BATCH - len(sample)]]
        if len(sample) >= BATCH:
            break
    widest = view.widest_id
    size = terminal_size()
    plan = Plan.of(
        sample,
        cols,
        display={"light": _light_cell},
        max_width=size.columns - 2 if size else None,
        min_sizes={"id": len(str(widest))},
        asked=asked_keys(cols),
    )
    head = "".join("  " + line + "\n" for line in plan.head().splitlines())
    hidden = 0

    def chunks() -> Iterator[str]:
        nonlocal hidden
        yield parts[0]
        for g in view.groups:
            text = plan.body([row(w) for w in g.warnings])
            yield f"\n■ {heading[by]}：{inert(g.name)}（红 {g.red}，黄 {g.yellow}）\n" + head
            yield "".join("  " + line + "\n" for line in text.splitlines())
            if len(g.warnings) < g.total:
                rest = g.total - len(g.warnings)
                hidden += rest
                yield f"  ……另有 {rest} 条（最重的已列在前面）\n"
        if plan.hidden and size:
            yield hidden_note(plan.hidden, cols, size.columns)

    write_chunks(chunks())
    if hidden:
        hint = "加 --all 全部列出，或用 --owner/--leader 只看一人"
        say(f"每组只列最重的 {per_group} 条，省略 {hidden} 条：{hint}")
    echo("")
    echo(f"【按{heading[other]}汇总】")
    summary = [
        {"name": g.name, "red": g.red, "yellow": g.yellow, "items": g.items, "total": g.red + g.yellow}
        for g in view.others
    ]
    emit(
        summary,
        [
            Column("name", heading[other]),
            Column("red", "红灯", "right"),
            Column("yellow", "黄灯", "right"),
            Column("total", "合计", "right"),
            Column("items", "条目数", "right"),
        ],
        Format.table,
        shaped=False,
    )


_WARN_KEYS = (
    "id",
    "kind",
    "chain",
    "title",
    "status",
    "owner",
    "unit",
    "leader",
    "chain_leader",
    "type",
    "type_name",
    "light",
    "light_name",
    "elapsed",
    "limit",
    "over",
    "since",
    "deadline",
    "message",
)


def _record_maker(keys: list[str]) -> Any:
    """A function giving a warning's JSON record, ``keys`` in order (``w.as_dict()`` cut to
    them, without building all nineteen and then the chosen ones)."""
    from operator import itemgetter

    from ..pipeline import warnings as core
    from ..pipeline.common import LIGHT_NAMES

    fields = core.Warning._fields
    named = {"type_name": ("type", core.TYPES), "light_name": ("light", LIGHT_NAMES)}
    at = [fields.index(named[k][0] if k in named else k) for k in keys]
    derived = [(k, names) for k, (_, names) in named.items() if k in keys]
    values = itemgetter(*at) if len(at) > 1 else (lambda w: (w[at[0]],))

    def record(w: Any) -> dict[str, Any]:
        rec = dict(zip(keys, values(w), strict=True))
        for k, names in derived:
            rec[k] = names[rec[k]]
        return rec

    return record


def _json_array(rows: Iterable[dict[str, Any]]) -> None:
    """A JSON array with one object per line: valid JSON, fast for 100,000 rows (the C
    encoder; an indented dump goes through the slow pure-Python one), written a batch of
    rows at a time."""
    import json
    from json import encoder

    from ..render import batches

    stream = out()
    # the C encoder made once (``JSONEncoder.encode`` makes it again for every row: a
    # third of the time of a province's 1,500,000 warnings); the same text
    make = getattr(encoder, "c_make_encoder", None)
    dumps: Callable[[Any], str] = json.JSONEncoder(ensure_ascii=False).encode
    if make is not None:  # (None: a Python without the C encoder)

        def refuse(o: Any) -> Any:
            raise TypeError(f"Object of type {type(o).__name__} is not JSON serializable")

        one = make(None, refuse, encoder.encode_basestring, None, ": ", ", ", False, False, True)

        def dumps(row: Any) -> str:
            return "".join(one(row, 0))

    lead = "[\n  "
    for batch in batches(rows):
        stream.write(lead + ",\n  ".join(map(dumps, batch)))
        lead = ",\n  "
    stream.write("[]\n" if lead.startswith("[") else "\n]\n")

"""Item commands: add, list, show, edit, close, reopen, rm, restore."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from . import complete
from ._app import ZsCommand, echo, out, say, state
from .options import Format, FormatOpt, IdArg, KindArg, PairsArg, ReasonOpt, YesOpt, pairs_of
from .output import choose, emit, records


def register(app: typer.Typer) -> None:
    app.command("add", cls=ZsCommand)(add)
    app.command("list", cls=ZsCommand)(records(list_))
    app.command("show", cls=ZsCommand)(show)
    app.command("edit", cls=ZsCommand)(edit)
    app.command("close", cls=ZsCommand)(close)
    app.command("reopen", cls=ZsCommand)(reopen)
    app.command("rm", cls=ZsCommand)(rm)
    app.command("restore", cls=ZsCommand)(restore)


def add(
    ctx: typer.Context,
    kind: KindArg,
    title: Annotated[str, typer.Argument(metavar="标题", help="名称")],
    pairs: PairsArg = None,
    chain: Annotated[
        str, typer.Option("--chain", "-c", help="所属产业链（必填）", autocompletion=complete.chains)
    ] = "",
    status: Annotated[str | None, typer.Option("--status", "-s", help="初始状态（默认见 zs kinds）")] = None,
    date_: Annotated[
        str | None,
        typer.Option("--date", "-d", help="登记日期：条目何时进库（补录往期数据时填，默认今天；新增数按它统计）"),
    ] = None,
    reason: Annotated[str | None, typer.Option("--reason", "-r", help="原因（状态为退库、已销号等时必填）")] = None,
    force: Annotated[bool, typer.Option("--force", help="状态跨过中间阶段时使用（同 zs stage，会被标记）")] = False,
) -> None:
    """新增一个条目，输出新编号。例：zs add 招什么 "年产5万吨铜箔项目" --chain 有色金属 投资额=3.56亿 优先级=A

    状态不是第一个阶段时，按 zs stage 的同一套规则推进：各阶段按其日期字段（签约日期=…、开工日期=…）
    记日期，没有日期的用 --date；跨阶段要加 --force。补录往期项目：zs add … --date 2026-10-15。"""
    from .. import items
    from ..errors import ZsError

    values: dict[str, object] = dict(pairs_of(pairs))
    if not chain:
        chain = str(values.pop("chain", "") or values.pop("产业链", "") or "")
    if not chain:
        raise ZsError("请用 --chain 指定产业链，如 --chain 有色金属（zs chain list 查看已有产业链）")
    if status:
        values["status"] = status
    st = state(ctx)
    with st.command("add") as db:
        new_id = items.add(db, kind, title, chain=chain, values=values, on=date_, force=force, reason=reason)
    echo(new_id)
    say(f"已新增 {db.defs.kind_by_key(items.kind_of(db, new_id).key).name} 条目，编号 {new_id}")


def list_(
    ctx: typer.Context,
    kind: Annotated[
        str | None,
        typer.Argument(
            metavar="清单",
            help="清单（不填则列出全部清单的条目）",
            show_default=False,
            autocompletion=complete.kinds,
        ),
    ] = None,
    pairs: PairsArg = None,
    chain: Annotated[str | None, typer.Option("--chain", "-c", help="产业链", autocompletion=complete.chains)] = None,
    status: Annotated[
        str | None, typer.Option("--status", "-s", help="状态，可用逗号分隔多个", autocompletion=complete.statuses)
    ] = None,
    owner: Annotated[str | None, typer.Option("--owner", "-o", help="责任人")] = None,
    leader: Annotated[
        str | None,
        typer.Option("--leader", "-l", help="包保领导：其包保的条目、在服务专班任领导的条目和所领产业链的全部条目"),
    ] = None,
    unit: Annotated[
        str | None, typer.Option("--unit", "-u", help="责任单位 / 招商主体", autocompletion=complete.units)
    ] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="只看超过时限且未办结的")] = False,
    open_only: Annotated[bool, typer.Option("--open", help="只看未办结的")] = False,
    sort: Annotated[str | None, typer.Option("--sort", help="按字段排序（英文键或中文名）")] = None,
    desc: Annotated[bool, typer.Option("--desc", help="倒序")] = False,
    limit: Annotated[int | None, typer.Option("--limit", "-n", help="最多显示条数", min=1)] = None,
    reached: Annotated[
        str | None,
        typer.Option("--reached", help="在 --from/--to 期间首次达到这个阶段/状态的（与报表的签约、开工等口径相同）"),
    ] = None,
    reached_from: Annotated[str | None, typer.Option("--from", help="与 --reached 连用：开始日期（含）")] = None,
    reached_to: Annotated[str | None, typer.Option("--to", help="与 --reached 连用：结束日期（含）")] = None,
    where: Annotated[
        list[str] | None,
        typer.Option(
            "--where", "-w", help="筛选条件（可重复），同 字段=值 参数，如 --where 责任人=王强", show_default=False
        ),
    ] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """列出条目，可按产业链、状态、责任人、单位、超期和任意字段筛选。

    字段条件：字段=值、字段!=值、字段~包含、字段>=值、字段<=值（含 > < 的条件在 shell 里要加引号，
    或写 ≥ ≤ ＞ ＜ ≠），例："投资额>=10000" 投资额≥10000 名称~铜
    """
    from .. import items

    if (reached_from or reached_to) and not reached:
        from ..errors import ZsError

        raise ZsError(
            "--from/--to 要与 --reached 连用，如 zs list 招什么 --reached 已签约 --from 2026-11-01 --to 2026-11-30"
        )
    db = state(ctx).open()
    if kind is not None and items.is_condition(db, kind):  # zs list 责任人=王强: no kind, a condition
        pairs, kind = [kind, *(pairs or [])], None
    flt = items.Filter(
        kind=kind,
        chain=chain,
        status=status,
        owner=owner,
        leader=leader,
        unit=unit,
        overdue=overdue,
        open_only=open_only,
        where=[*(pairs or []), *(where or [])],
        sort=sort,
        descending=desc,
        limit=limit,
        reached=reached,
        reached_from=_day(reached_from, "--from"),
        reached_to=_day(reached_to, "--to"),
    )
    if fmt is not Format.table:
        listing = items.iter_items(db, flt)
        emit(listing.rows, [_column(f, f.header) for f in listing.fields], fmt)
        return
    kind_def = db.defs.kind(flt.kind) if flt.kind else None
    fields = db.defs.fields_of(kind_def)
    keys = ["id", "kind", "chain", "title", "status", "owner", "unit", "due"]
    if kind_def is not None:
        keys.remove("kind")
    by_key = {f.key: f for f in fields}
    cols = [
        _column(by_key.get(k) or db.defs.common_field(k), _header(db, kind_def, k), db.defs.common_field(k))
        for k in keys
    ]
    if kind_def is not None:
        cols += [_column(f, f.header) for f in kind_def.fields if not f.sensitive][:6]
    if overdue:  # what an overdue listing is for: its 时限 stays with the names
        cols = [c._replace(priority=2) if c.key == "due" else c for c in cols]
    shown = {c.key for c in cols}
    available = [*cols, *(_column(f, f.header) for f in fields if f.key not in shown)]
    kind_names = {k.key: k.name for k in db.defs.kinds}
    listing = items.iter_items(db, flt, keys=[c.key for c in choose(cols, available)])
    count = emit(
        listing.rows,
        cols,
        fmt,
        available=available,
        display={"kind": lambda r: kind_names.get(r["kind"], r["kind"]), **_money_display(kind_def)},
        min_sizes={"id": len(str(listing.max_id))},
    )
    say(f"共 {count} 条")


def _column(field: Any, header: str, common: Any = None) -> Any:
    """A list column; a common field (a kind's own 项目名称 for title) keeps the common priority."""
    from ..render import Column

    right = field.key == "id" or (hasattr(field, "ftype") and field.ftype.numeric and field.type != "ref")
    names = (field.label, *field.aliases, *((common.label, *common.aliases) if common else ()))
    return Column(field.key, header, "right" if right else "left", (common or field).column_priority, names)


def _day(text: str | None, option: str) -> Any:
    from ..errors import ZsError
    from ..parse import parse_date

    if text is None:
        return None
    try:
        return parse_date(text)
    except ZsError as exc:
        raise ZsError(f"{option}：{exc.message}") from None


def _header(db: Any, kind: Any, key: str) -> str:
    if key == "title" and kind is not None:
        return str(kind.title.label)
    return str(db.defs.common_field(key).label)


def _money_display(kind: Any) -> dict[str, Any]:
    from ..values import to_display

    if kind is None:
        return {}
    return {f.key: (lambda r, f=f: to_display(f, r.get(f.key))) for f in kind.fields if f.ftype.display != "str"}


def show(ctx: typer.Context, item_id: IdArg, fmt: FormatOpt = Format.table) -> None:
    """显示一个条目的全部字段、状态变更、对接记录和到位资金。"""
    from .. import items
    from ..render import render_record
    from ..values import to_display

    db = state(ctx).open()
    rec = items.get(db, item_id)
    kind = db.defs.kind_by_key(rec["kind"])
    fields = db.defs.fields_of(kind)
    details = items.details(db, item_id)
    if fmt is not Format.table:
        render_record(rec, [(f.key, f.header) for f in fields], fmt.value, out(), extra=details)
        return
    from .output import terminal_size

    shown = dict(rec)
    shown["kind"] = kind.name
    for f in fields:  # times as people write them: 2026-10-15 09:00, not 2026-10-15T09:00:00
        value = shown.get(f.key)
        if isinstance(value, str) and len(value) >= 16 and value[10:11] == "T" and value[:4].isdigit():
            shown[f.key] = value[:16].replace("T", " ")
    for f in kind.fields:
        shown[f.key] = to_display(f, rec.get(f.key))
        if f.type == "ref" and isinstance(rec.get(f.key), int):  # 关联项目: its number and its name
            title = db.conn.execute("SELECT title FROM items WHERE id = ?", (rec[f.key],)).fetchone()
            shown[f.key] = f"{rec[f.key]} {title[0]}" if title else shown[f.key]
    render_record(shown, [(f.key, f.header) for f in fields if shown.get(f.key) not in (None, "")], "table", out())
    size = terminal_size()
    for section in items.detail_sections(db, item_id, details, width=size.columns if size else None):
        echo("")
        echo(section)


WhereOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--where",
        "-w",
        help="批量：筛选条件（可重复，与 zs list 相同），如 --where 责任人=王强 --where 状态=在谈",
        show_default=False,
    ),
]
DryRunOpt = Annotated[bool, typer.Option("--dry-run", help="批量：只显示将改动什么，不写入")]


def edit(
    ctx: typer.Context,
    args: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[编号] 字段=值...",
            help="编号和 字段=值，如 3 责任人=王强 投资额=5亿；值留空表示清空",
            show_default=False,
        ),
    ] = None,
    where: WhereOpt = None,
    kind: Annotated[str | None, typer.Option("--kind", "-k", help="批量：只改这张清单的条目")] = None,
    reason: ReasonOpt = None,
    force: Annotated[bool, typer.Option("--force", help="允许阶段回退或跨阶段（会被标记）")] = False,
    yes: YesOpt = False,
    dry_run: DryRunOpt = False,
) -> None:
    """修改条目的字段。改状态也可用这里（会记录状态变更）。

    批量修改：zs edit --where 责任人=王强 责任人=李静 —— 先列出将改动的每一处，确认后作为一条命令执行
    （zs undo 一次撤销全部）；--yes 不询问，--dry-run 只看不改。"""
    from .. import items
    from ..errors import ZsError

    if where or kind:
        if args and args[0].isdigit():
            raise ZsError(f"批量修改（--where）时不写编号「{args[0]}」：条目由条件选出")
        flt = items.Filter(kind=kind, where=list(where or []))
        _bulk(ctx, "edit", flt, yes, dry_run, values=pairs_of(args), reason=reason, force=force)
        return
    args = args or []
    if not args or not args[0].isdigit() or int(args[0]) < 1:
        raise ZsError("请写出条目编号和 字段=值，如 zs edit 3 责任人=王强；批量修改用 --where 条件")
    item_id, pairs = int(args[0]), args[1:]
    if not pairs:
        raise ZsError(f"请写出要把编号 {item_id} 改成什么：字段=值，如 责任人=王强")
    with state(ctx).command("edit") as db:
        changed = items.edit(db, item_id, pairs_of(pairs), reason=reason, force=force)
    if changed:
        kind_def = items.kind_of(db, item_id)
        labels = [db.defs.field(kind_def, k).label for k in changed]
        say(f"编号 {item_id} 已修改：{'、'.join(labels)}")
    else:
        say(f"编号 {item_id} 没有变化")


def _bulk(ctx: typer.Context, name: str, flt: Any, yes: bool, dry_run: bool, *, values: Any = None, **kw: Any) -> None:
    """Preview → confirm → the same change as one command (edit --where, close --where)."""
    from .. import bulk
    from ._app import argv, confirm
    from .history import change_lines

    st = state(ctx)
    db = st.open()
    run = bulk.edit_where if name == "edit" else bulk.close_where
    extra = {"values": values} if name == "edit" else {}
    preview = run(db, flt, user=st.user, args=argv(), **extra, **kw)
    lines = change_lines(db, preview.changes)
    shown = lines[:40]
    for line in shown:
        echo(line)
    if len(lines) > len(shown) or len(preview.changes) >= bulk.PREVIEW_CHANGES:
        echo(f"……（只列出前 {len(shown)} 处改动）")
    word = "修改" if name == "edit" else "销号"
    summary = f"符合条件 {len(preview.ids)} 个条目，将{word} {len(preview.changed)} 个"
    if preview.unchanged:
        summary += f"，{preview.unchanged} 个已是这样、不变"
    say(summary)
    if dry_run or not preview.changed:
        say("预演：没有写入" if dry_run else "没有需要修改的条目")
        return
    confirm(f"{word}这 {len(preview.changed)} 个条目？", yes)
    done = run(db, flt, user=st.user, args=argv(), apply=True, expect=preview.ids, **extra, **kw)
    st.committed = done.command_id
    say(f"已{word} {len(done.changed)} 个条目（第 {done.command_id} 次操作；zs undo 可一次撤销）")


def close(
    ctx: typer.Context,
    item_id: Annotated[int | None, typer.Argument(metavar="[编号]", help="条目编号（批量时不写）", min=1)] = None,
    reason: ReasonOpt = None,
    date: Annotated[str | None, typer.Option("--date", "-d", help="办结日期（默认今天）")] = None,
    where: WhereOpt = None,
    kind: Annotated[str | None, typer.Option("--kind", "-k", help="批量：只销号这张清单的条目")] = None,
    yes: YesOpt = False,
    dry_run: DryRunOpt = False,
) -> None:
    """销号：把条目改为其清单的终止状态（问题清单需用 --reason 写明办理结果）。

    批量：zs close --where 时限<2026-01-01 --kind 解决什么 --reason 已办结（预览、确认，一条命令）。"""
    from .. import items
    from ..errors import ZsError

    if where or kind:
        if item_id is not None:
            raise ZsError(f"批量销号（--where）时不写编号「{item_id}」：条目由条件选出")
        _bulk(ctx, "close", items.Filter(kind=kind, where=list(where or [])), yes, dry_run, reason=reason, on=date)
        return
    if item_id is None:
        raise ZsError("请写出要销号的条目编号，如 zs close 3；批量销号用 --where 条件")
    with state(ctx).command("close") as db:
        move = items.close(db, item_id, reason=reason, on=date)
    say(f"编号 {item_id}：{move.from_status} → {move.to_status}（{move.date}）")


def reopen(ctx: typer.Context, item_id: IdArg, reason: ReasonOpt = None) -> None:
    """重新打开已销号或终止的条目，回到销号前的状态。"""
    from .. import items

    with state(ctx).command("reopen") as db:
        move = items.reopen(db, item_id, reason=reason)
    say(f"编号 {item_id}：{move.from_status} → {move.to_status}")


def rm(ctx: typer.Context, item_id: IdArg) -> None:
    """删除条目（连同其对接记录、资金、状态记录）；可用 zs restore 编号 或 zs undo 恢复。"""
    from .. import items

    with state(ctx).command("rm") as db:
        rec = items.remove(db, item_id)
    say(f"已删除编号 {item_id}「{rec['title']}」。恢复：zs restore {item_id}")


def restore(ctx: typer.Context, item_id: IdArg) -> None:
    """恢复一个被删除的条目（从历史记录中找回）。"""
    from .. import items

    with state(ctx).command("restore") as db:
        items.restore(db, item_id)
        rec = items.get(db, item_id)
    say(f"已恢复编号 {item_id}「{rec['title']}」")

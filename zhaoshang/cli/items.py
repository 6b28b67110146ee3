"""Item commands: add, list, show, edit, close, reopen, rm, restore."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from ._app import ZsCommand, echo, out, say, state
from .options import Format, FormatOpt, IdArg, KindArg, PairsArg, ReasonOpt, pairs_of
from .output import emit, records


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
    chain: Annotated[str, typer.Option("--chain", "-c", help="所属产业链（必填）")] = "",
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
        str | None, typer.Argument(metavar="清单", help="清单（不填则列出全部清单的条目）", show_default=False)
    ] = None,
    pairs: PairsArg = None,
    chain: Annotated[str | None, typer.Option("--chain", "-c", help="产业链")] = None,
    status: Annotated[str | None, typer.Option("--status", "-s", help="状态，可用逗号分隔多个")] = None,
    owner: Annotated[str | None, typer.Option("--owner", "-o", help="责任人")] = None,
    leader: Annotated[
        str | None,
        typer.Option("--leader", "-l", help="包保领导：其包保的条目、在服务专班任领导的条目和所领产业链的全部条目"),
    ] = None,
    unit: Annotated[str | None, typer.Option("--unit", "-u", help="责任单位 / 招商主体")] = None,
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
    fmt: FormatOpt = Format.table,
) -> None:
    """列出条目，可按产业链、状态、责任人、单位、超期和任意字段筛选。

    字段条件：字段=值、字段!=值、字段~包含、字段>=值、字段<=值（含 > < 的条件在 shell 里要加引号，
    或写 ≥ ≤ ＞ ＜ ≠），例："投资额>=10000" 投资额≥10000 名称~铜
    """
    from .. import items
    from ..render import Column

    if (reached_from or reached_to) and not reached:
        from ..errors import ZsError

        raise ZsError(
            "--from/--to 要与 --reached 连用，如 zs list 招什么 --reached 已签约 --from 2026-11-01 --to 2026-11-30"
        )
    flt = items.Filter(
        kind=kind,
        chain=chain,
        status=status,
        owner=owner,
        leader=leader,
        unit=unit,
        overdue=overdue,
        open_only=open_only,
        where=list(pairs or []),
        sort=sort,
        descending=desc,
        limit=limit,
        reached=reached,
        reached_from=_day(reached_from, "--from"),
        reached_to=_day(reached_to, "--to"),
    )
    db = state(ctx).open()
    listing = items.list_items(db, flt)
    if fmt is Format.table:
        keys = ["id", "kind", "chain", "title", "status", "owner", "unit", "due"]
        if listing.kind is not None:
            keys.remove("kind")
        by_key = {f.key: f for f in listing.fields}
        cols = [
            _column(by_key.get(k) or db.defs.common_field(k), _header(db, listing.kind, k), db.defs.common_field(k))
            for k in keys
        ]
        if listing.kind is not None:
            cols += [_column(f, f.header) for f in listing.kind.fields if not f.sensitive][:6]
        shown = {c.key for c in cols}
        available = [*cols, *(_column(f, f.header) for f in listing.fields if f.key not in shown)]
        kind_names = {k.key: k.name for k in db.defs.kinds}
        emit(
            listing.rows,
            cols,
            fmt,
            available=available,
            display={"kind": lambda r: kind_names.get(r["kind"], r["kind"]), **_money_display(listing.kind)},
        )
        say(f"共 {len(listing.rows)} 条")
    else:
        emit(listing.rows, [Column(f.key, f.header) for f in listing.fields], fmt)


def _column(field: Any, header: str, common: Any = None) -> Any:
    """A list column; a common field (a kind's own 项目名称 for title) keeps the common priority."""
    from ..render import Column

    right = field.key == "id" or field.type in ("money", "number", "integer")
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
    return {
        f.key: (lambda r, f=f: to_display(f, r.get(f.key)))
        for f in kind.fields
        if f.type in ("money", "number", "bool")
    }


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
    shown = dict(rec)
    shown["kind"] = f"{kind.name}（{kind.key}）"
    for f in kind.fields:
        shown[f.key] = to_display(f, rec.get(f.key))
    render_record(shown, [(f.key, f.header) for f in fields if shown.get(f.key) not in (None, "")], "table", out())
    for section in items.detail_sections(db, item_id, details):
        echo("")
        echo(section)


def edit(
    ctx: typer.Context,
    item_id: IdArg,
    pairs: Annotated[
        list[str], typer.Argument(metavar="字段=值...", help="字段=值，如 责任人=王强 投资额=5亿；值留空表示清空")
    ],
    reason: ReasonOpt = None,
    force: Annotated[bool, typer.Option("--force", help="允许阶段回退或跨阶段（会被标记）")] = False,
) -> None:
    """修改条目的字段。改状态也可用这里（会记录状态变更）。"""
    from .. import items

    with state(ctx).command("edit") as db:
        changed = items.edit(db, item_id, pairs_of(pairs), reason=reason, force=force)
    if changed:
        kind = items.kind_of(db, item_id)
        labels = [db.defs.field(kind, k).label for k in changed]
        say(f"编号 {item_id} 已修改：{'、'.join(labels)}")
    else:
        say(f"编号 {item_id} 没有变化")


def close(
    ctx: typer.Context,
    item_id: IdArg,
    reason: ReasonOpt = None,
    date: Annotated[str | None, typer.Option("--date", "-d", help="办结日期（默认今天）")] = None,
) -> None:
    """销号：把条目改为其清单的终止状态（问题清单需用 --reason 写明办理结果）。"""
    from .. import items

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

"""Item commands: add, list, show, edit, close, reopen, rm, restore."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import typer

from . import complete
from ._app import ZsCommand, echo, out, say, state
from .options import Format, FormatOpt, IdArg, KindArg, PairsArg, ReasonOpt, YesOpt, pairs_of, when
from .output import choose, emit, records

T = TypeVar("T")


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
        typer.Option(
            "--date",
            "-d",
            help="登记日期：条目何时进库（补录往期数据时填，默认今天；新增数按它统计）",
            click_type=when("day"),
        ),
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
    reached_from: Annotated[
        str | None, typer.Option("--from", help="与 --reached 连用：开始日期（含）", click_type=when("from"))
    ] = None,
    reached_to: Annotated[
        str | None, typer.Option("--to", help="与 --reached 连用：结束日期（含）", click_type=when("to"))
    ] = None,
    where: Annotated[
        list[str] | None,
        typer.Option(
            "--where", "-w", help="筛选条件（可重复），同 字段=值 参数，如 --where 责任人=王强", show_default=False
        ),
    ] = None,
    fmt: FormatOpt = Format.table,
    save: Annotated[
        str | None,
        typer.Option("--save", help="把这次的筛选条件存为一个名字，之后用 zs list @名字 再用", show_default=False),
    ] = None,
) -> None:
    """列出条目，可按产业链、状态、责任人、单位、超期和任意字段筛选。

    字段条件：字段=值、字段!=值、字段~包含、字段>=值、字段<=值（含 > < 的条件在 shell 里要加引号，
    或写 ≥ ≤ ＞ ＜ ≠），例："投资额>=10000" 投资额≥10000 名称~铜

    保存筛选：zs list 招什么 --owner 王芳 --save 我的；之后 zs list @我的（可再加条件）。
    存在配置文件旁的 filters.toml 里（每个筛选一个表，可以手改）。
    """
    from .. import items

    given: dict[str, Any] = {
        "kind": kind,
        "chain": chain,
        "status": status,
        "owner": owner,
        "leader": leader,
        "unit": unit,
        "overdue": overdue,
        "open_only": open_only,
        "where": [*(pairs or []), *(where or [])],
        "sort": sort,
        "desc": desc,
        "limit": limit,
        "reached": reached,
        "reached_from": reached_from,
        "reached_to": reached_to,
    }
    if kind is not None and kind.startswith("@"):
        given = _with_saved(kind[1:], given)
    if save is not None:
        from ..config import save_filter

        path = save_filter(save, given)
        say(f"已保存筛选「{save.strip()}」（{path}）：之后用 zs list @{save.strip()}")
    kind, chain, status, owner, leader = (given[k] for k in ("kind", "chain", "status", "owner", "leader"))
    unit, overdue, open_only, sort, desc = (given[k] for k in ("unit", "overdue", "open_only", "sort", "desc"))
    limit, reached, reached_from, reached_to = (given[k] for k in ("limit", "reached", "reached_from", "reached_to"))
    pairs, where = list(given["where"]), []
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
    say(shown_of(count, limit, lambda: items.count_items(db, flt)))


def shown_of(count: int, limit: int | None, total: Any, noun: str = "条") -> str:
    """「共 N 条」, or 「显示 3 条，共 57 条」 when ``--limit`` cut the listing (``total()``
    counts, only then)."""
    if limit is not None and count >= limit:
        whole = total()
        if whole > count:
            return f"显示 {count} {noun}，共 {whole} {noun}（--limit 调整显示条数）"
    return f"共 {count} {noun}"


def _with_saved(name: str, given: dict[str, Any]) -> dict[str, Any]:
    """The saved filter ``name`` under what was typed: a value typed replaces the saved one,
    conditions (字段=值, --where) add to the saved ones, a flag typed is set."""
    from ..config import saved_filters
    from ..errors import ZsError

    found = saved_filters()
    if name not in found:
        known = "、".join(f"@{n}" for n in found) or "还没有（zs list 条件… --save 名字 保存）"
        raise ZsError(f"没有名为「{name}」的保存筛选。已有：{known}")
    out = {**given, "kind": None}
    for key, value in found[name].items():
        if key == "where":
            out["where"] = [*value, *given["where"]]
        elif isinstance(value, bool):
            out[key] = bool(given[key]) or value
        elif out.get(key) is None:
            out[key] = value
    return out


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


IdsArg = Annotated[
    list[str],
    typer.Argument(metavar="编号...", help="条目编号，可写多个：80 81、80,81、80-83", show_default=False),
]


_IDS = re.compile(r"^\d+(?:-\d+)?(?:[,，、]\d+(?:-\d+)?)*[,，、]?$")
#: at most this many ids in one command line (a range such as 1-99999999 is a typo)
MAX_IDS = 10000


def is_ids(token: str) -> bool:
    """Whether ``token`` is one or several ids: 15、15,16、15-18."""
    from ..parse import to_halfwidth

    return _IDS.match(to_halfwidth(token).strip()) is not None


def ids_of(tokens: list[str]) -> list[int]:
    """The ids written as 80 81、80,81 or 80-83 (Taskwarrior's forms), in order, once each."""
    from ..errors import ZsError
    from ..parse import to_halfwidth

    out: list[int] = []
    for token in tokens:
        if not is_ids(token):
            raise ZsError(f"「{token}」不是条目编号：编号写成 15、15,16 或 15-18")
        for part in re.split(r"[,，、]", to_halfwidth(token).strip()):
            if not part:
                continue
            lo, _, hi = part.partition("-")
            a, b = int(lo), int(hi or lo)
            if a < 1 or b < a:
                raise ZsError(f"编号「{part}」不对：编号从 1 起，范围写成 小-大，如 15-18")
            if b - a >= MAX_IDS or len(out) + b - a >= MAX_IDS:
                raise ZsError(f"一次最多写 {MAX_IDS} 个编号：多的请用 --where 条件批量选取")
            out.extend(range(a, b + 1))
    return list(dict.fromkeys(out))


def write(ctx: typer.Context, name: str, dry_run: bool, work: Callable[[Any], T]) -> T | None:
    """``work(db)`` as one recorded command (several ids: one history entry, one undo); or,
    with ``dry_run``, the same code rehearsed and rolled back, its changes listed: returns
    None then, having said it wrote nothing."""
    from .. import bulk
    from ._app import argv
    from .history import change_lines

    st = state(ctx)
    if not dry_run:
        with st.command(name) as db:
            return work(db)
    db = st.open()
    rehearsal = bulk.rehearse(db, name, work, user=st.user, args=argv())
    for guess in rehearsal.guesses:
        say(guess.message)
    lines = change_lines(db, rehearsal.changes)
    for line in lines[:40]:
        echo(line)
    if len(lines) > 40 or len(rehearsal.changes) >= bulk.PREVIEW_CHANGES:
        echo("……（只列出前 40 处改动）")
    say("预演：没有写入" if lines else "预演：没有需要修改的，没有写入")
    return None


def edit(
    ctx: typer.Context,
    args: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[编号...] 字段=值...",
            help="编号（可写多个：15 16、15,16、15-18）和 字段=值，如 3 责任人=王强 投资额=5亿；值留空表示清空",
            show_default=False,
        ),
    ] = None,
    where: WhereOpt = None,
    kind: Annotated[str | None, typer.Option("--kind", "-k", help="批量：只改这张清单的条目")] = None,
    reason: ReasonOpt = None,
    force: Annotated[bool, typer.Option("--force", help="允许阶段回退或跨阶段（会被标记）")] = False,
    yes: YesOpt = False,
    dry_run: DryRunOpt = False,
    editor: Annotated[
        str | None,
        typer.Option(
            "--edit",
            "-e",
            help="用编辑器（$EDITOR）写这个字段的长文字，如 --edit 进展；打开时是现在的内容",
            show_default=False,
        ),
    ] = None,
) -> None:
    """修改条目的字段。改状态也可用这里（会记录状态变更）。

    几个条目一起改：zs edit 15 16 优先级=A（或 15,16、15-18），作为一条命令执行（zs undo 一次撤销）。
    批量修改：zs edit --where 责任人=王强 责任人=李静 —— 先列出将改动的每一处，确认后作为一条命令执行
    （zs undo 一次撤销全部）；--yes 不询问，--dry-run 只看不改（写编号时同样只看不改）。"""
    from .. import items
    from ..errors import ZsError

    if where or kind:
        if args and is_ids(args[0]):
            raise ZsError(f"批量修改（--where）时不写编号「{args[0]}」：条目由条件选出")
        if editor:
            raise ZsError("--edit 只用于写明编号的修改，如 zs edit 15 --edit 进展")
        flt = items.Filter(kind=kind, where=list(where or []))
        _bulk(ctx, "edit", flt, yes, dry_run, values=pairs_of(args), reason=reason, force=force)
        return
    args = args or []
    n = next((i for i, a in enumerate(args) if not is_ids(a)), len(args))
    if n == 0:
        raise ZsError("请写出条目编号和 字段=值，如 zs edit 3 责任人=王强；批量修改用 --where 条件")
    ids, pairs = ids_of(args[:n]), args[n:]
    values: dict[str, object] = dict(pairs_of(pairs))
    if editor:
        values[editor] = _edited(ctx, ids, editor, values.get(editor))
    if not values:
        raise ZsError(f"请写出要把编号 {_ids_text(ids)} 改成什么：字段=值，如 责任人=王强")

    def work(db: Any) -> list[tuple[int, list[str]]]:
        return [(i, items.edit(db, i, values, reason=reason, force=force)) for i in ids]

    done = write(ctx, "edit", dry_run, work)
    if done is None:
        return
    db = state(ctx).open()
    for item_id, changed in done:
        if changed:
            kind_def = items.kind_of(db, item_id)
            labels = [db.defs.field(kind_def, k).label for k in changed]
            say(f"编号 {item_id} 已修改：{'、'.join(labels)}")
        else:
            say(f"编号 {item_id} 没有变化")
    from ..increments import held_by

    for c in held_by(db, db.committed):  # (zs review own 开, a 填报 account: a counted amount waits)
        say(
            f"编号 {c.item_id} {c.label} {c.old or 0:g} → {c.new:g} {c.unit}待认定（编号 Z{c.id}）："
            f"认定后才改{c.label}、计入签约额（zs review confirm Z{c.id}）"
        )
    _one_command(ctx, ids)


def _ids_text(ids: list[int]) -> str:
    return "、".join(map(str, ids[:5])) + ("…" if len(ids) > 5 else "")


def _one_command(ctx: typer.Context, ids: list[int]) -> None:
    """For several ids: the change was one command (one undo)."""
    done = state(ctx).open().committed
    if len(ids) > 1 and done is not None:
        say(f"以上 {len(ids)} 个条目是一次操作（第 {done} 次；zs undo 可一次撤销）")


def _edited(ctx: typer.Context, ids: list[int], name: str, given: object) -> str:
    """A long text field written in $EDITOR (starting from what is stored, or from what
    was given on the line)."""
    from .. import items
    from ..errors import ZsError

    if len(ids) != 1:
        raise ZsError("--edit 一次只编辑一个条目的字段：请只写一个编号")
    db = state(ctx).open()
    kind = items.kind_of(db, ids[0])
    f = db.defs.field(kind, name)
    start = given if given is not None else items.get(db, ids[0]).get(f.key)
    return edit_text("" if start is None else str(start), what=f"编号 {ids[0]} 的「{f.label}」")


def edit_text(start: str, *, what: str) -> str:
    """Text written in the user's editor ($VISUAL / $EDITOR), starting from ``start``.
    Lines beginning with # are dropped.  Closing it unchanged or empty cancels."""
    import os
    import shlex
    import subprocess
    import tempfile
    from pathlib import Path

    from ..errors import ZsError

    head = f"# 请写{what}；以 # 开头的行不保存；存盘退出即生效，清空则取消\n"
    first = head + start + ("\n" if start and not start.endswith("\n") else "")
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or ("notepad" if os.name == "nt" else "vi")
    fd, name = tempfile.mkstemp(suffix=".txt", prefix="zs-")
    path = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(first)
        try:
            code = subprocess.call([*shlex.split(editor), str(path)])
        except (OSError, ValueError) as exc:
            raise ZsError(f"打不开编辑器「{editor}」：{exc}（用环境变量 EDITOR 指定，如 EDITOR=nano）") from None
        if code != 0:
            raise ZsError(f"编辑器「{editor}」没有正常退出（退出码 {code}）：已取消，没有做任何修改")
        text = path.read_text(encoding="utf-8")
    finally:
        path.unlink(missing_ok=True)
    if text == first:
        raise ZsError("编辑器里没有保存：已取消，没有做任何修改")
    body = "\n".join(line for line in text.splitlines() if not line.startswith("#")).strip()
    if not body:
        raise ZsError("编辑器里的内容为空：已取消，没有做任何修改")
    return body


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
    for guess in preview.guesses:
        say(guess.message)
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
    item_ids: Annotated[
        list[str] | None,
        typer.Argument(metavar="[编号...]", help="条目编号，可写多个：80 81、80,81（批量时不写）", show_default=False),
    ] = None,
    reason: ReasonOpt = None,
    date: Annotated[
        str | None, typer.Option("--date", "-d", help="办结日期（默认今天）", click_type=when("day"))
    ] = None,
    where: WhereOpt = None,
    kind: Annotated[str | None, typer.Option("--kind", "-k", help="批量：只销号这张清单的条目")] = None,
    yes: YesOpt = False,
    dry_run: DryRunOpt = False,
) -> None:
    """销号：把条目改为其清单的终止状态（问题清单需用 --reason 写明办理结果）。

    几个条目一起：zs close 80 81 -r 已办结（一条命令，zs undo 一次撤销）；--dry-run 只看不改。
    批量：zs close --where 时限<2026-01-01 --kind 解决什么 --reason 已办结（预览、确认，一条命令）。"""
    from .. import items
    from ..errors import ZsError

    if where or kind:
        if item_ids:
            raise ZsError(f"批量销号（--where）时不写编号「{item_ids[0]}」：条目由条件选出")
        _bulk(ctx, "close", items.Filter(kind=kind, where=list(where or [])), yes, dry_run, reason=reason, on=date)
        return
    if not item_ids:
        raise ZsError("请写出要销号的条目编号，如 zs close 3；批量销号用 --where 条件")
    ids = ids_of(item_ids)
    done = write(ctx, "close", dry_run, lambda db: [items.close(db, i, reason=reason, on=date) for i in ids])
    for move in done or []:
        say(f"编号 {move.item_id}：{move.from_status} → {move.to_status}（{move.date}）")
    if done is not None:
        _one_command(ctx, ids)


def reopen(ctx: typer.Context, item_ids: IdsArg, reason: ReasonOpt = None) -> None:
    """重新打开已销号或终止的条目，回到销号前的状态（可写多个编号，一条命令）。"""
    from .. import items

    ids = ids_of(item_ids)
    done = write(ctx, "reopen", False, lambda db: [items.reopen(db, i, reason=reason) for i in ids])
    for move in done or []:
        say(f"编号 {move.item_id}：{move.from_status} → {move.to_status}")
    _one_command(ctx, ids)


def rm(ctx: typer.Context, item_ids: IdsArg) -> None:
    """删除条目（连同其对接记录、资金、状态记录）；可用 zs restore 编号 或 zs undo 恢复。可写多个编号：zs rm 80 81。"""
    from .. import items

    ids = ids_of(item_ids)
    done = write(ctx, "rm", False, lambda db: [items.remove(db, i) for i in ids])
    for rec in done or []:
        say(f"已删除编号 {rec['id']}「{rec['title']}」。恢复：zs restore {rec['id']}")
    _one_command(ctx, ids)


def restore(ctx: typer.Context, item_id: IdArg) -> None:
    """恢复一个被删除的条目（从历史记录中找回）。"""
    from .. import items

    with state(ctx).command("restore") as db:
        items.restore(db, item_id)
        rec = items.get(db, item_id)
    say(f"已恢复编号 {item_id}「{rec['title']}」")

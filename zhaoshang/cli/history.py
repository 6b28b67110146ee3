"""history [ID], undo."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from ..errors import ZsError
from ._app import ZsCommand, ZsGroup, confirm, echo, new_app, out, say, state
from .options import Format, FormatOpt, YesOpt, when
from .output import emit, records, shape


class HistoryGroup(ZsGroup):
    """``zs history [编号]`` lists (the ``list`` subcommand is the default);
    ``zs history prune`` folds."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and args[0] not in ("-h", "--help")):
            args = ["list", *args]
        return super().parse_args(ctx, args)


def register(app: typer.Typer) -> None:
    sub = new_app(
        "history",
        "每一次修改：谁、何时、哪条命令、改了什么；zs history prune 折叠旧历史、收回空间",
        cls=HistoryGroup,
        no_args_is_help=False,
    )
    sub.command("list", cls=ZsCommand)(records(history))
    sub.command("prune", cls=ZsCommand)(prune)
    app.add_typer(
        sub, name="history", help="每一次修改：谁、何时、哪条命令、改了什么（zs history [编号]）；prune 折叠旧历史"
    )
    app.command("undo", cls=ZsCommand)(undo)


def prune(
    ctx: typer.Context,
    before: Annotated[
        str,
        typer.Option(
            "--before",
            help="折叠这一天以前的历史（不含这一天），如 2026-01-01；明天 = 到今天为止的全部",
            click_type=when("day"),
        ),
    ],
    yes: YesOpt = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="只显示将折叠多少、能收回多少空间，不写入")] = False,
) -> None:
    """折叠旧历史：这一天以前的操作只留下「谁、何时、运行了什么」，逐行改动明细删除，再收回磁盘空间（VACUUM）。

    之后的操作不受影响，仍可 zs undo；折叠以前的操作不能再撤销，当时删除的条目不能再 zs restore。"""
    from datetime import date

    from .. import history as hist
    from ..errors import ZsError
    from ..pipeline.common import to_date

    day = to_date(before, what="--before")
    assert day is not None
    tomorrow = date.fromordinal(date.today().toordinal() + 1)
    if day > tomorrow:
        raise ZsError(f"--before {day} 晚于明天：最多折叠到今天为止的全部历史（--before 明天）")
    st = state(ctx)
    db = st.open()
    plan = hist.prune_plan(db, day.isoformat())
    mb = 1024 * 1024
    say(
        f"{day} 以前：{plan.commands} 次操作、{plan.changes} 处改动明细（约 {plan.change_bytes / mb:.1f} MB）；"
        f"文件中另有空闲 {plan.free_bytes / mb:.1f} MB；数据库现在 {plan.file_bytes / mb:.1f} MB"
    )
    if plan.unrestorable:
        say(f"其中 {plan.unrestorable} 个当时删除的条目的记录将一并清除，之后不能再 zs restore")
    if plan.oldest_kept:
        say(f"{plan.oldest_kept} 以后的操作保留完整，仍可 zs undo")
    else:
        say("全部操作都将折叠：之后 zs undo 不能撤销其中任何一次")
    if dry_run:
        say("预演：没有写入")
        return
    if plan.changes == 0 and plan.free_bytes == 0:
        say("没有需要折叠的历史，也没有可收回的空间")
        return
    confirm(f"折叠 {day} 以前的历史并收回空间？", yes)
    from ..integrity import quick_problems

    found = quick_problems(db)  # (about 1.2 s per 100,000 items) VACUUM rewrites every page
    if found is not None:
        raise ZsError(
            f"折叠前的检查发现数据库已损坏（{found.problems[0].text}）：没有折叠。请先运行 zs check 查看处理办法"
        )
    with st.command(hist.PRUNE_COMMAND) as db:
        hist.prune(db, day.isoformat())
    after = hist.reclaim(db, db.committed or 0)
    say(f"已折叠 {plan.commands} 次操作的改动明细；数据库 {plan.file_bytes / mb:.1f} MB → {after / mb:.1f} MB")


def history(
    ctx: typer.Context,
    item_id: Annotated[
        int | None, typer.Argument(metavar="编号", help="条目编号（不填则看最近的操作）", show_default=False)
    ] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", help="最多显示多少次操作", min=1)] = 20,
    mask: Annotated[bool, typer.Option("--mask", help="电话、身份证号、邮箱打码（命令和新旧值里的都一样）")] = False,
    fmt: FormatOpt = Format.table,
) -> None:
    """每一次修改：谁、何时、哪条命令、改了什么（旧值 → 新值）。"""
    from .. import history as hist
    from ..privacy import mask_text
    from ..render import to_json, to_yaml

    db = state(ctx).open()
    entries = hist.commands(db, item_id=item_id, limit=limit)
    if fmt in (Format.csv, Format.tsv) or (fmt is not Format.table and shape().columns):
        _flat(entries, fmt, mask)
        return
    if fmt is not Format.table:
        data = [_entry_json(e) for e in entries]
        text = to_json(data) if fmt is not Format.yaml else to_yaml(data)
        out().write(mask_text(text) if mask else text)
        return
    if shape().columns:
        raise ZsError("history 的表格按操作分段显示，不分列：--columns 请与 -f csv、tsv、json 或 yaml 连用")
    show = mask_text if mask else str
    if not entries:
        say("还没有任何修改记录")
        return
    folded = hist.folded_through(db)
    for e in entries:
        # one line per command, whatever the user name or the arguments hold (a newline in
        # either would print a line looking like another command)
        head = f"#{e.id}  {e.at}  {one_line(e.user)}  {one_line(e.args or e.name)}"
        if e.id <= folded and not e.changes and e.name != hist.PRUNE_COMMAND:
            echo(show(f"{head}（改动明细已折叠）"))
            continue
        mark = "（已撤销）" if e.undone_by else ""
        undo = f"（撤销第 {e.undo_of} 次操作）" if e.undo_of else ""
        echo(show(f"{head}{mark}{undo}"))
        echo(f"    {e.summary()}")
        lines = change_lines(db, e.changes)
        for line in lines[:12]:
            echo(show(f"    {line}"))
        if len(lines) > 12 or e.total > len(e.changes):
            echo(f"    …共 {e.total} 处改动")


def one_line(text: str) -> str:
    """``text`` on one line: line breaks shown as ⏎ (the command line keeps them otherwise)."""
    if "\n" not in text and "\r" not in text:
        return text
    return text.replace("\r\n", "⏎").replace("\n", "⏎").replace("\r", "⏎")


def _labels(db: Any) -> dict[str, str]:
    labels = {f.key: f.label for f in db.defs.common}
    labels.update(chain_id="产业链", unit_id="责任单位")
    # 报送 → 认定 (zs review)
    labels.update(review="认定", reviewed_by="认定人", reviewed_at="认定时间", review_note="认定意见", evidence="依据")
    labels.update(submitted_by="报送操作")
    for k in db.defs.kinds:
        labels.update({f.key: f.label for f in k.fields})
    return labels


def _show(db: Any, key: str, value: object) -> str:
    if value in (None, ""):
        return "（空）"
    if key == "review":
        from ..counted import REVIEW_NAMES

        return REVIEW_NAMES.get(str(value), str(value))
    table = {"chain_id": "chains", "unit_id": "units"}.get(key)
    if table:
        row = db.conn.execute(f"SELECT name FROM {table} WHERE id = ?", (value,)).fetchone()
        if row:
            return str(row[0])
    if isinstance(value, float):
        from ..parse import format_money

        return format_money(value)
    return str(value)


def change_lines(db: Any, changes: Any) -> list[str]:
    """History rows as lines people read: 编号 3  责任人：王强 → 李静."""
    lines = []
    labels = _labels(db)
    words = {"insert": "新增", "update": "修改", "delete": "删除"}
    for ch in changes:
        if ch.table == "meta":  # the fold of history prune: said by the summary line
            continue
        if ch.table == "items" and ch.action != "update":
            row = ch.old or ch.new or {}
            lines.append(f"{words[ch.action]} 编号 {ch.row_id}「{one_line(str(row.get('title') or ''))}」")
            continue
        if ch.action != "update":
            continue
        diffs = "；".join(
            f"{labels.get(k, k)}：{one_line(_show(db, k, a))} → {one_line(_show(db, k, b))}"
            for k, (a, b) in ch.fields().items()
        )
        if diffs:
            who = f"编号 {ch.item_id}" if ch.item_id else f"{ch.table} {ch.row_id}"
            lines.append(f"{who}  {diffs}")
    return lines


_FLAT = (
    ("id", "操作号"),
    ("at", "时间"),
    ("user", "操作人"),
    ("command", "命令"),
    ("args", "命令行"),
    ("summary", "改动"),
    ("changes_total", "改动数"),
    ("undone_by", "撤销于"),
    ("undo_of", "撤销的操作"),
)


def _flat(entries: Any, fmt: Format, mask: bool) -> None:
    """One row per command (CSV/TSV, or any format with --columns): no row-by-row changes."""
    from ..privacy import mask_text
    from ..render import Column

    show = mask_text if mask else str
    rows = [
        {
            "id": e.id,
            "at": e.at,
            "user": e.user,
            "command": e.name,
            "args": show(e.args),
            "summary": show(e.summary()),
            "changes_total": e.total,
            "undone_by": e.undone_by,
            "undo_of": e.undo_of,
        }
        for e in entries
    ]
    emit(rows, [Column(k, h) for k, h in _FLAT], fmt)


def _entry_json(e: Any) -> dict[str, Any]:
    return {
        "id": e.id,
        "command": e.name,
        "args": e.args,
        "user": e.user,
        "at": e.at,
        "undone_by": e.undone_by,
        "undo_of": e.undo_of,
        "changes_total": e.total,
        "changes": [
            {"table": c.table, "row_id": c.row_id, "item_id": c.item_id, "action": c.action, "old": c.old, "new": c.new}
            for c in e.changes
        ],
    }


def undo(
    ctx: typer.Context,
    number: Annotated[
        int | None,
        typer.Argument(
            metavar="操作号",
            help="撤销第几次操作（zs history 里 # 后的数字；不填则撤销最近一次）",
            show_default=False,
        ),
    ] = None,
    yes: YesOpt = False,
    any_user: Annotated[
        bool, typer.Option("--any-user", help="要撤销的操作是别人的也撤销（默认只撤销自己的）")
    ] = False,
) -> None:
    """撤销最近一次修改数据的命令（整条命令一起撤销）；zs undo 操作号 撤销更早的某一次。

    撤销的正是确认时显示的那一条：确认期间别人又写入了，只要新写入的没有改动同样的数据，照样撤销它；
    否则什么也不撤销，并指出是哪一条。撤销更早的操作同理：之后的操作改过同样的数据时拒绝，并列出它们。
    别人的操作要加 --any-user。
    """
    from .. import history as hist

    st = state(ctx)
    db = st.open()
    if number is None:
        shown = hist.last_undoable(db, with_changes=False)
    else:
        shown = hist.undoable(db, number)
        hist.check_dependents(db, shown)  # before asking (checked again under the write lock)
    hist.check_owner(shown, user=st.user, any_user=any_user)  # before asking
    question = f"撤销 #{shown.id} {shown.at} {one_line(shown.user)}「{one_line(shown.args or shown.name)}」"
    confirm(f"{question}（{shown.summary()}）？", yes)
    with st.command("undo") as db:
        if number is None:
            target, n = hist.undo_last(db, expected=shown.id, user=st.user, any_user=any_user)
        else:
            target, n = hist.undo_command(db, number, user=st.user, any_user=any_user)
    say(f"已撤销 #{target.id}「{one_line(target.args or target.name)}」，恢复了 {n} 处改动（{target.summary()}）")

"""history [ID], undo."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from ._app import ZsCommand, confirm, echo, out, say, state
from .options import Format, FormatOpt, YesOpt


def register(app: typer.Typer) -> None:
    app.command("history", cls=ZsCommand)(history)
    app.command("undo", cls=ZsCommand)(undo)


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
    if fmt is not Format.table:
        data = [_entry_json(e) for e in entries]
        text = to_json(data) if fmt is not Format.yaml else to_yaml(data)
        out().write(mask_text(text) if mask else text)
        return
    show = mask_text if mask else str
    if not entries:
        say("还没有任何修改记录")
        return
    for e in entries:
        mark = "（已撤销）" if e.undone_by else ""
        undo = f"（撤销第 {e.undo_of} 次操作）" if e.undo_of else ""
        echo(show(f"#{e.id}  {e.at}  {e.user}  {e.args or e.name}{mark}{undo}"))
        echo(f"    {e.summary()}")
        lines = change_lines(db, e.changes)
        for line in lines[:12]:
            echo(show(f"    {line}"))
        if len(lines) > 12 or e.total > len(e.changes):
            echo(f"    …共 {e.total} 处改动")


def _labels(db: Any) -> dict[str, str]:
    labels = {f.key: f.label for f in db.defs.common}
    labels.update(chain_id="产业链", unit_id="责任单位")
    for k in db.defs.kinds:
        labels.update({f.key: f.label for f in k.fields})
    return labels


def _show(db: Any, key: str, value: object) -> str:
    if value in (None, ""):
        return "（空）"
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
        if ch.table == "items" and ch.action != "update":
            row = ch.old or ch.new or {}
            lines.append(f"{words[ch.action]} 编号 {ch.row_id}「{row.get('title', '')}」")
            continue
        if ch.action != "update":
            continue
        diffs = "；".join(
            f"{labels.get(k, k)}：{_show(db, k, a)} → {_show(db, k, b)}" for k, (a, b) in ch.fields().items()
        )
        if diffs:
            who = f"编号 {ch.item_id}" if ch.item_id else f"{ch.table} {ch.row_id}"
            lines.append(f"{who}  {diffs}")
    return lines


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
    yes: YesOpt = False,
    any_user: Annotated[
        bool, typer.Option("--any-user", help="最近一次修改是别人的也撤销（默认只撤销自己的）")
    ] = False,
) -> None:
    """撤销最近一次修改数据的命令（整条命令一起撤销）。

    撤销的正是确认时显示的那一条：确认期间别人又写入了，就什么也不撤销。别人的操作要加 --any-user。
    """
    from .. import history as hist

    st = state(ctx)
    db = st.open()
    shown = hist.last_undoable(db, with_changes=False)
    hist.check_owner(shown, user=st.user, any_user=any_user)  # before asking
    confirm(f"撤销 #{shown.id} {shown.at} {shown.user}「{shown.args or shown.name}」（{shown.summary()}）？", yes)
    with st.command("undo") as db:
        target, n = hist.undo_last(db, expected=shown.id, user=st.user, any_user=any_user)
    say(f"已撤销 #{target.id}「{target.args or target.name}」，恢复了 {n} 处改动")

"""search TEXT."""

from __future__ import annotations

from typing import Annotated

import typer

from ._app import ZsCommand, say, state
from .options import Format, FormatOpt
from .output import emit, records


def register(app: typer.Typer) -> None:
    app.command("search", cls=ZsCommand)(records(search))


def search(
    ctx: typer.Context,
    words: Annotated[
        list[str],
        typer.Argument(metavar="文字...", help="要找的文字（任意长度的中文片段；多个词用空格分开，不必加引号）"),
    ],
    kind: Annotated[str | None, typer.Option("--kind", "-k", help="只在某张清单里找")] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", help="最多显示条数", min=1)] = 200,
    fmt: FormatOpt = Format.table,
) -> None:
    """在全部清单中搜索名称、备注和文字字段（不分繁简、全角半角）；「匹配于」说明在哪一项找到。"""
    from .. import search as core
    from ..render import Column

    db = state(ctx).open()
    rows = core.search(db, " ".join(words), kind=kind, limit=limit)  # zs search 铜 矿 = zs search "铜 矿"
    names = {k.key: k.name for k in db.defs.kinds}
    cols = [
        Column("id", "编号", "right"),
        Column("kind", "清单"),
        Column("chain", "产业链"),
        Column("title", "名称"),
        Column("status", "状态"),
        Column("owner", "责任人"),
        Column("unit", "责任单位"),
        Column("matched", "匹配于"),
    ]
    if rows or fmt is not Format.table:  # (no hits: no empty table, the count says it)
        emit(rows, cols, fmt, display={"kind": lambda r: names.get(r["kind"], r["kind"])})
    if fmt is Format.table:
        say(f"找到 {len(rows)} 条" + ("（已达上限，可用 --limit 调整）" if len(rows) >= limit else ""))

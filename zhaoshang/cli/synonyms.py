"""synonym add|list|rm — an office's own words for enum values and statuses."""

from __future__ import annotations

from typing import Annotated

import typer

from ._app import ZsCommand, new_app, say, state
from .options import Format, FormatOpt
from .output import emit, records


def register(app: typer.Typer) -> None:
    sub = new_app("synonym", "同义词")

    @sub.command("add", cls=ZsCommand)
    def add(
        ctx: typer.Context,
        kind: Annotated[str, typer.Argument(metavar="清单", help="如 找谁招")],
        field: Annotated[str, typer.Argument(metavar="字段", help="可选值字段，如 类别；或 状态")],
        value: Annotated[str, typer.Argument(metavar="值", help="定义里的可选值，如 在京人员")],
        words: Annotated[list[str], typer.Argument(metavar="同义词...", help="各地的叫法，如 部委工作人员")],
    ) -> None:
        """教给系统各地的叫法：导入、add、edit、筛选都认。例：zs synonym add 找谁招 类别 在京人员 部委工作人员"""
        from .. import synonyms

        with state(ctx).command("synonym add") as db:
            made = synonyms.add(db, kind, field, value, words)
        if not made:
            say("这些词已经表示这个值，无需添加")
        for s in made:
            say(f"已添加：「{s.kind}」{s.field}「{s.word}」→「{s.value}」")

    @sub.command("list", cls=ZsCommand, help="列出已添加的同义词")
    @records
    def list_(ctx: typer.Context, fmt: FormatOpt = Format.table) -> None:
        from .. import synonyms
        from ..render import Column

        rows = [s.__dict__ for s in synonyms.list_all(state(ctx).open())]
        cols = [Column("id", "编号", "right"), Column("kind", "清单"), Column("field", "字段"),
                Column("value", "值"), Column("word", "同义词")]  # fmt: skip
        emit(rows, cols, fmt)

    @sub.command("rm", cls=ZsCommand, help="删除一个同义词（zs undo 可恢复）")
    def rm(
        ctx: typer.Context,
        kind: Annotated[str, typer.Argument(metavar="清单")],
        word: Annotated[str, typer.Argument(metavar="同义词")],
    ) -> None:
        from .. import synonyms

        with state(ctx).command("synonym rm") as db:
            s = synonyms.remove(db, kind, word)
        say(f"已删除：「{s.kind}」{s.field}「{s.word}」→「{s.value}」")

    app.add_typer(sub, name="synonym", help="同义词：各地对可选值、状态的叫法（部委工作人员 → 在京人员）")

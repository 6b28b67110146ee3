"""chain add|list|show|edit|rm and unit add|list|show|edit|rm — one implementation."""

from __future__ import annotations

from typing import Annotated

import typer

from ._app import ZsCommand, echo, new_app, out, say, state
from .options import Format, FormatOpt
from .output import emit, records

NameArg = Annotated[str, typer.Argument(metavar="名称", help="名称")]
PairsArg = Annotated[
    list[str] | None,
    typer.Argument(metavar="项=值...", help="项=值，如 包保领导=张伟 牵头单位=工信局", show_default=False),
]


def register(app: typer.Typer) -> None:
    from ..lookups import CHAIN, UNIT

    for ent, help_ in (
        (CHAIN, "产业链：链长/包保领导、牵头单位、配合单位、专班"),
        (UNIT, "招商主体：区县、开发区、园区、专班、部门（参加排名）"),
    ):
        app.add_typer(_group(ent), name=ent.command, help=help_)


def _group(ent: object) -> typer.Typer:
    from ..lookups import Entity

    assert isinstance(ent, Entity)
    sub = new_app(ent.command, ent.noun)
    columns = [("id", "编号"), *((c.key, c.label) for c in ent.columns)]
    hint = "、".join(c.label for c in ent.columns[1:])

    def _values(pairs: list[str] | None) -> dict[str, str]:
        from ..parse import split_assignment

        return dict(split_assignment(p) for p in pairs or [])

    @sub.command("add", cls=ZsCommand, help=f"新增{ent.noun}。可设：{hint}")
    def add(ctx: typer.Context, name: NameArg, pairs: PairsArg = None) -> None:
        from .. import lookups

        with state(ctx).command(f"{ent.command} add") as db:
            new_id = lookups.create(db, ent, name, _values(pairs))
        echo(new_id)
        say(f"已新增{ent.noun}「{name}」，编号 {new_id}")

    @sub.command("list", cls=ZsCommand, help=f"列出全部{ent.noun}及条目数")
    @records
    def list_(ctx: typer.Context, fmt: FormatOpt = Format.table) -> None:
        from .. import lookups
        from ..render import Column

        rows = lookups.list_all(state(ctx).open(), ent)
        cols = [Column(k, h, "right" if k == "id" else "left") for k, h in columns]
        cols += [Column("items", "条目数", "right"), Column("open_items", "未办结", "right")]
        emit(rows, cols, fmt)

    @sub.command("show", cls=ZsCommand, help=f"显示一个{ent.noun}")
    def show(ctx: typer.Context, name: NameArg, fmt: FormatOpt = Format.table) -> None:
        from .. import lookups
        from ..render import render_record

        rec = lookups.get(state(ctx).open(), ent, name)
        render_record(
            rec,
            [*columns, ("items", "条目数"), ("created_at", "创建时间"), ("updated_at", "更新时间")],
            fmt.value,
            out(),
        )

    @sub.command("edit", cls=ZsCommand, help=f"修改{ent.noun}。可设：名称、{hint}")
    def edit(
        ctx: typer.Context, name: NameArg, pairs: Annotated[list[str], typer.Argument(metavar="项=值...", help="项=值")]
    ) -> None:
        from .. import lookups

        with state(ctx).command(f"{ent.command} edit") as db:
            changed = lookups.update(db, ent, name, _values(pairs))
        say(
            f"{ent.noun}「{name}」已修改：{'、'.join(ent.column(k).label for k in changed)}"
            if changed
            else f"{ent.noun}「{name}」没有变化"
        )

    @sub.command("rm", cls=ZsCommand, help=f"删除没有条目的{ent.noun}（可用 zs undo 恢复）")
    def rm(ctx: typer.Context, name: NameArg) -> None:
        from .. import lookups

        with state(ctx).command(f"{ent.command} rm") as db:
            rec = lookups.delete(db, ent, name)
        say(f"已删除{ent.noun}「{rec['name']}」")

    del add, list_, show, edit, rm
    return sub

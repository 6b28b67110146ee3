"""db copy — move an office's database between a file and a server (PostgreSQL), either way."""

from __future__ import annotations

from typing import Annotated

import typer

from ._app import ZsCommand, new_app, say, work_begins


def register(app: typer.Typer) -> None:
    sub = new_app("db", "数据库")

    @sub.command("copy", cls=ZsCommand)
    def copy(
        source: Annotated[str, typer.Argument(metavar="源", help="数据库文件或 postgresql://用户名@主机/库名")],
        target: Annotated[
            str,
            typer.Argument(metavar="目标", help="新的空数据库：文件（不存在则新建）或 postgresql://…（先建好空库）"),
        ],
    ) -> None:
        """把整个数据库复制到另一处：条目、各清单字段、阶段与对接记录、历史（之后照样 zs history、zs undo）、
        同义词、清单定义、目标。用于把办公室的数据库搬到服务器上（或搬回文件）。目标必须是新的空库；
        复制在一个事务里完成，两边逐表核对行数，不符则目标不留任何改动。例：zs db copy 黑河.db postgresql://zs@db.local/heihe"""
        from .. import transfer
        from ..db import Database
        from ..definitions import load

        defs = load()
        src = Database.open(source, defs, create=False)
        try:
            dst = Database.open(target, defs, create=True)
            work_begins()
            try:
                result = transfer.copy(src, dst)
            finally:
                dst.close()
        finally:
            src.close()
        for t in result.tables:
            if t.source:
                say(f"  {t.table}：{t.target} 行")
        say(
            f"已复制「{result.source}」→「{result.target}」：{len(result.tables)} 张表逐表核对行数一致，"
            f"条目 {result.count('items')} 个，历史操作 {result.count('commands')} 次，搜索索引重建 {result.indexed} 条"
        )

    app.add_typer(sub, name="db", help="数据库：在文件与服务器（PostgreSQL）之间复制")

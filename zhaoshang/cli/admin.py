"""init, info, kinds."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from ..render import Column
from ._app import ZsCommand, echo, out, say, state
from .options import Format, FormatOpt, when


def register(app: typer.Typer) -> None:
    app.command("init", cls=ZsCommand)(init)
    app.command("info", cls=ZsCommand)(info)
    app.command("kinds", cls=ZsCommand)(kinds)
    app.command("completion", cls=ZsCommand)(completion)


def init(
    ctx: typer.Context,
    demo: Annotated[bool, typer.Option("--demo", help="载入演示城市数据（只能载入空数据库）")] = False,
    demo_date: Annotated[
        str | None,
        typer.Option(
            "--demo-date",
            help="与 --demo 连用：演示数据按这一天生成（默认今天：本月报表就有数）；同一天生成的演示数据完全相同，"
            "README 的样例输出用的是 2026-12-01",
            click_type=when("day"),
        ),
    ] = None,
) -> None:
    """创建或升级数据库；--demo 载入一个演示城市（多条产业链、七张清单、项目进展、资金、问题）。"""
    from datetime import date

    from ..errors import ZsError

    if demo_date is not None and not demo:
        raise ZsError("--demo-date 要与 --demo 连用，如 zs init --demo --demo-date 2026-12-01")
    day = date.fromisoformat(demo_date) if demo_date else None
    if day is not None and day > date.today():
        raise ZsError(f"--demo-date {day} 晚于今天（{date.today()}）：演示数据只能生成到今天为止")
    st = state(ctx)
    db = st.open(create=True)
    if demo:
        from ..demo import load_demo

        with st.command("init --demo") as db:
            counts = load_demo(db, today=day)
        say(f"已载入演示数据：{counts.summary()}")
    if db.created:
        say(f"已创建数据库 {db.where}（结构版本 {db.version}）")
    elif db.upgraded_from is not None:
        say(f"已升级数据库 {db.where}：结构版本 {db.upgraded_from} → {db.version}")
    elif db.synced:
        say(f"数据库 {db.where} 已按新的清单定义更新（结构版本 {db.version}）")
    else:
        say(f"数据库 {db.where} 已是最新（结构版本 {db.version}），无需升级")


def info(ctx: typer.Context, fmt: FormatOpt = Format.table) -> None:
    """数据库路径、结构版本和各清单条目数。"""
    from ..config import config_path, settings
    from ..render import render_record
    from ..stats import database_info

    st = state(ctx)
    in_force = settings(st.db_option, st.user_option)
    path = config_path()
    if fmt is Format.table and st.db_missing():  # say where the missing path came from
        _settings_lines(in_force, path)
        st.open()  # the usual "不存在：请检查路径 … zs init" (exit 1)
    db = st.open()
    if db.account_name is not None:  # (a server's account: history records its 姓名, not the setting)
        from dataclasses import replace

        in_force = [
            replace(x, source=f"{x.source}；服务器上记账号的姓名「{db.account_name}」") if x.key == "user" else x
            for x in in_force
        ]
    data = database_info(db)
    labels = [
        ("path", "数据库"),
        ("schema_version", "结构版本"),
        ("db_id", "数据库标识"),
        ("created_at", "创建时间"),
        ("definitions", "清单定义"),
        ("user", "当前用户"),
        *([("login", "登录账号")] if "login" in data else []),
    ]
    rec = {**data, "user": st.user}
    if fmt is not Format.table:
        extra = {
            "settings": {s.key: {"value": s.value, "source": s.source} for s in in_force},
            "config_file": {"path": str(path), "exists": path.is_file()},
        }
        render_record(rec, [*labels, ("counts", "数量")], fmt.value, out(), extra=extra)
        return
    from ..render import Column, table

    shown = rec
    if isinstance(rec.get("created_at"), str):  # 2026-12-07 01:36, as people write times
        shown = {**rec, "created_at": rec["created_at"][:16].replace("T", " ")}
    render_record(shown, labels, "table", out())
    echo("")
    counts = [{"label": label, "n": n} for label, n in data["count_labels"]]
    out().write(table(counts, [Column("label", "项目"), Column("n", "数量", "right")], header=False))
    echo("")
    _settings_lines(in_force, path)


def _settings_lines(in_force: list[Any], path: Path) -> None:
    from ..config import KEYS
    from ..render import table

    echo(f"设置（命令行 > 环境变量 > 配置文件 > 默认；配置文件 {path}{'' if path.is_file() else '，尚未创建'}）：")
    settings_rows = [
        {
            "name": f"{KEYS[s.key]}（{s.key}）",
            "value": s.value if s.value is not None else "—",
            "source": f"← {s.source}",
        }
        for s in in_force
    ]
    cols = [Column("name", "设置"), Column("value", "值"), Column("source", "来自")]
    out().write(table(settings_rows, cols, header=False))


def kinds(
    ctx: typer.Context,
    kind: Annotated[str | None, typer.Argument(metavar="清单", help="只看某一张清单", show_default=False)] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """七张清单及其字段、类型、可选值和状态。"""
    from ..definitions import kind_as_dict
    from ..render import Column, render, to_json, to_yaml

    defs = state(ctx).defs()
    chosen = [defs.kind(kind)] if kind else list(defs.kinds)
    if fmt in (Format.json, Format.yaml):
        data = [kind_as_dict(k) for k in chosen]
        out().write(to_json(data) if fmt is Format.json else to_yaml(data))
        return
    from ..fieldtypes import TYPES

    types = {name: t.label for name, t in TYPES.items()}
    if fmt in (Format.csv, Format.tsv):
        rows = [
            {
                "kind": k.key,
                "kind_name": k.name,
                "key": f.key,
                "label": f.label,
                "type": f.type,
                "values": "、".join(f.value_names()),
            }
            for k in chosen
            for f in k.fields
        ]
        cols = [Column(c, c) for c in ("kind", "kind_name", "key", "label", "type", "values")]
        render(rows, cols, fmt.value, out())
        return
    for i, k in enumerate(chosen):
        if i:
            echo("")
        echo(f"{k.key}  {k.name}（{'、'.join(k.aliases[:3])}）— {k.description}")
        stages = " → ".join(s.name + ("*" if s.terminal else "") for s in k.statuses)
        echo(f"  状态：{stages}（*为终止状态，默认「{k.default_status}」，销号为「{k.close_status}」）")
        rows = [
            {
                "key": f.key,
                "label": f.header,
                "type": types.get(f.type, f.type),
                "values": "、".join(f.value_names()) + ("（敏感）" if f.sensitive else ""),
                "aliases": "、".join(f.aliases[:4]),
            }
            for f in k.fields
        ]
        rows.insert(
            0,
            {
                "key": "title",
                "label": k.title.label,
                "type": "文本",
                "values": "必填",
                "aliases": "、".join(k.title.aliases[:4]),
            },
        )
        cols = [
            Column("key", "字段", priority=1),
            Column("label", "中文名", priority=1),
            Column("type", "类型", priority=3),
            Column("values", "可选值", priority=1),
            Column("aliases", "别名", priority=8),
        ]
        text = render_indented(rows, cols, fitted=True)
        echo(text, nl=False)
    say("公共字段：编号、产业链、名称、状态、责任人、责任单位、时限、备注（每张清单都有）")


def render_indented(rows: Sequence[dict[str, Any]], cols: Sequence[Column], *, fitted: bool = False) -> str:
    """A table indented by two spaces; ``fitted``: to the terminal's width, the 可选值 wrapped
    (every choice shown), the least needed columns left out with a note saying which."""
    from ..render import layout
    from .output import hidden_note, terminal_size

    size = terminal_size() if fitted else None
    laid = layout(rows, cols, max_width=size.columns - 2 if size else None, asked=("values",))
    text = "".join("  " + line + "\n" for line in laid.text.splitlines())
    if laid.hidden and size:
        text += hidden_note(laid.hidden, cols, size.columns, choose=False)
    return text


class Shell(StrEnum):
    bash = "bash"
    zsh = "zsh"
    fish = "fish"
    powershell = "powershell"


_INSTALL = {
    "bash": "echo 'eval \"$(zs completion bash)\"' >> ~/.bashrc",
    "zsh": "echo 'eval \"$(zs completion zsh)\"' >> ~/.zshrc",
    "fish": "zs completion fish > ~/.config/fish/completions/zs.fish",
    "powershell": "zs completion powershell >> $PROFILE",
}


def completion(shell: Annotated[Shell, typer.Argument(metavar="SHELL", help="bash、zsh、fish 或 powershell")]) -> None:
    """输出 shell 补全脚本（命令、选项可按 Tab 补全）。

    安装：bash  echo 'eval "$(zs completion bash)"' >> ~/.bashrc；
    zsh  echo 'eval "$(zs completion zsh)"' >> ~/.zshrc；
    fish  zs completion fish > ~/.config/fish/completions/zs.fish；
    PowerShell  zs completion powershell >> $PROFILE。重开终端后生效。
    """
    import sys

    from .complete import script

    echo(script(shell.value))
    if sys.stdout.isatty():  # a person reading the script; never `eval "$(zs completion bash)"` at each shell start
        say(f"安装：{_INSTALL[shell.value]}（重开终端后生效）")

"""The ``zhaoshang`` / ``zs`` command line.  One module per command group; each registers
its commands on the root app.  Commands parse, call one core function and render."""

from __future__ import annotations

from typing import Annotated

import typer

from .. import __version__
from ._app import State, echo, hold_collector, new_app

app = new_app(
    "zs",
    "招商引资清单化管理：七张清单（有什么/招什么/去哪招/说什么/找谁招/配套什么/解决什么）、"
    "项目全周期跟踪、问题销号、月度调度与擂台赛排名。",
)


def _version(value: bool) -> None:
    if value:
        echo(f"zhaoshang {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help="数据库文件，或服务器数据库 postgresql://用户名@主机/库名（否则用 $ZHAOSHANG_DB、配置文件里的 db，"
            "最后是用户数据目录）",
        ),
    ] = None,
    user: Annotated[
        str | None,
        typer.Option(
            "--user",
            help="操作人，记入历史（否则用 $ZHAOSHANG_USER、配置文件里的 user，最后是登录名）；"
            "服务器数据库上历史记登录账号的姓名，不用此项",
        ),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="显示版本并退出")
    ] = False,
) -> None:
    from ..config import read_config

    read_config()  # a broken config file is said by every command, not only by the one that needs it
    from .options import use_flag_names

    use_flag_names()  # how the core's messages name the options that fix a problem
    state = State(db_option=db, user_option=user)
    ctx.obj = state
    ctx.call_on_close(state.close)


def _register() -> None:
    from . import admin, chains, history, items, maintenance, search, synonyms

    for module in (admin, items, chains, history, search, synonyms, maintenance):
        module.register(app)
    # later command groups register themselves the same way when present
    import importlib

    for name in (
        "exchange",
        "pipeline",
        "pipeline_people",
        "pipeline_ledger",
        "lifecycle",
        "reports",
        "review",
        "transfer",
        "accounts",
    ):
        try:
            module = importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise
            continue
        module.register(app)


_register()


_GLOBAL_WITH_VALUE = ("--db", "--user")


def _invoked_name(args: list[str]) -> str | None:
    """The command named on the command line, after the global options (None if unclear)."""
    i = 0
    while i < len(args):
        arg = args[i]
        if arg in _GLOBAL_WITH_VALUE:
            i += 2
            continue
        if arg.startswith("-"):
            if not arg.startswith(tuple(f"{o}=" for o in _GLOBAL_WITH_VALUE)):
                return None  # --help, --version or a mistake: build everything
            i += 1
            continue
        return arg
    return None


def _keep_only(name: str) -> None:
    """Build only the invoked command: Typer converts every registered command into a Click
    command at start-up, which costs more than the command itself for `zs show`."""
    commands = [c for c in app.registered_commands if c.name == name]
    groups = [g for g in app.registered_groups if g.name == name]
    if commands or groups:
        app.registered_commands = commands
        app.registered_groups = groups


def main(*, collector_held: bool = False) -> None:
    """Run the command line on ``sys.argv``.  ``collector_held``: the caller
    (:mod:`zhaoshang.entry`) paused the cyclic garbage collector for start-up; it is resumed
    when the command's work begins."""
    import os
    import sys

    if os.environ.get("_ZS_COMPLETE"):  # a shell asking for completions (zs completion SHELL)
        from typer._completion_classes import completion_init

        completion_init()
    name = _invoked_name(sys.argv[1:])
    if name is not None:
        _keep_only(name)
    if collector_held:
        hold_collector()
    app(prog_name="zs")

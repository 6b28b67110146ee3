"""check, backup."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from ..errors import EXIT_USER_ERROR
from ._app import ZsCommand, confirm, echo, out, say, state
from .options import Format, FormatOpt, YesOpt


def register(app: typer.Typer) -> None:
    app.command("check", cls=ZsCommand)(check)
    app.command("backup", cls=ZsCommand)(backup)


def check(
    ctx: typer.Context,
    quick: Annotated[bool, typer.Option("--quick", help="只查数据页结构（快，但查不出索引与表不一致）")] = False,
    repair: Annotated[
        bool,
        typer.Option("--repair", help="只有索引、搜索索引或预警日期表不一致时，从数据重建它们（数据本身不动）"),
    ] = False,
    fmt: FormatOpt = Format.table,
) -> None:
    """检查数据库是否完好：SQLite 完整性检查（每个索引与表是否一致）、外键关联、搜索索引、预警日期表。

    有问题时退出码为 1，并说明怎么办：只是索引不一致 → zs check --repair 重建；数据本身损坏 →
    从备份恢复（zs backup 备份文件 --restore），没有备份时用 sqlite3 的 .recover 抢救。"""
    from .. import integrity

    st = state(ctx)
    db = st.open(after_crash_check=False)
    result = integrity.check(db, quick=quick and not repair)
    if repair and not result.ok:
        result = integrity.repair(db, result, user=st.user)
    if fmt is not Format.table:
        import json

        from ..render import to_yaml

        data: dict[str, Any] = {
            "path": str(result.path),
            "ok": result.ok,
            "quick": result.quick,
            "checks": result.ran,
            "problems": [{"check": p.check, "text": p.text, "repairable": p.repairable} for p in result.problems],
            "repaired": result.repaired,
            "advice": result.advice(),
            "seconds": round(result.seconds, 3),
        }
        text = to_yaml(data) if fmt is Format.yaml else json.dumps(data, ensure_ascii=False, indent=2) + "\n"
        out().write(text)
    else:
        if result.repaired:
            echo(f"已重建：{'、'.join(result.repaired)}")
        echo(f"检查了「{result.where or result.path}」（{result.seconds:.1f} 秒）：{'；'.join(result.ran)}")
        if result.ok:
            echo(
                "数据库完好"
                if not result.quick
                else "数据页完好（--quick 不查索引与表是否一致：完整检查请去掉 --quick）"
            )
        else:
            echo(f"发现 {len(result.problems)} 处问题：")
            for p in result.problems:
                echo(f"  - {p.text}")
            echo("怎么办：")
            for i, line in enumerate(result.advice(), 1):
                echo(f"  {i}. {line}")
    if not result.ok:
        raise typer.Exit(EXIT_USER_ERROR)


def backup(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(metavar="文件", help="备份文件（恢复时：要恢复的备份文件）", show_default=False)
    ],
    restore: Annotated[
        bool,
        typer.Option(
            "--restore",
            help="用这个备份替换当前数据库：先完整检查备份，当前数据库另存一份（恢复前-时间.db），再恢复",
        ),
    ] = False,
    yes: YesOpt = False,
) -> None:
    """备份数据库到一个文件（别人同时在写也是一致的副本），或用 --restore 从备份恢复。

    备份写到临时文件、检查后一步替换目标，不会留下写了一半的备份；不能写到正在使用的数据库本身。
    建议每天备份到另一块磁盘：zs backup /mnt/备份/招商-$(date +%F).db"""
    from .. import integrity

    st = state(ctx)
    db = st.open(after_crash_check=False)
    if not restore:
        done = integrity.backup(db, file)
        mb = done.bytes / 1024 / 1024
        what = "已覆盖旧备份" if done.replaced else "已备份"
        upto = f"，包含到第 {done.last_command} 次操作" if done.last_command else ""
        say(f"{what}到「{done.target}」（{mb:.1f} MB，{done.seconds:.1f} 秒{upto}）")
        return
    confirm(f"用备份「{file}」替换数据库「{db.where}」的全部数据？（当前数据会先另存一份）", yes)
    res = integrity.restore(db, file)
    upto = f"（备份里最后一次操作是第 {res.last_command} 次，{res.last_at}）" if res.last_command else ""
    say(f"已从「{res.source}」恢复数据库「{res.target}」{upto}")
    say(f"恢复前的数据库已另存为「{res.safety_copy}」：需要换回时运行 zs backup '{res.safety_copy}' --restore")

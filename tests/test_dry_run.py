"""`--dry-run` writes nothing, on every form of every command that accepts it (issue 29,
item 1: `zs edit 15 优先级=C --dry-run` and `zs close 15 --dry-run` used to write).

The commands are found by walking the command tree, so a new command with --dry-run fails
here until its forms are listed in FORMS."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import Cli, dump
from typer.main import get_command

from zhaoshang.cli import app


def _with_dry_run(cmd: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    if hasattr(cmd, "commands"):  # a group (Typer's own copy of click's)
        for name, sub in cmd.commands.items():
            yield from _with_dry_run(sub, (*path, name))
    elif any("--dry-run" in getattr(p, "opts", ()) for p in cmd.params):
        yield path


def _files(tmp: Path) -> dict[str, str]:
    items = tmp / "new.csv"
    items.write_text("项目名称,产业链,优先级\n测试新项目,新能源,A\n", encoding="utf-8")
    goals = tmp / "goals.csv"
    goals.write_text("名称,签约额（亿元）\n爱辉区,12\n", encoding="utf-8")
    return {"ITEMS": str(items), "GOALS": str(goals)}


#: every form of every command with --dry-run (demo ids: 15 在谈, 16 已开工, 17 招什么)
FORMS: dict[tuple[str, ...], list[list[str]]] = {
    ("edit",): [
        ["edit", "15", "优先级=C"],
        ["edit", "15", "16", "优先级=C", "产业链=新能源"],
        ["edit", "15,16", "状态=已签约", "--force"],
        ["edit", "15-17", "责任人=李静"],
        ["edit", "--where", "责任人=吴昊", "责任人=李静", "--yes"],
        ["edit", "--kind", "招什么", "--where", "优先级=A", "优先级=B", "--yes"],
    ],
    ("close",): [
        ["close", "15", "-r", "测试"],
        ["close", "15", "16", "-r", "测试"],
        ["close", "15,16", "-r", "测试", "--date", "2026-11-01"],
        ["close", "--where", "责任人=吴昊", "-r", "测试", "-y"],
        ["close", "--kind", "招什么", "-r", "测试", "--yes"],
    ],
    ("import",): [["import", "ITEMS", "--kind", "招什么"]],
    ("goal", "import"): [["goal", "import", "GOALS", "--year", "2026"]],
    ("history", "prune"): [["history", "prune", "--before", "明天", "--yes"]],
}


def test_every_command_with_dry_run_is_listed() -> None:
    found = set(_with_dry_run(get_command(app)))
    assert found == set(FORMS), "a command gained or lost --dry-run: list its forms in FORMS"


@pytest.mark.parametrize("argv", [form for forms in FORMS.values() for form in forms], ids=" ".join)
def test_dry_run_leaves_the_database_as_it_was(demo_db: Path, tmp_path: Path, argv: list[str]) -> None:
    cli = Cli(demo_db)
    files = _files(tmp_path)
    argv = [files.get(a, a) for a in argv]
    before = dump(demo_db)
    r = cli(*argv, "--dry-run")
    assert r.exit_code == 0, (r.stdout, r.stderr)
    assert dump(demo_db) == before
    assert "没有写入" in r.stderr or "未写入" in r.stderr
    # and the same form without --dry-run does write (the forms are real changes)
    r = cli(*argv)
    assert r.exit_code == 0, (r.stdout, r.stderr)
    assert dump(demo_db) != before


def test_dry_run_of_one_id_lists_the_change(demo_db: Path) -> None:
    cli = Cli(demo_db)
    r = cli("edit", "15", "优先级=C", "--dry-run", ok=True)
    assert r.stdout.splitlines() == ["编号 15  优先级：A → C"]
    assert "已修改" not in r.stderr and "预演：没有写入" in r.stderr
    r = cli("close", "15", "-r", "测试", "--dry-run", ok=True)
    assert "编号 15  状态：在谈 → 退库" in r.stdout
    assert "→ 退库（" not in r.stderr  # no 「编号 15：在谈 → 退库（日期）」 confirmation

"""At home in the shell: completion scripts that complete, `init` that says what it did, and a
closed pipe that is a quiet success for every command."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from _harness import PY, zs_env
from conftest import Cli


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish", "powershell"])
def test_completion_prints_a_script_and_how_to_install_it(cli: Cli, shell: str) -> None:
    r = cli("completion", shell, ok=True)
    assert "_ZS_COMPLETE" in r.stdout
    assert "安装：" in r.stderr


def test_the_completion_script_completes(tmp_path: Path) -> None:
    """The protocol the bash script speaks: COMP_WORDS in, candidates out."""
    env = {**zs_env(tmp_path), "_ZS_COMPLETE": "complete_bash", "COMP_WORDS": "zs rep", "COMP_CWORD": "1"}
    r = subprocess.run([PY, "-m", "zhaoshang"], env=env, capture_output=True, text=True, timeout=60)
    assert r.stdout.split() == ["report"], (r.stdout, r.stderr)
    env.update(COMP_WORDS="zs list --ch", COMP_CWORD="2")
    r = subprocess.run([PY, "-m", "zhaoshang"], env=env, capture_output=True, text=True, timeout=60)
    assert "--chain" in r.stdout.split(), r.stderr


def test_init_says_what_it_did(cli: Cli) -> None:
    assert "已创建数据库" in cli("init", ok=True).stderr
    assert "已是最新" in cli("init", ok=True).stderr


@pytest.mark.parametrize(
    "args",
    [
        ["report", "monthly"],
        ["report", "ranking"],
        ["list"],
        ["warn", "--all"],
        ["notes"],
        ["search", "项目"],
        ["history"],
        ["kinds"],
        ["show", "16"],
        ["ledger"],
    ],
)
def test_closing_the_pipe_early_is_a_quiet_success(tmp_path: Path, args: list[str]) -> None:
    """`zs report monthly | head -1` exits 0 like `zs list | head -1`, with nothing on stderr."""
    env = zs_env(tmp_path)
    db = tmp_path / "demo.db"
    subprocess.run([PY, "-m", "zhaoshang", "--db", str(db), "init", "--demo"], env=env, check=True, capture_output=True)
    proc = subprocess.Popen(
        [PY, "-m", "zhaoshang", "--db", str(db), *args],
        env={**env, "COLUMNS": "200"}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.read(1)
    proc.stdout.close()  # like `| head -c 1`
    code = proc.wait(timeout=60)
    err = proc.stderr.read().decode()
    assert code == 0, (code, err)
    assert "Traceback" not in err and "Exception ignored" not in err, err
    assert os.path.exists(db)


def test_relative_dates_on_the_command_line(cli: Cli, db_path: Path) -> None:
    import json
    from datetime import date, timedelta

    cli("chain", "add", "绿色矿业", ok=True)
    cli("add", "招什么", "项目", "--chain", "绿色矿业", ok=True)
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    r = cli("note", "1", "谈了", "--date", "昨天", ok=True)
    assert f"（{yesterday}" in r.stderr
    cli("stage", "1", "在谈", "--date", "昨天", ok=True)
    rec = json.loads(cli("show", "1", "-f", "json", ok=True).stdout)
    assert rec["status_log"][-1]["date"] == yesterday
    assert "晚于今天" in cli("stage", "1", "已签约", "--date", "明天", ok=False).stderr


def test_global_options_work_after_the_command_name(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from zhaoshang.cli import app

    db = tmp_path / "city.db"
    runner = CliRunner()
    assert runner.invoke(app, ["init", "--db", str(db)]).exit_code == 0
    assert runner.invoke(app, ["chain", "add", "绿色矿业", f"--db={db}", "--user", "王芳"]).exit_code == 0
    r = runner.invoke(app, ["add", "招什么", "项目", "--chain", "绿色矿业", "--db", str(db), "--user", "王芳"])
    assert r.exit_code == 0, r.stderr
    r = runner.invoke(app, ["history", "--db", str(db), "-f", "json"])
    assert r.exit_code == 0 and '"user": "王芳"' in r.stdout
    # after `--` it is an argument like any other
    r = runner.invoke(app, ["--db", str(db), "search", "--", "--db"])
    assert r.exit_code == 0


@pytest.mark.parametrize("args", [["list"], ["info"], ["report", "monthly"], ["chain", "add", "有色金属"]])
def test_only_init_creates_a_database(tmp_path: Path, args: list[str]) -> None:
    """A mistyped --db (or a forgotten init) is an error that says how to create one, not an
    empty database that answers 共 0 条."""
    from typer.testing import CliRunner

    from zhaoshang.cli import app

    typo = tmp_path / "typo.db"
    r = CliRunner().invoke(app, ["--db", str(typo), *args])
    assert r.exit_code == 1 and r.stdout == ""
    assert r.stderr.strip() == (
        f"数据库「{typo}」不存在：请检查路径；要新建一个空数据库，请运行 zs --db {typo} init（加 --demo 载入演示数据）"
    )
    assert not typo.exists()
    r = CliRunner().invoke(app, args)  # the default database: the hint is plain `zs init`
    assert r.exit_code == 1 and "请运行 zs init（" in r.stderr and "也不存在" in r.stderr
    assert CliRunner().invoke(app, ["--db", str(typo), "init"]).exit_code == 0 and typo.exists()

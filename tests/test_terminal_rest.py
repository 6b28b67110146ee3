"""At the terminal, round 2: the completion script is quiet where shells load it, `zs info`
says where a missing database was configured, `zs search` takes several unquoted words,
`zs team` alone lists, and a refused `zs add` names no id that never came to exist."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import Cli, dump
from typer.testing import CliRunner

from zhaoshang.cli import app


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish", "powershell"])
def test_completion_script_alone_on_a_pipe(shell: str) -> None:
    # eval "$(zs completion bash)" in ~/.bashrc runs at every shell start: not a word on stderr
    r = CliRunner().invoke(app, ["completion", shell])
    assert r.exit_code == 0
    assert r.stderr == ""
    assert "_ZS_COMPLETE" in r.stdout


def test_completion_hint_for_a_person_at_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from zhaoshang.cli import admin

    said: list[str] = []
    monkeypatch.setattr(admin, "say", said.append)
    monkeypatch.setattr(admin, "echo", lambda *a, **k: None)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    admin.completion(admin.Shell.bash)
    assert said == ["安装：echo 'eval \"$(zs completion bash)\"' >> ~/.bashrc（重开终端后生效）"]


def test_info_on_a_configured_database_that_does_not_exist(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    missing = tmp_path / "nowhere" / "city.db"
    monkeypatch.setenv("ZHAOSHANG_DB", str(missing))
    r = CliRunner().invoke(app, ["info"])
    assert r.exit_code == 1
    line = next(x for x in r.stdout.splitlines() if x.startswith("数据库（db）"))
    assert line.split() == ["数据库（db）", str(missing), "←", "环境变量", "ZHAOSHANG_DB"]
    assert f"数据库「{missing}」不存在" in r.stderr
    assert not missing.exists()


def test_search_takes_words_without_quotes(cli: Cli, demo_db: Path) -> None:
    quoted = cli("search", "铜 矿", "-f", "json", ok=True).stdout
    assert cli("search", "铜", "矿", "-f", "json", ok=True).stdout == quoted
    assert "铜矿资源" in quoted


def test_team_alone_lists_and_team_id_shows(cli: Cli, demo_db: Path) -> None:
    listed = cli("team", ok=True)
    assert listed.stdout == cli("team", "list", ok=True).stdout
    assert "五要件" in listed.stdout and "用法" not in listed.stdout
    assert cli("team", "-c", "新能源", ok=True).stdout == cli("team", "list", "-c", "新能源", ok=True).stdout
    assert cli("team", "3", ok=True).stdout == cli("team", "show", "3", ok=True).stdout
    assert "没有命令「bogus」" in cli("team", "bogus", ok=False).stderr


def test_a_refused_add_names_no_id(cli: Cli, demo_db: Path) -> None:
    before = dump(demo_db)
    r = cli("add", "招什么", "测试项目", "-c", "新能源", "--status", "已签约", ok=False)
    assert r.exit_code == 1
    assert r.stderr.startswith("新条目从「线索」到「已签约」是跨阶段推进：确需如此请加 --force")
    assert "编号" not in r.stderr
    assert dump(demo_db) == before

"""Storage: location, schema, WAL, history completeness, chains and units, start-up cost."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import Cli, dump
from typer.testing import CliRunner

from zhaoshang.cli import app

ROOT = Path(__file__).resolve().parent.parent


def test_default_database_in_user_data_dir(tmp_path: Path) -> None:
    assert CliRunner().invoke(app, ["init"]).exit_code == 0
    r = CliRunner().invoke(app, ["info", "-f", "json"])
    assert r.exit_code == 0, r.stderr
    assert json.loads(r.stdout)["path"] == str(tmp_path / "_data" / "zhaoshang" / "zhaoshang.db")


def test_env_var_is_read_at_call_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("a.db", "b.db"):
        monkeypatch.setenv("ZHAOSHANG_DB", str(tmp_path / name))
        assert CliRunner().invoke(app, ["init"]).exit_code == 0
        r = CliRunner().invoke(app, ["info", "-f", "json"])
        assert json.loads(r.stdout)["path"] == str(tmp_path / name)
    assert CliRunner().invoke(app, ["--db", str(tmp_path / "c.db"), "init"]).exit_code == 0
    r = CliRunner().invoke(app, ["--db", str(tmp_path / "c.db"), "info", "-f", "json"])
    assert json.loads(r.stdout)["path"] == str(tmp_path / "c.db")


def test_user_is_recorded(cli: Cli) -> None:
    cli("chain", "add", "有色金属", ok=True)
    cli("--user", "张三", "chain", "edit", "有色金属", "包保领导=王建国", ok=True)
    history = json.loads(cli("history", "-f", "json", ok=True).stdout)
    assert [h["user"] for h in history] == ["张三", "测试员"]


def test_schema_is_relational_and_browsable(cli: Cli, db_path: Path) -> None:
    cli("info", ok=True)
    conn = sqlite3.connect(db_path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {
        "items",
        "chains",
        "units",
        "kind_targets",
        "kind_problems",
        "status_log",
        "activities",
        "funds",
        "changes",
        "commands",
    } <= tables
    fks = {(r[2], r[3]) for r in conn.execute("PRAGMA foreign_key_list(items)")}
    assert ("chains", "chain_id") in fks and ("units", "unit_id") in fks
    assert ("items", "id") in {(r[2], r[3]) for r in conn.execute("PRAGMA foreign_key_list(kind_targets)")}
    for table in tables:
        for col in conn.execute(f'PRAGMA table_info("{table}")'):
            assert col[1].isascii(), (table, col[1])


def test_every_change_is_in_history_and_undo_reverts_the_whole_command(cli: Cli, db_path: Path) -> None:
    cli("chain", "add", "有色金属", ok=True)
    cli("add", "招什么", "项目", "--chain", "有色金属", "投资额=1亿", ok=True)
    before = dump(db_path)
    cli("edit", "1", "投资额=2亿", "责任人=王强", "状态=在谈", ok=True)
    entry = json.loads(cli("history", "1", "-f", "json", ok=True).stdout)[0]
    tables = sorted({c["table"] for c in entry["changes"]})
    assert tables == ["items", "kind_targets", "status_log"]
    cli("undo", "--yes", ok=True)
    after = dump(db_path)
    for table in ("items", "kind_targets", "status_log", "chains"):
        assert after[table] == before[table], table
    r = cli("undo", ok=False, input="n\n")
    assert "已取消" in r.stderr


def test_failed_command_leaves_no_trace(cli: Cli, db_path: Path) -> None:
    cli("chain", "add", "有色金属", ok=True)
    before = dump(db_path)
    cli("add", "招什么", "项目", "--chain", "有色金属", "优先级=Z", ok=False)
    assert dump(db_path) == before


def test_chain_and_unit_crud(cli: Cli) -> None:
    cli(
        "chain",
        "add",
        "有色金属",
        "包保领导=王建国",
        "牵头单位=市工信局",
        "配合单位=市自然资源局、市生态环境局",
        ok=True,
    )
    cli("unit", "add", "爱辉区", "类型=区县", ok=True)
    cli("unit", "add", "市发改委", "类型=部门", "参加排名=否", ok=True)
    chains = json.loads(cli("chain", "list", "-f", "json", ok=True).stdout)
    assert chains[0]["name"] == "有色金属" and chains[0]["leader"] == "王建国" and chains[0]["items"] == 0
    units = json.loads(cli("unit", "list", "-f", "json", ok=True).stdout)
    assert [(u["name"], u["ranked"]) for u in units] == [("爱辉区", True), ("市发改委", False)]
    cli("chain", "edit", "有色金属", "名称=绿色矿业", "链长=李明", ok=True)
    shown = json.loads(cli("chain", "show", "绿色矿业", "-f", "json", ok=True).stdout)
    assert shown["leader"] == "李明"
    cli("add", "招什么", "项目", "--chain", "绿色矿业", "责任单位=爱辉区", ok=True)
    r = cli("unit", "rm", "爱辉区", ok=False)
    assert "还有 1 个条目" in r.stderr
    cli("unit", "rm", "市发改委", ok=True)
    cli("undo", "--yes", ok=True)
    assert len(json.loads(cli("unit", "list", "-f", "json").stdout)) == 2


def test_demo_refuses_a_database_with_data(cli: Cli) -> None:
    cli("chain", "add", "有色金属", ok=True)
    r = cli("init", "--demo", ok=False)
    assert "已有数据" in r.stderr


def test_demo_city_has_every_kind(cli: Cli) -> None:
    r = cli("init", "--demo", ok=True)
    assert "已载入演示数据" in r.stderr
    counts = json.loads(cli("info", "-f", "json").stdout)["counts"]
    for kind in ("assets", "targets", "events", "pitches", "contacts", "supports", "problems"):
        assert counts[kind] > 0, kind
    assert counts["chains"] >= 5 and counts["activities"] > 50 and counts["funds"] > 20


def _modules_loaded(args: list[str], db: Path) -> set[str]:
    code = (
        "import sys, runpy\n"
        f"sys.argv = ['zs', '--db', {str(db)!r}, *{args!r}]\n"
        "try:\n    runpy.run_module('zhaoshang', run_name='__main__')\nexcept SystemExit:\n    pass\n"
        "sys.stderr.write('\\nMODULES ' + ' '.join(sorted(sys.modules)))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    return set(proc.stderr.rsplit("MODULES ", 1)[1].split())


@pytest.mark.parametrize("args", [["--help"], ["list", "--chain", "有色金属"], ["show", "1"]])
def test_startup_does_not_load_what_the_command_does_not_use(cli: Cli, db_path: Path, args: list[str]) -> None:
    cli("chain", "add", "有色金属", ok=True)
    cli("add", "招什么", "项目", "--chain", "有色金属", ok=True)
    _modules_loaded(["info"], db_path)  # warm the definitions cache
    loaded = _modules_loaded(args, db_path)
    for heavy in ("openpyxl", "xlsxwriter", "python_calamine", "yaml", "rich", "pydantic", "sqlite_utils"):
        assert heavy not in loaded, heavy


def test_history_of_a_large_command_is_summarised(cli: Cli, db_path: Path) -> None:
    from zhaoshang import items
    from zhaoshang.db import Database
    from zhaoshang.definitions import load

    cli("chain", "add", "有色金属", ok=True)
    db = Database.open(db_path, load())
    with db.command("script", user="脚本"):
        for i in range(300):
            items.add(db, "招什么", f"项目{i}", chain="有色金属")
    db.close()
    entry = json.loads(cli("history", "-n", "1", "-f", "json", ok=True).stdout)[0]
    assert entry["changes_total"] == 600  # each of 300 items (its items and kind rows: one) and its status-log row
    assert len(entry["changes"]) == 200
    out = cli("history", "-n", "1", ok=True).stdout
    assert "新增条目 300" in out and "…共 600 处改动" in out
    cli("undo", "--yes", "--any-user", ok=True)  # 脚本 wrote it, not 测试员
    assert json.loads(cli("list", "-f", "json").stdout) == []


@pytest.mark.parametrize(
    ("args", "name"),
    [
        (["list", "--chain", "x"], "list"),
        (["--db", "a.db", "--user", "王", "show", "1"], "show"),
        (["--db=a.db", "chain", "list"], "chain"),
        (["--help"], None),
        (["--version"], None),
        ([], None),
    ],
)
def test_only_the_invoked_command_is_built(args: list[str], name: str | None) -> None:
    from zhaoshang.cli import _invoked_name

    assert _invoked_name(args) == name


def test_console_entry_runs_a_single_command_and_the_help(db_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = [sys.executable, "-m", "zhaoshang", "--db", str(db_path)]
    r = subprocess.run([*run, "init"], capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 0, r.stderr
    r = subprocess.run([*run, "chain", "add", "有色金属"], capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 0, r.stderr
    r = subprocess.run([*run, "chain", "list", "-f", "json"], capture_output=True, text=True, env=env, timeout=60)
    assert json.loads(r.stdout)[0]["name"] == "有色金属"
    r = subprocess.run([*run, "--help"], capture_output=True, text=True, env=env, timeout=60)
    assert "report" in r.stdout and "import" in r.stdout
    r = subprocess.run([*run, "lst"], capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 2 and "没有命令「lst」，是不是「list」？" in r.stderr


def test_sqlite_utils_sees_a_clean_relational_schema(cli: Cli, db_path: Path) -> None:
    import sqlite_utils

    from zhaoshang.db import Database
    from zhaoshang.definitions import load

    cli("chain", "add", "有色金属", ok=True)
    cli("add", "招什么", "铜箔项目", "--chain", "有色金属", "投资额=3亿", ok=True)
    browse = sqlite_utils.Database(db_path)
    fks = {(fk.column, fk.other_table) for fk in browse["items"].foreign_keys}
    assert ("chain_id", "chains") in fks and ("unit_id", "units") in fks
    assert [fk.other_table for fk in browse["kind_targets"].foreign_keys] == ["items"]
    assert browse["kind_targets"].columns_dict["investment"] is float
    db = Database.open(db_path, load())
    rows = list(db.sqlite_utils()["kind_targets"].rows_where("investment >= ?", [10000]))
    assert [r["id"] for r in rows] == [1]
    with pytest.raises(sqlite3.IntegrityError):  # writes must go through db.command()
        db.sqlite_utils()["chains"].insert({"name": "x", "created_at": "t", "updated_at": "t"})

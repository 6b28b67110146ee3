"""The database's health: `zs check` finds an index that no longer matches its table (and
says what to do), damaged pages, a stale search index or item_dates; `--repair` rebuilds
only derived data; `zs backup FILE` is a consistent copy while another program writes, and
`--restore` checks the backup and keeps a safety copy; a database left open by a crashed
program is checked before use, a damaged one before an upgrade; a write-ahead log deleted
under a running command is noticed before it commits."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from _harness import ROOT, damage_page, full_dump, integrity, stale_index
from conftest import Cli

# ---------------------------------------------------------------------------------------
# zs check
# ---------------------------------------------------------------------------------------


def _owner_ids(cli: Cli, owner: str) -> list[int]:
    rows = json.loads(cli("list", "--owner", owner, "-f", "json", ok=True).stdout)
    return [r["id"] for r in rows]


def test_check_finds_an_index_that_no_longer_matches_its_table(demo_db: Path) -> None:
    """The issue's case: item 15 is 钱敏's in the table, 赵敏's in the owner index."""
    cli = Cli(demo_db)
    assert 15 in _owner_ids(cli, "赵敏")
    stale_index(demo_db, "items_owner", "UPDATE items SET owner = '钱敏' WHERE id = 15")
    assert 15 in _owner_ids(cli, "赵敏") and _owner_ids(cli, "钱敏") == []  # what the user saw

    r = cli("check", ok=False)
    assert r.exit_code == 1
    assert "items_owner" in r.stdout and "zs check --repair" in r.stdout, r.stdout
    data = json.loads(cli("check", "-f", "json", ok=False).stdout)
    assert data["ok"] is False and all(p["repairable"] for p in data["problems"])
    assert cli("check", "--quick", ok=True).exit_code == 0  # pages are fine: quick_check cannot see it

    r = cli("check", "--repair", ok=True)
    assert "已重建" in r.stdout and "数据库完好" in r.stdout, r.stdout
    assert _owner_ids(cli, "钱敏") == [15] and 15 not in _owner_ids(cli, "赵敏")
    assert integrity(demo_db) == "ok"


def test_check_on_damaged_pages_says_restore_or_recover(demo_db: Path) -> None:
    cli = Cli(demo_db)
    damage_page(demo_db, "changes")
    r = cli("check", ok=False)
    assert r.exit_code == 1 and "数据页损坏" in r.stdout, r.stdout
    assert "--restore" in r.stdout and ".recover" in r.stdout, r.stdout
    r = cli("check", "--repair", ok=False)  # never "repaired" by an index rebuild
    assert r.exit_code == 1 and "不能靠重建索引修复" in r.stderr, r.stderr


def test_check_finds_a_stale_search_index_and_item_dates(demo_db: Path) -> None:
    cli = Cli(demo_db)
    assert cli("check", ok=True).exit_code == 0
    with sqlite3.connect(demo_db) as conn:  # neither table is tracked by history
        conn.execute("DELETE FROM items_fts WHERE rowid = 3")
        first = conn.execute("SELECT min(item_id) FROM item_dates").fetchone()[0]
        conn.execute("UPDATE item_dates SET entered = '1999-01-01' WHERE item_id = ?", (first,))
    data = json.loads(cli("check", "-f", "json", ok=False).stdout)
    assert sorted(p["check"] for p in data["problems"]) == ["item_dates", "search_index"], data
    assert data["advice"] and "--repair" in data["advice"][0]
    cli("check", "--repair", ok=True)
    assert json.loads(cli("check", "-f", "json", ok=True).stdout)["ok"] is True
    assert any(r["id"] == 3 for r in json.loads(cli("search", "非转基因大豆", "-f", "json", ok=True).stdout))


# ---------------------------------------------------------------------------------------
# zs backup FILE, --restore
# ---------------------------------------------------------------------------------------

_WRITER = textwrap.dedent(
    """
    import sys, time
    from zhaoshang import items
    from zhaoshang.db import Database
    from zhaoshang.definitions import load

    db = Database.open(sys.argv[1], load())
    print("ready", flush=True)
    end = time.monotonic() + float(sys.argv[2])
    n = 0
    while time.monotonic() < end:
        with db.command("add", user="李强"):
            items.add(db, "招什么", f"并发项目{n}", chain="绿色矿业")
        n += 1
    db.close()
    print(n, flush=True)
    """
)


def test_backup_is_consistent_while_another_program_writes(demo_db: Path, tmp_path: Path) -> None:
    """Each of the writer's commands adds one item: in every backup the items and the
    commands agree — one snapshot, never half of a command."""
    cli = Cli(demo_db)
    with sqlite3.connect(demo_db) as conn:
        items0 = conn.execute("SELECT count(*) FROM items").fetchone()[0]
        cmds0 = conn.execute("SELECT count(*) FROM commands").fetchone()[0]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    writer = subprocess.Popen(
        [sys.executable, "-c", _WRITER, str(demo_db), "4"], env=env, stdout=subprocess.PIPE, text=True
    )
    assert writer.stdout is not None and writer.stdout.readline().strip() == "ready"
    seen = []
    for i in range(6):
        target = tmp_path / f"备份{i}.db"
        r = cli("backup", str(target), ok=True)
        assert "已备份" in r.stderr, r.stderr
        assert not os.path.exists(f"{target}-wal")  # one self-contained file
        assert integrity(target) == "ok"
        with sqlite3.connect(target) as conn:
            items = conn.execute("SELECT count(*) FROM items").fetchone()[0]
            cmds = conn.execute("SELECT count(*) FROM commands").fetchone()[0]
        assert items - items0 == cmds - cmds0, (items, cmds)
        seen.append(items)
    written = int(writer.communicate(timeout=60)[0].strip())
    assert writer.returncode == 0 and written > 0
    assert len(set(seen)) > 1, seen  # the writer really was writing between backups
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_backup_refuses_the_live_database_and_other_files(demo_db: Path, tmp_path: Path) -> None:
    cli = Cli(demo_db)
    before = full_dump(demo_db)
    r = cli("backup", str(demo_db), ok=False)
    assert "就是正在使用的数据库" in r.stderr, r.stderr
    r = cli("backup", f"{demo_db}-wal", ok=False)
    assert "就是正在使用的数据库" in r.stderr, r.stderr
    letter = tmp_path / "报告.docx"
    letter.write_bytes(b"PK\x03\x04 not a database")
    r = cli("backup", str(letter), ok=False)
    assert "不是数据库文件" in r.stderr and letter.read_bytes() == b"PK\x03\x04 not a database"
    r = cli("backup", str(tmp_path / "没有的目录" / "x.db"), ok=False)
    assert "不存在" in r.stderr
    assert full_dump(demo_db) == before
    old = tmp_path / "旧备份.db"
    cli("backup", str(old), ok=True)
    r = cli("backup", str(old), ok=True)  # an older backup is replaced, in one step
    assert "已覆盖旧备份" in r.stderr


def test_restore_checks_the_backup_and_keeps_a_safety_copy(demo_db: Path, tmp_path: Path) -> None:
    cli = Cli(demo_db)
    saved = tmp_path / "周一.db"
    cli("backup", str(saved), ok=True)
    good = full_dump(demo_db)
    cli("edit", "3", "责任人=周一以后", ok=True)

    broken = tmp_path / "坏的备份.db"
    cli("backup", str(broken), ok=True)
    damage_page(broken, "items")
    r = cli("backup", str(broken), "--restore", "--yes", ok=False)
    assert "已损坏" in r.stderr and "不能用它恢复" in r.stderr, r.stderr
    assert json.loads(cli("show", "3", "-f", "json", ok=True).stdout)["owner"] == "周一以后"

    r = cli("backup", str(saved), "--restore", "--yes", ok=True)
    assert "已从" in r.stderr and "恢复前的数据库已另存为" in r.stderr, r.stderr
    assert full_dump(demo_db) == good
    safety = [p for p in tmp_path.iterdir() if "恢复前" in p.name]
    assert len(safety) == 1 and str(safety[0]) in r.stderr
    with sqlite3.connect(safety[0]) as conn:
        assert conn.execute("SELECT owner FROM items WHERE id = 3").fetchone()[0] == "周一以后"
    r = cli("backup", str(saved), "--restore", input="n\n", ok=False)  # asks first
    assert "已取消" in r.stderr


# ---------------------------------------------------------------------------------------
# a crashed program, an upgrade, a deleted log
# ---------------------------------------------------------------------------------------

_CRASH = textwrap.dedent(
    """
    import os, sys
    from zhaoshang.db import Database
    from zhaoshang.definitions import load

    db = Database.open(sys.argv[1], load())
    with db.command("edit", user="李强"):
        db.conn.execute("UPDATE items SET owner = '崩溃前' WHERE id = 1")
    os._exit(0)  # killed: never closed, the log stays
    """
)


def _crash(db: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-c", _CRASH, str(db)], env=env, check=True)
    assert os.path.getsize(f"{db}-wal") > 0


def test_a_database_left_open_by_a_crash_is_checked_before_use(demo_db: Path) -> None:
    from zhaoshang.integrity import left_hot

    assert not left_hot(demo_db)
    _crash(demo_db)
    assert left_hot(demo_db)
    cli = Cli(demo_db)
    r = cli("show", "1", "-f", "json", ok=True)  # intact: nothing said, the saved write is there
    assert json.loads(r.stdout)["owner"] == "崩溃前" and r.stderr == ""

    damage_page(demo_db, "goals")
    _crash(demo_db)
    r = cli("show", "1", ok=False)
    assert "上次没有正常关闭" in r.stderr and "zs check" in r.stderr, r.stderr
    assert cli("check", ok=False).exit_code == 1  # check itself still runs


def test_a_database_held_open_by_another_program_is_not_taken_for_a_crash(demo_db: Path) -> None:
    from zhaoshang.integrity import left_hot

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute('SELECT 1 FROM items').fetchall();"
            "c.execute('PRAGMA wal_autocheckpoint = 0'); c.execute('UPDATE meta SET value = value'); c.commit();"
            "print('ready', flush=True); sys.stdin.read()",
            str(demo_db),
        ],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        assert os.path.exists(f"{demo_db}-wal")
        assert not left_hot(demo_db)
    finally:
        holder.communicate("", timeout=30)


def test_a_damaged_database_is_not_upgraded(demo_db: Path) -> None:
    from zhaoshang.db import Database, schema_version
    from zhaoshang.definitions import load
    from zhaoshang.errors import ZsError

    damage_page(demo_db, "goals")
    with sqlite3.connect(demo_db) as conn:
        conn.execute(f"PRAGMA user_version = {schema_version() - 1}")
    with pytest.raises(ZsError, match="升级前的检查发现它已损坏"):
        Database.open(demo_db, load())
    with sqlite3.connect(demo_db) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == schema_version() - 1


def test_a_deleted_log_is_noticed_before_committing(demo_db: Path) -> None:
    """王芳's command is open (at its prompt); 李强 saves an edit; someone deletes the log.
    王芳's write is refused instead of going into a log nobody else will read."""
    from zhaoshang.db import Database
    from zhaoshang.definitions import load
    from zhaoshang.errors import ZsError

    waiting = Database.open(demo_db, load())
    other = Database.open(demo_db, load())
    with other.command("edit", user="李强"):
        other.conn.execute("UPDATE items SET owner = '李强改' WHERE id = 1")
    other.close()
    os.remove(f"{demo_db}-wal")
    with pytest.raises(ZsError, match="被删除或替换了：这次操作没有写入"), waiting.command("edit", user="王芳"):
        waiting.conn.execute("UPDATE items SET owner = '王芳改' WHERE id = 2")
    waiting.close()
    with sqlite3.connect(demo_db) as conn:
        assert conn.execute("SELECT owner FROM items WHERE id = 2").fetchone()[0] != "王芳改"

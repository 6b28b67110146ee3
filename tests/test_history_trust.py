"""History you can trust: a user name is one line of printable text, history prints every
command on one line, counts say how many items and rows changed, `history prune --before
明天` leaves what is done later undoable and a failed VACUUM after a fold says the fold is
saved, `zs undo N` undoes an earlier command when nothing later depends on it, and an
undo whose prompt a colleague's write overtook still undoes what it showed when that write
is independent — or says which command is in the way."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from _harness import rows
from conftest import Cli, dump

pytestmark = pytest.mark.engines

# ---------------------------------------------------------------------------------------
# user names
# ---------------------------------------------------------------------------------------

_FORGED = "王芳\n#99  2026-12-01T09:00:00  李强  zs rm 3"


@pytest.mark.parametrize("bad", [_FORGED, "王芳\r", "王\t芳", "王芳\u202e", "  ", " 王芳", "王" * 65])
def test_a_user_name_must_be_one_line_of_printable_text(demo_db: Path, bad: str) -> None:
    cli = Cli(demo_db)
    before = dump(demo_db)
    r = cli("--user", bad, "edit", "3", "责任人=李四", ok=False)
    assert r.exit_code == 1 and "操作人" in r.stderr and "一行可打印的文字" in r.stderr, r.stderr
    assert "\n#99" not in r.stderr  # the name is shown escaped, on the message's one line
    assert dump(demo_db) == before


def test_the_user_from_the_environment_and_the_config_file_is_checked(
    demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli = Cli(demo_db)
    monkeypatch.setenv("ZHAOSHANG_USER", _FORGED)
    r = cli("edit", "3", "责任人=李四", ok=False)
    assert "环境变量 ZHAOSHANG_USER" in r.stderr, r.stderr
    monkeypatch.delenv("ZHAOSHANG_USER")
    config = tmp_path / "_config" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text('user = "王芳\\n#99  李强  zs rm 3"\n', encoding="utf-8")
    r = cli("edit", "3", "责任人=李四", ok=False)
    assert "配置文件" in r.stderr and "一行可打印的文字" in r.stderr, r.stderr
    config.write_text('user = "王芳"\n', encoding="utf-8")
    cli("edit", "3", "责任人=李四", ok=True)


def test_the_library_refuses_such_a_name_too(demo_db: Path) -> None:
    from zhaoshang.db import Database
    from zhaoshang.definitions import load
    from zhaoshang.errors import ZsError

    db = Database.open(demo_db, load())
    with pytest.raises(ZsError, match="一行可打印的文字"), db.command("edit", user=_FORGED):
        pass
    db.close()


def test_history_prints_each_command_on_one_line(demo_db: Path) -> None:
    """Text typed on the command line may hold a newline: history does not print it as one."""
    from zhaoshang.db import Database
    from zhaoshang.definitions import load

    text = "电话确认\n#99  2026-12-01T09:00:00  李强  zs rm 5"
    db = Database.open(demo_db, load())
    with db.command("note", user="王芳", args=["zs", "note", "3", text]):  # as typed
        db.conn.execute("UPDATE items SET notes = ? WHERE id = 3", (text,))
    db.close()
    cli = Cli(demo_db)
    lines = cli("history", "-n", "2", ok=True).stdout.splitlines()
    heads = [ln for ln in lines if ln.startswith("#")]
    assert len(heads) == 2 and not any(ln.startswith("#99") for ln in lines), lines
    assert "电话确认⏎#99" in heads[0]


# ---------------------------------------------------------------------------------------
# counts
# ---------------------------------------------------------------------------------------


def test_an_edit_of_one_item_counts_one_item(demo_db: Path) -> None:
    cli = Cli(demo_db)
    cli("edit", "3", "责任人=李四", ok=True)
    entry = json.loads(cli("history", "-n", "1", "-f", "json", ok=True).stdout)[0]
    assert entry["changes_total"] == 1
    assert "修改条目 1" in cli("history", "-n", "1", ok=True).stdout


def test_a_bulk_edit_counts_items_and_so_does_its_undo(demo_db: Path) -> None:
    cli = Cli(demo_db)
    n = rows(demo_db, "SELECT count(*) FROM items WHERE owner = '赵敏'")[0][0]
    assert n > 1
    cli("edit", "--where", "责任人=赵敏", "责任人=钱敏", "--yes", ok=True)
    out = cli("history", "-n", "1", ok=True).stdout
    assert f"修改条目 {n}\n" in out, out
    r = cli("undo", "--yes", ok=True)
    assert f"恢复了 {n} 处改动" in r.stderr, r.stderr


# ---------------------------------------------------------------------------------------
# history prune
# ---------------------------------------------------------------------------------------


def test_prune_before_tomorrow_leaves_later_commands_undoable(demo_db: Path) -> None:
    cli = Cli(demo_db)
    cli("edit", "3", "责任人=折叠前", ok=True)
    cli("history", "prune", "--before", "明天", "--yes", ok=True)
    cli("edit", "3", "责任人=折叠后", ok=True)  # the same day, after the fold
    out = cli("history", "-n", "1", ok=True).stdout
    assert "已折叠" not in out and "折叠后" in out, out
    r = cli("undo", "--yes", ok=True)
    assert "已撤销" in r.stderr, r.stderr
    assert json.loads(cli("show", "3", "-f", "json", ok=True).stdout)["owner"] == "折叠前"
    r = cli("undo", "--yes", ok=False)  # the edit before the fold: folded, not undoable
    assert "已折叠" in r.stderr, r.stderr


class _FullOnVacuum:
    """A connection whose VACUUM meets a full disk (the statement SQLite would fail)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def execute(self, sql: str, *args: object) -> sqlite3.Cursor:
        if sql.strip().upper() == "VACUUM":
            raise sqlite3.OperationalError("database or disk is full")
        return self._conn.execute(sql, *args)

    def __getattr__(self, name: str) -> object:
        return getattr(self._conn, name)


@pytest.mark.sqlite_only
def test_a_full_disk_during_vacuum_says_the_fold_is_saved(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from zhaoshang.db import Database

    vacuum = Database.vacuum

    def full(self: Database) -> int:
        real = self.conn
        self.conn = _FullOnVacuum(real)  # type: ignore[assignment]
        try:
            return vacuum(self)
        finally:
            self.conn = real

    monkeypatch.setattr(Database, "vacuum", full)
    cli = Cli(demo_db)
    cli("edit", "3", "责任人=李四", ok=True)
    r = cli("history", "prune", "--before", "明天", "--yes", ok=False)
    assert r.exit_code == 1
    assert "没有写入任何数据" not in r.stderr, r.stderr
    assert "已折叠并保存" in r.stderr and "磁盘空间不足" in r.stderr and "再运行一次" in r.stderr, r.stderr
    with sqlite3.connect(demo_db) as conn:  # the fold is there
        assert conn.execute("SELECT count(*) FROM commands WHERE name = 'history prune'").fetchone()[0] == 1


@pytest.mark.sqlite_only
def test_prune_refuses_a_damaged_database(demo_db: Path) -> None:
    from _harness import damage_page

    cli = Cli(demo_db)
    damage_page(demo_db, "goals")
    r = cli("history", "prune", "--before", "明天", "--yes", ok=False)
    assert "折叠前的检查发现数据库已损坏" in r.stderr and "zs check" in r.stderr, r.stderr
    with sqlite3.connect(demo_db) as conn:
        assert conn.execute("SELECT count(*) FROM commands WHERE name = 'history prune'").fetchone()[0] == 0


# ---------------------------------------------------------------------------------------
# undo N, and undo under a colleague's writes
# ---------------------------------------------------------------------------------------


def _last_command(db: Path) -> int:
    return int(rows(db, "SELECT max(id) FROM commands")[0][0])


def test_undo_by_number_when_nothing_later_depends_on_it(demo_db: Path) -> None:
    cli = Cli(demo_db)
    cli("edit", "3", "责任人=甲", ok=True)
    first = _last_command(demo_db)
    cli("edit", "4", "责任人=乙", ok=True)  # another item: independent
    cli("note", "5", "走访", ok=True)
    r = cli("undo", str(first), "--yes", ok=True)
    assert f"已撤销 #{first}" in r.stderr, r.stderr
    show = lambda i: json.loads(cli("show", str(i), "-f", "json", ok=True).stdout)  # noqa: E731
    assert show(3)["owner"] != "甲" and show(4)["owner"] == "乙"
    r = cli("undo", str(first), "--yes", ok=False)
    assert f"已被第 {first + 3} 次操作撤销" in r.stderr, r.stderr


def test_undo_by_number_refuses_when_a_later_command_changed_the_same_rows(demo_db: Path) -> None:
    cli = Cli(demo_db)
    cli("edit", "3", "责任人=甲", ok=True)
    first = _last_command(demo_db)
    cli("edit", "3", "责任人=乙", ok=True)
    later = _last_command(demo_db)
    before = dump(demo_db)
    r = cli("undo", str(first), "--yes", ok=False)
    assert f"不能单独撤销 #{first}" in r.stderr and f"#{later}" in r.stderr, r.stderr
    assert dump(demo_db) == before
    r = cli("undo", "999", "--yes", ok=False)
    assert "没有第 999 次操作" in r.stderr


def test_undo_by_number_refuses_to_remove_an_item_a_later_command_wrote_to(demo_db: Path) -> None:
    cli = Cli(demo_db)
    new_id = cli("add", "招什么", "新项目", "--chain", "绿色矿业", ok=True).stdout.strip()
    added = _last_command(demo_db)
    cli("note", new_id, "首次对接", ok=True)
    r = cli("undo", str(added), "--yes", ok=False)
    assert f"#{added + 1}" in r.stderr and "没有撤销任何操作" in r.stderr, r.stderr


def _colleague_edits(db: Path, item: int) -> None:
    from zhaoshang import items
    from zhaoshang.db import Database
    from zhaoshang.definitions import load

    d = Database.open(db, load())
    with d.command("edit", user="李强"):
        items.edit(d, item, {"责任人": "李强"})
    d.close()


@pytest.mark.parametrize("yes", [True, False])
def test_undo_overtaken_by_an_independent_write_still_undoes_what_it_showed(
    demo_db: Path, monkeypatch: pytest.MonkeyPatch, yes: bool
) -> None:
    """Under load (others writing between the prompt — or the read before the write lock —
    and the undo), `zs undo --yes` used to refuse; the command it named is still undone
    when the colleague's write does not touch the same rows."""
    from zhaoshang.cli import history as cli_history

    cli = Cli(demo_db)
    cli("edit", "3", "责任人=王芳改", ok=True)
    mine = _last_command(demo_db)
    monkeypatch.setattr(cli_history, "confirm", lambda question, y: _colleague_edits(demo_db, 4))
    r = cli("undo", *(["--yes"] if yes else []), ok=True)
    assert f"已撤销 #{mine}" in r.stderr, r.stderr
    show = lambda i: json.loads(cli("show", str(i), "-f", "json", ok=True).stdout)  # noqa: E731
    assert show(3)["owner"] != "王芳改" and show(4)["owner"] == "李强"


def test_undo_overtaken_by_a_write_to_the_same_item_names_it(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from zhaoshang.cli import history as cli_history

    cli = Cli(demo_db)
    cli("edit", "3", "责任人=王芳改", ok=True)
    monkeypatch.setattr(cli_history, "confirm", lambda question, y: _colleague_edits(demo_db, 3))
    r = cli("undo", "--yes", ok=False)
    theirs = _last_command(demo_db)
    assert "确认期间 李强 又执行了" in r.stderr and f"#{theirs}" in r.stderr, r.stderr
    assert "没有撤销任何操作" in r.stderr
    assert json.loads(cli("show", "3", "-f", "json", ok=True).stdout)["owner"] == "李强"

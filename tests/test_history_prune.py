"""`zs history prune --before D`: old history folded to who/when/what, undo of later commands
intact, space given back to the disk, and a dry-run that says what it would free."""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path

import pytest
from conftest import Cli, dump

pytestmark = pytest.mark.engines


def _data(path: Path) -> dict[str, list[tuple[object, ...]]]:
    return {k: v for k, v in dump(path).items() if k not in ("commands", "changes", "meta")}


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())


@pytest.mark.sqlite_only
def test_three_undone_imports_fold_and_the_space_comes_back(demo_db: Path, tmp_path: Path) -> None:
    """New rows of an import are one range in history (a few bytes); the bulky history is
    that of updates — three imports that rewrite 3,000 items' notes, each undone."""
    cli = Cli(demo_db)
    sheet = tmp_path / "大表.csv"

    def write(note: str) -> None:
        with sheet.open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["项目名称", "产业链", "投资额", "备注"])
            w.writerows([f"批量项目{i}", "绿色矿业", i, note * 20] for i in range(3000))

    write("说明")
    cli("import", str(sheet), "--kind", "招什么", ok=True)
    for n in range(3):
        write(f"改{n}")
        cli("import", str(sheet), "--kind", "招什么", "--on-duplicate", "update", ok=True)
        cli("undo", "--yes", ok=True)
    with sqlite3.connect(demo_db) as conn:  # that was last spring
        conn.execute("UPDATE commands SET at = '2026-03-0' || (id % 9 + 1) || 'T10:00:00'")
    live = _data(demo_db)
    cli("edit", "3", "备注=五月的修改", ok=True)  # and this is recent: it stays undoable
    with sqlite3.connect(demo_db) as conn:
        conn.execute("UPDATE commands SET at = '2026-05-10T09:00:00' WHERE id = (SELECT max(id) FROM commands)")
    before, size = dump(demo_db), _size(demo_db)
    assert size > 5_000_000

    r = cli("history", "prune", "--before", "2026-04-01", "--dry-run", ok=True)
    assert "2026-04-01 以前：8 次操作" in r.stderr and "2026-05-10T09:00:00 以后的操作保留完整" in r.stderr, r.stderr
    megabytes = float(r.stderr.split("处改动明细（约 ")[1].split(" MB")[0])
    assert megabytes > 3 and dump(demo_db) == before

    r = cli("history", "prune", "--before", "2026-04-01", ok=False)  # not a terminal: it asks for --yes
    assert "--yes" in r.stderr and dump(demo_db) == before
    r = cli("history", "prune", "--before", "2026-04-01", "--yes", ok=True)
    after = _size(demo_db)
    assert after < size / 4, (size, after)
    assert f"→ {after / 1024 / 1024:.1f} MB" in r.stderr

    entries = json.loads(cli("history", "-n", "20", "-f", "json", ok=True).stdout)
    assert len(entries) == 10 and [e["command"] for e in entries[:2]] == ["history prune", "edit"]
    assert all(e["changes_total"] == 0 for e in entries[2:])  # folded: who, when, what remain
    text = cli("history", "-n", "20", ok=True).stdout
    assert "（改动明细已折叠）" in text and "折叠 2026-04-01 以前 8 次操作的" in text
    cli("undo", "--yes", ok=True)  # the May edit: still undoable
    assert _data(demo_db) == live
    r = cli("undo", "--yes", ok=False)
    assert "2026-04-01 以前的历史已折叠" in r.stderr


def test_history_still_lists_and_takes_an_item_id(demo_db: Path) -> None:
    cli = Cli(demo_db)
    cli("edit", "3", "备注=一", ok=True)
    assert "备注：（空） → 一" in cli("history", "3", "-n", "1", ok=True).stdout
    assert cli("history", "-n", "1", ok=True).stdout.startswith("#2 ")
    assert cli("history", "list", "-n", "1", ok=True).stdout.startswith("#2 ")
    r = cli("history", "prune", "--before", "2099-01-01", ok=False)
    assert "晚于明天" in r.stderr
    r = cli("history", "prune", "--before", "明天", "--dry-run", ok=True)
    assert "全部操作都将折叠" in r.stderr


def test_history_as_rows_for_a_spreadsheet(demo_db: Path) -> None:
    cli = Cli(demo_db)
    cli("edit", "3", "备注=一", ok=True)
    rows = list(csv.reader(cli("history", "-f", "csv", "--keys", ok=True).stdout.splitlines()))
    assert rows[0] == ["id", "at", "user", "command", "args", "summary", "changes_total", "undone_by", "undo_of"]
    assert rows[1][3] == "edit" and rows[1][5] == "修改条目 1" and rows[2][3] == "init --demo"
    data = json.loads(cli("history", "-f", "json", "--columns", "操作号,命令", ok=True).stdout)
    assert data == [{"id": 2, "command": "edit"}, {"id": 1, "command": "init --demo"}]
    assert "不分列" in cli("history", "--columns", "id", ok=False).stderr


def test_the_dry_run_counts_only_items_a_person_deleted(demo_db: Path) -> None:
    cli = Cli(demo_db)
    cli("rm", "3", ok=True)
    cli("add", "招什么", "又撤销的项目", "--chain", "绿色矿业", ok=True)
    cli("undo", "--yes", ok=True)  # the undo deletes the new item again: not a loss to warn about
    r = cli("history", "prune", "--before", "明天", "--dry-run", ok=True)
    assert "其中 1 个当时删除的条目" in r.stderr

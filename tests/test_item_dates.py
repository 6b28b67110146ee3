"""item_dates (schema v6): each item's latest stage move and activity, kept by triggers.

``zs warn`` reads these dates instead of looking both logs up per item, so they must be
what the logs say after every kind of write: stage moves (backdated too), notes, rm,
restore, undo, a bulk import and its undo, the benchmark generator, and the upgrade that
builds them for an existing database."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from _harness import generate

#: the straightforward query: what item_dates must hold for every item
REFERENCE = (
    "SELECT i.id, (SELECT max(s.date) FROM status_log s WHERE s.item_id = i.id), a.id, a.date, a.next_date "
    "FROM items i LEFT JOIN activities a ON a.id = (SELECT b.id FROM activities b WHERE b.item_id = i.id "
    "ORDER BY b.date DESC, b.id DESC LIMIT 1)"
)


def assert_dates_match(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        want = set(conn.execute(REFERENCE))
        have = set(conn.execute("SELECT item_id, entered, act_id, act_date, next_date FROM item_dates"))
    finally:
        conn.close()
    assert have == want, (sorted(have - want)[:5], sorted(want - have)[:5])
    return len(have)


def test_every_kind_of_write_keeps_the_dates(cli: Any, tmp_path: Path) -> None:
    cli("init", "--demo", ok=True)
    assert assert_dates_match(cli.db) > 50
    new = int(cli("add", "招什么", "日期测试项目", "--chain", "新能源", ok=True).stdout.split()[-1])
    assert_dates_match(cli.db)
    cli("stage", str(new), "在谈", "--date", "2026-03-01", ok=True)
    cli("note", str(new), "第一次对接", "--date", "2026-03-05", "--next", "2026-04-01", ok=True)
    cli("note", str(new), "同一天第二次", "--date", "2026-03-05", ok=True)
    cli("note", str(new), "补记更早的一次", "--date", "2026-02-01", ok=True)  # not the latest
    cli("stage", str(new), "已签约", "--date", "2026-02-20", "--force", ok=True)  # backdated
    assert_dates_match(cli.db)
    cli("undo", "--yes", ok=True)  # the backdated move
    cli("undo", "--yes", ok=True)  # the earlier note
    assert_dates_match(cli.db)
    cli("rm", str(new), ok=True)
    conn = sqlite3.connect(cli.db)
    gone = conn.execute("SELECT count(*) FROM item_dates WHERE item_id = ?", (new,)).fetchone()[0]
    conn.close()
    assert gone == 0
    assert_dates_match(cli.db)
    cli("restore", str(new), ok=True)
    assert_dates_match(cli.db)
    cli("undo", "--yes", ok=True)  # the restore
    cli("undo", "--yes", ok=True)  # the rm
    assert_dates_match(cli.db)


def test_a_bulk_import_and_its_undo_keep_the_dates(cli: Any, tmp_path: Path) -> None:
    cli("chain", "add", "新能源", ok=True)
    first = tmp_path / "a.csv"
    first.write_text(
        "项目名称,产业链,状态,签约日期\n"
        + "".join(f"导入项目{i},新能源,已签约,2026-0{i % 9 + 1}-15\n" for i in range(60)),
        encoding="utf-8",
    )
    cli("import", str(first), "--kind", "招什么", ok=True)
    assert assert_dates_match(cli.db) == 60
    conn = sqlite3.connect(cli.db)
    entered = dict(conn.execute("SELECT i.title, d.entered FROM items i JOIN item_dates d ON d.item_id = i.id"))
    conn.close()
    assert entered["导入项目3"] == "2026-04-15"  # the stage date of the sheet, not the day of the import
    second = tmp_path / "b.csv"  # moves items of the first import on, and adds new ones
    second.write_text(
        "项目名称,产业链,状态,开工日期\n"
        + "".join(f"导入项目{i},新能源,已开工,2026-10-{i % 28 + 1:02d}\n" for i in range(20))
        + "".join(f"第二批{i},新能源,在谈,\n" for i in range(30)),
        encoding="utf-8",
    )
    cli("import", str(second), "--kind", "招什么", "--on-duplicate", "update", "--as-of", "2026-11-30", ok=True)
    assert assert_dates_match(cli.db) == 90
    cli("undo", "--yes", ok=True)
    assert assert_dates_match(cli.db) == 60
    cli("undo", "--yes", ok=True)
    assert assert_dates_match(cli.db) == 0


def test_the_generator_and_the_upgrade_build_the_dates(tmp_path: Path) -> None:
    path = tmp_path / "g.db"
    generate(path, 400, seed=3)
    assert assert_dates_match(path) == 400
    # a database of schema v5: no item_dates; opening it upgrades and builds them
    conn = sqlite3.connect(path)
    for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'dates%'"):
        conn.execute(f'DROP TRIGGER "{name}"')
    conn.execute("DROP TABLE item_dates")
    conn.execute("PRAGMA user_version = 5")
    conn.commit()
    conn.close()
    from zhaoshang.db import Database, schema_version
    from zhaoshang.definitions import load

    db = Database.open(path, load())
    try:
        assert db.upgraded_from == 5 and db.version == schema_version()
    finally:
        db.close()
    assert assert_dates_match(path) == 400


@pytest.mark.parametrize("types", [None, "stalled", "no_contact", "follow_up"])
def test_warn_gives_what_the_logs_themselves_give(tmp_path: Path, types: str | None) -> None:
    """The warnings read from item_dates are those read from the logs directly: item_dates
    replaced by a view of the straightforward query gives the same warnings."""
    from datetime import date

    from zhaoshang.db import Database
    from zhaoshang.definitions import load
    from zhaoshang.pipeline import warnings

    path = tmp_path / "w.db"
    generate(path, 600, seed=11)
    wanted = warnings.resolve_types(types)
    db = Database.open(path, load())
    try:
        before = warnings.compute(db, today=date(2026, 12, 1), types=wanted)
        conn = db.conn
        for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'dates%'"):
            conn.execute(f'DROP TRIGGER "{name}"')
        conn.execute("DROP TABLE item_dates")
        conn.execute(f"CREATE TEMP VIEW item_dates(item_id, entered, act_id, act_date, next_date) AS {REFERENCE}")
        after = warnings.compute(db, today=date(2026, 12, 1), types=wanted)
    finally:
        db.close()
    assert before == after and len(before) > 50


def test_bulk_activities_for_existing_items_and_their_undo(cli: Any) -> None:
    """Activities written in bulk (as an import writes a sheet of 对接记录) for items that
    were there before: their dates follow, and undoing the range puts them back."""
    from zhaoshang.db import Database
    from zhaoshang.definitions import load
    from zhaoshang.exchange.bulk import PausedHistory, insert_rows
    from zhaoshang.history import last_undoable, undo

    cli("init", "--demo", ok=True)
    before = assert_dates_match(cli.db)
    db = Database.open(cli.db, load())
    try:
        ids = [r[0] for r in db.conn.execute("SELECT id FROM items ORDER BY id LIMIT 30")]
        with db.command("import", user="测试员"):
            paused = PausedHistory(db)
            paused.pause(["activities"])
            first = db.conn.execute("SELECT coalesce(max(id), 0) + 1 FROM activities").fetchone()[0]
            rows = [
                (i, "对接", "2030-01-0" + str(n % 9 + 1), "批量补记", "2030-02-01", "测试员", "t")
                for n, i in enumerate(ids)
            ]
            insert_rows(db, "activities", ["item_id", "type", "date", "summary", "next_date", "user", "at"], rows)
            paused.record("activities", first, first + len(rows) - 1)
            paused.resume()
        assert assert_dates_match(cli.db) == before
        marks = ",".join("?" * len(ids))
        latest = dict(db.conn.execute(f"SELECT item_id, act_date FROM item_dates WHERE item_id IN ({marks})", ids))
        assert set(latest.values()) <= {f"2030-01-0{d}" for d in range(1, 10)}
        with db.command("undo", user="测试员"):
            undo(db, last_undoable(db))
    finally:
        db.close()
    assert assert_dates_match(cli.db) == before


def test_an_item_put_back_after_its_logs_gets_their_dates(cli: Any) -> None:
    """Undo and restore replay rows with foreign keys deferred, in whatever order the
    history holds them: an item written after its stage moves and notes still gets their
    dates."""
    from zhaoshang.db import Database
    from zhaoshang.definitions import load

    cli("init", "--demo", ok=True)
    db = Database.open(cli.db, load())
    try:
        item_id = db.conn.execute("SELECT item_id FROM activities ORDER BY id LIMIT 1").fetchone()[0]
        with db.command("test", user="测试员"):
            db.conn.execute("PRAGMA defer_foreign_keys = ON")
            item = db.conn.execute("SELECT * FROM items WHERE id = ?", (item_id,)).fetchone()
            logs = db.conn.execute("SELECT * FROM status_log WHERE item_id = ?", (item_id,)).fetchall()
            acts = db.conn.execute("SELECT * FROM activities WHERE item_id = ?", (item_id,)).fetchall()
            db.conn.execute("DELETE FROM items WHERE id = ?", (item_id,))  # (its logs go with it)
            for table, rows in (("status_log", logs), ("activities", acts)):
                for row in rows:
                    db.conn.execute(f"INSERT INTO {table} VALUES ({', '.join('?' * len(row))})", row)
            db.conn.execute(f"INSERT INTO items VALUES ({', '.join('?' * len(item))})", item)
        assert logs and acts
    finally:
        db.close()
    assert_dates_match(cli.db)

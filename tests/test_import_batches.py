"""Imports larger than one batch: new items are written batch by batch, their set-based SQL
(history, stage log, search index) on a writer thread while the next batch is parsed.

BATCH is made tiny here so that a few rows cross many batch boundaries: a later row
updating an item added in an earlier batch, a duplicate of it, a failure in the writer, a
dry run.  Each must leave history complete (undo restores the database exactly), the
triggers in place and the search index right."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from conftest import Cli, dump
from exchange_util import make_city, open_db

from zhaoshang.exchange import importer, moves


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importer, "BATCH", 3)


@pytest.fixture
def city(db_path: Path) -> dict[str, int]:
    return make_city(db_path)


def _triggers(db_path: Path) -> list[str]:
    db = open_db(db_path)
    try:
        return [r[0] for r in db.conn.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name")]
    finally:
        db.conn.close()


def _data(db_path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every table but the history itself (an undo is recorded too)."""
    return {t: rows for t, rows in dump(db_path).items() if t not in ("changes", "commands")}


def _csv(path: Path, rows: list[str]) -> Path:
    path.write_text("项目名称,产业链,投资额,优先级,备注\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def _rows(n: int) -> list[str]:
    return [f"批量项目{i:02d},有色金属,{100 + i},{'ABC'[i % 3]},第{i}行的备注" for i in range(n)]


def test_many_batches_history_triggers_and_index(
    cli: Cli, city: dict[str, int], small_batches: None, tmp_path: Path, db_path: Path
) -> None:
    before, triggers = dump(db_path), _triggers(db_path)
    path = _csv(tmp_path / "a.csv", _rows(20))
    r = cli("import", str(path), "--kind", "招什么", ok=True)
    assert "新增 20" in r.stderr
    db = open_db(db_path)
    got = db.conn.execute(
        "SELECT i.title, k.investment, k.priority, i.notes FROM items i JOIN kind_targets k ON k.id = i.id "
        "WHERE i.title LIKE '批量项目%' ORDER BY i.title"
    ).fetchall()
    assert got == [(f"批量项目{i:02d}", 100 + i, "ABC"[i % 3], f"第{i}行的备注") for i in range(20)]
    cmd = db.conn.execute("SELECT max(id) FROM commands").fetchone()[0]
    # history: one range per table, merged across the batches — no copy of each row
    ranges = db.conn.execute(
        "SELECT tbl, last_row_id - row_id + 1, n_rows, old, new FROM changes WHERE command_id = ? ORDER BY id", (cmd,)
    ).fetchall()
    assert sorted(r[0] for r in ranges) == ["items", "kind_targets", "status_log"]
    assert all(r[2] == 20 and r[3] is None and r[4] is None for r in ranges), ranges
    # read back row by row, every recorded row is the row as it is now
    from zhaoshang.history import changes_of, commands

    shown = changes_of(db, cmd)
    assert Counter(c.table for c in shown) == {"items": 20, "kind_targets": 20, "status_log": 20}
    titles = dict(db.conn.execute("SELECT id, title FROM items"))
    assert all(
        c.action == "insert" and c.new and c.new["title"] == titles[c.row_id] for c in shown if c.table == "items"
    )
    entry = commands(db, limit=1)[0]
    assert entry.id == cmd and entry.total == 40  # 20 items (each with its kind row) and 20 status-log rows
    one = commands(db, item_id=shown[0].row_id, limit=5)
    assert one[0].id == cmd and {c.table for c in one[0].changes} == {"items", "kind_targets", "status_log"}
    db.conn.close()
    assert _triggers(db_path) == triggers
    for i in (0, 7, 19):  # first, middle and last batch are searchable
        assert f"批量项目{i:02d}" in cli("search", f"第{i}行的备注", ok=True).stdout
    cli("undo", "--yes", ok=True)
    assert _data(db_path) == {t: rows for t, rows in before.items() if t not in ("changes", "commands")}


def test_a_later_row_updates_an_item_added_in_an_earlier_batch(
    cli: Cli, city: dict[str, int], small_batches: None, tmp_path: Path, db_path: Path
) -> None:
    before = dump(db_path)
    rows = [*_rows(8), "批量项目 01,有色金属,999,A,改过的备注"]  # a near-identical name, 3 batches later
    path = _csv(tmp_path / "b.csv", rows)
    r = cli("import", str(path), "--kind", "招什么", ok=False)
    assert "疑似重复" in r.stderr
    assert dump(db_path) == before
    cli("import", str(path), "--kind", "招什么", "--on-duplicate", "update", ok=True)
    db = open_db(db_path)
    got = db.conn.execute(
        "SELECT i.title, k.investment, i.notes FROM items i JOIN kind_targets k ON k.id = i.id "
        "WHERE i.title LIKE '批量项目%01'"
    ).fetchall()
    assert got == [("批量项目01", 999, "改过的备注")]
    assert db.conn.execute("SELECT count(*) FROM items WHERE title LIKE '批量项目%'").fetchone()[0] == 8
    db.conn.close()
    assert "批量项目01" in cli("search", "改过的备注", ok=True).stdout  # the index was refreshed
    cli("undo", "--yes", ok=True)
    assert _data(db_path) == {t: rows for t, rows in before.items() if t not in ("changes", "commands")}


def test_dry_run_across_batches_writes_nothing(
    cli: Cli, city: dict[str, int], small_batches: None, tmp_path: Path, db_path: Path
) -> None:
    before, triggers = dump(db_path), _triggers(db_path)
    r = cli("import", str(_csv(tmp_path / "c.csv", _rows(10))), "--kind", "招什么", "--dry-run", ok=True)
    assert "预演（没有写入）：新增 10，修改 0，不变 0，拒绝 0" in r.stderr
    assert dump(db_path) == before
    assert _triggers(db_path) == triggers


def test_a_failure_on_the_writer_thread_rolls_everything_back(
    cli: Cli, city: dict[str, int], small_batches: None, tmp_path: Path, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before, triggers = dump(db_path), _triggers(db_path)
    real = moves.close_gaps
    calls = {"n": 0}

    def failing(*args: object, **kwargs: object) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("磁盘故障（测试注入）")
        real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(moves, "close_gaps", failing)
    r = cli("import", str(_csv(tmp_path / "d.csv", _rows(20))), "--kind", "招什么")
    assert r.exit_code == 1
    assert "内部错误" in r.stderr and "Traceback" not in r.stderr
    assert calls["n"] >= 3
    assert dump(db_path) == before
    assert _triggers(db_path) == triggers


def test_roll_up_of_a_whole_city_in_tiny_batches(
    demo_db: Path, small_batches: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every sheet of the demo city (items, activities, funds, approvals, teams) into an
    empty database, three rows per batch: the same rows, each recorded once in history,
    the triggers back in place, and one undo takes it all back."""
    from zhaoshang.exchange import details

    monkeypatch.setattr(details, "_BATCH", 3)
    src = Cli(demo_db)
    book = tmp_path / "city.xlsx"
    src("export", str(book), ok=True)
    target = tmp_path / "county.db"
    dst = Cli(target)
    dst("init", ok=True)
    before, triggers = _data(target), _triggers(target)
    dst("import", str(book), ok=True)
    tables = ("items", "activities", "funds", "approvals", "team_members")
    theirs, ours = dump(demo_db), dump(target)
    for t in tables:
        assert len(ours[t]) == len(theirs[t]) > 0, t
    db = open_db(target)
    cmd = db.conn.execute("SELECT max(id) FROM commands").fetchone()[0]
    from zhaoshang.history import changes_of

    inserted = [(c.table, c.row_id) for c in changes_of(db, cmd) if c.action == "insert"]
    recorded = Counter(t for t, _ in inserted)
    twice = len(inserted) - len(set(inserted))
    db.conn.close()
    for t in tables:
        assert recorded[t] == len(ours[t]), t
    assert twice == 0
    assert _triggers(target) == triggers
    dst("undo", "--yes", ok=True)
    after = _data(target)
    # meta keeps the stamp of the last roll-up from that office (bookkeeping, not data)
    assert {t: r for t, r in after.items() if t != "meta"} == {t: r for t, r in before.items() if t != "meta"}


def test_the_search_index_after_an_import_is_the_index_rebuilt_from_scratch(
    cli: Cli, city: dict[str, int], small_batches: None, tmp_path: Path, db_path: Path
) -> None:
    """New items are indexed once at the end, changed ones refreshed: the result must be what
    a full rebuild gives — every item once, with its current text, across batches."""
    from zhaoshang.search import rebuild

    rows = [*_rows(9), "批量项目 01,有色金属,999,A,改过的备注", "批量项目 05,有色金属,5,B,又改了"]
    cli("import", str(_csv(tmp_path / "c.csv", rows)), "--kind", "招什么", "--on-duplicate", "update", ok=True)
    trial = [f"预演项目{i},有色金属,1,A,只是预演" for i in range(3)]  # a dry run indexes nothing
    cli("import", str(_csv(tmp_path / "d.csv", trial)), "--kind", "招什么", "--dry-run", ok=True)
    db = open_db(db_path)
    query = "SELECT rowid, title, body FROM items_fts ORDER BY rowid"
    after_import = db.conn.execute(query).fetchall()
    with db.command("rebuild", user="测试员"):
        rebuild(db)
    assert db.conn.execute(query).fetchall() == after_import
    assert len(after_import) == db.conn.execute("SELECT count(*) FROM items").fetchone()[0]
    db.conn.close()


def test_the_writer_thread_builds_the_index_as_a_rebuild_does_and_never_calls_into_python(
    cli: Cli, city: dict[str, int], small_batches: None, tmp_path: Path, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The writer thread shares the import's connection: a statement calling back into Python
    there (the index text function) deadlocks with a main thread that holds the GIL while it
    waits for the connection — it hung the suite.  The index text is worked out on the main
    thread instead; the index is the same as a full rebuild's."""
    import threading

    import zhaoshang.db as zdb
    from zhaoshang.search import rebuild

    plain = zdb.search_text
    threads: set[str] = set()

    def watched(text: str | None) -> str:
        threads.add(threading.current_thread().name)
        return plain(text)

    monkeypatch.setattr(zdb, "search_text", watched)
    rows = [f"黑龍江年產{i}萬噸銅箔項目,有色金属,{100 + i},A,第{i}行 備註　全角" for i in range(20)]
    cli("import", str(_csv(tmp_path / "t.csv", rows)), "--kind", "招什么", ok=True)
    assert threads == {"MainThread"}, threads
    db = open_db(db_path)
    built = db.conn.execute("SELECT rowid, title, body FROM items_fts ORDER BY rowid").fetchall()
    rebuild(db)
    assert db.conn.execute("SELECT rowid, title, body FROM items_fts ORDER BY rowid").fetchall() == built
    db.conn.close()
    assert "黑龍江年產3萬噸銅箔項目" in cli("search", "铜箔", ok=True).stdout

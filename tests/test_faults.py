"""Faults: processes killed (SIGKILL) in the middle of large writes, exports and
migrations; broken, foreign, read-only, missing and too-new database files; and the
database written by the first released schema.

A full run of the same work on a copy is timed first; each kill then lands a chosen
fraction of that time after the command starts writing (its write-ahead log grows), so the
kills hit the write itself rather than start-up.  After every kill the database must open,
pass ``PRAGMA integrity_check`` and hold exactly (a full dump) the state before the command —
or, when the kill came after the commit, exactly what a complete run leaves.  Enough kills
must land mid-write for the test to count.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from _harness import (
    PY,
    ROOT,
    Tally,
    assert_clean_error,
    copy_db,
    full_dump,
    generate,
    has_command,
    integrity,
    report,
    run_zs,
    zs_argv,
    zs_env,
)

from zhaoshang.db import Database, schema_version
from zhaoshang.definitions import load

pytestmark = pytest.mark.slow

TALLY = Tally()
FIXTURE_V2 = ROOT / "tests" / "fixtures" / "schema_v2.db"
#: where, as fractions of a full run, the kills land
FRACTIONS = (0.0, 0.1, 0.25, 0.5)


@pytest.fixture(scope="module", autouse=True)
def _summary(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    report(
        request,
        TALLY.line(
            "故障注入",
            [
                ("kills", "SIGKILL 注入"),
                ("kills_mid", "其中命中执行中途"),
                ("file_faults", "坏文件/坏路径"),
                ("checked", "事后完整核对"),
                ("lost", "数据丢失或损坏"),
            ],
        ),
    )


@pytest.fixture(scope="module")
def big_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A realistic database of 4,000 items (about 25,000 history rows)."""
    path = tmp_path_factory.mktemp("big") / "big.db"
    generate(path, 4_000)
    return path


def _check_same(path: Path, before: dict[str, object]) -> None:
    """The database opens with zhaoshang, is intact and equals ``before`` exactly."""
    assert _outcome(path, before, None) == "before"


_NOW = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d")


def _masked(dump: dict[str, object], path: Path) -> str:
    """A dump with wall-clock timestamps and the file's own name blanked (two complete runs
    of a command on two copies differ only there: `commands.args` holds `--db PATH`)."""
    return _NOW.sub("<t>", repr(dump).replace(str(path), "<db>"))


def _outcome(path: Path, before: dict[str, object], done: tuple[dict[str, object], Path] | None) -> str:
    """After a kill: the database opens with zhaoshang, passes integrity_check and holds
    either exactly the state before the command ("before") or, when the kill came after
    the commit, exactly what a complete run produces ("done").  Anything else is loss."""
    TALLY["checked"] += 1
    ok = integrity(path) == "ok"
    after = full_dump(path)
    if after["user_version"] == before["user_version"]:  # this zhaoshang can open it
        Database.open(path, load()).close()
        after = full_dump(path)
    if ok and after == before:
        return "before"
    if ok and done is not None and _masked(after, path) == _masked(*done):
        return "done"
    TALLY["lost"] += 1
    assert ok, integrity(path)
    raise AssertionError(
        f"state after the kill is neither before nor done: {[k for k in before if after.get(k) != before[k]]}"
    )


def _kill_at(
    argv: list[str], env: dict[str, str], delay: float, *, marker: str | None = None, db: Path | None = None
) -> bool:
    """Start ``argv``, SIGKILL it ``delay`` seconds later (after ``marker`` appears on
    stdout, when given).  True when it was still running at the kill — and, given the
    database ``db``, had already written into its write-ahead log: a kill mid-write."""
    proc = subprocess.Popen(argv, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        if marker is not None:
            assert proc.stdout is not None
            line = proc.stdout.readline()
            assert marker in line, (line, proc.stderr.read() if proc.stderr else "")
        time.sleep(delay)
        alive = proc.poll() is None
        wal = Path(f"{db}-wal") if db is not None else None
        writing = wal is None or (wal.exists() and wal.stat().st_size > 0)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:  # pragma: no cover
            proc.kill()
    TALLY["kills"] += 1
    TALLY["kills_mid"] += int(alive and writing)
    return alive and writing


def _kill_while_writing(
    argv: list[str], env: dict[str, str], db: Path, after: float, *, marker: str | None = None
) -> bool:
    """Start ``argv`` and SIGKILL it ``after`` seconds after it starts writing ``db`` (its
    write-ahead log grows).  True when the kill landed while it was still running."""
    proc = subprocess.Popen(argv, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wal = Path(f"{db}-wal")
    try:
        if marker is not None:
            assert proc.stdout is not None
            line = proc.stdout.readline()
            assert marker in line, (line, proc.stderr.read() if proc.stderr else "")
        deadline = time.monotonic() + 300
        while proc.poll() is None and time.monotonic() < deadline:
            if wal.exists() and wal.stat().st_size > 0:
                break
            time.sleep(0.002)
        time.sleep(after)
        alive = proc.poll() is None
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:  # pragma: no cover
            proc.kill()
    TALLY["kills"] += 1
    TALLY["kills_mid"] += int(alive)
    return alive


def _write_window(argv: list[str], env: dict[str, str], db: Path) -> tuple[float, subprocess.CompletedProcess[str]]:
    """Run ``argv`` to the end; the seconds from its first write to ``db`` (its write-ahead
    log grows) until it exits."""
    proc = subprocess.Popen(argv, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wal = Path(f"{db}-wal")
    start = time.monotonic()
    first: float | None = None
    while proc.poll() is None and time.monotonic() - start < 300:
        if first is None and wal.exists() and wal.stat().st_size > 0:
            first = time.monotonic()
        time.sleep(0.001)
    out, err = proc.communicate(timeout=300)
    end = time.monotonic()
    return end - (first if first is not None else start), subprocess.CompletedProcess(argv, proc.returncode, out, err)


def _timed(argv: list[str], env: dict[str, str]) -> tuple[float, subprocess.CompletedProcess[str]]:
    start = time.perf_counter()
    proc = subprocess.run(argv, env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
    return time.perf_counter() - start, proc


# ---------------------------------------------------------------------------------------
# SIGKILL in the middle of large commands
# ---------------------------------------------------------------------------------------


def test_kill_during_a_large_write_leaves_the_state_before(big_db: Path, tmp_path: Path) -> None:
    """`zs undo` of the generator's command rewrites ~25,000 rows in one transaction."""
    env = zs_env(tmp_path)
    calib = copy_db(big_db, tmp_path / "calib.db")
    took, proc = _timed(zs_argv(calib, "undo", "--yes", "--any-user"), env)
    assert proc.returncode == 0, proc.stderr
    assert sqlite3.connect(calib).execute("SELECT count(*) FROM items").fetchone()[0] == 0
    done = (full_dump(calib), calib)
    before = full_dump(big_db)
    mid = 0
    for frac in FRACTIONS:
        victim = copy_db(big_db, tmp_path / f"kill-{frac}.db")
        alive = _kill_while_writing(zs_argv(victim, "undo", "--yes", "--any-user"), env, victim, took * frac)
        mid += alive and _outcome(victim, before, done) == "before"
    assert mid >= 2, "the kills should land while the command runs"


_SLOW_MIGRATION = r'''
import sys, time
sys.path.insert(0, {root!r})
from zhaoshang import db as zdb
from zhaoshang.definitions import load
# A data migration as a later release might ship one: a new column filled from old data,
# a rewrite that fires the history triggers, and a copied, indexed table.
zdb.MIGRATIONS.append((zdb.schema_version() + 1, "测试用：较慢的数据迁移", """
ALTER TABLE items ADD COLUMN probe TEXT;
UPDATE items SET probe = title || '/' || status, updated_by = coalesce(updated_by, '') || '*';
CREATE TABLE probe_copy AS SELECT * FROM changes;
CREATE INDEX probe_copy_item ON probe_copy(item_id, tbl, row_id)
"""))
print("start", flush=True)
t = time.perf_counter()
d = zdb.Database.open(sys.argv[1], load())
print("done", time.perf_counter() - t, d.version, flush=True)
'''


def test_kill_during_a_migration_leaves_the_old_database(big_db: Path, tmp_path: Path) -> None:
    """The real upgrade path (`Database.open` running MIGRATIONS) with one more, slow,
    migration appended in the child process only; killed at several points."""
    env = zs_env(tmp_path)
    script = _SLOW_MIGRATION.format(root=str(ROOT))
    calib = copy_db(big_db, tmp_path / "calib.db")
    proc = subprocess.run([PY, "-c", script, str(calib)], env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    took = float(proc.stdout.split()[2])
    assert int(proc.stdout.split()[3]) == schema_version() + 1
    assert integrity(calib) == "ok"
    done = (full_dump(calib), calib)
    before = full_dump(big_db)
    mid = 0
    for frac in FRACTIONS:
        victim = copy_db(big_db, tmp_path / f"mig-{frac}.db")
        alive = _kill_while_writing([PY, "-c", script, str(victim)], env, victim, took * frac, marker="start")
        if _outcome(victim, before, done) == "before":
            mid += alive
            assert sqlite3.connect(victim).execute("PRAGMA user_version").fetchone()[0] == schema_version()
    assert mid >= 2


def test_kill_during_the_real_upgrade_from_the_first_schema(tmp_path: Path) -> None:
    """The migrations this release really ships, applied to the v2 fixture, killed at
    random points: afterwards the file is untouched, or upgraded through whole migrations
    (each is one transaction; the next open goes on from there), with nothing lost."""
    env = zs_env(tmp_path)
    before = full_dump(FIXTURE_V2)
    for i, delay in enumerate((0.05, 0.15, 0.3)):
        victim = tmp_path / f"v2-{i}.db"
        shutil.copyfile(FIXTURE_V2, victim)
        _kill_at(zs_argv(victim, "info"), env, delay)
        TALLY["checked"] += 1
        assert integrity(victim) == "ok"
        after = full_dump(victim)
        if after["user_version"] == before["user_version"]:
            assert after == before
        else:
            _assert_kept(before, after)


@pytest.mark.skipif(not has_command("import"), reason="zs import 尚不存在")
def test_kill_during_a_large_import_leaves_the_state_before(big_db: Path, tmp_path: Path) -> None:
    env = zs_env(tmp_path)
    source = copy_db(big_db, tmp_path / "source.db")
    sheet = tmp_path / "all.csv"
    proc = run_zs(source, "export", str(sheet), "--kind", "招什么", env=env)
    assert proc.returncode == 0, proc.stderr
    target = tmp_path / "target.db"
    generate(target, 0)
    calib = copy_db(target, tmp_path / "calib.db")
    # import checks every row first, then writes: kill while it writes, at fractions of the
    # time it writes (measured, not guessed from the whole run: start-up and parsing vary)
    # (a csv carries no stage dates: the moves are dated by --as-of, as a county's sheet must be)
    window, proc = _write_window(zs_argv(calib, "import", str(sheet), "--as-of", "2026-11-30"), env, calib)
    assert proc.returncode == 0, proc.stderr
    done = (full_dump(calib), calib)
    before = full_dump(target)
    mid = 0
    for frac in FRACTIONS:
        victim = copy_db(target, tmp_path / f"imp-{frac}.db")
        argv = zs_argv(victim, "import", str(sheet), "--as-of", "2026-11-30")
        alive = _kill_while_writing(argv, env, victim, window * frac)
        mid += alive and _outcome(victim, before, done) == "before"
    assert mid >= 2


@pytest.mark.skipif(not has_command("export"), reason="zs export 尚不存在")
@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_kill_during_export_never_leaves_a_half_file(big_db: Path, tmp_path: Path, suffix: str) -> None:
    env = zs_env(tmp_path)
    db = copy_db(big_db, tmp_path / "exp.db")
    before = full_dump(db)
    out = tmp_path / f"out{suffix}"
    extra = ["--kind", "招什么"] if suffix == ".csv" else []
    took, proc = _timed(zs_argv(db, "export", str(out), *extra), env)
    assert proc.returncode == 0, proc.stderr
    good = out.read_bytes()
    for frac in FRACTIONS:
        fresh = tmp_path / f"fresh-{frac}{suffix}"
        _kill_at(zs_argv(db, "export", str(fresh), *extra), env, took * frac)
        assert not fresh.exists() or fresh.read_bytes() == good
        # an existing file under the target name is replaced whole or not at all
        old = tmp_path / f"old-{frac}{suffix}"
        old.write_bytes(b"previous export")
        _kill_at(zs_argv(db, "export", str(old), *extra), env, took * frac)
        assert old.read_bytes() in (b"previous export", good)
        _check_same(db, before)


# ---------------------------------------------------------------------------------------
# Broken, foreign, read-only, missing and too-new files: a clear message, exit 1
# ---------------------------------------------------------------------------------------


@pytest.fixture
def small_db(tmp_path: Path) -> Path:
    """The first-release fixture, upgraded to the current schema (as a user's file would be
    after its first use with this version)."""
    path = tmp_path / "small.db"
    shutil.copyfile(FIXTURE_V2, path)
    Database.open(path, load()).close()
    return path


def _bad(proc: subprocess.CompletedProcess[str], says: str) -> None:
    TALLY["file_faults"] += 1
    assert_clean_error(proc, says=says)


def test_corrupt_files_are_refused_clearly(tmp_path: Path, small_db: Path) -> None:
    env = zs_env(tmp_path)
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(bytes(range(256)) * 40)
    _bad(run_zs(garbage, "list", env=env), "不是有效的 zhaoshang 数据库")
    text = tmp_path / "notes.db"
    text.write_text("这不是数据库，是一份会议纪要。\n" * 200, encoding="utf-8")
    _bad(run_zs(text, "add", "招什么", "x", "--chain", "新能源", env=env), "不是有效的 zhaoshang 数据库")
    assert text.read_text(encoding="utf-8").startswith("这不是数据库")
    # a real database cut in half (a bad copy): a write finds the damage
    half = tmp_path / "half.db"
    data = small_db.read_bytes()
    half.write_bytes(data[: len(data) // 2])
    proc = run_zs(half, "search", "铜", env=env)
    if proc.returncode == 0:  # the pages it needed were intact; a full read must notice
        proc = run_zs(half, "history", env=env)
    _bad(proc, "损坏")


def test_a_foreign_sqlite_file_is_not_touched(tmp_path: Path) -> None:
    env = zs_env(tmp_path)
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, what TEXT)")
    conn.execute("INSERT INTO orders(what) VALUES ('keep me')")
    conn.commit()
    conn.close()
    before = full_dump(other)
    _bad(run_zs(other, "list", env=env), "不是 zhaoshang 数据库")
    assert full_dump(other) == before


def test_a_directory_given_as_the_database(tmp_path: Path) -> None:
    env = zs_env(tmp_path)
    folder = tmp_path / "folder"
    folder.mkdir()
    _bad(run_zs(folder, "list", env=env), "是一个目录")
    _bad(run_zs(folder, "init", env=env), "是一个目录")
    assert list(folder.iterdir()) == []


def test_a_path_in_a_missing_folder(tmp_path: Path) -> None:
    """A mistyped path is an error for every command but init, which creates the folders."""
    env = zs_env(tmp_path)
    path = tmp_path / "no" / "such" / "folder" / "city.db"
    _bad(run_zs(path, "list", env=env), "不存在")
    _bad(run_zs(path, "add", "招什么", "x", "--chain", "新能源", env=env), "不存在")
    proc = subprocess.run(
        [PY, "-m", "zhaoshang", "list"], env={**env, "ZHAOSHANG_DB": str(path)}, capture_output=True, text=True
    )
    _bad(proc, "不存在")
    assert not (tmp_path / "no").exists()
    proc = run_zs(path, "init", env=env)
    assert proc.returncode == 0, proc.stderr
    assert path.is_file()


def test_a_database_from_a_newer_zhaoshang_is_refused_untouched(tmp_path: Path, small_db: Path) -> None:
    env = zs_env(tmp_path)
    conn = sqlite3.connect(small_db)
    conn.execute(f"PRAGMA user_version = {schema_version() + 5}")
    conn.close()
    before = full_dump(small_db)
    _bad(run_zs(small_db, "list", env=env), "更新版本")
    _bad(run_zs(small_db, "edit", "5", "责任人=张三", env=env), "更新版本")
    assert full_dump(small_db) == before


def _make_read_only(path: Path) -> bool:
    """chmod for ordinary users; root ignores modes, so use the immutable flag there."""
    import os

    if os.geteuid() != 0:
        path.chmod(0o555 if path.is_dir() else 0o444)
    elif shutil.which("chattr") is None or subprocess.run(["chattr", "+i", str(path)]).returncode != 0:
        return False
    try:
        if path.is_dir():
            (path / ".probe").touch()
            (path / ".probe").unlink()
        else:
            with path.open("r+b"):
                pass
    except OSError:
        return True
    _undo_read_only(path)
    return False


def _undo_read_only(path: Path) -> None:
    import os

    if os.geteuid() == 0 and shutil.which("chattr"):
        subprocess.run(["chattr", "-i", str(path)], check=False)
    path.chmod(0o755 if path.is_dir() else 0o644)


def test_a_read_only_database_reads_but_refuses_writes(tmp_path: Path, small_db: Path) -> None:
    env = zs_env(tmp_path)
    before = full_dump(small_db)
    if not _make_read_only(small_db):
        pytest.skip("这里无法把文件设为只读")
    try:
        proc = run_zs(small_db, "show", "20", env=env)
        assert proc.returncode == 0, proc.stderr
        assert "稀土永磁材料项目" in proc.stdout
        _bad(run_zs(small_db, "edit", "20", "投资额=1亿", env=env), "只读")
        _bad(run_zs(small_db, "add", "招什么", "新项目", "--chain", "新能源", env=env), "只读")
    finally:
        _undo_read_only(small_db)
    assert full_dump(small_db) == before


# ---------------------------------------------------------------------------------------
# The first released schema upgrades with nothing lost
# ---------------------------------------------------------------------------------------


def _assert_kept(old: dict[str, object], new: dict[str, object]) -> None:
    """Every table, column and row of ``old`` is in ``new`` with the same values (new
    columns and tables may be added; rows added by migrations are allowed)."""
    for table, rows in old.items():
        if table in ("user_version", "schema"):
            continue
        assert table in new, f"table {table} disappeared"
        assert isinstance(rows, list)
        new_rows = {r[0]: r for r in new[table]}  # type: ignore[attr-defined]
        for row in rows:
            assert row[0] in new_rows, f"{table} row {row[0]} lost"
            if table == "definitions":
                continue  # which definitions the database was built with: rewritten when they change
            if table == "items_fts" and int(new["user_version"]) >= 7:  # type: ignore[call-overload]
                # from schema 7 the search index holds the text in search form (each migration
                # is its own transaction: a kill between two leaves a whole earlier version)
                from zhaoshang.db import search_text

                row = (row[0], *(search_text(v) for v in row[1:]))  # type: ignore[arg-type]
            assert new_rows[row[0]][: len(row)] == row, f"{table} row {row[0]} changed"


def test_the_first_released_schema_upgrades_with_nothing_lost(tmp_path: Path) -> None:
    path = tmp_path / "v2.db"
    shutil.copyfile(FIXTURE_V2, path)
    old = full_dump(path)
    assert old["user_version"] == 2
    db = Database.open(path, load())
    assert db.version == schema_version()
    db.close()
    assert integrity(path) == "ok"
    new = full_dump(path)
    _assert_kept(old, new)
    from zhaoshang.db import _kind_fingerprint

    stored = {row[1]: row[2] for row in old["definitions"]}  # type: ignore[attr-defined]
    same_defs = stored == {k.key: _kind_fingerprint(k) for k in load().kinds}
    if schema_version() == 2 and same_defs:  # nothing to migrate: opening changed nothing at all
        assert new == old
    # and it is fully usable: read, write, history, undo
    env = zs_env(tmp_path)
    proc = run_zs(path, "show", "89", env=env)
    assert proc.returncode == 0 and "年产2万吨铜箔项目" in proc.stdout, proc.stderr
    proc = run_zs(path, "undo", "--yes", "--any-user", env=env)  # 李静 ran rm 3 there
    assert proc.returncode == 0, proc.stderr
    proc = run_zs(path, "show", "3", env=env)
    assert proc.returncode == 0, proc.stderr
    assert old["items"] and any(r[0] == 3 for r in old["items"]) is False  # type: ignore[attr-defined]
    proc = run_zs(path, "edit", "89", "投资额=5亿", env=env)
    assert proc.returncode == 0, proc.stderr
    assert integrity(path) == "ok"


@pytest.mark.skipif(not has_command("export"), reason="zs export 尚不存在")
def test_export_where_it_cannot_write(tmp_path: Path, small_db: Path) -> None:
    """A missing or read-only folder: a clear message for every format, no stray files."""
    env = zs_env(tmp_path)
    for suffix in (".xlsx", ".csv", ".json", ".yaml"):
        _bad(run_zs(small_db, "export", str(tmp_path / "missing" / f"out{suffix}"), env=env), "不存在")
    locked = tmp_path / "locked"
    locked.mkdir()
    if not _make_read_only(locked):
        pytest.skip("这里无法把目录设为只读")
    try:
        for suffix in (".xlsx", ".csv", ".json", ".yaml"):
            _bad(run_zs(small_db, "export", str(locked / f"out{suffix}"), env=env), "权限")
        if has_command("template"):
            _bad(run_zs(small_db, "template", str(locked / "模板.xlsx"), env=env), "权限")
    finally:
        _undo_read_only(locked)
    assert list(locked.iterdir()) == []


# ---------------------------------------------------------------------------------------
# a shared folder is not a database server
# ---------------------------------------------------------------------------------------

MOUNTS = """\
22 1 252:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw
98 22 0:47 / /mnt/办公室\\040共享 rw,relatime shared:60 - cifs //nas/share rw,vers=3.0
99 22 0:48 / /srv/nfs rw,relatime shared:61 - nfs4 nas:/export rw
100 99 252:2 / /srv/nfs/local rw,relatime shared:62 - ext4 /dev/vdb1 rw
"""


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/mnt/办公室 共享/zhaoshang.db", "cifs"),
        ("/srv/nfs/city.db", "nfs4"),
        ("/srv/nfs/local/city.db", "ext4"),
        ("/home/wf/zhaoshang.db", "ext4"),
        ("/srv/nfsx/city.db", "ext4"),
    ],
)
def test_the_mount_holding_a_path(path: str, kind: str) -> None:
    from zhaoshang.netfs import mount_type

    assert mount_type(Path(path), MOUNTS) == kind


def test_a_database_on_a_network_file_system_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLite's locking is unreliable over NFS/SMB: every command refuses, saying what to do."""
    from typer.testing import CliRunner

    from zhaoshang import netfs
    from zhaoshang.cli import app

    fake = tmp_path / "mountinfo"
    fake.write_text(f"22 1 252:1 / / rw - ext4 /dev/vda1 rw\n99 22 0:48 / {tmp_path} rw - nfs4 nas:/x rw\n")
    monkeypatch.setattr(netfs, "MOUNTINFO", fake)
    db = tmp_path / "city.db"
    r = CliRunner().invoke(app, ["--db", str(db), "init"])
    assert r.exit_code == 1 and "网络文件系统（nfs4）" in r.stderr and "本地磁盘" in r.stderr, r.stderr
    assert not db.exists()
    monkeypatch.setenv("ZHAOSHANG_ALLOW_NETWORK_FS", "1")  # the expert's own risk, documented
    assert CliRunner().invoke(app, ["--db", str(db), "init"]).exit_code == 0
    monkeypatch.delenv("ZHAOSHANG_ALLOW_NETWORK_FS")
    for args in (["list"], ["info"]):  # a database someone put there anyway
        r = CliRunner().invoke(app, ["--db", str(db), *args])
        assert r.exit_code == 1 and "网络文件系统（nfs4）" in r.stderr and "本地磁盘" in r.stderr, r.stderr


@pytest.fixture
def read_only_mount(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    """(source folder, the same folder mounted read-only): needs root and mount, else skipped."""
    src, mnt = tmp_path / "src", tmp_path / "ro"
    src.mkdir()
    mnt.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("a read-only mount needs root")
    ok = subprocess.run(["mount", "--bind", str(src), str(mnt)], capture_output=True).returncode == 0
    ok = ok and subprocess.run(["mount", "-o", "remount,ro,bind", str(mnt)], capture_output=True).returncode == 0
    if not ok:
        subprocess.run(["umount", str(mnt)], capture_output=True)
        pytest.skip("mount is not allowed here")
    try:
        yield src, mnt
    finally:
        subprocess.run(["umount", str(mnt)], capture_output=True)


def test_a_database_on_read_only_media_can_be_read(read_only_mount: tuple[Path, Path], tmp_path: Path) -> None:
    """A city's database burnt to a disc or a read-only share: list, search, show, reports and
    export work (WAL's -shm cannot be created there); a write says why it cannot."""
    src, mnt = read_only_mount
    env = zs_env(tmp_path)
    assert run_zs(src / "city.db", "init", "--demo", env=env).returncode == 0
    db = mnt / "city.db"
    for args in (["list", "-f", "json"], ["search", "铜"], ["show", "1"], ["report", "monthly", "-f", "json"],
                 ["export", str(tmp_path / "out.xlsx")], ["info"]):  # fmt: skip
        proc = run_zs(db, *args, env=env)
        assert proc.returncode == 0, (args, proc.stderr)
    assert len(json.loads(run_zs(db, "list", "-f", "json", env=env).stdout)) == 89
    proc = run_zs(db, "add", "招什么", "新项目", "--chain", "绿色矿业", env=env)
    assert proc.returncode == 1 and "只读的位置" in proc.stderr and "Traceback" not in proc.stderr


# ---------------------------------------------------------------------------------------
# Ctrl-C and a full disk: one Chinese line saying what was and was not written
# ---------------------------------------------------------------------------------------


def _county_csv(path: Path, n: int = 50) -> Path:
    rows = "".join(f"项目{i},绿色矿业\n" for i in range(n))
    path.write_text("项目名称,产业链\n" + rows, encoding="utf-8")
    return path


def test_ctrl_c_during_an_import_writes_nothing_and_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from zhaoshang.cli import app
    from zhaoshang.exchange import bulk

    db = tmp_path / "city.db"
    runner = CliRunner()
    assert runner.invoke(app, ["--db", str(db), "init"]).exit_code == 0
    assert runner.invoke(app, ["--db", str(db), "chain", "add", "绿色矿业"]).exit_code == 0
    before = full_dump(db)

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(bulk, "insert_rows", interrupted)
    r = runner.invoke(app, ["--db", str(db), "import", str(_county_csv(tmp_path / "县.csv")), "--kind", "招什么"])
    assert r.exit_code == 130, (r.exit_code, r.stderr)
    assert r.stderr.strip().endswith("没有写入任何数据，也没有留下写了一半的文件") or "没有写入任何数据" in r.stderr
    assert "Traceback" not in r.stderr
    assert full_dump(db) == before


def test_ctrl_c_after_an_import_committed_says_it_is_saved(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from zhaoshang.cli import app
    from zhaoshang.exchange import importer

    db = tmp_path / "city.db"
    runner = CliRunner()
    assert runner.invoke(app, ["--db", str(db), "init"]).exit_code == 0
    assert runner.invoke(app, ["--db", str(db), "chain", "add", "绿色矿业"]).exit_code == 0

    def interrupted(*args: object, **kwargs: object) -> str:
        raise KeyboardInterrupt

    monkeypatch.setattr(importer, "summarize", interrupted)  # Ctrl-C while the summary is printed
    r = runner.invoke(app, ["--db", str(db), "import", str(_county_csv(tmp_path / "县.csv")), "--kind", "招什么"])
    assert r.exit_code == 130 and "已经完成并保存" in r.stderr and "zs undo" in r.stderr, r.stderr
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM items").fetchone()[0] == 50


@pytest.fixture
def full_disk(tmp_path: Path) -> Iterator[Path]:
    """A folder on a nearly full 1 MB tmpfs (root and mount needed, else skipped)."""
    mnt = tmp_path / "full"
    mnt.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("a small file system needs root")
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mnt)], capture_output=True).returncode:
        pytest.skip("mount is not allowed here")
    try:
        with contextlib.suppress(OSError), (mnt / "filler").open("wb") as fh:
            fh.write(b"\0" * (1 << 20))
        yield mnt
    finally:
        subprocess.run(["umount", str(mnt)], capture_output=True)


@pytest.mark.parametrize(
    "args",
    [
        ["export", "{dir}/全部.xlsx"],
        ["export", "{dir}/全部.csv"],
        ["export", "{dir}/全部.json"],
        ["template", "{dir}/模板.xlsx"],
        ["report", "monthly", "--out", "{dir}/月报.xlsx"],
    ],
)
def test_a_full_disk_gets_one_clear_line(full_disk: Path, tmp_path: Path, args: list[str]) -> None:
    env = zs_env(tmp_path)
    db = tmp_path / "city.db"
    assert run_zs(db, "init", "--demo", env=env).returncode == 0
    proc = run_zs(db, *(a.format(dir=full_disk) for a in args), env=env)
    assert proc.returncode == 1, proc.stderr
    assert "磁盘空间不足" in proc.stderr and str(full_disk) in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr and "Exception ignored" not in proc.stderr, proc.stderr
    assert sorted(p.name for p in full_disk.iterdir()) == ["filler"]  # nothing half-written left


def test_a_database_on_a_full_disk_writes_nothing(full_disk: Path, tmp_path: Path) -> None:
    env = zs_env(tmp_path)
    proc = run_zs(full_disk / "city.db", "init", "--demo", env=env)
    assert proc.returncode == 1 and "磁盘已满" in proc.stderr and "没有写入任何数据" in proc.stderr, proc.stderr

"""Load: eight processes adding, editing, noting (and importing, when `zs import` exists)
in one database at the same time for a bounded while.  Afterwards: no lost update, no
"database is locked" (or any error) reaching a user, every command complete in history,
and the file intact."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _harness import PY, ROOT, Tally, generate, has_command, integrity, report, zs_env

pytestmark = pytest.mark.slow

WORKERS = 8
SPAWNING = 2  # of which run every command as a real `python -m zhaoshang` process
SECONDS = float(os.environ.get("ZS_LOAD_SECONDS", "15"))
TALLY = Tally()


@pytest.fixture(scope="module", autouse=True)
def _summary(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    report(
        request,
        TALLY.line(
            "并发压力",
            [
                ("processes", "并发进程"),
                ("commands", "命令"),
                ("errors", "报错（含锁冲突）"),
                ("locked", "其中“database is locked”"),
                ("lost", "丢失的更新"),
                ("history_gaps", "历史缺失"),
            ],
        ),
    )


def _records(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_eight_processes_at_once_lose_nothing(tmp_path: Path) -> None:
    db = tmp_path / "load.db"
    generate(db, 2_000)
    conn = sqlite3.connect(db)
    targets = [r[0] for r in conn.execute("SELECT id FROM items WHERE kind = 'targets' ORDER BY id LIMIT ?", (10,))]
    conn.close()
    shared, own = targets[0], targets[1 : 1 + WORKERS]
    importing = has_command("import")
    env = zs_env(tmp_path, ZS_LOAD_IMPORT="1" if importing else "0")
    start_at = time.time() + 3.0  # every worker has imported zhaoshang by then
    procs = []
    for w in range(WORKERS):
        mode = "spawn" if w >= WORKERS - SPAWNING else "inproc"
        out = tmp_path / f"worker{w}.jsonl"
        argv = [PY, str(ROOT / "tests" / "_load_worker.py"), str(db), str(w), str(start_at), str(SECONDS)]
        argv += [str(own[w]), str(shared), mode, str(out)]
        procs.append((w, out, subprocess.Popen(argv, env=env, cwd=ROOT, stderr=subprocess.PIPE, text=True)))
    for _w, _out, p in procs:
        _, err = p.communicate(timeout=SECONDS + 120)
        assert p.returncode == 0, err
    TALLY["processes"] += WORKERS

    conn = sqlite3.connect(db)
    records = {w: _records(out) for w, out, _ in procs}
    all_records = [r for rs in records.values() for r in rs]
    TALLY["commands"] += len(all_records)
    failures = [r for r in all_records if r["code"] != 0 or "Traceback" in r["err"] or "内部错误" in r["err"]]
    TALLY["errors"] += len(failures)
    TALLY["locked"] += sum(1 for r in all_records if "locked" in r["err"] or "占用" in r["err"])
    assert not failures, failures[:5]
    ops = {op: sum(1 for r in all_records if r["op"] == op) for op in ("add", "edit_own", "note", "edit_shared")}
    assert all(n >= WORKERS for n in ops.values()), ops  # everyone got through several rounds

    lost: list[str] = []
    # every add is there exactly once, with its value
    for r in (r for r in all_records if r["op"] == "add"):
        rows = conn.execute("SELECT id FROM items WHERE title = ?", (f"压测项目{r['tag']}",)).fetchall()
        if len(rows) != 1 or str(rows[0][0]) != r["out"].split()[0]:
            lost.append(f"add {r['tag']}: {rows}")
    # each worker's own item holds the last value it wrote
    for w, rs in records.items():
        last = [r for r in rs if r["op"] == "edit_own"][-1]
        value = conn.execute("SELECT investment FROM kind_targets WHERE id = ?", (own[w],)).fetchone()[0]
        if value != float(last["args"][-1].split("=")[1]):
            lost.append(f"own item of worker {w}: {value} != {last['args'][-1]}")
    # every note on the shared item is there exactly once
    for r in (r for r in all_records if r["op"] == "note"):
        n = conn.execute(
            "SELECT count(*) FROM activities WHERE item_id = ? AND summary = ?", (shared, f"压测对接{r['tag']}")
        ).fetchone()[0]
        if n != 1:
            lost.append(f"note {r['tag']}: {n}")
    # every edit of the shared item is in its history, in order of the commands
    notes_seen = [
        json.loads(new)["notes"]
        for (new,) in conn.execute(
            "SELECT new FROM changes WHERE tbl = 'items' AND row_id = ? AND action = 'update' ORDER BY id", (shared,)
        )
    ]
    for r in (r for r in all_records if r["op"] == "edit_shared"):
        if f"压测备注{r['tag']}" not in notes_seen:
            lost.append(f"shared edit {r['tag']} not in history")
    # imports: every row once
    for r in (r for r in all_records if r["op"] == "import"):
        for k in range(3):
            n = conn.execute("SELECT count(*) FROM items WHERE title = ?", (f"压测导入{r['tag']}-{k}",)).fetchone()[0]
            if n != 1:
                lost.append(f"import {r['tag']}-{k}: {n}")
    TALLY["lost"] += len(lost)
    assert not lost, lost[:10]

    # history complete: one recorded command per successful write, each with its changes
    gaps: list[str] = []
    for w, rs in records.items():
        n_cmds = conn.execute("SELECT count(*) FROM commands WHERE user = ?", (f"压测{w}",)).fetchone()[0]
        if n_cmds != len(rs):
            gaps.append(f"worker {w}: {n_cmds} commands recorded for {len(rs)} run")
    empty = conn.execute(
        "SELECT count(*) FROM commands c WHERE user LIKE '压测%' AND NOT EXISTS "
        "(SELECT 1 FROM changes WHERE command_id = c.id)"
    ).fetchone()[0]
    if empty:
        gaps.append(f"{empty} commands without changes")
    adds = conn.execute(  # an import's new rows are one range (n_rows of them)
        "SELECT coalesce(sum(coalesce(ch.n_rows, 1)), 0) FROM changes ch JOIN commands c ON c.id = ch.command_id "
        "WHERE c.user LIKE '压测%' AND ch.tbl = 'items' AND ch.action = 'insert'"
    ).fetchone()[0]
    expected_adds = ops["add"] + 3 * sum(1 for r in all_records if r["op"] == "import")
    if adds != expected_adds:
        gaps.append(f"{adds} item inserts in history, {expected_adds} expected")
    conn.close()
    TALLY["history_gaps"] += len(gaps)
    assert not gaps, gaps
    assert integrity(db) == "ok"


# ---------------------------------------------------------------------------------------
# undo while a colleague writes
# ---------------------------------------------------------------------------------------


def _two_users(tmp_path: Path) -> tuple[Path, Any]:
    from conftest import Cli

    from zhaoshang import items, lookups
    from zhaoshang.db import Database
    from zhaoshang.definitions import load

    db = tmp_path / "shared.db"
    d = Database.open(db, load())
    with d.command("setup", user="王芳"):
        lookups.create(d, lookups.CHAIN, "绿色矿业", {})
    with d.command("add", user="王芳"):
        items.add(d, "招什么", "王芳的项目", chain="绿色矿业")
    d.close()
    return db, Cli(db)


def test_undo_undoes_exactly_the_command_it_showed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The prompt names 王芳's add; while she reads it, 李强 adds a project.  Her `zs undo`
    must not undo his command: it undoes the add she was shown (his project does not
    depend on it) and leaves his alone.  (When it depends on it, nothing is undone:
    tests/test_history_trust.py.)"""
    from zhaoshang import items
    from zhaoshang.cli import history as cli_history
    from zhaoshang.db import Database
    from zhaoshang.definitions import load

    db, cli = _two_users(tmp_path)

    def colleague_writes(question: str, yes: bool) -> None:
        assert "王芳的项目" in question or "王芳" in question
        d = Database.open(db, load())
        with d.command("add", user="李强"):
            items.add(d, "招什么", "李强的项目", chain="绿色矿业")
        d.close()

    monkeypatch.setattr(cli_history, "confirm", colleague_writes)
    monkeypatch.setenv("ZHAOSHANG_USER", "王芳")
    r = cli("undo", ok=True)
    assert "已撤销 #2" in r.stderr, r.stderr
    with sqlite3.connect(db) as conn:
        titles = sorted(t for (t,) in conn.execute("SELECT title FROM items"))
    assert titles == ["李强的项目"]


def test_undoing_another_users_command_is_deliberate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db, cli = _two_users(tmp_path)
    monkeypatch.setenv("ZHAOSHANG_USER", "李强")
    r = cli("undo", "--yes", ok=False)
    assert r.exit_code == 1 and "不是你（李强）的" in r.stderr and "--any-user" in r.stderr
    r = cli("undo", "--yes", "--any-user", ok=True)
    assert "已撤销" in r.stderr
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM items").fetchone()[0] == 0


def _at_once(argvs: list[list[str]], env: dict[str, str]) -> list[subprocess.CompletedProcess[str]]:
    procs = [subprocess.Popen(a, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for a in argvs]
    out = []
    for p, a in zip(procs, argvs, strict=True):
        so, se = p.communicate(timeout=120)
        out.append(subprocess.CompletedProcess(a, p.returncode, so, se))
    return out


@pytest.mark.slow
def test_six_commands_at_once_on_a_database_that_needs_an_upgrade(tmp_path: Path) -> None:
    """The first morning after an upgrade: every command of the office opens the old database
    at once; one migrates it under the write lock, the others find it migrated."""
    import shutil

    fixture = ROOT / "tests" / "fixtures" / "schema_v2.db"
    env = zs_env(tmp_path)
    for attempt in range(3):
        db = tmp_path / f"v2-{attempt}.db"
        shutil.copyfile(fixture, db)
        runs = _at_once([[PY, "-m", "zhaoshang", "--db", str(db), "list", "-f", "json"] for _ in range(6)], env)
        for r in runs:
            assert r.returncode == 0, r.stderr
            assert "duplicate column" not in r.stderr and "内部错误" not in r.stderr
        assert integrity(db) == "ok"
        with sqlite3.connect(db) as conn:
            assert (
                conn.execute("SELECT count(*) FROM commands WHERE name = 'upgrade' AND args LIKE '%3%'").fetchone()[0]
                <= 1
            )


@pytest.mark.slow
def test_init_demo_at_once_loads_one_city(tmp_path: Path) -> None:
    env = zs_env(tmp_path)
    db = tmp_path / "new.db"
    runs = _at_once([[PY, "-m", "zhaoshang", "--db", str(db), "init", "--demo"] for _ in range(4)], env)
    ok = [r for r in runs if r.returncode == 0 and "已载入演示数据" in r.stderr]
    assert len(ok) == 1, [r.stderr for r in runs]
    for r in runs:
        assert "already exists" not in r.stderr and "内部错误" not in r.stderr, r.stderr
        assert r.returncode in (0, 1)
        if r.returncode == 1:
            assert "已有数据，不能载入演示数据" in r.stderr, r.stderr
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM chains").fetchone()[0] == 6


@pytest.mark.slow
def test_a_write_waiting_on_another_program_says_so(tmp_path: Path) -> None:
    """Another program holds the write lock (a long import): after a second or two the command
    says what it is waiting for, then goes ahead when the lock is free."""
    import threading

    env = zs_env(tmp_path)
    db = tmp_path / "busy.db"
    subprocess.run([PY, "-m", "zhaoshang", "--db", str(db), "init", "--demo"], env=env, check=True, capture_output=True)
    holder = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    release = threading.Timer(3.5, lambda: holder.execute("ROLLBACK"))
    release.start()
    try:
        started = time.monotonic()
        proc = subprocess.run(
            [PY, "-m", "zhaoshang", "--db", str(db), "add", "招什么", "等待中的项目", "--chain", "绿色矿业"],
            env=env, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        took = time.monotonic() - started
    finally:
        release.join()
        holder.close()
    assert proc.returncode == 0, proc.stderr
    assert "正被另一个程序写入" in proc.stderr and "正在等待" in proc.stderr, proc.stderr
    assert took >= 3

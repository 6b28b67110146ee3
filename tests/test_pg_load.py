"""Load on PostgreSQL: sixteen clients, each a process of its own, on one server database at
the same time for a bounded while — adds, edits of their own counters, notes on one shared
item, stage moves, imports, undo, bulk edits (``--where``), and list/search/reports between
them.  Afterwards: every command exited 0; every client finds in the database exactly what it
says it committed (no lost update); every write is one command in history; undoing every one
of them, newest first, gives back the database as it was before, row for row (history holds
everything that happened); ``zs check`` is clean (item_dates included) before and after.

Skipped without a server locally (``ZHAOSHANG_TEST_PG``); under CI the server is required."""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _harness import PY, ROOT, Tally, pg_test_database, report, rows, run_zs, zs_env

pytestmark = pytest.mark.slow

CLIENTS = 16
SPAWNING = 2  # of which run every command as a real `python -m zhaoshang` process
SECONDS = float(os.environ.get("ZS_PG_LOAD_SECONDS", "30"))
TALLY = Tally()
WRITES = ("add", "counter", "note", "stage", "import", "undo", "bulk")


@pytest.fixture(scope="module", autouse=True)
def _summary(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    report(
        request,
        TALLY.line(
            "PostgreSQL 并发压力",
            [
                ("clients", "并发客户端"),
                ("seconds", "秒"),
                ("commands", "命令"),
                ("writes", "其中写入"),
                ("min_per_client", "每客户端最少"),
                ("max_per_client", "最多"),
                ("errors", "报错"),
                ("lost", "丢失的更新"),
                ("history_gaps", "历史缺失"),
                ("undone", "最后逐条撤销"),
            ],
        ),
    )


@pytest.fixture
def pg_url(request: pytest.FixtureRequest) -> Iterator[str]:
    yield from pg_test_database(request.node.name)


def _records(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _data(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table but history itself (commands, changes) and the id counters."""
    names = [
        t
        for (t,) in rows(
            url,
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
            "AND table_name NOT IN ('commands', 'changes', 'zs_sequence') ORDER BY table_name",
        )
    ]
    return {t: sorted(rows(url, f'SELECT * FROM "{t}"'), key=repr) for t in names}


def test_sixteen_clients_at_once_lose_nothing(tmp_path: Path, pg_url: str) -> None:
    from zhaoshang import history, items
    from zhaoshang.db import Database
    from zhaoshang.definitions import load

    env = zs_env(tmp_path)
    init = run_zs(pg_url, "init", "--demo", env=env)
    assert init.returncode == 0, init.stderr
    d = Database.open(pg_url, load())
    with d.command("setup", user="测试员"):
        own = [
            items.add(d, "招什么", f"压测自有{w}", chain="新能源", values={"owner": f"压测人{w}"})
            for w in range(CLIENTS)
        ]
    d.close()
    shared = rows(pg_url, "SELECT min(id) FROM items WHERE kind = 'targets'")[0][0]
    base_command = rows(pg_url, "SELECT max(id) FROM commands")[0][0]
    before = _data(pg_url)

    go = tmp_path / "go"
    procs = []
    for w in range(CLIENTS):
        mode = "spawn" if w >= CLIENTS - SPAWNING else "inproc"
        out = tmp_path / f"client{w}.jsonl"
        argv = [PY, str(ROOT / "tests" / "_pg_load_worker.py"), pg_url, str(w), str(go), str(SECONDS)]
        argv += [str(own[w]), str(shared), mode, str(out)]
        procs.append((w, out, subprocess.Popen(argv, env=env, cwd=ROOT, stderr=subprocess.PIPE, text=True)))
    ready_by = time.monotonic() + 180
    while not all(Path(f"{out}.ready").exists() for _w, out, _p in procs):  # every client warmed up
        assert time.monotonic() < ready_by and all(p.poll() is None for _w, _o, p in procs), "clients not ready"
        time.sleep(0.1)
    start_at = time.time() + 0.5
    go.write_text(str(start_at))
    for _w, _out, p in procs:
        _, err = p.communicate(timeout=SECONDS + 180)
        assert p.returncode == 0, err
    took = time.time() - start_at

    records = {w: _records(out) for w, out, _ in procs}
    every = [r for rs in records.values() for r in rs]
    TALLY["clients"] += CLIENTS
    TALLY["seconds"] += round(took)
    TALLY["commands"] += len(every)
    TALLY["writes"] += sum(1 for r in every if r["op"] in WRITES)
    TALLY["min_per_client"] = min(len(rs) for rs in records.values())
    TALLY["max_per_client"] = max(len(rs) for rs in records.values())
    failures = [r for r in every if r["code"] != 0 or "Traceback" in r["err"] or "内部错误" in r["err"]]
    TALLY["errors"] += len(failures)
    assert not failures, failures[:5]
    done = {op: sum(1 for r in every if r["op"] == op) for op in (*WRITES, "list", "search", "report")}
    assert all(done.values()), done  # every kind of command ran, and every client got through several
    per_client = [sum(1 for r in rs if r["op"] in WRITES) for rs in records.values()]
    assert min(per_client) >= 1 and sorted(per_client)[SPAWNING] >= 3, per_client

    lost: list[str] = []
    for w, rs in records.items():
        # its projects: those it added and did not undo, each with the note of the last bulk
        # edit it ran after adding it
        expected: dict[str, str | None] = {f"压测自有{w}": None}
        for r in rs:
            if r["op"] == "add":
                expected[r["args"][2]] = None
            elif r["op"] == "undo":
                title = next(x["args"][2] for x in rs if x["op"] == "add" and x["out"].split()[:1] == [r["item"]])
                del expected[title]
            elif r["op"] == "bulk":
                expected = dict.fromkeys(expected, f"压测批量{r['value']}")
        found = dict(rows(pg_url, "SELECT title, notes FROM items WHERE owner = ?", (f"压测人{w}",)))
        if found != expected:
            lost.append(f"client {w}: projects {sorted(set(found) ^ set(expected))[:3]} or notes differ")
        # its own counter, raised by one per edit: the last value it committed
        raised = [r["value"] for r in rs if r["op"] == "counter"]
        value = rows(pg_url, "SELECT investment FROM kind_targets WHERE id = ?", (own[w],))[0][0]
        if value != (raised[-1] if raised else None):
            lost.append(f"counter of client {w}: {value} != {raised[-1:]}")
        # its own project's stage: the last move, every move once in the log
        moves = [r["value"] for r in rs if r["op"] == "stage"]
        status = rows(pg_url, "SELECT status FROM items WHERE id = ?", (own[w],))[0][0]
        logged = [
            s for (s,) in rows(pg_url, "SELECT to_status FROM status_log WHERE item_id = ? ORDER BY id", (own[w],))
        ]
        if status != (moves[-1] if moves else "线索") or logged[len(logged) - len(moves) :] != moves:
            lost.append(f"stage of client {w}: {status}, log {logged[-3:]} for moves {moves[-3:]}")
    for r in (r for r in every if r["op"] == "note"):
        n = rows(pg_url, "SELECT count(*) FROM activities WHERE item_id = ? AND summary = ?", (shared, r["args"][2]))
        if n[0][0] != 1:
            lost.append(f"note {r['tag']}: {n[0][0]}")
    for r in (r for r in every if r["op"] == "import"):
        for k in range(3):
            n = rows(pg_url, "SELECT count(*) FROM items WHERE title = ?", (f"压测导入{r['tag']}-{k}",))[0][0]
            if n != 1:
                lost.append(f"import {r['tag']}-{k}: {n}")
    TALLY["lost"] += len(lost)
    assert not lost, lost[:10]

    # history: one command per write each client ran, each with its changes
    gaps: list[str] = []
    for w, rs in records.items():
        n = rows(pg_url, "SELECT count(*) FROM commands WHERE user = ?", (f"压测{w}",))[0][0]
        if n != sum(1 for r in rs if r["op"] in WRITES):
            gaps.append(f"client {w}: {n} commands for {sum(1 for r in rs if r['op'] in WRITES)} writes")
    empty = rows(
        pg_url,
        "SELECT count(*) FROM commands c WHERE c.id > ? AND NOT EXISTS (SELECT 1 FROM changes WHERE command_id = c.id)",
        (base_command,),
    )[0][0]
    if empty:
        gaps.append(f"{empty} commands without changes")
    TALLY["history_gaps"] += len(gaps)
    assert not gaps, gaps

    check = run_zs(pg_url, "check", env=env)
    assert check.returncode == 0, check.stdout + check.stderr

    # history replayed backwards: undoing every command of the run, newest first, gives back
    # the database as it was before it, row for row (item_dates and the search index too)
    d = Database.open(pg_url, load())
    todo = [
        cid
        for (cid,) in d.conn.execute(
            "SELECT id FROM commands WHERE id > ? AND undone_by IS NULL AND undo_of IS NULL ORDER BY id DESC",
            (base_command,),
        ).fetchall()
    ]
    for cid in todo:
        with d.command("undo", user="核对"):
            history.undo(d, history.undoable(d, cid))
    d.close()
    TALLY["undone"] += len(todo)
    after = _data(pg_url)
    differ = {t: (len(before[t]), len(after.get(t, []))) for t in before if before[t] != after.get(t)}
    assert not differ, differ
    check = run_zs(pg_url, "check", env=env)
    assert check.returncode == 0, check.stdout + check.stderr

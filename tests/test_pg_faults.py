"""Faults on PostgreSQL: a client killed in the middle of a big write, a connection the server
drops (pg_terminate_backend, the server gone), a writer holding the lock too long.

* a killed client (kill -9 during an import or a bulk edit) leaves nothing half-written: the
  server rolls its transaction back, the write lock (transaction-scoped) goes with it, and
  the next command goes ahead at once;
* a dropped connection is a short Chinese message naming the server, what happened and
  whether anything was written — exit 1, never a traceback; a read outside a transaction
  reconnects and runs once more, a write is never run again (its transaction was rolled back;
  dropped during the COMMIT, the message says it may or may not have been saved);
* a write waiting for another writer says so after WAIT_NOTICE_MS and gives up after
  BUSY_TIMEOUT_MS with nothing written.

Skipped without a server locally (``ZHAOSHANG_TEST_PG``); under CI the server is required."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from _harness import assert_clean_error, pg_test_database, run_zs, zs_argv, zs_env
from conftest import Cli, dump

from zhaoshang.engines.postgres import WRITE_LOCK

LOST = "的连接断开了"
NOT_WRITTEN = "没有写入任何数据"


@pytest.fixture
def pg_url(request: pytest.FixtureRequest) -> Iterator[str]:
    yield from pg_test_database(request.node.name)


def _admin(url: str) -> Any:
    import psycopg
    from psycopg.conninfo import conninfo_to_dict

    return psycopg.connect(**conninfo_to_dict(url), autocommit=True)


def _writer(admin: Any) -> int | None:
    """The backend holding the write lock of this database (None: nobody)."""
    row = admin.execute(
        "SELECT pid FROM pg_locks WHERE locktype = 'relation' AND granted AND mode = 'ExclusiveLock' "
        "AND relation = 'commands'::regclass "
        "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
    ).fetchone()
    return None if row is None else int(row[0])


def _until(what: Callable[[], Any], timeout: float, message: str) -> Any:
    end = time.monotonic() + timeout
    while True:
        got = what()
        if got:
            return got
        assert time.monotonic() < end, message
        time.sleep(0.05)


def _sheet(path: Path, n: int, prefix: str) -> Path:
    rows = "".join(f"{prefix}{k},新能源,{k % 100 + 1}\n" for k in range(n))
    path.write_text("项目名称,产业链,投资额\n" + rows, encoding="utf-8-sig")
    return path


def _db(tmp_path: Path, url: str, env: dict[str, str]) -> None:
    r = run_zs(url, "init", "--demo", env=env)
    assert r.returncode == 0, r.stderr


def _started(url: str, argv: list[str], env: dict[str, str]) -> tuple[subprocess.Popen[str], int]:
    """``argv`` started, once its backend holds the write lock and has written for a moment."""
    admin = _admin(url)
    try:
        proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        pid = _until(lambda: _writer(admin) or proc.poll(), 120, "the command never took the write lock")
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.5)  # well into its writes
        assert proc.poll() is None, "the command finished before it could be interrupted: make it bigger"
        return proc, int(pid)
    finally:
        admin.close()


# ---------------------------------------------------------------------------------------
# a killed client
# ---------------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("command", ["import", "bulk"])
def test_a_client_killed_in_a_big_write_leaves_nothing(tmp_path: Path, pg_url: str, command: str) -> None:
    env = zs_env(tmp_path)
    _db(tmp_path, pg_url, env)
    if command == "import":
        argv = zs_argv(pg_url, "import", str(_sheet(tmp_path / "大表.csv", 20_000, "大导入")), "--kind", "招什么")
    else:
        r = run_zs(pg_url, "import", str(_sheet(tmp_path / "底表.csv", 3_000, "底数")), "--kind", "招什么", env=env)
        assert r.returncode == 0, r.stderr
        argv = zs_argv(pg_url, "edit", "--where", "名称~底数", "备注=批量改到一半", "--yes")
    before = dump(pg_url)  # type: ignore[arg-type]

    proc, backend = _started(pg_url, argv, env)
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate()
    admin = _admin(pg_url)
    try:
        # the server notices the client gone, rolls its transaction back and ends the backend
        _until(
            lambda: admin.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", (backend,)).fetchone() is None,
            60,
            "the killed client's backend stayed",
        )
        assert _writer(admin) is None  # the write lock went with the transaction
    finally:
        admin.close()
    assert dump(pg_url) == before  # type: ignore[arg-type]

    started = time.monotonic()
    after = run_zs(pg_url, "add", "招什么", "之后的项目", "--chain", "新能源", env=env)
    assert after.returncode == 0, after.stderr
    assert "正在等待" not in after.stderr and time.monotonic() - started < 20
    check = run_zs(pg_url, "check", env=env)
    assert check.returncode == 0, check.stdout + check.stderr


# ---------------------------------------------------------------------------------------
# a dropped connection
# ---------------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_connection_dropped_in_a_big_import_says_nothing_was_written(tmp_path: Path, pg_url: str) -> None:
    env = zs_env(tmp_path)
    _db(tmp_path, pg_url, env)
    before = dump(pg_url)  # type: ignore[arg-type]
    sheet = _sheet(tmp_path / "大表.csv", 20_000, "大导入")
    proc, backend = _started(pg_url, zs_argv(pg_url, "import", str(sheet), "--kind", "招什么"), env)
    admin = _admin(pg_url)
    try:
        admin.execute("SELECT pg_terminate_backend(%s)", (backend,))
    finally:
        admin.close()
    _out, err = proc.communicate(timeout=120)
    done = subprocess.CompletedProcess(proc.args, proc.returncode, "", err)
    assert_clean_error(done, says=LOST)
    assert pg_url.rsplit("/", 1)[1] in err and NOT_WRITTEN in err, err
    assert dump(pg_url) == before  # type: ignore[arg-type]


@pytest.mark.slow
def test_a_write_waiting_for_the_lock_when_its_connection_is_dropped(tmp_path: Path, pg_url: str) -> None:
    env = zs_env(tmp_path)
    _db(tmp_path, pg_url, env)
    before = dump(pg_url)  # type: ignore[arg-type]
    holder = _admin(pg_url)
    holder.execute("BEGIN")
    holder.execute(WRITE_LOCK)
    admin = _admin(pg_url)
    try:
        proc = subprocess.Popen(
            zs_argv(pg_url, "edit", "1", "备注=等锁时断开"),
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        waiting = "SELECT pid FROM pg_stat_activity WHERE application_name = 'zhaoshang' AND wait_event_type = 'Lock'"
        pid = _until(lambda: admin.execute(waiting).fetchone(), 60, "the edit never waited for the lock")[0]
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        _out, err = proc.communicate(timeout=60)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        admin.close()
    assert proc.returncode == 1 and "Traceback" not in err and "内部错误" not in err, err
    assert LOST in err and NOT_WRITTEN in err, err
    assert dump(pg_url) == before  # type: ignore[arg-type]


def _terminate_once(monkeypatch: pytest.MonkeyPatch, url: str, when: Callable[[str, Any], bool]) -> list[int]:
    """Before the first statement ``when(sql, conn)`` picks, the server drops that connection
    (as an administrator's pg_terminate_backend, or a server restart, does).  The pids dropped."""
    from zhaoshang.engines import postgres

    dropped: list[int] = []
    run = postgres.PgConnection._run

    def dropping(self: Any, sql: str, parameters: Any) -> Any:
        if not dropped and when(sql, self):
            pid = self.raw.info.backend_pid
            admin = _admin(url)
            try:
                admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
                _until(
                    lambda: admin.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", (pid,)).fetchone() is None,
                    30,
                    "not dropped",
                )
            finally:
                admin.close()
            dropped.append(pid)
        return run(self, sql, parameters)

    monkeypatch.setattr(postgres.PgConnection, "_run", dropping)
    return dropped


@pytest.fixture
def demo_url(pg_url: str) -> str:
    Cli(pg_url)("init", "--demo", ok=True)
    return pg_url


def _cli(url: str) -> Cli:
    """The CLI in this process on ``url`` (which exists: nothing opened before the command)."""
    cli = Cli(url)
    cli.opened = True
    return cli


def test_a_read_reconnects_and_answers(demo_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """`zs list` whose connection the server drops between two reads: it reconnects and runs
    the read once more — the same answer, exit 0."""
    cli = _cli(demo_url)
    expected = cli("list", "招什么", "-f", "json", ok=True).stdout
    dropped = _terminate_once(monkeypatch, demo_url, lambda sql, conn: "FROM items" in sql and not conn.in_transaction)
    r = cli("list", "招什么", "-f", "json", ok=True)
    assert dropped and r.stdout == expected


def test_a_read_whose_server_is_gone_says_so(demo_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Dropped, and the server cannot be reached again (stopped): one clear message, exit 1."""

    def gone(sql: str, conn: Any) -> bool:
        if "FROM items" not in sql or conn.in_transaction:
            return False
        conn.params = {**(conn.params or {}), "port": _free_port(), "connect_timeout": 2}
        return True

    dropped = _terminate_once(monkeypatch, demo_url, gone)
    r = _cli(demo_url)("list", "招什么", ok=False)
    assert dropped and r.exit_code == 1 and r.stdout == ""
    assert LOST in r.stderr and NOT_WRITTEN in r.stderr and "Traceback" not in r.stderr, r.stderr
    assert "内部错误" not in r.stderr and "OperationalError" not in r.stderr, r.stderr


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_write_dropped_in_the_middle_is_not_retried(demo_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    before = dump(demo_url)  # type: ignore[arg-type]
    dropped = _terminate_once(monkeypatch, demo_url, lambda sql, conn: sql.startswith("UPDATE") and conn.in_transaction)
    r = _cli(demo_url)("edit", "1", "备注=写到一半", ok=False)
    assert dropped and r.exit_code == 1
    assert LOST in r.stderr and "这次操作没有写入任何数据（服务器已撤回未完成的修改）" in r.stderr, r.stderr
    assert "Traceback" not in r.stderr and "内部错误" not in r.stderr
    assert dump(demo_url) == before  # type: ignore[arg-type]


def test_a_connection_dropped_at_the_commit_says_it_may_be_saved(
    demo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    dropped = _terminate_once(monkeypatch, demo_url, lambda sql, conn: sql.strip() == "COMMIT")
    r = _cli(demo_url)("edit", "1", "备注=提交时断开", ok=False)
    assert dropped and r.exit_code == 1
    assert LOST in r.stderr and "可能已经保存，也可能没有" in r.stderr and "zs history" in r.stderr, r.stderr


# ---------------------------------------------------------------------------------------
# waiting for another writer
# ---------------------------------------------------------------------------------------


def _holding_lock(url: str, seconds: float) -> threading.Timer:
    holder = _admin(url)
    holder.execute("BEGIN")
    holder.execute(WRITE_LOCK)

    def release() -> None:
        holder.execute("ROLLBACK")
        holder.close()

    timer = threading.Timer(seconds, release)
    timer.start()
    return timer


def test_a_write_waiting_for_another_writer_says_so_then_goes_ahead(
    demo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from zhaoshang import db

    monkeypatch.setattr(db, "WAIT_NOTICE_MS", 300)
    timer = _holding_lock(demo_url, 1.5)
    try:
        started = time.monotonic()
        r = _cli(demo_url)("edit", "1", "备注=等到了", ok=True)
        took = time.monotonic() - started
    finally:
        timer.join()
    assert "正被另一个程序写入" in r.stderr and "正在等待它完成（最多 30 秒）" in r.stderr, r.stderr
    assert took >= 1.2
    assert "已修改" in r.stderr or "已修改" in r.stdout


def test_a_write_not_kept_waiting_says_nothing(demo_url: str) -> None:
    r = _cli(demo_url)("edit", "1", "备注=不用等", ok=True)
    assert "正在等待" not in r.stderr


def test_a_write_waiting_too_long_gives_up_with_nothing_written(demo_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from zhaoshang import db

    monkeypatch.setattr(db, "WAIT_NOTICE_MS", 300)
    monkeypatch.setattr(db, "BUSY_TIMEOUT_MS", 2_000)
    before = dump(demo_url)  # type: ignore[arg-type]
    timer = _holding_lock(demo_url, 6)
    try:
        started = time.monotonic()
        r = _cli(demo_url)("edit", "1", "备注=等不到", ok=False)
        took = time.monotonic() - started
        assert dump(demo_url) == before  # type: ignore[arg-type]
    finally:
        timer.cancel()
        timer.function()  # type: ignore[attr-defined]
    assert r.exit_code == 1 and 1.5 <= took < 5, took
    assert "正在等待" in r.stderr, r.stderr
    assert "正被另一个程序长时间写入（已等待 2 秒）：这次操作没有写入" in r.stderr, r.stderr
    # and the lock's wait time is the transaction's own: nothing left for the next command
    assert _cli(demo_url)("edit", "1", "备注=之后", ok=True).exit_code == 0


def test_lost_connection_messages_say_what_was_written() -> None:
    pytest.importorskip("psycopg")
    import psycopg

    from zhaoshang.engines.postgres import lost_message

    label = "postgresql://zs@db.example:5432/zhaoshang"
    shut = psycopg.errors.AdminShutdown("terminating connection due to administrator command")
    other = psycopg.OperationalError("server closed the connection unexpectedly")
    write = lost_message(label, shut, within=True, committing=False)
    assert (
        label in write and "服务器结束了这个连接" in write and "没有写入任何数据（服务器已撤回未完成的修改）" in write
    )
    read = lost_message(label, other, within=False, committing=False)
    assert "连接被中断" in read and NOT_WRITTEN in read
    commit = lost_message(label, other, within=True, committing=True)
    assert "可能已经保存，也可能没有" in commit and NOT_WRITTEN not in commit
    for text in (write, read, commit):
        assert "connection" not in text and "server" not in text  # Chinese only (the label aside)


class _Proxy:
    """A TCP relay to the test server: the server as the client sees it, which the test can
    make vanish at once (every connection cut, nothing listening) — a stopped server or a
    broken network, without stopping the shared server."""

    def __init__(self, port: int) -> None:
        import socket

        self.target = port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.listener.getsockname()[1])
        self.sockets: list[Any] = [self.listener]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        import socket

        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(("127.0.0.1", self.target))
            self.sockets += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(a: Any, b: Any) -> None:
        import contextlib

        with contextlib.suppress(OSError):
            while data := a.recv(65536):
                b.sendall(data)

    def vanish(self) -> None:
        import contextlib
        import socket

        for s in self.sockets:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                s.close()


@pytest.mark.slow
def test_the_server_gone_in_a_big_import_says_nothing_was_written(tmp_path: Path, pg_url: str) -> None:
    env = zs_env(tmp_path)
    _db(tmp_path, pg_url, env)
    before = dump(pg_url)  # type: ignore[arg-type]
    port = int(pg_url.rsplit(":", 1)[1].split("/")[0])
    proxy = _Proxy(port)
    via = pg_url.replace(f":{port}/", f":{proxy.port}/")
    sheet = _sheet(tmp_path / "大表.csv", 20_000, "大导入")
    proc, backend = _started(pg_url, zs_argv(via, "import", str(sheet), "--kind", "招什么"), env)
    proxy.vanish()
    _out, err = proc.communicate(timeout=120)
    assert_clean_error(subprocess.CompletedProcess(proc.args, proc.returncode, "", err), says=LOST)
    assert f":{proxy.port}/" in err and "连接被中断" in err and NOT_WRITTEN in err, err
    admin = _admin(pg_url)
    try:
        _until(
            lambda: admin.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", (backend,)).fetchone() is None,
            60,
            "the cut-off client's backend stayed",
        )
    finally:
        admin.close()
    assert dump(pg_url) == before  # type: ignore[arg-type]

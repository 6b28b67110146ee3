"""Shared fixtures: every test runs in its own tmp_path with its own database, cache and
user; environment variables are set per test (the code reads them at call time)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from zhaoshang.cli import app

#: the "today" the frozen demo is built for
DEMO_TODAY = date(2026, 11, 15)


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZHAOSHANG_CACHE", str(tmp_path / "_cache"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "_data"))
    monkeypatch.setenv("ZHAOSHANG_USER", "测试员")
    monkeypatch.delenv("ZHAOSHANG_DB", raising=False)
    monkeypatch.delenv("ZHAOSHANG_CHECKLISTS", raising=False)
    monkeypatch.delenv("ZHAOSHANG_DEBUG", raising=False)
    monkeypatch.setenv("ZHAOSHANG_CONFIG", str(tmp_path / "_config" / "config.toml"))  # none, unless a test writes it
    for name in ("ZHAOSHANG_OFFICE", "ZHAOSHANG_PAGER", "PAGER"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    from zhaoshang import hints

    hints.use({})  # the core's own option names, until a command line installs its flags


Run = Callable[..., "object"]


class Cli:
    """``cli("list", "--chain", "X")`` runs ``zs --db <tmp db> list --chain X``."""

    def __init__(self, db: Path | str) -> None:
        self.db = db
        self.runner = CliRunner()
        self.opened = False

    def exists(self) -> bool:
        if isinstance(self.db, Path):
            return self.db.exists()
        return self.opened

    def __call__(self, *args: str, input: str | None = None, ok: bool | None = None):  # type: ignore[no-untyped-def]
        if not self.exists() and args[:1] != ("init",):
            self.opened = True
            # only `zs init` creates a database; a test's first command starts from an empty one
            from zhaoshang.db import Database
            from zhaoshang.definitions import load
            from zhaoshang.errors import ZsError

            with contextlib.suppress(ZsError):  # bad definitions or path: the command under test says so
                Database.open(self.db, load()).close()
        result = self.runner.invoke(app, ["--db", str(self.db), *args], input=input)
        self.opened = True
        if ok is True:
            assert result.exit_code == 0, (result.stdout, result.stderr, result.exception)
        if ok is False:
            assert result.exit_code != 0, (result.stdout, result.stderr)
        assert "Traceback" not in (result.stderr or ""), result.stderr
        return result


@pytest.fixture
def engine(request: pytest.FixtureRequest) -> str:
    """The engine a test of a module marked ``engines`` runs on (both, by parametrisation:
    ``pytest_generate_tests``); SQLite for every other test."""
    return str(getattr(request, "param", "sqlite"))


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "engine" in metafunc.fixturenames and metafunc.definition.get_closest_marker("engines"):
        # (a test of such a module about the file itself — its pages, a damaged file, an old
        # schema's file — is marked sqlite_only)
        only = metafunc.definition.get_closest_marker("sqlite_only")
        metafunc.parametrize("engine", ["sqlite"] if only else ["sqlite", "postgresql"], indirect=True)


@pytest.fixture
def db_path(tmp_path: Path, engine: str, request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    """The test's database: a file in tmp_path — or, for a module marked ``engines`` run on
    PostgreSQL, the URL of a new database on the test server (dropped afterwards), which
    ``Database.open`` and ``zs --db`` take alike."""
    if engine == "sqlite":
        yield tmp_path / "zs.db"
        return
    from _harness import drop_pg_database, pg_database

    url = pg_database(request.node.name)
    try:
        yield url
    finally:
        drop_pg_database(url)


@pytest.fixture
def cli(db_path: Path) -> Cli:
    return Cli(db_path)


@pytest.fixture
def demo_db(db_path: Path) -> Path:
    """A database holding the demo city, built as of DEMO_TODAY."""
    from zhaoshang.db import Database
    from zhaoshang.definitions import load
    from zhaoshang.demo import load_demo

    db = Database.open(db_path, load())
    with db.command("init --demo", user="测试员"):
        load_demo(db, today=DEMO_TODAY)
    db.close()
    return db_path


def dump(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table (for "nothing changed" assertions)."""
    import sqlite3

    if isinstance(path, str) and path.startswith("postgresql://"):
        return _dump_server(path)
    conn = sqlite3.connect(path)
    try:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'items_fts%' "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        return {t: sorted(conn.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr) for t in tables}
    finally:
        conn.close()


def _dump_server(url: str) -> dict[str, list[tuple[object, ...]]]:
    import psycopg
    from psycopg.conninfo import conninfo_to_dict

    with psycopg.connect(**conninfo_to_dict(url)) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
                "AND table_name NOT IN ('items_fts', 'zs_sequence') ORDER BY table_name"
            )
        ]
        return {t: sorted(conn.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr) for t in tables}

"""The engines: the SQL translation PostgreSQL reads (generated statements), the URL of a
server database, nothing of PostgreSQL loaded for a file, and a database moved between the two
engines (``zs db copy``) answering every question the same way."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from _harness import PY, ROOT, drop_pg_database, pg_database, rows, zs_env
from conftest import DEMO_TODAY, Cli, dump
from hypothesis import given, settings
from hypothesis import strategies as st

from zhaoshang.engines import is_server

# ---------------------------------------------------------------------------------------
# The translation (no server needed)
# ---------------------------------------------------------------------------------------

_WORDS = st.sampled_from(
    ["SELECT", "a", "b.c", "FROM", "t", "WHERE", "=", "AND", "(", ")", ",", "1", "user", "x.user", "IS NULL", "+"]
)
_LITERALS = st.text(alphabet=st.sampled_from(list("ab?%:'\"() 中文-\n")), max_size=12)


@st.composite
def statements(draw: Any) -> tuple[str, list[str], int]:
    """A statement of words, ``?`` parameters and string literals holding anything."""
    parts: list[str] = []
    literals: list[str] = []
    marks = 0
    for _ in range(draw(st.integers(1, 20))):
        choice = draw(st.integers(0, 3))
        if choice == 0:
            text = draw(_LITERALS)
            literals.append(text)
            parts.append("'" + text.replace("'", "''") + "'")
        elif choice == 1:
            parts.append("?")
            marks += 1
        else:
            parts.append(draw(_WORDS))
    return " ".join(parts), literals, marks


@settings(max_examples=600, deadline=None)
@given(statements())
def test_translation_keeps_literals_and_binds_every_parameter(case: tuple[str, list[str], int]) -> None:
    from zhaoshang.engines.postgres import translate

    sql, literals, marks = case
    out = translate(sql)
    # every ? outside a literal became %s, and nothing else did
    found = re.findall(r"'(?:[^']|'')*'", out)
    assert [f[1:-1].replace("''", "'").replace("%%", "%") for f in found] == literals
    outside = re.sub(r"'(?:[^']|'')*'", "", out)
    assert outside.count("%s") == marks
    assert "?" not in outside
    assert "%" not in outside.replace("%s", "").replace("%%", "")
    # the column user is always quoted where it stands alone, never where it is qualified
    assert not re.search(r'(?<![\w."])user\b(?!\s*\()', outside)
    without_params = translate(sql, params=False)
    assert re.sub(r"'(?:[^']|'')*'", "", without_params).count("?") == marks


@pytest.mark.parametrize(
    ("sqlite", "postgres"),
    [
        ("SELECT user FROM commands WHERE a.user = ?", 'SELECT "user" FROM commands WHERE a.user = %s'),
        (
            "x IS NOT ? AND y IS ? AND z IS NOT NULL",
            "x IS DISTINCT FROM %s AND y IS NOT DISTINCT FROM %s AND z IS NOT NULL",
        ),
        ("SELECT * FROM t NOT INDEXED WHERE +s.a = 1 LIMIT -1", "SELECT * FROM t  WHERE s.a = 1 LIMIT ALL"),
        ("SELECT rowid FROM items_fts f WHERE f.rowid = 1", "SELECT id FROM items_fts f WHERE f.id = 1"),
        ("FROM a x CROSS JOIN items i ON i.id = x.b", "FROM a x JOIN items i ON i.id = x.b"),
        ("DELETE FROM temp.zs_x", "DELETE FROM pg_temp.zs_x"),
        ("CREATE INDEX IF NOT EXISTS temp.zs_x_ref ON zs_x(ref)", "CREATE INDEX IF NOT EXISTS zs_x_ref ON zs_x(ref)"),
        ("SELECT count(*) FROM (SELECT 1) WHERE 1 = 1", "SELECT count(*) FROM (SELECT 1) AS zs_sub0 WHERE 1 = 1"),
        ("a IS DISTINCT FROM (SELECT 1)", "a IS DISTINCT FROM (SELECT 1)"),
        ("d BETWEEN :lo AND :hi", "d BETWEEN %(lo)s AND %(hi)s"),
        ("LIKE '%x%' AND y = ?", "LIKE '%%x%%' AND y = %s"),
    ],
)
def test_what_sqlite_allows_reads_the_same_on_postgresql(sqlite: str, postgres: str) -> None:
    from zhaoshang.engines.postgres import translate

    assert translate(sqlite) == postgres


def test_a_server_url_is_kept_as_written_and_a_path_is_a_path(monkeypatch: pytest.MonkeyPatch) -> None:
    from zhaoshang.config import db_setting

    url = "postgresql://zs@db.local:5433/heihe"
    assert is_server(url) and is_server("postgres://x/y") and not is_server("postgresql.db")
    assert db_setting(url).value == url  # (a Path would make it postgresql:/zs@…)
    monkeypatch.setenv("ZHAOSHANG_DB", url)
    assert db_setting().value == url and "ZHAOSHANG_DB" in db_setting().source
    assert db_setting("~/x.db").value.endswith("/x.db")


def test_a_password_in_the_url_is_refused_and_a_server_not_there_is_a_message(tmp_path: Path) -> None:
    env = zs_env(tmp_path)
    r = subprocess.run(
        [PY, "-m", "zhaoshang", "--db", "postgresql://zs:secret@127.0.0.1:9/x", "list"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
    )
    assert r.returncode == 1 and "不要写密码" in r.stderr and "pgpass" in r.stderr and "secret" not in r.stderr
    r = subprocess.run(
        [PY, "-m", "zhaoshang", "--db", "postgresql://zs@127.0.0.1:9/x", "list"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
    )
    assert r.returncode == 1 and "无法连接数据库服务器" in r.stderr and "Traceback" not in r.stderr, r.stderr
    assert not list(tmp_path.glob("postgres*")) and not Path(ROOT, "postgresql:").exists()


def test_nothing_of_postgresql_is_loaded_for_a_file(tmp_path: Path) -> None:
    """A file database never imports SQLAlchemy or psycopg (start-up stays as it was)."""
    env = zs_env(tmp_path)
    db = tmp_path / "x.db"
    code = (
        "import sys, runpy; sys.argv = ['zs', '--db', sys.argv[1], 'list'];\n"
        "try:\n    runpy.run_module('zhaoshang', run_name='__main__')\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('psycopg', 'sqlalchemy')))"
    )
    subprocess.run([PY, "-m", "zhaoshang", "--db", str(db), "init"], env=env, cwd=ROOT, check=True, capture_output=True)
    r = subprocess.run([PY, "-c", code, str(db)], capture_output=True, text=True, env=env, cwd=ROOT, timeout=60)
    assert r.stdout.strip().splitlines()[-1] == "[]", r.stdout + r.stderr


# ---------------------------------------------------------------------------------------
# A database moved between the engines (needs the test server)
# ---------------------------------------------------------------------------------------

#: commands whose JSON must read the same on both engines after a copy
SAME_ANSWERS = [
    ("report", "monthly", "--month", "2026-11", "-f", "json"),
    ("report", "monthly", "--month", "2026-10", "-f", "json"),
    ("list", "-f", "json"),
    ("list", "--chain", "绿色矿业", "-f", "json"),
    ("warn", "-f", "json"),
    ("history", "-n", "50", "-f", "json"),
    ("history", "3", "-f", "json"),
    ("search", "项目", "-f", "json"),
    ("search", "铜", "-f", "json"),
    ("funds", "-f", "json"),
    ("ledger", "-f", "json"),
    ("show", "5", "-f", "json"),
    ("review", "-f", "json"),
]


#: commands whose table output (for people) must read the same on both engines
SAME_TABLES = [
    ("match", "{target}"),
    ("show", "5"),
    ("ledger",),
    ("review", "status"),
    ("chain", "list"),
    ("unit", "list"),
]


def _answers(db: Path | str) -> dict[str, Any]:
    cli = Cli(db)
    out: dict[str, Any] = {}
    for args in SAME_ANSWERS:
        r = cli(*args, ok=True)
        out[" ".join(args)] = _without_times(json.loads(r.stdout))
    target = str(rows(db, "SELECT min(id) FROM items WHERE kind = 'targets'")[0][0])
    for args in SAME_TABLES:
        args = tuple(a.replace("{target}", target) for a in args)
        r = cli(*args, ok=True)
        out[" ".join(args)] = (r.stdout, r.stderr.replace(str(db), "数据库"))
    return out


def _without_times(x: Any) -> Any:
    if isinstance(x, dict):
        return {k: _without_times(v) for k, v in x.items() if k != "generated_at"}
    if isinstance(x, list):
        return [_without_times(v) for v in x]
    if isinstance(x, float):
        return round(x, 9)
    return x


def _own_rows(db: Path | str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row the office owns (not the engine's search index or counters), as values."""
    data = dump(db)  # type: ignore[arg-type]
    return {
        t: sorted((tuple(round(v, 9) if isinstance(v, float) else v for v in r) for r in rs), key=repr)
        for t, rs in data.items()
        if t not in ("item_dates", "sqlite_stat1") and t != "meta"
    } | {"meta": sorted(r for r in data.get("meta", []) if r[0] != "schema_version")}


def test_a_city_copied_to_the_server_and_back_answers_the_same(demo_db: Path, tmp_path: Path) -> None:
    url = pg_database("copy_round_trip")
    try:
        r = Cli(tmp_path / "unused.db")("db", "copy", str(demo_db), url, ok=True)
        assert "逐表核对行数一致" in r.stderr and "条目 " in r.stderr, r.stderr
        assert _answers(url) == _answers(demo_db)
        # the copy goes on as the original: a write, its history, its undo
        server = Cli(url)
        server("edit", "5", "责任人=王强改", ok=True)
        server("undo", "--yes", ok=True)
        back = tmp_path / "back.db"
        Cli(tmp_path / "unused.db")("db", "copy", url, str(back), ok=True)
        # what the office owns came back row for row (ids, history, definitions, synonyms)
        original, returned = _own_rows(demo_db), _own_rows(back)
        assert original.keys() == returned.keys()
        for table in original:
            if table in ("commands", "changes"):  # two commands more: the edit and its undo
                continue
            assert returned[table] == original[table], table
        assert len(returned["commands"]) == len(original["commands"]) + 2
        # the next id is the one the original would give (AUTOINCREMENT kept)
        n = rows(back, "SELECT seq FROM sqlite_sequence WHERE name = 'items'")[0][0]
        assert n == rows(demo_db, "SELECT seq FROM sqlite_sequence WHERE name = 'items'")[0][0]
    finally:
        drop_pg_database(url)


def test_a_copy_into_a_database_with_data_is_refused_and_leaves_it(demo_db: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    cli = Cli(other)
    cli("chain", "add", "新能源", ok=True)
    before = dump(other)
    r = Cli(tmp_path / "unused.db")("db", "copy", str(demo_db), str(other), ok=False)
    assert "已有数据" in r.stderr and "zs --db 目标 init" in r.stderr
    assert dump(other) == before


def test_ids_on_the_server_are_numbered_as_on_sqlite(tmp_path: Path) -> None:
    """A refused command gives its id back, a deleted item's id is never given again."""
    url = pg_database("ids")
    try:
        for db in (tmp_path / "ids.db", url):
            cli = Cli(db)
            cli("chain", "add", "有色金属", ok=True)
            cli("add", "招什么", "甲", "--chain", "有色金属", ok=True)
            cli("add", "招什么", "乙", "--chain", "不存在的链", ok=False)
            cli("rm", "1", ok=True)
            r = cli("add", "招什么", "丙", "--chain", "有色金属", ok=True)
            assert "编号 2" in r.stderr or r.stdout.strip().endswith("2"), (db, r.stdout, r.stderr)
    finally:
        drop_pg_database(url)


@pytest.mark.parametrize("when", [DEMO_TODAY])
def test_the_demo_loads_the_same_city_on_both(when: Any, tmp_path: Path) -> None:
    url = pg_database("demo")
    try:
        file = tmp_path / "demo.db"
        for db in (file, url):
            Cli(db)("init", "--demo", "--demo-date", when.isoformat(), ok=True)
        a, b = _own_rows(file), _own_rows(url)
        for table in ("items", "status_log", "activities", "funds", "goals", "kind_targets"):
            assert _no_stamps(a[table]) == _no_stamps(b[table]), table
    finally:
        drop_pg_database(url)


def _no_stamps(rs: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    stamp = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d")
    return [tuple(None if isinstance(v, str) and stamp.match(v) else v for v in r) for r in rs]


if __name__ == "__main__":  # pragma: no cover
    sys.exit(pytest.main([__file__]))


def test_the_id_counter_of_a_long_transaction_is_read_once_and_written_at_the_commit(tmp_path: Path) -> None:
    """Thousands of rows in one transaction take consecutive ids (the counter is kept in the
    transaction, not rewritten per row); a rolled-back savepoint gives its ids back; ids written
    with their own value raise it; the counter's row holds the last id after the commit."""
    import psycopg
    from psycopg.conninfo import conninfo_to_dict

    url = pg_database("counter")
    try:
        Cli(url)("init", ok=True)
        with psycopg.connect(**conninfo_to_dict(url)) as conn:
            conn.execute(
                "INSERT INTO commands(id, name, args, \"user\", at, active) VALUES (7, 't', '', 'u', '2026', 1)"
            )
            ins = (
                "INSERT INTO changes(command_id, tbl, row_id, action) "
                "SELECT 7, 'x', g, 'insert' FROM generate_series(1, %s) g"
            )
            conn.execute(ins, (3000,))
            conn.execute("SAVEPOINT a")
            conn.execute(ins, (10,))
            conn.execute("ROLLBACK TO SAVEPOINT a")
            one = "INSERT INTO changes(command_id, tbl, row_id, action) VALUES (7, 'y', 1, 'insert') RETURNING id"
            assert conn.execute(one).fetchone()[0] == 3001  # (the savepoint's 10 ids given back)
            conn.execute("SELECT zs_ids_used('changes', 5000)")
            assert conn.execute(one).fetchone()[0] == 5001
            # before the commit another transaction sees the old counter row
        assert rows(url, "SELECT seq FROM zs_sequence WHERE name = 'changes'") == [(5001,)]
        assert rows(url, "SELECT count(*), min(id), max(id) FROM changes WHERE command_id = 7") == [(3002, 1, 5001)]
        with psycopg.connect(**conninfo_to_dict(url)) as conn:  # a rolled-back transaction leaves it
            conn.execute("INSERT INTO changes(command_id, tbl, row_id, action) VALUES (7, 'z', 1, 'insert')")
            conn.rollback()
        assert rows(url, "SELECT seq FROM zs_sequence WHERE name = 'changes'") == [(5001,)]
    finally:
        drop_pg_database(url)


def test_a_server_database_is_upgraded_by_the_next_version(monkeypatch: pytest.MonkeyPatch) -> None:
    """A later zhaoshang's migration runs on a server database as on a file: a new table (with
    SQLite's AUTOINCREMENT and its history), a new column, a data change recorded as one
    "upgrade" command — in one transaction, and the version is then the program's."""
    from zhaoshang import db as dbmod
    from zhaoshang.definitions import load

    url = pg_database("upgrade")
    try:
        Cli(url)("init", ok=True)
        Cli(url)("chain", "add", "新能源", ok=True)
        now = dbmod.schema_version()
        later = (
            "CREATE TABLE zz_notes (id INTEGER PRIMARY KEY AUTOINCREMENT,"
            " item_id INTEGER REFERENCES items(id) ON DELETE CASCADE, text TEXT NOT NULL);\n"
            "ALTER TABLE chains ADD COLUMN zz_short TEXT;\n"
            "UPDATE chains SET zz_short = substr(name, 1, 2)"
        )
        monkeypatch.setattr(dbmod, "MIGRATIONS", [*dbmod.MIGRATIONS, (now + 1, "测试用的下一版本", later)])
        monkeypatch.setitem(dbmod._TRACKED_BY_VERSION, now + 1, ["zz_notes"])
        db = dbmod.Database.open(url, load())
        try:
            assert db.dialect.schema_version(db.conn) == now + 1
            assert db.upgraded_from == now
        finally:
            db.close()
        assert rows(url, "SELECT zz_short FROM chains") == [("新能",)]
        assert rows(url, "SELECT count(*) FROM commands WHERE name = 'upgrade'") == [(1,)]
        assert rows(url, "SELECT count(*) FROM pg_trigger WHERE tgname IN ('ids_zz_notes', 'hist_zz_notes')") == [(2,)]
        # opened again: nothing more to do
        dbmod.Database.open(url, load()).close()
        assert rows(url, "SELECT count(*) FROM commands WHERE name = 'upgrade'") == [(1,)]
    finally:
        drop_pg_database(url)


def test_a_server_database_older_than_the_first_server_version_is_refused(tmp_path: Path) -> None:
    url = pg_database("too_old")
    try:
        Cli(url)("init", ok=True)
        import psycopg
        from psycopg.conninfo import conninfo_to_dict

        with psycopg.connect(**conninfo_to_dict(url)) as conn:
            conn.execute("UPDATE meta SET value = '8' WHERE key = 'schema_version'")
        r = Cli(url)("list", ok=False)
        assert "早于服务器数据库的第一个版本" in r.stderr, r.stderr
    finally:
        drop_pg_database(url)


def _server_schema(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Tables with their columns and types, indexes and triggers of a server database."""
    return {
        "columns": rows(
            url,
            "SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns "
            "WHERE table_schema = current_schema() ORDER BY 1, 2",
        ),
        "indexes": rows(url, "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() ORDER BY 1"),
        "triggers": rows(url, "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1"),
    }


def test_every_migration_since_the_first_server_version_gives_a_fresh_servers_schema(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A server database made by the first server version, opened by this one, has the same
    tables, columns, indexes and triggers as one this version makes new."""
    from zhaoshang import db as dbmod
    from zhaoshang.definitions import load

    old, new = pg_database("from_first"), pg_database("fresh")
    try:
        with monkeypatch.context() as m:
            m.setattr(dbmod, "MIGRATIONS", [x for x in dbmod.MIGRATIONS if x[0] <= dbmod.FIRST_SERVER_VERSION])
            dbmod.Database.open(old, load()).close()
            assert rows(old, "SELECT value FROM meta WHERE key = 'schema_version'") == [
                (str(dbmod.FIRST_SERVER_VERSION),)
            ]
        dbmod.Database.open(old, load()).close()
        dbmod.Database.open(new, load()).close()
        assert rows(old, "SELECT value FROM meta WHERE key = 'schema_version'") == [(str(dbmod.schema_version()),)]
        assert _server_schema(old) == _server_schema(new)
    finally:
        drop_pg_database(old)
        drop_pg_database(new)


#: the id counter as the first server version wrote it (one row update per insert)
_OLD_NEXT_ID = r"""
DROP FUNCTION IF EXISTS zs_ids_peek(text);
CREATE OR REPLACE FUNCTION zs_next_id() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO zs_sequence(name, seq) VALUES (TG_TABLE_NAME, 1)
    ON CONFLICT (name) DO UPDATE SET seq = zs_sequence.seq + 1
    RETURNING seq INTO NEW.id;
    RETURN NEW;
END $$
"""


def test_an_upgrade_brings_the_servers_functions_to_this_version(monkeypatch: pytest.MonkeyPatch) -> None:
    """A database made by an older version has that version's id and history functions; the next
    migration replaces them inside its transaction (here on a database without the id triggers
    this version adds, and with accounts)."""
    import psycopg
    from psycopg.conninfo import conninfo_to_dict

    from zhaoshang import db as dbmod
    from zhaoshang.definitions import load

    url = pg_database("old_functions")
    try:
        Cli(url)("init", ok=True)
        Cli(url)("chain", "add", "新能源", ok=True)
        with psycopg.connect(**conninfo_to_dict(url), autocommit=True) as conn:
            for (t,) in conn.execute("SELECT tgrelid::regclass::text FROM pg_trigger WHERE tgname LIKE 'idsync%'"):
                conn.execute(f'DROP TRIGGER "idsync_{t}" ON "{t}"')
            conn.execute("DROP FUNCTION zs_ids_sync()")
            conn.execute(_OLD_NEXT_ID)
        now = dbmod.schema_version()
        # (a new table with its own ids, as version 10's invest_changes: its id triggers call
        # the new functions, so those are there before the migration's statements run)
        later = (
            now + 1,
            "下一版本",
            "ALTER TABLE chains ADD COLUMN zz TEXT;\n"
            "CREATE TABLE later_rows (id INTEGER PRIMARY KEY AUTOINCREMENT, note TEXT);",
        )
        monkeypatch.setattr(dbmod, "MIGRATIONS", [*dbmod.MIGRATIONS, later])
        dbmod.Database.open(url, load()).close()
        assert rows(url, "SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'idsync%'") == rows(
            url, "SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'ids\\_%'"
        )
        assert rows(url, "SELECT to_regprocedure('zs_ids_peek(text)') IS NOT NULL") == [(True,)]
        # (accounts: the id functions run as the admin group again, CREATE OR REPLACE had reset that)
        assert rows(url, "SELECT bool_and(prosecdef) FROM pg_proc WHERE proname IN ('zs_ids_sync', 'zs_next_id')") == [
            (True,)
        ]
        assert rows(url, "SELECT count(*) FROM pg_trigger WHERE tgname = 'idsync_later_rows'") == [(1,)]
        # the commands go on, numbered on
        r = Cli(url)("add", "招什么", "甲项目", "--chain", "新能源", ok=True)
        assert "编号 1" in r.stderr or r.stdout.strip().endswith("1"), (r.stdout, r.stderr)
        assert rows(url, "SELECT seq FROM zs_sequence WHERE name = 'items'") == [(1,)]
    finally:
        drop_pg_database(url)


def test_a_server_connection_compiles_nothing_just_in_time() -> None:
    """PostgreSQL's JIT compiled a report's wide expressions for 3.3 s of a 3.5 s query at
    100,000 items (the query: 0.16 s): zhaoshang's connections turn it off, keeping the URL's
    own options."""
    from zhaoshang.engines.postgres import connect

    url = pg_database("jit")
    try:
        for address, extra in ((url, None), (url + "?options=-c%20work_mem%3D8MB", "8MB")):
            conn = connect(address)
            try:
                assert conn.execute("SHOW jit").fetchone()[0] == "off"
                if extra:
                    assert conn.execute("SHOW work_mem").fetchone()[0] == extra
            finally:
                conn.close()
    finally:
        drop_pg_database(url)


@pytest.mark.parametrize(
    ("sql", "counted"),
    [
        ("SELECT total(a > 1) FROM t", True),
        ("SELECT total((a BETWEEN 1 AND 3 AND b IS NOT NULL)) FROM t", True),
        ("SELECT total(a IN (1, 2)) FROM t", True),
        ("SELECT total(a) FROM t", False),
        ("SELECT total(CASE WHEN a = 1 THEN b ELSE 0 END) FROM t", False),
        ("SELECT total(a > 1) OVER () FROM t", False),
    ],
)
def test_a_total_of_a_condition_is_a_filtered_count_with_the_same_answer(sql: str, counted: bool) -> None:
    """``total(condition)`` runs as the built-in filtered count (the compatibility aggregate calls
    a SQL function per row); the answers are SQLite's, NULLs and all."""
    import sqlite3

    from zhaoshang.engines.postgres import translate

    pg = translate(sql, params=False)
    assert ("FILTER (WHERE" in pg) is counted, pg
    data = [(1, 5.0), (2, None), (3, 1.5), (None, 2.0), (2, 0.0)]
    lite = sqlite3.connect(":memory:")
    lite.execute("CREATE TABLE t (a INTEGER, b REAL)")
    lite.executemany("INSERT INTO t VALUES (?, ?)", data)
    want = sorted(lite.execute(sql).fetchall(), key=repr)
    url = pg_database("totals")
    try:
        import psycopg
        from psycopg.conninfo import conninfo_to_dict

        Cli(url)("init", ok=True)  # (the compatibility functions)
        with psycopg.connect(**conninfo_to_dict(url)) as conn:
            conn.execute("CREATE TEMP TABLE t (a BIGINT, b DOUBLE PRECISION)")
            conn.cursor().executemany("INSERT INTO t VALUES (%s, %s)", data)
            got = sorted((tuple(r) for r in conn.execute(pg)), key=repr)
        assert got == want
    finally:
        drop_pg_database(url)

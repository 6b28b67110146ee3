"""Accounts and rights on a server database (``zs account``), held by the database itself:
each role connected through ``zs --db postgresql://LOGIN@…`` and with raw psycopg, as psql
would (the test server trusts 127.0.0.1, so logging in as another role needs no password).

Skipped without ZHAOSHANG_TEST_PG locally; fails under CI without it (tests/_harness.pg_server).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from _harness import drop_pg_database, pg_database, pg_server, pg_url_as
from conftest import DEMO_TODAY, Cli


@dataclass
class Office:
    url: str  # the owner's (postgres)
    admin: str  # logins
    reviewer: str
    entry: str  # 填报 of 爱辉区
    reader: str
    own_item: int  # an item of 爱辉区 (targets, a stage to move)
    other_item: int  # an item of another unit, with stage moves, activities and funds
    other_unit: str

    def cli(self, login: str | None = None) -> Cli:
        cli = Cli(self.url if login is None else pg_url_as(self.url, login))
        cli.opened = True
        return cli

    def raw(self, login: str) -> Any:
        """A connection as ``login``, as psql would make it (autocommit)."""
        import psycopg
        from psycopg.conninfo import conninfo_to_dict

        return psycopg.connect(**conninfo_to_dict(pg_url_as(self.url, login)), autocommit=True)

    def one(self, sql: str, params: Any = None) -> Any:
        with self.raw_owner() as conn:
            row = conn.execute(sql, params).fetchone()
            return None if row is None else row[0] if len(row) == 1 else tuple(row)

    def raw_owner(self) -> Any:
        import psycopg
        from psycopg.conninfo import conninfo_to_dict

        return psycopg.connect(**conninfo_to_dict(self.url), autocommit=True)


def _drop_logins(logins: list[str]) -> None:
    import psycopg
    from psycopg.conninfo import conninfo_to_dict

    with psycopg.connect(**conninfo_to_dict(pg_server()), autocommit=True) as conn:
        for login in logins:
            conn.execute(f'DROP ROLE IF EXISTS "{login}"')


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Office]:
    """The demo city on a server, with one account of each role (added by the owner)."""
    mp = pytest.MonkeyPatch()
    tmp = tmp_path_factory.mktemp("office")
    mp.setenv("ZHAOSHANG_CACHE", str(tmp / "_cache"))
    mp.setenv("ZHAOSHANG_CONFIG", str(tmp / "config.toml"))
    mp.setenv("ZHAOSHANG_USER", "测试员")
    url = pg_database("accounts")
    tag = "t" + os.urandom(3).hex()
    logins = [f"{tag}_admin", f"{tag}_review", f"{tag}_li", f"{tag}_read"]
    try:
        from zhaoshang import accounts
        from zhaoshang.db import Database
        from zhaoshang.definitions import load
        from zhaoshang.demo import load_demo

        db = Database.open(url, load())
        try:
            with db.command("init --demo", user="测试员"):
                load_demo(db, today=DEMO_TODAY)
            accounts.add(db, logins[0], "管理甲", "管理员", None, None)
            accounts.add(db, logins[1], "王审核", "审核", None, None)
            accounts.add(db, logins[2], "李四", "填报", "爱辉区", None)
            accounts.add(db, logins[3], "赵领导", "只读", None, None)
            own = db.conn.execute(
                "SELECT i.id FROM items i JOIN units u ON u.id = i.unit_id WHERE u.name = '爱辉区' "
                "AND i.kind = 'targets' AND i.status = '在谈' ORDER BY i.id LIMIT 1"
            ).fetchone()[0]
            other, other_unit = db.conn.execute(
                "SELECT i.id, u.name FROM items i JOIN units u ON u.id = i.unit_id WHERE u.name <> '爱辉区' "
                "AND i.kind = 'targets' AND EXISTS (SELECT 1 FROM funds f WHERE f.item_id = i.id) "
                "AND EXISTS (SELECT 1 FROM activities a WHERE a.item_id = i.id) ORDER BY i.id LIMIT 1"
            ).fetchone()
        finally:
            db.close()
        yield Office(url, *logins, own_item=int(own), other_item=int(other), other_unit=str(other_unit))
    finally:
        drop_pg_database(url)
        _drop_logins(logins)
        mp.undo()


def _refused(exc: pytest.ExceptionInfo[Any]) -> str:
    import psycopg

    assert isinstance(exc.value, psycopg.errors.InsufficientPrivilege), exc.value
    return str(exc.value)


# ---------------------------------------------------------------------------------------
# Without a server
# ---------------------------------------------------------------------------------------


def test_a_file_database_has_no_accounts(tmp_path: Path) -> None:
    cli = Cli(tmp_path / "zs.db")
    cli("init", ok=True)
    r = cli("account", "add", "li_si", "--name", "李四", "--role", "填报", "--no-password", ok=False)
    assert r.exit_code == 1 and "账号和权限只在服务器数据库" in r.stderr and "zs db copy" in r.stderr
    r = cli("account", "list", ok=False)
    assert "账号和权限只在服务器数据库" in r.stderr


# ---------------------------------------------------------------------------------------
# zs account
# ---------------------------------------------------------------------------------------


def test_an_account_is_added_with_a_hashed_password_listed_edited_and_removed(office: Office) -> None:
    owner = office.cli()
    login = "t" + os.urandom(3).hex() + "_zhou"
    try:
        r = owner(
            "account", "add", login, "--name", "周五", "--role", "填报", "--unit", "北安市", "--password-stdin",
            input="秘密-pw-123\n", ok=True,
        )  # fmt: skip
        assert f"已添加账号「{login}」（周五，填报，单位「北安市」" in r.stderr, r.stderr
        stored = office.one("SELECT rolpassword FROM pg_authid WHERE rolname = %s", (login,))
        assert stored.startswith("SCRAM-SHA-256$") and "秘密" not in stored
        # never in history: neither the command line nor any row holds it
        assert office.one("SELECT count(*) FROM commands WHERE args LIKE '%%秘密%%'") == 0
        listed = json.loads(owner("account", "list", "-f", "json", ok=True).stdout)
        mine = next(a for a in listed if a["login"] == login)
        assert mine == {"login": login, "name": "周五", "unit": "北安市", "role": "填报", "rights": mine["rights"]}
        r = owner("account", "edit", login, "--role", "审核", ok=True)
        assert "审核" in r.stderr
        assert office.one("SELECT pg_has_role(%s, zs_group('review'), 'MEMBER')", (login,)) is True
        assert office.one("SELECT pg_has_role(%s, zs_group('entry'), 'MEMBER')", (login,)) is True  # (審核 ⊃ 填报)
        r = owner("account", "add", login, "--name", "周五", "--role", "只读", "--no-password", ok=False)
        assert "已存在" in r.stderr
        r = owner("account", "rm", login, ok=True)
        assert f"已删除账号「{login}」" in r.stderr
        assert office.one("SELECT count(*) FROM pg_roles WHERE rolname = %s", (login,)) == 0
    finally:
        _drop_logins([login])


def test_wrong_roles_and_units_are_said_in_chinese(office: Office) -> None:
    owner = office.cli()
    r = owner("account", "add", "t_x", "--name", "某", "--role", "老板", "--no-password", ok=False)
    assert "角色「老板」无法识别" in r.stderr and "管理员、审核、填报、只读" in r.stderr
    r = owner("account", "add", "t_x", "--name", "某", "--role", "填报", "--no-password", ok=False)
    assert "填报账号必须指定单位" in r.stderr
    r = owner("account", "add", "t_x", "--name", "某", "--role", "填报", "--unit", "火星区", "--no-password", ok=False)
    assert "招商主体「火星区」不存在" in r.stderr
    r = owner("account", "add", "Bad-Name", "--name", "某", "--role", "只读", "--no-password", ok=False)
    assert "登录名「Bad-Name」不可用" in r.stderr
    assert office.one("SELECT count(*) FROM pg_roles WHERE rolname = 't_x'") == 0


def test_only_an_admin_manages_accounts(office: Office) -> None:
    r = office.cli(office.entry)("account", "add", "t_y", "--name", "某", "--role", "只读", "--no-password", ok=False)
    assert "只有管理员" in r.stderr
    adm = office.cli(office.admin)
    r = adm("account", "list", ok=True)
    assert "李四" in r.stdout and "王审核" in r.stdout
    # a 管理员 adds, promotes and removes others (no superuser needed)
    login = "t" + os.urandom(3).hex() + "_new"
    try:
        adm("account", "add", login, "--name", "新管理", "--role", "管理员", "--no-password", ok=True)
        # (no CREATEROLE: on PostgreSQL 15 it would let the login grant itself the server's programs)
        assert office.one("SELECT rolcreaterole FROM pg_roles WHERE rolname = %s", (login,)) is False
        office.cli(login)("account", "edit", office.reader, "--name", "赵领导", ok=True)
        adm("account", "edit", login, "--role", "只读", ok=True)
        assert office.one("SELECT rolcreaterole FROM pg_roles WHERE rolname = %s", (login,)) is False
        assert office.one("SELECT pg_has_role(%s, zs_group('entry'), 'MEMBER')", (login,)) is False
        adm("account", "rm", login, ok=True)
        assert office.one("SELECT count(*) FROM pg_roles WHERE rolname = %s", (login,)) == 0
    finally:
        _drop_logins([login])


# ---------------------------------------------------------------------------------------
# 填报: its own unit only; its moves wait
# ---------------------------------------------------------------------------------------


def test_entry_edits_its_own_units_items_and_its_moves_wait(office: Office) -> None:
    li = office.cli(office.entry)
    li("edit", str(office.own_item), "责任人=李四自己", ok=True)
    assert office.one("SELECT owner FROM items WHERE id = %s", (office.own_item,)) == "李四自己"
    r = li("stage", str(office.own_item), "已签约", ok=True)
    assert "待认定" in r.stderr
    review, status = office.one(
        "SELECT s.review, i.status FROM status_log s JOIN items i ON i.id = s.item_id WHERE s.item_id = %s "
        "ORDER BY s.id DESC LIMIT 1",
        (office.own_item,),
    )
    assert review == "pending" and status == "在谈"  # (the item keeps its confirmed stage)
    r = li("add", "招什么", "李四新项目", "--chain", "大豆精深加工", "责任单位=爱辉区", ok=True)
    assert office.one("SELECT count(*) FROM items WHERE title = '李四新项目'") == 1


def test_entry_cannot_change_another_units_item_through_zs(office: Office) -> None:
    before = office.one("SELECT owner, updated_at FROM items WHERE id = %s", (office.other_item,))
    r = office.cli(office.entry)("edit", str(office.other_item), "责任人=别人", ok=False)
    assert r.exit_code == 1
    assert f"条目 {office.other_item} 属于「{office.other_unit}」，不是本账号的单位「爱辉区」" in r.stderr, r.stderr
    assert "没有写入" in r.stderr
    assert office.one("SELECT owner, updated_at FROM items WHERE id = %s", (office.other_item,)) == before
    r = office.cli(office.entry)("add", "招什么", "越界项目", "--chain", "大豆精深加工", "责任单位=北安市", ok=False)
    assert "只能录入本单位的条目" in r.stderr
    r = office.cli(office.entry)("unit", "add", "新区", ok=False)
    assert "数据库拒绝了这次修改（招商主体）" in r.stderr and "填报账号只能" in r.stderr


def test_entry_cannot_change_another_units_rows_with_raw_sql(office: Office) -> None:
    import psycopg

    other = office.other_item
    tables = {
        t: office.one(f'SELECT count(*) FROM "{t}" WHERE item_id = %s', (other,))
        for t in ("status_log", "activities", "funds", "team_members", "approvals")
    }
    with office.raw(office.entry) as conn:
        # inside a command of its own, as zs would: only the unit's rights stop it
        conn.execute("BEGIN")
        cid = conn.execute(
            "INSERT INTO commands(name, args, \"user\", at, active) VALUES ('edit', '', '李四', 'now', 1) RETURNING id"
        ).fetchone()[0]
        conn.execute("SELECT set_config('zs.command', %s, true)", (str(cid),))
        for sql in (
            f"UPDATE items SET owner = 'x' WHERE id = {other}",
            f"DELETE FROM items WHERE id = {other}",
            f"UPDATE items SET unit_id = (SELECT id FROM units WHERE name = '爱辉区') WHERE id = {other}",
            f"DELETE FROM status_log WHERE item_id = {other}",
            f"UPDATE activities SET summary = 'x' WHERE item_id = {other}",
            f"DELETE FROM funds WHERE item_id = {other}",
            f"UPDATE kind_targets SET id = id WHERE id = {other}",
            f'INSERT INTO activities(item_id, type, date, summary, "user", at) '
            f"VALUES ({other}, '走访', '2026-11-01', 'x', 'x', 'x')",
            "INSERT INTO items(kind, chain_id, title, status, unit_id, created_at, updated_at) "
            "SELECT 'targets', 1, '越界', '在谈', id, 'x', 'x' FROM units WHERE name = '北安市'",
        ):
            conn.execute("SAVEPOINT s")
            with pytest.raises(psycopg.Error) as exc:
                conn.execute(sql)
            assert "本单位" in _refused(exc), (sql, exc.value)
            conn.execute("ROLLBACK TO SAVEPOINT s")
        conn.execute("ROLLBACK")
        # and a plain statement (no command) on its own item is refused too: history is whole
        with pytest.raises(psycopg.Error) as exc:
            conn.execute(f"UPDATE items SET owner = 'x' WHERE id = {office.own_item}")
        assert "一条命令之内" in _refused(exc)
    for t, n in tables.items():
        assert office.one(f'SELECT count(*) FROM "{t}" WHERE item_id = %s', (other,)) == n, t
    assert office.one("SELECT unit_id FROM items WHERE id = %s", (other,)) == office.one(
        "SELECT id FROM units WHERE name = %s", (office.other_unit,)
    )


def test_entry_cannot_confirm_its_moves_nor_touch_history(office: Office) -> None:
    import psycopg

    li = office.cli(office.entry)
    li("stage", str(office.own_item), "已签约", "--reason", "再报", ok=True)
    row = office.one(
        "SELECT id FROM status_log WHERE item_id = %s AND review = 'pending' ORDER BY id DESC LIMIT 1",
        (office.own_item,),
    )
    assert row is not None
    r = li("review", "confirm", str(row), ok=False)
    assert "只有审核或管理员能认定或退回" in r.stderr
    changes_before = office.one("SELECT count(*) FROM changes")
    with office.raw(office.entry) as conn:
        conn.execute("BEGIN")
        cid = conn.execute(
            "INSERT INTO commands(name, args, \"user\", at, active) VALUES ('x', '', '别人', 'now', 1) RETURNING id"
        ).fetchone()[0]
        assert conn.execute('SELECT "user" FROM commands WHERE id = %s', (cid,)).fetchone()[0] == "李四"
        conn.execute("SELECT set_config('zs.command', %s, true)", (str(cid),))
        for sql in (
            f"UPDATE status_log SET review = 'confirmed', reviewed_by = '李四' WHERE id = {row}",
            f"UPDATE funds SET review = 'confirmed' WHERE item_id = {office.own_item}",
            "INSERT INTO changes(command_id, tbl, row_id, action) VALUES (1, 'items', 1, 'insert')",
            "DELETE FROM changes",
            "UPDATE commands SET \"user\" = '李四' WHERE id = 1",
            "UPDATE commands SET undone_by = 1 WHERE id = 1",  # (marked undone, undone by nothing)
            "DELETE FROM commands WHERE id = 1",
            "UPDATE definitions SET fingerprint = 'x'",
            "UPDATE goals SET value = 0",
            "UPDATE accounts SET role = 'admin'",
            "INSERT INTO zs_sequence(name, seq) VALUES ('x', 1)",
        ):
            conn.execute("SAVEPOINT s")
            try:
                cur = conn.execute(sql)
                # (a row it may not see to change is no change: row-level security)
                assert cur.rowcount == 0, sql
            except psycopg.errors.InsufficientPrivilege:
                pass
            conn.execute("ROLLBACK TO SAVEPOINT s")
        # a pause of the capture is not honoured for it: the change is still recorded
        conn.execute("SELECT set_config('zs.pause_items', 'on', true)")
        conn.execute("UPDATE items SET notes = '暂停无效' WHERE id = %s", (office.own_item,))
        assert conn.execute("SELECT count(*) FROM changes WHERE command_id = %s", (cid,)).fetchone()[0] == 1
        conn.execute("ROLLBACK")
        # nor can it record its change under someone else's (older) command
        conn.execute("BEGIN")
        conn.execute("SELECT set_config('zs.command', '1', true)")
        with pytest.raises(psycopg.Error) as exc:
            conn.execute("UPDATE items SET notes = 'x' WHERE id = %s", (office.own_item,))
        assert "一条命令之内" in _refused(exc)
        conn.execute("ROLLBACK")
    assert office.one("SELECT review FROM status_log WHERE id = %s", (row,)) == "pending"
    assert office.one("SELECT count(*) FROM changes") == changes_before
    assert office.one('SELECT "user", undone_by FROM commands WHERE id = 1') == ("测试员", None)


def test_history_names_the_account_whatever_the_client_claims(office: Office) -> None:
    li = office.cli(office.entry)
    li("--user", "别人", "edit", str(office.own_item), "备注=谁改的", ok=True)
    who = office.one('SELECT "user" FROM commands ORDER BY id DESC LIMIT 1')
    assert who == "李四"
    r = li("history", "-n", "1", "-f", "json", ok=True)
    assert json.loads(r.stdout)[0]["user"] == "李四"
    # its own command it undoes (the undo marks it, under its own new command)
    r = li("undo", "--yes", ok=True)
    assert office.one("SELECT notes FROM items WHERE id = %s", (office.own_item,)) != "谁改的"
    assert office.one('SELECT "user" FROM commands ORDER BY id DESC LIMIT 1') == "李四"
    # zs info says who is connected, as the database knows it
    r = li("--user", "别人", "info", ok=True)
    assert "当前用户    李四" in r.stdout and "登录账号" in r.stdout and "（李四，填报，" in r.stdout, r.stdout


# ---------------------------------------------------------------------------------------
# 审核, 只读, 管理员
# ---------------------------------------------------------------------------------------


def test_reviewer_confirms_a_units_move(office: Office) -> None:
    li = office.cli(office.entry)
    li("stage", str(office.own_item), "已签约", "--reason", "待审", ok=True)
    row = office.one(
        "SELECT id FROM status_log WHERE item_id = %s AND review = 'pending' ORDER BY id DESC LIMIT 1",
        (office.own_item,),
    )
    r = office.cli(office.reviewer)("review", "confirm", str(row), ok=True)
    assert "已认定 1 条" in r.stderr
    assert office.one("SELECT review, reviewed_by FROM status_log WHERE id = %s", (row,)) == ("confirmed", "王审核")
    # a reviewer writes every unit's items
    office.cli(office.reviewer)("edit", str(office.other_item), "备注=审核改", ok=True)


def test_read_only_reads_and_cannot_write(office: Office) -> None:
    import psycopg

    zhao = office.cli(office.reader)
    zhao("list", "-f", "json", ok=True)
    zhao("report", "monthly", "--month", "2026-11", "-f", "json", ok=True)  # (temporary tables)
    zhao("warn", "-f", "json", ok=True)
    before = office.one("SELECT owner FROM items WHERE id = %s", (office.own_item,))
    r = zhao("edit", str(office.own_item), "责任人=领导", ok=False)
    assert "只读" in r.stderr and "没有写入" in r.stderr, r.stderr
    with office.raw(office.reader) as conn:
        conn.execute("CREATE TEMP TABLE t_report(x int)")  # reports' temporary tables work
        assert conn.execute("SELECT count(*) FROM items").fetchone()[0] > 0
        for sql in (
            f"UPDATE items SET owner = 'x' WHERE id = {office.own_item}",
            "INSERT INTO commands(name, args, \"user\", at) VALUES ('x', '', 'x', 'x')",
            "DELETE FROM status_log",
        ):
            with pytest.raises(psycopg.Error) as exc:
                conn.execute(sql)
            _refused(exc)
    assert office.one("SELECT owner FROM items WHERE id = %s", (office.own_item,)) == before


def test_a_read_only_login_cannot_hold_up_the_writers(office: Office) -> None:
    """Every write takes the write lock first.  A 只读 login, in psql, cannot take it (an
    advisory lock any login could take and keep, stopping every county's work), and its
    reads — an open transaction on the history included — hold no write up."""
    import psycopg

    from zhaoshang.engines.postgres import WRITE_LOCK

    with office.raw(office.reader) as conn:
        conn.execute("BEGIN")
        with pytest.raises(psycopg.Error) as exc:
            conn.execute(WRITE_LOCK)
        _refused(exc)
        conn.execute("ROLLBACK")
        conn.execute("BEGIN")
        conn.execute("SELECT count(*) FROM commands").fetchone()  # (ACCESS SHARE, kept open)
        conn.execute("SELECT count(*) FROM items").fetchone()
        start = time.monotonic()
        office.cli(office.entry)("edit", str(office.own_item), "备注=读着也能写", ok=True)
        assert time.monotonic() - start < 20
        conn.execute("ROLLBACK")
    assert office.one("SELECT notes FROM items WHERE id = %s", (office.own_item,)) == "读着也能写"
    # its own password it still sets (no write lock for that)
    zhao = office.cli(office.reader)
    zhao("account", "edit", office.reader, "--password-stdin", input="只读的新密码-1\n", ok=True)
    assert office.one("SELECT rolpassword IS NOT NULL FROM pg_authid WHERE rolname = %s", (office.reader,)) is True


def test_admin_changes_definitions_and_history_names_it(office: Office) -> None:
    adm = office.cli(office.admin)
    adm("--user", "冒名", "unit", "add", "管理员新区", ok=True)
    assert office.one('SELECT "user" FROM commands ORDER BY id DESC LIMIT 1') == "管理甲"
    r = office.cli(office.entry)("unit", "rm", "管理员新区", ok=False)
    assert r.exit_code == 1 and "没有写入" in r.stderr


def test_a_new_field_is_added_by_an_admin_only_and_keeps_the_rights(
    office: Office, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A definition changed on disk: a 填报 is told an admin must open the database first; the
    admin's opening adds the column, and the unit's rights hold on it."""
    from _harness import checklists_with_field

    defs = checklists_with_field(tmp_path / "checklists", "zs_t_extra", "测试新字段")
    monkeypatch.setenv("ZHAOSHANG_CHECKLISTS", str(defs))
    r = office.cli(office.entry)("list", ok=False)
    assert "只有管理员能做" in r.stderr and "Traceback" not in r.stderr, r.stderr
    office.cli(office.admin)("list", "-n", "1", ok=True)
    assert office.one("SELECT relowner::regrole::text FROM pg_class WHERE relname = 'kind_events'").endswith("_admin")
    assert office.one("SELECT relrowsecurity FROM pg_class WHERE relname = 'kind_events'") is True
    office.cli(office.entry)("list", "-n", "1", ok=True)
    monkeypatch.delenv("ZHAOSHANG_CHECKLISTS")  # (the office's definitions again, for the tests after)
    office.cli(office.admin)("list", "-n", "1", ok=True)
    office.cli(office.entry)("list", "-n", "1", ok=True)


def test_entry_imports_its_own_units_rows_and_history_keeps_each_one(office: Office, tmp_path: Path) -> None:
    """A bulk import by a 填报: the capture is not paused for it (rows recorded one by one,
    no DDL), every row of its unit; a row of another unit refuses the whole import."""
    sheet = tmp_path / "爱辉区.csv"
    sheet.write_text(
        "名称,产业链,责任单位,状态\n李四导入甲,大豆精深加工,爱辉区,在谈\n李四导入乙,大豆精深加工,爱辉区,在谈\n",
        encoding="utf-8",
    )
    li = office.cli(office.entry)
    r = li("import", str(sheet), "--kind", "招什么", "--as-of", "2026-11-10", ok=True)
    assert office.one("SELECT count(*) FROM items WHERE title LIKE '李四导入%%'") == 2, r.stderr
    cid = office.one('SELECT id FROM commands WHERE "user" = %s ORDER BY id DESC LIMIT 1', ("李四",))
    assert office.one("SELECT count(DISTINCT row_id) FROM changes WHERE command_id = %s AND tbl = 'items'", (cid,)) == 2
    assert office.one("SELECT count(*) FROM changes WHERE command_id = %s AND last_row_id IS NOT NULL", (cid,)) == 0
    bad = tmp_path / "越界.csv"
    bad.write_text(f"名称,产业链,责任单位,状态\n越界导入,大豆精深加工,{office.other_unit},在谈\n", encoding="utf-8")
    r = li("import", str(bad), "--kind", "招什么", "--as-of", "2026-11-10", ok=False)
    assert "只能录入本单位的条目" in r.stderr, r.stderr
    assert office.one("SELECT count(*) FROM items WHERE title = '越界导入'") == 0
    li("undo", "--yes", ok=True)  # (its import, row by row)
    assert office.one("SELECT count(*) FROM items WHERE title LIKE '李四导入%%'") == 0


def test_only_an_admin_upgrades_a_server_database(office: Office, monkeypatch: pytest.MonkeyPatch) -> None:
    """A new version's migration changes tables: a 填报 account opening the database is told to
    let a 管理员 run zs first, and nothing changes."""
    from zhaoshang import db as dbmod

    now = dbmod.schema_version()
    monkeypatch.setattr(
        dbmod, "MIGRATIONS", [*dbmod.MIGRATIONS, (now + 1, "测试用的下一版本", "ALTER TABLE chains ADD COLUMN zz TEXT")]
    )
    r = office.cli(office.entry)("list", ok=False)
    assert "只有管理员" in r.stderr and "请管理员先运行一次 zs 命令" in r.stderr, r.stderr
    assert office.one("SELECT value FROM meta WHERE key = 'schema_version'") == str(now)
    assert office.one("SELECT count(*) FROM information_schema.columns WHERE column_name = 'zz'") == 0


def test_an_admin_manages_accounts_without_server_wide_privileges(office: Office) -> None:
    """A 管理员 adds accounts through the database's own functions: it cannot grant itself a
    server role, nor set the password of a login with privileges, nor call the functions'
    statements for logins of another kind."""
    import psycopg

    with office.raw(office.admin) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(f'GRANT pg_execute_server_program TO "{office.admin}"')
        with pytest.raises(psycopg.errors.InsufficientPrivilege) as exc:
            conn.execute("SELECT zs_login_password('postgres', 'SCRAM-SHA-256$4096:x')")
        assert "特权" in str(exc.value)
    with office.raw(office.entry) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("SELECT zs_login_make('t_sneaky')")  # (the functions are the 管理员's only)


def test_entry_reports_an_increase_that_waits_and_the_reviewer_confirms_it(office: Office) -> None:
    """增资 by a 填报 account: the database makes it 待认定 whatever the client asks; the amount
    moves only when a reviewer confirms it."""
    before = office.one("SELECT investment FROM kind_targets WHERE id = %s", (office.own_item,))
    r = office.cli(office.entry)("invest", "add", str(office.own_item), "500", ok=True)
    assert "待认定" in r.stderr
    row, review = office.one(
        "SELECT id, review FROM invest_changes WHERE item_id = %s ORDER BY id DESC LIMIT 1", (office.own_item,)
    )
    assert review == "pending"
    assert office.one("SELECT investment FROM kind_targets WHERE id = %s", (office.own_item,)) == before
    office.cli(office.reviewer)("review", "confirm", f"Z{row}", ok=True)
    assert office.one("SELECT review, reviewed_by FROM invest_changes WHERE id = %s", (row,)) == ("confirmed", "王审核")
    assert office.one("SELECT investment FROM kind_targets WHERE id = %s", (office.own_item,)) == (before or 0) + 500

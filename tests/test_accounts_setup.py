"""Accounts as an office sets them up from the README: a database owned by a login that is not
a superuser (``createuser --createrole``), its first 管理员, and what each account is told
when the database refuses it.  Found by a fresh tester following the README on a server with
password authentication; every case here failed (an internal error, or a wrong permission)
before."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from _harness import checklists_with_field, pg_server, pg_url_as
from conftest import Cli


@dataclass
class Setup:
    server: str  # the superuser's URL (postgres)
    owner_url: str
    owner: str
    admin: str
    entry: str
    other: str  # a login without an account
    dbname: str

    def cli(self, login: str) -> Cli:
        cli = Cli(pg_url_as(self.owner_url, login))
        cli.opened = True
        return cli

    def one(self, sql: str, params: Any = None) -> Any:
        import psycopg
        from psycopg.conninfo import conninfo_to_dict

        info = conninfo_to_dict(self.server) | {"dbname": self.dbname}
        with psycopg.connect(**info, autocommit=True) as conn:
            row = conn.execute(sql, params).fetchone()
            return None if row is None else row[0]


def _admin_sql(server: str, sql: str) -> None:
    import psycopg
    from psycopg.conninfo import conninfo_to_dict

    with psycopg.connect(**conninfo_to_dict(server), autocommit=True) as conn:
        conn.execute(sql)


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Setup]:
    """As the README has it: ``createuser --createrole zs``, ``createdb -O zs``; then every zs
    command as that owner, never as postgres."""
    from psycopg.conninfo import conninfo_to_dict

    mp = pytest.MonkeyPatch()
    tmp = tmp_path_factory.mktemp("setup")
    mp.setenv("ZHAOSHANG_CACHE", str(tmp / "_cache"))
    mp.setenv("ZHAOSHANG_CONFIG", str(tmp / "config.toml"))
    server = pg_server()
    tag = "s" + os.urandom(3).hex()
    owner, admin, entry, other = (f"{tag}_{x}" for x in ("zs", "wang", "li", "old"))
    dbname = f"{tag}_city"
    info = conninfo_to_dict(server)
    where = f"{info.get('host') or '127.0.0.1'}:{info.get('port') or 5432}"
    _admin_sql(server, f'CREATE ROLE "{owner}" LOGIN CREATEROLE')
    _admin_sql(server, f'CREATE ROLE "{other}" LOGIN')
    _admin_sql(
        server,
        f'CREATE DATABASE "{dbname}" OWNER "{owner}" TEMPLATE template0 ENCODING UTF8 '
        "LC_CTYPE 'C.UTF-8' LC_COLLATE 'C'",
    )
    try:
        s = Setup(server, f"postgresql://{owner}@{where}/{dbname}", owner, admin, entry, other, dbname)
        # every zs command as the owner, never as postgres; then its first 管理员 adds the rest
        own = s.cli(owner)
        own("init", ok=True)
        own("chain", "add", "新能源", ok=True)
        own("unit", "add", "爱辉区", ok=True)
        own("account", "add", admin, "--name", "王芳", "--role", "管理员", "--no-password", ok=True)
        adm = s.cli(admin)
        adm("account", "add", entry, "--name", "李四", "--role", "填报", "--unit", "爱辉区", "--no-password", ok=True)
        adm("add", "招什么", "甲项目", "--chain", "新能源", "责任单位=爱辉区", ok=True)
        yield s
    finally:
        _admin_sql(server, f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
        for login in (admin, entry, other, owner):
            _admin_sql(server, f'DROP ROLE IF EXISTS "{login}"')
        mp.undo()


def test_the_owner_sets_up_the_office_as_the_readme_says(setup: Setup, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    own, adm = setup.cli(setup.owner), setup.cli(setup.admin)
    # the 管理员 changes the definitions: a new column and index, made by the admin group
    defs = checklists_with_field(tmp_path / "checklists", "zs_setup_extra", "新字段")
    monkeypatch.setenv("ZHAOSHANG_CHECKLISTS", str(defs))
    adm("list", "-n", "1", ok=True)
    assert setup.one("SELECT count(*) FROM information_schema.columns WHERE column_name = 'zs_setup_extra'") == 1
    monkeypatch.delenv("ZHAOSHANG_CHECKLISTS")
    # the owner goes on using it
    r = own("info", ok=True)
    assert "登录账号" in r.stdout
    setup.cli(setup.entry)("list", ok=True)


def test_a_login_without_an_account_is_told_to_ask_for_one(setup: Setup) -> None:
    r = setup.cli(setup.other)("list", ok=False)
    assert "没有 zs 账号" in r.stderr and f"zs account add {setup.other}" in r.stderr, r.stderr
    assert "内部错误" not in r.stderr


def test_entry_may_undo_only_its_own_commands(setup: Setup) -> None:
    adm, li = setup.cli(setup.admin), setup.cli(setup.entry)
    item = setup.one("SELECT id FROM items WHERE title = '甲项目'")
    adm("edit", str(item), "备注=王芳写的", ok=True)
    r = li("undo", "--any-user", "--yes", ok=False)
    assert "是「王芳」的" in r.stderr and "只能撤销自己的操作" in r.stderr, r.stderr
    assert setup.one("SELECT notes FROM items WHERE id = %s", (item,)) == "王芳写的"
    li("edit", str(item), "备注=李四写的", ok=True)
    li("undo", "--yes", ok=True)  # its own
    assert setup.one("SELECT notes FROM items WHERE id = %s", (item,)) == "王芳写的"


def test_entry_cannot_delete_what_is_counted(setup: Setup) -> None:
    adm, li = setup.cli(setup.admin), setup.cli(setup.entry)
    item = setup.one("SELECT id FROM items WHERE title = '甲项目'")
    adm("stage", str(item), "在谈", ok=True)  # the admin's own: confirmed
    r = li("rm", str(item), ok=False)
    assert "已认定、已计入统计" in r.stderr and "zs review return" in r.stderr, r.stderr
    assert setup.one("SELECT count(*) FROM items WHERE id = %s", (item,)) == 1


def test_refusals_name_the_role_and_the_thing(setup: Setup) -> None:
    li = setup.cli(setup.entry)
    r = li("chain", "add", "测试链", ok=False)
    assert "（产业链）" in r.stderr and "填报账号只能" in r.stderr and "只读" not in r.stderr, r.stderr
    r = li("review", "own", "开", ok=False)
    assert "meta" not in r.stderr and "内部错误" not in r.stderr, r.stderr


def test_account_changes_said_plainly(setup: Setup) -> None:
    adm, own = setup.cli(setup.admin), setup.cli(setup.owner)
    # a 管理员 cannot demote itself
    r = adm("account", "edit", setup.admin, "--role", "只读", ok=False)
    assert "不能改自己的角色" in r.stderr, r.stderr
    # a unit an account uses is not removed by an internal error
    r = own("unit", "rm", "爱辉区", ok=False)
    assert "内部错误" not in r.stderr and "Traceback" not in r.stderr, r.stderr
    # one's own password, without the right to manage accounts
    r = setup.cli(setup.entry)("account", "edit", setup.entry, "--password-stdin", input="新密码-1\n", ok=True)
    assert setup.one("SELECT rolpassword IS NOT NULL FROM pg_authid WHERE rolname = %s", (setup.entry,)) is True
    # a password asked for where nobody can type it
    r = adm("account", "edit", setup.entry, "--password", ok=False)
    assert "没有终端可以输入密码" in r.stderr and "--password-stdin" in r.stderr, r.stderr


def test_init_and_info_on_a_server_say_what_is_so(setup: Setup) -> None:
    r = setup.cli(setup.entry)("init", ok=True)
    assert "已是最新" in r.stderr and "已创建" not in r.stderr, r.stderr
    r = setup.cli(setup.entry)("--user", "别人", "info", ok=True)
    assert r.stdout.count("设置（命令行") == 1, r.stdout  # (once: the settings are said at the end)
    assert "记账号的姓名「李四」" in r.stdout and "当前用户    李四" in r.stdout, r.stdout


def test_accounts_are_not_changed_in_a_restore_that_shares_the_roles(setup: Setup) -> None:
    """A pg_restore of the office's database on the same server (here: a copy made with
    CREATE DATABASE … TEMPLATE) shares its logins and groups: changing accounts there would change
    the original's people, so it is refused; reading works."""
    copy = setup.dbname + "_restored"
    _admin_sql(setup.server, f'CREATE DATABASE "{copy}" TEMPLATE "{setup.dbname}" OWNER "{setup.owner}"')
    try:
        cli = Cli(pg_url_as(setup.owner_url, setup.admin).rsplit("/", 1)[0] + "/" + copy)
        cli.opened = True
        r = cli("account", "rm", setup.entry, ok=False)
        assert f"是库「{setup.dbname}」在同一台服务器上的恢复" in r.stderr, r.stderr
        assert setup.one("SELECT count(*) FROM pg_roles WHERE rolname = %s", (setup.entry,)) == 1
        cli("list", ok=True)
    finally:
        _admin_sql(setup.server, f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)')

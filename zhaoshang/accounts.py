"""Accounts of a server database (``zs account``): who may do what, held by the database.

An account is a PostgreSQL login with a 姓名, a unit (招商主体) and one of four roles —
管理员 (definitions, accounts), 审核 (confirms what units report), 填报 (writes its own unit's
items; its stage moves and funds wait for 认定), 只读.  The rights are the database's own
(group roles, grants, row-level security and guard triggers: zhaoshang.engines.postgres,
"Rights"), so they hold for psql as for zs; history names the account, not ``--user``.

Passwords never pass through a command line or history: the caller reads one at a prompt (or
standard input) and it is sent hashed (SCRAM-SHA-256); or the person sets it with psql's
``\\password``.  A file database has no accounts: it is refused with a message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .db import Database, now
from .errors import ZsError

#: role keys (stored) by the words people use
ROLES = {"管理员": "admin", "审核": "review", "填报": "entry", "只读": "read"}
ROLE_NAMES = {v: k for k, v in ROLES.items()}
#: what each role may do, for people
ROLE_RIGHTS = {
    "admin": "定义、招商主体、目标、账号；所有条目",
    "review": "认定或退回报送；所有条目",
    "entry": "只改本单位的条目，阶段变更和到位资金待认定",
    "read": "只能查看",
}

_LOGIN = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


@dataclass(frozen=True)
class AccountInfo:
    login: str
    name: str
    unit: str | None
    role: str  # admin | review | entry | read

    @property
    def role_name(self) -> str:
        return ROLE_NAMES[self.role]

    @property
    def rights(self) -> str:
        return ROLE_RIGHTS[self.role]

    def as_dict(self) -> dict[str, Any]:
        return {"login": self.login, "name": self.name, "unit": self.unit, "role": self.role_name}


@dataclass(frozen=True)
class AccountChange:
    """What ``add``/``edit``/``rm`` did."""

    account: AccountInfo
    action: str  # added | edited | removed
    password_set: bool = False
    login_created: bool = False
    login_dropped: bool = False


def _server(db: Database) -> Any:
    if not db.dialect.server:
        raise ZsError(
            f"数据库「{db.where}」是一个文件：账号和权限只在服务器数据库（PostgreSQL）上有。"
            "先把数据库搬到服务器（zs db copy 文件 postgresql://用户名@主机/库名），再在那里管理账号"
        )
    from .engines import postgres

    if not postgres.rights_installed(db.conn):
        login = db.conn.execute("SELECT session_user").fetchone()[0]
        if not postgres.manages_roles(db.conn):
            raise ZsError(
                f"数据库「{db.where}」还没有账号表：建立它要有 CREATEROLE 权限，登录名「{login}」没有。"
                f"请服务器管理员在 psql 里（以 postgres 身份）运行 ALTER ROLE {login} CREATEROLE; "
                "然后用这个登录名再运行一次 zs 命令"
            )
        raise ZsError(
            f"数据库「{db.where}」还没有账号表：需要由数据库的所有者（有 CREATEROLE 权限的登录名）"
            "运行一次 zs 命令来建立"
        )
    return postgres


def role_key(word: str) -> str:
    key = ROLES.get(word.strip()) or (word.strip() if word.strip() in ROLE_NAMES else None)
    if key is None:
        raise ZsError(f"角色「{word}」无法识别：只能是 {'、'.join(ROLES)} 之一")
    return key


def _check_login(login: str) -> str:
    if not _LOGIN.match(login):
        raise ZsError(
            f"登录名「{login}」不可用：请用小写英文字母、数字和下划线（以字母开头，最多 63 个），如 zhang_san"
        )
    return login


def _unit_id(db: Database, unit: str | None, role: str) -> int | None:
    if unit is None or not unit.strip():
        if role == "entry":
            raise ZsError("填报账号必须指定单位（招商主体）：加 --unit 单位名称；它只能改这个单位的条目")
        return None
    row = db.conn.execute("SELECT id FROM units WHERE name = ?", (unit.strip(),)).fetchone()
    if row is None:
        names = [r[0] for r in db.conn.execute("SELECT name FROM units ORDER BY id LIMIT 8")]
        hint = f"（已有：{'、'.join(names)}）" if names else "（先用 zs unit add 添加）"
        raise ZsError(f"招商主体「{unit}」不存在{hint}")
    return int(row[0])


def _info(db: Database, login: str) -> AccountInfo:
    pg = _server(db)
    acct = pg.account_of(db.conn, login)
    if acct is None:
        raise ZsError(f"账号「{login}」不存在：zs account list 查看所有账号")
    return AccountInfo(acct.login, acct.name, acct.unit, acct.role)


def list_accounts(db: Database) -> list[AccountInfo]:
    pg = _server(db)
    return [AccountInfo(a.login, a.name, a.unit, a.role) for a in pg.accounts(db.conn)]


def _write(db: Database, own_password: bool = False) -> Any:
    """The write transaction of an account change (not a command: accounts are not undone
    with zs undo — a login cannot be un-created by replaying rows).  ``own_password``: the
    connected login changing its own password only, which every login may."""
    pg = _server(db)
    original = pg.restored_from(db.conn)
    if original is not None:
        raise ZsError(
            f"数据库「{db.where}」是库「{original}」在同一台服务器上的恢复（或改了名）：两者共用登录名和组角色，"
            f"在这里改账号会改到「{original}」的人。账号请在「{original}」上管理；这个库要有自己的账号，"
            "请恢复到另一台服务器，或用 zs db copy 复制到一个新建的库。没有改动"
        )
    if not own_password and not pg.manages_accounts(db.conn):
        raise ZsError(
            "只有管理员（或数据库的所有者）能管理账号：当前登录名没有这个权限。"
            "改自己的密码：zs account edit 自己的登录名 --password（或 psql 的 \\password）"
        )
    if own_password and not pg.manages_accounts(db.conn):
        # (one's own password touches none of the program's tables: no write lock, which an
        # account that may not write cannot take)
        db.conn.execute("BEGIN")
        return pg
    db.dialect.begin_write(db.conn)
    return pg


def _finish(db: Database, exc: BaseException | None) -> None:
    if exc is None:
        db.conn.execute("COMMIT")
        return
    if db.conn.in_transaction:
        db.conn.execute("ROLLBACK")


def add(db: Database, login: str, name: str, role: str, unit: str | None, password: str | None) -> AccountChange:
    """Add an account: its login (created unless it exists), its group, its row."""
    from .config import check_user_name

    login = _check_login(login.strip())
    name = check_user_name(name.strip(), "姓名")
    key = role_key(role)
    pg = _write(db)
    try:
        if db.conn.execute("SELECT 1 FROM accounts WHERE login = ?", (login,)).fetchone() is not None:
            raise ZsError(f"账号「{login}」已存在：改它用 zs account edit {login}")
        unit_id = _unit_id(db, unit, key)
        created = not pg.role_exists(db.conn, login)
        if created:
            pg.create_login(db.conn, login)
        pg.grant_role(db.conn, login, key)
        stamp = now()
        db.conn.execute(
            "INSERT INTO accounts(login, name, unit_id, role, own_role, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (login, name, unit_id, key, 1 if created else 0, stamp, stamp),
        )
        if password is not None:
            pg.set_password(db.conn, login, password)
        info = _info(db, login)
    except BaseException as exc:
        _finish(db, exc)
        raise
    _finish(db, None)
    return AccountChange(info, "added", password_set=password is not None, login_created=created)


def edit(
    db: Database,
    login: str,
    *,
    name: str | None = None,
    role: str | None = None,
    unit: str | None = None,
    password: str | None = None,
) -> AccountChange:
    from .config import check_user_name

    before = _info(db, login)
    key = role_key(role) if role is not None else before.role
    me = db.conn.execute("SELECT session_user").fetchone()[0] == login
    if me and key != before.role:
        raise ZsError(f"不能改自己的角色（「{login}」是{before.role_name}）：请另一位管理员来改。没有改动")
    pg = _write(db, own_password=me and name is None and role is None and unit is None and password is not None)
    try:
        sets: dict[str, Any] = {}
        if name is not None:
            sets["name"] = check_user_name(name.strip(), "姓名")
        if unit is not None:
            sets["unit_id"] = _unit_id(db, unit, key)
        elif key == "entry" and before.unit is None:
            _unit_id(db, None, key)
        if key != before.role:
            sets["role"] = key
            own = db.conn.execute("SELECT own_role FROM accounts WHERE login = ?", (login,)).fetchone()[0] == 1
            pg.grant_role(db.conn, login, key, old=before.role, own=own)
        elif not me and (name is not None or unit is not None or role is not None):
            pg.grant_role(db.conn, login, key)  # (its group again: a login re-made by hand had lost it)
        if password is not None:
            pg.set_password(db.conn, login, password)
        if sets:
            cols = ", ".join(f"{c} = ?" for c in sets)
            db.conn.execute(
                f"UPDATE accounts SET {cols}, updated_at = ? WHERE login = ?", (*sets.values(), now(), login)
            )
        info = _info(db, login)
    except BaseException as exc:
        _finish(db, exc)
        raise
    _finish(db, None)
    return AccountChange(info, "edited", password_set=password is not None)


def remove(db: Database, login: str) -> AccountChange:
    before = _info(db, login)
    pg = _write(db)
    try:
        own = db.conn.execute("SELECT own_role FROM accounts WHERE login = ?", (login,)).fetchone()[0] == 1
        if login == db.conn.execute("SELECT session_user").fetchone()[0]:
            raise ZsError(f"不能删除正在使用的账号「{login}」：请用另一个管理员账号删除")
        db.conn.execute("DELETE FROM accounts WHERE login = ?", (login,))
        pg.drop_login(db.conn, login, before.role, own)
        dropped = not pg.role_exists(db.conn, login)
    except BaseException as exc:
        _finish(db, exc)
        raise
    _finish(db, None)
    return AccountChange(before, "removed", login_dropped=dropped)

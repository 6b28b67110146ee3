"""account add|list|edit|rm — the people of a server database and their rights."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from ._app import ZsCommand, new_app, say, state
from .options import Format, FormatOpt
from .output import emit, records

if TYPE_CHECKING:
    from ..accounts import AccountInfo

RoleOpt = Annotated[str | None, typer.Option("--role", help="角色：管理员、审核、填报、只读", show_default=False)]
NameOpt = Annotated[str | None, typer.Option("--name", help="姓名（历史里记的名字）", show_default=False)]
UnitOpt = Annotated[
    str | None,
    typer.Option("--unit", "-u", help="招商主体（单位）；填报账号必填，只能改这个单位的条目", show_default=False),
]
StdinOpt = Annotated[
    bool, typer.Option("--password-stdin", help="从标准输入读密码（第一行），供脚本使用；密码不进命令行和历史")
]
NoPasswordOpt = Annotated[
    bool,
    typer.Option("--no-password", help="不设密码：之后用 psql 的 \\password 登录名 设置（或用服务器的其他认证方式）"),
]


def _read_password(login: str, from_stdin: bool, ask: bool) -> str | None:
    """The password typed at a prompt (twice) or given on standard input; None: none."""
    from ..errors import ZsError

    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise ZsError("--password-stdin：标准输入的第一行是空的，没有读到密码")
        return password
    if not ask:
        return None
    if not sys.stdin.isatty():
        raise ZsError(
            "没有终端可以输入密码：在脚本里请用 --password-stdin（从标准输入读第一行），"
            "或加 --no-password 之后再设。没有改动"
        )
    import getpass

    password = getpass.getpass(f"账号 {login} 的密码：")
    if not password:
        raise ZsError("密码是空的：没有改动。不设密码请加 --no-password")
    if getpass.getpass("再输入一次：") != password:
        raise ZsError("两次输入的密码不一致：没有改动")
    return password


def _line(a: AccountInfo) -> str:
    unit = f"，单位「{a.unit}」" if a.unit else ""
    return f"「{a.login}」（{a.name}，{a.role_name}{unit}：{a.rights}）"


def register(app: typer.Typer) -> None:
    sub = new_app("account", "账号")

    @sub.command("add", cls=ZsCommand)
    def add(
        ctx: typer.Context,
        login: Annotated[str, typer.Argument(metavar="登录名", help="PostgreSQL 登录名，如 zhang_san")],
        name: NameOpt = None,
        role: RoleOpt = None,
        unit: UnitOpt = None,
        password_stdin: StdinOpt = False,
        no_password: NoPasswordOpt = False,
    ) -> None:
        """添加一个账号（只用于服务器数据库）：登录名、姓名、单位、角色。管理员管定义和账号；审核认定各单位的报送；
        填报只能改本单位的条目，阶段变更和到位资金待认定；只读只能查看。权限由数据库执行，用 psql 连上也一样。
        密码在提示时输入（不进命令行和历史），以 SCRAM-SHA-256 散列后发给服务器。
        例：zs --db postgresql://zs@db.local/heihe account add li_si --name 李四 --role 填报 --unit 爱辉区"""
        from .. import accounts
        from ..errors import ZsError

        if name is None or role is None:
            raise ZsError("添加账号需要 --name 姓名 和 --role 角色（管理员、审核、填报、只读）")
        db = state(ctx).open()
        accounts.role_key(role)  # (a wrong role is said before the password is asked)
        if not db.dialect.server:
            accounts.list_accounts(db)  # (says a file has no accounts)
        password = _read_password(login, password_stdin, not no_password)
        done = accounts.add(db, login, name, role, unit, password)
        say(f"已添加账号{_line(done.account)}")
        if not done.login_created:
            said = "它的密码已改成这次输入的" if done.password_set else "它的密码不变"
            say(f"登录名「{login}」在服务器上已存在：沿用它，{said}")
        if not done.password_set and done.login_created:
            say(f"还没有密码：请用 psql 设置（\\password {login}），或让服务器用其他认证方式")

    @sub.command("list", cls=ZsCommand, help="列出账号：登录名、姓名、单位、角色")
    @records
    def list_(ctx: typer.Context, fmt: FormatOpt = Format.table) -> None:
        from .. import accounts
        from ..render import Column

        rows = [a.as_dict() | {"rights": a.rights} for a in accounts.list_accounts(state(ctx).open())]
        cols = [Column("login", "登录名"), Column("name", "姓名"), Column("unit", "单位"), Column("role", "角色"),
                Column("rights", "权限")]  # fmt: skip
        emit(rows, cols, fmt)

    @sub.command("edit", cls=ZsCommand)
    def edit(
        ctx: typer.Context,
        login: Annotated[str, typer.Argument(metavar="登录名")],
        name: NameOpt = None,
        role: RoleOpt = None,
        unit: UnitOpt = None,
        password: Annotated[bool, typer.Option("--password", help="设新密码（在提示时输入）")] = False,
        password_stdin: StdinOpt = False,
    ) -> None:
        """修改账号的姓名、单位、角色或密码。例：zs account edit li_si --role 审核；zs account edit li_si --password"""
        from .. import accounts

        db = state(ctx).open()
        if role is not None:
            accounts.role_key(role)
        pw = _read_password(login, password_stdin, password) if (password or password_stdin) else None
        done = accounts.edit(db, login, name=name, role=role, unit=unit, password=pw)
        say(f"已修改账号{_line(done.account)}" + ("，密码已更新" if done.password_set else ""))

    @sub.command("rm", cls=ZsCommand)
    def rm(ctx: typer.Context, login: Annotated[str, typer.Argument(metavar="登录名")]) -> None:
        """删除账号：它不能再连这个数据库（zs 建的登录名一并删除）；它写过的历史保留。"""
        from .. import accounts

        done = accounts.remove(state(ctx).open(), login)
        kept = "" if done.login_dropped else f"（登录名「{login}」在服务器上保留：它另有用途，只是不再属于这个数据库）"
        say(f"已删除账号{_line(done.account)}{kept}")

    app.add_typer(sub, name="account", help="账号：服务器数据库上的人和权限（管理员、审核、填报、只读）")

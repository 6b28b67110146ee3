"""PostgreSQL ≥ 15, through psycopg 3 (libpq: the URL, the connection, the password files).

Imported only when ``--db`` names a server (``postgresql://user@host/zhaoshang``): nothing of it
loads for a database file.

* **Statements**: the program's SQL uses ``?`` parameters and the few words SQLite allows
  bare; :func:`translate` turns a statement into what PostgreSQL reads (``%s`` parameters, the
  column ``user`` quoted, ``LIMIT -1`` as ``LIMIT ALL``, SQLite's index hints dropped,
  ``rowid`` as the ``id`` every tracked table has) — once per distinct statement.  SQLite's
  scalar and aggregate functions the SQL uses (``total``, ``instr``, ``julianday``,
  ``group_concat``, two-argument ``round`` of a float) are defined in the database
  (:data:`COMPAT`), so the reports' SQL is the same text on both engines.
* **Schema**: the SQLite migrations stay the one definition.  A new server database gets the
  schema a new SQLite file of the same version has, each ``CREATE`` translated
  (:func:`table_ddl`): identity keys, ``double precision``, deferrable foreign keys.
* **History**: one trigger function (:data:`HISTORY`) copies each row (``row_to_json``, in
  column order, as SQLite's ``json_object``) into ``changes`` under the command set with
  ``SET LOCAL zs.command`` at the start of the command; a bulk write pauses it for one table
  with ``SET LOCAL zs.pause_<table>`` instead of dropping triggers (DDL).
* **One writer at a time**, as on SQLite: a write transaction locks the ``commands`` table
  in EXCLUSIVE mode (:data:`WRITE_LOCK`), so ids come out contiguous and history ranges hold.
  Readers are not held up (plain reads take ACCESS SHARE), and an account that may not write
  cannot take it (the mode needs the UPDATE right), as it could an advisory lock.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from ..errors import ZsError
from .base import DATES_TABLES, Connection, Dialect

#: the lock every write transaction holds (one writer at a time), released with the
#: transaction; conflicts with every write of the table, never with a read
WRITE_LOCK = "LOCK TABLE commands IN EXCLUSIVE MODE"
#: while an empty database gets its tables (two `zs init` at once): no table to lock yet
_MAKING_LOCK = 0x7A68_7368  # "zhsh"

# ---------------------------------------------------------------------------------------
# Statements
# ---------------------------------------------------------------------------------------

_TOKENS = re.compile(
    r"(?P<ids>SELECT value FROM json_each\(\?\))"  # a list of ids bound to one parameter (JSON)
    r"|(?P<literal>'(?:[^']|'')*')"  # a string literal
    r'|(?P<ident>"(?:[^"]|"")*")'  # a quoted identifier
    r"|(?P<comment>--[^\n]*)"
    r"|(?P<qmark>\?)"  # a parameter
    r"|(?<![:\w]):(?P<named>[A-Za-z_]\w*)"  # a named parameter
    r"|(?P<percent>%)"  # a literal percent (psycopg's parameters start with one)
    r"|(?P<hint>\bNOT\s+INDEXED\b)"  # SQLite's index hint
    r"|(?P<no_limit>\bLIMIT\s+-1\b)"
    r"|(?P<user>(?<![\w.])user\b(?!\s*\())"  # the column named user (PostgreSQL: CURRENT_USER)
    r"|(?P<rowid>(?<![\w\"])rowid\b)"  # every table the SQL reads rowid of has it as id
    r"|(?<=INDEX IF NOT EXISTS )(?P<temp_index>temp\.)"  # an index of a temporary table is temporary
    r"|(?P<temp>\btemp\.)"  # the temporary schema
    r"|\bCROSS\s+JOIN(?P<cross>\s+\"?\w+\"?(?:\s+(?:AS\s+)?\w+)?\s+ON\b)"  # SQLite's join-order hint
    r"|(?P<is_not>\bIS\s+NOT\s+(?!NULL\b|TRUE\b|FALSE\b|DISTINCT\b))"  # SQLite's IS NOT of two values
    r"|(?P<is_>\bIS\s+(?!NOT\b|NULL\b|TRUE\b|FALSE\b|DISTINCT\b))"  # and its IS
    r"|(?P<plus>(?:\bAND|\bOR|\bWHERE|\bON|[=(,])\s*)\+(?=[A-Za-z_\"])",  # a unary + (keeps SQLite off an index)
    re.IGNORECASE,
)


@functools.lru_cache(maxsize=4096)
def translate(sql: str, *, params: bool = True) -> str:
    """``sql`` as PostgreSQL reads it (``params``: parameters are bound, so ``?`` becomes
    ``%s``, ``:name`` becomes ``%(name)s`` and ``%`` doubles)."""

    def one(m: re.Match[str]) -> str:
        kind, text = m.lastgroup, m.group(0)
        if kind == "ids":
            arg = "%s" if params else "?"
            return f"SELECT value::bigint FROM json_array_elements_text({arg}::json) AS value"
        if kind == "literal":
            return text.replace("%", "%%") if params else text
        if kind in ("ident",):
            return text
        if kind == "comment":
            return ""
        if kind == "qmark":
            return "%s" if params else "?"
        if kind == "named":
            return f"%({m.group('named')})s" if params else text
        if kind == "percent":
            return "%%" if params else "%"
        if kind in ("hint", "temp_index"):
            return ""
        if kind == "no_limit":
            return "LIMIT ALL"
        if kind == "user":
            return '"user"'
        if kind == "rowid":
            return "id"
        if kind == "temp":
            return "pg_temp."
        if kind == "cross":
            return f"JOIN{m.group('cross')}"
        if kind == "is_not":
            return "IS DISTINCT FROM "
        if kind == "is_":
            return "IS NOT DISTINCT FROM "
        return str(m.group("plus"))

    return _counted_totals(_alias_subqueries(_TOKENS.sub(one, sql)))


_TOTAL = re.compile(r"(?<![\w.\"])total\s*\(", re.IGNORECASE)
#: an argument that is a condition (at its own top level): SQLite counts it as 1 or 0
_CONDITION = re.compile(r"<>|<=|>=|!=|=|<|>|\b(?:BETWEEN|IN|IS|LIKE|GLOB|AND|OR|NOT|EXISTS)\b", re.IGNORECASE)
_NOT_A_CONDITION = re.compile(r"\b(?:CASE|DISTINCT|SELECT)\b", re.IGNORECASE)


def _counted_totals(sql: str) -> str:
    """``total(condition)`` — SQLite's count of rows where it holds — as the built-in
    ``count(*) FILTER (WHERE condition)``: the compatibility aggregate ``total(boolean)`` calls a
    SQL function per row, which made a report's window sums (20 of them over 100,000 rows)
    take 1.6 s instead of 0.2 s.  Other totals (sums of numbers, a window's) stay as written."""
    if not _TOTAL.search(sql):
        return sql
    masked = _SKIP.sub(lambda m: "_" * len(m.group(0)), sql)
    out: list[str] = []
    done = 0
    for m in _TOTAL.finditer(masked):
        if m.start() < done:
            continue
        depth, end = 0, -1
        for i in range(m.end() - 1, len(masked)):
            if masked[i] == "(":
                depth += 1
            elif masked[i] == ")":
                depth -= 1
                if depth == 0:
                    end = i
                    break
        if end < 0:
            break
        inner = masked[m.end() : end]
        top = inner.strip()
        while top.startswith("(") and _closes_at_end(top):
            top = top[1:-1].strip()
        level0 = _level0(top)
        if (
            not _CONDITION.search(level0)
            or _NOT_A_CONDITION.search(level0)
            or re.match(r"\s*OVER\b", masked[end + 1 :], re.IGNORECASE)
        ):
            continue
        out.append(sql[done : m.start()])
        out.append(f"(count(*) FILTER (WHERE {sql[m.end() : end]}))::float8")
        done = end + 1
    out.append(sql[done:])
    return "".join(out)


def _closes_at_end(text: str) -> bool:
    """``text`` (starting with a parenthesis) is one parenthesised whole."""
    depth = 0
    for i, ch in enumerate(text):
        depth += ch == "("
        depth -= ch == ")"
        if depth == 0:
            return i == len(text) - 1
    return False


def _level0(text: str) -> str:
    """``text`` without what is inside its parentheses."""
    out, depth = [], 0
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif depth == 0:
            out.append(ch)
    return "".join(out)


_SKIP = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"")
_FROM_SUB = re.compile(r"(?<!DISTINCT )\b(?:FROM|JOIN)\s*\(\s*SELECT\b", re.IGNORECASE)
_NAMED = re.compile(
    r"\s*(?:AS\b|(?!(?:WHERE|GROUP|ORDER|LIMIT|UNION|JOIN|LEFT|INNER|CROSS|ON|HAVING)\b)[A-Za-z_\"])", re.I
)


def _alias_subqueries(sql: str) -> str:
    """A subquery in ``FROM`` gets a name where it has none (PostgreSQL before 16 wants one)."""
    if not _FROM_SUB.search(sql):
        return sql
    masked = _SKIP.sub(lambda m: "_" * len(m.group(0)), sql)  # literals can hold parentheses
    ends: list[int] = []
    for m in _FROM_SUB.finditer(masked):
        depth = 0
        for i in range(masked.index("(", m.start()), len(masked)):
            if masked[i] == "(":
                depth += 1
            elif masked[i] == ")":
                depth -= 1
                if depth == 0:
                    if not _NAMED.match(masked, i + 1):
                        ends.append(i + 1)
                    break
    for n, at in enumerate(sorted(ends, reverse=True)):
        sql = f"{sql[:at]} AS zs_sub{n}{sql[at:]}"
    return sql


#: rows made at a time when a result is iterated
_BATCH = 1000


class _Cursor:
    """What the program uses of a cursor: iteration, fetchone/fetchall, rowcount."""

    __slots__ = ("_cur",)

    def __init__(self, cur: Any) -> None:
        self._cur = cur

    def __iter__(self) -> Iterator[Any]:
        # (in batches: psycopg's own iteration makes each row in Python, 3 µs a row — a third
        # of `zs list`'s time on 6,651 rows; the result is in the client's memory either way)
        cur = self._cur
        if cur.description is None:
            return
        while batch := cur.fetchmany(_BATCH):
            yield from batch

    def fetchone(self) -> Any:
        return self._cur.fetchone() if self._cur.description is not None else None

    def fetchall(self) -> list[Any]:
        return list(self._cur.fetchall()) if self._cur.description is not None else []

    def fetchmany(self, size: int) -> list[Any]:
        return list(self._cur.fetchmany(size)) if self._cur.description is not None else []

    @property
    def rowcount(self) -> int:
        return int(self._cur.rowcount)

    @property
    def description(self) -> Any:
        return self._cur.description

    @property
    def lastrowid(self) -> None:
        raise RuntimeError("PostgreSQL has no lastrowid: use Dialect.insert_id")

    @property
    def row_factory(self) -> Any:
        return None

    @row_factory.setter
    def row_factory(self, factory: Any) -> None:
        """(sqlite3.Row asked for by SQLite's code: these rows already answer by name and index)"""


class _Zero:
    """The answer to a statement the server is not asked (SQLite's tuning, the rollback of a
    connection already gone): one row, 0."""

    description = ("0",)
    rowcount = 0

    def __iter__(self) -> Any:
        return iter([(0,)])

    def fetchone(self) -> Any:
        return (0,)

    def fetchall(self) -> list[Any]:
        return [(0,)]

    def fetchmany(self, size: int) -> list[Any]:
        return [(0,)]


class Row(tuple[Any, ...]):
    """A row that reads by position and by column name, as ``sqlite3.Row`` does — and
    compares equal to the plain tuple of its values, as a default sqlite3 row is."""

    _index: ClassVar[dict[str, int]] = {}

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            return tuple.__getitem__(self, self._index[key])
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self._index)


@functools.lru_cache(maxsize=1024)
def _row_class(names: tuple[str, ...]) -> type[Row]:
    return type("Row", (Row,), {"_index": {n: i for i, n in enumerate(names)}, "__slots__": ()})


def _row_factory(cursor: Any) -> Callable[[Sequence[Any]], Any]:
    desc = cursor.description
    if desc is None:
        return tuple
    cls = _row_class(tuple(d.name for d in desc))
    return cls


#: SQLite's tuning statements, which mean nothing to a server
_TUNING = ("PRAGMA cache_size", "PRAGMA mmap_size")


class PgConnection:
    """A psycopg 3 connection (autocommit: transactions are the program's own ``BEGIN`` …
    ``COMMIT``, as with sqlite3's ``isolation_level=None``) that reads the program's SQL.

    A connection the server drops (the server stopped, an administrator's
    ``pg_terminate_backend``, the network) is a :class:`ZsError` saying what was and was not
    written (:func:`lost_message`); a read outside any transaction reconnects and runs again
    once — the only statement that can be repeated without a doubt."""

    def __init__(self, raw: Any, label: str, params: dict[str, Any] | None = None) -> None:
        self.raw = raw
        self.label = label
        self.dialect: Dialect = POSTGRES
        #: what :func:`connect` opened ``raw`` with (to reconnect)
        self.params = params
        #: reads run again on a new connection after the server dropped this one
        self.retries = 0

    def execute(self, sql: str, parameters: Any = ()) -> _Cursor:
        if sql.startswith(_TUNING):  # SQLite's page cache and memory map: the server sizes its own
            return _Cursor(_Zero())
        if sql == "ROLLBACK" and self.lost:  # the server rolled it back when the connection went
            return _Cursor(_Zero())
        within = self.in_transaction
        try:
            return self._run(sql, parameters)
        except Exception as exc:
            if not _dropped(self, exc):
                raise
            if within or not _repeatable(sql) or self.params is None:
                raise ZsError(lost_message(self.label, exc, within=within, committing=_is_commit(sql))) from None
            try:
                self.reconnect()
                self.retries += 1
                return self._run(sql, parameters)
            except Exception as again:
                if not _dropped(self, again):
                    raise
                raise ZsError(lost_message(self.label, again, within=False, committing=False)) from None

    def _run(self, sql: str, parameters: Any) -> _Cursor:
        if not parameters:
            return _Cursor(self.raw.execute(translate(sql, params=False)))
        if isinstance(parameters, dict):
            return _Cursor(self.raw.execute(translate(sql), parameters))
        return _Cursor(self.raw.execute(translate(sql), list(parameters)))

    def executemany(self, sql: str, seq: Any) -> _Cursor:
        within = self.in_transaction
        try:
            cur = self.raw.cursor()
            cur.executemany(translate(sql), [list(p) for p in seq])
        except Exception as exc:
            if not _dropped(self, exc):
                raise
            raise ZsError(lost_message(self.label, exc, within=within, committing=False)) from None
        return _Cursor(cur)

    def executescript(self, script: str) -> None:
        self.raw.execute(script)

    @property
    def in_transaction(self) -> bool:
        from psycopg.pq import TransactionStatus

        return bool(self.raw.info.transaction_status != TransactionStatus.IDLE)

    @property
    def lost(self) -> bool:
        """The server or the network dropped this connection."""
        return bool(self.raw.broken or self.raw.closed)

    def reconnect(self) -> None:
        """A new connection to the same database in place of a dropped one."""
        import psycopg

        with contextlib.suppress(Exception):
            self.raw.close()
        self.raw = psycopg.connect(**(self.params or {}))

    def close(self) -> None:
        self.raw.close()


def _dropped(conn: PgConnection, exc: BaseException) -> bool:
    """Whether ``exc`` is the connection going away (not an error in a statement)."""
    import psycopg

    if isinstance(exc, psycopg.errors.AdminShutdown | psycopg.errors.CrashShutdown):
        return True
    return isinstance(exc, psycopg.OperationalError | psycopg.InterfaceError) and conn.lost


def _repeatable(sql: str) -> bool:
    """A statement that only reads (run again after a reconnect: it changes nothing)."""
    head = sql.lstrip()[:7].upper()
    return head.startswith("SELECT") and "pg_temp" not in sql and "temp." not in sql


def _is_commit(sql: str) -> bool:
    return sql.strip().upper() in ("COMMIT", "END")


def lost_message(label: str, exc: BaseException, *, within: bool, committing: bool) -> str:
    """What a person reads when the server dropped the connection: which server, what
    happened, and whether anything was written (``within``: a transaction was open, which the
    server rolled back; ``committing``: it went during the COMMIT, which may have landed)."""
    import psycopg

    if isinstance(exc, psycopg.errors.AdminShutdown):
        what = "服务器结束了这个连接（服务器正在关闭，或管理员终止了它）"
    elif isinstance(exc, psycopg.errors.CrashShutdown):
        what = "服务器的一个进程崩溃，服务器正在重启"
    else:
        what = "连接被中断（服务器已停止或重启、管理员终止了连接，或网络中断）"
    head = f"与数据库服务器「{label}」的连接断开了：{what}"
    if committing:
        return (
            f"{head}。连接断在保存的那一刻：这次操作可能已经保存，也可能没有。"
            "请等服务器恢复后用 zs history 查看最近的操作，再决定是否重做"
        )
    if within:
        return f"{head}。这次操作没有写入任何数据（服务器已撤回未完成的修改）：请检查服务器和网络后重试"
    return f"{head}。没有写入任何数据：请检查服务器和网络后重试"


def connect(url: str) -> PgConnection:
    """Open ``url`` (``postgresql://user@host:port/dbname?sslmode=…``; the password from libpq's
    ``.pgpass``, ``PGPASSWORD`` or a service file, never the command line).  The URL is read by
    libpq's own parser (``psycopg.conninfo``), the one every PostgreSQL client uses."""
    try:
        import psycopg
        from psycopg.conninfo import conninfo_to_dict, make_conninfo
    except ImportError:  # pragma: no cover - depends on the installation
        raise ZsError('要使用 PostgreSQL 数据库，请先安装服务器支持：pip install "zhaoshang[pg]"') from None
    try:
        info = conninfo_to_dict(url.replace("postgresql+psycopg://", "postgresql://", 1))
    except psycopg.ProgrammingError:
        raise ZsError(
            f"数据库地址「{_without_password(url)}」无法识别：格式为 postgresql://用户名@主机:端口/数据库名"
        ) from None
    if info.get("password"):
        raise ZsError(
            "数据库地址里不要写密码（它会留在命令历史和配置文件里）：请把密码写进 ~/.pgpass，"
            "或设环境变量 PGPASSWORD，或用 PostgreSQL 的服务文件（见 README「服务器数据库」）"
        )
    label = _label(info)
    # psycopg logs what it ignores while a dropped connection is closed ("error ignored
    # terminating Pipeline"): the message zs prints says what happened, once
    logging.getLogger("psycopg").addHandler(logging.NullHandler())
    settings = {"application_name": "zhaoshang", "connect_timeout": 10, **info}
    # no JIT compilation: the program's statements are many short ones, and compiling a report's
    # wide expressions (PostgreSQL's jit_above_cost is reached by their estimates alone) took
    # 3.3 s of a 3.5 s query at 100,000 items — the query itself runs in 0.16 s
    settings["options"] = " ".join(x for x in (str(info.get("options") or ""), "-c jit=off") if x)
    params: dict[str, Any] = {
        "conninfo": make_conninfo("", **settings),
        "autocommit": True,
        "row_factory": _row_factory,
    }
    try:
        raw = psycopg.connect(**params)
    except psycopg.OperationalError as exc:
        raise ZsError(connect_failed(label, info, str(exc))) from None
    return PgConnection(raw, label, params)


#: why libpq could not connect (its English text) → what a person does about it
_CONNECT_REASONS: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(r"pg_hba\.conf rejects connection .*no encryption"),
        "服务器只接受加密连接：请在地址后加 ?sslmode=verify-full&sslrootcert=根证书路径"
        "（或至少 ?sslmode=require），根证书向服务器管理员要",
    ),
    (
        re.compile(r"server does not support SSL, but SSL was required"),
        "地址要求加密连接（sslmode），但这台服务器没有开启加密（postgresql.conf 的 ssl = off）："
        "请服务器管理员开启 ssl 并配好证书，或从地址里去掉 sslmode",
    ),
    (
        re.compile(r"certificate verify failed|root certificate file .* does not exist|unable to get local issuer"),
        "服务器的证书没有通过校验（sslrootcert 给的根证书没有签发它，或文件不存在）："
        "请向服务器管理员要签发服务器证书的根证书，写成 sslrootcert=路径",
    ),
    (
        re.compile(r'server certificate for "([^"]*)".* does not match host name "([^"]*)"'),
        "服务器证书上的名字是「{0}」，地址里的主机名是「{1}」，两者不符（verify-full 要求一致）："
        "地址里改用证书上的名字，或请服务器管理员换一张含此名字的证书",
    ),
    (
        re.compile(r"password authentication failed|no password supplied|fe_sendauth: no password"),
        "密码不对或没有给出：密码写在 ~/.pgpass（主机:端口:库名:登录名:密码，权限 600）、"
        "环境变量 PGPASSWORD 或服务文件里（见 README「服务器数据库」），不要写进地址",
    ),
    (
        re.compile(r'role "([^"]*)" does not exist'),
        "服务器上没有登录名「{0}」：请管理员用 zs account add 建账号，或检查地址里的用户名",
    ),
    (
        re.compile(r'database "([^"]*)" does not exist'),
        "服务器上没有名为「{0}」的库：请检查地址里的库名，或请服务器管理员 createdb 建库（见 README）",
    ),
    (
        re.compile(r"pg_hba\.conf|no pg_hba\.conf entry"),
        "服务器不允许这个登录名从本机连接这个库（pg_hba.conf）：请服务器管理员为它加一行",
    ),
    (
        re.compile(r"Connection refused|could not translate host name|timeout expired|No route to host"),
        "连不上服务器：请检查地址里的主机名和端口，以及服务器是否在运行、防火墙是否放行",
    ),
]


def connect_failed(label: str, info: dict[str, Any], text: str) -> str:
    """The message for a connection libpq refused (``text``), saying what to do."""
    detail = " ".join(text.split())
    for pattern, advice in _CONNECT_REASONS:
        m = pattern.search(detail)
        if m:
            why = advice.format(*m.groups())
            if "密码" in advice:
                why += _password_hint(info)
            return f"无法连接数据库服务器「{label}」：{why}（服务器的原话：{_libpq_words(detail)}）"
    return (
        f"无法连接数据库服务器「{label}」：{_libpq_words(detail)}。请检查地址、用户名、服务器是否在运行，"
        "以及密码（~/.pgpass 或 PGPASSWORD）"
    )


def _password_hint(info: dict[str, Any]) -> str:
    """Why libpq may not have found the password: the password file it reads (missing, open to
    others, or without the line for this address) or the variable."""
    import os
    from pathlib import Path

    if os.environ.get("PGPASSWORD"):
        return "。这次用的是环境变量 PGPASSWORD 里的密码：请核对它"
    file = Path(os.environ.get("PGPASSFILE") or Path.home() / ".pgpass")
    host, port = info.get("host") or "localhost", info.get("port") or "5432"
    line = f"{host}:{port}:{info.get('dbname') or '*'}:{info.get('user') or '*'}:密码"
    if not file.is_file():
        return f"。没有找到密码文件 {file}，也没有设 PGPASSWORD：在 {file} 里写一行 {line}（权限 600）"
    try:
        mode = file.stat().st_mode & 0o777
    except OSError:
        mode = 0o600
    if os.name == "posix" and mode & 0o077:
        return f"。密码文件 {file} 的权限是 {mode:o}，别人也能读，libpq 因此不用它：chmod 600 {file}"
    return f"。密码文件 {file} 里要有一行与地址逐项对上（任一项可写 *）：{line}；密码改过的话也要改这一行"


def _libpq_words(detail: str) -> str:
    """libpq's reason without its "connection failed: connection to server at … failed:" preamble."""
    return re.sub(r"^(connection failed: )?(connection to server at [^:]*(?::[^:]*)? failed: )?", "", detail).strip()


def _label(info: dict[str, Any]) -> str:
    """The database's URL as people read it (never with a password)."""
    user = f"{info['user']}@" if info.get("user") else ""
    host = str(info.get("host") or "")
    port = f":{info['port']}" if info.get("port") else ""
    extra = {k: v for k, v in info.items() if k not in ("user", "host", "port", "dbname", "password")}
    query = ("?" + "&".join(f"{k}={v}" for k, v in extra.items())) if extra else ""
    return f"postgresql://{user}{host}{port}/{info.get('dbname') or ''}{query}"


def _without_password(url: str) -> str:
    return re.sub(r"(://[^:/@]*):[^@]*@", r"\1:***@", url)


# ---------------------------------------------------------------------------------------
# Schema
# ---------------------------------------------------------------------------------------

#: SQLite's functions the program's SQL uses, defined in the database
COMPAT = [
    "CREATE OR REPLACE FUNCTION instr(text, text) RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE "
    "AS 'SELECT strpos($1, $2)'",
    "CREATE OR REPLACE FUNCTION julianday(text) RETURNS double precision LANGUAGE sql IMMUTABLE PARALLEL SAFE "
    "AS 'SELECT extract(julian from $1::timestamp)::double precision'",
    "CREATE OR REPLACE FUNCTION round(double precision, integer) RETURNS double precision LANGUAGE sql "
    "IMMUTABLE PARALLEL SAFE AS 'SELECT round($1::numeric, $2)::double precision'",
    "CREATE OR REPLACE FUNCTION zs_concat(text, text, text) RETURNS text LANGUAGE sql IMMUTABLE "
    "AS 'SELECT CASE WHEN $2 IS NULL THEN $1 WHEN $1 IS NULL THEN $2 ELSE $1 || $3 || $2 END'",
    "CREATE OR REPLACE AGGREGATE group_concat(text, text) (SFUNC = zs_concat, STYPE = text)",
    # SQLite's date(value, modifier, ...) for the modifiers the SQL uses (start of month/year,
    # ±N days/months/years), as text; NULL for what is not a date, as SQLite gives
    r"""CREATE OR REPLACE FUNCTION date(d text, VARIADIC mods text[]) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
    DECLARE t timestamp; m text;
    BEGIN
        BEGIN t := d::timestamp; EXCEPTION WHEN others THEN RETURN NULL; END;
        FOREACH m IN ARRAY mods LOOP
            IF m = 'start of month' THEN t := date_trunc('month', t);
            ELSIF m = 'start of year' THEN t := date_trunc('year', t);
            ELSIF m ~ '^[+-]?[0-9]+ (day|month|year)s?$' THEN t := t + m::interval;
            ELSE RAISE EXCEPTION 'zhaoshang: date modifier % is not supported on PostgreSQL', m;
            END IF;
        END LOOP;
        RETURN to_char(t, 'YYYY-MM-DD');
    END $$""",
    "CREATE OR REPLACE FUNCTION date(text) RETURNS text LANGUAGE sql IMMUTABLE "
    "AS 'SELECT date($1, VARIADIC ARRAY[]::text[])'",
    # SQLite's max(a, b) and min(a, b) of two values (NULL when either is)
    "CREATE OR REPLACE FUNCTION max(anyelement, anyelement) RETURNS anyelement LANGUAGE sql IMMUTABLE "
    "AS 'SELECT CASE WHEN $1 IS NULL OR $2 IS NULL THEN NULL ELSE greatest($1, $2) END'",
    "CREATE OR REPLACE FUNCTION min(anyelement, anyelement) RETURNS anyelement LANGUAGE sql IMMUTABLE "
    "AS 'SELECT CASE WHEN $1 IS NULL OR $2 IS NULL THEN NULL ELSE least($1, $2) END'",
    # a comparison is a number in SQLite (max(action = 'insert'), sum(x > 0)): the aggregates
    # the SQL takes of one
    "CREATE OR REPLACE AGGREGATE max(boolean) (SFUNC = boolor_statefunc, STYPE = boolean)",
    "CREATE OR REPLACE AGGREGATE min(boolean) (SFUNC = booland_statefunc, STYPE = boolean)",
    "CREATE OR REPLACE FUNCTION zs_add_true(bigint, boolean) RETURNS bigint LANGUAGE sql IMMUTABLE "
    "AS 'SELECT CASE WHEN $2 IS NULL THEN $1 ELSE coalesce($1, 0) + $2::int END'",
    "CREATE OR REPLACE AGGREGATE sum(boolean) (SFUNC = zs_add_true, STYPE = bigint)",
    "CREATE OR REPLACE FUNCTION zs_total_true(double precision, boolean) RETURNS double precision "
    "LANGUAGE sql IMMUTABLE AS 'SELECT $1 + coalesce($2::int, 0)'",
    "CREATE OR REPLACE AGGREGATE total(boolean) (SFUNC = zs_total_true, STYPE = double precision, INITCOND = '0')",
    "CREATE OR REPLACE AGGREGATE total(double precision) (SFUNC = float8pl, STYPE = double precision, INITCOND = '0')",
]

#: the history capture: one function for every tracked table (its item column is the argument).
#: With accounts (see "Rights") the same function runs as its owner, and a login that is not
#: trusted may neither pause it nor write outside a command of its own.
_HISTORY = r"""
CREATE OR REPLACE FUNCTION zs_history() RETURNS trigger LANGUAGE plpgsql {definer} AS $f$
DECLARE
    cmd bigint := nullif(current_setting('zs.command', true), '')::bigint;
    item text := TG_ARGV[0];
    trusted boolean := {trusted};
BEGIN
    IF trusted AND current_setting('zs.pause_' || TG_TABLE_NAME, true) = 'on' THEN
        RETURN NULL;
    END IF;
    {guard}
    IF TG_OP = 'INSERT' THEN
        INSERT INTO changes(command_id, tbl, row_id, item_id, action, old, new)
        VALUES (cmd, TG_TABLE_NAME, NEW.id,
                CASE WHEN item = '' THEN NULL ELSE (row_to_json(NEW) ->> item)::bigint END,
                'insert', NULL, row_to_json(NEW)::text);
    ELSIF TG_OP = 'UPDATE' THEN
        IF NEW IS NOT DISTINCT FROM OLD THEN
            RETURN NULL;
        END IF;
        INSERT INTO changes(command_id, tbl, row_id, item_id, action, old, new)
        VALUES (cmd, TG_TABLE_NAME, NEW.id,
                CASE WHEN item = '' THEN NULL ELSE (row_to_json(NEW) ->> item)::bigint END,
                'update', row_to_json(OLD)::text, row_to_json(NEW)::text);
    ELSE
        INSERT INTO changes(command_id, tbl, row_id, item_id, action, old, new)
        VALUES (cmd, TG_TABLE_NAME, OLD.id,
                CASE WHEN item = '' THEN NULL ELSE (row_to_json(OLD) ->> item)::bigint END,
                'delete', row_to_json(OLD)::text, NULL);
    END IF;
    RETURN NULL;
END $f$
"""


def history_function(schema: str | None = None) -> str:
    """``zs_history()`` without accounts (``schema`` None: every login is trusted), or as the
    rights install it (runs as its owner, in ``schema``)."""
    if schema is None:
        return _HISTORY.replace("{definer}", "").replace("{trusted}", "true").replace("{guard}", "")
    return (
        _HISTORY.replace("{definer}", f"SECURITY DEFINER SET search_path = {schema}, pg_temp")
        .replace("{trusted}", "zs_trusted()")
        .replace("{guard}", _HISTORY_GUARD)
    )


#: (with accounts) a write of a login that is not trusted belongs to an open command of its own
_HISTORY_GUARD = """IF NOT trusted AND NOT zs_open_command(cmd) THEN
        RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
            MESSAGE = 'zhaoshang: 修改必须在本账号的一条命令之内（历史只记在自己的命令名下）';
    END IF;"""


#: SQLite's AUTOINCREMENT: the next id is one above the highest ever used (kept in
#: ``zs_sequence`` as SQLite keeps ``sqlite_sequence``), and a rolled-back insert gives its id
#: back — a PostgreSQL sequence would not, and the same commands would number items differently.
#: Within a transaction the counter lives in a transaction-local setting (``zs.seq_<table>``,
#: undone with a rolled-back savepoint like the rows): the counter's row is read and locked once,
#: and written back once, by a deferred trigger at commit — updating that row for every insert
#: would leave a chain of dead row versions that each later insert walks (20,000 inserts in one
#: transaction took 2.7 s that way, 5,000 took 0.22 s). Rows written with their own ids raise the
#: counter through :meth:`PostgresDialect.keep_ids_above`.
NEXT_ID = r"""
CREATE OR REPLACE FUNCTION zs_next_id() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    key text := 'zs.seq_' || TG_TABLE_NAME;
    n bigint := nullif(current_setting(key, true), '')::bigint;
BEGIN
    IF n IS NULL THEN
        INSERT INTO zs_sequence(name, seq) VALUES (TG_TABLE_NAME, 0)
        ON CONFLICT (name) DO UPDATE SET seq = zs_sequence.seq
        RETURNING seq INTO n;
    END IF;
    n := n + 1;
    PERFORM set_config(key, n::text, true);
    NEW.id := n;
    RETURN NEW;
END $$;
CREATE OR REPLACE FUNCTION zs_ids_sync() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    n text := nullif(current_setting('zs.seq_' || TG_TABLE_NAME, true), '');
BEGIN
    IF n IS NOT NULL AND current_setting('zs.seqw_' || TG_TABLE_NAME, true) IS DISTINCT FROM n THEN
        UPDATE zs_sequence SET seq = greatest(seq, n::bigint) WHERE name = TG_TABLE_NAME;
        PERFORM set_config('zs.seqw_' || TG_TABLE_NAME, n, true);
    END IF;
    RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION zs_ids_used(tbl text, last bigint) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    n bigint;
BEGIN
    INSERT INTO zs_sequence(name, seq) VALUES (tbl, last)
    ON CONFLICT (name) DO UPDATE SET seq = greatest(zs_sequence.seq, excluded.seq)
    RETURNING seq INTO n;
    IF nullif(current_setting('zs.seq_' || tbl, true), '') IS NOT NULL THEN
        PERFORM set_config('zs.seq_' || tbl,
                           greatest(n, current_setting('zs.seq_' || tbl)::bigint)::text, true);
    END IF;
END $$;
CREATE OR REPLACE FUNCTION zs_ids_peek(tbl text) RETURNS bigint LANGUAGE sql STABLE AS $$
    SELECT greatest(coalesce(nullif(current_setting('zs.seq_' || tbl, true), '')::bigint, 0),
                    coalesce((SELECT seq FROM zs_sequence WHERE name = tbl), 0))
$$
"""

_TYPES = [
    (re.compile(r"\bINTEGER PRIMARY KEY AUTOINCREMENT\b", re.I), "BIGINT PRIMARY KEY"),
    (re.compile(r"\bINTEGER\b", re.I), "BIGINT"),
    (re.compile(r"\bREAL\b", re.I), "DOUBLE PRECISION"),
    (re.compile(r"(REFERENCES \w+\(\w+\)(?: ON DELETE CASCADE)?)", re.I), r"\1 DEFERRABLE INITIALLY IMMEDIATE"),
]


def table_ddl(sql: str) -> str:
    """A SQLite ``CREATE TABLE``/``CREATE INDEX``/``ALTER TABLE`` of the program's schema as
    PostgreSQL reads it."""
    out = translate(sql, params=False)
    for pattern, repl in _TYPES:
        out = pattern.sub(repl, out)
    return out


class PostgresDialect(Dialect):
    name = "postgresql"
    server = True
    no_limit = "LIMIT ALL"

    def columns(self, conn: Connection, table: str) -> list[str]:
        # (the catalog, not information_schema.columns: 0.3 ms instead of 1–4 ms, asked several
        # times by every command; every table is readable by every account, so both list the same)
        rows = conn.execute(
            "SELECT a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
            "WHERE c.relnamespace = current_schema()::regnamespace AND c.relname = ? "
            "AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum",
            (table,),
        )
        return [r[0] for r in rows]

    def tables(self, conn: Connection, prefix: str = "") -> list[str]:
        rows = conn.execute(
            "SELECT c.relname FROM pg_class c WHERE c.relnamespace = current_schema()::regnamespace "
            "AND c.relkind = 'r' AND starts_with(c.relname, ?) ORDER BY c.oid",
            (prefix,),
        )
        return [r[0] for r in rows]

    def has_trigger(self, conn: Connection, name: str) -> bool:
        return conn.execute("SELECT 1 FROM pg_trigger WHERE tgname = ?", (name,)).fetchone() is not None

    def schema_version(self, conn: Connection) -> int:
        if conn.execute("SELECT to_regclass('meta')").fetchone()[0] is None:
            return 0
        row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        return int(row[0]) if row else 0

    def set_schema_version(self, conn: Connection, version: int) -> None:
        conn.execute(
            "INSERT INTO meta(key, value) VALUES ('schema_version', ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (str(int(version)),),
        )

    def free_bytes(self, conn: Connection) -> int:
        """(The server reuses free space itself: nothing for zs to give back.)"""
        return 0

    def size(self, conn: Connection) -> int | None:
        return int(conn.execute("SELECT pg_database_size(current_database())").fetchone()[0])

    def begin_write(
        self, conn: Connection, on_wait: Callable[[], None] | None = None, *, notice_ms: int = 0, timeout_ms: int = 0
    ) -> None:
        """``BEGIN`` and the write lock (:data:`WRITE_LOCK`, released with the transaction —
        also when the client is killed).  Held by another writer: after ``notice_ms`` say so
        (``on_wait``), give up after ``timeout_ms`` (0: wait as long as it takes)."""
        conn.execute("BEGIN")
        if _lock_now(conn):
            return
        if not timeout_ms:
            conn.execute(WRITE_LOCK)
            return
        before = conn.execute("SELECT current_setting('lock_timeout')").fetchone()[0]
        first = notice_ms if on_wait is not None and 0 < notice_ms < timeout_ms else timeout_ms
        if not _wait_for_lock(conn, first):
            if on_wait is None or first == timeout_ms:
                conn.execute("ROLLBACK")
                raise _busy(conn, timeout_ms)
            on_wait()
            if not _wait_for_lock(conn, timeout_ms - first):
                conn.execute("ROLLBACK")
                raise _busy(conn, timeout_ms)
        conn.execute("SELECT set_config('lock_timeout', ?, true)", (before,))

    def defer_foreign_keys(self, conn: Connection) -> None:
        conn.execute("SET CONSTRAINTS ALL DEFERRED")

    def foreign_key_problems(self, conn: Connection) -> list[Any]:
        """(Deferred foreign keys are checked here, now, instead of at the commit.)"""
        import psycopg

        try:
            conn.execute("SAVEPOINT zs_fk")
            conn.execute("SET CONSTRAINTS ALL IMMEDIATE")
            conn.execute("RELEASE SAVEPOINT zs_fk")
            # (the id counters are still written back once, at the commit: see NEXT_ID)
            sync = conn.execute(
                "SELECT string_agg(quote_ident(tgname), ', ') FROM pg_trigger WHERE tgname LIKE 'idsync\\_%'"
            ).fetchone()[0]
            if sync:
                conn.execute(f"SET CONSTRAINTS {sync} DEFERRED")
        except psycopg.errors.ForeignKeyViolation as exc:
            conn.execute("ROLLBACK TO SAVEPOINT zs_fk")
            return [str(exc)]
        return []

    def insert_id(self, conn: Connection, sql: str, params: Sequence[Any] = ()) -> int:
        return int(conn.execute(sql + " RETURNING id", params).fetchone()[0])

    def next_id(self, conn: Connection, table: str) -> int:
        seq = conn.execute("SELECT zs_ids_peek(?)", (table,)).fetchone()[0]
        top = conn.execute(f'SELECT coalesce(max(id), 0) FROM "{table}"').fetchone()[0]
        return max(int(seq), int(top)) + 1

    def at_max(self, value: str, key: str, tie: str) -> str:
        return f"(array_agg({value} ORDER BY {key} DESC, {tie}))[1]"

    packed_rows = "json_array_elements(?::json) WITH ORDINALITY AS j(value, key)"

    def packed_value(self, index: int, sql_type: str) -> str:
        return f"(j.value ->> {int(index)})::{table_ddl(sql_type)}"

    def search_match(self, alias: str, words: Sequence[str]) -> tuple[str, list[Any]]:
        """pg_trgm's GIN indexes on title and body serve ``LIKE '%word%'`` (3 characters or more)."""
        params: list[Any] = []
        parts = []
        for w in words:
            pattern = "%" + w.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            parts.append(f"({alias}.title LIKE ? OR {alias}.body LIKE ?)")
            params += [pattern, pattern]
        return " AND ".join(parts), params

    def give_back_ids(self, conn: Connection, table: str) -> None:
        top = int(conn.execute(f'SELECT coalesce(max(id), 0) FROM "{table}"').fetchone()[0])
        conn.execute("UPDATE zs_sequence SET seq = ? WHERE name = ?", (top, table))
        if conn.execute("SELECT current_setting(?, true) <> ''", (f"zs.seq_{table}",)).fetchone()[0]:
            conn.execute("SELECT set_config(?, ?, true)", (f"zs.seq_{table}", str(top)))

    def keep_ids_above(self, conn: Connection, table: str, last: int) -> None:
        """(Through a function: with accounts, only it may write the counters — see "Rights".)"""
        conn.execute("SELECT zs_ids_used(?, ?)", (table, int(last)))

    def begin_snapshot(self, conn: Connection) -> None:
        conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")  # (not READ ONLY: temporary tables)

    def begin_read(self, conn: Connection) -> None:
        conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")

    def install_history(self, conn: Connection, table: str) -> None:
        new = not self.has_trigger(conn, f"hist_{table}")
        if not new and (_resumed(conn, f"zs.pause_{table}") or not trusted(conn)):
            # (a pause taken off: the trigger is there — no DDL, whose table lock would queue
            # every reader; for a login whose pause was not honoured, nothing to put back and no
            # DDL of a table it does not own — see "Rights")
            conn.execute(f"SELECT set_config('zs.pause_{table}', '', true)")
            return
        cols = self.columns(conn, table)
        if table == "items" or table.startswith("kind_"):
            item = "id"
        elif "item_id" in cols:
            item = "item_id"
        else:
            item = ""
        conn.execute(f'DROP TRIGGER IF EXISTS "hist_{table}" ON "{table}"')
        conn.execute(
            f'CREATE TRIGGER "hist_{table}" AFTER INSERT OR UPDATE OR DELETE ON "{table}" '
            f"FOR EACH ROW EXECUTE FUNCTION zs_history('{item}')"
        )
        conn.execute(f"SELECT set_config('zs.pause_{table}', '', true)")
        if new:
            table_rights(conn, table)

    def pause_history(self, conn: Connection, table: str) -> bool:
        if not self.has_trigger(conn, f"hist_{table}") or not trusted(conn):
            return False
        conn.execute(f"SELECT set_config('zs.pause_{table}', 'on', true)")
        return True

    def start_command(self, conn: Connection, command_id: int) -> None:
        conn.execute("SELECT set_config('zs.command', ?, true)", (str(int(command_id)),))

    def install_item_dates(self, conn: Connection, refresh_sql: Callable[[str], str]) -> None:
        if self.has_trigger(conn, "dates_items") and (_resumed(conn, "zs.pause_dates") or not trusted(conn)):
            conn.execute("SELECT set_config('zs.pause_dates', '', true)")  # (no DDL: see "Rights")
            return
        for table in DATES_TABLES:
            old = f"DELETE FROM item_dates WHERE item_id = OLD.item_id; {refresh_sql('i.id = OLD.item_id')};"
            new = f"DELETE FROM item_dates WHERE item_id = NEW.item_id; {refresh_sql('i.id = NEW.item_id')};"
            body = (
                "BEGIN IF current_setting('zs.pause_dates', true) = 'on' THEN RETURN NULL; END IF; "
                f"IF TG_OP <> 'INSERT' THEN {old} END IF; IF TG_OP <> 'DELETE' THEN {new} END IF; "
                "RETURN NULL; END"
            )
            conn.execute(
                f"CREATE OR REPLACE FUNCTION zs_dates_{table}() RETURNS trigger LANGUAGE plpgsql AS $$"
                f"{translate(body, params=False)}$$"
            )
            conn.execute(f'DROP TRIGGER IF EXISTS "dates_{table}" ON "{table}"')
            conn.execute(
                f'CREATE TRIGGER "dates_{table}" AFTER INSERT OR UPDATE OR DELETE ON "{table}" FOR EACH ROW '
                f"WHEN ({_NOT_PAUSED_DATES}) EXECUTE FUNCTION zs_dates_{table}()"
            )
        items = (
            "BEGIN IF TG_OP = 'DELETE' THEN DELETE FROM item_dates WHERE item_id = OLD.id; "
            "ELSIF current_setting('zs.pause_dates', true) IS DISTINCT FROM 'on' THEN "
            f"{refresh_sql('i.id = NEW.id')}; END IF; RETURN NULL; END"
        )
        conn.execute(
            "CREATE OR REPLACE FUNCTION zs_dates_items() RETURNS trigger LANGUAGE plpgsql AS $$"
            f"{translate(items, params=False)}$$"
        )
        conn.execute('DROP TRIGGER IF EXISTS "dates_items" ON items')
        conn.execute(
            'CREATE TRIGGER "dates_items" AFTER INSERT OR DELETE ON items '
            "FOR EACH ROW EXECUTE FUNCTION zs_dates_items()"
        )
        conn.execute("SELECT set_config('zs.pause_dates', '', true)")

    def keeps_item_dates(self, conn: Connection) -> bool:
        return self.has_trigger(conn, "dates_status_log")

    def pause_item_dates(self, conn: Connection) -> None:
        conn.execute("SELECT set_config('zs.pause_dates', 'on', true)")

    # -- creating a server database ------------------------------------------------------
    def create_schema(self, conn: Connection, statements: Sequence[str], tables: Sequence[str]) -> None:
        """Create the schema (SQLite's ``statements``, translated) with the compatibility
        functions, the history capture and SQLite's AUTOINCREMENT on the tables that have it."""
        for stmt in COMPAT:
            conn.execute(stmt)
        conn.execute(history_function())
        conn.execute("CREATE TABLE zs_sequence (name TEXT PRIMARY KEY, seq BIGINT NOT NULL)")
        conn.execute(NEXT_ID)
        # the search index: a trigram GIN index serves LIKE '%词%' (3 characters or more; the
        # database's LC_CTYPE must be UTF-8 for Chinese) — as FTS5's trigram tokenizer does
        conn.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        conn.execute("CREATE TABLE items_fts (id BIGINT PRIMARY KEY, title TEXT NOT NULL, body TEXT NOT NULL)")
        conn.execute("CREATE INDEX items_fts_title ON items_fts USING gin (title gin_trgm_ops)")
        conn.execute("CREATE INDEX items_fts_body ON items_fts USING gin (body gin_trgm_ops)")
        counted = set()
        for stmt in statements:
            m = _AUTOINCREMENT.search(stmt)
            if m:
                counted.add(m.group(1))
            conn.execute(table_ddl(stmt))
        for t in tables:
            if t in counted:
                _count_ids(conn, t)

    def before_migration(self, conn: Connection) -> None:
        refresh_functions(conn)

    def run_migration(self, conn: Connection, statement: str) -> None:
        """A later version's statement: a new table gets SQLite's AUTOINCREMENT (when it has it)
        and its rights; the history capture of tracked tables is the caller's (as on SQLite)."""
        conn.execute(table_ddl(statement))
        m = _NEW_TABLE.match(statement)
        if m:
            if re.search(r"\bAUTOINCREMENT\b", statement, re.I):
                _count_ids(conn, m.group(1))
            table_rights(conn, m.group(1))

    def sql_type(self, sqlite_type: str) -> str:
        return table_ddl(sqlite_type)

    def refused(self, exc: BaseException, role: str | None = None) -> ZsError | None:
        return refused(exc, role)


#: the item_dates triggers are not even called during a bulk write that pauses them
_NOT_PAUSED_DATES = "current_setting('zs.pause_dates', true) IS DISTINCT FROM 'on'"


def _resumed(conn: Connection, setting: str) -> bool:
    """After a pause in this transaction (``setting`` on), the triggers are there: taking the
    pause off resumes them — no DDL, whose exclusive lock on the table would queue every
    reader behind this write (and deadlock with a report reading two tables)."""
    if conn.execute("SELECT current_setting(?, true)", (setting,)).fetchone()[0] != "on":
        return False
    conn.execute("SELECT set_config(?, '', true)", (setting,))
    return True


def _lock_now(conn: Connection) -> bool:
    """Take the write lock if nobody holds it (inside the open transaction)."""
    import psycopg

    conn.execute("SAVEPOINT zs_try")
    try:
        conn.execute(WRITE_LOCK + " NOWAIT")
    except psycopg.errors.LockNotAvailable:
        conn.execute("ROLLBACK TO SAVEPOINT zs_try")
        return False
    except psycopg.errors.UndefinedTable:  # an empty database being made: no accounts yet
        conn.execute("ROLLBACK TO SAVEPOINT zs_try")
        conn.execute("SELECT pg_advisory_xact_lock(?)", (_MAKING_LOCK,))
        return True
    conn.execute("RELEASE SAVEPOINT zs_try")
    return True


def _wait_for_lock(conn: Connection, ms: int) -> bool:
    """Wait up to ``ms`` for the write lock inside the open transaction; False when it is
    still held by another (the transaction goes on, without it)."""
    import psycopg

    conn.execute("SAVEPOINT zs_wait")
    conn.execute("SELECT set_config('lock_timeout', ?, true)", (f"{max(int(ms), 1)}ms",))
    try:
        conn.execute(WRITE_LOCK)
    except psycopg.errors.LockNotAvailable:
        conn.execute("ROLLBACK TO SAVEPOINT zs_wait")
        return False
    conn.execute("RELEASE SAVEPOINT zs_wait")
    return True


def _busy(conn: Connection, timeout_ms: int) -> ZsError:
    label = getattr(conn, "label", "")
    return ZsError(
        f"数据库「{label}」正被另一个程序长时间写入（已等待 {timeout_ms // 1000} 秒）：这次操作没有写入。"
        "请稍后重试；一直这样时，请管理员在服务器上查看长时间运行的 zhaoshang 连接（pg_stat_activity）"
    )


_AUTOINCREMENT = re.compile(r'^CREATE TABLE "?(\w+)"?\s*\([^;]*\bAUTOINCREMENT\b', re.I)
_NEW_TABLE = re.compile(r'\s*CREATE TABLE (?:IF NOT EXISTS )?"?(\w+)"?', re.I)


def _count_ids(conn: Connection, table: str) -> None:
    """SQLite's AUTOINCREMENT on ``table``: a row without its id takes the next (NEXT_ID); rows
    written with theirs (an import's reserved block, a copy) raise the counter through
    :meth:`PostgresDialect.keep_ids_above`."""
    conn.execute(
        f'CREATE TRIGGER "ids_{table}" BEFORE INSERT ON "{table}" FOR EACH ROW WHEN (NEW.id IS NULL) '
        "EXECUTE FUNCTION zs_next_id()"
    )
    conn.execute(
        f'CREATE CONSTRAINT TRIGGER "idsync_{table}" AFTER INSERT ON "{table}" '
        "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION zs_ids_sync()"
    )


POSTGRES = PostgresDialect()


# ---------------------------------------------------------------------------------------
# Rights: accounts, their group roles, and what the database itself refuses (zs account)
# ---------------------------------------------------------------------------------------
#
# Four group roles per database (role names are cluster-wide: ``zs_<db_id>_<role>``, the
# db_id the database had when its rights were made, baked into ``zs_group()``), each a member
# of the next: admin ⊃ review ⊃ entry ⊃ read.  The admin group owns every table and the
# trigger functions, so a 管理员 may change definitions (new columns) and bypasses row-level
# security; the others are held by grants, row-level security and guard triggers:
#
# * read: SELECT on everything, TEMP (reports' temporary tables);
# * entry (填报): INSERT/UPDATE/DELETE on items and the tables hanging off items, for items
#   of its own unit only (``zs_unit_guard`` refuses, with a message, a row of another unit;
#   row-level security holds every new row to the unit as well); its stage moves and funds
#   are 待认定 (``zs_review_guard``: inserted pending, the review columns not its to change);
# * review (审核): writes every unit's items and decides the review columns;
# * admin (管理员): definitions, units, chains, goals, accounts.
#
# History: ``commands.user`` is the authenticated account's 姓名 (``zs_command_guard``), the
# capture runs as the admin group (SECURITY DEFINER) so nobody else writes ``changes``, a
# pause (``SET LOCAL zs.pause_<table>``) is honoured for the admin group only, and a change
# of someone else is recorded only under a command opened in its own transaction.

#: the roles, as stored (ASCII) and as people call them
ROLE_NAMES = {"admin": "管理员", "review": "审核", "entry": "填报", "read": "只读"}

#: tables whose rows belong to an item (the column naming it); kind_* tables: ``id``
_ITEM_TABLES_EXCLUDED = ("changes", "commands")

ACCOUNTS = """
CREATE TABLE IF NOT EXISTS accounts (
    login      TEXT PRIMARY KEY,             -- the PostgreSQL role (LOGIN)
    name       TEXT NOT NULL,                -- 姓名: what history records
    unit_id    BIGINT REFERENCES units(id),  -- 招商主体 (填报: the only unit it writes)
    role       TEXT NOT NULL CHECK (role IN ('admin', 'review', 'entry', 'read')),
    own_role   BIGINT NOT NULL DEFAULT 1,    -- 1: zs created the login (rm drops it)
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
)
"""

_RIGHTS_FUNCTIONS = r"""
CREATE OR REPLACE FUNCTION zs_group(role text) RETURNS text LANGUAGE sql IMMUTABLE
AS $f$ SELECT '{prefix}_' || role $f$;
CREATE OR REPLACE FUNCTION zs_trusted() RETURNS boolean LANGUAGE sql STABLE
AS $f$ SELECT pg_has_role(session_user, '{prefix}_admin', 'MEMBER') $f$;
CREATE OR REPLACE FUNCTION zs_reviewer() RETURNS boolean LANGUAGE sql STABLE
AS $f$ SELECT pg_has_role(session_user, '{prefix}_review', 'MEMBER') $f$;
CREATE OR REPLACE FUNCTION zs_my_unit() RETURNS bigint LANGUAGE sql STABLE
AS $f$ SELECT unit_id FROM accounts WHERE login = session_user $f$;
CREATE OR REPLACE FUNCTION zs_my_name() RETURNS text LANGUAGE sql STABLE
AS $f$ SELECT name FROM accounts WHERE login = session_user $f$;
CREATE OR REPLACE FUNCTION zs_my_item(bigint) RETURNS boolean LANGUAGE sql STABLE
AS $f$ SELECT EXISTS (SELECT 1 FROM items WHERE id = $1 AND unit_id = zs_my_unit()) $f$;
CREATE OR REPLACE FUNCTION zs_unit_guard() RETURNS trigger LANGUAGE plpgsql AS $f$
DECLARE
    col text := TG_ARGV[0];
    mine bigint;
    item bigint;
    unit bigint;
BEGIN
    IF zs_reviewer() THEN
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
    END IF;
    mine := zs_my_unit();
    IF TG_OP <> 'INSERT' THEN
        IF col = '' THEN
            item := OLD.id; unit := OLD.unit_id;
        ELSE
            item := (to_jsonb(OLD) ->> col)::bigint;
            SELECT i.unit_id INTO unit FROM items i WHERE i.id = item;
            IF NOT FOUND THEN unit := mine; END IF;  -- (its item deleted: the cascade of a deletion checked)
        END IF;
        IF unit IS DISTINCT FROM mine THEN
            RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege', MESSAGE = format(
                'zhaoshang: 条目 %s 属于%s，不是本账号的单位%s：填报账号只能修改本单位的条目',
                item, coalesce('「' || (SELECT name FROM units WHERE id = unit) || '」', '别的单位'),
                coalesce('「' || (SELECT name FROM units WHERE id = mine) || '」', '（账号未设单位）'));
        END IF;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        IF col = '' THEN
            item := NEW.id; unit := NEW.unit_id;
        ELSE
            item := (to_jsonb(NEW) ->> col)::bigint;
            SELECT i.unit_id INTO unit FROM items i WHERE i.id = item;
        END IF;
        IF unit IS DISTINCT FROM mine THEN
            RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege', MESSAGE = format(
                'zhaoshang: 条目%s的单位是%s，不是本账号的单位%s：填报账号只能录入本单位的条目',
                coalesce(' ' || item, ''),
                coalesce('「' || (SELECT name FROM units WHERE id = unit) || '」', '空的'),
                coalesce('「' || (SELECT name FROM units WHERE id = mine) || '」', '（账号未设单位）'));
        END IF;
        RETURN NEW;
    END IF;
    RETURN OLD;
END $f$;
CREATE OR REPLACE FUNCTION zs_review_guard() RETURNS trigger LANGUAGE plpgsql AS $f$
BEGIN
    IF zs_reviewer() THEN
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
    END IF;
    IF TG_OP = 'DELETE' THEN  -- a counted figure stays until a 审核 returns it
        IF OLD.review = 'confirmed' THEN
            RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege', MESSAGE = format(
                'zhaoshang: %s第 %s 条已认定、已计入统计：填报账号不能删除它（也不能删除它所属的条目）；'
                '确需删除，请审核先退回它（zs review return）', TG_ARGV[0], OLD.id);
        END IF;
        RETURN OLD;
    END IF;
    IF TG_OP = 'INSERT' THEN
        NEW.review := 'pending'; NEW.reviewed_by := NULL; NEW.reviewed_at := NULL;
        RETURN NEW;
    END IF;
    IF NEW.review <> 'pending' AND (NEW.review IS DISTINCT FROM OLD.review
            OR NEW.reviewed_by IS DISTINCT FROM OLD.reviewed_by OR NEW.reviewed_at IS DISTINCT FROM OLD.reviewed_at
            OR NEW.review_note IS DISTINCT FROM OLD.review_note) THEN
        RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege', MESSAGE = format(
            'zhaoshang: 只有审核或管理员能认定或退回报送的记录（%s 第 %s 条）', TG_TABLE_NAME, OLD.id);
    END IF;
    IF NEW.review = 'confirmed' AND NEW IS DISTINCT FROM OLD THEN  -- a counted figure changed: waits again
        NEW.review := 'pending'; NEW.reviewed_by := NULL; NEW.reviewed_at := NULL;
    END IF;
    RETURN NEW;
END $f$;
CREATE OR REPLACE FUNCTION zs_open_command(bigint) RETURNS boolean LANGUAGE sql STABLE
AS $f$ SELECT EXISTS (SELECT 1 FROM commands c WHERE c.id = $1 AND c.active = 1
                      AND c.xmin = pg_current_xact_id()::xid) $f$;
CREATE OR REPLACE FUNCTION zs_command_guard() RETURNS trigger LANGUAGE plpgsql AS $f$
DECLARE
    who text := zs_my_name();
    trusted boolean := zs_trusted();
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NOT trusted THEN
            NEW."user" := coalesce(who, session_user::text); NEW.active := 1; NEW.undone_by := NULL;
        ELSIF who IS NOT NULL AND NEW.active = 1 THEN  -- (a copied history keeps its names)
            NEW."user" := who;
        END IF;
        RETURN NEW;
    END IF;
    IF trusted THEN
        RETURN NEW;
    END IF;
    IF OLD.active = 1 AND zs_open_command(OLD.id) THEN  -- its own command, open in this transaction
        IF NEW."user" IS DISTINCT FROM OLD."user" THEN
            RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
                MESSAGE = format('zhaoshang: 历史记录（第 %s 次操作）的操作人不能修改', OLD.id);
        END IF;
        RETURN NEW;
    END IF;
    -- an earlier command: only one of this account's own, marked undone by its open command (zs undo)
    IF NEW.undone_by IS DISTINCT FROM OLD.undone_by AND OLD."user" IS DISTINCT FROM who THEN
        RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege', MESSAGE = format(
            'zhaoshang: 第 %s 次操作是「%s」的：本账号只能撤销自己的操作，别人的请管理员撤销', OLD.id, OLD."user");
    END IF;
    IF NEW.name IS DISTINCT FROM OLD.name OR NEW.args IS DISTINCT FROM OLD.args
            OR NEW."user" IS DISTINCT FROM OLD."user" OR NEW.at IS DISTINCT FROM OLD.at
            OR NEW.undo_of IS DISTINCT FROM OLD.undo_of OR NEW.active IS DISTINCT FROM OLD.active
            OR (NEW.undone_by IS DISTINCT FROM OLD.undone_by
                AND (OLD.undone_by IS NOT NULL OR NOT zs_open_command(NEW.undone_by))) THEN
        RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
            MESSAGE = format('zhaoshang: 历史记录（第 %s 次操作）不能修改', OLD.id);
    END IF;
    RETURN NEW;
END $f$
"""


@dataclass(frozen=True)
class Account:
    login: str
    name: str
    unit_id: int | None
    unit: str | None
    role: str  # admin | review | entry | read

    @property
    def role_name(self) -> str:
        return ROLE_NAMES[self.role]


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def rights_installed(conn: Connection) -> bool:
    """Whether the database has its accounts table and group roles (``zs account``)."""
    return conn.execute("SELECT to_regclass('accounts') IS NOT NULL").fetchone()[0] is True


def manages_roles(conn: Connection) -> bool:
    """Whether the connected login may create roles (superuser or CREATEROLE)."""
    row = conn.execute("SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user").fetchone()
    return bool(row and row[0])


def group(conn: Connection, role: str) -> str:
    """The group role of ``role`` (admin, review, entry, read) in this database."""
    return str(conn.execute("SELECT zs_group(?)", (role,)).fetchone()[0])


def _item_tables(conn: Connection) -> list[tuple[str, str]]:
    """The tables whose rows belong to an item, with the column naming it ('' for items)."""
    out: list[tuple[str, str]] = []
    for t in POSTGRES.tables(conn):
        cols = POSTGRES.columns(conn, t)
        if t == "items":
            out.append((t, ""))
        elif t.startswith("kind_") or t == "items_fts":
            out.append((t, "id"))
        elif "item_id" in cols and t not in _ITEM_TABLES_EXCLUDED:
            out.append((t, "item_id"))
    return out


def install_rights(conn: Connection, db_id: str) -> None:
    """Create the accounts table, the group roles of this database and what they may do
    (idempotent; inside the caller's write transaction; needs CREATEROLE)."""
    prefix = "zs_" + re.sub(r"[^0-9a-z]", "", db_id.lower())[:16]
    schema = str(conn.execute("SELECT current_schema()").fetchone()[0])
    for role in ("read", "entry", "review", "admin"):
        name = f"{prefix}_{role}"
        if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = ?", (name,)).fetchone() is None:
            conn.execute(f"CREATE ROLE {_ident(name)} NOLOGIN")
    for lower, upper in (("read", "entry"), ("entry", "review"), ("review", "admin")):
        conn.execute(f"GRANT {_ident(prefix + '_' + lower)} TO {_ident(prefix + '_' + upper)}")
    admin = _ident(prefix + "_admin")
    if conn.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user").fetchone()[0] is not True:
        conn.execute(f"GRANT {admin} TO CURRENT_USER")  # (to hand it the tables)
    # the database's owner stays able to run everything (when a superuser made the rights), and
    # the admin group, owning the tables and functions, may create in the schema (a new field's
    # column and index; PostgreSQL 15 asks it of a new owner)
    owner, owner_super = conn.execute(
        "SELECT r.rolname, r.rolsuper FROM pg_database d JOIN pg_roles r ON r.oid = d.datdba "
        "WHERE d.datname = current_database()"
    ).fetchone()
    if not owner_super:
        conn.execute(f"GRANT {admin} TO {_ident(str(owner))}")
    conn.execute(f"GRANT USAGE, CREATE ON SCHEMA {_ident(schema)} TO {admin}")
    conn.execute(ACCOUNTS)
    conn.raw.execute(_RIGHTS_FUNCTIONS.replace("{prefix}", prefix).replace("{schema}", _ident(schema)))  # type: ignore[attr-defined]
    conn.execute(history_function(_ident(schema)))
    _hand_over_functions(conn, admin, _ident(schema))
    _login_functions(conn, admin, _ident(schema))
    conn.execute(
        "INSERT INTO meta(key, value) VALUES ('rights_database', current_database()) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value"
    )
    read = _ident(prefix + "_read")
    dbname = _ident(str(conn.execute("SELECT current_database()").fetchone()[0]))
    conn.execute(f"GRANT CONNECT, TEMPORARY ON DATABASE {dbname} TO {read}")
    conn.execute(f"GRANT USAGE ON SCHEMA {_ident(schema)} TO {read}")
    for t in POSTGRES.tables(conn):
        table_rights(conn, t)


#: Account management for the 管理员 group without CREATEROLE (on PostgreSQL 15 a CREATEROLE
#: login may grant itself pg_execute_server_program and run programs on the server): these
#: functions run as the login that installed the rights (the database's owner, with CREATEROLE,
#: or a superuser), only the admin group may call them, and they only create plain logins, put
#: them in and out of this database's groups, set the password of a login of this database that
#: holds no privilege of its own, and drop a login zs created.
_LOGIN_FUNCTIONS = r"""
CREATE OR REPLACE FUNCTION zs_groups_of(role text) RETURNS text[] LANGUAGE sql IMMUTABLE
AS $f$ SELECT CASE role WHEN 'admin' THEN ARRAY['read', 'entry', 'review', 'admin']
                        WHEN 'review' THEN ARRAY['review'] WHEN 'entry' THEN ARRAY['entry']
                        WHEN 'read' THEN ARRAY['read'] END $f$;
CREATE OR REPLACE FUNCTION zs_login_plain(login text) RETURNS void LANGUAGE plpgsql STABLE
SET search_path = {schema}, pg_temp AS $f$
BEGIN
    IF login !~ '^[a-z_][a-z0-9_]{0,62}$' OR EXISTS (
            SELECT 1 FROM pg_roles r WHERE r.rolname = login
            AND (r.rolsuper OR r.rolcreaterole OR r.rolcreatedb OR r.rolreplication OR r.rolbypassrls
                 OR r.oid = (SELECT datdba FROM pg_database WHERE datname = current_database()))) THEN
        RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege', MESSAGE = format(
            'zhaoshang: 登录名「%s」有服务器上的特权（超级用户、CREATEROLE、库的所有者等）：'
            '它的密码和角色只能由服务器管理员在 psql 里改', login);
    END IF;
END $f$;
CREATE OR REPLACE FUNCTION zs_login_make(login text) RETURNS boolean LANGUAGE plpgsql SECURITY DEFINER
SET search_path = {schema}, pg_temp AS $f$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = login) THEN
        RETURN false;
    END IF;
    PERFORM zs_login_plain(login);
    EXECUTE format('CREATE ROLE %I LOGIN', login);
    RETURN true;
END $f$;
CREATE OR REPLACE FUNCTION zs_login_join(login text, role text, old text) RETURNS void LANGUAGE plpgsql
SECURITY DEFINER SET search_path = {schema}, pg_temp AS $f$
DECLARE
    g text;
BEGIN
    IF zs_groups_of(role) IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value', MESSAGE = format('zhaoshang: 没有角色 %s', role);
    END IF;
    IF old IS NOT NULL AND old <> role THEN
        FOREACH g IN ARRAY coalesce(zs_groups_of(old), ARRAY[]::text[]) LOOP
            EXECUTE format('REVOKE %I FROM %I', zs_group(g), login);
        END LOOP;
    END IF;
    FOREACH g IN ARRAY zs_groups_of(role) LOOP
        EXECUTE format('GRANT %I TO %I', zs_group(g), login);
    END LOOP;
END $f$;
CREATE OR REPLACE FUNCTION zs_login_password(login text, hashed text) RETURNS void LANGUAGE plpgsql
SECURITY DEFINER SET search_path = {schema}, pg_temp AS $f$
BEGIN
    PERFORM zs_login_plain(login);
    IF NOT EXISTS (SELECT 1 FROM accounts WHERE accounts.login = zs_login_password.login) THEN
        RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
            MESSAGE = format('zhaoshang: 登录名「%s」不是这个库的账号', login);
    END IF;
    IF hashed !~ '^SCRAM-SHA-256\$' THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value', MESSAGE = 'zhaoshang: 密码只收散列（SCRAM-SHA-256）';
    END IF;
    EXECUTE format('ALTER ROLE %I PASSWORD %L', login, hashed);
END $f$;
CREATE OR REPLACE FUNCTION zs_login_leave(login text, role text, own boolean) RETURNS boolean LANGUAGE plpgsql
SECURITY DEFINER SET search_path = {schema}, pg_temp AS $f$
DECLARE
    g text;
BEGIN
    FOREACH g IN ARRAY coalesce(zs_groups_of(role), ARRAY[]::text[]) LOOP
        EXECUTE format('REVOKE %I FROM %I', zs_group(g), login);
    END LOOP;
    IF NOT own OR EXISTS (SELECT 1 FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.member
                          WHERE r.rolname = login) THEN
        RETURN false;
    END IF;
    PERFORM zs_login_plain(login);
    BEGIN
        EXECUTE format('DROP ROLE %I', login);
    EXCEPTION WHEN dependent_objects_still_exist OR object_in_use THEN
        RETURN false;  -- it owns something or has rights elsewhere: kept, only out of the groups
    END;
    RETURN true;
END $f$
"""


def _login_functions(conn: Connection, admin: str, schema: str) -> None:
    conn.raw.execute(_LOGIN_FUNCTIONS.replace("{schema}", schema))  # type: ignore[attr-defined]
    for fn in ("zs_login_make(text)", "zs_login_join(text, text, text)", "zs_login_password(text, text)",
               "zs_login_leave(text, text, boolean)"):  # fmt: skip
        conn.execute(f"REVOKE ALL ON FUNCTION {fn} FROM PUBLIC")
        conn.execute(f"GRANT EXECUTE ON FUNCTION {fn} TO {admin}")
    # 管理员 accounts an earlier version gave CREATEROLE lose it (the functions do their work now)
    for (login,) in conn.execute(
        "SELECT a.login FROM accounts a JOIN pg_roles r ON r.rolname = a.login WHERE a.role = 'admin' "
        "AND a.own_role = 1 AND r.rolcreaterole AND NOT r.rolsuper "
        "AND r.oid <> (SELECT datdba FROM pg_database WHERE datname = current_database()) AND r.rolname <> current_user"
    ).fetchall():
        conn.execute(f"ALTER ROLE {_ident(str(login))} NOCREATEROLE")


def _hand_over_functions(conn: Connection, admin: str, schema: str) -> None:
    """The history and id functions belong to the admin group and run as it (accounts may not
    write ``changes`` or ``zs_sequence`` themselves)."""
    for fn in ("zs_history()", "zs_next_id()", "zs_ids_sync()", "zs_ids_used(text, bigint)"):
        conn.execute(f"ALTER FUNCTION {fn} OWNER TO {admin}")
    for fn in ("zs_next_id()", "zs_ids_sync()", "zs_ids_used(text, bigint)"):
        conn.execute(f"ALTER FUNCTION {fn} SECURITY DEFINER SET search_path = {schema}, pg_temp")


def refresh_functions(conn: Connection) -> None:
    """This version's history and id functions (and the id triggers they need) on a database an
    older version made — with each migration, inside its transaction."""
    conn.execute(NEXT_ID)
    for (table,) in conn.execute(
        "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE t.tgname = 'ids_' || c.relname "
        "AND NOT EXISTS (SELECT 1 FROM pg_trigger s WHERE s.tgrelid = t.tgrelid AND s.tgname = 'idsync_' || c.relname)"
    ).fetchall():
        conn.execute(
            f'CREATE CONSTRAINT TRIGGER "idsync_{table}" AFTER INSERT ON "{table}" '
            "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION zs_ids_sync()"
        )
    if conn.execute("SELECT to_regprocedure('zs_group(text)')").fetchone()[0] is None:
        conn.execute(history_function())
        return
    if manages_roles(conn):  # (this version's rights whole: functions, grants, policies)
        conn.execute("SET CONSTRAINTS ALL IMMEDIATE")  # (the ids written back now: tables change owner)
        db_id = conn.execute("SELECT value FROM meta WHERE key = 'db_id'").fetchone()[0]
        install_rights(conn, str(db_id))
        return
    schema = _ident(str(conn.execute("SELECT current_schema()").fetchone()[0]))
    conn.execute(history_function(schema))
    _hand_over_functions(conn, _ident(group(conn, "admin")), schema)


def table_rights(conn: Connection, table: str) -> None:
    """What each group may do with ``table`` (a new kind table too); idempotent."""
    if conn.execute("SELECT to_regprocedure('zs_group(text)')").fetchone()[0] is None:
        return  # (no rights in this database)
    admin, entry, review, read = (_ident(group(conn, r)) for r in ("admin", "entry", "review", "read"))
    t = _ident(table)
    conn.execute(f"ALTER TABLE {t} OWNER TO {admin}")
    conn.execute(f"GRANT SELECT ON {t} TO {read}")
    scoped = dict(_item_tables(conn)) if table != "commands" else {}
    if table == "commands":
        conn.execute(f"GRANT INSERT, UPDATE, DELETE ON {t} TO {entry}")
        conn.execute(f"ALTER TABLE {t} ENABLE ROW LEVEL SECURITY")
        policies = [
            ("zs_read", "FOR SELECT USING (true)"),
            ("zs_insert", f"FOR INSERT TO {entry} WITH CHECK (true)"),
            ("zs_update", f"FOR UPDATE TO {entry} USING (true) WITH CHECK (true)"),
            ("zs_delete", f'FOR DELETE TO {entry} USING (active = 1 AND "user" = zs_my_name())'),
        ]
        guard = ("zs_guard_commands", "BEFORE INSERT OR UPDATE", "zs_command_guard()")
    elif table in scoped:
        col = scoped[table]
        mine = "unit_id = zs_my_unit()" if col == "" else f"zs_my_item({_ident(col)})"
        conn.execute(f"GRANT INSERT, UPDATE, DELETE ON {t} TO {entry}")
        conn.execute(f"ALTER TABLE {t} ENABLE ROW LEVEL SECURITY")
        policies = [
            ("zs_read", "FOR SELECT USING (true)"),
            ("zs_review", f"FOR ALL TO {review} USING (true) WITH CHECK (true)"),
            ("zs_insert", f"FOR INSERT TO {entry} WITH CHECK ({mine})"),
            # (an old row of another unit: zs_unit_guard refuses it with a message)
            ("zs_update", f"FOR UPDATE TO {entry} USING (true) WITH CHECK ({mine})"),
            ("zs_delete", f"FOR DELETE TO {entry} USING (true)"),
        ]
        guard = (f"zs_guard_{table}", "BEFORE INSERT OR UPDATE OR DELETE", f"zs_unit_guard({_literal(col)})")
    else:
        return
    for name, body in policies:
        conn.execute(f"DROP POLICY IF EXISTS {name} ON {t}")
        conn.execute(f"CREATE POLICY {name} ON {t} {body}")
    conn.execute(f"DROP TRIGGER IF EXISTS {_ident(guard[0])} ON {t}")
    conn.execute(f"CREATE TRIGGER {_ident(guard[0])} {guard[1]} ON {t} FOR EACH ROW EXECUTE FUNCTION {guard[2]}")
    if "review" in POSTGRES.columns(conn, table):  # (moves, funds, investment changes: what waits for 认定)
        conn.execute(f"DROP TRIGGER IF EXISTS zs_review_{table} ON {t}")
        conn.execute(
            f"CREATE TRIGGER zs_review_{table} BEFORE INSERT OR UPDATE OR DELETE ON {t} "
            f"FOR EACH ROW EXECUTE FUNCTION zs_review_guard({_literal(TABLE_WORDS.get(table, table))})"
        )


def trusted(conn: Connection) -> bool:
    """Whether the connected login may pause the history capture (the admin group; every
    login where the database has no rights)."""
    if conn.execute("SELECT to_regprocedure('zs_trusted()')").fetchone()[0] is None:
        return True
    return bool(conn.execute("SELECT zs_trusted()").fetchone()[0])


def account_of(conn: Connection, login: str | None = None) -> Account | None:
    """The account of ``login`` (the connected one by default); None without one."""
    if not rights_installed(conn):
        return None
    row = conn.execute(
        "SELECT a.login, a.name, a.unit_id, u.name, a.role FROM accounts a LEFT JOIN units u ON u.id = a.unit_id "
        "WHERE a.login = coalesce(?, session_user::text)",
        (login,),
    ).fetchone()
    return None if row is None else Account(row[0], row[1], row[2], row[3], row[4])


def accounts(conn: Connection) -> list[Account]:
    rows = conn.execute(
        "SELECT a.login, a.name, a.unit_id, u.name, a.role FROM accounts a LEFT JOIN units u ON u.id = a.unit_id "
        "ORDER BY CASE a.role WHEN 'admin' THEN 0 WHEN 'review' THEN 1 WHEN 'entry' THEN 2 ELSE 3 END, a.login"
    ).fetchall()
    return [Account(r[0], r[1], r[2], r[3], r[4]) for r in rows]


def role_exists(conn: Connection, login: str) -> bool:
    return conn.execute("SELECT 1 FROM pg_roles WHERE rolname = ?", (login,)).fetchone() is not None


def set_password(conn: Connection, login: str, password: str) -> None:
    """Set ``login``'s password, hashed here (SCRAM-SHA-256): the server, its logs and the
    statement see the hash only.  One's own directly (every login may); another's through
    ``zs_login_password`` (管理员)."""
    hashed = conn.raw.pgconn.encrypt_password(  # type: ignore[attr-defined]
        password.encode(), login.encode(), b"scram-sha-256"
    ).decode()
    if login == conn.execute("SELECT session_user").fetchone()[0]:
        conn.execute(f"ALTER ROLE {_ident(login)} PASSWORD {_literal(hashed)}")
    else:
        conn.execute("SELECT zs_login_password(?, ?)", (login, hashed))


def create_login(conn: Connection, login: str) -> None:
    conn.execute("SELECT zs_login_make(?)", (login,))


def grant_role(conn: Connection, login: str, role: str, old: str | None = None, own: bool = True) -> None:
    """Make ``login`` a member of ``role``'s group (and no longer of ``old``'s); a 管理员's
    group may manage accounts through the login functions (no CREATEROLE of its own)."""
    conn.execute("SELECT zs_login_join(?, ?, ?)", (login, role, old))


def drop_login(conn: Connection, login: str, role: str, own: bool) -> None:
    """Take ``login`` out of this database's groups; drop the role when zs created it and it
    is in no other group (another database's) — else keep it."""
    conn.execute("SELECT zs_login_leave(?, ?, ?)", (login, role, own))


def restored_from(conn: Connection) -> str | None:
    """The database whose group roles this one shares (a pg_restore of it on the same server:
    logins and groups belong to the whole server); None: its own."""
    row = conn.execute("SELECT value FROM meta WHERE key = 'rights_database'").fetchone()
    if row is None:
        return None
    here = conn.execute("SELECT current_database()").fetchone()[0]
    return None if row[0] == here else str(row[0])


def manages_accounts(conn: Connection) -> bool:
    """Whether the connected login may add, change and remove accounts: a 管理员 (its group
    calls the login functions), or a login that may create roles."""
    row = conn.execute(
        "SELECT rolsuper OR rolcreaterole OR pg_has_role(session_user, zs_group('admin'), 'MEMBER') "
        "FROM pg_roles WHERE rolname = session_user"
    ).fetchone()
    return bool(row and row[0])


#: the tables as people name them, for refusals
TABLE_WORDS = {
    "items": "条目",
    "status_log": "阶段变更",
    "funds": "到位资金",
    "invest_changes": "投资额变更",
    "activities": "对接记录",
    "chains": "产业链",
    "units": "招商主体",
    "goals": "目标",
    "definitions": "清单定义",
    "synonyms": "同义词",
    "accounts": "账号",
    "meta": "设置",
    "commands": "历史记录",
    "changes": "历史记录",
}

#: what each role may not do, said when the database refuses it
_ROLE_LIMITS = {
    "read": "当前账号是只读的，只能查看",
    "entry": "填报账号只能新增、修改本单位的条目及其记录；定义、产业链、招商主体、目标、账号、设置和整理历史"
    "归管理员，认定归审核",
    "review": "审核账号能认定、退回，能改所有条目；定义、产业链、招商主体、目标、账号、设置和整理历史归管理员",
    "admin": "这项权限属于数据库的所有者",
}


def refused(exc: BaseException, role: str | None = None) -> ZsError | None:
    """A refusal of the database's rights as a message for people (None: not one), said for
    the connected account's ``role`` (admin, review, entry, read; None: no account)."""
    import psycopg

    if isinstance(exc, psycopg.errors.ForeignKeyViolation) and "accounts_unit_id_fkey" in str(exc):
        return ZsError(
            "这个招商主体还有账号在用（zs account list 查看）：先把这些账号改到别的单位（zs account edit 登录名 "
            "--unit 单位）或删除，再删它。这次操作没有写入"
        )
    if not isinstance(exc, psycopg.errors.InsufficientPrivilege):
        return None
    text = (exc.diag.message_primary or str(exc)).strip()
    if text.startswith("zhaoshang: "):
        return ZsError(text[len("zhaoshang: ") :] + "。这次操作没有写入")
    m = re.search(r'(?:table|relation) "?(\w+)"?', text)
    # (commands: the write lock every change takes first — no table worth naming)
    what = f"（{TABLE_WORDS.get(m.group(1), m.group(1))}）" if m and m.group(1) != "commands" else ""
    if role is None:
        return ZsError(
            f"数据库拒绝了这次修改{what}：当前登录名在这个库里没有 zs 账号。这次操作没有写入；请管理员用 "
            "zs account add 登录名 --name 姓名 --role 角色 为它建账号"
        )
    return ZsError(
        f"数据库拒绝了这次修改{what}：{_ROLE_LIMITS.get(role, _ROLE_LIMITS['read'])}。这次操作没有写入；"
        "需要权限请找管理员（zs account）"
    )

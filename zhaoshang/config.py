"""Settings: where the database is, who is working, the office's name and the pager —
each from a flag, else the environment, else the user's config file, else a default, and
always with where it came from (``zs info`` shows both).

The config file is TOML in the platform's config folder (``~/.config/zhaoshang/config.toml``
on Linux; ``$ZHAOSHANG_CONFIG`` names another)::

    db = "~/招商/全市.db"
    user = "王芳"
    office = "黑河市商务局"
    pager = "less -FRX"

Read at call time, never at import; a broken file is a message naming the line.
"""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import ZsError

DB_ENV = "ZHAOSHANG_DB"
USER_ENV = "ZHAOSHANG_USER"
OFFICE_ENV = "ZHAOSHANG_OFFICE"
PAGER_ENV = "ZHAOSHANG_PAGER"
CONFIG_ENV = "ZHAOSHANG_CONFIG"

#: what the config file may set, with the words people read
KEYS = {"db": "数据库", "user": "操作人", "office": "单位名称", "pager": "分页程序"}
#: the pager used when nothing else is set (``$PAGER`` comes after the config file, as in git)
DEFAULT_PAGER = "less -FRX"


@dataclass(frozen=True)
class Setting:
    """A value in force and where it came from (``--db``, ``环境变量 ZHAOSHANG_DB``,
    ``配置文件 …``, ``默认``)."""

    key: str
    value: str | None
    source: str


def config_path() -> Path:
    """``$ZHAOSHANG_CONFIG``, else ``config.toml`` in the user config folder."""
    env = os.environ.get(CONFIG_ENV)
    if env:
        return Path(env).expanduser()
    from platformdirs import user_config_path

    return user_config_path("zhaoshang", appauthor=False) / "config.toml"


def read_config(path: Path | None = None) -> dict[str, str]:
    """The config file's settings (empty when there is none).

    Bounded before parsing: anything but a regular file (a FIFO would block every command)
    and a file over :data:`~zhaoshang.limits.MAX_CONFIG_BYTES` are refused unread."""
    from .limits import MAX_CONFIG_BYTES, read_bounded

    path = path or config_path()
    label = f"配置文件「{path}」"
    try:
        path.stat()
    except FileNotFoundError:
        return {}
    except OSError:
        pass  # read_bounded says why
    raw = read_bounded(path, label, MAX_CONFIG_BYTES)
    import tomllib

    try:
        data: dict[str, Any] = tomllib.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ZsError(f"{label}不是 UTF-8 编码：请用 UTF-8 保存") from None
    except tomllib.TOMLDecodeError as exc:
        raise ZsError(f'{label}{_toml_problem(exc)}：每行写 键 = "值"，如 user = "王芳"；可用的键：{_keys()}') from None
    except RecursionError:
        raise ZsError(f'{label}嵌套层数过深，不是有效的配置：每行写 键 = "值"，如 user = "王芳"') from None
    out: dict[str, str] = {}
    for key, value in data.items():
        if key not in KEYS:
            raise ZsError(f"配置文件「{path}」中的「{key}」不是可用的设置：可用的键：{_keys()}")
        if not isinstance(value, str):
            raise ZsError(f'配置文件「{path}」中的 {key} 应是带引号的文字，如 {key} = "…"')
        if key in NAMES and value.strip():
            _check(value, f"配置文件「{path}」中的{KEYS[key]}（{key}）")
        out[key] = value
    return out


_BACKSLASH = "双引号里的 \\ 是转义符，要写成 \\\\（Windows 路径可改用单引号，如 db = 'D:\\招商\\全市.db'）"
#: tomllib's messages (they are English), said in Chinese; the position is kept
_TOML_REASONS = (
    ("Invalid value", "值无效（文字要加英文双引号）"),
    ("Invalid statement", "无法识别的内容"),
    ("Expected newline or end of document", "一行只能写一个设置"),
    ("Expected '=' after a key", "键后面应是 ="),
    ("Unterminated string", "引号没有配对"),
    ("Unescaped '\\'", _BACKSLASH),
    ("Invalid hex value", _BACKSLASH),
    ("not a Unicode scalar value", _BACKSLASH),
    ("Illegal character", "含有不允许的字符"),
    ("Found invalid character", "含有不允许的字符"),
    ("Invalid date or datetime", "日期无效"),
    ("Unclosed array", "方括号没有配对"),
    ("Unclosed inline table", "花括号没有配对"),
    ("Expected ']", "缺少 ]"),
    ("Invalid initial character for a key", "键的写法无效"),
    ("twice", "同一个键写了两次"),
    ("Cannot overwrite a value", "同一个键写了两次"),
    ("Duplicate inline table key", "同一个键写了两次"),
    ("namespace", "表的写法冲突"),
)


def _toml_problem(exc: ValueError) -> str:
    """「第2行第8列：值无效…」 from a TOMLDecodeError (English on every Python version)."""
    import re

    text = str(exc)
    line, column = getattr(exc, "lineno", None), getattr(exc, "colno", None)
    if line is None:
        m = re.search(r"\(at line (\d+), column (\d+)\)", text)
        if m:
            line, column = int(m.group(1)), int(m.group(2))
    if line is not None:
        where = f"第{line}行第{column}列"
    elif "end of document" in text:
        where = "文件末尾"
    else:
        where = ""
    reason = next((zh for en, zh in _TOML_REASONS if en in text), "无法识别")
    return f"格式有误（{where}：{reason}）" if where else f"格式有误（{reason}）"


#: the settings that are names printed on reports: one visible line
NAMES = ("office",)


def _check(value: str, what: str) -> None:
    """A name setting without control characters (:func:`~zhaoshang.names.check_name`)."""
    from .names import check_name

    check_name(value, what=what)


def _keys() -> str:
    return "、".join(f"{k}（{label}）" for k, label in KEYS.items())


def _from_config(key: str) -> Setting | None:
    path = config_path()
    value = read_config(path).get(key)
    return Setting(key, value, f"配置文件 {path}") if value is not None and value.strip() else None


def default_db_path() -> Path:
    """The database in the user's data directory (e.g. ``~/.local/share/zhaoshang``)."""
    from platformdirs import user_data_path

    return user_data_path("zhaoshang", appauthor=False) / "zhaoshang.db"


def _db_value(value: str | os.PathLike[str]) -> str:
    """A file path with ``~`` expanded, or a server database's URL as written."""
    from .engines import is_server

    text = str(value)
    return text.strip() if is_server(text) else str(Path(text).expanduser())


def db_setting(option: str | os.PathLike[str] | None = None) -> Setting:
    if option:
        return Setting("db", _db_value(option), "--db")
    env = os.environ.get(DB_ENV)
    if env:
        return Setting("db", _db_value(env), f"环境变量 {DB_ENV}")
    found = _from_config("db")
    if found is not None:
        return Setting("db", _db_value(str(found.value)), found.source)
    return Setting("db", str(default_db_path()), "默认（用户数据目录）")


def resolve_db_path(option: str | os.PathLike[str] | None = None) -> Path:
    """``--db`` wins, then ``$ZHAOSHANG_DB``, then the config file, then the user data directory."""
    return Path(str(db_setting(option).value))


def resolve_db_target(option: str | os.PathLike[str] | None = None) -> str:
    """What :func:`resolve_db_path` names, as text: a file's path or a server's URL."""
    return str(db_setting(option).value)


def db_is_explicit(option: str | os.PathLike[str] | None = None) -> bool:
    """Whether the database was named (flag, environment or config) rather than the default."""
    return not db_setting(option).source.startswith("默认")


def user_setting(option: str | None = None) -> Setting:
    if option:
        return Setting("user", option, "--user")
    env = os.environ.get(USER_ENV)
    if env:
        return Setting("user", env, f"环境变量 {USER_ENV}")
    found = _from_config("user")
    if found is not None:
        return found
    try:
        return Setting("user", getpass.getuser(), "默认（登录名）")
    except (KeyError, OSError):
        return Setting("user", "unknown", "默认（登录名未知）")


#: the longest user name accepted (a name, not a paragraph)
MAX_USER = 64


def resolve_user(option: str | None = None) -> str:
    """``--user`` wins, then ``$ZHAOSHANG_USER``, then the config file, then the login name.
    The name is one line of printable text (see :func:`check_user_name`)."""
    setting = user_setting(option)
    return check_user_name(str(setting.value), setting.source)


def check_user_name(name: str, source: str = "--user") -> str:
    """``name`` if it is one line of printable text; a ZsError otherwise.  History prints the
    name at the head of each command's line: a newline or a control character in it would
    let anyone forge lines that look like other people's commands."""
    if name.strip() and name.isprintable() and name == name.strip() and len(name) <= MAX_USER:
        return name
    shown = "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in name[:80])
    if not name.strip():
        why = "是空的"
    elif len(name) > MAX_USER:
        why = f"超过 {MAX_USER} 个字"
    elif name != name.strip():
        why = "首尾有空白"
    else:
        why = "含有换行、制表符或其他不可打印的字符"
    raise ZsError(
        f"操作人「{shown}」（来自 {source}）{why}：操作人会记入每一条历史，只能是一行可打印的文字，如 --user 王芳"
    )


def office_setting() -> Setting:
    """The office's name printed on reports: ``$ZHAOSHANG_OFFICE``, then the config file."""
    env = os.environ.get(OFFICE_ENV)
    if env:
        if env.strip():
            _check(env.strip(), f"环境变量 {OFFICE_ENV}（单位名称）")
        return Setting("office", env.strip(), f"环境变量 {OFFICE_ENV}")
    return _from_config("office") or Setting("office", None, "未设置")


def pager_setting() -> Setting:
    """``$ZHAOSHANG_PAGER``, the config file, ``$PAGER``, then ``less -FRX`` (as git does);
    an empty value or ``cat`` means no pager."""
    env = os.environ.get(PAGER_ENV)
    if env is not None:
        return Setting("pager", env.strip() or None, f"环境变量 {PAGER_ENV}")
    found = _from_config("pager")
    if found is not None:
        return found
    env = os.environ.get("PAGER")
    if env is not None:
        return Setting("pager", env.strip() or None, "环境变量 PAGER")
    return Setting("pager", DEFAULT_PAGER, "默认")


def settings(db_option: str | os.PathLike[str] | None = None, user_option: str | None = None) -> list[Setting]:
    """Every setting in force, with its source (for ``zs info``)."""
    return [db_setting(db_option), user_setting(user_option), office_setting(), pager_setting()]


# ---------------------------------------------------------------------------------------
# Saved filters (zs list --save NAME, zs list @NAME): filters.toml beside the config file
# ---------------------------------------------------------------------------------------

#: what a saved filter may hold (the conditions of zs list, by their parameter names)
FILTER_KEYS = {
    "kind": str,
    "chain": str,
    "status": str,
    "owner": str,
    "leader": str,
    "unit": str,
    "overdue": bool,
    "open_only": bool,
    "where": list,
    "sort": str,
    "desc": bool,
    "limit": int,
    "reached": str,
    "reached_from": str,
    "reached_to": str,
}


def filters_path() -> Path:
    """``filters.toml`` in the folder of the config file."""
    return config_path().with_name("filters.toml")


def saved_filters() -> dict[str, dict[str, Any]]:
    """The saved filters by name (empty when none was saved).  The file is one TOML table
    per filter, e.g. ``[我的A类]`` then ``owner = "王芳"``, ``where = ["优先级=A"]``."""
    path = filters_path()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise ZsError(f"读不了保存的筛选「{path}」：{exc.strerror}") from None
    import tomllib

    try:
        data: dict[str, Any] = tomllib.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ZsError(f"保存的筛选「{path}」格式有误（{exc}）：请改正或删除这个文件") from None
    out: dict[str, dict[str, Any]] = {}
    for name, table in data.items():
        if not isinstance(table, dict):
            raise ZsError(f'保存的筛选「{path}」中的「{name}」应是一个表，如 [{name}] 下一行 owner = "王芳"')
        for key, value in table.items():
            want = FILTER_KEYS.get(key)
            if want is None or not isinstance(value, want) or (want is int and isinstance(value, bool)):
                raise ZsError(f"保存的筛选「{path}」中「{name}」的「{key}」不可用：可用的键：{'、'.join(FILTER_KEYS)}")
        out[name] = table
    return out


def save_filter(name: str, values: dict[str, Any]) -> Path:
    """Save (or replace) the filter ``name``; returns the file written.  The file is
    rewritten whole (comments in it are not kept)."""
    import json

    text = name.strip()
    if not text or any(c.isspace() for c in text) or text.startswith("@"):
        raise ZsError(f"筛选名「{name}」不可用：写一个不含空格的名字，如 我的A类（用时写 zs list @我的A类）")
    kept = {k: v for k, v in values.items() if k in FILTER_KEYS and v not in (None, False, [], "")}
    if not kept:
        raise ZsError("没有筛选条件可保存：先写出条件，如 zs list 招什么 --owner 王芳 --save 我的")
    found = saved_filters()
    found[text] = kept

    def toml(value: Any) -> str:
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int):
            return str(value)
        if isinstance(value, list):
            return "[" + ", ".join(toml(v) for v in value) + "]"
        return json.dumps(str(value), ensure_ascii=False)  # a JSON string is a TOML basic string

    lines = ["# zs list 保存的筛选：zs list @名称 使用，zs list --save 名称 保存（整个文件会被重写）"]
    for fname, table in found.items():
        lines += ["", f"[{toml(fname)}]", *(f"{k} = {toml(v)}" for k, v in table.items())]
    path = filters_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:
        raise ZsError(f"保存筛选失败：写不了「{path}」（{exc.strerror}）") from None
    return path

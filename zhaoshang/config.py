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
    """The config file's settings (empty when there is none)."""
    path = path or config_path()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}
    except IsADirectoryError:
        raise ZsError(f"配置文件「{path}」是一个目录：请给出文件，或删除它") from None
    except OSError as exc:
        raise ZsError(f"读不了配置文件「{path}」：{exc.strerror}") from None
    import tomllib

    try:
        data: dict[str, Any] = tomllib.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ZsError(f"配置文件「{path}」不是 UTF-8 编码：请用 UTF-8 保存") from None
    except tomllib.TOMLDecodeError as exc:
        raise ZsError(
            f'配置文件「{path}」格式有误（{exc}）：每行写 键 = "值"，如 user = "王芳"；可用的键：{_keys()}'
        ) from None
    out: dict[str, str] = {}
    for key, value in data.items():
        if key not in KEYS:
            raise ZsError(f"配置文件「{path}」中的「{key}」不是可用的设置：可用的键：{_keys()}")
        if not isinstance(value, str):
            raise ZsError(f'配置文件「{path}」中的 {key} 应是带引号的文字，如 {key} = "…"')
        out[key] = value
    return out


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


def db_setting(option: str | os.PathLike[str] | None = None) -> Setting:
    if option:
        return Setting("db", str(Path(option).expanduser()), "--db")
    env = os.environ.get(DB_ENV)
    if env:
        return Setting("db", str(Path(env).expanduser()), f"环境变量 {DB_ENV}")
    found = _from_config("db")
    if found is not None:
        return Setting("db", str(Path(str(found.value)).expanduser()), found.source)
    return Setting("db", str(default_db_path()), "默认（用户数据目录）")


def resolve_db_path(option: str | os.PathLike[str] | None = None) -> Path:
    """``--db`` wins, then ``$ZHAOSHANG_DB``, then the config file, then the user data directory."""
    return Path(str(db_setting(option).value))


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

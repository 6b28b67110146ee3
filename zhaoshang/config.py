"""Where the database is and who is working: read from the environment at call time."""

from __future__ import annotations

import getpass
import os
from pathlib import Path

DB_ENV = "ZHAOSHANG_DB"
USER_ENV = "ZHAOSHANG_USER"


def default_db_path() -> Path:
    """The database in the user's data directory (e.g. ``~/.local/share/zhaoshang``)."""
    from platformdirs import user_data_path

    return user_data_path("zhaoshang", appauthor=False) / "zhaoshang.db"


def resolve_db_path(option: str | os.PathLike[str] | None = None) -> Path:
    """``--db`` wins, then ``$ZHAOSHANG_DB``, then the user data directory."""
    if option:
        return Path(option).expanduser()
    env = os.environ.get(DB_ENV)
    if env:
        return Path(env).expanduser()
    return default_db_path()


def resolve_user(option: str | None = None) -> str:
    """``--user`` wins, then ``$ZHAOSHANG_USER``, then the login name."""
    if option:
        return option
    env = os.environ.get(USER_ENV)
    if env:
        return env
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"

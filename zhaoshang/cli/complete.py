"""Shell completion of values: kinds, chains, units, statuses and fields, read from the
definitions and — read-only, without upgrading or creating anything — from the database
the command line names.  Each function answers in well under 0.1 s; any failure (no
database yet, a locked or foreign file) completes nothing rather than printing an error
into the user's shell."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import Any

import typer


def _matching(words: Iterable[str], incomplete: str) -> list[str]:
    seen = dict.fromkeys(w for w in words if w and w.startswith(incomplete))
    return list(seen)


def _defs() -> Any:
    from ..definitions import load

    return load()


def _names(ctx: typer.Context, table: str) -> list[str]:
    from ..config import resolve_db_path

    root = ctx.find_root()
    path = resolve_db_path(root.params.get("db"))
    if not path.is_file():
        return []
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=0.2)
        try:
            return [str(r[0]) for r in conn.execute(f"SELECT name FROM {table} ORDER BY name")]
        finally:
            conn.close()
    except sqlite3.Error:
        return []


def kinds(incomplete: str) -> list[str]:
    """清单 names and keys: 招什么, targets …"""
    try:
        found = _defs().kinds
    except Exception:
        return []
    return _matching([w for k in found for w in (k.name, k.key)], incomplete)


def chains(ctx: typer.Context, incomplete: str) -> list[str]:
    return _matching(_names(ctx, "chains"), incomplete)


def units(ctx: typer.Context, incomplete: str) -> list[str]:
    return _matching(_names(ctx, "units"), incomplete)


def _defs_and_kind(ctx: typer.Context, args: list[str]) -> tuple[Any, Any] | None:
    """The definitions and the kind named on the command line — the parsed ``kind``, else
    the first word that is a kind's name (``--status`` still waiting for its value stops
    Click's parsing before the arguments; they land in ``ctx.args``) — or None when the
    definitions cannot be read (a broken file completes nothing)."""
    try:
        defs = _defs()
    except Exception:  # a broken definition file: nothing to offer, nothing to print
        return None
    for name in [ctx.params.get("kind"), *ctx.args, *args[1:]]:
        if not name or str(name).startswith("-"):
            continue
        try:
            return defs, defs.kind(str(name))
        except Exception:  # not a kind: look further
            continue
    return defs, None


def _last_of_list(incomplete: str, words: list[str]) -> list[str]:
    """Complete the last of comma-separated values: 在谈,已 → 在谈,已签约 …"""
    head, _, last = incomplete.rpartition(",")
    prefix = f"{head}," if head else ""
    return [prefix + w for w in _matching(words, last)]


def statuses(ctx: typer.Context, args: list[str], incomplete: str) -> list[str]:
    """The statuses of the kind on the command line (of every kind when none is named)."""
    found = _defs_and_kind(ctx, args)
    if found is None:
        return []
    defs, kind = found
    return _last_of_list(incomplete, [s.name for k in ([kind] if kind else defs.kinds) for s in k.statuses])


def fields(ctx: typer.Context, args: list[str], incomplete: str) -> list[str]:
    """``字段=`` for the kind's fields (the common ones when no kind is named)."""
    found = _defs_and_kind(ctx, args)
    if found is None:
        return []
    defs, kind = found
    return [f"{w}=" for w in _matching([f.label for f in defs.fields_of(kind)], incomplete)]


def columns(ctx: typer.Context, args: list[str], incomplete: str) -> list[str]:
    """Column names for ``--columns a,b,c`` (the last one completed)."""
    found = _defs_and_kind(ctx, args)
    if found is None:
        return []
    defs, kind = found
    return _last_of_list(incomplete, [f.label for f in defs.fields_of(kind)])

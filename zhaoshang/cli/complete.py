"""Shell completion of values: kinds, chains, units, statuses and fields, read from the
definitions and — read-only, without upgrading or creating anything — from the database
the command line names.  Each function answers in well under 0.1 s; any failure (no
database yet, a locked or foreign file) completes nothing rather than printing an error
into the user's shell.

Names come from the database, and a chain may be called ``$(touch x)`` or ``*``: every value
is quoted for the shell asking (bash: backslashes, or ``$'…'`` for control characters; zsh:
the backslash its completion script's ``eval`` would eat; PowerShell: single quotes), so
inserting it and running the line passes the name as typed — nothing expands, nothing runs.
Bash's script (``script``) reads the answers with ``mapfile``: no glob expansion on the way."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable
from typing import Any

import typer

#: characters bash would expand or split on in an inserted word
_BASH_SPECIAL = frozenset(" \t\\'\"`$&|;<>()[]{}*?!#~^")
#: characters PowerShell would expand, split or evaluate in a bare argument
_PWSH_SPECIAL = frozenset(" \t'\"`$&|;<>(){}@#,")

#: bash: completions one a line, read without word splitting or glob expansion
BASH_SCRIPT = """\
_zs_completion() {
    local IFS=$'\\n'
    mapfile -t COMPREPLY < <(env COMP_WORDS="${COMP_WORDS[*]}" COMP_CWORD=$COMP_CWORD _ZS_COMPLETE=complete_bash "$1")
    return 0
}

complete -o default -F _zs_completion zs
"""


def script(shell: str) -> str:
    """The completion script for ``shell`` (Typer's, except bash's: see BASH_SCRIPT)."""
    if shell == "bash":
        return BASH_SCRIPT
    from typer._completion_shared import get_completion_script

    return get_completion_script(prog_name="zs", complete_var="_ZS_COMPLETE", shell=shell)


def quote(word: str, shell: str | None = None) -> str:
    """``word`` as the completing shell must insert it to pass it unchanged."""
    shell = shell if shell is not None else os.environ.get("_ZS_COMPLETE", "").removeprefix("complete_")
    if shell == "bash":
        if any(ord(c) < 32 or ord(c) == 127 for c in word):
            body = "".join(
                c if c.isprintable() and c not in "\\'" else ("\\" + c if c in "\\'" else _ansi_c(c)) for c in word
            )
            return f"$'{body}'"
        return "".join("\\" + c if c in _BASH_SPECIAL else c for c in word)
    if shell == "zsh":  # inside "…" in the list _arguments evaluates; the script escapes $ ` " '
        return word.replace("\\", "\\\\").replace("\n", " ")
    if shell in ("powershell", "pwsh") and any(c in _PWSH_SPECIAL for c in word):
        return "'" + word.replace("'", "''") + "'"
    return word  # fish quotes what it inserts


def _ansi_c(c: str) -> str:
    o = ord(c)
    return f"\\x{o:02x}" if o < 0x80 else f"\\U{o:08x}"


def _matching(words: Iterable[str], incomplete: str) -> list[str]:
    seen = dict.fromkeys(quote(w) for w in words if w and w.startswith(incomplete))
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
    prefix = quote(f"{head},") if head else ""
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

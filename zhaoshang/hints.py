"""How a message names the option that fixes a problem.

The core never spells a command-line flag.  A message that suggests an option names it by
the field of the options object it belongs to — ``option("mapping")`` — and whoever drives
the core says how that option is written where the user is: the command line installs its
flags once per command (``--map``, see :mod:`zhaoshang.cli`); a library caller that installs
nothing reads the field name itself (``mapping``), which is what it passes in Python.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextvars import ContextVar

__all__ = ["option", "use"]

_NAMES: ContextVar[Mapping[str, str] | None] = ContextVar("zhaoshang_option_names", default=None)


def option(name: str) -> str:
    """How the option ``name`` (a field of the options object) is written for the user."""
    names = _NAMES.get()
    return names.get(name, name) if names is not None else name


def use(names: Mapping[str, str]) -> None:
    """Spell the options as ``names`` says from now on (in this context)."""
    _NAMES.set(dict(names))

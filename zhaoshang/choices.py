"""The choices the core takes from its callers, as enums (a command-line option offers
exactly these values; the library gets a type, not a string to misspell).  Imports nothing:
the CLI reads them at start-up without loading the modules that use them."""

from __future__ import annotations

from enum import StrEnum


class OnDuplicate(StrEnum):
    """An imported row that looks like an item already stored."""

    update = "update"  # change the stored item
    skip = "skip"  # leave it, report it
    new = "new"  # a new item all the same


class Blank(StrEnum):
    """An empty cell in an imported row."""

    keep = "keep"  # the stored value stays
    clear = "clear"  # the stored value is emptied


class WarnGroup(StrEnum):
    """Who ``warn`` groups its table by (the summary goes by the other)."""

    owner = "owner"
    leader = "leader"


class LedgerBy(StrEnum):
    """What the problem ledger counts by."""

    chain = "chain"
    unit = "unit"
    all = "all"


class RankLevel(StrEnum):
    """Who the ranking ranks."""

    unit = "unit"
    chain = "chain"

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


class Confirm(StrEnum):
    """A guess the user confirms with ``--confirm`` (refused without it)."""

    month_start = "month_start"
    """A date cell that names only a month (「2026年10月」) is the month's first day."""
    month_end = "month_end"
    """… its last day."""
    amount = "amount"
    """An amount implausible for its column's unit (3000 in a 亿元 column) is read as written."""
    increase = "increase"
    """A later period's sheet changing a signed project's amount: an 增资 in the sheet's period."""
    correction = "correction"
    """… a correction (更正) of the first signing's amount."""
    misreport = "misreport"
    """A county's sheet moving a project back (已签约 → 在谈): the earlier report was wrong —
    the stages beyond are withdrawn (counted in no month) once confirmed."""
    backward = "backward"
    """… a real 回退: the stages reached stay counted where they happened, the move is a 回退."""

    @property
    def label(self) -> str:
        return {
            "month_start": "只有年月的日期按当月1日",
            "month_end": "只有年月的日期按当月最后一天",
            "amount": "与列单位不相称的金额按列单位读",
            "increase": "已签约项目在较晚一期的表里改了投资额，按增资记在本表的日期",
            "correction": "已签约项目在较晚一期的表里改了投资额，按更正改首次签约的金额",
            "misreport": "要认定的表把项目改回较早的阶段，按此前误报撤回（撤回的阶段不计入任何月份）",
            "backward": "要认定的表把项目改回较早的阶段，按回退记（已达到的阶段照常计入）",
        }[self.value]


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

"""The "decide" step: what becomes of a parsed row, as an enum, from the results of the steps
before it (:mod:`.rows`: parse → match → diff).  Plain functions of their parameters; the
importer carries the decision out (writes, counts, reports).

* :func:`for_match` — a row with a :class:`~.rows.Match`: refused, update that item, or add;
* :func:`chain_of` — a new row's chain from its cell, its group heading and --chain;
* :func:`for_duplicate` — a new row whose name is an item's (or an earlier row's of this file):
  unchanged, asked (--on-duplicate), skipped, added, merged into the earlier row, or an update.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..choices import OnDuplicate
from ..definitions import FieldDef
from . import sheet_rules
from .cells import same_value
from .outcome import DuplicateAction, Problem
from .rows import SETTABLE, ItemRow, Match, NewItem, column_of, display

__all__ = ["ChainChoice", "Decision", "chain_of", "duplicate_action", "for_duplicate", "for_match", "same_row"]


class Decision(enum.StrEnum):
    #: the row is refused (its problems, or the match's refusal)
    reject = "reject"
    #: a new item
    add = "add"
    #: the item the row names (by 编号, 项目编码 or name) is updated with what differs
    update = "update"
    #: the row repeats what is stored (or what an earlier row of the file said)
    unchanged = "unchanged"
    #: left out, as --on-duplicate skip says
    skip = "skip"
    #: a suspected duplicate no --on-duplicate decides: the import asks (writes nothing)
    ask = "ask"
    #: the same project as an earlier row of this file (开工项目 after 签约项目): one item
    merge = "merge"


def for_match(match: Match) -> Decision:
    """A row's decision from what its 编号 matched: refused, an update of that item, or (no
    item named) a new item — subject to the 项目编码 and name matchers then."""
    if match.refusal is not None:
        return Decision.reject
    if match.current is not None:
        return Decision.update
    return Decision.add


@dataclass(frozen=True)
class ChainChoice:
    chain: int | None
    #: the chain comes from the row's group heading (listed as inferred)
    from_heading: bool = False
    #: the row's own chain and its heading's differ: refused
    conflict: bool = False


def chain_of(own: int | None, heading: int | None, default: int | None) -> ChainChoice:
    """A new row's chain: its own cell, else the chain its group heading names, else --chain.
    A cell that says another chain than its heading is a conflict (refused, never chosen)."""
    if heading is not None:
        if own is not None and own != heading:
            return ChainChoice(own, conflict=True)
        return ChainChoice(heading, from_heading=own is None)
    return ChainChoice(own if own is not None else default)


def same_row(pending: NewItem, values: Mapping[str, Any]) -> bool:
    """Whether ``values`` say again what the earlier row ``pending`` of the same file said —
    every value, its stage and unit too (a row that moves it on is not the same)."""
    same = all(
        same_value(pending.common.get(k) if k in SETTABLE else pending.own.get(k), v)
        for k, v in values.items()
        if k not in ("chain", "unit", "status")
    )
    same = same and values.get("status", pending.status) == pending.status
    return same and values.get("unit", pending.common["unit_id"]) == pending.common["unit_id"]


def for_duplicate(*, exact: bool, choice: OnDuplicate | None, earlier_row: bool, same: bool | None) -> Decision:
    """A new row whose name matches an item's.  ``exact``: the same name once normalised (not
    only alike: 项目 / 有限公司 endings); ``earlier_row``: the item is an earlier row of this
    file; ``same``: the row's values equal that row's or item's (None: not compared).

    The same name and the same values is the same item sent again: unchanged.  A name that
    only looks alike is always a suspected duplicate, decided by --on-duplicate (none: asked),
    never counted unchanged; --on-duplicate new always adds; update merges into an earlier row
    of the file, or updates the stored item."""
    if exact and choice is not OnDuplicate.new and same:
        return Decision.unchanged
    if choice is None:
        return Decision.ask
    if choice is OnDuplicate.skip:
        return Decision.skip
    if choice is OnDuplicate.new:
        return Decision.add
    return Decision.merge if earlier_row else Decision.update


def duplicate_action(choice: OnDuplicate | None) -> DuplicateAction:
    """How the report lists a suspected duplicate under ``choice``."""
    return {
        OnDuplicate.update: DuplicateAction.updated,
        OnDuplicate.skip: DuplicateAction.skipped,
        OnDuplicate.new: DuplicateAction.added,
        None: DuplicateAction.pending,
    }[choice]


class SameProject:
    """What the rows of one project in this file said, by field, and which row said it: a
    project on two sheets (签约项目, 开工项目) or twice on one is one item with one figure per field."""

    def __init__(self) -> None:
        self.said: dict[int, dict[str, tuple[Any, ItemRow]]] = {}

    def disagreement(
        self,
        r: ItemRow,
        item_id: int,
        first: ItemRow,
        title: str,
        *,
        fields: Mapping[str, FieldDef],
        unit_names: Mapping[int, str],
    ) -> Problem | None:
        """The problem of row ``r`` when it says another figure than an earlier row (``first``,
        or one after it) of item ``item_id``; None when it agrees (what it says is then kept).
        A stage moving on is no disagreement."""
        said = self.said.setdefault(item_id, {k: (v, first) for k, v in first.values.items()})
        differ = sheet_rules.disagreement(
            {k: v for k, (v, _) in said.items()}, r.values, skip=("chain", "status", "title")
        )
        if not differ:
            said.update((k, (v, r)) for k, v in r.values.items() if v is not None and v != "")
            return None
        key = differ[0]
        old, where = said[key]
        new = r.values[key]
        f = fields.get(key)
        if key == "unit":
            old, new = unit_names.get(old, old), unit_names.get(new, new)
        else:
            old, new = display(f, old), display(f, new)
        there = f"「{where.sheet.raw.name}」第{where.number}行 {column_of(where, key)}（{old}）"
        return Problem(
            r.sheet.raw.name, r.number, column_of(r, key), new,
            f"与{there}是同一项目「{title}」，{f.label if f else key}却不同："
            "同一项目在一个文件里只能有一个数，请核对后改成一致再导入",
        )  # fmt: skip

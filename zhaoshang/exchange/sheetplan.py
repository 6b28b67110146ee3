"""Which sheet of a file is what — the first decision of an import, taken by the sheet's name.

:func:`plan` returns a :class:`SheetPlan` per sheet: its :class:`Role` (items of a kind, a
summary that may hold projects, a detail sheet, a roll-up's stage log, or skipped) and, when
a sheet is skipped or used otherwise, the note that says so.  A plain function of the name and
the definitions: no import state.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from ..definitions import Definitions, KindDef
from ..errors import ZsError
from ..parse import normalize_key
from . import layout
from .readers import RawSheet

__all__ = ["ORDER", "Role", "SheetPlan", "detail_spec", "plan"]


class Role(enum.StrEnum):
    #: rows of items (of ``kind``, or of the kind a 清单 column / --kind / the headers say)
    items = "items"
    #: a sheet named 汇总 from outside: items when it has a table of projects
    summary = "summary"
    #: a detail sheet (产业链, 招商主体, 对接记录 …): ``spec``
    detail = "detail"
    #: a roll-up's 阶段变更 sheet: the dates of its items' moves
    moves = "moves"
    #: not imported (the note says why, or it is our own export's or template's sheet)
    skip = "skip"


#: the order the sheets are read in, by detail sheet key (items between units and activities)
ORDER = {"chains": 0, "units": 1, "items": 2, "activities": 3, "funds": 4, "approvals": 5, "team": 6}


@dataclass(frozen=True)
class SheetPlan:
    raw: RawSheet
    role: Role
    kind: KindDef | None = None
    spec: layout.SheetSpec | None = None
    #: what the report says of the sheet (why it is skipped, or what it is used for)
    note: str | None = None
    #: the words of its name that made it a detail sheet when its name is not one exactly
    #: (「资金到位情况表」 → 「资金到位」): an inference to list
    said: str | None = None

    @property
    def order(self) -> int:
        return ORDER.get(self.spec.key if self.spec is not None else "items", 2)


def plan(
    raw: RawSheet,
    *,
    defs: Definitions,
    specs: Mapping[str, layout.SheetSpec],
    ours: bool,
    rollup: bool,
    only_kind: KindDef | None,
    option: Callable[[str], str],
    only_spec: layout.SheetSpec | None = None,
) -> SheetPlan:
    """What sheet ``raw`` is, by its name.  ``ours``: the file is our own export or template
    (it has ``_meta``); ``rollup``: another office's export; ``only_kind``: --kind naming a
    list, ``only_spec``: --kind naming a detail sheet (到位资金 …) — the sheet of every sheet
    not named for one.  A name that contains a detail sheet's words (「2026年10月资金到位情况」)
    is that sheet (:attr:`SheetPlan.said`)."""
    name = normalize_key(raw.name)
    if ours and name == normalize_key(layout.RETURNS_SHEET):
        note = f"「{raw.name}」列出退回的报送，仅供查看，不导入（改正后在清单中重新填报）"
        return SheetPlan(raw, Role.skip, note=note)
    if name in {normalize_key(x) for x in (layout.SUMMARY, layout.INSTRUCTIONS, layout.LISTS_SHEET)}:
        if ours or name == normalize_key(layout.LISTS_SHEET):
            return SheetPlan(raw, Role.skip)  # our own export's or template's sheets
        # anyone else's 汇总 may hold projects: imported when it has a table of them
        return SheetPlan(raw, Role.summary, kind=only_kind)
    for spec in specs.values():
        if name in {normalize_key(x) for x in (spec.name, spec.key, *spec.aliases)}:
            if spec.importable:
                return SheetPlan(raw, Role.detail, spec=spec)
            if rollup and spec.key == "status_log":
                return SheetPlan(raw, Role.moves, spec=spec, note=f"「{raw.name}」中的日期用作汇总条目的阶段变更记录")
            return SheetPlan(raw, Role.skip, note=f"「{raw.name}」是历史记录，仅供查看，不导入")
    if name in {normalize_key(x) for x in ("items", "清单条目", "条目", "全部清单")}:
        return SheetPlan(raw, Role.items)
    try:
        kind = defs.kind(raw.name)
    except ZsError:
        for spec in specs.values():
            words = next((w for w in spec.name_words if normalize_key(w) in name), None)
            if words is not None and spec.importable:
                return SheetPlan(raw, Role.detail, spec=spec, said=words)
        if only_spec is not None:
            return SheetPlan(raw, Role.detail, spec=only_spec)
        return SheetPlan(raw, Role.items)  # kind from --kind, a 清单 column, or the headers
    only = only_kind.name if only_kind is not None else only_spec.name if only_spec is not None else None
    if only is not None and (only_kind is None or kind.key != only_kind.key):
        return SheetPlan(raw, Role.skip, note=f"「{raw.name}」不是 {option('kind')} 指定的「{only}」，已跳过")
    return SheetPlan(raw, Role.items, kind=kind)


def detail_spec(name: str, specs: Mapping[str, layout.SheetSpec]) -> layout.SheetSpec | None:
    """The importable detail sheet ``name`` names (到位资金, funds, 到位資金 …), or None."""
    key = normalize_key(name)
    for spec in specs.values():
        if spec.importable and key in {normalize_key(x) for x in (spec.name, spec.key, *spec.aliases)}:
            return spec
    return None

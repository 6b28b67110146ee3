"""``zs stage``: a recorded move with an effective date.

The rules (order, flags, terminal statuses, dates) and the one definition of "reached" live in
:mod:`zhaoshang.stages`, below items, pipeline and reports; this module is the command's core and
re-exports the counting helpers reports and scripts have always imported from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .. import items
from ..db import Database
from ..stages import (
    first_reached,
    first_reached_item,
    reached_sql,
    reached_stages,
    signing_stage,
    stage_entered,
)

__all__ = [
    "StageResult",
    "first_reached",
    "first_reached_item",
    "move",
    "reached_sql",
    "reached_stages",
    "signing_stage",
    "stage_entered",
]


@dataclass
class StageResult:
    item_id: int
    from_status: str
    to_status: str
    date: str
    flag: str | None
    #: the first day the item reached this stage (earlier than ``date`` when re-reached)
    first_date: str | None
    #: the stage had been reached before: this move is not counted again
    repeated: bool
    #: the date fields this move set, as 「签约日期：2026-03-01」
    filled: str | None = None
    #: the day the item came in, when this move moved it back (数据补录), else None
    entry_moved_from: str | None = None
    entry_date: str | None = None
    #: 待认定: the office's own entries need review (zs review own 开)
    pending: bool = False


def move(
    db: Database,
    item_id: int,
    stage: str,
    *,
    on: str | date | None = None,
    reason: str | None = None,
    force: bool = False,
) -> StageResult:
    """Move an item to ``stage`` (name or alias) effective ``on`` (default today, never after
    the real today), inside the current command, by the rules of :mod:`zhaoshang.stages`."""
    kind = items.kind_of(db, item_id)
    target = items.resolve_status(kind, stage)
    before = first_reached_item(db, kind, item_id, target)
    mv = items.set_status(db, item_id, target, reason=reason, on=on, force=force)
    first = first_reached_item(db, kind, item_id, target)
    from ..stages import date_fields, stage_of_field

    fields = set(date_fields(kind).values())
    labels = [
        f"{kind.field(k).label}：{first_reached_item(db, kind, item_id, stage_of_field(kind, k) or target) or '（空）'}"
        for k in mv.filled
        if k in fields
    ]
    return StageResult(
        item_id=item_id,
        from_status=mv.from_status,
        to_status=mv.to_status,
        date=mv.date,
        flag=mv.flag,
        first_date=first,
        repeated=before is not None,
        filled="、".join(labels) or None,
        entry_moved_from=mv.entry_moved_from,
        entry_date=mv.date if mv.entry_moved_from else None,
        pending=mv.pending,
    )

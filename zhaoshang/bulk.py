"""Bulk changes the Taskwarrior way: the items a filter selects (the same filters as
``zs list``), changed in one recorded, undoable command — after a preview of exactly what
will change.

The preview is the change itself, made inside a transaction and rolled back: the history
rows it would write are read back before the rollback, so what the user confirms is what
the command does, stage rules and date fields included.  The real run then applies it to
the very items previewed, or refuses if the selection changed in between.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import items
from .db import Database
from .errors import ZsError
from .history import Change, changes_of
from .items import Filter, Parsed

#: at most this many history rows are read back for a preview (the counts are always exact)
PREVIEW_CHANGES = 500


@dataclass
class BulkResult:
    """What a bulk change selected, changed and recorded."""

    #: the ids the filter selected, in list order
    ids: list[int]
    #: id → title of the items that change
    changed: dict[int, str] = field(default_factory=dict)
    #: the history rows (at most PREVIEW_CHANGES of them)
    changes: list[Change] = field(default_factory=list)
    #: the recorded command (None for a preview)
    command_id: int | None = None
    #: names resolved by a guess (:class:`zhaoshang.lookups.Guess`), for the confirmation
    guesses: list[Any] = field(default_factory=list)

    @property
    def unchanged(self) -> int:
        return len(self.ids) - len(self.changed)


class _Preview(Exception):
    """Raised inside the transaction to roll a preview back."""


def has_condition(flt: Filter) -> bool:
    """Whether ``flt`` selects anything narrower than "every item"."""
    return bool(
        flt.kind or flt.chain or flt.status or flt.owner or flt.leader or flt.unit or flt.overdue or flt.open_only
    ) or bool(flt.where)


def _select(db: Database, flt: Filter | Sequence[int]) -> list[items.Record]:
    """The items a filter selects (list order), or the items of the given ids (in that
    order; an unknown or deleted id is an error)."""
    if isinstance(flt, Filter):
        if not has_condition(flt):
            raise ZsError(
                "批量修改至少要写一个条件（--where 字段=值，或 --kind/--chain/--status…）：不会一次改动全部条目"
            )
        return items.list_items(db, flt).rows
    return [items.get(db, int(i)) for i in dict.fromkeys(flt)]


def _apply(
    db: Database,
    flt: Filter | Sequence[int],
    act: Callable[[Database, items.Record], bool],
    *,
    name: str,
    user: str,
    args: str,
    apply: bool,
    expect: list[int] | None,
) -> BulkResult:
    result: BulkResult | None = None
    try:
        with db.command(name, user=user, args=args) as cmd:
            rows = _select(db, flt)
            ids = [int(r["id"]) for r in rows]
            if not ids:
                raise ZsError("没有符合条件的条目：没有修改任何条目（可先用 zs list 加同样的条件查看）")
            if expect is not None and ids != expect:
                raise ZsError("确认期间符合条件的条目有了变化（别人刚修改过）：没有修改任何条目，请重新运行")
            changed: dict[int, str] = {}
            for rec in rows:
                try:
                    if act(db, rec):
                        changed[int(rec["id"])] = str(rec.get("title") or "")
                except ZsError as exc:
                    raise ZsError(
                        f"编号 {rec['id']}「{rec.get('title', '')}」：{exc.message}；没有修改任何条目"
                    ) from None
            if changed:
                from .search import reindex

                reindex(db, changed)
            result = BulkResult(
                ids,
                changed,
                changes_of(db, cmd.id, limit=PREVIEW_CHANGES),
                cmd.id if apply else None,
                list(cmd.guesses),
            )
            if not apply:
                raise _Preview
    except _Preview:
        pass
    assert result is not None
    return result


def edit_where(
    db: Database,
    flt: Filter,
    values: Mapping[str, object],
    *,
    user: str,
    args: str = "edit",
    reason: str | None = None,
    force: bool = False,
    apply: bool = False,
    expect: list[int] | None = None,
) -> BulkResult:
    """Set ``values`` on every item ``flt`` selects: a preview (``apply=False``, nothing
    written) or the change, as one command (``apply=True``; ``expect``: the ids previewed)."""
    if not values:
        raise ZsError("请写出要改成什么：字段=值，如 责任人=李静")
    parsed: dict[str, Parsed] = {}

    def act(db: Database, rec: items.Record) -> bool:
        kind = db.defs.kind_by_key(str(rec["kind"]))
        if kind.key not in parsed:
            parsed[kind.key] = items.parse_values(db, kind, values)
        return bool(
            items.update(db, kind, int(rec["id"]), parsed[kind.key], user=user, reason=reason, force=force, index=False)
        )

    return _apply(db, flt, act, name="edit", user=user, args=args, apply=apply, expect=expect)


def close_where(
    db: Database,
    flt: Filter,
    *,
    user: str,
    args: str = "close",
    reason: str | None = None,
    on: Any = None,
    apply: bool = False,
    expect: list[int] | None = None,
) -> BulkResult:
    """销号 every open item ``flt`` selects (those already closed are left as they are)."""

    def act(db: Database, rec: items.Record) -> bool:
        kind = db.defs.kind_by_key(str(rec["kind"]))
        if kind.status(str(rec["status"])).terminal:
            return False
        items.close(db, int(rec["id"]), reason=reason, on=on, user=user)
        return True

    return _apply(db, flt, act, name="close", user=user, args=args, apply=apply, expect=expect)


@dataclass
class Rehearsal:
    """What a change would do: its own answer and the history rows it would write (at most
    PREVIEW_CHANGES of them), the change itself rolled back."""

    result: Any
    changes: list[Change]
    #: names resolved by a guess along the way (:class:`zhaoshang.lookups.Guess`)
    guesses: list[Any] = field(default_factory=list)


def rehearse(db: Database, name: str, run: Callable[[Database], Any], *, user: str, args: str = "") -> Rehearsal:
    """Run ``run(db)`` as the command ``name`` would, read back what it wrote, and roll it
    all back: a dry run that is the very code of the real one."""
    found: Rehearsal | None = None
    try:
        with db.command(name, user=user, args=args) as cmd:
            answer = run(db)
            found = Rehearsal(answer, changes_of(db, cmd.id, limit=PREVIEW_CHANGES), list(cmd.guesses))
            raise _Preview
    except _Preview:
        pass
    assert found is not None
    return found

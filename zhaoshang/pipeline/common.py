"""Helpers shared by the pipeline modules: dates, people's names, traffic lights, rows."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any

from ..db import Database
from ..definitions import KindDef
from ..errors import ZsError

RED = "red"
YELLOW = "yellow"
LIGHT_NAMES = {RED: "红", YELLOW: "黄"}


def light(elapsed: int, limit: int) -> str | None:
    """The traffic light for ``elapsed`` days against a limit of ``limit`` days: None while
    within the limit, yellow when over it, red when over twice the limit."""
    if elapsed > 2 * limit:
        return RED
    if elapsed > limit:
        return YELLOW
    return None


def to_date(value: str | date | None, *, what: str = "日期") -> date | None:
    """A date typed by a person (any form :func:`~zhaoshang.parse.parse_typed_date` reads:
    2026-03-15, 今天, 昨天, 11月28日 …); None for nothing.  Errors name ``what``."""
    if value is None or isinstance(value, date):
        return value
    from ..parse import parse_typed_date

    if not str(value).strip():
        return None
    try:
        return parse_typed_date(value)
    except ZsError as exc:
        raise ZsError(f"{what}：{exc.message}") from None


def iso(value: str | None) -> date | None:
    """A stored ISO date (or timestamp) as a date."""
    return date.fromisoformat(value[:10]) if value else None


def not_future(day: date, today: date, what: str) -> None:
    """Refuse a write dated after ``today`` -- and never after the real today, whatever day a
    caller looks from (``--today`` is a way of looking, not of writing)."""
    today = min(today, date.today())
    if day > today:
        raise ZsError(f"{what} {day.isoformat()} 晚于今天（{today.isoformat()}）：只能记录已经发生的事")


def rows(db: Database, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[dict[str, Any]]:
    return list(iter_rows(db, sql, params))


def iter_rows(db: Database, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Iterator[dict[str, Any]]:
    """The rows of ``sql`` as dicts, read as they are used (the query runs, and fails, here)."""
    cur = db.conn.execute(sql, params)
    names = [d[0] for d in cur.description]
    return (dict(zip(names, r, strict=False)) for r in cur)  # (lengths equal: names are the columns)


def item_row(db: Database, item_id: int) -> sqlite3.Row:
    """The common columns of an item (with chain and unit names); NotFoundError if absent."""
    from ..items import get

    cur = db.conn.execute(
        "SELECT i.id, i.kind, i.title, i.status, i.owner, i.due, i.created_at, i.closed_at, "
        "c.name AS chain, u.name AS unit, i.chain_id, i.unit_id "
        "FROM items i JOIN chains c ON c.id = i.chain_id LEFT JOIN units u ON u.id = i.unit_id WHERE i.id = ?",
        (item_id,),
    )
    cur.row_factory = sqlite3.Row
    row = cur.fetchone()
    if row is None:
        get(db, item_id)  # raises the helpful "unknown / deleted id" error
        raise AssertionError("unreachable")
    return row


def pipeline_kinds(db: Database) -> list[KindDef]:
    return [k for k in db.defs.kinds if k.pipeline]


def require_kind(db: Database, item_id: int, ok: bool, what: str) -> None:
    if not ok:
        row = db.conn.execute("SELECT kind FROM items WHERE id = ?", (item_id,)).fetchone()
        name = db.defs.kind_by_key(row[0]).name if row else "?"
        raise ZsError(f"编号 {item_id} 是「{name}」清单的条目：{what}")


def scope(db: Database, where: list[str], params: list[Any], *, chain: str | None, unit: str | None = None) -> None:
    """Add the chain and unit conditions every pipeline list accepts (items aliased ``i``)."""
    from .. import lookups

    if chain:
        where.append("i.chain_id = ?")
        params.append(lookups.chain_id(db, chain))
    if unit:
        where.append("i.unit_id = ?")
        params.append(lookups.unit_id(db, unit))

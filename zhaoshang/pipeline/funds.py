"""到位资金: money that actually arrived for a project, by month.  Domestic money in 万元 and
foreign money in 万美元 are two separate columns that are never converted into each other;
every total is given per currency."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from .. import items
from ..db import Database, now
from ..errors import ZsError
from ..stages import first_reached_item, hold_own, signing_stage
from .common import iter_rows, require_kind, rows, scope


@dataclass
class FundResult:
    item_id: int
    month: str
    domestic: float | None
    foreign_usd: float | None
    old_domestic: float | None
    old_foreign_usd: float | None
    #: the row was removed because both amounts ended up empty or zero
    deleted: bool
    #: the project has not reached the signing stage yet (a warning, not an error)
    unsigned: bool
    #: 待认定 (the office's own entries need review: zs review own 开)
    pending: bool = False


#: a digit that makes an amount not zero (ASCII, full-width, Chinese numerals)
_NONZERO = re.compile("[1-9１-９一二两三四五六七八九十壹贰叁肆伍陆柒捌玖拾]")


def _amount(raw: object, currency: str, what: str) -> float:
    """The amount typed, in 万; an amount that is not zero but rounds to zero (``1e-10``) is
    refused: stored as 0 it would delete the month's record."""
    from ..parse import parse_money

    try:
        value = parse_money(raw, currency=currency)
    except ZsError as exc:
        raise ZsError(f"{what}：{exc.message}") from None
    if value == 0 and _not_zero(raw):
        unit = "万美元" if currency == "USD" else "万元"
        raise ZsError(
            f"{what}「{raw}」太小，按{unit}记只保留 6 位小数，会成为 0（0 表示删除这个月的记录）："
            f"请检查单位和数字；要删除这个月的记录，请把金额写为 0"
        )
    return value


def _not_zero(raw: object) -> bool:
    if isinstance(raw, str):
        return _NONZERO.search(raw) is not None
    return isinstance(raw, int | float) and raw != 0


def earliest(db: Database, item_id: int) -> str | None:
    """The first day anything is known of a project (ISO): entered, a stage reached, a contact,
    an approval obtained, whichever is earliest — funds cannot arrive before it."""
    row = db.conn.execute(
        "SELECT min(d) FROM ("
        " SELECT substr(created_at, 1, 10) AS d FROM items WHERE id = :i"
        " UNION ALL SELECT min(date) FROM status_log WHERE item_id = :i"
        " UNION ALL SELECT min(date) FROM activities WHERE item_id = :i"
        " UNION ALL SELECT min(date) FROM approvals WHERE item_id = :i AND date IS NOT NULL)",
        {"i": item_id},
    ).fetchone()
    return row[0] if row else None


def record(
    db: Database,
    item_id: int,
    month: str,
    *,
    today: date,
    domestic: object = None,
    foreign: object = None,
    add: bool = False,
) -> FundResult:
    """Set (or with ``add`` increase) the domestic (万元) and/or foreign (万美元) funds of a
    project for ``month``, inside the current command."""
    from ..parse import parse_typed_month

    if db.current is None:
        raise RuntimeError("record must run inside db.command()")
    kind = items.kind_of(db, item_id)
    require_kind(db, item_id, kind.pipeline, "到位资金只能记在项目（招什么）上")
    if domestic is None and foreign is None:
        raise ZsError("请给出金额：--domestic 国内资金（万元）或 --foreign 外资（万美元）")
    try:
        m = parse_typed_month(month)  # 2026-03, 本月, 上月, 3月 …
    except ZsError as exc:
        raise ZsError(f"月份：{exc.message}") from None
    if m > today.strftime("%Y-%m"):
        raise ZsError(f"月份 {m} 还没到（今天是 {today.isoformat()}）：到位资金只能记已到账的月份")
    first = earliest(db, item_id)
    if first is not None and m < first[:7]:
        raise ZsError(
            f"月份 {m} 早于编号 {item_id} 最早的记录（{first}，建档、阶段、对接或手续中最早的一天）："
            "项目还不存在时不会有到位资金，请检查月份；若项目确实更早开始，请先补记它更早的阶段日期"
        )
    dom = None if domestic is None else _amount(domestic, "CNY", "国内资金（万元）")
    fgn = None if foreign is None else _amount(foreign, "USD", "外资（万美元）")
    old = db.conn.execute(
        "SELECT domestic, foreign_usd FROM funds WHERE item_id = ? AND month = ?", (item_id, m)
    ).fetchone()
    old_dom, old_fgn = (old[0], old[1]) if old else (None, None)
    new_dom = _combine(old_dom, dom, add)
    new_fgn = _combine(old_fgn, fgn, add)
    from ..values import check_money

    for value, what, currency in ((new_dom, "国内资金", "CNY"), (new_fgn, "外资", "USD")):
        if value is not None and value < 0:
            raise ZsError(f"{m} 的{what}会变成负数（{value:g}）：请检查金额")
        if value is not None:
            try:
                check_money(value, currency)
            except ZsError as exc:
                raise ZsError(f"{m} 的{what}：{exc.message}") from None
    deleted = not new_dom and not new_fgn
    if deleted:
        if old is None:
            raise ZsError(f"金额为 0：{m} 没有到位资金记录，无需登记")
        if add:  # only an amount written as 0 deletes a month, never a sum that came to 0
            raise ZsError(
                f"累加后 {m} 的到位资金为 0，会删除这个月的记录：没有改动；要删除这个月的记录，请直接把金额写为 0"
            )
        db.conn.execute("DELETE FROM funds WHERE item_id = ? AND month = ?", (item_id, m))
    elif old is None:
        db.conn.execute(
            "INSERT INTO funds(item_id, month, domestic, foreign_usd, user, at) VALUES (?, ?, ?, ?, ?, ?)",
            (item_id, m, new_dom, new_fgn, db.current.user, now()),
        )
    else:
        db.conn.execute(
            "UPDATE funds SET domestic = ?, foreign_usd = ?, user = ?, at = ? WHERE item_id = ? AND month = ?",
            (new_dom, new_fgn, db.current.user, now(), item_id, m),
        )
    signing = signing_stage(kind)
    unsigned = signing is not None and first_reached_item(db, kind, item_id, signing) is None
    pending = False
    if not deleted:  # (zs review own 开: the office's own figures wait for review too)
        fid = db.conn.execute("SELECT id FROM funds WHERE item_id = ? AND month = ?", (item_id, m)).fetchone()[0]
        pending = hold_own(db, "funds", int(fid), db.current.user)
    return FundResult(item_id, m, new_dom, new_fgn, old_dom, old_fgn, deleted, unsigned, pending)


def _combine(old: float | None, new: float | None, add: bool) -> float | None:
    if new is None:
        return old
    if add and old is not None:
        return round(old + new, 6)
    return new


def project_funds(db: Database, item_id: int) -> list[dict[str, Any]]:
    """One project's funds by month (oldest first)."""
    items.kind_of(db, item_id)
    return rows(
        db,
        "SELECT month, domestic, foreign_usd, user, at FROM funds WHERE item_id = ? ORDER BY month",
        (item_id,),
    )


def totals(records: Iterable[dict[str, Any]]) -> dict[str, float]:
    """Sums per currency (never converted)."""
    domestic = foreign = 0.0
    for r in records:
        domestic += r.get("domestic") or 0
        foreign += r.get("foreign_usd") or 0
    return {"domestic": round(domestic, 6), "foreign_usd": round(foreign, 6)}


def with_total(rows: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """``rows`` (of :func:`by_project`) as they come, then their 合计 row — months, and the
    sums of :func:`totals` added the same way — none when there were no rows."""
    months, domestic, foreign, n = 0, 0.0, 0.0, 0
    for r in rows:
        n += 1
        months += r["months"]
        domestic += r.get("domestic") or 0
        foreign += r.get("foreign_usd") or 0
        yield r
    if n:
        yield {"title": "合计", "months": months, "domestic": round(domestic, 6), "foreign_usd": round(foreign, 6)}


def by_project(db: Database, **filters: Any) -> list[dict[str, Any]]:
    """Funds per project over a range of months (inclusive, "YYYY-MM" or any month form):
    id, title, chain, unit, status, months, domestic (万元), foreign_usd (万美元), first and
    last month.  Largest domestic amount first."""
    return list(iter_by_project(db, **filters))


def iter_by_project(
    db: Database,
    *,
    chain: str | None = None,
    unit: str | None = None,
    since: str | None = None,
    until: str | None = None,
) -> Iterator[dict[str, Any]]:
    """:func:`by_project` as a stream (the filters checked when it is called)."""
    from ..parse import parse_month

    where: list[str] = []
    params: list[Any] = []
    if since:
        where.append("f.month >= ?")
        params.append(parse_month(since))
    if until:
        where.append("f.month <= ?")
        params.append(parse_month(until))
    scope(db, where, params, chain=chain, unit=unit)
    clause = (" WHERE " + " AND ".join(where)) if where else ""
    return iter_rows(
        db,
        "SELECT i.id, i.title, c.name AS chain, u.name AS unit, i.status, count(*) AS months, "
        "round(total(f.domestic), 6) AS domestic, round(total(f.foreign_usd), 6) AS foreign_usd, "
        "min(f.month) AS first_month, max(f.month) AS last_month "
        "FROM funds f JOIN items i ON i.id = f.item_id JOIN chains c ON c.id = i.chain_id "
        f"LEFT JOIN units u ON u.id = i.unit_id{clause} "
        "GROUP BY i.id, c.name, u.name ORDER BY domestic DESC, foreign_usd DESC, i.id",
        params,
    )

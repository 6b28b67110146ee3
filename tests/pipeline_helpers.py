"""Helpers for the pipeline tests: a small city built through the core API with controlled
dates, so that frozen "today" values give exact results."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from zhaoshang import items, lookups
from zhaoshang.db import Database
from zhaoshang.definitions import load


def open_db(path: Path) -> Database:
    return Database.open(path, load())


def build_city(path: Path) -> None:
    """Two chains (绿色矿业 led by 王建国（副市长）, 大豆加工 by 李明华), two units."""
    db = open_db(path)
    with db.command("setup", user="测试员"):
        lookups.create(db, lookups.CHAIN, "绿色矿业", {"leader": "王建国（副市长）"})
        lookups.create(db, lookups.CHAIN, "大豆加工", {"leader": "李明华"})
        lookups.create(db, lookups.UNIT, "爱辉区", {})
        lookups.create(db, lookups.UNIT, "北安市", {})
    db.close()


def make(
    path: Path,
    kind: str,
    title: str,
    *,
    chain: str = "绿色矿业",
    created: str = "2026-01-01",
    status: str | None = None,
    **values: Any,
) -> int:
    """Add an item as if created on ``created`` (its first status dated that day)."""
    db = open_db(path)
    try:
        with db.command("add", user="测试员"):
            k = db.defs.kind(kind)
            parsed = items.parse_values(db, k, {"title": title, "chain": chain, **values})
            for f in k.fields:
                if f.key not in parsed.own and f.default is not None:
                    from zhaoshang.values import to_storage

                    parsed.own[f.key] = to_storage(f, f.default)
            item_id = items.insert(db, k, parsed, status=status or k.default_status, user="测试员", status_date=created)
            db.conn.execute(
                "UPDATE items SET created_at = ?, updated_at = ? WHERE id = ?",
                (f"{created}T09:00:00", f"{created}T09:00:00", item_id),
            )
        return item_id
    finally:
        db.close()


def query(path: Path, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    import sqlite3

    if isinstance(path, str) and path.startswith("postgresql://"):  # (a module marked engines, on PostgreSQL)
        db = open_db(path)
        try:
            return [tuple(r) for r in db.conn.execute(sql, params).fetchall()]
        finally:
            db.close()
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()

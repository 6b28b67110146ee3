"""The items a batch of rows names, as they are stored: the "match" step's other half.

:func:`load` reads them set-based (common fields, then each kind's own table) into
:class:`~.rows.Current` objects; :func:`as_reported` makes an item under review stand at what
its unit reported.  Plain functions of the database: no import state.
"""

from __future__ import annotations

import json

from .. import counted, stages
from ..db import Database
from .rows import Current

__all__ = ["as_reported", "load"]

#: the common columns a row is compared with, in the order :func:`load` reads them
COMMON = ("title", "chain_id", "status", "owner", "unit_id", "due", "notes")


def load(db: Database, ids: set[int], *, reported: bool) -> dict[int, Current]:
    """The stored state of items ``ids`` (their common fields and their kind's own), as a row
    is compared with; ``reported``: in an import under review, each item stands at what
    its unit reported (:func:`as_reported`).  Two queries per 500 items and kind."""
    out: dict[int, Current] = {}
    if not ids:
        return out
    id_list = sorted(ids)
    by_kind: dict[str, list[int]] = {}
    for start in range(0, len(id_list), 500):
        chunk = id_list[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for row in db.conn.execute(
            "SELECT id, kind, title, chain_id, status, owner, unit_id, due, notes, origin "
            f"FROM items WHERE id IN ({marks})",
            chunk,
        ):
            rid, kind_key = int(row[0]), str(row[1])
            common = dict(zip(COMMON, row[2:9], strict=True))
            out[rid] = Current(rid, kind_key, common, {}, row[9])
            by_kind.setdefault(kind_key, []).append(rid)
    for kind_key, kind_ids in by_kind.items():
        kind = db.defs.kind_by_key(kind_key)
        cols = [c for c in db.kind_columns(kind)]
        if not cols:
            continue
        names = ", ".join(f'"{c}"' for c in cols)
        for start in range(0, len(kind_ids), 500):
            chunk = kind_ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for row in db.conn.execute(f'SELECT id, {names} FROM "{kind.table}" WHERE id IN ({marks})', chunk):
                out[int(row[0])].own = dict(zip(cols, row[1:], strict=True))
    if reported:
        as_reported(db, out)
    return out


def as_reported(db: Database, out: dict[int, Current]) -> None:
    """In an import under review: an item with moves still 待认定 stands at what its unit
    reported — its status and stage dates with those moves — so a row is compared with
    the report it repeats or changes, not with the confirmed state alone.  Set-based: one
    query for the statuses, one per kind and stage date."""
    sql = (
        f"SELECT i.id, i.kind, {counted.state_moves('i.id', include_pending=True)} FROM items i "
        "WHERE i.id IN (SELECT value FROM json_each(?)) "
        "AND EXISTS (SELECT 1 FROM status_log p WHERE p.item_id = i.id AND p.review = 'pending')"
    )
    by_kind: dict[str, list[int]] = {}
    for iid, kind_key, status in db.conn.execute(sql, (json.dumps(sorted(out)),)).fetchall():
        cur = out[int(iid)]
        cur.common["status"], cur.waiting = status, True
        by_kind.setdefault(str(kind_key), []).append(cur.id)
    for kind_key, ids in by_kind.items():
        kind = db.defs.kind_by_key(kind_key)
        chosen = json.dumps(ids)
        for stage, key in stages.date_fields(kind).items():
            if not any(key in out[i].own for i in ids):
                continue
            names = stages.reached_stages(kind, stage)
            first = dict(
                db.conn.execute(
                    f"SELECT s.item_id, min(s.date) FROM status_log s WHERE s.item_id IN "
                    f"(SELECT value FROM json_each(?)) AND s.to_status IN ({', '.join('?' * len(names))}) "
                    f"AND {counted.counted('s', include_pending=True)} GROUP BY s.item_id",
                    (chosen, *names),
                ).fetchall()
            )
            for i in ids:
                if key in out[i].own:
                    out[i].own[key] = first.get(i)
